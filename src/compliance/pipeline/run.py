"""The pipeline for each unit: record → parse → validate (as the pack's domain) → quality checks → derive →
evaluate → one :class:`Outcome`; in batches, in worker processes with ``jobs > 1``, always in input order.

A bad record becomes an outcome with problems, never an exception, so that one bad file in a batch
is reported and the others are still checked.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Collection, Iterable, Iterator

from pydantic import BaseModel

from compliance.inputs.validation import label_paths, validate_as
from compliance.engine.domain import Domain, domains
from compliance.engine.evaluate import check_unit
from compliance.engine.pack import Pack, finish_findings
from compliance.engine.waivers import waiver_problems
from compliance.findings import SEVERITY_RANK, Finding, Summary
from compliance.inputs.loader import MAX_BYTES, InputError, Problem, parse_json, parse_text, read_text
from compliance.inputs.loader import _check_depth as check_depth
from compliance.inputs.paths import is_form
from compliance.inputs.records import Record, records_of
from compliance.pipeline.parallel import batched, default_jobs, gc_for_batches, ordered_map
from compliance.pipeline.unique import unique_ids

try:  # a fast parser where its wheel is installed; the standard library otherwise (same data, same errors)
    from orjson import dumps as _fast_dumps, loads as _fast_loads
except ImportError:  # pragma: no cover - orjson is a dependency, this is for platforms without its wheel
    _fast_loads = None

BATCH = 64
DOMAIN_KEYS = ("domain", "标准")
"""Top-level keys with which a profile may name its standard (every domain's profile accepts them)."""


@dataclass(slots=True)
class Outcome:
    """The result for one record: findings, or the problems that stopped it (plus any warnings); the one
    result type of the pipeline, whatever command asked for it."""

    source: str
    profile: Any = None
    """The validated profile (kept by :func:`check_files`, for reports and the ledger)."""
    unit_id: str | None = None
    unit_name: str | None = None
    findings: list[Finding] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    warnings: list[Problem] = field(default_factory=list)
    rendered: Any = None
    states: Counter | None = None
    fails: Counter | None = None
    settled: Counter | None = None
    """符合/不适用 results counted but not built (``check_stream(settled=False)``); ``findings`` lacks them."""

    @property
    def ok(self) -> bool:
        return not self.problems

    def state_counts(self) -> Counter:
        """Results by state: the findings built and those only counted (kept once :meth:`compact` has run)."""
        if self.states is not None:
            return self.states
        counts = Counter(f.state for f in self.findings)
        if self.settled:
            counts.update(self.settled)
        return counts

    def fail_counts(self) -> Counter:
        """不符合 results by severity (kept once :meth:`compact` has run)."""
        return self.fails if self.fails is not None else Counter(f.severity for f in self.findings if f.state == "fail")

    def compact(self, render: Callable[["Outcome"], Any]) -> "Outcome":
        """Render the findings now (in the worker) and keep only counters, so little crosses processes."""
        self.states = self.state_counts()
        self.fails = self.fail_counts()
        self.rendered = render(self)
        self.findings = []
        return self

    def count_into(self, summary: Summary) -> None:
        """Add this unit to the run's counters, before or after :meth:`compact`."""
        summary.units += 1
        summary.states.update(self.state_counts())
        summary.fail_by_severity.update(self.fail_counts())

    def fails_at_or_above(self, threshold: str) -> bool:
        return any(SEVERITY_RANK[s] >= SEVERITY_RANK[threshold] for s in self.fail_counts())


def validate_profile(data: Any, domain: Domain, name: str, text: str | None = None, follow: bool = False) -> BaseModel:
    """Validate parsed data as ``domain``'s profile; errors are located in ``text`` when given.

    A profile of another installed standard gets one clear error instead of a list of unknown keys;
    with ``follow`` a profile that declares another installed standard (``domain:``) is validated as that.
    """
    if not isinstance(data, dict):
        kind = "空文件" if data is None else f"{type(data).__name__}"
        raise InputError([Problem(name, f"单位档案应为 YAML/JSON 映射（字段: 值），实际为 {kind}", line=1)])
    declared = next((data[k] for k in DOMAIN_KEYS if k in data), None)
    if declared is not None and declared != domain.key:
        if not (follow and str(declared) in domains()):
            raise InputError([_wrong_domain(name, str(declared), domain)])
        domain = domains()[str(declared)]
    try:
        return validate_as(domain.profile_model, data, name, text)
    except InputError:
        other = None if declared is not None else _other_domain(data, domain)
        if other is None:
            raise
        raise InputError([_wrong_domain(name, other.key, domain)]) from None


def _wrong_domain(name: str, declared: str, domain: Domain) -> Problem:
    other = domains().get(declared)
    if other is None:
        known = "、".join(f"{d.key}（{d.title}）" for d in domains().values())
        return Problem(name, f"档案声明的标准「{declared}」未安装；已安装：{known}", line=1, path="domain")
    pack = next(iter(other.packs), other.key)
    return Problem(name, f"这是「{other.title}」档案，不是「{domain.title}」档案；检查请用 --pack {pack}，"
                         f"校验请用 --domain {other.key}", line=1, path="domain")


def _other_domain(data: dict[str, Any], domain: Domain) -> Domain | None:
    """The installed domain whose profile model accepts ``data``, if not ``domain``'s."""
    for other in domains().values():
        if other is not domain:
            try:
                other.profile_model.model_validate(data)
            except Exception:  # noqa: BLE001 - any failure means "not this domain"
                continue
            return other
    return None


def load_profile(path: Path, domain: Domain, max_bytes: int = MAX_BYTES) -> BaseModel:
    """Read and validate one profile file."""
    text = read_text(path, max_bytes)
    return validate_profile(parse_text(text, str(path)), domain, str(path), text)


def check_profile(pack: Pack, profile: BaseModel, as_of: dt.date, source: str = "") -> list[Finding]:
    """All findings of ``pack`` for one validated profile."""
    findings = check_unit(pack, pack.domain.derive(profile, as_of, pack.for_check(as_of)), as_of, source)
    return finish_findings(pack, findings, as_of)


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


def parse_record(record: Record, domain: Domain, tag: bool = False, follow: bool = False) -> tuple[BaseModel, Any]:
    """The validated profile of a record and where its values came from: the YAML/JSON text, the read XLSX
    form (``cell_of``, ``notes``), or ``None`` for a JSON line.

    ``follow``: validate a profile as the standard it declares (see :func:`validate_profile`).

    Raises :class:`InputError` with located problems (``file:line`` for JSON Lines, ``sheet!cell`` for forms);
    with ``tag`` their ``code`` tells the stage: ``READ``, ``SYNTAX``, ``SCHEMA`` or ``FORM`` (as ``validate``
    reports them).
    """
    if record.problem is not None:
        raise InputError(_tag([record.problem], "READ", tag))
    stage = "READ"
    try:
        if record.line is None and is_form(record.file):
            stage = "FORM"
            form = _read_form_as_declared(Path(record.file), domain, follow)
            return form.profile, form
        if record.line is None:
            text = read_text(Path(record.file))
            stage = "SYNTAX"
            data = parse_text(text, record.file)
            stage = "SCHEMA"
            return validate_profile(data, domain, record.file, text, follow), text
        assert record.text is not None
        stage = "SYNTAX"
        data = parse_line(record.text, record.file)
        stage = "SCHEMA"
        if not isinstance(data, dict):
            kind = "null" if data is None else type(data).__name__
            raise InputError([Problem(record.file, f"每行应为一个 JSON 对象（单位档案），实际为 {kind}")])
        try:
            return validate_profile(data, domain, record.file, follow=follow), None
        except InputError:
            stage = "SYNTAX"
            check_depth(data, record.file)  # too deeply nested: that is the error to report
            stage = "SCHEMA"
            raise
    except InputError as exc:
        problems = label_paths(exc.problems, domain.profile_model) if stage == "SYNTAX" else exc.problems
        problems = problems if record.line is None else _at_line(problems, record.line)
        raise InputError(_tag(problems, stage, tag)) from None


def parse_line(text: str, name: str) -> object:
    """One JSON Lines record's data, without the nesting-depth walk of :func:`parse_json`: a line that then
    validates as a profile is as shallow as the profile model, and one that does not is walked before its
    errors are reported (:func:`parse_record`). Text the fast parser refuses (NaN, a lone surrogate, an
    integer beyond 64 bits, bad syntax) or where it dropped a key written twice (keeping the last) goes through
    :func:`parse_json`, for the same data or located error. A dropped key shows as fewer colons in the data
    written again than in the line: every other colon is in a text, written the same both times (unless the
    line spells it ``\\u003a``)."""
    if _fast_loads is not None:
        try:
            data = _fast_loads(text)
            if text.count(":") <= _fast_dumps(data).count(b":"):  # else a key written twice was dropped
                return data
        except (ValueError, TypeError):  # TypeError: too deep to write again
            pass
    return parse_json(text, name)


def read_form(source: Path | bytes, domain: Domain, name: str | None = None) -> Any:
    """The domain's XLSX 信息采集表 at ``source`` (a path or an upload's bytes), read with all its defences."""
    if domain.form is None:
        raise InputError([Problem(name or str(source), f"「{domain.title}」没有Excel信息采集表，请提交YAML或JSON档案",
                                  code="FORM")])
    return domain.form.read(source, name=name) if name else domain.form.read(source)


def _read_form_as_declared(path: Path, domain: Domain, follow: bool) -> Any:
    """The form at ``path`` read as ``domain``'s; a form of another installed standard (its sheets are that
    standard's) is read as that one with ``follow``, else one clear error says which standard it is."""
    try:
        return read_form(path, domain)
    except InputError as exc:
        if not any(p.message.startswith("缺少工作表") for p in exc.problems):
            raise
        for other in domains().values():
            if other is not domain and other.form is not None:
                try:
                    form = read_form(path, other)
                except InputError:
                    continue
                if follow:
                    return form
                raise InputError([_wrong_domain(str(path), other.key, domain)]) from None
        raise


def assess_record(profile: BaseModel, domain: Domain, as_of: dt.date, record: Record,
                  origin: Any) -> tuple[list[Problem], list[Problem]]:
    """Consistency (errors, warnings) of a record's profile, located at its file (line for JSON Lines, cell for
    forms); a form's notes (office spellings read other than as written) come first among the warnings."""
    notes = list(getattr(origin, "notes", ()))
    if domain.assess is None:
        return [], notes
    if hasattr(origin, "cell_of"):
        errors, warnings = domain.assess(profile, as_of, record.file, cell_of=origin.cell_of)
        for p in (*errors, *warnings):  # located by cell: the Chinese field name only, no key
            p.path = p.path.split(" (")[0]
        return errors, notes + warnings
    errors, warnings = domain.assess(profile, as_of, record.file, origin)
    if record.line is not None:
        _at_line(errors, record.line)
        _at_line(warnings, record.line)
    return errors, warnings


def prepare(record: Record, domain: Domain, as_of: dt.date,
            known_rules: Collection[str] | None = None) -> tuple[BaseModel | None, list[Problem], list[Problem]]:
    """(profile, errors, warnings) of a record: read, validated and consistency-checked; no profile on errors.
    With ``known_rules`` (the pack's), a waiver naming another rule is an error."""
    try:
        profile, origin = parse_record(record, domain)
    except InputError as exc:
        return None, exc.problems, []
    errors, warnings = assess_record(profile, domain, as_of, record, origin)
    if known_rules is not None:
        wrong = waiver_problems(getattr(profile, "waivers", None), known_rules, domain.profile_model, record.file,
                                origin if isinstance(origin, str) else None)
        if hasattr(origin, "cell_of"):
            for index, problem in enumerate(wrong):
                cell = origin.cell_of(("waivers", index, "rule"))
                if cell:
                    problem.message = f"{cell}：{problem.message}"
        errors += wrong if record.line is None else _at_line(wrong, record.line)
    return (None if errors else profile), errors, warnings


@unique_ids()
def check_files(pack: Pack, files: Iterable[Path], as_of: dt.date) -> Iterator[Outcome]:
    """One :class:`Outcome` (keeping the profile) per record of ``files``, in process and in order."""
    for path in files:
        for record in records_of(path):
            profile, errors, warnings = prepare(record, pack.domain, as_of, pack.known_rules)
            if profile is None:
                yield Outcome(record.source, problems=errors, warnings=warnings)
            else:
                yield Outcome(record.source, profile, profile.unit.id, profile.unit.name,
                              check_profile(pack, profile, as_of, record.source), warnings=warnings)


Evaluate = Callable[[Pack, list[tuple[dict, str]], dt.date, "list[Counter] | None"], list["list[Finding] | Problem"]]
"""An engine: the findings of each unit ``(facts, source)``, or a :class:`Problem` for a unit it could not check;
given counters (one per unit), 符合/不适用 results are only counted there instead of built."""


def default_evaluate(pack: Pack, units: list[tuple[dict, str]], as_of: dt.date,
                     settled: list[Counter] | None = None) -> list[list[Finding] | Problem]:
    """The compiled closures of :mod:`compliance.engine.evaluate` (see :data:`Evaluate`)."""
    if settled is None:
        return [check_unit(pack, facts, as_of, source) for facts, source in units]
    return [check_unit(pack, facts, as_of, source, tally) for (facts, source), tally in zip(units, settled)]


def check_records(pack: Pack, records: list[Record], as_of: dt.date, evaluate: Evaluate = default_evaluate,
                  settled: bool = True) -> list[Outcome]:
    """Outcomes for a batch of records; a bad record becomes an outcome with problems, never an exception.
    ``settled=False``: 符合/不适用 are only counted (``Outcome.settled``), not built."""
    outcomes: list[Outcome] = []
    pending: list[tuple[dict, str]] = []
    waiting: list[Outcome] = []
    for record in records:
        source = record.source
        try:
            profile, errors, warnings = prepare(record, pack.domain, as_of, pack.known_rules)
            outcome = Outcome(source, problems=errors, warnings=warnings)
            if profile is not None:
                facts = pack.domain.derive(profile, as_of, pack.for_check(as_of))
                outcome.unit_id, outcome.unit_name = pack.domain.identity(facts)
                pending.append((facts, source))
                waiting.append(outcome)
        except Exception as exc:  # noqa: BLE001 - one broken record must not stop the run
            outcome = Outcome(source, problems=[Problem(source, f"内部错误，该单位未检查：{type(exc).__name__}: {exc}")])
        outcomes.append(outcome)
    if pending:
        tallies = None if settled else [Counter() for _ in pending]
        try:
            results = evaluate(pack, pending, as_of, tallies)
        except Exception as exc:  # noqa: BLE001 - the batch's units become errors, the run goes on
            results = [Problem("", f"内部错误，该单位未检查：{type(exc).__name__}: {exc}")] * len(pending)
        for index, (outcome, result) in enumerate(zip(waiting, results)):
            if isinstance(result, Problem):
                outcome.problems.append(Problem(outcome.source, result.message))
            else:
                outcome.findings = finish_findings(pack, result, as_of)
                outcome.settled = tallies[index] if tallies is not None else None
    return outcomes


@unique_ids()
def check_stream(pack: Pack, records: Iterable[Record], as_of: dt.date, jobs: int | None = None,
                 evaluate: Evaluate = default_evaluate, batch: int = BATCH,
                 render: Callable[[Outcome], Any] | None = None, settled: bool = True) -> Iterator[Outcome]:
    """Outcomes of ``records`` in input order; ``jobs`` processes (default: cores; small inputs stay in-process).

    With ``render`` (e.g. :meth:`Writer.render`), each outcome is rendered where it was checked and
    reduced to counters (:meth:`Outcome.compact`), which keeps the parent process light; with it,
    ``settled=False`` (a writer that lists no 符合/不适用, :attr:`Writer.settled`) has those only counted.
    """
    jobs = default_jobs() if jobs is None or jobs <= 0 else jobs
    with gc_for_batches():
        yield from _check_stream(pack, records, as_of, jobs, evaluate, batch, render, settled or render is None)


def _check_stream(pack: Pack, records: Iterable[Record], as_of: dt.date, jobs: int, evaluate: Evaluate, batch: int,
                  render: Callable[[Outcome], Any] | None, settled: bool) -> Iterator[Outcome]:
    def work(chunk: list[Record]) -> list[Outcome]:
        outcomes = check_records(pack, chunk, as_of, evaluate, settled)
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


