"""What an office sends: the 整改通知书 and 督查报告 read as a 机关工委 writes them."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from click.testing import CliRunner
from conftest import AS_OF, FIXTURES

from compliance.cli import main

ARGS = ["--as-of", AS_OF.isoformat()]
RULE_ID = re.compile(r"(?<![A-Za-z0-9])[A-H]\d(-\d)?(?![0-9])")
SPACED_NUMBER = re.compile(r"[\u4e00-\u9fff] +\d|\d +[\u4e00-\u9fff]")


@pytest.fixture(scope="module")
def out(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("docs") / "out"
    result = CliRunner().invoke(main, ["report", str(FIXTURES), "-o", str(folder), *ARGS])
    assert result.exit_code == 0, result.stderr
    return folder


@pytest.fixture(scope="module")
def notice(out):
    import docx

    return docx.Document(str(out / "整改通知书" / "整改通知书_SZ-014_市水利局.docx"))


def body_text(doc) -> list[str]:
    return [p.text for p in doc.paragraphs if p.text.strip()]


def test_notice_opens_with_a_summary_table_of_grouped_problems(notice):
    table = notice.tables[0]
    assert [c.text for c in table.rows[0].cells] == ["序号", "问题", "严重程度", "整改时限"]
    problems = [row.cells[1].text for row in table.rows[1:]]
    assert len(problems) == len(set(problems))
    assert "群团组织每年自主开展活动（工会、共青团、妇委会）" in problems  # G1 ×3 → one problem
    assert all(re.fullmatch(r"\d{4}年\d{1,2}月\d{1,2}日", row.cells[3].text) for row in table.rows[1:])
    assert table.rows[0]._tr.trPr.xpath("./w:tblHeader")  # the header row repeats on every page


def test_notice_puts_reminders_apart_without_a_deadline(notice):
    text = body_text(notice)
    heading = text.index(next(t for t in text if t.endswith("、提示事项")))
    reminder = text[heading + 1]
    assert "巾帼" in reminder and "不属于问题" in reminder and "整改时限" not in reminder
    assert not any("巾帼" in row.cells[1].text for row in notice.tables[0].rows)


def test_notice_title_fits_one_line_and_pages_are_numbered(notice):
    from compliance.report.notice import title_size
    from compliance.report.wordml import USABLE_WIDTH_MM

    title = body_text(notice)[0]
    assert title == "关于市水利局党建带群建工作存在问题的整改通知"
    assert title_size(title) * len(title) <= USABLE_WIDTH_MM * 72 / 25.4
    footer = notice.sections[0].footer._element.xml
    assert 'w:instr=" PAGE "' in footer and 'w:instr=" NUMPAGES "' in footer
    assert "第" in footer and "页 共" in footer


def test_notice_prose_has_chinese_dates_no_spaced_numbers_and_no_field_paths(notice):
    text = "\n".join(body_text(notice)) + "\n".join(c.text for t in notice.tables for r in t.rows for c in r.cells)
    assert not re.search(r"\d{4}-\d{2}-\d{2}", text)
    assert not SPACED_NUMBER.search(text), SPACED_NUMBER.search(text)
    assert "缺少数据" not in text and not re.search(r"[\u4e00-\u9fff]\.[\u4e00-\u9fff]", text)


def test_fonts_come_from_styles_not_from_each_run(notice):
    from docx.oxml.ns import qn

    runs = notice.element.body.iter(qn("w:r"))
    assert not [r for r in runs if r.find(qn("w:rPr")) is not None and r.find(qn("w:rPr")).find(qn("w:rFonts")) is not None]
    assert notice.styles["Table Text"].element.rPr.rFonts.get(qn("w:eastAsia")) == "宋体"


def test_report_ranks_problems_by_severity_then_share_without_rule_ids_in_prose(out):
    import docx

    doc = docx.Document(str(out / "督查报告.docx"))
    text = body_text(doc)
    headings = [p.text for p in doc.paragraphs if p.style.name.startswith("Heading")]
    assert headings[:4] == ["一、基本情况", "二、主要成效", "三、存在的主要问题", "四、工作建议"]
    start, end = text.index("三、存在的主要问题"), text.index("四、工作建议")
    problems = [t for t in text[start + 1:end] if t.startswith("（")]
    order = {"严重": 0, "一般": 1, "提示": 2}
    severities = [order[re.search(r"落实不到位（(严重|一般|提示)）", p)[1]] for p in problems]
    assert problems and severities == sorted(severities)
    appendix = text.index(next(t for t in text if t.startswith("附表1")))
    assert not [t for t in text[:appendix] if RULE_ID.search(t)]
    assert "多数单位能够落实" in "\n".join(text[text.index("二、主要成效"):start])


def test_report_appendix_with_wide_tables_is_landscape(out):
    import docx
    from docx.enum.section import WD_ORIENT

    doc = docx.Document(str(out / "督查报告.docx"))
    assert doc.sections[0].orientation == WD_ORIENT.PORTRAIT
    assert doc.sections[-1].orientation == WD_ORIENT.LANDSCAPE
    assert doc.sections[-1].page_width > doc.sections[-1].page_height
    ranking = next(t for t in doc.tables if t.rows[0].cells[0].text == "排名")
    assert "已证实达标率" in [c.text for c in ranking.rows[0].cells]


def test_checklist_shows_field_labels_not_paths_or_file_names(out):
    text = (out / "检查提纲" / "检查提纲_SZ-014_市水利局.md").read_text(encoding="utf-8")
    assert ".yaml" not in text and "fixtures" not in text
    assert "缺少数据" not in text and not re.search(r"[\u4e00-\u9fff]\.[\u4e00-\u9fff]", text)
    assert "| 序号 | 问题 | 严重程度 |" in text


def test_report_with_a_ledger_tells_how_the_last_round_was_rectified(tmp_path):
    db = tmp_path / "ledger.sqlite"
    synced = CliRunner().invoke(main, ["ledger", "sync", str(FIXTURES), "--db", str(db), *ARGS])
    assert synced.exit_code in (0, 1), synced.stderr
    result = CliRunner().invoke(main, ["report", str(FIXTURES), "-o", str(tmp_path / "out"), "--format", "md",
                                       "--ledger", str(db), *ARGS])
    assert result.exit_code == 0, result.stderr
    md = (tmp_path / "out" / "督查报告.md").read_text(encoding="utf-8")
    section = md[md.index("## 四、上轮整改情况"):md.index("## 五、工作建议")]
    assert "销号率" in section and "逾期未整改" in section and "反弹" in section


def test_an_unreadable_ledger_is_a_chinese_usage_error(tmp_path):
    bad = tmp_path / "not-a-ledger.sqlite"
    bad.write_bytes(b"hello")
    result = CliRunner().invoke(main, ["report", str(FIXTURES), "-o", str(tmp_path / "out"), "--ledger", str(bad), *ARGS])
    assert result.exit_code == 3 and "台账" in result.stderr and "Traceback" not in result.stderr
    assert bad.read_bytes() == b"hello"


def test_parallel_jobs_write_the_same_bytes(tmp_path, out):
    result = CliRunner().invoke(main, ["report", str(FIXTURES), "-o", str(tmp_path / "p"), "--jobs", "2", *ARGS])
    assert result.exit_code == 0, result.stderr
    first = {p.relative_to(out): p.read_bytes() for p in out.rglob("*") if p.is_file()}
    second = {p.relative_to(tmp_path / "p"): p.read_bytes() for p in (tmp_path / "p").rglob("*") if p.is_file()}
    assert first.keys() == second.keys() and [k for k in first if first[k] != second[k]] == []


def test_every_writer_drops_characters_no_document_can_hold(pack, tmp_path):
    import io
    import zipfile

    import docx
    import openpyxl

    from compliance.findings import Finding
    from compliance.report.notice import notice_docx
    from compliance.report.office import Office
    from compliance.report.overview import UnitView, build_overview
    from compliance.report.xlsx import workbook_bytes

    rule = next(c.rule for c in pack.rules if c.rule.severity == "严重")
    bad = "坏\x01字\ufffe符"
    finding = Finding("U\x02", "单位" + bad, next(c.id for c in pack.rules if c.rule is rule), "", "fail",
                      rule.severity, rule.category, rule.title, "说明" + bad, "依据", "措施" + bad, {})
    unit = UnitView("U\x02", "=单位" + bad, "u.yaml", [finding], "单位" + bad)
    ov = build_overview(pack, [unit], AS_OF)
    document = docx.Document(io.BytesIO(notice_docx(unit, ov, Office().resolved("机关\x07"), 30)))
    assert "单位坏字符：" in [p.text for p in document.paragraphs]
    book = workbook_bytes(ov)
    with zipfile.ZipFile(io.BytesIO(book)) as archive:
        assert not any(b"\x01" in archive.read(n) for n in archive.namelist())
    sheet = openpyxl.load_workbook(io.BytesIO(book))["全部问题"]
    assert sheet.cell(4, 2).value == "'=单位坏字符" and sheet.cell(4, 5).value == "说明坏字符"
