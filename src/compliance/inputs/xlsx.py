"""Shared spreadsheet helpers: formula-injection neutralising and a styled table sheet (openpyxl)."""

from __future__ import annotations

from typing import Any, Iterable, Sequence

from compliance.inputs.text import for_xml

FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


def neutralise(value: Any) -> Any:
    """Prefix text that a spreadsheet would run as a formula with an apostrophe."""
    if isinstance(value, str) and value.startswith(FORMULA_PREFIXES):
        return "'" + value
    return value


def unneutralise(value: Any) -> Any:
    """Undo :func:`neutralise` on a cell read back from a file we wrote."""
    if isinstance(value, str) and value.startswith("'") and value[1:].startswith(FORMULA_PREFIXES):
        return value[1:]
    return value


def write_table(
    ws: Any,
    headers: Sequence[str],
    rows: Iterable[Sequence[Any]],
    widths: Sequence[int] | None = None,
    *,
    freeze: bool = True,
    autofilter: bool = True,
    wrap: bool = True,
) -> int:
    """Write a header row and data rows to an openpyxl worksheet; returns the number of data rows.

    Every text cell is neutralised and stored as a string (never a formula), characters no worksheet can hold
    (ESC, NUL, lone surrogates) and bidi controls as U+FFFD; the header is bold
    on a grey fill, frozen, with filters; long text wraps.
    """
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.utils import get_column_letter

    ws.append(list(headers))
    bold, fill = Font(bold=True), PatternFill("solid", fgColor="D9D9D9")
    for cell in ws[1]:
        cell.font, cell.fill = bold, fill
        cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
    count = 0
    align = Alignment(vertical="top", wrap_text=wrap)
    for row in rows:
        ws.append([neutralise(for_xml(v)) if isinstance(v, str) else v for v in row])
        for cell in ws[ws.max_row]:
            if isinstance(cell.value, str):
                cell.data_type = "s"
            cell.alignment = align
        count += 1
    for index, width in enumerate(widths or [], 1):
        ws.column_dimensions[get_column_letter(index)].width = width
    if freeze:
        ws.freeze_panes = "A2"
    if autofilter and headers:
        ws.auto_filter.ref = f"A1:{get_column_letter(len(headers))}{max(1, ws.max_row)}"
    return count
