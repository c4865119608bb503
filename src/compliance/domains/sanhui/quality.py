"""Data-quality checks of a 三会一课 profile: cross-field consistency before any rule runs.

Same contract as :mod:`compliance.quality`: each check yields :class:`Issue` s over a validated
profile; :func:`assess` turns them into located problems. Errors make a file invalid; warnings
are suspicious but possible and never block.
"""

from __future__ import annotations

import datetime as dt
from typing import Callable, Iterator

from compliance.domains.sanhui.profile import Meeting, Profile
from compliance.domains.toolkit import (
    Issue,
    Loc,
    QualityCheck,
    assess_with,
    no_future_dates,
    not_before,
    value_at,
    waiver_dates,
    waiver_documents,
)
from compliance.inputs.loader import Problem
from compliance.inputs.validation import field_label

FUTURE_DATES: frozenset[str] = frozenset({"until", "expires", "paid_through"})
"""Dates that may lie after the check date: 延期至、有效期至 and 党费交至 (预交党费)."""


def label(loc: Loc) -> str:
    return field_label(Profile, loc)


def attendance_over_expected(profile: Profile, as_of: dt.date) -> Iterator[Issue]:
    for index, m in enumerate(profile.meetings or ()):
        if m.attendance is not None and m.expected is not None and m.attendance > m.expected:
            loc = ("meetings", index, "attendance")
            yield Issue(loc, m.attendance, f"不大于应到人数（{m.expected}）",
                        f"「{label(loc)}」（{m.attendance}）大于应到人数（{m.expected}）")


def attendance_over_members(profile: Profile, as_of: dt.date) -> Iterator[Issue]:
    members = value_at(profile, ("branch", "members"))
    if members is None:
        return
    for index, m in enumerate(profile.meetings or ()):
        for name in ("expected", "attendance"):
            value = getattr(m, name)
            if value is not None and value > members and m.type != "党小组会":
                loc = ("meetings", index, name)
                yield Issue(loc, value, f"不大于党员人数（{members}）",
                            f"「{label(loc)}」（{value}）大于党支部党员人数（{members}），列席人员不应计入")


def records_undated(profile: Profile, as_of: dt.date) -> Iterator[Issue]:
    for index, m in enumerate(profile.meetings or ()):
        for name in ("type", "date"):
            if getattr(m, name) is None:
                loc = ("meetings", index, name)
                yield Issue(loc, None, "填写类型和日期",
                            f"第{index + 1}条组织生活记录未填写「{Meeting.model_fields[name].title}」，无法计入任何季度或月份")


def election_before_founding(profile: Profile, as_of: dt.date) -> Iterator[Issue]:
    yield from not_before(Profile, profile, ("branch", "founded"), ("branch", "last_election"), "党支部成立前不可能换届")


def postponement_dates(profile: Profile, as_of: dt.date) -> Iterator[Issue]:
    yield from not_before(Profile, profile, ("branch", "postponement", "approved_on"), ("branch", "postponement", "until"),
                       "延期截止日期不能早于批准日期")


def dues_roster_count(profile: Profile, as_of: dt.date) -> Iterator[Issue]:
    roster, members = value_at(profile, ("dues", "members")), value_at(profile, ("branch", "members"))
    if roster is not None and members is not None and len(roster) != members:
        loc = ("dues", "members")
        yield Issue(loc, len(roster), f"等于党员人数（{members}）",
                    f"党费交纳名单有{len(roster)}人，与党支部党员人数（{members}）不一致")


def group_records(profile: Profile, as_of: dt.date) -> Iterator[Issue]:
    groups = [g.name for g in value_at(profile, ("branch", "party_groups")) or () if g.name]
    has_groups = value_at(profile, ("branch", "has_party_groups"))
    if has_groups is False and groups:
        loc = ("branch", "has_party_groups")
        yield Issue(loc, False, "是，或不填写党小组名单",
                    f"「{label(loc)}」填为“否”，却填写了党小组名单（{'、'.join(groups)}）")
    if len(groups) < 2:
        return
    for index, m in enumerate(profile.meetings or ()):
        if m.type == "党小组会" and m.group not in groups:
            loc = ("meetings", index, "group")
            yield Issue(loc, m.group, f"党小组名单中的一个（{'、'.join(groups)}）",
                        f"第{index + 1}条党小组会记录未注明所属党小组或名称不在党小组名单中，不能计入任何党小组")


QUALITY_CHECKS: list[QualityCheck] = [
    QualityCheck("SH-H1", "日期不晚于检查日期", "error", no_future_dates(Profile, FUTURE_DATES)),
    QualityCheck("SH-H2", "实到人数不大于应到人数", "error", attendance_over_expected),
    QualityCheck("SH-H3", "应到、实到人数不大于党员人数", "warning", attendance_over_members),
    QualityCheck("SH-H4", "组织生活记录填写类型和日期", "warning", records_undated),
    QualityCheck("SH-H5", "换届日期不早于党支部成立日期", "error", election_before_founding),
    QualityCheck("SH-H6", "延期换届的批准日期与截止日期先后正确", "error", postponement_dates),
    QualityCheck("SH-H7", "党费交纳名单人数与党员人数一致", "warning", dues_roster_count),
    QualityCheck("SH-H8", "党小组名单与党小组会记录一致", "warning", group_records),
    QualityCheck("SH-H9", "豁免有效期不早于批准日期", "error", waiver_dates(Profile)),
    QualityCheck("SH-H10", "豁免附有批准文件（没有的豁免无效）", "warning", waiver_documents(Profile)),
]


def assess(profile: Profile, as_of: dt.date, name: str = "", text: str | None = None,
           cell_of: Callable[[Loc], str | None] | None = None) -> tuple[list[Problem], list[Problem]]:
    """(errors, warnings) of a 三会一课 profile as located problems (see :func:`toolkit.assess_with`)."""
    return assess_with(QUALITY_CHECKS, Profile, profile, as_of, name, text, cell_of)
