"""``compliance serve``: the web application on the 整改台账 database (optional extra ``web``)."""

from __future__ import annotations

import datetime as dt
import os
import sys
import tempfile
from pathlib import Path

import click

from compliance.cli.common import DATE, EXIT_USAGE, load_pack_or_die, pack_option

DB_HELP = "台账数据库：SQLite 文件路径或 postgresql://…（默认：环境变量 COMPLIANCE_DB，否则当前目录 ledger.sqlite）"


def need_web() -> None:
    try:
        import argon2  # noqa: F401
        import jinja2  # noqa: F401
        import python_multipart  # noqa: F401
        import starlette  # noqa: F401
        import uvicorn  # noqa: F401
    except ImportError as exc:
        click.echo(f"错误：缺少网页组件（{exc.name}）；安装不完整，请在仓库目录重新执行 pip install -e .", err=True)
        sys.exit(EXIT_USAGE)


@click.command("serve")
@click.option("--host", default="127.0.0.1", show_default=True, help="监听地址（仅本机：127.0.0.1；局域网共享：0.0.0.0）")
@click.option("--port", type=click.IntRange(1, 65535), default=8000, show_default=True, help="端口")
@click.option("--db", metavar="PATH|URL", help=DB_HELP)
@click.option("--demo", is_flag=True, help="演示：把随附的 fixtures/ 单位档案载入新的临时台账（或 --db），并建立演示账号")
@click.option("--as-of", type=DATE, help="检查日期 YYYY-MM-DD（默认：每天的当天日期）")
@pack_option
def serve(host: str, port: int, db: str | None, demo: bool, as_of: dt.date | None, pack_path: str | None) -> None:
    """启动网页：单位填报信息采集表、查看问题清单、下载自查报告、填报整改进展；督查方查看台账、验收销号。

    \b
    账号：compliance users add 账号 --role 单位|督查|管理员 [--unit 单位编号]
    会话密钥：环境变量 COMPLIANCE_SECRET（不设时每次启动随机生成，重启后需重新登录）。
    例：compliance serve --demo            打开 http://127.0.0.1:8000 用演示账号登录
    """
    need_web()
    import uvicorn

    from compliance.ledger.errors import LedgerError
    from compliance.ledger.store import Ledger
    from compliance.web.app import Settings, create_app
    from compliance.web.demo import DEMO_PASSWORD, fixtures_dir, load_demo

    pack = load_pack_or_die(pack_path)
    if demo and db is None:
        db = str(Path(tempfile.mkdtemp(prefix="compliance-demo-")) / "ledger.sqlite")
    try:
        ledger = Ledger(db, create=True)
        accounts = []
        if demo:
            folder = fixtures_dir()
            if folder is None:
                click.echo("错误：找不到随附的 fixtures/ 目录（--demo 需要在源码目录中安装本工具）", err=True)
                sys.exit(EXIT_USAGE)
            accounts = load_demo(ledger, pack, folder, as_of or dt.date.today())
    except LedgerError as exc:
        click.echo(f"错误：{exc}", err=True)
        sys.exit(EXIT_USAGE)
    secret = os.environ.get("COMPLIANCE_SECRET") or None
    config = Settings(ledger, pack, as_of=as_of, **({"secret": secret} if secret else {}))
    click.echo(f"台账：{ledger.name}", err=True)
    if accounts:
        click.echo(f"演示账号（密码均为 {DEMO_PASSWORD}）：", err=True)
        for name, role, unit in accounts:
            click.echo(f"  {name:<10} {role}" + (f"（{unit}）" if unit else ""), err=True)
    click.echo(f"网页地址：http://{host}:{port}/ （按 Ctrl+C 停止）", err=True)
    uvicorn.run(create_app(config), host=host, port=port, log_level="warning", server_header=False)
