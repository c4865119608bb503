"""The base of every model read from a file a person writes: unknown keys are errors, the Chinese
``title`` of each field is also accepted as its key, and 是/否 texts are accepted for yes/no fields."""

from __future__ import annotations

from typing import Annotated, Any, ClassVar

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, model_validator

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


YesNo = Annotated[bool, BeforeValidator(_zh_bool)]
Count = Annotated[int, Field(ge=0)]
Money = Annotated[float, Field(ge=0)]


def zh(title: str, description: str = "", **kwargs: Any) -> Any:
    """An optional field whose Chinese ``title`` is also accepted as its key."""
    return Field(default=None, title=title, description=description or None, **kwargs)


class Model(BaseModel):
    """Base for profile sections: unknown keys are errors, Chinese titles are key aliases."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True, validate_default=False)
    _zh_keys: ClassVar[dict[str, str]] = {}

    @classmethod
    def __pydantic_init_subclass__(cls, **kwargs: Any) -> None:
        super().__pydantic_init_subclass__(**kwargs)
        cls._zh_keys = {f.title: name for name, f in cls.model_fields.items() if f.title}

    @model_validator(mode="before")
    @classmethod
    def _accept_chinese_keys(cls, data: Any) -> Any:
        if not isinstance(data, dict):
            return data
        zh_keys = cls._zh_keys
        if zh_keys.keys().isdisjoint(data):
            return data
        out: dict[Any, Any] = {}
        for key, value in data.items():
            name = zh_keys.get(key, key)
            if name in out:
                raise ValueError(f"字段「{key}」与「{name}」重复填写，只能保留一个")
            out[name] = value
        return out
