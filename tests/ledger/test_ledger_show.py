"""What people read in ``ledger show``: Beijing time, Chinese dates, each label once."""

from __future__ import annotations

import datetime as dt

from test_ledger_helpers import db, finding, run, show, write_results  # noqa: F401

from compliance.ledger.models import History, local_text


def synced(runner, db, tmp_path) -> None:
    run(runner, "ledger", "sync", write_results(tmp_path / "a.json", "2025-11-20", [finding("U1", "D3")]), "--db", db)
    again = [finding("U1", "D3", state="pass", message="符合：工会开设独立银行账户")]
    run(runner, "ledger", "sync", write_results(tmp_path / "b.json", "2025-12-20", again), "--db", db)


def test_history_is_stored_in_utc_and_shown_in_beijing_time(runner, db, tmp_path, monkeypatch):
    monkeypatch.delenv("COMPLIANCE_TZ", raising=False)
    synced(runner, db, tmp_path)
    history = show(runner, db, "U1/D3")["history"]
    stored = dt.datetime.fromisoformat(history[0]["at"])
    local = dt.datetime.fromisoformat(history[0]["at_local"])
    assert stored.utcoffset() == dt.timedelta(0) and local.utcoffset() == dt.timedelta(hours=8)
    assert local == stored and history[0]["zone"] == "Asia/Shanghai"
    output = run(runner, "ledger", "show", "U1/D3", "--db", db).output
    assert "时间（UTC）" not in output and "│ 时间 " in output
    assert f"{local.year}年{local.month}月{local.day}日 {local:%H:%M}" in output


def test_a_history_time_just_before_midnight_utc_is_the_next_day_in_beijing():
    late = dt.datetime(2025, 12, 31, 20, 30)  # as SQLite returns it: no zone, meaning UTC
    assert local_text(late) == "2026年1月1日 04:30"
    assert History(at=late, by="x", field="status", reason="").to_dict()["at_local"] == "2026-01-01T04:30:00+08:00"


def test_the_display_zone_comes_from_compliance_tz_and_a_bad_zone_is_a_configuration_error(runner, db, tmp_path,
                                                                                             monkeypatch):
    synced(runner, db, tmp_path)
    monkeypatch.setenv("COMPLIANCE_TZ", "Europe/Berlin")
    assert show(runner, db, "U1/D3")["history"][0]["zone"] == "Europe/Berlin"
    assert "时间为 Europe/Berlin 时区" in run(runner, "ledger", "show", "U1/D3", "--db", db).output
    monkeypatch.setenv("COMPLIANCE_TZ", "Mars/Olympus")
    result = run(runner, "ledger", "show", "U1/D3", "--db", db)
    assert result.exit_code == 3 and "COMPLIANCE_TZ 的时区「Mars/Olympus」无效" in result.output
    assert "Traceback" not in result.output


def test_show_prints_the_result_label_once_and_dates_in_chinese(runner, db, tmp_path):
    synced(runner, db, tmp_path)
    output = run(runner, "ledger", "show", "U1/D3", "--db", db).output
    assert "符合：符合" not in output
    assert "2025年12月20日 符合：工会开设独立银行账户" in output
    assert "2025年12月20日" in output and "2025-12-20" not in output
    assert "检查（2025年11月20日）发现问题" in output and "复查（2025年12月20日）结果为符合" in output
