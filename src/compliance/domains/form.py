"""Reading a filled XLSX 信息采集表 into a :class:`Profile`, with errors pointing at sheet and cell.

Formulas are never evaluated: a formula cell is an error (fill in the value itself); text that
merely starts with ``=`` is read as text. The workbook is checked as a zip archive first (size,
number of members, declared uncompressed size), so a zip bomb or a non-zip file fails fast.
"""

from __future__ import annotations

import datetime as dt
import zipfile
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, ValidationError

from compliance.inputs.validation import validation_problems
from compliance.inputs.loader import MAX_BYTES, InputError, Problem, check_regular
from compliance.domains.template import MAX_TABLE_ROWS, VALUE_COLUMN, form_layout
from compliance.inputs.xlsx import unneutralise

MAX_UNCOMPRESSED = 50 * 1024 * 1024
MAX_MEMBERS = 2000
MAX_ROWS = 5 * MAX_TABLE_ROWS

Cells = dict[tuple[Any, ...], str]


class Form:
    """A read form: the validated profile and the cell (``工会!C5``) of every field path."""

    def __init__(self, profile: BaseModel, cells: Cells):
        self.profile = profile
        self.cells = cells

    def cell_of(self, loc: tuple[Any, ...]) -> str | None:
        return nearest(self.cells, loc)


def _fail(name: str, message: str) -> InputError:
    return InputError([Problem(name, message, code="FORM")])


def check_archive(path: Path, max_bytes: int = MAX_BYTES) -> None:
    """Refuse non-zip files, oversized files and archives that would unpack to too much."""
    name = str(path)
    try:
        check_regular(path, max_bytes)
    except InputError as exc:
        raise _fail(name, exc.problems[0].message) from None
    try:
        with zipfile.ZipFile(path) as archive:
            members = archive.infolist()
    except (zipfile.BadZipFile, OSError, ValueError, EOFError):
        raise _fail(name, "不是有效的 XLSX 文件（XLSX 应为 zip 压缩包；请用 Excel/WPS 另存为 .xlsx）") from None
    if len(members) > MAX_MEMBERS:
        raise _fail(name, f"XLSX 压缩包内文件过多（{len(members)} 个），疑似恶意文件，已拒绝")
    total = sum(m.file_size for m in members)
    if total > MAX_UNCOMPRESSED:
        raise _fail(name, f"XLSX 解压后过大（{total} 字节，上限 {MAX_UNCOMPRESSED} 字节），疑似压缩炸弹，已拒绝")
    if not any(m.filename == "xl/workbook.xml" for m in members):
        raise _fail(name, "不是 XLSX 工作簿（压缩包中没有 xl/workbook.xml）")


def _cell_value(cell: Any, where: str, name: str, problems: list[Problem]) -> Any:
    value = cell.value
    if cell.data_type == "f":
        problems.append(Problem(name, f"{where}：单元格含公式（{str(value)[:60]}），公式不会被计算，请直接填写数值或文字",
                                code="FORM"))
        return None
    if isinstance(value, str):
        value = unneutralise(value.strip())
        return value or None
    if isinstance(value, dt.datetime):
        return value.date() if value.time() == dt.time(0) else value
    return value


def _set(data: dict[str, Any], parts: list[str], value: Any) -> None:
    for part in parts[:-1]:
        data = data.setdefault(part, {})
    data[parts[-1]] = value


def read_form(model: type[BaseModel], path: Path, max_bytes: int = MAX_BYTES) -> BaseModel:
    return read_form_cells(model, path, max_bytes).profile


def read_form_cells(model: type[BaseModel], path: Path, max_bytes: int = MAX_BYTES) -> Form:
    """Read and validate a filled 信息采集表; raises :class:`InputError` with sheet!cell locations."""
    from openpyxl import load_workbook
    from openpyxl.utils import get_column_letter

    name = str(path)
    check_archive(path, max_bytes)
    try:
        wb = load_workbook(path, read_only=True, data_only=False)
    except Exception:  # noqa: BLE001 - any failure of the parser on untrusted data is an input error
        raise _fail(name, "无法打开 XLSX 文件（文件损坏或不是 Excel 工作簿）") from None
    problems: list[Problem] = []
    data: dict[str, Any] = {"schema_version": 1}
    cells: Cells = {}
    try:
        sections, tables = form_layout(model)
        sheets = set(wb.sheetnames)
        for title, fields in sections:
            if title not in sheets:
                problems.append(Problem(name, f"缺少工作表「{title}」（请使用 compliance init --xlsx 生成的采集表）",
                                        code="FORM"))
                continue
            by_key = {f.key: f for f in fields}
            for number, row in enumerate(wb[title].iter_rows(min_row=2, max_row=MAX_ROWS, max_col=VALUE_COLUMN), 2):
                if len(row) < VALUE_COLUMN:
                    continue
                key = row[1].value
                if key is None:
                    continue
                where = f"{title}!{get_column_letter(VALUE_COLUMN)}{number}"
                if key not in by_key:
                    problems.append(Problem(name, f"{title}!B{number}：未知字段键「{key}」（请勿修改 B 列）", code="FORM"))
                    continue
                value = _cell_value(row[VALUE_COLUMN - 1], where, name, problems)
                parts = str(key).split(".")
                cells[tuple(parts)] = where
                if value is not None:
                    _set(data, parts, value)
        for table in tables:
            if table.title not in sheets:
                continue
            ws = wb[table.title]
            rows = ws.iter_rows(max_row=MAX_ROWS + 1)
            header = next(rows, ())
            titles = {f.title or n: n for n, f in table.model.model_fields.items()}
            columns: dict[int, str] = {}
            for index, cell in enumerate(header):
                label = cell.value.strip() if isinstance(cell.value, str) else cell.value
                if label is None:
                    continue
                field = titles.get(label) or (label if label in table.model.model_fields else None)
                if field is None:
                    problems.append(Problem(name, f"{table.title}!{get_column_letter(index + 1)}1：未知表头「{label}」",
                                            code="FORM"))
                else:
                    columns[index] = field
            items: list[dict[str, Any]] = []
            base = tuple(table.key.split("."))
            for number, row in enumerate(rows, 2):
                item: dict[str, Any] = {}
                for index, field in columns.items():
                    if index >= len(row):
                        continue
                    where = f"{table.title}!{get_column_letter(index + 1)}{number}"
                    value = _cell_value(row[index], where, name, problems)
                    cells[(*base, len(items), field)] = where
                    if value is not None:
                        item[field] = value
                if item:
                    cells[(*base, len(items))] = f"{table.title}!A{number}"
                    items.append(item)
            if items:
                _set(data, list(base), items)
    except (SyntaxError, ValueError, KeyError, IndexError, TypeError):  # a sheet's XML broken (ParseError) or bogus
        raise _fail(name, "无法读取 XLSX 工作表内容（文件损坏或不是 Excel 工作簿）") from None
    finally:
        wb.close()
    if problems:
        raise InputError(problems)
    try:
        profile = model.model_validate(data)
    except ValidationError as exc:
        located = []
        for p, err in zip(validation_problems(exc, model, name, None), exc.errors(include_url=False)):
            where = nearest(cells, tuple(err["loc"]))
            p.message = f"{where}：{p.message}" if where else p.message
            p.code = "FORM"
            located.append(p)
        raise InputError(located) from None
    return Form(profile, cells)


def nearest(cells: Cells, loc: tuple[Any, ...]) -> str | None:
    """The cell of ``loc`` or of its closest parent that has one."""
    while loc:
        if loc in cells:
            return cells[loc]
        loc = loc[:-1]
    return None


def profile_yaml(profile: BaseModel) -> str:
    """The profile as YAML (English keys, empty fields left out)."""
    header = "# 单位档案：由 compliance import 从 XLSX 信息采集表转换\n"
    body = yaml.safe_dump(profile.model_dump(exclude_none=True), allow_unicode=True, sort_keys=False)
    return header + body
