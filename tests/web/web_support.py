"""Helpers of the web tests: CSRF tokens from pages, logging in, reading and changing ledger items."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

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
