"""``csv``: one row per non-passing finding (UTF-8 with BOM, so that Excel/WPS open it; formulas neutralised,
control, bidi and surrogate characters written as ``\\uXXXX``)."""

from __future__ import annotations

import csv
import io
from typing import TYPE_CHECKING, Any, Iterable, TextIO

from compliance.engine.domain import Domain
from compliance.engine.pack import Pack
from compliance.findings import LISTED_STATES, Finding
from compliance.inputs.text import escape_unsafe
from compliance.inputs.xlsx import neutralise
from compliance.output.base import Writer, facts_text, rule_text, unit_text
from compliance.output.table import PROBLEM_COLUMNS

if TYPE_CHECKING:
    from compliance.pipeline.run import Outcome

CSV_COLUMNS = PROBLEM_COLUMNS + ["状态", "对象", "所用事实", "整改时限（天）", "责任人", "单位编号", "规则编号", "档案文件"]


def csv_rows(findings: Iterable[Finding], domain: Domain, start: int = 1) -> Iterable[list[Any]]:
    """CSV rows for the findings listed in a 问题清单 (fail, unknown, advisory, waived)."""
    i = start
    for f in findings:
        if f.state not in LISTED_STATES:
            continue
        row = [i, unit_text(f), f.category, rule_text(f), f.message, f.basis, f.severity, f.measure,
               f.state_zh, f.subject, facts_text(f, domain), f.deadline_days, f.owner, f.unit_id, f.rule_id, f.source]
        yield [neutralise(escape_unsafe(c)) if isinstance(c, str) else c for c in row]
        i += 1


def render_csv(findings: list[Finding], domain: Domain) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(CSV_COLUMNS)
    writer.writerows(csv_rows(findings, domain))
    return buffer.getvalue()


class CsvWriter(Writer):
    """CSV rows of the non-passing findings; the row number (序号) is added when writing."""

    name, title = "csv", "CSV（Excel/WPS 可直接打开）"
    settled = False

    def __init__(self, stream: TextIO, pack: Pack, as_of: Any):
        super().__init__(stream, pack, as_of)
        csv.writer(stream).writerow(CSV_COLUMNS)
        self.next_row = 1

    def render(self, outcome: Outcome) -> list[str]:
        buffer = io.StringIO()
        writer = csv.writer(buffer)
        rows = []
        for row in csv_rows(outcome.findings, self.pack.domain, 0):
            buffer.seek(0)
            buffer.truncate()
            writer.writerow(row[1:])
            rows.append(buffer.getvalue())
        return rows

    def add(self, outcome: Outcome) -> None:
        rows = outcome.rendered if outcome.rendered is not None else self.render(outcome)
        write = self.stream.write
        for row in rows:
            write(f"{self.next_row},{row}")
            self.next_row += 1


