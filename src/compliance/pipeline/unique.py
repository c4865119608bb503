"""Unit ids are unique within a run: a second profile with a unit id already seen is an input error naming
both files (and lines, for JSON Lines); the first one is checked, the others still are.

Works on anything with ``source``, ``unit_id`` and ``problems`` (:class:`~compliance.pipeline.run.Outcome`,
:class:`~compliance.pipeline.validate.Verdict` via its ``errors``), so that it depends on no pipeline stage.
"""

from __future__ import annotations

import functools
import re
import zlib
from array import array
from typing import Any, Callable, Iterable, Iterator, TypeVar

from compliance.inputs.loader import Problem

DUPLICATE = "DUPLICATE"
"""``Problem.code`` of a duplicate unit id."""

T = TypeVar("T")
F = TypeVar("F", bound=Callable[..., Any])
_LINE = re.compile(r"^(.*):(\d+)$")


def where(source: str) -> str:
    """``a.jsonl:3`` → ``a.jsonl 第3行``; a whole file as it is."""
    match = _LINE.match(source)
    return f"{match.group(1)} 第{match.group(2)}行" if match else source


def duplicate_problem(unit_id: str, first: str, source: str) -> Problem:
    """The error of ``source``, whose unit id ``unit_id`` was already given by ``first``."""
    match = _LINE.match(source)
    file, line = (match.group(1), int(match.group(2))) if match else (source, None)
    message = (f"单位编号「{unit_id}」重复：{where(first)} 已是该单位的档案；同一次检查中每个单位只能有一份档案，"
               f"此份未检查（请删除或改正其中一份）")
    return Problem(file, message, line=line, path="unit.id", key="id", given=unit_id, code=DUPLICATE)


class UniqueIds:
    """Remembers the first source of each unit id of a run, in about 32 bytes per id (a national run of
    millions of units stays small): an open-addressing table of the id's hash, a CRC-32 of the id as a
    second check (a false duplicate needs both to collide, about 1 in 10^16 at five million ids) and where
    it was first seen (file number, line)."""

    def __init__(self, capacity: int = 1024) -> None:
        self._files: dict[str, int] = {}
        self._names: list[str] = []
        self._size = 0
        self._allocate(capacity)

    def _allocate(self, capacity: int) -> None:
        self._keys = array("q", [0]) * capacity  # no temporary bytes object of the same size
        self._checks = array("I", [0]) * capacity
        self._where = array("q", [0]) * capacity

    def __len__(self) -> int:
        return self._size

    def problem(self, unit_id: str | None, source: str) -> Problem | None:
        """``None`` for a new (or missing) id, else the duplicate error naming the first source."""
        if unit_id is None:
            return None
        key = hash(unit_id) or 1
        check = zlib.crc32(unit_id.encode("utf-8", "surrogatepass"))
        keys, checks = self._keys, self._checks
        mask = len(keys) - 1
        slot = key & mask
        while keys[slot]:
            if keys[slot] == key and checks[slot] == check:
                first = self._source(self._where[slot])
                return None if first == source else duplicate_problem(unit_id, first, source)
            slot = (slot + 1) & mask
        keys[slot], checks[slot], self._where[slot] = key, check, self._place(source)
        self._size += 1
        if 3 * self._size > 2 * len(keys):
            self._grow()
        return None

    def _place(self, source: str) -> int:
        file, _, line = source.rpartition(":")
        if not (file and line.isdigit()):
            file, line = source, "0"
        number = self._files.get(file)
        if number is None:
            number = self._files[file] = len(self._names)
            self._names.append(file)
        return number << 40 | int(line)

    def _source(self, where: int) -> str:
        file, line = self._names[where >> 40], where & (1 << 40) - 1
        return f"{file}:{line}" if line else file

    def _grow(self) -> None:
        keys, checks, places = self._keys, self._checks, self._where
        self._allocate(2 * len(keys))
        new_keys, new_checks, new_where = self._keys, self._checks, self._where
        mask = len(new_keys) - 1
        for key, check, place in zip(keys, checks, places):
            if key:
                slot = key & mask
                while new_keys[slot]:
                    slot = (slot + 1) & mask
                new_keys[slot], new_checks[slot], new_where[slot] = key, check, place


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
