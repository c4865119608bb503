"""Ledger integrity: one unit id per batch, and no lost updates when an item changed meanwhile."""

from __future__ import annotations

import shutil

from conftest import FIXTURES
from test_ledger_helpers import db, finding, items_by_key, run, show, write_results  # noqa: F401

from compliance.ledger.errors import LedgerError
from compliance.ledger.lifecycle import get_item, update_item
from compliance.ledger.store import Ledger


def test_sync_refuses_a_batch_where_two_profiles_carry_the_same_unit_id_naming_both_files(runner, db, tmp_path):
    first = write_results(tmp_path / "r.json", "2025-11-20", [finding("U1", "B2")])
    assert run(runner, "ledger", "sync", first, "--db", db).exit_code == 0
    before = items_by_key(runner, db)
    profiles = tmp_path / "档案"
    profiles.mkdir()
    shutil.copy(FIXTURES / "02-shi-shuiliju.yaml", profiles / "02-shi-shuiliju.yaml")
    shutil.copy(FIXTURES / "02-shi-shuiliju.yaml", profiles / "02-旧版.yaml")
    shutil.copy(FIXTURES / "03-shi-danganguan.yaml", profiles / "03-shi-danganguan.yaml")
    result = run(runner, "ledger", "sync", str(profiles), "--as-of", "2025-11-20", "--db", db)
    assert result.exit_code == 2
    assert "单位编号「SZ-014」重复" in result.output
    assert "02-shi-shuiliju.yaml" in result.output and "02-旧版.yaml" in result.output
    assert "整批未同步，台账未改动" in result.output
    assert items_by_key(runner, db) == before, "no unit of the batch was synced, not even the unique one"


def test_sync_refuses_results_records_of_one_unit_from_two_profile_files(runner, db, tmp_path):
    doc = write_results(tmp_path / "r.json", "2025-11-20", [
        finding("U1", "B2", source="档案/新.yaml"), finding("U1", "B2", state="pass", source="档案/旧.yaml"),
        finding("U2", "D3", source="档案/u2.yaml"),
    ])
    result = run(runner, "ledger", "sync", doc, "--db", db)
    assert result.exit_code == 2
    assert "单位编号「U1」重复：档案/新.yaml、档案/旧.yaml" in result.output
    assert "Traceback" not in result.output
    assert not (tmp_path / "ledger.sqlite").exists() or items_by_key(runner, db) == {}


def test_sync_refuses_the_same_unit_in_a_results_file_and_a_profile(runner, db, tmp_path):
    doc = write_results(tmp_path / "r.json", "2025-11-20", [finding("SZ-014", "D3")])
    result = run(runner, "ledger", "sync", doc, str(FIXTURES / "02-shi-shuiliju.yaml"), "--as-of", "2025-11-20",
                 "--db", db)
    assert result.exit_code == 2 and "单位编号「SZ-014」重复" in result.output
    assert "r.json" in result.output and "02-shi-shuiliju.yaml" in result.output


def test_update_with_an_expected_version_refuses_when_the_item_changed_meanwhile(runner, db, tmp_path):
    run(runner, "ledger", "sync", write_results(tmp_path / "r.json", "2025-11-20", [finding("U1", "B2")]), "--db", db)
    item = show(runner, db, "U1/B2")
    assert item["version"] == 1
    assert run(runner, "ledger", "update", "U1/B2", "--progress", "督查组记录", "--db", db).exit_code == 0
    stale = run(runner, "ledger", "update", "U1/B2", "--progress", "单位的旧页面", "--expected-version", "1", "--db", db)
    assert stale.exit_code == 2
    assert "已被他人修改（版本1→2）" in stale.output and "Traceback" not in stale.output
    assert show(runner, db, "U1/B2")["progress"] == "督查组记录"
    fresh = run(runner, "ledger", "update", "U1/B2", "--progress", "单位的新进展", "--expected-version", "2", "--db", db)
    assert fresh.exit_code == 0, fresh.output
    assert show(runner, db, "U1/B2")["progress"] == "单位的新进展"


def test_the_lifecycle_function_checks_the_expected_version_inside_the_write_transaction(runner, db, tmp_path):
    run(runner, "ledger", "sync", write_results(tmp_path / "r.json", "2025-11-20", [finding("U1", "B2")]), "--db", db)
    with Ledger(db) as store, store.write() as session:
        item = get_item(session, "U1/B2")
        assert update_item(session, item, {"progress": "第一次"}, "网页用户甲", expected_version=1)
    with Ledger(db) as store, store.write() as session:
        item = get_item(session, "U1/B2")
        try:
            update_item(session, item, {"progress": "第二次"}, "网页用户乙", expected_version=1)
        except LedgerError as exc:
            assert "已被他人修改" in str(exc) and "刷新" in str(exc)
        else:
            raise AssertionError("a stale version was accepted")
    with Ledger(db) as store, store.write() as session:
        assert update_item(session, get_item(session, "U1/B2"), {"remarks": "不带版本照旧可用"}, "督查组")
    assert show(runner, db, "U1/B2")["progress"] == "第一次"


def test_sync_refuses_the_batch_when_the_pipeline_itself_reports_a_duplicate_unit_id(runner, db, tmp_path, monkeypatch):
    """The pipeline may turn a unit's second profile into an input error (code DUPLICATE): still the whole batch."""
    import compliance.pipeline.run as pipeline_run
    from compliance.inputs.loader import Problem
    from compliance.ledger.sync import DUPLICATE

    real = pipeline_run.check_files

    def reporting_duplicates(pack, files, as_of):
        for n, outcome in enumerate(real(pack, files, as_of)):
            if n == 1:
                outcome.problems = [Problem(outcome.source, "单位编号「SZ-014」重复：a.yaml 已是该单位的档案",
                                            code=DUPLICATE)]
                outcome.findings, outcome.unit_id = [], None
            yield outcome

    monkeypatch.setattr(pipeline_run, "check_files", reporting_duplicates)
    result = run(runner, "ledger", "sync", str(FIXTURES / "02-shi-shuiliju.yaml"), str(FIXTURES / "03-shi-danganguan.yaml"),
                 "--as-of", "2025-11-20", "--db", db)
    assert result.exit_code == 2 and "整批未同步，台账未改动" in result.output
    assert "新增问题" not in result.output


def test_sync_refuses_a_results_file_whose_check_reported_a_duplicate_unit_id(runner, db, tmp_path):
    path = tmp_path / "r.json"
    write_results(path, "2025-11-20", [finding("U1", "B2")])
    import json

    doc = json.loads(path.read_text(encoding="utf-8"))
    doc["errors"] = [{"file": "档案/旧.yaml", "message": "单位编号「U1」重复：档案/新.yaml 已是该单位的档案", "code": "DUPLICATE"}]
    path.write_text(json.dumps(doc, ensure_ascii=False), encoding="utf-8")
    result = run(runner, "ledger", "sync", str(path), "--db", db)
    assert result.exit_code == 2 and "整批未同步，台账未改动" in result.output and "档案/旧.yaml" in result.output
