"""The base of every model read from a file a person writes: unknown keys are errors, the Chinese
``title`` of each field is also accepted as its key, 是/否 texts are accepted for yes/no fields, and
texts, lists and numbers are bounded so that every value can be stored and written out."""

from __future__ import annotations

from typing import Annotated, Any, ClassVar

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, field_validator, model_validator

from compliance.inputs.text import ILLEGAL, first_illegal

TRUE_TEXTS = {"是", "有", "已建立", "已设立", "已开设", "true", "yes", "y", "1", "√"}
FALSE_TEXTS = {"否", "无", "没有", "未建立", "未设立", "未开设", "false", "no", "n", "0", "×"}


def _zh_bool(value: Any) -> Any:
    if isinstance(value, str):
        text = value.strip().lower()
        if text in TRUE_TEXTS:
            return True
        if text in FALSE_TEXTS:
            return False
    return value


MAX_TEXT = 2000
"""Characters in one text field of a profile."""
MAX_ITEMS = 10_000
"""Entries in one list of a profile (events, roster, meetings …)."""
MAX_INT = 10**15
"""Any whole number must lie within ±MAX_INT, so nothing beyond 64 bits reaches a database."""

YesNo = Annotated[bool, BeforeValidator(_zh_bool)]
Count = Annotated[int, Field(ge=0, le=10_000_000)]
Money = Annotated[float, Field(ge=0, le=10**12, allow_inf_nan=False)]


def check_text(value: str) -> str:
    """``value`` unless it holds a character no document can store (control characters, NUL, lone surrogates)."""
    bad = first_illegal(value)
    if bad is not None:
        raise ValueError(illegal_message(bad))
    return value


def illegal_message(char: str) -> str:
    return f"含有不能写入文档的字符（U+{ord(char):04X}），请删除"


def _check_value(value: Any) -> Any:
    kind = type(value)
    if kind is str:
        if ILLEGAL.search(value) is not None:
            check_text(value)
    elif kind is int:
        if not -MAX_INT <= value <= MAX_INT:
            raise ValueError(f"数值过大，绝对值不能超过{MAX_INT}")
    elif kind is bool or value is None:
        pass
    elif isinstance(value, str):
        check_text(value)
    elif isinstance(value, int) and abs(value) > MAX_INT:
        raise ValueError(f"数值过大，绝对值不能超过{MAX_INT}")
    elif isinstance(value, (list, tuple)):
        for item in value:
            if isinstance(item, (str, int)):
                _check_value(item)
    return value


def zh(title: str, description: str = "", **kwargs: Any) -> Any:
    """An optional field whose Chinese ``title`` is also accepted as its key."""
    return Field(default=None, title=title, description=description or None, **kwargs)


class Model(BaseModel):
    """Base for profile sections: unknown keys are errors, Chinese titles are key aliases."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True, validate_default=False,
                              str_max_length=MAX_TEXT)
    _zh_keys: ClassVar[dict[str, str]] = {}
    _optional: ClassVar[frozenset[str]] = frozenset()

    @classmethod
    def __pydantic_init_subclass__(cls, **kwargs: Any) -> None:
        super().__pydantic_init_subclass__(**kwargs)
        cls._zh_keys = {f.title: name for name, f in cls.model_fields.items() if f.title}
        cls._optional = frozenset(name for name, f in cls.model_fields.items() if not f.is_required())

    @field_validator("*", mode="after")
    @classmethod
    def _storable(cls, value: Any) -> Any:
        return _check_value(value)

    @model_validator(mode="before")
    @classmethod
    def _accept_chinese_keys(cls, data: Any) -> Any:
        """Chinese titles become field names; an optional section left blank becomes ``None``."""
        if not isinstance(data, dict):
            return data
        zh_keys, optional = cls._zh_keys, cls._optional
        if zh_keys.keys().isdisjoint(data) and not any(type(v) is dict for v in data.values()):
            return data  # the common case: English keys, no section to blank out
        out: dict[Any, Any] = {}
        for key, value in data.items():
            name = zh_keys.get(key, key)
            if name in out:
                raise ValueError(f"字段「{key}」与「{name}」重复填写，只能保留一个")
            out[name] = None if name in optional and _blank(value) else value
        return out


def _blank(value: Any) -> bool:
    """A section left as the blank template wrote it (``postponement:`` with every key empty) is not filled."""
    return isinstance(value, dict) and bool(value) and all(v is None or _blank(v) for v in value.values())
