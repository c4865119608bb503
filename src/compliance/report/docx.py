"""DOCX documents (python-docx): the 督查报告 and 检查提纲 from blocks; the notice is in :mod:`.notice`.

One template is built once per process: A4 pages with 公文 margins, page numbers "第X页 共Y页" in the footer,
and every font set in a style (仿宋_GB2312 body, 黑体 headings and table headers, 方正小标宋简体 titles,
宋体 table text), so that no run carries its own font. Tables are written as XML in one pass.
"""

from __future__ import annotations

import datetime as dt
import functools
import io
from typing import Any
from xml.sax.saxutils import escape

from compliance.report.overview import fixed_zip
from compliance.report.text import Block, Bullets, Heading, Image, Landscape, Para, Table
from compliance.report.wording import prose

BODY_FONT = "仿宋_GB2312"
HEADING_FONT = "黑体"
TITLE_FONT = "方正小标宋简体"
TABLE_FONT = "宋体"
KAI_FONT = "楷体_GB2312"
LATIN_FONT = "Times New Roman"
PAGE_MM = (210, 297)
MARGINS_MM = {"top": 37, "bottom": 35, "left": 28, "right": 26}
USABLE_WIDTH_MM = PAGE_MM[0] - MARGINS_MM["left"] - MARGINS_MM["right"]
LANDSCAPE_WIDTH_MM = PAGE_MM[1] - 25 - 25
CELL_MARGINS_MM = 3.8
MAX_IMAGE_HEIGHT_MM = 200
TWIPS_PER_MM = 56.6929
W_NS = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
STYLES = {"table": "TableText", "table_head": "TableHeading", "item": "ItemHeading", "signature": "Signature"}


def set_font(target: Any, east_asia: str, size: float | None = None, bold: bool | None = None,
             latin: str = LATIN_FONT) -> None:
    """Set the Latin and East Asian font of a style (python-docx only sets ``w:ascii``/``w:hAnsi``)."""
    from docx.oxml.ns import qn
    from docx.shared import Pt, RGBColor

    font = target.font
    font.name = latin
    font.color.rgb = RGBColor(0, 0, 0)
    if size is not None:
        font.size = Pt(size)
    if bold is not None:
        font.bold = bold
    rfonts = target.element.get_or_add_rPr().get_or_add_rFonts()
    rfonts.set(qn("w:eastAsia"), east_asia)
    for attr in ("w:asciiTheme", "w:hAnsiTheme", "w:eastAsiaTheme", "w:cstheme"):
        rfonts.attrib.pop(qn(attr), None)


def _add_style(doc: Any, name: str, font: str, size: float, bold: bool = False) -> Any:
    from docx.enum.style import WD_STYLE_TYPE
    from docx.shared import Pt

    style = doc.styles.add_style(name, WD_STYLE_TYPE.PARAGRAPH)
    style.base_style = doc.styles["Normal"]
    set_font(style, font, size, bold)
    style.paragraph_format.first_line_indent = Pt(0)
    return style


def _page_numbers(section: Any) -> None:
    """第X页 共Y页, centred in the footer, from the PAGE and NUMPAGES fields."""
    from docx.oxml import parse_xml

    paragraph = section.footer.paragraphs[0]
    paragraph.alignment = 1
    paragraph.paragraph_format.first_line_indent = 0

    def field(name: str) -> str:
        return f'<w:fldSimple {_ns()} w:instr=" {name} "><w:r><w:t>1</w:t></w:r></w:fldSimple>'

    def run(text: str) -> str:
        return f'<w:r {_ns()}><w:rPr><w:sz w:val="24"/></w:rPr><w:t>{text}</w:t></w:r>'

    for xml in (run("第"), field("PAGE"), run("页 共"), field("NUMPAGES"), run("页")):
        paragraph._p.append(parse_xml(xml))


def _ns() -> str:
    return f'xmlns:w="{W_NS}"'


@functools.lru_cache(maxsize=1)
def template_bytes() -> bytes:
    """The styled, empty A4 template, built once per process."""
    from docx import Document
    from docx.shared import Mm, Pt

    doc = Document()
    section = doc.sections[0]
    section.page_width, section.page_height = Mm(PAGE_MM[0]), Mm(PAGE_MM[1])
    for side, mm in MARGINS_MM.items():
        setattr(section, f"{side}_margin", Mm(mm))
    section.footer_distance = Mm(20)
    styles = doc.styles
    set_font(styles["Normal"], BODY_FONT, 16)
    styles["Normal"].paragraph_format.line_spacing = Pt(28)
    styles["Normal"].paragraph_format.space_after = Pt(0)
    styles["Normal"].paragraph_format.first_line_indent = Pt(32)
    for name, size in (("Title", 22), ("Heading 1", 16), ("Heading 2", 16), ("Heading 3", 16)):
        style = styles[name]
        set_font(style, TITLE_FONT if name == "Title" else HEADING_FONT, size, bold=False)
        style.paragraph_format.space_before = Pt(6)
        style.paragraph_format.space_after = Pt(6)
        style.paragraph_format.first_line_indent = Pt(0 if name == "Title" else 32)
        style.paragraph_format.keep_with_next = True
    styles["Title"].paragraph_format.alignment = 1
    styles["Title"].paragraph_format.space_after = Pt(18)
    for border in styles["Title"].element.xpath("./w:pPr/w:pBdr"):
        border.getparent().remove(border)
    _add_style(doc, "Table Text", TABLE_FONT, 10.5).paragraph_format.line_spacing = 1.0
    _add_style(doc, "Table Heading", HEADING_FONT, 10.5).paragraph_format.line_spacing = 1.0
    styles["Table Heading"].paragraph_format.alignment = 1
    item = _add_style(doc, "Item Heading", KAI_FONT, 16, bold=True)
    item.paragraph_format.first_line_indent = Pt(32)
    item.paragraph_format.keep_with_next = True
    _add_style(doc, "Signature", BODY_FONT, 16).paragraph_format.alignment = 2
    _add_style(doc, "Caption Text", HEADING_FONT, 10.5).paragraph_format.alignment = 1
    _page_numbers(section)
    buffer = io.BytesIO()
    doc.save(buffer)
    return buffer.getvalue()


def new_document(as_of: dt.date, title: str, author: str) -> Any:
    """A document from the cached template, with fixed core properties (no wall-clock timestamps)."""
    from docx import Document

    doc = Document(io.BytesIO(template_bytes()))
    stamp = dt.datetime.combine(as_of, dt.time(0, 0))
    props = doc.core_properties
    props.title, props.author, props.last_modified_by = prose(title), prose(author), prose(author)
    props.created, props.modified, props.last_printed = stamp, stamp, stamp
    props.revision = 1
    props.comments = ""
    return doc


def paragraph(doc: Any, text: str, style: str | None = None, indent: bool = True, align: int | None = None) -> Any:
    """A paragraph of prose; ``indent=False`` for lines without the 2-character first-line indent."""
    p = doc.add_paragraph(prose(text), style)
    if not indent:
        p.paragraph_format.first_line_indent = 0
    if align is not None:
        p.alignment = align
    return p


def column_widths(headers: list[str], rows: list[list[Any]], usable_mm: float = USABLE_WIDTH_MM,
                  size: float = 10.5) -> list[float]:
    """Column widths in mm: each column's natural width, the widest ones capped so that all fit (they wrap)."""
    from wcwidth import wcswidth

    def width(value: Any) -> int:
        text = prose(value)
        return max(wcswidth(text), len(text)) + 4  # 2 for the padding, 2 for fonts wider than their half width

    natural = []
    for i, header in enumerate(headers):
        cells = [width(r[i]) for r in rows if i < len(r) and r[i] is not None]
        head = max(width(part) for part in str(header).split("\n"))
        natural.append(max([min(head, 10), 6] + cells) - 2)
    half_char = size * 0.3528 / 2
    available = (usable_mm - CELL_MARGINS_MM * len(headers)) / half_char
    cap = max(natural)
    while sum(min(n, cap) for n in natural) > available and cap > 4:
        cap -= 1
    fitted = [min(n, cap) * half_char + CELL_MARGINS_MM for n in natural]
    return [usable_mm * w / sum(fitted) for w in fitted]


def _cell(text: Any, width: int, style: str, center: bool) -> str:
    lines = [escape(prose(line)) for line in ("" if text is None else str(text)).split("\n")]
    runs = "<w:br/>".join(f'<w:t xml:space="preserve">{line}</w:t>' for line in lines)
    jc = '<w:jc w:val="center"/>' if center else ""
    return (f'<w:tc><w:tcPr><w:tcW w:w="{width}" w:type="dxa"/><w:vAlign w:val="center"/></w:tcPr>'
            f'<w:p><w:pPr><w:pStyle w:val="{style}"/>{jc}</w:pPr><w:r>{runs}</w:r></w:p></w:tc>')


def table_xml(headers: list[str], rows: list[list[Any]], usable_mm: float = USABLE_WIDTH_MM) -> str:
    """A bordered table with a repeated header row, written in one pass as WordprocessingML."""
    widths = [round(w * TWIPS_PER_MM) for w in column_widths(headers, rows, usable_mm)]
    short = [all(len(str(r[i])) <= 6 for r in rows if i < len(r)) for i in range(len(headers))]
    border = "".join(f'<w:{side} w:val="single" w:sz="4" w:space="0" w:color="000000"/>'
                     for side in ("top", "left", "bottom", "right", "insideH", "insideV"))
    out = [f'<w:tbl {_ns()}><w:tblPr><w:tblW w:w="{sum(widths)}" w:type="dxa"/><w:jc w:val="center"/>'
           f'<w:tblBorders>{border}</w:tblBorders><w:tblLayout w:type="fixed"/>'
           '<w:tblCellMar><w:left w:w="85" w:type="dxa"/><w:right w:w="85" w:type="dxa"/></w:tblCellMar>'
           '</w:tblPr><w:tblGrid>' + "".join(f'<w:gridCol w:w="{w}"/>' for w in widths) + "</w:tblGrid>",
           '<w:tr><w:trPr><w:cantSplit/><w:tblHeader/></w:trPr>'
           + "".join(_cell(h, w, "TableHeading", True) for h, w in zip(headers, widths)) + "</w:tr>"]
    for row in rows:
        cells = list(row) + [""] * (len(headers) - len(row))
        out.append("<w:tr><w:trPr><w:cantSplit/></w:trPr>"
                   + "".join(_cell(v, w, "TableText", s) for v, w, s in zip(cells, widths, short)) + "</w:tr>")
    out.append("</w:tbl>")
    return "".join(out)


def add_table(doc: Any, headers: list[str], rows: list[list[Any]], usable_mm: float = USABLE_WIDTH_MM) -> None:
    from docx.oxml import parse_xml

    body = doc.element.body
    body.insert(len(body) - 1, parse_xml(table_xml(headers, rows, usable_mm)))  # before the final sectPr
    doc.add_paragraph("", "Table Text")


def landscape_section(doc: Any) -> None:
    """Start a new page in landscape (for wide tables); the footer carries on."""
    from docx.enum.section import WD_ORIENT, WD_SECTION
    from docx.shared import Mm

    section = doc.add_section(WD_SECTION.NEW_PAGE)
    section.orientation = WD_ORIENT.LANDSCAPE
    section.page_width, section.page_height = Mm(PAGE_MM[1]), Mm(PAGE_MM[0])
    section.top_margin, section.bottom_margin = Mm(25), Mm(25)
    section.left_margin = section.right_margin = Mm(25)


def add_blocks(doc: Any, blocks: list[Block]) -> None:
    from docx.shared import Mm

    usable = USABLE_WIDTH_MM
    for b in blocks:
        if isinstance(b, Heading):
            if b.level == 0:
                paragraph(doc, b.text, "Title")
            else:
                doc.add_heading(prose(b.text), level=b.level)
        elif isinstance(b, Para):
            paragraph(doc, b.text, "Item Heading" if b.bold else None)
        elif isinstance(b, Bullets):
            for item in b.items:
                paragraph(doc, item)
        elif isinstance(b, Table):
            add_table(doc, b.headers, b.rows, usable)
        elif isinstance(b, Landscape):
            landscape_section(doc)
            usable = LANDSCAPE_WIDTH_MM
        elif isinstance(b, Image):
            width, height = png_size(b.data)
            width_mm = min(150.0, usable)
            height_mm = width_mm * height / max(width, 1)
            if height_mm > MAX_IMAGE_HEIGHT_MM:
                doc.add_picture(io.BytesIO(b.data), height=Mm(MAX_IMAGE_HEIGHT_MM))
            else:
                doc.add_picture(io.BytesIO(b.data), width=Mm(width_mm))
            picture = doc.paragraphs[-1]
            picture.alignment = 1
            picture.paragraph_format.first_line_indent = 0
            picture.paragraph_format.line_spacing = 1.0
            paragraph(doc, b.caption, "Caption Text")


def png_size(data: bytes) -> tuple[int, int]:
    """Width and height in pixels from a PNG header."""
    return int.from_bytes(data[16:20], "big"), int.from_bytes(data[20:24], "big")


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
