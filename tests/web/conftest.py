"""A demo ledger (the shipped fixtures, demo accounts) behind the web application, and logged-in clients."""

from __future__ import annotations

import shutil

import pytest

from web_support import AS_OF, FIXTURES, login

pytest.importorskip("starlette")
pytest.importorskip("httpx")


@pytest.fixture(scope="session")
def demo_template(tmp_path_factory, pack):
    """The demo ledger, built once per run (checking and syncing ten units takes a while)."""
    from compliance.ledger.store import Ledger
    from compliance.web.demo import load_demo

    path = tmp_path_factory.mktemp("demo") / "ledger.sqlite"
    with Ledger(str(path), create=True) as ledger:
        load_demo(ledger, pack, FIXTURES, AS_OF)
    return path


@pytest.fixture
def demo_db(tmp_path, demo_template):
    """A fresh copy of the demo ledger for one test."""
    path = tmp_path / "ledger.sqlite"
    shutil.copyfile(demo_template, path)
    return str(path)


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
