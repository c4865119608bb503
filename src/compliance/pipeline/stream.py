"""Streaming input and output, so that memory does not grow with the number of units.

Input: profile files (YAML/JSON, one unit each; directories are searched recursively), JSON Lines
files (``.jsonl``/``.ndjson``, one unit per line) and ``-`` for JSON Lines on standard input.
:func:`iter_records` yields one :class:`Record` per unit as it reads; :func:`parse_record` turns a
record into a validated profile, with errors located as ``file:line`` for JSON Lines.
:func:`check_stream` checks records (in worker processes with ``jobs > 1``) and yields one
:class:`Outcome` per record, in input order.

Output: the ``json`` (one streamed document), ``jsonl`` (one finding per line) and ``csv`` writers
write findings as they come; ``table`` and ``md`` number their rows per section across the whole run
and therefore keep the findings in memory.
"""

from __future__ import annotations

import codecs
import contextlib
import csv
import datetime as dt
import gc
import io
import json
import sys
import tempfile
from collections import Counter
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import IO, Any, Callable, Iterable, Iterator, TextIO

from compliance.engine.evaluate import Finding, at_or_above, check_unit, jsonable
from compliance.domains.dangjian.facts import derive
from compliance.inputs.loader import MAX_BYTES, InputError, Problem, parse_json, parse_text, read_text
from compliance.output.table import CSV_COLUMNS, Summary, csv_rows, render_table
from compliance.engine.pack import SEVERITY_RANK, Pack
from compliance.pipeline.parallel import batched, default_jobs, ordered_map
from compliance.domains.dangjian.profile import Profile
from compliance.pipeline.runner import UnitResult, check_profile, expand_paths, validate_profile

JSONL_SUFFIXES = (".jsonl", ".ndjson")
STDIN_NAME = "标准输入"
BATCH = 64


@dataclass(slots=True)
class Record:
    """One unit to check: a whole profile file (``line`` is None) or one line of a JSON Lines input."""

    file: str
    line: int | None = None
    text: str | None = None
    problem: Problem | None = None

    @property
    def source(self) -> str:
        return self.file if self.line is None else f"{self.file}:{self.line}"


@dataclass(slots=True)
class Outcome:
    """The result for one record: findings, or the problems that stopped it (plus any warnings)."""

    source: str
    unit_id: str | None = None
    unit_name: str | None = None
    findings: list[Finding] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    warnings: list[Problem] = field(default_factory=list)
    rendered: Any = None
    states: Counter | None = None
    fails: Counter | None = None

    @property
    def ok(self) -> bool:
        return not self.problems

    def compact(self, render: Callable[["Outcome"], Any]) -> "Outcome":
        """Render the findings now (in the worker) and keep only counters, so little crosses processes."""
        self.rendered = render(self)
        self.states = Counter(f.state for f in self.findings)
        self.fails = Counter(f.severity for f in self.findings if f.state == "fail")
        self.findings = []
        return self

    def count_into(self, summary: Summary) -> None:
        """Add this unit to the run's counters (like :meth:`Summary.add`, also after :meth:`compact`)."""
        if self.states is None:
            summary.add(self.findings)
            return
        summary.units += 1
        summary.states.update(self.states)
        summary.fail_by_severity.update(self.fails or {})

    def fails_at_or_above(self, threshold: str) -> bool:
        if self.fails is None:
            return at_or_above(self.findings, threshold)
        return any(SEVERITY_RANK[s] >= SEVERITY_RANK[threshold] for s in self.fails)


# --- input ------------------------------------------------------------------------------------

def is_jsonl(path: Path | str) -> bool:
    return str(path) == "-" or Path(path).suffix.lower() in JSONL_SUFFIXES


def iter_records(paths: Iterable[str], problems: list[Problem]) -> Iterator[Record]:
    """Records of ``paths`` (files, directories, globs, ``-``) in order; path errors go to ``problems``."""
    files, found = expand_paths(paths)
    problems.extend(found)
    for path in files:
        yield from records_of(path)


def records_of(path: Path) -> Iterator[Record]:
    """The records of one expanded path: the whole file, or each line of JSON Lines (``-``: standard input)."""
    name = str(path)
    if name == "-":
        yield from jsonl_records(sys.stdin.buffer, STDIN_NAME)
    elif is_jsonl(path):
        try:
            with open(path, "rb") as handle:
                yield from jsonl_records(handle, name)
        except OSError as exc:
            yield Record(name, problem=Problem(name, f"无法读取文件：{exc.strerror or exc}"))
    else:
        yield Record(name)


def jsonl_records(handle: IO[bytes], name: str, max_bytes: int = MAX_BYTES) -> Iterator[Record]:
    """One record per non-blank line of a JSON Lines byte stream."""
    for lineno, raw in enumerate(handle, 1):
        if lineno == 1 and raw.startswith(codecs.BOM_UTF8):
            raw = raw[len(codecs.BOM_UTF8):]
        if not raw.strip():
            continue
        if len(raw) > max_bytes:
            yield Record(name, lineno, problem=Problem(name, f"该行过长（{len(raw)} 字节），上限为 {max_bytes} 字节", line=lineno))
            continue
        try:
            yield Record(name, lineno, raw.decode("utf-8"))
        except UnicodeDecodeError:
            yield Record(name, lineno, problem=Problem(name, "该行不是 UTF-8 编码（请另存为 UTF-8）", line=lineno))


def _at_line(problems: list[Problem], line: int) -> list[Problem]:
    for p in problems:
        if p.line is None or p.line == 1:
            p.line = line
    return problems


def _tag(problems: list[Problem], code: str, tag: bool) -> list[Problem]:
    if tag:
        for p in problems:
            p.code = p.code or code
    return problems


def parse_record(record: Record, tag: bool = False) -> tuple[Profile, str | None]:
    """The validated profile of a record and its YAML/JSON text (``None`` for a JSON line).

    Raises :class:`InputError` with located problems (``file:line`` for JSON Lines); with ``tag``
    their ``code`` tells the stage: ``READ``, ``SYNTAX`` or ``SCHEMA`` (as ``validate`` reports them).
    """
    if record.problem is not None:
        raise InputError(_tag([record.problem], "READ", tag))
    stage = "READ"
    try:
        if record.line is None:
            text = read_text(Path(record.file))
            stage = "SYNTAX"
            data = parse_text(text, record.file)
            stage = "SCHEMA"
            return validate_profile(data, record.file, text), text
        assert record.text is not None
        stage = "SYNTAX"
        data = parse_json(record.text, record.file)
        stage = "SCHEMA"
        if not isinstance(data, dict):
            kind = "null" if data is None else type(data).__name__
            raise InputError([Problem(record.file, f"每行应为一个 JSON 对象（单位档案），实际为 {kind}")])
        return validate_profile(data, record.file), None
    except InputError as exc:
        problems = exc.problems if record.line is None else _at_line(exc.problems, record.line)
        raise InputError(_tag(problems, stage, tag)) from None


def assess_record(profile: Profile, as_of: dt.date, record: Record, text: str | None) -> tuple[list[Problem], list[Problem]]:
    """Consistency (errors, warnings) of a record's profile, located at its file (and line for JSON Lines)."""
    from compliance.domains.dangjian.quality import assess

    errors, warnings = assess(profile, as_of, record.file, text)
    if record.line is not None:
        _at_line(errors, record.line)
        _at_line(warnings, record.line)
    return errors, warnings


def prepare(record: Record, as_of: dt.date) -> tuple[Profile | None, list[Problem], list[Problem]]:
    """(profile, errors, warnings) of a record: read, validated and consistency-checked; no profile on errors."""
    try:
        profile, text = parse_record(record)
    except InputError as exc:
        return None, exc.problems, []
    errors, warnings = assess_record(profile, as_of, record, text)
    return (None if errors else profile), errors, warnings


def check_files(pack: Pack, files: Iterable[Path], as_of: dt.date) -> Iterator[UnitResult]:
    """One :class:`UnitResult` (keeping the profile) per record of ``files``, in process and in order."""
    for path in files:
        for record in records_of(path):
            profile, errors, warnings = prepare(record, as_of)
            if profile is None:
                yield UnitResult(record.source, problems=errors, warnings=warnings)
            else:
                yield UnitResult(record.source, profile, check_profile(pack, profile, as_of, record.source), warnings=warnings)


Evaluate = Callable[[Pack, list[tuple[dict, str]], dt.date], list["list[Finding] | Problem"]]


def default_evaluate(pack: Pack, units: list[tuple[dict, str]], as_of: dt.date) -> list[list[Finding] | Problem]:
    return [check_unit(pack, facts, as_of, source) for facts, source in units]


def check_records(pack: Pack, records: list[Record], as_of: dt.date, evaluate: Evaluate = default_evaluate) -> list[Outcome]:
    """Outcomes for a batch of records; a bad record becomes an outcome with problems, never an exception."""
    outcomes: list[Outcome] = []
    pending: list[tuple[dict, str]] = []
    waiting: list[Outcome] = []
    for record in records:
        source = record.source
        try:
            profile, errors, warnings = prepare(record, as_of)
            outcome = Outcome(source, problems=errors, warnings=warnings)
            if profile is not None:
                outcome.unit_id, outcome.unit_name = profile.unit.id, profile.unit.name
                pending.append((derive(profile, as_of), source))
                waiting.append(outcome)
        except Exception as exc:  # noqa: BLE001 - one broken record must not stop the run
            outcome = Outcome(source, problems=[Problem(source, f"内部错误，该单位未检查：{type(exc).__name__}: {exc}")])
        outcomes.append(outcome)
    if pending:
        try:
            results = evaluate(pack, pending, as_of)
        except Exception as exc:  # noqa: BLE001 - the batch's units become errors, the run goes on
            results = [Problem("", f"内部错误，该单位未检查：{type(exc).__name__}: {exc}")] * len(pending)
        for outcome, result in zip(waiting, results):
            if isinstance(result, Problem):
                outcome.problems.append(Problem(outcome.source, result.message))
            else:
                outcome.findings = result
    return outcomes


def check_stream(pack: Pack, records: Iterable[Record], as_of: dt.date, jobs: int | None = None,
                 evaluate: Evaluate = default_evaluate, batch: int = BATCH,
                 render: Callable[[Outcome], Any] | None = None) -> Iterator[Outcome]:
    """Outcomes of ``records`` in input order; ``jobs`` processes (default: cores; small inputs stay in-process).

    With ``render`` (e.g. :meth:`Writer.render`), each outcome is rendered where it was checked and
    reduced to counters (:meth:`Outcome.compact`), which keeps the parent process light.
    """
    jobs = default_jobs() if jobs is None or jobs <= 0 else jobs
    with _gc_for_batches():
        yield from _check_stream(pack, records, as_of, jobs, evaluate, batch, render)


@contextlib.contextmanager
def _gc_for_batches() -> Iterator[None]:
    """Each unit allocates thousands of short-lived objects that reference counting frees; the cyclic
    collector need not rescan the long-lived pack and modules that often (measured: 15–40 % faster)."""
    thresholds = gc.get_threshold()
    gc.freeze()
    gc.set_threshold(10_000, 50, 100)
    try:
        yield
    finally:
        gc.set_threshold(*thresholds)
        gc.unfreeze()


def _check_stream(pack: Pack, records: Iterable[Record], as_of: dt.date, jobs: int, evaluate: Evaluate, batch: int,
                  render: Callable[[Outcome], Any] | None) -> Iterator[Outcome]:
    def work(chunk: list[Record]) -> list[Outcome]:
        outcomes = check_records(pack, chunk, as_of, evaluate)
        return [o.compact(render) for o in outcomes] if render is not None else outcomes

    batches = batched(records, batch)
    first = next(batches, None)
    if first is None:
        return
    second = next(batches, None) if jobs > 1 else None
    if second is None:
        yield from work(first)
        yield from (o for b in batches for o in work(b))
        return

    def crashed(chunk: list[Record], exc: BaseException) -> list[Outcome]:
        message = f"检查进程异常退出（{type(exc).__name__}），该单位未检查"
        return [Outcome(r.source, problems=[Problem(r.source, message)]) for r in chunk]

    def chain() -> Iterator[list[Record]]:
        yield first
        yield second
        yield from batches

    yield from ordered_map(work, chain(), jobs, crashed)


# --- output -----------------------------------------------------------------------------------

class Writer:
    """Writes outcomes as they come; :meth:`close` finishes the document.

    :meth:`render` turns one outcome into text without touching the writer's state, so that worker
    processes can do it; :meth:`add` then only writes (numbering rows where the format needs it).
    """

    streaming = True  # False: keeps (some) findings until :meth:`close`

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


class TableWriter(Writer):
    """Terminal table or Markdown: rows are numbered per section, so findings are kept until the end."""

    streaming = False

    def __init__(self, stream: TextIO, pack: Pack, as_of: Any, markdown: bool = False):
        super().__init__(stream, pack, as_of)
        self.markdown = markdown
        self.findings: list[Finding] = []

    @staticmethod
    def render(outcome: Outcome) -> list[Finding]:
        return [f for f in outcome.findings if f.state in ("fail", "unknown", "waived")]

    def add(self, outcome: Outcome) -> None:
        self.findings.extend(outcome.rendered if outcome.rendered is not None else self.render(outcome))

    def close(self, summary: Summary, problems: list[Problem]) -> None:
        self.stream.write(render_table(self.findings, summary, self.pack, self.as_of, markdown=self.markdown))


class CsvWriter(Writer):
    """CSV rows of the non-passing findings; the row number (序号) is added when writing."""

    def __init__(self, stream: TextIO, pack: Pack, as_of: Any):
        super().__init__(stream, pack, as_of)
        csv.writer(stream).writerow(CSV_COLUMNS)
        self.next_row = 1

    @staticmethod
    def render(outcome: Outcome) -> list[str]:
        buffer = io.StringIO()
        writer = csv.writer(buffer)
        rows = []
        for row in csv_rows(outcome.findings, 0):
            buffer.seek(0)
            buffer.truncate()
            writer.writerow(row[1:])
            rows.append(buffer.getvalue())
        return rows

    def add(self, outcome: Outcome) -> None:
        rows = outcome.rendered if outcome.rendered is not None else self.render(outcome)
        write = self.stream.write
        for row in rows:
            write(f"{self.next_row},{row}")
            self.next_row += 1


_FIELDS = tuple(f.name for f in fields(Finding))
_encode_str = json.encoder.encode_basestring  # the encoder json.dumps uses with ensure_ascii=False


def _iso(value: Any) -> Any:
    if isinstance(value, dt.date):
        return value.isoformat()
    raise TypeError(f"Object of type {type(value).__name__} is not JSON serializable")


_compact = json.JSONEncoder(ensure_ascii=False, default=_iso).encode


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


class JsonlWriter(Writer):
    """One finding per line (all states), as in the ``findings`` list of the JSON document."""

    @staticmethod
    def render(outcome: Outcome) -> str:
        return "".join(text + "\n" for text in encode_findings(outcome.findings))

    def add(self, outcome: Outcome) -> None:
        self.stream.write(outcome.rendered if outcome.rendered is not None else self.render(outcome))


class JsonWriter(Writer):
    """The same document as :func:`compliance.output.table.json_document`, written as findings come.

    ``units`` follow ``findings`` in the document, so their entries wait in a temporary file.
    """

    def __init__(self, stream: TextIO, pack: Pack, as_of: Any):
        super().__init__(stream, pack, as_of)
        from compliance import __version__

        head = {
            "tool": "compliance",
            "version": __version__,
            "pack": {"id": pack.meta.id, "title": pack.meta.title, "version": pack.meta.version},
            "as_of": jsonable(as_of),
        }
        text = json.dumps(head, ensure_ascii=False, indent=2)
        stream.write(text[: -len("\n}")] + ',\n  "findings": [')
        self.findings = 0
        self.units: IO[str] = tempfile.TemporaryFile("w+", encoding="utf-8")
        self.unit_count = 0

    @staticmethod
    def render(outcome: Outcome) -> tuple[int, str]:
        items = encode_findings(outcome.findings, "    ")
        return len(items), ",\n    ".join(items)

    def add(self, outcome: Outcome) -> None:
        count, text = outcome.rendered if outcome.rendered is not None else self.render(outcome)
        if count:
            self.stream.write((",\n    " if self.findings else "\n    ") + text)
            self.findings += count
        unit = {"source": outcome.source, "ok": outcome.ok,
                "unit_id": outcome.unit_id if outcome.ok else None,
                "unit_name": outcome.unit_name if outcome.ok else None}
        self.units.write((",\n    " if self.unit_count else "\n    ") + pretty(unit, "    "))
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
        write(',\n  "errors": ' + pretty([p.to_dict() for p in problems], "  "))
        write(',\n  "summary": ' + pretty(summary.to_dict(), "  "))
        write("\n}\n")


def make_writer(fmt: str, stream: TextIO, pack: Pack, as_of: Any) -> Writer:
    if fmt in ("table", "md"):
        return TableWriter(stream, pack, as_of, markdown=fmt == "md")
    return {"csv": CsvWriter, "json": JsonWriter, "jsonl": JsonlWriter}[fmt](stream, pack, as_of)


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
        handle = open(target, "w", encoding="utf-8-sig" if target.suffix.lower() == ".csv" else "utf-8", newline="")
    except OSError as exc:
        raise InputError([Problem(output, f"无法写入输出文件：{exc.strerror or exc}")]) from None
    with handle:
        yield handle
