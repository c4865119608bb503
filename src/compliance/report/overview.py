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

UNKNOWN_LABEL = "待核实"
DEFAULT_WEIGHTS: dict[str, float] = {"严重": 5, "一般": 2, "提示": 1, UNKNOWN_LABEL: 1}
"""Points per problem in the ranking; an item to verify (待核实) is not yet shown to be met and counts too."""
WEIGHT_NAMES = (*SEVERITIES, UNKNOWN_LABEL)
MET_STATES = ("pass", "waived", "advisory")
"""A unit meets a requirement only when its data shows it (待核实 is not yet demonstrated)."""
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
    met: int = 0
    """Requirements the unit's data shows as met (符合, 豁免, 仅提醒)."""
    applicable: int = 0
    """Requirements that apply to the unit (all but 不适用)."""

    @property
    def fail_total(self) -> int:
        return sum(self.fails.values())

    @property
    def met_share(self) -> float:
        """已证实达标率: met / applicable; 待核实 counts as not yet demonstrated."""
        return share(self.met, self.applicable)


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
        """Failed rules, the most severe first, then by the share of units failing, then in pack order."""
        failing = [r for r in self.rules if r.units["fail"]]
        order = {r.rule_id: i for i, r in enumerate(self.rules)}
        failing.sort(key=lambda r: (-SEVERITY_RANK[r.severity], -r.units["fail"], order[r.rule_id]))
        return failing[:top]

    def well_met(self, top: int = 5, floor: float = 0.8) -> list[RuleStat]:
        """Requirements most units are shown to meet: met share of the units it applies to ≥ ``floor``."""
        def met(r: RuleStat) -> float:
            return share(sum(r.units[s] for s in MET_STATES), self.unit_count - r.units["not_applicable"])

        good = [r for r in self.rules if self.unit_count - r.units["not_applicable"] > 0 and met(r) >= floor]
        good.sort(key=lambda r: -met(r))
        return good[:top]

    def units_doing_well(self, floor: float = 0.8) -> list[UnitRank]:
        """Units with no problem whose data shows at least ``floor`` of their requirements met, best first."""
        good = [r for r in self.ranking if not r.fail_total and r.applicable and r.met_share >= floor]
        return sorted(good, key=lambda r: (-r.met_share, r.unit_id))


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
        unit_states = Counter(unit_rule_state(found) for found in per_rule.values())
        score = sum(weights.get(s, 0) * n for s, n in unit_fails.items())
        score += weights.get(UNKNOWN_LABEL, 0) * len(unit.unknowns)
        ranking.append(UnitRank(unit.unit_id, unit.unit_name, {s: unit_fails.get(s, 0) for s in SEVERITIES},
                                len(unit.unknowns), len(unit.by_state("waived")), score,
                                met=sum(unit_states[s] for s in MET_STATES),
                                applicable=len(per_rule) - unit_states["not_applicable"]))
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
    """``严重=5,一般=2,提示=1,待核实=1`` → weights; raises ``ValueError`` with a Chinese message."""
    weights: dict[str, float] = {}
    for part in filter(None, (p.strip() for p in text.replace("，", ",").split(","))):
        name, sep, value = part.partition("=")
        name = name.strip()
        if not sep or name not in WEIGHT_NAMES:
            raise ValueError(f"「{part}」应写成 严重程度=权重，严重程度为 {'/'.join(WEIGHT_NAMES)}")
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


@dataclass
class ProblemGroup:
    """The findings of one rule in one unit, across its organisations (G1 for 工会, 共青团, 妇委会 → one problem)."""

    findings: list[Finding]

    @property
    def first(self) -> Finding:
        return self.findings[0]

    @property
    def subjects(self) -> list[str]:
        return list(dict.fromkeys(f.subject for f in self.findings if f.subject))

    @property
    def messages(self) -> list[str]:
        return list(dict.fromkeys(f.message for f in self.findings))

    @property
    def evidence(self) -> list[str]:
        return list(dict.fromkeys(doc for f in self.findings for doc in f.evidence))

    def deadline(self, as_of: dt.date) -> dt.date:
        """The earliest 整改时限 of the group's findings."""
        return min(fix_deadline(f, as_of) for f in self.findings)


def group_by_rule(findings: Iterable[Finding]) -> list[ProblemGroup]:
    """Findings grouped by rule, in the order each rule first appears."""
    groups: dict[str, list[Finding]] = {}
    for f in findings:
        groups.setdefault(f.rule_id, []).append(f)
    return [ProblemGroup(fs) for fs in groups.values()]
