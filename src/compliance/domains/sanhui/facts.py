"""Facts of a 三会一课 profile: the profile as plain dicts plus what the conditions cannot compute.

The condition language counts events in the 考核年度 (``check.year_start`` to ``check.year_end``) but cannot
split a year into quarters or months, so for the periodic meetings :func:`derive` lists the periods of the
考核年度 that have ended by the check date, with the number held in each (``sessions.<kind>.periods``). A shortfall in those lists only
proves a violation when the filler confirmed the records are complete (``records_complete``):
then the same list also appears as ``periods_confirmed`` (and all records as
``meetings_confirmed``); otherwise those are ``None`` and a rule that needs them is 待核实.
"""

from __future__ import annotations

import datetime as dt
from functools import lru_cache
from typing import Any

from compliance.domains.sanhui.profile import Profile
from compliance.domains.toolkit import TERM_DERIVED, add_term_facts, as_facts, extend, model_schema
from compliance.engine.conditions import FactType
from compliance.engine.waivers import usable
from compliance.findings import zh_date
from compliance.inputs.validation import model_of

QUARTERS = ("第一季度", "第二季度", "第三季度", "第四季度")

SESSION_KINDS: dict[str, tuple[str, str]] = {
    "member_meeting": ("支部党员大会", "quarter"),
    "committee": ("支委会", "month"),
    "group": ("党小组会", "month"),
    "lecture": ("党课", "quarter"),
    "theme_day": ("主题党日", "month"),
}
"""Periodic meetings: key → (record type, period). The period follows the official frequency."""

SESSION_DERIVED: dict[str, tuple[str, str]] = {
    "type": ("str", "类型"),
    "count": ("int", "考核年度截至检查日次数"),
    "periods_due": ("int", "考核年度已届满的周期数"),
    "held_text": ("str", "各周期召开次数"),
}
PERIOD_DERIVED: dict[str, tuple[str, str]] = {"label": ("str", "周期"), "held": ("int", "召开次数")}
BRANCH_DERIVED: dict[str, tuple[str, str]] = {
    "display_name": ("str", "党支部称谓"),
    "secretary_display": ("str", "书记姓名（显示用）"),
    **TERM_DERIVED,
    "last_election_zh": ("str", "上次换届日期（中文）"),
    "effective_term_end_zh": ("str", "应换届日期（中文）"),
    "postponed_until_zh": ("str", "经批准延期至（中文）"),
}
DUES_DERIVED: dict[str, tuple[str, str]] = {"arrears_text": ("str", "欠交党费情况")}
DUES_MEMBER_DERIVED: dict[str, tuple[str, str]] = {"months_owed": ("int", "欠交月数（截至上月）")}
CHECK_DERIVED: dict[str, tuple[str, str]] = {
    "date": ("date", "检查日期"),
    "year": ("int", "考核年度"),
    "year_start": ("date", "考核年度首日"),
    "year_end": ("date", "考核年度末日"),
    "period_text": ("str", "考核期间（“全年”或“截至检查日”）"),
}


def periods(kind: str, as_of: dt.date, since: dt.date | None = None,
            year: int | None = None) -> list[tuple[str, dt.date, dt.date]]:
    """(label, first day, last day) of each quarter or month of the 考核年度 ``year`` (default: the check date's
    year) that ended before ``as_of``: all of them for a past year.

    With ``since`` (the branch's founding date) only periods that began on or after it count.
    """
    year = as_of.year if year is None else year
    if kind == "quarter":
        bounds = [(QUARTERS[q], dt.date(year, 3 * q + 1, 1), _month_end(year, 3 * q + 3)) for q in range(4)]
    else:
        bounds = [(f"{m}月", dt.date(year, m, 1), _month_end(year, m)) for m in range(1, 13)]
    return [(label, start, end) for label, start, end in bounds if end < as_of and (since is None or start >= since)]


def _month_end(year: int, month: int) -> dt.date:
    return (dt.date(year + month // 12, month % 12 + 1, 1)) - dt.timedelta(days=1)


def _session(
    key: str, meetings: list[dict] | None, groups: list[str], as_of: dt.date, since: dt.date | None, complete: bool,
    year: int,
) -> dict[str, Any]:
    """Derived facts of one periodic kind in the 考核年度 ``year``; lists are ``None`` when the records are not
    reported."""
    type_, period = SESSION_KINDS[key]
    spans = periods(period, as_of, since, year)
    facts: dict[str, Any] = {"type": type_, "periods_due": len(spans),
                             "count": None, "periods": None, "periods_confirmed": None, "held_text": None}
    if meetings is None:
        return facts
    records = [m for m in meetings if m.get("type") == type_]
    dated = [m for m in records if m.get("date") is not None]
    facts["count"] = sum(1 for m in dated if m["date"].year == year and m["date"] <= as_of)
    per_group = key == "group" and len(groups) > 1
    certain = len(dated) == len(records) and (not per_group or all(m.get("group") in groups for m in records))
    rows = []
    for label, start, end in spans:
        inside = [m for m in dated if start <= m["date"] <= end]
        held = min(sum(1 for m in inside if m.get("group") == g) for g in groups) if per_group else len(inside)
        rows.append({"label": label, "held": held})
    facts["periods"] = rows
    facts["periods_confirmed"] = rows if complete and certain else None
    facts["held_text"] = "、".join(f"{r['label']}{r['held']}次" for r in rows) or "无已届满的周期"
    return facts


def _branch(branch: dict[str, Any], unit_name: str, as_of: dt.date) -> None:
    add_term_facts(branch, as_of)
    name = branch.get("name") or ""
    branch["display_name"] = name.removeprefix(unit_name) or name or "党支部"
    branch["secretary_display"] = branch.get("secretary") or ""
    branch["last_election_zh"] = zh_date(branch.get("last_election"))
    branch["effective_term_end_zh"] = zh_date(branch["effective_term_end"])
    branch["postponed_until_zh"] = zh_date((branch.get("postponement") or {}).get("until"))


def months_owed(paid_through: dt.date | None, exempt: bool | None, as_of: dt.date) -> int | None:
    """Whole months before the check month not yet paid (the check month itself is not yet due)."""
    if exempt:
        return 0
    if paid_through is None:
        return None
    last_due = as_of.year * 12 + as_of.month - 1
    return max(0, last_due - (paid_through.year * 12 + paid_through.month))


def _arrears(members: list[dict] | None) -> str | None:
    """``张三欠交2个月、李四欠交7个月`` (members whose months are unknown are named as such)."""
    if members is None:
        return None
    parts = [f"{m.get('name') or '未填姓名'}欠交{m['months_owed']}个月" for m in members if m["months_owed"]]
    parts += [f"{m.get('name') or '未填姓名'}交纳月份未填" for m in members if m["months_owed"] is None]
    return "、".join(parts) or "无"


def derive(profile: Profile, as_of: dt.date, year: int | None = None) -> dict[str, Any]:
    """All facts for ``profile`` as of the check date: the periodic and annual rules judge the 考核年度 ``year``
    (default: the check date's year), counting its quarters and months that have ended by the check date."""
    year = as_of.year if year is None else year
    facts = as_facts(profile)
    branch = facts["branch"] = facts.get("branch") or {name: None for name in profile_fields("branch")}
    _branch(branch, facts["unit"]["name"], as_of)
    groups = [g["name"] for g in branch.get("party_groups") or () if g.get("name")]
    meetings = facts.get("meetings")
    complete = facts.get("records_complete") is True
    facts["meetings_confirmed"] = meetings if complete else None
    facts["sessions"] = {key: _session(key, meetings, groups, as_of, branch.get("founded"), complete, year)
                         for key in SESSION_KINDS}
    dues = facts["dues"] = facts.get("dues") or {"members": None}
    for member in dues.get("members") or ():
        member["months_owed"] = months_owed(member.get("paid_through"), member.get("exempt"), as_of)
    dues["arrears_text"] = _arrears(dues.get("members"))
    year_end = dt.date(year, 12, 31)
    facts["check"] = {"date": as_of, "year": year, "year_start": dt.date(year, 1, 1), "year_end": year_end,
                      "period_text": "全年" if as_of >= year_end else "截至检查日"}
    facts["waivers"] = usable(facts.get("waivers")) if facts.get("waivers") is not None else None
    return facts


@lru_cache(maxsize=None)
def profile_fields(section: str) -> tuple[str, ...]:
    model = model_of(Profile.model_fields[section].annotation)
    return tuple(model.model_fields) if model else ()


# --- schema of the facts, for the linter -----------------------------------------------------

def _session_type(type_: str, period: str) -> FactType:
    unit = "季度" if period == "quarter" else "月份"
    row = FactType("object", unit, children={})
    extend(row, PERIOD_DERIVED)
    node = FactType("object", type_, children={})
    extend(node, SESSION_DERIVED)
    node.children["periods"] = FactType("list", f"已届满各{unit}召开{type_}情况", element=row)
    node.children["periods_confirmed"] = FactType("list", f"已届满各{unit}召开{type_}情况（记录经确认完整）", element=row)
    return node


@lru_cache(maxsize=1)
def fact_schema() -> FactType:
    """The type tree of everything :func:`derive` returns."""
    root = model_schema(Profile)
    extend(root.children["branch"], BRANCH_DERIVED)
    meetings = root.children["meetings"]
    root.children["meetings_confirmed"] = FactType("list", "组织生活记录（经确认完整）", element=meetings.element)
    root.children["sessions"] = FactType("object", "定期组织生活", children={
        key: _session_type(type_, period) for key, (type_, period) in SESSION_KINDS.items()})
    extend(root.children["dues"], DUES_DERIVED)
    member = root.children["dues"].children["members"].element
    assert member is not None
    extend(member, DUES_MEMBER_DERIVED)
    root.children["check"] = FactType("object", "检查", children={})
    extend(root.children["check"], CHECK_DERIVED)
    return root

