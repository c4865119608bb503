"""The absence of a record is 不符合 only where the unit confirmed its records for the 考核年度 are complete."""

from __future__ import annotations

from compliance.domains.dangjian.facts import derive
from compliance.domains.dangjian.profile import Profile
from compliance.engine.evaluate import check_unit

from conftest import AS_OF, minimal_profile

SOME_EVENTS = [{"date": "2025-04-10", "type": "听取汇报", "org": "党组织"}]


def states(pack, **sections):
    profile = Profile.model_validate(minimal_profile(**sections))
    return {(f.rule_id, f.subject): f for f in check_unit(pack, derive(profile, AS_OF), AS_OF)}


def test_a_missing_kind_of_record_without_confirmation_is_to_be_verified(pack):
    a2 = states(pack, events=SOME_EVENTS)[("A2", "")]
    assert a2.state == "unknown"
    assert "经确认完整的工作记录" in a2.message


def test_a_missing_kind_of_record_with_confirmation_is_a_failure(pack):
    a2 = states(pack, events=SOME_EVENTS, records_complete=True)[("A2", "")]
    assert a2.state == "fail"


def test_an_explicit_empty_list_with_confirmation_is_a_failure(pack):
    found = states(pack, events=[], records_complete="是")
    assert found[("A1", "")].state == "fail" and found[("G4", "")].state == "fail"


def test_an_explicit_empty_list_without_confirmation_is_to_be_verified(pack):
    assert states(pack, events=[])[("A1", "")].state == "unknown"


def test_a_record_present_passes_whatever_the_confirmation(pack):
    assert states(pack, events=SOME_EVENTS)[("A1", "")].state == "pass"


def test_the_confirmation_is_a_field_of_the_profile_in_chinese():
    profile = Profile.model_validate(minimal_profile(**{"记录完整": "是"}))
    assert profile.records_complete is True
