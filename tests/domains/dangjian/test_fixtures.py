"""The shipped example units: realistic cases that together exercise every rule both ways."""

from __future__ import annotations

from collections import defaultdict

import pytest

from compliance.pipeline.run import check_profile, load_profile

from conftest import DANGJIAN, AS_OF, FIXTURES


@pytest.fixture(scope="module")
def results(pack):
    """File stem → findings, checked at 2025-11-20."""
    out = {}
    for path in sorted(FIXTURES.glob("*.yaml")):
        out[path.stem] = check_profile(pack, load_profile(path, DANGJIAN), AS_OF, str(path))
    return out


def states(findings, rule_id, subject=""):
    return [f.state for f in findings if f.rule_id == rule_id and f.subject == subject]


def test_there_are_at_least_eight_units_with_distinct_ids():
    profiles = [load_profile(p, DANGJIAN) for p in sorted(FIXTURES.glob("*.yaml"))]
    assert len(profiles) >= 8 and len({p.unit.id for p in profiles}) == len(profiles)


def test_every_rule_fails_in_some_unit_and_passes_in_another(pack, results):
    seen: dict[str, set[str]] = defaultdict(set)
    for findings in results.values():
        for f in findings:
            seen[f.rule_id].add(f.state)
    def wanted(rule) -> set[str]:
        return {"advisory" if rule.rule.kind == "提醒" else "fail", "pass"}

    missing = {r.id: sorted(wanted(r) - seen[r.id]) for r in pack.rules if not wanted(r) <= seen[r.id]}
    assert missing == {}


def test_the_model_unit_has_no_problem_at_all(results):
    findings = results["01-shi-caizhengju"]
    assert [f.rule_id for f in findings if f.state in ("fail", "unknown")] == []


def test_the_seed_001_unit_shows_the_inspection_report_s_typical_problems(results):
    findings = results["02-shi-shuiliju"]
    failing = {(f.rule_id, f.subject) for f in findings if f.state == "fail"}
    assert {("B2", ""), ("D3", ""), ("C1", "工会"), ("C2", "工会"), ("D2", "共青团"), ("D2", "妇委会")} <= failing


def test_a_small_unit_without_union_and_only_working_committee_activities(results):
    findings = results["03-shi-danganguan"]
    assert states(findings, "B1") == ["not_applicable"] and states(findings, "B1-2") == ["fail"]
    assert states(findings, "G1", "妇委会") == ["fail"]
    assert states(findings, "B4") == ["not_applicable"], "two league members are recorded, not a violation"


def test_a_unit_with_gaps_in_its_data_is_mostly_to_be_verified(results):
    findings = results["04-shi-tongjiju"]
    unknown = [f for f in findings if f.state == "unknown"]
    assert len(unknown) >= 20
    assert all("档案未填报" in f.message for f in unknown)


def test_after_the_institutional_reform_the_old_party_committee_must_be_adjusted(results):
    findings = results["05-shi-ziranziyuanju"]
    assert states(findings, "B7", "党组织") == ["fail"] and states(findings, "B7", "共青团") == ["pass"]
    assert states(findings, "B1") == ["fail"] and states(findings, "B5") == ["fail"]


def test_a_valid_waiver_is_reported_as_waived_with_its_document(results):
    e1 = [f for f in results["06-shi-shenjiju"] if f.rule_id == "E1"][0]
    assert e1.state == "waived" and "市直机关工委〔2025〕15号" in e1.message


def test_a_term_ending_soon_is_a_reminder_not_a_problem(results):
    c4 = [f for f in results["06-shi-shenjiju"] if f.rule_id == "C4" and f.subject == "党组织"][0]
    assert c4.state == "advisory" and c4.state_zh == "提醒" and "即将届满" in c4.message
    assert states(results["06-shi-shenjiju"], "C2", "党组织") == ["pass"]


def test_an_expired_waiver_no_longer_silences_its_finding(results):
    b2 = [f for f in results["07-shi-renshe"] if f.rule_id == "B2"][0]
    assert b2.state == "fail" and "期限2025年6月30日已过" in b2.message and b2.waiver["expired"] is True


def test_league_and_term_problems_are_found(results):
    findings = results["09-shi-tiyuju"]
    for rule_id, subject in [("F3", ""), ("F4", ""), ("F4-2", ""), ("F2", ""), ("F2-2", ""),
                             ("C1-2", "工会"), ("C3", "工会"), ("C3", "党组织"), ("C1", "党组织")]:
        assert states(findings, rule_id, subject) == ["fail"], (rule_id, subject)
