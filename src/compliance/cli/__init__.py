"""Command line: one module per command group, shared options in :mod:`compliance.cli.common`.

``main`` is the ``compliance`` command; every other module defines its commands without importing this
one, and they are registered here, so the modules import each other in one direction only.
"""

from __future__ import annotations

import contextlib
from typing import Any, Iterator

import click

from compliance import __version__
from compliance.cli import click_zh
from compliance.cli.check import check
from compliance.cli.common import EXIT_USAGE
from compliance.cli.ledger import ledger
from compliance.cli.profiles import import_command, init, schema_command
from compliance.cli.report import init_office, report
from compliance.cli.rules import rules
from compliance.cli.serve import serve
from compliance.cli.users import users
from compliance.cli.validate import validate

click_zh.install()


@contextlib.contextmanager
def _usage_exit() -> Iterator[None]:
    try:
        yield
    except click.UsageError as exc:
        exc.exit_code = EXIT_USAGE
        raise


class Main(click.Group):
    """The ``compliance`` group: click's usage errors (unknown option, bad value…) exit 3, not click's 2,
    so that 2 always means invalid input data (see :data:`~compliance.cli.common.EXIT_USAGE`)."""

    def make_context(self, info_name: str | None, args: list[str], parent: click.Context | None = None,
                     **extra: Any) -> click.Context:
        with _usage_exit():
            return super().make_context(info_name, args, parent, **extra)

    def invoke(self, ctx: click.Context) -> Any:
        with _usage_exit():
            return super().invoke(ctx)


@click.group(cls=Main, context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100})
@click.version_option(__version__, "-V", "--version", prog_name="compliance")
def main() -> None:
    """党建带群建合规检查：用 YAML 规则包检查单位档案，生成问题清单、整改台账和督查报告。

    \b
    常用命令：
      compliance check fixtures/ --as-of 2025-11-20    检查目录下全部单位档案，输出问题清单
      compliance check a.yaml --format json            机器可读结果（供系统集成）
      compliance report fixtures/ -o 督查材料/          督查报告、检查提纲、整改通知书
      compliance ledger sync fixtures/                 把问题登记进整改台账
      compliance validate 档案/ --format junit         只校验档案（CI 把关）
      compliance rules test                            运行规则包自测样例
    """


for command in (check, validate, report, ledger, rules, init, import_command, schema_command, init_office, serve,
                users):
    main.add_command(command)
