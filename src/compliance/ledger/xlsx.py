"""整改台账 as an Excel workbook: the print-ready sheet offices keep (the import is :mod:`.xlsx_import`).

The sheet has a title row, the columns offices keep (序号 … 备注), borders, wrapping, landscape A4 fitted to
the width with the header repeated on every page. Hidden, locked technical columns carry each row's item id,
version and a digest of every value as exported, so the import can tell who changed what, cell by cell:

- the unit left a cell as exported → the ledger's current value stays (even if the ledger changed meanwhile);
- the unit changed it and the ledger did not → applied;
- both changed it (to different values) → a conflict, reported with both values; that row is not applied;
- an inspector column changed, a formula, an invalid status or a new row → the whole file is refused.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import os
import tempfile
from pathlib import Path
from typing import Any, Callable

from compliance.findings import zh_date
from compliance.inputs.text import strip_illegal
from compliance.inputs.xlsx import neutralise
from compliance.ledger.errors import LedgerError
from compliance.ledger.models import Item
from compliance.ledger.vocabulary import CLOSED, STATUSES, UNIT_STATUSES

TITLE = SHEET = "整改台账"
HELP_SHEET = "填写说明"
ID_COLUMN, VERSION_COLUMN, DIGEST_COLUMN = "事项编号", "版本", "导出校验"
# (header, width in Excel character units); the last three are hidden technical columns.
COLUMNS: list[tuple[str, float]] = [
    ("序号", 5), ("单位", 12), ("问题", 34), ("严重程度", 9), ("整改措施", 34), ("责任领导", 8), ("责任人", 9),
    ("整改时限", 14), ("整改进展", 22), ("完成情况", 9), ("销号时间", 14), ("备注", 12),
    (ID_COLUMN, 8), (VERSION_COLUMN, 6), (DIGEST_COLUMN, 24),
]
HEADERS = [h for h, _ in COLUMNS]
VISIBLE = HEADERS[:HEADERS.index(ID_COLUMN)]
HEADER_ROW = 3
"""Row 1 is the title, row 2 the unit and date; the column headers are on row 3, the items below."""
# Columns a unit fills in → item field.
UNIT_OWNED: dict[str, str] = {
    "整改措施": "measure", "责任领导": "leader", "责任人": "person", "整改进展": "progress", "完成情况": "status",
    "备注": "remarks",
}
# Columns kept by the inspector → their value.
PROTECTED: dict[str, Callable[[Item], Any]] = {
    "单位": lambda i: i.unit_text,
    "问题": lambda i: i.description,
    "严重程度": lambda i: i.severity,
    "整改时限": lambda i: i.deadline,
    "销号时间": lambda i: i.closed_on,
}
TRACKED = [h for h in HEADERS if h in UNIT_OWNED or h in PROTECTED]
"""The columns whose exported values the digest records, in this order."""
# Columns of workbooks exported before the office layout (no digest column): still read on import.
LEGACY_UNIT_OWNED = {"责任部门": "department", "佐证材料": "evidence"}
LEGACY_PROTECTED: dict[str, Callable[[Item], Any]] = {
    "问题描述": lambda i: i.description, "依据条款": lambda i: i.basis, "问题来源/类别": lambda i: i.source_text,
}
CENTRED = {"序号", "严重程度", "责任领导", "责任人", "整改时限", "完成情况", "销号时间"}
DATE_FORMAT = 'yyyy"年"m"月"d"日"'
FONT = "宋体"
LINE_POINTS = 13.5
"""Height of one line of 10-point text."""


def norm(value: Any) -> str:
    """A cell value as compared: dates ISO, text without XML-illegal characters, line ends and outer spaces."""
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        value = value.date()
    if isinstance(value, dt.date):
        return value.isoformat()
    return strip_illegal(str(value)).replace("\r\n", "\n").replace("\r", "\n").strip()


def digest(value: Any) -> str:
    return hashlib.blake2s(norm(value).encode("utf-8"), digest_size=4).hexdigest()


def value_of(item: Item, header: str) -> Any:
    """The ledger's current value under a column header."""
    if header in PROTECTED:
        return PROTECTED[header](item)
    if header in LEGACY_PROTECTED:
        return LEGACY_PROTECTED[header](item)
    return getattr(item, UNIT_OWNED.get(header) or LEGACY_UNIT_OWNED[header])


def row_digest(item: Item) -> str:
    """The digest column: ``1:`` and one short hash per :data:`TRACKED` column, as exported."""
    return "1:" + ".".join(digest(value_of(item, h)) for h in TRACKED)


def read_digest(text: Any) -> dict[str, str] | None:
    parts = str(text or "").strip().partition("1:")[2].split(".")
    if not str(text or "").startswith("1:") or len(parts) != len(TRACKED):
        return None
    return dict(zip(TRACKED, parts))


def item_row(item: Item, seq: int) -> list[Any]:
    """One item's cells under :data:`HEADERS` (text without XML-illegal characters; dates as dates)."""
    values = {"序号": seq, ID_COLUMN: item.id, VERSION_COLUMN: item.version, DIGEST_COLUMN: row_digest(item)}
    values.update({h: value_of(item, h) for h in TRACKED})
    return [strip_illegal(v) if isinstance(v, str) else v for v in (values[h] for h in HEADERS)]


def unit_label(items: list[Item]) -> str:
    units = list(dict.fromkeys(i.unit_id for i in items))
    return strip_illegal(items[0].unit_name) if len(units) == 1 else f"{len(units)}个单位"


def _lines(value: Any, width: float) -> int:
    """Lines a wrapped cell takes in a column ``width`` characters wide (a CJK character counts as two)."""
    from wcwidth import wcswidth

    if not isinstance(value, str) or not value:
        return 1
    room = max(1.0, width * 1.05 - 0.5)  # 10-point 宋体: a CJK character is about two width units
    return sum(max(1, -(-max(0, wcswidth(part)) // int(room))) for part in value.split("\n"))


def row_height(cells: list[Any]) -> float:
    """Points a data row needs so wrapped text shows in full: spreadsheet programs do not fit rows of a
    generated file by themselves (LibreOffice prints one line and cuts the rest)."""
    lines = max(_lines(v, w) for v, (_, w) in zip(cells, COLUMNS) if _ in VISIBLE)
    return min(409.0, lines * LINE_POINTS + 2)


# --- export ---------------------------------------------------------------------------------

def workbook_bytes(items: list[Item], as_of: dt.date) -> bytes:
    """The 整改台账 workbook of ``items`` as bytes (for a file, a download or a web response)."""
    from openpyxl import Workbook

    wb = Workbook()
    wb.properties.creator = "compliance"
    wb.properties.title = TITLE
    _ledger_sheet(wb.active, items, as_of)
    _help_sheet(wb.create_sheet(HELP_SHEET), items, as_of)
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


def write_workbook(items: list[Item], path: Path, as_of: dt.date) -> None:
    """Write the workbook to ``path`` through a temporary file: a failed write leaves no half file."""
    _write_atomically(path, workbook_bytes(items, as_of))


def write_per_unit(items: list[Item], directory: Path, as_of: dt.date, *, force: bool = False) -> list[Path]:
    """One workbook per unit in ``directory`` (``编号-单位名称-整改台账.xlsx``); refuses before writing anything
    when a file exists, unless ``force``."""
    from compliance.output.files import safe_name

    by_unit: dict[str, list[Item]] = {}
    for item in items:
        by_unit.setdefault(item.unit_id, []).append(item)
    names: dict[str, Path] = {}
    for unit, unit_items in by_unit.items():
        stem = f"{safe_name(unit, 40)}-{safe_name(unit_items[0].unit_name, 60)}-整改台账"
        path, n = directory / f"{stem}.xlsx", 1
        while path in names.values():
            n += 1
            path = directory / f"{stem}-{n}.xlsx"
        names[unit] = path
    existing = [p.name for p in names.values() if p.exists()]
    if existing and not force:
        raise LedgerError(f"{directory} 中已有{len(existing)}个同名文件（如 {existing[0]}），未写入任何文件；"
                          "如确需覆盖请加 --force")
    directory.mkdir(parents=True, exist_ok=True)
    for unit, path in names.items():
        write_workbook(by_unit[unit], path, as_of)
    return list(names.values())


def _write_atomically(path: Path, data: bytes) -> None:
    handle, temp = tempfile.mkstemp(prefix=".", suffix=".xlsx.part", dir=path.parent)
    try:
        with os.fdopen(handle, "wb") as out:
            out.write(data)
        os.replace(temp, path)
    except BaseException:
        Path(temp).unlink(missing_ok=True)
        raise


def _ledger_sheet(ws: Any, items: list[Item], as_of: dt.date) -> None:
    """Title, headers and items; borders, widths, wrapping, dropdown, protection and the print setup."""
    from openpyxl.styles import Alignment, Border, Font, PatternFill, Protection, Side
    from openpyxl.utils import get_column_letter
    from openpyxl.worksheet.datavalidation import DataValidation
    from openpyxl.worksheet.page import PageMargins

    ws.title = SHEET
    col = {h: get_column_letter(i) for i, h in enumerate(HEADERS, 1)}
    last_visible = col[VISIBLE[-1]]
    first, last = HEADER_ROW + 1, HEADER_ROW + max(1, len(items))
    ws.merge_cells(f"A1:{last_visible}1")
    ws.merge_cells(f"A2:{last_visible}2")
    ws["A1"] = TITLE
    ws["A1"].font = Font(name=FONT, size=16, bold=True)
    ws["A1"].alignment = Alignment(horizontal="center", vertical="center")
    ws.row_dimensions[1].height = 30
    ws["A2"] = neutralise(f"单位：{unit_label(items)}　　导出日期：{zh_date(as_of)}　　共{len(items)}项")
    ws["A2"].font = Font(name=FONT, size=10)
    ws["A2"].alignment = Alignment(horizontal="left", vertical="center")
    ws.row_dimensions[2].height = 20
    thin = Side(style="thin", color="000000")
    border = Border(left=thin, right=thin, top=thin, bottom=thin)
    header_font, body_font = Font(name=FONT, size=10, bold=True), Font(name=FONT, size=10)
    fill = PatternFill("solid", fgColor="D9D9D9")
    for index, header in enumerate(HEADERS, 1):
        cell = ws.cell(HEADER_ROW, index, header)
        cell.font, cell.fill, cell.border = header_font, fill, border
        cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
    ws.row_dimensions[HEADER_ROW].height = 2 * LINE_POINTS + 4
    aligned = {h: Alignment(horizontal="center" if h in CENTRED else "left", vertical="center", wrap_text=True)
               for h in HEADERS}
    editable = set(UNIT_OWNED)
    overdue = PatternFill("solid", fgColor="F8CBAD")
    unlocked = Protection(locked=False)
    for row_index, item in enumerate(items, first):
        for index, (header, value) in enumerate(zip(HEADERS, item_row(item, row_index - HEADER_ROW)), 1):
            cell = ws.cell(row_index, index, neutralise(value))
            if isinstance(value, str):
                cell.data_type = "s"
            elif isinstance(value, dt.date):
                cell.number_format = DATE_FORMAT
            cell.font, cell.border, cell.alignment = body_font, border, aligned[header]
            if header in editable:
                cell.protection = unlocked
        if item.overdue_days(as_of):
            ws[f"{col['整改时限']}{row_index}"].fill = overdue
        ws.row_dimensions[row_index].height = row_height(item_row(item, 0))
    for header, width in COLUMNS:
        ws.column_dimensions[col[header]].width = width
    for header in (ID_COLUMN, VERSION_COLUMN, DIGEST_COLUMN):
        ws.column_dimensions[col[header]].hidden = True
    status = DataValidation(type="list", formula1='"' + ",".join(STATUSES) + '"', allow_blank=False,
                            showErrorMessage=True, errorTitle="完成情况",
                            error="请从下拉列表中选择：" + "、".join(STATUSES),
                            promptTitle="完成情况", prompt="单位可填：" + "、".join(UNIT_STATUSES), showInputMessage=True)
    ws.add_data_validation(status)
    status.add(f"{col['完成情况']}{first}:{col['完成情况']}{last}")
    ws.freeze_panes = f"A{first}"
    ws.auto_filter.ref = f"A{HEADER_ROW}:{last_visible}{last}"
    protection = ws.protection
    protection.sheet = True
    protection.autoFilter = protection.sort = False
    protection.formatCells = protection.formatColumns = protection.formatRows = False
    setup = ws.page_setup
    setup.orientation, setup.paperSize = "landscape", ws.PAPERSIZE_A4
    setup.fitToWidth, setup.fitToHeight = 1, 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.print_title_rows = f"{HEADER_ROW}:{HEADER_ROW}"
    ws.print_area = f"A1:{last_visible}{last}"
    ws.print_options.horizontalCentered = True
    ws.page_margins = PageMargins(left=0.4, right=0.4, top=0.5, bottom=0.6, header=0.3, footer=0.3)
    ws.oddFooter.center.text = "第&P页 共&N页"
    ws.oddFooter.center.size = 9


def _help_sheet(ws: Any, items: list[Item], as_of: dt.date) -> None:
    from openpyxl.styles import Alignment, Font

    lines = [
        f"整改台账填写说明（导出日期：{zh_date(as_of)}，共{len(items)}项）",
        "一、请填写：" + "、".join(UNIT_OWNED) + "。其余各列由督查方维护，不能修改。",
        f"二、完成情况：可填「{'」或「'.join(UNIT_STATUSES)}」；「{CLOSED}」须经复查验收，由督查方确认。",
        "三、整改时限底色为红色表示已逾期。",
        "四、请勿新增、删除行，不要填写公式；隐藏的「事项编号」「版本」「导出校验」三列用于核对，请勿改动。",
        "五、填好后按原文件交回督查组。交回前督查组又更新过的事项，只要单位未改动的内容都不受影响；"
        "双方都改动过的内容，督查组会与单位核对后再登记。",
    ]
    for line in lines:
        ws.append([neutralise(line)])
    ws.column_dimensions["A"].width = 100
    for row in ws.iter_rows():
        row[0].font = Font(name=FONT, size=11, bold=row[0].row == 1)
        row[0].alignment = Alignment(wrap_text=True, vertical="center")
        ws.row_dimensions[row[0].row].height = _lines(row[0].value, 100) * 15 + 4
    ws.page_setup.orientation, ws.page_setup.paperSize = "landscape", ws.PAPERSIZE_A4
    ws.page_setup.fitToWidth, ws.page_setup.fitToHeight = 1, 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True
