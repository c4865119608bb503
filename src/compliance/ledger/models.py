"""ORM of the 整改台账: an :class:`Item` per problem and a :class:`History` row per change of ledger data.

An item is keyed on (unit_id, rule_id, subject); nothing is ever deleted.
"""

from __future__ import annotations

import datetime as dt
import os
from functools import lru_cache
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from sqlalchemy import Date, DateTime, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

from compliance.findings import zh_date
from compliance.ledger.errors import LedgerConfigError
from compliance.ledger.vocabulary import FIELDS, NOT_OVERDUE, OVERDUE, RESULT_ZH

ZONE_ENV = "COMPLIANCE_TZ"
DEFAULT_ZONE = "Asia/Shanghai"
"""Times are stored in UTC and shown in this zone (offices read Beijing time); ``COMPLIANCE_TZ`` overrides it."""


class Base(DeclarativeBase):
    """Declarative base of the ledger tables (the metadata Alembic compares against)."""


def utcnow() -> dt.datetime:
    """The current time, timezone-aware in UTC (timestamps of items and history)."""
    return dt.datetime.now(dt.timezone.utc)


@lru_cache(maxsize=8)
def _zone(name: str) -> ZoneInfo:
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError, OSError):
        raise LedgerConfigError(f"环境变量 {ZONE_ENV} 的时区「{name[:60]}」无效：应为 IANA 时区名，如 {DEFAULT_ZONE}"
                                "（Windows 上需安装 tzdata 包）") from None


def display_zone() -> ZoneInfo:
    """The zone history times are shown in: ``COMPLIANCE_TZ`` or :data:`DEFAULT_ZONE`."""
    return _zone(os.environ.get(ZONE_ENV, "").strip() or DEFAULT_ZONE)


def as_utc(at: dt.datetime) -> dt.datetime:
    """A stored timestamp as an aware UTC time (SQLite returns it without its zone)."""
    return at.replace(tzinfo=dt.timezone.utc) if at.tzinfo is None else at.astimezone(dt.timezone.utc)


def local_time(at: dt.datetime) -> dt.datetime:
    """A stored timestamp in the display zone."""
    return as_utc(at).astimezone(display_zone())


def local_text(at: dt.datetime | None) -> str:
    """``2025年12月20日 14:05``: a stored timestamp as people read it, in the display zone."""
    if at is None:
        return ""
    local = local_time(at)
    return f"{zh_date(local.date())} {local:%H:%M}"


class Item(Base):
    """One problem of one unit (rule + subject), tracked until it is closed."""

    __tablename__ = "ledger_items"
    __table_args__ = (UniqueConstraint("unit_id", "rule_id", "subject", name="uq_ledger_item_key"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    unit_id: Mapped[str] = mapped_column(String(100))
    unit_name: Mapped[str] = mapped_column(String(200))
    rule_id: Mapped[str] = mapped_column(String(100))
    subject: Mapped[str] = mapped_column(String(200))
    category: Mapped[str] = mapped_column(String(100))
    rule_title: Mapped[str] = mapped_column(String(300))
    severity: Mapped[str] = mapped_column(String(20))
    description: Mapped[str] = mapped_column(Text)
    basis: Mapped[str] = mapped_column(Text)
    measure: Mapped[str] = mapped_column(Text)
    owner_role: Mapped[str] = mapped_column(String(100))
    leader: Mapped[str] = mapped_column(String(200), default="")
    department: Mapped[str] = mapped_column(String(200), default="", server_default="")
    person: Mapped[str] = mapped_column(String(200), default="")
    deadline: Mapped[dt.date | None] = mapped_column(Date, nullable=True)
    progress: Mapped[str] = mapped_column(Text, default="")
    evidence: Mapped[str] = mapped_column(Text, default="")
    remarks: Mapped[str] = mapped_column(Text, default="", server_default="")
    status: Mapped[str] = mapped_column(String(20))
    found_on: Mapped[dt.date] = mapped_column(Date)
    closed_on: Mapped[dt.date | None] = mapped_column(Date, nullable=True)
    rebound_count: Mapped[int] = mapped_column(Integer, default=0)
    last_result: Mapped[str] = mapped_column(String(20))
    last_checked: Mapped[dt.date] = mapped_column(Date)
    last_message: Mapped[str] = mapped_column(Text)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    version: Mapped[int] = mapped_column(Integer, default=1)

    history: Mapped[list["History"]] = relationship(back_populates="item", order_by="History.id")

    @property
    def key(self) -> str:
        return f"{self.unit_id}/{self.rule_id}" + (f"/{self.subject}" if self.subject else "")

    @property
    def unit_text(self) -> str:
        return self.unit_name + (f"（{self.subject}）" if self.subject else "")

    @property
    def source_text(self) -> str:
        return f"{self.category}｜{self.rule_id} {self.rule_title}"

    def overdue_days(self, as_of: dt.date) -> int:
        """Days past the deadline (0 when not overdue); 逾期 is derived, never stored."""
        if self.status in NOT_OVERDUE or self.deadline is None or self.deadline >= as_of:
            return 0
        return (as_of - self.deadline).days

    def status_text(self, as_of: dt.date) -> str:
        days = self.overdue_days(as_of)
        return f"{self.status}（{OVERDUE} {days} 天）" if days else self.status

    def last_check_text(self) -> str:
        """``2025年12月20日 符合：工会开设独立银行账户`` — the result label once, even when the message repeats it."""
        label = RESULT_ZH.get(self.last_result, self.last_result)
        message = "" if self.last_result == "absent" else (self.last_message or "").strip()
        for prefix in (f"{label}：", f"{label}:", label):
            if message.startswith(prefix):
                message = message[len(prefix):].lstrip()
                break
        return f"{zh_date(self.last_checked) or '未检查'} {label}" + (f"：{message}" if message else "")

    def to_dict(self, as_of: dt.date) -> dict[str, Any]:
        return {
            "id": self.id, "key": self.key, "unit_id": self.unit_id, "unit_name": self.unit_name,
            "rule_id": self.rule_id, "subject": self.subject, "category": self.category,
            "rule_title": self.rule_title, "severity": self.severity, "description": self.description,
            "basis": self.basis, "measure": self.measure, "owner_role": self.owner_role, "leader": self.leader,
            "department": self.department, "person": self.person, "deadline": iso_date(self.deadline),
            "progress": self.progress, "evidence": self.evidence, "remarks": self.remarks, "status": self.status,
            "overdue": bool(self.overdue_days(as_of)), "overdue_days": self.overdue_days(as_of),
            "found_on": iso_date(self.found_on), "closed_on": iso_date(self.closed_on),
            "rebound_count": self.rebound_count, "last_result": self.last_result,
            "last_result_zh": RESULT_ZH.get(self.last_result, self.last_result),
            "last_checked": iso_date(self.last_checked), "last_message": self.last_message, "version": self.version,
        }


class History(Base):
    """One change of one field of an item: who, when, from, to and why."""

    __tablename__ = "ledger_history"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    item_id: Mapped[int] = mapped_column(ForeignKey("ledger_items.id"), index=True)
    at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    by: Mapped[str] = mapped_column(String(100))
    field: Mapped[str] = mapped_column(String(50))
    old: Mapped[str | None] = mapped_column(Text, nullable=True)
    new: Mapped[str | None] = mapped_column(Text, nullable=True)
    reason: Mapped[str] = mapped_column(Text, default="")

    item: Mapped[Item] = relationship(back_populates="history")

    def to_dict(self) -> dict[str, Any]:
        local = local_time(self.at) if self.at else None
        return {"at": as_utc(self.at).isoformat(timespec="seconds") if self.at else None,
                "at_local": local.isoformat(timespec="seconds") if local else None,
                "zone": display_zone().key if local else None, "by": self.by,
                "field": self.field, "field_zh": FIELDS.get(self.field, self.field),
                "old": self.old, "new": self.new, "reason": self.reason}


def iso_date(value: dt.date | None) -> str | None:
    """``YYYY-MM-DD``, or None for a missing date."""
    return value.isoformat() if value else None




# The web accounts and units share this metadata (one schema, one Alembic history): register their tables.
from compliance.ledger import accounts as _accounts  # noqa: E402,F401
