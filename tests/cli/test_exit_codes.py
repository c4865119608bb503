"""The exit-code table of `check` and `validate`: 0 clean, 1 findings at or above --fail-on, 2 invalid input data,
3 usage or configuration error — each code, the table in --help, and the --rule / --skip-rule filters."""

from __future__ import annotations

import json

import pytest

from compliance.cli import main

from conftest import FIXTURES, ROOT

AS_OF = ["--as-of", "2025-11-20"]
CLEAN = str(FIXTURES / "01-shi-caizhengju.yaml")
SEVERE = str(FIXTURES / "02-shi-shuiliju.yaml")


def run(runner, *args):
    result = runner.invoke(main, list(args), catch_exceptions=False)
    assert "Traceback" not in result.output
    return result


def test_0_when_nothing_reaches_fail_on(runner):
    assert run(runner, "check", CLEAN, *AS_OF).exit_code == 0


def test_1_when_a_finding_reaches_fail_on(runner):
    assert run(runner, "check", SEVERE, *AS_OF).exit_code == 1


def test_2_for_a_bad_profile_or_a_missing_profile_path(runner, tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text("unit:\n  id: X\n  staff_total: 很多\n", encoding="utf-8")
    assert run(runner, "check", str(bad), SEVERE, *AS_OF).exit_code == 2
    assert run(runner, "check", str(tmp_path / "nope.yaml"), *AS_OF).exit_code == 2
    assert run(runner, "validate", str(bad), *AS_OF).exit_code == 2


@pytest.mark.parametrize(("args", "message"), [
    (["--format", "jsn"], "不是可选值"),
    (["--fail-on", "critical"], "不是可选值"),
    (["--as-of", "2025-13-01"], "不是有效日期"),
    (["--no-such-option"], "没有选项"),
    (["-o", "xml=out.xml"], "「xml」不是可选格式"),
    (["-o", "a.json", "-o", "b.json"], "不写格式的输出文件只能有一个"),
    (["-o", "json=a.json", "-o", "sarif=a.json"], "同一个文件不能写两次"),
])
def test_3_for_a_usage_error_in_chinese(runner, args, message):
    result = run(runner, "check", CLEAN, *args)
    assert result.exit_code == 3, result.output
    assert message in result.stderr and "用法：" in result.stderr


@pytest.mark.parametrize("option", ["--pack", "--tailoring", "--waivers"])
def test_3_for_a_bad_pack_tailoring_or_waiver_file(runner, tmp_path, option):
    broken = tmp_path / "broken.yaml"
    broken.write_text("rules: [未闭合\n", encoding="utf-8")
    result = run(runner, "check", CLEAN, *AS_OF, option, str(broken))
    assert result.exit_code == 3 and "规则包有错误" in result.stderr and str(broken) in result.stderr


def test_3_for_an_output_file_that_cannot_be_written(runner, tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("", encoding="utf-8")
    result = run(runner, "check", CLEAN, *AS_OF, "-o", f"sarif={blocker}/out.sarif")
    assert result.exit_code == 3 and "无法写入输出文件" in result.stderr


def test_validate_follows_the_same_table(runner, tmp_path):
    assert run(runner, "validate", CLEAN, *AS_OF).exit_code == 0
    assert run(runner, "validate", str(tmp_path / "nope.yaml"), *AS_OF).exit_code == 2
    assert run(runner, "validate", CLEAN, "--format", "xml").exit_code == 3
    assert run(runner, "validate", CLEAN, *AS_OF, "-o", str(tmp_path)).exit_code == 3


@pytest.mark.parametrize("command", ["check", "validate"])
def test_help_shows_the_exit_code_table(runner, command):
    text = run(runner, command, "--help").stdout
    for line in ["退出码：", "0  ", "1  ", "2  输入数据有误", "3  用法或配置错误"]:
        assert line in text


def test_the_docs_show_the_same_table():
    docs = (ROOT / "docs" / "validate.md").read_text(encoding="utf-8")
    for code in ("| `0` |", "| `1` |", "| `2` |", "| `3` |"):
        assert code in docs


def findings(runner, *args) -> list[dict]:
    return json.loads(run(runner, "check", SEVERE, *AS_OF, "--format", "json", *args).stdout)["findings"]


def test_rule_keeps_only_the_named_rules(runner):
    assert {f["rule_id"] for f in findings(runner, "--rule", "B2", "--rule", "B3")} == {"B2", "B3"}


def test_skip_rule_drops_the_named_rules(runner):
    everything = {f["rule_id"] for f in findings(runner)}
    assert {f["rule_id"] for f in findings(runner, "--skip-rule", "B2")} == everything - {"B2"}


def test_filters_also_decide_the_exit_code(runner):
    severe = {f["rule_id"] for f in findings(runner) if f["state"] == "fail" and f["severity"] == "严重"}
    skips = [arg for rule in sorted(severe) for arg in ("--skip-rule", rule)]
    assert run(runner, "check", SEVERE, *AS_OF, *skips).exit_code == 0


@pytest.mark.parametrize("option", ["--rule", "--skip-rule"])
def test_an_unknown_rule_is_a_usage_error_with_close_matches(runner, option):
    result = run(runner, "check", SEVERE, *AS_OF, option, "B22")
    assert result.exit_code == 3
    assert "没有规则「B22」" in result.stderr and "是不是想写：B2" in result.stderr
