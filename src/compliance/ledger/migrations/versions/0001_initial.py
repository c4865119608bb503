"""整改台账 first schema: items keyed on (unit, rule, subject) and their change history.

Revision ID: 0001
Revises:
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "ledger_items",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("unit_id", sa.String(100), nullable=False),
        sa.Column("unit_name", sa.String(200), nullable=False),
        sa.Column("rule_id", sa.String(100), nullable=False),
        sa.Column("subject", sa.String(200), nullable=False),
        sa.Column("category", sa.String(100), nullable=False),
        sa.Column("rule_title", sa.String(300), nullable=False),
        sa.Column("severity", sa.String(20), nullable=False),
        sa.Column("description", sa.Text, nullable=False),
        sa.Column("basis", sa.Text, nullable=False),
        sa.Column("measure", sa.Text, nullable=False),
        sa.Column("owner_role", sa.String(100), nullable=False),
        sa.Column("leader", sa.String(200), nullable=False),
        sa.Column("person", sa.String(200), nullable=False),
        sa.Column("deadline", sa.Date, nullable=True),
        sa.Column("progress", sa.Text, nullable=False),
        sa.Column("evidence", sa.Text, nullable=False),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("found_on", sa.Date, nullable=False),
        sa.Column("closed_on", sa.Date, nullable=True),
        sa.Column("rebound_count", sa.Integer, nullable=False),
        sa.Column("last_result", sa.String(20), nullable=False),
        sa.Column("last_checked", sa.Date, nullable=False),
        sa.Column("last_message", sa.Text, nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("version", sa.Integer, nullable=False),
        sa.UniqueConstraint("unit_id", "rule_id", "subject", name="uq_ledger_item_key"),
    )
    op.create_table(
        "ledger_history",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("item_id", sa.Integer, sa.ForeignKey("ledger_items.id"), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("by", sa.String(100), nullable=False),
        sa.Column("field", sa.String(50), nullable=False),
        sa.Column("old", sa.Text, nullable=True),
        sa.Column("new", sa.Text, nullable=True),
        sa.Column("reason", sa.Text, nullable=False),
    )
    op.create_index("ix_ledger_history_item_id", "ledger_history", ["item_id"])


def downgrade() -> None:
    op.drop_index("ix_ledger_history_item_id", "ledger_history")
    op.drop_table("ledger_history")
    op.drop_table("ledger_items")
