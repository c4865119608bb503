"""What every output format shares: the :class:`Writer` interface, the texts of a finding, and where output goes."""

from __future__ import annotations

import contextlib
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any, Iterator, TextIO

from compliance.engine.domain import Domain
from compliance.engine.pack import Pack
from compliance.findings import Finding, Summary, show
from compliance.inputs.loader import InputError, Problem

if TYPE_CHECKING:
    from compliance.pipeline.run import Outcome


class Writer:
    """Writes outcomes as they come; :meth:`close` finishes the document.

    :meth:`render` turns one outcome into text without touching the writer's state, so that worker
    processes can do it; :meth:`add` then only writes (numbering rows where the format needs it).
    """

    streaming = True  # False: keeps (some) findings until :meth:`close`
    settled = True
    """Whether :meth:`render` reads 符合 and 不适用 findings; a writer that does not lets the evaluator only count them."""
    options: tuple[str, ...] = ()
    """Keyword options of ``check`` this writer takes (e.g. ``include_passed``); others are not passed to it."""

    name = ""
    title = ""

    def __init__(self, stream: TextIO, pack: Pack, as_of: Any):
        self.stream = stream
        self.pack = pack
        self.as_of = as_of

    @staticmethod
    def render(outcome: Outcome) -> Any:
        return None

    def add(self, outcome: Outcome) -> None:
        raise NotImplementedError

    def close(self, summary: Summary, problems: list[Problem]) -> None:
        pass


class MultiWriter(Writer):
    """Several writers fed the same outcomes (``check -o json=a.json -o sarif=b.sarif``)."""

    def __init__(self, writers: list[Writer]):
        first = writers[0]
        super().__init__(first.stream, first.pack, first.as_of)
        self.writers = writers
        self.settled = any(w.settled for w in writers)

    def render(self, outcome: Outcome) -> tuple[Any, ...]:  # type: ignore[override]
        return tuple(w.render(outcome) for w in self.writers)

    def add(self, outcome: Outcome) -> None:
        parts = outcome.rendered
        try:
            for i, writer in enumerate(self.writers):
                outcome.rendered = None if parts is None else parts[i]
                writer.add(outcome)
        finally:
            outcome.rendered = parts

    def close(self, summary: Summary, problems: list[Problem]) -> None:
        for writer in self.writers:
            writer.close(summary, problems)


def facts_text(finding: Finding, domain: Domain) -> str:
    """The facts a finding used, as 中文标签=值."""
    return "；".join(f"{domain.label_of(k)}={show(v)}" for k, v in finding.facts.items())


def rule_text(finding: Finding) -> str:
    return f"{finding.rule_id} {finding.title}"


def unit_text(finding: Finding) -> str:
    return finding.unit_name + (f"（{finding.subject}）" if finding.subject else "")


@contextlib.contextmanager
def open_output(output: str | None) -> Iterator[TextIO]:
    """Standard output, or ``output`` (CSV with a BOM so that Excel reads it as UTF-8)."""
    if output is None:
        yield sys.stdout
        sys.stdout.flush()
        return
    target = Path(output)
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        handle = open(target, "w", encoding="utf-8-sig" if target.suffix.lower() == ".csv" else "utf-8", newline="",
                      errors="backslashreplace")  # a lone surrogate that slipped past a writer cannot stop the run
    except OSError as exc:
        raise InputError([Problem(output, f"无法写入输出文件：{exc.strerror or exc}")]) from None
    with handle:
        yield handle


def write_text(text: str, output: str) -> None:
    """Write a whole document to ``output`` (CSV with a BOM); errors become :class:`InputError`."""
    target = Path(output)
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text, encoding="utf-8-sig" if target.suffix.lower() == ".csv" else "utf-8")
    except OSError as exc:
        raise InputError([Problem(output, f"无法写入输出文件：{exc.strerror or exc}")]) from None
