"""The 考核年度: annual rules ("每年至少…") judge the assessment year, not the calendar year of the check date."""

from __future__ import annotations

import datetime as dt
import json

import pytest

from compliance.engine.pack import load_pack
from compliance.engine.years import annual_deadline_days, assessment_year
from compliance.pipeline.run import check_profile, load_profile

from conftest import DANGJIAN, FIXTURES, PACK_PATH

JANUARY = dt.date(2026, 1, 5)
COMPLIANT = FIXTURES / "06-shi-shenjiju.yaml"


def fresh_pack():
    return load_pack(PACK_PATH)


def test_a_check_in_the_first_months_judges_the_previous_year():
    assert assessment_year(dt.date(2026, 1, 5), 3) == 2025
    assert assessment_year(dt.date(2026, 3, 31), 3) == 2025
    assert assessment_year(dt.date(2026, 4, 1), 3) == 2026
    assert assessment_year(dt.date(2026, 1, 5), 0) == 2026


def test_the_pack_sets_the_lag_and_year_overrides_it():
    pack = fresh_pack()
    assert pack.params["assessment_lag_months"] == 3
    assert pack.assessment_year(JANUARY) == 2025
    pack.set_year(2026, JANUARY)
    assert pack.assessment_year(JANUARY) == 2026


def test_a_compliant_unit_checked_on_5_january_gets_no_annual_failures():
    pack = fresh_pack()
    pack.set_year(None, JANUARY)
    findings = check_profile(pack, load_profile(COMPLIANT, DANGJIAN), JANUARY)
    annual = {r.id for r in pack.rules if r.rule.annual}
    assert annual >= {"A1", "A2", "A3", "F5", "G1", "G2", "G4"}
    assert [f.message for f in findings if f.rule_id in annual and f.state == "fail"] == []
    assert not any("2026年未" in f.message for f in findings)


def test_asking_for_the_current_year_in_january_judges_the_year_just_begun():
    pack = fresh_pack()
    pack.set_year(2026, JANUARY)
    findings = check_profile(pack, load_profile(COMPLIANT, DANGJIAN), JANUARY)
    a1 = next(f for f in findings if f.rule_id == "A1")
    assert a1.state == "fail" and "2026年" in a1.message


def test_deadlines_of_annual_measures_fall_in_a_year_that_can_still_be_met():
    assert annual_deadline_days(60, dt.date(2025, 11, 20), 2025) == 41  # 2025年12月31日
    assert annual_deadline_days(60, dt.date(2026, 1, 5), 2025) == 60  # the year judged is over: this year's measure
    assert annual_deadline_days(60, dt.date(2025, 12, 31), 2025) == 1
    pack = fresh_pack()
    pack.set_year(None, dt.date(2025, 11, 20))
    pack.set_year(None, dt.date(2025, 11, 20))  # idempotent: fitted from the pack's own deadline
    assert pack.rule("A1").rule.deadline_days == 41
    assert pack.rule("B1").rule.deadline_days == 90, "not an annual rule"


@pytest.mark.parametrize("fmt", ["json", "table", "md"])
def test_every_output_shows_the_assessment_year(runner, tmp_path, fmt):
    from compliance.cli import main

    out = tmp_path / f"out.{fmt}"
    result = runner.invoke(main, ["check", str(COMPLIANT), "--as-of", "2026-01-05", "--format", fmt, "-o", str(out)])
    assert result.exit_code in (0, 1), result.output
    text = out.read_text(encoding="utf-8")
    if fmt == "json":
        assert json.loads(text)["year"] == 2025
    else:
        assert "考核年度：2025年" in text


def test_year_option_is_accepted_by_check_report_and_ledger_sync(runner):
    from compliance.cli import main

    for command in (["check"], ["report"], ["ledger", "sync"]):
        result = runner.invoke(main, [*command, "--help"])
        assert "--year" in result.output, command
    bad = runner.invoke(main, ["check", str(COMPLIANT), "--year", "二〇二五"])
    assert bad.exit_code == 3
