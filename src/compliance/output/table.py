"""``table`` (terminal) and ``md`` (Markdown): the 问题清单 in three sections, numbered across the run."""

from __future__ import annotations

import datetime as dt

from typing import TYPE_CHECKING, Any, TextIO

from tabulate import tabulate

from compliance.engine.pack import Pack
from compliance.findings import LISTED_STATES, Finding, Summary, zh_date
from compliance.inputs.loader import Problem
from compliance.inputs.text import for_terminal
from compliance.output.base import Writer, facts_text, rule_text, unit_text

if TYPE_CHECKING:
    from compliance.pipeline.run import Outcome

PROBLEM_COLUMNS = ["序号", "单位", "问题类别", "规则", "问题描述", "依据", "严重程度", "整改措施"]
UNKNOWN_COLUMNS = ["序号", "单位", "规则", "待核实事项", "需调阅材料"]
WAIVED_COLUMNS = ["序号", "单位", "规则", "豁免说明"]
ADVISORY_COLUMNS = ["序号", "单位", "规则", "提醒事项", "建议"]


def problem_rows(findings: list[Finding]) -> list[list[Any]]:
    fails = [f for f in findings if f.state == "fail"]
    return [
        [i, unit_text(f), f.category, rule_text(f), f.message, f.basis, f.severity, f.measure]
        for i, f in enumerate(fails, 1)
    ]


def unknown_rows(findings: list[Finding]) -> list[list[Any]]:
    unknown = [f for f in findings if f.state == "unknown"]
    return [[i, unit_text(f), rule_text(f), f.message, "、".join(f.evidence)] for i, f in enumerate(unknown, 1)]


def advisory_rows(findings: list[Finding]) -> list[list[Any]]:
    reminders = [f for f in findings if f.state == "advisory"]
    return [[i, unit_text(f), rule_text(f), f.message, f.measure] for i, f in enumerate(reminders, 1)]


def waived_rows(findings: list[Finding]) -> list[list[Any]]:
    waived = [f for f in findings if f.state == "waived"]
    return [[i, unit_text(f), rule_text(f), f.message] for i, f in enumerate(waived, 1)]


def _md_cell(value: Any) -> str:
    """A Markdown table cell: shown as written (no HTML, no column break), one line, terminal-safe."""
    text = for_terminal(value, 20_000).replace("\\", "\\\\").replace("|", "\\|").replace("\n", " ")
    return text.replace("<", "\\<").replace(">", "\\>")


def _header(pack: Pack, as_of: Any) -> str:
    if not isinstance(as_of, dt.date):
        return f"规则包：{pack.meta.title}（版本{pack.meta.version}）  检查日期：{as_of}"
    return (f"规则包：{pack.meta.title}（版本{pack.meta.version}）  检查日期：{zh_date(as_of)}"
            f"  考核年度：{pack.assessment_year(as_of)}年")


def render_table(findings: list[Finding], summary: Summary, pack: Pack, as_of: Any, markdown: bool = False) -> str:
    fmt = "pipe" if markdown else "simple_grid"
    cell = _md_cell if markdown else for_terminal
    widths = None if markdown else [4, 14, 8, 16, 36, 18, 6, 30]

    def table(rows: list[list[Any]], headers: list[str], col_widths: list[int] | None) -> str:
        rows = [[cell(c) for c in row] for row in rows]
        return tabulate(rows, headers=headers, tablefmt=fmt, maxcolwidths=col_widths, disable_numparse=True)

    out = []
    h = "## " if markdown else ""
    if markdown:
        out.append("# 问题清单\n")
        out.append(cell(_header(pack, as_of)) + "\n")
    else:
        out.append(cell(_header(pack, as_of)))
    rows = problem_rows(findings)
    out.append(f"{h}问题清单（不符合{len(rows)}项）")
    out.append(table(rows, PROBLEM_COLUMNS, widths) if rows else "（无）")
    if markdown:
        out.append("\n### 问题所依据的事实\n")
        for i, f in enumerate([f for f in findings if f.state == "fail"], 1):
            out.append(cell(f"{i}. {rule_text(f)}（{unit_text(f)}）：{facts_text(f, pack.domain)}"))
    rows = unknown_rows(findings)
    out.append(f"\n{h}待核实事项（{len(rows)}项，需现场核实）")
    out.append(table(rows, UNKNOWN_COLUMNS, None if markdown else [4, 14, 16, 40, 30]) if rows else "（无）")
    rows = advisory_rows(findings)
    if rows:
        out.append(f"\n{h}提醒事项（{len(rows)}项，不是问题，不计入问题清单）")
        out.append(table(rows, ADVISORY_COLUMNS, None if markdown else [4, 14, 16, 40, 30]))
    rows = waived_rows(findings)
    if rows:
        out.append(f"\n{h}豁免事项（{len(rows)}项）")
        out.append(table(rows, WAIVED_COLUMNS, None if markdown else [4, 14, 16, 60]))
    out.append("\n" + ("**" + summary.line() + "**" if markdown else summary.line()))
    return "\n".join(out) + "\n"


class TableWriter(Writer):
    """Terminal table or Markdown: rows are numbered per section, so findings are kept until the end."""

    streaming = False
    settled = False

    name, title = "table", "终端表格（默认）"
    markdown = False

    def __init__(self, stream: TextIO, pack: Pack, as_of: Any):
        super().__init__(stream, pack, as_of)
        self.findings: list[Finding] = []

    @staticmethod
    def render(outcome: Outcome) -> list[Finding]:
        return [f for f in outcome.findings if f.state in LISTED_STATES]

    def add(self, outcome: Outcome) -> None:
        self.findings.extend(outcome.rendered if outcome.rendered is not None else self.render(outcome))

    def close(self, summary: Summary, problems: list[Problem]) -> None:
        self.stream.write(render_table(self.findings, summary, self.pack, self.as_of, markdown=self.markdown))


class MarkdownWriter(TableWriter):
    """The same sections as Markdown tables, plus the facts behind each problem."""

    name, title = "md", "Markdown"
    markdown = True
