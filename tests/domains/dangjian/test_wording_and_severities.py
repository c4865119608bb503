"""What a person reads: Chinese dates, no spaces around numbers, the unit's own names, no debugging fragments;
severities and scopes as an inspector signs them."""

from __future__ import annotations

import re

import pytest

from compliance.domains.dangjian.facts import derive
from compliance.domains.dangjian.profile import Profile
from compliance.engine.evaluate import check_unit
from compliance.pipeline.run import check_profile, prepare
from compliance.inputs.records import records_of

from conftest import AS_OF, DANGJIAN, FIXTURES, fixture_profiles, minimal_profile


def findings_of(pack, **sections):
    profile = Profile.model_validate(minimal_profile(**sections))
    return {(f.rule_id, f.subject): f for f in check_unit(pack, derive(profile, AS_OF), AS_OF)}


def all_messages(pack) -> list[str]:
    """The rules' own messages (the waiver notes evaluate.py appends are not the pack's wording)."""
    return [f.message.split("（豁免已失效：")[0] for p in fixture_profiles() for f in check_profile(pack, p, AS_OF)
            if f.state in ("fail", "advisory")]


def test_messages_write_dates_in_chinese_and_no_spaces_around_numbers(pack):
    messages = all_messages(pack)
    assert messages
    for message in messages:
        assert not re.search(r"\d{4}-\d{2}-\d{2}", message), message
        assert not re.search(r"[\u4e00-\u9fff] \d|\d [\u4e00-\u9fff]", message), message


def test_messages_have_no_debugging_fragments_or_english_codes(pack):
    for message in all_messages(pack):
        assert "是否已上报：" not in message and "已批准：" not in message and "同步部署：" not in message, message
        assert not re.search(r"[A-Za-z_]+\.[A-Za-z_]+", message), message


def test_pack_messages_have_no_spaces_around_fields(pack):
    for compiled in pack.rules:
        text = compiled.rule.message
        assert not re.search(r"[\u4e00-\u9fff，（：] \{|\} [\u4e00-\u9fff，）]", text), compiled.id


def test_messages_use_the_unit_s_own_names(pack):
    found = findings_of(pack, party={"type": "机关党委", "secretary": "孙立民"}, records_complete=True,
                        league={"established": True, "form": "团支部", "leader_birth_date": "1980-01-01"},
                        events=[{"date": "2025-04-10", "type": "听取汇报"}])
    assert found[("A2", "")].message.startswith("测试单位机关党委2025年未专题研究")
    assert "机关党委书记孙立民2025年" in found[("A3", "")].message
    assert found[("F4-2", "")].message.startswith("测试单位团支部书记已")


def test_a_missing_secretary_name_is_left_out_not_shown_as_not_reported(pack):
    a3 = findings_of(pack, records_complete=True, events=[])[("A3", "")]
    assert "未填报" not in a3.message and a3.message.startswith("测试单位党组织书记2025年")


def test_the_request_and_postponement_messages_say_what_is_wrong_in_words(pack):
    found = findings_of(pack, union={"established": True, "term_years": 5, "last_election": "2019-06-18",
                                     "reelection_request_filed": False,
                                     "postponement": {"approved": False, "until": "2025-03-31"}})
    assert found[("C2", "工会")].message.endswith("换届改选请示尚未上报")
    assert "延期换届不符合规定：未经上级批准；未填报批准文件" in found[("C3", "工会")].message


def test_over_age_league_members_are_checked_without_a_league_organisation_and_named(pack):
    f3 = findings_of(pack, league={"established": False, "roster": [
        {"name": "丙", "birth_date": "1995-03-01"}, {"name": "丁", "birth_date": "2001-03-01"}]})[("F3", "")]
    assert f3.state == "fail" and f3.message.endswith("丙（30周岁）")


def test_validate_warns_about_a_roster_on_a_league_not_established(tmp_path):
    path = tmp_path / "u.yaml"
    path.write_text("unit: {id: T-1, name: 测试单位}\nleague:\n  established: false\n"
                    "  roster: [{name: 丙, birth_date: 1995-03-01}]\n", encoding="utf-8")
    [record] = list(records_of(path))
    profile, errors, warnings = prepare(record, DANGJIAN, AS_OF)
    assert profile is not None and not errors
    assert [w.code for w in warnings] == ["H18"]


@pytest.mark.parametrize("rule_id, severity", [("D4", "严重"), ("B5", "一般"), ("B3-2", "提示"), ("F4-2", "提示"),
                                               ("G3", "提示")])
def test_severities_follow_the_source_of_the_duty(pack, rule_id, severity):
    assert pack.rule(rule_id).rule.severity == severity


def test_b6_2_applies_only_where_b6_does_not(pack):
    both = findings_of(pack, unit={"staff_total": 88}, party={"type": "机关党委"}, guan={"established": False})
    assert both[("B6", "")].state == "fail" and both[("B6-2", "")].state == "not_applicable"
    small = findings_of(pack, unit={"staff_total": 20}, party={"type": "党支部"}, guan={"established": False})
    assert small[("B6", "")].state == "not_applicable" and small[("B6-2", "")].state == "fail"


def test_league_terms_depend_on_the_form(pack):
    def c1_2(form, years):
        return findings_of(pack, league={"established": True, "form": form, "term_years": years})[("C1-2", "共青团")].state

    assert c1_2("团支部", 5) == "fail" and c1_2("团支部", 3) == "pass" and c1_2("团委", 5) == "pass"


def test_g1_and_g2_cover_the_guan_committee(pack):
    found = findings_of(pack, guan={"established": True}, records_complete=True, events=[])
    assert found[("G1", "关工委")].state == "fail" and found[("G2", "关工委")].state == "fail"
    assert "只参加机关工委" not in found[("G1", "关工委")].message


def test_g3_asks_a_recommendation_for_each_member_applying_not_a_yearly_record(pack):
    nobody = findings_of(pack, league={"established": True, "members": 3, "candidates": []})[("G3", "")]
    assert nobody.state == "pass"
    one = findings_of(pack, league={"established": True, "form": "团支部", "candidates": [
        {"name": "乙", "birth_date": "2000-01-01", "recommended": False}]})[("G3", "")]
    assert one.state == "fail" and one.message.endswith("未经团组织推优：乙")
