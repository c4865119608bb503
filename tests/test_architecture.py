"""The layout is the pipeline: each package imports only packages before it, the engine knows no domain,
every package ships in the wheel, and no module grows past ~400 lines without saying why."""

from __future__ import annotations

import ast
import tomllib
from pathlib import Path

import pytest

from conftest import ROOT

SRC = ROOT / "src" / "compliance"
LAYERS: dict[str, int] = {
    "findings": 0, "inputs": 0,
    "engine": 1,
    "pipeline": 2,
    "domains": 3,
    "output": 4, "report": 4, "ledger": 4,
    "cli": 5, "web": 5,
}
"""Data flows one way: a package may import its own layer's modules and those of lower layers only."""
MAX_LINES = 400


def _package(module: str) -> str | None:
    parts = module.split(".")
    if parts[0] != "compliance" or len(parts) < 2 or parts[1] in ("__main__",):
        return None
    return parts[1]


def _imports(path: Path, type_checking: bool = False) -> list[tuple[str, int]]:
    """(module, line) of every ``compliance`` import in a file, leaving out ``if TYPE_CHECKING:`` blocks."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    skipped: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.If) and getattr(node.test, "id", "") == "TYPE_CHECKING":
            skipped |= {id(n) for child in node.body for n in ast.walk(child)}
    found = []
    for node in ast.walk(tree):
        if id(node) in skipped:
            continue
        if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("compliance"):
            if node.module == "compliance":
                found += [(f"compliance.{a.name}", node.lineno) for a in node.names]
            else:
                found.append((node.module, node.lineno))
        elif isinstance(node, ast.Import):
            found += [(a.name, node.lineno) for a in node.names if a.name.startswith("compliance")]
    return found


def _modules() -> list[Path]:
    return sorted(p for p in SRC.rglob("*.py") if "migrations" not in p.parts)


def test_every_import_goes_to_the_same_or_an_earlier_layer():
    wrong = []
    for path in _modules():
        rel = path.relative_to(SRC)
        own = rel.parts[0].removesuffix(".py") if len(rel.parts) > 1 or rel.stem != "__init__" else None
        if own not in LAYERS:
            continue
        for module, line in _imports(path):
            target = _package(module)
            if target in LAYERS and LAYERS[target] > LAYERS[own]:
                wrong.append(f"{rel}:{line} imports {module}")
    assert not wrong, "\n".join(wrong)


def test_the_engine_imports_no_domain_module():
    engine = [p for p in _modules() if p.relative_to(SRC).parts[0] in ("engine", "inputs", "findings.py", "pipeline")]
    offending = [f"{p.relative_to(SRC)}:{line} {m}" for p in engine for m, line in _imports(p, True)
                 if m.startswith("compliance.domains")]
    assert engine and not offending, offending


def test_packages_do_not_import_each_other_in_a_cycle():
    graph: dict[str, set[str]] = {}
    for path in _modules():
        own = path.relative_to(SRC).parts[0].removesuffix(".py")
        for module, _ in _imports(path):
            target = _package(module)
            if target and target != own:
                graph.setdefault(own, set()).add(target)

    def reaches(start: str, goal: str, seen: set[str]) -> bool:
        for nxt in graph.get(start, ()):
            if nxt == goal or (nxt not in seen and reaches(nxt, goal, seen | {nxt})):
                return True
        return False

    cycles = sorted(p for p in graph if reaches(p, p, {p}))
    assert not cycles, cycles


def test_every_package_is_listed_for_the_wheel():
    config = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["tool"]["setuptools"]
    listed = set(config["packages"])
    on_disk = {"compliance." + ".".join(p.parent.relative_to(SRC).parts) if p.parent != SRC else "compliance"
               for p in SRC.rglob("__init__.py")}
    assert on_disk | {"compliance.packs"} == listed


@pytest.mark.parametrize("path", _modules(), ids=lambda p: str(p.relative_to(SRC)))
def test_a_long_module_says_why_at_its_top(path):
    lines = path.read_text(encoding="utf-8").count("\n")
    if lines > MAX_LINES:
        doc = ast.get_docstring(ast.parse(path.read_text(encoding="utf-8"))) or ""
        assert "Longer than" in doc, f"{path.relative_to(SRC)} has {lines} lines and no reason at its top"
