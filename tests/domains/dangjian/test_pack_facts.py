"""Facts added for the full pack: reform adjustment, league cadre ages, leader vacancy."""

from __future__ import annotations

from compliance.domains.dangjian.facts import derive, fact_schema
from compliance.domains.dangjian.profile import Profile

from conftest import DANGJIAN, AS_OF, minimal_profile


def facts(**sections):
    return derive(Profile.model_validate(minimal_profile(**sections)), AS_OF)


def test_an_organization_counts_as_adjusted_when_set_up_re_elected_or_adjusted_after_the_reform():
    f = facts(unit={"reformed": "2024-01-10"},
              party={"last_election": "2021-09-28"},
              union={"founded": "2001-01-01", "adjusted_on": "2024-03-01"},
              league={"last_election": "2024-06-18"})
    assert f["unit"]["days_since_reform"] == 680
    assert f["party"]["adjusted_after_reform"] is False
    assert f["union"]["adjusted_after_reform"] is True and f["league"]["adjusted_after_reform"] is True
    assert f["women"]["adjusted_after_reform"] is None, "no dates: to be verified, not a failure"


def test_without_a_reform_nothing_is_derived():
    f = facts(party={"last_election": "2021-09-28"})
    assert f["unit"]["days_since_reform"] is None and f["party"]["adjusted_after_reform"] is None


def test_league_leader_ages_at_appointment_and_on_the_check_date():
    f = facts(league={"leader_birth_date": "1990-05-01", "leader_appointed_on": "2023-06-01"})
    assert f["league"]["leader_age_at_appointment"] == 33 and f["league"]["leader_age"] == 35
    assert facts(league={"leader_birth_date": "1990-05-01"})["league"]["leader_age_at_appointment"] is None


def test_new_fields_have_chinese_titles_and_accept_chinese_keys():
    profile = Profile.model_validate(minimal_profile(women={"负责人空缺": "是"}, league={"团组织书记出生日期": "1996-01-02"}))
    assert profile.women.leader_vacant is True and profile.league.leader_birth_date.year == 1996
    assert DANGJIAN.label_of("unit.days_since_reform") == "单位.机构改革后天数"
    assert DANGJIAN.label_of("league.leader_age_at_appointment") == "共青团.团组织书记任职时年龄"
    assert "adjusted_after_reform" in fact_schema().children["orgs"].element.children
