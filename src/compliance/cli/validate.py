"""Commands ``validate``, ``schema``, ``init`` and ``import``: checking submitted data before any rule runs."""

from __future__ import annotations

import datetime as dt
import io
import json
import sys
from pathlib import Path
from typing import Any, Iterable

import click

from compliance import __version__
from compliance.output.ci import Verdict, problem_text, render_junit, render_sarif
from compliance.cli import DATE, EXIT_CLEAN, EXIT_FINDINGS, EXIT_INPUT, ZhChoice, die, main, write_output
from compliance.inputs.loader import MAX_BYTES, InputError, Problem
from compliance.domains.dangjian.quality import assess
from compliance.pipeline.runner import expand_paths
from compliance.pipeline.stream import Record, assess_record, is_jsonl, parse_record, records_of

FORM_SUFFIXES = (".xlsx", ".xlsm")


def _tagged(problems: list[Problem], code: str) -> list[Problem]:
    for p in problems:
        p.code = p.code or code
    return problems


def validate_path(path: Path, as_of: dt.date, max_bytes: int = MAX_BYTES) -> Verdict:
    """Schema and consistency verdict for one YAML/JSON profile or XLSX form; never raises."""
    source = str(path)
    try:
        if path.suffix.lower() in FORM_SUFFIXES:
            from compliance.domains.dangjian.form import read_form_cells

            try:
                form = read_form_cells(path, max_bytes)
            except InputError as exc:
                return Verdict(source, _tagged(exc.problems, "FORM"))
            errors, warnings = assess(form.profile, as_of, source, cell_of=form.cell_of)
            return Verdict(source, errors, warnings, form.profile.unit.id, form.profile.unit.name)
        return validate_record(Record(source), as_of)
    except Exception as exc:  # noqa: BLE001 - one file's failure must not stop a batch
        return Verdict(source, [Problem(source, f"无法校验此文件（内部错误 {type(exc).__name__}），请联系维护人员",
                                        code="INTERNAL")])


def validate_record(record: Record, as_of: dt.date) -> Verdict:
    """Verdict for one record: a YAML/JSON profile file, or one line of JSON Lines (source ``file:line``)."""
    try:
        profile, text = parse_record(record, tag=True)
    except InputError as exc:
        return Verdict(record.source, exc.problems)
    errors, warnings = assess_record(profile, as_of, record, text)
    return Verdict(record.source, errors, warnings, profile.unit.id, profile.unit.name)


def validate_paths(files: Iterable[Path], as_of: dt.date, max_bytes: int = MAX_BYTES) -> Iterable[Verdict]:
    """One verdict per profile file, per XLSX form and per line of a JSON Lines file (or ``-``, standard input)."""
    for path in files:
        if is_jsonl(path):
            for record in records_of(path):
                yield validate_record(record, as_of)
        else:
            yield validate_path(path, as_of, max_bytes)


def summary(verdicts: list[Verdict], missing: list[Problem]) -> dict[str, int]:
    return {
        "files": len(verdicts),
        "valid": sum(v.valid for v in verdicts),
        "invalid": sum(not v.valid for v in verdicts),
        "with_warnings": sum(bool(v.warnings) for v in verdicts),
        "errors": sum(len(v.errors) for v in verdicts),
        "warnings": sum(len(v.warnings) for v in verdicts),
        "not_found": len(missing),
    }


def summary_line(counts: dict[str, int]) -> str:
    text = (f"共校验 {counts['files']} 份档案：通过 {counts['valid']} 个，未通过 {counts['invalid']} 个"
            f"（错误 {counts['errors']} 处）；有警告的档案 {counts['with_warnings']} 份（警告 {counts['warnings']} 处）")
    if counts["not_found"]:
        text += f"；{counts['not_found']} 个路径没有找到文件"
    return text


def text_verdict(v: Verdict, quiet: bool) -> str:
    lines = []
    if v.valid and not v.warnings:
        if not quiet:
            lines.append(f"通过  {v.source}")
    else:
        status = "未通过" if not v.valid else "通过（有警告）"
        counts = f"{len(v.errors)} 个错误" + (f"，{len(v.warnings)} 个警告" if v.warnings else "")
        lines.append(f"{status}  {v.source}（{counts}）")
        lines += [f"  错误：{problem_text(p)}" for p in v.errors]
        lines += [f"  警告：{problem_text(p)}" for p in v.warnings]
    return "".join(line + "\n" for line in lines)


@click.command("validate")
@click.argument("paths", nargs=-1, required=True)
@click.option("--as-of", type=DATE, help="检查日期 YYYY-MM-DD（默认：今天）；晚于它的日期是错误")
@click.option("--format", "fmt", type=ZhChoice(["text", "json", "junit", "sarif"]), default="text", show_default=True,
              help="输出格式：text 文本，json 机器可读，junit JUnit XML（每个文件一个用例），sarif SARIF 2.1.0")
@click.option("--output", "-o", metavar="FILE", help="写入文件而不是标准输出")
@click.option("--strict", is_flag=True, help="有警告时退出码也为 1")
@click.option("--quiet", "-q", is_flag=True, help="文本格式只列出有错误或警告的文件")
def validate(paths: tuple[str, ...], as_of: dt.date | None, fmt: str, output: str | None, strict: bool,
             quiet: bool) -> None:
    """校验单位档案（YAML/JSON 或 XLSX 信息采集表）：格式与数据一致性，不运行规则包。

    \b
    每个错误给出 文件:行:列、字段中文名和键名、填写的值、应填写什么；警告（可疑但可能成立）单独列出。
    目录会递归查找 .yaml/.yml/.json/.jsonl 档案和 .xlsx 信息采集表；JSON Lines（.jsonl，或 - 表示标准输入）
    每行一个档案、每行一个结论；一个文件（或一行）有错不影响其他。
    退出码：0 全部通过；1 使用 --strict 且有警告；2 有文件未通过或路径不存在。
    \b
    示例：
      compliance validate profiles/ --as-of 2025-11-20
      compliance validate profiles/ --format junit -o validate.xml
      compliance validate profiles/ --format sarif -o validate.sarif
    """
    as_of = as_of or dt.date.today()
    files, missing = expand_paths(paths)
    with_forms: set[str] = set()
    for folder in (p for p in paths if Path(p).is_dir()):
        found = sorted(f for f in Path(folder).rglob("*")
                       if f.is_file() and f.suffix.lower() in FORM_SUFFIXES and not f.name.startswith("~$"))
        files.extend(found)
        if found:
            with_forms.add(folder)
    missing = _tagged([p for p in missing if p.file not in with_forms], "READ")
    verdicts: list[Verdict] = []
    stream = io.StringIO() if output or fmt != "text" else None
    for verdict in validate_paths(files, as_of):
        verdicts.append(verdict)
        if fmt == "text":
            chunk = text_verdict(verdict, quiet)
            if stream is None:
                click.echo(chunk, nl=False)
            else:
                stream.write(chunk)
    counts = summary(verdicts, missing)
    if fmt == "text":
        tail = "".join(f"错误：{p.format()}\n" for p in missing) + summary_line(counts) + "\n"
        text = (stream.getvalue() if stream else "") + tail
        if stream is None:
            click.echo(tail, nl=False)
        else:
            write_output(text, output)
    else:
        if fmt == "json":
            doc = {"tool": "compliance", "version": __version__, "as_of": as_of.isoformat(),
                   "files": [v.to_dict() for v in verdicts], "not_found": [p.to_dict() for p in missing],
                   "summary": counts}
            text = json.dumps(doc, ensure_ascii=False, indent=2) + "\n"
        else:
            everything = verdicts + [Verdict(p.file, [p]) for p in missing]
            text = render_junit(everything) if fmt == "junit" else render_sarif(everything)
        write_output(text, output)
        if output is not None or not sys.stdout.isatty():
            click.echo(summary_line(counts), err=True)
    if counts["invalid"] or missing:
        sys.exit(EXIT_INPUT)
    sys.exit(EXIT_FINDINGS if strict and counts["warnings"] else EXIT_CLEAN)


@click.command("schema")
@click.argument("kind", type=ZhChoice(["profile", "pack"]))
@click.option("--output", "-o", metavar="FILE", help="写入文件而不是标准输出")
def schema_command(kind: str, output: str | None) -> None:
    """导出 JSON Schema（draft 2020-12，含中文标题和说明），供编辑器提示和校验。

    \b
    profile 单位档案；pack 规则包。在 YAML 文件第一行写
      # yaml-language-server: $schema=schemas/profile.schema.json
    即可在 VS Code（YAML 插件）等编辑器中获得中文提示和错误标记。
    """
    from compliance.schema import pack_schema, profile_schema, to_json

    write_output(to_json(profile_schema() if kind == "profile" else pack_schema()), output)


def _refuse_overwrite(target: Path, force: bool) -> None:
    if target.exists() and not force:
        die([Problem(str(target), "文件已存在，未覆盖；确需覆盖请加 --force")])


@click.command("init")
@click.argument("unit_name")
@click.option("--xlsx", "as_xlsx", is_flag=True, help="生成 Excel/WPS 信息采集表（XLSX）而不是 YAML")
@click.option("--output", "-o", metavar="FILE", help="输出文件（默认：<单位名称>.yaml 或 <单位名称>.xlsx）")
@click.option("--force", is_flag=True, help="允许覆盖已存在的文件")
def init(unit_name: str, as_xlsx: bool, output: str | None, force: bool) -> None:
    """生成空白单位档案模板：带中文注释的 YAML，或 XLSX 信息采集表。

    \b
    示例：
      compliance init 市财政局                  生成 市财政局.yaml
      compliance init --xlsx 市财政局           生成 市财政局.xlsx（每个部分一个工作表，含填表说明）
      compliance import 市财政局.xlsx -o 市财政局.yaml
    """
    from compliance.domains.dangjian.template import write_xlsx_template, yaml_template

    unit_name = unit_name.strip()
    if not unit_name:
        die([Problem("UNIT_NAME", "单位名称不能为空")])
    target = Path(output or f"{unit_name}.{'xlsx' if as_xlsx else 'yaml'}")
    _refuse_overwrite(target, force)
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        if as_xlsx:
            write_xlsx_template(target, unit_name)
        else:
            target.write_text(yaml_template(unit_name), encoding="utf-8")
    except OSError as exc:
        die([Problem(str(target), f"无法写入：{exc.strerror or exc}")])
    click.echo(f"已生成 {target}；填写后运行 compliance validate {target}", err=True)


@click.command("import")
@click.argument("form", metavar="FILE.xlsx")
@click.option("--output", "-o", metavar="FILE", required=True, help="输出的单位档案 YAML 文件")
@click.option("--as-of", type=DATE, help="检查日期 YYYY-MM-DD（默认：今天），用于一致性检查")
@click.option("--force", is_flag=True, help="允许覆盖已存在的文件")
def import_command(form: str, output: str, as_of: dt.date | None, force: bool) -> None:
    """把填好的 XLSX 信息采集表转换为单位档案 YAML。

    \b
    错误指向工作表和单元格（如 基本情况!C7）。公式单元格不会被计算：以 = 开头的内容视为错误，请填写数值。
    有错误时不生成文件，退出码 2；一致性警告只提示。
    """
    from compliance.domains.dangjian.form import profile_yaml, read_form_cells

    target = Path(output)
    _refuse_overwrite(target, force)
    try:
        read = read_form_cells(Path(form))
    except InputError as exc:
        die(exc.problems)
    profile = read.profile
    errors, warnings = assess(profile, as_of or dt.date.today(), form, cell_of=read.cell_of)
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


COMMANDS: list[Any] = [validate, schema_command, init, import_command]
for _command in COMMANDS:
    main.add_command(_command)
