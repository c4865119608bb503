"""The 问题清单 workbook (openpyxl): a 汇总 sheet, all problems, 待核实 items, waivers, and one sheet per unit.

Every sheet prints as it is: a title row and a line saying whose list it is and of which date, a header row
repeated on each page, borders, wrapping, landscape A4 fitted to the page width, "第X页 共Y页" in the footer.
Text is stripped of XML-illegal characters and neutralised (never a formula).
"""

from __future__ import annotations

import datetime as dt
import functools
import io
from copy import copy
from dataclasses import dataclass
from typing import Any, Sequence
from zipfile import ZIP_DEFLATED, ZipFile

from compliance.findings import zh_date
from compliance.inputs.text import for_xml
from compliance.inputs.xlsx import neutralise
from compliance.report.overview import Overview, UnitView, fix_deadline, fixed_zip
from compliance.report.text import waiver_rows
from compliance.report.wording import prose

PROBLEM_HEADERS = ["序号", "单位", "问题类别", "问题", "问题描述", "依据", "严重程度", "整改措施", "整改时限", "状态"]
PROBLEM_WIDTHS = [5, 14, 9, 20, 36, 22, 9, 36, 14, 8]
SUMMARY_HEADERS = ["排名", "单位编号", "单位", "加权问题分", "严重", "一般", "提示", "不符合合计", "待核实", "豁免",
                   "已证实达标率", "档案文件"]
SUMMARY_WIDTHS = [6, 12, 24, 11, 7, 7, 7, 11, 8, 7, 12, 30]
UNKNOWN_HEADERS = ["序号", "单位", "要求", "待核实内容", "需调阅材料"]
UNKNOWN_WIDTHS = [6, 18, 28, 56, 40]
WAIVER_HEADERS = ["单位", "序号", "要求", "豁免状态", "豁免理由", "批准文件", "批准单位", "有效期至"]
WAIVER_WIDTHS = [18, 6, 28, 14, 40, 24, 16, 12]
SEVERITY_FILLS = {"严重": "FFC7CE", "一般": "FFEB9C", "提示": "DDEBF7"}
FORBIDDEN = set('[]:*?/\\')
HEADER_ROW = 3
"""Rows 1–2 are the title and the line under it; the header is row 3, data from row 4."""
DATE_FORMAT = 'yyyy"年"m"月"d"日"'
MAX_CELL_TEXT = 32767
"""Characters a spreadsheet cell holds."""


def sheet_title(text: str, taken: set[str]) -> str:
    """An Excel sheet name: no ``[]:*?/\\``, at most 31 characters, unique (case-insensitive) in ``taken``."""
    base = "".join("_" if ch in FORBIDDEN else ch for ch in prose(text)).strip("'").strip() or "单位"
    title, n = base[:31], 1
    while title.lower() in taken:
        n += 1
        suffix = f"({n})"
        title = base[: 31 - len(suffix)] + suffix
    taken.add(title.lower())
    return title


def problem_state(f: Any) -> str:
    if f.waiver and f.waiver.get("expired"):
        return "不符合（豁免已过期）"
    return "不符合"


def problem_rows(units: list[UnitView], as_of: dt.date) -> list[list[Any]]:
    rows = []
    for unit in units:
        for f in unit.fails:
            rows.append([len(rows) + 1, unit.unit_name + (f"（{f.subject}）" if f.subject else ""), f.category,
                         f.title, f.message, f.basis, f.severity, f.measure, fix_deadline(f, as_of), problem_state(f)])
    return rows


@dataclass
class Styles:
    """The workbook's named styles, registered once (cells then share them instead of carrying their own)."""

    title: Any
    subtitle: Any
    header: Any
    body: Any
    date: Any
    fills: dict[str, Any]

    @classmethod
    def register(cls, wb: Any) -> "Styles":
        from openpyxl.styles import Alignment, Border, Font, NamedStyle, PatternFill, Side

        thin = Side(style="thin", color="000000")
        border = Border(left=thin, right=thin, top=thin, bottom=thin)

        def named(name: str, **kw: Any) -> str:
            style = NamedStyle(name=name, **kw)
            wb.add_named_style(style)
            return name

        body_align = Alignment(vertical="top", wrap_text=True)
        title = named("清单标题", font=Font(name="宋体", size=16, bold=True),
                      alignment=Alignment(horizontal="center", vertical="center"))
        subtitle = named("清单说明", font=Font(name="宋体", size=10.5), alignment=Alignment(vertical="center"))
        header = named("表头", font=Font(name="黑体", size=10.5, bold=True), border=border,
                       fill=PatternFill("solid", fgColor="D9D9D9"),
                       alignment=Alignment(horizontal="center", vertical="center", wrap_text=True))
        body = named("正文", font=Font(name="宋体", size=10.5), border=border, alignment=body_align)
        date = named("日期", font=Font(name="宋体", size=10.5), border=border, alignment=body_align,
                     number_format=DATE_FORMAT)
        fills = {s: PatternFill("solid", fgColor=c) for s, c in SEVERITY_FILLS.items()}
        return cls(title, subtitle, header, body, date, fills)

    @staticmethod
    def prototype(ws: Any, name: str, fill: Any = None) -> Any:
        """The style array of a cell styled ``name`` (and ``fill``): copied to each cell, no lookup per cell."""
        from openpyxl.cell import WriteOnlyCell

        cell = WriteOnlyCell(ws)
        cell.style = name
        if fill is not None:
            cell.fill = fill
        return cell._style


def print_ready(ws: Any, columns: int, rows: int, widths: Sequence[int]) -> None:
    """Landscape A4, fitted to the page width, header row repeated, footer with page numbers, frozen header.

    Set before the first row is written (a write-only sheet writes its top part then)."""
    from openpyxl.utils import get_column_letter

    ws.page_setup.orientation = "landscape"
    ws.page_setup.paperSize = "9"  # A4
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.print_options.horizontalCentered = True
    ws.page_margins.left = ws.page_margins.right = 0.4
    ws.page_margins.top, ws.page_margins.bottom = 0.5, 0.6
    ws.print_title_rows = f"{HEADER_ROW}:{HEADER_ROW}"
    ws.oddFooter.center.text = "第 &P 页 共 &N 页"
    ws.freeze_panes = f"A{HEADER_ROW + 1}"
    last = get_column_letter(columns)
    ws.auto_filter.ref = f"A{HEADER_ROW}:{last}{HEADER_ROW + max(rows, 1)}"
    for index, width in enumerate(widths, 1):
        ws.column_dimensions[get_column_letter(index)].width = width
    ws.merged_cells.add(f"A1:{last}1")
    ws.merged_cells.add(f"A2:{last}2")


def table_sheet(ws: Any, styles: Styles, title: str, subtitle: str, headers: Sequence[str],
                rows: Sequence[Sequence[Any]], widths: Sequence[int]) -> None:
    """A titled, bordered, print-ready table, streamed to a write-only sheet; 严重程度 is coloured by severity."""
    from openpyxl.cell import WriteOnlyCell

    print_ready(ws, len(headers), len(rows), widths)

    def styled(value: Any, style: Any) -> Any:
        # The value is bound directly: text is already cleaned and neutralised (openpyxl would scan it again).
        cell = WriteOnlyCell(ws)
        if isinstance(value, str):
            cell._value, cell.data_type = value[:MAX_CELL_TEXT], "s"
        elif isinstance(value, (dt.date, dt.datetime)):
            cell._value, cell.data_type = value, "d"
        elif value is not None:
            cell._value, cell.data_type = value, "n"
        cell._style = copy(style)
        return cell

    title_style, subtitle_style, header = (styles.prototype(ws, n) for n in (styles.title, styles.subtitle, styles.header))
    body, date = styles.prototype(ws, styles.body), styles.prototype(ws, styles.date)
    fills = {name: styles.prototype(ws, styles.body, fill) for name, fill in styles.fills.items()}
    ws.row_dimensions[1].height, ws.row_dimensions[2].height = 30, 20
    ws.row_dimensions[HEADER_ROW].height = row_height(headers, widths)
    ws.append([styled(_value(title), title_style)])
    ws.append([styled(_value(subtitle), subtitle_style)])
    ws.append([styled(_value(h), header) for h in headers])
    severity = headers.index("严重程度") if "严重程度" in headers else -1
    for row, values in enumerate(rows, HEADER_ROW + 1):
        clean = [_value(v) for v in values]
        ws.row_dimensions[row].height = row_height(clean, widths)
        ws.append([styled(v, date if isinstance(v, (dt.date, dt.datetime))
                          else fills[v] if i == severity and v in fills else body) for i, v in enumerate(clean)])


LINE_POINTS = 14.0


def row_height(values: Sequence[Any], widths: Sequence[int]) -> float:
    """Points for a row whose wrapped text needs that many lines (spreadsheets do not all fit rows on opening)."""
    lines = 1
    for value, width in zip(values, widths):
        if isinstance(value, str):
            per_line = max(int(width * 1.25) - 1, 1)  # a column of width w holds about 1.25w half-width characters
            lines = max(lines, -(-display_width(value) // per_line))
    return lines * LINE_POINTS + 4


@functools.lru_cache(maxsize=65536)
def display_width(text: str) -> int:
    """Half-width character cells of ``text`` (a Chinese character takes two)."""
    from wcwidth import wcswidth

    return max(wcswidth(text), len(text))


def _value(value: Any) -> Any:
    if isinstance(value, str):
        return neutralise(for_xml(prose(value)))
    return value


def workbook_bytes(ov: Overview, issuer: str = "") -> bytes:
    """The workbook as bytes, with fixed document properties (created/modified = check date)."""
    from openpyxl import Workbook
    from openpyxl.writer.excel import ExcelWriter

    issuer = issuer or ov.issuer
    wb = Workbook(write_only=True)  # rows stream to disk: a thousand units' sheets need little memory
    styles = Styles.register(wb)
    taken: set[str] = set()
    date_line = f"检查日期：{zh_date(ov.as_of)}　　督查机关：{issuer}"
    summary = wb.create_sheet(sheet_title("汇总", taken))
    sources = {(u.unit_id, u.unit_name): u.source for u in ov.units}
    table_sheet(summary, styles, f"{ov.subject}工作问题清单汇总",
                f"{date_line}　　检查单位{ov.unit_count}个，不符合{ov.states['fail']}项、待核实{ov.states['unknown']}项、"
                f"豁免{ov.states['waived']}项",
                SUMMARY_HEADERS,
                [[r.rank, r.unit_id, r.unit_name, r.score, *r.fails.values(), r.fail_total, r.unknown, r.waived,
                  f"{r.met_share * 100:.0f}%", sources.get((r.unit_id, r.unit_name), "")] for r in ov.ranking],
                SUMMARY_WIDTHS)
    table_sheet(wb.create_sheet(sheet_title("全部问题", taken)), styles, f"{ov.subject}工作问题清单", date_line,
                PROBLEM_HEADERS, problem_rows(ov.units, ov.as_of), PROBLEM_WIDTHS)
    unknown = [[i, u.unit_name, f.title + (f"（{f.subject}）" if f.subject else ""), f.message, "、".join(f.evidence)]
               for i, (u, f) in enumerate(((u, f) for u in ov.units for f in u.unknowns), 1)]
    table_sheet(wb.create_sheet(sheet_title("待核实事项", taken)), styles, "待核实事项清单", date_line,
                UNKNOWN_HEADERS, unknown, UNKNOWN_WIDTHS)
    waivers = [[u.unit_name, row[0], row[1].split(" ", 1)[-1], *row[2:]] for u in ov.units for row in waiver_rows(u)]
    if waivers:
        table_sheet(wb.create_sheet(sheet_title("豁免事项", taken)), styles, "豁免事项清单", date_line,
                    WAIVER_HEADERS, waivers, WAIVER_WIDTHS)
    for unit in ov.units:
        ws = wb.create_sheet(sheet_title(f"{unit.unit_id} {unit.unit_name}".strip(), taken))
        table_sheet(ws, styles, f"{unit.unit_name}{ov.subject}工作问题清单",
                    f"填报单位：{unit.unit_name}　　{date_line}", PROBLEM_HEADERS,
                    problem_rows([unit], ov.as_of), PROBLEM_WIDTHS)
    stamp = dt.datetime.combine(ov.as_of, dt.time(0, 0))
    wb.properties.creator = prose(issuer)
    wb.properties.lastModifiedBy = prose(issuer)
    wb.properties.title = "问题清单"
    wb.properties.created = stamp
    wb.properties.modified = stamp
    buffer = io.BytesIO()
    ExcelWriter(wb, ZipFile(buffer, "w", ZIP_DEFLATED, allowZip64=True)).save()  # wb.save() would stamp "now"
    return fixed_zip(buffer.getvalue(), ov.as_of)
