"""The state of one (rule, subject) before waivers, from its compiled ``when`` and ``expect``: one closure per
rule, built once when the pack is compiled."""

from __future__ import annotations

from typing import Callable

from compliance.engine.conditions import Compiled, Ctx

Decide = Callable[[Ctx], str]


def _type_error(ctx: Ctx, exc: TypeError) -> str:
    ctx.used["计算错误"] = f"数据类型不符：{exc}"
    return "unknown"


def decider(when: Compiled | None, expect: Compiled) -> Decide:
    """``ctx → state``: not_applicable when ``when`` is false; when it is unknown, pass if the requirement is met
    anyway, otherwise unknown; else pass/fail/unknown from ``expect``. A type error in the data makes it unknown,
    with the reason recorded."""
    met = expect.run
    if when is None:

        def decide(ctx: Ctx) -> str:
            try:
                result = met(ctx)
            except TypeError as exc:
                return _type_error(ctx, exc)
            return "pass" if result is True else "fail" if result is False else "unknown"

        return decide
    applies_to = when.run

    def decide_when(ctx: Ctx) -> str:
        try:
            applies = applies_to(ctx)
            if applies is False:
                return "not_applicable"
            result = met(ctx)
        except TypeError as exc:
            return _type_error(ctx, exc)
        if applies is None:
            return "pass" if result is True else "unknown"
        return "pass" if result is True else "fail" if result is False else "unknown"

    return decide_when
