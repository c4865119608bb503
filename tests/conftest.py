"""Shared test helpers: profile builders, the shipped pack, and a CLI runner."""

from __future__ import annotations

import contextlib
import datetime as dt
import os
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

ROOT = Path(__file__).resolve().parents[1]
FIXTURES = ROOT / "fixtures"
PACK_PATH = ROOT / "rules" / "dangjian.yaml"
AS_OF = dt.date(2025, 11, 20)

from compliance.domains.dangjian import DOMAIN as DANGJIAN  # noqa: E402


@pytest.fixture(scope="session")
def pack():
    from compliance.engine.pack import load_pack

    return load_pack(PACK_PATH)


@pytest.fixture
def runner() -> CliRunner:
    return CliRunner()


def minimal_profile(**sections: Any) -> dict[str, Any]:
    """A profile with only the unit's identity, plus the given sections."""
    data: dict[str, Any] = {"unit": {"id": "T-1", "name": "测试单位"}}
    for key, value in sections.items():
        if key == "unit":
            data["unit"].update(value)
        else:
            data[key] = value
    return data


def fixture_profiles() -> list:
    """Every shipped fixture profile, validated (all of them must load)."""
    from compliance.pipeline.run import load_profile

    return [load_profile(path, DANGJIAN) for path in sorted(FIXTURES.glob("*.yaml"))]


def pg_url() -> str | None:
    """PostgreSQL URL for tests; in CI a missing server is an error, locally the test is skipped."""
    url = os.environ.get("COMPLIANCE_TEST_PG_URL")
    if not url and os.environ.get("CI"):
        pytest.fail("CI 中应提供 COMPLIANCE_TEST_PG_URL（.ci/run 启动的 PostgreSQL）")
    return url


@contextlib.contextmanager
def pg_schema() -> Iterator[str]:
    """A ledger URL on the test PostgreSQL server in a schema of its own, dropped afterwards (skips without a
    server, fails in CI)."""
    url = pg_url()
    if not url:
        pytest.skip("未设置 COMPLIANCE_TEST_PG_URL，跳过 PostgreSQL 测试")
    from sqlalchemy import create_engine, text
    from sqlalchemy.engine import make_url

    schema = "t_" + uuid.uuid4().hex[:12]
    engine = create_engine(url.replace("postgresql://", "postgresql+psycopg://", 1))
    with engine.begin() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    try:
        yield make_url(url).update_query_dict({"options": f"-csearch_path={schema}"}).render_as_string(hide_password=False)
    finally:
        with engine.begin() as conn:
            conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        engine.dispose()
