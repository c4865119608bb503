"""One reader for every input file: only regular files are opened, sizes are capped before and while
reading, and a FIFO or a device never blocks a command."""

from __future__ import annotations

import io
import os
import subprocess
import sys
from pathlib import Path

import pytest

from compliance.inputs.loader import InputError, read_capped, read_text
from compliance.inputs.records import jsonl_records

from conftest import FIXTURES

PROFILE = FIXTURES / "01-shi-caizhengju.yaml"


def run(*args: str, stdin: bytes | None = None, env: dict[str, str] | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "compliance", *args], input=stdin, capture_output=True, timeout=20,
                          env={**os.environ, "PYTHONIOENCODING": "utf-8", **(env or {})})


@pytest.fixture
def fifo(tmp_path: Path) -> Path:
    path = tmp_path / "pipe.yaml"
    os.mkfifo(path)
    return path


def _fifo_like(tmp_path: Path, kind: str, suffix: str) -> Path:
    if kind == "fifo":
        path = tmp_path / f"pipe{suffix}"
        os.mkfifo(path)
        return path
    if kind == "dir":
        path = tmp_path / f"folder{suffix}"
        path.mkdir()
        return path
    return Path(kind)


HOSTILE = ["fifo", "dir", "/dev/zero", "/dev/urandom"]


@pytest.mark.parametrize("kind", HOSTILE)
def test_read_text_refuses_anything_but_a_regular_file_without_opening_it(tmp_path, kind):
    with pytest.raises(InputError, match="不是普通文件"):
        read_text(_fifo_like(tmp_path, kind, ".yaml"))


@pytest.mark.parametrize("kind", HOSTILE)
@pytest.mark.parametrize("option", ["--pack", "--tailoring", "--waivers"])
def test_check_refuses_a_fifo_or_device_as_pack_tailoring_or_waivers_without_blocking(tmp_path, kind, option):
    result = run("check", str(PROFILE), option, str(_fifo_like(tmp_path, kind, ".yaml")), "--as-of", "2025-11-20")
    assert result.returncode == 3, result.stderr.decode()  # a configuration file, not a profile
    assert "不是普通文件" in result.stderr.decode() and "Traceback" not in result.stderr.decode()


@pytest.mark.parametrize("kind", ["fifo", "/dev/zero", "/dev/urandom"])
@pytest.mark.parametrize("suffix", [".yaml", ".json", ".jsonl", ".xlsx"])
@pytest.mark.parametrize("command", ["check", "validate"])
def test_a_fifo_or_device_given_as_a_profile_is_refused_without_blocking(tmp_path, kind, suffix, command):
    path = _fifo_like(tmp_path, kind, suffix)
    if kind.startswith("/dev/"):
        link = tmp_path / f"device{suffix}"
        link.symlink_to(path)
        path = link
    result = run(command, str(path), "--as-of", "2025-11-20")
    out = result.stdout.decode() + result.stderr.decode()
    assert result.returncode == 2, out
    assert "不是普通文件" in out and "Traceback" not in out


def test_ledger_import_refuses_a_fifo(tmp_path, fifo):
    path = fifo.with_suffix(".xlsx")
    os.mkfifo(path)
    result = run("ledger", "import", str(path), "--db", str(tmp_path / "ledger.sqlite"))
    assert result.returncode == 2 and "不是普通文件" in result.stderr.decode(), result.stderr.decode()


def test_a_fifo_as_the_ledger_database_is_refused_not_waited_on(tmp_path, fifo):
    for args, env in ((["--db", str(fifo)], {}), ([], {"COMPLIANCE_DB": str(fifo)})):
        result = run("ledger", "list", *args, env=env)
        assert result.returncode == 2 and "不是普通文件" in result.stderr.decode(), result.stderr.decode()


def test_standard_input_is_read_in_chunks_and_stops_at_the_cap():
    records = list(jsonl_records(io.BytesIO(b"{}\n" * 10 + b"x" * 100), "标准输入", max_bytes=50, max_total=40))
    assert records[-1].problem is not None and "超过上限40字节" in records[-1].problem.message
    with pytest.raises(InputError, match="超过上限10字节"):
        read_capped(io.BytesIO(b"x" * 11), "标准输入", 10)
    assert read_capped(io.BytesIO(b"x" * 10), "标准输入", 10) == b"x" * 10


def test_a_json_lines_line_over_the_cap_is_skipped_without_being_held_whole():
    stream = io.BytesIO(b'{"a": 1}\n' + b"x" * 5000 + b"\n" + b'{"b": 2}\n')
    records = list(jsonl_records(stream, "in.jsonl", max_bytes=100))
    assert [r.line for r in records] == [1, 2, 3]
    assert records[1].problem is not None and "该行过长（5001字节）" in records[1].problem.message
    assert records[2].text == '{"b": 2}\n'


def test_endless_standard_input_stops_at_the_cap():
    proc = subprocess.Popen([sys.executable, "-c", (
        "import sys\nfrom compliance.inputs.records import jsonl_records\n"
        "print([r.problem.message for r in jsonl_records(sys.stdin.buffer, 'x', 1000, 100000) if r.problem][-1])")],
        stdin=open("/dev/zero", "rb"), stdout=subprocess.PIPE, env={**os.environ, "PYTHONIOENCODING": "utf-8"})
    out, _ = proc.communicate(timeout=20)
    assert "超过上限100000字节" in out.decode()
