"""WordprocessingML written as text: paragraphs and bordered tables with repeated headers, fonts from styles.

Building the XML as strings and parsing it once per document is many times faster than python-docx objects.
"""

from __future__ import annotations

from typing import Any
from xml.sax.saxutils import escape

from compliance.inputs.text import for_xml
from compliance.report.wording import prose

W_NS = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
PAGE_MM = (210, 297)
MARGINS_MM = {"top": 37, "bottom": 35, "left": 28, "right": 26}
USABLE_WIDTH_MM = PAGE_MM[0] - MARGINS_MM["left"] - MARGINS_MM["right"]
LANDSCAPE_WIDTH_MM = PAGE_MM[1] - 25 - 25
CELL_MARGINS_MM = 3.8
TWIPS_PER_MM = 56.6929


def ns() -> str:
    return f'xmlns:w="{W_NS}"'


STYLE_IDS = {"Title": "Title", "Heading 1": "Heading1", "Heading 2": "Heading2", "Heading 3": "Heading3",
             "Item Heading": "ItemHeading", "Signature": "Signature", "Caption Text": "CaptionText",
             "Table Text": "TableText", "Table Heading": "TableHeading"}
ALIGN = {0: "left", 1: "center", 2: "right"}


def paragraph_xml(text: str, style: str | None = None, *, indent: bool = True, align: int | None = None,
                  size: float | None = None, right_indent_pt: float | None = None, border: bool = False,
                  keep_lines: bool = False) -> str:
    """One paragraph as WordprocessingML; its fonts come from its style (``size`` overrides the size)."""
    ppr = f'<w:pStyle w:val="{STYLE_IDS[style]}"/>' if style else ""
    if keep_lines:
        ppr += "<w:keepLines/>"
    if border:
        line = 'w:val="single" w:sz="6" w:space="1" w:color="000000"'
        ppr += f"<w:pBdr><w:top {line}/><w:bottom {line}/></w:pBdr>"
    if not indent or right_indent_pt is not None:
        ppr += ("<w:ind" + (' w:firstLine="0"' if not indent else "")
                + (f' w:right="{round(right_indent_pt * 20)}"' if right_indent_pt is not None else "") + "/>")
    if align is not None:
        ppr += f'<w:jc w:val="{ALIGN[align]}"/>'
    rpr = f'<w:rPr><w:sz w:val="{round(size * 2)}"/><w:szCs w:val="{round(size * 2)}"/></w:rPr>' if size else ""
    run = f'<w:r>{rpr}<w:t xml:space="preserve">{escape(for_xml(prose(text)))}</w:t></w:r>' if text else ""
    return f"<w:p>{'<w:pPr>' + ppr + '</w:pPr>' if ppr else ''}{run}</w:p>"


def column_widths(headers: list[str], rows: list[list[Any]], usable_mm: float = USABLE_WIDTH_MM,
                  size: float = 10.5) -> list[float]:
    """Column widths in mm: each column's natural width, the widest ones capped so that all fit (they wrap)."""
    from wcwidth import wcswidth

    def width(value: Any) -> int:
        text = prose(value)
        digits = sum(ch.isdigit() for ch in text)  # substitute fonts set digits wider than half a character
        return max(wcswidth(text), len(text)) + (digits + 1) // 2 + 4

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
    lines = [escape(for_xml(prose(line))) for line in ("" if text is None else str(text)).split("\n")]
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
    out = [f'<w:tbl {ns()}><w:tblPr><w:tblW w:w="{sum(widths)}" w:type="dxa"/><w:jc w:val="center"/>'
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
