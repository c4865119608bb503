"""Rendering the 问题清单 as table, Markdown, CSV or JSON, and the run summary."""

from __future__ import annotations

import csv
import io
import json
from collections import Counter
from dataclasses import dataclass, field
from typing import Any, Iterable, TextIO

from tabulate import tabulate

from compliance import __version__
from compliance.engine.evaluate import STATES, Finding, jsonable, show
from compliance.domains.dangjian.facts import label_of
from compliance.inputs.loader import Problem
from compliance.engine.pack import Pack
from compliance.inputs.xlsx import neutralise

PROBLEM_COLUMNS = ["序号", "单位", "问题类别", "规则", "问题描述", "依据", "严重程度", "整改措施"]
UNKNOWN_COLUMNS = ["序号", "单位", "规则", "待核实事项", "需调阅材料"]
WAIVED_COLUMNS = ["序号", "单位", "规则", "豁免说明"]
CSV_COLUMNS = PROBLEM_COLUMNS + ["状态", "对象", "所用事实", "整改时限（天）", "责任人", "单位编号", "规则编号", "档案文件"]
def facts_text(finding: Finding) -> str:
    return "；".join(f"{label_of(k)}={show(v)}" for k, v in finding.facts.items())


def rule_text(finding: Finding) -> str:
    return f"{finding.rule_id} {finding.title}"


def unit_text(finding: Finding) -> str:
    return finding.unit_name + (f"（{finding.subject}）" if finding.subject else "")


@dataclass
class Summary:
    """Counters over a run, so that output need not keep every finding."""

    units: int = 0
    files_with_errors: int = 0
    states: Counter = field(default_factory=Counter)
    fail_by_severity: Counter = field(default_factory=Counter)

    def add(self, findings: Iterable[Finding]) -> None:
        self.units += 1
        for f in findings:
            self.states[f.state] += 1
            if f.state == "fail":
                self.fail_by_severity[f.severity] += 1

    def to_dict(self) -> dict[str, Any]:
        return {
            "units": self.units,
            "files_with_errors": self.files_with_errors,
            "states": {state: self.states.get(state, 0) for state in STATES},
            "fail_by_severity": {s: self.fail_by_severity.get(s, 0) for s in ("严重", "一般", "提示")},
        }

    def line(self) -> str:
        states = "，".join(f"{zh} {self.states.get(state, 0)}" for state, zh in STATES.items())
        severities = "、".join(f"{s} {self.fail_by_severity.get(s, 0)}" for s in ("严重", "一般", "提示"))
        errors = f"，{self.files_with_errors} 个文件有错误未检查" if self.files_with_errors else ""
        return f"共检查 {self.units} 个单位{errors}；结果：{states}（不符合中 {severities}）"


def problem_rows(findings: list[Finding]) -> list[list[Any]]:
    fails = [f for f in findings if f.state == "fail"]
    return [
        [i, unit_text(f), f.category, rule_text(f), f.message, f.basis, f.severity, f.measure]
        for i, f in enumerate(fails, 1)
    ]


def unknown_rows(findings: list[Finding]) -> list[list[Any]]:
    unknown = [f for f in findings if f.state == "unknown"]
    return [[i, unit_text(f), rule_text(f), f.message, "、".join(f.evidence)] for i, f in enumerate(unknown, 1)]


def waived_rows(findings: list[Finding]) -> list[list[Any]]:
    waived = [f for f in findings if f.state == "waived"]
    return [[i, unit_text(f), rule_text(f), f.message] for i, f in enumerate(waived, 1)]


def _header(pack: Pack, as_of: Any) -> str:
    return f"规则包：{pack.meta.title}（{pack.meta.id} v{pack.meta.version}）  检查日期：{as_of}"


def render_table(findings: list[Finding], summary: Summary, pack: Pack, as_of: Any, markdown: bool = False) -> str:
    fmt = "pipe" if markdown else "simple_grid"
    widths = None if markdown else [4, 14, 8, 16, 36, 18, 6, 30]

    def table(rows: list[list[Any]], headers: list[str], col_widths: list[int] | None) -> str:
        if markdown:
            rows = [[str(c).replace("|", "\\|").replace("\n", " ") for c in row] for row in rows]
        return tabulate(rows, headers=headers, tablefmt=fmt, maxcolwidths=col_widths, disable_numparse=True)

    out = []
    h = "## " if markdown else ""
    if markdown:
        out.append("# 问题清单\n")
        out.append(_header(pack, as_of) + "\n")
    else:
        out.append(_header(pack, as_of))
    rows = problem_rows(findings)
    out.append(f"{h}问题清单（不符合 {len(rows)} 项）")
    out.append(table(rows, PROBLEM_COLUMNS, widths) if rows else "（无）")
    if markdown:
        out.append("\n### 问题所依据的事实\n")
        for i, f in enumerate([f for f in findings if f.state == "fail"], 1):
            out.append(f"{i}. {rule_text(f)}（{unit_text(f)}）：{facts_text(f)}")
    rows = unknown_rows(findings)
    out.append(f"\n{h}待核实事项（{len(rows)} 项，需现场核实）")
    out.append(table(rows, UNKNOWN_COLUMNS, None if markdown else [4, 14, 16, 40, 30]) if rows else "（无）")
    rows = waived_rows(findings)
    if rows:
        out.append(f"\n{h}豁免事项（{len(rows)} 项）")
        out.append(table(rows, WAIVED_COLUMNS, None if markdown else [4, 14, 16, 60]))
    out.append("\n" + ("**" + summary.line() + "**" if markdown else summary.line()))
    return "\n".join(out) + "\n"


def csv_rows(findings: Iterable[Finding], start: int = 1) -> Iterable[list[Any]]:
    """CSV rows for the non-passing findings (fail, unknown, waived)."""
    i = start
    for f in findings:
        if f.state not in ("fail", "unknown", "waived"):
            continue
        row = [i, unit_text(f), f.category, rule_text(f), f.message, f.basis, f.severity, f.measure,
               f.state_zh, f.subject, facts_text(f), f.deadline_days, f.owner, f.unit_id, f.rule_id, f.source]
        yield [neutralise(c) for c in row]
        i += 1


def render_csv(findings: list[Finding]) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(CSV_COLUMNS)
    writer.writerows(csv_rows(findings))
    return buffer.getvalue()


def json_document(findings: list[Finding], units: list[dict], summary: Summary, errors: list[Problem],
                  pack: Pack, as_of: Any) -> dict[str, Any]:
    return {
        "tool": "compliance",
        "version": __version__,
        "pack": {"id": pack.meta.id, "title": pack.meta.title, "version": pack.meta.version},
        "as_of": jsonable(as_of),
        "findings": [f.to_dict() for f in findings],
        "units": units,
        "errors": [p.to_dict() for p in errors],
        "summary": summary.to_dict(),
    }


def write_json(doc: dict[str, Any], stream: TextIO) -> None:
    json.dump(doc, stream, ensure_ascii=False, indent=2)
    stream.write("\n")
