"""The 整改通知书 of one unit, in the form a 机关工委 issues it (DOCX).

文号, a title on one line, the 主送 organisation, an opening that says how the work was reviewed (书面审查 or
现场督查), a summary table, each problem once however many organisations it concerns, documents to send,
reminders apart (提示事项, no deadline), reply requirements, 落款 and 抄送; page numbers in the footer.
"""

from __future__ import annotations

from compliance.findings import zh_date
from compliance.report.docx import USABLE_WIDTH_MM, Writer
from compliance.report.office import Office
from compliance.report.overview import Overview, ProblemGroup, UnitView, group_by_rule, reply_deadline
from compliance.report.text import ordinal

TITLE_PT, MIN_TITLE_PT = 22.0, 16.0
PT_PER_MM = 72 / 25.4



def notice_title(unit: UnitView, subject: str) -> str:
    return f"关于{unit.unit_name}{subject}工作存在问题的整改通知"


def title_size(title: str) -> float:
    """The largest size (≤ 22 pt, 二号) at which the title fits on one line; at least 16 pt (then it wraps)."""
    fits = 0.9 * USABLE_WIDTH_MM * PT_PER_MM / max(len(title), 1)  # 0.9: substitute fonts run wider
    return max(MIN_TITLE_PT, min(TITLE_PT, int(fits * 2) / 2))


def named(group: ProblemGroup) -> str:
    """A problem's name: its requirement, with the organisations it concerns (工会、共青团、妇委会)."""
    subjects = group.subjects
    return group.first.title + (f"（{'、'.join(subjects)}）" if subjects else "")


def opening(unit: UnitView, ov: Overview, office: Office, problems: int, counts: str) -> str:
    """The first paragraph; a desk review does not say the unit was inspected."""
    basis = f"根据{ov.subject}工作督查安排，{office.issuer}对照《{ov.pack_title}》"
    if office.on_site:
        done = f"，于{zh_date(ov.as_of)}对你单位{ov.subject}工作进行了现场督查。经检查，"
    else:
        done = f"，对你单位报送的{ov.subject}工作档案进行了书面审查。经审查，"
    return (basis + done + f"你单位存在以下{problems}个问题（{counts}）。"
            "现将问题及整改要求通知如下，请认真抓好整改落实。")


def notice_docx(unit: UnitView, ov: Overview, office: Office, reply_days: int, number: str = "") -> bytes:
    """The 整改通知书 of one unit as DOCX bytes."""
    as_of = ov.as_of
    groups = group_by_rule(unit.fails)
    title = notice_title(unit, ov.subject)
    out = Writer(as_of, title, office.issuer or "")
    if number:
        out.para(number, indent=False, align=1)
    out.para(title, "Title", size=title_size(title))
    out.para(f"{unit.addressee or unit.unit_name}：", indent=False)
    counts = "、".join(f"{s}{n}个" for s, n in _severity_counts(groups).items() if n)
    out.para(opening(unit, ov, office, len(groups), counts))

    out.heading("一、问题汇总")
    out.table(["序号", "问题", "严重程度", "整改时限"],
              [[i, named(g), g.first.severity, zh_date(g.deadline(as_of))] for i, g in enumerate(groups, 1)])

    out.heading("二、存在的问题及整改要求")
    for i, g in enumerate(groups, 1):
        f = g.first
        out.para(f"（{ordinal(i)}）{named(g)}（{f.severity}）", "Item Heading")
        owner = f"责任人：{f.owner}；" if f.owner else ""
        out.para("；".join(m.rstrip("。") for m in g.messages) + "。" + (f"依据：{f.basis.rstrip('。')}。" if f.basis else "")
                 + f"整改措施：{f.measure.rstrip('。')}。{owner}整改时限：{zh_date(g.deadline(as_of))}前完成。")

    section = 3
    if unit.unknowns:
        out.heading(f"{ordinal(section)}、需补充报送的材料")
        missing = group_by_rule(unit.unknowns)
        out.para(f"你单位档案中有{len(missing)}项内容未填报，无法判断是否符合要求，"
                 "请在报送整改情况时一并补充以下材料：")
        for i, g in enumerate(missing, 1):
            out.para(f"{i}. {named(g)}：{'、'.join(g.evidence) or '相关材料'}。")
        section += 1
    if unit.reminders:
        out.heading(f"{ordinal(section)}、提示事项")
        notes = "；".join(f"{named(g)}，{g.messages[0].rstrip('。')}" for g in group_by_rule(unit.reminders))
        out.para(f"以下事项不属于问题，不列入整改，请你单位提前做好准备：{notes}。")
        section += 1

    reply = reply_deadline(as_of, reply_days)
    out.heading(f"{ordinal(section)}、工作要求")
    out.para(f"1. 你单位党组织要切实履行{ov.subject}主体责任，书记履行第一责任人职责，逐项制定整改措施，"
             "明确责任人和完成时限，建立整改台账，实行对账整改、挂账销号。")
    out.para(f"2. 请于{zh_date(reply)}前将整改落实情况（含整改台账和佐证材料）书面报送{office.issuer}。"
             "个别问题在时限内确难整改到位的，应说明原因和下一步计划。")
    out.para(f"3. {office.issuer}将适时组织复查，对整改不到位的问题予以通报。")
    if office.contact:
        out.para(f"联系人：{office.contact}")
    for _ in range(2):
        out.para("", indent=False)
    for text in (office.signature or office.issuer or "", zh_date(as_of) or ""):
        out.para(text, "Signature", indent=False, right_indent_pt=64)
    if office.copy_to:
        out.para("", indent=False)
        out.para(f"抄送：{'，'.join(office.copy_to)}。", indent=False, border=True, keep_lines=True)
    return out.save()


def _severity_counts(groups: list[ProblemGroup]) -> dict[str, int]:
    counts = {"严重": 0, "一般": 0, "提示": 0}
    for g in groups:
        counts[g.first.severity] = counts.get(g.first.severity, 0) + 1
    return counts
