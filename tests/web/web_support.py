"""Helpers and fixtures of the web tests (imported by the test modules: a conftest.py here would shadow
the top-level one): a demo ledger behind the application, logged-in clients, CSRF tokens, items."""

from __future__ import annotations

import datetime as dt
import re
import shutil
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
FIXTURES = ROOT / "fixtures"
AS_OF = dt.date(2025, 11, 20)
CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


def csrf_of(client, page: str = "/login") -> str:
    match = CSRF.search(client.get(page).text)
    assert match, "page has no CSRF token"
    return match.group(1)


def login(client, name: str, password: str = "demo-2025"):
    token = csrf_of(client)
    return client.post("/login", data={"name": name, "password": password, "csrf_token": token},
                       follow_redirects=False)


def items_of(db: str, unit_id: str) -> list:
    from sqlalchemy import select

    from compliance.ledger.models import Item
    from compliance.ledger.store import Ledger

    with Ledger(db) as ledger, ledger.read() as session:
        return list(session.scalars(select(Item).where(Item.unit_id == unit_id).order_by(Item.id)))


def item(db: str, item_id: int):
    from compliance.ledger.models import Item
    from compliance.ledger.store import Ledger

    with Ledger(db) as ledger, ledger.read() as session:
        found = session.get(Item, item_id)
        history = list(found.history)
    return found, history


def set_item(db: str, item_id: int, **values) -> None:
    from compliance.ledger.models import Item
    from compliance.ledger.store import Ledger

    with Ledger(db) as ledger, ledger.write() as session:
        found = session.get(Item, item_id)
        for name, value in values.items():
            setattr(found, name, value)


@pytest.fixture(scope="session")
def demo_template(tmp_path_factory, pack):
    """The demo ledger, built once per run (checking and syncing ten units takes a while)."""
    from compliance.ledger.store import Ledger
    from compliance.web.demo import load_demo

    path = tmp_path_factory.mktemp("demo") / "ledger.sqlite"
    with Ledger(str(path), create=True) as ledger:
        load_demo(ledger, pack, FIXTURES, AS_OF)
    return path


def copy_of(template: Path, tmp_path: Path) -> str:
    """A fresh copy of the demo ledger file for one test."""
    path = tmp_path / "ledger.sqlite"
    shutil.copyfile(template, path)
    return str(path)


@pytest.fixture
def demo_db(tmp_path, demo_template):
    """A fresh copy of the demo ledger for one test."""
    return copy_of(demo_template, tmp_path)


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def any_demo_db(request, tmp_path, demo_template, pack):
    """The demo ledger on a SQLite file, and (with a test server) in a PostgreSQL schema of its own."""
    if request.param == "sqlite":
        yield copy_of(demo_template, tmp_path)
        return
    from conftest import pg_schema

    from compliance.ledger.store import Ledger
    from compliance.web.demo import load_demo

    with pg_schema() as url:
        with Ledger(url, create=True) as ledger:
            load_demo(ledger, pack, FIXTURES, AS_OF)
        yield url


@pytest.fixture
def app(demo_db, pack):
    from compliance.ledger.store import Ledger
    from compliance.web.app import Settings, create_app

    ledger = Ledger(demo_db)
    yield create_app(Settings(ledger, pack, secret="test-secret", as_of=AS_OF))
    ledger.close()


@pytest.fixture
def client_for(app):
    """``client_for("sz-001")``: a TestClient logged in as that demo account."""
    from starlette.testclient import TestClient

    clients = []

    def make(name: str | None = None):
        client = TestClient(app, raise_server_exceptions=False)
        clients.append(client)
        if name:
            assert login(client, name).status_code == 303
        return client

    yield make
    for c in clients:
        c.close()
