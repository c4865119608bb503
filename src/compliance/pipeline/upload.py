"""One uploaded file (a 信息采集表 or a YAML/JSON profile, as bytes) read with the defences of the command line."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any, NamedTuple

from compliance.engine.domain import Domain
from compliance.inputs.loader import MAX_BYTES, InputError, Problem, decode, parse_text, too_large
from compliance.inputs.paths import is_form
from compliance.inputs.records import Record
from compliance.pipeline.run import assess_record, read_form, validate_profile


class Upload(NamedTuple):
    """What an upload holds: the profile (``None`` when it has errors), the errors, and the notes (office
    spellings read other than as written, level ``note``) and warnings (level ``warning``)."""

    profile: Any
    problems: list[Problem]
    notes: list[Problem]


def read_upload(name: str, data: bytes, domain: Domain, as_of: dt.date | None = None,
                max_bytes: int = MAX_BYTES) -> Upload:
    """Read, validate and consistency-check an uploaded file called ``name``; never raises for bad content.

    ``.xlsx``/``.xlsm`` is read as the domain's 信息采集表 (zip and size caps, formulas refused), anything else
    as YAML/JSON (size cap, safe YAML, no aliases, bounded depth). Problems are located as ``sheet!cell`` or
    ``file:line``; ``name`` is only used in messages and to tell the kind of file.
    """
    as_of = as_of or dt.date.today()
    try:
        if len(data) > max_bytes:
            raise InputError([Problem(name, too_large(len(data), max_bytes))])
        if is_form(name):
            origin: Any = read_form(data, domain, name)
            profile = origin.profile
        else:
            origin = decode(data, name)
            profile = validate_profile(parse_text(origin, name), domain, name, origin)
    except InputError as exc:
        return Upload(None, exc.problems, [])
    errors, notes = assess_record(profile, domain, as_of, Record(name), origin)
    return Upload(None if errors else profile, errors, notes)


_CELL = re.compile(r"^([^!：\s]+)!([A-Z]{1,3}[1-9]\d*)：")


def cell_of(problem: Problem) -> tuple[str, str] | None:
    """(sheet, cell) that a problem of a 信息采集表 points at (``("工会", "C8")``), for showing it next to the cell."""
    found = _CELL.match(problem.message)
    return (found[1], found[2]) if found else None
