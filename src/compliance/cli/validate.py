"""``compliance validate``: check submitted profiles (format and consistency) before any rule runs."""

from __future__ import annotations

import datetime as dt
import sys

import click

from compliance.cli.common import (
    EXIT_CLEAN,
    EXIT_CODES_HELP,
    EXIT_FINDINGS,
    EXIT_INPUT,
    DEFAULT_DOMAIN,
    ZhChoice,
    as_of_option,
    max_jsonl_option,
    domain_option,
    output_option,
    write_output,
)
from compliance import output
from compliance.engine.domain import domains, get_domain
from compliance.inputs.paths import expand_paths
from compliance.output import FORMATS
from compliance.output.verdicts import VerdictReport, summary_line
from compliance.pipeline.validate import tagged, validate_paths


@click.command("validate", epilog=EXIT_CODES_HELP)
@click.argument("paths", nargs=-1, required=True)
@domain_option(follow_profile=True)
@as_of_option("检查日期 YYYY-MM-DD（默认：今天）；晚于它的日期是错误")
@click.option("--format", "fmt", type=ZhChoice(output.names("verdicts")), default="text", show_default=True,
              help="输出格式：text 文本，json 机器可读，junit JUnit XML（每个文件一个用例），sarif SARIF 2.1.0")
@output_option()
@click.option("--strict", is_flag=True, help="有警告时退出码也为 1")
@click.option("--quiet", "-q", is_flag=True, help="文本格式只列出有错误或警告的文件")
@max_jsonl_option
def validate(paths: tuple[str, ...], domain_key: str | None, as_of: dt.date, fmt: str, output: str | None, strict: bool,
             quiet: bool, max_jsonl: int) -> None:
    """校验单位档案（YAML/JSON 或 XLSX 信息采集表）：格式与数据一致性，不运行规则包。

    \b
    每个错误给出 文件:行:列、字段中文名和键名、填写的值、应填写什么；警告（可疑但可能成立）单独列出。
    目录会递归查找 .yaml/.yml/.json/.jsonl 档案和 .xlsx 信息采集表；JSON Lines（.jsonl，或 - 表示标准输入）
    每行一个档案、每行一个结论；一个文件（或一行）有错不影响其他。
    \b
    示例：
      compliance validate profiles/ --as-of 2025-11-20
      compliance validate profiles/ --format junit -o validate.xml
      compliance validate profiles/ --format sarif -o validate.sarif
    """
    domain = get_domain(domain_key or DEFAULT_DOMAIN)
    files, missing = expand_paths(paths)
    missing = tagged(missing, "READ")
    follow = domain_key is None
    checks = [c for d in domains().values() for c in d.quality_checks] if follow else list(domain.quality_checks)
    report = VerdictReport(list(validate_paths(files, domain, as_of, follow=follow, max_jsonl=max_jsonl)), missing, as_of, checks, quiet)
    render = FORMATS[fmt].verdicts
    assert render is not None
    write_output(render(report), output)
    counts = report.counts
    if fmt != "text" and (output is not None or not sys.stdout.isatty()):
        click.echo(summary_line(counts), err=True)
    if counts["invalid"] or missing:
        sys.exit(EXIT_INPUT)
    sys.exit(EXIT_FINDINGS if strict and counts["warnings"] else EXIT_CLEAN)
