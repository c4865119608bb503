"""Changing items by hand: field changes with history, item lookup, transition rules and manual updates."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from compliance.ledger.errors import LedgerError
from compliance.findings import zh_date
from compliance.ledger.models import History, Item, utcnow
from compliance.ledger.vocabulary import (
    CLEAN_RESULTS, CLOSED, DONE, EDITABLE, FIELDS, RESULT_ZH, STATUSES, TRANSITIONS, UNIT_STATUSES, WAIVED,
)


def _text(value: Any) -> str | None:
    """A field value as stored in history: dates as ``YYYY-MM-DD``, None kept."""
    if value is None:
        return None
    return value.isoformat() if isinstance(value, dt.date) else str(value)


def set_field(session: Session, item: Item, name: str, value: Any, by: str, reason: str) -> bool:
    """Change one field and write its history row; returns whether it changed."""
    old = getattr(item, name)
    if old == value:
        return False
    setattr(item, name, value)
    session.add(History(item=item, by=by, field=name, old=_text(old), new=_text(value), reason=reason))
    return True


def touch(item: Item) -> None:
    """Mark a change of ledger data: a new version and update time."""
    item.version += 1
    item.updated_at = utcnow()


def get_item(session: Session, ref: str | int) -> Item:
    """An item by number, or by key ``UNIT/RULE[/SUBJECT]``."""
    ref = str(ref).strip().lstrip("#")
    if ref.isascii() and ref.isdigit():  # not ¹²³ nor other Unicode digits; a number beyond 64 bits names no item
        item = session.get(Item, int(ref)) if len(ref.lstrip("0")) <= 18 else None
    else:
        unit, _, rest = ref.partition("/")
        rule, _, subject = rest.partition("/")
        item = session.scalars(select(Item).where(Item.unit_id == unit, Item.rule_id == rule,
                                                  Item.subject == subject)).first()
    if item is None:
        shown = ref if len(ref) <= 60 else ref[:60] + "…"
        raise LedgerError(f"台账中没有事项「{shown}」（用 compliance ledger list 查看事项编号）")
    return item


def check_transition(item: Item, new: str, *, unit: bool = False) -> None:
    """Raise a Chinese :class:`LedgerError` unless ``item`` may move to ``new`` by hand."""
    if new not in STATUSES:
        raise LedgerError(f"「{new}」不是有效的完成情况，可选：{' / '.join(STATUSES)}（逾期 由整改时限自动判断，不能手工设置）")
    old = item.status
    if new == old:
        return
    where = f"事项 {item.id}（{item.key}）"
    if new == WAIVED:
        raise LedgerError(f"{where}：豁免须在单位档案的 waivers 中登记批准文件和有效期，经检查并同步台账后自动生效")
    if old == CLOSED:
        raise LedgerError(f"{where} 已销号，不能改为「{new}」；如问题再次出现，检查并同步台账时会自动重新打开（计为反弹）")
    if old == WAIVED:
        raise LedgerError(f"{where} 处于豁免状态，由档案中的豁免登记决定；豁免到期或撤销后检查并同步台账会自动转入整改")
    if unit and new not in UNIT_STATUSES:
        raise LedgerError(f"{where}：单位只能将完成情况填为 {' / '.join(UNIT_STATUSES)}，「{new}」须由督查方确认")
    if new == CLOSED and old != DONE:
        raise LedgerError(f"{where} 当前为「{old}」，不能直接销号：应先整改并标记为「{DONE}」，经复查验收后再销号")
    if new not in TRANSITIONS[old]:
        allowed = " / ".join(sorted(TRANSITIONS[old])) or "无"
        raise LedgerError(f"{where} 不能从「{old}」改为「{new}」（可改为：{allowed}）")
    if new == CLOSED and item.last_result not in CLEAN_RESULTS:
        raise LedgerError(
            f"{where} 在最近一次检查（{zh_date(item.last_checked)}）中结果为「{RESULT_ZH.get(item.last_result, item.last_result)}」，"
            "不能销号：请单位更新档案后重新检查并同步台账，复查符合后再销号")


def check_value(name: str, value: Any) -> None:
    """Raise a Chinese :class:`LedgerError` when ``value`` does not fit the field (e.g. text longer than its column)."""
    limit = getattr(Item.__table__.columns[name].type, "length", None)
    if limit and isinstance(value, str) and len(value) > limit:
        raise LedgerError(f"「{FIELDS.get(name, name)}」最多{limit}个字，现为{len(value)}个字")


def update_item(session: Session, item: Item, changes: dict[str, Any], by: str, reason: str = "",
                *, on: dt.date | None = None, unit: bool = False, expected_version: int | None = None) -> list[tuple[str, Any, Any]]:
    """Apply manual edits (fields of :data:`EDITABLE`) with transition rules; returns (field, old, new).

    ``expected_version`` (the ``version`` the editor saw, e.g. in a web form) guards against lost updates:
    when the item changed meanwhile nothing is written and a Chinese :class:`LedgerError` is raised. Call it
    inside the write transaction (``Ledger.write()``) so the check and the write are one step.
    """
    if expected_version is not None and item.version != expected_version:
        raise LedgerError(f"事项 {item.id}（{item.key}）已被他人修改（版本{expected_version}→{item.version}），"
                          "为免覆盖他人的修改，本次修改未保存；请刷新后查看最新内容再填写")
    unknown = set(changes) - set(EDITABLE)
    if unknown:
        raise LedgerError(f"不能修改字段：{'、'.join(sorted(unknown))}")
    done: list[tuple[str, Any, Any]] = []
    if "status" in changes and changes["status"] is not None:
        check_transition(item, changes["status"], unit=unit)
    for name, value in changes.items():
        check_value(name, value)
    why = reason or ("单位填报导入" if unit else "手工更新")
    for name in EDITABLE:
        if name not in changes or changes[name] is None:
            continue
        old = getattr(item, name)
        if set_field(session, item, name, changes[name], by, why):
            done.append((name, old, changes[name]))
            if name == "status" and changes[name] == CLOSED:
                set_field(session, item, "closed_on", on or dt.date.today(), by, why)
    if done:
        touch(item)
    return done

