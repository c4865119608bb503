"""What people read about items: the fields of ``ledger show``, history rows in local time, and the CSV export."""

from __future__ import annotations

import csv
import datetime as dt
import io
from typing import Any

from compliance.findings import zh_date
from compliance.inputs.text import strip_illegal
from compliance.inputs.xlsx import neutralise
from compliance.ledger.models import History, Item, local_text
from compliance.ledger.vocabulary import RESULT_ZH

HISTORY_HEADERS = ["时间", "操作人", "字段", "原值", "新值", "原因"]
DATE_FIELDS = {"deadline", "closed_on"}
CSV_HEADERS = ["序号", "单位", "问题来源/类别", "严重程度", "问题描述", "依据条款", "整改措施", "责任领导", "责任部门",
               "责任人", "整改时限", "整改进展", "完成情况", "佐证材料", "销号时间", "备注", "事项编号", "版本",
               "逾期天数", "反弹次数", "最近检查结果"]


def item_fields(item: Item, as_of: dt.date) -> list[tuple[str, Any]]:
    """(label, value) of one item as ``ledger show`` prints it; dates in Chinese."""
    person = item.person + (f"（规则责任人角色：{item.owner_role}）" if item.owner_role != item.person else "")
    return [
        ("事项", f"{item.id}（{item.key}）"), ("单位", item.unit_text), ("问题来源/类别", item.source_text),
        ("严重程度", item.severity), ("问题描述", item.description), ("依据条款", item.basis),
        ("整改措施", item.measure), ("责任领导", item.leader), ("责任部门", item.department), ("责任人", person),
        ("整改时限", zh_date(item.deadline) or "未定"), ("完成情况", item.status_text(as_of)),
        ("整改进展", item.progress), ("佐证材料", item.evidence), ("销号时间", zh_date(item.closed_on) or ""),
        ("备注", item.remarks), ("发现日期", zh_date(item.found_on)), ("反弹次数", item.rebound_count),
        ("最近检查", item.last_check_text()), ("版本", item.version),
    ]


def history_value(name: str, value: str | None) -> str:
    """A history value as read: dates of date fields in Chinese, a dash for none."""
    if value and name in DATE_FIELDS:
        try:
            return zh_date(dt.date.fromisoformat(value)) or value
        except ValueError:
            return value
    return value or "—"


def history_rows(history: list[History]) -> list[list[str]]:
    """Rows under :data:`HISTORY_HEADERS`: time in the display zone (stored in UTC), values as read."""
    from compliance.ledger.vocabulary import FIELDS

    return [[local_text(h.at), h.by, FIELDS.get(h.field, h.field), history_value(h.field, h.old),
             history_value(h.field, h.new), h.reason] for h in history]


def items_csv(items: list[Item], as_of: dt.date) -> str:
    """Every column of the ledger as CSV (formulas neutralised, XML-illegal characters removed)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(CSV_HEADERS)
    for n, i in enumerate(items, 1):
        row = [n, i.unit_text, i.source_text, i.severity, i.description, i.basis, i.measure, i.leader, i.department,
               i.person, i.deadline, i.progress, i.status, i.evidence, i.closed_on, i.remarks, i.id, i.version,
               i.overdue_days(as_of), i.rebound_count, RESULT_ZH.get(i.last_result, "")]
        writer.writerow([neutralise(strip_illegal(v)) if isinstance(v, str) else v for v in row])
    return buffer.getvalue()
