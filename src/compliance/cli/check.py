"""``compliance check``: check unit profiles against a pack and write the 问题清单."""

from __future__ import annotations

import contextlib
import datetime as dt
import difflib
import re
import sys
from typing import Any

import click

from compliance import output
from compliance.cli.common import (
    EXIT_CLEAN,
    EXIT_FINDINGS,
    EXIT_CODES_HELP,
    EXIT_INPUT,
    EXIT_USAGE,
    SEVERITY_CHOICE,
    ZhChoice,
    as_of_option,
    max_jsonl_option,
    die,
    open_pack,
    pack_options,
    print_problems,
    year_option,
)
from compliance.engine.pack import Pack
from compliance.findings import Summary
from compliance.inputs.loader import InputError, Problem
from compliance.inputs.records import iter_records
from compliance.output import make_writer
from compliance.output.base import MultiWriter, Writer, open_output
from compliance.pipeline.run import check_stream, default_evaluate


def durable_evaluate() -> Any:
    """The durable_rules matcher for ``check --engine durable``; a clear error if it is not installed."""
    from compliance.engine.durable import evaluator

    try:
        return evaluator()
    except InputError as exc:
        die(exc.problems, code=EXIT_USAGE)


_FORMAT_TARGET = re.compile(r"^([A-Za-z]+)=(.+)$")


def output_targets(fmt: str, outputs: tuple[str, ...]) -> list[tuple[str, str | None]]:
    """``(format, file)`` pairs from ``-o``: ``FORMAT=FILE`` as given, at most one plain ``FILE`` in ``--format``;
    ``--format`` goes to standard output when no plain file is given."""
    formats = output.names("findings")
    targets: list[tuple[str, str | None]] = []
    plain: list[str] = []
    for value in outputs:
        match = _FORMAT_TARGET.match(value)
        if match is None:
            plain.append(value)
            continue
        name, path = match.groups()
        if name not in formats:
            raise click.BadParameter(f"「{name}」不是可选格式，可选：{' / '.join(formats)}"
                                     f"（文件名本身含 = 时请写成 ./{value}）", param_hint="'--output' / '-o'")
        targets.append((name, path))
    if len(plain) > 1:
        raise click.BadParameter(f"不写格式的输出文件只能有一个（{'、'.join(plain)}），多个文件请写成 格式=文件",
                                 param_hint="'--output' / '-o'")
    targets.insert(0, (fmt, plain[0] if plain else None))
    files = [path for _, path in targets if path is not None]
    repeated = sorted({path for path in files if files.count(path) > 1})
    if repeated:
        raise click.BadParameter(f"同一个文件不能写两次：{'、'.join(repeated)}", param_hint="'--output' / '-o'")
    return targets


def select_rules(pack: Pack, only: tuple[str, ...], skip: tuple[str, ...]) -> None:
    """Keep the rules named by ``--rule`` (all when none), then drop those named by ``--skip-rule``."""
    known = [r.id for r in pack.rules]
    for option, ids in (("--rule", only), ("--skip-rule", skip)):
        for rule_id in ids:
            if rule_id not in known:
                close = difflib.get_close_matches(rule_id, known, n=3, cutoff=0.5)
                hint = f"，是不是想写：{'、'.join(close)}" if close else "（运行 compliance rules list 查看全部规则）"
                raise click.BadParameter(f"规则包「{pack.meta.id}」没有规则「{rule_id}」{hint}",
                                         param_hint=f"'{option}'")
    pack.rules = [r for r in pack.rules if (not only or r.id in only) and r.id not in skip]


@click.command(epilog=EXIT_CODES_HELP)
@click.argument("paths", nargs=-1, required=True)
@pack_options()
@as_of_option()
@year_option
@click.option("--format", "fmt", type=ZhChoice(output.names("findings")), default="table", show_default=True,
              help="输出格式：table 终端表格，md Markdown，csv 表格文件，json 机器可读，jsonl 每行一条结果，"
                   "junit JUnit XML（CI 测试报告），sarif SARIF 2.1.0（代码扫描）"
                   "（json/jsonl/csv 边检查边输出，适合大批量）")
@click.option("--output", "-o", "outputs", multiple=True, metavar="[FORMAT=]FILE",
              help="写入文件而不是标准输出；可重复，格式=文件 一次写多种格式（如 -o json=结果.json -o sarif=结果.sarif），"
                   "不写格式的文件按 --format")
@click.option("--rule", "only_rules", multiple=True, metavar="ID", help="只检查这些规则（可重复）")
@click.option("--skip-rule", "skip_rules", multiple=True, metavar="ID", help="不检查这些规则（可重复）")
@click.option("--fail-on", type=SEVERITY_CHOICE, default="严重", show_default=True,
              help="存在该严重程度及以上的“不符合”时退出码为 1")
@click.option("--jobs", "-j", type=click.IntRange(min=0), default=0, metavar="N",
              help="并行进程数（默认 0 = CPU 核数；1 = 不开子进程）；结果顺序与输入顺序一致")
@click.option("--include-passed", is_flag=True,
              help="jsonl 也写出“符合”和“不适用”的结果（默认只写不符合、待核实、提醒、豁免，另有每个单位的各状态计数）")
@click.option("--self-contained", is_flag=True,
              help="jsonl 每行写完整的结果（含依据、整改措施等规则文字），而不是只引用首行 header 中的规则")
@max_jsonl_option
@click.option("--engine", type=ZhChoice(["default", "durable"]), default="default", show_default=True,
              help="规则匹配引擎：default 内置求值器；durable 用 durable_rules（需安装 compliance[durable]）")
def check(paths: tuple[str, ...], pack_path: str | None, tailorings: tuple[str, ...], waivers: str | None,
          force_pack: bool, as_of: dt.date, year: int | None, fmt: str, outputs: tuple[str, ...], only_rules: tuple[str, ...],
          skip_rules: tuple[str, ...], fail_on: str, jobs: int, include_passed: bool, self_contained: bool,
          max_jsonl: int, engine: str) -> None:
    """检查单位档案（文件、目录或通配符），输出问题清单。

    \b
    示例：
      compliance check fixtures/ --as-of 2025-11-20
      compliance check fixtures/ -o json=结果.json -o sarif=结果.sarif -o junit=结果.xml
      compliance check fixtures/ --rule B2 --rule B3
    """
    targets = output_targets(fmt, outputs)
    pack = open_pack(pack_path, tailorings, force_pack, waivers)
    pack.set_year(year, as_of)
    select_rules(pack, only_rules, skip_rules)
    problems: list[Problem] = []
    records = iter_records(paths, problems, max_jsonl)
    evaluate = durable_evaluate() if engine == "durable" else default_evaluate
    summary = Summary()
    failing = False
    try:
        with contextlib.ExitStack() as stack:
            options = {"include_passed": include_passed, "self_contained": self_contained}
            writers = [make_writer(name, stack.enter_context(open_output(path)), pack, as_of, **options)
                       for name, path in targets]
            writer: Writer = writers[0] if len(writers) == 1 else MultiWriter(writers)
            for result in check_stream(pack, records, as_of, jobs, evaluate, render=writer.render,
                                       settled=writer.settled):
                for warning in result.warnings:
                    click.echo(f"{'说明' if warning.level == 'note' else '警告'}：{warning.format()}", err=True)
                if not result.ok:
                    problems.extend(result.problems)
                    summary.files_with_errors += 1
                else:
                    result.count_into(summary)
                    failing = failing or result.fails_at_or_above(fail_on)
                writer.add(result)
            writer.close(summary, problems)
    except InputError as exc:
        die(exc.problems, code=EXIT_USAGE)
    for _, path in targets:
        if path is not None:
            click.echo(f"已写入 {path}", err=True)
    if problems:
        print_problems(problems)
        sys.exit(EXIT_INPUT)
    sys.exit(EXIT_FINDINGS if failing else EXIT_CLEAN)
