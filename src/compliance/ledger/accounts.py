"""Web accounts and units, stored in the ledger database (migration 0003).

A :class:`Unit` is a unit known to the web application (its last uploaded profile and check counts);
an :class:`Account` is a person who logs in, with one role of :data:`ROLES`. A unit account is bound
to one unit id. Passwords are stored only as Argon2 hashes (made by the caller).
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Boolean, Date, DateTime, Integer, String, Text, select
from sqlalchemy.orm import Mapped, Session, mapped_column

from compliance.ledger.errors import LedgerError
from compliance.ledger.models import Base, utcnow

UNIT, INSPECTOR, ADMIN = "unit", "inspector", "admin"
ROLES: dict[str, str] = {UNIT: "单位", INSPECTOR: "督查", ADMIN: "管理员"}
"""Role key → Chinese name; the one definition of web roles."""
ROLE_OF_LABEL: dict[str, str] = {label: key for key, label in ROLES.items()}
MAX_NAME = 60
"""Longest account name: the history's 操作人 column (100 characters) holds it with its role."""


class Unit(Base):
    """A unit of the web application: its last profile (YAML text) and the counts of its last check."""

    __tablename__ = "web_units"

    id: Mapped[str] = mapped_column(String(100), primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    profile: Mapped[str | None] = mapped_column(Text, nullable=True)
    profile_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    profile_by: Mapped[str] = mapped_column(String(100), default="")
    checked_on: Mapped[dt.date | None] = mapped_column(Date, nullable=True)
    fail_count: Mapped[int] = mapped_column(Integer, default=0)
    serious_count: Mapped[int] = mapped_column(Integer, default=0)
    unknown_count: Mapped[int] = mapped_column(Integer, default=0)
    advisory_count: Mapped[int] = mapped_column(Integer, default=0)


class Account(Base):
    """A person who logs in: name, Argon2 hash, role and (for a unit account) the unit."""

    __tablename__ = "web_accounts"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(100), unique=True)
    password_hash: Mapped[str] = mapped_column(String(300))
    role: Mapped[str] = mapped_column(String(20))
    unit_id: Mapped[str | None] = mapped_column(String(100), nullable=True)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    @property
    def role_zh(self) -> str:
        return ROLES.get(self.role, self.role)


def role_key(value: str) -> str:
    """``单位`` / ``unit`` → ``unit``; a Chinese error for anything else."""
    value = value.strip()
    if value in ROLES:
        return value
    if value in ROLE_OF_LABEL:
        return ROLE_OF_LABEL[value]
    raise LedgerError(f"「{value}」不是有效的角色，可选：{' / '.join(ROLES.values())}")


def get_account(session: Session, name: str) -> Account | None:
    return session.scalars(select(Account).where(Account.name == name)).first()


def ensure_unit(session: Session, unit_id: str, name: str) -> Unit:
    """The unit ``unit_id``, created (or renamed) as needed."""
    unit_id, name = unit_id.strip(), name.strip()
    if not unit_id or not name:
        raise LedgerError("单位编号和单位名称都不能为空")
    unit = session.get(Unit, unit_id)
    if unit is None:
        unit = Unit(id=unit_id, name=name, profile_by="")
        session.add(unit)
    elif name != unit.name:
        unit.name = name
    return unit


def add_account(session: Session, name: str, password_hash: str, role: str, unit_id: str | None = None) -> Account:
    """A new account; a unit account must name a known unit, other roles none."""
    name = name.strip()
    role = role_key(role)
    if not name or len(name) > MAX_NAME:
        raise LedgerError(f"账号名不能为空，且不超过{MAX_NAME}个字符")
    if get_account(session, name) is not None:
        raise LedgerError(f"账号「{name}」已存在")
    if role == UNIT:
        if not unit_id or session.get(Unit, unit_id) is None:
            raise LedgerError(f"单位账号须绑定已登记的单位（单位编号「{unit_id or ''}」不存在；请先登记单位）")
    else:
        unit_id = None
    account = Account(name=name, password_hash=password_hash, role=role, unit_id=unit_id, active=True)
    session.add(account)
    return account
