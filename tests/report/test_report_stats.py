"""Statistics behind the 督查报告: units counted once per rule, weighted ranking, weights, tailoring/waivers."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner
from conftest import AS_OF, FIXTURES, ROOT

from compliance.cli import main
from compliance.findings import Finding
from compliance.report.overview import UnitView, build_overview, parse_weights


def finding(pack, rule_id: str, state: str, unit: str = "U1", subject: str = "") -> Finding:
    rule = next(c.rule for c in pack.rules if c.id == rule_id)
    return Finding(unit, f"单位{unit}", rule_id, subject, state, rule.severity, rule.category, rule.title,
                   "说明", "依据", "措施", {})


def severities(pack) -> dict[str, str]:
    """One enabled rule id per severity."""
    found: dict[str, str] = {}
    for c in pack.rules:
        found.setdefault(c.rule.severity, c.id)
    return found


def test_unit_failing_for_two_subjects_of_one_rule_is_one_failing_unit_but_two_problems(pack):
    rid = severities(pack)["一般"]
    unit = UnitView("U1", "单位U1", "u1.yaml", [finding(pack, rid, "fail", subject="工会"),
                                                finding(pack, rid, "fail", subject="团组织")])
    ov = build_overview(pack, [unit], AS_OF)
    stat = next(r for r in ov.rules if r.rule_id == rid)
    assert stat.units["fail"] == 1 and stat.findings["fail"] == 2
    assert ov.fail_by_severity["一般"] == 2 and ov.states["fail"] == 2
    assert stat.failing_units == ["单位U1"]


def test_units_rank_by_weighted_problems_and_ties_share_a_rank(pack):
    ids = severities(pack)
    severe = UnitView("A", "单位A", "a", [finding(pack, ids["严重"], "fail", "A")])           # 5
    general = UnitView("B", "单位B", "b", [finding(pack, ids["一般"], "fail", "B")])          # 2
    general2 = UnitView("C", "单位C", "c", [finding(pack, ids["一般"], "fail", "C")])         # 2
    clean = UnitView("D", "单位D", "d", [finding(pack, ids["一般"], "pass", "D")])           # 0
    ov = build_overview(pack, [clean, general2, general, severe], AS_OF)
    assert [(r.unit_id, r.score, r.rank) for r in ov.ranking] == [("A", 5, 1), ("B", 2, 2), ("C", 2, 2), ("D", 0, 4)]
    heavy = build_overview(pack, [severe, general], AS_OF, weights={"严重": 1, "一般": 3})
    assert [r.unit_id for r in heavy.ranking] == ["B", "A"]


def test_an_item_to_verify_is_not_yet_demonstrated_so_it_scores_and_lowers_the_met_share(pack):
    ids = severities(pack)
    documented = UnitView("A", "单位A", "a", [finding(pack, ids["一般"], "pass", "A")])
    undocumented = UnitView("B", "单位B", "b", [finding(pack, ids["一般"], "unknown", "B")])
    ov = build_overview(pack, [documented, undocumented], AS_OF)
    assert [(r.unit_id, r.score) for r in ov.ranking] == [("B", 1), ("A", 0)]
    by_id = {r.unit_id: r for r in ov.ranking}
    assert by_id["A"].met_share > by_id["B"].met_share
    assert [r.unit_id for r in ov.units_doing_well()] == ["A"]  # B has no problem, but nothing shown either
    assert build_overview(pack, [undocumented], AS_OF, weights={"待核实": 0}).ranking[0].score == 0


def test_problems_are_ranked_by_severity_before_share(pack):
    ids = severities(pack)
    units = [UnitView(u, f"单位{u}", u, [finding(pack, ids["一般"], "fail", u)]) for u in ("A", "B", "C")]
    units.append(UnitView("D", "单位D", "d", [finding(pack, ids["严重"], "fail", "D")]))
    ov = build_overview(pack, units, AS_OF)
    assert [r.rule_id for r in ov.common_problems()] == [ids["严重"], ids["一般"]]


def test_weights_are_parsed_with_chinese_errors():
    assert parse_weights("严重=10，一般=3, 提示=0") == {"严重": 10, "一般": 3, "提示": 0}
    assert parse_weights("待核实=0.5") == {"待核实": 0.5}
    for bad, words in (("重大=1", "严重程度=权重"), ("严重=x", "不是数字"), ("严重=-1", "不能为负数")):
        with pytest.raises(ValueError, match=words):
            parse_weights(bad)


def test_tailoring_and_waivers_change_the_report_as_they_change_check(tmp_path):
    options = ["--as-of", "2025-11-20", "--waivers", str(ROOT / "rules/waivers/shi-zhijiguanwei-2025.yaml"),
               "--tailoring", str(ROOT / "rules/tailoring/jinhai-half-year.yaml")]
    check = CliRunner().invoke(main, ["check", str(FIXTURES), *options, "--format", "json"])
    states = json.loads(check.stdout)["summary"]["states"]
    result = CliRunner().invoke(main, ["report", str(FIXTURES), "-o", str(tmp_path), *options, "--format", "md"])
    assert result.exit_code == 0, result.output
    md = (tmp_path / "督查报告.md").read_text(encoding="utf-8")
    assert f"| 不符合 | {states['fail']} |" in md and f"| 豁免 | {states['waived']} |" in md
    assert f"| 待核实 | {states['unknown']} |" in md


def test_every_report_format_is_made_by_some_registered_document():
    from compliance.report.documents import DOCUMENTS, FORMATS

    assert set(FORMATS) == {f for d in DOCUMENTS.values() for f in d.formats}
    assert [d.title for d in DOCUMENTS.values()] == ["督查报告", "问题清单", "检查提纲", "整改通知书"]
