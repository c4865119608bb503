"""The 三会一课 domain: its pack compiles against its own fact schema, every example and fixture gives
the intended states, every basis is registered and every 已核实 quote has a recorded source."""

from __future__ import annotations

import copy
import dataclasses
import datetime as dt
import re
from pathlib import Path

import pytest
import yaml

from compliance.domains.sanhui import DOMAIN
from compliance.domains.sanhui.facts import months_owed, periods
from compliance.domains.sanhui.profile import Profile
from compliance.engine.domain import find_pack
from compliance.engine.evaluate import check_unit
from compliance.engine.pack import EXAMPLE_AS_OF, LAG_PARAM, Pack, load_pack
from compliance.engine.selftest import run_examples
from compliance.inputs.loader import load_file
from compliance.inputs.validation import validate_as

ROOT = Path(__file__).resolve().parents[3]
PACK_PATH = find_pack("sanhui")
FIXTURES = ROOT / "fixtures-sanhui"
BASES = ROOT / "docs" / "sanhui-bases.md"
AS_OF = dt.date(2025, 11, 20)

PACK = load_pack(PACK_PATH)
EXAMPLES = [(r, i, ex) for r in PACK.rules for i, ex in enumerate(r.rule.examples)]


def single(compiled, params: dict | None = None) -> Pack:
    """``PACK`` reduced to one rule, with example parameters applied."""
    return dataclasses.replace(PACK, params=PACK.params | (params or {}), rules=[compiled])


def findings(profile: Profile, as_of: dt.date = AS_OF, pack: Pack = PACK) -> dict[str, str]:
    return {f.rule_id: f.state for f in check_unit(pack, DOMAIN.derive(profile, as_of), as_of)}


def profile_of(data: dict) -> Profile:
    data = copy.deepcopy(data)
    data["unit"] = {"id": "EXAMPLE", "name": "样例单位", **(data.get("unit") or {})}
    return Profile.model_validate(data)


# --- the pack ------------------------------------------------------------------------------------

def test_pack_is_installed_with_its_domain_and_has_ten_to_fifteen_rules():
    assert PACK_PATH == ROOT / "rules" / "sanhui.yaml"
    assert PACK.meta.id == "sanhui" and PACK.domain is DOMAIN
    assert 10 <= len(PACK.rules) <= 15
    assert len({r.id for r in PACK.rules}) == len(PACK.rules)


def test_every_rule_has_pass_fail_and_unknown_examples_and_not_applicable_when_conditional():
    for compiled in PACK.rules:
        states = {ex.expect for ex in compiled.rule.examples}
        unmet = "advisory" if compiled.rule.kind == "提醒" else "fail"
        assert {"pass", unmet, "unknown"} <= states, compiled.id
        if compiled.rule.when is not None:
            assert "not_applicable" in states, compiled.id


def test_every_rule_example_gives_its_expected_state():
    failing = [r.describe() for r in run_examples(PACK) if not r.ok]
    assert failing == []


def test_every_param_is_used_and_frequencies_are_params():
    text = PACK_PATH.read_text(encoding="utf-8")
    rules_text = text.split("\nrules:", 1)[1]
    for name in set(PACK.param_specs) - {LAG_PARAM}:  # the engine reads the 考核年度 lag, not a rule
        assert f"param: {name}" in rules_text, name
    assert not re.search(r"\b(gte|lte|lt|gt|eq): [2-9]", rules_text), "次数、期限应写成参数"


def test_fail_messages_are_chinese_and_name_the_unit_and_branch():
    for compiled, _, example in EXAMPLES:
        if example.expect != "fail":
            continue
        data = copy.deepcopy(example.profile)
        data.setdefault("branch", {})["name"] = "样例单位机关第一党支部"
        as_of = example.as_of or EXAMPLE_AS_OF
        facts = DOMAIN.derive(profile_of(data), as_of, example.year)
        [finding] = check_unit(single(compiled, example.params), facts, as_of)
        message = finding.message
        assert "机关第一党支部" in message and message.count("样例单位") == 1, message
        assert not re.search(r"[A-Za-z]", message), message
        assert " " not in message and "未填报" not in message.replace("批准文件：未填报", ""), message
        assert not re.search(r"\d{4}-\d{2}-\d{2}", message), message


# --- bases -------------------------------------------------------------------------------------

def _sections(markdown: str) -> dict[str, str]:
    parts = re.split(r"^## (\S+)\s*$", markdown, flags=re.M)
    return dict(zip(parts[1::2], parts[2::2]))


def test_every_basis_cites_a_registered_document_and_no_seed_material():
    documents = PACK.meta.documents
    for compiled in PACK.rules:
        for basis in compiled.rule.basis:
            assert basis.doc in documents, (compiled.id, basis.doc)
    for key, doc in documents.items():
        assert "seed" not in key and "种子" not in doc.title, key
        if doc.status != "已核实":
            assert doc.note, f"{key}：{doc.status}的文件须说明原因"


def test_confirmed_documents_have_a_recorded_source_for_every_quoted_article():
    sections = _sections(BASES.read_text(encoding="utf-8"))
    documents = PACK.meta.documents
    assert set(documents) <= set(sections), "每个文件在 docs/sanhui-bases.md 中有一节"
    for compiled in PACK.rules:
        for basis in compiled.rule.basis:
            if documents[basis.doc].kind != "法规依据" or documents[basis.doc].status != "已核实":
                continue
            assert basis.article and basis.quote, (compiled.id, basis.doc)
            section = sections[basis.doc]
            assert "已核实" in section.split("\n| ", 1)[0], basis.doc
            rows = [line for line in section.splitlines() if line.startswith(f"| {basis.article} |")]
            assert any(basis.quote in row and "http" in row for row in rows), (compiled.id, basis.doc, basis.article)


def test_only_confirmed_bases_and_work_requirements_are_printed_for_units():
    assert "待确认" not in "".join(r.basis_text for r in PACK.rules)
    assert PACK.rule("SH-A1").basis_text.startswith("《中国共产党支部工作条例（试行）》第十一条")
    assert PACK.rule("SH-B2").basis_text == "按照市直机关工委三会一课工作要求"
    assert "按照市直机关工委三会一课工作要求（党支部按季度组织党课）" in PACK.rule("SH-A4").basis_text


# --- fixtures ----------------------------------------------------------------------------------

EXPECTED_FAILS = {
    "01-shi-fagaiwei.yaml": set(),
    "02-shi-jiaoyuju.yaml": {"SH-B2", "SH-B3"},
    "03-shi-minzhengju.yaml": {"SH-A4", "SH-A5"},
    "04-shi-shangwuju.yaml": {"SH-C1", "SH-C2"},
    "05-shi-wenlvju.yaml": {"SH-D1"},
    "06-shi-tongjiju.yaml": set(),
}
EXPECTED_REMINDERS = {"02-shi-jiaoyuju.yaml": {"SH-D4"}}
EXPECTED_UNKNOWNS = {"06-shi-tongjiju.yaml": {"SH-A2", "SH-A3", "SH-B1", "SH-C1", "SH-C2"}}


def load_fixture(name: str) -> tuple[Profile, str]:
    data, text = load_file(FIXTURES / name)
    return validate_as(Profile, data, name, text), text


def test_every_fixture_is_listed():
    assert sorted(p.name for p in FIXTURES.glob("*.yaml")) == sorted(EXPECTED_FAILS)


@pytest.mark.parametrize("name", sorted(EXPECTED_FAILS))
def test_fixture_is_valid_and_gives_the_intended_results(name):
    profile, text = load_fixture(name)
    assert profile.domain == "sanhui" and profile.unit.type == "机关"
    errors, warnings = DOMAIN.assess(profile, AS_OF, name, text)
    assert errors == [] and warnings == []
    states = findings(profile)
    assert {r for r, s in states.items() if s == "fail"} == EXPECTED_FAILS[name]
    assert {r for r, s in states.items() if s == "unknown"} == EXPECTED_UNKNOWNS.get(name, set())
    assert {r for r, s in states.items() if s == "advisory"} == EXPECTED_REMINDERS.get(name, set())


def test_the_model_unit_passes_every_rule_that_applies():
    profile, _ = load_fixture("01-shi-fagaiwei.yaml")
    assert set(findings(profile).values()) == {"pass", "not_applicable"}


# --- facts -------------------------------------------------------------------------------------

def test_periods_are_the_completed_quarters_and_months_of_the_check_year():
    assert [p[0] for p in periods("quarter", AS_OF)] == ["第一季度", "第二季度", "第三季度"]
    assert len(periods("month", AS_OF)) == 10
    assert periods("quarter", dt.date(2025, 3, 31)) == []
    assert [p[0] for p in periods("quarter", dt.date(2025, 4, 1))] == ["第一季度"]
    assert [p[0] for p in periods("month", AS_OF, since=dt.date(2025, 8, 15))] == ["9月", "10月"]


def test_a_past_assessment_year_counts_all_its_quarters_and_months():
    early = dt.date(2026, 1, 10)
    assert periods("quarter", early) == []
    assert [p[0] for p in periods("quarter", early, year=2025)] == ["第一季度", "第二季度", "第三季度", "第四季度"]
    assert len(periods("month", early, year=2025)) == 12


def test_year_judges_the_assessment_year_not_the_calendar_year_of_the_check_date():
    meetings = [{"type": "组织生活会", "date": dt.date(2025, 12, 26)}]
    profile = profile_of({"meetings": meetings, "records_complete": "是"})
    early = dt.date(2026, 1, 10)
    judged = {f.rule_id: f for f in check_unit(PACK, DOMAIN.derive(profile, early, 2025), early)}
    assert judged["SH-B2"].state == "pass"
    assert judged["SH-A1"].state == "fail" and "2025年" in judged["SH-A1"].message
    calendar = {f.rule_id: f.state for f in check_unit(PACK, DOMAIN.derive(profile, early), early)}
    assert calendar["SH-B2"] == "fail" and calendar["SH-A1"] == "not_applicable"


def test_the_check_facts_name_the_assessment_year_s_first_and_last_day():
    check = DOMAIN.derive(profile_of({}), dt.date(2026, 1, 10), 2025)["check"]
    assert (check["year"], check["year_start"], check["year_end"]) == (2025, dt.date(2025, 1, 1), dt.date(2025, 12, 31))


def test_a_closed_assessment_year_is_judged_as_the_whole_year_and_an_open_one_up_to_the_check_date():
    profile = profile_of({"meetings": [], "records_complete": "是"})
    early, late = dt.date(2026, 1, 10), dt.date(2025, 11, 20)
    closed = {f.rule_id: f for f in check_unit(PACK, DOMAIN.derive(profile, early, 2025), early)}
    current = {f.rule_id: f for f in check_unit(PACK, DOMAIN.derive(profile, late, 2025), late)}
    assert "2025年全年未召开组织生活会" in closed["SH-B2"].message
    assert "2025年截至检查日未召开组织生活会" in current["SH-B2"].message


def test_months_owed_counts_whole_months_before_the_check_month():
    assert months_owed(dt.date(2025, 10, 1), None, AS_OF) == 0
    assert months_owed(dt.date(2025, 11, 1), None, AS_OF) == 0
    assert months_owed(dt.date(2026, 1, 1), None, AS_OF) == 0
    assert months_owed(dt.date(2025, 3, 1), None, AS_OF) == 7
    assert months_owed(None, True, AS_OF) == 0
    assert months_owed(None, None, AS_OF) is None


def test_a_shortfall_is_a_violation_only_when_the_records_are_confirmed_complete():
    meetings = [{"type": "支部党员大会", "date": dt.date(2025, 3, 18)}]
    unconfirmed = DOMAIN.derive(profile_of({"meetings": meetings}), AS_OF)
    confirmed = DOMAIN.derive(profile_of({"meetings": meetings, "records_complete": "是"}), AS_OF)
    absent = DOMAIN.derive(profile_of({"records_complete": "是"}), AS_OF)
    assert unconfirmed["sessions"]["member_meeting"]["periods_confirmed"] is None
    assert unconfirmed["meetings_confirmed"] is None
    assert [p["held"] for p in confirmed["sessions"]["member_meeting"]["periods_confirmed"]] == [1, 0, 0]
    assert absent["sessions"]["member_meeting"]["periods"] is None and absent["meetings_confirmed"] is None


def test_each_party_group_must_meet_every_month():
    groups = {"has_party_groups": True, "party_groups": [{"name": "一组"}, {"name": "二组"}]}
    meetings = [{"type": "党小组会", "date": dt.date(2025, 1, 8), "group": "一组"},
                {"type": "党小组会", "date": dt.date(2025, 1, 9), "group": "一组"}]
    facts = DOMAIN.derive(profile_of({"branch": groups, "meetings": meetings, "records_complete": True}), dt.date(2025, 2, 20))
    assert facts["sessions"]["group"]["periods_confirmed"] == [{"label": "1月", "held": 0}]
    unnamed = [{"type": "党小组会", "date": dt.date(2025, 1, 8)}]
    facts = DOMAIN.derive(profile_of({"branch": groups, "meetings": unnamed, "records_complete": True}), dt.date(2025, 2, 20))
    assert facts["sessions"]["group"]["periods_confirmed"] is None, "未注明党小组的记录不能证明哪个小组缺会"


def test_profile_accepts_chinese_keys_and_month_forms():
    profile = Profile.model_validate({
        "单位": {"单位编号": "X", "单位名称": "市审计局"},
        "党支部": {"党支部名称": "市审计局机关党支部", "设党小组": "否"},
        "党费": {"党员交纳情况": [{"姓名": "甲", "党费交至": "2025年9月"}, {"姓名": "乙", "党费交至": "2025/10"}]},
    })
    assert [m.paid_through for m in profile.dues.members] == [dt.date(2025, 9, 1), dt.date(2025, 10, 1)]
    facts = DOMAIN.derive(profile, AS_OF)
    assert facts["branch"]["display_name"] == "机关党支部"
    assert facts["dues"]["arrears_text"] == "甲欠交1个月"


def test_fact_labels_are_chinese():
    assert DOMAIN.label_of("branch.secretary") == "党支部.书记"
    assert DOMAIN.label_of("dues.members.months_owed") == "党费.党员交纳情况.欠交月数（截至上月）"
    assert DOMAIN.label_of("sessions.theme_day.periods_confirmed").startswith("定期组织生活.主题党日.")


# --- quality checks ----------------------------------------------------------------------------

def test_there_are_at_least_three_quality_checks_with_unique_ids():
    ids = [c.id for c in DOMAIN.quality_checks]
    assert len(ids) >= 3 and len(set(ids)) == len(ids)


def test_quality_checks_catch_inconsistent_records():
    text = """\
unit: {id: Q-1, name: 市测试局}
branch: {members: 5, founded: 2020-05-01, last_election: 2019-12-01, has_party_groups: 否, party_groups: [{name: 一组}]}
meetings:
  - {type: 支部党员大会, date: 2025-12-01, expected: 5, attendance: 6}
  - {type: 党课}
dues: {members: [{name: 甲, paid_through: 2026-01}]}
"""
    profile = Profile.model_validate(yaml.safe_load(text))
    errors, warnings = DOMAIN.assess(profile, AS_OF, "q.yaml", text)
    codes = sorted(p.code for p in errors), sorted(p.code for p in warnings)
    assert codes == (["SH-H1", "SH-H2", "SH-H5"], ["SH-H3", "SH-H4", "SH-H7", "SH-H8"])
    future = next(p for p in errors if p.code == "SH-H1")
    assert future.line == 4 and "（2025年12月1日）晚于检查日期2025年11月20日" in future.message


def test_the_domain_is_installed_and_its_pack_names_it():
    from compliance.engine.domain import domains

    assert domains()["sanhui"] is DOMAIN and DOMAIN.title == "三会一课"
    assert list(DOMAIN.packs) == ["sanhui"] and PACK.meta.domain == "sanhui"
