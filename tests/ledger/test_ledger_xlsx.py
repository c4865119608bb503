"""The 整改台账 as Excel: export for units, and the validated import of what they filled in."""

from __future__ import annotations

from pathlib import Path

import openpyxl
import pytest
from test_ledger_helpers import db, finding, items_by_key, run, show, write_results  # noqa: F401

from compliance.ledger.xlsx import HEADER_ROW, HEADERS, SHEET

OFFICE_COLUMNS = ["序号", "单位", "问题", "严重程度", "整改措施", "责任领导", "责任人", "整改时限", "整改进展", "完成情况",
                  "销号时间", "备注"]


@pytest.fixture
def ledger_db(runner, db, tmp_path):
    doc = write_results(tmp_path / "r.json", "2025-11-20", [
        finding("U1", "B2", deadline_days=10), finding("U1", "G1", subject="工会"), finding("U2", "D3"),
    ])
    assert run(runner, "ledger", "sync", doc, "--db", db).exit_code == 0
    return db


def export(runner, db: str, path: Path, *args: str) -> Path:
    result = run(runner, "ledger", "export", "--format", "xlsx", "-o", str(path), "--db", db, *args)
    assert result.exit_code == 0, result.output
    return path


def column(ws, header: str) -> str:
    return next(c.column_letter for c in ws[HEADER_ROW] if c.value == header)


def row_of(ws, item_id: int) -> int:
    id_col = column(ws, "事项编号")
    return next(r for r in range(HEADER_ROW + 1, ws.max_row + 1) if ws[f"{id_col}{r}"].value == item_id)


def edit(path: Path, item_id: int, out: Path, **cells: object) -> Path:
    wb = openpyxl.load_workbook(path)
    ws = wb[SHEET]
    row = row_of(ws, item_id)
    for header, value in cells.items():
        ws[f"{column(ws, header)}{row}"] = value
    wb.save(out)
    return out


def test_export_has_the_columns_offices_keep_a_title_row_and_hidden_locked_technical_columns(runner, ledger_db, tmp_path):
    path = export(runner, ledger_db, tmp_path / "台账.xlsx", "--as-of", "2025-12-15")
    ws = openpyxl.load_workbook(path)[SHEET]
    headers = [c.value for c in ws[HEADER_ROW]]
    assert headers[:len(OFFICE_COLUMNS)] == OFFICE_COLUMNS and headers == HEADERS
    assert ws["A1"].value == "整改台账" and "A1:L1" in {str(r) for r in ws.merged_cells.ranges}
    assert ws["A2"].value == "单位：2个单位　　导出日期：2025年12月15日　　共3项"
    assert ws.max_row == HEADER_ROW + 3
    assert ws.freeze_panes == f"A{HEADER_ROW + 1}" and ws.auto_filter.ref == f"A{HEADER_ROW}:L{HEADER_ROW + 3}"
    status_col = column(ws, "完成情况")
    [validation] = ws.data_validations.dataValidation
    assert validation.type == "list" and "已整改待验收" in validation.formula1
    assert str(validation.sqref) == f"{status_col}{HEADER_ROW + 1}:{status_col}{HEADER_ROW + 3}"
    for hidden in ("事项编号", "版本", "导出校验"):
        assert ws.column_dimensions[column(ws, hidden)].hidden
        assert ws[f"{column(ws, hidden)}{HEADER_ROW + 1}"].protection.locked
    assert ws.protection.sheet
    for header in ("整改措施", "责任领导", "责任人", "整改进展", "完成情况", "备注"):
        assert not ws[f"{column(ws, header)}{HEADER_ROW + 1}"].protection.locked, header
    for header in ("单位", "问题", "严重程度", "整改时限", "销号时间"):
        assert ws[f"{column(ws, header)}{HEADER_ROW + 1}"].protection.locked, header
    assert ws[f"{column(ws, '严重程度')}{HEADER_ROW + 1}"].value == "一般"


def test_export_is_print_ready_landscape_a4_fit_to_width_with_the_header_repeated_and_borders(runner, ledger_db,
                                                                                              tmp_path):
    ws = openpyxl.load_workbook(export(runner, ledger_db, tmp_path / "台账.xlsx"))[SHEET]
    setup = ws.page_setup
    assert (setup.orientation, int(setup.paperSize), setup.fitToWidth, setup.fitToHeight) == ("landscape", 9, 1, 0)
    assert ws.sheet_properties.pageSetUpPr.fitToPage
    assert ws.print_title_rows == f"${HEADER_ROW}:${HEADER_ROW}"
    assert "第&P页 共&N页" in ws.oddFooter.center.text
    assert str(ws.print_area).endswith(f"$A$1:$L${HEADER_ROW + 3}")
    cell = ws[f"{column(ws, '问题')}{HEADER_ROW + 1}"]
    assert cell.alignment.wrap_text and cell.border.left.style == "thin" and cell.border.bottom.style == "thin"
    assert ws[f"{column(ws, '整改时限')}{HEADER_ROW + 1}"].number_format == 'yyyy"年"m"月"d"日"'
    widths = {h: ws.column_dimensions[column(ws, h)].width for h in OFFICE_COLUMNS}
    assert widths["问题"] >= 30 and widths["整改措施"] >= 30 and widths["序号"] <= 6
    assert widths["整改时限"] >= 13, "a Chinese date fits without ####"


def test_export_neutralises_formula_like_text(runner, ledger_db, tmp_path):
    run(runner, "ledger", "update", "U1/B2", "--measure", "=HYPERLINK(\"http://x\")", "--progress", "-已完成一半",
        "--db", ledger_db)
    path = export(runner, ledger_db, tmp_path / "台账.xlsx")
    ws = openpyxl.load_workbook(path)[SHEET]
    row = row_of(ws, show(runner, ledger_db, "U1/B2")["id"])
    cell = ws[f"{column(ws, '整改措施')}{row}"]
    assert cell.value == "'=HYPERLINK(\"http://x\")" and cell.data_type == "s"
    assert ws[f"{column(ws, '整改进展')}{row}"].value == "'-已完成一半"
    result = run(runner, "ledger", "import", str(path), "--db", ledger_db)
    assert "台账无需更新" in result.output, "neutralised text reads back as the original"


def test_export_refuses_to_overwrite_without_force(runner, ledger_db, tmp_path):
    path = tmp_path / "台账.xlsx"
    path.write_text("unit's own file", encoding="utf-8")
    result = run(runner, "ledger", "export", "-o", str(path), "--db", ledger_db)
    assert result.exit_code == 2 and "--force" in result.output
    assert path.read_text(encoding="utf-8") == "unit's own file"
    assert run(runner, "ledger", "export", "-o", str(path), "--db", ledger_db, "--force").exit_code == 0
    assert openpyxl.load_workbook(path)[SHEET].max_row == HEADER_ROW + 3


def test_export_for_one_unit_contains_only_its_items(runner, ledger_db, tmp_path):
    ws = openpyxl.load_workbook(export(runner, ledger_db, tmp_path / "U2.xlsx", "--unit", "U2"))[SHEET]
    assert [row[1] for row in ws.iter_rows(min_row=HEADER_ROW + 1, values_only=True)] == ["单位U2"]
    assert ws["A2"].value.startswith("单位：单位U2")


def test_import_shows_the_changes_with_dry_run_and_applies_them_with_history(runner, ledger_db, tmp_path):
    item_id = show(runner, ledger_db, "U1/B2")["id"]
    exported = export(runner, ledger_db, tmp_path / "台账.xlsx")
    filled = edit(exported, item_id, tmp_path / "填报.xlsx", 整改进展="已召开工会会员大会", 责任人="李红梅",
                  备注="会议纪要已存档", 完成情况="已整改待验收")
    dry = run(runner, "ledger", "import", str(filled), "--dry-run", "--db", ledger_db)
    assert dry.exit_code == 0, dry.output
    assert "已召开工会会员大会" in dry.output and "--dry-run：未写入台账" in dry.output
    assert show(runner, ledger_db, item_id)["progress"] == ""
    result = run(runner, "ledger", "import", str(filled), "--by", "市水利局工会", "--db", ledger_db)
    assert result.exit_code == 0, result.output
    item = show(runner, ledger_db, item_id)
    assert (item["progress"], item["person"], item["remarks"], item["status"]) == (
        "已召开工会会员大会", "李红梅", "会议纪要已存档", "已整改待验收")
    imported = [h for h in item["history"] if h["by"] == "市水利局工会"]
    assert {h["field"] for h in imported} == {"progress", "person", "remarks", "status"}
    assert all("填报.xlsx" in h["reason"] for h in imported)
    again = run(runner, "ledger", "import", str(filled), "--db", ledger_db)
    assert again.exit_code == 0 and "台账无需更新" in again.output, "importing the same file twice changes nothing"
    assert len(show(runner, ledger_db, item_id)["history"]) == len(item["history"])


def test_import_refuses_edits_to_inspector_columns_naming_sheet_and_cell(runner, ledger_db, tmp_path):
    item_id = show(runner, ledger_db, "U2/D3")["id"]
    exported = export(runner, ledger_db, tmp_path / "台账.xlsx")
    filled = edit(exported, item_id, tmp_path / "填报.xlsx", 问题="问题已不存在", 整改时限="2027-01-01",
                  整改进展="已开户")
    ws = openpyxl.load_workbook(filled)[SHEET]
    row = row_of(ws, item_id)
    result = run(runner, "ledger", "import", str(filled), "--db", ledger_db)
    assert result.exit_code == 2
    assert f"工作表「整改台账」单元格 {column(ws, '问题')}{row}（问题）：该列由督查方维护" in result.output
    assert f"{column(ws, '整改时限')}{row}（整改时限）" in result.output
    assert "未导入任何修改" in result.output
    assert show(runner, ledger_db, item_id)["progress"] == ""


def test_import_never_evaluates_formulas(runner, ledger_db, tmp_path):
    item_id = show(runner, ledger_db, "U2/D3")["id"]
    exported = export(runner, ledger_db, tmp_path / "台账.xlsx")
    filled = edit(exported, item_id, tmp_path / "填报.xlsx", 整改进展="=1+1", 备注="正常备注")
    result = run(runner, "ledger", "import", str(filled), "--db", ledger_db)
    assert result.exit_code == 2
    assert "（整改进展） 是公式（=1+1），导入时不计算公式" in result.output
    item = show(runner, ledger_db, item_id)
    assert (item["progress"], item["remarks"]) == ("", "")


def test_import_refuses_statuses_only_the_inspector_may_set(runner, ledger_db, tmp_path):
    item_id = show(runner, ledger_db, "U1/B2")["id"]
    exported = export(runner, ledger_db, tmp_path / "台账.xlsx")
    for status, message in [("已销号", "须由督查方确认"), ("逾期", "不是有效的完成情况")]:
        filled = edit(exported, item_id, tmp_path / f"{status}.xlsx", 完成情况=status)
        result = run(runner, "ledger", "import", str(filled), "--db", ledger_db)
        assert result.exit_code == 2 and message in result.output
    assert show(runner, ledger_db, item_id)["status"] == "新增"


def test_import_refuses_new_rows_and_files_that_are_not_workbooks(runner, ledger_db, tmp_path):
    exported = export(runner, ledger_db, tmp_path / "台账.xlsx")
    wb = openpyxl.load_workbook(exported)
    wb[SHEET].append([9, "新单位", "", "单位自己加的问题"])
    wb.save(tmp_path / "加行.xlsx")
    result = run(runner, "ledger", "import", str(tmp_path / "加行.xlsx"), "--db", ledger_db)
    assert result.exit_code == 2 and f"第{HEADER_ROW + 4}行没有有效的事项编号" in result.output
    fake = tmp_path / "假.xlsx"
    fake.write_bytes(b"PK\x03\x04 not really a zip")
    result = run(runner, "ledger", "import", str(fake), "--db", ledger_db)
    assert result.exit_code == 2 and "不是有效的 .xlsx 文件" in result.output and "Traceback" not in result.output


