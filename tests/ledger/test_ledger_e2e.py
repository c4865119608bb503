"""The issue's "done when": check → sync → export → fill in → import → fix a profile → re-check → sync."""

from __future__ import annotations

import datetime as dt
import shutil

import openpyxl
from conftest import AS_OF, FIXTURES
from test_ledger_helpers import db, items_by_key, run, show  # noqa: F401

from compliance.ledger.xlsx import HEADER_ROW, SHEET



def test_a_unit_fixes_its_problem_and_the_item_moves_to_acceptance_then_closed(runner, db, tmp_path, pack):
    results = tmp_path / "结果.json"
    checked = run(runner, "check", str(FIXTURES), "--as-of", "2025-11-20", "--format", "json", "-o", str(results))
    assert checked.exit_code in (0, 1), checked.output
    assert run(runner, "ledger", "sync", str(results), "--db", db, "--by", "督查组").exit_code == 0
    key = "SZ-014/D3"
    item = items_by_key(runner, db)[key]
    rule = pack.rule("D3").rule
    assert item["status"] == "新增" and item["person"] == rule.owner
    assert item["deadline"] == (AS_OF + dt.timedelta(days=rule.deadline_days)).isoformat()

    xlsx = tmp_path / "整改台账.xlsx"
    assert run(runner, "ledger", "export", "--format", "xlsx", "-o", str(xlsx), "--db", db).exit_code == 0
    wb = openpyxl.load_workbook(xlsx)
    ws = wb[SHEET]
    headers = {c.value: c.column_letter for c in ws[HEADER_ROW]}
    row = next(r for r in range(HEADER_ROW + 1, ws.max_row + 1) if ws[f"{headers['事项编号']}{r}"].value == item["id"])
    ws[f"{headers['整改进展']}{row}"] = "已向开户银行提交工会独立账户申请材料"
    ws[f"{headers['责任人']}{row}"] = "工会主席 李明"
    ws[f"{headers['完成情况']}{row}"] = "整改中"
    wb.save(xlsx)
    assert "整改中" in run(runner, "ledger", "import", str(xlsx), "--dry-run", "--db", db).output
    imported = run(runner, "ledger", "import", str(xlsx), "--db", db, "--by", "市水利局")
    assert imported.exit_code == 0, imported.output
    assert show(runner, db, item["id"])["status"] == "整改中"

    profiles = tmp_path / "档案"
    shutil.copytree(FIXTURES, profiles)
    profile = profiles / "02-shi-shuiliju.yaml"
    text = profile.read_text(encoding="utf-8")
    assert "independent_account: false" in text
    profile.write_text(text.replace("independent_account: false", "independent_account: true"), encoding="utf-8")
    before = items_by_key(runner, db)
    recheck = tmp_path / "复查.json"
    run(runner, "check", str(profiles), "--as-of", "2025-12-20", "--format", "json", "-o", str(recheck))
    synced = run(runner, "ledger", "sync", str(recheck), "--db", db, "--by", "督查组")
    assert synced.exit_code == 0, synced.output

    items = items_by_key(runner, db)
    assert items[key]["status"] == "已整改待验收"
    assert {k: items[k]["status"] for k in before if k != key} == {k: i["status"] for k, i in before.items() if k != key}, \
        "the problems that were not fixed stay open"
    closed = run(runner, "ledger", "update", str(item["id"]), "--status", "已销号", "--on", "2025-12-22",
                 "--reason", "复查符合，验收通过", "--by", "督查组", "--db", db)
    assert closed.exit_code == 0, closed.output
    final = show(runner, db, item["id"])
    statuses = [(h["old"], h["new"], h["by"]) for h in final["history"] if h["field"] == "status"]
    assert statuses == [(None, "新增", "督查组"), ("新增", "整改中", "市水利局"), ("整改中", "已整改待验收", "督查组"),
                        ("已整改待验收", "已销号", "督查组")]
    assert (final["closed_on"], final["progress"], final["person"]) == (
        "2025-12-22", "已向开户银行提交工会独立账户申请材料", "工会主席 李明")
    shown = run(runner, "ledger", "show", str(item["id"]), "--db", db)
    assert "变更历史（" in shown.output and "复查符合，验收通过" in shown.output
