"""The ledger's user-facing errors."""

from __future__ import annotations


class LedgerError(Exception):
    """A user-facing ledger error (Chinese message); the CLI prints it and exits 2."""


class LedgerConfigError(LedgerError):
    """A configuration error (e.g. an unknown display time zone); the CLI exits 3."""
