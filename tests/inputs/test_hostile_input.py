"""Hostile input: every file gives a clear Chinese error quickly, with bounded memory, never a crash."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import time
import tracemalloc
import zipfile
from pathlib import Path
from typing import Iterable

import pytest
import yaml

from compliance.inputs.loader import MAX_BYTES, InputError
from compliance.engine.pack import load_pack
from compliance.pipeline.validate import validate_path, Verdict

from conftest import AS_OF, DANGJIAN, ROOT

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
    assert "文件过大（50MB），上限为5MB" in only_error(verdict)
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
        assert len(errors) == 1 and "嵌套层级过深（超过64层）" in errors[0]["message"], (name, errors)


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


FIXTURE = (ROOT / "fixtures" / "01-shi-caizhengju.yaml").read_text(encoding="utf-8")


def _with_events(lines: Iterable[str]) -> str:
    head = FIXTURE.partition("events:\n")[0]
    return head + "events:\n" + "".join(lines)


MANY_ERRORS = {
    "bad_events.yaml": _with_events(f"  - {{date: 不是日期{i}, type: 听取汇报, org: 党组织, title: t}}\n" for i in range(20_000)),
    "future_events.yaml": _with_events(f"  - {{date: 2030-01-01, type: 听取汇报, org: 党组织, title: t{i}}}\n"
                                       for i in range(20_000)),
    "unknown_keys.yaml": FIXTURE.replace("unit:\n", "unit:\n" + "".join(f"  zzkey{i}: 1\n" for i in range(50_000)), 1),
    "bad_events_under_the_cap.yaml": _with_events(f"  - {{date: 不是日期{i}, type: 听取汇报, org: 党组织, title: t}}\n"
                                                  for i in range(9_000)),
}


@pytest.mark.parametrize("name", sorted(MANY_ERRORS))
def test_tens_of_thousands_of_errors_are_found_in_linear_time_and_the_first_50_listed(tmp_path, name):
    path = tmp_path / name
    path.write_text(MANY_ERRORS[name], encoding="utf-8")
    start = time.monotonic()
    verdict = validate_path(path, DANGJIAN, AS_OF)
    assert time.monotonic() - start < 20
    messages = [p.message for p in verdict.errors]
    assert 1 <= len(messages) <= 51
    if len(messages) == 51:
        assert re.fullmatch(r"另有\d+处错误未列出", messages[-1]) and verdict.errors[-1].line is None
        assert all(p.line is not None for p in verdict.errors[:50])


def test_a_list_longer_than_10000_entries_is_one_located_error(tmp_path):
    path = tmp_path / "future_events.yaml"
    path.write_text(MANY_ERRORS["future_events.yaml"], encoding="utf-8")
    assert "工作记录 (events): 条目过多，最多10000项" in only_error(validate_path(path, DANGJIAN, AS_OF))


def test_a_unit_name_of_a_million_characters_is_refused_quickly(tmp_path):
    path = tmp_path / "long.yaml"
    path.write_text(FIXTURE.replace("name: 市财政局", "name: " + "名" * 1_000_000, 1), encoding="utf-8")
    start = time.monotonic()
    message = only_error(validate_path(path, DANGJIAN, AS_OF))
    assert time.monotonic() - start < 10
    assert "long.yaml:5:3: 字段 单位.单位名称 (unit.name): 过长，不能超过2000个字符" in message
    assert len(message) < 1000


@pytest.mark.parametrize("value, code", [
    ('"王\\x01建国"', "U+0001"), ('"王\\0建国"', "U+0000"), ('"王\\uFFFE"', "U+FFFE"), ('"王\\x1b[31m"', "U+001B"),
])
def test_text_that_no_document_can_store_is_a_located_error_naming_the_field(tmp_path, value, code):
    path = tmp_path / "ctrl.yaml"
    path.write_text(FIXTURE.replace("secretary: 王建国", f"secretary: {value}"), encoding="utf-8")
    message = only_error(validate_path(path, DANGJIAN, AS_OF))
    assert f"ctrl.yaml:16:3: 字段 党组织.书记 (party.secretary): 含有不能写入文档的字符（{code}）" in message


@pytest.mark.parametrize("text, code", [("\\u0000", "U+0000"), ("\\ud800", "U+D800"), ("\\uffff", "U+FFFF")])
def test_json_escapes_of_nul_and_lone_surrogates_are_refused(tmp_path, text, code):
    data = yaml.safe_load(FIXTURE)
    data["party"]["secretary"] = "王"
    path = tmp_path / "ctrl.json"
    path.write_text(json.dumps(data, default=str, ensure_ascii=False).replace('"王"', f'"王{text}"'), encoding="utf-8")
    assert f"含有不能写入文档的字符（{code}）" in only_error(validate_path(path, DANGJIAN, AS_OF))


def test_tabs_and_newlines_in_text_are_kept():
    from compliance.inputs.model import check_text
    assert check_text("第一行\n\t第二行\r\n") == "第一行\n\t第二行\r\n"


@pytest.mark.parametrize("line, message", [
    ("  members: 123456789012345678901234567890", "不能大于 10000000"),
    ("  annual_funds: 1.0e+13", "不能大于 1000000000000"),
    ("  annual_funds: .nan", "应为有限的数字"),
])
def test_numbers_are_bounded_so_nothing_beyond_64_bits_reaches_the_database(tmp_path, line, message):
    path = tmp_path / "big.yaml"
    key = line.split(":")[0]
    original = next(l for l in FIXTURE.splitlines() if l.startswith(key + ":"))
    path.write_text(FIXTURE.replace(original, line, 1), encoding="utf-8")
    assert message in only_error(validate_path(path, DANGJIAN, AS_OF))
