"""A profile whose file name carries an ANSI escape or a bidi override is checked, validated and reported
like any other: nothing crashes, and no escape sequence reaches the terminal or a document."""

from __future__ import annotations

import shutil

import openpyxl

from compliance.cli import main

from conftest import FIXTURES

DATE = ["--as-of", "2025-11-20"]
NAME = "\x1b[31m单位\u202e.yaml"


def folder(tmp_path):
    target = tmp_path / "batch"
    target.mkdir()
    shutil.copy(FIXTURES / "02-shi-shuiliju.yaml", target / NAME)
    return target


def test_check_and_validate_print_the_file_name_without_escape_sequences(runner, tmp_path):
    batch = folder(tmp_path)
    for args in (["check", str(batch), *DATE], ["validate", str(batch), *DATE]):
        result = runner.invoke(main, args)
        assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
        assert "\x1b" not in result.output and "\u202e" not in result.output


def test_report_writes_every_document_for_a_file_named_with_escapes(runner, tmp_path):
    batch = folder(tmp_path)
    out = tmp_path / "out"
    result = runner.invoke(main, ["report", str(batch), "-o", str(out), *DATE, "--format", "docx,xlsx,md"])
    assert result.exit_code in (0, 1), result.output
    sheet = openpyxl.load_workbook(out / "问题清单.xlsx").active
    texts = [str(c.value) for row in sheet.iter_rows() for c in row if c.value is not None]
    assert not any("\x1b" in t or "\u202e" in t for t in texts)
