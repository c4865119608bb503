"""Which files a command reads: files, directories (recursively), globs and ``-`` for standard input."""

from __future__ import annotations

import glob
from pathlib import Path
from typing import Iterable

from compliance.inputs.loader import Problem

PROFILE_SUFFIXES = (".yaml", ".yml", ".json", ".jsonl", ".ndjson")


def expand_paths(patterns: Iterable[str]) -> tuple[list[Path], list[Problem]]:
    """Files, directories (recursively, YAML/JSON only) and globs → sorted unique files."""
    files: list[Path] = []
    problems: list[Problem] = []
    for pattern in patterns:
        path = Path(pattern)
        if path.is_dir():
            found = sorted(p for p in path.rglob("*") if p.is_file() and p.suffix.lower() in PROFILE_SUFFIXES)
            if not found:
                problems.append(Problem(pattern, "目录中没有 .yaml/.yml/.json/.jsonl 档案文件"))
            files.extend(found)
        elif path.exists() or pattern == "-":
            files.append(path)
        elif glob.has_magic(pattern):
            matches = sorted(Path(p) for p in glob.glob(pattern, recursive=True) if Path(p).is_file())
            if not matches:
                problems.append(Problem(pattern, "没有匹配的文件"))
            files.extend(matches)
        else:
            problems.append(Problem(pattern, "文件不存在"))
    seen: set[Path] = set()
    unique = []
    for f in files:
        key = f.resolve() if str(f) != "-" else f
        if key not in seen:
            seen.add(key)
            unique.append(f)
    return unique, problems
