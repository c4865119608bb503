"""``compliance users …``: web accounts (单位 / 督查 / 管理员) in the ledger database."""

from __future__ import annotations

import sys

import click
from tabulate import tabulate

from compliance.cli.common import EXIT_INPUT, EXIT_USAGE
from compliance.cli.serve import need_web

DB_HELP = "台账数据库：SQLite 文件路径或 postgresql://…（默认：环境变量 COMPLIANCE_DB，否则当前目录 ledger.sqlite）"


def _password(password_stdin: bool) -> str:
    if password_stdin:
        return sys.stdin.readline().rstrip("\r\n")
    return click.prompt("密码", hide_input=True, confirmation_prompt="再次输入密码")


def _fail(message: str, code: int = EXIT_INPUT) -> None:
    click.echo(f"错误：{message}", err=True)
    sys.exit(code)


@click.group("users")
def users() -> None:
    """网页账号：单位账号（绑定一个单位）、督查账号、管理员账号。

    \b
    例：compliance users add wangli --role 单位 --unit SZ-001 --unit-name 市财政局
        compliance users add ducha --role 督查
        compliance users list
        compliance users passwd wangli
    """


@users.command("add")
@click.argument("name")
@click.option("--role", required=True, help="角色：单位 / 督查 / 管理员")
@click.option("--unit", "unit_id", metavar="ID", help="单位账号所属单位编号")
@click.option("--unit-name", help="单位名称（该单位尚未登记时必填，同时登记该单位）")
@click.option("--password-stdin", is_flag=True, help="从标准输入读取密码（一行），不提示输入")
@click.option("--db", metavar="PATH|URL", help=DB_HELP)
def add(name: str, role: str, unit_id: str | None, unit_name: str | None, password_stdin: bool, db: str | None) -> None:
    """建立账号（密码以 Argon2 散列保存）。"""
    need_web()
    from compliance.ledger.accounts import UNIT, Unit, add_account, ensure_unit, role_key
    from compliance.ledger.errors import LedgerError
    from compliance.ledger.store import Ledger
    from compliance.web.security import hash_password

    try:
        key = role_key(role)
    except LedgerError as exc:
        _fail(str(exc), EXIT_USAGE)
    if key == UNIT and not unit_id:
        _fail("单位账号须用 --unit 指定单位编号", EXIT_USAGE)
    try:
        digest = hash_password(_password(password_stdin))
    except ValueError as exc:
        _fail(str(exc))
    try:
        with Ledger(db, create=True) as store, store.write() as session:
            if key == UNIT and unit_name:
                ensure_unit(session, unit_id or "", unit_name)
            elif key == UNIT and session.get(Unit, unit_id) is None:
                raise LedgerError(f"单位「{unit_id}」尚未登记；请同时用 --unit-name 写明单位名称")
            account = add_account(session, name, digest, key, unit_id)
            text = f"已建立账号 {account.name}（{account.role_zh}" + (f"，单位 {unit_id}）" if key == UNIT else "）")
    except LedgerError as exc:
        _fail(str(exc))
    click.echo(text)


@users.command("list")
@click.option("--db", metavar="PATH|URL", help=DB_HELP)
def list_users(db: str | None) -> None:
    """列出账号。"""
    from sqlalchemy import select

    from compliance.ledger.accounts import Account, Unit
    from compliance.ledger.errors import LedgerError
    from compliance.ledger.store import Ledger

    try:
        with Ledger(db) as store, store.read() as session:
            names = {u.id: u.name for u in session.scalars(select(Unit))}
            rows = [[a.name, a.role_zh, f"{names.get(a.unit_id, '')}（{a.unit_id}）" if a.unit_id else "—",
                     "启用" if a.active else "停用"]
                    for a in session.scalars(select(Account).order_by(Account.role, Account.name))]
    except LedgerError as exc:
        _fail(str(exc))
    click.echo(tabulate(rows, headers=["账号", "角色", "单位", "状态"], tablefmt="simple", disable_numparse=True)
               if rows else "（没有账号）")


@users.command("passwd")
@click.argument("name")
@click.option("--password-stdin", is_flag=True, help="从标准输入读取新密码（一行）")
@click.option("--db", metavar="PATH|URL", help=DB_HELP)
def passwd(name: str, password_stdin: bool, db: str | None) -> None:
    """重设账号密码。"""
    need_web()
    from compliance.ledger.accounts import get_account
    from compliance.ledger.errors import LedgerError
    from compliance.ledger.store import Ledger
    from compliance.web.security import hash_password

    try:
        digest = hash_password(_password(password_stdin))
    except ValueError as exc:
        _fail(str(exc))
    try:
        with Ledger(db) as store, store.write() as session:
            account = get_account(session, name)
            if account is None:
                raise LedgerError(f"没有账号「{name}」")
            account.password_hash = digest
    except LedgerError as exc:
        _fail(str(exc))
    click.echo(f"已重设账号 {name} 的密码")
