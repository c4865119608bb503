"""The 问题清单 workbook (openpyxl): a 汇总 sheet, all problems, 待核实 items, and one sheet per unit."""

from __future__ import annotations

import datetime as dt
import io
from typing import Any
from zipfile import ZIP_DEFLATED, ZipFile

from compliance.report.overview import Overview, UnitView, fix_deadline, fixed_zip
from compliance.report.text import waiver_rows
from compliance.inputs.xlsx import write_table

PROBLEM_HEADERS = ["序号", "单位", "问题类别", "规则", "问题描述", "依据", "严重程度", "整改措施", "整改时限", "状态"]
PROBLEM_WIDTHS = [6, 18, 12, 28, 48, 30, 9, 48, 12, 14]
SUMMARY_HEADERS = ["排名", "单位编号", "单位", "加权问题分", "严重", "一般", "提示", "不符合合计", "待核实", "豁免", "档案文件"]
SUMMARY_WIDTHS = [6, 12, 24, 11, 7, 7, 7, 11, 8, 7, 36]
UNKNOWN_HEADERS = ["序号", "单位", "规则", "待核实内容", "需调阅材料"]
UNKNOWN_WIDTHS = [6, 18, 28, 56, 40]
SEVERITY_FILLS = {"严重": "FFC7CE", "一般": "FFEB9C", "提示": "DDEBF7"}
FORBIDDEN = set('[]:*?/\\')
SEVERITY_COLUMN = PROBLEM_HEADERS.index("严重程度") + 1


def sheet_title(text: str, taken: set[str]) -> str:
    """An Excel sheet name: no ``[]:*?/\\``, at most 31 characters, unique (case-insensitive) in ``taken``."""
    base = "".join("_" if ch in FORBIDDEN else ch for ch in text).strip("'").strip() or "单位"
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
                         f"{f.rule_id} {f.title}", f.message, f.basis, f.severity, f.measure,
                         fix_deadline(f, as_of), problem_state(f)])
    return rows


def _problem_sheet(ws: Any, rows: list[list[Any]]) -> None:
    from openpyxl.styles import PatternFill

    write_table(ws, PROBLEM_HEADERS, rows, PROBLEM_WIDTHS)
    deadline_col = PROBLEM_HEADERS.index("整改时限") + 1
    for r in range(2, ws.max_row + 1):
        ws.cell(r, deadline_col).number_format = "yyyy-mm-dd"
        severity = ws.cell(r, SEVERITY_COLUMN)
        color = SEVERITY_FILLS.get(str(severity.value))
        if color:
            severity.fill = PatternFill("solid", fgColor=color)


def workbook_bytes(ov: Overview) -> bytes:
    """The workbook as bytes, with fixed document properties (created/modified = check date)."""
    from openpyxl import Workbook
    from openpyxl.writer.excel import ExcelWriter

    wb = Workbook()
    taken: set[str] = set()
    summary = wb.active
    summary.title = sheet_title("汇总", taken)
    by_id = {id(u): u for u in ov.units}
    sources = {(u.unit_id, u.unit_name): u.source for u in by_id.values()}
    write_table(summary, SUMMARY_HEADERS,
                [[r.rank, r.unit_id, r.unit_name, r.score, *r.fails.values(), r.fail_total, r.unknown, r.waived,
                  sources.get((r.unit_id, r.unit_name), "")] for r in ov.ranking], SUMMARY_WIDTHS)
    total = summary.max_row + 2
    summary.cell(total, 1, f"检查日期 {ov.as_of.isoformat()}；规则包 {ov.pack_title}（{ov.pack_id} v{ov.pack_version}）；"
                           f"检查单位 {ov.unit_count} 个；不符合 {ov.states['fail']} 项、待核实 {ov.states['unknown']} 项、"
                           f"豁免 {ov.states['waived']} 项；加权问题分：严重{ov.weights['严重']:g}、一般{ov.weights['一般']:g}、"
                           f"提示{ov.weights['提示']:g}")
    _problem_sheet(wb.create_sheet(sheet_title("全部问题", taken)), problem_rows(ov.units, ov.as_of))
    unknown = [[0, u.unit_name, f"{f.rule_id} {f.title}", f.message, "、".join(f.evidence)]
               for u in ov.units for f in u.unknowns]
    for i, row in enumerate(unknown, 1):
        row[0] = i
    write_table(wb.create_sheet(sheet_title("待核实事项", taken)), UNKNOWN_HEADERS, unknown, UNKNOWN_WIDTHS)
    waivers = [[u.unit_name, *row] for u in ov.units for row in waiver_rows(u)]
    if waivers:
        write_table(wb.create_sheet(sheet_title("豁免事项", taken)),
                    ["单位", "序号", "要求", "豁免状态", "豁免理由", "批准文件", "批准单位", "有效期至"], waivers,
                    [18, 6, 28, 14, 40, 24, 16, 12])
    for unit in ov.units:
        ws = wb.create_sheet(sheet_title(f"{unit.unit_id} {unit.unit_name}".strip(), taken))
        _problem_sheet(ws, problem_rows([unit], ov.as_of))
    stamp = dt.datetime.combine(ov.as_of, dt.time(0, 0))
    wb.properties.creator = ov.issuer
    wb.properties.lastModifiedBy = ov.issuer
    wb.properties.title = "问题清单"
    wb.properties.created = stamp
    wb.properties.modified = stamp
    buffer = io.BytesIO()
    ExcelWriter(wb, ZipFile(buffer, "w", ZIP_DEFLATED, allowZip64=True)).save()  # wb.save() would stamp "now"
    return fixed_zip(buffer.getvalue(), ov.as_of)
