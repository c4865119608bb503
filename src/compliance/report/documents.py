"""The documents ``compliance report`` writes: one registry entry per document, in writing order.

Each document says which formats it comes in and which files it makes for a batch of units. To add a
document, write a function ``(Batch, format) -> {path: make_bytes}`` and register it in :data:`DOCUMENTS`.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any, Callable

from compliance.report.office import Office
from compliance.report.overview import Overview, UnitView, unit_stems

Make = Callable[[], bytes]
Files = dict[Path, Make]


@dataclass
class Batch:
    """What every document is made from: the overview of a checked batch and the output choices."""

    ov: Overview
    outdir: Path
    top: int = 10
    reply_days: int = 30
    office: Office = field(default_factory=Office)
    previous: Any = None
    """The previous round's rectification (:class:`compliance.report.rounds.PreviousRound`), when a ledger is given."""
    chart_warnings: list[str] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.office = self.office.resolved(self.ov.issuer)

    @cached_property
    def charts(self) -> dict[str, bytes]:
        """The overview's charts (PNG), drawn once; font problems are kept in :attr:`chart_warnings`."""
        from compliance.report.charts import overview_charts

        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            charts = overview_charts(self.ov)
        self.chart_warnings += [str(w.message) for w in caught if w.category.__name__ == "ChartFontWarning"]
        return charts

    @cached_property
    def svg_charts(self) -> dict[str, bytes]:
        """The same charts as SVG with text as text, for HTML (the viewer's fonts draw the Chinese)."""
        from compliance.report.charts import overview_charts

        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            return overview_charts(self.ov, "svg")

    def html_blocks(self) -> list:
        """The overview blocks with each chart also as SVG."""
        from dataclasses import replace

        from compliance.report.text import CHART_FILES, Image

        keys = {name: key for key, name in CHART_FILES.items()}
        return [replace(b, svg=self.svg_charts[keys[b.name]]) if isinstance(b, Image) else b
                for b in self.overview_blocks]

    @cached_property
    def overview_blocks(self) -> list:
        from compliance.report.text import overview_blocks

        return overview_blocks(self.ov, self.charts, self.top, self.office, self.previous)

    def units(self) -> list[tuple[UnitView, str]]:
        """Each unit with the file-name stem of its own documents (``SZ-014_市水利局``)."""
        return list(zip(self.ov.units, unit_stems(self.ov.units)))


@dataclass(frozen=True)
class ReportDocument:
    key: str
    title: str
    formats: tuple[str, ...]
    files: Callable[[Batch, str], Files]


def _overview_report(batch: Batch, fmt: str) -> Files:
    from compliance.report.docx import blocks_docx
    from compliance.report.text import CHART_FILES, render_html, render_markdown

    out = batch.outdir
    if fmt == "md":
        files: Files = {out / "督查报告.md": lambda: render_markdown(batch.overview_blocks).encode("utf-8")}
        for key, name in CHART_FILES.items():
            files[out / name] = lambda key=key: batch.charts[key]
        return files
    if fmt == "html":
        return {out / "督查报告.html": lambda: render_html(batch.html_blocks()).encode("utf-8")}
    return {out / "督查报告.docx": lambda: blocks_docx(batch.overview_blocks, batch.ov.as_of, batch.office.issuer or "")}


def _problem_workbook(batch: Batch, fmt: str) -> Files:
    from compliance.report.xlsx import workbook_bytes

    return {batch.outdir / "问题清单.xlsx": lambda: workbook_bytes(batch.ov, batch.office.issuer or "")}


def _checklists(batch: Batch, fmt: str) -> Files:
    from compliance.report.docx import blocks_docx
    from compliance.report.text import checklist_blocks, render_html, render_markdown

    render: dict[str, Callable[[list], bytes]] = {
        "md": lambda b: render_markdown(b).encode("utf-8"),
        "html": lambda b: render_html(b).encode("utf-8"),
        "docx": lambda b: blocks_docx(b, batch.ov.as_of, batch.office.issuer or ""),
    }
    folder = batch.outdir / "检查提纲"
    return {folder / f"检查提纲_{stem}.{fmt}": (lambda u=unit: render[fmt](checklist_blocks(u, batch.ov)))
            for unit, stem in batch.units()}


def _notices(batch: Batch, fmt: str) -> Files:
    from compliance.report.notice import notice_docx

    folder = batch.outdir / "整改通知书"
    failing = [(unit, stem) for unit, stem in batch.units() if unit.fails]
    return {folder / f"整改通知书_{stem}.docx":
            (lambda u=unit, n=batch.office.number(i, batch.ov.as_of.year):
             notice_docx(u, batch.ov, batch.office, batch.reply_days, n))
            for i, (unit, stem) in enumerate(failing)}


DOCUMENTS: dict[str, ReportDocument] = {d.key: d for d in (
    ReportDocument("overview", "督查报告", ("md", "html", "docx"), _overview_report),
    ReportDocument("problems", "问题清单", ("xlsx",), _problem_workbook),
    ReportDocument("checklists", "检查提纲", ("md", "html", "docx"), _checklists),
    ReportDocument("notices", "整改通知书", ("docx",), _notices),
)}
FORMATS: tuple[str, ...] = ("md", "docx", "xlsx", "html")
"""Every format some document comes in, in the order the ``--format`` help lists them."""


def plan(batch: Batch, formats: list[str]) -> dict[Path, tuple[ReportDocument, Make]]:
    """Every output file, with its document and the function producing its bytes, in writing order."""
    jobs: dict[Path, tuple[ReportDocument, Make]] = {}
    for document in DOCUMENTS.values():
        for fmt in (f for f in document.formats if f in formats):
            jobs.update({path: (document, make) for path, make in document.files(batch, fmt).items()})
    return jobs
