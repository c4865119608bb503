"""``sarif``: a SARIF 2.1.0 log for code-scanning tools, one result per error or warning."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any
from urllib.parse import quote

from compliance import __version__
from compliance.output.verdicts import VerdictReport, problem_text, rule_catalogue

SARIF_SCHEMA_URI = "https://json.schemastore.org/sarif-2.1.0.json"


def artifact_uri(source: str) -> str:
    path = Path(source)
    if path.is_absolute():
        return "file://" + quote(path.as_posix())
    return quote(path.as_posix())


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
                "level": "warning" if p.level == "warning" else "error",
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
    return json.dumps(log, ensure_ascii=False, indent=2) + "\n"
