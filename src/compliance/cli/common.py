"""What the commands share: exit codes, parameter types, the shared options (declared once), opening the pack."""

from __future__ import annotations

import datetime as dt
import sys
from typing import Any, Callable, NoReturn

import click

from compliance.engine.pack import Pack
from compliance.findings import SEVERITY_RANK
from compliance.inputs.loader import InputError, Problem
from compliance.output.base import write_text

EXIT_CLEAN, EXIT_FINDINGS, EXIT_INPUT, EXIT_USAGE = 0, 1, 2, 3
"""0 clean; 1 findings at or above ``--fail-on`` (``validate --strict``: warnings); 2 invalid input data
(a profile that cannot be read or validated, a missing profile path); 3 usage or configuration error (a bad
option value, a bad pack, tailoring or waiver file, an output file that cannot be written)."""
EXIT_CODES_HELP = """\b
退出码：
  0  没有达到 --fail-on 的不符合项（validate：全部通过）
  1  有达到 --fail-on 的不符合项（validate：使用 --strict 且有警告）
  2  输入数据有误：档案读不出或校验不通过、档案路径不存在（其余文件照常处理）
  3  用法或配置错误：选项取值错误、规则包/裁剪文件/豁免文件有错、输出文件无法写入"""
"""The exit-code table, as shown in ``check --help`` and ``validate --help``."""
DEFAULT_PACK = DEFAULT_DOMAIN = "dangjian"
"""The pack and domain used when none is named: 党建带群建, the first standard."""

F = Callable[..., Any]


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


class SizeParam(click.ParamType):
    """A size such as ``20G``, ``500M`` or ``1024K`` (binary units; a bare number is bytes)."""

    name = "SIZE"
    _UNITS = {"": 1, "K": 1024, "M": 1024 ** 2, "G": 1024 ** 3, "T": 1024 ** 4}

    def convert(self, value: Any, param: Any, ctx: Any) -> int:
        if isinstance(value, int):
            return value
        text = str(value).strip().upper().removesuffix("B")
        number, unit = text.rstrip("KMGT"), text[len(text.rstrip("KMGT")):]
        if number.isdigit() and unit in self._UNITS and 0 < int(number) * self._UNITS[unit] <= 1024 ** 5:
            return int(number) * self._UNITS[unit]
        self.fail(f"「{value}」不是有效大小，应为整数加单位，如20G、500M", param, ctx)


DATE = DateParam()
SIZE = SizeParam()
SEVERITY_CHOICE = ZhChoice(list(SEVERITY_RANK))


def _today_if_missing(ctx: click.Context, param: click.Parameter, value: dt.date | None) -> dt.date:
    return value or dt.date.today()


def as_of_option(help: str = "检查日期 YYYY-MM-DD（默认：今天）；年度、期限都按它计算") -> Callable[[F], F]:
    """``--as-of``: the check date, today when not given."""
    return click.option("--as-of", type=DATE, callback=_today_if_missing, help=help)


year_option = click.option(
    "--year", type=click.IntRange(1949, 2200), default=None, metavar="YYYY",
    help="考核年度（“每年至少…”按该年度判断）；默认为检查日期所在年度，检查日期在年初几个月内"
         "（规则包参数 assessment_lag_months，党建带群建为3个月）时为上一年度")
"""``--year``: the 考核年度 annual rules judge (see :meth:`Pack.set_year`)."""


pack_option = click.option(
    "--pack", "pack_path", metavar="PACK",
    help=f"规则包：已安装规则包的名称（如 {DEFAULT_PACK}、sanhui，见 compliance rules packs）或文件路径；"
         f"也可以是带 extends 的裁剪文件（默认：{DEFAULT_PACK}）")
tailoring_option = click.option(
    "--tailoring", "tailorings", multiple=True, metavar="FILE",
    help="裁剪文件（可重复，按顺序叠加）：调整参数、停用规则、改严重程度、新增规则")
waivers_option = click.option("--waivers", metavar="FILE", help="督查方掌握的豁免文件（与档案中的豁免合并）")


def pack_options(force: str = "--force") -> Callable[[F], F]:
    """``--pack``, ``--tailoring``, ``--waivers`` and the flag (``force``) that accepts a pack whose examples fail."""
    def decorate(f: F) -> F:
        f = click.option(force, "force_pack", is_flag=True, help="规则包自测样例未通过时仍然继续")(f)
        return pack_option(tailoring_option(waivers_option(f)))
    return decorate


max_jsonl_option = click.option(
    "--max-jsonl-size", "max_jsonl", type=SIZE, default="1G", show_default=True,
    help="单个 JSON Lines 文件（或标准输入）最多读取的大小，如20G；超过的部分不读，报告为错误。"
         "逐行读取，内存不随文件大小增长；全国规模的批量文件可调大")


def output_option(help: str = "写入文件而不是标准输出") -> Callable[[F], F]:
    return click.option("--output", "-o", metavar="FILE", help=help)


def print_problems(problems: list[Problem]) -> None:
    for p in problems:
        click.echo(f"错误：{p.format()}", err=True)


def die(problems: list[Problem], intro: str = "", code: int = EXIT_INPUT) -> NoReturn:
    """Print ``problems`` (after ``intro``) and exit with ``code`` (:data:`EXIT_INPUT` unless told)."""
    if intro:
        click.echo(intro, err=True)
    print_problems(problems)
    sys.exit(code)


def load_pack_or_die(pack_path: str | None, tailorings: tuple[str, ...] = ()) -> Pack:
    """The effective pack (pack + tailoring files), or a located Chinese error and exit 3 (configuration)."""
    from compliance.engine.tailoring import load_effective

    try:
        return load_effective(pack_path, tailorings, default=DEFAULT_PACK)
    except InputError as exc:
        die(exc.problems, "规则包或裁剪文件有错误：", EXIT_USAGE)


def open_pack(pack_path: str | None, tailorings: tuple[str, ...] = (), force: bool = False,
              waivers: str | None = None) -> Pack:
    """The effective pack (pack + tailoring files + inspector's waiver file); refuses one whose examples fail."""
    from compliance.engine.selftest import failing_examples
    from compliance.engine.tailoring import attach_waivers, load_effective

    try:
        pack = load_effective(pack_path, tailorings, default=DEFAULT_PACK)
        if waivers is not None:
            attach_waivers(pack, waivers)
    except InputError as exc:
        die(exc.problems, "规则包有错误，未执行检查（含裁剪文件、豁免文件）：", EXIT_USAGE)
    failures = failing_examples(pack)
    if failures:
        for failure in failures[:20]:
            click.echo(f"样例失败：{failure.describe()}", err=True)
        if not force:
            click.echo(f"规则包有{len(failures)}个自测样例未通过，拒绝加载（运行 compliance rules test 查看；"
                       "确需使用请加 --force）", err=True)
            sys.exit(EXIT_USAGE)
        click.echo(f"警告：规则包有{len(failures)}个自测样例未通过，因 --force 仍继续检查", err=True)
    return pack


def write_output(text: str, output: str | None) -> None:
    """``text`` to standard output, or to the file ``output`` (then say so on standard error)."""
    if output is None:
        click.echo(text, nl=False)
        return
    try:
        write_text(text, output)
    except InputError as exc:
        die(exc.problems, code=EXIT_USAGE)
    click.echo(f"已写入 {output}", err=True)


def _installed_domains() -> dict[str, str]:
    from compliance.engine.domain import domains

    return {key: domain.title for key, domain in domains().items()}


def domain_option(follow_profile: bool = False) -> Callable[[F], F]:
    """``--domain KEY``: the standard profiles are written for.

    With ``follow_profile`` it defaults to the ``domain:`` each profile declares (then 党建带群建).
    """
    installed = _installed_domains()
    listed = "、".join(f"{key} {title}" for key, title in installed.items())
    if follow_profile:
        return click.option("--domain", "domain_key", default=None, metavar="KEY", type=ZhChoice(list(installed)),
                            help=f"档案的标准（{listed}）；不写时按每份档案的 domain: 字段，未写的按 {DEFAULT_DOMAIN}")
    return click.option("--domain", "domain_key", default=DEFAULT_DOMAIN, show_default=True, metavar="KEY",
                        type=ZhChoice(list(installed)), help=f"档案的标准（{listed}；已安装的见 compliance rules packs）")
