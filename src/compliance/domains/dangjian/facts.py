"""Derive the facts rules read from a validated profile and the check date.

The facts are the profile as plain nested dicts (absent stays ``None``) plus derived values:
term ends and overdue days per organization, ages in the league roster, and the lists
``orgs`` (the four mass organizations) and ``all_orgs`` (Party organization first) that
rules iterate with ``foreach``. :func:`fact_schema` describes all of it for the rule linter.
"""

from __future__ import annotations

import datetime as dt
from functools import lru_cache
from typing import Any

from pydantic import BaseModel

from compliance.domains.toolkit import TERM_DERIVED, add_term_facts, age_on, as_facts, extend, model_schema
from compliance.engine.conditions import FactType
from compliance.engine.waivers import usable
from compliance.findings import zh_date
from compliance.domains.dangjian.profile import MASS_ORGS, Organization, PartyOrg, Profile

PARTY_NAME = "党组织"

# Derived facts: name -> (kind, Chinese title). Kept beside the code that computes them.
ORG_DERIVED: dict[str, tuple[str, str]] = {
    "key": ("str", "组织代码"),
    "name": ("str", "组织名称"),
    "display_name": ("str", "本单位对该组织的称呼"),
    "leader_title": ("str", "负责人职务名称（书记、主席、主任）"),
    "elected_body": ("bool", "设有按届选举的委员会"),
    "request_text": ("str", "换届请示上报情况"),
    "postponement_text": ("str", "延期换届存在的问题"),
    "section_reported": ("bool", "已填报该组织信息"),
    **TERM_DERIVED,
    "request_days_before_term_end": ("int", "换届请示提前上报天数"),
    "adjusted_after_reform": ("bool", "机构改革后已调整设置"),
}
UNIT_DERIVED: dict[str, tuple[str, str]] = {"days_since_reform": ("int", "机构改革后天数")}
PARTY_DERIVED: dict[str, tuple[str, str]] = {"secretary_text": ("str", "书记姓名（未填时为空）")}
RESPONSIBILITY_DERIVED: dict[str, tuple[str, str]] = {"not_together_text": ("str", "未做到的“同步”事项")}
LEAGUE_FORMS = ("团委", "团总支", "团支部")
LEADER_TITLES = {"party": "书记", "union": "主席", "league": "书记", "women": "主任", "guan": "主任"}
UNION_DERIVED: dict[str, tuple[str, str]] = {
    "kind": ("enum", "建会形式（含按组织形式推断）"),
    "committee": ("bool", "设有工会委员会"),
    "organized": ("bool", "已建会或已选举工会组织员"),
    "status_text": ("str", "建会情况"),
    "female_chair_text": ("str", "女职工委员会主任姓名（未填时为空）"),
}
UNION_KINDS = ("单独建会", "联合基层工会", "工会组织员")
LEAGUE_AGE = 28
"""团员年满28周岁且没有担任团内职务的，应办理离团手续（the names in F3's message; the rule's own limit is a param)."""
TOGETHER = {"planned_together": "同步部署", "checked_together": "同步检查", "summarised_together": "同步总结",
            "publicised_together": "同步宣传"}
MEMBER_DERIVED: dict[str, tuple[str, str]] = {"age": ("int", "年龄（检查日）")}
LEAGUE_DERIVED: dict[str, tuple[str, str]] = {
    "over_age_text": ("str", "年满28周岁且无团内职务的团员"),
    "unrecommended_text": ("str", "未经推优的入党申请团员"),
    "roster_count": ("int", "名册人数"),
    "leader_age": ("int", "团组织书记年龄（检查日）"),
    "leader_age_at_appointment": ("int", "团组织书记任职时年龄"),
}
CHECK_DERIVED: dict[str, tuple[str, str]] = {
    "date": ("date", "检查日期"),
    "year": ("int", "考核年度"),
    "year_start": ("date", "考核年度首日"),
    "year_end": ("date", "考核年度末日"),
}


def _adjusted_after(facts: dict[str, Any], reformed: dt.date | None) -> bool | None:
    """Whether the organization was set up, re-elected or adjusted on or after the reform date."""
    if reformed is None:
        return None
    dates = [facts.get(k) for k in ("founded", "last_election", "adjusted_on") if facts.get(k) is not None]
    if any(d >= reformed for d in dates):
        return True
    return False if dates else None


def _org_facts(
    data: dict[str, Any] | None, key: str, name: str, as_of: dt.date, reformed: dt.date | None = None
) -> dict[str, Any]:
    facts = data if data else {field: None for field in _org_fields(key)}  # data: a fresh copy (as_facts)
    facts["key"] = key
    facts["name"] = name
    facts["section_reported"] = data is not None
    add_term_facts(facts, as_of)
    request, term_end = facts.get("reelection_request_date"), facts["term_end"]
    facts["request_days_before_term_end"] = (term_end - request).days if term_end and request else None
    facts["adjusted_after_reform"] = _adjusted_after(facts, reformed)
    facts["display_name"] = _display_name(key, name, facts)
    facts["leader_title"] = LEADER_TITLES[key]
    if key == "union":
        _union_facts(facts)
    established = facts.get("established")
    facts["elected_body"] = True if key == "party" else (
        facts["committee"] if key == "union" else established)
    facts["request_text"] = _request_text(facts)
    facts["postponement_text"] = _postponement_text(facts)
    return facts


def _union_kind(facts: dict[str, Any]) -> str | None:
    if facts.get("union_form"):
        return facts["union_form"]
    form = facts.get("form") or ""
    if "组织员" in form or facts.get("organiser"):
        return "工会组织员"
    if "联合" in form:
        return "联合基层工会"
    return "单独建会" if "工会" in form else None


def _union_facts(facts: dict[str, Any]) -> None:
    """The union's form: an organiser (工会组织员) has no committee, so rules on 经审会, 女职委, 账户, 换届 do not apply."""
    kind = facts["kind"] = _union_kind(facts)
    established = facts.get("established")
    if kind == "工会组织员":
        facts["committee"] = False
        facts["organized"] = bool(facts.get("organiser")) or established is True or None
    else:
        facts["committee"] = established
        facts["organized"] = established
    organiser = facts.get("organiser")
    facts["female_chair_text"] = facts.get("female_committee_chair") or ""
    facts["status_text"] = (
        "未建立工会" if established is False and kind != "工会组织员"
        else f"只选举了工会组织员{organiser or ''}" if kind == "工会组织员"
        else "加入联合基层工会，未经上一级工会批准" if kind == "联合基层工会"
        else "建会情况未填报")


def _display_name(key: str, name: str, facts: dict[str, Any]) -> str:
    """How the unit names the organisation in prose: 机关党委, 团支部, 工会…"""
    if key == "party":
        return facts.get("type") or name
    if key == "league":
        form = facts.get("form")
        return form if form in LEAGUE_FORMS else "团组织"
    return name


def _request_text(facts: dict[str, Any]) -> str:
    filed, day, days = facts.get("reelection_request_filed"), facts.get("reelection_request_date"), facts.get(
        "request_days_before_term_end")
    if filed is False:
        return "换届改选请示尚未上报"
    if filed is None:
        return "未填报换届改选请示是否上报"
    if day is None:
        return "换届改选请示已上报，但未填报上报日期"
    return f"换届改选请示于{zh_date(day)}上报" + (f"，距届满仅{days}天" if days is not None and days >= 0 else "，已在届满之后")


def _postponement_text(facts: dict[str, Any]) -> str:
    p = facts.get("postponement") or {}
    parts = []
    if p.get("approved") is not True:
        parts.append("未经上级批准" if p.get("approved") is False else "未填报是否经上级批准")
    if not p.get("document"):
        parts.append("未填报批准文件")
    if p.get("until") is not None and facts.get("postponement_days") is not None:
        parts.append(f"延期至{zh_date(p['until'])}，较任期届满日延长{facts['postponement_days']}天")
    return "；".join(parts)


def _over_age_text(roster: list[dict[str, Any]] | None) -> str | None:
    if roster is None:
        return None
    names = [f"{m.get('name') or '未填姓名'}（{m['age']}周岁）" for m in roster
             if m.get("age") is not None and m["age"] >= LEAGUE_AGE and not m.get("league_office")]
    return "、".join(names) or "无"


@lru_cache(maxsize=None)
def _org_fields(key: str) -> tuple[str, ...]:
    model = _ORG_MODELS.get(key, Organization)
    return tuple(model.model_fields)


def derive(profile: Profile, as_of: dt.date, year: int | None = None) -> dict[str, Any]:
    """All facts for ``profile`` as of the check date; annual rules judge the 考核年度 ``year`` (default: the
    check date's year). ``events_confirmed`` is the list of records only where the unit confirmed they are
    complete (``records_complete``), so that the absence of a record proves nothing otherwise."""
    facts = as_facts(profile)
    reformed = facts["unit"].get("reformed")
    facts["unit"]["days_since_reform"] = (as_of - reformed).days if reformed else None
    orgs = [_org_facts(facts.get(key), key, name, as_of, reformed) for key, name in MASS_ORGS.items()]
    for org in orgs:
        facts[org["key"]] = org
    party = _org_facts(facts.get("party"), "party", PARTY_NAME, as_of, reformed)
    facts["party"] = party
    league = facts["league"]
    roster = league.get("roster")
    if roster is not None:
        for member in roster:
            member["age"] = age_on(member.get("birth_date"), as_of)
    league["roster_count"] = len(roster) if roster is not None else None
    league["over_age_text"] = _over_age_text(roster)
    candidates = league.get("candidates")
    for candidate in candidates or ():
        candidate["age"] = age_on(candidate.get("birth_date"), as_of)
    league["unrecommended_text"] = "、".join(
        c.get("name") or "未填姓名" for c in candidates or ()
        if c.get("recommended") is not True and (c["age"] is None or c["age"] <= LEAGUE_AGE)) or "无"
    party["secretary_text"] = party.get("secretary") or ""
    responsibility = facts["responsibility"] = facts.get("responsibility") or {name: None for name in TOGETHER}
    missing = [text for name, text in TOGETHER.items() if responsibility.get(name) is False]
    responsibility["not_together_text"] = "、".join(missing) or None
    league["leader_age"] = age_on(league.get("leader_birth_date"), as_of)
    appointed = league.get("leader_appointed_on")
    league["leader_age_at_appointment"] = age_on(league.get("leader_birth_date"), appointed) if appointed else None
    facts["orgs"] = orgs
    facts["all_orgs"] = [party, *orgs]
    year = as_of.year if year is None else year
    facts["check"] = {"date": as_of, "year": year, "year_start": dt.date(year, 1, 1), "year_end": dt.date(year, 12, 31)}
    facts["waivers"] = usable(facts.get("waivers")) if facts.get("waivers") is not None else None
    facts["events_confirmed"] = facts.get("events") if facts.get("records_complete") is True else None
    return facts


# --- schema of the facts, for the linter ------------------------------------------------------

_ORG_MODELS: dict[str, type[BaseModel]] = {
    "party": PartyOrg,
    **{key: Profile.model_fields[key].annotation.__args__[0] for key in MASS_ORGS},  # type: ignore[union-attr]
}


@lru_cache(maxsize=1)
def fact_schema() -> FactType:
    """The type tree of everything :func:`derive` returns."""
    root = model_schema(Profile)
    for key in ("party", *MASS_ORGS):
        extend(root.children[key], ORG_DERIVED)
    extend(root.children["unit"], UNIT_DERIVED)
    extend(root.children["party"], PARTY_DERIVED)
    extend(root.children["union"], UNION_DERIVED)
    root.children["union"].children["kind"] = FactType("enum", "建会形式", choices=UNION_KINDS)
    extend(root.children["responsibility"], RESPONSIBILITY_DERIVED)
    league = root.children["league"]
    extend(league, LEAGUE_DERIVED)
    roster = league.children["roster"]
    assert roster.element is not None
    extend(roster.element, MEMBER_DERIVED)
    candidates = league.children["candidates"]
    assert candidates.element is not None
    extend(candidates.element, MEMBER_DERIVED)
    org_key = FactType("enum", "组织", choices=("party", *MASS_ORGS), labels={"party": PARTY_NAME, **MASS_ORGS})
    for key in ("party", *MASS_ORGS):
        root.children[key].children["key"] = org_key
    # Items of ``orgs`` are any organization: fields of every mass organization, union-only ones included.
    merged = FactType("object", "组织", children={})
    for key in ("party", *MASS_ORGS):
        merged.children.update(root.children[key].children)
    root.children["orgs"] = FactType("list", "群团组织", element=merged)
    root.children["all_orgs"] = FactType("list", "党组织和群团组织", element=merged)
    root.children["events_confirmed"] = FactType("list", "工作记录（经确认完整）", element=root.children["events"].element)
    root.children["check"] = FactType("object", "检查", children={})
    extend(root.children["check"], CHECK_DERIVED)
    return root


