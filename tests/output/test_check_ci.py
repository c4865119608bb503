"""CI formats of `compliance check`: JUnit XML (a suite per unit, a case per rule) and SARIF 2.1.0 (a result per
不符合 and 待核实), both valid against their schemas; several formats written in one run."""

from __future__ import annotations

import json
import os
import shutil
import xml.etree.ElementTree as ET
from pathlib import Path

import jsonschema
import pytest

from compliance.cli import main
from compliance.output.sarif import fingerprint

from conftest import FIXTURES, ROOT

DATA = ROOT / "tests" / "data"
AS_OF = ["--as-of", "2025-11-20"]


@pytest.fixture(scope="module")
def sarif_validator() -> jsonschema.Draft4Validator:
    schema = json.loads((DATA / "sarif-schema-2.1.0-subset.json").read_text(encoding="utf-8"))
    return jsonschema.Draft4Validator(schema, format_checker=jsonschema.Draft4Validator.FORMAT_CHECKER)


@pytest.fixture
def workspace(tmp_path, monkeypatch) -> Path:
    """A copy of the example units in a working directory, plus one unreadable profile."""
    shutil.copytree(FIXTURES, tmp_path / "fixtures")
    monkeypatch.chdir(tmp_path)
    return tmp_path


def check(runner, *args):
    result = runner.invoke(main, ["check", "fixtures", *AS_OF, *args], catch_exceptions=False)
    assert "Traceback" not in result.output
    return result


def test_one_run_writes_every_requested_format_from_the_same_findings(runner, workspace):
    result = check(runner, "-o", "json=out/结果.json", "-o", "sarif=out/结果.sarif", "-o", "junit=out/结果.xml",
                   "--format", "csv")
    assert result.exit_code == 1
    assert result.stdout.startswith("序号,")  # --format without a plain -o FILE still goes to standard output
    doc = json.loads((workspace / "out" / "结果.json").read_text(encoding="utf-8"))
    log = json.loads((workspace / "out" / "结果.sarif").read_text(encoding="utf-8"))
    junit = ET.parse(workspace / "out" / "结果.xml").getroot()
    states = doc["summary"]["states"]
    assert len(log["runs"][0]["results"]) == states["fail"] + states["unknown"] + states["advisory"]
    assert int(junit.get("tests")) == sum(states.values())
    assert int(junit.get("failures")) == states["fail"] and int(junit.get("skipped")) == states["unknown"]
    for name in ("结果.json", "结果.sarif", "结果.xml"):
        assert f"已写入 out/{name}" in result.stderr


def test_parallel_workers_render_every_format_alike(runner, workspace):
    check(runner, "-j", "1", "-o", "sarif=one.sarif", "-o", "junit=one.xml", "-o", "json=one.json")
    check(runner, "-j", "3", "-o", "sarif=three.sarif", "-o", "junit=three.xml", "-o", "json=three.json")
    for suffix in ("sarif", "xml", "json"):
        assert (workspace / f"one.{suffix}").read_text(encoding="utf-8") == \
            (workspace / f"three.{suffix}").read_text(encoding="utf-8")


def test_junit_has_a_suite_per_unit_and_a_case_per_rule_and_subject(runner, workspace):
    (workspace / "fixtures" / "坏档案.yaml").write_text("unit: {id: 1\n", encoding="utf-8")
    result = check(runner, "--format", "junit")
    assert result.exit_code == 2
    root = ET.fromstring(result.stdout)
    suites = {s.get("name"): s for s in root.iter("testsuite")}
    assert len(suites) == 11
    water = suites["市水利局（SZ-014）"]
    b2 = next(c for c in water.iter("testcase") if c.get("name").startswith("B2 "))
    failure = b2.find("failure")
    assert failure.get("message") == "市水利局工会未建立经费审查委员会" and failure.get("type") == "严重"
    assert "依据：《中华人民共和国工会法》" in failure.text and "整改措施：" in failure.text
    skipped = [c.find("skipped") for s in suites.values() for c in s.iter("testcase") if c.find("skipped") is not None]
    assert skipped and all(s.get("message").startswith("待核实：") for s in skipped)
    noted = [c for s in suites.values() for c in s.iter("testcase") if c.find("system-out") is not None]
    waived = [c for c in noted if c.find("system-out").text.startswith("豁免：")]
    reminders = [c for c in noted if c.find("system-out").text.startswith("提醒（不是问题）：")]
    assert waived and reminders and len(waived) + len(reminders) == len(noted)
    assert all(c.find("failure") is None and c.find("skipped") is None for c in reminders)
    assert all(c.find("failure") is None and c.find("skipped") is None for c in waived)
    subjects = [c.get("name") for c in water.iter("testcase") if c.get("name").startswith("B8 ")]
    assert len(subjects) > 1 and all("（" in name for name in subjects)
    broken = next(s for name, s in suites.items() if name.endswith("坏档案.yaml"))
    assert broken.find("testcase/error") is not None and broken.get("errors") == "1"
    assert int(root.get("tests")) == sum(int(s.get("tests")) for s in suites.values())


def test_sarif_lists_fails_and_unknowns_with_levels_rules_and_relative_locations(runner, workspace, sarif_validator):
    log = json.loads(check(runner, "--format", "sarif").stdout)
    errors = sorted(sarif_validator.iter_errors(log), key=str)
    assert not errors, errors[0].message if errors else ""
    run = log["runs"][0]
    rules = run["tool"]["driver"]["rules"]
    b2 = next(r for r in rules if r["id"] == "B2")
    assert b2["name"] == "工会建立经费审查委员会" and b2["defaultConfiguration"]["level"] == "error"
    assert b2["help"]["text"].startswith("整改措施：") and "依据：" in b2["help"]["text"]
    levels = {"严重": "error", "一般": "warning", "提示": "note"}
    for result in run["results"]:
        props = result["properties"]
        assert rules[result["ruleIndex"]]["id"] == result["ruleId"]
        if props["state"] == "unknown":
            assert (result["level"], result["kind"]) == ("note", "review")
        elif props["state"] == "advisory":
            assert (result["level"], result["kind"]) == ("note", "informational")
        else:
            assert props["state"] == "fail" and result["level"] == levels[props["severity"]]
        uri = result["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
        assert uri.startswith("fixtures/") and uri.endswith(".yaml")
    water = next(r for r in run["results"] if r["ruleId"] == "B2" and r["properties"]["unit_id"] == "SZ-014")
    assert water["partialFingerprints"] == {"complianceFinding/v1": fingerprint("SZ-014", "B2", "")}


def test_sarif_fingerprints_depend_on_unit_rule_and_subject_not_on_lines(runner, workspace):
    before = {r["partialFingerprints"]["complianceFinding/v1"]: r["ruleId"]
              for r in json.loads(check(runner, "--format", "sarif").stdout)["runs"][0]["results"]}
    for profile in (workspace / "fixtures").glob("*.yaml"):
        text = profile.read_text(encoding="utf-8")
        profile.write_text("# 新增的注释把每一行都往下推\n" * 3 + text, encoding="utf-8")
    after = json.loads(check(runner, "--format", "sarif").stdout)["runs"][0]["results"]
    assert {r["partialFingerprints"]["complianceFinding/v1"]: r["ruleId"] for r in after} == before
    assert len(before) == len(after) and fingerprint("A", "B", "") != fingerprint("A", "B", "工会")


def test_a_clean_unit_gives_an_empty_sarif_log_and_junit_without_failures(runner, workspace, sarif_validator):
    clean = ["check", "fixtures/01-shi-caizhengju.yaml", *AS_OF, "--rule", "B1", "--rule", "B2"]
    sarif = runner.invoke(main, [*clean, "--format", "sarif"])
    log = json.loads(sarif.stdout)
    assert sarif.exit_code == 0 and log["runs"][0]["results"] == []
    assert not list(sarif_validator.iter_errors(log))
    assert [r["id"] for r in log["runs"][0]["tool"]["driver"]["rules"]] == ["B1", "B2"]
    junit = ET.fromstring(runner.invoke(main, [*clean, "--format", "junit"]).stdout)
    assert (junit.get("tests"), junit.get("failures"), junit.get("skipped")) == ("2", "0", "0")


def test_absolute_paths_outside_the_working_directory_become_file_uris(runner, workspace, tmp_path_factory):
    elsewhere = tmp_path_factory.mktemp("elsewhere")
    os.chdir(elsewhere)
    log = json.loads(runner.invoke(main, ["check", str(workspace / "fixtures"), *AS_OF, "--format", "sarif"]).stdout)
    uri = log["runs"][0]["results"][0]["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
    assert uri.startswith("file:///")
