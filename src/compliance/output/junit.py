"""``junit``: JUnit XML for CI test reports, one ``testcase`` per validated file."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from typing import Any

from compliance.output.verdicts import VerdictReport, problem_text

_XML_BAD = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def _xml_text(value: Any) -> str:
    return _XML_BAD.sub("\ufffd", str(value))


def render_junit(report: VerdictReport, suite: str = "单位档案校验") -> str:
    """One ``testcase`` per file: ``error`` when unreadable, ``failure`` when invalid, warnings in system-out."""
    verdicts = report.everything()
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
