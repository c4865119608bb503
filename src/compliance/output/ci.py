"""Validation verdicts for CI systems: JUnit XML (one test case per file) and SARIF 2.1.0."""

from __future__ import annotations

import json
import re
import xml.etree.ElementTree as ET
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterable
from urllib.parse import quote

from compliance import __version__
from compliance.inputs.loader import Problem
from compliance.domains.dangjian.quality import QUALITY_CHECKS

STAGES: dict[str, str] = {
    "READ": "文件无法读取（不存在、过大、二进制或非 UTF-8 编码）",
    "SYNTAX": "YAML/JSON 格式错误",
    "SCHEMA": "字段不符合单位档案格式（未知字段、类型、取值、必填项）",
    "FORM": "信息采集表（XLSX）无法读取或单元格填写有误",
    "INTERNAL": "校验程序内部错误",
}
"""Error kinds that are not data-quality checks: the stage at which the file failed."""
SARIF_SCHEMA_URI = "https://json.schemastore.org/sarif-2.1.0.json"
_XML_BAD = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


@dataclass
class Verdict:
    """The outcome of validating one file."""

    source: str
    errors: list[Problem] = field(default_factory=list)
    warnings: list[Problem] = field(default_factory=list)
    unit_id: str | None = None
    unit_name: str | None = None

    @property
    def valid(self) -> bool:
        return not self.errors

    @property
    def unreadable(self) -> bool:
        return any(p.code in ("READ", "SYNTAX", "INTERNAL") for p in self.errors)

    def to_dict(self) -> dict[str, Any]:
        return {
            "file": self.source,
            "valid": self.valid,
            "unit_id": self.unit_id,
            "unit_name": self.unit_name,
            "errors": [p.to_dict() for p in self.errors],
            "warnings": [p.to_dict() for p in self.warnings],
        }


def rule_catalogue() -> list[tuple[str, str, str]]:
    """(id, Chinese description, level) of every kind of result: the stages, then the H checks."""
    stages = [(code, text, "error") for code, text in STAGES.items()]
    return stages + [(c.id, c.title, c.level) for c in QUALITY_CHECKS]


def _xml_text(value: Any) -> str:
    return _XML_BAD.sub("\ufffd", str(value))


def problem_text(p: Problem) -> str:
    text = p.format()
    details = []
    if p.given is not None and str(p.given) not in p.message:
        details.append(f"填写：{p.given}")
    if p.expected and p.expected not in p.message:
        details.append(f"应为：{p.expected}")
    return text + (f"（{'；'.join(details)}）" if details else "")


def render_junit(verdicts: Iterable[Verdict], suite: str = "单位档案校验") -> str:
    """One ``testcase`` per file: ``error`` when unreadable, ``failure`` when invalid, warnings in system-out."""
    verdicts = list(verdicts)
    failures = sum(1 for v in verdicts if not v.valid and not v.unreadable)
    errors = sum(1 for v in verdicts if v.unreadable)
    counts = {"tests": str(len(verdicts)), "failures": str(failures), "errors": str(errors)}
    root = ET.Element("testsuites", {"name": "compliance validate", **counts, "time": "0"})
    ts = ET.SubElement(root, "testsuite", {"name": suite, **counts, "skipped": "0", "time": "0",
                                           "hostname": "localhost"})
    for v in verdicts:
        case = ET.SubElement(ts, "testcase", {"name": _xml_text(v.source), "classname": "compliance.validate",
                                              "time": "0"})
        if v.errors:
            tag = "error" if v.unreadable else "failure"
            kinds = sorted({p.code or "SCHEMA" for p in v.errors})
            node = ET.SubElement(case, tag, {"message": _xml_text(f"{len(v.errors)} 个错误：{v.errors[0].message}"),
                                             "type": ",".join(kinds)})
            node.text = _xml_text("\n".join(problem_text(p) for p in v.errors))
        if v.warnings:
            out = ET.SubElement(case, "system-out")
            out.text = _xml_text("\n".join("警告：" + problem_text(p) for p in v.warnings))
    ET.indent(root)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, encoding="unicode") + "\n"


def artifact_uri(source: str) -> str:
    path = Path(source)
    if path.is_absolute():
        return "file://" + quote(path.as_posix())
    return quote(path.as_posix())


def render_sarif(verdicts: Iterable[Verdict]) -> str:
    """A SARIF 2.1.0 log: one result per error or warning, located by file, line and column."""
    catalogue = rule_catalogue()
    index = {rule_id: i for i, (rule_id, _, _) in enumerate(catalogue)}
    rules = [
        {"id": rule_id, "name": rule_id, "shortDescription": {"text": text},
         "defaultConfiguration": {"level": level}}
        for rule_id, text, level in catalogue
    ]
    results = []
    for v in verdicts:
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
