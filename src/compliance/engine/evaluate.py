"""Evaluate a compiled pack against one unit's facts: one :class:`Finding` per (rule, subject)."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from functools import lru_cache
from typing import Any, Iterable, Iterator, NamedTuple

from compliance.engine.conditions import Ctx
from compliance.engine.domain import Domain
from compliance.engine.pack import TEMPLATE_FIELD, CompiledRule, Pack
from compliance.engine.waivers import choose_waiver, waiver_valid
from compliance.findings import STATES, Finding, show

MAX_MESSAGE = 2000
"""Characters of one rendered message; a longer one ends in "…"."""
MAX_REMEMBERED = 4096
"""Messages one rule keeps for reuse (see :class:`RuleTexts`); past that it starts afresh, so subjects that differ
from unit to unit cannot grow it without bound."""
Piece = str | tuple[str, tuple[str, ...]]
"""A literal text of a message template, or a field: (head, rest of its path)."""


@lru_cache(maxsize=1024)
def template_pieces(template: str) -> tuple[Piece, ...]:
    """``{path}`` fields of a message template, split once: literal texts and (head, rest of the path)."""
    parts = TEMPLATE_FIELD.split(template)
    return tuple(part if not index % 2 else (part.partition(".")[0], tuple(p for p in part.split(".")[1:] if p))
                 for index, part in enumerate(parts) if part or index % 2)


def render(template: str, ctx: Ctx) -> str:
    """Fill ``{path}`` fields from facts, ``item``, and ``param.*``; nothing else is evaluated; at most
    :data:`MAX_MESSAGE` characters."""
    out = []
    for piece in template_pieces(template):
        if type(piece) is str:
            out.append(piece)
            continue
        head, rest = piece
        if head == "param":
            out.append(show(ctx.params.get(".".join(rest))))
            continue
        value: Any = ctx.item if head == "item" else ctx.facts.get(head)
        for name in rest:
            value = value.get(name) if isinstance(value, dict) else None
        out.append(show(value))
    text = "".join(out)
    return text if len(text) <= MAX_MESSAGE else text[:MAX_MESSAGE - 1] + "…"


def unit_waivers(pack: Pack, facts: dict, unit_id: str) -> list[dict]:
    """The unit's own waivers (profile) followed by those of the inspector's waiver file (``check --waivers``)."""
    return [*pack.domain.own_waivers(facts), *pack.waivers.get(unit_id, ())]


def _subject(item: Any, index: int) -> tuple[str, str]:
    if isinstance(item, dict):
        return str(item.get("name") or item.get("key") or index + 1), str(item.get("key") or index)
    return str(index + 1), str(index)


def foreach_items(path: str, facts: dict) -> Iterable[Any]:
    """The list a ``foreach`` rule goes through (empty when the facts lack it)."""
    items: Any = facts
    for part in path.split("."):
        items = items.get(part) if isinstance(items, dict) else None
    return items or ()


def foreach_subjects(path: str, facts: dict, memo: dict) -> list[tuple[Any, str, str]]:
    """(item, subject, key) of each item of the list a ``foreach`` goes through, worked out once per unit
    (``memo``: the unit's, see :class:`Ctx`) for all the rules that go through it."""
    found = memo.get(path)
    if found is None:
        found = memo[path] = [(item, *_subject(item, index)) for index, item in enumerate(foreach_items(path, facts))]
    return found


def in_scope(rule: CompiledRule, facts: dict, ctx: Ctx) -> Iterator[str]:
    """The subjects of a ``foreach`` rule that its ``where`` selects: ``ctx`` is set to each in turn (item, key,
    a new ``used`` record) before its subject is yielded."""
    where = rule.foreach_where.run if rule.foreach_where is not None else None
    for item, subject, key in foreach_subjects(rule.foreach_path or "", facts, ctx.memo):
        ctx.item, ctx.item_label, ctx.this, ctx.used = item, key, None, {}
        if where is not None:
            if where(ctx) is not True:
                continue
            ctx.used = {}
        yield subject


def rule_subjects(rule: CompiledRule, facts: dict, params: dict, as_of: dt.date,
                  memo: dict | None = None) -> list[tuple[str, Ctx]]:
    """(subject, ctx) for each subject of one rule, each with its own ctx: the unit itself, or the ``foreach``
    items :func:`in_scope` selects (``memo``: the unit's indexes, shared by its contexts)."""
    ctx = Ctx(facts, params, as_of, memo=memo)
    if rule.foreach_path is None:
        return [("", ctx)]
    return [(subject, Ctx(facts, params, as_of, ctx.item, ctx.item_label, ctx.memo))
            for subject in in_scope(rule, facts, ctx)]


@lru_cache(maxsize=4096)
def _missing_text(domain: Domain, missing: tuple[str, ...]) -> str:
    names = "、".join(dict.fromkeys(f"“{_field_name(domain.label_of(k))}”" for k in missing)) or "所需数据"
    return f"档案未填报{names}，需现场核实"


def _field_name(label: str) -> str:
    """``责任落实.纳入书记述职`` → ``纳入书记述职``; a name that needs its section keeps it (``妇委会是否建立``)."""
    parts = [p for p in label.split(".") if p]
    if len(parts) > 1 and (len(parts[-1]) <= 3 or parts[-1].startswith(("是否", "负责人"))):
        return parts[-2] + parts[-1]
    return parts[-1] if parts else label


class RuleTexts(NamedTuple):
    """What every finding of one rule repeats, read once from its (possibly refitted) :class:`Rule`."""

    rule: Any
    advisory: bool
    rule_id: str
    severity: str
    category: str
    title: str
    message: str
    measure: str
    deadline_days: int
    owner: str
    evidence: list[str]
    catalogue: list[str]
    settled: dict[tuple[str, str], str]
    """Messages of pass and not_applicable by (state, subject): the same few texts for every unit."""
    unknown: dict[tuple[str, tuple[str, ...]], str]
    """Messages of unknown by (subject, the facts found missing): again the same few texts for every unit."""


def rule_texts(compiled: CompiledRule) -> RuleTexts:
    """The cached :class:`RuleTexts` of ``compiled``, renewed when its rule was replaced (see ``Pack.for_check``)."""
    texts = compiled.texts
    rule = compiled.rule
    if texts is None or texts.rule is not rule:
        texts = compiled.texts = RuleTexts(
            rule, rule.kind == "提醒", rule.id, rule.severity, rule.category, rule.title, rule.message, rule.measure,
            rule.deadline_days, rule.owner, rule.evidence, rule.catalogue, {}, {})
    return texts


def _remember(cache: dict, key: Any, message: str) -> str:
    if len(cache) >= MAX_REMEMBERED:
        cache.clear()
    cache[key] = message
    return message


def make_finding(domain: Domain, compiled: CompiledRule, subject: str, state: str, ctx: Ctx, unit_id: str,
                 unit_name: str, waivers: list[dict] | None, as_of: dt.date, source: str = "") -> Finding:
    """The finding for one decided (rule, subject): message, waiver and everything that explains it."""
    texts = compiled.texts
    if texts is None or texts.rule is not compiled.rule:
        texts = rule_texts(compiled)
    if state == "unknown":
        missing = (subject, tuple([k for k, v in ctx.used.items() if v is None]))
        message = texts.unknown.get(missing)
        if message is None:
            message = _remember(texts.unknown, missing,
                                (f"{subject}：" if subject else "") + _missing_text(domain, missing[1]))
    elif state == "fail":
        if texts.advisory:
            state = "advisory"
        message = render(texts.message, ctx)
    else:
        message = texts.settled.get((state, subject))
        if message is None:
            message = _remember(texts.settled, (state, subject),
                                f"{STATES[state]}：{texts.title}" + (f"（{subject}）" if subject else ""))
    waiver = None
    if waivers and state in ("fail", "unknown"):
        found = choose_waiver(waivers, texts.rule_id, subject)
        if found is not None:
            waiver = dict(found)
            if waiver_valid(found, as_of):
                state = "waived"
                message += f"（已豁免：{found.get('document')}，有效期至{show(found.get('expires'))}）"
            else:
                waiver["expired"] = True
                message += f"（豁免已失效：{found.get('document') or '无批准文件'}，有效期至{show(found.get('expires'))}）"
    basis = compiled.basis_for.get(subject, compiled.basis_text) if subject and compiled.basis_for else compiled.basis_text
    return Finding(unit_id, unit_name, texts.rule_id, subject, state, texts.severity, texts.category, texts.title,
                   message, basis, texts.measure, ctx.used, texts.deadline_days, texts.owner, texts.evidence,
                   texts.catalogue, waiver, source)


def decisions(rules: Iterable[CompiledRule], facts: dict, params: dict, as_of: dt.date,
              memo: dict | None = None) -> Iterator[tuple[CompiledRule, str, str, Ctx]]:
    """(rule, subject, state before waivers, ctx) for each enabled rule and subject, with one reused context for
    the unit and one for ``foreach`` items (see :func:`in_scope`): a ctx is valid until the next subject (its
    ``used`` record is a new dict each time, so it may be kept)."""
    unit_ctx = Ctx(facts, params, as_of, memo=memo)
    item_ctx = Ctx(facts, params, as_of, memo=unit_ctx.memo)
    for compiled in rules:
        if not compiled.rule.enabled:
            continue
        decide = compiled.decide
        if compiled.foreach_path is None:
            unit_ctx.used = {}
            yield compiled, "", decide(unit_ctx), unit_ctx
            continue
        for subject in in_scope(compiled, facts, item_ctx):
            yield compiled, subject, decide(item_ctx), item_ctx


SETTLED = frozenset({"pass", "not_applicable"})
"""States that never carry a message to act on, a waiver or a deadline."""


def check_unit(pack: Pack, facts: dict, as_of: dt.date, source: str = "",
               count_settled: Counter | None = None) -> list[Finding]:
    """All findings of ``pack`` for one unit's derived facts (see :func:`decisions`); with ``count_settled``,
    符合 and 不适用 results are only counted there, not built (for outputs that list neither)."""
    domain = pack.domain
    unit_id, unit_name = domain.identity(facts)
    waivers = unit_waivers(pack, facts, unit_id)
    findings: list[Finding] = []
    add = findings.append
    if count_settled is None:
        for compiled, subject, state, ctx in decisions(pack.rules, facts, pack.params, as_of):
            add(make_finding(domain, compiled, subject, state, ctx, unit_id, unit_name, waivers, as_of, source))
        return findings
    passed = not_applicable = 0
    for compiled, subject, state, ctx in decisions(pack.rules, facts, pack.params, as_of):
        if state == "pass":
            passed += 1
        elif state == "not_applicable":
            not_applicable += 1
        else:
            add(make_finding(domain, compiled, subject, state, ctx, unit_id, unit_name, waivers, as_of, source))
    if passed:
        count_settled["pass"] += passed
    if not_applicable:
        count_settled["not_applicable"] += not_applicable
    return findings
