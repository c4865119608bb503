"""``json``: one document (tool, pack, as_of, findings, units, errors, summary), written as findings come."""

from __future__ import annotations

import datetime as dt
import json
import tempfile
from dataclasses import fields
from typing import IO, TYPE_CHECKING, Any, Callable, TextIO

from compliance import __version__
from compliance.engine.pack import Pack
from compliance.findings import Finding, Summary, json_default, jsonable
from compliance.inputs.loader import Problem
from compliance.inputs.text import for_json
from compliance.output.base import Writer

if TYPE_CHECKING:
    from compliance.pipeline.run import Outcome

CONTRACT = 2
"""Version of the JSON/JSONL contract (``contract`` in the document and the JSONL header; docs/scale.md).
2: JSONL as header + findings by rule reference + unit and summary records; ``contract`` added to the document."""

_FIELDS = tuple(f.name for f in fields(Finding))
_encode_str = json.encoder.encode_basestring  # the encoder json.dumps uses with ensure_ascii=False


_compact = json.JSONEncoder(ensure_ascii=False, default=json_default).encode


def _key(key: Any) -> str:
    return key if isinstance(key, str) else json.dumps({key: 0})[1:-4].strip('"')


def pretty(value: Any, indent: str = "") -> str:
    """``json.dumps(value, ensure_ascii=False, indent=2)`` with every line after the first prefixed by
    ``indent``, and dates as ISO text; several times faster than the pure-Python indenting encoder."""
    if isinstance(value, str):
        return _encode_str(value)
    if value is None:
        return "null"
    if value is True:
        return "true"
    if value is False:
        return "false"
    if isinstance(value, int):
        return int.__repr__(value)
    if isinstance(value, dict):
        if not value:
            return "{}"
        inner = indent + "  "
        items = ",\n".join(f"{inner}{_encode_str(_key(k))}: {pretty(v, inner)}" for k, v in value.items())
        return "{\n" + items + "\n" + indent + "}"
    if isinstance(value, (list, tuple)):
        if not value:
            return "[]"
        inner = indent + "  "
        return "[\n" + ",\n".join(inner + pretty(v, inner) for v in value) + "\n" + indent + "]"
    if isinstance(value, dt.date):
        return _encode_str(value.isoformat())
    return json.dumps(value, ensure_ascii=False)


_LAYOUT = ("unit_id", "unit_name", "rule_id", "subject", "state", "severity", "category", "title", "message", "basis",
           "measure", "facts", "deadline_days", "owner", "evidence", "catalogue", "waiver", "source")
_SEGMENTS: dict[tuple, str] = {}


def _segment(key: tuple, make: Callable[[], str]) -> str:
    text = _SEGMENTS.get(key)
    if text is None:
        if len(_SEGMENTS) > 50_000:
            _SEGMENTS.clear()
        text = _SEGMENTS[key] = make()
    return text


def encode_findings(findings: list[Finding], indent: str | None = None) -> list[str]:
    """Each finding as ``json.dumps(finding.to_dict(), ensure_ascii=False)`` or, with ``indent``, as
    ``json.dumps(..., indent=2)`` with nested lines prefixed by ``indent``.

    The text of the rule's fields (title, basis, measure …) is encoded once per rule and reused, so
    writing all findings of a large run costs little more than the JSON of the parts that vary.
    """
    if _FIELDS != _LAYOUT:  # the Finding gained or lost a field: the plain (slower) encoder
        if indent is None:
            return [json.dumps(f.to_dict(), ensure_ascii=False) for f in findings]
        return [pretty(f.to_dict(), indent) for f in findings]
    if indent is None:
        enc = _compact
        first, sep, last = "{", ", ", "}"
    else:
        inner = indent + "  "

        def enc(value: Any) -> str:
            return pretty(value, inner)

        first, sep, last = "{\n" + inner, ",\n" + inner, "\n" + indent + "}"
    out = []
    unit_parts: dict[tuple, str] = {}
    for f in findings:
        key = (f.unit_id, f.unit_name)
        head = unit_parts.get(key)
        if head is None:
            head = unit_parts[key] = (f'{first}"unit_id": {enc(f.unit_id)}{sep}"unit_name": {enc(f.unit_name)}'
                                      f'{sep}"rule_id": ')
        rule = _segment((indent, "r", f.rule_id), lambda: f'{enc(f.rule_id)}{sep}"subject": ')
        subject = _segment((indent, "s", f.subject), lambda: enc(f.subject))
        state = _segment((indent, "t", f.state, f.severity, f.category, f.title), lambda: (
            f'{sep}"state": {enc(f.state)}{sep}"severity": {enc(f.severity)}{sep}"category": {enc(f.category)}'
            f'{sep}"title": {enc(f.title)}{sep}"message": '))
        texts = _segment((indent, "b", f.basis, f.measure), lambda: (
            f'{sep}"basis": {enc(f.basis)}{sep}"measure": {enc(f.measure)}{sep}"facts": '))
        rest = _segment((indent, "e", f.deadline_days, f.owner, tuple(f.evidence), tuple(f.catalogue)), lambda: (
            f'{sep}"deadline_days": {enc(f.deadline_days)}{sep}"owner": {enc(f.owner)}{sep}"evidence": {enc(f.evidence)}'
            f'{sep}"catalogue": {enc(f.catalogue)}{sep}"waiver": '))
        tail = unit_parts.get((f.source, f.state))
        if tail is None:
            tail = unit_parts[(f.source, f.state)] = (f'{sep}"source": {enc(f.source)}{sep}"state_zh": {enc(f.state_zh)}'
                                                      f'{last}')
        out.append("".join((head, rule, subject, state, enc(f.message), texts, enc(f.facts), rest,
                            "null" if f.waiver is None else enc(f.waiver), tail)))
    return out


class JsonWriter(Writer):
    """The same document as :func:`json_document`, written as findings come.

    ``units`` follow ``findings`` in the document, so their entries wait in a temporary file.
    """

    name, title = "json", "JSON（供系统集成，格式见 README）"

    def __init__(self, stream: TextIO, pack: Pack, as_of: Any):
        super().__init__(stream, pack, as_of)
        head = {
            "tool": "compliance",
            "contract": CONTRACT,
            "version": __version__,
            "pack": {"id": pack.meta.id, "title": pack.meta.title, "version": pack.meta.version},
            "as_of": jsonable(as_of),
            "year": judged_year(pack, as_of),
        }
        text = json.dumps(head, ensure_ascii=False, indent=2)
        stream.write(for_json(text[: -len("\n}")]) + ',\n  "findings": [')
        self.findings = 0
        self.units: IO[str] = tempfile.TemporaryFile("w+", encoding="utf-8")
        self.unit_count = 0

    @staticmethod
    def render(outcome: Outcome) -> tuple[int, str]:
        items = encode_findings(outcome.findings, "    ")
        return len(items), for_json(",\n    ".join(items))

    def add(self, outcome: Outcome) -> None:
        count, text = outcome.rendered if outcome.rendered is not None else self.render(outcome)
        if count:
            self.stream.write((",\n    " if self.findings else "\n    ") + text)
            self.findings += count
        unit = {"source": outcome.source, "ok": outcome.ok,
                "unit_id": outcome.unit_id if outcome.ok else None,
                "unit_name": outcome.unit_name if outcome.ok else None}
        self.units.write((",\n    " if self.unit_count else "\n    ") + for_json(pretty(unit, "    ")))
        self.unit_count += 1

    def close(self, summary: Summary, problems: list[Problem]) -> None:
        write = self.stream.write
        write("\n  ]" if self.findings else "]")
        write(',\n  "units": [')
        self.units.seek(0)
        while chunk := self.units.read(1 << 16):
            write(chunk)
        self.units.close()
        write("\n  ]" if self.unit_count else "]")
        write(',\n  "errors": ' + for_json(pretty([p.to_dict() for p in problems], "  ")))
        write(',\n  "summary": ' + pretty(summary.to_dict(), "  "))
        write("\n}\n")


def judged_year(pack: Pack, as_of: Any) -> int | None:
    """The 考核年度 of the run (``year`` in the document)."""
    return pack.assessment_year(as_of) if isinstance(as_of, dt.date) else None


def json_document(findings: list[Finding], units: list[dict], summary: Summary, errors: list[Problem],
                  pack: Pack, as_of: Any) -> dict[str, Any]:
    return {
        "tool": "compliance",
        "contract": CONTRACT,
        "version": __version__,
        "pack": {"id": pack.meta.id, "title": pack.meta.title, "version": pack.meta.version},
        "as_of": jsonable(as_of),
        "year": judged_year(pack, as_of),
        "findings": [f.to_dict() for f in findings],
        "units": units,
        "errors": [p.to_dict() for p in errors],
        "summary": summary.to_dict(),
    }


def write_json(doc: dict[str, Any], stream: TextIO) -> None:
    json.dump(doc, stream, ensure_ascii=False, indent=2)
    stream.write("\n")
