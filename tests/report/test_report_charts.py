"""Charts of the 督查报告 readable in Chinese, and one DOCX rendered to PDF/PNG (optional)."""

from __future__ import annotations

import os
import shutil
import subprocess
import warnings

import pytest
from click.testing import CliRunner
from conftest import AS_OF, FIXTURES

from compliance.report import charts
from compliance.cli import main

PNG = b"\x89PNG\r\n\x1a\n"


@pytest.fixture(scope="module")
def overview(pack):
    from compliance.report.overview import build_overview
    from compliance.cli.report import collect

    units, problems, bad = collect(pack, (str(FIXTURES),), AS_OF)
    return build_overview(pack, units, AS_OF, problems, bad)


@pytest.fixture
def fresh_font_lookup():
    charts.cjk_font.cache_clear()
    yield
    charts.cjk_font.cache_clear()


def test_chinese_labels_render_without_missing_glyphs_when_a_cjk_font_is_installed(overview, fresh_font_lookup):
    if charts.cjk_font() is None:
        pytest.skip("未安装中文字体（CI 中由 .ci/run 安装 fonts-wqy-zenhei）")
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        images = charts.overview_charts(overview)
    assert [str(w.message) for w in caught if "missing from font" in str(w.message)] == []
    assert set(images) == {"category", "rule"}
    assert all(png.startswith(PNG) for png in images.values())


def test_without_a_cjk_font_charts_are_still_drawn_and_a_chinese_warning_is_given_once(
        overview, fresh_font_lookup, monkeypatch):
    monkeypatch.setattr(charts, "CJK_FAMILIES", ("No Such Font",))
    monkeypatch.setattr(charts, "FONT_FILE_HINTS", ())
    monkeypatch.delenv(charts.FONT_ENV, raising=False)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        first = charts.category_chart(overview)
        second = charts.rule_chart(overview)
    font_warnings = [w for w in caught if issubclass(w.category, charts.ChartFontWarning)]
    assert len(font_warnings) == 1 and "中文字体" in str(font_warnings[0].message)
    assert not [w for w in caught if "missing from font" in str(w.message)]
    assert first.startswith(PNG) and second.startswith(PNG)


def test_the_same_overview_gives_the_same_chart_bytes(overview):
    assert charts.category_chart(overview) == charts.category_chart(overview)


@pytest.mark.render
@pytest.mark.skipif(not (shutil.which("soffice") and shutil.which("pdftoppm")) and not os.environ.get("CI"),
                    reason="需要 LibreOffice（soffice）和 pdftoppm（poppler-utils）；CI 中必须运行")
def test_a_notice_renders_to_pdf_and_png(tmp_path):
    out = tmp_path / "out"
    result = CliRunner().invoke(main, ["report", str(FIXTURES / "02-shi-shuiliju.yaml"), "-o", str(out),
                                       "--format", "docx", "--as-of", AS_OF.isoformat()])
    assert result.exit_code == 0, result.stderr
    notice = next((out / "整改通知书").glob("*.docx"))
    subprocess.run(["soffice", "--headless", f"-env:UserInstallation=file://{tmp_path}/lo", "--convert-to", "pdf",
                    "--outdir", str(tmp_path), str(notice)], check=True, capture_output=True, timeout=180)
    pdf = tmp_path / (notice.stem + ".pdf")
    assert pdf.read_bytes().startswith(b"%PDF")
    subprocess.run(["pdftoppm", "-png", "-r", "50", "-f", "1", "-l", "1", str(pdf), str(tmp_path / "page")],
                   check=True, capture_output=True, timeout=60)
    page = next(tmp_path.glob("page*.png"))
    assert page.read_bytes().startswith(PNG) and page.stat().st_size > 5000
