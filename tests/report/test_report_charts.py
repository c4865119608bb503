"""Charts of the 督查报告 readable in Chinese: PNG with a CJK font, SVG with text, no mathtext."""

from __future__ import annotations

import os
import re
import warnings

import pytest
from conftest import AS_OF, FIXTURES

from compliance.report import charts

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
        if os.environ.get("CI"):
            pytest.fail("CI 中应安装中文字体（.ci/run 安装 fonts-wqy-zenhei），否则图表中的中文显示为方框")
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
    assert charts.rule_chart(overview, "svg") == charts.rule_chart(overview, "svg")


def test_svg_charts_keep_chinese_as_text_for_the_viewers_fonts(overview):
    svg = charts.category_chart(overview, "svg").decode("utf-8")
    assert re.search(r"<text[^>]*>[^<]*[\u4e00-\u9fff]", svg)  # text, not glyph outlines


def test_a_dollar_sign_in_a_title_is_shown_not_parsed_as_mathtext():
    svg = charts.stacked_bars(["经费$100$元", "A$B"], {"fail": [0.5, 0.2]}, "标题$x$", "比例", "svg").decode("utf-8")
    assert "经费$100$元" in svg and "标题$x$" in svg
