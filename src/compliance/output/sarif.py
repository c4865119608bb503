"""``sarif``: a SARIF 2.1.0 log for code-scanning tools: one result per error or warning (``validate``), or
per 不符合 and 待核实 finding (``check``)."""

from __future__ import annotations

import hashlib
import json
import tempfile
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any, TextIO
from urllib.parse import quote

from compliance import __version__
from compliance.engine.pack import CompiledRule, Pack
from compliance.findings import Finding, Summary, jsonable
from compliance.inputs.loader import Problem
from compliance.inputs.text import for_json
from compliance.output.base import Writer
from compliance.output.verdicts import VerdictReport, problem_text, rule_catalogue

if TYPE_CHECKING:
    from compliance.pipeline.run import Outcome

SARIF_SCHEMA_URI = "https://json.schemastore.org/sarif-2.1.0.json"


def artifact_uri(source: str) -> str:
    """A relative URI for a file under the working directory (as code scanning wants), else a ``file://`` URI."""
    path = Path(source)
    if path.is_absolute():
        try:
            path = path.relative_to(Path.cwd())
        except ValueError:
            return "file://" + quote(path.as_posix(), errors="surrogatepass")
    return quote(path.as_posix(), errors="surrogatepass")


def render_sarif(report: VerdictReport) -> str:
    """A SARIF 2.1.0 log: one result per error or warning, located by file, line and column."""
    catalogue = rule_catalogue(report.checks)
    index = {rule_id: i for i, (rule_id, _, _) in enumerate(catalogue)}
    rules = [
        {"id": rule_id, "name": rule_id, "shortDescription": {"text": text},
         "defaultConfiguration": {"level": level}}
        for rule_id, text, level in catalogue
    ]
    results = []
    for v in report.everything():
        for p in [*v.errors, *v.warnings]:
            rule_id = p.code if p.code in index else "SCHEMA"
            physical: dict[str, Any] = {"artifactLocation": {"uri": artifact_uri(p.file or v.source)}}
            if p.line is not None:
                region: dict[str, Any] = {"startLine": max(1, p.line)}
                if p.column is not None:
                    region["startColumn"] = max(1, p.column)
                physical["region"] = region
            result: dict[str, Any] = {
                "ruleId": rule_id,
                "ruleIndex": index[rule_id],
                "level": p.level if p.level in ("warning", "note") else "error",
                "message": {"text": problem_text(p)},
                "locations": [{"physicalLocation": physical}],
            }
            if p.path:
                result["properties"] = {"field": p.path, "key": p.key, "expected": p.expected,
                                        "given": p.to_dict()["given"]}
            results.append(result)
    log = {
        "$schema": SARIF_SCHEMA_URI,
        "version": "2.1.0",
        "runs": [{
            "tool": {"driver": {"name": "compliance", "version": __version__, "rules": rules}},
            "columnKind": "unicodeCodePoints",
            "results": results,
        }],
    }
    return for_json(json.dumps(log, ensure_ascii=False, indent=2)) + "\n"


LEVELS = {"严重": "error", "一般": "warning", "提示": "note"}
"""SARIF level of each severity."""
FINGERPRINT = "complianceFinding/v1"


def fingerprint(unit_id: str, rule_id: str, subject: str) -> str:
    """Stable across runs: depends on who and what was checked, never on the message or the file's lines."""
    return hashlib.sha256("\x1f".join((unit_id, rule_id, subject)).encode("utf-8", "surrogatepass")).hexdigest()[:32]


def rule_descriptor(compiled: CompiledRule) -> dict[str, Any]:
    rule = compiled.rule
    return {
        "id": rule.id, "name": rule.title,
        "shortDescription": {"text": rule.title},
        "fullDescription": {"text": f"{rule.category}：{rule.title}"},
        "help": {"text": f"整改措施：{rule.measure}\n依据：{compiled.basis_text}"},
        "defaultConfiguration": {"level": LEVELS[rule.severity]},
        "properties": {"tags": [rule.category, rule.severity]},
    }


def finding_result(f: Finding, index: dict[str, int]) -> dict[str, Any]:
    """The SARIF result of a 不符合, 待核实 or 提醒 finding, located at its profile file."""
    kind, prefix = {"unknown": ("review", "待核实："), "advisory": ("informational", "提醒：")}.get(f.state, ("fail", ""))
    result: dict[str, Any] = {
        "ruleId": f.rule_id,
        "kind": kind,
        "level": "note" if kind != "fail" else LEVELS[f.severity],
        "message": {"text": f"{prefix}{f.message}（依据：{f.basis}）"},
        "locations": [{"physicalLocation": {"artifactLocation": {"uri": artifact_uri(f.source or f.unit_id)}}}],
        "partialFingerprints": {FINGERPRINT: fingerprint(f.unit_id, f.rule_id, f.subject)},
        "properties": {"unit_id": f.unit_id, "unit_name": f.unit_name, "subject": f.subject, "state": f.state,
                       "state_zh": f.state_zh, "severity": f.severity, "category": f.category},
    }
    if f.rule_id in index:
        result["ruleIndex"] = index[f.rule_id]
    return result


class SarifWriter(Writer):
    """``check`` results as a SARIF 2.1.0 log: one result per 不符合 (level by severity), per 待核实
    (level ``note``, kind ``review``) and per 提醒 (``note``, ``informational``); the pack's rules in ``tool.driver.rules``."""

    name, title = "sarif", "SARIF 2.1.0（代码扫描）"
    settled = False

    def __init__(self, stream: TextIO, pack: Pack, as_of: Any):
        super().__init__(stream, pack, as_of)
        self.rules = [r for r in pack.rules if r.rule.enabled]
        self.index = {r.id: i for i, r in enumerate(self.rules)}
        self.results: IO[str] = tempfile.TemporaryFile("w+", encoding="utf-8")
        self.count = 0

    def render(self, outcome: Outcome) -> list[str]:
        return [_indented(finding_result(f, self.index), "        ") for f in outcome.findings
                if f.state in ("fail", "unknown", "advisory")]

    def add(self, outcome: Outcome) -> None:
        for text in outcome.rendered if outcome.rendered is not None else self.render(outcome):
            self.results.write((",\n" if self.count else "\n") + text)
            self.count += 1

    def close(self, summary: Summary, problems: list[Problem]) -> None:
        log = {
            "$schema": SARIF_SCHEMA_URI,
            "version": "2.1.0",
            "runs": [{
                "tool": {"driver": {"name": "compliance", "version": __version__,
                                    "rules": [rule_descriptor(r) for r in self.rules]}},
                "columnKind": "unicodeCodePoints",
                "properties": {"pack": self.pack.meta.id, "pack_version": self.pack.meta.version,
                               "as_of": jsonable(self.as_of), "summary": summary.to_dict()},
                "results": "\0",
            }],
        }
        head, tail = for_json(json.dumps(log, ensure_ascii=False, indent=2)).split('"\\u0000"')
        write = self.stream.write
        write(head + "[")
        self.results.seek(0)
        while chunk := self.results.read(1 << 16):
            write(chunk)
        self.results.close()
        write(("\n      ]" if self.count else "]") + tail + "\n")


def _indented(value: Any, indent: str) -> str:
    return indent + for_json(json.dumps(value, ensure_ascii=False, indent=2)).replace("\n", "\n" + indent)
