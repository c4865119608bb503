"""整改台账: a persistent rectification ledger of the problems found by checks, one item per problem.

Modules (import from the specific module; this package re-exports nothing):

- ``vocabulary``: statuses, allowed manual transitions, field labels — the one definition of ledger statuses.
- ``errors``: :class:`LedgerError`, the user-facing (Chinese) error.
- ``models``: the SQLAlchemy ORM — ``Base``, ``Item`` and ``History``.
- ``store``: database URLs, engines, the writer lock, Alembic migrations, and ``Ledger`` (an opened database).
- ``lifecycle``: changes by hand — ``set_field``, ``get_item``, ``check_transition``, ``update_item``.
- ``sync``: check results → ``UnitCheck``, reconciled into the ledger by ``sync`` (→ ``SyncReport``).
- ``queries``: ``Filters``, ``list_items`` and ``stats``.
- ``views``: what people read — ``ledger show`` fields, history rows in local time, the CSV export.
- ``xlsx``: the print-ready Excel 整改台账 for units (one workbook, or one per unit); ``xlsx_import``: reading
  a returned workbook and merging it cell by cell against the values it was exported with.
- ``migrations/``: the Alembic scripts.
"""
