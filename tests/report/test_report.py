"""`compliance report`: 督查报告, 问题清单, 检查提纲 and 整改通知书 from one batch of profiles."""

from __future__ import annotations

import json
import re
import shutil
from collections import Counter
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner
from conftest import AS_OF, FIXTURES, minimal_profile

from compliance.findings import STATES
from compliance.cli import main
from compliance.report.overview import UNIT_STATE_ORDER

ARGS = ["--as-of", AS_OF.isoformat()]
WINDOWS_FORBIDDEN = re.compile(r'[<>:"/\\|?*\x00-\x1f]')


def write_yaml(path: Path, data: dict) -> Path:
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def batch(tmp_path_factory) -> Path:
    """The shipped fixtures plus: a unit with almost no data and a hostile name, a second file for
    SZ-014 (same unit, so file names must stay unique) and one file that is not a profile."""
    root = tmp_path_factory.mktemp("batch")
    inputs = root / "profiles"
    shutil.copytree(FIXTURES, inputs)
    # another unit whose id differs only in case (ids are unique in a run; file names must be, case-insensitively)
    copy = (FIXTURES / "02-shi-shuiliju.yaml").read_text(encoding="utf-8").replace('id: "SZ-014"', 'id: "sz-014"')
    (inputs / "99-copy-of-shuiliju.yaml").write_text(copy, encoding="utf-8")
    write_yaml(inputs / "98-sparse.yaml", minimal_profile(unit={"id": "CON", "name": '=市"测试:单位*/[一]?' + "很" * 40}))
    (inputs / "97-broken.yaml").write_text("unit: [unclosed\n", encoding="utf-8")
    return inputs


@pytest.fixture(scope="module")
def report(batch) -> tuple[Path, object]:
    out = batch.parent / "out"
    result = CliRunner().invoke(main, ["report", str(batch), "-o", str(out), *ARGS])
    return out, result


@pytest.fixture(scope="module")
def check_json(batch) -> dict:
    result = CliRunner().invoke(main, ["check", str(batch), "--format", "json", *ARGS])
    return json.loads(result.stdout)


def test_a_bad_file_is_reported_with_exit_2_and_the_other_units_still_get_their_reports(report):
    out, result = report
    assert result.exit_code == 2
    assert "97-broken.yaml" in result.stderr
    assert (out / "督查报告.docx").exists() and (out / "问题清单.xlsx").exists()
    assert len(list((out / "检查提纲").glob("*.docx"))) == 12  # 10 fixtures + sparse unit + sz-014


def test_overview_numbers_match_check_json(batch, check_json, pack):
    from compliance.report.overview import as_dict, build_overview
    from compliance.cli.report import collect

    units, problems, bad = collect(pack, (str(batch),), AS_OF)
    numbers = as_dict(build_overview(pack, units, AS_OF, problems, bad))
    findings = check_json["findings"]
    assert numbers["units"] == check_json["summary"]["units"] == 12
    assert numbers["states"] == check_json["summary"]["states"]
    assert numbers["fail_by_severity"] == check_json["summary"]["fail_by_severity"]
    by_rule = Counter((f["rule_id"], f["state"]) for f in findings)
    for rule_id, stat in numbers["rules"].items():
        assert stat["findings"] == {s: by_rule.get((rule_id, s), 0) for s in STATES}, rule_id
    per_unit_rule: dict[tuple[str, str], list[str]] = {}
    for f in findings:
        per_unit_rule.setdefault((f["source"], f["rule_id"]), []).append(f["state"])
    for rule_id, stat in numbers["rules"].items():
        expected = Counter(next(s for s in UNIT_STATE_ORDER if s in states)
                           for (src, rid), states in per_unit_rule.items() if rid == rule_id)
        assert sum(stat["units"].values()) == 12
        for state in ("fail", "unknown", "waived"):
            assert stat["units"][state] == expected.get(state, 0), (rule_id, state)


def test_xlsx_summary_counts_match_check_json(report, check_json):
    import openpyxl

    wb = openpyxl.load_workbook(report[0] / "问题清单.xlsx")
    ws = wb["汇总"]
    header = [c.value for c in ws[3]]  # rows 1-2: title and date line
    rows = [dict(zip(header, (c.value for c in row))) for row in ws.iter_rows(min_row=4) if row[1].value]
    fails = Counter((f["source"], f["severity"]) for f in check_json["findings"] if f["state"] == "fail")
    unknown = Counter(f["source"] for f in check_json["findings"] if f["state"] == "unknown")
    assert len(rows) == 12
    for row in rows:
        src = row["档案文件"]
        assert (row["严重"], row["一般"], row["提示"]) == (fails[(src, "严重")], fails[(src, "一般")], fails[(src, "提示")])
        assert row["待核实"] == unknown[src]
        assert row["加权问题分"] == 5 * row["严重"] + 2 * row["一般"] + row["提示"] + row["待核实"]
    scores = [row["加权问题分"] for row in rows]
    assert scores == sorted(scores, reverse=True)
    assert wb["全部问题"].max_row - 3 == check_json["summary"]["states"]["fail"]


def test_xlsx_problem_list_is_print_ready_with_title_header_filters_colours_and_safe_sheet_names(report):
    import openpyxl

    wb = openpyxl.load_workbook(report[0] / "问题清单.xlsx")
    assert wb.sheetnames[0] == "汇总"
    names = [n.lower() for n in wb.sheetnames]
    assert len(names) == len(set(names))
    assert all(len(n) <= 31 and not set(n) & set("[]:*?/\\") for n in wb.sheetnames)
    unit_sheets = [n for n in wb.sheetnames if n.upper().startswith("SZ-014")]
    assert len(unit_sheets) == 2
    ws = wb[unit_sheets[0]]
    assert ws["A1"].value == "市水利局党建带群建工作问题清单" and "填报单位：市水利局" in ws["A2"].value
    assert "2025年11月20日" in ws["A2"].value
    header = [c.value for c in ws[3]]
    assert header[:8] == ["序号", "单位", "问题类别", "问题", "问题描述", "依据", "严重程度", "整改措施"]
    assert {"整改时限", "状态"} <= set(header)
    assert ws.freeze_panes == "A4" and ws.auto_filter.ref.startswith("A3:")
    assert ws.print_title_rows == "$3:$3"
    assert ws.page_setup.orientation == "landscape" and ws.page_setup.fitToWidth == 1
    assert ws.page_setup.fitToHeight == 0 and ws.sheet_properties.pageSetUpPr.fitToPage
    assert ws.column_dimensions["E"].width >= 30 and ws.column_dimensions["G"].width >= 8
    assert ws.cell(4, 1).border.left.style == "thin" and ws.cell(4, 5).alignment.wrap_text
    assert not any(re.match(r"^[A-Z]\d", str(c.value)) for c in ws["D"][3:])  # requirement names, not rule ids
    sev = header.index("严重程度")
    fills = {row[sev].value: row[sev].fill.fgColor.rgb for row in ws.iter_rows(min_row=4)}
    assert fills["严重"].endswith("FFC7CE") and fills["一般"].endswith("FFEB9C")
    deadline = ws.cell(4, header.index("整改时限") + 1).value
    assert deadline.date() > AS_OF
    hostile = next(row for row in wb["汇总"].iter_rows(min_row=4, values_only=True) if row[1] == "CON")
    assert hostile[2].startswith("'=")  # neutralised, not a formula
    hostile_sheet = wb[next(n for n in wb.sheetnames if n.startswith("CON"))]
    assert hostile_sheet["A1"].value.startswith("'=") and hostile_sheet["A1"].data_type == "s"


def test_overview_docx_has_the_numbers_charts_and_chinese_fonts(report, check_json):
    import docx
    from docx.oxml.ns import qn

    doc = docx.Document(str(report[0] / "督查报告.docx"))
    text = "\n".join(p.text for p in doc.paragraphs)
    summary = check_json["summary"]
    assert "党建带群建工作督查报告" in text
    assert f"本次督查共检查{summary['units']}个单位" in text
    assert f"共发现问题{summary['states']['fail']}个" in text
    assert "2.0.0" in text or check_json["pack"]["version"] in text
    headings = [p.text for p in doc.paragraphs if p.style.name.startswith("Heading")]
    assert headings[0].startswith("一、基本情况")
    assert len(doc.inline_shapes) == 2
    section = doc.sections[0]
    assert (round(section.page_width.mm), round(section.page_height.mm)) == (210, 297)
    assert doc.styles["Normal"].element.rPr.rFonts.get(qn("w:eastAsia")) == "仿宋_GB2312"
    assert doc.styles["Heading 1"].element.rPr.rFonts.get(qn("w:eastAsia")) == "黑体"
    assert doc.core_properties.created.date() == AS_OF == doc.core_properties.modified.date()
    rule_table = next(t for t in doc.tables if t.rows[0].cells[0].text == "编号")
    b2 = next(r for r in rule_table.rows if r.cells[0].text == "B2")
    fails_b2 = {f["source"] for f in check_json["findings"] if f["rule_id"] == "B2" and f["state"] == "fail"}
    assert b2.cells[4].text.startswith(f"{len(fails_b2)}")


def test_html_report_is_self_contained(report):
    html = (report[0] / "督查报告.html").read_text(encoding="utf-8")
    assert html.count("<svg") == 2  # charts as SVG with text as text: the viewer's fonts draw the Chinese
    assert "各类别问题发生率" in html[html.index("<svg"):]
    assert not re.search(r'(src|href)="(?!data:|#|http://www.w3.org/)', html)
    assert '<meta charset="utf-8">' in html.lower()


def test_markdown_report_links_the_chart_files_it_writes(report):
    out = report[0]
    md = (out / "督查报告.md").read_text(encoding="utf-8")
    for target in re.findall(r"!\[[^]]*\]\(([^)]+)\)", md):
        assert (out / target).read_bytes().startswith(b"\x89PNG")


def test_checklist_lists_unknown_items_with_documents_to_ask_for(report, pack):
    out = report[0]
    sparse = next((out / "检查提纲").glob("检查提纲_CON_*.md"))
    text = sparse.read_text(encoding="utf-8")
    assert "一、待核实事项" in text and "需调阅材料" in text
    b2_evidence = "、".join(pack.rule("B2").rule.evidence)
    assert b2_evidence in text


def test_checklist_shows_waivers_whose_documents_to_see(report):
    import docx

    path = next((report[0] / "检查提纲").glob("检查提纲_SZ-027_*.docx"))
    doc = docx.Document(str(path))
    waiver_table = next(t for t in doc.tables if t.rows[0].cells[2].text == "豁免状态")
    row = [c.text for c in waiver_table.rows[1].cells]
    assert row[1] == "建有职工之家" and row[2] == "有效" and row[4] == "市直机关工委〔2025〕15号"
    expired = next((report[0] / "检查提纲").glob("检查提纲_SZ-019_*.md")).read_text(encoding="utf-8")
    assert "已过期" in expired and "市直机关工委〔2024〕9号" in expired


def test_notice_is_addressed_to_the_unit_with_problems_deadline_and_signature(report, check_json):
    import docx
    from docx.oxml.ns import qn

    doc = docx.Document(str(report[0] / "整改通知书" / "整改通知书_SZ-014_市水利局.docx"))
    paragraphs = [p.text for p in doc.paragraphs if p.text.strip()]
    text = "\n".join(paragraphs)
    assert paragraphs[0] == "关于市水利局党建带群建工作存在问题的整改通知"
    assert paragraphs[1] == "市水利局机关党委："
    fails = [f for f in check_json["findings"] if f["source"].endswith("02-shi-shuiliju.yaml") and f["state"] == "fail"]
    assert f"存在以下{len({f['rule_id'] for f in fails})}个问题" in text  # one problem per requirement
    for f in fails:
        assert f["title"] in text and f["basis"] in text
    assert "请于2025年12月20日前" in text  # as-of + --reply-days (30)
    assert paragraphs[-2:] == ["市直机关工委", "2025年11月20日"]
    assert doc.styles["Title"].element.rPr.rFonts.get(qn("w:eastAsia"))
    assert (round(doc.sections[0].page_width.mm), round(doc.sections[0].page_height.mm)) == (210, 297)


def test_units_without_problems_get_no_notice(report, check_json):
    clean = {f["unit_id"] for f in check_json["findings"]} - {f["unit_id"] for f in check_json["findings"]
                                                               if f["state"] == "fail"}
    # CON has only 待核实 items (they go to its checklist); SZ-027's only finding is a reminder (C4), not a problem
    assert clean == {"SZ-001", "CON", "SZ-027"}
    notices = [p.name for p in (report[0] / "整改通知书").glob("*.docx")]
    assert not [n for n in notices if "SZ-001" in n or "CON" in n or "SZ-027" in n]
    assert len(notices) == 12 - len(clean)


def test_file_names_are_windows_safe_and_unique_per_unit(report):
    names = [p.name for p in (report[0] / "检查提纲").glob("*.docx")]
    assert len(names) == len({n.lower() for n in names})
    assert "检查提纲_SZ-014_市水利局.docx" in names and "检查提纲_sz-014_市水利局_2.docx" in names
    for name in names:
        stem = name.rsplit(".", 1)[0]
        assert not WINDOWS_FORBIDDEN.search(name) and not stem.endswith((" ", "."))
        assert len(name) < 120


def test_same_inputs_and_as_of_give_identical_files(batch, report):
    out2 = batch.parent / "again"
    CliRunner().invoke(main, ["report", str(batch), "-o", str(out2), *ARGS])
    first = {p.relative_to(report[0]): p.read_bytes() for p in report[0].rglob("*") if p.is_file()}
    second = {p.relative_to(out2): p.read_bytes() for p in out2.rglob("*") if p.is_file()}
    assert first.keys() == second.keys()
    assert [k for k in first if first[k] != second[k]] == []


def test_existing_reports_are_not_overwritten_without_force(tmp_path):
    src = FIXTURES / "01-shi-caizhengju.yaml"
    args = ["report", str(src), "-o", str(tmp_path), "--format", "md", *ARGS]
    assert CliRunner().invoke(main, args).exit_code == 0
    (tmp_path / "督查报告.md").write_text("我的修改", encoding="utf-8")
    refused = CliRunner().invoke(main, args)
    assert refused.exit_code == 2 and "--force" in refused.stderr
    assert (tmp_path / "督查报告.md").read_text(encoding="utf-8") == "我的修改"
    assert CliRunner().invoke(main, [*args, "--force"]).exit_code == 0
    assert "督查报告" in (tmp_path / "督查报告.md").read_text(encoding="utf-8")


@pytest.mark.parametrize("option", [["--format", "pdf"], ["--weights", "严重=x"], ["--weights", "重大=3"]])
def test_bad_options_are_usage_errors_in_chinese(tmp_path, option):
    result = CliRunner().invoke(main, ["report", str(FIXTURES), "-o", str(tmp_path), *option, *ARGS])
    assert result.exit_code == 3
    assert re.search(r"[\u4e00-\u9fff]", result.stderr) and "Traceback" not in result.stderr


def test_no_readable_profile_is_an_input_error(tmp_path):
    bad = tmp_path / "x.yaml"
    bad.write_text("- 1\n", encoding="utf-8")
    result = CliRunner().invoke(main, ["report", str(bad), "-o", str(tmp_path / "out"), *ARGS])
    assert result.exit_code == 2 and "未生成报告" in result.stderr
    assert not (tmp_path / "out").exists()


def test_safe_names_avoid_windows_reserved_names_and_characters():
    from compliance.output.files import safe_name

    assert safe_name("CON") == "_CON" and safe_name("lpt1.txt") == "_lpt1.txt"
    assert safe_name('a<b>c:"d/e\\f|g?h*') == "a_b_c__d_e_f_g_h_"
    assert safe_name("单位. ") == "单位" and safe_name("...") == "_"


def test_fail_on_and_issuer_options(tmp_path):
    unit = str(FIXTURES / "02-shi-shuiliju.yaml")
    plain = CliRunner().invoke(main, ["report", unit, "-o", str(tmp_path / "a"), "--format", "md", *ARGS])
    assert plain.exit_code == 0  # reports written; findings alone do not fail the run
    result = CliRunner().invoke(main, ["report", unit, "-o", str(tmp_path / "b"), "--format", "docx", *ARGS,
                                       "--fail-on", "严重", "--issuer", "中共某某市直属机关工作委员会"])
    assert result.exit_code == 1
    import docx

    notice = docx.Document(str(next((tmp_path / "b" / "整改通知书").glob("*.docx"))))
    texts = [p.text for p in notice.paragraphs if p.text.strip()]
    assert texts[-2] == "中共某某市直属机关工作委员会"
    assert "书面报送中共某某市直属机关工作委员会" in "\n".join(texts)
