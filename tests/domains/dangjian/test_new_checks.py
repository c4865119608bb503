"""Pack v3's new checks: 换届程序, the 经审会 at work, 关工委 activity and funds, the 女职委主任, and the 团组织关系 of
members in units without a league organisation. Missing data is 待核实; a missing record is 不符合 only with the
records confirmed complete; each check has its fields in the profile, the template and the 信息采集表."""

from __future__ import annotations

from compliance.domains.dangjian.facts import derive
from compliance.domains.dangjian.profile import Profile
from compliance.domains.template import form_layout, yaml_template
from compliance.engine.evaluate import check_unit

from conftest import AS_OF, minimal_profile

UNION = {"established": True, "form": "基层工会委员会", "funds_review_committee": True}
AUDIT_REPORT = {"date": "2025-03-28", "type": "经费审查报告", "org": "工会"}


def found(pack, **sections):
    profile = Profile.model_validate(minimal_profile(**sections))
    return {(f.rule_id, f.subject): f for f in check_unit(pack, derive(profile, AS_OF), AS_OF)}


# --- 换届程序 (C1-3) ----------------------------------------------------------------------------

def test_an_election_not_approved_by_the_higher_body_fails_naming_the_leader_s_title(pack):
    c = found(pack, union={**UNION, "election_approved": "否"})[("C1-3", "工会")]
    assert c.state == "fail" and "选举结果和主席人选未报上级组织批准" in c.message


def test_an_approved_election_with_its_document_number_passes(pack):
    party = {"type": "党支部", "election_approved": "是", "election_approval_document": "市直机关工委〔2024〕3号"}
    assert found(pack, party=party)[("C1-3", "党组织")].state == "pass"


def test_an_approval_without_a_document_number_is_to_be_verified_not_a_pass(pack):
    assert found(pack, party={"election_approved": True})[("C1-3", "党组织")].state == "unknown"


# --- 经审会 reports to the 会员（代表）大会 (B2-2) ------------------------------------------------

def test_the_funds_review_committee_reporting_in_the_assessment_year_passes(pack):
    assert found(pack, union=UNION, events=[AUDIT_REPORT])[("B2-2", "")].state == "pass"


def test_no_audit_report_is_a_failure_only_with_the_records_confirmed_complete(pack):
    assert found(pack, union=UNION, events=[])[("B2-2", "")].state == "unknown"
    assert found(pack, union=UNION, events=[], records_complete=True)[("B2-2", "")].state == "fail"


def test_the_audit_report_cites_union_law_article_45_paragraph_3_word_for_word(pack):
    [basis] = [b for b in pack.rule("B2-2").rule.basis if b.doc == "gonghui_fa"]
    assert basis.article == "第四十五条第三款"
    assert basis.quote == ("各级工会经费收支情况应当由同级工会经费审查委员会审查，并且定期向会员大会或者会员代表大会报告，"
                           "接受监督。")


def test_the_statutory_audit_report_cannot_be_waived(pack):
    assert pack.rule("B2-2").rule.waivable is False


# --- 关工委 funds and activity (D2-2, G1-2) ------------------------------------------------------

def test_a_guan_committee_without_funds_fails_and_unreported_funds_are_to_be_verified(pack):
    assert found(pack, guan={"established": True, "annual_funds": 0})[("D2-2", "")].state == "fail"
    assert found(pack, guan={"established": True})[("D2-2", "")].state == "unknown"


def test_a_guan_committee_with_only_study_sessions_has_no_next_generation_activity(pack):
    events = [{"date": "2025-06-12", "type": "组织活动", "org": "关工委", "kind": "政治学习"}]
    g = found(pack, guan={"established": True}, events=events, records_complete=True)[("G1-2", "")]
    assert g.state == "fail" and "关工委2025年未开展关心下一代活动" in g.message


# --- 女职委主任 (B3-3) ---------------------------------------------------------------------------

def test_where_the_union_has_a_female_vice_chair_she_should_chair_the_female_committee(pack):
    union = {**UNION, "female_committee": True, "female_leader": True, "female_committee_chair": "齐悦",
             "female_committee_chair_post": "其他人员"}
    b = found(pack, union=union)[("B3-3", "")]
    assert b.state == "fail" and "女职工委员会主任齐悦未由其担任" in b.message


def test_without_a_female_chair_or_vice_chair_the_chair_is_agreed_otherwise(pack):
    union = {**UNION, "female_committee": True, "female_leader": False, "female_committee_chair_post": "其他人员"}
    assert found(pack, union=union)[("B3-3", "")].state == "not_applicable"


# --- 团组织关系 (F2-3) ---------------------------------------------------------------------------

def test_league_members_of_a_unit_without_a_league_organisation_need_their_membership_placed(pack):
    unit = {"id": "T-1", "name": "测试单位", "league_members": 2}
    f = found(pack, unit=unit, league={"established": False, "members_affiliated": False})[("F2-3", "")]
    assert f.state == "fail" and "2名团员的组织关系未转入上级团组织或联合团支部" in f.message
    assert found(pack, unit=unit, league={"established": False})[("F2-3", "")].state == "unknown"


# --- fields in the template and the form -------------------------------------------------------

NEW_TITLES = ("选举结果已批准", "选举结果批复文号", "有女主席或女副主席", "女职委主任的工会职务", "团员组织关系已落实")


def test_the_new_fields_are_in_the_init_template_with_chinese_titles():
    text = yaml_template(Profile, "党建带群建", "dangjian", "测试单位")
    for title in NEW_TITLES:
        assert title in text, title
    assert "经费审查报告" in text


def test_the_new_fields_are_rows_of_the_information_form_with_chinese_labels():
    sections, _ = form_layout(Profile)
    labels = {f.label for _, fields in sections for f in fields}
    assert all(title in labels for title in NEW_TITLES)
    [audit] = [f for _, fields in sections for f in fields if f.key == "union.female_committee_chair_post"]
    assert audit.kind.choices == ("工会女主席", "工会女副主席", "其他人员")


# --- 团支部 postponement limit (C3-2, 中青发〔2025〕1号第四条) -------------------------------------

def league_branch(until: str, form: str = "团支部") -> dict:
    return {"established": True, "form": form, "term_years": 3, "last_election": "2023-04-20",
            "postponement": {"approved": True, "document": "市直机关团工委〔2025〕9号", "until": until}}


def test_a_league_branch_postponed_beyond_six_months_fails_though_within_a_year(pack):
    judged = found(pack, league=league_branch("2026-12-31"))
    assert judged[("C3", "共青团")].state == "pass"
    c = judged[("C3-2", "共青团")]
    assert c.state == "fail" and "延长255天" in c.message and "2026年12月31日" in c.message


def test_a_league_committee_keeps_the_one_year_limit(pack):
    assert found(pack, league=league_branch("2026-12-31", "团委"))[("C3-2", "共青团")].state == "not_applicable"


def test_a_league_general_branch_takes_the_three_year_term_like_a_branch(pack):
    league = {"established": True, "form": "团总支", "term_years": 5}
    assert found(pack, league=league)[("C1-2", "共青团")].state == "fail"
