"""``compliance schema``, ``init`` and ``import``: JSON Schemas, blank templates, and the XLSX form → YAML."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import click

from compliance.cli.common import ZhChoice, as_of_option, die, domain_option, output_option, write_output
from compliance.domains.form import profile_yaml
from compliance.engine.domain import get_domain
from compliance.inputs.loader import InputError, Problem
from compliance.output.verdicts import problem_text


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
@click.argument("unit_name")
@click.option("--xlsx", "as_xlsx", is_flag=True, help="生成 Excel/WPS 信息采集表（XLSX）而不是 YAML")
@click.option("--output", "-o", metavar="FILE", help="输出文件（默认：<单位名称>.yaml 或 <单位名称>.xlsx）")
@click.option("--force", is_flag=True, help="允许覆盖已存在的文件")
@domain_option()
def init(unit_name: str, as_xlsx: bool, output: str | None, force: bool, domain_key: str) -> None:
    """生成空白单位档案模板：带中文注释的 YAML，或 XLSX 信息采集表。

    \b
    示例：
      compliance init 市财政局                  生成 市财政局.yaml
      compliance init --xlsx 市财政局           生成 市财政局.xlsx（每个部分一个工作表，含填表说明）
      compliance import 市财政局.xlsx -o 市财政局.yaml
    """
    domain = get_domain(domain_key)
    unit_name = unit_name.strip()
    if not unit_name:
        die([Problem("UNIT_NAME", "单位名称不能为空")])
    target = Path(output or f"{unit_name}.{'xlsx' if as_xlsx else 'yaml'}")
    _refuse_overwrite(target, force)
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        if as_xlsx:
            domain.form.write(target, unit_name)
        else:
            target.write_text(domain.template(unit_name), encoding="utf-8")
    except OSError as exc:
        die([Problem(str(target), f"无法写入：{exc.strerror or exc}")])
    click.echo(f"已生成 {target}；填写后运行 compliance validate {target}", err=True)


@click.command("import")
@click.argument("form", metavar="FILE.xlsx")
@click.option("--output", "-o", metavar="FILE", required=True, help="输出的单位档案 YAML 文件")
@as_of_option("检查日期 YYYY-MM-DD（默认：今天），用于一致性检查")
@click.option("--force", is_flag=True, help="允许覆盖已存在的文件")
@domain_option()
def import_command(form: str, output: str, as_of: dt.date, force: bool, domain_key: str) -> None:
    """把填好的 XLSX 信息采集表转换为单位档案 YAML。

    \b
    错误指向工作表和单元格（如 基本情况!C7）。公式单元格不会被计算：以 = 开头的内容视为错误，请填写数值。
    有错误时不生成文件，退出码 2；一致性警告只提示。
    """
    domain = get_domain(domain_key)
    target = Path(output)
    _refuse_overwrite(target, force)
    try:
        read = domain.form.read(Path(form))
    except InputError as exc:
        die(exc.problems)
    profile = read.profile
    errors, warnings = domain.assess(profile, as_of, form, cell_of=read.cell_of) if domain.assess else ([], [])
    for w in warnings:
        click.echo(f"警告：{problem_text(w)}", err=True)
    if errors:
        die(errors)
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(profile_yaml(profile), encoding="utf-8")
    except OSError as exc:
        die([Problem(str(target), f"无法写入：{exc.strerror or exc}")])
    click.echo(f"已写入 {target}", err=True)
