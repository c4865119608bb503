"""The shipped pack is the standard: every catalogue item is covered, traceable and actionable."""

from __future__ import annotations

import re

import pytest

from compliance.cli.rules import params_of
from compliance.engine.pack import LAG_PARAM

CATALOGUE = (
    [f"A{i}" for i in range(1, 8)] + [f"B{i}" for i in range(1, 9)] + [f"C{i}" for i in range(1, 5)]
    + [f"D{i}" for i in range(1, 5)] + ["E1", "E2"] + [f"F{i}" for i in range(1, 6)] + [f"G{i}" for i in range(1, 6)]
)
CORE_IDS = ["A1", "A2", "A3", "A4", "B1", "B1-2", "B2", "B3", "B3-2", "B6", "B6-2", "C1", "C2", "D1", "D2", "D3"]


def test_every_catalogue_item_a1_to_g5_maps_to_at_least_one_rule(pack):
    covered = {c for r in pack.rules for c in r.rule.catalogue}
    assert [c for c in CATALOGUE if c not in covered] == []
    assert covered <= set(CATALOGUE), "H belongs to the data-quality checks, unknown ids are typos"


def test_rule_ids_of_the_core_pack_are_kept(pack):
    assert [i for i in CORE_IDS if pack.rule(i) is None] == []


def test_every_rule_is_actionable_with_measure_deadline_owner_and_evidence(pack):
    for compiled in pack.rules:
        r = compiled.rule
        assert len(r.measure) >= 20 and r.deadline_days > 0 and r.owner and r.evidence, r.id
        assert r.catalogue and r.basis, r.id


def quote(pack, rule_id: str, doc: str) -> tuple[str, str]:
    [basis] = [b for b in pack.rule(rule_id).rule.basis if b.doc == doc]
    return basis.article, basis.quote


def test_union_law_article_11_is_quoted_from_the_2021_text_which_covers_organs_as_employers(pack):
    articles = {b.article: b.quote for b in pack.rule("B1").rule.basis if b.doc == "gonghui_fa"}
    assert articles["第十一条第一款"] == "用人单位有会员二十五人以上的，应当建立基层工会委员会"


def test_union_law_article_12_is_quoted_in_full(pack):
    articles = {b.article: b.quote for b in pack.rule("B1").rule.basis if b.doc == "gonghui_fa"}
    assert articles["第十二条第一款"] == "基层工会、地方各级总工会、全国或者地方产业工会组织的建立，必须报上一级工会批准"


def test_the_two_percent_allocation_is_cited_as_article_43_paragraph_1_item_2_with_the_2021_wording(pack):
    assert quote(pack, "D4", "gonghui_fa") == (
        "第四十三条第一款第（二）项", "建立工会组织的用人单位按每月全部职工工资总额的百分之二向工会拨缴的经费")


def test_the_party_election_regulation_is_quoted_word_for_word(pack):
    assert quote(pack, "C3", "xuanju_tiaoli") == (
        "第三条第二款", "如需延期或者提前进行换届选举，应当报上级党组织批准。延长或者提前期限一般不超过1年。")


def test_confirmed_laws_record_where_and_when_they_were_checked(pack):
    for key, doc in pack.meta.documents.items():
        if doc.kind == "法规依据" and doc.status == "已核实":
            assert doc.source and doc.checked, key


def test_unconfirmed_bases_and_seed_material_are_never_printed_for_units(pack):
    docs = pack.meta.documents
    hidden = [d.title for d in docs.values() if not d.printable]
    assert {docs[k].kind for k in ("seed000", "seed001", "seed002", "seed004")} == {"背景材料"}
    for key in ("tuanzhang", "dangzhang", "zhibu_tiaoli", "nvzhigong_tiaoli", "shenji_tiaoli", "gonghui_zhangcheng"):
        assert docs[key].status == "待确认" and not docs[key].printable, key
    for compiled in pack.rules:
        printed = compiled.basis_text
        assert printed, compiled.id
        assert "待确认" not in printed and "种子材料" not in printed and "地方实践" not in printed, compiled.id
        assert not any(title in printed for title in hidden), compiled.id


def test_work_requirements_read_as_按照_without_parameter_values(pack):
    f4 = pack.rule("F4").basis_text
    assert f4.startswith("按照市直机关工委党建带群建工作要求") or "；按照市直机关工委党建带群建工作要求" in f4
    for compiled in pack.rules:
        for b in compiled.rule.basis:
            if b.doc == "local_practice" and b.article:
                assert not re.search(r"\d", b.article) and "参数" not in b.article, (compiled.id, b.article)


@pytest.mark.parametrize("rule_id,severity", [
    ("B1", "严重"), ("B2", "严重"), ("B4", "严重"), ("B5", "一般"), ("C1", "严重"), ("D3", "严重"), ("D4", "严重"),
    ("E2", "提示"), ("C4", "提示"), ("G5", "提示"),
])
def test_severity_follows_harm(pack, rule_id, severity):
    assert pack.rule(rule_id).rule.severity == severity


def test_reminders_are_rules_of_kind_提醒_not_problems(pack):
    assert {r.id for r in pack.rules if r.rule.kind == "提醒"} == {"C4", "G5"}
    assert pack.rule("C4").rule.category == "换届预警"


def test_every_catalogue_param_is_a_pack_param_and_every_param_is_used(pack):
    used = {p for r in pack.rules for p in params_of(r)} | {LAG_PARAM}  # the engine reads the 考核年度 lag
    assert used == set(pack.param_specs)
    for name in ("briefings_per_year", "union_staff_threshold", "female_committee_threshold", "league_org_threshold",
                 "reform_adjust_days", "union_term_years", "reelection_request_days", "postponement_max_days",
                 "term_warning_days", "union_funds_rate", "league_age_limit", "league_cadre_first_max_age",
                 "own_activities_per_year"):
        assert name in pack.param_specs


def test_thresholds_are_not_literals_in_conditions(pack):
    """Numbers that cities tighten live in params; only 0/1 counts may appear as literals."""
    for compiled in pack.rules:
        text = compiled.expect.text + (compiled.when.text if compiled.when else "")
        literals = {int(n) for n in re.findall(r"(?:≥|>|≤|<|=) (\d+)\b", text)}
        assert literals <= {0, 1}, (compiled.id, text)


def test_rules_with_an_applicability_condition_have_all_four_example_states(pack):
    for compiled in pack.rules:
        states = {e.expect for e in compiled.rule.examples}
        unmet = "advisory" if compiled.rule.kind == "提醒" else "fail"
        assert {"pass", unmet, "unknown"} <= states, compiled.id
        if compiled.when is not None:
            assert "not_applicable" in states, compiled.id
        if compiled.foreach_path:
            assert all(e.subject for e in compiled.rule.examples), compiled.id
