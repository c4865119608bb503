"""``as_facts`` is ``model_dump`` for every profile a domain reads: fixtures and profiles drawn from each schema."""

from __future__ import annotations

import datetime as dt
import sys
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from pydantic import BaseModel, ValidationError, field_serializer

from compliance.domains.toolkit import as_facts
from compliance.engine.domain import domains
from compliance.inputs.model import Model
from conftest import ROOT, fixture_profiles

sys.path.insert(0, str(ROOT / "tests" / "fuzz"))
from harness import schema_strategy  # noqa: E402

MODELS = [domain.profile_model for domain in domains().values()]


def test_every_fixture_becomes_the_same_facts_as_model_dump() -> None:
    profiles = fixture_profiles()
    assert profiles
    for profile in profiles:
        assert as_facts(profile) == profile.model_dump()


@pytest.mark.parametrize("model", MODELS, ids=[m.__name__ for m in MODELS])
def test_profiles_drawn_from_each_schema_become_the_same_facts(model: type[BaseModel]) -> None:
    @settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
    @given(schema_strategy(model.model_json_schema(by_alias=False)))
    def same(data: Any) -> None:
        try:
            profile = model.model_validate(data)
        except ValidationError:
            return
        facts = as_facts(profile)
        assert facts == profile.model_dump()
        assert list(facts) == list(profile.model_dump())

    same()


def test_the_facts_are_a_copy_the_profile_does_not_share() -> None:
    profile = fixture_profiles()[0]
    facts = as_facts(profile)
    facts["unit"]["name"] = "改过的名称"
    assert profile.unit.name != "改过的名称"


class Section(Model):
    day: dt.date | None = None

    @field_serializer("day")
    def _as_text(self, value: dt.date | None) -> str | None:
        return value.isoformat() if value else None


class Outer(Model):
    section: Section | None = None


def test_a_model_that_writes_itself_differently_is_dumped_by_pydantic() -> None:
    outer = Outer(section=Section(day=dt.date(2025, 1, 2)))
    assert as_facts(outer) == outer.model_dump() == {"section": {"day": "2025-01-02"}}


class Plain(Model):
    day: dt.date | None = None


class Lists(Model):
    plain: list[Plain] | None = None
    written: list[Section] | None = None


def test_lists_of_sections_are_copied_item_by_item_and_written_as_their_model_says() -> None:
    lists = Lists(plain=[Plain(day=dt.date(2025, 1, 2)), Plain()], written=[Section(day=dt.date(2025, 1, 2))])
    facts = as_facts(lists)
    assert facts == lists.model_dump() == {"plain": [{"day": dt.date(2025, 1, 2)}, {"day": None}],
                                           "written": [{"day": "2025-01-02"}]}
    facts["plain"][0]["day"] = None
    assert lists.plain is not None and lists.plain[0].day == dt.date(2025, 1, 2)
