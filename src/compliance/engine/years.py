"""The 考核年度 a check judges, and how an annual rule's 整改时限 fits into it."""

from __future__ import annotations

import datetime as dt

LAG_PARAM = "assessment_lag_months"
"""Pack parameter: a check in the first N months of a year judges the previous year (0: the year of the check)."""


def assessment_year(as_of: dt.date, lag_months: int = 0) -> int:
    """The default 考核年度 of a check on ``as_of``: its year, or the previous one in the first ``lag_months`` months."""
    return as_of.year - 1 if as_of.month <= lag_months else as_of.year


def annual_deadline_days(days: int, as_of: dt.date, year: int) -> int:
    """An annual rule's 整改时限 in days: within the 考核年度 while it is still running (at least 1 day),
    otherwise unchanged (the measure then belongs to the year of the check)."""
    if year != as_of.year:
        return days
    left = (dt.date(year, 12, 31) - as_of).days
    return max(1, min(days, left))
