"""Validation without a Python call per value: the first try of :func:`validate`.

Every :class:`~compliance.inputs.model.Model` runs three Python hooks, about 150 calls for one profile
and more than half of its validation time: ``_storable`` after each field, ``_zh_bool`` before each yes/no
field and ``_accept_chinese_keys`` before each section. :func:`native_validator` compiles the same core
schema with them done natively or left out:

- ``_storable`` becomes constraints pydantic-core checks itself (a pattern refusing :data:`ILLEGAL`
  characters on every text, ±:data:`MAX_INT` on every whole number) wherever a field holds only texts,
  numbers, dates, yes/no, choices, lists of these or sections; elsewhere it stays;
- ``_zh_bool`` is left out: a 是/否 text then fails to validate;
- ``_accept_chinese_keys`` is left out of sections none of whose fields is itself a section (the only case
  where it turns a blank section into ``None``): a Chinese key then fails as an unknown field.

So the native validator accepts a subset of what the model accepts, with the same result: whatever it
refuses, :func:`validate` hands to ``model_validate``, whose errors are the ones reported.
"""

from __future__ import annotations

import threading
from functools import lru_cache
from typing import Any, Iterator, TypeVar

from pydantic import BaseModel, ValidationError
from pydantic_core import SchemaValidator

from compliance.inputs.model import MAX_INT, Model, _zh_bool
from compliance.inputs.text import ILLEGAL

M = TypeVar("M", bound=BaseModel)
_BUILDING = threading.Lock()

LEGAL_TEXT = "^" + ILLEGAL.pattern.replace("[", "[^", 1).replace("\ud800-\udfff", "") + "*$"
"""Texts without :data:`ILLEGAL` characters (lone surrogates already fail as invalid Unicode)."""
_STORABLE = Model._storable.__func__  # type: ignore[attr-defined]
_CHINESE_KEYS = Model._accept_chinese_keys.__func__  # type: ignore[attr-defined]
_VALUES = {"str", "int", "float", "bool", "date", "datetime", "literal", "list"}
"""Schema types of a field's value that is not a section (a list's items are checked as its own schema)."""


def validate(model: type[M], data: Any) -> M:
    """``model.model_validate(data)``, first tried with the :func:`native_validator` of ``model``."""
    native = native_validator(model)
    if native is not None:
        try:
            return native.validate_python(data)
        except ValidationError:
            pass
    return model.model_validate(data)


@lru_cache(maxsize=None)
def native_validator(model: type[BaseModel]) -> SchemaValidator | None:
    """The native twin of ``model``'s validator, or ``None`` when it has no hook to spare."""
    rewritten = _rewrite(model.__pydantic_core_schema__)
    if rewritten is model.__pydantic_core_schema__:
        return None
    # pydantic-core reuses the validator a complete model class already has for each section; built while
    # the classes are marked incomplete (as ``model_rebuild`` does), the sections follow ``rewritten``.
    classes = {node["cls"] for node in _nodes(rewritten) if node.get("type") == "model"}
    with _BUILDING:
        marks = {cls: cls.__dict__.get("__pydantic_complete__") for cls in classes}
        try:
            for cls in classes:
                cls.__pydantic_complete__ = False
            return SchemaValidator(rewritten)  # type: ignore[arg-type]
        finally:
            for cls, mark in marks.items():
                if mark is None:
                    delattr(cls, "__pydantic_complete__")
                else:
                    cls.__pydantic_complete__ = mark


def _nodes(node: Any) -> Iterator[dict]:
    """Every schema node of ``node``, itself included."""
    if isinstance(node, list):
        for item in node:
            yield from _nodes(item)
    elif isinstance(node, dict):
        yield node
        for key, value in node.items():
            if key not in ("metadata", "config"):
                yield from _nodes(value)


def _hook(node: Any) -> Any:
    """The Python function of a ``function-before``/``function-after`` node (unbound), else ``None``."""
    if isinstance(node, dict) and node.get("type") in ("function-before", "function-after"):
        function = node["function"]["function"]
        return getattr(function, "__func__", function)
    return None


def _rewrite(node: Any, native: bool = False) -> Any:
    """``node`` with the hooks replaced (see the module); the same object when nothing changed.
    ``native``: inside a field whose ``_storable`` is being replaced by constraints."""
    if isinstance(node, list):
        items = [_rewrite(item, native) for item in node]
        return node if all(a is b for a, b in zip(items, node)) else items
    if not isinstance(node, dict):
        return node
    kind, hook = node.get("type"), _hook(node)
    if hook is _STORABLE and _checkable(node["schema"]):
        return _rewrite(node["schema"], True)
    if hook is _zh_bool and _inner(node["schema"]).get("type") == "bool":
        return _rewrite(node["schema"], native)
    if kind == "model":
        native = False  # a section's fields carry their own ``_storable``
        inner = node["schema"]
        if (_hook(inner) is _CHINESE_KEYS and node.get("config", {}).get("extra_fields_behavior") == "forbid"
                and not _has_sections(inner["schema"])):
            return {**node, "schema": _rewrite(inner["schema"])}
    changed = {key: _rewrite(value, native) for key, value in node.items() if key not in ("metadata", "config", "cls")}
    if native and kind == "str":
        changed["pattern"] = LEGAL_TEXT
    if native and kind == "int":
        changed["ge"] = max(node.get("ge", -MAX_INT), -MAX_INT)
        changed["le"] = min(node.get("le", MAX_INT), MAX_INT)
    if all(node.get(key) is value for key, value in changed.items()):
        return node
    return {**node, **changed}


def _inner(node: dict) -> dict:
    """``node`` without its ``nullable`` and ``default`` wrappers."""
    while node.get("type") in ("nullable", "default"):
        node = node["schema"]
    return node


def _checkable(node: Any) -> bool:
    """Whether everything ``_storable`` checks in this field can be a native constraint."""
    if isinstance(node, list):
        return all(_checkable(item) for item in node)
    if not isinstance(node, dict):
        return True
    kind = node.get("type")
    if kind == "model":
        return True
    if kind == "str":
        return "pattern" not in node
    if kind in _VALUES or kind in ("default", "nullable"):
        return all(_checkable(value) for key, value in node.items() if key not in ("metadata", "type"))
    if _hook(node) is _zh_bool:
        return _checkable(node["schema"])
    return kind is None  # a part without a type of its own; any other kind keeps ``_storable``


def _has_sections(fields: Any) -> bool:
    """Whether a ``model-fields`` schema has a field whose value is a section (possibly left blank)."""
    for field in fields.get("fields", {}).values():
        node = field["schema"]
        while isinstance(node, dict) and node.get("type") != "model" and "schema" in node:
            node = node["schema"]
        if not isinstance(node, dict) or node.get("type") not in _VALUES:
            return True
    return False
