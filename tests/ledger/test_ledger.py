"""整改台账: store, stable identity, lifecycle, sync, working commands, migrations and bad databases."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest
from conftest import FIXTURES
from test_ledger_helpers import db, finding, items_by_key, ledger_json, run, show, write_results  # noqa: F401

from compliance.ledger.models import Base
from compliance.ledger.store import VERSION_TABLE, Ledger, head_revision, migrate, resolve_db


# --- sync: adding problems ------------------------------------------------------------------

def test_a_failing_finding_becomes_a_new_item_with_the_rules_deadline_owner_measure_and_basis(runner, db, tmp_path):
    doc = write_results(tmp_path / "r.json", "2025-11-20", [
        finding("U1", "B2", deadline_days=90, owner="工会主席", measure="建立经费审查委员会", basis="工会法第四十五条"),
        finding("U1", "A1", state="pass"),
        finding("U1", "C1", state="not_applicable"),
    ])
    result = run(runner, "ledger", "sync", doc, "--db", db, "--by", "督查组")
    assert result.exit_code == 0, result.output
    assert "新增问题1项" in result.output
    items = items_by_key(runner, db)
    assert list(items) == ["U1/B2"]
    item = items["U1/B2"]
    assert item["status"] == "新增"
    assert item["deadline"] == "2026-02-18"
    assert item["person"] == item["owner_role"] == "工会主席"
    assert item["measure"] == "建立经费审查委员会" and item["basis"] == "工会法第四十五条"
    assert (item["category"], item["rule_title"]) == ("组织建设", "规则B2标题")
    history = show(runner, db, item["id"])["history"]
    assert [(h["by"], h["field"], h["old"], h["new"]) for h in history] == [("督查组", "status", None, "新增")]
    assert "2025年11月20日" in history[0]["reason"]


def test_rewording_a_rules_message_finds_the_same_item(runner, db, tmp_path):
    run(runner, "ledger", "sync", write_results(tmp_path / "a.json", "2025-11-20",
                                                [finding("U1", "C1", subject="工会", message="逾期 520 天未换届")]), "--db", db)
    again = write_results(tmp_path / "b.json", "2025-12-01",
                          [finding("U1", "C1", subject="工会", message="工会任期已届满，逾期 531 天未换届（新措辞）")])
    result = run(runner, "ledger", "sync", again, "--db", db)
    assert "新增问题0项" in result.output and "仍未整改1项" in result.output
    items = ledger_json(runner, db)["items"]
    assert len(items) == 1
    assert items[0]["description"] == "逾期 520 天未换届"
    assert items[0]["last_message"].endswith("（新措辞）")


def test_unknown_findings_are_not_problems_and_never_resolve_an_item(runner, db, tmp_path):
    first = write_results(tmp_path / "a.json", "2025-11-20", [finding("U1", "A1"), finding("U1", "A2", state="unknown")])
    result = run(runner, "ledger", "sync", first, "--db", db)
    assert "待核实1项" in result.output
    assert list(items_by_key(runner, db)) == ["U1/A1"]
    second = write_results(tmp_path / "b.json", "2025-12-20", [finding("U1", "A1", state="unknown")])
    run(runner, "ledger", "sync", second, "--db", db)
    item = items_by_key(runner, db)["U1/A1"]
    assert item["status"] == "新增"
    assert (item["last_result_zh"], item["last_checked"]) == ("待核实", "2025-12-20")


def test_a_waived_finding_is_recorded_as_waived(runner, db, tmp_path):
    waiver = {"rule": "B5", "document": "工委批复〔2025〕7号", "expires": "2026-06-30"}
    doc = write_results(tmp_path / "r.json", "2025-11-20", [finding("U1", "B5", state="waived", waiver=waiver)])
    run(runner, "ledger", "sync", doc, "--db", db)
    item = items_by_key(runner, db)["U1/B5"]
    assert item["status"] == "豁免" and not item["overdue"]
    assert "工委批复〔2025〕7号" in show(runner, db, item["id"])["history"][0]["reason"]


def test_min_severity_leaves_reminders_out_of_the_ledger(runner, db, tmp_path):
    doc = write_results(tmp_path / "r.json", "2025-11-20", [
        finding("U1", "C4", severity="提示", subject="党组织"), finding("U1", "B2", severity="严重")])
    result = run(runner, "ledger", "sync", doc, "--db", db, "--min-severity", "一般")
    assert result.exit_code == 0, result.output
    assert list(items_by_key(runner, db)) == ["U1/B2"]


# --- sync: the closed loop ------------------------------------------------------------------

def test_a_problem_no_longer_found_awaits_acceptance_and_a_clean_recheck_allows_closing(runner, db, tmp_path):
    run(runner, "ledger", "sync", write_results(tmp_path / "a.json", "2025-11-20", [finding("U1", "D3")]), "--db", db)
    clean = write_results(tmp_path / "b.json", "2025-12-20", [finding("U1", "D3", state="pass")])
    result = run(runner, "ledger", "sync", clean, "--db", db)
    assert "转待验收1项" in result.output
    item = items_by_key(runner, db)["U1/D3"]
    assert item["status"] == "已整改待验收" and item["closed_on"] is None
    result = run(runner, "ledger", "update", str(item["id"]), "--status", "已销号", "--on", "2025-12-22", "--db", db)
    assert result.exit_code == 0, result.output
    item = items_by_key(runner, db)["U1/D3"]
    assert (item["status"], item["closed_on"]) == ("已销号", "2025-12-22")


def test_with_close_on_clean_a_clean_recheck_closes_the_item_directly(runner, db, tmp_path):
    run(runner, "ledger", "sync", write_results(tmp_path / "a.json", "2025-11-20", [finding("U1", "D3")]), "--db", db)
    clean = write_results(tmp_path / "b.json", "2025-12-20", [finding("U1", "D3", state="pass")])
    result = run(runner, "ledger", "sync", clean, "--db", db, "--close-on-clean")
    assert "销号1项" in result.output
    item = items_by_key(runner, db)["U1/D3"]
    assert (item["status"], item["closed_on"]) == ("已销号", "2025-12-20")


def test_a_problem_whose_subject_disappeared_is_treated_as_fixed_but_other_units_are_untouched(runner, db, tmp_path):
    doc = write_results(tmp_path / "a.json", "2025-11-20", [finding("U1", "C1", subject="工会"), finding("U2", "C1")])
    run(runner, "ledger", "sync", doc, "--db", db)
    only_u1 = write_results(tmp_path / "b.json", "2025-12-20", [finding("U1", "C1", state="pass", subject="妇委会")])
    run(runner, "ledger", "sync", only_u1, "--db", db)
    items = items_by_key(runner, db)
    assert items["U1/C1/工会"]["status"] == "已整改待验收"
    assert items["U2/C1"]["status"] == "新增"


def test_a_closed_problem_found_again_is_reopened_and_counted_as_a_rebound(runner, db, tmp_path):
    run(runner, "ledger", "sync", write_results(tmp_path / "a.json", "2025-03-01", [finding("U1", "D3")]), "--db", db)
    run(runner, "ledger", "sync", write_results(tmp_path / "b.json", "2025-06-01", [finding("U1", "D3", state="pass")]),
        "--db", db, "--close-on-clean")
    result = run(runner, "ledger", "sync", write_results(tmp_path / "c.json", "2025-11-20", [finding("U1", "D3")]),
                 "--db", db)
    assert "反弹1项" in result.output
    item = items_by_key(runner, db)["U1/D3"]
    assert (item["status"], item["rebound_count"], item["closed_on"]) == ("整改中", 1, None)
    assert item["deadline"] == "2025-12-20"
    fields = [(h["field"], h["new"]) for h in show(runner, db, item["id"])["history"]]
    assert ("status", "已销号") in fields and fields[-4:] == [
        ("status", "整改中"), ("closed_on", None), ("rebound_count", "1"), ("deadline", "2025-12-20")]
    stats = json.loads(run(runner, "ledger", "stats", "--db", db, "--format", "json").stdout)
    assert (stats["rebounds"], stats["rebound_items"]) == (1, 1)


def test_an_item_marked_fixed_that_still_fails_the_recheck_goes_back_to_work(runner, db, tmp_path):
    run(runner, "ledger", "sync", write_results(tmp_path / "a.json", "2025-11-20", [finding("U1", "D3")]), "--db", db)
    run(runner, "ledger", "update", "U1/D3", "--status", "已整改待验收", "--db", db)
    result = run(runner, "ledger", "sync", write_results(tmp_path / "b.json", "2025-12-20", [finding("U1", "D3")]),
                 "--db", db)
    assert "退回整改1项" in result.output
    assert items_by_key(runner, db)["U1/D3"]["status"] == "整改中"


def test_sync_checks_profiles_directly_and_a_broken_profile_leaves_its_unit_alone(runner, db, tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text("unit: [不是映射\n", encoding="utf-8")
    result = run(runner, "ledger", "sync", str(FIXTURES), str(bad), "--as-of", "2025-11-20", "--db", db)
    assert result.exit_code == 2
    assert "bad.yaml" in result.output and "Traceback" not in result.output
    units = {i["unit_id"] for i in ledger_json(runner, db)["items"]}
    assert {"SZ-014"} <= units


def test_a_malformed_results_file_is_a_located_chinese_error(runner, db, tmp_path):
    doc = tmp_path / "r.json"
    doc.write_text(json.dumps({"tool": "compliance", "as_of": "2025-11-20", "findings": [{"unit_id": "U1"}]}),
                   encoding="utf-8")
    result = run(runner, "ledger", "sync", str(doc), "--db", db)
    assert result.exit_code == 2
    assert "r.json" in result.output and "rule_id" in result.output and "Traceback" not in result.output


# --- working with the ledger ----------------------------------------------------------------

@pytest.fixture
def two_units(runner, db, tmp_path):
    doc = write_results(tmp_path / "r.json", "2025-11-20", [
        finding("U1", "B2", deadline_days=10, category="组织建设", owner="工会主席"),
        finding("U1", "G1", deadline_days=90, category="活动开展", owner="群团组织负责人"),
        finding("U2", "B2", deadline_days=10, category="组织建设", owner="工会主席"),
    ])
    assert run(runner, "ledger", "sync", doc, "--db", db).exit_code == 0
    return db


def test_list_filters_by_unit_status_overdue_category_and_owner(runner, two_units):
    db = two_units
    run(runner, "ledger", "update", "U2/B2", "--status", "整改中", "--person", "李红梅", "--db", db)
    keys = lambda *a: sorted(items_by_key(runner, db, "--as-of", "2025-12-15", *a))  # noqa: E731
    assert keys("--unit", "U1") == ["U1/B2", "U1/G1"]
    assert keys("--unit", "单位U2") == ["U2/B2"]
    assert keys("--status", "整改中") == ["U2/B2"]
    assert keys("--overdue") == ["U1/B2", "U2/B2"]
    assert keys("--category", "活动") == ["U1/G1"]
    assert keys("--owner", "李红梅") == ["U2/B2"]
    table = run(runner, "ledger", "list", "--db", db, "--as-of", "2025-12-15")
    assert "逾期 15 天" in table.output and "共3项（逾期2项" in table.output
    csv_text = run(runner, "ledger", "list", "--db", db, "--format", "csv").stdout
    assert csv_text.splitlines()[0].startswith("序号,单位,问题来源/类别,严重程度,问题描述,依据条款,整改措施")


def test_update_records_every_field_change_with_who_and_why(runner, two_units):
    db = two_units
    result = run(runner, "ledger", "update", "U1/B2", "--leader", "张局长", "--department", "机关党委",
                 "--progress", "已起草方案", "--deadline", "2026-01-31", "--status", "整改中",
                 "--reason", "督查组约谈", "--by", "王督查", "--db", db)
    assert result.exit_code == 0, result.output
    item = show(runner, db, "U1/B2")
    assert (item["leader"], item["department"], item["progress"], item["deadline"], item["status"]) == (
        "张局长", "机关党委", "已起草方案", "2026-01-31", "整改中")
    changed = {h["field"]: (h["old"], h["new"], h["by"], h["reason"]) for h in item["history"][1:]}
    assert changed["deadline"] == ("2025-11-30", "2026-01-31", "王督查", "督查组约谈")
    assert changed["status"] == ("新增", "整改中", "王督查", "督查组约谈")
    assert set(changed) == {"leader", "department", "progress", "deadline", "status"}


@pytest.mark.parametrize("start, target, expected", [
    ("新增", "已销号", "不能直接销号"),
    ("整改中", "新增", "不能从「整改中」改为「新增」"),
    ("新增", "豁免", "waivers"),
    ("已整改待验收", "已销号", "不能销号"),
])
def test_illegal_status_changes_are_refused_in_chinese(runner, two_units, start, target, expected):
    db = two_units
    if start != "新增":
        for step in ("整改中", "已整改待验收")[: ("整改中", "已整改待验收").index(start) + 1]:
            assert run(runner, "ledger", "update", "U1/B2", "--status", step, "--db", db).exit_code == 0
    result = run(runner, "ledger", "update", "U1/B2", "--status", target, "--db", db)
    assert result.exit_code == 2
    assert expected in result.output and "Traceback" not in result.output
    assert show(runner, db, "U1/B2")["status"] == start


def test_stats_counts_by_status_and_unit_with_overdue(runner, two_units):
    db = two_units
    run(runner, "ledger", "update", "U1/G1", "--status", "整改中", "--db", db)
    data = json.loads(run(runner, "ledger", "stats", "--db", db, "--format", "json", "--as-of", "2025-12-15").stdout)
    assert data["total"] == 3 and data["overdue"] == 2
    assert data["by_status"]["新增"] == 2 and data["by_status"]["整改中"] == 1
    per_unit = {u["unit_id"]: (u["total"], u["逾期"]) for u in data["units"]}
    assert per_unit == {"U1": (2, 1), "U2": (1, 1)}
    assert "共3项，逾期2项" in run(runner, "ledger", "stats", "--db", db, "--as-of", "2025-12-15").output


def test_show_of_an_unknown_item_is_a_chinese_error(runner, two_units):
    result = run(runner, "ledger", "show", "999", "--db", two_units)
    assert result.exit_code == 2 and "没有事项「999」" in result.output


# --- the database: location, migrations, bad files ------------------------------------------

def test_the_db_defaults_to_the_env_var_then_ledger_sqlite_in_the_cwd(monkeypatch, tmp_path):
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("COMPLIANCE_DB", raising=False)
    assert resolve_db(None) == f"sqlite:///{tmp_path / 'ledger.sqlite'}"
    monkeypatch.setenv("COMPLIANCE_DB", "postgresql://u@h:5432/d")
    assert resolve_db(None) == "postgresql+psycopg://u@h:5432/d"
    assert resolve_db("x.sqlite") == f"sqlite:///{tmp_path / 'x.sqlite'}"


def test_a_ledger_of_the_first_schema_version_opens_in_the_current_version(runner, db):
    from sqlalchemy import create_engine, text

    url = resolve_db(db)
    engine = create_engine(url)
    with engine.begin() as conn:
        migrate(conn, "0001")
        conn.execute(text(
            "INSERT INTO ledger_items (unit_id, unit_name, rule_id, subject, category, rule_title, severity, description,"
            " basis, measure, owner_role, leader, person, deadline, progress, evidence, status, found_on, closed_on,"
            " rebound_count, last_result, last_checked, last_message, created_at, updated_at, version) VALUES"
            " ('U1', '老单位', 'B2', '', '组织建设', '标题', '严重', '旧问题', '依据', '措施', '工会主席', '', '', '2025-01-31',"
            " '', '', '整改中', '2025-01-01', NULL, 0, 'fail', '2025-01-01', '旧问题', '2025-01-01 00:00:00+00:00',"
            " '2025-01-01 00:00:00+00:00', 1)"))
    engine.dispose()
    result = run(runner, "ledger", "update", "U1/B2", "--department", "工会办公室", "--db", db)
    assert result.exit_code == 0, result.output
    item = show(runner, db, "U1/B2")
    assert (item["description"], item["department"], item["remarks"]) == ("旧问题", "工会办公室", "")
    with Ledger(db) as store, store.read() as session:
        assert session.execute(text(f"SELECT version_num FROM {VERSION_TABLE}")).scalar() == head_revision()


def test_the_models_match_the_migrated_schema(db):
    from alembic.autogenerate import compare_metadata
    from alembic.migration import MigrationContext

    with Ledger(db, create=True) as store, store.engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn, opts={"version_table": VERSION_TABLE}), Base.metadata)
    assert diff == []


def test_migrations_ship_inside_the_package():
    import importlib.resources

    root = importlib.resources.files("compliance.ledger") / "migrations"
    assert (root / "env.py").is_file()
    assert sorted(p.name for p in (root / "versions").iterdir() if p.name.endswith(".py"))[:2] == [
        "0001_initial.py", "0002_department_remarks.py"]


def test_a_corrupt_ledger_file_is_a_clear_error_and_is_left_unchanged(runner, tmp_path):
    path = tmp_path / "ledger.sqlite"
    junk = bytes(range(256)) * 40
    path.write_bytes(junk)
    for args in (["list"], ["sync", str(FIXTURES), "--as-of", "2025-11-20"]):
        result = run(runner, "ledger", *args, "--db", str(path))
        assert result.exit_code == 2
        assert "不是 SQLite 数据库文件" in result.output and "Traceback" not in result.output
    assert path.read_bytes() == junk


def test_a_truncated_sqlite_file_is_a_clear_error(runner, tmp_path):
    path = tmp_path / "ledger.sqlite"
    run(runner, "ledger", "sync", str(FIXTURES), "--as-of", "2025-11-20", "--db", str(path))
    path.write_bytes(path.read_bytes()[:200])
    result = run(runner, "ledger", "list", "--db", str(path))
    assert result.exit_code == 2
    assert "无法打开台账" in result.output and "Traceback" not in result.output


def test_the_database_of_another_application_is_refused_untouched(runner, tmp_path):
    path = tmp_path / "other.db"
    with sqlite3.connect(path) as conn:
        conn.execute("CREATE TABLE customers (id INTEGER PRIMARY KEY, name TEXT)")
    result = run(runner, "ledger", "sync", str(FIXTURES), "--as-of", "2025-11-20", "--db", str(path))
    assert result.exit_code == 2
    assert "不是本工具的整改台账" in result.output and "customers" in result.output
    with sqlite3.connect(path) as conn:
        tables = [r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")]
    assert tables == ["customers"]


def test_a_ledger_from_a_newer_version_is_refused(runner, tmp_path):
    path = tmp_path / "ledger.sqlite"
    Ledger(str(path), create=True).close()
    with sqlite3.connect(path) as conn:
        conn.execute(f"UPDATE {VERSION_TABLE} SET version_num = '9999'")
    result = run(runner, "ledger", "list", "--db", str(path))
    assert result.exit_code == 2 and "更新版本" in result.output


def test_reading_a_ledger_that_does_not_exist_does_not_create_it(runner, db):
    for args in (["list"], ["show", "1"], ["stats"]):
        result = run(runner, "ledger", *args, "--db", db)
        assert result.exit_code == 2
        assert "请先用 compliance ledger sync 建立台账" in result.output
    assert not Path(db).exists()
    assert run(runner, "ledger", "sync", str(FIXTURES), "--as-of", "2025-11-20", "--db", db).exit_code == 0
    assert run(runner, "ledger", "stats", "--db", db).exit_code == 0


def test_an_unreachable_postgresql_server_is_a_clear_error(runner):
    result = run(runner, "ledger", "list", "--db", "postgresql://nobody:secret@127.0.0.1:1/none")
    assert result.exit_code == 2
    assert "无法连接数据库服务器" in result.output and "secret" not in result.output


def test_results_written_as_json_lines_are_refused_with_what_to_do(runner, db, tmp_path):
    lines = tmp_path / "结果.jsonl"
    run(runner, "check", str(FIXTURES / "02-shi-shuiliju.yaml"), "--as-of", "2025-11-20", "--format", "jsonl",
        "-o", str(lines))
    result = run(runner, "ledger", "sync", str(lines), "--db", db)
    assert result.exit_code == 2 and "JSON Lines格式的检查结果" in result.output and "--format json" in result.output
    assert result.output.count("\n") < 5, "one error, not one per field of every record"
