"""Tailoring: a city adjusts the standard without copying the pack, and every change is traceable."""

from __future__ import annotations

import textwrap

import pytest

from compliance.cli import main
from compliance.inputs.loader import InputError
from compliance.pipeline.run import check_profile
from compliance.domains.dangjian.profile import Profile
from compliance.engine.tailoring import load_effective

from conftest import AS_OF, FIXTURES, PACK_PATH, ROOT, minimal_profile

CITY = ROOT / "rules" / "tailoring" / "jinhai-half-year.yaml"


def write(tmp_path, text: str, name: str = "city.yaml"):
    path = tmp_path / name
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    return path


def header(extends: bool = False) -> str:
    return (f"extends: {PACK_PATH}\n" if extends else "") + "tailoring:\n  id: t\n  title: 测试市\n"


def problems(tmp_path, body: str) -> list:
    path = write(tmp_path, header() + textwrap.dedent(body))
    with pytest.raises(InputError) as exc:
        load_effective(PACK_PATH, [path])
    return exc.value.problems


def test_the_city_example_tightens_briefings_to_one_per_half_year():
    city = load_effective(None, [CITY])
    assert city.params["briefings_per_year"] == 2 and city.origins["param.briefings_per_year"] == str(CITY)
    one_briefing = Profile.model_validate(minimal_profile(records_complete=True,
                                                          events=[{"date": "2025-03-20", "type": "听取汇报"}]))
    a1 = lambda pack: [f.state for f in check_profile(pack, one_briefing, AS_OF) if f.rule_id == "A1"]
    assert a1(load_effective(default="dangjian")) == ["pass"] and a1(city) == ["fail"]


def test_the_city_disables_a_rule_with_its_reason_changes_a_severity_and_adds_its_own_rule():
    city = load_effective(CITY)
    assert not city.rule("B6-2").rule.enabled and "市关工委" in city.disabled["B6-2"]
    assert city.rule("E2").rule.severity == "一般" and "理由" in city.origins["rule.E2.severity"]
    assert city.rule("JH-A1") is not None and city.origins["rule.JH-A1"] == str(CITY)
    findings = check_profile(city, Profile.model_validate(minimal_profile(guan={"established": False})), AS_OF)
    assert "B6-2" not in {f.rule_id for f in findings} and "JH-A1" in {f.rule_id for f in findings}


def test_a_tailoring_file_can_be_used_as_the_pack_through_extends(runner):
    result = runner.invoke(main, ["check", str(FIXTURES), "--pack", str(CITY), "--as-of", "2025-11-20", "--format", "json"])
    assert result.exit_code == 1, result.output
    assert '"id": "dangjian-qunjian+jinhai"' in result.stdout and '"rule_id": "JH-A1"' in result.stdout


def test_the_pack_s_own_examples_keep_the_pack_s_parameters_under_tailoring():
    city = load_effective(None, [CITY])
    example = city.rule("A1").rule.examples[0]
    assert example.expect == "pass" and example._base_params["briefings_per_year"] == 1


def test_an_unknown_rule_id_is_located_with_a_suggestion(tmp_path):
    [problem] = problems(tmp_path, """\
        disable:
          B66: 本市不要求
        """)
    assert problem.line == 5 and "没有规则「B66」" in problem.message and "B6" in problem.message


def test_an_unknown_param_and_a_wrong_type_are_errors(tmp_path):
    found = problems(tmp_path, """\
        params:
          briefing_per_year: 2
          union_staff_threshold: 二十五
        """)
    messages = [p.message for p in found]
    assert any("briefing_per_year" in m and "briefings_per_year" in m for m in messages)
    assert any("union_staff_threshold" in m and "int" in m for m in messages)
    assert {p.line for p in found} == {5, 6}


def test_disabling_needs_a_reason_and_new_rules_need_new_ids(tmp_path):
    found = problems(tmp_path, """\
        disable:
          E2: ""
        overrides:
          E1: {severity: 严重}
        rules:
          - id: A1
            title: 重复
            category: 责任落实
            severity: 一般
            expect: {fact: funding.in_unit_budget, eq: true}
            message: 重复
            basis: [{doc: seed000}]
            measure: 无
        """)
    messages = " ".join(p.message for p in found)
    assert "必须写明理由" in messages and "与规则包中的规则重复" in messages


def test_a_wrong_severity_is_a_located_chinese_error(tmp_path):
    [problem] = problems(tmp_path, """\
        overrides:
          E2: {severity: 很严重}
        """)
    assert problem.line == 5 and "严重" in problem.message


def test_an_added_rule_with_a_typo_in_a_fact_path_points_at_the_tailoring_file(tmp_path):
    found = problems(tmp_path, """\
        rules:
          - id: X1
            title: 新规则
            category: 责任落实
            severity: 一般
            expect: {fact: funding.in_unit_budgett, eq: true}
            message: 测试
            basis: [{doc: seed000}]
            measure: 测试
        """)
    assert any("in_unit_budget" in p.message and p.path.startswith("rules[0]") for p in found)


def test_extends_cycles_and_missing_bases_are_reported(tmp_path):
    write(tmp_path, "extends: b.yaml\ntailoring: {id: a, title: a}\n", "a.yaml")
    write(tmp_path, "extends: a.yaml\ntailoring: {id: b, title: b}\n", "b.yaml")
    with pytest.raises(InputError) as exc:
        load_effective(tmp_path / "a.yaml")
    assert "循环" in exc.value.problems[0].message
    lonely = write(tmp_path, header(), "lonely.yaml")
    with pytest.raises(InputError) as exc:
        load_effective(lonely)
    assert "没有 extends" in exc.value.problems[0].message


def test_check_with_a_bad_tailoring_file_exits_3_with_the_location(runner, tmp_path):
    path = write(tmp_path, header() + "params:\n  briefings_per_yaer: 2\n")
    result = runner.invoke(main, ["check", str(FIXTURES), "--tailoring", str(path), "--as-of", "2025-11-20"])
    assert result.exit_code == 3 and f"{path}:5:3" in result.stderr and "briefings_per_year" in result.stderr


def test_an_absurd_deadline_is_a_located_error_in_a_tailoring_file(tmp_path):
    [problem] = problems(tmp_path, """\
        overrides:
          E2: {deadline_days: 1000000000000}
        """)
    assert problem.line == 5 and "不能大于 3650" in problem.message


def test_an_absurd_deadline_is_a_located_error_in_a_pack(tmp_path):
    text = PACK_PATH.read_text(encoding="utf-8").replace("    deadline_days: 60\n", "    deadline_days: 1000000000000\n", 1)
    path = write(tmp_path, text, "pack.yaml")
    with pytest.raises(InputError) as exc:
        load_effective(path, [])
    [problem] = exc.value.problems
    line = text[:text.index("    deadline_days: 1000000000000")].count("\n") + 1
    assert problem.line == line and "deadline_days" in problem.path and "不能大于 3650" in problem.message
