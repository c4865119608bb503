"""Hostile input: every file gives a clear Chinese error quickly, with bounded memory, never a crash."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tracemalloc
import zipfile
from pathlib import Path

import pytest

from compliance.inputs.loader import MAX_BYTES, InputError
from compliance.engine.pack import load_pack
from compliance.pipeline.validate import validate_path, Verdict

from conftest import DANGJIAN, AS_OF

MB = 1024 * 1024

BILLION_LAUGHS = """\
a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]
b: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]
c: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]
d: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c]
e: &e [*d,*d,*d,*d,*d,*d,*d,*d,*d]
f: &f [*e,*e,*e,*e,*e,*e,*e,*e,*e]
g: &g [*f,*f,*f,*f,*f,*f,*f,*f,*f]
h: &h [*g,*g,*g,*g,*g,*g,*g,*g,*g]
i: &i [*h,*h,*h,*h,*h,*h,*h,*h,*h]
"""


def verdict_of(path: Path) -> tuple[Verdict, int]:
    """The verdict and the peak memory (bytes) Python allocated to reach it."""
    tracemalloc.start()
    try:
        verdict = validate_path(path, DANGJIAN, AS_OF)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    return verdict, peak


def only_error(verdict: Verdict) -> str:
    assert not verdict.valid and len(verdict.errors) == 1, verdict.errors
    return verdict.errors[0].format()


def test_a_yaml_alias_bomb_is_refused_before_expansion(tmp_path):
    path = tmp_path / "bomb.yaml"
    path.write_text(BILLION_LAUGHS, encoding="utf-8")
    verdict, peak = verdict_of(path)
    assert "bomb.yaml:2:8: 不支持 YAML 锚点/别名（&/*）" in only_error(verdict)
    assert peak < 20 * MB


def test_a_pack_with_aliases_is_refused_too(tmp_path):
    path = tmp_path / "pack.yaml"
    path.write_text(BILLION_LAUGHS, encoding="utf-8")
    with pytest.raises(InputError, match="锚点/别名"):
        load_pack(path)


def test_a_50_mb_file_is_refused_by_size_without_reading_it(tmp_path):
    path = tmp_path / "huge.yaml"
    with path.open("wb") as f:
        f.truncate(50 * MB)
    verdict, peak = verdict_of(path)
    assert f"文件过大（{50 * MB} 字节），上限为 {MAX_BYTES} 字节" in only_error(verdict)
    assert peak < 5 * MB


DEEP = {
    "flow.yaml": "unit: " + "[" * 1_000_000 + "]" * 1_000_000 + "\n",
    "mapping.yaml": "a: " + "{a: " * 400_000 + "1" + "}" * 400_000 + "\n",
    "dashes.yaml": "- " * 1_000_000 + "1\n",
    "block.yaml": "".join(" " * i + "a:\n" for i in range(300)),
    "deep.json": '{"unit": ' + "[" * 1_000_000 + "]" * 1_000_000 + "}",
}


def test_deeply_nested_data_is_refused_in_a_process_that_survives(tmp_path):
    """Run in a child process: before the depth check, libyaml's recursive composer crashed on these."""
    for name, text in DEEP.items():
        (tmp_path / name).write_text(text, encoding="utf-8")
    result = subprocess.run(
        [sys.executable, "-m", "compliance", "validate", str(tmp_path), "--format", "json"],
        capture_output=True, text=True, timeout=300, env={**os.environ, "PYTHONIOENCODING": "utf-8"},
    )
    assert result.returncode == 2, result.stderr[-2000:]
    files = {Path(f["file"]).name: f["errors"] for f in json.loads(result.stdout)["files"]}
    assert set(files) == set(DEEP)
    for name, errors in files.items():
        assert len(errors) == 1 and "嵌套层级过深（超过 64 层）" in errors[0]["message"], (name, errors)


def test_binary_garbage_is_not_text(tmp_path):
    path = tmp_path / "garbage.yaml"
    path.write_bytes(os.urandom(4096) + b"\x00")
    assert "不是文本文件（含二进制内容）" in only_error(verdict_of(path)[0])


def test_a_gbk_file_is_asked_to_be_saved_as_utf8(tmp_path):
    path = tmp_path / "gbk.yaml"
    path.write_bytes("unit:\n  id: A\n  name: 市财政局\n".encode("gbk"))
    assert "gbk.yaml:3: 文件不是 UTF-8 编码（请另存为 UTF-8）" in only_error(verdict_of(path)[0])


def test_control_characters_and_tabs_give_a_located_yaml_error(tmp_path):
    path = tmp_path / "ctrl.yaml"
    path.write_text("unit:\n\tid: A\n", encoding="utf-8")
    message = only_error(verdict_of(path)[0])
    assert message.startswith(f"{path}:2:") and "YAML 格式错误" in message


def test_an_xlsx_zip_bomb_is_refused_from_the_archive_directory(tmp_path):
    path = tmp_path / "bomb.xlsx"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("xl/workbook.xml", "<workbook/>")
        with archive.open("xl/worksheets/sheet1.xml", "w") as member:
            chunk = b"\x00" * MB
            for _ in range(60):
                member.write(chunk)
    assert path.stat().st_size < MB
    verdict, peak = verdict_of(path)
    assert "解压后过大" in only_error(verdict) and "压缩炸弹" in only_error(verdict)
    assert peak < 20 * MB


@pytest.mark.parametrize("content, message", [
    (b"PK\x03\x04 not really a zip", "不是有效的 XLSX 文件"),
    (b"unit: {id: A}\n", "不是有效的 XLSX 文件"),
    (None, "不是 XLSX 工作簿"),
])
def test_an_xlsx_that_is_not_a_workbook_is_refused(tmp_path, content, message):
    path = tmp_path / "form.xlsx"
    if content is None:
        with zipfile.ZipFile(path, "w") as archive:
            archive.writestr("hello.txt", "你好")
    else:
        path.write_bytes(content)
    assert message in only_error(verdict_of(path)[0])


def test_a_corrupt_workbook_is_an_input_error_not_a_traceback(tmp_path):
    path = tmp_path / "corrupt.xlsx"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("xl/workbook.xml", "<<<这不是 XML")
    assert "无法打开 XLSX 文件" in only_error(verdict_of(path)[0])
