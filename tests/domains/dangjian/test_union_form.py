"""The union's form: 单独建会, 联合基层工会 or 工会组织员 (with the organiser's name)."""

from __future__ import annotations

from compliance.domains.dangjian.facts import derive
from compliance.domains.dangjian.profile import Profile
from compliance.engine.evaluate import check_unit
from compliance.engine.pack import finish_findings

from conftest import AS_OF, minimal_profile

ORGANISER = {"union_form": "工会组织员", "organiser": "张敏", "established": True}


def states(pack, **sections):
    profile = Profile.model_validate(minimal_profile(**sections))
    findings = finish_findings(pack, check_unit(pack, derive(profile, AS_OF), AS_OF), AS_OF)
    return {(f.rule_id, f.subject): f for f in findings}


def test_a_unit_of_25_or_more_inside_a_joint_union_is_a_finding_unless_approved(pack):
    joint = {"established": True, "union_form": "联合基层工会"}
    b1 = states(pack, unit={"staff_total": 60}, union={**joint, "approved_by_higher": False})[("B1", "")]
    assert b1.state == "fail" and "加入联合基层工会，未经上一级工会批准" in b1.message
    approved = states(pack, unit={"staff_total": 60}, union={**joint, "approved_by_higher": True})
    assert approved[("B1", "")].state == "pass"


def test_a_small_unit_is_organised_by_a_joint_union_or_an_organiser(pack):
    assert states(pack, unit={"staff_total": 18}, union=ORGANISER)[("B1-2", "")].state == "pass"
    joint = states(pack, unit={"staff_total": 18}, union={"established": True, "form": "联合工会"})
    assert joint[("B1-2", "")].state == "pass"
    assert "报上一级工会批准" in pack.rule("B1-2").rule.measure


def test_rules_that_presuppose_a_committee_do_not_apply_to_an_organiser(pack):
    found = states(pack, union={**ORGANISER, "female_members": 12, "term_years": 5, "last_election": "2019-06-18"})
    for rule_id, subject in [("B2", ""), ("B3", ""), ("D3", ""), ("C1", "工会"), ("C1-2", "工会"), ("C2", "工会")]:
        assert found[(rule_id, subject)].state == "not_applicable", rule_id


def test_the_organiser_is_a_field_of_the_profile_in_chinese():
    profile = Profile.model_validate(minimal_profile(**{"工会": {"建会形式": "工会组织员", "工会组织员": "张敏"}}))
    assert profile.union.union_form == "工会组织员" and profile.union.organiser == "张敏"


def test_an_overdue_union_cites_the_union_law_only_and_the_party_its_own_rules(pack):
    found = states(pack, party={"term_years": 5, "last_election": "2019-06-18"},
                   union={"established": True, "form": "基层工会委员会", "term_years": 5, "last_election": "2019-06-18"})
    assert found[("C1", "工会")].basis == "《中华人民共和国工会法》（2021年修正）第十六条"
    assert "工会法" not in found[("C1", "党组织")].basis and "选举工作条例" in found[("C1", "党组织")].basis


def test_a_union_postponement_does_not_borrow_the_party_s_regulation(pack):
    found = states(pack, union={"established": True, "form": "基层工会委员会", "term_years": 5,
                                "last_election": "2019-06-18", "postponement": {"approved": False}})
    assert "中国共产党" not in found[("C3", "工会")].basis and found[("C3", "工会")].basis.startswith("按照")
