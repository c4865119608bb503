"""上轮整改情况: the previous round's rectification, read from the 整改台账 through the ledger's own queries."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from compliance.ledger.queries import stats
from compliance.ledger.store import Ledger
from compliance.ledger.vocabulary import CLOSED, OVERDUE, WAIVED


@dataclass
class PreviousRound:
    """Counts of the ledger on the check date."""

    total: int
    closed: int
    waived: int
    overdue: int
    rebounds: int
    rebound_items: int
    by_status: dict[str, int]
    overdue_units: list[tuple[str, int]] = field(default_factory=list)
    """(unit name, overdue items), most overdue first."""

    @property
    def closing_rate(self) -> float:
        """销号率: closed items among the items to rectify (waived ones are not)."""
        due = self.total - self.waived
        return self.closed / due if due else 0.0


def previous_round(db: str, as_of: dt.date) -> PreviousRound:
    """Read the ledger ``db`` (read-only); raises :class:`compliance.ledger.errors.LedgerError` in Chinese."""
    with Ledger(db) as ledger, ledger.read() as session:
        numbers = stats(session, as_of)
    units = sorted(((u["unit_name"], u[OVERDUE]) for u in numbers["units"] if u[OVERDUE]), key=lambda x: (-x[1], x[0]))
    by_status = numbers["by_status"]
    return PreviousRound(numbers["total"], by_status.get(CLOSED, 0), by_status.get(WAIVED, 0), numbers["overdue"],
                         numbers["rebounds"], numbers["rebound_items"], by_status, units)
