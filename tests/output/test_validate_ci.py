"""CI formats of `compliance validate`: JUnit XML and SARIF 2.1.0, checked against their schemas."""

from __future__ import annotations

import datetime as dt
import json
import xml.etree.ElementTree as ET
from pathlib import Path

import jsonschema
import pytest
from lxml import etree

from compliance.pipeline.validate import Verdict
from compliance.output.junit import render_junit as _render_junit
from compliance.output.sarif import render_sarif as _render_sarif
from compliance.output.verdicts import VerdictReport, rule_catalogue
from compliance.cli import main
from compliance.inputs.loader import Problem
from compliance.domains.dangjian.quality import QUALITY_CHECKS

from conftest import DANGJIAN, FIXTURES, ROOT

DATA = ROOT / "tests" / "data"
AS_OF = ["--as-of", "2025-11-20"]
AS_OF_DATE = dt.date(2025, 11, 20)


@pytest.fixture(scope="module")
def junit_schema() -> etree.XMLSchema:
    return etree.XMLSchema(etree.parse(str(DATA / "junit-jenkins.xsd")))


@pytest.fixture(scope="module")
def sarif_validator() -> jsonschema.Draft4Validator:
    schema = json.loads((DATA / "sarif-schema-2.1.0-subset.json").read_text(encoding="utf-8"))
    jsonschema.Draft4Validator.check_schema(schema)
    return jsonschema.Draft4Validator(schema, format_checker=jsonschema.Draft4Validator.FORMAT_CHECKER)


def batch(root: Path) -> Path:
    (root / "good.yaml").write_text((FIXTURES / "01-shi-caizhengju.yaml").read_text(encoding="utf-8"), encoding="utf-8")
    (root / "h.yaml").write_text("unit:\n  id: A\n  name: 甲\n  staff_total: 3\n  staff_female: 4\n"
                                 "union: {members: 4}\n", encoding="utf-8")
    (root / "bad syntax 单位.yaml").write_text("unit: {id: 1\n", encoding="utf-8")
    (root / "ctrl.yaml").write_text('unit: {id: "\\x01<&>", name: 2, fax: "\\x07"}\n', encoding="utf-8")
    return root


def test_junit_has_one_testcase_per_file_and_validates(runner, tmp_path, junit_schema):
    out = tmp_path / "validate.xml"
    result = runner.invoke(main, ["validate", str(batch(tmp_path)), *AS_OF, "--format", "junit", "-o", str(out)])
    assert result.exit_code == 2
    doc = etree.parse(str(out))
    assert junit_schema.validate(doc), junit_schema.error_log
    cases = {Path(c.get("name")).name: c for c in doc.iter("testcase")}
    assert sorted(cases) == ["bad syntax 单位.yaml", "ctrl.yaml", "good.yaml", "h.yaml"]
    assert len(cases["good.yaml"]) == 0
    assert cases["h.yaml"].find("failure").get("type") == "H1"
    assert "h.yaml:5:3" in cases["h.yaml"].find("failure").text
    assert "警告" in cases["h.yaml"].find("system-out").text
    assert cases["bad syntax 单位.yaml"].find("error") is not None
    suite = doc.find("testsuite")
    assert (suite.get("tests"), suite.get("failures"), suite.get("errors")) == ("4", "2", "1")


def test_sarif_results_carry_file_line_and_column_and_validate(runner, tmp_path, sarif_validator):
    out = tmp_path / "validate.sarif"
    runner.invoke(main, ["validate", str(batch(tmp_path)), *AS_OF, "--format", "sarif", "-o", str(out)])
    log = json.loads(out.read_text(encoding="utf-8"))
    errors = sorted(sarif_validator.iter_errors(log), key=str)
    assert not errors, errors[0].message if errors else ""
    run = log["runs"][0]
    rules = [r["id"] for r in run["tool"]["driver"]["rules"]]
    assert {"SCHEMA", "SYNTAX", "READ"} <= set(rules) and {c.id for c in QUALITY_CHECKS} <= set(rules)
    h1 = next(r for r in run["results"] if r["ruleId"] == "H1")
    location = h1["locations"][0]["physicalLocation"]
    assert location["artifactLocation"]["uri"].endswith("h.yaml")
    assert location["region"] == {"startLine": 5, "startColumn": 3}
    assert h1["level"] == "error" and rules[h1["ruleIndex"]] == "H1"
    assert any(r["level"] == "warning" and r["ruleId"] == "H3" for r in run["results"])
    syntax = next(r for r in run["results"] if r["ruleId"] == "SYNTAX")
    assert "%20" in syntax["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]


def test_a_clean_run_is_an_empty_but_valid_sarif_log_and_junit_without_failures(sarif_validator, junit_schema):
    verdicts = [Verdict("a.yaml"), Verdict("b.yaml")]
    log = json.loads(render_sarif(verdicts))
    assert log["runs"][0]["results"] == [] and not list(sarif_validator.iter_errors(log))
    doc = etree.fromstring(render_junit(verdicts).encode("utf-8"))
    assert junit_schema.validate(doc) and doc.get("failures") == "0"


def test_the_sarif_subset_schema_rejects_what_sarif_forbids(sarif_validator):
    log = json.loads(render_sarif([Verdict("a.yaml", [Problem("a.yaml", "x", line=1, column=1, code="H1")])]))
    log["runs"][0]["results"][0]["locations"][0]["physicalLocation"]["region"]["startLine"] = 0
    assert list(sarif_validator.iter_errors(log))
    log["runs"][0]["results"][0]["level"] = "fatal"
    log["version"] = "2.0"
    assert len(list(sarif_validator.iter_errors(log))) >= 3


def test_control_characters_never_make_the_junit_xml_unreadable():
    verdict = Verdict("x.yaml", [Problem("x.yaml", "坏字符\x01\x1b<&>", given="\x07")])
    ET.fromstring(render_junit([verdict]))


def test_every_rule_kind_has_a_chinese_description():
    for rule_id, text, level in rule_catalogue(DANGJIAN.quality_checks):
        assert rule_id and level in ("error", "warning", "note") and any("\u4e00" <= ch <= "\u9fff" for ch in text)


def render_sarif(verdicts):
    return _render_sarif(VerdictReport(list(verdicts), [], AS_OF_DATE, DANGJIAN.quality_checks))


def render_junit(verdicts):
    return _render_junit(VerdictReport(list(verdicts), [], AS_OF_DATE, DANGJIAN.quality_checks))
