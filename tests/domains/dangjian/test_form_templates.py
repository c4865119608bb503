"""`compliance init` (YAML template, XLSX 信息采集表) and `compliance import` (filled form → profile)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
import yaml
from openpyxl import load_workbook

from compliance.cli import main
from compliance.domains.form import read_form
from compliance.domains.dangjian.profile import Profile
from compliance.pipeline.run import load_profile
from compliance.domains.template import form_layout, yaml_template

from conftest import DANGJIAN, FIXTURES

AS_OF = ["--as-of", "2025-11-20"]


def leaf_keys(model, prefix=""):
    from compliance.domains.template import field_kind

    for name, field in model.model_fields.items():
        kind = field_kind(field.annotation)
        if kind.model is not None:
            yield from leaf_keys(kind.model, f"{prefix}{name}.")
        else:
            yield f"{prefix}{name}"


# --- YAML template ---------------------------------------------------------------------------

def test_yaml_template_has_a_chinese_comment_for_every_field():
    text = yaml_template(Profile, "党建带群建", "dangjian", "市测试局")
    for key in leaf_keys(Profile):
        name = key.rsplit(".", 1)[-1]
        assert any(line.lstrip("# -").startswith(f"{name}:") and "  # " in line for line in text.splitlines()), key
    assert "# yaml-language-server: $schema=" in text
    assert "可选：机关 / 事业单位" in text and "是/否" in text and "日期 YYYY-MM-DD" in text


def test_yaml_template_needs_only_the_unit_id_to_validate(runner, tmp_path):
    target = tmp_path / "市测试局.yaml"
    assert runner.invoke(main, ["init", "市测试局", "-o", str(target)]).exit_code == 0
    result = runner.invoke(main, ["validate", str(target), *AS_OF])
    assert result.exit_code == 2 and "单位编号" in result.stdout
    target.write_text(target.read_text(encoding="utf-8").replace("  id:  #", "  id: SZ-099  #"), encoding="utf-8")
    assert runner.invoke(main, ["validate", str(target), *AS_OF]).exit_code == 0
    profile = load_profile(target, DANGJIAN)
    assert profile.unit.name == "市测试局" and profile.union is None and profile.events is None  # blank = not filled


def test_a_filled_yaml_template_checks_like_any_profile(runner, tmp_path):
    target = tmp_path / "t.yaml"
    runner.invoke(main, ["init", "示范单位", "-o", str(target)])
    text = target.read_text(encoding="utf-8").replace("  id:  #", "  id: T-2  #")
    text = text.replace("  staff_total:  #", "  staff_total: 40  #").replace("  staff_female:  #", "  staff_female: 41  #")
    target.write_text(text, encoding="utf-8")
    result = runner.invoke(main, ["validate", str(target), *AS_OF])
    assert result.exit_code == 2 and "H1" in result.stdout


def test_init_refuses_to_overwrite_without_force(runner, tmp_path):
    target = tmp_path / "x.yaml"
    target.write_text("我的数据\n", encoding="utf-8")
    result = runner.invoke(main, ["init", "甲", "-o", str(target)])
    assert result.exit_code == 2 and "已存在" in result.stderr and target.read_text(encoding="utf-8") == "我的数据\n"
    assert runner.invoke(main, ["init", "甲", "-o", str(target), "--force"]).exit_code == 0
    assert "甲" in target.read_text(encoding="utf-8")


def test_init_writes_unit_name_dot_yaml_by_default(runner, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert runner.invoke(main, ["init", "市审计局"]).exit_code == 0
    assert (tmp_path / "市审计局.yaml").exists()


# --- XLSX form -------------------------------------------------------------------------------

@pytest.fixture
def form(runner, tmp_path) -> Path:
    target = tmp_path / "form.xlsx"
    result = runner.invoke(main, ["init", "--xlsx", "市测试局", "-o", str(target)])
    assert result.exit_code == 0, result.output
    return target


def set_value(wb, sheet: str, key: str, value) -> str:
    ws = wb[sheet]
    for row in ws.iter_rows(min_row=2):
        if row[1].value == key:
            row[2].value = value
            return f"{sheet}!{row[2].coordinate}"
    raise KeyError(key)


def test_the_form_has_instructions_a_sheet_per_section_and_table_sheets(form):
    wb = load_workbook(form)
    sections, tables = form_layout(Profile)
    assert wb.sheetnames[0] == "填表说明"
    assert {"基本情况", "党组织", "工会", "共青团", "妇委会", "关工委", "责任落实"} <= set(wb.sheetnames)
    assert {"工作记录", "团员名册", "豁免"} <= set(wb.sheetnames)
    assert len(wb.sheetnames) == 1 + len(sections) + len(tables)
    form_keys = {f.key for _, fields in sections for f in fields}
    table_keys = tuple(f"{t.key}." for t in tables)
    assert {k for k in leaf_keys(Profile) if k != "schema_version" and not k.startswith(table_keys)} <= form_keys
    ws = wb["工会"]
    assert ws["A1"].value == "市测试局党建带群建信息采集表·工会", "a title row names the unit and the section"
    assert ws["A2"].value == "项目" and ws["C2"].value == "填写内容"
    lists = {dv.formula1 for dv in ws.data_validations.dataValidation if dv.type == "list"}
    assert '"是,否"' in lists
    date_row = next(r for r in ws.iter_rows(min_row=2) if r[1].value == "union.last_election")
    assert date_row[2].number_format == "yyyy-mm-dd"
    events = wb["工作记录"]
    assert any("听取汇报" in (dv.formula1 or "") for dv in events.data_validations.dataValidation)
    assert wb["基本情况"]["C4"].value == "市测试局"


def test_a_filled_form_imports_to_a_profile_that_validates(runner, form, tmp_path):
    wb = load_workbook(form)
    set_value(wb, "基本情况", "unit.id", "SZ-100")
    set_value(wb, "基本情况", "unit.staff_total", 88)
    set_value(wb, "基本情况", "unit.founded", dt.datetime(1984, 3, 1))
    set_value(wb, "工会", "union.established", "是")
    set_value(wb, "工会", "union.members", 80)
    set_value(wb, "工会", "union.postponement.approved", "否")
    set_value(wb, "党组织", "party.type", "机关党委")
    ev = wb["工作记录"]
    for col, value in zip("ABCF", [dt.datetime(2025, 3, 20), "听取汇报", "党组织", "=不是公式而是文字"]):
        ev[f"{col}3"] = value
    ev["F3"].data_type = "s"
    wb["团员名册"]["A3"], wb["团员名册"]["B3"] = "张三", dt.datetime(1999, 5, 4)
    wb.save(form)
    out = tmp_path / "p.yaml"
    result = runner.invoke(main, ["import", str(form), "-o", str(out), *AS_OF])
    assert result.exit_code == 0, result.output
    profile = load_profile(out, DANGJIAN)
    assert profile.unit.id == "SZ-100" and profile.unit.founded == dt.date(1984, 3, 1)
    assert profile.union.established is True and profile.union.postponement.approved is False
    assert profile.events[0].date == dt.date(2025, 3, 20) and profile.events[0].title == "=不是公式而是文字"
    assert profile.league.roster[0].birth_date == dt.date(1999, 5, 4)
    assert profile.women is None, "empty sections stay 未填报"
    assert runner.invoke(main, ["validate", str(out), *AS_OF]).exit_code == 0
    assert runner.invoke(main, ["validate", str(form), *AS_OF]).exit_code == 0


def test_errors_point_at_sheet_and_cell(runner, form, tmp_path):
    wb = load_workbook(form)
    set_value(wb, "基本情况", "unit.id", "SZ-1")
    cell = set_value(wb, "基本情况", "unit.staff_total", "很多")
    wb["工作记录"]["A3"], wb["工作记录"]["B3"] = dt.datetime(2025, 1, 1), "开会"
    wb.save(form)
    result = runner.invoke(main, ["import", str(form), "-o", str(tmp_path / "p.yaml")])
    assert result.exit_code == 2 and not (tmp_path / "p.yaml").exists()
    assert f"{cell}：「很多」应为整数" in result.stderr and cell == "基本情况!C7"
    assert "工作记录!B3：「开会」不是可选项，可选：听取汇报、" in result.stderr


def test_consistency_errors_point_at_cells_too(runner, form, tmp_path):
    wb = load_workbook(form)
    set_value(wb, "基本情况", "unit.id", "SZ-1")
    set_value(wb, "基本情况", "unit.staff_total", 10)
    cell = set_value(wb, "基本情况", "unit.staff_female", 12)
    wb.save(form)
    result = runner.invoke(main, ["validate", str(form), *AS_OF])
    assert result.exit_code == 2 and f"{cell}：「单位.女职工人数」（12）大于" in result.stdout


def test_a_formula_cell_is_an_error_and_never_evaluated(runner, form, tmp_path):
    wb = load_workbook(form)
    set_value(wb, "基本情况", "unit.id", "SZ-1")
    cell = set_value(wb, "基本情况", "unit.staff_total", "=SUM(40,48)")
    wb.save(form)
    with pytest.raises(Exception) as info:
        read_form(Profile, form)
    assert f"{cell}：单元格含公式" in str(info.value)
    result = runner.invoke(main, ["validate", str(form)])
    assert result.exit_code == 2 and "公式不会被计算" in result.stdout


def test_import_refuses_to_overwrite(runner, form, tmp_path):
    out = tmp_path / "p.yaml"
    out.write_text("旧档案\n", encoding="utf-8")
    result = runner.invoke(main, ["import", str(form), "-o", str(out)])
    assert result.exit_code == 2 and out.read_text(encoding="utf-8") == "旧档案\n"


def test_a_fixture_survives_a_round_trip_through_the_form_shape(tmp_path):
    """Every fixture field has a place in the form: layout keys cover what fixtures use."""
    sections, tables = form_layout(Profile)
    keys = {f.key for _, fields in sections for f in fields} | {t.key for t in tables}
    for path in FIXTURES.glob("*.yaml"):
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        for section, body in data.items():
            if isinstance(body, dict):
                for name, value in body.items():
                    if not isinstance(value, dict):
                        assert f"{section}.{name}" in keys or name == "notes", (path.name, section, name)


def test_the_blank_template_left_empty_gives_no_false_problem(pack):
    """Empty blocks written by ``compliance init`` (such as ``postponement:``) mean "not filled", not 未批准."""
    import yaml

    from compliance.engine.evaluate import check_unit

    data = yaml.safe_load(yaml_template(Profile, "党建带群建", "dangjian", "市测试局").replace("  id:  #", "  id: T-1  #", 1))
    profile = Profile.model_validate(data)
    assert profile.party is None or profile.party.postponement is None
    day = dt.date(2025, 11, 20)
    findings = check_unit(pack, DANGJIAN.derive(profile, day), day)
    assert [f.rule_id for f in findings if f.state == "fail"] == []
