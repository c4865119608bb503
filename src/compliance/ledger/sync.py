"""Sync: read check results into per-unit :class:`UnitCheck` objects and reconcile them with the ledger."""

from __future__ import annotations

import datetime as dt
import json
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterable

from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy import select
from sqlalchemy.orm import Session

from compliance.inputs.validation import validate_as
from compliance.findings import SEVERITY_RANK, STATES, zh_date
from compliance.inputs.loader import InputError, Problem, parse_text, read_text
from compliance.ledger.lifecycle import set_field, touch
from compliance.ledger.models import History, Item
from compliance.ledger.vocabulary import CLOSED, DONE, NEW, RESULT_ZH, WAIVED, WORKING


class ObservedFinding(BaseModel):
    """A finding as read from ``compliance check --format json`` (only the fields the ledger uses)."""

    model_config = ConfigDict(extra="ignore")

    unit_id: str = Field(min_length=1, title="单位编号")
    unit_name: str = Field("", title="单位名称")
    rule_id: str = Field(min_length=1, title="规则编号")
    subject: str = Field("", title="对象")
    state: str = Field(pattern=f"^({'|'.join(STATES)})$", title="结果")
    severity: str = Field("", title="严重程度")
    category: str = Field("", title="问题类别")
    title: str = Field("", title="规则标题")
    message: str = Field("", title="问题描述")
    basis: str = Field("", title="依据")
    measure: str = Field("", title="整改措施")
    deadline_days: int = Field(30, ge=0, title="整改时限（天）")
    owner: str = Field("", title="责任人")
    waiver: dict[str, Any] | None = Field(None, title="豁免")
    source: str = Field("", title="档案文件")


class ResultsDocument(BaseModel):
    model_config = ConfigDict(extra="ignore")

    tool: str = Field(pattern="^compliance$", title="工具")
    as_of: dt.date = Field(title="检查日期")
    findings: list[ObservedFinding] = Field(title="检查结果")
    errors: list[Any] = Field(default_factory=list, title="错误")


@dataclass
class UnitCheck:
    """All findings of one unit from one check; rules not evaluated leave their items untouched."""

    unit_id: str
    unit_name: str
    as_of: dt.date
    findings: list[ObservedFinding]
    rules: set[str]
    source: str = ""
    profiles: tuple[str, ...] = ()
    """The profile files the findings came from (several when two profiles carry the same unit id)."""

    @property
    def origins(self) -> tuple[str, ...]:
        """Where this unit's data came from, as the user names it: its profile files, else the input file."""
        return self.profiles or ((self.source,) if self.source else ())


def is_results_document(data: Any) -> bool:
    return isinstance(data, dict) and data.get("tool") == "compliance" and "findings" in data


def checks_from_results(data: Any, name: str, text: str | None = None) -> list[UnitCheck]:
    """Unit checks from a ``compliance check --format json`` document; malformed input → InputError."""
    doc = validate_as(ResultsDocument, data, name, text)
    duplicates = [e for e in doc.errors if isinstance(e, dict) and e.get("code") == DUPLICATE]
    if duplicates:
        raise InputError([Problem(name, f"该检查结果中有单位编号重复的档案（{str(e.get('file', ''))[:200]}："
                                        f"{str(e.get('message', ''))[:300]}），不能据此同步", code=DUPLICATE)
                          for e in duplicates])
    rules = {f.rule_id for f in doc.findings}
    by_unit: dict[str, list[ObservedFinding]] = {}
    names: dict[str, str] = {}
    for f in doc.findings:
        by_unit.setdefault(f.unit_id, []).append(f)
        names[f.unit_id] = f.unit_name or names.get(f.unit_id, "")
    return [UnitCheck(u, names[u], doc.as_of, fs, rules, name, tuple(dict.fromkeys(f.source for f in fs if f.source)))
            for u, fs in by_unit.items()]


def checks_from_findings(findings: Iterable[Any], as_of: dt.date, rules: set[str], source: str = "") -> list[UnitCheck]:
    """Unit checks from engine findings (``compliance.engine.evaluate.Finding``)."""
    observed = [ObservedFinding.model_validate(f.to_dict()) for f in findings]
    by_unit: dict[str, list[ObservedFinding]] = {}
    for f in observed:
        by_unit.setdefault(f.unit_id, []).append(f)
    return [UnitCheck(u, fs[0].unit_name, as_of, fs, rules, source) for u, fs in by_unit.items()]


DUPLICATE = "DUPLICATE"
"""``Problem.code`` of a duplicate unit id (the same code as the pipeline's own check of unit ids, when it
reports the second profile of a unit as an input error; the ledger refuses the batch on either)."""


def is_duplicate(problem: Problem) -> bool:
    return problem.code == DUPLICATE


def duplicate_units(checks: list[UnitCheck]) -> list[Problem]:
    """One problem per unit id that comes from more than one profile or input file in a batch, naming them all.

    A sync with such a batch would let one file's data overwrite the other's (an older file could move an
    open item to 已整改待验收), so the caller refuses the whole batch.
    """
    origins: dict[str, list[str]] = {}
    for check in checks:
        found = origins.setdefault(check.unit_id, [])
        found.extend(check.origins or ("（未注明来源）",))
    problems = []
    for unit, files in origins.items():
        if len(files) > 1:
            names = "、".join(files)
            problems.append(Problem(files[0], f"单位编号「{unit}」重复：{names} 都是该单位的数据；"
                                              "一批只能有一份该单位的档案或检查结果，请删除或改正其中一份后重新同步",
                                    path="unit.id", key=unit, code=DUPLICATE))
    return problems


def read_results_file(path: Path) -> list[UnitCheck] | None:
    """Unit checks when ``path`` is a results JSON document, else None (it is a profile). Results written as
    JSON Lines are refused with what to do instead (they list only what is wrong, so they cannot close items)."""
    if path.suffix.lower() in (".jsonl", ".ndjson") and path.is_file() and _is_results_lines(path):
        raise InputError([Problem(str(path), "这是JSON Lines格式的检查结果，不能用来同步台账：请用 compliance check … "
                                             "--format json -o 结果.json 输出结果后同步，或直接同步单位档案", line=1)])
    if path.suffix.lower() != ".json" or not path.is_file():
        return None
    text_ = read_text(path)
    data = parse_text(text_, str(path))
    if not is_results_document(data):
        return None
    return checks_from_results(data, str(path), text_)


def _is_results_lines(path: Path) -> bool:
    """Whether the first line of a JSON Lines file is a record of ``check --format jsonl`` (not a profile)."""
    with path.open("rb") as stream:
        first = stream.readline(64 * 1024)
    try:
        record = json.loads(first)
    except ValueError:
        return False
    return isinstance(record, dict) and "unit" not in record and ("rule_id" in record or record.get("tool") == "compliance")


@dataclass
class SyncReport:
    """What a sync did: counts per kind of change, the status changes, and how many units it covered."""

    counts: Counter = field(default_factory=Counter)
    changes: list[dict[str, Any]] = field(default_factory=list)
    units: int = 0

    def note(self, kind: str, item: Item, old: str | None, reason: str) -> None:
        self.counts[kind] += 1
        self.changes.append({"id": item.id, "key": item.key, "unit": item.unit_text, "rule": item.rule_id,
                             "kind": kind, "from": old, "to": item.status, "reason": reason})

    def line(self) -> str:
        order = ["新增问题", "仍未整改", "退回整改", "转待验收", "销号", "反弹", "豁免", "待核实"]
        parts = "，".join(f"{k}{self.counts.get(k, 0)}项" for k in order)
        return f"同步{self.units}个单位：{parts}"


def sync(session: Session, checks: list[UnitCheck], by: str, *, close_on_clean: bool = False,
         min_severity: str | None = None) -> SyncReport:
    """Reconcile unit checks with the ledger (see docs/ledger.md for every case).

    Findings below ``min_severity`` are left out entirely: not added, and their items not touched.
    """
    report = SyncReport()
    floor = SEVERITY_RANK.get(min_severity or "", 0)
    for check in checks:
        _sync_unit(session, check, by, close_on_clean, report, floor)
        report.units += 1
    session.flush()
    return report


def _sync_unit(session: Session, check: UnitCheck, by: str, close_on_clean: bool, report: SyncReport,
               floor: int = 0) -> None:
    items = {(i.rule_id, i.subject): i for i in session.scalars(select(Item).where(Item.unit_id == check.unit_id))}
    seen: dict[tuple[str, str], ObservedFinding] = {(f.rule_id, f.subject): f for f in check.findings}
    on = check.as_of
    day = zh_date(on)
    for key, f in seen.items():
        if SEVERITY_RANK.get(f.severity, floor) < floor:
            continue
        item = items.get(key)
        if item is None:
            if f.state in ("fail", "waived"):
                _create(session, f, on, by, check.source, report)
            elif f.state == "unknown":
                report.counts["待核实"] += 1
            continue
        _observe(item, f.state, f.message, on, f.unit_name)
        old = item.status
        if f.state == "fail":
            if old == CLOSED:
                why = f"复查（{day}）再次发现问题，重新打开（反弹）"
                set_field(session, item, "status", WORKING, by, why)
                set_field(session, item, "closed_on", None, by, why)
                set_field(session, item, "rebound_count", item.rebound_count + 1, by, why)
                set_field(session, item, "deadline", on + dt.timedelta(days=f.deadline_days), by, why)
                touch(item)
                report.note("反弹", item, old, why)
            elif old == WAIVED:
                why = f"复查（{day}）豁免已失效或撤销，转入整改"
                set_field(session, item, "status", WORKING, by, why)
                set_field(session, item, "deadline", on + dt.timedelta(days=f.deadline_days), by, why)
                touch(item)
                report.note("退回整改", item, old, why)
            elif old == DONE:
                why = f"复查（{day}）仍不符合，验收不通过，退回整改"
                set_field(session, item, "status", WORKING, by, why)
                touch(item)
                report.note("退回整改", item, old, why)
            else:
                report.counts["仍未整改"] += 1
        elif f.state == "waived":
            if old != WAIVED:
                why = f"复查（{day}）：{_waiver_text(f)}"
                set_field(session, item, "status", WAIVED, by, why)
                touch(item)
                report.note("豁免", item, old, why)
        elif f.state == "unknown":
            report.counts["待核实"] += 1
        else:
            _resolve(session, item, on, by, close_on_clean, report, f"复查（{day}）结果为{RESULT_ZH[f.state]}")
    for key, item in items.items():
        if key in seen or item.rule_id not in check.rules:
            continue
        _observe(item, "absent", "", on, check.unit_name)
        _resolve(session, item, on, by, close_on_clean, report, f"复查（{day}）未再发现该问题")


def _observe(item: Item, result: str, message: str, on: dt.date, unit_name: str) -> None:
    """Record the latest check result (an observation, not ledger data: no history, no new version)."""
    if item.last_checked is None or on >= item.last_checked:
        item.last_result, item.last_checked = result, on
        if message:
            item.last_message = message
    if unit_name:
        item.unit_name = unit_name


def _resolve(session: Session, item: Item, on: dt.date, by: str, close_on_clean: bool, report: SyncReport, why: str) -> None:
    old = item.status
    if old == CLOSED:
        return
    if close_on_clean:
        reason = why + "，按“复查即验收”策略直接销号"
        set_field(session, item, "status", CLOSED, by, reason)
        set_field(session, item, "closed_on", on, by, reason)
        touch(item)
        report.note("销号", item, old, reason)
    elif old != DONE:
        reason = why + "，待验收后销号"
        set_field(session, item, "status", DONE, by, reason)
        touch(item)
        report.note("转待验收", item, old, reason)


def _waiver_text(f: ObservedFinding) -> str:
    w = f.waiver or {}
    expires = w.get("expires")
    try:
        expires = zh_date(dt.date.fromisoformat(str(expires))) if expires else "未填"
    except ValueError:
        pass
    return f"已豁免（批准文件：{w.get('document') or '未填'}，有效期至{expires}）"


def _create(session: Session, f: ObservedFinding, on: dt.date, by: str, source: str, report: SyncReport) -> None:
    status = WAIVED if f.state == "waived" else NEW
    item = Item(
        unit_id=f.unit_id, unit_name=f.unit_name, rule_id=f.rule_id, subject=f.subject, category=f.category,
        rule_title=f.title, severity=f.severity, description=f.message, basis=f.basis, measure=f.measure,
        owner_role=f.owner, leader="", department="", person=f.owner, progress="", evidence="", remarks="",
        deadline=on + dt.timedelta(days=f.deadline_days), status=status, found_on=on, closed_on=None,
        rebound_count=0, last_result=f.state, last_checked=on, last_message=f.message, version=1,
    )
    session.add(item)
    reason = f"检查（{zh_date(on)}）发现问题" + (f"，来源 {source}" if source else "")
    if status == WAIVED:
        reason += "；" + _waiver_text(f)
    session.add(History(item=item, by=by, field="status", old=None, new=status, reason=reason))
    session.flush()
    report.note("豁免" if status == WAIVED else "新增问题", item, None, reason)

