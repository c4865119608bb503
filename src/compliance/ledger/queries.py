"""Read-only queries over the ledger: filtered item lists and statistics."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from compliance.ledger.models import Item
from compliance.ledger.vocabulary import OVERDUE, STATUSES


@dataclass
class Filters:
    units: tuple[str, ...] = ()
    statuses: tuple[str, ...] = ()
    overdue: bool = False
    category: str | None = None
    owner: str | None = None


def list_items(session: Session, filters: Filters, as_of: dt.date) -> list[Item]:
    query = select(Item).order_by(Item.unit_id, Item.id)
    if filters.units:
        query = query.where(Item.unit_id.in_(filters.units) | Item.unit_name.in_(filters.units))
    if filters.statuses:
        query = query.where(Item.status.in_(filters.statuses))
    if filters.category:
        query = query.where(Item.category.contains(filters.category))
    if filters.owner:
        o = filters.owner
        query = query.where(Item.owner_role.contains(o) | Item.person.contains(o) | Item.leader.contains(o)
                            | Item.department.contains(o))
    items = list(session.scalars(query))
    if filters.overdue:
        items = [i for i in items if i.overdue_days(as_of)]
    return items


def stats(session: Session, as_of: dt.date) -> dict[str, Any]:
    items = list(session.scalars(select(Item).order_by(Item.unit_id)))
    by_status = Counter(i.status for i in items)
    units: dict[str, dict[str, Any]] = {}
    for i in items:
        row = units.setdefault(i.unit_id, {"unit_id": i.unit_id, "unit_name": i.unit_name, "total": 0,
                                           **{s: 0 for s in STATUSES}, OVERDUE: 0, "反弹": 0})
        row["total"] += 1
        row[i.status] += 1
        row[OVERDUE] += bool(i.overdue_days(as_of))
        row["反弹"] += i.rebound_count
    return {
        "as_of": as_of.isoformat(),
        "total": len(items),
        "by_status": {s: by_status.get(s, 0) for s in STATUSES},
        "overdue": sum(bool(i.overdue_days(as_of)) for i in items),
        "rebounds": sum(i.rebound_count for i in items),
        "rebound_items": sum(1 for i in items if i.rebound_count),
        "units": list(units.values()),
    }
