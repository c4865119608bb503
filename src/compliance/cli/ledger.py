"""``compliance ledger …``: the 整改台账 commands (sync, list, show, update, stats, export, import)."""

from __future__ import annotations

import csv
import datetime as dt
import getpass
import io
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
    EXIT_INPUT,
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
from compliance.inputs.loader import InputError, Problem
from compliance.inputs.xlsx import neutralise
from compliance.ledger.errors import LedgerError
from compliance.ledger.lifecycle import get_item, update_item
from compliance.ledger.models import Item
from compliance.ledger.queries import Filters, list_items, stats
from compliance.ledger.store import Ledger
from compliance.ledger.sync import checks_from_findings, read_results_file, sync
from compliance.ledger.vocabulary import FIELDS, OVERDUE, RESULT_ZH, STATUSES

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
            sys.exit(EXIT_INPUT)

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
    """
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
            if result.ok:
                checks.extend(checks_from_findings(result.findings, day, rules, result.source))
            else:
                problems.extend(result.problems)
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
            text = f"{table}\n共 {len(items)} 项（逾期 {sum(bool(i.overdue_days(day)) for i in items)} 项，按 {day} 计）\n"
    write_output(text, output)


def items_csv(items: list[Item], day: dt.date) -> str:
    from compliance.ledger.xlsx import HEADERS, item_row

    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(HEADERS + ["逾期天数", "反弹次数", "最近检查结果"])
    for n, item in enumerate(items, 1):
        row = item_row(item, n) + [item.overdue_days(day), item.rebound_count, RESULT_ZH.get(item.last_result, "")]
        writer.writerow([neutralise(v) for v in row])
    return buffer.getvalue()


@ledger.command("show")
@click.argument("item_ref", metavar="ITEM")
@click.option("--format", "fmt", type=ZhChoice(["table", "json"]), default="table", show_default=True, help="输出格式")
@overdue_as_of
@db_option
@ledger_errors
def show_cmd(item_ref: str, fmt: str, as_of: dt.date | None, db: str | None) -> None:
    """显示一个事项及其全部变更历史。ITEM 为事项编号，或 单位编号/规则编号[/对象]。"""
    day = as_of
    with Ledger(db) as store, store.read() as session:
        item = get_item(session, item_ref)
        history = [h.to_dict() for h in item.history]
        if fmt == "json":
            click.echo(json.dumps({**item.to_dict(day), "history": history}, ensure_ascii=False, indent=2))
            return
        fields = [
            ("事项", f"{item.id}（{item.key}）"), ("单位", item.unit_text), ("问题来源/类别", item.source_text),
            ("严重程度", item.severity), ("问题描述", item.description), ("依据条款", item.basis),
            ("整改措施", item.measure), ("责任领导", item.leader), ("责任部门", item.department),
            ("责任人", item.person + (f"（规则责任人角色：{item.owner_role}）" if item.owner_role != item.person else "")),
            ("整改时限", item.deadline), ("完成情况", item.status_text(day)), ("整改进展", item.progress),
            ("佐证材料", item.evidence), ("销号时间", item.closed_on or ""), ("备注", item.remarks),
            ("发现日期", item.found_on), ("反弹次数", item.rebound_count),
            ("最近检查", f"{item.last_checked} {RESULT_ZH.get(item.last_result, item.last_result)}：{item.last_message}"),
        ]
    click.echo(tabulate([[k, v] for k, v in fields], tablefmt="simple_grid", maxcolwidths=[14, 80],
                        disable_numparse=True))
    rows = [[h["at"][:19].replace("T", " "), h["by"], h["field_zh"], h["old"] or "—", h["new"] or "—", h["reason"]]
            for h in history]
    click.echo(f"变更历史（{len(rows)} 条）")
    click.echo(tabulate(rows, headers=["时间（UTC）", "操作人", "字段", "原值", "新值", "原因"], tablefmt="simple_grid",
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
@by_option
@db_option
@ledger_errors
def update_cmd(item_ref: str, measure: str | None, leader: str | None, department: str | None, person: str | None,
               deadline: dt.date | None, progress: str | None, evidence: str | None, add_evidence: tuple[str, ...],
               remarks: str | None, status: str | None, reason: str, on: dt.date | None, by: str | None,
               db: str | None) -> None:
    """更新一个事项（措施、责任人、时限、进展、佐证、完成情况），每处修改都记入历史。

    \b
    完成情况的手工变更规则：新增 → 整改中 / 已整改待验收；整改中 → 已整改待验收；
    已整改待验收 → 整改中（验收不通过）/ 已销号（最近一次检查已符合时）。
    已销号事项只在复查再次发现时自动重开；豁免由档案中的豁免登记决定。
    """
    changes = {"measure": measure, "leader": leader, "department": department, "person": person,
               "deadline": deadline, "progress": progress, "evidence": evidence, "remarks": remarks, "status": status}
    if all(v is None for v in changes.values()) and not add_evidence:
        raise LedgerError("没有要修改的内容；可用 --progress、--status、--person 等选项（见 --help）")
    with Ledger(db) as store, store.write() as session:
        item = get_item(session, item_ref)
        if add_evidence:
            current = changes["evidence"] if changes["evidence"] is not None else item.evidence
            changes["evidence"] = "\n".join([x for x in [current, *add_evidence] if x])
        done = update_item(session, item, changes, who(by), reason, on=on)
        item_id, key, status_now = item.id, item.key, item.status
    if not done:
        click.echo(f"事项 {item_id}（{key}）没有变化")
        return
    for name, old, new in done:
        click.echo(f"{FIELDS[name]}：{_short(old)} → {_short(new)}")
    click.echo(f"已更新事项 {item_id}（{key}），当前完成情况：{status_now}")


def _short(value: Any, width: int = 40) -> str:
    text = "—" if value in (None, "") else str(value).replace("\n", "；")
    return text if len(text) <= width else text[:width] + "…"


@ledger.command("stats")
@click.option("--format", "fmt", type=ZhChoice(["table", "json"]), default="table", show_default=True, help="输出格式")
@overdue_as_of
@db_option
@ledger_errors
def stats_cmd(fmt: str, as_of: dt.date | None, db: str | None) -> None:
    """台账统计：按完成情况、按单位，逾期数和反弹数。"""
    day = as_of
    with Ledger(db) as store, store.read() as session:
        data = stats(session, day)
    if fmt == "json":
        click.echo(json.dumps(data, ensure_ascii=False, indent=2))
        return
    click.echo(f"整改台账统计（按 {day} 计）：共 {data['total']} 项，逾期 {data['overdue']} 项，"
               f"反弹 {data['rebounds']} 次（{data['rebound_items']} 项）")
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
              help="导出格式：xlsx 供单位填报的整改台账")
@click.option("--output", "-o", metavar="FILE", required=True, help="输出文件")
@click.option("--force", is_flag=True, help="覆盖已存在的输出文件")
@click.option("--unit", "units", multiple=True, metavar="UNIT", help="只导出这些单位（编号或名称，可多次）")
@click.option("--status", "statuses", multiple=True, type=STATUS_CHOICE, help="只导出这些完成情况（可多次）")
@overdue_as_of
@db_option
@ledger_errors
def export_cmd(fmt: str, output: str, force: bool, units: tuple[str, ...], statuses: tuple[str, ...],
               as_of: dt.date | None, db: str | None) -> None:
    """导出整改台账（xlsx：冻结表头、筛选、完成情况下拉框；督查方维护的列锁定，事项编号列隐藏）。"""
    day = as_of
    target = Path(output)
    if target.exists() and not force:
        raise LedgerError(f"{output} 已存在，未覆盖；如确需覆盖请加 --force")
    with Ledger(db) as store, store.read() as session:
        items = list_items(session, Filters(units, statuses), day)
        if fmt == "xlsx":
            from compliance.ledger.xlsx import write_workbook

            try:
                target.parent.mkdir(parents=True, exist_ok=True)
                write_workbook(items, target, day)
            except OSError as exc:
                raise LedgerError(f"无法写入 {output}：{exc.strerror or exc}") from None
            click.echo(f"已导出 {len(items)} 项到 {output}", err=True)
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
    """导入单位填好的整改台账 xlsx：先校验并列出修改，再写入（--dry-run 只预览）。

    单位可改：整改措施、责任领导、责任部门、责任人、整改进展、完成情况（整改中/已整改待验收）、佐证材料、备注。
    改动其他列（问题描述、依据条款、单位、类别、时限）、公式单元格、非法状态变更都会被拒绝，且整份文件不导入。
    """
    from compliance.ledger.xlsx import apply_import, plan_import, read_workbook

    rows, errors = read_workbook(Path(file))
    with Ledger(db) as store, (store.read() if dry_run else store.write()) as session:
        plan = plan_import(session, rows, errors)
        if plan.errors:
            for message in plan.errors:
                click.echo(f"错误：{message}", err=True)
            raise LedgerError(f"{file} 有 {len(plan.errors)} 处错误，未导入任何修改")
        table = [[d["id"], d["key"], d["row"], FIELDS[d["field"]], _short(d["old"]), _short(d["new"])] for d in plan.diffs]
        if table:
            click.echo(tabulate(table, headers=["事项", "单位/规则", "行", "字段", "原值", "新值"], tablefmt="simple_grid",
                                maxcolwidths=[6, 20, 4, 8, 30, 30], disable_numparse=True))
        if dry_run or not table:
            click.echo(f"共 {len(plan.edits)} 项事项 {len(plan.diffs)} 处修改" + ("（--dry-run：未写入台账）" if table else "；台账无需更新"))
            return
        changed = apply_import(session, plan, who(by), Path(file).name)
    click.echo(f"已导入：{len(plan.edits)} 项事项 {changed} 处修改")

