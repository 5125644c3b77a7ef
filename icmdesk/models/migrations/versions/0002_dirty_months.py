"""Dirty months: closed months an edit has touched since they closed.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-23

`dirty_months` lists every month at or before the latest closed month that an
edit touched (the month, and what caused it); computing the first open month
re-verifies exactly those closed months instead of all of history. Two indexes
let a month find the deals paid or cancelled in it without scanning all deals.

Frozen: later schema changes are new revisions; this file never changes.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "dirty_months",
        sa.Column("month", sa.String(length=7), nullable=False),
        sa.Column("cause", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("month", name=op.f("pk_dirty_months")),
    )
    op.create_index("ix_payments_paid_on", "payments", ["paid_on"], unique=False)
    op.create_index("ix_deals_cancellation_date", "deals", ["cancellation_date"], unique=False)


def downgrade() -> None:
    op.drop_index("ix_deals_cancellation_date", table_name="deals")
    op.drop_index("ix_payments_paid_on", table_name="payments")
    op.drop_table("dirty_months")
