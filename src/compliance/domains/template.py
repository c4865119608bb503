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


def field_kind(annotation: Any) -> FieldKind:
    origin, args = typing.get_origin(annotation), typing.get_args(annotation)
    if origin is typing.Annotated:
        inner = field_kind(args[0])
        bounds = [b for m in args[1:] for b in (m, *getattr(m, "metadata", ()))]
        minimum = next((b.ge for b in bounds if getattr(b, "ge", None) is not None), None)
        return FieldKind(inner.kind, inner.choices, inner.model, minimum)
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
SECTION_WIDTHS = [28, 34, 30, 70]
VALUE_COLUMN = 3


@dataclass(frozen=True)
class FormField:
    """One row of a section sheet: dotted key (``union.postponement.until``), label and kind."""

    key: str
    label: str
    kind: FieldKind
    note: str


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
            yield FormField(f"{prefix}{name}", label, kind, describe(model, name))


def form_layout(model: type[BaseModel]) -> tuple[list[tuple[str, list[FormField]]], list[TableSheet]]:
    """Section sheets (title, fields) and table sheets of the 信息采集表, in order."""
    sections: list[tuple[str, list[FormField]]] = []
    tables: list[TableSheet] = []
    for name, field in model.model_fields.items():
        kind = field_kind(field.annotation)
        if name == "unit":
            fields = list(_section_fields(kind.model, "unit.", ""))  # type: ignore[arg-type]
            for top, top_field in model.model_fields.items():  # 记录完整, 备注 …: the profile's own scalars
                top_kind = field_kind(top_field.annotation)
                if top != "schema_version" and top_kind.kind not in ("model", "list"):
                    fields.append(FormField(top, top_field.title or top, top_kind, describe(model, top)))
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
    """The numbered lines of the 填表说明 sheet."""
    sections, tables = form_layout(model)
    return [
        f"本表用于采集单位{title}基本情况，填好后由 compliance import 转换为单位档案（YAML）。",
        f"每个工作表对应档案的一个部分：{'、'.join(t for t, _ in sections)}；"
        f"{'、'.join(t.title for t in tables)} 为表格，每行一条。",
        "只在“填写内容”列（C 列）或表格的数据行填写；不要修改“字段键”列和表头，不要增删、重命名工作表。",
        "是/否 和有固定选项的单元格可从下拉列表中选择；日期填成日期（如 2025-03-20）；人数、金额填数字。",
        "不掌握的情况留空（检查时列为“待核实”），不要填“无”“不详”。",
        "不要使用公式：公式不会被计算，导入时会报错并指出单元格（如 基本情况!C7）。",
        "导入：compliance import 本文件.xlsx -o 单位档案.yaml ；校验：compliance validate 本文件.xlsx",
    ]


def write_xlsx_template(model: type[BaseModel], title: str, path: Path, unit_name: str) -> None:
    """Write the XLSX 信息采集表 for ``unit_name``."""
    from openpyxl import Workbook
    from openpyxl.utils import get_column_letter
    from openpyxl.worksheet.datavalidation import DataValidation

    from compliance.inputs.xlsx import write_table

    wb = Workbook()
    info = wb.active
    info.title = INSTRUCTIONS_SHEET
    write_table(info, ["填表说明"], [[f"{i}. {text}"] for i, text in enumerate(instructions(model, title), 1)],
                [120], autofilter=False)
    sections, tables = form_layout(model)
    for title, fields in sections:
        ws = wb.create_sheet(title)
        rows = [[f.label, f.key, unit_name if f.key == "unit.name" else None, f.note] for f in fields]
        write_table(ws, SECTION_COLUMNS, rows, SECTION_WIDTHS, autofilter=False)
        for row, f in enumerate(fields, 2):
            cell = ws.cell(row=row, column=VALUE_COLUMN)
            _format_input(ws, cell.coordinate, f.kind, DataValidation)
    for table in tables:
        ws = wb.create_sheet(table.title)
        names = list(table.model.model_fields)
        headers = [table.model.model_fields[n].title or n for n in names]
        write_table(ws, headers, [], [18] * len(names))
        for col, name in enumerate(names, 1):
            letter = get_column_letter(col)
            kind = field_kind(table.model.model_fields[name].annotation)
            _format_input(ws, f"{letter}2:{letter}{MAX_TABLE_ROWS + 1}", kind, DataValidation)
    wb.save(path)


def _format_input(ws: Any, ref: str, kind: FieldKind, validation_cls: Any) -> None:
    """Dropdown for choices, date format and date validation for dates, whole-number check for counts."""
    if kind.kind in ("bool", "enum"):
        choices = YES_NO if kind.kind == "bool" else tuple(map(str, kind.choices))
        dv = validation_cls(type="list", formula1='"' + ",".join(choices) + '"', allow_blank=True,
                            showErrorMessage=True, errorTitle="请从下拉列表选择", error="可选：" + "、".join(choices))
    elif kind.kind == "date":
        dv = validation_cls(type="date", operator="greaterThan", formula1="1", allow_blank=True,
                            showErrorMessage=True, errorTitle="应为日期", error="请填写日期，如 2025-03-20")
        for row in ws[ref] if ":" in ref else [[ws[ref]]]:
            for cell in row:
                cell.number_format = "yyyy-mm-dd"
    elif kind.kind == "int":
        dv = validation_cls(type="whole", operator="greaterThanOrEqual", formula1="0", allow_blank=True,
                            showErrorMessage=True, errorTitle="应为整数", error="请填写不小于 0 的整数")
    else:
        return
    ws.add_data_validation(dv)
    dv.add(ref)
