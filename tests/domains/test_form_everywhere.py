"""The XLSX 信息采集表 is a profile wherever a profile is read: check, report, ledger sync, validate, import,
uploads from the web page; office spellings are read with a note at their cell; the form prints."""

from __future__ import annotations

import datetime as dt
import io
import json
import re
from pathlib import Path

import pytest
from openpyxl import load_workbook

from compliance.cli import main
from compliance.domains.form import read_form_cells
from compliance.domains.sanhui import DOMAIN as SANHUI
from compliance.domains.form_xlsx import form_workbook
from compliance.pipeline.run import check_profile, load_profile
from compliance.output.verdicts import problem_text
from compliance.pipeline.upload import cell_of as problem_cell, read_upload

from conftest import AS_OF, DANGJIAN, FIXTURES, ROOT

DAY = ["--as-of", AS_OF.isoformat()]
SANHUI_FIXTURES = ROOT / "fixtures-sanhui"


def filled(cells: dict[tuple[str, str], object], unit_id: str = "SZ-9", profile=None) -> bytes:
    """A 信息采集表 with ``cells`` ((sheet, field key or table cell like ``A3``) → value) filled in."""
    wb = load_workbook(io.BytesIO(form_workbook(DANGJIAN, profile, "市测试局")))
    cells = {("基本情况", "unit.id"): unit_id, **cells}
    for (sheet, key), value in cells.items():
        ws = wb[sheet]
        if re.fullmatch(r"[A-Z]+\d+", key):
            ws[key] = value
            continue
        row = next(r for r in ws.iter_rows() if r[1].value == key)
        row[2].value = value
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


def cell_of(data: bytes, sheet: str, key: str) -> str:
    ws = load_workbook(io.BytesIO(data))[sheet]
    row = next(r for r in ws.iter_rows() if r[1].value == key)
    return f"{sheet}!{row[2].coordinate}"


# --- a form is a profile everywhere ----------------------------------------------------------------

def pruned(data):
    """``data`` without empty sections (``women: {}`` has no cell to live in)."""
    if isinstance(data, dict):
        data = {k: pruned(v) for k, v in data.items()}
        return {k: v for k, v in data.items() if v not in ({}, None)}
    return [pruned(v) for v in data] if isinstance(data, list) else data


@pytest.mark.parametrize("domain, folder", [(DANGJIAN, FIXTURES), (SANHUI, SANHUI_FIXTURES)])
def test_every_fixture_reads_back_from_its_prefilled_form_with_the_same_findings(domain, folder):
    from compliance.engine.pack import load_pack

    pack = load_pack(ROOT / "rules" / f"{domain.key}.yaml")
    for path in sorted(folder.glob("*.yaml")):
        profile = load_profile(path, domain)
        form = read_form_cells(domain.profile_model, form_workbook(domain, profile), name=path.name)
        expected = {k: v for k, v in pruned(profile.model_dump()).items() if k != "domain"}
        assert pruned(form.profile.model_dump()) == expected, path.name
        assert form.notes == [], "a form written by us needs no normalising"
        findings = [(f.rule_id, f.state, f.message) for f in check_profile(pack, form.profile, AS_OF)]
        assert findings == [(f.rule_id, f.state, f.message) for f in check_profile(pack, profile, AS_OF)], path.name


def test_check_reads_forms_in_directories_and_globs_with_the_same_findings_as_yaml(runner, tmp_path, pack):
    source = FIXTURES / "02-shi-shuiliju.yaml"
    profile = load_profile(source, DANGJIAN)
    (tmp_path / "回收").mkdir()
    (tmp_path / "回收" / "水利局.xlsx").write_bytes(form_workbook(DANGJIAN, profile))
    (tmp_path / "回收" / "~$水利局.xlsx").write_bytes(b"lock file of an open workbook")
    for target in [str(tmp_path / "回收"), str(tmp_path / "回收" / "*.xlsx")]:
        result = runner.invoke(main, ["check", target, "--format", "json", *DAY])
        assert result.exit_code in (0, 1), result.output
        findings = json.loads(result.stdout)["findings"] if "findings" in json.loads(result.stdout) else None
        got = sorted((f["rule_id"], f["state"]) for f in findings) if findings is not None else None
        expected = sorted((f.rule_id, f.state) for f in check_profile(pack, profile, AS_OF))
        if got is not None:
            assert got == expected
        assert "水利局.xlsx" in result.stdout and "~$" not in result.stdout + result.stderr


def test_report_ledger_sync_and_validate_read_a_form_like_a_yaml_profile(runner, tmp_path):
    forms = tmp_path / "forms"
    forms.mkdir()
    (forms / "财政局.xlsx").write_bytes(form_workbook(DANGJIAN, load_profile(FIXTURES / "01-shi-caizhengju.yaml", DANGJIAN)))
    result = runner.invoke(main, ["validate", str(forms), *DAY])
    assert result.exit_code == 0 and "通过" in result.stdout and "财政局.xlsx" in result.stdout
    result = runner.invoke(main, ["report", str(forms), "-o", str(tmp_path / "out"), "--format", "md", *DAY])
    assert result.exit_code == 0, result.output
    assert "市财政局" in (tmp_path / "out" / "督查报告.md").read_text(encoding="utf-8")
    db = tmp_path / "l.sqlite"
    result = runner.invoke(main, ["ledger", "sync", str(forms / "财政局.xlsx"), "--db", str(db), *DAY])
    assert result.exit_code == 0 and "同步1个单位" in result.stdout, result.output


def test_a_bad_form_in_a_batch_is_reported_at_its_cell_and_the_others_are_checked(runner, tmp_path):
    (tmp_path / "a.xlsx").write_bytes(filled({("工会", "union.members"): "很多"}))
    (tmp_path / "b.yaml").write_text((FIXTURES / "02-shi-shuiliju.yaml").read_text(encoding="utf-8"), encoding="utf-8")
    result = runner.invoke(main, ["check", str(tmp_path), "--format", "csv", *DAY])
    assert result.exit_code == 2 and "市水利局" in result.stdout
    assert "工会!C8：「很多」应为整数" in result.stderr


# --- office spellings --------------------------------------------------------------------------------

@pytest.mark.parametrize("sheet, key, typed, value", [
    ("基本情况", "unit.founded", "2025年3月1日", dt.date(2025, 3, 1)),
    ("基本情况", "unit.founded", "2025.3.1", dt.date(2025, 3, 1)),
    ("基本情况", "unit.founded", "2025/3/1", dt.date(2025, 3, 1)),
    ("基本情况", "unit.founded", "2019/6/18", dt.date(2019, 6, 18)),
    ("基本情况", "unit.founded", "2025-3-1", dt.date(2025, 3, 1)),
    ("基本情况", "unit.founded", "２０２５年３月１日", dt.date(2025, 3, 1)),
    ("基本情况", "unit.staff_total", "88人", 88),
    ("基本情况", "unit.staff_total", "１２", 12),
    ("基本情况", "unit.staff_total", "1,200", 1200),
    ("工会", "union.term_years", "5年", 5),
    ("工会", "union.annual_funds", "50000元", 50000.0),
    ("党组织", "party.type", "机关 党委", "机关党委"),
    ("工会", "union.leader", "无", None),
    ("工会", "union.form", "空", None),
])
def test_an_office_spelling_is_read_with_a_note_at_its_cell(sheet, key, typed, value):
    data = filled({(sheet, key): typed})
    form = read_form_cells(DANGJIAN.profile_model, data, name="a.xlsx")
    node = form.profile
    for part in key.split("."):
        node = getattr(node, part) if node is not None else None
    assert node == value
    cell = cell_of(data, sheet, key)
    [note] = form.notes
    assert note.level == "note" and note.message.startswith(f"{cell}：「{typed}」按")


def test_the_note_reads_like_the_brief():
    form = read_form_cells(DANGJIAN.profile_model, filled({("基本情况", "unit.founded"): "2025年3月1日"}), name="a")
    assert form.notes[0].message == "基本情况!C12：「2025年3月1日」按2025-03-01处理"


def test_an_excel_date_and_time_cell_in_a_date_field_is_read_as_its_day_with_a_note():
    form = read_form_cells(DANGJIAN.profile_model, filled({("基本情况", "unit.founded"): dt.datetime(2025, 3, 1, 9, 30)}))
    assert form.profile.unit.founded == dt.date(2025, 3, 1)
    assert form.notes[0].message == "基本情况!C12：「2025-03-01 09:30」按2025-03-01处理（不计时间）"


def test_consistency_problems_in_a_form_name_the_field_in_chinese_only(runner, tmp_path):
    form = tmp_path / "a.xlsx"
    form.write_bytes(filled({("基本情况", "unit.staff_total"): 10, ("基本情况", "unit.staff_female"): 12}))
    result = runner.invoke(main, ["validate", str(form), *DAY])
    assert result.exit_code == 2 and "基本情况!C8：「单位.女职工人数」（12）大于" in result.stdout
    assert "staff_female" not in result.stdout


def test_an_excel_date_cell_needs_no_note():
    form = read_form_cells(DANGJIAN.profile_model, filled({("基本情况", "unit.founded"): dt.datetime(2025, 3, 1)}))
    assert form.profile.unit.founded == dt.date(2025, 3, 1) and form.notes == []


def test_wu_means_no_in_a_yes_no_field_and_blank_in_other_optional_fields():
    form = read_form_cells(DANGJIAN.profile_model, filled({("工会", "union.established"): "无",
                                                           ("工会", "union.leader"): "无"}))
    assert form.profile.union.established is False and form.profile.union.leader is None


@pytest.mark.parametrize("typed, expected", [
    ("2025年3月", "「2025年3月」缺少日：是不是2025年3月1日？请填写完整日期（年月日）"),
    ("25.3.1", "「25.3.1」年份只有两位：是不是2025年3月1日？请写出四位年份"),
    ("2025年2月30日", "「2025年2月30日」不是有效日期"),
    ("去年春天", "「去年春天」不是日期，请填写如2025-03-01或2025年3月1日"),
])
def test_a_date_that_could_mean_more_than_one_day_is_an_error_with_a_suggestion(typed, expected):
    data = filled({("基本情况", "unit.founded"): typed})
    upload = read_upload("a.xlsx", data, DANGJIAN, AS_OF)
    assert upload.profile is None
    assert any(p.message.startswith(f"{cell_of(data, '基本情况', 'unit.founded')}：{expected}") for p in upload.problems), upload.problems


def test_the_web_page_can_place_each_problem_next_to_its_cell():
    upload = read_upload("a.xlsx", filled({("工会", "union.term_years"): "3个月"}), DANGJIAN, AS_OF)
    assert [problem_cell(p) for p in upload.problems] == [("工会", "C9")]


def test_a_unit_that_does_not_fit_the_field_is_an_error():
    upload = read_upload("a.xlsx", filled({("工会", "union.term_years"): "3个月"}), DANGJIAN, AS_OF)
    assert [p.message for p in upload.problems] == ["工会!C9：「3个月」应只填写整数（单位：年），如3"]


def test_a_month_field_still_takes_a_month_alone():
    profile = load_profile(next(SANHUI_FIXTURES.glob("*.yaml")), SANHUI)
    wb = load_workbook(io.BytesIO(form_workbook(SANHUI, profile)))
    table = next(ws for ws in wb.worksheets if any(c.value == "党费交至" for c in ws[2]))
    column = next(c.column_letter for c in table[2] if c.value == "党费交至")
    table[f"{column}3"] = "2025年10月"
    buffer = io.BytesIO()
    wb.save(buffer)
    upload = read_upload("b.xlsx", buffer.getvalue(), SANHUI, AS_OF)
    assert upload.problems == [] and upload.profile.dues.members[0].paid_through == dt.date(2025, 10, 1)


def test_no_message_about_a_bad_cell_leaks_english():
    data = filled({("基本情况", "unit.staff_total"): "很多", ("基本情况", "unit.founded"): "2025年3月",
                   ("工会", "union.established"): "也许", ("党组织", "party.type"): "机关党委会",
                   ("工会", "union.members"): -3, ("工会", "union.funds_rate"): 300,
                   ("工作记录", "B3"): "开会", ("工作记录", "A3"): "昨天", ("基本情况", "unit.staff_female"): "=1+1",
                   ("基本情况", "unit.type"): 5, ("工会", "union.term_years"): 2.5},
                  unit_id=None)
    upload = read_upload("a.xlsx", data, DANGJIAN, AS_OF)
    assert len(upload.problems) >= 12, [p.message for p in upload.problems]
    for p in upload.problems:
        text = problem_text(p).removeprefix("a.xlsx:")
        text = re.sub(r"[\w一-龥]+![A-Z]+\d+|=1\+1", "", text)
        assert not re.search(r"[A-Za-z']", text), problem_text(p)
        assert not re.search(r"[一-龥] \d|\d [一-龥]", text), problem_text(p)
    assert any("是不是「机关党委」" in p.message for p in upload.problems)


# --- notes are notes -----------------------------------------------------------------------------------

def test_notes_are_shown_as_notes_and_never_fail_validation(runner, tmp_path):
    form = tmp_path / "a.xlsx"
    form.write_bytes(filled({("基本情况", "unit.staff_total"): "88人"}))
    result = runner.invoke(main, ["validate", str(form), "--strict", *DAY])
    assert result.exit_code == 0 and "说明：" in result.stdout and "「88人」按88处理" in result.stdout
    result = runner.invoke(main, ["validate", str(form), "--format", "sarif", *DAY])
    levels = {r["message"]["text"].split("：")[-1]: r["level"] for r in json.loads(result.stdout)["runs"][0]["results"]}
    assert levels.get("「88人」按88处理") == "note"
    result = runner.invoke(main, ["check", str(form), "--format", "csv", *DAY])
    assert "说明：" in result.stderr and "「88人」按88处理" in result.stderr and "警告：" not in result.stderr
    result = runner.invoke(main, ["ledger", "sync", str(form), "--db", str(tmp_path / "l.sqlite"), *DAY])
    assert "说明：" in result.stderr and "「88人」按88处理" in result.stderr


# --- import --------------------------------------------------------------------------------------------

def test_import_converts_many_forms_one_yaml_each_and_reports_the_bad_one(runner, tmp_path):
    (tmp_path / "甲.xlsx").write_bytes(filled({}, unit_id="A-1"))
    (tmp_path / "乙.xlsx").write_bytes(filled({("基本情况", "unit.staff_total"): "很多"}, unit_id="B-1"))
    (tmp_path / "丙.xlsx").write_bytes(filled({}, unit_id="C-1"))
    out = tmp_path / "档案"
    result = runner.invoke(main, ["import", *(str(tmp_path / f"{n}.xlsx") for n in "甲乙丙"), "-o", str(out), *DAY])
    assert result.exit_code == 2
    assert sorted(p.name for p in out.iterdir()) == ["丙.yaml", "甲.yaml"]
    assert "乙.xlsx" in result.stderr and "基本情况!C7：「很多」应为整数" in result.stderr
    assert "转换 2 份，失败 1 份" in result.stderr
    assert load_profile(out / "甲.yaml", DANGJIAN).unit.id == "A-1"


def test_import_never_overwrites_a_profile_without_force(runner, tmp_path):
    (tmp_path / "甲.xlsx").write_bytes(filled({}, unit_id="A-1"))
    (tmp_path / "乙.xlsx").write_bytes(filled({}, unit_id="B-1"))
    out = tmp_path / "档案"
    out.mkdir()
    (out / "甲.yaml").write_text("我的档案\n", encoding="utf-8")
    result = runner.invoke(main, ["import", str(tmp_path / "甲.xlsx"), str(tmp_path / "乙.xlsx"), "-o", str(out)])
    assert result.exit_code == 2 and "已存在" in result.stderr
    assert (out / "甲.yaml").read_text(encoding="utf-8") == "我的档案\n" and (out / "乙.yaml").exists()
    result = runner.invoke(main, ["import", str(tmp_path / "甲.xlsx"), "-o", str(out), "--force"])
    assert result.exit_code == 0 and "A-1" in (out / "甲.yaml").read_text(encoding="utf-8")


def test_import_of_one_form_to_a_yaml_file_still_works(runner, tmp_path):
    (tmp_path / "甲.xlsx").write_bytes(filled({}, unit_id="A-1"))
    result = runner.invoke(main, ["import", str(tmp_path / "甲.xlsx"), "-o", str(tmp_path / "甲档案.yaml"), *DAY])
    assert result.exit_code == 0 and load_profile(tmp_path / "甲档案.yaml", DANGJIAN).unit.id == "A-1"


# --- the form as written --------------------------------------------------------------------------------

def test_init_from_last_years_profile_prefills_the_form(runner, tmp_path):
    target = tmp_path / "新.xlsx"
    result = runner.invoke(main, ["init", "--xlsx", "--from", str(FIXTURES / "01-shi-caizhengju.yaml"), "-o", str(target)])
    assert result.exit_code == 0, result.output
    ws = load_workbook(target)["基本情况"]
    values = {r[1].value: r[2].value for r in ws.iter_rows(min_row=3)}
    assert values["unit.name"] == "市财政局" and values["unit.id"] == "SZ-001"
    assert runner.invoke(main, ["init", "--from", str(FIXTURES / "01-shi-caizhengju.yaml"), "-o",
                                str(tmp_path / "x.yaml")]).exit_code == 3, "--from is for the form"
    again = tmp_path / "再.xlsx"
    assert runner.invoke(main, ["init", "--xlsx", "--from", str(target), "-o", str(again)]).exit_code == 0
    assert read_form_cells(DANGJIAN.profile_model, again).profile == read_form_cells(DANGJIAN.profile_model, target).profile


def test_the_form_hides_its_keys_and_prints_to_the_page_width():
    wb = load_workbook(io.BytesIO(form_workbook(DANGJIAN, unit_name="市测试局")))
    for ws in wb.worksheets:
        assert ws["A1"].value.startswith("市测试局党建带群建信息采集表"), ws.title
        assert ws.print_title_rows == "$1:$2" and ws.sheet_properties.pageSetUpPr.fitToPage
        assert ws.page_setup.fitToWidth == 1 and ws.page_setup.fitToHeight == 0
        assert str(ws.page_setup.paperSize) == ws.PAPERSIZE_A4 and "&P" in ws.oddFooter.center.text
    section = wb["工会"]
    assert section.column_dimensions["B"].hidden and section.protection.sheet
    assert not section["C3"].protection.locked and section["A3"].protection.locked
    assert section["A3"].border.left.style == "thin"
    text = "\n".join(str(c.value) for row in wb["填表说明"].iter_rows() for c in row if c.value)
    assert "compliance" not in text and "报送" in text


# --- uploads --------------------------------------------------------------------------------------------

def test_read_upload_reads_a_form_or_a_yaml_profile_from_bytes():
    yaml_bytes = (FIXTURES / "01-shi-caizhengju.yaml").read_bytes()
    from_yaml = read_upload("财政局.yaml", yaml_bytes, DANGJIAN, AS_OF)
    from_form = read_upload("财政局.xlsx", form_workbook(DANGJIAN, from_yaml.profile), DANGJIAN, AS_OF)
    assert from_yaml.problems == [] and from_form.problems == []
    assert from_form.profile.model_dump() == from_yaml.profile.model_dump()


@pytest.mark.parametrize("name, data, message", [
    ("a.xlsx", b"not a zip", "不是有效的 XLSX 文件"),
    ("a.xlsx", b"PK" + b"\0" * (6 * 1024 * 1024), "文件过大"),
    ("a.yaml", b"a: &x [1]\nb: *x\n", "不支持 YAML 锚点"),
    ("a.yaml", b"\0\1\2", "不是文本文件"),
    ("a.yaml", b"unit: {id: A, name: \xff}", "不是 UTF-8"),
])
def test_read_upload_keeps_every_defence_of_the_command_line(name, data, message):
    upload = read_upload(name, data, DANGJIAN, AS_OF)
    assert upload.profile is None and message in upload.problems[0].message, upload.problems


def test_a_form_of_another_standard_is_validated_as_that_one_or_named_clearly(runner, tmp_path):
    profile = load_profile(next(SANHUI_FIXTURES.glob("*.yaml")), SANHUI)
    form = tmp_path / "支部.xlsx"
    form.write_bytes(form_workbook(SANHUI, profile))
    result = runner.invoke(main, ["validate", str(form), *DAY])
    assert result.exit_code == 0 and "通过" in result.stdout, result.output
    result = runner.invoke(main, ["check", str(form), *DAY])
    assert result.exit_code == 2 and "这是「三会一课」档案" in result.stderr and "--pack sanhui" in result.stderr
    assert runner.invoke(main, ["check", str(form), "--pack", "sanhui", *DAY]).exit_code in (0, 1)
