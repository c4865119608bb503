"""Wording of text sent to units: Chinese dates, no spaces around numbers.

Every writer passes its text through :func:`prose` (which also drops characters no XML document can hold).
"""

from __future__ import annotations

import datetime as dt
import functools
import re

from compliance.findings import zh_date
from compliance.inputs.text import strip_illegal

ISO_DATE = re.compile(r"(?<![\d-])(\d{4})-(\d{2})-(\d{2})(?![\d-])")
CJK = r"\u3000-\u303f\u4e00-\u9fff\uff00-\uffef"
SPACE_BEFORE_NUMBER = re.compile(rf"(?<=[{CJK}])[ \u00a0]+(?=[\d.%]+)")
SPACE_AFTER_NUMBER = re.compile(rf"(?<=[\d%])[ \u00a0]+(?=[{CJK}])")


def _zh_iso(match: re.Match[str]) -> str:
    try:
        return zh_date(dt.date(int(match[1]), int(match[2]), int(match[3]))) or match[0]
    except ValueError:
        return match[0]


def prose(text: object) -> str:
    """Text as a person reads it: XML-legal, ISO dates in Chinese, no spaces around numbers."""
    return _prose("" if text is None else str(text))


@functools.lru_cache(maxsize=65536)
def _prose(text: str) -> str:
    """(Cached: requirement titles, bases and measures repeat across thousands of units.)"""
    value = strip_illegal(text)
    value = SPACE_BEFORE_NUMBER.sub("", value)
    value = SPACE_AFTER_NUMBER.sub("", value)
    value = ISO_DATE.sub(_zh_iso, value)
    return value
