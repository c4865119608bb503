"""Waivers: an unknown rule is an input error, a waiver without a document is invalid, statutory duties are
not waived (an approval there is 经批准延期整改)."""

from __future__ import annotations

import datetime as dt
import textwrap

from compliance.engine.pack import load_pack
from compliance.pipeline.run import check_profile
from compliance.domains.dangjian.profile import Profile

from conftest import AS_OF, PACK_PATH, minimal_profile

WAIVER = {"rule": "D3", "reason": "法人资格证书办理中", "document": "市直机关工委〔2025〕15号", "expires": "2026-06-30"}
NO_ACCOUNT = {"established": True, "independent_account": False}


def write(tmp_path, body: str):
    path = tmp_path / "unit.yaml"
    path.write_text(textwrap.dedent(body), encoding="utf-8")
    return path


def test_a_waiver_naming_an_unknown_rule_is_an_input_error_with_a_suggestion(runner, tmp_path):
    from compliance.cli import main

    path = write(tmp_path, """\
        unit: {id: T-1, name: 测试单位}
        waivers:
          - rule: E-2
            document: 市直机关工委〔2025〕15号
            expires: 2026-06-30
        """)
    result = runner.invoke(main, ["check", str(path), "--as-of", "2025-11-20"])
    assert result.exit_code == 2
    assert "豁免引用的规则「E-2」在规则包中不存在，是不是想写「E2」？" in result.output
    assert f"{path}:3" in result.output, "located at the waiver's line"


def test_a_waiver_of_a_rule_left_out_by_skip_rule_is_still_known(runner, tmp_path):
    from compliance.cli import main

    path = write(tmp_path, """\
        unit: {id: T-1, name: 测试单位}
        waivers: [{rule: E2, document: 市直机关工委〔2025〕15号, expires: 2026-06-30}]
        """)
    result = runner.invoke(main, ["check", str(path), "--as-of", "2025-11-20", "--rule", "A4"])
    assert result.exit_code in (0, 1), result.output


def test_a_waiver_without_a_document_is_invalid_not_expired(pack, tmp_path):
    path = write(tmp_path, """\
        unit: {id: T-1, name: 测试单位}
        venues: {staff_home: false}
        union: {established: true}
        waivers: [{rule: E1, reason: 场地调整, expires: 2026-06-30}]
        """)
    from compliance.pipeline.run import check_files

    [outcome] = list(check_files(pack, [path], AS_OF))
    e1 = next(f for f in outcome.findings if f.rule_id == "E1")
    assert e1.state == "fail" and e1.waiver is None and "已失效" not in e1.message
    assert any("没有批准文件，豁免无效" in w.message and w.code == "H17" for w in outcome.warnings)


def test_statutory_duties_are_not_waived_but_postponed_with_the_new_deadline():
    pack = load_pack(PACK_PATH)
    assert pack.not_waivable == {"B2", "B2-2", "D3", "D4"}  # 经审会 (and its statutory report), 独立账户, 2% 拨缴
    profile = Profile.model_validate(minimal_profile(union=NO_ACCOUNT, waivers=[WAIVER]))
    d3 = next(f for f in check_profile(pack, profile, AS_OF) if f.rule_id == "D3")
    assert d3.state == "fail"
    assert "经批准延期整改" in d3.message and "2026年6月30日" in d3.message and "豁免" not in d3.message.split("；")[-1]
    assert AS_OF + dt.timedelta(days=d3.deadline_days) == dt.date(2026, 6, 30)


def test_a_waivable_rule_is_still_waived(pack):
    waiver = {**WAIVER, "rule": "E1"}
    profile = Profile.model_validate(minimal_profile(union={"established": True}, venues={"staff_home": False},
                                                     waivers=[waiver]))
    e1 = next(f for f in check_profile(pack, profile, AS_OF) if f.rule_id == "E1")
    assert e1.state == "waived"


def test_an_inspectors_waiver_without_a_document_is_refused(tmp_path):
    import pytest

    from compliance.engine.tailoring import attach_waivers
    from compliance.inputs.loader import InputError

    path = tmp_path / "waivers.yaml"
    path.write_text("waivers:\n  - {unit: SZ-014, rule: E1, expires: 2026-03-31}\n", encoding="utf-8")
    with pytest.raises(InputError) as exc:
        attach_waivers(load_pack(PACK_PATH), path)
    assert exc.value.problems[0].path == "豁免[1].批准文件 (waivers.0.document)"
