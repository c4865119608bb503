"""JSON Schema (draft 2020-12) of unit profiles and rule packs, with Chinese titles, for editors and CI.

Generated from the pydantic models, then adjusted to what the loader really accepts: every
field's Chinese title is an accepted key (alias property; unknown keys stay errors), 是/否 texts
are accepted for yes/no fields, and pack conditions get a recursive definition.
"""

from __future__ import annotations

import copy
import json
from typing import Any

from pydantic import BaseModel

from compliance.engine.conditions import COMPARISONS, DATE_OPS
from compliance.inputs.validation import model_of
from compliance.engine.pack import PackFile
from compliance.engine.domain import Domain
from compliance.inputs.model import FALSE_TEXTS, TRUE_TEXTS

DRAFT = "https://json-schema.org/draft/2020-12/schema"
PACK_SCHEMA_FILE = "pack.schema.json"


def profile_schema_file(domain: Domain) -> str:
    """Where a domain's profile schema is kept under ``schemas/`` (the ``compliance init`` templates point there)."""
    return f"{domain.key}/profile.schema.json"
YES_NO_TEXTS = sorted(TRUE_TEXTS | FALSE_TEXTS)


def _model_titles(root: type[BaseModel], title: str) -> dict[str, tuple[str, str | None]]:
    """Model class name → (Chinese title, description) from the field that holds it."""
    titles: dict[str, tuple[str, str | None]] = {root.__name__: (title, None)}
    stack = [root]
    while stack:
        model = stack.pop()
        for field in model.model_fields.values():
            sub = model_of(field.annotation)
            if sub is not None and sub.__name__ not in titles:
                titles[sub.__name__] = (field.title or sub.__name__, field.description)
                stack.append(sub)
    return titles


def _is_bool(schema: dict[str, Any]) -> bool:
    return schema.get("type") == "boolean"


def _yes_no(schema: dict[str, Any]) -> None:
    """Let boolean fields also take the 是/否 texts the loader accepts."""
    options = schema.get("anyOf")
    if options and any(_is_bool(o) for o in options):
        schema["anyOf"] = [o for o in options if not _is_bool(o)] + [
            {"type": "boolean"}, {"type": "string", "enum": YES_NO_TEXTS}]
    elif _is_bool(schema):
        schema.pop("type")
        schema["anyOf"] = [{"type": "boolean"}, {"type": "string", "enum": YES_NO_TEXTS}]


def _add_aliases(node: dict[str, Any]) -> None:
    """Chinese titles as alias keys; ``required`` accepts either key, never both."""
    props: dict[str, Any] = node.get("properties", {})
    aliases: dict[str, str] = {}
    for name, prop in list(props.items()):
        _yes_no(prop)
        title = prop.get("title")
        if title and title != name and title not in props:
            aliases[name] = title
    for name, title in aliases.items():
        props[title] = copy.deepcopy(props[name])
        props[title]["description"] = (props[name].get("description") or props[name]["title"]) + f"（即 {name}）"
    conditions = [{"not": {"required": [name, title]}} for name, title in aliases.items()]
    required = node.pop("required", [])
    conditions += [
        {"anyOf": [{"required": [name]}, {"required": [aliases[name]]}]} if name in aliases else {"required": [name]}
        for name in required
    ]
    if conditions:
        node["allOf"] = conditions


def profile_schema(domain: Domain) -> dict[str, Any]:
    """The unit profile schema of a domain (kept as ``schemas/`` + :func:`profile_schema_file`)."""
    model = domain.profile_model
    schema = model.model_json_schema(ref_template="#/$defs/{model}")
    titles = _model_titles(model, "单位档案")
    for name, node in [(model.__name__, schema), *schema.get("$defs", {}).items()]:
        title, description = titles.get(name, (node.get("title", name), None))
        node["title"] = title
        node.pop("description", None)
        if description:
            node["description"] = description
        _add_aliases(node)
    schema["description"] = (
        f"{domain.title}单位档案。字段可以用英文键，也可以用中文名（如 unit 或 单位）；"
        "未填报的字段留空或省略，检查时视为待核实。日期写成 YYYY-MM-DD，是/否字段可写 是/否 或 true/false。"
    )
    return {"$schema": DRAFT, "$id": f"https://compliance.local/schemas/{domain.key}/profile.schema.json", **schema}


# --- rule packs ------------------------------------------------------------------------------

def _operand() -> dict[str, Any]:
    ref = lambda key, title: {  # noqa: E731
        "type": "object", "title": title, "properties": {key: {"type": "string", "minLength": 1}},
        "required": [key], "additionalProperties": False,
    }
    return {
        "title": "取值",
        "description": "字面量（文字、数字、日期、是否、列表），或 {param: 参数名}，或 {fact: 事实路径}",
        "anyOf": [
            {"type": ["string", "number", "boolean", "null"]},
            {"type": "array"},
            ref("param", "引用参数"),
            ref("fact", "引用事实"),
        ],
    }


def condition_defs() -> dict[str, Any]:
    """Recursive definition of the condition language of :mod:`conditions`."""
    value = {"$ref": "#/$defs/Operand"}
    ops: dict[str, Any] = {op: value for op in COMPARISONS}
    ops.update({
        "exists": {"type": "boolean", "title": "已填报/未填报"},
        "in_check_year": {"const": True, "title": "在检查年度内"},
        "within_last_days": value,
        "within_next_days": value,
        "label": {"type": "string", "title": "显示名称"},
    })
    any_op = {"anyOf": [{"required": [op]} for op in [*COMPARISONS, *DATE_OPS, "exists"]]}
    listing = {"type": "array", "minItems": 1, "items": {"$ref": "#/$defs/Condition"}}
    return {
        "Operand": _operand(),
        "Condition": {
            "title": "条件",
            "description": "{fact: 路径, 运算符: 值}、{count: {of: 列表, where: 条件}, 运算符: 值}、"
                           "{all: [...]}、{any: [...]} 或 {not: 条件}；运算符：" + "、".join([*COMPARISONS, *DATE_OPS, "exists"]),
            "type": "object",
            "oneOf": [
                {"title": "全部满足", "properties": {"all": listing}, "required": ["all"], "additionalProperties": False},
                {"title": "任一满足", "properties": {"any": listing}, "required": ["any"], "additionalProperties": False},
                {"title": "不满足", "properties": {"not": {"$ref": "#/$defs/Condition"}}, "required": ["not"],
                 "additionalProperties": False},
                {"title": "比较事实", "properties": {"fact": {"type": "string", "minLength": 1, "title": "事实路径"}, **ops},
                 "required": ["fact"], "additionalProperties": False, **any_op},
                {"title": "计数", "properties": {
                    "count": {"type": "object", "title": "计数", "properties": {
                        "of": {"type": "string", "minLength": 1, "title": "列表路径"},
                        "where": {"$ref": "#/$defs/Condition"}},
                        "required": ["of"], "additionalProperties": False},
                    **ops},
                 "required": ["count"], "additionalProperties": False, **any_op},
            ],
        },
    }


PACK_TITLES = {"PackMeta": "规则包信息", "Document": "引用文件", "Basis": "依据", "Param": "参数",
               "Foreach": "逐项检查", "Rule": "规则", "Example": "规则自测样例"}
CONDITION_FIELDS = {"Rule": ("when", "expect"), "Foreach": ("where",)}


def _condition_field(prop: dict[str, Any]) -> dict[str, Any]:
    nullable = any(o.get("type") == "null" for o in prop.get("anyOf", []))
    ref: dict[str, Any] = {"$ref": "#/$defs/Condition"}
    out: dict[str, Any] = {"anyOf": [ref, {"type": "null"}]} if nullable else ref
    return out | {k: prop[k] for k in ("title", "description") if k in prop}


def pack_schema() -> dict[str, Any]:
    """The rule pack schema (``schemas/pack.schema.json``)."""
    schema = PackFile.model_json_schema(ref_template="#/$defs/{model}")
    defs = schema.setdefault("$defs", {})
    for name, node in [("PackFile", schema), *defs.items()]:
        node.pop("description", None)
        node["title"] = PACK_TITLES.get(name, node.get("title", name))
        for key in CONDITION_FIELDS.get(name, ()):
            node["properties"][key] = _condition_field(node["properties"][key])
    schema["title"] = "规则包"
    schema["description"] = "党建带群建规则包：pack（信息与引用文件）、params（参数）、rules（规则）。"
    defs.update(condition_defs())
    return {"$schema": DRAFT, "$id": "https://compliance.local/schemas/pack.schema.json", **schema}


def to_json(schema: dict[str, Any]) -> str:
    return json.dumps(schema, ensure_ascii=False, indent=2) + "\n"
