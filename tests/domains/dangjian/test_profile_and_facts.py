"""Profiles accept Chinese keys, keep absent facts absent, and derive the facts rules need."""

from __future__ import annotations

import datetime as dt

import pytest

from compliance.domains.dangjian.facts import derive
from compliance.domains.toolkit import add_years, age_on
from compliance.inputs.loader import InputError
from compliance.domains.dangjian.profile import Profile
from compliance.pipeline.run import validate_profile

from conftest import DANGJIAN, AS_OF, minimal_profile


def test_chinese_keys_are_aliases_of_the_english_ones():
    english = Profile.model_validate({"unit": {"id": "X", "name": "市财政局", "staff_total": 30}})
    chinese = Profile.model_validate({"单位": {"单位编号": "X", "单位名称": "市财政局", "职工总数": 30}})
    assert english == chinese


def test_yes_no_accepts_chinese_words():
    profile = Profile.model_validate(minimal_profile(union={"是否建立": "是", "独立账户": "否"}))
    assert profile.union.established is True
    assert profile.union.independent_account is False


def test_absent_facts_stay_none_and_are_never_defaulted():
    profile = Profile.model_validate(minimal_profile())
    facts = derive(profile, AS_OF)
    assert facts["union"]["established"] is None
    assert facts["union"]["funds_review_committee"] is None
    assert facts["events"] is None
    assert facts["union"]["section_reported"] is False


def test_a_key_given_twice_in_two_languages_is_an_error():
    with pytest.raises(InputError) as info:
        validate_profile_dj({"unit": {"id": "X", "name": "a", "单位名称": "b"}}, "u.yaml")
    assert "重复填写" in info.value.problems[0].message


def test_an_unknown_key_is_an_error_with_a_suggestion_and_its_line():
    text = "unit:\n  id: X\n  name: 市水利局\n  staf_total: 30\n"
    import yaml

    with pytest.raises(InputError) as info:
        validate_profile_dj(yaml.safe_load(text), "u.yaml", text)
    problem = info.value.problems[0]
    assert problem.line == 4 and problem.column == 3
    assert "未知字段「staf_total」" in problem.message
    assert "staff_total" in problem.message and "职工总数" in problem.message


def test_a_wrong_type_names_the_chinese_field_and_what_was_given():
    text = "单位:\n  单位编号: X\n  单位名称: 市水利局\n  职工总数: 很多\n"
    import yaml

    with pytest.raises(InputError) as info:
        validate_profile_dj(yaml.safe_load(text), "u.yaml", text)
    problem = info.value.problems[0]
    assert problem.line == 4
    assert problem.path.startswith("单位.职工总数")
    assert "应为整数" in problem.message and "很多" in problem.message


def test_negative_counts_are_rejected():
    with pytest.raises(InputError) as info:
        validate_profile_dj(minimal_profile(unit={"staff_total": -1}), "u.yaml")
    assert "不能小于 0" in info.value.problems[0].message


def test_term_end_and_overdue_days_are_derived_from_the_last_election():
    profile = Profile.model_validate(
        minimal_profile(union={"established": True, "term_years": 5, "last_election": "2019-06-18"})
    )
    union = derive(profile, AS_OF)["union"]
    assert union["term_end"] == dt.date(2024, 6, 18)
    assert union["term_overdue"] is True
    assert union["days_overdue"] == 520
    assert union["days_to_term_end"] == -520


def test_an_approved_postponement_moves_the_term_end():
    profile = Profile.model_validate(
        minimal_profile(
            league={
                "term_years": 3,
                "last_election": "2022-06-01",
                "postponement": {"approved": True, "document": "团市委批复", "until": "2026-03-01"},
            }
        )
    )
    league = derive(profile, AS_OF)["league"]
    assert league["term_end"] == dt.date(2025, 6, 1)
    assert league["effective_term_end"] == dt.date(2026, 3, 1)
    assert league["term_overdue"] is False
    assert league["postponement_days"] == 273


def test_an_unapproved_postponement_does_not_count():
    profile = Profile.model_validate(
        minimal_profile(league={"term_years": 3, "last_election": "2022-06-01",
                                "postponement": {"approved": False, "until": "2026-03-01"}})
    )
    assert derive(profile, AS_OF)["league"]["term_overdue"] is True


def test_request_lead_time_before_the_term_end():
    profile = Profile.model_validate(
        minimal_profile(union={"term_years": 5, "last_election": "2021-01-10", "reelection_request_date": "2025-11-01"})
    )
    assert derive(profile, AS_OF)["union"]["request_days_before_term_end"] == 70


def test_roster_ages_are_computed_at_the_check_date():
    profile = Profile.model_validate(
        minimal_profile(league={"roster": [{"name": "甲", "birth_date": "1997-11-21"},
                                           {"name": "乙", "birth_date": "1997-11-20"}]})
    )
    league = derive(profile, AS_OF)["league"]
    assert [m["age"] for m in league["roster"]] == [27, 28]
    assert league["roster_count"] == 2


def test_orgs_lists_the_four_mass_organizations_and_all_orgs_adds_the_party():
    facts = derive(Profile.model_validate(minimal_profile()), AS_OF)
    assert [o["name"] for o in facts["orgs"]] == ["工会", "共青团", "妇委会", "关工委"]
    assert [o["key"] for o in facts["all_orgs"]] == ["party", "union", "league", "women", "guan"]
    assert facts["check"] == {"date": AS_OF, "year": 2025, "year_start": dt.date(2025, 1, 1),
                              "year_end": dt.date(2025, 12, 31)}


def test_helpers_for_dates():
    assert add_years(dt.date(2020, 2, 29), 1) == dt.date(2021, 2, 28)
    assert age_on(dt.date(2000, 5, 1), dt.date(2028, 4, 30)) == 27
    assert age_on(None, AS_OF) is None


def test_fact_labels_are_chinese():
    assert DANGJIAN.label_of("union.funds_review_committee") == "工会.经费审查委员会"
    assert DANGJIAN.label_of("league.roster") == "共青团.团员名册"
    assert DANGJIAN.label_of("no.such") == "no.such"


def validate_profile_dj(data, name, text=None):
    return validate_profile(data, DANGJIAN, name, text)
