"""The one vocabulary of results: states, severities and their Chinese labels, the :class:`Finding`,
the run's counters, and how values become JSON (dates as ``YYYY-MM-DD``)."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass, field, fields
from typing import Any, Iterable, Literal

STATES: dict[str, str] = {
    "fail": "不符合",
    "unknown": "待核实",
    "advisory": "提醒",
    "waived": "豁免",
    "not_applicable": "不适用",
    "pass": "符合",
}
LISTED_STATES: tuple[str, ...] = ("fail", "unknown", "advisory", "waived")
"""States listed item by item in a 问题清单; the others are only counted. Only ``fail`` is a problem:
a reminder (``advisory``, from a rule of kind 提醒) never enters problem counts, scores, the ledger or notices."""
STATE_OF_LABEL: dict[str, str] = {label: state for state, label in STATES.items()}
"""符合 → pass …: the Chinese labels accepted wherever a state is written by hand (rule examples)."""

Severity = Literal["严重", "一般", "提示"]
SEVERITIES: tuple[str, ...] = ("严重", "一般", "提示")
SEVERITY_RANK: dict[str, int] = {"严重": 3, "一般": 2, "提示": 1}


@dataclass(slots=True)
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
    """``value`` with dates (also nested) as ISO text."""
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
        return zh_date(value) or ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def zh_date(day: dt.date | None) -> str | None:
    """``2025-04-10`` → ``2025年4月10日``, the way dates are written in prose."""
    return f"{day.year}年{day.month}月{day.day}日" if day else None


def json_default(value: Any) -> Any:
    """``default=`` for :func:`json.dumps`: dates as ISO text, anything else refused."""
    if isinstance(value, dt.date):
        return value.isoformat()
    raise TypeError(f"Object of type {type(value).__name__} is not JSON serializable")


def at_or_above(findings: Iterable[Finding], threshold: str) -> bool:
    """Whether any failing finding is at least as severe as ``threshold``."""
    floor = SEVERITY_RANK[threshold]
    return any(f.state == "fail" and SEVERITY_RANK[f.severity] >= floor for f in findings)


@dataclass
class Summary:
    """Counters over a run, so that output need not keep every finding."""

    units: int = 0
    files_with_errors: int = 0
    states: Counter = field(default_factory=Counter)
    fail_by_severity: Counter = field(default_factory=Counter)

    def add(self, findings: Iterable[Finding]) -> None:
        self.units += 1
        for f in findings:
            self.states[f.state] += 1
            if f.state == "fail":
                self.fail_by_severity[f.severity] += 1

    def to_dict(self) -> dict[str, Any]:
        return {
            "units": self.units,
            "files_with_errors": self.files_with_errors,
            "states": {state: self.states.get(state, 0) for state in STATES},
            "fail_by_severity": {s: self.fail_by_severity.get(s, 0) for s in SEVERITIES},
        }

    def line(self) -> str:
        states = "，".join(f"{zh}{self.states.get(state, 0)}项" for state, zh in STATES.items())
        severities = "、".join(f"{s}{self.fail_by_severity.get(s, 0)}项" for s in SEVERITIES)
        errors = f"，{self.files_with_errors}个文件有错误未检查" if self.files_with_errors else ""
        return f"共检查{self.units}个单位{errors}；结果：{states}（不符合中{severities}）"
