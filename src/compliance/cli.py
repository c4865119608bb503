"""Command line: ``compliance check``, ``compliance rules …`` and the other command groups."""

from __future__ import annotations

import datetime as dt
import sys
from pathlib import Path
from typing import Any, NoReturn

import click

from . import __version__
from .engine import at_or_above
from .loader import InputError, Problem
from .output import Summary, json_document, render_csv, render_table, write_json
from .pack import SEVERITY_RANK, Pack, default_pack_path, load_pack
from .runner import check_files, expand_paths

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


DATE = DateParam()
SEVERITIES = ZhChoice(list(SEVERITY_RANK))


def print_problems(problems: list[Problem]) -> None:
    for p in problems:
        click.echo(f"错误：{p.format()}", err=True)


def die(problems: list[Problem]) -> NoReturn:
    print_problems(problems)
    sys.exit(EXIT_INPUT)


def open_pack(pack_path: str | None) -> Pack:
    try:
        return load_pack(pack_path or default_pack_path())
    except InputError as exc:
        click.echo("规则包有错误，未执行检查：", err=True)
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
      compliance check fixtures/                 检查目录下全部单位档案，输出问题清单
      compliance check a.yaml --format json      机器可读结果（供系统集成）
      compliance rules lint rules/dangjian.yaml  检查规则包是否写对
    """


@main.command()
@click.argument("paths", nargs=-1, required=True)
@click.option("--pack", "pack_path", metavar="PACK", help="规则包文件（默认：rules/dangjian.yaml）")
@click.option("--as-of", type=DATE, help="检查日期 YYYY-MM-DD（默认：今天）；年度、期限都按它计算")
@click.option("--format", "fmt", type=ZhChoice(["table", "json", "csv", "md"]), default="table", show_default=True,
              help="输出格式：table 终端表格，md Markdown，csv 表格文件，json 机器可读")
@click.option("--output", "-o", metavar="FILE", help="写入文件而不是标准输出")
@click.option("--fail-on", type=SEVERITIES, default="严重", show_default=True,
              help="存在该严重程度及以上的“不符合”时退出码为 1")
def check(paths: tuple[str, ...], pack_path: str | None, as_of: dt.date | None, fmt: str,
          output: str | None, fail_on: str) -> None:
    """检查单位档案（文件、目录或通配符），输出问题清单。

    \b
    退出码：0 无达到 --fail-on 的问题；1 有；2 用法或输入错误（错误文件会报告，其余文件照常检查）。
    """
    as_of = as_of or dt.date.today()
    pack = open_pack(pack_path)
    files, problems = expand_paths(paths)
    summary = Summary()
    findings = []
    units = []
    for result in check_files(pack, files, as_of):
        for warning in result.warnings:
            click.echo(f"警告：{warning.format()}", err=True)
        if not result.ok:
            problems.extend(result.problems)
            summary.files_with_errors += 1
            units.append({"source": result.source, "ok": False, "unit_id": None, "unit_name": None})
            continue
        assert result.profile is not None
        summary.add(result.findings)
        findings.extend(result.findings)
        units.append({"source": result.source, "ok": True, "unit_id": result.profile.unit.id,
                      "unit_name": result.profile.unit.name})
    if fmt == "json":
        import io

        buffer = io.StringIO()
        write_json(json_document(findings, units, summary, problems, pack, as_of), buffer)
        text = buffer.getvalue()
    elif fmt == "csv":
        text = render_csv(findings)
    else:
        text = render_table(findings, summary, pack, as_of, markdown=fmt == "md")
    write_output(text, output)
    if problems:
        print_problems(problems)
        sys.exit(EXIT_INPUT)
    sys.exit(EXIT_FINDINGS if at_or_above(findings, fail_on) else EXIT_CLEAN)


@main.group()
def rules() -> None:
    """规则包：检查（lint）、浏览与自测。"""


@rules.command("lint")
@click.argument("packs", nargs=-1)
def rules_lint(packs: tuple[str, ...]) -> None:
    """检查规则包：格式、参数、每个事实路径是否存在于单位档案模型（拼写错误会给出建议）。"""
    failed = False
    for path in packs or (str(default_pack_path()),):
        try:
            pack = load_pack(path)
        except InputError as exc:
            print_problems(exc.problems)
            failed = True
            continue
        click.echo(f"{path}: 通过（{len(pack.rules)} 条规则，{len(pack.params)} 个参数）")
    sys.exit(EXIT_INPUT if failed else EXIT_CLEAN)



# --- command groups from feature modules (one line each) ---------------------------------------
