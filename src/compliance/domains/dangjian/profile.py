"""The unit profile: every fact the rule packs may ask about, as a typed pydantic model.

Every field is optional and defaults to ``None`` ("not reported"), so that a missing fact
turns into 待核实 instead of a silent pass. Each field's ``title`` is its Chinese name and is
accepted as a key in profile files (``单位名称:`` as well as ``name:``).
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Literal

from pydantic import Field

from compliance.domains.toolkit import Postponement
from compliance.engine.waivers import Waiver
from compliance.inputs.model import MAX_ITEMS, Count, Model, Money, YesNo, zh

class Organization(Model):
    """What every organization (Party or mass) has: set-up, leader, term and elections."""

    established: YesNo | None = zh("是否建立", "该组织是否已经建立")
    form: str | None = zh("组织形式", "如 基层工会委员会、联合工会、团委、团支部、妇委会、关工委")
    founded: dt.date | None = zh("成立日期")
    leader: str | None = zh("负责人", "主席/书记/主任的姓名；空缺时不填")
    leader_vacant: YesNo | None = zh("负责人空缺", "主席/书记/主任是否空缺")
    members: Count | None = zh("成员人数", "会员、团员或委员人数")
    term_years: Count | None = zh("任期年限", "每届任期（年）")
    last_election: dt.date | None = zh("上次换届日期", "最近一次换届选举（或成立时选举）的日期")
    reelection_request_filed: YesNo | None = zh("换届请示已上报", "本届换届改选请示是否已报上级组织")
    reelection_request_date: dt.date | None = zh("换届请示上报日期", "换届改选请示报上级组织的日期")
    postponement: Postponement | None = zh("延期换届", "经批准的延期换届")
    election_approved: YesNo | None = zh(
        "选举结果已批准", "本届换届（或成立时）选举结果和书记、主席（主任）人选是否已报上级组织批准")
    election_approval_document: str | None = zh("选举结果批复文号", "上级组织批复选举结果的文件名称和文号")
    adjusted_on: dt.date | None = zh("调整设置日期", "机构改革后新建、合并或调整该组织的日期")
    annual_funds: Money | None = zh("年度活动经费", "本年度安排的活动经费（元）")


class PartyOrg(Organization):
    type: Literal["党委", "机关党委", "党总支", "党支部", "党组"] | None = zh("党组织类型")
    secretary: str | None = zh("书记", "党组织书记姓名")


class Union(Organization):
    funds_review_committee: YesNo | None = zh("经费审查委员会", "是否建立经费审查委员会")
    female_committee: YesNo | None = zh("女职工委员会", "是否建立女职工委员会")
    female_committee_member: YesNo | None = zh("女职工委员", "未建女职工委员会时，是否配备女职工委员")
    female_members: Count | None = zh("女会员人数")
    independent_account: YesNo | None = zh("独立账户", "工会是否开设独立银行账户")
    registered_members: Count | None = zh("已登记会员数", "完成会员登记的人数")
    funds_rate: Annotated[float, Field(ge=0, le=100)] | None = zh(
        "经费拨缴比例", "单位按职工工资总额拨缴工会经费的比例（%）"
    )
    approved_by_higher: YesNo | None = zh("上级工会批准", "建会是否报上一级工会批准")
    union_form: Literal["单独建会", "联合基层工会", "工会组织员"] | None = zh(
        "建会形式", "单独建立基层工会委员会 / 加入联合基层工会 / 选举工会组织员（不足25人的单位）")
    organiser: str | None = zh("工会组织员", "选举工会组织员时填写其姓名")
    female_leader: YesNo | None = zh("有女主席或女副主席", "工会主席、副主席中是否有女同志")
    female_committee_chair: str | None = zh("女职委主任", "女职工委员会主任姓名")
    female_committee_chair_post: Literal["工会女主席", "工会女副主席", "其他人员"] | None = zh(
        "女职委主任的工会职务", "女职工委员会主任由工会女主席、女副主席担任，或经民主协商配备的其他人员")


class LeagueMember(Model):
    name: str | None = zh("姓名")
    birth_date: dt.date | None = zh("出生日期")
    league_office: str | None = zh("团内职务", "无团内职务时不填")
    joined_party_recommendation: YesNo | None = zh("推优", "是否已被推荐入党")


class Candidate(Model):
    name: str | None = zh("姓名")
    birth_date: dt.date | None = zh("出生日期")
    recommended: YesNo | None = zh("已推优", "是否经团组织推优（推荐优秀团员作为入党积极分子人选）")


class League(Organization):
    smart_league_registered: YesNo | None = zh("智慧团建录入", "团员信息是否已录入智慧团建系统")
    records_reconciled_on: dt.date | None = zh("团员数量核对日期", "最近一次核对团员数量的日期")
    roster: list[LeagueMember] | None = zh("团员名册", "团员名单，用于计算超龄团员", max_length=MAX_ITEMS)
    candidates: list[Candidate] | None = zh("入党申请团员", "申请入党、拟列为入党积极分子或发展对象的团员；没有时填空列表", max_length=MAX_ITEMS)
    leader_birth_date: dt.date | None = zh("团组织书记出生日期")
    leader_appointed_on: dt.date | None = zh("团组织书记任职日期", "现任团组织书记首次任职日期")
    members_affiliated: YesNo | None = zh(
        "团员组织关系已落实", "未建团组织时，团员的组织关系是否已转入上级团组织或联合团支部，按期参加组织生活")


class Women(Organization):
    pass


class Guan(Organization):
    designated_person: str | None = zh("指定负责人", "未建关工委时，指定负责关心下一代工作的人员")


class Unit(Model):
    id: str = Field(title="单位编号", description="单位的唯一编号，如统一社会信用代码或内部编号", min_length=1)
    name: str = Field(title="单位名称", min_length=1)
    type: Literal["机关", "事业单位", "国有企业", "企业", "乡镇街道", "学校", "其他"] | None = zh("单位类型")
    parent: str | None = zh("上级党组织", "如 市直机关工委")
    staff_total: Count | None = zh("职工总数", "在编在岗职工人数")
    staff_female: Count | None = zh("女职工人数")
    staff_under_28: Count | None = zh("28岁以下职工人数")
    league_members: Count | None = zh("团员人数")
    retired_party_members: Count | None = zh("离退休党员人数")
    founded: dt.date | None = zh("成立日期")
    reformed: dt.date | None = zh("机构改革日期", "新组建或合并（机构改革）的日期")
    contact: str | None = zh("联系人")


class Responsibility(Model):
    in_party_assessment: YesNo | None = zh("纳入党建考核", "群团工作成效是否纳入党建考核")
    in_secretary_review: YesNo | None = zh("纳入书记述职", "党建带群建是否纳入书记抓党建述职评议考核")
    first_responsible_named: YesNo | None = zh("明确第一责任人", "是否明确党组织书记为党建带群建第一责任人")
    planned_together: YesNo | None = zh("同步部署")
    checked_together: YesNo | None = zh("同步检查")
    summarised_together: YesNo | None = zh("同步总结")
    publicised_together: YesNo | None = zh("同步宣传")


class Funding(Model):
    in_unit_budget: YesNo | None = zh("党群经费纳入预算", "党群工作经费是否纳入单位预算")
    payroll_total: Money | None = zh("职工工资总额", "上年度职工工资总额（元）")


class Venues(Model):
    staff_home: YesNo | None = zh("职工之家")
    women_home: YesNo | None = zh("妇女之家")
    party_room: YesNo | None = zh("党员活动室")
    shared: YesNo | None = zh("共建共享", "党群活动阵地是否共建共享")


class Media(Model):
    website_column: YesNo | None = zh("网站群团专栏")
    wechat_column: YesNo | None = zh("公众号群团专栏")


EventType = Literal["听取汇报", "专题研究", "书记参加活动", "组织活动", "培训", "推优入党", "经费审查报告"]
OrgName = Literal["党组织", "工会", "共青团", "妇委会", "关工委"]
ActivityKind = Literal["政治学习", "志愿服务", "文体活动", "技能竞赛", "巾帼建功", "关爱下一代", "联谊交流", "其他"]


class Event(Model):
    date: dt.date | None = zh("日期")
    type: EventType | None = zh(
        "事项类型", "听取汇报 / 专题研究 / 书记参加活动 / 组织活动 / 培训 / 推优入党 / "
        "经费审查报告（经审会向会员大会或会员代表大会报告经费审查情况）")
    org: OrgName | None = zh("组织", "该事项所属或涉及的组织")
    kind: ActivityKind | None = zh("活动类别")
    organizer: Literal["本单位", "机关工委", "上级组织", "联合开展"] | None = zh("主办方")
    title: str | None = zh("名称")
    count: Count | None = zh("人数", "参加或被推荐人数")
    document: str | None = zh("佐证材料", "会议纪要、通知等")


class Profile(Model):
    """One unit's profile (单位档案)."""

    schema_version: Literal[1] | None = zh("档案格式版本")
    unit: Unit = Field(title="单位")
    party: PartyOrg | None = zh("党组织")
    union: Union | None = zh("工会")
    league: League | None = zh("共青团")
    women: Women | None = zh("妇委会")
    guan: Guan | None = zh("关工委")
    responsibility: Responsibility | None = zh("责任落实")
    funding: Funding | None = zh("经费保障")
    venues: Venues | None = zh("阵地建设")
    media: Media | None = zh("宣传阵地")
    events: list[Event] | None = zh("工作记录", "会议、活动、培训、推优、经费审查报告等带日期的记录", max_length=MAX_ITEMS)
    records_complete: YesNo | None = zh("记录完整", "填报人确认“以上为考核年度全部工作记录”；未确认时，缺少某类记录只列为待核实")
    waivers: list[Waiver] | None = zh("豁免", "经批准的例外", max_length=MAX_ITEMS)
    notes: str | None = zh("备注")


MASS_ORGS: dict[str, str] = {"union": "工会", "league": "共青团", "women": "妇委会", "guan": "关工委"}
