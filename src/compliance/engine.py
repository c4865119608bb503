"""Evaluate a compiled pack against one unit's facts: one :class:`Finding` per (rule, subject)."""

from __future__ import annotations

import datetime as dt
from dataclasses import asdict, dataclass, field
from typing import Any, Iterable

from .conditions import Ctx
from .facts import label_of
from .pack import SEVERITY_RANK, TEMPLATE_FIELD, CompiledRule, Pack

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
        data = asdict(self)
        data["state_zh"] = self.state_zh
        data["facts"] = {k: jsonable(v) for k, v in self.facts.items()}
        if self.waiver:
            data["waiver"] = {k: jsonable(v) for k, v in self.waiver.items()}
        return data


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


def render(template: str, ctx: Ctx) -> str:
    """Fill ``{path}`` fields from facts, ``item``, and ``param.*``; nothing else is evaluated."""

    def field_value(match: Any) -> str:
        path = match.group(1)
        head, _, rest = path.partition(".")
        if head == "param":
            return show(ctx.params.get(rest))
        value: Any = ctx.item if head == "item" else ctx.facts.get(head)
        for part in rest.split(".") if rest else ():
            value = value.get(part) if isinstance(value, dict) else None
        return show(value)

    return TEMPLATE_FIELD.sub(field_value, template)


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


def evaluate_rule(rule: CompiledRule, facts: dict, params: dict, as_of: dt.date) -> Iterable[tuple[str, str, Ctx]]:
    """Yield (subject, state, ctx) for each subject of one rule (state before waivers)."""
    if rule.foreach_path is None:
        subjects: list[tuple[str, Ctx]] = [("", Ctx(facts, params, as_of))]
    else:
        items = facts
        for part in rule.foreach_path.split("."):
            items = items.get(part) if isinstance(items, dict) else None
        subjects = []
        for index, item in enumerate(items or ()):
            name, key = _subject(item, index)
            ctx = Ctx(facts, params, as_of, item, key)
            if rule.foreach_where is not None and rule.foreach_where.run(ctx) is not True:
                continue
            ctx.used = {}
            subjects.append((name, ctx))
    for subject, ctx in subjects:
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
    missing = [k for k, v in ctx.used.items() if v is None]
    labels = "、".join(label_of(k) for k in missing) or "所需数据"
    return f"缺少数据：{labels}，无法判断，需现场核实"


def check_unit(pack: Pack, facts: dict, as_of: dt.date, source: str = "") -> list[Finding]:
    """All findings of ``pack`` for one unit's derived facts."""
    unit = facts.get("unit") or {}
    unit_id, unit_name = str(unit.get("id") or ""), str(unit.get("name") or "")
    waivers = facts.get("waivers")
    findings = []
    for compiled in pack.rules:
        rule = compiled.rule
        if not rule.enabled:
            continue
        for subject, state, ctx in evaluate_rule(compiled, facts, pack.params, as_of):
            if state == "fail":
                message = render(rule.message, ctx)
            elif state == "unknown":
                message = (f"{subject}：" if subject else "") + _unknown_message(ctx)
            else:
                message = f"{STATES[state]}：{rule.title}" + (f"（{subject}）" if subject else "")
            waiver = None
            if state in ("fail", "unknown"):
                found = _waiver_for(waivers, rule.id, subject)
                if found is not None:
                    waiver = dict(found)
                    if _waiver_valid(found, as_of):
                        state = "waived"
                        message += f"（已豁免：{found.get('document')}，有效期至 {show(found.get('expires'))}）"
                    else:
                        waiver["expired"] = True
                        message += f"（豁免已失效：{found.get('document') or '无批准文件'}，有效期至 {show(found.get('expires'))}）"
            findings.append(
                Finding(
                    unit_id=unit_id,
                    unit_name=unit_name,
                    rule_id=rule.id,
                    subject=subject,
                    state=state,
                    severity=rule.severity,
                    category=rule.category,
                    title=rule.title,
                    message=message,
                    basis=compiled.basis_text,
                    measure=rule.measure,
                    facts=ctx.used,
                    deadline_days=rule.deadline_days,
                    owner=rule.owner,
                    evidence=list(rule.evidence),
                    catalogue=list(rule.catalogue),
                    waiver=waiver,
                    source=source,
                )
            )
    return findings


def at_or_above(findings: Iterable[Finding], threshold: str) -> bool:
    """Whether any failing finding is at least as severe as ``threshold``."""
    floor = SEVERITY_RANK[threshold]
    return any(f.state == "fail" and SEVERITY_RANK[f.severity] >= floor for f in findings)
