"""The shipped pack is the standard: every catalogue item is covered, traceable and actionable."""

from __future__ import annotations

import re

import pytest

from compliance.cli.rules import params_of

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


def test_bases_cite_confirmed_union_law_articles_and_mark_secondary_sources(pack):
    docs = pack.meta.documents
    assert docs["gonghui_fa"].status == "已核实"
    for key in ("tuanzhang", "dangzhang", "zhibu_tiaoli", "xuanju_tiaoli", "nvzhigong_tiaoli", "shenji_tiaoli"):
        assert docs[key].status == "待确认", key
    assert docs["local_practice"].status == "地方实践"
    law_articles = {b.article for r in pack.rules for b in r.rule.basis if b.doc == "gonghui_fa"}
    assert {"第十一条", "第十二条", "第十六条", "第四十三条（二）", "第四十五条"} <= law_articles
    assert "（待确认）" in pack.rule("F3").basis_text and "（地方实践）" in pack.rule("F4").basis_text


@pytest.mark.parametrize("rule_id,severity", [
    ("B1", "严重"), ("B2", "严重"), ("B4", "严重"), ("B5", "严重"), ("C1", "严重"), ("D3", "严重"),
    ("E2", "提示"), ("C4", "提示"), ("G5", "提示"),
])
def test_severity_follows_harm(pack, rule_id, severity):
    assert pack.rule(rule_id).rule.severity == severity


def test_the_term_warning_reads_as_a_reminder_not_a_violation(pack):
    c4 = pack.rule("C4").rule
    assert c4.category == "换届预警" and "非违规" in c4.title and c4.message.startswith("【提醒，非违规】")


def test_every_catalogue_param_is_a_pack_param_and_every_param_is_used(pack):
    used = {p for r in pack.rules for p in params_of(r)}
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
        assert {"pass", "fail", "unknown"} <= states, compiled.id
        if compiled.when is not None:
            assert "not_applicable" in states, compiled.id
        if compiled.foreach_path:
            assert all(e.subject for e in compiled.rule.examples), compiled.id
