"""`compliance rules list/show/test/lint` and the self-test gate of `check`."""

from __future__ import annotations

import textwrap

from compliance.cli import main

from conftest import FIXTURES, PACK_PATH, ROOT

CITY = str(ROOT / "rules" / "tailoring" / "jinhai-half-year.yaml")


def rules(runner, *args):
    return runner.invoke(main, ["rules", *args])


def broken_pack(tmp_path):
    """The shipped pack with one wrong expectation in the examples of B2."""
    text = PACK_PATH.read_text(encoding="utf-8")
    old = "- {name: 已建经审会, expect: pass,"
    assert old in text
    path = tmp_path / "pack.yaml"
    path.write_text(text.replace(old, "- {name: 已建经审会, expect: fail,"), encoding="utf-8")
    return path


def test_list_filters_by_category_and_severity(runner):
    result = rules(runner, "list", "--category", "换届选举", "--severity", "严重")
    assert result.exit_code == 0
    assert "C1" in result.output and "C2" not in result.output and "B1 " not in result.output
    assert "共1条规则" in result.output


def test_list_rejects_an_unknown_category_in_chinese(runner):
    result = rules(runner, "list", "--category", "组织")
    assert result.exit_code == 2 and "没有类别「组织」" in result.stderr and "组织建设" in result.stderr


def test_list_shows_rules_disabled_by_tailoring_with_the_reason(runner):
    result = rules(runner, "list", "--tailoring", CITY, "--category", "组织建设")
    assert "停用（本市关心下一代工作" in result.output


def test_show_prints_condition_params_basis_measure_and_examples(runner):
    result = rules(runner, "show", "B3")
    out = result.output
    assert result.exit_code == 0
    for text in ("B3  女会员达到规定人数的工会建立女职工委员会", "适用条件：", "（工会.女会员人数 ≥ 参数 female_committee_threshold）",
                 "事实路径：union.committee、union.female_members、union.female_committee",
                 "female_committee_threshold = 10", "《中华人民共和国工会法》（2021年修正）第十一条", "（待确认，不向单位出示）",
                 "整改措施：在工会委员会领导下建立女职工委员会", "整改时限：90天", "自测样例（4个）", "不适用 女会员不足10人"):
        assert text in out, text


def test_show_tells_where_each_effective_value_came_from(runner):
    out = rules(runner, "show", "A1", "--tailoring", CITY).output
    assert "briefings_per_year = 2" in out and f"来源：{CITY}" in out and "规则包默认 1" in out
    assert "整改时限：30天" in out and "（按规则包原参数运行）" in out
    overview = rules(runner, "show", "--tailoring", CITY).output
    assert "briefings_per_year" in overview and "B6-2 停用" in overview and "E2 严重程度 → 一般" in overview
    assert "JH-A1 新增规则" in overview


def test_show_an_unknown_rule_suggests_a_close_id(runner):
    result = rules(runner, "show", "B33")
    assert result.exit_code == 2 and "没有这条规则" in result.stderr and "B3" in result.stderr


def test_rules_test_is_green_for_the_shipped_pack_and_the_city_example(runner):
    for args in ([], [str(PACK_PATH)], ["--tailoring", CITY], [CITY]):
        result = rules(runner, "test", *args)
        assert result.exit_code == 0, result.output
        assert "全部" in result.output and "个样例通过" in result.output


def test_rules_test_reports_a_failing_example_and_exits_1(runner, tmp_path):
    result = rules(runner, "test", str(broken_pack(tmp_path)))
    assert result.exit_code == 1
    assert "规则 B2 样例1「已建经审会」：期望 不符合，实际 符合" in result.output and "1个样例失败" in result.output


def test_check_refuses_a_pack_whose_examples_fail_unless_forced(runner, tmp_path):
    pack = str(broken_pack(tmp_path))
    unit = str(FIXTURES / "01-shi-caizhengju.yaml")
    refused = runner.invoke(main, ["check", unit, "--pack", pack, "--as-of", "2025-11-20"])
    assert refused.exit_code == 3 and "拒绝加载" in refused.stderr and "--force" in refused.stderr
    forced = runner.invoke(main, ["check", unit, "--pack", pack, "--as-of", "2025-11-20", "--force"])
    assert forced.exit_code == 0 and "因 --force 仍继续检查" in forced.stderr


def test_an_example_with_an_invalid_profile_or_missing_subject_fails_clearly(runner, tmp_path):
    text = PACK_PATH.read_text(encoding="utf-8")
    text = text.replace("- {name: 已开独立账户, expect: pass, profile: {union: {established: true, independent_account: true}}}",
                        "- {name: 已开独立账户, expect: pass, profile: {union: {established: 也许}}}")
    text = text.replace("- {name: 团支部有2万元经费, expect: pass, subject: 共青团,", "- {name: 团支部有2万元经费, expect: pass,")
    path = tmp_path / "pack.yaml"
    path.write_text(text, encoding="utf-8")
    out = rules(runner, "test", str(path)).output
    assert "样例档案无效：工会.是否建立" in out and "必须写 subject" in out


def test_lint_moved_to_the_rules_module_still_works(runner, tmp_path):
    assert rules(runner, "lint").exit_code == 0
    bad = tmp_path / "bad.yaml"
    bad.write_text(textwrap.dedent("""\
        pack: {id: x, title: x, version: "1", domain: dangjian}
        rules:
          - id: R1
            title: t
            category: c
            severity: 一般
            expect: {fact: union.fund_review_committee, eq: true}
            message: m
            basis: [{doc: d}]
            measure: m
        """), encoding="utf-8")
    result = rules(runner, "lint", str(bad))
    assert result.exit_code == 2 and "funds_review_committee" in result.stderr
