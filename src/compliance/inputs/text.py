"""Characters that no XML document (DOCX, XLSX) nor strict UTF-8 can hold: C0 controls other than tab,
newline and carriage return, lone surrogates, U+FFFE and U+FFFF."""

from __future__ import annotations

import re

ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def first_illegal(text: str) -> str | None:
    """The first character of ``text`` that no document can store, if any."""
    found = ILLEGAL.search(text)
    return found.group() if found else None


def strip_illegal(text: str) -> str:
    """``text`` without the characters no document can store."""
    return ILLEGAL.sub("", text)


def escape_illegal(text: str) -> str:
    """``text`` with each character no document can store written as ``\\uXXXX``."""
    return ILLEGAL.sub(lambda m: f"\\u{ord(m.group()):04x}", text)


def clean(value: object) -> object:
    """A value ready for a writer: text without illegal characters, anything else as it is."""
    return strip_illegal(value) if isinstance(value, str) else value
