"""What the engine needs from a standard (a *domain*), and how installed domains and their packs are found.

A domain is a plug-in: an object registered under the entry point group ``compliance.domains``
(see ``pyproject.toml``). It brings the profile model, the facts rules read (:attr:`Domain.derive`,
:attr:`Domain.fact_schema`), data-quality checks, the blank templates and its rule packs. A pack
names its domain (``pack.domain``); the engine never imports a domain module itself.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from functools import lru_cache
from importlib.abc import Traversable
from importlib.metadata import entry_points
from pathlib import Path
from typing import Any, Callable, Mapping, Sequence

from pydantic import BaseModel

from compliance.engine.conditions import FactType
from compliance.inputs.loader import InputError, Problem

ENTRY_POINT_GROUP = "compliance.domains"

Assess = Callable[..., "tuple[list[Problem], list[Problem]]"]


@dataclass(frozen=True, eq=False, repr=False)
class Domain:
    """One standard's knowledge, as the engine and the pipeline use it."""

    key: str
    """Short name used in packs (``pack.domain``) and profiles (``domain:``), e.g. ``dangjian``."""
    title: str
    """Chinese name, e.g. 党建带群建."""
    issuer: str
    """The body that inspects units against this standard (default 落款 of reports and notices)."""
    profile_model: type[BaseModel]
    derive: Callable[[Any, dt.date], dict[str, Any]]
    """Facts of a validated profile as of the check date (plain dicts; absent stays ``None``)."""
    fact_schema: Callable[[], FactType]
    """Type tree of everything ``derive`` returns, for the linter and the Chinese labels of facts."""
    packs: Mapping[str, Traversable | Path]
    """Rule packs shipped with the domain, by name; the first is the domain's default."""
    assess: Assess | None = None
    """Data-quality checks: ``assess(profile, as_of, name, text, cell_of=None) -> (errors, warnings)``."""
    quality_checks: Sequence[Any] = ()
    """The checks ``assess`` runs (objects with ``id``, ``title``, ``level``), for rule listings (SARIF)."""
    template: Callable[[str], str] | None = None
    """Blank YAML profile for a unit name (``compliance init``)."""
    form: Any = None
    """Object with ``write(path, unit_name)`` and ``read(path, max_bytes)`` for the XLSX 信息采集表."""
    addressee: Callable[[Any], str] | None = None
    """To whom a unit's 整改通知书 is addressed, from its profile (default: the unit's name)."""
    _labels: dict[str, str] = field(default_factory=dict, repr=False)

    def __repr__(self) -> str:
        return f"<Domain {self.key} {self.title}>"

    def label_of(self, path: str) -> str:
        """Chinese label of a fact path, e.g. ``union.funds_review_committee`` → ``工会.经费审查委员会``."""
        label = self._labels.get(path)
        if label is None:
            label = self._labels[path] = label_path(self.fact_schema(), path)
        return label

    def addressee_of(self, profile: Any) -> str:
        """The addressee of a notice to the unit described by ``profile``, e.g. 市水利局机关党委."""
        return self.addressee(profile) if self.addressee else str(profile.unit.name)

    @staticmethod
    def identity(facts: dict[str, Any]) -> tuple[str, str]:
        """(id, name) of the unit: every domain's profile has ``unit: {id, name}``."""
        unit = facts.get("unit") or {}
        return str(unit.get("id") or ""), str(unit.get("name") or "")

    @staticmethod
    def own_waivers(facts: dict[str, Any]) -> list[dict[str, Any]]:
        """The waivers a unit declared in its own profile (``waivers:``)."""
        return list(facts.get("waivers") or ())


def label_path(schema: FactType, path: str) -> str:
    """Chinese label of ``path`` in a fact type tree (unknown parts stay as written)."""
    node = schema
    parts: list[str] = []
    for part in path.split("."):
        child = node.children.get(part) if node.kind == "object" else None
        if child is None:
            parts.append(part)
            node = FactType("any")
            continue
        parts.append(child.title or part)
        node = child.element if child.kind == "list" and child.element else child
    return ".".join(parts)


@lru_cache(maxsize=1)
def domains() -> dict[str, Domain]:
    """Every installed domain, by key (loaded from the ``compliance.domains`` entry points)."""
    found: dict[str, Domain] = {}
    for ep in sorted(entry_points(group=ENTRY_POINT_GROUP), key=lambda e: e.name):
        domain = ep.load()
        if not isinstance(domain, Domain) or domain.key != ep.name:
            raise TypeError(f"entry point {ep.name} = {ep.value} is not a Domain with key {ep.name!r}")
        found[domain.key] = domain
    return found


def get_domain(key: str, where: str = "") -> Domain:
    """The installed domain ``key``; a Chinese error naming the installed ones otherwise."""
    found = domains()
    if key in found:
        return found[key]
    known = "、".join(f"{d.key}（{d.title}）" for d in found.values()) or "无"
    raise InputError([Problem(where or key, f"未安装领域「{key}」；已安装：{known}")])


def domain_of(profile: BaseModel, default: Domain) -> Domain:
    """The installed domain whose profile model ``profile`` is an instance of (``default`` if none)."""
    return next((d for d in domains().values() if isinstance(profile, d.profile_model)), default)


def installed_packs() -> dict[str, tuple[Domain, Traversable | Path]]:
    """Every shipped pack by name, with its domain."""
    return {name: (domain, path) for domain in domains().values() for name, path in domain.packs.items()}


def find_pack(ref: str | Path) -> Path:
    """A pack file: ``ref`` itself when it is a file, else the installed pack of that name."""
    path = Path(ref)
    if path.exists() or path.suffix.lower() in (".yaml", ".yml", ".json") or "/" in str(ref):
        return path
    packs = installed_packs()
    if str(ref) in packs:
        return Path(str(packs[str(ref)][1]))
    known = "、".join(f"{name}（{domain.title}）" for name, (domain, _) in packs.items()) or "无"
    raise InputError([Problem(str(ref), f"找不到规则包「{ref}」：不是文件，也不是已安装的规则包（已安装：{known}）")])
