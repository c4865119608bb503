"""Command line: ``compliance check``, ``compliance rules …`` and the other command groups."""

from __future__ import annotations

import datetime as dt
import sys
from pathlib import Path
from typing import Any, NoReturn

import click

from compliance import __version__
from compliance.cli import click_zh
from compliance.inputs.loader import InputError, Problem
from compliance.output.table import Summary
from compliance.engine.pack import SEVERITY_RANK, Pack
from compliance.pipeline.stream import check_stream, default_evaluate, iter_records, make_writer, open_output

EXIT_CLEAN, EXIT_FINDINGS, EXIT_INPUT = 0, 1, 2


class DateParam(click.ParamType):
    """A ``YYYY-MM-DD`` date, with a Chinese error message."""

    name = "YYYY-MM-DD"

    def convert(self, value: Any, param: Any, ctx: Any) -> dt.date:
        if isinstance(value, dt.date):
            return value
        try:
            return dt.date.fromisoformat(str(value))
        except ValueError:
            self.fail(f"「{value}」不是有效日期，应为 YYYY-MM-DD，如 2025-06-30", param, ctx)


class ZhChoice(click.Choice):
    def convert(self, value: Any, param: Any, ctx: Any) -> Any:
        if value in self.choices:
            return value
        self.fail(f"「{value}」不是可选值，可选：{' / '.join(map(str, self.choices))}", param, ctx)


click_zh.install()
DATE = DateParam()
SEVERITIES = ZhChoice(list(SEVERITY_RANK))


def print_problems(problems: list[Problem]) -> None:
    for p in problems:
        click.echo(f"错误：{p.format()}", err=True)


def die(problems: list[Problem]) -> NoReturn:
    print_problems(problems)
    sys.exit(EXIT_INPUT)


def open_pack(pack_path: str | None, tailorings: tuple[str, ...] = (), force: bool = False,
              waivers: str | None = None) -> Pack:
    """The effective pack (pack + tailoring files + inspector's waiver file); refuses one whose examples fail."""
    from compliance.engine.selftest import failing_examples
    from compliance.engine.tailoring import attach_waivers, load_effective

    try:
        pack = load_effective(pack_path, tailorings)
        if waivers is not None:
            attach_waivers(pack, waivers)
    except InputError as exc:
        click.echo("规则包有错误，未执行检查（含裁剪文件、豁免文件）：", err=True)
        die(exc.problems)
    failures = failing_examples(pack)
    if failures:
        for failure in failures[:20]:
            click.echo(f"样例失败：{failure.describe()}", err=True)
        if not force:
            click.echo(f"规则包有 {len(failures)} 个自测样例未通过，拒绝加载（运行 compliance rules test 查看；"
                       "确需使用请加 --force）", err=True)
            sys.exit(EXIT_INPUT)
        click.echo(f"警告：规则包有 {len(failures)} 个自测样例未通过，因 --force 仍继续检查", err=True)
    return pack


def durable_evaluate() -> Any:
    """The durable_rules matcher for ``check --engine durable``; a clear error if it is not installed."""
    from compliance.engine.durable import evaluator

    try:
        return evaluator()
    except InputError as exc:
        die(exc.problems)


def write_output(text: str, output: str | None) -> None:
    if output is None:
        click.echo(text, nl=False)
        return
    target = Path(output)
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text, encoding="utf-8-sig" if target.suffix.lower() == ".csv" else "utf-8")
    except OSError as exc:
        die([Problem(output, f"无法写入输出文件：{exc.strerror or exc}")])
    click.echo(f"已写入 {output}", err=True)


@click.group(context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100})
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


@main.command()
@click.argument("paths", nargs=-1, required=True)
@click.option("--pack", "pack_path", metavar="PACK", help="规则包文件（默认：rules/dangjian.yaml）")
@click.option("--tailoring", "tailorings", multiple=True, metavar="FILE", help="裁剪文件（可重复）：本地调整参数、停用或新增规则")
@click.option("--waivers", metavar="FILE", help="督查方掌握的豁免文件（与档案中的豁免合并）")
@click.option("--force", is_flag=True, help="规则包自测样例未通过时仍然检查")
@click.option("--as-of", type=DATE, help="检查日期 YYYY-MM-DD（默认：今天）；年度、期限都按它计算")
@click.option("--format", "fmt", type=ZhChoice(["table", "json", "csv", "md", "jsonl"]), default="table", show_default=True,
              help="输出格式：table 终端表格，md Markdown，csv 表格文件，json 机器可读，jsonl 每行一条结果"
                   "（json/jsonl/csv 边检查边输出，适合大批量）")
@click.option("--output", "-o", metavar="FILE", help="写入文件而不是标准输出")
@click.option("--fail-on", type=SEVERITIES, default="严重", show_default=True,
              help="存在该严重程度及以上的“不符合”时退出码为 1")
@click.option("--jobs", "-j", type=click.IntRange(min=0), default=0, metavar="N",
              help="并行进程数（默认 0 = CPU 核数；1 = 不开子进程）；结果顺序与输入顺序一致")
@click.option("--engine", type=ZhChoice(["default", "durable"]), default="default", show_default=True,
              help="规则匹配引擎：default 内置求值器；durable 用 durable_rules（需安装 compliance[durable]）")
def check(paths: tuple[str, ...], pack_path: str | None, as_of: dt.date | None, fmt: str,
          output: str | None, fail_on: str, jobs: int, engine: str,
          tailorings: tuple[str, ...] = (), waivers: str | None = None, force: bool = False) -> None:
    """检查单位档案（文件、目录或通配符），输出问题清单。

    \b
    退出码：0 无达到 --fail-on 的问题；1 有；2 用法或输入错误（错误文件会报告，其余文件照常检查）。
    """
    as_of = as_of or dt.date.today()
    pack = open_pack(pack_path, tailorings, force, waivers)
    problems: list[Problem] = []
    records = iter_records(paths, problems)
    evaluate = durable_evaluate() if engine == "durable" else default_evaluate
    summary = Summary()
    failing = False
    try:
        with open_output(output) as stream:
            writer = make_writer(fmt, stream, pack, as_of)
            for result in check_stream(pack, records, as_of, jobs, evaluate, render=writer.render):
                for warning in result.warnings:
                    click.echo(f"警告：{warning.format()}", err=True)
                if not result.ok:
                    problems.extend(result.problems)
                    summary.files_with_errors += 1
                else:
                    result.count_into(summary)
                    failing = failing or result.fails_at_or_above(fail_on)
                writer.add(result)
            writer.close(summary, problems)
    except InputError as exc:
        die(exc.problems)
    if output is not None:
        click.echo(f"已写入 {output}", err=True)
    if problems:
        print_problems(problems)
        sys.exit(EXIT_INPUT)
    sys.exit(EXIT_FINDINGS if failing else EXIT_CLEAN)


# --- command groups from feature modules (one line each) ---------------------------------------
from compliance.cli import validate as validate_cli  # noqa: E402,F401  (registers validate, schema, init, import)
from compliance.cli.ledger import ledger as _ledger  # noqa: E402
main.add_command(_ledger)
from compliance.cli.rules import rules as _rules  # noqa: E402
main.add_command(_rules)
from compliance.cli import report as report_cli  # noqa: E402,F401  (registers report)
