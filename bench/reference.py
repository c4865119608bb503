"""Ten rules of the dangjian pack written by hand in plain Python over the same derived facts.

The benchmark compares the evaluator's cost per rule with these (issue #14: within 2×), and checks that
both give the same states. Three-valued like the engine: ``None`` is a missing fact; a rule whose
applicability is unknown passes if its requirement is met anyway, otherwise it is ``unknown``.
"""

from __future__ import annotations

from typing import Any, Callable

RULE_IDS = ("A4", "A5", "A6", "B4", "B5", "D1", "D3", "D4", "E1-3", "E2")


def _get(facts: dict, section: str, key: str) -> Any:
    value = facts.get(section)
    return value.get(key) if isinstance(value, dict) else None


def _state(applies: bool | None, met: bool | None) -> str:
    if applies is False:
        return "not_applicable"
    if applies is None:
        return "pass" if met is True else "unknown"
    return "pass" if met is True else "fail" if met is False else "unknown"


def _eq(value: Any, literal: Any) -> bool | None:
    return None if value is None else value == literal


def _gte(value: Any, other: Any) -> bool | None:
    return None if value is None or other is None else value >= other


def hand_states(facts: dict, params: dict) -> list[str]:
    """The states of :data:`RULE_IDS` for one unit, in that order."""
    g = _get
    committee = _eq(g(facts, "union", "committee"), True)
    union_established = _eq(g(facts, "union", "established"), True)
    website, wechat = _eq(g(facts, "media", "website_column"), True), _eq(g(facts, "media", "wechat_column"), True)
    media = True if website is True or wechat is True else None if website is None or wechat is None else False
    return [
        _state(True, _eq(g(facts, "responsibility", "in_party_assessment"), True)),
        _state(True, _eq(g(facts, "responsibility", "in_secretary_review"), True)),
        _state(True, _eq(g(facts, "responsibility", "first_responsible_named"), True)),
        _state(_gte(g(facts, "unit", "league_members"), params["league_org_threshold"]),
               _eq(g(facts, "league", "established"), True)),
        _state(_gte(g(facts, "unit", "staff_female"), params["women_staff_threshold"]),
               _eq(g(facts, "women", "established"), True)),
        _state(True, _eq(g(facts, "funding", "in_unit_budget"), True)),
        _state(committee, _eq(g(facts, "union", "independent_account"), True)),
        _state(union_established, _gte(g(facts, "union", "funds_rate"), params["union_funds_rate"])),
        _state(True, _eq(g(facts, "venues", "shared"), True)),
        _state(True, media),
    ]


HAND: Callable[[dict, dict], list[str]] = hand_states
