"""``compliance users``: accounts from the command line, stored with Argon2 hashes in the ledger database."""

from __future__ import annotations

import pytest
from click.testing import CliRunner

pytest.importorskip("argon2")

from compliance.cli import main  # noqa: E402


def run(db, *args, password: str = "long-enough-1"):
    return CliRunner().invoke(main, ["users", *args, "--db", db, *(["--password-stdin"] if args[0] != "list" else [])],
                              input=password + "\n")


def test_accounts_are_added_listed_and_their_passwords_reset(tmp_path):
    from compliance.ledger.accounts import get_account
    from compliance.ledger.store import Ledger
    from compliance.web.security import verify_password

    db = str(tmp_path / "ledger.sqlite")
    result = run(db, "add", "wangli", "--role", "单位", "--unit", "SZ-001", "--unit-name", "市财政局")
    assert result.exit_code == 0 and "已建立账号 wangli（单位，单位 SZ-001）" in result.output
    assert run(db, "add", "ducha", "--role", "督查").exit_code == 0
    listed = CliRunner().invoke(main, ["users", "list", "--db", db]).output
    assert "wangli" in listed and "市财政局（SZ-001）" in listed and "督查" in listed
    assert run(db, "passwd", "wangli", password="another-password").exit_code == 0
    with Ledger(db) as ledger, ledger.read() as session:
        stored = get_account(session, "wangli").password_hash
    assert stored.startswith("$argon2") and verify_password(stored, "another-password")
    assert not verify_password(stored, "long-enough-1")


@pytest.mark.parametrize("args, password, code, message", [
    (("add", "x", "--role", "superuser"), "long-enough-1", 3, "不是有效的角色"),
    (("add", "x", "--role", "单位"), "long-enough-1", 3, "须用 --unit"),
    (("add", "x", "--role", "单位", "--unit", "NOPE"), "long-enough-1", 2, "尚未登记"),
    (("add", "x", "--role", "督查"), "short", 2, "密码至少8个字符"),
    (("passwd", "nobody"), "long-enough-1", 2, "没有账号"),
])
def test_bad_account_requests_are_chinese_errors_with_documented_exit_codes(tmp_path, args, password, code, message):
    db = str(tmp_path / "ledger.sqlite")
    assert run(db, "add", "someone", "--role", "督查").exit_code == 0
    result = run(db, *args, password=password)
    assert result.exit_code == code and message in result.output and "Traceback" not in result.output


def test_a_second_account_of_the_same_name_is_refused(tmp_path):
    db = str(tmp_path / "ledger.sqlite")
    assert run(db, "add", "ducha", "--role", "督查").exit_code == 0
    result = run(db, "add", "ducha", "--role", "管理员")
    assert result.exit_code == 2 and "已存在" in result.output


def test_serve_refuses_a_file_that_is_not_a_ledger_with_a_configuration_error(tmp_path):
    junk = tmp_path / "x.sqlite"
    junk.write_bytes(b"not a database" * 10)
    result = CliRunner().invoke(main, ["serve", "--db", str(junk)])
    assert result.exit_code == 3 and "不是 SQLite 数据库文件" in result.output
    assert junk.read_bytes() == b"not a database" * 10
