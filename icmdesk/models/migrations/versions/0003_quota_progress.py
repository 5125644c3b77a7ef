"""Quota progress: each rep's standing in its quota periods at the end of a closed month.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-24

Closing a month stores, in `quota_progress`, what its quota periods carry into the next
month (the amount counted toward the quota, the attainment bonuses paid), so computing a
later month reads that month's deals rather than its whole quota period. Months closed
before this revision have no row; their quota periods are read as before.

Frozen: later schema changes are new revisions; this file never changes.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "quota_progress",
        sa.Column("month", sa.String(length=7), nullable=False),
        sa.Column("payload", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["month"],
            ["periods.month"],
            name=op.f("fk_quota_progress_month_periods"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("month", name=op.f("pk_quota_progress")),
    )


def downgrade() -> None:
    op.drop_table("quota_progress")
