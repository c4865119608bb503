"""Helpers a domain is built from: shared profile parts, its facts' type tree from the profile model,
date arithmetic, and data-quality checks that yield located problems."""

from __future__ import annotations

import datetime as dt
import types
import typing
from dataclasses import dataclass
from functools import lru_cache
from typing import Any, Callable, Iterable, Iterator, Literal

from pydantic import BaseModel

from compliance.engine.conditions import FactType
from compliance.inputs.loader import Problem, given_text
from compliance.inputs.model import Model, YesNo, zh
from compliance.findings import zh_date
from compliance.inputs.validation import MAX_REPORTED, Locator, capped, field_label, model_of

Level = Literal["error", "warning"]
Loc = tuple[Any, ...]


class Postponement(Model):
    """A re-election postponed with the approval of the higher organisation."""

    approved: YesNo | None = zh("已批准", "上级组织是否批准延期换届")
    document: str | None = zh("批准文件", "批准延期的文件名称和文号")
    approved_on: dt.date | None = zh("批准日期")
    until: dt.date | None = zh("延期至", "批准延期换届的截止日期")


def as_facts(profile: BaseModel) -> dict[str, Any]:
    """``profile.model_dump()``, in half the time: each section's values copied as they are, sections and lists
    of them converted in turn (a model that writes itself differently, with serializers or computed fields, is
    dumped by pydantic)."""
    out = dict(profile.__dict__)
    nested = _nested_fields(type(profile))
    if nested is None:
        return profile.model_dump()
    for name in nested:
        value = out[name]
        if type(value) is list:
            out[name] = _list_facts(value)
        elif isinstance(value, BaseModel):
            out[name] = as_facts(value)
        elif value is not None:  # sections in another container
            return profile.model_dump()
    return out


def _list_facts(items: list[Any]) -> list[Any]:
    """A list of sections as facts; flat sections of one model (records, roster entries) copied in one pass."""
    model = type(items[0]) if items else None
    if model is not None and issubclass(model, BaseModel) and _nested_fields(model) == ():
        return [dict(v.__dict__) if type(v) is model else as_facts(v) if isinstance(v, BaseModel) else v for v in items]
    return [as_facts(v) if isinstance(v, BaseModel) else v for v in items]


@lru_cache(maxsize=None)
def _nested_fields(model: type[BaseModel]) -> tuple[str, ...] | None:
    """Fields of ``model`` that hold sections or lists of them; ``None`` if pydantic must dump it."""
    decorators = model.__pydantic_decorators__
    if (decorators.field_serializers or decorators.model_serializers or model.model_computed_fields
            or model.model_config.get("extra") == "allow" or any(f.exclude for f in model.model_fields.values())):
        return None
    return tuple(name for name, f in model.model_fields.items() if model_of(f.annotation) is not None)


TERM_DERIVED: dict[str, tuple[str, str]] = {
    "term_end": ("date", "本届任期届满日期"),
    "postponed_until": ("date", "经批准延期至"),
    "effective_term_end": ("date", "应换届日期（含批准延期）"),
    "days_to_term_end": ("int", "距应换届日期天数"),
    "term_overdue": ("bool", "换届逾期"),
    "days_overdue": ("int", "换届逾期天数"),
    "postponement_days": ("int", "延期换届天数"),
}
"""Facts of an elected body's term (name -> (kind, Chinese title)), added by :func:`add_term_facts`."""


def add_term_facts(facts: dict[str, Any], as_of: dt.date) -> None:
    """Add :data:`TERM_DERIVED` to the facts of a body with ``last_election``, ``term_years`` and ``postponement``."""
    last, years = facts.get("last_election"), facts.get("term_years")
    term_end = add_years(last, years) if last is not None and years else None
    postponement = facts.get("postponement") or {}
    until = postponement.get("until") if postponement.get("approved") else None
    effective = max(term_end, until) if term_end and until else term_end
    facts["term_end"] = term_end
    facts["postponed_until"] = until
    facts["effective_term_end"] = effective
    facts["days_to_term_end"] = (effective - as_of).days if effective else None
    facts["term_overdue"] = (as_of > effective) if effective else None
    facts["days_overdue"] = max(0, (as_of - effective).days) if effective else None
    facts["postponement_days"] = (until - term_end).days if term_end and until else None


def add_years(day: dt.date, years: int) -> dt.date:
    """``day`` plus whole years; 29 February falls back to 28 February."""
    try:
        return day.replace(year=day.year + years)
    except ValueError:
        return day.replace(year=day.year + years, day=28)


def age_on(birth: dt.date | None, on: dt.date) -> int | None:
    if birth is None:
        return None
    return on.year - birth.year - ((on.month, on.day) < (birth.month, birth.day))


def _scalar(annotation: Any, title: str) -> FactType:
    origin = typing.get_origin(annotation)
    args = typing.get_args(annotation)
    if origin is typing.Annotated:
        return _scalar(args[0], title)
    if origin in (typing.Union, types.UnionType):
        inner = [a for a in args if a is not type(None)]
        return _scalar(inner[0], title) if len(inner) == 1 else FactType("any", title)
    if origin is typing.Literal:
        return FactType("enum", title, choices=tuple(args))
    if origin is list:
        return FactType("list", title, element=_scalar(args[0], title))
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return model_schema(annotation, title)
    return FactType(
        {bool: "bool", int: "int", float: "float", str: "str", dt.date: "date"}.get(annotation, "any"), title
    )


def model_schema(model: type[BaseModel], title: str = "") -> FactType:
    children = {name: _scalar(f.annotation, f.title or name) for name, f in model.model_fields.items()}
    return FactType("object", title, children=children)


def extend(node: FactType, derived: dict[str, tuple[str, str]]) -> None:
    for name, (kind, title) in derived.items():
        node.children[name] = FactType(kind, title)




# --- data-quality checks ---------------------------------------------------------------------

def _mentions_date(annotation: Any) -> bool:
    return annotation is dt.date or any(_mentions_date(a) for a in typing.get_args(annotation))


@lru_cache(maxsize=None)
def _date_bearing_fields(model: type[BaseModel]) -> tuple[str, ...]:
    """Fields of ``model`` that are dates or may contain dates (nested models, lists of them)."""
    return tuple(name for name, f in model.model_fields.items()
                 if model_of(f.annotation) is not None or _mentions_date(f.annotation))


def dates_after(node: Any, day: dt.date, loc: Loc = ()) -> list[tuple[Loc, dt.date]]:
    """Every date later than ``day`` in a validated profile (or part of one), with its field path, in field order."""
    found: list[tuple[Loc, dt.date]] = []
    _collect_after(node, day, loc, found)
    return found


def _collect_after(node: Any, day: dt.date, loc: Loc, found: list[tuple[Loc, dt.date]]) -> None:
    if isinstance(node, BaseModel):
        for name in _date_bearing_fields(type(node)):
            value = getattr(node, name)
            if value is None:
                continue
            if type(value) is dt.date:
                if value > day:
                    found.append(((*loc, name), value))
            else:
                _collect_after(value, day, (*loc, name), found)
    elif isinstance(node, list):
        for index, item in enumerate(node):
            if type(item) is dt.date:
                if item > day:
                    found.append(((*loc, index), item))
            elif item is not None:
                _collect_after(item, day, (*loc, index), found)
    elif isinstance(node, dt.date) and loc and node > day:
        found.append((loc, node))


def value_at(obj: Any, loc: Loc) -> Any:
    """The value at a field path of a validated profile (``None`` where any part is missing)."""
    for name in loc:
        if obj is None:
            return None
        if type(name) is str:
            obj = getattr(obj, name, None)
        else:
            obj = obj[name] if isinstance(obj, list) and name < len(obj) else None
    return obj


def not_before(model: type[BaseModel], profile: Any, early: Loc, late: Loc, what: str) -> tuple[Issue, ...]:
    """An issue at ``late`` when that date is before the one at ``early`` (none otherwise: an empty tuple, so a
    check can ``yield from`` it); ``what`` says why it matters."""
    b = value_at(profile, late)
    if b is None:
        return ()
    a = value_at(profile, early)
    if a is None or not b < a:
        return ()
    before, after = field_label(model, early), field_label(model, late)
    return (Issue(late, b.isoformat(), f"不早于「{before}」（{zh_date(a)}）",
                  f"「{after}」（{zh_date(b)}）早于「{before}」（{zh_date(a)}），{what}"),)


def waiver_dates(model: type[BaseModel]) -> Callable[[Any, dt.date], Iterator[Issue]]:
    """A check that no waiver expires before it was approved (every domain's profile has ``waivers``)."""

    def run(profile: Any, as_of: dt.date) -> Iterator[Issue]:
        for index, _ in enumerate(profile.waivers or ()):
            yield from not_before(model, profile, ("waivers", index, "approved_on"), ("waivers", index, "expires"),
                                  "有效期不能早于批准日期")

    return run


def waiver_documents(model: type[BaseModel]) -> Callable[[Any, dt.date], Iterator[Issue]]:
    """A check that every waiver names its approval document: one without is invalid and is not applied."""

    def run(profile: Any, as_of: dt.date) -> Iterator[Issue]:
        for index, waiver in enumerate(profile.waivers or ()):
            if not waiver.document:
                loc = ("waivers", index, "document")
                yield Issue(loc, None, "上级批准文件的名称和文号",
                            f"豁免规则{waiver.rule}没有批准文件，豁免无效，该规则照常判断")

    return run


def no_future_dates(model: type[BaseModel], limits: frozenset[str]) -> Callable[[Any, dt.date], Iterator[Issue]]:
    """A check that no date is after the check date, except fields named in ``limits`` (延期至, 有效期至…)."""

    def run(profile: Any, as_of: dt.date) -> Iterator[Issue]:
        for loc, day in dates_after(profile, as_of):
            if loc[-1] not in limits:
                yield Issue(loc, day.isoformat(), f"不晚于检查日期{zh_date(as_of)}",
                            f"「{field_label(model, loc)}」（{zh_date(day)}）晚于检查日期{zh_date(as_of)}")

    return run


@dataclass(frozen=True)
class Issue:
    loc: Loc
    given: Any
    expected: str
    message: str


@dataclass(frozen=True)
class QualityCheck:
    id: str
    title: str
    level: Level
    run: Callable[[Any, dt.date], Iterable[Issue]]
    catalogue: str = "H"


def assess_with(checks: Iterable[QualityCheck], model: type[BaseModel], profile: BaseModel, as_of: dt.date,
                name: str = "", text: str | None = None,
                cell_of: Callable[[Loc], str | None] | None = None) -> tuple[list[Problem], list[Problem]]:
    """(errors, warnings) of ``profile`` as located problems.

    ``text`` is the YAML source (for line and column); ``cell_of`` maps a field path to a
    spreadsheet cell such as ``工会!C5`` for profiles read from the XLSX form.
    """
    errors: list[Problem] = []
    warnings: list[Problem] = []
    where = Locator(text) if text is not None else None
    more = {"error": 0, "warning": 0}
    for check, issue in ((c, i) for c in checks for i in c.run(profile, as_of)):
        if len(errors if check.level == "error" else warnings) >= MAX_REPORTED:
            more[check.level] += 1
            continue
        line = column = None
        if where is not None:
            line, column = where(issue.loc, model)
        path = ".".join(str(p) for p in issue.loc)
        cell = cell_of(issue.loc) if cell_of else None
        problem = Problem(
            file=name,
            message=(f"{cell}：" if cell else "") + f"{issue.message}（{check.id} {check.title}）",
            line=line,
            column=column,
            path=f"{field_label(model, issue.loc)} ({path})",
            key=str(issue.loc[-1]),
            given=given_text(issue.given),
            expected=issue.expected,
            code=check.id,
            level=check.level,
        )
        (errors if check.level == "error" else warnings).append(problem)
    return capped(errors, name, more["error"]), capped(warnings, name, more["warning"], "warning")
