"""Waivers (豁免): approved exceptions from a unit's profile or an inspector's waiver file, and which one applies."""

from __future__ import annotations

import datetime as dt
from typing import Any

from pydantic import Field

from compliance.inputs.model import Model, zh


class Waiver(Model):
    rule: str = Field(title="规则", min_length=1)
    subject: str | None = zh("对象", "只豁免某一对象（如 共青团）时填写")
    reason: str | None = zh("理由")
    document: str | None = zh("批准文件")
    approver: str | None = zh("批准人")
    approved_on: dt.date | None = zh("批准日期")
    expires: dt.date | None = zh("有效期至")


def choose_waiver(waivers: list[dict[str, Any]] | None, rule_id: str, subject: str) -> dict[str, Any] | None:
    """The waiver of ``rule_id`` (for ``subject`` or for every subject) that runs longest."""
    best = None
    for w in waivers or ():
        if w.get("rule") != rule_id:
            continue
        if w.get("subject") not in (None, "", subject):
            continue
        if best is None or (w.get("expires") or dt.date.min) > (best.get("expires") or dt.date.min):
            best = w
    return best


def waiver_valid(w: dict[str, Any], as_of: dt.date) -> bool:
    """A waiver counts only with an approval document and an expiry date not yet passed."""
    return bool(w.get("document")) and w.get("expires") is not None and w["expires"] >= as_of
