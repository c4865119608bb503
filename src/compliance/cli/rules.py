"""``compliance rules …``: lint, list, show and self-test rule packs (with tailoring files)."""

from __future__ import annotations

import re
import sys
from typing import Any

import click
from tabulate import tabulate

from compliance.engine.conditions import FactType
from compliance.engine.domain import Domain, installed_packs
from compliance.cli.common import DEFAULT_PACK, EXIT_CLEAN, EXIT_FINDINGS, EXIT_INPUT, die, load_pack_or_die, pack_option, tailoring_option
from compliance.findings import SEVERITY_RANK, show, STATES
from compliance.inputs.loader import InputError, Problem
from compliance.engine.pack import TEMPLATE_FIELD, CompiledRule, Pack, review_text
from compliance.engine.selftest import run_examples
from compliance.engine.tailoring import load_effective, origin_of

def params_of(rule: CompiledRule) -> list[str]:
    """Names of the params a rule reads (conditions and message), in order of appearance."""
    found: list[str] = []

    def walk(node: Any) -> None:
        if isinstance(node, dict):
            if set(node) == {"param"} and isinstance(node["param"], str):
                found.append(node["param"])
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    r = rule.rule
    walk([r.foreach if isinstance(r.foreach, str) else (r.foreach.model_dump() if r.foreach else None), r.when, r.expect])
    found += [f[6:] for f in TEMPLATE_FIELD.findall(r.message) if f.startswith("param.")]
    return list(dict.fromkeys(found))


_PATH = re.compile(r"(?<![\w.])(?:item|this|[a-z_]+)(?:\.[a-z_]+)+")


def _list_paths(schema: FactType, prefix: str = "") -> list[str]:
    """Fact paths of every list in the schema (the lists a ``count`` can walk)."""
    found = []
    for name, child in schema.children.items():
        path = f"{prefix}{name}"
        if child.kind == "list":
            found.append(path)
        elif child.kind == "object":
            found.extend(_list_paths(child, path + "."))
    return found


def _label(path: str, domain: Domain, foreach: str | None) -> str:
    """Chinese label of a fact path; ``item.*`` is the current object of ``foreach``, ``this.*`` a counted element."""
    head, _, rest = path.partition(".")
    if head == "item" and foreach:
        return "对象." + domain.label_of(f"{foreach}.{rest}").split(".", 1)[1]
    if head == "this":
        for list_path in _list_paths(domain.fact_schema()):
            label = domain.label_of(f"{list_path}.{rest}")
            if label != f"{domain.label_of(list_path)}.{rest}":
                return "该项." + label[len(domain.label_of(list_path)) + 1:]
        return path
    return domain.label_of(path) if head in domain.fact_schema().children else path


def readable(text: str, domain: Domain, foreach: str | None = None) -> str:
    """A compiled condition's text with fact paths replaced by their Chinese labels."""
    return _PATH.sub(lambda m: _label(m.group(0), domain, foreach), text)


def _param_value(value: Any) -> str:
    if isinstance(value, list):
        return "、".join(show(v) for v in value)
    return show(value)


@click.group()
def rules() -> None:
    """规则包：检查（lint）、浏览（list/show）与自测（test）。

    \b
    compliance rules packs                      已安装的规则包
    compliance rules list --category 组织建设
    compliance rules show B2
    compliance rules show --tailoring rules/tailoring/jinhai-half-year.yaml
    compliance rules test
    """


@rules.command("lint")
@click.argument("packs", nargs=-1)
@tailoring_option
def rules_lint(packs: tuple[str, ...], tailorings: tuple[str, ...]) -> None:
    """检查规则包：格式、参数、每个事实路径是否存在于单位档案模型（拼写错误会给出建议）。"""
    failed = False
    for path in packs or (None,):
        try:
            pack = load_effective(path, tailorings, default=DEFAULT_PACK)
        except InputError as exc:
            for p in exc.problems:
                click.echo(f"错误：{p.format()}", err=True)
            failed = True
            continue
        click.echo(f"{path or pack.source}: 通过（{len(pack.rules)}条规则，{len(pack.params)}个参数）")
    sys.exit(EXIT_INPUT if failed else EXIT_CLEAN)


@rules.command("list")
@pack_option
@tailoring_option
@click.option("--category", help="只列出该问题类别，如 组织建设、换届选举")
@click.option("--severity", help="只列出该严重程度：严重 / 一般 / 提示")
def rules_list(pack_path: str | None, tailorings: tuple[str, ...], category: str | None, severity: str | None) -> None:
    """列出规则：编号、标题、类别、严重程度、要求目录编号、状态。"""
    if severity is not None and severity not in SEVERITY_RANK:
        die([Problem("--severity", f"「{severity}」不是可选值，可选：{' / '.join(SEVERITY_RANK)}")])
    pack = load_pack_or_die(pack_path, tailorings)
    categories = list(dict.fromkeys(r.rule.category for r in pack.rules))
    if category is not None and category not in categories:
        die([Problem("--category", f"没有类别「{category}」，可选：{'、'.join(categories)}")])
    rows = []
    for compiled in pack.rules:
        r = compiled.rule
        if (category and r.category != category) or (severity and r.severity != severity):
            continue
        state = "启用" if r.enabled else f"停用（{pack.disabled.get(r.id, '')}）"
        if f"rule.{r.id}" in pack.origins:
            state += "（裁剪新增）"
        rows.append([r.id, r.title, r.category, r.severity, "、".join(r.catalogue), len(r.examples), state])
    click.echo(f"{pack.meta.title}（{pack.meta.id} v{pack.meta.version}）")
    click.echo(tabulate(rows, headers=["编号", "标题", "类别", "严重程度", "目录", "样例", "状态"], tablefmt="simple"))
    click.echo(f"共{len(rows)}条规则")
    click.echo(f"已安装的规则包：{_installed_text()}（用 --pack 名称 查看其他规则包）")


def _installed_text() -> str:
    return "、".join(f"{name}（{domain.title}）" for name, (domain, _) in installed_packs().items())


@rules.command("packs")
def rules_packs() -> None:
    """列出已安装的规则包：名称、标准（领域）、标题、版本、规则数；--pack 名称 即可使用。"""
    rows = []
    for name, (domain, path) in installed_packs().items():
        pack = load_pack_or_die(str(path))
        rows.append([name, f"{domain.title}（{domain.key}）", pack.meta.title, pack.meta.version, len(pack.rules)])
    click.echo(tabulate(rows, headers=["名称", "标准", "标题", "版本", "规则数"], tablefmt="simple"))
    click.echo("用法：compliance check --pack 名称 档案…；compliance rules list --pack 名称")


def _show_pack(pack: Pack) -> None:
    click.echo(f"{pack.meta.title}（{pack.meta.id} v{pack.meta.version}）")
    click.echo(f"基础规则包：{pack.source}")
    click.echo("\n参数（生效值与来源）：")
    rows = [[name, spec.title, _param_value(pack.params[name]), _param_value(spec.default), origin_of(pack, f"param.{name}")]
            for name, spec in pack.param_specs.items()]
    click.echo(tabulate(rows, headers=["参数", "说明", "生效值", "规则包默认", "来源"], tablefmt="simple"))
    changed = {k: v for k, v in pack.origins.items() if k.startswith("rule.")}
    if changed:
        click.echo("\n规则调整：")
        for key, origin in changed.items():
            _, rule_id, *field = key.split(".")
            compiled = pack.rule(rule_id)
            what = {"severity": "严重程度", "deadline_days": "整改时限", "owner": "责任人", "measure": "整改措施",
                    "enabled": "停用"}.get(field[0], field[0]) if field else "新增规则"
            value = ""
            if compiled is not None and field and field[0] != "enabled":
                value = f" → {show(getattr(compiled.rule, field[0]))}"
            elif field and field[0] == "enabled":
                value = f"（理由：{pack.disabled.get(rule_id, '')}）"
            click.echo(f"  {rule_id} {what}{value}    来源：{origin}")


def _show_rule(pack: Pack, compiled: CompiledRule) -> None:
    r = compiled.rule
    domain = pack.domain
    def origin(field: str) -> str:
        key = f"rule.{r.id}.{field}"
        return f"    （来源：{pack.origins[key]}）" if key in pack.origins else ""

    lines = [
        f"{r.id}  {r.title}",
        f"要求目录：{'、'.join(r.catalogue) or '无'}    类别：{r.category}",
        f"严重程度：{r.severity}{origin('severity')}",
        f"状态：{'启用' if r.enabled else '停用，理由：' + pack.disabled.get(r.id, '')}{origin('enabled')}",
    ]
    if f"rule.{r.id}" in pack.origins:
        lines.append(f"来源：{pack.origins[f'rule.{r.id}']}（裁剪文件新增）")
    if compiled.foreach_path:
        where = compiled.foreach_where
        lines.append(f"逐项检查：{domain.label_of(compiled.foreach_path)}（{compiled.foreach_path}）"
                     + (f"，筛选：{readable(where.text, domain, compiled.foreach_path)}" if where else ""))
    when = compiled.when
    lines.append(f"适用条件：{readable(when.text, domain, compiled.foreach_path) if when else '所有单位'}")
    lines.append(f"要求：{readable(compiled.expect.text, domain, compiled.foreach_path)}")
    paths = [p for c in (compiled.foreach_where, when, compiled.expect) if c for p in c.paths]
    lines.append(f"事实路径：{'、'.join(dict.fromkeys(paths))}")
    lines.append(f"问题描述：{r.message}")
    names = params_of(compiled)
    if names:
        lines.append("参数：")
        for name in names:
            spec = pack.param_specs.get(name)
            title = spec.title if spec else ""
            default = f"，规则包默认 {_param_value(spec.default)}" if spec else ""
            lines.append(f"  {name} = {_param_value(pack.params.get(name))}（{title}{default}；来源：{origin_of(pack, 'param.' + name)}）")
    lines.append(f"依据（向单位出示）：{compiled.basis_text}")
    for b in r.basis:
        lines.append(f"  {review_text(b, pack.meta.documents)}" + (f"：“{b.quote}”" if b.quote else ""))
    lines.append(f"整改措施：{r.measure}{origin('measure')}")
    lines.append(f"整改时限：{r.deadline_days}天{origin('deadline_days')}    责任人：{r.owner}{origin('owner')}")
    lines.append(f"现场核查材料：{'、'.join(r.evidence) or '无'}")
    lines.append(f"自测样例（{len(r.examples)}个）：")
    for i, ex in enumerate(r.examples, 1):
        subject = f"［{ex.subject}］" if ex.subject else ""
        extra = f"（参数 {ex.params}）" if ex.params else ""
        source = f"  来源：{ex._source}" if ex._source and ex._source != pack.source else ""
        if ex._base_params is not None and any(ex._base_params.get(n) != pack.params.get(n) for n in names):
            source += "  （按规则包原参数运行）"
        lines.append(f"  {i}. {STATES[ex.expect]}{subject} {ex.name}{extra}{source}")
    click.echo("\n".join(lines))


@rules.command("show")
@click.argument("rule_id", required=False)
@pack_option
@tailoring_option
def rules_show(rule_id: str | None, pack_path: str | None, tailorings: tuple[str, ...]) -> None:
    """显示一条规则（条件、参数、依据、措施、样例及其生效值来源）；不写编号时显示全部参数和裁剪调整。"""
    pack = load_pack_or_die(pack_path, tailorings)
    if rule_id is None:
        _show_pack(pack)
        return
    compiled = pack.rule(rule_id)
    if compiled is None:
        import difflib

        close = difflib.get_close_matches(rule_id, [r.id for r in pack.rules], n=1, cutoff=0.4)
        die([Problem(rule_id, "没有这条规则" + (f"，是不是想写「{close[0]}」？" if close else ""))])
    _show_rule(pack, compiled)


@rules.command("test")
@click.argument("pack_path", metavar="[PACK]", required=False)
@tailoring_option
@click.option("--verbose", "-v", is_flag=True, help="列出每个样例的结果")
def rules_test(pack_path: str | None, tailorings: tuple[str, ...], verbose: bool) -> None:
    """运行规则自带的样例（examples），核对每条规则给出的结果。

    \b
    退出码：0 全部通过；1 有样例失败；2 规则包或裁剪文件有错误。
    """
    pack = load_pack_or_die(pack_path, tailorings)
    results = run_examples(pack)
    failures = [r for r in results if not r.ok]
    if verbose:
        for r in results:
            click.echo(("通过  " if r.ok else "失败  ") + r.describe())
    for r in failures if not verbose else ():
        click.echo("失败  " + r.describe())
    without = [c.id for c in pack.rules if not c.rule.examples]
    states: dict[str, int] = {}
    for r in results:
        states[r.expected] = states.get(r.expected, 0) + 1
    by_state = "，".join(f"{STATES[s]}{n}个" for s, n in states.items())
    click.echo(f"{pack.meta.title}：{len(pack.rules)}条规则，{len(results)}个样例（{by_state}）")
    if without:
        click.echo(f"警告：{len(without)}条规则没有样例：{'、'.join(without)}")
    if failures:
        click.echo(f"结果：{len(failures)}个样例失败，{len(results) - len(failures)}个通过")
        sys.exit(EXIT_FINDINGS)
    click.echo(f"结果：全部{len(results)}个样例通过")
