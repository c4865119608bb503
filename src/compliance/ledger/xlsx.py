"""整改台账 as an Excel workbook: export for units to fill in, and a validated import of what they filled."""

from __future__ import annotations

import datetime as dt
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable

from sqlalchemy.orm import Session

from compliance.inputs.loader import InputError, check_regular
from compliance.inputs.xlsx import neutralise, unneutralise, write_table
from compliance.ledger.errors import LedgerError
from compliance.ledger.lifecycle import check_transition, update_item
from compliance.ledger.models import Item
from compliance.ledger.vocabulary import CLOSED, STATUSES, UNIT_STATUSES

SHEET = "整改台账"
HELP_SHEET = "填写说明"
MAX_BYTES = 20 * 1024 * 1024
ID_COLUMN, VERSION_COLUMN = "事项编号", "版本"
# (header, width); the last two columns are hidden and identify the item and its exported version.
COLUMNS: list[tuple[str, int]] = [
    ("序号", 6), ("单位", 16), ("问题来源/类别", 22), ("问题描述", 40), ("依据条款", 30), ("整改措施", 40),
    ("责任领导", 10), ("责任部门", 12), ("责任人", 12), ("整改时限", 12), ("整改进展", 30), ("完成情况", 14),
    ("佐证材料", 24), ("销号时间", 12), ("备注", 20), (ID_COLUMN, 8), (VERSION_COLUMN, 6),
]
HEADERS = [h for h, _ in COLUMNS]
# Columns a unit fills in → item field.
UNIT_OWNED: dict[str, str] = {
    "整改措施": "measure", "责任领导": "leader", "责任部门": "department", "责任人": "person",
    "整改进展": "progress", "完成情况": "status", "佐证材料": "evidence", "备注": "remarks",
}
# Columns kept by the inspector → their exported value.
PROTECTED: dict[str, Callable[[Item], Any]] = {
    "单位": lambda i: i.unit_text,
    "问题来源/类别": lambda i: i.source_text,
    "问题描述": lambda i: i.description,
    "依据条款": lambda i: i.basis,
    "整改时限": lambda i: i.deadline,
    "销号时间": lambda i: i.closed_on,
}


def item_row(item: Item, seq: int) -> list[Any]:
    values = {"序号": seq, ID_COLUMN: item.id, VERSION_COLUMN: item.version}
    values.update({h: f(item) for h, f in PROTECTED.items()})
    values.update({h: getattr(item, name) for h, name in UNIT_OWNED.items()})
    return [values[h] for h in HEADERS]


def write_workbook(items: list[Item], path: Path, as_of: dt.date) -> None:
    """Write the 整改台账 sheet (frozen header, filters, status dropdown, locked inspector columns)."""
    from openpyxl import Workbook
    from openpyxl.styles import PatternFill, Protection
    from openpyxl.utils import get_column_letter
    from openpyxl.worksheet.datavalidation import DataValidation

    wb = Workbook()
    ws = wb.active
    ws.title = SHEET
    write_table(ws, HEADERS, (item_row(item, n) for n, item in enumerate(items, 1)), [w for _, w in COLUMNS])
    col = {h: get_column_letter(i) for i, h in enumerate(HEADERS, 1)}
    last = max(2, ws.max_row)
    status = DataValidation(type="list", formula1='"' + ",".join(STATUSES) + '"', allow_blank=False,
                            showErrorMessage=True, errorTitle="完成情况",
                            error="请从下拉列表中选择：" + "、".join(STATUSES),
                            promptTitle="完成情况", prompt="单位可填：" + "、".join(UNIT_STATUSES), showInputMessage=True)
    ws.add_data_validation(status)
    status.add(f"{col['完成情况']}2:{col['完成情况']}{last}")
    overdue = PatternFill("solid", fgColor="F8CBAD")
    editable = {col[h] for h in UNIT_OWNED}
    for row_index, item in enumerate(items, 2):
        if item.overdue_days(as_of):
            ws[f"{col['整改时限']}{row_index}"].fill = overdue
        for letter in editable:
            ws[f"{letter}{row_index}"].protection = Protection(locked=False)
    for h in (ID_COLUMN, VERSION_COLUMN):
        ws.column_dimensions[col[h]].hidden = True
    protection = ws.protection
    protection.sheet = True
    protection.autoFilter = protection.sort = False
    protection.formatCells = protection.formatColumns = protection.formatRows = False
    help_ws = wb.create_sheet(HELP_SHEET)
    lines = [
        f"整改台账（导出日期 {as_of.isoformat()}，共 {len(items)} 项）",
        "单位可填写的列：" + "、".join(UNIT_OWNED) + "。",
        "完成情况：单位可填「" + "」或「".join(UNIT_STATUSES) + f"」；「{CLOSED}」须经复查验收，由督查方确认。",
        "问题描述、依据条款、单位、问题来源/类别、整改时限、销号时间由督查方维护，修改后导入会被拒绝。",
        "整改时限底色为红色表示已逾期。请勿删除隐藏的「事项编号」「版本」列，不要新增行或填写公式。",
        "填好后交回，由督查方执行：compliance ledger import 文件.xlsx --dry-run 预览，再去掉 --dry-run 导入。",
    ]
    for line in lines:
        help_ws.append([neutralise(line)])
    help_ws.column_dimensions["A"].width = 110
    wb.save(path)


# --- import ---------------------------------------------------------------------------------

@dataclass
class RowEdit:
    item_id: int
    version: int
    row: int
    changes: dict[str, Any] = field(default_factory=dict)


@dataclass
class ImportPlan:
    edits: list[RowEdit] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    diffs: list[dict[str, Any]] = field(default_factory=list)


@dataclass
class SheetRow:
    row: int
    cells: dict[str, tuple[str, Any]]  # header → (cell reference, normalised value)


def _cell_value(cell: Any, errors: list[str], header: str) -> Any:
    """A cell as plain data; formulas are never evaluated and errors are reported."""
    where = f"工作表「{SHEET}」单元格 {cell.coordinate}（{header}）"
    value = cell.value
    if cell.data_type == "f" or (value is not None and not isinstance(value, (str, int, float, bool, dt.date, dt.time))):
        errors.append(f"{where} 是公式（{str(value)[:40]}），导入时不计算公式，请直接填写文字")
        return None
    if cell.data_type == "e":
        errors.append(f"{where} 含错误值 {value}，请直接填写文字")
        return None
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, (int, float, bool)):
        return str(value)
    if isinstance(value, str):
        return unneutralise(value).strip()
    return value


def read_workbook(path: Path) -> tuple[list[SheetRow], list[str]]:
    """Rows of the 整改台账 sheet (header → (cell, value)); errors name the sheet and cell."""
    from openpyxl import load_workbook
    from openpyxl.utils.exceptions import InvalidFileException

    name = str(path)
    try:
        check_regular(path, MAX_BYTES)
    except InputError as exc:
        raise LedgerError(f"{name}：{exc.problems[0].message}") from None
    try:
        wb = load_workbook(path, data_only=False)
    except (InvalidFileException, zipfile.BadZipFile, KeyError, ValueError, OSError, SyntaxError, TypeError,
            IndexError) as exc:  # SyntaxError: a part's XML broken (ParseError, lxml XMLSyntaxError)
        raise LedgerError(f"{name}：不是有效的 .xlsx 文件（{exc}）；请用 compliance ledger export 导出的文件填写") from None
    if SHEET not in wb.sheetnames:
        raise LedgerError(f"{name}：没有工作表「{SHEET}」（现有：{'、'.join(wb.sheetnames)}）")
    ws = wb[SHEET]
    header = {}
    for cell in ws[1]:
        if isinstance(cell.value, str) and cell.value.strip():
            header[cell.column] = cell.value.strip()
    missing = [h for h in (ID_COLUMN, VERSION_COLUMN) if h not in header.values()]
    if missing:
        raise LedgerError(f"{name}：工作表「{SHEET}」第 1 行缺少列 {'、'.join(missing)}（隐藏列，请勿删除），"
                          "请使用 compliance ledger export 导出的原文件填写")
    errors: list[str] = []
    rows = []
    for cells in ws.iter_rows(min_row=2):
        values = {}
        for cell in cells:
            h = header.get(cell.column)
            if h is not None:
                values[h] = (cell.coordinate, "" if cell.value is None else _cell_value(cell, errors, h))
        if any(v not in (None, "") for _, v in values.values()):
            rows.append(SheetRow(cells[0].row, values))
    return rows, errors


def _same(a: Any, b: Any) -> bool:
    norm = [("" if v is None else v.isoformat() if isinstance(v, dt.date) else str(v).strip()) for v in (a, b)]
    return norm[0] == norm[1]


def plan_import(session: Session, rows: list[SheetRow], errors: list[str]) -> ImportPlan:
    """Validate the filled-in rows against the ledger and list the changes; nothing is written."""
    plan = ImportPlan(errors=list(errors))
    seen: dict[int, int] = {}
    where = f"工作表「{SHEET}」"
    for row in rows:
        ref_id, raw_id = row.cells.get(ID_COLUMN, (f"第 {row.row} 行", None))
        _, raw_version = row.cells.get(VERSION_COLUMN, ("", None))
        if not (str(raw_id or "").isdigit() and str(raw_version or "").isdigit()):
            plan.errors.append(f"{where}第 {row.row} 行没有有效的事项编号/版本（单元格 {ref_id}）：不能在台账文件中新增行，"
                               "新问题由检查同步产生")
            continue
        item_id, version = int(raw_id), int(raw_version)
        if item_id in seen:
            plan.errors.append(f"{where}第 {row.row} 行与第 {seen[item_id]} 行是同一事项 {item_id}，请删除重复行")
            continue
        seen[item_id] = row.row
        item = session.get(Item, item_id)
        if item is None:
            plan.errors.append(f"{where}单元格 {ref_id}：台账中没有事项 {item_id}（文件是否来自另一个台账？）")
            continue
        edit = RowEdit(item_id, version, row.row)
        for h, name in UNIT_OWNED.items():
            if h in row.cells and not _same(row.cells[h][1], getattr(item, name)):
                edit.changes[name] = row.cells[h][1] if row.cells[h][1] is not None else ""
        if item.version == version:
            for h, expected in PROTECTED.items():
                ref, value = row.cells.get(h, ("", None))
                if ref and not _same(value, expected(item)):
                    plan.errors.append(f"{where}单元格 {ref}（{h}）：该列由督查方维护，单位不能修改"
                                       f"（台账中为「{_short(expected(item))}」，文件中为「{_short(value)}」）")
        if not edit.changes:
            continue
        if item.version != version:
            plan.errors.append(f"{where}第 {row.row} 行（事项 {item_id}）：导出后台账已变更（版本 {version} → {item.version}），"
                               "为免覆盖他人的修改，请重新导出台账后再填写")
            continue
        if "status" in edit.changes:
            ref = row.cells["完成情况"][0]
            try:
                if not edit.changes["status"]:
                    raise LedgerError("完成情况不能为空")
                check_transition(item, edit.changes["status"], unit=True)
            except LedgerError as exc:
                plan.errors.append(f"{where}单元格 {ref}（完成情况）：{exc}")
                continue
        plan.edits.append(edit)
        for name, new in edit.changes.items():
            plan.diffs.append({"id": item_id, "key": item.key, "row": row.row, "field": name,
                               "old": getattr(item, name), "new": new})
    return plan


def apply_import(session: Session, plan: ImportPlan, by: str, source: str) -> int:
    """Apply a validated plan (in the caller's write transaction); returns the number of fields changed."""
    changed = 0
    for edit in plan.edits:
        item = session.get(Item, edit.item_id)
        assert item is not None
        changed += len(update_item(session, item, edit.changes, by, f"单位填报导入（{source} 第 {edit.row} 行）",
                                   unit=True, expected_version=edit.version))
    return changed


def _short(value: Any, width: int = 30) -> str:
    text = "" if value is None else value.isoformat() if isinstance(value, dt.date) else str(value)
    return text if len(text) <= width else text[:width] + "…"
