"""Evaluate a compiled pack against one unit's facts: one :class:`Finding` per (rule, subject)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field, fields
from functools import lru_cache
from typing import Any, Iterable

from compliance.engine.conditions import Ctx
from compliance.domains.dangjian.facts import label_of
from compliance.engine.pack import SEVERITY_RANK, TEMPLATE_FIELD, CompiledRule, Pack

STATES: dict[str, str] = {
    "fail": "不符合",
    "unknown": "待核实",
    "waived": "豁免",
    "not_applicable": "不适用",
    "pass": "符合",
}


@dataclass
class Finding:
    """The result of one rule for one unit and subject, explaining itself."""

    unit_id: str
    unit_name: str
    rule_id: str
    subject: str
    state: str
    severity: str
    category: str
    title: str
    message: str
    basis: str
    measure: str
    facts: dict[str, Any]
    deadline_days: int = 30
    owner: str = ""
    evidence: list[str] = field(default_factory=list)
    catalogue: list[str] = field(default_factory=list)
    waiver: dict[str, Any] | None = None
    source: str = ""

    @property
    def state_zh(self) -> str:
        return STATES[self.state]

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready copy (same keys and order as ``dataclasses.asdict`` plus ``state_zh``)."""
        data = {name: getattr(self, name) for name in _FINDING_FIELDS}
        data["facts"] = {k: jsonable(v) for k, v in self.facts.items()}
        data["evidence"] = list(self.evidence)
        data["catalogue"] = list(self.catalogue)
        data["waiver"] = None if self.waiver is None else {k: jsonable(v) for k, v in self.waiver.items()}
        data["state_zh"] = self.state_zh
        return data


_FINDING_FIELDS = tuple(f.name for f in fields(Finding))


def jsonable(value: Any) -> Any:
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, dict):
        return {k: jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [jsonable(v) for v in value]
    return value


def show(value: Any) -> str:
    """A fact value as users read it."""
    if value is None:
        return "未填报"
    if value is True:
        return "是"
    if value is False:
        return "否"
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


_TEMPLATES: dict[str, list[str]] = {}


def render(template: str, ctx: Ctx) -> str:
    """Fill ``{path}`` fields from facts, ``item``, and ``param.*``; nothing else is evaluated."""
    parts = _TEMPLATES.get(template)
    if parts is None:
        parts = _TEMPLATES[template] = TEMPLATE_FIELD.split(template)
    out = []
    for index, part in enumerate(parts):
        if not index % 2:
            out.append(part)
            continue
        head, _, rest = part.partition(".")
        if head == "param":
            out.append(show(ctx.params.get(rest)))
            continue
        value: Any = ctx.item if head == "item" else ctx.facts.get(head)
        for name in rest.split(".") if rest else ():
            value = value.get(name) if isinstance(value, dict) else None
        out.append(show(value))
    return "".join(out)


def unit_waivers(pack: Pack, facts: dict, unit_id: str) -> list[dict]:
    """The unit's own waivers (profile) followed by those of the inspector's waiver file (``check --waivers``)."""
    return [*(facts.get("waivers") or ()), *pack.waivers.get(unit_id, ())]


def _waiver_for(waivers: list[dict] | None, rule_id: str, subject: str) -> dict | None:
    best = None
    for w in waivers or ():
        if w.get("rule") != rule_id:
            continue
        if w.get("subject") not in (None, "", subject):
            continue
        if best is None or (w.get("expires") or dt.date.min) > (best.get("expires") or dt.date.min):
            best = w
    return best


def _waiver_valid(w: dict, as_of: dt.date) -> bool:
    return bool(w.get("document")) and w.get("expires") is not None and w["expires"] >= as_of


def _subject(item: Any, index: int) -> tuple[str, str]:
    if isinstance(item, dict):
        return str(item.get("name") or item.get("key") or index + 1), str(item.get("key") or index)
    return str(index + 1), str(index)


def rule_subjects(rule: CompiledRule, facts: dict, params: dict, as_of: dt.date) -> list[tuple[str, Ctx]]:
    """(subject, ctx) for each subject of one rule: the unit itself, or the selected ``foreach`` items."""
    if rule.foreach_path is None:
        return [("", Ctx(facts, params, as_of))]
    items = facts
    for part in rule.foreach_path.split("."):
        items = items.get(part) if isinstance(items, dict) else None
    subjects = []
    where = rule.foreach_where.run if rule.foreach_where is not None else None
    for index, item in enumerate(items or ()):
        name, key = _subject(item, index)
        ctx = Ctx(facts, params, as_of, item, key)
        if where is not None:
            if where(ctx) is not True:
                continue
            ctx.used = {}
        subjects.append((name, ctx))
    return subjects


def evaluate_rule(rule: CompiledRule, facts: dict, params: dict, as_of: dt.date) -> Iterable[tuple[str, str, Ctx]]:
    """Yield (subject, state, ctx) for each subject of one rule (state before waivers)."""
    for subject, ctx in rule_subjects(rule, facts, params, as_of):
        try:
            state = _decide(rule, ctx)
        except TypeError as exc:
            ctx.used["计算错误"] = f"数据类型不符：{exc}"
            state = "unknown"
        yield subject, state, ctx


def _decide(rule: CompiledRule, ctx: Ctx) -> str:
    if rule.when is not None:
        applies = rule.when.run(ctx)
        if applies is False:
            return "not_applicable"
        if applies is None:
            # Applicability unknown: decide on the requirement if it is met anyway, otherwise unknown.
            return "pass" if rule.expect.run(ctx) is True else "unknown"
    result = rule.expect.run(ctx)
    return "pass" if result is True else "fail" if result is False else "unknown"


def _unknown_message(ctx: Ctx) -> str:
    return _missing_text(tuple(k for k, v in ctx.used.items() if v is None))


@lru_cache(maxsize=4096)
def _missing_text(missing: tuple[str, ...]) -> str:
    labels = "、".join(label_of(k) for k in missing) or "所需数据"
    return f"缺少数据：{labels}，无法判断，需现场核实"


def make_finding(compiled: CompiledRule, subject: str, state: str, ctx: Ctx, unit_id: str, unit_name: str,
                 waivers: list[dict] | None, as_of: dt.date, source: str = "") -> Finding:
    """The finding for one decided (rule, subject): message, waiver and everything that explains it."""
    rule = compiled.rule
    if state == "fail":
        message = render(rule.message, ctx)
    elif state == "unknown":
        message = (f"{subject}：" if subject else "") + _unknown_message(ctx)
    else:
        message = f"{STATES[state]}：{rule.title}" + (f"（{subject}）" if subject else "")
    waiver = None
    if waivers and state in ("fail", "unknown"):
        found = _waiver_for(waivers, rule.id, subject)
        if found is not None:
            waiver = dict(found)
            if _waiver_valid(found, as_of):
                state = "waived"
                message += f"（已豁免：{found.get('document')}，有效期至 {show(found.get('expires'))}）"
            else:
                waiver["expired"] = True
                message += f"（豁免已失效：{found.get('document') or '无批准文件'}，有效期至 {show(found.get('expires'))}）"
    return Finding(unit_id, unit_name, rule.id, subject, state, rule.severity, rule.category, rule.title, message,
                   compiled.basis_text, rule.measure, ctx.used, rule.deadline_days, rule.owner, rule.evidence,
                   rule.catalogue, waiver, source)


def unit_identity(facts: dict) -> tuple[str, str]:
    unit = facts.get("unit") or {}
    return str(unit.get("id") or ""), str(unit.get("name") or "")


def check_unit(pack: Pack, facts: dict, as_of: dt.date, source: str = "") -> list[Finding]:
    """All findings of ``pack`` for one unit's derived facts."""
    unit_id, unit_name = unit_identity(facts)
    waivers = unit_waivers(pack, facts, unit_id)
    params = pack.params
    findings = []
    for compiled in pack.rules:
        if not compiled.rule.enabled:
            continue
        for subject, state, ctx in evaluate_rule(compiled, facts, params, as_of):
            findings.append(make_finding(compiled, subject, state, ctx, unit_id, unit_name, waivers, as_of, source))
    return findings


def at_or_above(findings: Iterable[Finding], threshold: str) -> bool:
    """Whether any failing finding is at least as severe as ``threshold``."""
    floor = SEVERITY_RANK[threshold]
    return any(f.state == "fail" and SEVERITY_RANK[f.severity] >= floor for f in findings)
