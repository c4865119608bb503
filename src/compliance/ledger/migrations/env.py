"""Alembic environment of the 整改台账: always run programmatically on a connection the ledger owns."""

from __future__ import annotations

from alembic import context

from compliance.ledger.models import Base
from compliance.ledger.store import VERSION_TABLE

connection = context.config.attributes.get("connection")
if connection is None:  # pragma: no cover - the ledger always passes its connection
    raise RuntimeError("台账迁移只能由 compliance 在打开台账时执行")

context.configure(connection=connection, target_metadata=Base.metadata, version_table=VERSION_TABLE,
                  render_as_batch=connection.dialect.name == "sqlite")
with context.begin_transaction():
    context.run_migrations()
