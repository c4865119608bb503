"""Validating parsed data as a pydantic model, with every error located (line, column, Chinese field path)
and explained in Chinese, with a "是不是想写…" suggestion for a mistyped key."""

from __future__ import annotations

import difflib
from typing import Any, Iterable, TypeVar

import yaml
from pydantic import BaseModel, ValidationError

from compliance.inputs import native
from compliance.inputs.loader import InputError, Problem, composed, given_text
from compliance.inputs.model import illegal_message
from compliance.inputs.text import first_illegal

M = TypeVar("M", bound=BaseModel)

MAX_REPORTED = 50
"""Problems listed per file; the rest are counted in one closing line."""


class Locator:
    """Finds nodes of one YAML text: its node tree (kept from parsing, composed only if not) is taken on
    first use, each mapping's keys indexed on first use."""

    def __init__(self, text: str) -> None:
        self.text = text
        self._root: Any = False
        self._keys: dict[int, dict[str, tuple[yaml.Node, yaml.Node]]] = {}

    @property
    def root(self) -> yaml.Node | None:
        if self._root is False:
            self._root = composed(self.text)
        return self._root

    def _entries(self, node: yaml.MappingNode) -> dict[str, tuple[yaml.Node, yaml.Node]]:
        entries = self._keys.get(id(node))
        if entries is None:
            entries = {}
            for key_node, value_node in node.value:
                entries.setdefault(str(key_node.value), (key_node, value_node))
            self._keys[id(node)] = entries
        return entries

    def __call__(self, loc: Iterable[Any], model: type[BaseModel] | None = None) -> tuple[int | None, int | None]:
        """Line and column (1-based) of the node at ``loc``, matching Chinese key aliases via ``model``."""
        node = best = self.root
        current_model = model
        for part in loc:
            if isinstance(node, yaml.MappingNode):
                names = [str(part)]
                if current_model is not None and str(part) in current_model.model_fields:
                    title = current_model.model_fields[str(part)].title
                    if title:
                        names.append(title)
                entries = self._entries(node)
                found = next((entries[n] for n in names if n in entries), None)
                if found is None:
                    break
                best, node = found
                current_model = _submodel(current_model, str(part))
            elif isinstance(node, yaml.SequenceNode) and isinstance(part, int) and 0 <= part < len(node.value):
                node = best = node.value[part]
            else:
                break
        if best is None:
            return None, None
        return best.start_mark.line + 1, best.start_mark.column + 1


def locate(text: str, loc: Iterable[Any], model: type[BaseModel] | None = None) -> tuple[int | None, int | None]:
    """Line and column (1-based) of the node at ``loc``; to locate many, make one :class:`Locator`."""
    return Locator(text)(loc, model)


def capped(problems: list[Problem], name: str, more: int = 0, level: str = "error") -> list[Problem]:
    """The first :data:`MAX_REPORTED` problems, then one line counting the rest (``more`` already left out)."""
    rest = len(problems) - MAX_REPORTED + more if len(problems) > MAX_REPORTED else more
    if rest <= 0:
        return problems
    noun = "警告" if level == "warning" else "错误"
    return problems[:MAX_REPORTED] + [Problem(name, f"另有{rest}处{noun}未列出", code="MORE", level=level)]


def _submodel(model: type[BaseModel] | None, name: str) -> type[BaseModel] | None:
    if model is None or name not in model.model_fields:
        return None
    return model_of(model.model_fields[name].annotation)


def model_of(annotation: Any) -> type[BaseModel] | None:
    """The BaseModel inside ``X | None`` or ``list[X] | None``, if any."""
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    for arg in getattr(annotation, "__args__", ()) or ():
        found = model_of(arg)
        if found is not None:
            return found
    return None


# --- pydantic errors in Chinese ---------------------------------------------------------------

_MESSAGES = {
    "missing": "缺少必填项",
    "int_parsing": "应为整数",
    "int_type": "应为整数",
    "int_from_float": "应为整数（不能有小数）",
    "float_parsing": "应为数字",
    "float_type": "应为数字",
    "bool_parsing": "应为 是/否（true/false）",
    "bool_type": "应为 是/否（true/false）",
    "date_parsing": "应为日期，格式 YYYY-MM-DD",
    "date_from_datetime_parsing": "应为日期，格式 YYYY-MM-DD",
    "date_from_datetime_inexact": "应为日期（不含时间）",
    "date_type": "应为日期，格式 YYYY-MM-DD",
    "string_type": "应为文字",
    "string_too_short": "不能为空",
    "string_too_long": "过长，不能超过{max_length}个字符",
    "too_long": "条目过多，最多{max_length}项",
    "finite_number": "应为有限的数字",
    "list_type": "应为列表（每项以 - 开头）",
    "model_type": "应为键值对象（字段: 值）",
    "model_attributes_type": "应为键值对象（字段: 值）",
    "dict_type": "应为键值对象（字段: 值）",
    "greater_than_equal": "不能小于 {ge}",
    "less_than_equal": "不能大于 {le}",
    "literal_error": "应为以下之一：{expected}",
    "value_error": "{error}",
}


def field_label(model: type[BaseModel] | None, loc: tuple[Any, ...]) -> str:
    """Chinese dotted label for a pydantic location, e.g. ``工会.经费审查委员会``."""
    parts: list[str] = []
    current = model
    for part in loc:
        if isinstance(part, int):
            parts.append(f"[{part + 1}]")
            continue
        title = None
        if current is not None and part in current.model_fields:
            title = current.model_fields[part].title
        parts.append(("." if parts else "") + (title or str(part)))
        current = _submodel(current, str(part))
    return "".join(parts)


def _suggest(model: type[BaseModel] | None, loc: tuple[Any, ...], key: str) -> str:
    parent = model
    for part in loc[:-1]:
        if isinstance(part, int):
            continue
        parent = _submodel(parent, str(part))
    if parent is None:
        return ""
    candidates = {name: name for name in parent.model_fields}
    candidates.update({f.title: name for name, f in parent.model_fields.items() if f.title})
    close = difflib.get_close_matches(key, list(candidates), n=1, cutoff=0.5)
    if not close:
        close = [c for c in candidates if key and (key in c or c in key)][:1]
    if not close:
        return ""
    name = candidates[close[0]]
    title = parent.model_fields[name].title
    return f"（是不是想写「{name}」" + (f"/「{title}」" if title else "") + "？）"


def validate_as(model: type[M], data: Any, name: str, text: str | None = None) -> M:
    """``model.model_validate(data)`` (tried natively first, see :mod:`native`); a failure raises
    :class:`InputError` with located Chinese problems."""
    try:
        return native.validate(model, data)
    except ValidationError as exc:
        raise InputError(validation_problems(exc, model, name, text)) from None


def validation_problems(
    exc: ValidationError, model: type[BaseModel], name: str, text: str | None
) -> list[Problem]:
    """Translate a pydantic ValidationError into located Chinese problems."""
    problems: list[Problem] = []
    errors = exc.errors(include_url=False)
    where = Locator(text) if text is not None else None
    for err in errors[:MAX_REPORTED]:
        loc = tuple(err["loc"])
        kind = err["type"]
        ctx = err.get("ctx") or {}
        if kind == "extra_forbidden":
            key = str(loc[-1]) if loc else ""
            message = f"未知字段「{key}」" + _suggest(model, loc, key)
            parent = field_label(model, loc[:-1])
            label = f"{parent}.{key}" if parent else key
            path = ".".join(str(p) for p in loc)
        else:
            template = _MESSAGES.get(kind)
            try:
                message = template.format(**ctx) if template else err["msg"]
            except (KeyError, IndexError):
                message = err["msg"]
            if kind == "string_unicode" and isinstance(err.get("input"), str):
                message = illegal_message(first_illegal(err["input"]) or "\ufffd")
            elif kind == "value_error":
                message = str(ctx.get("error", err["msg"])).removeprefix("Value error, ")
            elif err.get("input", "") is None and kind.endswith("_type"):
                message = "必填项，不能为空"
            label = field_label(model, loc)
            path = ".".join(str(p) for p in loc)
            key = str(loc[-1]) if loc else ""
        line = column = None
        if where is not None and loc:
            line, column = where(loc, model)
        given = err.get("input") if kind not in ("missing", "extra_forbidden") else None
        if isinstance(given, (dict, list)):
            given = None
        if given is not None:
            message += f"，实际填写：{given_text(given)!r}"
        problems.append(
            Problem(
                file=name,
                message=message,
                line=line,
                column=column,
                path=f"{label} ({path})" if label and label != path else path,
                key=key,
                given=given,
                expected=message,
            )
        )
    return capped(problems, name, len(errors) - len(problems))


def label_paths(problems: list[Problem], model: type[BaseModel] | None) -> list[Problem]:
    """Problems located by a bare field path (a key written twice) named in Chinese: 「单位.单位名称」."""
    for p in problems:
        if p.path and " (" not in p.path:
            loc = tuple(int(part) if part.isdigit() else part for part in p.path.split("."))
            label = field_label(model, loc)
            p.message = p.message.replace(f"「{loc[-1]}」", f"「{label}」", 1)
            p.key, p.path = str(loc[-1]), f"{label} ({p.path})"
    return problems
