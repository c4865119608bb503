"""Blank profile templates built from the model: YAML with Chinese comments, and the XLSX 信息采集表."""

from __future__ import annotations

import datetime as dt
import json
import types
import typing
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterator

from pydantic import BaseModel

from compliance.inputs.validation import model_of

YES_NO = ("是", "否")
MAX_TABLE_ROWS = 500
"""Rows prepared (with dropdowns and date formats) in each table sheet of the form."""


@dataclass(frozen=True)
class FieldKind:
    """What a profile field holds: ``bool int float date str enum model list``."""

    kind: str
    choices: tuple[Any, ...] = ()
    model: type[BaseModel] | None = None
    minimum: float | None = None
    month_ok: bool = False
    """A date field that also takes a month alone (``2025年10月``, its own validator reads it)."""


def field_kind(annotation: Any) -> FieldKind:
    origin, args = typing.get_origin(annotation), typing.get_args(annotation)
    if origin is typing.Annotated:
        inner = field_kind(args[0])
        bounds = [b for m in args[1:] for b in (m, *getattr(m, "metadata", ()))]
        minimum = next((b.ge for b in bounds if getattr(b, "ge", None) is not None), None)
        custom = any(type(m).__name__ == "BeforeValidator" for m in args[1:])
        return FieldKind(inner.kind, inner.choices, inner.model, minimum, inner.kind == "date" and custom)
    if origin in (typing.Union, types.UnionType):
        inner_args = [a for a in args if a is not type(None)]
        return field_kind(inner_args[0]) if len(inner_args) == 1 else FieldKind("str")
    if origin is typing.Literal:
        return FieldKind("enum", tuple(args))
    if origin is list:
        return FieldKind("list", model=model_of(args[0]))
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return FieldKind("model", model=annotation)
    return FieldKind({bool: "bool", int: "int", float: "float", dt.date: "date"}.get(annotation, "str"))


def hint(kind: FieldKind) -> str:
    """How to fill a field, in Chinese."""
    if kind.kind == "bool":
        return "是/否"
    if kind.kind == "date":
        return "日期 YYYY-MM-DD"
    if kind.kind == "int":
        return "整数" + ("，不小于 0" if kind.minimum == 0 else "")
    if kind.kind == "float":
        return "数字" + ("，不小于 0" if kind.minimum == 0 else "")
    if kind.kind == "enum":
        return "可选：" + " / ".join(map(str, kind.choices))
    return "文字"


def describe(model: type[BaseModel], name: str) -> str:
    field = model.model_fields[name]
    kind = field_kind(field.annotation)
    parts = [field.title or name]
    if field.is_required():
        parts[0] += "（必填）"
    if field.description:
        parts.append(field.description)
    if kind.kind not in ("model", "list"):
        parts.append(hint(kind))
    return "；".join(parts)


def form_note(model: type[BaseModel], name: str) -> str:
    """What the form's 填写说明 column says of a field: required or not, its meaning, how to fill it."""
    field = model.model_fields[name]
    kind = field_kind(field.annotation)
    parts = ["必填"] if field.is_required() else []
    if field.description:
        parts.append(field.description)
    parts.append(FORM_HINTS.get(kind.kind, ""))
    if kind.kind in ("int", "float") and kind.minimum == 0:
        parts[-1] += "，不小于0"
    if kind.kind == "enum":
        parts[-1] += "：" + "、".join(map(str, kind.choices))
    return "；".join(p for p in parts if p)


FORM_HINTS = {"bool": "从下拉列表选择是或否", "date": "日期，如2025-03-20", "int": "填整数", "float": "填数字",
              "enum": "从下拉列表选择"}


# --- YAML ------------------------------------------------------------------------------------

YAML_HEADER = """\
# 单位档案（{title}）—— 由 compliance init 生成
# 填写说明：
#   * 每个字段后面的注释是它的中文名称、含义和填写要求；键名可保留英文，也可改写成注释中的中文名称。
#   * 不掌握的情况留空即可（检查时列为“待核实”），不要填“无”“不详”。是/否 字段填 是 或 否。
#   * 日期一律写成 YYYY-MM-DD，例如 2025-03-20；人数、金额填数字。
#   * 可以填多条的事项（注释中有示例的列表），每条以“- ”开头逐条填写。
#   * 填好后运行 compliance validate 本文件 检查格式和数据一致性。
# 编辑器提示：在 VS Code 中安装 YAML 插件，并把下一行的路径改成 {schema} 的实际位置：
# yaml-language-server: $schema={schema}
"""


def _field_lines(model: type[BaseModel], name: str, indent: int, values: dict[str, Any],
                 commented: bool = False) -> Iterator[str]:
    pad, prefix = " " * indent, "# " if commented else ""
    kind = field_kind(model.model_fields[name].annotation)
    comment = describe(model, name)
    if kind.kind == "model" and kind.model is not None:
        yield f"{pad}{prefix}{name}:  # {comment}"
        for sub in kind.model.model_fields:
            yield from _field_lines(kind.model, sub, indent + 2, values.get(name) or {}, commented)
    elif kind.kind == "list" and kind.model is not None:
        yield f"{pad}{prefix}{name}:  # {comment}；每条以“- ”开头，示例（去掉行首的 # 后填写）："
        for index, sub in enumerate(kind.model.model_fields):
            for line in _field_lines(kind.model, sub, 0, {}):
                yield f"{pad}# {'- ' if index == 0 else '  '}{line}"
    else:
        value = values.get(name)
        yield f"{pad}{prefix}{name}:{'' if value is None else ' ' + value}  # {comment}"


def yaml_template(model: type[BaseModel], title: str, key: str, unit_name: str) -> str:
    """A blank profile YAML with a Chinese comment for every field; only ``unit.id`` is left to fill.

    The editor hint points at the domain's exported schema, ``schemas/<key>/profile.schema.json``.
    """
    values = {"schema_version": "1", "unit": {"name": json.dumps(unit_name, ensure_ascii=False)}}
    header = YAML_HEADER.replace("{title}", title).replace("{schema}", f"schemas/{key}/profile.schema.json")
    lines = [header.rstrip("\n")]
    for name in model.model_fields:
        if name not in ("schema_version", "unit"):
            lines.append("")
        lines.extend(_field_lines(model, name, 0, values))
    return "\n".join(lines) + "\n"


# --- XLSX 信息采集表 -----------------------------------------------------------------------------

INSTRUCTIONS_SHEET = "填表说明"
UNIT_SHEET = "基本情况"
SECTION_COLUMNS = ["项目", "字段键（请勿修改）", "填写内容", "填写说明"]
SECTION_WIDTHS = [26, 30, 30, 56]
KEY_COLUMN = 2
"""The hidden column holding each row's field key (``union.members``)."""
VALUE_COLUMN = 3


@dataclass(frozen=True)
class FormField:
    """One row of a section sheet: dotted key (``union.postponement.until``), label and kind."""

    key: str
    label: str
    kind: FieldKind
    note: str
    optional: bool = True


@dataclass(frozen=True)
class TableSheet:
    """A list field as a table sheet: ``events``, ``waivers`` or ``league.roster``."""

    title: str
    key: str
    model: type[BaseModel]


def _section_fields(model: type[BaseModel], prefix: str, label_prefix: str) -> Iterator[FormField]:
    for name, field in model.model_fields.items():
        kind = field_kind(field.annotation)
        label = f"{label_prefix}{field.title or name}"
        if kind.kind == "model" and kind.model is not None:
            yield from _section_fields(kind.model, f"{prefix}{name}.", f"{label}.")
        elif kind.kind != "list":
            yield FormField(f"{prefix}{name}", label, kind, form_note(model, name), not field.is_required())


def form_layout(model: type[BaseModel]) -> tuple[list[tuple[str, list[FormField]]], list[TableSheet]]:
    """Section sheets (title, fields) and table sheets of the 信息采集表, in order."""
    sections: list[tuple[str, list[FormField]]] = []
    tables: list[TableSheet] = []
    for name, field in model.model_fields.items():
        kind = field_kind(field.annotation)
        if name == "unit":
            fields = list(_section_fields(kind.model, "unit.", ""))  # type: ignore[arg-type]
            if "notes" in model.model_fields:
                notes = model.model_fields["notes"]
                fields.append(FormField("notes", notes.title or "备注", FieldKind("str"), form_note(model, "notes")))
            sections.append((UNIT_SHEET, fields))
        elif kind.kind == "model" and kind.model is not None:
            sections.append((field.title or name, list(_section_fields(kind.model, f"{name}.", ""))))
            for sub_name, sub in kind.model.model_fields.items():
                sub_kind = field_kind(sub.annotation)
                if sub_kind.kind == "list" and sub_kind.model is not None:
                    tables.append(TableSheet(sub.title or sub_name, f"{name}.{sub_name}", sub_kind.model))
        elif kind.kind == "list" and kind.model is not None:
            tables.append(TableSheet(field.title or name, name, kind.model))
    return sections, tables


def instructions(model: type[BaseModel], title: str) -> list[str]:
    """The numbered lines of the 填表说明 sheet, addressed to the unit's secretary."""
    sections, tables = form_layout(model)
    return [
        f"本表采集本单位{title}工作的基本情况，请如实填写，作为检查和整改的依据。",
        f"各工作表依次为：{'、'.join(t for t, _ in sections)}（逐项填写“填写内容”一栏）；"
        f"{'、'.join(t.title for t in tables)}（表格，每行填写一条）。",
        "只在浅黄色的“填写内容”一栏和表格的数据行中填写；不要修改项目名称和表头，不要增加、删除或重命名工作表。",
        "是/否和有固定选项的单元格请从下拉列表中选择；日期写成2025-03-20或2025年3月20日；人数、金额只填数字。",
        "不掌握的情况请留空，检查时列为“待核实”并请补充材料；不要填写“不详”。",
        "不要使用公式，请直接填写数值或文字。",
        "填好后直接保存（保持.xlsx格式，不要改文件名后缀），按通知要求的时间和方式报送。",
    ]


TITLE_FONT_SIZE = 14
BLANK_TABLE_ROWS = 10
"""Empty, bordered rows printed under each table's header (more can be typed below them)."""
INPUT_FILL = "FFF9E5"


def form_workbook(domain: Any, profile: BaseModel | None = None, unit_name: str | None = None) -> bytes:
    """The XLSX 信息采集表 of ``domain`` (a :class:`~compliance.engine.domain.Domain`), as bytes; pre-filled
    from ``profile`` (e.g. last year's) when given, else blank but for ``unit_name``."""
    import io

    name = unit_name or (str(profile.unit.name) if profile is not None else "")  # type: ignore[attr-defined]
    wb = _workbook(domain.profile_model, domain.title, name, profile)
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


def write_xlsx_template(model: type[BaseModel], title: str, path: Path, unit_name: str,
                        profile: BaseModel | None = None) -> None:
    """Write the XLSX 信息采集表 for ``unit_name`` (pre-filled from ``profile`` when given)."""
    _workbook(model, title, unit_name, profile).save(path)


def _value_at(data: dict[str, Any], key: str) -> Any:
    for part in key.split("."):
        if not isinstance(data, dict):
            return None
        data = data.get(part)  # type: ignore[assignment]
    return data


def _cell_value(value: Any) -> Any:
    """A profile value as the form shows it: 是/否 for yes/no, dates as dates, text neutralised."""
    from compliance.inputs.xlsx import neutralise

    if isinstance(value, bool):
        return "是" if value else "否"
    return neutralise(value)


def _workbook(model: type[BaseModel], title: str, unit_name: str, profile: BaseModel | None) -> Any:
    from openpyxl import Workbook
    from openpyxl.utils import get_column_letter
    from openpyxl.worksheet.datavalidation import DataValidation

    data = profile.model_dump(exclude_none=True) if profile is not None else {}
    form_title = f"{unit_name}{title}信息采集表"
    wb = Workbook()
    info = wb.active
    info.title = INSTRUCTIONS_SHEET
    lines = [[f"{i}. {text}"] for i, text in enumerate(instructions(model, title), 1)]
    _sheet(info, f"{form_title}·填表说明", ["填表说明"], lines, [80], "portrait")
    sections, tables = form_layout(model)
    for section, fields in sections:
        ws = wb.create_sheet(section)
        rows = []
        for f in fields:
            value = unit_name if f.key == "unit.name" and unit_name else _value_at(data, f.key)
            rows.append([f.label, f.key, _cell_value(value), f.note])
        _sheet(ws, f"{form_title}·{section}", SECTION_COLUMNS, rows, SECTION_WIDTHS, "portrait", hidden=KEY_COLUMN)
        for row, f in enumerate(fields, 3):
            cell = ws.cell(row=row, column=VALUE_COLUMN)
            _input(cell)
            _format_input(ws, cell.coordinate, f.kind, DataValidation)
        _protect(ws)
    for table in tables:
        ws = wb.create_sheet(table.title)
        names = list(table.model.model_fields)
        headers = [table.model.model_fields[n].title or n for n in names]
        items = _value_at(data, table.key) or []
        rows = [[_cell_value(item.get(n)) for n in names] for item in items]
        rows += [[None] * len(names) for _ in range(BLANK_TABLE_ROWS)]
        widths = [_table_width(table.model, n) for n in names]
        _sheet(ws, f"{form_title}·{table.title}（每行一条）", headers, rows, widths,
               "landscape" if sum(widths) > 100 else "portrait")
        for col, name in enumerate(names, 1):
            letter = get_column_letter(col)
            kind = field_kind(table.model.model_fields[name].annotation)
            _format_input(ws, f"{letter}3:{letter}{MAX_TABLE_ROWS + 2}", kind, DataValidation)
            if kind.kind == "date":
                for row in range(3, len(rows) + 3):
                    ws.cell(row=row, column=col).number_format = "yyyy-mm-dd"
    return wb


def _table_width(model: type[BaseModel], name: str) -> int:
    field = model.model_fields[name]
    kind = field_kind(field.annotation)
    if kind.kind in ("bool", "date", "int", "float"):
        return 14
    if kind.kind == "enum":
        return max(14, 2 * max(len(str(c)) for c in kind.choices) + 2)
    return 30 if name in ("title", "note", "notes", "reason", "basis", "content") else 18


def _sheet(ws: Any, title: str, headers: list[str], rows: list[list[Any]], widths: list[int], orientation: str,
           hidden: int | None = None) -> None:
    """Title row, bordered header and rows, widths, wrapping, and a page set-up that prints to the page width;
    column ``hidden`` (1-based) is hidden."""
    from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
    from openpyxl.utils import get_column_letter

    last = get_column_letter(len(headers))
    ws.append([title])
    if len(headers) > 1:
        ws.merge_cells(f"A1:{last}1")
    ws["A1"].font = Font(bold=True, size=TITLE_FONT_SIZE)
    ws["A1"].alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
    ws.row_dimensions[1].height = 30
    thin = Side(style="thin", color="808080")
    border = Border(left=thin, right=thin, top=thin, bottom=thin)
    ws.append(headers)
    for cell in ws[2]:
        cell.font, cell.fill, cell.border = Font(bold=True), PatternFill("solid", fgColor="D9D9D9"), border
        cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
    body = Alignment(vertical="top", wrap_text=True)
    for values in rows:
        ws.append(values)
        for cell in ws[ws.max_row]:
            if isinstance(cell.value, str):
                cell.data_type = "s"
            cell.alignment, cell.border = body, border
    for index, width in enumerate(widths, 1):
        ws.column_dimensions[get_column_letter(index)].width = width
        ws.column_dimensions[get_column_letter(index)].hidden = index == hidden
    _fit_rows(ws, widths)
    ws.freeze_panes = "A3"
    ws.print_title_rows = "1:2"
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.orientation = orientation
    ws.page_setup.fitToWidth, ws.page_setup.fitToHeight = 1, 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.print_options.horizontalCentered = True
    ws.page_margins.left = ws.page_margins.right = 0.5
    ws.oddFooter.center.text = "第 &P 页 共 &N 页"


def _display_width(text: str) -> int:
    """Columns ``text`` takes in a spreadsheet: two for a Chinese (wide) character, one for others."""
    import unicodedata

    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def _fit_rows(ws: Any, widths: list[int]) -> None:
    """Row heights that show wrapped text whole (Excel does not grow rows by itself when opening a file)."""
    for row in ws.iter_rows(min_row=2):
        lines = 1
        for cell, width in zip(row, widths):
            if isinstance(cell.value, str) and not ws.column_dimensions[cell.column_letter].hidden:
                text_lines = cell.value.split("\n")
                capacity = max(1, int(width * 1.15))
                lines = max(lines, sum(-(-_display_width(t) // capacity) or 1 for t in text_lines))
        if lines > 1:
            ws.row_dimensions[row[0].row].height = 15 * lines + 3


def _input(cell: Any) -> None:
    from openpyxl.styles import Alignment, PatternFill, Protection

    cell.fill = PatternFill("solid", fgColor=INPUT_FILL)
    cell.alignment = Alignment(horizontal="left", vertical="top", wrap_text=True)
    cell.protection = Protection(locked=False)


def _protect(ws: Any) -> None:
    """Labels, hidden keys and notes cannot be edited (no password); rows and columns can still be resized."""
    ws.protection.sheet = True
    ws.protection.formatRows = ws.protection.formatColumns = False


def _format_input(ws: Any, ref: str, kind: FieldKind, validation_cls: Any) -> None:
    """Dropdown for choices, date format and date validation for dates, whole-number check for counts."""
    if kind.kind in ("bool", "enum"):
        choices = YES_NO if kind.kind == "bool" else tuple(map(str, kind.choices))
        dv = validation_cls(type="list", formula1='"' + ",".join(choices) + '"', allow_blank=True,
                            showErrorMessage=True, errorTitle="请从下拉列表选择", error="可选：" + "、".join(choices))
    elif kind.kind == "date":
        dv = validation_cls(type="date", operator="greaterThan", formula1="1", allow_blank=True,
                            showErrorMessage=True, errorTitle="应为日期", error="请填写日期，如 2025-03-20")
        if ":" not in ref:  # a range gets its format cell by cell as rows are written (empty rows stay unprinted)
            ws[ref].number_format = "yyyy-mm-dd"
    elif kind.kind == "int":
        dv = validation_cls(type="whole", operator="greaterThanOrEqual", formula1="0", allow_blank=True,
                            showErrorMessage=True, errorTitle="应为整数", error="请填写不小于 0 的整数")
    else:
        return
    ws.add_data_validation(dv)
    dv.add(ref)
