"""Which files a command reads: files, directories (recursively), globs and ``-`` for standard input."""

from __future__ import annotations

import glob
from pathlib import Path
from typing import Iterable

from compliance.inputs.loader import Problem

FORM_SUFFIXES = (".xlsx", ".xlsm")
"""The XLSX 信息采集表, read like a profile."""
PROFILE_SUFFIXES = (".yaml", ".yml", ".json", ".jsonl", ".ndjson", *FORM_SUFFIXES)
LOCK_PREFIXES = ("~$", ".~lock")
"""Files an open Excel/WPS or LibreOffice leaves next to a workbook; never a profile."""


def is_form(path: Path | str) -> bool:
    """Whether ``path`` names an XLSX 信息采集表 (by its suffix)."""
    return Path(path).suffix.lower() in FORM_SUFFIXES


def _listed(path: Path) -> bool:
    return path.suffix.lower() in PROFILE_SUFFIXES and not path.name.startswith(LOCK_PREFIXES) and path.is_file()


def expand_paths(patterns: Iterable[str]) -> tuple[list[Path], list[Problem]]:
    """Files, directories (recursively: YAML/JSON profiles and XLSX forms) and globs → sorted unique files."""
    files: list[Path] = []
    problems: list[Problem] = []
    for pattern in patterns:
        path = Path(pattern)
        if path.is_dir():
            found = sorted(p for p in path.rglob("*") if _listed(p))
            if not found:
                problems.append(Problem(pattern, "目录中没有档案文件（.yaml/.yml/.json/.jsonl）或信息采集表（.xlsx）"))
            files.extend(found)
        elif path.exists() or pattern == "-":
            files.append(path)
        elif glob.has_magic(pattern):
            matches = sorted(Path(p) for p in glob.glob(pattern, recursive=True)
                             if Path(p).is_file() and not Path(p).name.startswith(LOCK_PREFIXES))
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
