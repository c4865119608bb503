"""``compliance schema``, ``init`` and ``import``: JSON Schemas, blank templates, and the XLSX form → YAML."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import click

from compliance.cli.common import EXIT_USAGE, ZhChoice, as_of_option, die, domain_option, output_option, write_output
from compliance.domains.form import profile_yaml
from compliance.domains.form_xlsx import form_workbook
from compliance.engine.domain import get_domain
from compliance.inputs.loader import InputError, Problem
from compliance.inputs.paths import expand_paths, is_form
from compliance.output.files import safe_name
from compliance.output.verdicts import problem_text
from compliance.pipeline.run import load_profile


@click.command("schema")
@click.argument("kind", type=ZhChoice(["profile", "pack"]))
@domain_option()
@output_option()
def schema_command(kind: str, domain_key: str, output: str | None) -> None:
    """导出 JSON Schema（draft 2020-12，含中文标题和说明），供编辑器提示和校验。

    \b
    profile 单位档案（--domain 选择标准）；pack 规则包。在档案第一行写
      # yaml-language-server: $schema=schemas/dangjian/profile.schema.json
    即可在 VS Code（YAML 插件）等编辑器中获得中文提示和错误标记（compliance init 生成的档案已写好）。

    \b
    示例：
      compliance schema profile -o schemas/dangjian/profile.schema.json
      compliance schema profile --domain sanhui -o schemas/sanhui/profile.schema.json
      compliance schema pack -o schemas/pack.schema.json
    """
    from compliance.output.schema import pack_schema, profile_schema, to_json

    write_output(to_json(profile_schema(get_domain(domain_key)) if kind == "profile" else pack_schema()), output)


def _refuse_overwrite(target: Path, force: bool) -> None:
    if target.exists() and not force:
        die([Problem(str(target), "文件已存在，未覆盖；确需覆盖请加 --force")])


@click.command("init")
@click.argument("unit_name", required=False)
@click.option("--xlsx", "as_xlsx", is_flag=True, help="生成 Excel/WPS 信息采集表（XLSX）而不是 YAML")
@click.option("--from", "source", metavar="FILE", help="用已有的单位档案（上年度的 YAML，或填好的信息采集表）预先填好信息采集表")
@click.option("--output", "-o", metavar="FILE", help="输出文件（默认：<单位名称>.yaml 或 <单位名称>.xlsx）")
@click.option("--force", is_flag=True, help="允许覆盖已存在的文件")
@domain_option()
def init(unit_name: str | None, as_xlsx: bool, source: str | None, output: str | None, force: bool,
         domain_key: str) -> None:
    """生成空白单位档案模板：带中文注释的 YAML，或 XLSX 信息采集表（可用上年度档案预先填好）。

    \b
    示例：
      compliance init 市财政局                  生成 市财政局.yaml
      compliance init --xlsx 市财政局           生成 市财政局.xlsx（每个部分一个工作表，含填表说明）
      compliance init --xlsx --from 上年度/市财政局.yaml   用上年度档案预填，单位改填变化部分即可
      compliance import 市财政局.xlsx -o 市财政局.yaml
    """
    domain = get_domain(domain_key)
    profile = None
    if source is not None:
        if not as_xlsx:
            die([Problem("--from", "--from 只用于生成信息采集表，请同时加 --xlsx")], code=EXIT_USAGE)
        try:
            profile = domain.form.read(Path(source)).profile if is_form(source) else load_profile(Path(source), domain)
        except InputError as exc:
            die(exc.problems)
    unit_name = (unit_name or (str(profile.unit.name) if profile is not None else "")).strip()
    if not unit_name:
        die([Problem("UNIT_NAME", "单位名称不能为空")])
    target = Path(output or f"{safe_name(unit_name)}.{'xlsx' if as_xlsx else 'yaml'}")
    _refuse_overwrite(target, force)
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        if as_xlsx:
            target.write_bytes(form_workbook(domain, profile, unit_name))
        else:
            target.write_text(domain.template(unit_name), encoding="utf-8")
    except OSError as exc:
        die([Problem(str(target), f"无法写入：{exc.strerror or exc}")])
    click.echo(f"已生成 {target}；填写后运行 compliance validate {target}", err=True)


@click.command("import")
@click.argument("forms", metavar="FILE.xlsx…", nargs=-1, required=True)
@click.option("--output", "-o", metavar="DIR|FILE", required=True,
              help="输出目录（每份采集表一个同名 .yaml）；只转换一份时也可以是 .yaml 文件")
@as_of_option("检查日期 YYYY-MM-DD（默认：今天），用于一致性检查")
@click.option("--force", is_flag=True, help="允许覆盖已存在的文件")
@domain_option()
def import_command(forms: tuple[str, ...], output: str, as_of: dt.date, force: bool, domain_key: str) -> None:
    """把填好的 XLSX 信息采集表转换为单位档案 YAML（可一次转换多份）。

    \b
    错误指向工作表和单元格（如 基本情况!C7）。公式单元格不会被计算：以 = 开头的内容视为错误，请填写数值。
    一份采集表有错误时不生成它的档案，其余照常转换；有任何一份出错时退出码 2。一致性警告只提示。
    已存在的档案不会被覆盖（除非加 --force）。
    \b
    示例：
      compliance import 市财政局.xlsx -o 市财政局.yaml
      compliance import 回收/*.xlsx -o 档案/           每份采集表生成 档案/<文件名>.yaml
    """
    domain = get_domain(domain_key)
    files, problems = expand_paths(forms)
    targets = import_targets(files, Path(output), problems)
    converted = 0
    for form, target in targets:
        found = convert_form(form, target, domain, as_of, force)
        problems.extend(found)
        converted += not found
    if len(targets) > 1:
        click.echo(f"转换 {converted} 份，失败 {len(targets) - converted} 份", err=True)
    if problems:
        die(problems)


def import_targets(files: list[Path], output: Path, problems: list[Problem]) -> list[tuple[Path, Path]]:
    """(form, YAML file) pairs: one named ``.yaml`` file for a single form, else ``<form name>.yaml`` in ``output``."""
    forms = []
    for path in files:
        if is_form(path):
            forms.append(path)
        else:
            problems.append(Problem(str(path), "不是 XLSX 信息采集表（应为 .xlsx 文件）"))
    if len(forms) == 1 and output.suffix.lower() in (".yaml", ".yml") and not output.is_dir():
        return [(forms[0], output)]
    if output.suffix.lower() in (".yaml", ".yml") and not output.is_dir():
        problems.append(Problem(str(output), "转换多份采集表时 -o 应为目录"))
        return []
    targets: list[tuple[Path, Path]] = []
    seen: dict[str, Path] = {}
    for form in forms:
        name = f"{form.stem}.yaml"
        if name in seen:
            problems.append(Problem(str(form), f"与{seen[name]}同名，会生成同一个档案文件 {name}，请改名后再转换"))
            continue
        seen[name] = form
        targets.append((form, output / name))
    return targets


def convert_form(form: Path, target: Path, domain: Any, as_of: dt.date, force: bool) -> list[Problem]:
    """Read one form and write its profile YAML to ``target``; the problems that stopped it (none: written)."""
    if target.exists() and not force:
        return [Problem(str(target), f"文件已存在，未覆盖（{form} 未转换）；确需覆盖请加 --force")]
    try:
        read = domain.form.read(form)
    except InputError as exc:
        return exc.problems
    errors, warnings = domain.assess(read.profile, as_of, str(form), cell_of=read.cell_of) if domain.assess else ([], [])
    for w in [*read.notes, *warnings]:
        click.echo(f"{'说明' if w.level == 'note' else '警告'}：{problem_text(w)}", err=True)
    if errors:
        return errors
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(profile_yaml(read.profile), encoding="utf-8")
    except OSError as exc:
        return [Problem(str(target), f"无法写入：{exc.strerror or exc}")]
    click.echo(f"已写入 {target}", err=True)
    return []
