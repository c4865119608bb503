"""Helpers for the ledger tests: a fresh ledger per test on SQLite and on PostgreSQL, results builders."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from conftest import ROOT, pg_schema

from compliance.cli import main

BACKENDS = ["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)]


@pytest.fixture(params=BACKENDS)
def db(request: Any, tmp_path: Path) -> Any:
    """A ledger location nobody else uses: a new SQLite file, or a new PostgreSQL schema."""
    if request.param == "sqlite":
        yield str(tmp_path / "ledger.sqlite")
        return
    with pg_schema() as url:
        yield url


def finding(unit: str, rule: str, state: str = "fail", subject: str = "", **extra: Any) -> dict[str, Any]:
    data = {
        "unit_id": unit, "unit_name": f"单位{unit}", "rule_id": rule, "subject": subject, "state": state,
        "severity": "一般", "category": "组织建设", "title": f"规则{rule}标题", "message": f"{unit} 不符合 {rule}",
        "basis": f"依据{rule}", "measure": f"措施{rule}", "deadline_days": 30, "owner": "工会主席",
    }
    data.update(extra)
    return data


def results(as_of: str, findings: list[dict[str, Any]]) -> dict[str, Any]:
    """A document shaped like ``compliance check --format json``."""
    return {"tool": "compliance", "version": "test", "as_of": as_of, "findings": findings, "units": [],
            "errors": [], "summary": {}}


def write_results(path: Path, as_of: str, findings: list[dict[str, Any]]) -> str:
    path.write_text(json.dumps(results(as_of, findings), ensure_ascii=False), encoding="utf-8")
    return str(path)


def run(runner: Any, *args: str) -> Any:
    """Invoke ``compliance`` in-process and return the click result."""
    return runner.invoke(main, [str(a) for a in args], catch_exceptions=False)


def ledger_json(runner: Any, db: str, *args: str) -> dict[str, Any]:
    result = run(runner, "ledger", "list", "--db", db, "--format", "json", *args)
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def items_by_key(runner: Any, db: str, *args: str) -> dict[str, dict[str, Any]]:
    return {i["key"]: i for i in ledger_json(runner, db, *args)["items"]}


def show(runner: Any, db: str, ref: str | int) -> dict[str, Any]:
    result = run(runner, "ledger", "show", str(ref), "--db", db, "--format", "json")
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def subprocess_env(**extra: str) -> dict[str, str]:
    env = dict(os.environ)
    env["PYTHONPATH"] = str(ROOT / "src") + os.pathsep + env.get("PYTHONPATH", "")
    env.update(extra)
    return env


def compliance_process(*args: str, **env: str) -> subprocess.Popen:
    """``python -m compliance …`` as a real, separate process."""
    return subprocess.Popen([sys.executable, "-m", "compliance", *map(str, args)], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True, env=subprocess_env(**env))
