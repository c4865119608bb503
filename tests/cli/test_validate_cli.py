"""`compliance validate`: every file gets a verdict, errors are actionable, exit codes gate CI."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import yaml

from compliance.cli import main

from conftest import FIXTURES, minimal_profile

AS_OF = ["--as-of", "2025-11-20"]
GOOD = [FIXTURES / "01-shi-caizhengju.yaml", FIXTURES / "02-shi-shuiliju.yaml"]


def write(path: Path, data: dict | str) -> Path:
    text = data if isinstance(data, str) else yaml.safe_dump(data, allow_unicode=True, sort_keys=False)
    path.write_text(text, encoding="utf-8")
    return path


def mixed_batch(root: Path) -> Path:
    """Two good fixtures, one inconsistent, one schema-invalid, one not YAML, one binary."""
    for f in GOOD:
        shutil.copy(f, root / f.name)
    write(root / "h1.yaml", minimal_profile(unit={"staff_total": 10, "staff_female": 12}))
    write(root / "schema.yaml", "unit:\n  id: X\n  name: 单位\n  staff_total: 很多\n  fax: 1\n")
    write(root / "broken.yaml", "unit: [1, 2\n")
    (root / "garbage.yml").write_bytes(b"\x00\x01\xff" * 100)
    return root


def test_every_shipped_fixture_passes_with_exit_0(runner):
    count = len(list(FIXTURES.glob("*.yaml")))
    result = runner.invoke(main, ["validate", str(FIXTURES), *AS_OF])
    assert result.exit_code == 0, result.output
    assert result.stdout.count("通过  ") == count and f"共校验{count}份档案：通过{count}个" in result.stdout


def test_a_mixed_batch_gives_every_file_a_verdict_and_exit_2(runner, tmp_path):
    result = runner.invoke(main, ["validate", str(mixed_batch(tmp_path)), *AS_OF])
    assert result.exit_code == 2
    out = result.stdout
    for name in ("h1.yaml", "schema.yaml", "broken.yaml", "garbage.yml"):
        assert f"未通过  {tmp_path / name}" in out
    assert "共校验6份档案：通过2个，未通过4个" in out
    assert "h1.yaml:5:3: 字段 单位.女职工人数 (unit.staff_female)" in out
    assert "schema.yaml:4:3: 字段 单位.职工总数 (unit.staff_total): 应为整数" in out
    assert "未知字段「fax」" in out
    assert "broken.yaml:2:1: YAML 格式错误" in out
    assert "不是文本文件" in out


def test_json_output_lists_errors_with_location_field_given_and_expected(runner, tmp_path):
    result = runner.invoke(main, ["validate", str(mixed_batch(tmp_path)), *AS_OF, "--format", "json"])
    assert result.exit_code == 2
    doc = json.loads(result.stdout)
    assert doc["summary"] == {"files": 6, "valid": 2, "invalid": 4, "with_warnings": 0, "errors": 5,
                              "warnings": 0, "not_found": 0}
    verdict = next(f for f in doc["files"] if f["file"].endswith("h1.yaml"))
    assert verdict["valid"] is False and verdict["unit_id"] == "T-1"
    error = verdict["errors"][0]
    assert error | {"message": None, "expected": None} == {
        "file": str(tmp_path / "h1.yaml"), "line": 5, "column": 3, "path": "单位.女职工人数 (unit.staff_female)",
        "key": "staff_female", "given": 12, "code": "H1", "level": "error", "message": None, "expected": None}
    assert "10" in error["expected"]
    codes = {f["file"].rsplit("/", 1)[-1]: [e["code"] for e in f["errors"]] for f in doc["files"]}
    assert codes["schema.yaml"] == ["SCHEMA", "SCHEMA"] and codes["broken.yaml"] == ["SYNTAX"]
    assert codes["garbage.yml"] == ["READ"]


def test_warnings_are_separate_and_fail_only_with_strict(runner, tmp_path):
    path = write(tmp_path / "w.yaml", minimal_profile(unit={"staff_total": 5}, union={"members": 6}))
    result = runner.invoke(main, ["validate", str(path), *AS_OF])
    assert result.exit_code == 0 and "通过（有警告）" in result.stdout and "  警告：" in result.stdout
    assert "  错误：" not in result.stdout
    assert runner.invoke(main, ["validate", str(path), *AS_OF, "--strict"]).exit_code == 1


def test_dates_are_judged_against_the_given_check_date(runner, tmp_path):
    path = write(tmp_path / "d.yaml", "unit: {id: A, name: 单位, founded: 2025-12-01}\n")
    assert runner.invoke(main, ["validate", str(path), "--as-of", "2025-12-31"]).exit_code == 0
    late = runner.invoke(main, ["validate", str(path), "--as-of", "2025-11-20"])
    assert late.exit_code == 2 and "晚于检查日期2025年11月20日" in late.stdout


def test_a_missing_path_is_reported_and_the_others_still_validated(runner, tmp_path):
    result = runner.invoke(main, ["validate", *map(str, GOOD), str(tmp_path / "nope.yaml"), *AS_OF])
    assert result.exit_code == 2
    assert "nope.yaml: 文件不存在" in result.stdout and "通过2个" in result.stdout


def test_quiet_lists_only_files_with_problems(runner, tmp_path):
    result = runner.invoke(main, ["validate", str(mixed_batch(tmp_path)), *AS_OF, "-q"])
    lines = result.stdout.splitlines()
    assert not [line for line in lines if line.startswith("通过")]
    assert len([line for line in lines if line.startswith("未通过  ")]) == 4


def test_output_file_receives_the_report(runner, tmp_path):
    target = tmp_path / "out" / "report.txt"
    result = runner.invoke(main, ["validate", *map(str, GOOD), *AS_OF, "-o", str(target)])
    assert result.exit_code == 0 and "共校验2份档案" in target.read_text(encoding="utf-8")


def test_a_large_batch_is_validated_to_the_end(runner, tmp_path):
    good = (FIXTURES / "01-shi-caizhengju.yaml").read_text(encoding="utf-8")
    for i in range(300):
        text = good.replace('id: "SZ-001"', f'id: "SZ-{i:04d}"') if i % 3 else "unit: {id: 1\n"  # ids unique in a run
        (tmp_path / f"u{i:04d}.yaml").write_text(text, encoding="utf-8")
    result = runner.invoke(main, ["validate", str(tmp_path), *AS_OF, "--format", "json"])
    summary = json.loads(result.stdout)["summary"]
    assert result.exit_code == 2 and (summary["files"], summary["valid"], summary["invalid"]) == (300, 200, 100)


def test_check_refuses_to_rule_check_an_inconsistent_profile_and_prints_warnings(runner, tmp_path):
    bad = write(tmp_path / "bad.yaml", minimal_profile(unit={"staff_total": 10, "staff_female": 11}))
    result = runner.invoke(main, ["check", str(bad), *AS_OF, "--format", "json"])
    assert result.exit_code == 2
    doc = json.loads(result.stdout)
    assert doc["findings"] == [] and doc["errors"][0]["code"] == "H1"
    warn = write(tmp_path / "warn.yaml", minimal_profile(unit={"staff_total": 5}, union={"members": 6}))
    result = runner.invoke(main, ["check", str(warn), *AS_OF, "--format", "json"])
    assert result.exit_code in (0, 1) and "警告：" in result.stderr and "H3" in result.stderr
    assert json.loads(result.stdout)["findings"]


def test_pre_commit_hooks_run_the_commands_they_name(runner):
    import re

    from conftest import ROOT

    hooks = yaml.safe_load((ROOT / ".pre-commit-hooks.yaml").read_text(encoding="utf-8"))
    assert {h["id"] for h in hooks} == {"compliance-validate", "compliance-check"}
    for hook in hooks:
        assert hook["language"] == "python" and re.search(hook["files"], "units/市财政局.yaml")
        assert re.search(hook["exclude"], ".pre-commit-config.yaml")
        program, *args = hook["entry"].split()
        assert program == "compliance"
        result = runner.invoke(main, [*args, *hook.get("args", []), str(GOOD[0])])
        allowed = (0,) if hook["id"] == "compliance-validate" else (0, 1)
        assert result.exit_code in allowed, (hook["id"], result.output)


def test_json_lines_get_one_verdict_per_line_from_a_file_or_standard_input(runner, tmp_path):
    good = json.dumps(minimal_profile(unit={"staff_total": 30}), ensure_ascii=False)
    inconsistent = json.dumps(minimal_profile(unit={"staff_total": 10, "staff_female": 12}), ensure_ascii=False)
    lines = "\n".join([good, inconsistent, '{"unit": {"id": "X"}}', "not json", ""]) + "\n"
    path = tmp_path / "units.jsonl"
    path.write_text(lines, encoding="utf-8")
    for args, name, text_input in ((["validate", str(path)], str(path), None), (["validate", "-"], "标准输入", lines)):
        result = runner.invoke(main, [*args, *AS_OF], input=text_input)
        assert result.exit_code == 2, result.output
        out = result.stdout
        assert f"通过  {name}:1" in out
        assert f"未通过  {name}:2" in out and "单位.女职工人数" in out
        assert f"{name}:3: 字段 单位.单位名称 (unit.name): 缺少必填项" in out
        assert f"{name}:4:1: JSON 格式错误" in out
        assert "共校验4份档案：通过1个，未通过3个" in out
