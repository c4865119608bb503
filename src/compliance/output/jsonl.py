"""``jsonl``: JSON Lines that scale (contract :data:`~compliance.output.json.CONTRACT`, see docs/scale.md).

One ``header`` record (tool, pack, check date, the text of every rule: basis, measure, evidence … written
once), then per unit its ``finding`` records — by default only 不符合/待核实/提醒/豁免, each referring to its
rule by ``rule_id`` — and one ``unit`` record with the counts of all six states, and at the end one
``summary`` record (with the input errors). ``include_passed`` adds 符合 and 不适用; ``self_contained``
writes every finding line complete (all fields of a finding in the ``json`` document).
"""

from __future__ import annotations

import codecs
from typing import TYPE_CHECKING, Any, BinaryIO, TextIO

from compliance import __version__
from compliance.engine.pack import Pack
from compliance.findings import LISTED_STATES, STATES, Finding, Summary, jsonable
from compliance.inputs.loader import Problem
from compliance.inputs.text import for_json
from compliance.output.base import Writer
from compliance.output.json import CONTRACT, _compact, encode_findings, judged_year

try:  # the fast encoder where its wheel is installed (a dependency); the standard library otherwise
    from orjson import dumps as _fast_dumps
except ImportError:  # pragma: no cover
    _fast_dumps = None

if TYPE_CHECKING:
    from compliance.pipeline.run import Outcome

_FINDING = '{"record": "finding", '  # prefix of a complete (self-contained) line
_NL = b"\n"


def encode_line(record: dict[str, Any]) -> bytes:
    """One record as one line of compact JSON in UTF-8 (dates as ``YYYY-MM-DD``), as the fast encoder makes it; what
    it refuses (a lone surrogate, an integer beyond 64 bits) is encoded by the standard library with surrogates
    escaped."""
    if _fast_dumps is not None:
        try:
            return _fast_dumps(record)
        except TypeError:
            pass
    return for_json(_compact(record)).encode("utf-8")


def utf8_buffer(stream: TextIO) -> BinaryIO | None:
    """The byte layer under a UTF-8 text stream (a file, standard output), to write encoded lines straight to;
    ``None`` for anything else (a ``StringIO``, another encoding)."""
    buffer = getattr(stream, "buffer", None)
    encoding = getattr(stream, "encoding", None)
    if buffer is None or not encoding or codecs.lookup(encoding).name != "utf-8":
        return None
    stream.flush()
    return buffer


def rules_section(pack: Pack) -> dict[str, dict[str, Any]]:
    """What every finding of a rule shares, by rule id (the ``rules`` of the header record)."""
    section = {}
    for compiled in pack.rules:
        rule = compiled.rule
        if not rule.enabled:
            continue
        entry: dict[str, Any] = {"title": rule.title, "severity": rule.severity, "category": rule.category,
                                 "basis": compiled.basis_text, "measure": rule.measure,
                                 "deadline_days": rule.deadline_days, "owner": rule.owner,
                                 "evidence": list(rule.evidence), "catalogue": list(rule.catalogue)}
        if compiled.basis_for:
            entry["basis_for"] = dict(compiled.basis_for)
        section[rule.id] = entry
    return section


class JsonlWriter(Writer):
    """Header, findings by reference to their rule, one record per unit, summary (see the module)."""

    name, title = "jsonl", "JSON Lines（每行一条记录）"
    options = ("include_passed", "self_contained")

    def __init__(self, stream: TextIO, pack: Pack, as_of: Any, include_passed: bool = False,
                 self_contained: bool = False):
        super().__init__(stream, pack, as_of)
        self.include_passed = self.settled = include_passed
        self.self_contained = self_contained
        self.rule_basis = {c.id: c.basis_text for c in pack.rules}
        header = {"record": "header", "contract": CONTRACT, "tool": "compliance", "version": __version__,
                  "pack": {"id": pack.meta.id, "title": pack.meta.title, "version": pack.meta.version},
                  "as_of": jsonable(as_of), "year": judged_year(pack, as_of),
                  "include_passed": include_passed, "self_contained": self_contained,
                  "rules": rules_section(pack)}
        self.sink = utf8_buffer(stream)
        self._write(encode_line(header) + _NL)

    def _write(self, data: bytes) -> None:
        if self.sink is not None:
            self.sink.write(data)
        else:
            self.stream.write(data.decode("utf-8"))

    def render(self, outcome: Outcome) -> bytes:  # type: ignore[override]
        """The unit's finding lines and its ``unit`` record, as UTF-8 bytes (cheap to send between processes)."""
        findings = outcome.findings
        listed = findings if self.include_passed else [f for f in findings if f.state in LISTED_STATES]
        if self.self_contained:
            lines = [for_json(_FINDING + text[1:]).encode("utf-8") for text in encode_findings(listed)]
        else:
            lines = self._by_reference(listed)
        unit: dict[str, Any] = {"record": "unit", "source": outcome.source, "ok": outcome.ok,
                                "unit_id": outcome.unit_id if outcome.ok else None,
                                "unit_name": outcome.unit_name if outcome.ok else None}
        if outcome.ok:
            counts = outcome.state_counts()
            unit["states"] = {state: counts.get(state, 0) for state in STATES}
        lines.append(encode_line(unit))
        lines.append(b"")
        return _NL.join(lines)

    def _by_reference(self, findings: list[Finding]) -> list[bytes]:
        """Finding lines without the rule's shared texts (``basis`` only where the subject has its own)."""
        out: list[bytes] = []
        rule_basis = self.rule_basis
        head = b""
        for f in findings:
            if not head:  # the same for every line of the unit: encoded once
                head = encode_line({"record": "finding", "unit_id": f.unit_id, "unit_name": f.unit_name,
                                    "source": f.source})[:-1] + b","
            line = {"rule_id": f.rule_id, "subject": f.subject, "state": f.state, "state_zh": STATES[f.state],
                    "severity": f.severity, "message": f.message, "facts": f.facts, "deadline_days": f.deadline_days,
                    "waiver": f.waiver}
            if f.basis != rule_basis.get(f.rule_id):
                line["basis"] = f.basis
            out.append(head + encode_line(line)[1:])
        return out

    def add(self, outcome: Outcome) -> None:
        self._write(outcome.rendered if outcome.rendered is not None else self.render(outcome))

    def close(self, summary: Summary, problems: list[Problem]) -> None:
        record = {"record": "summary", **summary.to_dict(), "errors": [p.to_dict() for p in problems]}
        self._write(encode_line(record) + _NL)
        if self.sink is not None:
            self.sink.flush()
