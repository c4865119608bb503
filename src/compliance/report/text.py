"""The 督查报告 and 检查提纲 as document blocks, rendered to Markdown and self-contained HTML.

The same blocks feed the DOCX writer (:mod:`compliance.report.docx`), so the three formats say the same.
"""

from __future__ import annotations

import base64
import html
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from compliance.findings import Finding, SEVERITIES
from compliance.findings import zh_date
from compliance.report.office import Office
from compliance.report.overview import MET_STATES, WEIGHT_NAMES, Overview, UnitView, percent
from compliance.report.wording import prose

if TYPE_CHECKING:
    from compliance.report.rounds import PreviousRound

ORDINALS = "一二三四五六七八九十"
CHART_FILES = {"category": "图表_各类别问题发生率.png", "rule": "图表_各项要求不符合率.png"}
CHART_CAPTIONS = {"category": "图1 各类别问题发生率（存在该类问题的单位占比）",
                  "rule": "图2 各项要求不符合率与待核实率（按单位）"}


@dataclass
class Heading:
    level: int
    text: str


@dataclass
class Para:
    text: str
    bold: bool = False


@dataclass
class Bullets:
    items: list[str]


@dataclass
class Table:
    headers: list[str]
    rows: list[list[Any]]


@dataclass
class Landscape:
    """From here on, landscape pages (DOCX) for wide tables; other formats ignore it."""


@dataclass
class Image:
    name: str
    data: bytes
    caption: str
    svg: bytes = b""
    """The same chart as SVG with text as text (HTML shows it with the viewer's fonts)."""


Block = Heading | Para | Bullets | Table | Image | Landscape


def ordinal(n: int) -> str:
    """1 → 一, 12 → 十二, 105 → 一百零五, 1010 → 一千零一十; beyond 9999 (or below 1) in Arabic digits."""
    if not 1 <= n <= 9999:
        return str(n)
    if n < 20:
        return ORDINALS[n - 1] if n <= 10 else "十" + ORDINALS[n - 11]
    out, zero = "", False
    for digit, unit in zip(f"{n:04d}", ("千", "百", "十", "")):
        if digit == "0":
            zero = bool(out)
            continue
        out += ("零" if zero else "") + ORDINALS[int(digit) - 1] + unit
        zero = False
    return out


def join_names(names: Sequence[str], limit: int = 12) -> str:
    shown = "、".join(names[:limit])
    return shown + (f"等{len(names)}个单位" if len(names) > limit else "")


def overall_paragraph(ov: Overview) -> str:
    """The 基本情况 paragraph, in the manner of a 督查调研报告, written from the numbers."""
    n = ov.unit_count
    fails = sum(ov.fail_by_severity.values())
    sev = "、".join(f"{s}{ov.fail_by_severity[s]}个" for s in SEVERITIES if ov.fail_by_severity[s])
    text = (f"本次督查共检查{n}个单位，其中{ov.units_with_fails}个单位存在不符合要求的问题，"
            f"共发现问题{fails}个" + (f"（{sev}）" if sev else "") + "；"
            f"另有{ov.states['unknown']}项因档案信息不全需现场核实，{ov.states['waived']}项经批准豁免。")
    clean = n - ov.units_with_fails
    if clean:
        text += f"{clean}个单位未发现不符合要求的问题。"
    cats = sorted((c for c in ov.categories if c.total), key=lambda c: (-c.units_failing, -c.total))
    if cats:
        parts = [f"{c.category}方面（{c.units_failing}个单位、{c.total}个问题）" for c in cats[:3]]
        text += "从问题类别看，问题主要集中在" + "、".join(parts) + "。"
    if ov.files_with_errors:
        text += f"另有{ov.files_with_errors}个档案文件存在错误，未能检查，需退回补正。"
    return text


def introduction(ov: Overview, office: Office) -> str:
    how = (f"深入{ov.unit_count}个单位进行了现场督查" if office.on_site
           else f"对{ov.unit_count}个单位报送的{ov.subject}工作档案进行了书面审查")
    return (f"为加强{ov.subject}工作，{office.issuer}依据《{ov.pack_title}》{how}，"
            "逐项对照组织建设、换届、经费保障、阵地建设、队伍建设和活动开展等要求查找问题，"
            "档案中未填报的事项列为待核实，不视为达标。现将有关情况报告如下。")


def achievements(ov: Overview) -> list[Block]:
    """主要成效: requirements most units are shown to meet, and the units doing well."""
    n = ov.unit_count
    blocks: list[Block] = []
    met = ov.well_met()
    if met:
        parts = [f"“{r.title}”（{sum(r.units[s] for s in MET_STATES)}个单位达标）" for r in met]
        blocks.append(Para("多数单位能够落实以下要求：" + "、".join(parts) + "。"))
    good = ov.units_doing_well()
    if good:
        names = join_names([r.unit_name for r in good])
        blocks.append(Para(f"{names}未发现不符合要求的问题，且档案齐全、已证实达标率在80%以上，工作基础较好，"
                           "可在全系统交流经验。"))
    if not blocks:
        blocks.append(Para(f"本次检查的{n}个单位中，尚无单位各项要求均已证实达标；"
                           "待补齐档案、完成现场核实后再作评价。"))
    return blocks


def problem_paragraphs(ov: Overview, top: int) -> list[Block]:
    """存在的主要问题: the most severe first, then by the share of units; no rule ids."""
    n = ov.unit_count
    common = ov.common_problems(top)
    if not common:
        return [Para("本次检查未发现不符合要求的问题。")]
    blocks: list[Block] = [Para("按问题严重程度和涉及单位比例排列如下：")]
    for i, r in enumerate(common, 1):
        blocks.append(Para(f"（{ordinal(i)}）“{r.title}”落实不到位（{r.severity}）。"
                           f"{r.units['fail']}个单位存在此问题，占检查单位的{percent(r.units['fail'], n)}，"
                           f"涉及：{join_names(r.failing_units)}。"))
    return blocks


def previous_round_blocks(previous: PreviousRound) -> list[Block]:
    text = (f"上轮督查共登记整改问题{previous.total}个，已销号{previous.closed}个，"
            f"销号率{previous.closing_rate * 100:.0f}%（豁免{previous.waived}个不计入）；"
            f"逾期未整改{previous.overdue}个；")
    text += (f"复查中有{previous.rebound_items}个问题出现反弹（共{previous.rebounds}次）。" if previous.rebounds
             else "复查中未发现问题反弹。")
    blocks: list[Block] = [Para(text)]
    if previous.overdue_units:
        names = "、".join(f"{name}（{count}个）" for name, count in previous.overdue_units[:12])
        blocks.append(Para(f"存在逾期问题的单位：{names}。"))
    return blocks


def suggestions(ov: Overview, previous: PreviousRound | None) -> list[Block]:
    """工作建议, from what was found."""
    items: list[str] = []
    severe = [r for r in ov.common_problems(100) if r.severity == "严重"]
    if severe:
        items.append("聚焦严重问题限期整改。" + "；".join(f"针对“{r.title}”，{r.measure.rstrip('。')}"
                                                     for r in severe[:3]) + "。")
    general = [r for r in ov.common_problems(100) if r.severity != "严重"]
    if general:
        items.append("压实党组织主体责任。对“" + "”“".join(r.title for r in general[:3])
                     + "”等面上问题，由各单位党组织书记牵头，逐项明确措施、责任人和时限，纳入整改台账、挂账销号。")
    if ov.states["unknown"]:
        items.append(f"补齐工作档案。{ov.states['unknown']}项因档案未填报需现场核实，请各单位按检查提纲补报材料，"
                     "督查组现场核实后再作结论。")
    if previous is not None and (previous.overdue or previous.rebounds):
        items.append("加强整改跟踪。对上轮逾期未整改和反弹的问题，实行清单化督办，复查合格后方可销号。")
    items.append("建立长效机制。把党建带群建纳入党建工作考核和书记述职评议，做到同步部署、同步检查、同步总结、同步宣传。")
    return [Para(f"{ordinal(i)}是{item}") for i, item in enumerate(items, 1)]


def overview_blocks(ov: Overview, charts: dict[str, bytes], top: int = 10, office: Office | None = None,
                    previous: PreviousRound | None = None) -> list[Block]:
    """All sections of the 督查报告; the wide tables (with rule ids) go to a landscape appendix."""
    office = office or Office().resolved(ov.issuer)
    n = ov.unit_count
    blocks: list[Block] = [
        Heading(0, f"{ov.subject}工作督查报告"),
        Para(introduction(ov, office)),
        Heading(1, "一、基本情况"),
        Para(overall_paragraph(ov)),
        Table(["检查结果", "项数"], [["不符合", ov.states["fail"]], ["待核实", ov.states["unknown"]],
                                    ["豁免", ov.states["waived"]], ["不适用", ov.states["not_applicable"]],
                                    ["符合", ov.states["pass"]]]),
        Table(["问题类别", *SEVERITIES, "合计", "涉及单位", "占检查单位"],
              [[c.category, *(c.fails[s] for s in SEVERITIES), c.total, c.units_failing, percent(c.units_failing, n)]
               for c in ov.categories]
              + [["合计", *(ov.fail_by_severity[s] for s in SEVERITIES), sum(ov.fail_by_severity.values()),
                  ov.units_with_fails, percent(ov.units_with_fails, n)]]),
    ]
    if "category" in charts:
        blocks.append(Image(CHART_FILES["category"], charts["category"], CHART_CAPTIONS["category"]))
    blocks += [Heading(1, "二、主要成效"), *achievements(ov),
               Heading(1, "三、存在的主要问题"), *problem_paragraphs(ov, top)]
    if "rule" in charts:
        blocks.append(Image(CHART_FILES["rule"], charts["rule"], CHART_CAPTIONS["rule"]))
    section = 4
    if previous is not None:
        blocks += [Heading(1, f"{ordinal(section)}、上轮整改情况"), *previous_round_blocks(previous)]
        section += 1
    blocks += [Heading(1, f"{ordinal(section)}、工作建议"), *suggestions(ov, previous)]
    section += 1
    if ov.errors:
        blocks += [Heading(1, f"{ordinal(section)}、未能检查的档案文件"),
                   Para(f"以下{ov.files_with_errors}个文件有错误，未纳入统计，请退回单位补正后重新检查："),
                   Bullets([p.format() for p in ov.errors])]
    weights = "、".join(f"{s}{ov.weights.get(s, 0):g}分" for s in WEIGHT_NAMES)
    blocks += [
        Landscape(),
        Heading(1, "附表1 各项要求检查结果"),
        Para("每个单位每项要求计一次（同一要求涉及多个组织时，有一个不符合即计为不符合）；比例为占检查单位数。"
             f"检查依据：《{ov.pack_title}》（版本{ov.pack_version}）。"),
        Table(["编号", "要求", "类别", "严重程度", "不符合", "待核实", "不适用", "豁免", "符合"],
              [[r.rule_id, r.title, r.category, r.severity,
                *(f"{r.units[s]}（{percent(r.units[s], n)}）" for s in ("fail", "unknown", "not_applicable")),
                r.units["waived"], r.units["pass"]] for r in ov.rules]),
        Heading(1, "附表2 各单位问题情况排名"),
        Para(f"按加权问题分从高到低排列：每个不符合问题按严重程度计分，待核实事项尚未证实达标，也计分（{weights}）；"
             "分数相同的按严重问题多者在前。已证实达标率＝档案证实达标的要求÷适用的要求，待核实不计为达标。"),
        Table(["排名", "单位编号", "单位", "加权问题分", *SEVERITIES, "不符合合计", "待核实", "豁免", "已证实达标率"],
              [[r.rank, r.unit_id, r.unit_name, f"{r.score:g}", *(r.fails[s] for s in SEVERITIES), r.fail_total,
                r.unknown, r.waived, percent(r.met, r.applicable)] for r in ov.ranking]),
    ]
    return blocks


def waiver_rows(unit: UnitView) -> list[list[Any]]:
    rows = []
    for i, f in enumerate(unit.waivers, 1):
        w = f.waiver or {}
        status = "已过期，不再生效" if w.get("expired") else "有效"
        rows.append([i, f"{f.rule_id} {f.title}", status, w.get("reason", ""), w.get("document", ""),
                     w.get("approver", ""), str(w.get("expires", ""))])
    return rows


def subject_of(f: Finding) -> str:
    return f"（{f.subject}）" if f.subject else ""


def checklist_blocks(unit: UnitView, ov: Overview) -> list[Block]:
    """The 检查提纲 of one unit: what to verify, what to confirm, which waivers and documents to see."""
    unknowns, fails, waivers = unit.unknowns, unit.fails, waiver_rows(unit)
    blocks: list[Block] = [
        Heading(0, f"{unit.unit_name}{ov.subject}工作现场检查提纲"),
        Para(f"单位编号：{unit.unit_id}　　检查日期：{zh_date(ov.as_of)}"),
        Para(f"检查依据：《{ov.pack_title}》。本提纲列出档案中缺少、需现场核实的事项，"
             f"需现场确认的问题，以及需查看批准文件的豁免事项。共待核实{len(unknowns)}项、问题{len(fails)}个、"
             f"豁免{len(waivers)}项" + (f"；另有提醒事项{len(unit.reminders)}项，不是问题，不计入问题数" if unit.reminders else "") + "。"),
        Heading(1, "一、待核实事项（档案未填报，需现场核实）"),
    ]
    if unknowns:
        blocks.append(Table(["序号", "要求", "待核实内容", "需调阅材料"],
                            [[i, f"{f.title}{subject_of(f)}", f.message, "、".join(f.evidence) or "—"]
                             for i, f in enumerate(unknowns, 1)]))
    else:
        blocks.append(Para("无。"))
    blocks.append(Heading(1, "二、需现场确认的问题"))
    if fails:
        blocks.append(Table(["序号", "问题", "严重程度", "问题描述", "需调阅材料"],
                            [[i, f"{f.title}{subject_of(f)}", f.severity, f.message, "、".join(f.evidence) or "—"]
                             for i, f in enumerate(fails, 1)]))
    else:
        blocks.append(Para("无。"))
    blocks.append(Heading(1, "三、豁免事项（查看批准文件及有效期）"))
    if waivers:
        blocks.append(Table(["序号", "要求", "豁免状态", "豁免理由", "批准文件", "批准单位", "有效期至"],
                            [[*row[:1], row[1].split(" ", 1)[-1], *row[2:]] for row in waivers]))
    else:
        blocks.append(Para("无。"))
    last = "四"
    if unit.reminders:
        blocks.append(Heading(1, "四、提醒事项（不是问题，请单位提前准备）"))
        blocks.append(Table(["序号", "事项", "提醒内容", "建议"],
                            [[i, f"{f.title}{subject_of(f)}", f.message, f.measure]
                             for i, f in enumerate(unit.reminders, 1)]))
        last = "五"
    blocks.append(Heading(1, f"{last}、需调阅的材料清单"))
    if unit.evidence:
        half = (len(unit.evidence) + 1) // 2  # two lists side by side, each with a box to tick
        left, right = unit.evidence[:half], unit.evidence[half:]
        blocks.append(Table(["序号", "材料", "已调阅", "序号", "材料", "已调阅"],
                            [[i + 1, left[i], "□", *((half + i + 1, right[i], "□") if i < len(right) else ("", "", ""))]
                             for i in range(half)]))
    else:
        blocks.append(Para("无。"))
    return blocks


# --- Markdown ---------------------------------------------------------------------------------

def _md_cell(value: Any) -> str:
    return prose(value).replace("|", "\\|").replace("\n", " ")


def render_markdown(blocks: list[Block], image_dir: str = "") -> str:
    """Markdown; images are referenced as files beside the document (``image_dir``/name)."""
    out: list[str] = []
    for b in blocks:
        if isinstance(b, Heading):
            out.append("#" * (b.level + 1) + " " + prose(b.text))
        elif isinstance(b, Para):
            out.append(f"**{prose(b.text)}**" if b.bold else prose(b.text))
        elif isinstance(b, Bullets):
            out.append("\n".join(f"- {prose(item)}" for item in b.items))
        elif isinstance(b, Table):
            lines = ["| " + " | ".join(map(_md_cell, b.headers)) + " |", "|" + "---|" * len(b.headers)]
            lines += ["| " + " | ".join(map(_md_cell, row)) + " |" for row in b.rows]
            out.append("\n".join(lines))
        elif isinstance(b, Image):
            out.append(f"![{b.caption}]({image_dir}{b.name})\n\n*{b.caption}*")
    return "\n\n".join(out) + "\n"


# --- HTML -------------------------------------------------------------------------------------

HTML_STYLE = """
body { font-family: "Noto Serif CJK SC", "Source Han Serif SC", SimSun, "Songti SC", serif;
       max-width: 60em; margin: 2em auto; padding: 0 1em; line-height: 1.7; color: #222; }
h1 { text-align: center; font-family: "Noto Sans CJK SC", SimHei, "Heiti SC", sans-serif; }
h2, h3 { font-family: "Noto Sans CJK SC", SimHei, "Heiti SC", sans-serif; }
p { text-indent: 2em; }
table { border-collapse: collapse; margin: 1em 0; width: 100%; font-size: 0.92em; }
th, td { border: 1px solid #999; padding: 0.3em 0.5em; vertical-align: top; text-align: left; }
th { background: #EEE; }
figure { margin: 1em 0; text-align: center; }
img, figure svg { max-width: 100%; height: auto; }
figcaption { font-size: 0.9em; color: #555; }
""".strip()


def render_html(blocks: list[Block]) -> str:
    """A self-contained HTML page: styles inline, images as ``data:`` URIs."""
    def esc(text: Any) -> str:
        return html.escape(prose(text))

    title = next((b.text for b in blocks if isinstance(b, Heading)), "")
    body: list[str] = []
    for b in blocks:
        if isinstance(b, Heading):
            body.append(f"<h{b.level + 1}>{esc(b.text)}</h{b.level + 1}>")
        elif isinstance(b, Para):
            body.append(f"<p><strong>{esc(b.text)}</strong></p>" if b.bold else f"<p>{esc(b.text)}</p>")
        elif isinstance(b, Bullets):
            body.append("<ul>" + "".join(f"<li>{esc(i)}</li>" for i in b.items) + "</ul>")
        elif isinstance(b, Table):
            head = "".join(f"<th>{esc(h)}</th>" for h in b.headers)
            rows = "".join("<tr>" + "".join(f"<td>{esc(c)}</td>" for c in row) + "</tr>" for row in b.rows)
            body.append(f"<table><thead><tr>{head}</tr></thead><tbody>{rows}</tbody></table>")
        elif isinstance(b, Image) and b.svg:
            svg = b.svg.decode("utf-8")
            svg = svg[svg.index("<svg"):]  # without the XML declaration and DOCTYPE
            body.append(f'<figure role="img" aria-label="{esc(b.caption)}">{svg}'
                        f"<figcaption>{esc(b.caption)}</figcaption></figure>")
        elif isinstance(b, Image):
            data = base64.b64encode(b.data).decode("ascii")
            body.append(f'<figure><img src="data:image/png;base64,{data}" alt="{esc(b.caption)}">'
                        f"<figcaption>{esc(b.caption)}</figcaption></figure>")
    return ("<!DOCTYPE html>\n<html lang=\"zh-CN\">\n<head>\n<meta charset=\"utf-8\">\n"
            f"<title>{esc(title)}</title>\n<style>\n{HTML_STYLE}\n</style>\n</head>\n<body>\n"
            + "\n".join(body) + "\n</body>\n</html>\n")

