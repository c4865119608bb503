"""Validating parsed data as a pydantic model, with every error located (line, column, Chinese field path)
and explained in Chinese, with a "是不是想写…" suggestion for a mistyped key."""

from __future__ import annotations

import difflib
from typing import Any, Iterable, TypeVar

import yaml
from pydantic import BaseModel, ValidationError

from compliance.inputs.loader import InputError, Problem, YamlLoader, given_text

M = TypeVar("M", bound=BaseModel)

def _compose(text: str) -> yaml.Node | None:
    try:
        return yaml.compose(text, Loader=YamlLoader)
    except (yaml.YAMLError, RecursionError):
        return None


def locate(text: str, loc: Iterable[Any], model: type[BaseModel] | None = None) -> tuple[int | None, int | None]:
    """Line and column (1-based) of the node at ``loc``, matching Chinese key aliases via ``model``."""
    node = _compose(text)
    best: yaml.Node | None = node
    current_model = model
    for part in loc:
        if node is None:
            break
        if isinstance(node, yaml.MappingNode):
            names = {str(part)}
            if current_model is not None and str(part) in current_model.model_fields:
                title = current_model.model_fields[str(part)].title
                if title:
                    names.add(title)
            found = None
            for key_node, value_node in node.value:
                if str(key_node.value) in names:
                    found = (key_node, value_node)
                    break
            if found is None:
                break
            best, node = found[0], found[1]
            current_model = _submodel(current_model, str(part))
            if isinstance(node, (yaml.MappingNode, yaml.SequenceNode)) and node.value:
                pass
        elif isinstance(node, yaml.SequenceNode) and isinstance(part, int):
            if part >= len(node.value):
                break
            node = node.value[part]
            best = node
        else:
            break
    if best is None:
        return None, None
    return best.start_mark.line + 1, best.start_mark.column + 1


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
    """``model.model_validate(data)``; a failure raises :class:`InputError` with located Chinese problems."""
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        raise InputError(validation_problems(exc, model, name, text)) from None


def validation_problems(
    exc: ValidationError, model: type[BaseModel], name: str, text: str | None
) -> list[Problem]:
    """Translate a pydantic ValidationError into located Chinese problems."""
    problems = []
    for err in exc.errors(include_url=False):
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
            if kind == "value_error":
                message = str(ctx.get("error", err["msg"])).removeprefix("Value error, ")
            elif err.get("input", "") is None and kind.endswith("_type"):
                message = "必填项，不能为空"
            label = field_label(model, loc)
            path = ".".join(str(p) for p in loc)
            key = str(loc[-1]) if loc else ""
        line = column = None
        if text is not None and loc:
            line, column = locate(text, loc, model)
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
    return problems
