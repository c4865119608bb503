"""Statistics for the 督查报告 and per-unit views: computed from findings, no formatting."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from compliance.findings import SEVERITIES, SEVERITY_RANK, STATES, Finding
from compliance.inputs.loader import Problem
from compliance.engine.pack import Pack
from compliance.output.files import safe_name

DEFAULT_WEIGHTS: dict[str, float] = {"严重": 5, "一般": 2, "提示": 1}
# A unit's state for a rule with several subjects (foreach): the worst one wins in this order.
UNIT_STATE_ORDER = ("fail", "unknown", "advisory", "waived", "pass", "not_applicable")


def unit_rule_state(states: Iterable[str]) -> str:
    """One state per (unit, rule): fail > unknown > advisory > waived > pass > not_applicable (also for no subject)."""
    present = set(states)
    return next((s for s in UNIT_STATE_ORDER if s in present), "not_applicable")


def share(part: int, whole: int) -> float:
    return part / whole if whole else 0.0


@dataclass
class UnitView:
    """One checked unit with its findings (the input of a checklist and a notice)."""

    unit_id: str
    unit_name: str
    source: str
    findings: list[Finding]
    addressee: str = ""
    """To whom the unit's 整改通知书 is addressed (the domain decides; the unit's name when empty)."""

    def by_state(self, state: str) -> list[Finding]:
        return [f for f in self.findings if f.state == state]

    @property
    def fails(self) -> list[Finding]:
        return sorted(self.by_state("fail"), key=lambda f: -SEVERITY_RANK[f.severity])

    @property
    def unknowns(self) -> list[Finding]:
        return self.by_state("unknown")

    @property
    def reminders(self) -> list[Finding]:
        """Reminders (such as a term ending soon): shown to the unit, never counted as problems."""
        return self.by_state("advisory")

    @property
    def waivers(self) -> list[Finding]:
        """Findings whose waiver documents are to be seen: valid waivers and expired ones."""
        return [f for f in self.findings if f.waiver is not None]

    @property
    def evidence(self) -> list[str]:
        """Documents to ask for on site, in order of first mention, without repeats."""
        docs: dict[str, None] = {}
        for f in self.unknowns + self.fails + self.waivers:
            for doc in f.evidence:
                docs.setdefault(doc, None)
            if f.waiver and f.waiver.get("document"):
                docs.setdefault(str(f.waiver["document"]), None)
        return list(docs)


@dataclass
class RuleStat:
    """How many units fail, are unknown, … for one rule (a unit counts once per rule)."""

    rule_id: str
    title: str
    category: str
    severity: str
    measure: str
    units: dict[str, int] = field(default_factory=lambda: {s: 0 for s in STATES})
    findings: dict[str, int] = field(default_factory=lambda: {s: 0 for s in STATES})
    failing_units: list[str] = field(default_factory=list)

    def unit_share(self, state: str, total: int) -> float:
        return share(self.units[state], total)


@dataclass
class UnitRank:
    unit_id: str
    unit_name: str
    fails: dict[str, int]
    unknown: int
    waived: int
    score: float
    rank: int = 0

    @property
    def fail_total(self) -> int:
        return sum(self.fails.values())


@dataclass
class CategoryStat:
    category: str
    fails: dict[str, int]
    units_failing: int

    @property
    def total(self) -> int:
        return sum(self.fails.values())


@dataclass
class Overview:
    """Everything the 督查报告 says, as numbers and lists."""

    pack_id: str
    pack_title: str
    pack_version: str
    as_of: dt.date
    units: list[UnitView]
    errors: list[Problem]
    files_with_errors: int
    weights: dict[str, float]
    states: dict[str, int]
    fail_by_severity: dict[str, int]
    categories: list[CategoryStat]
    rules: list[RuleStat]
    ranking: list[UnitRank]
    issuer: str = ""
    """The inspecting body (``--issuer``, else the domain's)."""
    subject: str = ""
    """What is inspected, as in 党建带群建工作 (the domain's title)."""

    @property
    def unit_count(self) -> int:
        return len(self.units)

    @property
    def units_with_fails(self) -> int:
        return sum(1 for u in self.units if u.fails)

    def common_problems(self, top: int = 10) -> list[RuleStat]:
        """Rules failed by the most units (ties: more severe first, then pack order)."""
        failing = [r for r in self.rules if r.units["fail"]]
        order = {r.rule_id: i for i, r in enumerate(self.rules)}
        failing.sort(key=lambda r: (-r.units["fail"], -SEVERITY_RANK[r.severity], order[r.rule_id]))
        return failing[:top]


def build_overview(pack: Pack, units: list[UnitView], as_of: dt.date, errors: list[Problem] | None = None,
                   files_with_errors: int = 0, weights: dict[str, float] | None = None,
                   issuer: str = "") -> Overview:
    """Count findings by state, severity, category and rule; rank units by weighted problems."""
    weights = dict(DEFAULT_WEIGHTS | (weights or {}))
    states: Counter = Counter()
    fail_sev: Counter = Counter()
    rules = {c.id: RuleStat(c.id, c.rule.title, c.rule.category, c.rule.severity, c.rule.measure)
             for c in pack.rules if c.rule.enabled}
    cat_fails: dict[str, Counter] = {}
    cat_units: dict[str, set[int]] = {}
    for r in rules.values():
        cat_fails.setdefault(r.category, Counter())
        cat_units.setdefault(r.category, set())
    ranking = []
    for index, unit in enumerate(units):
        per_rule: dict[str, list[str]] = {rid: [] for rid in rules}
        unit_fails: Counter = Counter()
        for f in unit.findings:
            states[f.state] += 1
            stat = rules.get(f.rule_id)
            if stat is None:
                stat = rules[f.rule_id] = RuleStat(f.rule_id, f.title, f.category, f.severity, f.measure)
                cat_fails.setdefault(f.category, Counter())
                cat_units.setdefault(f.category, set())
            stat.findings[f.state] += 1
            per_rule.setdefault(f.rule_id, []).append(f.state)
            if f.state == "fail":
                fail_sev[f.severity] += 1
                unit_fails[f.severity] += 1
                cat_fails[f.category][f.severity] += 1
                cat_units[f.category].add(index)
        for rid, found in per_rule.items():
            state = unit_rule_state(found)
            rules[rid].units[state] += 1
            if state == "fail":
                rules[rid].failing_units.append(unit.unit_name)
        score = sum(weights.get(s, 0) * n for s, n in unit_fails.items())
        ranking.append(UnitRank(unit.unit_id, unit.unit_name, {s: unit_fails.get(s, 0) for s in SEVERITIES},
                                len(unit.unknowns), len(unit.by_state("waived")), score))
    ranking.sort(key=lambda r: (-r.score, -r.fails["严重"], -r.unknown, r.unit_id, r.unit_name))
    previous: tuple[float, int] | None = None
    for position, r in enumerate(ranking, 1):
        key = (r.score, r.fails["严重"])
        r.rank = ranking[position - 2].rank if key == previous else position
        previous = key
    categories = [CategoryStat(c, {s: n.get(s, 0) for s in SEVERITIES}, len(cat_units[c])) for c, n in cat_fails.items()]
    return Overview(
        pack_id=pack.meta.id, pack_title=pack.meta.title, pack_version=pack.meta.version, as_of=as_of,
        units=units, errors=list(errors or []), files_with_errors=files_with_errors, weights=weights,
        states={s: states.get(s, 0) for s in STATES},
        fail_by_severity={s: fail_sev.get(s, 0) for s in SEVERITIES},
        categories=categories, rules=list(rules.values()), ranking=ranking, issuer=issuer or pack.domain.issuer, subject=pack.domain.title,
    )


def parse_weights(text: str) -> dict[str, float]:
    """``严重=5,一般=2,提示=1`` → weights; raises ``ValueError`` with a Chinese message."""
    weights: dict[str, float] = {}
    for part in filter(None, (p.strip() for p in text.replace("，", ",").split(","))):
        name, sep, value = part.partition("=")
        name = name.strip()
        if not sep or name not in SEVERITIES:
            raise ValueError(f"「{part}」应写成 严重程度=权重，严重程度为 {'/'.join(SEVERITIES)}")
        try:
            number = float(value)
        except ValueError:
            raise ValueError(f"「{part}」中的权重「{value.strip()}」不是数字") from None
        if number < 0:
            raise ValueError(f"「{part}」中的权重不能为负数")
        weights[name] = number
    return weights


def reply_deadline(as_of: dt.date, reply_days: int) -> dt.date:
    """The date by which a unit replies to its 整改通知书: the check date plus ``reply_days``."""
    return as_of + dt.timedelta(days=reply_days)


def fix_deadline(finding: Finding, as_of: dt.date) -> dt.date:
    """The 整改时限 of one problem: the check date plus the rule's ``deadline_days``."""
    return as_of + dt.timedelta(days=finding.deadline_days)


def as_dict(overview: Overview) -> dict[str, Any]:
    """Machine-readable numbers of the overview (for tests and integrations)."""
    return {
        "units": overview.unit_count,
        "states": dict(overview.states),
        "fail_by_severity": dict(overview.fail_by_severity),
        "rules": {r.rule_id: {"units": dict(r.units), "findings": dict(r.findings)} for r in overview.rules},
        "ranking": [(r.unit_id, r.score) for r in overview.ranking],
    }


def unit_stems(units: list[UnitView]) -> list[str]:
    """``SZ-014_市水利局`` per unit, made unique (``_2``, ``_3`` …) when two files describe the same unit."""
    seen: Counter = Counter()
    stems = []
    for u in units:
        stem = safe_name(f"{u.unit_id}_{u.unit_name}" if u.unit_id else u.unit_name)
        seen[stem.lower()] += 1
        stems.append(stem if seen[stem.lower()] == 1 else f"{stem}_{seen[stem.lower()]}")
    return stems


def percent(part: int, whole: int) -> str:
    return f"{share(part, whole) * 100:.0f}%"


def fixed_zip(data: bytes, when: dt.date) -> bytes:
    """Rewrite a DOCX/XLSX archive with every member dated ``when``, so equal content gives equal bytes."""
    import io
    import zipfile

    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            member = zipfile.ZipInfo(info.filename, date_time=(when.year, when.month, when.day, 0, 0, 0))
            member.compress_type = zipfile.ZIP_DEFLATED
            member.external_attr = 0o600 << 16
            dst.writestr(member, src.read(info.filename))
    return out.getvalue()
