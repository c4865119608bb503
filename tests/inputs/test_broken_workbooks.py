"""Workbooks whose inner XML is broken (found by the fuzz suite): `import` of an information form and
`ledger import --dry-run` of a returned ledger give a Chinese error and exit 2, never a traceback."""

from __future__ import annotations

import zipfile
from pathlib import Path

import pytest

from compliance.cli import main

from conftest import FIXTURES


def broken(source: Path, target: Path, part: str) -> Path:
    with zipfile.ZipFile(source) as src, zipfile.ZipFile(target, "w") as out:
        for name in src.namelist():
            content = src.read(name)
            if name.endswith(part):
                content = content[:100] + b"\xff<<" + content[100:]
            out.writestr(name, content)
    return target


@pytest.mark.parametrize("part", ["sheet1.xml", "sheet2.xml"])
def test_an_information_form_with_a_broken_sheet_is_an_input_error(runner, tmp_path, part):
    form = tmp_path / "form.xlsx"
    assert runner.invoke(main, ["init", "--xlsx", "市测试局", "-o", str(form)]).exit_code == 0
    bad = broken(form, tmp_path / "bad.xlsx", part)
    result = runner.invoke(main, ["import", str(bad), "-o", str(tmp_path / "out.yaml")])
    assert result.exit_code == 2 and isinstance(result.exception, SystemExit), result.output
    assert "XLSX" in result.stderr


@pytest.mark.parametrize("part", ["styles.xml", "workbook.xml", "sheet1.xml"])
def test_a_returned_ledger_with_broken_xml_is_refused_whole(runner, tmp_path, part):
    db = str(tmp_path / "台账.sqlite")
    runner.invoke(main, ["ledger", "sync", str(FIXTURES / "02-shi-shuiliju.yaml"), "--as-of", "2025-11-20", "--db", db])
    export = tmp_path / "台账.xlsx"
    assert runner.invoke(main, ["ledger", "export", "-o", str(export), "--db", db]).exit_code == 0
    bad = broken(export, tmp_path / "bad.xlsx", part)
    result = runner.invoke(main, ["ledger", "import", str(bad), "--dry-run", "--db", db])
    assert result.exit_code == 2 and isinstance(result.exception, SystemExit), result.output
    assert "不是有效的 .xlsx 文件" in result.stderr
