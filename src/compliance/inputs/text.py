"""Characters that must not reach a document, a terminal or a JSON file, and the one place each writer
neutralises them.

``ILLEGAL``: what no XML document (DOCX, XLSX) nor strict UTF-8 can hold: C0 controls other than tab,
newline and carriage return, lone surrogates, U+FFFE and U+FFFF. ``UNSAFE`` adds what a terminal or a
spreadsheet would act on: DEL and C1 controls (``\\x9b`` starts an escape sequence like ESC ``[``) and
the bidirectional controls that reorder what is shown (U+202E …). Validation refuses them in profiles;
the writers use these helpers anyway (defence in depth).
"""

from __future__ import annotations

import re

ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
UNSAFE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff\ufffe\uffff"
                    "\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]")
_TERMINAL = re.compile(UNSAFE.pattern[:-1] + "\t\r]")
_SURROGATE = re.compile("[\ud800-\udfff]")
TERMINAL_LIMIT = 2000
"""Characters of one value shown in a terminal table; the rest is cut (a profile's text is capped lower)."""


def _escaped(match: re.Match[str]) -> str:
    return f"\\u{ord(match.group()):04x}"


def first_illegal(text: str) -> str | None:
    """The first character of ``text`` that no document can store, if any."""
    found = ILLEGAL.search(text)
    return found.group() if found else None


def strip_illegal(text: str) -> str:
    """``text`` without the characters no document can store."""
    return ILLEGAL.sub("", text)


def escape_illegal(text: str) -> str:
    """``text`` with each character no document can store written as ``\\uXXXX``."""
    return ILLEGAL.sub(_escaped, text)


def clean(value: object) -> object:
    """A value ready for a writer: text without illegal characters, anything else as it is."""
    return strip_illegal(value) if isinstance(value, str) else value


def escape_unsafe(text: str) -> str:
    """``text`` with illegal, C1 and bidirectional control characters written as ``\\uXXXX`` (tab and
    line breaks kept): visible, and inert in terminals, spreadsheets and logs."""
    return UNSAFE.sub(_escaped, text)


def for_terminal(value: object, limit: int = TERMINAL_LIMIT) -> str:
    """``value`` as text a terminal shows without acting on it: ESC, CR, tab, C1 and bidi controls, NUL
    and lone surrogates written as ``\\uXXXX``; newlines kept; at most ``limit`` characters (then ``…``)."""
    text = str(value)
    if len(text) > limit:
        text = text[:limit] + "…"
    return _TERMINAL.sub(_escaped, text)


def for_xml(value: object) -> str:
    """``value`` as text any XML document can hold and any viewer shows as written: each illegal (and each
    C1 or bidirectional control) character becomes U+FFFD."""
    return UNSAFE.sub("\ufffd", str(value))


def for_json(encoded: str) -> str:
    """JSON text written with ``ensure_ascii=False`` made encodable as UTF-8: a lone surrogate (which
    can only stand inside a string literal) becomes its ``\\uXXXX`` escape, so the JSON means the same."""
    return _SURROGATE.sub(_escaped, encoded)


def size_text(size: int) -> str:
    """A size as a person reads it: whole megabytes (``5MB``, ``约3005MB`` from 10 MB up), else bytes."""
    megabytes, rest = divmod(size, 1024 * 1024)
    if megabytes and not rest:
        return f"{megabytes}MB"
    if megabytes < 10:
        return f"{size}字节"
    return f"约{megabytes + (rest >= 512 * 1024)}MB"
