"""The office profile (``office.yaml``): who issues the documents and how.

One file per office, written by ``compliance init-office`` and read by ``compliance report --office``:
the issuing body, the 文号 pattern and the next number, 抄送, the signature, the time zone of its dates
and the review mode (书面审查 or 现场督查), which decides how the notice describes the work.
Nothing here names a real body: the issuer defaults to the rule pack's domain when the file leaves it out.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import Field, field_validator

from compliance.inputs.loader import InputError, Problem, load_file
from compliance.inputs.model import Model
from compliance.inputs.validation import validate_as

DEFAULT_FILE = "office.yaml"
NUMBER_MARK = "{号}"
YEAR_MARK = "{年}"
REVIEW_MODES = ("书面审查", "现场督查")


class Office(Model):
    """An office's document settings; every key may be written in Chinese (its title) or English."""

    issuer: str | None = Field(None, title="发文机关", description="如 中共××市直属机关工作委员会；不填时用规则包的督查机关")
    signature: str | None = Field(None, title="落款", description="通知书和报告末尾的署名；不填时同发文机关")
    number_pattern: str | None = Field(
        None, title="文号格式", description=f"{YEAR_MARK} 为年份，{NUMBER_MARK} 为序号，如 ××工委督〔{{年}}〕{{号}}号；不填则不编文号")
    next_number: int = Field(1, title="起始序号", ge=1, le=99999, description="本批第一份通知书的序号，其后依次加1")
    copy_to: list[str] = Field(default_factory=list, title="抄送", max_length=20,
                               description="如 市总工会、团市委、市妇联（群团组织的上级）")
    contact: str | None = Field(None, title="联系人", description="通知书附注的联系人及电话")
    timezone: str = Field("Asia/Shanghai", title="时区", description="日期按此时区计算（默认北京时间）")
    review_mode: Literal["书面审查", "现场督查"] = Field("书面审查", title="督查方式",
                                                      description="书面审查（审阅报送档案）或 现场督查")

    @field_validator("number_pattern")
    @classmethod
    def _has_number(cls, value: str | None) -> str | None:
        if value is not None and NUMBER_MARK not in value:
            raise ValueError(f"文号格式中应有序号位置 {NUMBER_MARK}，如 ××工委督〔{{年}}〕{{号}}号")
        return value

    @field_validator("timezone")
    @classmethod
    def _known_zone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError(f"未知时区「{value}」，应为 Asia/Shanghai 这样的时区名") from None
        return value

    @field_validator("copy_to", mode="before")
    @classmethod
    def _one_or_many(cls, value: Any) -> Any:
        if isinstance(value, str):
            return [part.strip() for part in value.replace("，", "、").replace(",", "、").split("、") if part.strip()]
        return value

    def resolved(self, default_issuer: str) -> "Office":
        """This profile with the issuer (and signature) filled from ``default_issuer`` where left out."""
        issuer = self.issuer or default_issuer
        return self.model_copy(update={"issuer": issuer, "signature": self.signature or issuer})

    def number(self, index: int, year: int) -> str:
        """The 文号 of the ``index``-th (0-based) notice of a batch dated in ``year``; empty without a pattern."""
        if not self.number_pattern:
            return ""
        return self.number_pattern.replace(YEAR_MARK, str(year)).replace(NUMBER_MARK, str(self.next_number + index))

    def today(self) -> dt.date:
        """Today's date in the office's time zone."""
        return dt.datetime.now(ZoneInfo(self.timezone)).date()

    @property
    def on_site(self) -> bool:
        return self.review_mode == "现场督查"


def load_office(path: Path | str) -> Office:
    """Read and validate an office profile; raises :class:`InputError` with located Chinese problems."""
    data, text = load_file(Path(path))
    if data is None:
        data = {}
    if not isinstance(data, dict):
        raise InputError([Problem(str(path), "办公室配置应为“键: 值”的映射（见 compliance init-office 生成的样例）")])
    return validate_as(Office, data, str(path), text)


def find_office(path: str | None, cwd: Path | None = None) -> Office:
    """The office profile at ``path``; without one, ``./office.yaml`` when present, else the built-in defaults."""
    if path:
        return load_office(path)
    default = (cwd or Path.cwd()) / DEFAULT_FILE
    return load_office(default) if default.is_file() else Office()


TEMPLATE = """\
# 督查机关（办公室）配置：compliance report 生成的整改通知书、督查报告按此编文号、落款、抄送。
# 用法：compliance report 档案/ -o 输出/ --office office.yaml（当前目录有 office.yaml 时自动使用）
# 键可以用中文（如下）或英文（issuer、number_pattern…）；不需要的项可以删除。

发文机关: {issuer}
# 落款: {issuer}            # 不填时同发文机关
文号格式: ××工委督〔{{年}}〕{{号}}号   # {{年}} 为年份，{{号}} 为序号；删除此行则不编文号
起始序号: 1                 # 本批第一份通知书的序号，其后每份加1；下一批请改为提示的下一个序号
抄送:
  - 市总工会
  - 团市委
  - 市妇联
# 联系人: 组织部 张三，电话 0000-00000000
时区: Asia/Shanghai         # 日期按北京时间计算
督查方式: 书面审查           # 书面审查（审阅单位报送的档案）或 现场督查
"""


def template_text(issuer: str) -> str:
    """The commented sample ``office.yaml`` written by ``compliance init-office``."""
    return TEMPLATE.format(issuer=issuer)
