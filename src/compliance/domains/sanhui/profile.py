"""The 三会一课 profile: one Party branch's organisational life in the check year.

Same conventions as 党建带群建 (:mod:`compliance.domains.dangjian.profile`): every fact is optional and
``None`` means 未填报, each field's Chinese ``title`` is accepted as its key, unknown keys are
errors. ``unit`` keeps the shared shape ``{id, name, ...}``.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Annotated, Any, Literal

from pydantic import BeforeValidator, Field

from compliance.domains.toolkit import Postponement
from compliance.engine.waivers import Waiver
from compliance.inputs.model import MAX_ITEMS, Count, Model, YesNo, zh

_MONTH = re.compile(r"^\s*(\d{4})\s*(?:-|/|\.|年)\s*(\d{1,2})\s*月?\s*$")


def _month(value: Any) -> Any:
    """``2025-10``、``2025年10月`` → the first day of that month; full dates pass through."""
    if isinstance(value, str):
        found = _MONTH.match(value)
        if found:
            year, month = int(found[1]), int(found[2])
            if 1 <= month <= 12:
                return dt.date(year, month, 1)
    return value


Month = Annotated[dt.date, BeforeValidator(_month)]

UnitType = Literal["机关", "事业单位", "国有企业", "企业", "乡镇街道", "学校", "其他"]
BranchType = Literal["党支部", "党总支", "联合党支部"]
MeetingType = Literal["支部党员大会", "支委会", "党小组会", "党课", "主题党日", "组织生活会", "民主评议党员", "谈心谈话"]
LecturerRole = Literal["党支部书记", "党组（党委）书记", "支部委员", "党员领导干部", "普通党员", "外请人员"]


class Unit(Model):
    """The unit, in the shape shared by every domain (``id`` and ``name`` required)."""

    id: str = Field(title="单位编号", description="单位的唯一编号，如统一社会信用代码或内部编号", min_length=1)
    name: str = Field(title="单位名称", min_length=1)
    type: UnitType | None = zh("单位类型")
    parent: str | None = zh("上级党组织", "如 市直机关工委")
    contact: str | None = zh("联系人")


class PartyGroup(Model):
    name: str | None = zh("党小组名称")
    leader: str | None = zh("党小组组长")


class Branch(Model):
    """The Party branch (党支部) whose organisational life is checked."""

    name: str | None = zh("党支部名称", "如 市财政局机关第一党支部")
    type: BranchType | None = zh("组织类型", "党支部 / 党总支 / 联合党支部")
    secretary: str | None = zh("书记", "党支部书记姓名")
    members: Count | None = zh("党员人数", "含预备党员")
    founded: dt.date | None = zh("成立日期")
    has_committee: YesNo | None = zh("设支部委员会", "是否设立党支部委员会（正式党员7人以上应当设立）")
    committee_members: Count | None = zh("支部委员人数")
    has_party_groups: YesNo | None = zh("设党小组", "是否划分党小组")
    party_groups: list[PartyGroup] | None = zh("党小组", "党小组名单", max_length=MAX_ITEMS)
    term_years: Count | None = zh("任期年限", "每届任期（年）")
    last_election: dt.date | None = zh("上次换届日期", "最近一次换届选举（或成立时选举）的日期")
    postponement: Postponement | None = zh("延期换届", "经批准的延期换届")


class Meeting(Model):
    """One dated record of organisational life."""

    type: MeetingType | None = zh("类型", "支部党员大会 / 支委会 / 党小组会 / 党课 / 主题党日 / 组织生活会 / 民主评议党员 / 谈心谈话")
    date: dt.date | None = zh("日期")
    title: str | None = zh("主题")
    group: str | None = zh("党小组", "党小组会所属的党小组名称")
    host: str | None = zh("主持人")
    lecturer: str | None = zh("授课人", "党课授课人姓名")
    lecturer_role: LecturerRole | None = zh("授课人身份")
    expected: Count | None = zh("应到人数")
    attendance: Count | None = zh("实到人数")
    with_review: YesNo | None = zh("同时开展民主评议", "组织生活会是否一并开展民主评议党员")
    document: str | None = zh("佐证材料", "会议记录、签到表、党课讲稿等")


class DuesMember(Model):
    name: str | None = zh("姓名")
    paid_through: Month | None = zh("党费交至", "已交纳到的月份，如 2025-10 或 2025年10月")
    exempt: YesNo | None = zh("经批准免交", "经批准免交党费的填 是")


class Dues(Model):
    members: list[DuesMember] | None = zh("党员交纳情况", "按党费收缴登记，每名党员一行", max_length=MAX_ITEMS)


class Profile(Model):
    """One unit's 三会一课 profile (党支部组织生活档案)."""

    schema_version: Literal[1] | None = zh("档案格式版本")
    domain: Literal["sanhui"] | None = zh("标准", "本档案适用的检查标准，填 sanhui")
    unit: Unit = Field(title="单位")
    branch: Branch | None = zh("党支部")
    meetings: list[Meeting] | None = zh("组织生活记录", "检查年度内的会议、党课、主题党日等带日期的记录", max_length=MAX_ITEMS)
    records_complete: YesNo | None = zh("记录完整", "填报人确认以上为全年全部记录")
    dues: Dues | None = zh("党费")
    waivers: list[Waiver] | None = zh("豁免", "经批准的例外", max_length=MAX_ITEMS)
    notes: str | None = zh("备注")
