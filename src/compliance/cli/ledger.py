"""``compliance ledger …``: the 整改台账 commands (sync, list, show, update, stats, export, import).

Longer than 400 lines: seven commands with their Chinese options and help texts; the logic is in compliance.ledger.
"""

from __future__ import annotations

import datetime as dt
import getpass
import json
import os
import sys
from functools import wraps
from pathlib import Path
from typing import Any, Callable

import click
from tabulate import tabulate

from compliance.cli.common import (
    DATE,
    EXIT_FINDINGS,
    EXIT_INPUT,
    EXIT_USAGE,
    SEVERITY_CHOICE,
    ZhChoice,
    as_of_option,
    open_pack,
    pack_option,
    print_problems,
    tailoring_option,
    waivers_option,
    write_output,
    year_option,
)
from compliance.findings import zh_date
from compliance.inputs.loader import InputError, Problem
from compliance.ledger.errors import LedgerConfigError, LedgerError
from compliance.ledger.vocabulary import FIELDS, OVERDUE, STATUSES

DB_HELP = "台账数据库：SQLite 文件路径或 postgresql://用户:密码@主机:端口/库名（默认：环境变量 COMPLIANCE_DB，否则当前目录 ledger.sqlite）"
STATUS_CHOICE = ZhChoice(STATUSES)


def db_option(func: Callable) -> Callable:
    return click.option("--db", metavar="PATH|URL", help=DB_HELP)(func)


def by_option(func: Callable) -> Callable:
    return click.option("--by", metavar="NAME", help="操作人（记入历史；默认：环境变量 COMPLIANCE_USER 或登录名）")(func)


overdue_as_of = as_of_option("按该日期判断是否逾期（默认：今天）")


def who(by: str | None) -> str:
    if by:
        return by
    if os.environ.get("COMPLIANCE_USER"):
        return os.environ["COMPLIANCE_USER"]
    try:
        return getpass.getuser()
    except Exception:  # noqa: BLE001 - no login name in some containers
        return "未署名"


def ledger_errors(func: Callable) -> Callable:
    """Turn :class:`LedgerError` into a Chinese message and exit code 2."""

    @wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return func(*args, **kwargs)
        except LedgerError as exc:
            click.echo(f"错误：{exc}", err=True)
            sys.exit(EXIT_USAGE if isinstance(exc, LedgerConfigError) else EXIT_INPUT)

    return wrapper


@click.group()
def ledger() -> None:
    """整改台账：把检查发现的问题登记为事项，跟踪整改、验收、销号的全过程。

    \b
    常用流程：
      compliance check fixtures --format json -o 结果.json
      compliance ledger sync 结果.json                 登记问题（或直接 sync fixtures/）
      compliance ledger export --format xlsx -o 台账.xlsx
      compliance ledger import 台账.xlsx --dry-run     预览单位填报的修改
      compliance ledger list --overdue                 逾期事项
    台账位置：--db 文件或 postgresql:// 地址，或环境变量 COMPLIANCE_DB（默认 ledger.sqlite）。
    """


@ledger.command("sync", short_help="把检查结果（结果 JSON 或单位档案）同步进台账。")
@click.argument("paths", nargs=-1, required=True)
@pack_option
@tailoring_option
@waivers_option
@click.option("--as-of", type=DATE, help="检查单位档案的日期（默认：今天）；结果 JSON 使用其自身的检查日期")
@year_option
@click.option("--close-on-clean/--no-close-on-clean", default=None,
              help="复查不再发现的问题直接销号（复查即验收）；默认转为“已整改待验收”。也可设环境变量 COMPLIANCE_CLOSE_ON_CLEAN=1")
@click.option("--min-severity", type=SEVERITY_CHOICE, default="提示", show_default=True,
              help="只登记该严重程度及以上的问题（如 一般：不登记“提示”类提醒）")
@by_option
@db_option
@ledger_errors
def sync_cmd(paths: tuple[str, ...], pack_path: str | None, tailorings: tuple[str, ...], waivers: str | None,
             as_of: dt.date | None, year: int | None, close_on_clean: bool | None, min_severity: str, by: str | None,
             db: str | None) -> None:
    """把检查结果同步进台账：RESULTS.json（compliance check --format json 的输出）或单位档案文件/目录。

    \b
    不符合 → 新增事项（整改时限 = 检查日期 + 规则时限，责任人 = 规则的责任人角色）；
    已登记的问题复查不再出现 → 已整改待验收（--close-on-clean 时直接已销号）；
    已销号的问题再次出现 → 重新打开并计一次反弹；豁免 → 豁免；待核实 → 不登记为问题、不改变状态。
    出错的档案文件会报告，其单位的事项保持不变；其余照常同步（退出码 2）。
    两份档案（或结果）的单位编号相同时整批不同步，台账不变（退出码 2）。
    """
    from compliance.ledger.store import Ledger
    from compliance.ledger.sync import checks_from_findings, duplicate_units, is_duplicate, read_results_file, sync

    if close_on_clean is None:
        close_on_clean = os.environ.get("COMPLIANCE_CLOSE_ON_CLEAN", "").lower() in ("1", "true", "yes", "是")
    checks = []
    problems: list[Problem] = []
    profiles: list[str] = []
    for raw in paths:
        try:
            found = read_results_file(Path(raw))
        except InputError as exc:
            problems.extend(exc.problems)
            continue
        if found is None:
            profiles.append(raw)
        else:
            checks.extend(found)
            if as_of and any(c.as_of != as_of for c in found):
                click.echo(f"注意：{raw} 是检查结果文件，按其中的检查日期同步（--as-of 只用于单位档案）", err=True)
    if profiles:
        from compliance.inputs.paths import expand_paths
        from compliance.pipeline.run import check_files

        pack = open_pack(pack_path, tailorings, waivers=waivers)
        day = as_of or dt.date.today()  # None: result files keep their own check date
        pack.set_year(year, day)
        rules = {r.id for r in pack.rules if r.rule.enabled}
        files, more = expand_paths(profiles)
        problems.extend(more)
        for result in check_files(pack, files, day):
            for warning in result.warnings:
                click.echo(f"{'说明' if warning.level == 'note' else '警告'}：{warning.format()}", err=True)
            if result.ok:
                checks.extend(checks_from_findings(result.findings, day, rules, result.source))
            else:
                problems.extend(result.problems)
    duplicates = duplicate_units(checks)
    if duplicates or any(is_duplicate(p) for p in problems):
        click.echo("同一单位编号出现在多份档案或结果中，整批未同步，台账未改动：", err=True)
        print_problems(duplicates + problems)
        sys.exit(EXIT_INPUT)
    if checks:
        with Ledger(db, create=True) as store, store.write() as session:
            report = sync(session, checks, who(by), close_on_clean=close_on_clean, min_severity=min_severity)
            rows = [[c["id"], c["unit"], c["rule"], c["kind"], f"{c['from'] or '—'} → {c['to']}"] for c in report.changes]
            name = store.name
        if rows:
            click.echo(tabulate(rows, headers=["事项", "单位", "规则", "变化", "完成情况"], tablefmt="simple",
                                disable_numparse=True))
        click.echo(f"{report.line()}（台账：{name}）")
    elif not problems:
        click.echo("没有可同步的检查结果（结果文件中没有任何单位的检查结果）", err=True)
    if problems:
        click.echo("以下文件有错误，其单位的台账事项未改动：", err=True)
        print_problems(problems)
        sys.exit(EXIT_INPUT)


LIST_COLUMNS = ["编号", "单位", "规则", "问题描述", "完成情况", "整改时限", "责任人", "反弹"]


@ledger.command("list")
@click.option("--unit", "units", multiple=True, metavar="UNIT", help="单位编号或名称（可多次）")
@click.option("--status", "statuses", multiple=True, type=STATUS_CHOICE, help="完成情况（可多次）")
@click.option("--overdue", is_flag=True, help="只列逾期事项（整改时限已过且未销号、未豁免）")
@click.option("--category", help="问题类别（包含该文字）")
@click.option("--owner", help="责任人/责任领导/责任部门/责任人角色（包含该文字）")
@click.option("--format", "fmt", type=ZhChoice(["table", "json", "csv"]), default="table", show_default=True,
              help="输出格式")
@click.option("--output", "-o", metavar="FILE", help="写入文件而不是标准输出")
@overdue_as_of
@db_option
@ledger_errors
def list_cmd(units: tuple[str, ...], statuses: tuple[str, ...], overdue: bool, category: str | None,
             owner: str | None, fmt: str, output: str | None, as_of: dt.date | None, db: str | None) -> None:
    """列出台账事项（可按单位、完成情况、逾期、类别、责任人筛选）。"""
    from compliance.ledger.queries import Filters, list_items
    from compliance.ledger.store import Ledger
    from compliance.ledger.views import items_csv

    day = as_of
    with Ledger(db) as store, store.read() as session:
        items = list_items(session, Filters(units, statuses, overdue, category, owner), day)
        if fmt == "json":
            text = json.dumps({"as_of": day.isoformat(), "items": [i.to_dict(day) for i in items]},
                              ensure_ascii=False, indent=2) + "\n"
        elif fmt == "csv":
            text = items_csv(items, day)
        else:
            rows = [[i.id, i.unit_text, i.rule_id, i.description, i.status_text(day), i.deadline, i.person,
                     i.rebound_count or ""] for i in items]
            table = tabulate(rows, headers=LIST_COLUMNS, tablefmt="simple_grid", disable_numparse=True,
                             maxcolwidths=[6, 14, 8, 40, 20, 10, 12, 4]) if rows else "（无）"
            text = f"{table}\n共{len(items)}项（逾期{sum(bool(i.overdue_days(day)) for i in items)}项，按{zh_date(day)}计）\n"
    write_output(text, output)


@ledger.command("show")
@click.argument("item_ref", metavar="ITEM")
@click.option("--format", "fmt", type=ZhChoice(["table", "json"]), default="table", show_default=True, help="输出格式")
@overdue_as_of
@db_option
@ledger_errors
def show_cmd(item_ref: str, fmt: str, as_of: dt.date | None, db: str | None) -> None:
    """显示一个事项及其全部变更历史。ITEM 为事项编号，或 单位编号/规则编号[/对象]。"""
    from compliance.ledger.lifecycle import get_item
    from compliance.ledger.models import DEFAULT_ZONE, display_zone
    from compliance.ledger.store import Ledger
    from compliance.ledger.views import HISTORY_HEADERS, history_rows, item_fields

    day = as_of
    with Ledger(db) as store, store.read() as session:
        item = get_item(session, item_ref)
        history = [h.to_dict() for h in item.history]
        zone = display_zone()
        if fmt == "json":
            click.echo(json.dumps({**item.to_dict(day), "history": history}, ensure_ascii=False, indent=2))
            return
        fields = item_fields(item, day)
        rows = history_rows(item.history)
    click.echo(tabulate([[k, v] for k, v in fields], tablefmt="simple_grid", maxcolwidths=[14, 80],
                        disable_numparse=True))
    click.echo(f"变更历史（{len(rows)}条）" + ("" if zone.key == DEFAULT_ZONE else f"，时间为 {zone.key} 时区"))
    click.echo(tabulate(rows, headers=HISTORY_HEADERS, tablefmt="simple_grid",
                        maxcolwidths=[19, 10, 8, 20, 20, 40], disable_numparse=True))


@ledger.command("update")
@click.argument("item_ref", metavar="ITEM")
@click.option("--measure", help="整改措施")
@click.option("--leader", help="责任领导")
@click.option("--department", help="责任部门")
@click.option("--person", help="责任人")
@click.option("--deadline", type=DATE, help="整改时限 YYYY-MM-DD")
@click.option("--progress", help="整改进展")
@click.option("--evidence", help="佐证材料（整体替换）")
@click.option("--add-evidence", multiple=True, help="追加一条佐证材料（可多次）")
@click.option("--remarks", help="备注")
@click.option("--status", type=STATUS_CHOICE, help="完成情况：新增 → 整改中 → 已整改待验收 → 已销号")
@click.option("--reason", default="", help="变更原因（记入历史）")
@click.option("--on", "on", type=DATE, help="销号日期（默认：今天）")
@click.option("--expected-version", type=click.IntRange(min=1, max=2**31), metavar="N",
              help="只在事项仍为该版本（ledger show 中的“版本”）时修改，防止覆盖他人在此期间的修改")
@by_option
@db_option
@ledger_errors
def update_cmd(item_ref: str, measure: str | None, leader: str | None, department: str | None, person: str | None,
               deadline: dt.date | None, progress: str | None, evidence: str | None, add_evidence: tuple[str, ...],
               remarks: str | None, status: str | None, reason: str, on: dt.date | None,
               expected_version: int | None, by: str | None, db: str | None) -> None:
    """更新一个事项（措施、责任人、时限、进展、佐证、完成情况），每处修改都记入历史。

    \b
    完成情况的手工变更规则：新增 → 整改中 / 已整改待验收；整改中 → 已整改待验收；
    已整改待验收 → 整改中（验收不通过）/ 已销号（最近一次检查已符合时）。
    已销号事项只在复查再次发现时自动重开；豁免由档案中的豁免登记决定。
    """
    from compliance.ledger.lifecycle import get_item, update_item
    from compliance.ledger.store import Ledger

    changes = {"measure": measure, "leader": leader, "department": department, "person": person,
               "deadline": deadline, "progress": progress, "evidence": evidence, "remarks": remarks, "status": status}
    if all(v is None for v in changes.values()) and not add_evidence:
        raise LedgerError("没有要修改的内容；可用 --progress、--status、--person 等选项（见 --help）")
    with Ledger(db) as store, store.write() as session:
        item = get_item(session, item_ref)
        if add_evidence:
            current = changes["evidence"] if changes["evidence"] is not None else item.evidence
            changes["evidence"] = "\n".join([x for x in [current, *add_evidence] if x])
        done = update_item(session, item, changes, who(by), reason, on=on, expected_version=expected_version)
        item_id, key, status_now = item.id, item.key, item.status
    if not done:
        click.echo(f"事项 {item_id}（{key}）没有变化")
        return
    for name, old, new in done:
        click.echo(f"{FIELDS[name]}：{_short(old)} → {_short(new)}")
    click.echo(f"已更新事项 {item_id}（{key}），当前完成情况：{status_now}")


def _short(value: Any, width: int = 40) -> str:
    text = "—" if value in (None, "") else zh_date(value) if isinstance(value, dt.date) else str(value).replace("\n", "；")
    return text if len(text) <= width else text[:width] + "…"


@ledger.command("stats")
@click.option("--format", "fmt", type=ZhChoice(["table", "json"]), default="table", show_default=True, help="输出格式")
@overdue_as_of
@db_option
@ledger_errors
def stats_cmd(fmt: str, as_of: dt.date | None, db: str | None) -> None:
    """台账统计：按完成情况、按单位，逾期数和反弹数。"""
    from compliance.ledger.queries import stats
    from compliance.ledger.store import Ledger

    day = as_of
    with Ledger(db) as store, store.read() as session:
        data = stats(session, day)
    if fmt == "json":
        click.echo(json.dumps(data, ensure_ascii=False, indent=2))
        return
    click.echo(f"整改台账统计（按{zh_date(day)}计）：共{data['total']}项，逾期{data['overdue']}项，"
               f"反弹{data['rebounds']}次（{data['rebound_items']}项）")
    click.echo(tabulate([[s, n] for s, n in data["by_status"].items()], headers=["完成情况", "事项数"],
                        tablefmt="simple", disable_numparse=True))
    headers = ["单位", "合计", *STATUSES, OVERDUE, "反弹"]
    rows = [[f"{u['unit_name']}（{u['unit_id']}）", u["total"], *[u[s] for s in STATUSES], u[OVERDUE], u["反弹"]]
            for u in data["units"]]
    if rows:
        click.echo()
        click.echo(tabulate(rows, headers=headers, tablefmt="simple", disable_numparse=True))


@ledger.command("export")
@click.option("--format", "fmt", type=ZhChoice(["xlsx", "csv", "json"]), default="xlsx", show_default=True,
              help="导出格式：xlsx 供单位填报、可直接打印的整改台账")
@click.option("--output", "-o", metavar="FILE", help="输出文件（用 --per-unit 时不需要）")
@click.option("--per-unit", "per_unit", metavar="DIR", help="每个单位一个 xlsx 文件，写入该目录（文件名：编号-单位名称-整改台账.xlsx）")
@click.option("--force", is_flag=True, help="覆盖已存在的输出文件")
@click.option("--unit", "units", multiple=True, metavar="UNIT", help="只导出这些单位（编号或名称，可多次）")
@click.option("--status", "statuses", multiple=True, type=STATUS_CHOICE, help="只导出这些完成情况（可多次）")
@overdue_as_of
@db_option
@ledger_errors
def export_cmd(fmt: str, output: str | None, per_unit: str | None, force: bool, units: tuple[str, ...],
               statuses: tuple[str, ...], as_of: dt.date | None, db: str | None) -> None:
    """导出整改台账。xlsx：标题行、横向 A4 打印、每页重复表头；完成情况下拉框；督查方维护的列锁定，核对用的技术列隐藏。"""
    from compliance.ledger.queries import Filters, list_items
    from compliance.ledger.store import Ledger
    from compliance.ledger.views import items_csv

    day = as_of
    if bool(output) == bool(per_unit):
        click.echo("错误：请指定 -o 文件 或 --per-unit 目录（二选一）", err=True)
        sys.exit(EXIT_USAGE)
    if per_unit and fmt != "xlsx":
        click.echo("错误：--per-unit 只用于 --format xlsx", err=True)
        sys.exit(EXIT_USAGE)
    target = Path(output or per_unit or "")
    if output and target.exists() and not force:
        raise LedgerError(f"{output} 已存在，未覆盖；如确需覆盖请加 --force")
    with Ledger(db) as store, store.read() as session:
        items = list_items(session, Filters(units, statuses), day)
        if fmt == "xlsx":
            from compliance.ledger.xlsx import write_per_unit, write_workbook

            try:
                if per_unit:
                    written = write_per_unit(items, target, day, force=force)
                    click.echo(f"已导出{len(items)}项到{len(written)}个单位文件（目录 {per_unit}）", err=True)
                    return
                target.parent.mkdir(parents=True, exist_ok=True)
                write_workbook(items, target, day)
            except OSError as exc:
                raise LedgerError(f"无法写入 {target}：{exc.strerror or exc}") from None
            click.echo(f"已导出{len(items)}项到 {output}", err=True)
            return
        text = items_csv(items, day) if fmt == "csv" else json.dumps(
            {"as_of": day.isoformat(), "items": [i.to_dict(day) for i in items]}, ensure_ascii=False, indent=2) + "\n"
    write_output(text, output)


@ledger.command("import")
@click.argument("file", type=click.Path(dir_okay=False))
@click.option("--dry-run", is_flag=True, help="只检查并显示将要做的修改，不写入台账")
@by_option
@db_option
@ledger_errors
def import_cmd(file: str, dry_run: bool, by: str | None, db: str | None) -> None:
    """导入单位填好的整改台账 xlsx：逐格与导出时的内容核对，先列出修改，再写入（--dry-run 只预览）。

    \b
    单位可改：整改措施、责任领导、责任人、整改进展、完成情况（整改中/已整改待验收）、备注。
    单位未改动的格子不影响台账（导出后督查方的更新都保留）；单位改动、台账未变的格子照常导入；
    双方都改动过的格子列为冲突（单元格、台账中的值、表中的值），该行不导入，其余照常导入（退出码 1）。
    改动督查方维护的列、公式单元格、非法状态变更、新增行：整份文件不导入（退出码 2）。
    """
    from compliance.ledger.store import Ledger

    from compliance.ledger.xlsx_import import apply_import, plan_import, read_workbook

    rows, errors = read_workbook(Path(file))
    with Ledger(db) as store, (store.read() if dry_run else store.write()) as session:
        plan = plan_import(session, rows, errors)
        if plan.errors:
            for message in plan.errors:
                click.echo(f"错误：{message}", err=True)
            raise LedgerError(f"{file} 有{len(plan.errors)}处错误，未导入任何修改")
        table = [[d["id"], d["key"], d["row"], FIELDS[d["field"]], _short(d["old"]), _short(d["new"])] for d in plan.diffs]
        if table:
            click.echo(tabulate(table, headers=["事项", "单位/规则", "行", "字段", "原值", "新值"], tablefmt="simple_grid",
                                maxcolwidths=[6, 20, 4, 8, 30, 30], disable_numparse=True))
        changed = 0
        if table and not dry_run:
            changed = apply_import(session, plan, who(by), Path(file).name)
    if plan.conflicts:
        click.echo(f"以下{len(plan.conflicts)}处导出后台账已变更、单位也作了修改，未导入（所在行整行未导入），"
                   "请与单位核对后用 compliance ledger update 登记：", err=True)
        click.echo(tabulate([[c["cell"], f"{c['id']}（{c['key']}）", FIELDS[c["field"]], _short(c["ledger"]),
                              _short(c["sheet"])] for c in plan.conflicts],
                            headers=["单元格", "事项", "字段", "台账中的值", "表中的值"], tablefmt="simple_grid",
                            maxcolwidths=[14, 20, 8, 30, 30], disable_numparse=True), err=True)
    if dry_run or not table:
        click.echo(f"共{len(plan.edits)}项事项{len(plan.diffs)}处修改"
                   + ("（--dry-run：未写入台账）" if table else "；台账无需更新"))
    else:
        click.echo(f"已导入：{len(plan.edits)}项事项{changed}处修改")
    if plan.conflicts:
        sys.exit(EXIT_FINDINGS)
