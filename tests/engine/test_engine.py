"""Evaluation: states, foreach subjects, messages, facts used, and waivers — on a small inline pack."""

from __future__ import annotations

import datetime as dt
import textwrap

import pytest

from compliance.findings import at_or_above
from compliance.engine.evaluate import check_unit
from compliance.domains.dangjian.facts import derive
from compliance.inputs.loader import InputError
from compliance.engine.pack import load_pack
from compliance.domains.dangjian.profile import Profile

from conftest import AS_OF, minimal_profile

PACK = textwrap.dedent(
    """
    pack:
      id: test
      title: 测试规则包
      version: "0.1"
      domain: dangjian
      documents:
        law: {title: 《中华人民共和国工会法》}
    params:
      threshold: {default: 25, title: 建会人数}
    rules:
      - id: R1
        title: 建立工会
        category: 组织建设
        severity: 严重
        when: {fact: unit.staff_total, gte: {param: threshold}}
        expect: {fact: union.established, eq: true}
        message: "{unit.name}有职工 {unit.staff_total} 人，未建立工会（阈值 {param.threshold}）"
        basis: [{doc: law, article: 第十一条}]
        measure: 成立工会
        evidence: [建会批复]
      - id: R2
        title: 按期换届
        category: 换届选举
        severity: 一般
        foreach: orgs
        when: {fact: item.established, eq: true}
        expect: {fact: item.term_overdue, eq: false}
        message: "{item.name}逾期 {item.days_overdue} 天"
        basis: [{doc: law, article: 第十六条}]
        measure: 换届
    """
)


@pytest.fixture(scope="module")
def small_pack(tmp_path_factory):
    path = tmp_path_factory.mktemp("pack") / "pack.yaml"
    path.write_text(PACK, encoding="utf-8")
    return load_pack(path)


def findings_for(pack, data, as_of=AS_OF):
    profile = Profile.model_validate(data)
    return check_unit(pack, derive(profile, as_of), as_of)


def by_key(findings):
    return {(f.rule_id, f.subject): f for f in findings}


def test_a_large_unit_without_a_union_fails_and_explains_itself(small_pack):
    data = minimal_profile(unit={"staff_total": 88}, union={"established": False})
    finding = by_key(findings_for(small_pack, data))[("R1", "")]
    assert finding.state == "fail"
    assert finding.message == "测试单位有职工 88 人，未建立工会（阈值 25）"
    assert finding.facts == {"unit.staff_total": 88, "union.established": False}
    assert finding.basis == "《中华人民共和国工会法》第十一条"
    assert (finding.severity, finding.category, finding.measure) == ("严重", "组织建设", "成立工会")
    assert finding.evidence == ["建会批复"]


def test_a_small_unit_is_not_applicable(small_pack):
    data = minimal_profile(unit={"staff_total": 10})
    assert by_key(findings_for(small_pack, data))[("R1", "")].state == "not_applicable"


def test_missing_staff_count_is_unknown_and_names_the_missing_fact(small_pack):
    data = minimal_profile(union={"established": False})
    finding = by_key(findings_for(small_pack, data))[("R1", "")]
    assert finding.state == "unknown"
    assert "“职工总数”" in finding.message
    assert "需现场核实" in finding.message


def test_unknown_applicability_with_the_requirement_met_is_a_pass(small_pack):
    data = minimal_profile(union={"established": True})
    assert by_key(findings_for(small_pack, data))[("R1", "")].state == "pass"


def test_foreach_gives_one_result_per_organization(small_pack):
    data = minimal_profile(
        union={"established": True, "term_years": 5, "last_election": "2019-06-18"},
        league={"established": True, "term_years": 3, "last_election": "2021-05-04"},
        women={"established": True, "term_years": 5, "last_election": "2023-03-08"},
        guan={"established": False},
    )
    results = by_key(findings_for(small_pack, data))
    assert results[("R2", "工会")].state == "fail"
    assert results[("R2", "工会")].message == "工会逾期 520 天"
    assert results[("R2", "工会")].facts == {"union.established": True, "union.term_overdue": True}
    assert results[("R2", "共青团")].state == "fail"
    assert results[("R2", "妇委会")].state == "pass"
    assert results[("R2", "关工委")].state == "not_applicable"


def test_an_org_without_election_data_is_unknown(small_pack):
    data = minimal_profile(union={"established": True})
    assert by_key(findings_for(small_pack, data))[("R2", "工会")].state == "unknown"


WAIVER = {"rule": "R1", "reason": "单位即将撤并", "document": "市直工委〔2025〕12号", "approver": "市直机关工委"}


def test_a_valid_waiver_turns_a_failure_into_waived_with_its_document(small_pack):
    data = minimal_profile(unit={"staff_total": 88}, union={"established": False},
                           waivers=[{**WAIVER, "expires": "2026-06-30"}])
    finding = by_key(findings_for(small_pack, data))[("R1", "")]
    assert finding.state == "waived"
    assert "市直工委〔2025〕12号" in finding.message


def test_an_expired_waiver_does_not_silence_the_finding_and_says_so(small_pack):
    data = minimal_profile(unit={"staff_total": 88}, union={"established": False},
                           waivers=[{**WAIVER, "expires": "2025-06-30"}])
    finding = by_key(findings_for(small_pack, data))[("R1", "")]
    assert finding.state == "fail"
    assert "豁免已失效" in finding.message
    assert finding.waiver["expired"] is True


def test_a_waiver_for_one_subject_leaves_the_others(small_pack):
    data = minimal_profile(
        union={"established": True, "term_years": 5, "last_election": "2019-06-18"},
        league={"established": True, "term_years": 3, "last_election": "2021-05-04"},
        waivers=[{"rule": "R2", "subject": "共青团", "document": "批复", "expires": "2026-01-01"}],
    )
    results = by_key(findings_for(small_pack, data))
    assert results[("R2", "共青团")].state == "waived"
    assert results[("R2", "工会")].state == "fail"


def test_a_waiver_without_a_document_is_not_valid(small_pack):
    data = minimal_profile(unit={"staff_total": 88}, union={"established": False},
                           waivers=[{"rule": "R1", "expires": "2026-06-30"}])
    assert by_key(findings_for(small_pack, data))[("R1", "")].state == "fail"


def test_fail_threshold_counts_only_failures_at_or_above_it(small_pack):
    data = minimal_profile(
        unit={"staff_total": 10},
        union={"established": True, "term_years": 5, "last_election": "2019-06-18"},
    )
    findings = findings_for(small_pack, data)
    assert not at_or_above(findings, "严重")
    assert at_or_above(findings, "一般")
    assert at_or_above(findings, "提示")


def test_the_check_date_decides_not_the_wall_clock(small_pack):
    data = minimal_profile(union={"established": True, "term_years": 5, "last_election": "2019-06-18"})
    assert by_key(findings_for(small_pack, data, dt.date(2024, 6, 17)))[("R2", "工会")].state == "pass"
    assert by_key(findings_for(small_pack, data, dt.date(2024, 6, 19)))[("R2", "工会")].state == "fail"


@pytest.mark.parametrize(
    ("broken", "message"),
    [
        ("expect: {fact: union.establish, eq: true}", "是不是想写「union.established」"),
        ("expect: {fact: union.established, eq: true}\n    severity: 一般", "重复"),
        ("expect: {fact: union.established, eq: true, gte: {param: treshold}}", "未定义的参数「treshold」"),
    ],
)
def test_a_broken_pack_is_rejected_at_load_with_line_numbers(tmp_path, broken, message):
    """A typo in a fact path or param, or a key written twice, is located in the pack file."""
    text = PACK.replace("expect: {fact: union.established, eq: true}", broken, 1)
    path = tmp_path / "bad.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(InputError) as info:
        load_pack(path)
    problem = info.value.problems[0]
    assert message in problem.message
    assert problem.line is not None and problem.line > 1


def test_an_invalid_severity_is_rejected_with_the_allowed_values(tmp_path):
    path = tmp_path / "bad.yaml"
    path.write_text(PACK.replace("severity: 严重", "severity: 很严重"), encoding="utf-8")
    with pytest.raises(InputError) as info:
        load_pack(path)
    problem = info.value.problems[0]
    assert "应为以下之一" in problem.message and "很严重" in problem.message
    assert problem.line == PACK.splitlines().index("    severity: 严重") + 1


def test_a_rendered_message_is_capped_at_2000_characters():
    from compliance.engine.conditions import Ctx
    from compliance.engine.evaluate import MAX_MESSAGE, render
    ctx = Ctx(facts={"unit": {"name": "名" * 1_000_000}}, params={}, as_of=None)
    text = render("单位{unit.name}未整改", ctx)
    assert len(text) == MAX_MESSAGE and text.endswith("…")


def test_messages_kept_for_reuse_stay_bounded_when_every_unit_names_its_own_subjects(small_pack):
    from compliance.engine.evaluate import MAX_REMEMBERED, rule_texts
    facts = derive(Profile.model_validate(minimal_profile()), AS_OF)
    count = 2 * MAX_REMEMBERED + 500  # more than it keeps of either state
    facts["orgs"] = [{"name": f"第{i}工会", "key": f"u{i}", "established": True,
                      "term_overdue": None if i % 2 else False} for i in range(count)]
    findings = [f for f in check_unit(small_pack, facts, AS_OF) if f.rule_id == "R2"]
    assert len(findings) == count
    last_unknown, last_pass = findings[-1], findings[-2]
    assert last_unknown.state == "unknown" and last_unknown.message.startswith(f"第{count - 1}工会：档案未填报")
    assert last_pass.message == f"符合：按期换届（第{count - 2}工会）"
    texts = rule_texts(small_pack.rule("R2"))
    assert 0 < len(texts.unknown) <= MAX_REMEMBERED and 0 < len(texts.settled) <= MAX_REMEMBERED
