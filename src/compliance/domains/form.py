"""Reading a filled XLSX 信息采集表 into a :class:`Profile`, with errors pointing at sheet and cell.

Formulas are never evaluated: a formula cell is an error (fill in the value itself); text that
merely starts with ``=`` is read as text. The workbook is checked as a zip archive first (size,
number of members, declared uncompressed size), so a zip bomb or a non-zip file fails fast.
"""

from __future__ import annotations

import io
import re
import zipfile
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, ValidationError

from compliance.domains.template import (
    KEY_COLUMN, MAX_TABLE_ROWS, SECTION_COLUMNS, VALUE_COLUMN, FieldKind, FormField, TableSheet, describe, field_kind,
    form_layout,
)
from compliance.inputs.loader import MAX_BYTES, InputError, Problem, read_bytes, too_large
from compliance.inputs.office import Spelling, normalise
from compliance.inputs.validation import capped, field_label, validation_problems
from compliance.inputs.xlsx import unneutralise

MAX_UNCOMPRESSED = 50 * 1024 * 1024
MAX_MEMBERS = 2000
MAX_ROWS = 5 * MAX_TABLE_ROWS
HEADER_SEARCH = 5
"""A table sheet's header is among its first rows."""
MAX_EXTRA_COLUMNS = 20
"""Columns read beyond a table's own: enough to report stray headers, never a 16,384-column sheet."""

MAX_NOTES = 50
"""Notes listed per form; the rest are counted in one closing note."""

Cells = dict[tuple[Any, ...], str]


class Form:
    """A read form: the validated profile and the cell (``工会!C5``) of every field path."""

    def __init__(self, profile: BaseModel, cells: Cells, notes: list[Problem] | None = None):
        self.profile = profile
        self.cells = cells
        self.notes = notes or []
        """Office spellings read other than as written, each a ``note``-level problem located at its cell."""

    def cell_of(self, loc: tuple[Any, ...]) -> str | None:
        return nearest(self.cells, loc)


def _fail(name: str, message: str) -> InputError:
    return InputError([Problem(name, message, code="FORM")])


def check_archive(source: Path | bytes, max_bytes: int = MAX_BYTES, name: str | None = None) -> bytes:
    """The bytes of the workbook at ``source`` (a path or the bytes themselves), refusing non-zip data,
    oversized files and archives that would unpack to too much."""
    name = name or str(source if isinstance(source, Path) else "上传文件")
    if isinstance(source, (bytes, bytearray)):
        data = bytes(source)
        if len(data) > max_bytes:
            raise _fail(name, too_large(len(data), max_bytes))
    else:
        try:
            data = read_bytes(source, max_bytes)
        except InputError as exc:
            raise _fail(name, exc.problems[0].message) from None
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            members = archive.infolist()
    except (zipfile.BadZipFile, OSError, ValueError, EOFError):
        raise _fail(name, "不是有效的 XLSX 文件（XLSX 应为 zip 压缩包；请用 Excel/WPS 另存为 .xlsx）") from None
    if len(members) > MAX_MEMBERS:
        raise _fail(name, f"XLSX 压缩包内文件过多（{len(members)}个），疑似恶意文件，已拒绝")
    total = sum(m.file_size for m in members)
    if total > MAX_UNCOMPRESSED:
        raise _fail(name, f"XLSX 解压后过大（{total}字节，上限{MAX_UNCOMPRESSED}字节），疑似压缩炸弹，已拒绝")
    if not any(m.filename == "xl/workbook.xml" for m in members):
        raise _fail(name, "不是 XLSX 工作簿（压缩包中没有 xl/workbook.xml）")
    return data


class _Reader:
    """Cell values of one workbook as profile values: formulas refused, office spellings normalised (with
    notes), each problem located at its cell."""

    def __init__(self, name: str):
        self.name = name
        self.problems: list[Problem] = []
        self.notes: list[Problem] = []
        self.bad: set[str] = set()

    def value(self, cell: Any, where: str, kind: FieldKind, label: str, optional: bool) -> Any:
        value = cell.value
        if cell.data_type == "f":
            self.error(where, f"单元格含公式（{str(value)[:60]}），公式不会被计算，请直接填写数值或文字")
            return None
        if isinstance(value, str):
            value = unneutralise(value.strip()) or None
        if value is None:
            return None
        try:
            value, note = normalise(value, kind.kind, label=label, choices=kind.choices, optional=optional,
                                    month_ok=kind.month_ok)
        except Spelling as exc:
            self.error(where, str(exc))
            return None
        if note:
            self.notes.append(Problem(self.name, f"{where}：{note}", code="NOTE",
                                      level="note"))
        return value

    def error(self, where: str, message: str) -> None:
        self.bad.add(where)
        self.problems.append(Problem(self.name, f"{where}：{message}", code="FORM"))


def _set(data: dict[str, Any], parts: list[str], value: Any) -> None:
    for part in parts[:-1]:
        data = data.setdefault(part, {})
    data[parts[-1]] = value


def read_form(model: type[BaseModel], source: Path | bytes, max_bytes: int = MAX_BYTES) -> BaseModel:
    return read_form_cells(model, source, max_bytes).profile


def read_form_cells(model: type[BaseModel], source: Path | bytes, max_bytes: int = MAX_BYTES,
                    name: str | None = None) -> Form:
    """Read and validate a filled 信息采集表 (a path, or the bytes of an upload called ``name``).

    Raises :class:`InputError` with sheet!cell locations; the form's ``notes`` say which office spellings
    were read how (``基本情况!C6：「2025年3月1日」按2025-03-01处理``).
    """
    from openpyxl import load_workbook

    name = name or str(source if isinstance(source, Path) else "上传文件")
    data_bytes = check_archive(source, max_bytes, name)
    try:
        wb = load_workbook(io.BytesIO(data_bytes), read_only=True, data_only=False)
    except Exception:  # noqa: BLE001 - any failure of the parser on untrusted data is an input error
        raise _fail(name, "无法打开 XLSX 文件（文件损坏或不是 Excel 工作簿）") from None
    reader = _Reader(name)
    data: dict[str, Any] = {"schema_version": 1}
    cells: Cells = {}
    try:
        sections, tables = form_layout(model)
        sheets = set(wb.sheetnames)
        for title, fields in sections:
            if title not in sheets:
                reader.problems.append(Problem(name, f"缺少工作表「{title}」（请使用本系统生成的信息采集表填写）",
                                               code="FORM"))
                continue
            _read_section(wb[title], title, fields, reader, data, cells)
        for table in tables:
            if table.title in sheets:
                _read_table(wb[table.title], table, reader, data, cells)
    except Exception:  # noqa: BLE001 - sheets are parsed as they are read; any parser failure is an input error
        raise _fail(name, "XLSX 文件内容无法解析（文件损坏，或含不安全的 XML 实体）") from None
    finally:
        wb.close()
    reader.problems = capped(reader.problems, name)
    if len(reader.notes) > MAX_NOTES:
        more = len(reader.notes) - MAX_NOTES
        reader.notes = reader.notes[:MAX_NOTES] + [Problem(name, f"另有{more}处说明未列出", code="NOTE", level="note")]
    try:
        profile = model.model_validate(data)
    except ValidationError as exc:
        located = list(reader.problems)
        for p, err in zip(validation_problems(exc, model, name, None), exc.errors(include_url=False)):
            where = nearest(cells, tuple(err["loc"]))
            if where in reader.bad:
                continue
            p.message = f"{where}：{_plain(p.message)}" if where else _plain(p.message)
            p.expected = _plain(p.expected)
            p.path = field_label(model, tuple(err["loc"]))
            p.code = "FORM"
            located.append(p)
        raise InputError(located) from None
    if reader.problems:
        raise InputError(reader.problems)
    return Form(profile, cells, reader.notes)


def _read_section(ws: Any, title: str, fields: list[FormField], reader: _Reader, data: dict[str, Any],
                  cells: Cells) -> None:
    from openpyxl.utils import get_column_letter

    by_key = {f.key: f for f in fields}
    for number, row in enumerate(ws.iter_rows(min_row=1, max_row=MAX_ROWS, max_col=VALUE_COLUMN), 1):
        if len(row) < VALUE_COLUMN:
            continue
        key = row[KEY_COLUMN - 1].value
        if key is None or key == SECTION_COLUMNS[KEY_COLUMN - 1]:
            continue
        where = f"{title}!{get_column_letter(VALUE_COLUMN)}{number}"
        if key not in by_key:
            if number > 2:
                reader.error(f"{title}!{get_column_letter(KEY_COLUMN)}{number}",
                             f"未知字段键「{str(key)[:60]}」（隐藏的{get_column_letter(KEY_COLUMN)}列不要修改）")
            continue
        field = by_key[key]
        value = reader.value(row[VALUE_COLUMN - 1], where, field.kind, f"{field.label}；{field.note}", field.optional)
        parts = str(key).split(".")
        cells[tuple(parts)] = where
        if value is not None:
            _set(data, parts, value)


def _read_table(ws: Any, table: TableSheet, reader: _Reader, data: dict[str, Any], cells: Cells) -> None:
    from openpyxl.utils import get_column_letter

    fields = table.model.model_fields
    titles = {f.title or n: n for n, f in fields.items()}
    rows = ws.iter_rows(max_row=MAX_ROWS + 2, max_col=len(fields) + MAX_EXTRA_COLUMNS)
    columns: dict[int, str] = {}
    number = 0
    for number, header in enumerate(rows, 1):  # the header is the first row naming a column (a title row may precede it)
        labels = [c.value.strip() if isinstance(c.value, str) else c.value for c in header]
        if any(label in titles or label in fields for label in labels if label is not None) or number >= HEADER_SEARCH:
            for index, label in enumerate(labels):
                if label is None:
                    continue
                field = titles.get(label) or (label if label in fields else None)
                if field is None:
                    reader.error(f"{table.title}!{get_column_letter(index + 1)}{number}", f"未知表头「{str(label)[:60]}」")
                else:
                    columns[index] = field
            break
    items: list[dict[str, Any]] = []
    base = tuple(table.key.split("."))
    kinds = {n: (field_kind(f.annotation), describe(table.model, n), not f.is_required()) for n, f in fields.items()}
    for number, row in enumerate(rows, number + 1):
        item: dict[str, Any] = {}
        for index, field in columns.items():
            if index >= len(row):
                continue
            where = f"{table.title}!{get_column_letter(index + 1)}{number}"
            kind, label, optional = kinds[field]
            value = reader.value(row[index], where, kind, label, optional)
            cells[(*base, len(items), field)] = where
            if value is not None:
                item[field] = value
        if item:
            cells[(*base, len(items))] = f"{table.title}!A{number}"
            items.append(item)
    if items:
        _set(data, list(base), items)


_PLAIN = (("应为 是/否（true/false）", "应填写“是”或“否”"), ("格式 YYYY-MM-DD", "如2025-03-01"), ("' or '", "、"),
          ("', '", "、"))
_SPACED_NUMBER = re.compile(r"(?<=[\u4e00-\u9fff]) (?=[-\d])|(?<=\d) (?=[\u4e00-\u9fff])")


def _plain(message: str) -> str:
    """A validation message as a secretary reads it: no English words or format codes, no quotes from Python,
    no spaces around numbers."""
    for english, chinese in _PLAIN:
        message = message.replace(english, chinese)
    message = re.sub(r"'([^'\n]*)'", r"「\1」", message)
    return _SPACED_NUMBER.sub("", message)


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
