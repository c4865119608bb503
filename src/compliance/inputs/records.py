"""Units to check, one :class:`Record` each: a whole profile file, or one line of a JSON Lines input."""

from __future__ import annotations

import codecs
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Iterable, Iterator

from compliance.inputs.loader import CHUNK, MAX_BYTES, InputError, Problem, check_regular
from compliance.inputs.paths import expand_paths
from compliance.inputs.text import size_text

JSONL_SUFFIXES = (".jsonl", ".ndjson")
STDIN_NAME = "标准输入"
MAX_JSONL_BYTES = 1024 * 1024 * 1024
"""A JSON Lines file or standard input holds at most this much by default (1 GiB; ``--max-jsonl-size``);
each line at most ``MAX_BYTES``."""
RAISE_HINT = "（全国规模的批量文件可用 --max-jsonl-size 调大上限，如 --max-jsonl-size 20G）"


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


def is_jsonl(path: Path | str) -> bool:
    return str(path) == "-" or Path(path).suffix.lower() in JSONL_SUFFIXES


def iter_records(paths: Iterable[str], problems: list[Problem], max_total: int = MAX_JSONL_BYTES) -> Iterator[Record]:
    """Records of ``paths`` (files, directories, globs, ``-``) in order; path errors go to ``problems``;
    a JSON Lines file holds at most ``max_total`` bytes."""
    files, found = expand_paths(paths)
    problems.extend(found)
    for path in files:
        yield from records_of(path, max_total)


def records_of(path: Path, max_total: int = MAX_JSONL_BYTES) -> Iterator[Record]:
    """The records of one expanded path: the whole file, or each line of JSON Lines (``-``: standard input)."""
    name = str(path)
    if name == "-":
        yield from jsonl_records(sys.stdin.buffer, STDIN_NAME, max_total=max_total)
    elif is_jsonl(path):
        try:
            check_regular(path, max_total)
            with open(path, "rb") as handle:
                yield from jsonl_records(handle, name, max_total=max_total)
        except InputError as exc:
            problem = exc.problems[0]
            if problem.message.startswith("文件过大"):
                problem.message += RAISE_HINT
            yield Record(name, problem=problem)
        except OSError as exc:
            yield Record(name, problem=Problem(name, f"无法读取文件：{exc.strerror or exc}"))
    else:
        yield Record(name)


def _lines(handle: IO[bytes], max_line: int, max_total: int) -> Iterator[tuple[bytes, int]]:
    """(start of line, full length) of each line, holding at most ``max_line + 1`` bytes of one line
    and reading at most ``max_total + 1`` bytes in all."""
    total = 0
    while total <= max_total:
        raw = handle.readline(max_line + 1)
        if not raw:
            return
        length = len(raw)
        while not raw.endswith(b"\n") and length > max_line and total + length <= max_total:
            rest = handle.readline(CHUNK)
            if not rest:
                break
            length += len(rest)
            if rest.endswith(b"\n"):
                break
        total += length
        yield raw, length


def jsonl_records(handle: IO[bytes], name: str, max_bytes: int = MAX_BYTES,
                  max_total: int = MAX_JSONL_BYTES) -> Iterator[Record]:
    """One record per non-blank line of a JSON Lines byte stream; a line over ``max_bytes`` is never held whole,
    and reading stops after ``max_total`` bytes."""
    total = 0
    for lineno, (raw, length) in enumerate(_lines(handle, max_bytes, max_total), 1):
        total += length
        if total > max_total:
            yield Record(name, lineno, problem=Problem(name, f"内容过大，超过上限{size_text(max_total)}，其后各行未读取{RAISE_HINT}",
                                                       line=lineno))
            return
        if lineno == 1 and raw.startswith(codecs.BOM_UTF8):
            raw = raw[len(codecs.BOM_UTF8):]
        if length > max_bytes:
            yield Record(name, lineno, problem=Problem(name, f"该行过长（{size_text(length)}），上限为{size_text(max_bytes)}", line=lineno))
            continue
        if not raw.strip():
            continue
        try:
            yield Record(name, lineno, raw.decode("utf-8"))
        except UnicodeDecodeError:
            yield Record(name, lineno, problem=Problem(name, "该行不是 UTF-8 编码（请另存为 UTF-8）", line=lineno))
