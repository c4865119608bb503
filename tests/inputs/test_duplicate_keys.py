"""A key written twice is an error naming the field in Chinese, never a silent last-one-wins."""

from __future__ import annotations

from compliance.cli import main

PROFILE = "schema_version: 1\nunit:\n  id: X1\n  name: 甲单位\n"


def validate(runner, path):
    return runner.invoke(main, ["validate", str(path), "--as-of", "2025-11-20"])


def test_a_yaml_key_written_twice_names_the_chinese_field_and_both_lines(runner, tmp_path):
    path = tmp_path / "a.yaml"
    path.write_text(PROFILE + "  staff_total: 10\n  staff_total: 12\n", encoding="utf-8")
    result = validate(runner, path)
    assert result.exit_code == 2
    assert "a.yaml:6:3: 字段 单位.职工总数 (unit.staff_total):" in result.output
    assert "字段「单位.职工总数」重复填写（第5行已填写）" in result.output


def test_a_key_written_twice_inside_a_list_item_names_the_item(runner, tmp_path):
    path = tmp_path / "b.yaml"
    path.write_text(PROFILE + "events:\n  - kind: 听取汇报\n    date: 2025-01-01\n    date: 2025-01-02\n", encoding="utf-8")
    assert "字段「工作记录[1].日期」重复填写（第7行已填写）" in validate(runner, path).output


def test_a_json_key_written_twice_is_refused_at_its_line(runner, tmp_path):
    path = tmp_path / "c.json"
    path.write_text('{"schema_version": 1,\n "unit": {"id": "X1",\n  "name": "甲",\n  "name": "乙"}}', encoding="utf-8")
    result = validate(runner, path)
    assert result.exit_code == 2 and "c.json:4: JSON 格式错误：字段「name」重复填写" in result.output


def test_a_json_lines_key_written_twice_is_refused_at_its_line_and_the_other_units_are_checked(runner, tmp_path):
    good = '{"schema_version": 1, "unit": {"id": "X%d", "name": "甲：乙单位"}, "notes": "a\\" : b:c"}'
    path = tmp_path / "d.jsonl"
    path.write_text("\n".join([good % 1, '{"schema_version": 1, "unit": {"id": "X2", "name" : "甲", "name" : "乙"}}',
                               good % 3]) + "\n", encoding="utf-8")
    result = runner.invoke(main, ["check", str(path), "--as-of", "2025-11-20", "--format", "csv"])
    assert result.exit_code == 2
    assert "d.jsonl:2: JSON 格式错误：字段「name」重复填写" in result.output
    assert "X1" in result.output and "X3" in result.output and "X2" not in result.output
