"""Waivers (豁免): approved, documented, time-limited exceptions — in the profile or in the inspector's file."""

from __future__ import annotations

import json
import textwrap

import pytest

from compliance.cli import main
from compliance.inputs.loader import InputError
from compliance.domains.dangjian.profile import Profile
from compliance.pipeline.run import check_profile
from compliance.engine.tailoring import attach_waivers, load_effective

from conftest import AS_OF, ROOT, minimal_profile

NO_STAFF_HOME = {"union": {"established": True}, "venues": {"staff_home": False}}


def e1(pack, waivers=None):
    """The finding of E1 (职工之家, a rule that may be waived) for a unit without one."""
    profile = Profile.model_validate(minimal_profile(**NO_STAFF_HOME, waivers=waivers or []))
    return next(f for f in check_profile(pack, profile, AS_OF) if f.rule_id == "E1")


def waiver(expires: str, document: str | None = "市直机关工委〔2025〕15号") -> dict:
    return {"rule": "E1", "reason": "正在办理", "document": document, "approver": "市直机关工委", "expires": expires}


def test_a_valid_waiver_turns_the_failure_into_waived_with_its_document(pack):
    finding = e1(pack, [waiver("2026-06-30")])
    assert finding.state == "waived" and "已豁免：市直机关工委〔2025〕15号" in finding.message


def test_a_waiver_past_its_expiry_does_not_silence_the_finding_and_says_so(pack):
    finding = e1(pack, [waiver("2025-06-30")])
    assert finding.state == "fail"
    assert "豁免已失效" in finding.message and "2025年6月30日" in finding.message and finding.waiver["expired"]


def test_a_waiver_without_an_approving_document_is_not_applied(pack):
    assert e1(pack, [waiver("2026-06-30", document=None)]).state == "fail"


def test_a_waiver_for_another_rule_does_not_apply(pack):
    other = waiver("2026-06-30") | {"rule": "E1-2"}
    assert e1(pack, [other]).state == "fail" and e1(pack, [other]).waiver is None


def test_the_inspector_s_waiver_file_applies_by_unit_id(tmp_path):
    path = tmp_path / "w.yaml"
    path.write_text(textwrap.dedent("""\
        waivers:
          - {unit: T-1, rule: E1, document: 市直机关工委〔2025〕18号, expires: 2026-03-31}
          - {unit: T-2, rule: E1, document: 市直机关工委〔2025〕19号, expires: 2026-03-31}
        """), encoding="utf-8")
    pack = load_effective(default="dangjian")
    attach_waivers(pack, path)
    finding = e1(pack)
    assert finding.state == "waived" and finding.waiver["source"] == str(path)
    assert "〔2025〕18号" in finding.message


def test_an_expired_entry_in_the_waiver_file_says_so(tmp_path):
    path = tmp_path / "w.yaml"
    path.write_text("waivers:\n  - {单位编号: T-1, 规则: E1, 批准文件: 〔2024〕9号, 有效期至: 2025-01-31}\n", encoding="utf-8")
    pack = load_effective(default="dangjian")
    attach_waivers(pack, path)
    finding = e1(pack)
    assert finding.state == "fail" and "豁免已失效：〔2024〕9号" in finding.message


def test_the_waiver_file_is_validated_with_located_chinese_errors(tmp_path):
    path = tmp_path / "w.yaml"
    path.write_text(textwrap.dedent("""\
        waivers:
          - {unit: T-1, rule: D33, document: 文件, expires: 2026-03-31}
          - {unit: T-1, rule: D3, expires: 2026-03-31}
        """), encoding="utf-8")
    with pytest.raises(InputError) as exc:
        attach_waivers(load_effective(default="dangjian"), path)
    [problem] = exc.value.problems
    assert problem.line == 3 and "批准文件" in problem.path and "缺少" in problem.message
    path.write_text("waivers:\n  - {unit: T-1, rule: D33, document: 文件, expires: 2026-03-31}\n", encoding="utf-8")
    with pytest.raises(InputError) as exc:
        attach_waivers(load_effective(default="dangjian"), path)
    assert exc.value.problems[0].line == 2 and "「D3」" in exc.value.problems[0].message


def test_check_waivers_option_with_the_shipped_example(runner):
    example = ROOT / "rules" / "waivers" / "shi-zhijiguanwei-2025.yaml"
    result = runner.invoke(main, ["check", str(ROOT / "fixtures" / "02-shi-shuiliju.yaml"), "--waivers", str(example),
                                  "--as-of", "2025-11-20", "--format", "json"])
    d3 = [f for f in json.loads(result.stdout)["findings"] if f["rule_id"] == "D3"]
    assert d3[0]["waiver"]["source"] == str(example)
    assert d3[0]["state"] == "fail" and "经批准延期整改：市直机关工委〔2025〕18号" in d3[0]["message"], \
        "a statutory duty is not waived: the approval only moves its deadline"
