"""DOCX documents (python-docx): the 督查报告 and 检查提纲 from blocks, and the formal 整改通知书.

A4 pages with 公文 margins; Chinese text gets its East Asian font through ``w:eastAsia``
(仿宋_GB2312 body, 黑体 headings, 方正小标宋简体 for a notice title, 宋体 in tables).
"""

from __future__ import annotations

import datetime as dt
import io
from typing import Any

from compliance.findings import zh_date
from compliance.report.overview import (
    Overview,
    UnitView,
    fix_deadline,
    fixed_zip,
    reply_deadline,
)
from compliance.inputs.text import for_xml
from compliance.report.text import (
    Block,
    Bullets,
    Heading,
    Image,
    Para,
    Table,
    ordinal,
    subject_of,
)

BODY_FONT = "仿宋_GB2312"
HEADING_FONT = "黑体"
TITLE_FONT = "方正小标宋简体"
TABLE_FONT = "宋体"
LATIN_FONT = "Times New Roman"


def set_font(target: Any, east_asia: str, size: float | None = None, bold: bool | None = None,
             latin: str = LATIN_FONT) -> None:
    """Set the Latin and East Asian font of a run or style (python-docx only sets ``w:ascii``/``w:hAnsi``)."""
    from docx.oxml.ns import qn
    from docx.shared import Pt, RGBColor

    font = target.font
    font.name = latin
    font.color.rgb = RGBColor(0, 0, 0)
    if size is not None:
        font.size = Pt(size)
    if bold is not None:
        font.bold = bold
    rpr = target.element.get_or_add_rPr()
    rfonts = rpr.get_or_add_rFonts()
    rfonts.set(qn("w:eastAsia"), east_asia)
    for attr in ("w:asciiTheme", "w:hAnsiTheme", "w:eastAsiaTheme", "w:cstheme"):
        rfonts.attrib.pop(qn(attr), None)


def new_document(as_of: dt.date, title: str, author: str) -> Any:
    """An A4 document with Chinese styles and fixed core properties (no wall-clock timestamps)."""
    from docx import Document
    from docx.shared import Mm, Pt

    doc = Document()
    section = doc.sections[0]
    section.page_width, section.page_height = Mm(210), Mm(297)
    section.top_margin, section.bottom_margin = Mm(37), Mm(35)
    section.left_margin, section.right_margin = Mm(28), Mm(26)
    styles = doc.styles
    set_font(styles["Normal"], BODY_FONT, 14)
    styles["Normal"].paragraph_format.line_spacing = Pt(28)
    for name, size in (("Title", 22), ("Heading 1", 16), ("Heading 2", 14), ("Heading 3", 14)):
        style = styles[name]
        set_font(style, TITLE_FONT if name == "Title" else HEADING_FONT, size, bold=False)
        style.paragraph_format.space_before = Pt(6)
        style.paragraph_format.space_after = Pt(6)
    styles["Title"].paragraph_format.alignment = 1
    for border in styles["Title"].element.xpath("./w:pPr/w:pBdr"):
        border.getparent().remove(border)
    styles["Normal"].paragraph_format.space_after = Pt(0)
    stamp = dt.datetime.combine(as_of, dt.time(0, 0))
    props = doc.core_properties
    props.title, props.author, props.last_modified_by = title, author, author
    props.created, props.modified, props.last_printed = stamp, stamp, stamp
    props.revision = 1
    props.comments = ""
    return doc


def _paragraph(doc: Any, text: str, indent: bool = True, bold: bool = False, align: int | None = None) -> Any:
    from docx.shared import Pt

    p = doc.add_paragraph()
    if indent:
        p.paragraph_format.first_line_indent = Pt(28)
    if align is not None:
        p.alignment = align
    run = p.add_run(for_xml(text))
    if bold:
        run.bold = True
    return p


USABLE_WIDTH_MM = 210 - 28 - 26


CELL_MARGINS_MM = 3.8


def column_widths(headers: list[str], rows: list[list[Any]], size: float = 10.5) -> list[float]:
    """Column widths in mm: each column's natural width, the widest ones capped so that all fit (they wrap)."""
    from wcwidth import wcswidth

    def width(value: Any) -> int:
        return max(wcswidth(str(value)), len(str(value))) + 2

    natural = []
    for i, header in enumerate(headers):
        cells = [width(r[i]) for r in rows if i < len(r) and r[i] is not None]
        natural.append(max([min(width(header), 10)] + cells) - 2)
    half_char = size * 0.3528 / 2
    available = (USABLE_WIDTH_MM - CELL_MARGINS_MM * len(headers)) / half_char
    cap = max(natural)
    while sum(min(n, cap) for n in natural) > available and cap > 4:
        cap -= 1
    fitted = [min(n, cap) * half_char + CELL_MARGINS_MM for n in natural]
    return [USABLE_WIDTH_MM * w / sum(fitted) for w in fitted]


def _table(doc: Any, headers: list[str], rows: list[list[Any]]) -> None:
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn
    from docx.shared import Mm

    size = 10.5 if len(headers) < 8 else 9
    table = doc.add_table(rows=1, cols=len(headers))
    table.style = "Table Grid"
    table.autofit = False
    repeat = OxmlElement("w:tblHeader")
    repeat.set(qn("w:val"), "true")
    table.rows[0]._tr.get_or_add_trPr().append(repeat)
    for cell, text in zip(table.rows[0].cells, headers):
        cell.text = str(text)
    for row in rows:
        for cell, value in zip(table.add_row().cells, row):
            cell.text = "" if value is None else for_xml(value)
    for r, row in enumerate(table.rows):
        for cell in row.cells:
            for p in cell.paragraphs:
                p.paragraph_format.line_spacing = 1.0
                for run in p.runs:
                    set_font(run, HEADING_FONT if r == 0 else TABLE_FONT, size)
    for column, width in zip(table.columns, column_widths(headers, rows, size)):
        column.width = Mm(width)
        for cell in column.cells:
            cell.width = Mm(width)


def add_blocks(doc: Any, blocks: list[Block]) -> None:
    from docx.shared import Mm

    for b in blocks:
        if isinstance(b, Heading):
            doc.add_heading(b.text, level=b.level)
        elif isinstance(b, Para):
            _paragraph(doc, b.text, bold=b.bold)
        elif isinstance(b, Bullets):
            for item in b.items:
                _paragraph(doc, item, indent=True)
        elif isinstance(b, Table):
            _table(doc, b.headers, b.rows)
        elif isinstance(b, Image):
            doc.add_picture(io.BytesIO(b.data), width=Mm(150))
            doc.paragraphs[-1].alignment = 1
            doc.paragraphs[-1].paragraph_format.line_spacing = 1.0
            caption = _paragraph(doc, b.caption, indent=False, align=1)
            for run in caption.runs:
                set_font(run, HEADING_FONT, 10.5)


def blocks_docx(blocks: list[Block], as_of: dt.date, author: str) -> bytes:
    """The 督查报告 or a 检查提纲 as DOCX bytes."""
    title = next((b.text for b in blocks if isinstance(b, Heading)), "")
    doc = new_document(as_of, title, author)
    add_blocks(doc, blocks)
    return save(doc)


def save(doc: Any) -> bytes:
    buffer = io.BytesIO()
    doc.save(buffer)
    return fixed_zip(buffer.getvalue(), doc.core_properties.created.date())


def notice_title(unit: UnitView, subject: str) -> str:
    return f"关于{unit.unit_name}{subject}工作存在问题的整改通知"


def notice_docx(unit: UnitView, ov: Overview, reply_days: int) -> bytes:
    """The 整改通知书 of one unit, ready to print: problems with basis, measure and deadline, reply date, 落款."""
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.shared import Pt

    as_of, fails = ov.as_of, unit.fails
    reply = reply_deadline(as_of, reply_days)
    doc = new_document(as_of, notice_title(unit, ov.subject), ov.issuer)
    title = doc.add_paragraph(style="Title")
    title.add_run(notice_title(unit, ov.subject))
    _paragraph(doc, "", indent=False)
    _paragraph(doc, f"{unit.addressee or unit.unit_name}：", indent=False)
    counts = "、".join(f"{s}{n}个" for s, n in _severity_counts(unit).items() if n)
    _paragraph(doc, f"根据{ov.subject}工作督查安排，{ov.issuer}对照《{ov.pack_title}》，于{zh_date(as_of)}对你单位"
                    f"{ov.subject}工作进行了检查。经检查，发现你单位存在以下{len(fails)}个问题（{counts}）。"
                    "现将问题及整改要求通知如下，请认真抓好整改落实。")
    doc.add_heading("一、存在的问题及整改要求", level=1)
    for i, f in enumerate(fails, 1):
        p = _paragraph(doc, "")
        head = p.add_run(f"（{ordinal(i)}）{f.title}{subject_of(f)}。")
        set_font(head, "楷体_GB2312", bold=True)
        p.add_run(f"{f.message}（{f.severity}）。" + (f"依据：{f.basis}。" if f.basis else ""))
        owner = f"责任人：{f.owner}；" if f.owner else ""
        _paragraph(doc, f"整改措施：{f.measure}{owner}整改时限：{zh_date(fix_deadline(f, as_of))}前完成。")
    section = 2
    if unit.unknowns:
        doc.add_heading(f"{ordinal(section)}、需补充报送的材料", level=1)
        _paragraph(doc, f"你单位档案中有{len(unit.unknowns)}项内容未填报，无法判断是否符合要求，"
                        "请在报送整改情况时一并补充以下材料：")
        for i, f in enumerate(unit.unknowns, 1):
            docs = "、".join(f.evidence) or "相关材料"
            _paragraph(doc, f"{i}. {f.title}{subject_of(f)}：{docs}。")
        section += 1
    doc.add_heading(f"{ordinal(section)}、工作要求", level=1)
    _paragraph(doc, f"1. 你单位党组织要切实履行{ov.subject}主体责任，书记履行第一责任人职责，逐项制定整改措施，"
                    "明确责任人和完成时限，建立整改台账，实行对账整改、挂账销号。")
    _paragraph(doc, f"2. 请于{zh_date(reply)}前将整改落实情况（含整改台账和佐证材料）书面报送{ov.issuer}。"
                    "个别问题在时限内确难整改到位的，应说明原因和下一步计划。")
    _paragraph(doc, f"3. {ov.issuer}将适时组织复查，对整改不到位的问题予以通报。")
    for _ in range(2):
        _paragraph(doc, "", indent=False)
    for text in (ov.issuer, zh_date(as_of)):
        p = _paragraph(doc, text, indent=False, align=WD_ALIGN_PARAGRAPH.RIGHT)
        p.paragraph_format.right_indent = Pt(56)
    return save(doc)


def _severity_counts(unit: UnitView) -> dict[str, int]:
    counts = {"严重": 0, "一般": 0, "提示": 0}
    for f in unit.fails:
        counts[f.severity] = counts.get(f.severity, 0) + 1
    return counts


