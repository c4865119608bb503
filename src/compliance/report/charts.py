"""Charts of the 督查报告 (matplotlib, Agg backend): PNG for DOCX and Markdown, SVG with text for HTML.

The PNG needs a CJK font on the machine that draws it (found here, or warned about once). The SVG keeps its
text as text, so the viewer's own fonts draw the Chinese labels and no box is ever shown. Labels are plain
text: a ``$`` is escaped so that mathtext never parses a title.
"""

from __future__ import annotations

import functools
import io
import logging
import os
import warnings
from collections.abc import Sequence

from compliance.report.overview import Overview

# Families tried in order; the first one installed is used for every chart.
CJK_FAMILIES = (
    "WenQuanYi Zen Hei", "Noto Sans CJK SC", "Noto Sans SC", "Source Han Sans SC", "Source Han Sans CN",
    "Source Han Sans", "Noto Sans CJK JP", "Noto Serif CJK SC", "WenQuanYi Micro Hei", "SimHei",
    "Microsoft YaHei", "PingFang SC", "Heiti SC", "AR PL UMing CN",
)
FONT_FILE_HINTS = ("wqy", "notosanscjk", "notoserifcjk", "sourcehan", "simhei", "msyh", "pingfang", "uming")
FONT_ENV = "COMPLIANCE_CJK_FONT"
NO_FONT_MESSAGE = (
    "未找到中文字体，图表中的中文可能显示为方框。请安装文泉驿正黑（Debian/Ubuntu：apt-get install fonts-wqy-zenhei）"
    f"或思源黑体/Noto Sans CJK，或用环境变量 {FONT_ENV} 指定字体文件路径。"
)
COLORS = {"fail": "#C0392B", "unknown": "#E59A2F"}


class ChartFontWarning(UserWarning):
    """No CJK-capable font: charts are drawn but Chinese text may show as boxes."""


@functools.lru_cache(maxsize=1)
def cjk_font() -> str | None:
    """The family name of an installed CJK font, or None (then warns once)."""
    from matplotlib import font_manager

    manager = font_manager.fontManager
    override = os.environ.get(FONT_ENV)
    if override and os.path.isfile(override):
        manager.addfont(override)
        return font_manager.FontProperties(fname=override).get_name()
    installed = {f.name for f in manager.ttflist}
    found = next((name for name in CJK_FAMILIES if name in installed), None)
    if found is None:
        # The font cache may predate the font's installation: add candidate files directly.
        for path in font_manager.findSystemFonts():
            if any(hint in os.path.basename(path).lower().replace("-", "") for hint in FONT_FILE_HINTS):
                try:
                    manager.addfont(path)
                except (OSError, RuntimeError, ValueError):
                    continue
        installed = {f.name for f in manager.ttflist}
        found = next((name for name in CJK_FAMILIES if name in installed), None)
    if found is None:
        warnings.warn(NO_FONT_MESSAGE, ChartFontWarning, stacklevel=2)
    return found


def plain(text: str) -> str:
    """Text matplotlib shows as it is: ``$`` escaped, so no mathtext."""
    return text.replace("$", r"\$")


def _wrap(label: str, width: int = 20) -> str:
    return plain(label if len(label) <= width else label[: width - 1] + "…")


def stacked_bars(labels: Sequence[str], series: dict[str, Sequence[float]], title: str, xlabel: str,
                 fmt: str = "png") -> bytes:
    """Horizontal stacked bars of shares (0–1) labelled in percent; returns PNG (or SVG) bytes."""
    import matplotlib

    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure
    from matplotlib.ticker import PercentFormatter

    family = cjk_font()
    fonts = {"fontfamily": [family, "DejaVu Sans"]} if family else {}
    height = max(2.6, 0.26 * len(labels) + 1.4)  # a long list of requirements still fits a page at a readable width
    fig = Figure(figsize=(8, height), dpi=150)
    FigureCanvasAgg(fig)
    ax = fig.add_subplot()
    positions = list(range(len(labels)))
    left = [0.0] * len(labels)
    names = {"fail": "不符合", "unknown": "待核实"}
    for key, values in series.items():
        bars = ax.barh(positions, values, left=left, color=COLORS.get(key), label=names.get(key, key), height=0.6)
        for bar, value, start in zip(bars, values, left):
            if value >= 0.04:
                ax.text(start + value / 2, bar.get_y() + bar.get_height() / 2, f"{value * 100:.0f}%",
                        ha="center", va="center", color="white", fontsize=8, **fonts)
        left = [a + b for a, b in zip(left, values)]
    ax.set_yticks(positions, [_wrap(label) for label in labels], fontsize=8 if len(labels) > 20 else 9, **fonts)
    ax.set_ylim(len(labels) - 0.5, -0.5)
    ax.set_xlim(0, 1)
    ax.xaxis.set_major_formatter(PercentFormatter(1.0))
    ax.set_xlabel(plain(xlabel), **fonts)
    ax.set_title(plain(title), fontsize=12, fontweight="bold", loc="left", **fonts)  # the legend sits on the right
    ax.grid(axis="x", color="#DDDDDD", linewidth=0.6)
    ax.set_axisbelow(True)
    for side in ("top", "right"):
        ax.spines[side].set_visible(False)
    if len(series) > 1:
        ax.legend(prop={"family": fonts["fontfamily"], "size": 8} if fonts else {"size": 8}, loc="lower right",
                  bbox_to_anchor=(1.0, 1.0), ncols=len(series), frameon=False)
    buffer = io.BytesIO()
    font_log = logging.getLogger("matplotlib.font_manager")
    level = font_log.level
    font_log.setLevel(logging.ERROR)  # "findfont: Failed to find font weight …" for single-weight CJK fonts
    metadata = {"Software": None} if fmt == "png" else {"Date": None, "Creator": None}
    try:
        with warnings.catch_warnings(), matplotlib.rc_context({"svg.fonttype": "none", "svg.hashsalt": "compliance"}):
            if family is None:
                warnings.filterwarnings("ignore", message=r"Glyph .* missing from font")
            fig.tight_layout()
            fig.savefig(buffer, format=fmt, metadata=metadata)
    finally:
        font_log.setLevel(level)
    return buffer.getvalue()


def rule_chart(overview: Overview, fmt: str = "png") -> bytes:
    """Share of units failing (and unknown) for each rule."""
    rules = overview.rules
    total = overview.unit_count
    return stacked_bars(
        [r.title for r in rules],
        {"fail": [r.unit_share("fail", total) for r in rules], "unknown": [r.unit_share("unknown", total) for r in rules]},
        "各项要求不符合率（按单位）", f"占检查单位比例（共{total}个单位）", fmt,
    )


def category_chart(overview: Overview, fmt: str = "png") -> bytes:
    """Share of units with at least one failing rule in each category."""
    total = overview.unit_count
    cats = overview.categories
    return stacked_bars(
        [c.category for c in cats], {"fail": [c.units_failing / total if total else 0.0 for c in cats]},
        "各类别问题发生率（存在该类问题的单位占比）", f"占检查单位比例（共{total}个单位）", fmt,
    )


def overview_charts(overview: Overview, fmt: str = "png") -> dict[str, bytes]:
    """The charts of the overview report, by name: ``category`` and ``rule`` (``fmt``: png or svg)."""
    return {"category": category_chart(overview, fmt), "rule": rule_chart(overview, fmt)}
