"""整改台账: a persistent rectification ledger (models, store with migrations, lifecycle, sync).

An item is keyed on (unit_id, rule_id, subject); its status follows
新增 → 整改中 → 已整改待验收 → 已销号 (plus 豁免); 逾期 is derived from the deadline.
Every change of ledger data writes a :class:`History` row; nothing is ever deleted.
"""

from __future__ import annotations

import datetime as dt
import os
import time
from collections import Counter
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterable, Iterator

from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy import (
    Date, DateTime, ForeignKey, Integer, String, Text, UniqueConstraint, create_engine, event, inspect, select, text,
)
from sqlalchemy.engine import Connection, Engine, make_url
from sqlalchemy.exc import ArgumentError, DBAPIError, NoSuchModuleError, SQLAlchemyError
from sqlalchemy.orm import DeclarativeBase, Mapped, Session, mapped_column, relationship

from compliance.inputs.loader import parse_text, read_text, validate_as
from compliance.engine.pack import SEVERITY_RANK

NEW, WORKING, DONE, CLOSED, WAIVED = "新增", "整改中", "已整改待验收", "已销号", "豁免"
STATUSES = [NEW, WORKING, DONE, CLOSED, WAIVED]
OVERDUE = "逾期"
NOT_OVERDUE = {CLOSED, WAIVED}
# Manual changes (ledger update / import); 豁免 and reopening come only from a check (sync).
TRANSITIONS: dict[str, set[str]] = {
    NEW: {WORKING, DONE},
    WORKING: {DONE},
    DONE: {WORKING, CLOSED},
    CLOSED: set(),
    WAIVED: set(),
}
UNIT_STATUSES = (WORKING, DONE)
CLEAN_RESULTS = {"pass", "not_applicable", "absent"}
RESULT_ZH = {"fail": "不符合", "unknown": "待核实", "waived": "豁免", "pass": "符合",
             "not_applicable": "不适用", "absent": "未再出现"}
FIELDS: dict[str, str] = {
    "status": "完成情况",
    "measure": "整改措施",
    "leader": "责任领导",
    "department": "责任部门",
    "person": "责任人",
    "deadline": "整改时限",
    "progress": "整改进展",
    "evidence": "佐证材料",
    "remarks": "备注",
    "closed_on": "销号时间",
    "rebound_count": "反弹次数",
}
EDITABLE = ("measure", "leader", "department", "person", "deadline", "progress", "evidence", "remarks", "status")
VERSION_TABLE = "compliance_ledger_version"
MIGRATIONS = Path(__file__).resolve().parent / "migrations"
DEFAULT_DB = "ledger.sqlite"
TEST_PAUSE_ENV = "COMPLIANCE_LEDGER_TEST_PAUSE"


class LedgerError(Exception):
    """A user-facing ledger error (Chinese message); the CLI prints it and exits 2."""


class Base(DeclarativeBase):
    pass


def _now() -> dt.datetime:
    return dt.datetime.now(dt.timezone.utc)


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
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=_now)
    updated_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=_now)
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

    def to_dict(self, as_of: dt.date) -> dict[str, Any]:
        return {
            "id": self.id, "key": self.key, "unit_id": self.unit_id, "unit_name": self.unit_name,
            "rule_id": self.rule_id, "subject": self.subject, "category": self.category,
            "rule_title": self.rule_title, "severity": self.severity, "description": self.description,
            "basis": self.basis, "measure": self.measure, "owner_role": self.owner_role, "leader": self.leader,
            "department": self.department, "person": self.person, "deadline": _iso(self.deadline),
            "progress": self.progress, "evidence": self.evidence, "remarks": self.remarks, "status": self.status,
            "overdue": bool(self.overdue_days(as_of)), "overdue_days": self.overdue_days(as_of),
            "found_on": _iso(self.found_on), "closed_on": _iso(self.closed_on),
            "rebound_count": self.rebound_count, "last_result": self.last_result,
            "last_result_zh": RESULT_ZH.get(self.last_result, self.last_result),
            "last_checked": _iso(self.last_checked), "last_message": self.last_message, "version": self.version,
        }


class History(Base):
    """One change of one field of an item: who, when, from, to and why."""

    __tablename__ = "ledger_history"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    item_id: Mapped[int] = mapped_column(ForeignKey("ledger_items.id"), index=True)
    at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=_now)
    by: Mapped[str] = mapped_column(String(100))
    field: Mapped[str] = mapped_column(String(50))
    old: Mapped[str | None] = mapped_column(Text, nullable=True)
    new: Mapped[str | None] = mapped_column(Text, nullable=True)
    reason: Mapped[str] = mapped_column(Text, default="")

    item: Mapped[Item] = relationship(back_populates="history")

    def to_dict(self) -> dict[str, Any]:
        return {"at": self.at.isoformat(timespec="seconds") if self.at else None, "by": self.by,
                "field": self.field, "field_zh": FIELDS.get(self.field, self.field),
                "old": self.old, "new": self.new, "reason": self.reason}


def _iso(value: dt.date | None) -> str | None:
    return value.isoformat() if value else None


def _text(value: Any) -> str | None:
    if value is None:
        return None
    return value.isoformat() if isinstance(value, dt.date) else str(value)


# --- opening a ledger -----------------------------------------------------------------------

def resolve_db(db: str | None) -> str:
    """``--db`` value → SQLAlchemy URL: a file path means SQLite; ``postgresql://`` uses psycopg 3."""
    value = db or os.environ.get("COMPLIANCE_DB") or DEFAULT_DB
    if "://" not in value:
        return "sqlite:///" + str(Path(value).expanduser().resolve())
    for prefix in ("postgres://", "postgresql://"):
        if value.startswith(prefix):
            return "postgresql+psycopg://" + value[len(prefix):]
    return value


def _sqlite_engine(url: str) -> Engine:
    engine = create_engine(url, connect_args={"timeout": 60})

    @event.listens_for(engine, "connect")
    def _connect(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.isolation_level = None
        dbapi_connection.execute("PRAGMA foreign_keys = ON")

    @event.listens_for(engine, "begin")
    def _begin(conn: Connection) -> None:
        # Writers queue on the database lock up front instead of failing on upgrade from a read lock.
        conn.exec_driver_sql("BEGIN" if conn.get_execution_options().get("ledger_read") else "BEGIN IMMEDIATE")

    return engine


def _lock(conn: Connection) -> None:
    """Serialise writers: BEGIN IMMEDIATE on SQLite, a transaction advisory lock on PostgreSQL."""
    if conn.dialect.name == "postgresql":
        conn.execute(text("SELECT pg_advisory_xact_lock(hashtext(coalesce(current_schema(), '') || :name))"),
                     {"name": ".compliance_ledger"})


def alembic_config(conn: Connection) -> Any:
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.attributes["connection"] = conn
    return config


def migrate(conn: Connection, revision: str = "head") -> None:
    """Upgrade the ledger schema on ``conn`` (inside the caller's transaction)."""
    from alembic import command

    command.upgrade(alembic_config(conn), revision)


def head_revision() -> str:
    from alembic.script import ScriptDirectory

    return ScriptDirectory(str(MIGRATIONS)).get_current_head() or ""


def _display(url: str) -> str:
    try:
        parsed = make_url(url)
    except ArgumentError:
        return url
    if parsed.drivername.startswith("sqlite"):
        return parsed.database or url
    return parsed.render_as_string(hide_password=True)


SQLITE_MAGIC = b"SQLite format 3\x00"


class Ledger:
    """An opened, migrated ledger database; use :meth:`write` / :meth:`read` for transactions."""

    def __init__(self, db: str | None = None, *, create: bool = False) -> None:
        self.url = resolve_db(db)
        self.name = _display(self.url)
        try:
            parsed = make_url(self.url)
        except ArgumentError:
            raise LedgerError(f"数据库地址「{self.url}」格式不正确；应为文件路径或 postgresql://用户@主机:端口/库名") from None
        self.is_sqlite = parsed.drivername.startswith("sqlite")
        self.create = create
        if self.is_sqlite:
            self._check_sqlite_file(parsed.database or "", create)
            self.engine = _sqlite_engine(self.url)
        else:
            try:
                self.engine = create_engine(self.url, pool_pre_ping=True)
            except NoSuchModuleError:
                raise LedgerError(f"不支持的数据库类型「{parsed.drivername}」；请用 SQLite 文件路径或 postgresql://…") from None
            except ImportError as exc:
                if parsed.drivername.startswith("postgresql"):
                    raise LedgerError(f"缺少 PostgreSQL 驱动（{exc.name}）：请安装 pip install 'compliance[postgres]'") from None
                raise LedgerError(f"缺少数据库驱动（{exc.name}）；台账支持 SQLite 文件和 PostgreSQL（postgresql://…）") from None
        self._open()

    def _check_sqlite_file(self, path: str, create: bool) -> None:
        file = Path(path)
        if file.is_dir():
            raise LedgerError(f"台账路径 {path} 是一个目录，应为 SQLite 数据库文件")
        if not file.exists():
            if not create:
                raise LedgerError(f"台账文件 {path} 不存在；请先用 compliance ledger sync 建立台账，或用 --db 指定台账")
            if not file.parent.is_dir():
                raise LedgerError(f"无法建立台账 {path}：目录 {file.parent} 不存在")
            return
        try:
            with file.open("rb") as handle:
                head = handle.read(len(SQLITE_MAGIC))
        except OSError as exc:
            raise LedgerError(f"无法读取台账文件 {path}：{exc.strerror or exc}") from None
        if head and head != SQLITE_MAGIC:
            raise LedgerError(f"{path} 不是 SQLite 数据库文件（文件已损坏或不是整改台账），未做任何修改")

    def _open(self) -> None:
        """Check the database is a ledger; migrate it (under the writer lock) only when it is not current."""
        try:
            with self.engine.execution_options(ledger_read=True).connect() as conn, conn.begin():
                if self._current(conn):
                    return
            with self.engine.begin() as conn:
                _lock(conn)
                if not self._current(conn):
                    migrate(conn)
        except LedgerError:
            self.engine.dispose()
            raise
        except (DBAPIError, SQLAlchemyError) as exc:
            self.engine.dispose()
            raise LedgerError(f"无法打开台账 {self.name}：{_db_reason(exc)}") from None

    def _current(self, conn: Connection) -> bool:
        """Whether the schema is at the head revision; refuses foreign, newer and (unless creating) empty databases."""
        from alembic.script import ScriptDirectory
        from alembic.util import CommandError

        tables = set(inspect(conn).get_table_names())
        if VERSION_TABLE in tables:
            rows = conn.execute(text(f"SELECT version_num FROM {VERSION_TABLE}")).scalars().all()
            current = rows[0] if len(rows) == 1 else None
            if current is None:
                return False
            script = ScriptDirectory(str(MIGRATIONS))
            try:
                script.get_revision(current)
            except CommandError:
                raise LedgerError(f"台账 {self.name} 由更新版本的 compliance 建立（结构版本 {current}），请升级本工具后再打开") from None
            return current == script.get_current_head()
        if {"ledger_items", "ledger_history"} & tables or (self.is_sqlite and tables):
            others = "、".join(sorted(tables)[:5])
            raise LedgerError(f"{self.name} 不是本工具的整改台账（已有其他数据表：{others}），为免破坏其中数据，拒绝使用")
        if not self.create:
            raise LedgerError(f"{self.name} 中还没有整改台账；请先用 compliance ledger sync 建立台账")
        return False

    def close(self) -> None:
        self.engine.dispose()

    def __enter__(self) -> "Ledger":
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()

    @contextmanager
    def write(self) -> Iterator[Session]:
        """A write transaction that holds the ledger's writer lock; commits on success, rolls back on error."""
        with self._guard(), Session(self.engine, expire_on_commit=False) as session, session.begin():
            _lock(session.connection())
            yield session

    @contextmanager
    def read(self) -> Iterator[Session]:
        """A read-only transaction: a consistent snapshot that does not wait for writers on SQLite."""
        engine = self.engine.execution_options(ledger_read=True)
        with self._guard(), Session(engine, expire_on_commit=False) as session, session.begin():
            yield session

    @contextmanager
    def _guard(self) -> Iterator[None]:
        try:
            yield
        except (DBAPIError, SQLAlchemyError) as exc:
            raise LedgerError(f"台账 {self.name} 读写失败：{_db_reason(exc)}") from None


def _db_reason(exc: Exception) -> str:
    orig = getattr(exc, "orig", None) or exc
    message = str(orig).strip().splitlines()[0] if str(orig).strip() else type(orig).__name__
    lowered = message.lower()
    if "file is not a database" in lowered or "malformed" in lowered:
        return "文件已损坏或不是 SQLite 数据库"
    if "no schema has been selected" in lowered:
        return "连接参数 search_path 指定的 schema 不存在，请先在数据库中 CREATE SCHEMA"
    if "database is locked" in lowered:
        return "数据库被其他程序长时间锁定，请稍后重试"
    if "readonly" in lowered or "read-only" in lowered:
        return "数据库文件只读，无法写入"
    if "unable to open" in lowered:
        return "无法打开数据库文件（检查路径与权限）"
    if "connection" in lowered or "could not" in lowered or "password" in lowered:
        return f"无法连接数据库服务器（{message}）"
    return message


# --- changes with history -------------------------------------------------------------------

def set_field(session: Session, item: Item, name: str, value: Any, by: str, reason: str) -> bool:
    """Change one field and write its history row; returns whether it changed."""
    old = getattr(item, name)
    if old == value:
        return False
    setattr(item, name, value)
    session.add(History(item=item, by=by, field=name, old=_text(old), new=_text(value), reason=reason))
    return True


def _touch(item: Item) -> None:
    item.version += 1
    item.updated_at = _now()


def get_item(session: Session, ref: str | int) -> Item:
    """An item by number, or by key ``UNIT/RULE[/SUBJECT]``."""
    ref = str(ref).strip().lstrip("#")
    if ref.isdigit():
        item = session.get(Item, int(ref))
    else:
        unit, _, rest = ref.partition("/")
        rule, _, subject = rest.partition("/")
        item = session.scalars(select(Item).where(Item.unit_id == unit, Item.rule_id == rule,
                                                  Item.subject == subject)).first()
    if item is None:
        raise LedgerError(f"台账中没有事项「{ref}」（用 compliance ledger list 查看事项编号）")
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
            f"{where} 在最近一次检查（{_iso(item.last_checked)}）中结果为「{RESULT_ZH.get(item.last_result, item.last_result)}」，"
            "不能销号：请单位更新档案后重新检查并同步台账，复查符合后再销号")


def update_item(session: Session, item: Item, changes: dict[str, Any], by: str, reason: str = "",
                *, on: dt.date | None = None, unit: bool = False, expected_version: int | None = None) -> list[tuple[str, Any, Any]]:
    """Apply manual edits (fields of :data:`EDITABLE`) with transition rules; returns (field, old, new)."""
    if expected_version is not None and item.version != expected_version:
        raise LedgerError(f"事项 {item.id}（{item.key}）在导出后已被修改（版本 {expected_version} → {item.version}），"
                          "为免覆盖他人的修改，请重新导出台账后再填写")
    unknown = set(changes) - set(EDITABLE)
    if unknown:
        raise LedgerError(f"不能修改字段：{'、'.join(sorted(unknown))}")
    done: list[tuple[str, Any, Any]] = []
    if "status" in changes and changes["status"] is not None:
        check_transition(item, changes["status"], unit=unit)
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
        _touch(item)
    return done


# --- sync: reconcile a check with the ledger ------------------------------------------------

class ObservedFinding(BaseModel):
    """A finding as read from ``compliance check --format json`` (only the fields the ledger uses)."""

    model_config = ConfigDict(extra="ignore")

    unit_id: str = Field(min_length=1, title="单位编号")
    unit_name: str = Field("", title="单位名称")
    rule_id: str = Field(min_length=1, title="规则编号")
    subject: str = Field("", title="对象")
    state: str = Field(pattern="^(fail|pass|not_applicable|unknown|waived)$", title="结果")
    severity: str = Field("", title="严重程度")
    category: str = Field("", title="问题类别")
    title: str = Field("", title="规则标题")
    message: str = Field("", title="问题描述")
    basis: str = Field("", title="依据")
    measure: str = Field("", title="整改措施")
    deadline_days: int = Field(30, ge=0, title="整改时限（天）")
    owner: str = Field("", title="责任人")
    waiver: dict[str, Any] | None = Field(None, title="豁免")


class ResultsDocument(BaseModel):
    model_config = ConfigDict(extra="ignore")

    tool: str = Field(pattern="^compliance$", title="工具")
    as_of: dt.date = Field(title="检查日期")
    findings: list[ObservedFinding] = Field(title="检查结果")


@dataclass
class UnitCheck:
    """All findings of one unit from one check; rules not evaluated leave their items untouched."""

    unit_id: str
    unit_name: str
    as_of: dt.date
    findings: list[ObservedFinding]
    rules: set[str]
    source: str = ""


def is_results_document(data: Any) -> bool:
    return isinstance(data, dict) and data.get("tool") == "compliance" and "findings" in data


def checks_from_results(data: Any, name: str, text: str | None = None) -> list[UnitCheck]:
    """Unit checks from a ``compliance check --format json`` document; malformed input → InputError."""
    doc = validate_as(ResultsDocument, data, name, text)
    rules = {f.rule_id for f in doc.findings}
    by_unit: dict[str, list[ObservedFinding]] = {}
    names: dict[str, str] = {}
    for f in doc.findings:
        by_unit.setdefault(f.unit_id, []).append(f)
        names[f.unit_id] = f.unit_name or names.get(f.unit_id, "")
    return [UnitCheck(u, names[u], doc.as_of, fs, rules, name) for u, fs in by_unit.items()]


def checks_from_findings(findings: Iterable[Any], as_of: dt.date, rules: set[str], source: str = "") -> list[UnitCheck]:
    """Unit checks from engine findings (``compliance.engine.evaluate.Finding``)."""
    observed = [ObservedFinding.model_validate(f.to_dict()) for f in findings]
    by_unit: dict[str, list[ObservedFinding]] = {}
    for f in observed:
        by_unit.setdefault(f.unit_id, []).append(f)
    return [UnitCheck(u, fs[0].unit_name, as_of, fs, rules, source) for u, fs in by_unit.items()]


def read_results_file(path: Path) -> list[UnitCheck] | None:
    """Unit checks when ``path`` is a results JSON document, else None (it is a profile)."""
    if path.suffix.lower() != ".json" or not path.is_file():
        return None
    text_ = read_text(path)
    data = parse_text(text_, str(path))
    if not is_results_document(data):
        return None
    return checks_from_results(data, str(path), text_)


@dataclass
class SyncReport:
    counts: Counter = field(default_factory=Counter)
    changes: list[dict[str, Any]] = field(default_factory=list)
    units: int = 0

    def note(self, kind: str, item: Item, old: str | None, reason: str) -> None:
        self.counts[kind] += 1
        self.changes.append({"id": item.id, "key": item.key, "unit": item.unit_text, "rule": item.rule_id,
                             "kind": kind, "from": old, "to": item.status, "reason": reason})

    def line(self) -> str:
        order = ["新增问题", "仍未整改", "退回整改", "转待验收", "销号", "反弹", "豁免", "待核实"]
        parts = "，".join(f"{k} {self.counts.get(k, 0)}" for k in order)
        return f"同步 {self.units} 个单位：{parts}"


def sync(session: Session, checks: list[UnitCheck], by: str, *, close_on_clean: bool = False,
         min_severity: str | None = None) -> SyncReport:
    """Reconcile unit checks with the ledger (see docs/ledger.md for every case).

    Findings below ``min_severity`` are left out entirely: not added, and their items not touched.
    """
    report = SyncReport()
    floor = SEVERITY_RANK.get(min_severity or "", 0)
    pause_marker = os.environ.get(TEST_PAUSE_ENV)
    for index, check in enumerate(checks):
        if pause_marker and index == len(checks) // 2 and index:
            session.flush()
            Path(pause_marker).write_text("paused", encoding="utf-8")
            time.sleep(600)
        _sync_unit(session, check, by, close_on_clean, report, floor)
        report.units += 1
    session.flush()
    return report


def _sync_unit(session: Session, check: UnitCheck, by: str, close_on_clean: bool, report: SyncReport,
               floor: int = 0) -> None:
    items = {(i.rule_id, i.subject): i for i in session.scalars(select(Item).where(Item.unit_id == check.unit_id))}
    seen: dict[tuple[str, str], ObservedFinding] = {(f.rule_id, f.subject): f for f in check.findings}
    on = check.as_of
    for key, f in seen.items():
        if SEVERITY_RANK.get(f.severity, floor) < floor:
            continue
        item = items.get(key)
        if item is None:
            if f.state in ("fail", "waived"):
                _create(session, f, on, by, check.source, report)
            elif f.state == "unknown":
                report.counts["待核实"] += 1
            continue
        _observe(item, f.state, f.message, on, f.unit_name)
        old = item.status
        if f.state == "fail":
            if old == CLOSED:
                why = f"复查（{on}）再次发现问题，重新打开（反弹）"
                set_field(session, item, "status", WORKING, by, why)
                set_field(session, item, "closed_on", None, by, why)
                set_field(session, item, "rebound_count", item.rebound_count + 1, by, why)
                set_field(session, item, "deadline", on + dt.timedelta(days=f.deadline_days), by, why)
                _touch(item)
                report.note("反弹", item, old, why)
            elif old == WAIVED:
                why = f"复查（{on}）豁免已失效或撤销，转入整改"
                set_field(session, item, "status", WORKING, by, why)
                set_field(session, item, "deadline", on + dt.timedelta(days=f.deadline_days), by, why)
                _touch(item)
                report.note("退回整改", item, old, why)
            elif old == DONE:
                why = f"复查（{on}）仍不符合，验收不通过，退回整改"
                set_field(session, item, "status", WORKING, by, why)
                _touch(item)
                report.note("退回整改", item, old, why)
            else:
                report.counts["仍未整改"] += 1
        elif f.state == "waived":
            if old != WAIVED:
                why = f"复查（{on}）：{_waiver_text(f)}"
                set_field(session, item, "status", WAIVED, by, why)
                _touch(item)
                report.note("豁免", item, old, why)
        elif f.state == "unknown":
            report.counts["待核实"] += 1
        else:
            _resolve(session, item, on, by, close_on_clean, report, f"复查（{on}）结果为{RESULT_ZH[f.state]}")
    for key, item in items.items():
        if key in seen or item.rule_id not in check.rules:
            continue
        _observe(item, "absent", "", on, check.unit_name)
        _resolve(session, item, on, by, close_on_clean, report, f"复查（{on}）未再发现该问题")


def _observe(item: Item, result: str, message: str, on: dt.date, unit_name: str) -> None:
    """Record the latest check result (an observation, not ledger data: no history, no new version)."""
    if item.last_checked is None or on >= item.last_checked:
        item.last_result, item.last_checked = result, on
        if message:
            item.last_message = message
    if unit_name:
        item.unit_name = unit_name


def _resolve(session: Session, item: Item, on: dt.date, by: str, close_on_clean: bool, report: SyncReport, why: str) -> None:
    old = item.status
    if old == CLOSED:
        return
    if close_on_clean:
        reason = why + "，按“复查即验收”策略直接销号"
        set_field(session, item, "status", CLOSED, by, reason)
        set_field(session, item, "closed_on", on, by, reason)
        _touch(item)
        report.note("销号", item, old, reason)
    elif old != DONE:
        reason = why + "，待验收后销号"
        set_field(session, item, "status", DONE, by, reason)
        _touch(item)
        report.note("转待验收", item, old, reason)


def _waiver_text(f: ObservedFinding) -> str:
    w = f.waiver or {}
    return f"已豁免（批准文件：{w.get('document') or '未填'}，有效期至 {w.get('expires') or '未填'}）"


def _create(session: Session, f: ObservedFinding, on: dt.date, by: str, source: str, report: SyncReport) -> None:
    status = WAIVED if f.state == "waived" else NEW
    item = Item(
        unit_id=f.unit_id, unit_name=f.unit_name, rule_id=f.rule_id, subject=f.subject, category=f.category,
        rule_title=f.title, severity=f.severity, description=f.message, basis=f.basis, measure=f.measure,
        owner_role=f.owner, leader="", department="", person=f.owner, progress="", evidence="", remarks="",
        deadline=on + dt.timedelta(days=f.deadline_days), status=status, found_on=on, closed_on=None,
        rebound_count=0, last_result=f.state, last_checked=on, last_message=f.message, version=1,
    )
    session.add(item)
    reason = f"检查（{on}）发现问题" + (f"，来源 {source}" if source else "")
    if status == WAIVED:
        reason += "；" + _waiver_text(f)
    session.add(History(item=item, by=by, field="status", old=None, new=status, reason=reason))
    session.flush()
    report.note("豁免" if status == WAIVED else "新增问题", item, None, reason)


# --- queries --------------------------------------------------------------------------------

@dataclass
class Filters:
    units: tuple[str, ...] = ()
    statuses: tuple[str, ...] = ()
    overdue: bool = False
    category: str | None = None
    owner: str | None = None


def list_items(session: Session, filters: Filters, as_of: dt.date) -> list[Item]:
    query = select(Item).order_by(Item.unit_id, Item.id)
    if filters.units:
        query = query.where(Item.unit_id.in_(filters.units) | Item.unit_name.in_(filters.units))
    if filters.statuses:
        query = query.where(Item.status.in_(filters.statuses))
    if filters.category:
        query = query.where(Item.category.contains(filters.category))
    if filters.owner:
        o = filters.owner
        query = query.where(Item.owner_role.contains(o) | Item.person.contains(o) | Item.leader.contains(o)
                            | Item.department.contains(o))
    items = list(session.scalars(query))
    if filters.overdue:
        items = [i for i in items if i.overdue_days(as_of)]
    return items


def stats(session: Session, as_of: dt.date) -> dict[str, Any]:
    items = list(session.scalars(select(Item).order_by(Item.unit_id)))
    by_status = Counter(i.status for i in items)
    units: dict[str, dict[str, Any]] = {}
    for i in items:
        row = units.setdefault(i.unit_id, {"unit_id": i.unit_id, "unit_name": i.unit_name, "total": 0,
                                           **{s: 0 for s in STATUSES}, OVERDUE: 0, "反弹": 0})
        row["total"] += 1
        row[i.status] += 1
        row[OVERDUE] += bool(i.overdue_days(as_of))
        row["反弹"] += i.rebound_count
    return {
        "as_of": as_of.isoformat(),
        "total": len(items),
        "by_status": {s: by_status.get(s, 0) for s in STATUSES},
        "overdue": sum(bool(i.overdue_days(as_of)) for i in items),
        "rebounds": sum(i.rebound_count for i in items),
        "rebound_items": sum(1 for i in items if i.rebound_count),
        "units": list(units.values()),
    }
