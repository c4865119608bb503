"""File names made from what a unit wrote (its name or id): safe on Windows, macOS and Linux."""

from __future__ import annotations

import unicodedata

WINDOWS_RESERVED = {"CON", "PRN", "AUX", "NUL", *(f"COM{i}" for i in range(1, 10)), *(f"LPT{i}" for i in range(1, 10))}
_UNSAFE = set('<>:"/\\|?*')
MAX_NAME_BYTES = 200
"""Bytes (UTF-8) a name part may take, leaving room for a prefix and suffix within the 255-byte limit."""


def _allowed(ch: str) -> bool:
    return ch not in _UNSAFE and unicodedata.category(ch) not in {"Cc", "Cf", "Cs", "Co", "Cn", "Zl", "Zp"}


def safe_name(text: str, limit: int = 80) -> str:
    """A file-name part that every system accepts and that stays inside its folder.

    Separators, control and format characters (ANSI escapes, bidi overrides) become ``_``; leading
    dots are dropped (no ``..`` nor hidden files); reserved device names (``CON``, ``NUL`` …) get a
    ``_`` prefix; the result is at most ``limit`` characters and :data:`MAX_NAME_BYTES` bytes.
    """
    cleaned = "".join(ch if _allowed(ch) else "_" for ch in text).strip().lstrip(".").rstrip(". ")
    cleaned = cleaned[:limit]
    while len(cleaned.encode("utf-8")) > MAX_NAME_BYTES:
        cleaned = cleaned[:-1]
    cleaned = cleaned.rstrip(". ") or "_"
    if cleaned.split(".")[0].strip().upper() in WINDOWS_RESERVED:
        cleaned = "_" + cleaned
    return cleaned
