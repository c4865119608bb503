"""Load → validate → derive → evaluate, for many profile files; bad files become errors, not stops."""

from __future__ import annotations

import datetime as dt
import glob
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterable


from compliance.engine.evaluate import Finding, check_unit
from compliance.domains.dangjian.facts import derive
from compliance.inputs.loader import MAX_BYTES, InputError, Problem, parse_text, read_text, validate_as
from compliance.engine.pack import Pack
from compliance.domains.dangjian.profile import Profile

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


def validate_profile(data: Any, name: str, text: str | None = None) -> Profile:
    """Validate parsed data as a :class:`Profile`; errors are located in ``text`` when given."""
    if not isinstance(data, dict):
        kind = "空文件" if data is None else f"{type(data).__name__}"
        raise InputError([Problem(name, f"单位档案应为 YAML/JSON 映射（字段: 值），实际为 {kind}", line=1)])
    return validate_as(Profile, data, name, text)


def load_profile(path: Path, max_bytes: int = MAX_BYTES) -> Profile:
    text = read_text(path, max_bytes)
    return validate_profile(parse_text(text, str(path)), str(path), text)


@dataclass
class UnitResult:
    source: str
    profile: Profile | None = None
    findings: list[Finding] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    warnings: list[Problem] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems


def check_profile(pack: Pack, profile: Profile, as_of: dt.date, source: str = "") -> list[Finding]:
    return check_unit(pack, derive(profile, as_of), as_of, source)
