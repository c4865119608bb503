"""``compliance check``: check unit profiles against a pack and write the 问题清单."""

from __future__ import annotations

import datetime as dt
import sys
from typing import Any

import click

from compliance import output
from compliance.cli.common import (
    EXIT_CLEAN,
    EXIT_FINDINGS,
    EXIT_INPUT,
    SEVERITY_CHOICE,
    ZhChoice,
    as_of_option,
    die,
    open_pack,
    output_option,
    pack_options,
    print_problems,
)
from compliance.findings import Summary
from compliance.inputs.loader import InputError, Problem
from compliance.inputs.records import iter_records
from compliance.output import make_writer
from compliance.output.base import open_output
from compliance.pipeline.run import check_stream, default_evaluate


def durable_evaluate() -> Any:
    """The durable_rules matcher for ``check --engine durable``; a clear error if it is not installed."""
    from compliance.engine.durable import evaluator

    try:
        return evaluator()
    except InputError as exc:
        die(exc.problems)


@click.command()
@click.argument("paths", nargs=-1, required=True)
@pack_options()
@as_of_option()
@click.option("--format", "fmt", type=ZhChoice(output.names("findings")), default="table", show_default=True,
              help="输出格式：table 终端表格，md Markdown，csv 表格文件，json 机器可读，jsonl 每行一条结果"
                   "（json/jsonl/csv 边检查边输出，适合大批量）")
@output_option()
@click.option("--fail-on", type=SEVERITY_CHOICE, default="严重", show_default=True,
              help="存在该严重程度及以上的“不符合”时退出码为 1")
@click.option("--jobs", "-j", type=click.IntRange(min=0), default=0, metavar="N",
              help="并行进程数（默认 0 = CPU 核数；1 = 不开子进程）；结果顺序与输入顺序一致")
@click.option("--engine", type=ZhChoice(["default", "durable"]), default="default", show_default=True,
              help="规则匹配引擎：default 内置求值器；durable 用 durable_rules（需安装 compliance[durable]）")
def check(paths: tuple[str, ...], pack_path: str | None, tailorings: tuple[str, ...], waivers: str | None,
          force_pack: bool, as_of: dt.date, fmt: str, output: str | None, fail_on: str, jobs: int, engine: str) -> None:
    """检查单位档案（文件、目录或通配符），输出问题清单。

    \b
    退出码：0 无达到 --fail-on 的问题；1 有；2 用法或输入错误（错误文件会报告，其余文件照常检查）。
    """
    pack = open_pack(pack_path, tailorings, force_pack, waivers)
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
