"""Unit ids are unique within a run: a second profile with a unit id already seen is an input error naming
both files (and lines, for JSON Lines); the first one is checked, the others still are.

Works on anything with ``source``, ``unit_id`` and ``problems`` (:class:`~compliance.pipeline.run.Outcome`,
:class:`~compliance.pipeline.validate.Verdict` via its ``errors``), so that it depends on no pipeline stage.
"""

from __future__ import annotations

import functools
import zlib
from array import array
from typing import Any, Callable, Iterable, Iterator, TypeVar

from compliance.inputs.loader import Problem

DUPLICATE = "DUPLICATE"
"""``Problem.code`` of a duplicate unit id."""

T = TypeVar("T")
F = TypeVar("F", bound=Callable[..., Any])


def split_source(source: str) -> tuple[str, int | None]:
    """``a.jsonl:3`` → (``a.jsonl``, 3); the source of a whole file → (it, ``None``)."""
    file, _, line = source.rpartition(":")
    return (file, int(line)) if file and line.isdecimal() else (source, None)


def where(source: str) -> str:
    """``a.jsonl:3`` → ``a.jsonl 第3行``; a whole file as it is."""
    file, line = split_source(source)
    return source if line is None else f"{file} 第{line}行"


def duplicate_problem(unit_id: str, first: str, source: str) -> Problem:
    """The error of ``source``, whose unit id ``unit_id`` was already given by ``first``."""
    file, line = split_source(source)
    message = (f"单位编号「{unit_id}」重复：{where(first)} 已是该单位的档案；同一次检查中每个单位只能有一份档案，"
               f"此份未检查（请删除或改正其中一份）")
    return Problem(file, message, line=line, path="unit.id", key="id", given=unit_id, code=DUPLICATE)


class _Table:
    """One open-addressing table of :class:`UniqueIds`: hash, CRC-32 and place of each id, in arrays."""

    __slots__ = ("keys", "checks", "places", "size")

    def __init__(self, capacity: int) -> None:
        self.keys = array("q", [0]) * capacity  # by repetition: no temporary object of the same size
        self.checks = array("I", [0]) * capacity
        self.places = array("q", [0]) * capacity
        self.size = 0

    def find(self, key: int, check: int) -> int:
        """The slot holding (``key``, ``check``), or the empty slot where it belongs."""
        keys, mask = self.keys, len(self.keys) - 1
        slot = (key >> 8) & mask
        while keys[slot] and not (keys[slot] == key and self.checks[slot] == check):
            slot = (slot + 1) & mask
        return slot

    def grown(self) -> "_Table":
        bigger = _Table(2 * len(self.keys))
        for key, check, place in zip(self.keys, self.checks, self.places):
            if key:
                slot = bigger.find(key, check)
                bigger.keys[slot], bigger.checks[slot], bigger.places[slot] = key, check, place
        bigger.size = self.size
        return bigger


class UniqueIds:
    """Remembers the first source of each unit id of a run in about 20–40 bytes per id, so that a national
    run of millions of units stays small: the id's hash, a CRC-32 of the id as a second check (a false
    duplicate needs both to collide, about 1 in 10^16 at five million ids) and where it was first seen (file
    number, line). The ids are spread over 256 tables that grow one at a time, so growing never holds two
    copies of everything."""

    TABLES = 256

    def __init__(self, capacity: int = 64) -> None:
        self._files: dict[str, int] = {}
        self._names: list[str] = []
        self._tables = [_Table(capacity) for _ in range(self.TABLES)]

    def __len__(self) -> int:
        return sum(table.size for table in self._tables)

    def problem(self, unit_id: str | None, source: str) -> Problem | None:
        """``None`` for a new (or missing) id, else the duplicate error naming the first source."""
        if unit_id is None:
            return None
        key = hash(unit_id) or 1
        check = zlib.crc32(unit_id.encode("utf-8", "surrogatepass"))
        table = self._tables[key & 0xFF]
        slot = table.find(key, check)
        if table.keys[slot]:
            first = self._source(table.places[slot])
            return None if first == source else duplicate_problem(unit_id, first, source)
        table.keys[slot], table.checks[slot], table.places[slot] = key, check, self._place(source)
        table.size += 1
        if 3 * table.size > 2 * len(table.keys):
            self._tables[key & 0xFF] = table.grown()
        return None

    def _place(self, source: str) -> int:
        file, line = split_source(source)
        if line is not None and f"{file}:{line}" != source:  # a file named like ``x:007``: kept whole
            file, line = source, None
        number = self._files.get(file)
        if number is None:
            number = self._files[file] = len(self._names)
            self._names.append(file)
        return number << 40 | (0 if line is None else line + 1)

    def _source(self, place: int) -> str:
        file, line = self._names[place >> 40], (place & (1 << 40) - 1) - 1
        return file if line < 0 else f"{file}:{line}"


def unique_outcomes(outcomes: Iterable[T]) -> Iterator[T]:
    """``outcomes`` in order; each later one with a unit id already seen becomes an input error (no findings)."""
    seen = UniqueIds()
    for outcome in outcomes:
        o: Any = outcome
        problem = seen.problem(o.unit_id, o.source) if not o.problems else None
        if problem is not None:
            o.problems = [problem]
            o.findings, o.rendered, o.states, o.fails, o.profile = [], None, None, None, None
            o.unit_id = o.unit_name = None
        yield outcome


def unique_verdicts(verdicts: Iterable[T]) -> Iterator[T]:
    """``verdicts`` in order; each later one with a unit id already seen gets the duplicate error too."""
    seen = UniqueIds()
    for verdict in verdicts:
        v: Any = verdict
        problem = seen.problem(v.unit_id, v.source)
        if problem is not None:
            v.errors = [*v.errors, problem]
        yield verdict


def unique_ids(unique: Callable[[Iterable[Any]], Iterator[Any]] = unique_outcomes) -> Callable[[F], F]:
    """Decorate a generator of outcomes (or, with ``unique_verdicts``, of verdicts) so that it checks unit ids."""
    def decorate(generate: F) -> F:
        @functools.wraps(generate)
        def wrapper(*args: Any, **kwargs: Any) -> Iterator[Any]:
            return unique(generate(*args, **kwargs))
        return wrapper  # type: ignore[return-value]
    return decorate


def duplicate_ids(outcomes: Iterable[Any]) -> list[Problem]:
    """Every duplicate unit id among ``outcomes``: the errors :func:`unique_outcomes` put there, and those of
    outcomes it has not seen (for a caller, like ``ledger sync``, that refuses the whole batch)."""
    seen = UniqueIds()
    found: list[Problem] = []
    for o in outcomes:
        found += [p for p in o.problems if p.code == DUPLICATE]
        if not o.problems:
            problem = seen.problem(o.unit_id, o.source)
            if problem is not None:
                found.append(problem)
    return found
