"""A returned 整改台账 is compared cell by cell with what it was exported with, not with the ledger's version."""

from __future__ import annotations

import openpyxl
from test_ledger_helpers import db, finding, run, show, write_results  # noqa: F401
from test_ledger_xlsx import column, edit, export, ledger_db, row_of  # noqa: F401

from compliance.ledger.store import Ledger
from compliance.ledger.lifecycle import get_item
from compliance.ledger.xlsx import HEADER_ROW, SHEET


def resync(runner, db, tmp_path) -> None:
    """The inspector re-checks: U1/B2 is fixed (→ 已整改待验收), U1/G1 still fails, U2/D3 is fixed."""
    doc = write_results(tmp_path / "复查.json", "2025-12-20", [
        finding("U1", "B2", state="pass"), finding("U1", "G1", subject="工会"), finding("U2", "D3", state="pass"),
    ])
    assert run(runner, "ledger", "sync", doc, "--db", db).exit_code == 0


def test_a_sheet_returned_after_the_inspector_resynced_is_accepted(runner, ledger_db, tmp_path):
    g1, d3 = show(runner, ledger_db, "U1/G1/工会")["id"], show(runner, ledger_db, "U2/D3")["id"]
    exported = export(runner, ledger_db, tmp_path / "台账.xlsx")
    resync(runner, ledger_db, tmp_path)
    assert show(runner, ledger_db, "U2/D3")["version"] == 2, "the ledger changed after the export"
    filled = edit(exported, g1, tmp_path / "填报1.xlsx", 整改进展="已召开工会委员会会议", 完成情况="整改中")
    filled = edit(filled, d3, tmp_path / "填报.xlsx", 整改进展="已开设独立账户", 责任人="财务科 王芳")
    result = run(runner, "ledger", "import", str(filled), "--db", ledger_db, "--by", "单位")
    assert result.exit_code == 0, result.output
    assert "导出后台账已变更" not in result.output and "冲突" not in result.output
    item = show(runner, ledger_db, d3)
    assert (item["progress"], item["person"], item["status"]) == ("已开设独立账户", "财务科 王芳", "已整改待验收"), \
        "the unit's cells are applied and the status the re-check set is kept (the unit did not touch it)"
    assert (show(runner, ledger_db, g1)["progress"], show(runner, ledger_db, g1)["status"]) == ("已召开工会委员会会议", "整改中")
    b2 = show(runner, ledger_db, "U1/B2")
    assert b2["status"] == "已整改待验收" and b2["progress"] == "", "a row the unit did not change is left as the ledger has it"


def test_a_cell_changed_both_in_the_sheet_and_in_the_ledger_is_reported_with_both_values_and_the_rest_applied(
        runner, ledger_db, tmp_path):
    b2, d3 = show(runner, ledger_db, "U1/B2")["id"], show(runner, ledger_db, "U2/D3")["id"]
    exported = export(runner, ledger_db, tmp_path / "台账.xlsx")
    run(runner, "ledger", "update", str(b2), "--progress", "督查组已记录进展", "--db", ledger_db)
    filled = edit(exported, b2, tmp_path / "填报1.xlsx", 整改进展="单位填写的进展", 备注="单位备注")
    filled = edit(filled, d3, tmp_path / "填报.xlsx", 整改进展="已开户")
    ws = openpyxl.load_workbook(filled)[SHEET]
    cell = f"{column(ws, '整改进展')}{row_of(ws, b2)}"
    dry = run(runner, "ledger", "import", str(filled), "--dry-run", "--db", ledger_db)
    assert dry.exit_code == 1 and f"整改台账!{cell}" in dry.output
    result = run(runner, "ledger", "import", str(filled), "--db", ledger_db)
    assert result.exit_code == 1
    assert f"整改台账!{cell}" in result.output and "台账中的值" in result.output and "表中的值" in result.output
    assert "督查组已记录进展" in result.output and "单位填写的进展" in result.output
    item = show(runner, ledger_db, b2)
    assert (item["progress"], item["remarks"]) == ("督查组已记录进展", ""), "nothing of a conflicting row is applied"
    assert show(runner, ledger_db, d3)["progress"] == "已开户", "the other rows are applied"


def test_the_same_change_on_both_sides_is_no_conflict(runner, ledger_db, tmp_path):
    b2 = show(runner, ledger_db, "U1/B2")["id"]
    exported = export(runner, ledger_db, tmp_path / "台账.xlsx")
    run(runner, "ledger", "update", str(b2), "--status", "整改中", "--db", ledger_db)
    filled = edit(exported, b2, tmp_path / "填报.xlsx", 完成情况="整改中", 整改进展="已起草方案")
    result = run(runner, "ledger", "import", str(filled), "--db", ledger_db)
    assert result.exit_code == 0, result.output
    assert (show(runner, ledger_db, b2)["status"], show(runner, ledger_db, b2)["progress"]) == ("整改中", "已起草方案")


def test_inspector_columns_changed_by_the_unit_are_refused_even_after_a_resync(runner, ledger_db, tmp_path):
    d3 = show(runner, ledger_db, "U2/D3")["id"]
    exported = export(runner, ledger_db, tmp_path / "台账.xlsx")
    resync(runner, ledger_db, tmp_path)
    filled = edit(exported, d3, tmp_path / "填报.xlsx", 问题="单位改写的问题", 整改进展="已开户")
    result = run(runner, "ledger", "import", str(filled), "--db", ledger_db)
    assert result.exit_code == 2 and "（问题）：该列由督查方维护" in result.output
    assert show(runner, ledger_db, d3)["progress"] == ""


def test_a_tampered_digest_column_refuses_the_file(runner, ledger_db, tmp_path):
    d3 = show(runner, ledger_db, "U2/D3")["id"]
    filled = edit(export(runner, ledger_db, tmp_path / "台账.xlsx"), d3, tmp_path / "填报.xlsx", 导出校验="1:00",
                  整改进展="已开户")
    result = run(runner, "ledger", "import", str(filled), "--db", ledger_db)
    assert result.exit_code == 2 and "（导出校验）已被改动" in result.output
    assert show(runner, ledger_db, d3)["progress"] == ""


def test_text_with_xml_illegal_characters_is_exported_clean_and_reads_back_as_unchanged(runner, ledger_db, tmp_path):
    with Ledger(ledger_db) as store, store.write() as session:
        item = get_item(session, "U1/B2")
        item.progress, item.unit_name = "进展\x07含控制字符", "单位\x1bU1"
    path = export(runner, ledger_db, tmp_path / "台账.xlsx")
    ws = openpyxl.load_workbook(path)[SHEET]
    row = row_of(ws, show(runner, ledger_db, "U1/B2")["id"])
    assert ws[f"{column(ws, '整改进展')}{row}"].value == "进展含控制字符"
    assert ws[f"{column(ws, '单位')}{row}"].value == "单位U1"
    result = run(runner, "ledger", "import", str(path), "--db", ledger_db)
    assert result.exit_code == 0 and "台账无需更新" in result.output


def test_per_unit_export_writes_one_file_per_unit_with_safe_names_and_never_overwrites(runner, ledger_db, tmp_path):
    with Ledger(ledger_db) as store, store.write() as session:
        get_item(session, "U2/D3").unit_name = "../市直/机关:工会"
    out = tmp_path / "各单位"
    result = run(runner, "ledger", "export", "--per-unit", str(out), "--db", ledger_db)
    assert result.exit_code == 0, result.output
    names = sorted(p.name for p in out.iterdir())
    assert names == ["U1-单位U1-整改台账.xlsx", "U2-_市直_机关_工会-整改台账.xlsx"]
    ws = openpyxl.load_workbook(out / names[0])[SHEET]
    assert ws["A2"].value.startswith("单位：单位U1") and ws.max_row == HEADER_ROW + 2
    (out / names[1]).write_bytes(b"the unit's own edits")
    again = run(runner, "ledger", "export", "--per-unit", str(out), "--db", ledger_db)
    assert again.exit_code == 2 and "--force" in again.output
    assert (out / names[1]).read_bytes() == b"the unit's own edits"
    assert run(runner, "ledger", "export", "--per-unit", str(out), "--db", ledger_db, "--force").exit_code == 0
    both = run(runner, "ledger", "export", "--per-unit", str(out), "-o", str(tmp_path / "x.xlsx"), "--db", ledger_db)
    assert both.exit_code == 3


def test_text_longer_than_its_column_is_refused_with_its_cell(runner, ledger_db, tmp_path):
    d3 = show(runner, ledger_db, "U2/D3")["id"]
    filled = edit(export(runner, ledger_db, tmp_path / "台账.xlsx"), d3, tmp_path / "填报.xlsx", 责任人="李" * 201)
    ws = openpyxl.load_workbook(filled)[SHEET]
    result = run(runner, "ledger", "import", str(filled), "--db", ledger_db)
    assert result.exit_code == 2
    assert f"单元格 {column(ws, '责任人')}{row_of(ws, d3)}（责任人）：「责任人」最多200个字，现为201个字" in result.output
    too_long = run(runner, "ledger", "update", str(d3), "--person", "李" * 201, "--db", ledger_db)
    assert too_long.exit_code == 2 and "最多200个字" in too_long.output
