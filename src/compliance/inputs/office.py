"""Office spellings of a value typed into a spreadsheet cell, turned into what a profile field holds.

``2025年3月1日``, ``2025.3.1``, ``2025/3/1``, ``2025-3-1`` and ``20250301`` are dates; ``88人``, ``5年``,
``１２`` (full-width) and ``1,200`` are numbers when the unit fits the field (``5年`` in 任期年限, not ``3个月``); ``无``/``空``/``不详`` leave an
optional field empty (待核实). Each change is returned as a Chinese note; a spelling that could mean more
than one thing (``2025年3月``, ``25.3.1``) is an error with a "是不是…" suggestion, never a guess.
"""

from __future__ import annotations

import datetime as dt
import difflib
import re
import unicodedata
from typing import Any, Sequence

from compliance.inputs.model import FALSE_TEXTS, TRUE_TEXTS

BLANK_TEXTS = frozenset({"无", "空", "暂无", "不详", "未知", "/", "-", "—", "——", "－", "无。"})
"""Texts that mean "nothing to report": an optional field holding one is left empty (待核实)."""

_UNIT_SIGNS = {"人": ("人数", "（人）"), "次": ("次数", "（次）"), "年": ("年限", "（年）"), "元": ("（元）", "金额", "经费"),
               "%": ("（%）", "比例"), "个": ("个数", "（个）"), "岁": ("年龄", "（岁）"), "天": ("天数", "（天）")}
"""Units that may follow a number, each accepted only when the field's title or description shows it."""
_SAME_UNIT = {"名": "人", "位": "人"}

_FULL_DATE = re.compile(r"^(\d{2,4})\s*[年./\-]\s*(\d{1,2})\s*[月./\-]\s*(\d{1,2})\s*[日号]?$")
_COMPACT_DATE = re.compile(r"^(\d{4})(\d{2})(\d{2})$")
_MONTH = re.compile(r"^(\d{4})\s*[年./\-]\s*(\d{1,2})\s*月?$")
_NUMBER = re.compile(r"^([+-]?(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?)\s*(\S*)$")


class Spelling(ValueError):
    """A cell whose content cannot be read as the field's kind; the message is Chinese and says what to write."""


def zh_day(day: dt.date) -> str:
    return f"{day.year}年{day.month}月{day.day}日"


def _text(value: str) -> str:
    """Full-width digits, letters and punctuation as their ordinary forms, outer spaces removed."""
    return unicodedata.normalize("NFKC", value).strip()


def _date(text: str, original: str, month_ok: bool) -> dt.date | None:
    """The date written as ``text``; ``None`` when it is not a date spelling at all."""
    found = _FULL_DATE.match(text) or _COMPACT_DATE.match(text)
    if found:
        year, month, day = (int(g) for g in found.groups())
        if year < 100:
            raise Spelling(f"「{original}」年份只有两位：是不是{2000 + year}年{month}月{day}日？请写出四位年份")
        try:
            return dt.date(year, month, day)
        except ValueError:
            raise Spelling(f"「{original}」不是有效日期（{year}年{month}月没有{day}日，或月份不在1至12之间）") from None
    found = _MONTH.match(text)
    if found and not month_ok:
        year, month = int(found[1]), int(found[2])
        raise Spelling(f"「{original}」缺少日：是不是{year}年{month}月1日？请填写完整日期（年月日）")
    return None


def _number(text: str, original: str, kind: str, label: str) -> int | float | None:
    found = _NUMBER.match(text)
    if not found:
        return None
    digits, unit = found.groups()
    allowed = [u for u, signs in _UNIT_SIGNS.items() if any(sign in label for sign in signs)]
    if unit and _SAME_UNIT.get(unit, unit) not in allowed:
        wanted = "整数" if kind == "int" else "数字"
        hint = f"（单位：{'、'.join(allowed)}）" if allowed else ""
        raise Spelling(f"「{original}」应只填写{wanted}{hint}，如{digits}")
    number = float(digits.replace(",", ""))
    if kind == "int":
        if not number.is_integer():
            raise Spelling(f"「{original}」应为整数（不能有小数）")
        return int(number)
    return number


def normalise(value: Any, kind: str, *, label: str = "", choices: Sequence[Any] = (), optional: bool = True,
              month_ok: bool = False) -> tuple[Any, str | None]:
    """``(value, note)`` for a cell of a field of ``kind`` (``date int float bool enum str``).

    ``note`` (``「2025年3月1日」按2025-03-01处理``) is set when the value was read other than as written;
    raises :class:`Spelling` when the content cannot be read as ``kind``. ``label`` is the field's title and
    description (which units it accepts); ``month_ok``: the field itself takes ``2025年3月``.
    """
    if isinstance(value, dt.datetime):
        if value.time() == dt.time(0):
            value = value.date()
        elif kind == "date":
            return value.date(), f"「{value:%Y-%m-%d %H:%M}」按{value.date().isoformat()}处理（不计时间）"
    if kind == "str":
        if isinstance(value, bool) or not isinstance(value, (int, float, dt.date)):
            return _blank(value, optional)
        if isinstance(value, dt.date):
            return value.isoformat(), None
        return (str(int(value)) if float(value).is_integer() else str(value)), None
    if kind == "enum" and isinstance(value, (int, float)) and not isinstance(value, bool):
        value = str(int(value)) if float(value).is_integer() else str(value)
    if not isinstance(value, str):
        return value, None
    original = value
    text = _text(value)
    if kind != "bool" and text in BLANK_TEXTS:
        return _blank(original, optional)
    if kind == "date":
        day = _date(text, original, month_ok)
        if day is None:
            if month_ok and _MONTH.match(text):
                return text, None
            raise Spelling(f"「{original}」不是日期，请填写如2025-03-01或2025年3月1日")
        return day, (None if original == day.isoformat() else f"「{original}」按{day.isoformat()}处理")
    if kind in ("int", "float"):
        number = _number(text, original, kind, label)
        if number is None:
            raise Spelling(f"「{original}」应为{'整数' if kind == 'int' else '数字'}")
        return number, (None if original == str(number) else f"「{original}」按{number}处理")
    if kind == "bool":
        if text.lower() in TRUE_TEXTS or text.lower() in FALSE_TEXTS:
            return text, None
        raise Spelling(f"「{original}」应填写“是”或“否”")
    if kind == "enum":
        names = [str(c) for c in choices]
        compact = re.sub(r"\s+", "", original)
        if compact not in names:
            compact = re.sub(r"\s+", "", text)
        if compact in names:
            return compact, (None if compact == original else f"「{original}」按「{compact}」处理")
        close = difflib.get_close_matches(compact, names, n=1, cutoff=0.5)
        hint = f"是不是「{close[0]}」？" if close else ""
        raise Spelling(f"「{original}」不是可选项，{hint}可选：{'、'.join(names)}")
    return value, None


def _blank(value: Any, optional: bool) -> tuple[Any, str | None]:
    if optional and isinstance(value, str) and _text(value) in BLANK_TEXTS:
        return None, f"「{value}」按未填写处理（检查时列为待核实）"
    return value, None
