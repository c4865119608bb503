"""Command ``report``: 督查报告, 问题清单 (XLSX), 检查提纲 and 整改通知书 for a batch of units."""

from __future__ import annotations

import datetime as dt
import sys
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import TypeVar

import click

from compliance.cli.common import (
    DATE,
    EXIT_CLEAN,
    EXIT_FINDINGS,
    EXIT_INPUT,
    EXIT_USAGE,
    SEVERITY_CHOICE,
    die,
    domain_option,
    open_pack,
    pack_options,
    print_problems,
    year_option,
)
from compliance.findings import at_or_above
from compliance.inputs.loader import Problem
from compliance.engine.pack import Pack
from compliance.engine.domain import get_domain
from compliance.inputs.loader import InputError
from compliance.report.documents import DOCUMENTS, FORMATS, Batch, Make, plan
from compliance.report.office import DEFAULT_FILE, Office, find_office, template_text
from compliance.report.overview import UnitView, build_overview, parse_weights
from compliance.inputs.paths import expand_paths
from compliance.pipeline.run import check_files

T = TypeVar("T")


def progress(items: Iterable[T], desc: str, total: int | None = None) -> Iterable[T]:
    """A tqdm bar on a terminal; nothing when stderr is piped or redirected."""
    from tqdm import tqdm

    return tqdm(items, desc=desc, total=total, unit="个", leave=False, disable=not sys.stderr.isatty())


def parse_formats(value: str) -> list[str]:
    chosen = [v.strip().lower() for v in value.replace("，", ",").split(",") if v.strip()]
    wrong = [v for v in chosen if v not in FORMATS]
    if wrong or not chosen:
        raise click.BadParameter(f"「{value}」中有不支持的格式，可选：{','.join(FORMATS)}（逗号分隔）")
    return [f for f in FORMATS if f in chosen]


def collect(pack: Pack, paths: tuple[str, ...], as_of: dt.date) -> tuple[list[UnitView], list[Problem], int]:
    """Check every profile; returns the checked units, the input problems and the number of bad files."""
    files, problems = expand_paths(paths)
    units: list[UnitView] = []
    bad = 0
    for result in check_files(pack, progress(files, "检查档案", len(files)), as_of):
        for warning in result.warnings:
            click.echo(f"{'说明' if warning.level == 'note' else '警告'}：{warning.format()}", err=True)
        if not result.ok or result.profile is None:
            problems.extend(result.problems)
            bad += 1
            continue
        p = result.profile
        units.append(UnitView(p.unit.id, p.unit.name, result.source, result.findings, pack.domain.addressee_of(p)))
    return units, problems, bad


def read_office(path: str | None) -> Office:
    """The office profile (``--office``, ``./office.yaml`` or the defaults); a bad file is a usage error (exit 3)."""
    try:
        return find_office(path)
    except InputError as exc:
        die(exc.problems, "办公室配置有错误，未生成报告：", EXIT_USAGE)


def read_previous_round(db: str, as_of: dt.date) -> object:
    """The previous round from the ledger ``db``; an unreadable ledger is a usage error (exit 3)."""
    from compliance.ledger.errors import LedgerError
    from compliance.report.rounds import previous_round

    try:
        return previous_round(db, as_of)
    except LedgerError as exc:
        die([Problem(db, str(exc))], "无法读取整改台账，未生成报告：", EXIT_USAGE)


_PENDING: list[Make] = []
"""The files a forked worker makes, by index (inherited from the parent, so closures need no pickling)."""


def _make(index: int) -> bytes:
    return _PENDING[index]()


def produce(makers: list[Make], processes: int) -> Iterator[bytes]:
    """Each file's bytes, in order; with ``processes`` > 1 made by forked workers (where the OS can fork)."""
    import multiprocessing

    if processes <= 1 or len(makers) < 2 or "fork" not in multiprocessing.get_all_start_methods():
        yield from (make() for make in makers)
        return
    _PENDING[:] = makers
    try:
        with multiprocessing.get_context("fork").Pool(processes) as pool:
            yield from pool.imap(_make, range(len(makers)), chunksize=4)
    finally:
        _PENDING.clear()


@click.command("init-office")
@click.option("--output", "-o", metavar="FILE", default=DEFAULT_FILE, show_default=True, help="写入的配置文件")
@click.option("--issuer", help="发文机关名称（默认：所选标准的督查机关）")
@domain_option()
def init_office(output: str, issuer: str | None, domain_key: str) -> None:
    """生成办公室配置 office.yaml（发文机关、文号格式、抄送、落款、时区、督查方式），已存在时不覆盖。

    \b
    示例：
      compliance init-office                         在当前目录生成 office.yaml
      compliance init-office --issuer 中共××市直属机关工作委员会 -o 配置/office.yaml
    生成后按注释修改；compliance report 自动读取当前目录的 office.yaml，或用 --office 指定。
    """
    target = Path(output)
    if target.exists() or target.is_symlink():
        die([Problem(str(target), "文件已存在，未覆盖（请直接编辑，或用 -o 指定其他文件名）")])
    text = template_text((issuer or "").strip() or get_domain(domain_key).issuer)
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        with target.open("x", encoding="utf-8") as handle:
            handle.write(text)
    except FileExistsError:
        die([Problem(str(target), "文件已存在，未覆盖")])
    except OSError as exc:
        die([Problem(str(target), f"无法写入：{exc.strerror or exc}")])
    click.echo(f"已生成 {target}；按注释修改后，compliance report 会自动使用（或用 --office {target} 指定）", err=True)


@click.command("report")
@click.argument("paths", nargs=-1, required=True)
@click.option("--output-dir", "-o", "outdir", required=True, metavar="DIR", help="报告输出目录（不存在时自动创建）")
@click.option("--format", "formats", default=",".join(FORMATS), show_default=True, metavar="LIST",
              help="输出格式，逗号分隔：md Markdown，docx Word，xlsx 问题清单表格，html 网页（图表内嵌）")
@pack_options("--force-pack")
@click.option("--as-of", type=DATE, help="检查日期 YYYY-MM-DD（默认：办公室配置时区的今天，默认北京时间）；"
                                         "也是报告落款日期和文件属性中的日期")
@click.option("--weights", default="严重=5,一般=2,提示=1,待核实=1", show_default=True,
              help="单位排名的加权问题分：每个不符合问题按严重程度计分，待核实事项尚未证实达标也计分")
@year_option
@click.option("--reply-days", type=click.IntRange(1, 365), default=30, show_default=True,
              help="整改通知书的回复期限：检查日期后的天数")
@click.option("--top", type=click.IntRange(1, 100), default=10, show_default=True, help="督查报告列出的突出问题条数")
@click.option("--force", is_flag=True, help="覆盖输出目录中已有的报告文件")
@click.option("--office", "office_path", metavar="FILE",
              help=f"办公室配置（发文机关、文号、抄送、落款、时区、督查方式；compliance init-office 生成）；"
                   f"默认用当前目录的 {DEFAULT_FILE}，没有时用内置默认值")
@click.option("--issuer", help="督查机关名称（覆盖办公室配置中的发文机关）")
@click.option("--ledger", "ledger_db", metavar="DB", help="整改台账（SQLite 文件或 postgresql://…）：督查报告写入上轮整改情况")
@click.option("--jobs", "-j", "processes", type=click.IntRange(1, 64), default=1, show_default=True,
              help="并行生成文件的进程数（按单位分配；输出与单进程逐字节相同）")
@click.option("--fail-on", type=SEVERITY_CHOICE, default=None,
              help="可选：存在该严重程度及以上的“不符合”时退出码为 1（默认生成报告即返回 0）")
def report(paths: tuple[str, ...], outdir: str, formats: str, pack_path: str | None, tailorings: tuple[str, ...],
           waivers: str | None, force_pack: bool, as_of: dt.date | None, year: int | None, weights: str, reply_days: int, top: int,
           force: bool, office_path: str | None, issuer: str | None, ledger_db: str | None, processes: int,
           fail_on: str | None) -> None:
    """检查一批单位档案，生成督查报告、问题清单、检查提纲和整改通知书。

    \b
    PATHS 与 check 相同：文件、目录或通配符。输出（DIR 下）：
      督查报告.md / .docx / .html   总体情况、问题分布、各项要求不符合率、突出问题、单位排名、图表
      问题清单.xlsx                 汇总、全部问题、待核实事项、豁免事项，每个单位一个工作表
      检查提纲/检查提纲_编号_单位.*   每个单位的现场检查提纲（待核实事项、需确认问题、豁免、调阅材料）
      整改通知书/整改通知书_编号_单位.docx  每个存在问题的单位一份（需 docx 格式）
    \b
    例：compliance report fixtures -o 报告 --as-of 2025-11-20
    退出码：0 全部生成；1 指定了 --fail-on 且存在该严重程度及以上的问题；
    2 用法或输入错误（错误档案会报告，其余单位照常生成）。
    已有报告文件时拒绝覆盖，除非加 --force。
    """
    try:
        chosen = parse_formats(formats)
        weight_map = parse_weights(weights)
    except ValueError as exc:
        raise click.BadParameter(str(exc)) from None
    office = read_office(office_path)
    as_of = as_of or office.today()
    pack = open_pack(pack_path, tailorings, force_pack, waivers)
    pack.set_year(year, as_of)
    if issuer and issuer.strip():
        office = office.model_copy(update={"issuer": issuer.strip()})
    units, problems, bad = collect(pack, paths, as_of)
    if not units:
        click.echo("没有可以检查的单位档案，未生成报告", err=True)
        die(problems or [Problem(" ".join(paths), "没有找到单位档案")])
    ov = build_overview(pack, units, as_of, problems, bad, weight_map, office.issuer or "")
    previous = read_previous_round(ledger_db, as_of) if ledger_db else None
    target = Path(outdir)
    if target.exists() and not target.is_dir():
        die([Problem(outdir, "输出路径已存在且不是目录")])
    batch = Batch(ov, target, top, reply_days, office, previous)
    jobs = plan(batch, chosen)
    existing = [p for p in jobs if p.exists()]
    if existing and not force:
        click.echo(f"错误：输出目录中已有{len(existing)}个报告文件，未覆盖（确认覆盖请加 --force）：", err=True)
        for p in existing[:10]:
            click.echo(f"  {p}", err=True)
        sys.exit(EXIT_INPUT)
    made = produce([make for _, make in jobs.values()], processes)
    for path, data in progress(zip(jobs, made), "生成报告", len(jobs)):
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(data)
        except OSError as exc:
            die([Problem(str(path), f"无法写入报告文件：{exc.strerror or exc}")])
    for message in batch.chart_warnings:
        click.echo(f"警告：{message}", err=True)
    notices = sum(1 for document, _ in jobs.values() if document is DOCUMENTS["notices"])
    click.echo(f"已生成{len(jobs)}个文件到 {target}：{ov.unit_count}个单位，不符合{ov.states['fail']}项、"
               f"待核实{ov.states['unknown']}项" + (f"，整改通知书{notices}份" if "docx" in chosen else ""), err=True)
    if notices and office.number_pattern:
        click.echo(f"文号已用到第{office.next_number + notices - 1}号；下一批请把办公室配置的 起始序号 改为"
                   f"{office.next_number + notices}", err=True)
    if problems:
        print_problems(problems)
        sys.exit(EXIT_INPUT)
    failing = fail_on is not None and at_or_above((f for u in units for f in u.findings), fail_on)
    sys.exit(EXIT_FINDINGS if failing else EXIT_CLEAN)

