"""Waivers (豁免): approved exceptions from a unit's profile or an inspector's waiver file, and which one applies."""

from __future__ import annotations

import datetime as dt
import difflib
from typing import Any, Collection

from pydantic import BaseModel, Field

from compliance.findings import Finding, show
from compliance.inputs.loader import Problem
from compliance.inputs.model import Model, zh
from compliance.inputs.validation import Locator


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


# --- what a waiver may name, and what it cannot waive ---------------------------------------------

NO_DOCUMENT = "没有批准文件，豁免无效（须有上级批准文件和有效期）"


def usable(waivers: list[dict[str, Any]] | None) -> list[dict[str, Any]]:
    """The waivers that may apply: those with an approval document (one without is invalid, not 已失效)."""
    return [w for w in waivers or () if w.get("document")]


def _plain(rule_id: str) -> str:
    return "".join(ch for ch in rule_id.upper() if ch.isalnum())


def suggest(rule_id: str, known: Collection[str]) -> str | None:
    """The rule meant by a mistyped id: the same letters and digits (``E-2`` → ``E2``), else the closest one."""
    same = [k for k in sorted(known) if _plain(k) == _plain(rule_id)]
    if same:
        return same[0]
    close = difflib.get_close_matches(rule_id, sorted(known), n=1, cutoff=0.4)
    return close[0] if close else None


def waiver_problems(waivers: list[Waiver] | None, known: Collection[str], model: type[BaseModel] | None,
                    name: str, text: str | None = None) -> list[Problem]:
    """Located input errors for waivers of a profile naming a rule the pack does not have (with a suggestion)."""
    problems: list[Problem] = []
    where = Locator(text) if text is not None and waivers else None
    for index, waiver in enumerate(waivers or ()):
        if waiver.rule in known:
            continue
        close = suggest(waiver.rule, known)
        hint = f"，是不是想写「{close}」？" if close else "（运行 compliance rules list 查看全部规则）"
        loc = ("waivers", index, "rule")
        line, column = where(loc, model) if where is not None else (None, None)
        label = f"豁免[{index + 1}].规则"
        problems.append(Problem(name, f"豁免引用的规则「{waiver.rule}」在规则包中不存在{hint}", line=line,
                                column=column, path=f"{label} (waivers.{index}.rule)", key="rule",
                                given=waiver.rule, expected="规则包中的规则编号"))
    return problems


def postpone_statutory(findings: list[Finding], not_waivable: Collection[str], as_of: dt.date) -> list[Finding]:
    """A statutory duty (经审会, 独立账户, 2% 拨缴 …) is never 豁免: an approval there is 经批准延期整改 — the
    item stays 不符合, with the approved date as its deadline."""
    for f in findings:
        if f.waiver is None or f.rule_id not in not_waivable:
            continue
        until = f.waiver.get("expires")
        if f.state == "fail" and f.waiver.get("expired"):
            f.message = f.message.split("（豁免已失效：", 1)[0] + (
                f"（法定义务不能豁免；经批准延期整改的期限{show(until)}已过：{f.waiver.get('document')}）")
            continue
        if f.state != "waived":
            continue
        f.state = "fail"
        f.message = f.message.split("（已豁免：", 1)[0] + (
            f"（法定义务不能豁免；经批准延期整改：{f.waiver.get('document')}，整改时限延至{show(until)}）")
        if isinstance(until, dt.date) and until >= as_of:
            f.deadline_days = (until - as_of).days
        f.waiver = {**f.waiver, "postponed": True}
    return findings
