"""``validate``: the first stages of the pipeline only (read, parse, validate, quality checks), one verdict per file."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterable

from compliance.engine.domain import Domain, domain_of
from compliance.inputs.loader import MAX_BYTES, InputError, Problem
from compliance.inputs.paths import FORM_SUFFIXES  # noqa: F401 - re-exported for callers of this module
from compliance.inputs.records import MAX_JSONL_BYTES, Record, is_jsonl, records_of
from compliance.pipeline.run import assess_record, parse_record
from compliance.pipeline.unique import unique_ids, unique_verdicts



@dataclass
class Verdict:
    """The outcome of validating one file."""

    source: str
    errors: list[Problem] = field(default_factory=list)
    warnings: list[Problem] = field(default_factory=list)
    unit_id: str | None = None
    unit_name: str | None = None

    @property
    def valid(self) -> bool:
        return not self.errors

    @property
    def unreadable(self) -> bool:
        return any(p.code in ("READ", "SYNTAX", "INTERNAL") for p in self.errors)

    def to_dict(self) -> dict[str, Any]:
        return {
            "file": self.source,
            "valid": self.valid,
            "unit_id": self.unit_id,
            "unit_name": self.unit_name,
            "errors": [p.to_dict() for p in self.errors],
            "warnings": [p.to_dict() for p in self.warnings],
        }


def tagged(problems: list[Problem], code: str) -> list[Problem]:
    """``problems`` with ``code`` set where they have none (the stage that failed)."""
    for p in problems:
        p.code = p.code or code
    return problems


def validate_path(path: Path, domain: Domain, as_of: dt.date, max_bytes: int = MAX_BYTES, follow: bool = False) -> Verdict:
    """Schema and consistency verdict for one YAML/JSON profile or XLSX form; never raises."""
    source = str(path)
    try:
        return validate_record(Record(source), domain, as_of, follow)
    except Exception as exc:  # noqa: BLE001 - one file's failure must not stop a batch
        return Verdict(source, [Problem(source, f"无法校验此文件（内部错误 {type(exc).__name__}），请联系维护人员",
                                        code="INTERNAL")])


def validate_record(record: Record, domain: Domain, as_of: dt.date, follow: bool = False) -> Verdict:
    """Verdict for one record: a YAML/JSON profile file, or one line of JSON Lines (source ``file:line``).

    ``follow``: a profile that declares another installed standard (``domain:``) is validated as that.
    """
    try:
        profile, origin = parse_record(record, domain, tag=True, follow=follow)
    except InputError as exc:
        return Verdict(record.source, exc.problems)
    domain = domain_of(profile, domain)
    errors, warnings = assess_record(profile, domain, as_of, record, origin)
    return Verdict(record.source, errors, warnings, profile.unit.id, profile.unit.name)


@unique_ids(unique_verdicts)
def validate_paths(files: Iterable[Path], domain: Domain, as_of: dt.date, max_bytes: int = MAX_BYTES,
                   follow: bool = False, max_jsonl: int = MAX_JSONL_BYTES) -> Iterable[Verdict]:
    """One verdict per profile file, per XLSX form and per line of a JSON Lines file (or ``-``, standard input)."""
    for path in files:
        if is_jsonl(path):
            for record in records_of(path, max_jsonl):
                yield validate_record(record, domain, as_of, follow)
        else:
            yield validate_path(path, domain, as_of, max_bytes, follow)
