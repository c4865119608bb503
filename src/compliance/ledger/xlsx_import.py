"""Reading a returned 整改台账 workbook and merging it cell by cell (see :mod:`compliance.ledger.xlsx`).

Each returned cell is compared with the digest of its exported value and with the ledger's current value:
left as exported → the ledger keeps its value; changed by the unit only → applied; changed on both sides →
a conflict (that row is held back); inspector columns, formulas, bad statuses, new rows → the file is refused.
"""

from __future__ import annotations

import datetime as dt
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy.orm import Session

from compliance.findings import zh_date
from compliance.inputs.loader import InputError, check_regular
from compliance.inputs.xlsx import unneutralise
from compliance.ledger.errors import LedgerError
from compliance.ledger.lifecycle import check_transition, check_value, update_item
from compliance.ledger.models import Item
from compliance.ledger.xlsx import (
    DIGEST_COLUMN, ID_COLUMN, LEGACY_PROTECTED, LEGACY_UNIT_OWNED, SHEET, TRACKED, UNIT_OWNED, VERSION_COLUMN,
    digest, norm, read_digest, value_of,
)

MAX_BYTES = 20 * 1024 * 1024

@dataclass
class RowEdit:
    item_id: int
    version: int
    row: int
    changes: dict[str, Any] = field(default_factory=dict)


@dataclass
class ImportPlan:
    """What an import would do: edits to apply, errors that refuse the file, conflicts held back."""

    edits: list[RowEdit] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    diffs: list[dict[str, Any]] = field(default_factory=list)
    conflicts: list[dict[str, Any]] = field(default_factory=list)
    """Cells changed both in the file and in the ledger since the export: cell, field, 台账中的值, 表中的值."""


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
            IndexError):  # SyntaxError: a part's XML broken (ParseError, lxml XMLSyntaxError)
        raise LedgerError(f"{name}：不是有效的 .xlsx 文件（文件损坏，或不是 Excel 工作簿）；请用 compliance ledger export 导出的文件填写") from None
    if SHEET not in wb.sheetnames:
        raise LedgerError(f"{name}：没有工作表「{SHEET}」（现有：{'、'.join(wb.sheetnames)}）")
    ws = wb[SHEET]
    header: dict[int, str] = {}
    header_row = 0
    for cells in ws.iter_rows(min_row=1, max_row=10):
        found = {c.column: c.value.strip() for c in cells if isinstance(c.value, str) and c.value.strip()}
        if ID_COLUMN in found.values():
            header, header_row = found, cells[0].row
            break
    missing = [h for h in (ID_COLUMN, VERSION_COLUMN) if h not in header.values()]
    if missing:
        raise LedgerError(f"{name}：工作表「{SHEET}」的表头缺少列 {'、'.join(missing)}（隐藏列，请勿删除），"
                          "请使用 compliance ledger export 导出的原文件填写")
    errors: list[str] = []
    rows = []
    for cells in ws.iter_rows(min_row=header_row + 1):
        values = {}
        for cell in cells:
            h = header.get(cell.column)
            if h is not None:
                values[h] = (cell.coordinate, "" if cell.value is None else _cell_value(cell, errors, h))
        if any(v not in (None, "") for _, v in values.values()):
            rows.append(SheetRow(cells[0].row, values))
    return rows, errors


def plan_import(session: Session, rows: list[SheetRow], errors: list[str]) -> ImportPlan:
    """Compare every returned cell with its exported value and the ledger's current one; nothing is written."""
    plan = ImportPlan(errors=list(errors))
    seen: dict[int, int] = {}
    where = f"工作表「{SHEET}」"
    for row in rows:
        ref_id, raw_id = row.cells.get(ID_COLUMN, (f"第{row.row}行", None))
        _, raw_version = row.cells.get(VERSION_COLUMN, ("", None))
        if not (str(raw_id or "").isdigit() and str(raw_version or "").isdigit()):
            plan.errors.append(f"{where}第{row.row}行没有有效的事项编号/版本（单元格 {ref_id}）：不能在台账文件中新增行，"
                               "新问题由检查同步产生")
            continue
        item_id, version = int(raw_id), int(raw_version)
        if item_id in seen:
            plan.errors.append(f"{where}第{row.row}行与第{seen[item_id]}行是同一事项 {item_id}，请删除重复行")
            continue
        seen[item_id] = row.row
        item = session.get(Item, item_id)
        if item is None:
            plan.errors.append(f"{where}单元格 {ref_id}：台账中没有事项 {item_id}（文件是否来自另一个台账？）")
            continue
        _plan_row(plan, item, version, row, where)
    return plan


def _plan_row(plan: ImportPlan, item: Item, version: int, row: SheetRow, where: str) -> None:
    """One row: unit-changed cells are applied unless the ledger changed them too (a conflict)."""
    digest_cell = row.cells.get(DIGEST_COLUMN)
    exported = read_digest(digest_cell[1]) if digest_cell else None
    if digest_cell and exported is None:
        plan.errors.append(f"{where}单元格 {digest_cell[0]}（{DIGEST_COLUMN}）已被改动，无法核对该行；"
                           "请勿改动隐藏列，用原导出文件填写")
        return
    stale = item.version != version
    edit = RowEdit(item.id, item.version, row.row)
    conflicts = []
    owned = {**UNIT_OWNED, **LEGACY_UNIT_OWNED}
    for h in [*TRACKED, *LEGACY_UNIT_OWNED, *LEGACY_PROTECTED]:
        if h not in row.cells:
            continue
        ref, value = row.cells[h]
        current = value_of(item, h)
        if exported is not None and h in exported:
            unit_changed = digest(value) != exported[h]
            ledger_changed = digest(current) != exported[h]
        else:  # a workbook from before the digest column: only the row's version is known
            unit_changed = norm(value) != norm(current) and not (stale and h not in owned)
            ledger_changed = stale
        if not unit_changed or norm(value) == norm(current):
            continue
        if h not in owned:
            plan.errors.append(f"{where}单元格 {ref}（{h}）：该列由督查方维护，单位不能修改"
                               f"（台账中为「{_short(current)}」，文件中为「{_short(value)}」）")
        elif ledger_changed:
            conflicts.append({"id": item.id, "key": item.key, "row": row.row, "cell": f"{SHEET}!{ref}",
                              "field": owned[h], "ledger": current, "sheet": value})
        else:
            try:
                check_value(owned[h], value)
            except LedgerError as exc:
                plan.errors.append(f"{where}单元格 {ref}（{h}）：{exc}")
                return
            edit.changes[owned[h]] = value if value is not None else ""
    if conflicts:
        plan.conflicts.extend(conflicts)
        return
    if not edit.changes:
        return
    if "status" in edit.changes:
        ref = row.cells["完成情况"][0]
        try:
            if not edit.changes["status"]:
                raise LedgerError("完成情况不能为空")
            check_transition(item, edit.changes["status"], unit=True)
        except LedgerError as exc:
            plan.errors.append(f"{where}单元格 {ref}（完成情况）：{exc}")
            return
    plan.edits.append(edit)
    for name, new in edit.changes.items():
        plan.diffs.append({"id": item.id, "key": item.key, "row": row.row, "field": name,
                           "old": getattr(item, name), "new": new})


def apply_import(session: Session, plan: ImportPlan, by: str, source: str) -> int:
    """Apply a validated plan (in the write transaction it was planned in); returns the number of fields changed."""
    changed = 0
    for edit in plan.edits:
        item = session.get(Item, edit.item_id)
        assert item is not None
        changed += len(update_item(session, item, edit.changes, by, f"单位填报导入（{source} 第{edit.row}行）",
                                   unit=True, expected_version=edit.version))
    return changed


def _short(value: Any, width: int = 30) -> str:
    text = "" if value is None else zh_date(value) if isinstance(value, dt.date) else str(value)
    return text if len(text) <= width else text[:width] + "…"
