"""Opening a ledger database: URL resolution, engines, the writer lock, Alembic migrations and :class:`Ledger`."""

from __future__ import annotations

import os
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Iterator

from sqlalchemy import create_engine, event, inspect, text
from sqlalchemy.engine import Connection, Engine, make_url
from sqlalchemy.exc import ArgumentError, DBAPIError, NoSuchModuleError, SQLAlchemyError
from sqlalchemy.orm import Session

from compliance.ledger.errors import LedgerError

VERSION_TABLE = "compliance_ledger_version"
MIGRATIONS = Path(__file__).resolve().parent / "migrations"
DEFAULT_DB = "ledger.sqlite"


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
        if file.exists() and not file.is_file():
            raise LedgerError(f"台账路径 {path} 不是普通文件（可能是管道或设备），应为 SQLite 数据库文件")
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

