"""The XLSX 信息采集表 as written for a unit's secretary: a 填表说明 sheet, one sheet per section (label, hidden
protected field key, a yellow 填写内容 column, 填写说明) and one per table; title rows, borders, widths, row heights
and an A4 page set-up that prints to the page width with page numbers; pre-filled from a profile when given."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from pydantic import BaseModel

from compliance.domains.template import (
    INSTRUCTIONS_SHEET, KEY_COLUMN, MAX_TABLE_ROWS, SECTION_COLUMNS, SECTION_WIDTHS, VALUE_COLUMN, YES_NO, FieldKind,
    field_kind, form_layout,
)


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
MIN_TABLE_WIDTH = 80
"""Total column width of a table sheet, at least (characters)."""


def form_workbook(domain: Any, profile: BaseModel | None = None, unit_name: str | None = None) -> bytes:
    """The XLSX 信息采集表 of ``domain`` (a :class:`~compliance.engine.domain.Domain`), as bytes; pre-filled
    from ``profile`` (e.g. last year's) when given, else blank but for ``unit_name``."""
    import io

    name = unit_name or (str(profile.unit.name) if profile is not None else "")  # type: ignore[attr-defined]
    wb = _workbook(domain.profile_model, domain.title, name, profile)
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


def write_form(model: type[BaseModel], title: str, path: Path, unit_name: str,
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
        if sum(widths) < MIN_TABLE_WIDTH:  # a narrow table (党小组: 2 columns) still spans the page
            widths = [w * MIN_TABLE_WIDTH // sum(widths) for w in widths]
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
    if kind.kind in ("bool", "int", "float"):
        return 10
    if kind.kind == "date":
        return 12
    if kind.kind == "enum":
        return min(24, max(10, 2 * max(len(str(c)) for c in kind.choices) + 2))
    return 28 if name in ("title", "topic", "note", "notes", "reason", "basis", "content", "evidence") else 16


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
