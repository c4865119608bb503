"""Tailoring files: a city tightens or loosens a rule pack without copying it.

A tailoring file overrides parameter values, disables rules (with a reason), changes a rule's
severity, deadline or owner, adds examples and adds its own rules. It applies to the pack
given with ``--pack`` (default: the shipped pack) or to the pack named by its ``extends:``;
a file with ``extends:`` can itself be used wherever a pack is expected. Every effective
value remembers where it came from (:attr:`Pack.origins`) for ``compliance rules show``.
The inspector's waiver file (``check --waivers``) is read here too: it adjusts the standard
for single units, as a tailoring file does for a whole city.
"""

from __future__ import annotations

import datetime as dt
import difflib
import os
from pathlib import Path
from typing import Any, Sequence

from pydantic import BaseModel, ConfigDict, Field

from compliance.inputs.validation import locate, validate_as
from compliance.inputs.model import Model
from compliance.findings import Severity
from compliance.inputs.loader import InputError, Problem, load_file
from compliance.engine.domain import find_pack
from compliance.engine.pack import (
    MAX_DEADLINE_DAYS,
    Document,
    Example,
    Pack,
    PackFile,
    Rule,
    _where_to_loc,
    check_param_values,
    compile_pack,
    load_pack,
    located,
)
from compliance.engine.waivers import Waiver

MAX_CHAIN = 8


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class TailoringMeta(_Strict):
    id: str = Field(title="裁剪编号", description="如 city-x")
    title: str = Field(title="裁剪名称", description="如 某市党建带群建细化要求")
    version: str | None = Field(None, title="版本")
    description: str | None = Field(None, title="说明")
    approved_by: str | None = Field(None, title="印发文件", description="确定本地标准的文件名称和文号")
    documents: dict[str, Document] = Field(default_factory=dict, title="新增引用文件")


class RuleOverride(_Strict):
    severity: Severity | None = Field(None, title="严重程度")
    deadline_days: int | None = Field(None, ge=0, le=MAX_DEADLINE_DAYS, title="整改时限（天）")
    owner: str | None = Field(None, title="责任人角色")
    measure: str | None = Field(None, title="整改措施")
    reason: str | None = Field(None, title="调整理由")
    examples: list[Example] = Field(default_factory=list, title="追加样例", description="按本文件生效后的参数运行")


class TailoringFile(_Strict):
    """The YAML document of a tailoring file."""

    extends: str | None = Field(None, title="基础规则包", description="相对本文件的路径，如 ../dangjian.yaml")
    tailoring: TailoringMeta = Field(title="裁剪信息")
    params: dict[str, Any] = Field(default_factory=dict, title="参数覆盖")
    disable: dict[str, str] = Field(default_factory=dict, title="停用规则", description="规则编号: 停用理由")
    overrides: dict[str, RuleOverride] = Field(default_factory=dict, title="规则调整")
    rules: list[Rule] = Field(default_factory=list, title="新增规则")


def is_tailoring(data: Any) -> bool:
    return isinstance(data, dict) and "pack" not in data and ("tailoring" in data or "extends" in data)


def _hint(name: str, options: Sequence[str]) -> str:
    close = difflib.get_close_matches(name, list(options), n=1, cutoff=0.5)
    return f"，是不是想写「{close[0]}」？" if close else ""


def parse_tailoring(data: Any, name: str, text: str) -> TailoringFile:
    return validate_as(TailoringFile, data, name, text)


def apply_tailoring(base: Pack, tf: TailoringFile, name: str, text: str) -> Pack:
    """The effective pack: ``base`` with ``tf`` applied; errors carry file, line and field."""
    assert base.raw is not None
    errors: list[tuple[str, str]] = []
    rule_ids = [r.id for r in base.raw.rules]
    for section in ("disable", "overrides"):
        for rule_id in getattr(tf, section):
            if rule_id not in rule_ids:
                errors.append((f"{section}.{rule_id}", f"规则包中没有规则「{rule_id}」{_hint(rule_id, rule_ids)}"))
    for rule_id, reason in tf.disable.items():
        if not reason.strip():
            errors.append((f"disable.{rule_id}", f"停用规则「{rule_id}」必须写明理由"))
    for param in tf.params:
        if param not in base.param_specs:
            errors.append((f"params.{param}", f"规则包没有参数「{param}」{_hint(param, list(base.param_specs))}"))
    known = {k: v for k, v in tf.params.items() if k in base.param_specs}
    errors += check_param_values(base.param_specs, known)
    for index, rule in enumerate(tf.rules):
        if rule.id in rule_ids:
            errors.append((f"rules[{index}].id", f"规则编号「{rule.id}」与规则包中的规则重复；调整已有规则请写在 overrides，替换请先 disable 再用新编号"))

    values = dict(base.params) | known
    documents = dict(base.meta.documents) | tf.tailoring.documents
    origins = dict(base.origins)
    disabled = dict(base.disabled)
    for key in known:
        origins[f"param.{key}"] = name
    effective_rules: list[Rule] = []
    for rule in base.raw.rules:
        copy = rule.model_copy(deep=True)
        for example in copy.examples:
            if example._base_params is None:
                example._base_params = dict(base.params)
                example._source = example._source or base.source
        override = tf.overrides.get(rule.id)
        if override is not None:
            changes = override.model_dump(exclude_none=True, exclude={"examples", "reason"})
            copy = copy.model_copy(update=changes)
            for field in changes:
                origins[f"rule.{rule.id}.{field}"] = name + (f"（理由：{override.reason}）" if override.reason else "")
            for example in override.examples:
                added = example.model_copy(deep=True)
                added._source = name
                copy.examples.append(added)
        if rule.id in tf.disable:
            copy = copy.model_copy(update={"enabled": False})
            disabled[rule.id] = tf.disable[rule.id]
            origins[f"rule.{rule.id}.enabled"] = name
        effective_rules.append(copy)
    for rule in tf.rules:
        added_rule = rule.model_copy(deep=True)
        for example in added_rule.examples:
            example._source = name
        effective_rules.append(added_rule)
        origins[f"rule.{rule.id}"] = name

    meta = base.meta.model_copy(
        update={
            "id": f"{base.meta.id}+{tf.tailoring.id}",
            "title": f"{base.meta.title}（{tf.tailoring.title}）",
            "version": f"{base.meta.version}+{tf.tailoring.version or '1'}",
            "documents": documents,
        }
    )
    data = PackFile(pack=meta, params=base.raw.params, rules=effective_rules)
    compiled, compile_errors = compile_pack(data, base.domain.fact_schema(), values)
    offset = len(base.raw.rules)
    for where, message in compile_errors:
        # Only errors inside the tailoring's own rules can be caused by this file.
        head = _where_to_loc(where)
        if len(head) >= 2 and head[0] == "rules" and isinstance(head[1], int) and head[1] >= offset:
            errors.append((where.replace(f"rules[{head[1]}]", f"rules[{head[1] - offset}]", 1), message))
        elif head and head[0] != "rules":
            errors.append((where, message))
    if errors:
        raise located(name, text, errors)
    return Pack(meta, base.domain, values, dict(base.param_specs), compiled, source=base.source, raw=data,
                origins=origins, disabled=disabled)


def _load_any(path: Path, chain: tuple[Path, ...] = ()) -> Pack:
    resolved = path.resolve()
    if resolved in chain:
        raise InputError([Problem(str(path), "extends 形成循环引用：" + " → ".join(str(p) for p in (*chain, resolved)))])
    if len(chain) > MAX_CHAIN:
        raise InputError([Problem(str(path), f"extends 层级过深（超过{MAX_CHAIN}层）")])
    data, text = load_file(path)
    if not is_tailoring(data):
        return load_pack(path)
    tf = parse_tailoring(data, str(path), text)
    if tf.extends is None:
        line, column = locate(text, ["tailoring"])
        raise InputError([Problem(str(path), "裁剪文件没有 extends：请用 --pack 指定基础规则包并用 --tailoring 引用本文件，或在文件中写 extends: 基础规则包路径", line=line, column=column)])
    base = _load_any(_extended(path, tf.extends), (*chain, resolved))
    return apply_tailoring(base, tf, str(path), text)


def _extended(path: Path, extends: str) -> Path:
    """The pack a tailoring file extends: a path relative to the file, or an installed pack's name."""
    candidate = Path(os.path.normpath(path.parent / extends))
    return candidate if candidate.exists() else find_pack(extends)


def load_effective(pack_path: str | Path | None = None, tailorings: Sequence[str | Path] = (),
                   default: str | Path | None = None) -> Pack:
    """The pack to check with: ``pack_path`` (a file or an installed pack's name), else ``extends`` of the
    first tailoring, else ``default``; then each tailoring in order."""
    files = [Path(t) for t in tailorings]
    parsed: list[tuple[Path, TailoringFile, str]] = []
    for path in files:
        data, text = load_file(path)
        if not is_tailoring(data):
            line = 1
            raise InputError([Problem(str(path), "这不是裁剪文件（应包含 tailoring: 段）；完整规则包请用 --pack", line=line)])
        parsed.append((path, parse_tailoring(data, str(path), text), text))
    if pack_path is not None:
        base = _load_any(find_pack(pack_path))
    elif parsed and parsed[0][1].extends is not None:
        first_path, first, first_text = parsed.pop(0)
        base_path = _extended(first_path, first.extends)
        base = apply_tailoring(_load_any(base_path), first, str(first_path), first_text)
    elif default is not None:
        base = _load_any(find_pack(default))
    else:
        raise InputError([Problem("--pack", "没有指定规则包")])
    for path, tf, text in parsed:
        base = apply_tailoring(base, tf, str(path), text)
    return base


def origin_of(pack: Pack, key: str) -> str:
    """Where an effective value came from: the tailoring file, or the pack itself."""
    return pack.origins.get(key) or f"规则包默认（{pack.source}）"


# --- the inspector's waiver file ---------------------------------------------------------------


class FileWaiver(Waiver):
    """One approved exception in an inspector's waiver file: a unit, a rule (and subject), document, expiry."""

    unit: str = Field(title="单位编号", min_length=1)
    document: str = Field(title="批准文件", min_length=1)
    expires: dt.date = Field(title="有效期至")


class WaiverFile(Model):
    waivers: list[FileWaiver] = Field(title="豁免")


def attach_waivers(pack: Pack, path: str | Path) -> None:
    """Read an inspector's waiver file into ``pack.waivers``; unknown rules and bad fields are located errors."""
    name = str(path)
    data, text = load_file(Path(path))
    parsed = validate_as(WaiverFile, data if isinstance(data, dict) else {"waivers": data}, name, text)
    rule_ids = [r.id for r in pack.rules]
    errors = [
        (f"waivers[{i}].rule", f"规则包中没有规则「{w.rule}」{_hint(w.rule, rule_ids)}")
        for i, w in enumerate(parsed.waivers)
        if w.rule not in rule_ids
    ]
    if errors:
        raise located(name, text, errors)
    for w in parsed.waivers:
        pack.waivers.setdefault(w.unit, []).append(w.model_dump() | {"source": name})
