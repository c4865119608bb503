"""The CI template's script (ci/run-check.sh): run with bash against the example units, it writes every result
file and exits with the larger of validate's and check's exit codes; the templates call it."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import yaml

from conftest import FIXTURES, ROOT

SCRIPT = ROOT / "ci" / "run-check.sh"


def run_script(cwd: Path, *args: str, **env: str) -> subprocess.CompletedProcess:
    path = f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}"
    return subprocess.run(["bash", str(SCRIPT), *args], cwd=cwd, capture_output=True, text=True, timeout=300,
                          env={**os.environ, "PATH": path, "COMPLIANCE_AS_OF": "2025-11-20", **env})


def test_the_script_writes_sarif_junit_json_and_the_problem_list(tmp_path):
    shutil.copytree(FIXTURES, tmp_path / "profiles")
    done = run_script(tmp_path)
    assert done.returncode == 1, done.stderr  # the example units have 严重 problems
    out = tmp_path / "compliance-results"
    names = {"validate.sarif", "validate.xml", "check.sarif", "check.xml", "check.json", "问题清单.md"}
    assert names <= {p.name for p in out.iterdir()}
    assert json.loads((out / "check.sarif").read_text(encoding="utf-8"))["runs"][0]["results"]
    assert ET.parse(out / "check.xml").getroot().get("failures") != "0"
    assert json.loads((out / "check.json").read_text(encoding="utf-8"))["summary"]["units"] == 10
    assert "Traceback" not in done.stderr


def test_paths_output_folder_and_check_options_come_from_arguments_or_the_environment(tmp_path):
    shutil.copytree(FIXTURES, tmp_path / "档案")
    done = run_script(tmp_path, "档案/01-shi-caizhengju.yaml", COMPLIANCE_OUT="结果", COMPLIANCE_ARGS="--rule B2")
    assert done.returncode == 0, done.stderr
    findings = json.loads((tmp_path / "结果" / "check.json").read_text(encoding="utf-8"))["findings"]
    assert {f["rule_id"] for f in findings} == {"B2"}


def test_a_bad_profile_exits_2_and_a_bad_option_exits_3_with_results_still_written(tmp_path):
    (tmp_path / "profiles").mkdir()
    (tmp_path / "profiles" / "坏.yaml").write_text("unit: {id: 1\n", encoding="utf-8")
    assert run_script(tmp_path).returncode == 2
    assert (tmp_path / "compliance-results" / "validate.sarif").exists()
    assert run_script(tmp_path, COMPLIANCE_ARGS="--rule 没有这条").returncode == 3


def test_the_github_action_and_the_gitlab_template_both_call_the_script():
    action = yaml.safe_load((ROOT / "ci" / "github-action" / "action.yml").read_text(encoding="utf-8"))
    assert action["runs"]["using"] == "composite"
    steps = " ".join(str(step.get("run", "")) + str(step.get("uses", "")) for step in action["runs"]["steps"])
    assert "actions/setup-python" in steps and "pip install" in steps and "run-check.sh" in steps
    assert "upload-sarif" in steps
    gitlab = yaml.safe_load((ROOT / "ci" / "gitlab" / "compliance.gitlab-ci.yml").read_text(encoding="utf-8"))
    job = gitlab["compliance"]
    assert "run-check.sh" in " ".join(job["script"]) and job["artifacts"]["reports"]["junit"]
