"""The ledger's user-facing error."""

from __future__ import annotations


class LedgerError(Exception):
    """A user-facing ledger error (Chinese message); the CLI prints it and exits 2."""
