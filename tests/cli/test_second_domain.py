"""A second standard (三会一课) runs through every command without engine changes; profiles of one
standard given to the other get one clear error."""

from __future__ import annotations

import json

from compliance.cli import main
from conftest import FIXTURES, ROOT

SANHUI = ROOT / "fixtures-sanhui"
AS_OF = ["--as-of", "2025-11-20"]


def test_check_with_the_sanhui_pack_by_name_lists_its_problems(runner):
    result = runner.invoke(main, ["check", "--pack", "sanhui", str(SANHUI), *AS_OF, "--format", "json"])
    assert result.exit_code == 1, result.output
    report = json.loads(result.stdout)
    failing = {(f["unit_name"], f["rule_id"]) for f in report["findings"] if f["state"] == "fail"}
    assert ("市文化广电旅游局", "SH-D1") in failing and ("市商务局", "SH-C2") in failing
    assert all(f["rule_id"].startswith("SH-") for f in report["findings"])


def test_a_sanhui_profile_checked_with_the_default_pack_is_one_clear_error(runner):
    result = runner.invoke(main, ["check", str(SANHUI / "01-shi-fagaiwei.yaml"), *AS_OF])
    assert result.exit_code == 2
    assert "这是「三会一课」档案，不是「党建带群建」档案；检查请用 --pack sanhui" in result.stderr
    assert result.stderr.count("错误") == 1 and "Traceback" not in result.output


def test_a_profile_without_a_domain_key_is_recognised_by_its_fields(runner, tmp_path):
    text = (SANHUI / "02-shi-jiaoyuju.yaml").read_text(encoding="utf-8")
    bare = tmp_path / "无标准.yaml"
    bare.write_text("\n".join(line for line in text.splitlines() if not line.startswith("domain:")), encoding="utf-8")
    result = runner.invoke(main, ["check", str(bare), *AS_OF])
    assert result.exit_code == 2 and "这是「三会一课」档案" in result.stderr


def test_a_dangjian_profile_checked_with_the_sanhui_pack_is_refused(runner):
    result = runner.invoke(main, ["check", "--pack", "sanhui", str(FIXTURES / "01-shi-caizhengju.yaml"), *AS_OF])
    assert result.exit_code == 2
    assert "这是「党建带群建」档案，不是「三会一课」档案" in result.stderr


def test_validate_follows_each_profiles_declared_standard(runner):
    result = runner.invoke(main, ["validate", str(SANHUI), str(FIXTURES), *AS_OF, "--format", "json"])
    assert result.exit_code == 0, result.output
    verdicts = json.loads(result.stdout)["files"]
    assert len(verdicts) == len(list(SANHUI.glob("*.yaml"))) + len(list(FIXTURES.glob("*.yaml")))


def test_validate_with_an_explicit_domain_refuses_the_other_standard(runner):
    result = runner.invoke(main, ["validate", "--domain", "dangjian", str(SANHUI / "01-shi-fagaiwei.yaml"), *AS_OF])
    assert result.exit_code == 2 and "校验请用 --domain sanhui" in result.output


def test_init_and_schema_serve_the_second_standard(runner, tmp_path):
    result = runner.invoke(main, ["init", "--domain", "sanhui", "市审计局", "-o", str(tmp_path / "档案.yaml")])
    assert result.exit_code == 0, result.output
    blank = (tmp_path / "档案.yaml").read_text(encoding="utf-8")
    assert "branch:  # 党支部" in blank and "union" not in blank
    schema = runner.invoke(main, ["schema", "profile", "--domain", "sanhui"])
    assert "records_complete" in json.loads(schema.stdout)["properties"]


def test_rules_packs_lists_both_standards_and_rules_test_runs_the_sanhui_examples(runner):
    listing = runner.invoke(main, ["rules", "packs"])
    assert "三会一课" in listing.output and "党建带群建" in listing.output
    selftest = runner.invoke(main, ["rules", "test", "sanhui"])
    assert selftest.exit_code == 0, selftest.output
