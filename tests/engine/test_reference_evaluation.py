"""The fast evaluator (compiled closures, shared contexts, per-unit indexes) decides exactly as a plain,
slow reading of the pack's conditions does, for generated profiles checked on generated dates."""

from __future__ import annotations

import datetime as dt
import operator
import random
import sys
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from compliance.engine.domain import find_pack
from compliance.engine.evaluate import decisions
from compliance.engine.pack import Foreach, load_pack
from conftest import ROOT

sys.path.insert(0, str(ROOT / "bench"))
from bench import synthetic_profile  # noqa: E402 - the benchmark's generator of plausible units

PACK = load_pack(find_pack("dangjian"))
COMPARE = {"eq": operator.eq, "ne": operator.ne, "gt": operator.gt, "gte": operator.ge, "lt": operator.lt,
           "lte": operator.le}


class Env:
    def __init__(self, facts: dict, as_of: dt.date, item: Any = None, this: Any = None):
        self.facts, self.as_of, self.item, self.this = facts, as_of, item, this

    def path(self, path: str) -> Any:
        head, *rest = path.split(".")
        value = self.item if head == "item" else self.this if head == "this" else self.facts.get(head)
        for part in rest:
            value = value.get(part) if isinstance(value, dict) else None
        return value

    def operand(self, spec: Any) -> Any:
        if isinstance(spec, dict):
            return PACK.params[spec["param"]] if "param" in spec else self.path(spec["fact"])
        return spec


def leaf_test(env: Env, op: str, operand: Any, v: Any) -> bool | None:
    if op == "exists":
        return (v is not None) == operand
    other = env.operand(operand)
    if v is None:
        return None
    if op in COMPARE:
        if (isinstance(operand, dict) or operand is None) and other is None:
            return None
        return COMPARE[op](v, other)
    if op in ("in", "not_in"):
        return (v in other) == (op == "in")
    if op == "contains":
        return other in v
    if op == "in_check_year":
        return v.year == env.as_of.year
    days = (env.as_of - v).days * (1 if op == "within_last_days" else -1)
    return 0 <= days <= other


def leaf_tests(env: Env, spec: dict, value: Any, reserved: str) -> bool | None:
    result: bool | None = True
    for op, operand in spec.items():
        if op in (reserved, "label"):
            continue
        r = leaf_test(env, op, operand, value)
        if r is False:
            return False
        if r is None:
            result = None
    return result


def holds(env: Env, spec: dict) -> bool | None:
    """Three-valued truth of a condition, read straight from the pack's mapping."""
    if "all" in spec or "any" in spec:
        stop = "all" not in spec  # any: stop at the first True; all: at the first False
        unknown = False
        for part in spec["all" if "all" in spec else "any"]:
            r = holds(env, part)
            if r is stop:
                return stop
            unknown = unknown or r is None
        return None if unknown else not stop
    if "not" in spec:
        r = holds(env, spec["not"])
        return None if r is None else not r
    if "fact" in spec:
        return leaf_tests(env, spec, env.path(spec["fact"]), "fact")
    items = env.path(spec["count"]["of"])
    if items is None:
        return None
    low = high = 0
    for element in items:
        r = True if "where" not in spec["count"] else holds(Env(env.facts, env.as_of, env.item, element),
                                                             spec["count"]["where"])
        low += r is True
        high += r is not False
    outcomes = {leaf_tests(env, spec, n, "count") for n in {low, high}}
    return outcomes.pop() if len(outcomes) == 1 else None


def state_of(rule: Any, env: Env) -> str:
    try:
        if rule.when is not None:
            applies = holds(env, rule.when)
            if applies is False:
                return "not_applicable"
            if applies is None:
                return "pass" if holds(env, rule.expect) is True else "unknown"
        result = holds(env, rule.expect)
        return "pass" if result is True else "fail" if result is False else "unknown"
    except TypeError:
        return "unknown"


def reference(facts: dict, as_of: dt.date) -> list[tuple[str, str, str]]:
    out = []
    for compiled in PACK.rules:
        rule = compiled.rule
        if not rule.enabled:
            continue
        if rule.foreach is None:
            out.append((rule.id, "", state_of(rule, Env(facts, as_of))))
            continue
        spec = Foreach(path=rule.foreach) if isinstance(rule.foreach, str) else rule.foreach
        for index, item in enumerate(Env(facts, as_of).path(spec.path) or ()):
            if spec.where is not None and holds(Env(facts, as_of, item), spec.where) is not True:
                continue
            name = str(item.get("name") or item.get("key") or index + 1) if isinstance(item, dict) else str(index + 1)
            out.append((rule.id, name, state_of(rule, Env(facts, as_of, item))))
    return out


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(seed=st.integers(0, 2**32 - 1), as_of=st.dates(dt.date(2024, 1, 1), dt.date(2027, 12, 31)))
def test_the_fast_path_decides_as_the_plain_reading_of_the_conditions(seed, as_of):
    domain = PACK.domain
    profile = domain.profile_model.model_validate(synthetic_profile(random.Random(seed), seed % 1000))
    facts = domain.derive(profile, as_of, PACK.for_check(as_of))
    fast = [(c.id, subject, state) for c, subject, state, _ in decisions(PACK.rules, facts, PACK.params, as_of)]
    assert fast == reference(facts, as_of)
