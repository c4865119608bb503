"""Output formats: one module per format behind one interface, and the one registry every command uses.

``check`` writes findings through a :class:`~compliance.output.base.Writer` (``table``, ``md``, ``csv``,
``json``, ``jsonl``, ``junit``, ``sarif``); ``validate`` renders file verdicts (``text``, ``json``, ``junit``, ``sarif``).
To add a format, write a module with its writer or renderer and add one line to :data:`FORMATS`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable, TextIO

from compliance.engine.pack import Pack
from compliance.output import csv, json, jsonl, junit, sarif, table, verdicts
from compliance.output.base import Writer


@dataclass(frozen=True)
class Format:
    """One output format and what it can write."""

    name: str
    title: str
    findings: type[Writer] | None = None
    """Writer of ``check`` results."""
    verdicts: Callable[..., str] | None = None
    """Renderer of ``validate`` verdicts: ``(VerdictReport) -> text``."""


FORMATS: dict[str, Format] = {f.name: f for f in (
    Format("table", "终端表格", findings=table.TableWriter),
    Format("md", "Markdown", findings=table.MarkdownWriter),
    Format("csv", "CSV（Excel/WPS 可直接打开）", findings=csv.CsvWriter),
    Format("json", "JSON（供系统集成）", findings=json.JsonWriter, verdicts=verdicts.render_json),
    Format("jsonl", "JSON Lines（每行一条记录）", findings=jsonl.JsonlWriter),
    Format("text", "文本", verdicts=verdicts.render_text),
    Format("junit", "JUnit XML（CI 测试报告）", findings=junit.JunitWriter, verdicts=junit.render_junit),
    Format("sarif", "SARIF 2.1.0（代码扫描）", findings=sarif.SarifWriter, verdicts=sarif.render_sarif),
)}


def names(kind: str) -> list[str]:
    """The formats that can write ``kind`` (``findings`` or ``verdicts``)."""
    return [f.name for f in FORMATS.values() if getattr(f, kind) is not None]


def make_writer(name: str, stream: TextIO, pack: Pack, as_of: Any, **options: Any) -> Writer:
    """The ``check`` writer of format ``name``, given those of ``options`` it takes (:attr:`Writer.options`)."""
    writer = FORMATS[name].findings
    assert writer is not None, name
    return writer(stream, pack, as_of, **{k: v for k, v in options.items() if k in writer.options})
