"""责任部门 and 备注 columns (the full column set of a real 整改台账).

Revision ID: 0002
Revises: 0001
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("ledger_items") as batch:
        batch.add_column(sa.Column("department", sa.String(200), nullable=False, server_default=""))
        batch.add_column(sa.Column("remarks", sa.Text, nullable=False, server_default=""))


def downgrade() -> None:
    with op.batch_alter_table("ledger_items") as batch:
        batch.drop_column("remarks")
        batch.drop_column("department")
