"""Verdicts of ``validate`` (one per file or JSON line) and their plain renderings: ``text`` and ``json``."""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from typing import Any, Sequence

from compliance import __version__
from compliance.inputs.loader import Problem
from compliance.inputs.text import for_json, for_terminal
from compliance.pipeline.validate import Verdict

STAGES: dict[str, str] = {
    "READ": "文件无法读取（不存在、过大、二进制或非 UTF-8 编码）",
    "SYNTAX": "YAML/JSON 格式错误",
    "SCHEMA": "字段不符合单位档案格式（未知字段、类型、取值、必填项）",
    "FORM": "信息采集表（XLSX）无法读取或单元格填写有误",
    "DUPLICATE": "单位编号重复（同一次校验中另一份档案已是该单位）",
    "INTERNAL": "校验程序内部错误",
    "NOTE": "信息采集表中的常见写法已换算（如 2025年3月1日、88人），仅作说明",
}
"""Error kinds that are not data-quality checks: the stage at which the file failed."""


@dataclass
class VerdictReport:
    """Everything a verdict renderer may show."""

    verdicts: list[Verdict]
    missing: list[Problem]
    as_of: dt.date
    checks: Sequence[Any] = ()
    """The domain's data-quality checks (``id``, ``title``, ``level``), for rule listings."""
    quiet: bool = False

    @property
    def counts(self) -> dict[str, int]:
        return summary(self.verdicts, self.missing)

    def everything(self) -> list[Verdict]:
        """The verdicts plus one for each path that was not found."""
        return self.verdicts + [Verdict(p.file, [p]) for p in self.missing]


def rule_catalogue(checks: Sequence[Any]) -> list[tuple[str, str, str]]:
    """(id, Chinese description, level) of every kind of result: the stages, then the quality checks."""
    stages = [(code, text, "note" if code == "NOTE" else "error") for code, text in STAGES.items()]
    return stages + [(c.id, c.title, c.level) for c in checks]


def problem_text(p: Problem) -> str:
    text = p.format()
    details = []
    if p.given is not None and str(p.given) not in p.message:
        details.append(f"填写：{p.given}")
    if p.expected and p.expected not in p.message:
        details.append(f"应为：{p.expected}")
    return text + (f"（{'；'.join(details)}）" if details else "")


def summary(verdicts: list[Verdict], missing: list[Problem]) -> dict[str, int]:
    return {
        "files": len(verdicts),
        "valid": sum(v.valid for v in verdicts),
        "invalid": sum(not v.valid for v in verdicts),
        "with_warnings": sum(any(p.level != "note" for p in v.warnings) for v in verdicts),
        "errors": sum(len(v.errors) for v in verdicts),
        "warnings": sum(p.level != "note" for v in verdicts for p in v.warnings),
        "not_found": len(missing),
    }


def summary_line(counts: dict[str, int]) -> str:
    text = (f"共校验{counts['files']}份档案：通过{counts['valid']}个，未通过{counts['invalid']}个"
            f"（错误{counts['errors']}处）；有警告的档案{counts['with_warnings']}份（警告{counts['warnings']}处）")
    if counts["not_found"]:
        text += f"；{counts['not_found']}个路径没有找到文件"
    return text


def text_verdict(v: Verdict, quiet: bool) -> str:
    lines = []
    warnings = [p for p in v.warnings if p.level != "note"]
    notes = [p for p in v.warnings if p.level == "note"]
    if v.valid and not warnings:
        if not quiet or notes:
            lines.append(f"通过  {v.source}" + (f"（{len(notes)}处说明）" if notes else ""))
    else:
        status = "未通过" if not v.valid else "通过（有警告）"
        counts = f"{len(v.errors)}个错误" + (f"，{len(warnings)}个警告" if warnings else "")
        lines.append(f"{status}  {v.source}（{counts}）")
        lines += [f"  错误：{problem_text(p)}" for p in v.errors]
        lines += [f"  警告：{problem_text(p)}" for p in warnings]
    lines += [f"  说明：{problem_text(p)}" for p in notes]
    return "".join(for_terminal(line, 20_000) + "\n" for line in lines)


def render_text(report: VerdictReport) -> str:
    """One block per file (only failing ones with ``quiet``), the paths not found, and the summary line."""
    body = "".join(text_verdict(v, report.quiet) for v in report.verdicts)
    tail = "".join(for_terminal(f"错误：{p.format()}") + "\n" for p in report.missing)
    return body + tail + summary_line(report.counts) + "\n"


def render_json(report: VerdictReport) -> str:
    doc = {"tool": "compliance", "version": __version__, "as_of": report.as_of.isoformat(),
           "files": [v.to_dict() for v in report.verdicts], "not_found": [p.to_dict() for p in report.missing],
           "summary": report.counts}
    return for_json(json.dumps(doc, ensure_ascii=False, indent=2)) + "\n"
