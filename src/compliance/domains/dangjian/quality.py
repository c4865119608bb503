"""Data-quality checks of a profile (catalogue group H): cross-field consistency before any rule runs.

Each check is a small function over a validated :class:`Profile` and the check date that yields
:class:`Issue` s; :func:`assess` turns them into located :class:`loader.Problem` s (YAML line and
column, Chinese field label, given value, expectation). Errors make a file invalid; warnings are
suspicious but possible (e.g. explainable by part-time or retired members) and never block.
"""

from __future__ import annotations

import datetime as dt
from typing import Callable, Iterator

from compliance.inputs.validation import field_label
from compliance.domains.dangjian.profile import MASS_ORGS, Organization, Profile
from compliance.domains.toolkit import (
    Issue,
    Loc,
    QualityCheck,
    add_years,
    assess_with,
    no_future_dates,
    not_before,
    value_at,
    waiver_dates,
    waiver_documents,
)
from compliance.findings import zh_date
from compliance.inputs.loader import Problem

ORG_KEYS: tuple[str, ...] = ("party", *MASS_ORGS)
FUTURE_DATES: frozenset[str] = frozenset({"until", "expires"})
"""Date fields that name a future limit (延期至, 有效期至), exempt from the 'not after the check date' check."""
MAX_TERM_YEARS = 10


def label(loc: Loc) -> str:
    return field_label(Profile, loc)


def _orgs(profile: Profile) -> Iterator[tuple[str, Organization]]:
    for key in ORG_KEYS:
        org = getattr(profile, key)
        if org is not None:
            yield key, org


def _part_whole(profile: Profile, part: Loc, whole: Loc) -> tuple[Issue, ...]:
    p = value_at(profile, part)
    if p is None:
        return ()
    w = value_at(profile, whole)
    if w is None or not p > w:
        return ()
    return (Issue(part, p, f"不大于「{label(whole)}」（{w}）", f"「{label(part)}」（{p}）大于「{label(whole)}」（{w}）"),)


def _parts(pairs: list[tuple[Loc, Loc]]) -> Callable[[Profile, dt.date], Iterator[Issue]]:
    def run(profile: Profile, as_of: dt.date) -> Iterator[Issue]:
        for part, whole in pairs:
            yield from _part_whole(profile, part, whole)

    return run


def election_before_founding(profile: Profile, as_of: dt.date) -> Iterator[Issue]:
    for key, _ in _orgs(profile):
        yield from not_before(Profile, profile, (key, "founded"), (key, "last_election"), "组织成立前不可能换届")


def org_before_unit(profile: Profile, as_of: dt.date) -> Iterator[Issue]:
    for key, _ in _orgs(profile):
        yield from not_before(Profile, profile, ("unit", "founded"), (key, "founded"), "请核对（机构改革前的组织沿革可在备注中说明）")


def reform_before_founding(profile: Profile, as_of: dt.date) -> Iterator[Issue]:
    yield from not_before(Profile, profile, ("unit", "founded"), ("unit", "reformed"), "请核对两个日期")


def request_before_election(profile: Profile, as_of: dt.date) -> Iterator[Issue]:
    for key, _ in _orgs(profile):
        yield from not_before(Profile, profile, (key, "last_election"), (key, "reelection_request_date"),
                           "本届的换届请示应在上次换届之后上报")


def request_flag_contradiction(profile: Profile, as_of: dt.date) -> Iterator[Issue]:
    for key, org in _orgs(profile):
        if org.reelection_request_filed is False and org.reelection_request_date is not None:
            loc = (key, "reelection_request_filed")
            yield Issue(loc, False, f"填写了「{label((key, 'reelection_request_date'))}」时应为 是",
                        f"「{label(loc)}」为“否”，却填写了上报日期{zh_date(org.reelection_request_date)}")


def postponement_dates(profile: Profile, as_of: dt.date) -> Iterator[Issue]:
    for key, org in _orgs(profile):
        if org.postponement is None:
            continue
        yield from not_before(Profile, profile, (key, "postponement", "approved_on"), (key, "postponement", "until"),
                           "延期截止日期不能早于批准日期")
        yield from not_before(Profile, profile, (key, "last_election"), (key, "postponement", "approved_on"),
                           "延期应针对本届任期批准")


def postponement_not_extending(profile: Profile, as_of: dt.date) -> Iterator[Issue]:
    for key, org in _orgs(profile):
        until = value_at(org, ("postponement", "until"))
        if until is None or org.last_election is None or not org.term_years:
            continue
        term_end = add_years(org.last_election, org.term_years)
        if until <= term_end:
            loc = (key, "postponement", "until")
            yield Issue(loc, until.isoformat(), f"晚于本届任期届满日期{zh_date(term_end)}",
                        f"「{label(loc)}」（{zh_date(until)}）不晚于任期届满日期{zh_date(term_end)}，延期没有意义")


def term_years_range(profile: Profile, as_of: dt.date) -> Iterator[Issue]:
    for key, org in _orgs(profile):
        years = org.term_years
        if years is not None and not 1 <= years <= MAX_TERM_YEARS:
            loc = (key, "term_years")
            yield Issue(loc, years, f"1 到{MAX_TERM_YEARS}之间的整数（年）",
                        f"「{label(loc)}」为 {years}，不是有效的任期年限")


def roster_count(profile: Profile, as_of: dt.date) -> Iterator[Issue]:
    league = profile.league
    if league is None or league.roster is None or league.members is None:
        return
    count = len(league.roster)
    if count != league.members:
        loc = ("league", "members")
        yield Issue(loc, league.members, f"等于「{label(('league', 'roster'))}」的人数（{count}）",
                    f"「{label(loc)}」（{league.members}）与团员名册人数（{count}）不一致")


def declared_league_members(profile: Profile, as_of: dt.date) -> Iterator[Issue]:
    declared, members = profile.unit.league_members, value_at(profile, ("league", "members"))
    if declared is not None and members is not None and declared != members:
        loc = ("unit", "league_members")
        yield Issue(loc, declared, f"等于「{label(('league', 'members'))}」（{members}）",
                    f"「{label(loc)}」（{declared}）与「{label(('league', 'members'))}」（{members}）不一致")


def established_contradiction(profile: Profile, as_of: dt.date) -> Iterator[Issue]:
    for key, org in _orgs(profile):
        if org.established is not False:
            continue
        filled = [name for name in ("leader", "members", "last_election", "founded") if getattr(org, name)]
        if filled:
            loc = (key, "established")
            names = "、".join(label((key, n)) for n in filled)
            yield Issue(loc, False, "已建立（是），或不填写负责人、人数、换届等信息",
                        f"「{label(loc)}」为 否，却填写了 {names}")


def roster_without_league(profile: Profile, as_of: dt.date) -> Iterator[Issue]:
    league = profile.league
    if league is not None and league.established is False and league.roster:
        loc = ("league", "roster")
        yield Issue(loc, f"{len(league.roster)}人", "未建立团组织时，名册中的团员应接转组织关系或办理离团",
                    f"「{label(('league', 'established'))}」为 否，团员名册却有{len(league.roster)}人；"
                    "超龄团员仍按名册检查（F3），其余团员的组织关系需核实")


QUALITY_CHECKS: list[QualityCheck] = [
    QualityCheck("H1", "职工分项人数不大于职工总数", "error", _parts([
        (("unit", "staff_female"), ("unit", "staff_total")),
        (("unit", "staff_under_28"), ("unit", "staff_total")),
    ])),
    QualityCheck("H2", "工会女会员、已登记会员不大于会员人数", "error", _parts([
        (("union", "female_members"), ("union", "members")),
        (("union", "registered_members"), ("union", "members")),
    ])),
    QualityCheck("H3", "团员、会员人数不大于职工总数（可说明的差异）", "warning", _parts([
        (("unit", "league_members"), ("unit", "staff_total")),
        (("league", "members"), ("unit", "staff_total")),
        (("union", "members"), ("unit", "staff_total")),
        (("union", "female_members"), ("unit", "staff_female")),
    ])),
    QualityCheck("H4", "日期不晚于检查日期", "error", no_future_dates(Profile, FUTURE_DATES)),
    QualityCheck("H5", "换届日期不早于组织成立日期", "error", election_before_founding),
    QualityCheck("H6", "换届请示上报日期不早于上次换届日期", "error", request_before_election),
    QualityCheck("H7", "换届请示“未上报”却填写了上报日期", "error", request_flag_contradiction),
    QualityCheck("H8", "延期换届的批准日期与截止日期先后正确", "error", postponement_dates),
    QualityCheck("H9", "延期换届截止日期晚于任期届满日期", "warning", postponement_not_extending),
    QualityCheck("H10", "任期年限在1到10年之间", "error", term_years_range),
    QualityCheck("H11", "团员人数与团员名册人数一致", "error", roster_count),
    QualityCheck("H12", "单位团员人数与共青团成员人数一致", "warning", declared_league_members),
    QualityCheck("H13", "组织成立日期不早于单位成立日期", "warning", org_before_unit),
    QualityCheck("H14", "机构改革日期不早于单位成立日期", "warning", reform_before_founding),
    QualityCheck("H15", "“未建立”的组织不应填写负责人、人数、换届信息", "warning", established_contradiction),
    QualityCheck("H16", "豁免有效期不早于批准日期", "error", waiver_dates(Profile)),
    QualityCheck("H17", "豁免附有批准文件（没有的豁免无效）", "warning", waiver_documents(Profile)),
    QualityCheck("H18", "未建团组织的单位有团员名册", "warning", roster_without_league),
]
CHECKS_BY_ID: dict[str, QualityCheck] = {c.id: c for c in QUALITY_CHECKS}


def assess(profile: Profile, as_of: dt.date, name: str = "", text: str | None = None,
           cell_of: Callable[[Loc], str | None] | None = None) -> tuple[list[Problem], list[Problem]]:
    """(errors, warnings) of a 党建带群建 profile as located problems (see :func:`toolkit.assess_with`)."""
    return assess_with(QUALITY_CHECKS, Profile, profile, as_of, name, text, cell_of)
