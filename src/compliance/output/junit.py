"""``junit``: JUnit XML for CI test reports: one ``testcase`` per validated file (``validate``), or per
unit, rule and subject (``check``)."""

from __future__ import annotations

import tempfile
import xml.etree.ElementTree as ET
from typing import IO, TYPE_CHECKING, Any, TextIO

from compliance.engine.pack import Pack
from compliance.findings import Finding, Summary
from compliance.inputs.loader import Problem
from compliance.inputs.text import for_xml
from compliance.output.base import Writer
from compliance.output.verdicts import VerdictReport, problem_text

if TYPE_CHECKING:
    from compliance.pipeline.run import Outcome

_xml_text = for_xml


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
            node = ET.SubElement(case, tag, {"message": _xml_text(f"{len(v.errors)}个错误：{v.errors[0].message}"),
                                             "type": ",".join(kinds)})
            node.text = _xml_text("\n".join(problem_text(p) for p in v.errors))
        if v.warnings:
            out = ET.SubElement(case, "system-out")
            out.text = _xml_text("\n".join(("说明：" if p.level == "note" else "警告：") + problem_text(p) for p in v.warnings))
    ET.indent(root)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, encoding="unicode") + "\n"


def _finding_case(suite: ET.Element, f: Finding) -> str:
    """Add one ``testcase`` for a finding; returns its outcome (``failure``, ``skipped`` or ``passed``)."""
    name = f"{f.rule_id} {f.title}" + (f"（{f.subject}）" if f.subject else "")
    case = ET.SubElement(suite, "testcase", {"name": _xml_text(name), "classname": _xml_text(f"{f.unit_id}.{f.rule_id}"),
                                             "time": "0"})
    if f.state == "fail":
        node = ET.SubElement(case, "failure", {"message": _xml_text(f.message), "type": _xml_text(f.severity)})
        node.text = _xml_text(f"{f.message}\n严重程度：{f.severity}\n依据：{f.basis}\n整改措施：{f.measure}")
        return "failure"
    if f.state == "unknown":
        ET.SubElement(case, "skipped", {"message": _xml_text(f"待核实：{f.message}")})
        return "skipped"
    if f.state == "waived":
        reason = (f.waiver or {}).get("reason", "")
        out = ET.SubElement(case, "system-out")
        out.text = _xml_text(f"豁免：{f.message}" + (f"（{reason}）" if reason else ""))
    if f.state == "advisory":
        out = ET.SubElement(case, "system-out")
        out.text = _xml_text(f"提醒（不是问题）：{f.message}")
    return "passed"


def _suite_xml(suite: ET.Element, counts: dict[str, int]) -> str:
    suite.attrib.update({k: str(v) for k, v in counts.items()})
    suite.set("time", "0")
    ET.indent(suite, level=1)
    return "  " + ET.tostring(suite, encoding="unicode")


class JunitWriter(Writer):
    """``check`` results as JUnit XML: a ``testsuite`` per unit, a ``testcase`` per rule (and subject).

    不符合 → ``failure`` (message, 依据, 整改措施); 待核实 → ``skipped``; 符合、不适用、豁免 → passed
    (豁免 noted in ``system-out``); a file that could not be checked → a suite with one ``error``.
    """

    name, title = "junit", "JUnit XML（CI 测试报告）"

    def __init__(self, stream: TextIO, pack: Pack, as_of: Any):
        super().__init__(stream, pack, as_of)
        self.suites: IO[str] = tempfile.TemporaryFile("w+", encoding="utf-8")
        self.totals = {"tests": 0, "failures": 0, "errors": 0, "skipped": 0}

    @staticmethod
    def render(outcome: Outcome) -> tuple[dict[str, int], str]:
        counts = {"tests": 0, "failures": 0, "errors": 0, "skipped": 0}
        if not outcome.ok:
            suite = ET.Element("testsuite", {"name": _xml_text(outcome.source), "hostname": "localhost"})
            case = ET.SubElement(suite, "testcase", {"name": _xml_text(outcome.source), "classname": "compliance.check",
                                                     "time": "0"})
            node = ET.SubElement(case, "error", {"message": _xml_text(f"{len(outcome.problems)}个错误，未检查："
                                                                      f"{outcome.problems[0].message}"),
                                                 "type": "INPUT"})
            node.text = _xml_text("\n".join(p.format() for p in outcome.problems))
            counts.update(tests=1, errors=1)
            return counts, _suite_xml(suite, counts)
        name = f"{outcome.unit_name}（{outcome.unit_id}）"
        suite = ET.Element("testsuite", {"name": _xml_text(name), "hostname": "localhost"})
        props = ET.SubElement(suite, "properties")
        ET.SubElement(props, "property", {"name": "source", "value": _xml_text(outcome.source)})
        for f in outcome.findings:
            result = _finding_case(suite, f)
            counts["tests"] += 1
            if result == "failure":
                counts["failures"] += 1
            elif result == "skipped":
                counts["skipped"] += 1
        return counts, _suite_xml(suite, counts)

    def add(self, outcome: Outcome) -> None:
        counts, text = outcome.rendered if outcome.rendered is not None else self.render(outcome)
        for key, value in counts.items():
            self.totals[key] += value
        self.suites.write(text + "\n")

    def close(self, summary: Summary, problems: list[Problem]) -> None:
        totals = " ".join(f'{k}="{v}"' for k, v in self.totals.items())
        write = self.stream.write
        write('<?xml version="1.0" encoding="UTF-8"?>\n')
        write(f'<testsuites name="compliance check" {totals} time="0">\n')
        self.suites.seek(0)
        while chunk := self.suites.read(1 << 16):
            write(chunk)
        self.suites.close()
        write("</testsuites>\n")
