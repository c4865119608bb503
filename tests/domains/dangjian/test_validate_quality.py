"""Catalogue group H: consistency of a submitted profile, before any rule runs."""

from __future__ import annotations

import datetime as dt

import pytest
import yaml

from compliance.domains.dangjian.profile import Profile
from compliance.domains.dangjian.quality import QUALITY_CHECKS, assess

from conftest import AS_OF, FIXTURES, minimal_profile


def run(data: dict, text: str | None = None) -> tuple[list, list]:
    return assess(Profile.model_validate(data), AS_OF, "unit.yaml", text)


def ids(problems: list) -> list[str]:
    return [p.code for p in problems]


def test_the_shipped_fixtures_are_consistent():
    for path in sorted(FIXTURES.glob("*.yaml")):
        errors, warnings = run(yaml.safe_load(path.read_text(encoding="utf-8")))
        assert errors == [] and warnings == [], path


def test_every_check_has_an_id_a_chinese_title_a_level_and_catalogue_h():
    assert [c.id for c in QUALITY_CHECKS] == [f"H{i}" for i in range(1, len(QUALITY_CHECKS) + 1)]
    for check in QUALITY_CHECKS:
        assert check.catalogue == "H" and check.level in ("error", "warning")
        assert any("\u4e00" <= ch <= "\u9fff" for ch in check.title)


def test_more_female_staff_than_staff_is_an_error_located_at_the_part():
    text = "unit:\n  id: T-1\n  name: 测试单位\n  staff_total: 50\n  staff_female: 60\n"
    errors, warnings = run(yaml.safe_load(text), text)
    assert ids(errors) == ["H1"] and warnings == []
    problem = errors[0]
    assert (problem.line, problem.column) == (5, 3)
    assert problem.path == "单位.女职工人数 (unit.staff_female)" and problem.key == "staff_female"
    assert problem.given == 60 and "职工总数" in problem.expected and "50" in problem.expected


def test_chinese_keys_are_located_too():
    text = "单位:\n  单位编号: T-1\n  单位名称: 测试单位\n  职工总数: 10\n  28岁以下职工人数: 11\n"
    errors, _ = run(yaml.safe_load(text), text)
    assert ids(errors) == ["H1"] and (errors[0].line, errors[0].column) == (5, 3)


def test_union_parts_larger_than_members_are_errors():
    errors, _ = run(minimal_profile(union={"members": 40, "female_members": 41, "registered_members": 45}))
    assert ids(errors) == ["H2", "H2"]


def test_more_league_or_union_members_than_staff_is_only_a_warning():
    errors, warnings = run(minimal_profile(unit={"staff_total": 30, "league_members": 35},
                                           union={"members": 32}, league={"members": 35}))
    assert errors == []
    assert ids(warnings) == ["H3", "H3", "H3"] and all(w.level == "warning" for w in warnings)


@pytest.mark.parametrize("section, loc", [
    ({"unit": {"founded": dt.date(2026, 1, 1)}}, "unit.founded"),
    ({"events": [{"date": dt.date(2025, 3, 1)}, {"date": dt.date(2025, 12, 1)}]}, "events.1.date"),
    ({"league": {"roster": [{"name": "张三", "birth_date": dt.date(2030, 1, 1)}]}}, "league.roster.0.birth_date"),
    ({"union": {"postponement": {"approved_on": dt.date(2026, 2, 1)}}}, "union.postponement.approved_on"),
])
def test_a_date_after_the_check_date_is_an_error(section, loc):
    errors, _ = run(minimal_profile(**section))
    assert ids(errors) == ["H4"] and errors[0].path.endswith(f"({loc})")


def test_limits_in_the_future_are_fine():
    errors, _ = run(minimal_profile(
        union={"last_election": dt.date(2020, 1, 1), "term_years": 5,
               "postponement": {"approved": True, "approved_on": dt.date(2024, 12, 1), "until": dt.date(2026, 6, 1)}},
        waivers=[{"rule": "B5", "approved_on": dt.date(2025, 1, 1), "expires": dt.date(2027, 1, 1)}],
    ))
    assert errors == []


def test_election_before_founding_is_an_error():
    errors, _ = run(minimal_profile(league={"founded": dt.date(2020, 5, 4), "last_election": dt.date(2019, 5, 4)}))
    assert ids(errors) == ["H5"] and "早于" in errors[0].message


def test_request_before_the_last_election_and_a_contradicting_flag_are_errors():
    errors, _ = run(minimal_profile(union={
        "last_election": dt.date(2021, 6, 1), "reelection_request_date": dt.date(2021, 1, 1),
        "reelection_request_filed": False,
    }))
    assert sorted(ids(errors)) == ["H6", "H7"]


def test_postponement_until_before_its_approval_is_an_error_and_one_not_extending_the_term_a_warning():
    errors, warnings = run(minimal_profile(party={
        "last_election": dt.date(2020, 1, 1), "term_years": 5,
        "postponement": {"approved": True, "approved_on": dt.date(2024, 12, 1), "until": dt.date(2024, 11, 1)},
    }))
    assert ids(errors) == ["H8"] and ids(warnings) == ["H9"]


def test_a_term_of_zero_years_is_an_error():
    errors, _ = run(minimal_profile(women={"term_years": 0}))
    assert ids(errors) == ["H10"] and errors[0].given == 0


def test_declared_league_members_must_agree_with_the_roster():
    roster = [{"name": "甲"}, {"name": "乙"}]
    errors, _ = run(minimal_profile(league={"members": 3, "roster": roster}))
    assert ids(errors) == ["H11"] and "2" in errors[0].expected
    assert run(minimal_profile(league={"members": 2, "roster": roster}))[0] == []


def test_unit_league_members_disagreeing_with_the_league_is_a_warning():
    errors, warnings = run(minimal_profile(unit={"league_members": 8}, league={"members": 6}))
    assert errors == [] and ids(warnings) == ["H12"]


def test_org_founded_before_the_unit_and_reform_before_founding_are_warnings():
    errors, warnings = run(minimal_profile(unit={"founded": dt.date(2019, 1, 1), "reformed": dt.date(2018, 1, 1)},
                                           union={"founded": dt.date(2010, 1, 1)}))
    assert errors == [] and sorted(ids(warnings)) == ["H13", "H14"]


def test_an_organization_marked_not_established_with_a_leader_is_a_warning():
    errors, warnings = run(minimal_profile(guan={"established": "否", "leader": "刘振华"}))
    assert errors == [] and ids(warnings) == ["H15"] and "负责人" in warnings[0].message


def test_a_waiver_expiring_before_its_approval_is_an_error():
    errors, _ = run(minimal_profile(waivers=[{"rule": "B5", "approved_on": dt.date(2025, 6, 1),
                                              "expires": dt.date(2025, 1, 1)}]))
    assert ids(errors) == ["H16"] and errors[0].path.endswith("(waivers.0.expires)")


def test_missing_data_is_never_a_quality_problem():
    assert run(minimal_profile(union={}, league={}, events=[{}]))== ([], [])
