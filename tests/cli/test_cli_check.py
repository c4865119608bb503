"""`compliance check`: output formats, the JSON contract, exit codes and every input-error path."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest
import yaml

from compliance.cli import main

from conftest import FIXTURES, minimal_profile

AS_OF = ["--as-of", "2025-11-20"]

GOOD_UNION = {
    "established": True, "funds_review_committee": True, "independent_account": True,
    "term_years": 5, "last_election": "2023-01-01",
}


def write(path: Path, data) -> Path:
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    return path


@pytest.fixture
def units(tmp_path):
    """A unit with a severe problem (no funds review committee) and a unit with only minor ones."""
    bad = minimal_profile(unit={"id": "U-1", "name": "市水利局", "staff_total": 60},
                          union={**GOOD_UNION, "funds_review_committee": False})
    minor = minimal_profile(unit={"id": "U-2", "name": "市档案馆", "staff_total": 30},
                            union=GOOD_UNION, responsibility={"in_party_assessment": False})
    return write(tmp_path / "bad.yaml", bad), write(tmp_path / "minor.yaml", minor)


def run(runner, *args):
    result = runner.invoke(main, ["check", *args], catch_exceptions=False)
    assert "Traceback" not in result.output
    return result


def test_table_lists_problems_unknowns_and_a_summary(runner, units):
    result = run(runner, *map(str, units), *AS_OF)
    assert result.exit_code == 1
    out = result.stdout
    for header in ["序号", "单位", "问题类别", "规则", "问题描述", "依据", "严重程度", "整改措施"]:
        assert header in out
    assert "市水利局工会未建立经费审查委员会" in out
    assert "第四十五条" in out
    assert "待核实事项" in out
    assert "共检查2个单位" in out


def test_exit_code_follows_the_fail_threshold(runner, units):
    bad, minor = map(str, units)
    assert run(runner, minor, *AS_OF).exit_code == 0
    assert run(runner, minor, *AS_OF, "--fail-on", "一般").exit_code == 1
    assert run(runner, bad, *AS_OF).exit_code == 1


def test_json_is_a_stable_contract(runner, units):
    result = run(runner, *map(str, units), *AS_OF, "--format", "json")
    doc = json.loads(result.stdout)
    assert set(doc) >= {"findings", "units", "summary", "pack", "as_of", "errors"}
    assert doc["as_of"] == "2025-11-20"
    finding = next(f for f in doc["findings"] if f["rule_id"] == "B2" and f["unit_id"] == "U-1")
    assert finding["state"] == "fail"
    for key in ["unit_id", "unit_name", "rule_id", "subject", "state", "severity", "category",
                "title", "message", "basis", "measure", "facts"]:
        assert key in finding
    assert finding["facts"] == {"union.committee": True, "union.funds_review_committee": False}
    assert {f["state"] for f in doc["findings"]} <= {"fail", "pass", "not_applicable", "unknown", "waived"}
    assert [u["unit_id"] for u in doc["units"]] == ["U-1", "U-2"]
    assert doc["summary"]["units"] == 2
    assert doc["summary"]["states"]["fail"] == sum(f["state"] == "fail" for f in doc["findings"])


def test_markdown_has_sections_and_the_facts_behind_each_problem(runner, units):
    out = run(runner, *map(str, units), *AS_OF, "--format", "md").stdout
    assert out.startswith("# 问题清单")
    assert "| 序号" in out
    assert "### 问题所依据的事实" in out
    assert "工会.经费审查委员会=否" in out


def test_csv_to_a_file_opens_in_excel_and_neutralises_formulas(runner, tmp_path):
    evil = minimal_profile(unit={"id": "=1+2", "name": "=HYPERLINK(\"http://x\")", "staff_total": 60},
                           union={**GOOD_UNION, "funds_review_committee": False})
    profile = write(tmp_path / "evil.yaml", evil)
    target = tmp_path / "out" / "问题清单.csv"
    result = run(runner, str(profile), *AS_OF, "--format", "csv", "-o", str(target))
    assert result.exit_code == 1
    raw = target.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(raw.decode("utf-8-sig"))))
    assert rows[0][:8] == ["序号", "单位", "问题类别", "规则", "问题描述", "依据", "严重程度", "整改措施"]
    for row in rows[1:]:
        for cell in row:
            assert not cell.startswith(("=", "+", "-", "@")), cell
    assert any(row[1].startswith("'=HYPERLINK") for row in rows[1:])


def test_directories_and_globs_are_expanded(runner, tmp_path, units):
    assert "共检查2个单位" in run(runner, str(tmp_path), *AS_OF).stdout
    assert "共检查2个单位" in run(runner, str(tmp_path / "*.yaml"), *AS_OF).stdout


def test_shipped_fixtures_check_without_input_errors(runner):
    result = run(runner, str(FIXTURES), *AS_OF, "--format", "json")
    assert result.exit_code in (0, 1), result.output
    doc = json.loads(result.stdout)
    assert doc["errors"] == []
    assert doc["summary"]["units"] >= 2


# --- input errors: Chinese message, file:line, exit 2, the other files still checked ----------

BROKEN = {
    "broken_yaml": ("unit:\n  id: X\n  name: [未闭合\n", ["YAML 格式错误", "方括号列表没有正确闭合", ":4:"]),
    "wrong_type": ("unit:\n  id: X\n  name: 甲\n  staff_total: 很多\n", ["单位.职工总数", "应为整数", ":4:"]),
    "unknown_key": ("unit:\n  id: X\n  name: 甲\nunoin:\n  established: true\n", ["未知字段「unoin」", "union", ":4:"]),
    "missing_name": ("unit:\n  id: X\n", ["缺少必填项", "单位.单位名称"]),
    "blank_id": ("unit:\n  id:\n  name: 甲\n", ["必填项，不能为空", "单位.单位编号", ":2:"]),
    "top_level_list": ("- a\n- b\n", ["应为 YAML/JSON 映射"]),
    "empty": ("", ["空文件"]),
    "alias": ("a: &x [1]\nb: *x\n", ["锚点"]),
    "duplicate_key": ("unit:\n  id: X\n  name: 甲\n  name: 乙\n", ["字段「单位.单位名称」重复填写（第3行已填写）", ":4:"]),
    "tab_indent": ("unit:\n\tid: X\n", ["Tab", ":2:"]),
    "bad_date": ("unit:\n  id: X\n  name: 甲\n  founded: 2025-13-40\n", ["应为日期", ":4:"]),
}


@pytest.mark.parametrize("case", sorted(BROKEN))
def test_bad_input_is_reported_in_chinese_and_the_rest_of_the_batch_is_checked(runner, tmp_path, units, case):
    text, expected = BROKEN[case]
    broken = tmp_path / f"{case}.yaml"
    broken.write_text(text, encoding="utf-8")
    result = run(runner, str(broken), *map(str, units), *AS_OF, "--format", "json")
    assert result.exit_code == 2
    assert f"错误：{broken}" in result.stderr
    for piece in expected:
        assert piece in result.stderr
    doc = json.loads(result.stdout)
    assert {u["unit_id"] for u in doc["units"] if u["ok"]} == {"U-1", "U-2"}
    assert doc["summary"]["files_with_errors"] == 1


def test_binary_and_non_utf8_files_are_refused(runner, tmp_path):
    (tmp_path / "a.yaml").write_bytes(b"\x00\x01\x02garbage")
    (tmp_path / "b.yaml").write_bytes("单位: 甲".encode("gbk"))
    result = run(runner, str(tmp_path / "a.yaml"), str(tmp_path / "b.yaml"), *AS_OF)
    assert result.exit_code == 2
    assert "不是文本文件" in result.stderr
    assert "不是 UTF-8 编码" in result.stderr


def test_a_json_profile_error_has_its_line(runner, tmp_path):
    path = tmp_path / "u.json"
    path.write_text('{"unit": {"id": "X",\n "name": }}', encoding="utf-8")
    result = run(runner, str(path), *AS_OF)
    assert result.exit_code == 2
    assert f"{path}:2:" in result.stderr and "JSON 格式错误" in result.stderr


def test_missing_files_and_empty_globs(runner, tmp_path):
    result = run(runner, str(tmp_path / "nope.yaml"), str(tmp_path / "*.yml"), *AS_OF)
    assert result.exit_code == 2
    assert "文件不存在" in result.stderr
    assert "没有匹配的文件" in result.stderr


def test_a_broken_pack_stops_the_run_with_its_location(runner, tmp_path, units):
    pack = tmp_path / "pack.yaml"
    pack.write_text("pack:\n  id: x\n  title: x\n  version: '1'\n  domain: dangjian\nrules:\n  - id: R1\n    title: t\n", encoding="utf-8")
    result = run(runner, str(units[0]), "--pack", str(pack), *AS_OF)
    assert result.exit_code == 3
    assert "规则包有错误" in result.stderr
    assert f"{pack}:7:" in result.stderr
    assert "缺少必填项" in result.stderr


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--as-of", "2025-13-01"], "不是有效日期"),
        (["--fail-on", "critical"], "不是可选值"),
        (["--format", "xml"], "不是可选值"),
        (["--max-jsonl-size", "20X"], "不是有效大小"),
        (["--max-jsonl-size", "0"], "不是有效大小"),
    ],
)
def test_usage_errors_exit_3_in_chinese(runner, units, args, message):
    result = runner.invoke(main, ["check", str(units[0]), *args])
    assert result.exit_code == 3
    assert message in result.output


def test_output_to_an_unwritable_place_is_a_configuration_error(runner, units, tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("x")
    result = run(runner, str(units[0]), *AS_OF, "-o", str(blocker / "out.txt"))
    assert result.exit_code == 3
    assert "无法写入输出文件" in result.stderr


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["check"], "缺少参数"),
        (["chek"], "没有子命令"),
        (["check", "x.yaml", "--bogus"], "没有选项"),
        (["check", "x.yaml", "--jobs", "-1"], "不在范围"),
    ],
)
def test_click_usage_errors_are_in_chinese(runner, args, message):
    result = runner.invoke(main, args)
    assert result.exit_code == 3
    assert message in result.output
    assert "错误：" in result.output and "Error" not in result.output


def test_help_is_in_chinese(runner):
    out = runner.invoke(main, ["check", "--help"]).output
    assert out.startswith("用法：")
    assert "选项" in out and "显示本帮助并退出" in out
    assert "Show this message" not in out


def test_a_json_lines_file_over_its_size_limit_is_an_input_error_and_the_limit_can_be_raised(runner, tmp_path):
    """1 GiB by default; a national batch in one file needs ``--max-jsonl-size``, which the error names."""
    profile = minimal_profile(unit={"id": "U-1", "name": "市水利局", "staff_total": 60}, union=GOOD_UNION)
    lines = [json.dumps({**profile, "unit": {**profile["unit"], "id": f"U-{i}"}}, ensure_ascii=False) for i in range(20)]
    batch = tmp_path / "全省.jsonl"
    batch.write_text("\n".join(lines) + "\n", encoding="utf-8")
    assert batch.stat().st_size > 1024
    refused = run(runner, str(batch), *AS_OF, "--format", "jsonl", "--max-jsonl-size", "1K")
    assert refused.exit_code == 2
    assert "上限为1024字节" in refused.output and "--max-jsonl-size 20G" in refused.output
    checked = run(runner, str(batch), *AS_OF, "--format", "jsonl", "--max-jsonl-size", "1M", "--jobs", "1")
    assert checked.exit_code in (0, 1)
    units = [json.loads(line) for line in checked.output.splitlines() if '"unit"' in line]
    assert [u["unit_id"] for u in units if u.get("record") == "unit"] == [f"U-{i}" for i in range(20)]
