"""How payouts leave ICMDesk: the pay date rule, the payroll provider and its earnings
codes, the journal accounts.

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-04

`company.payout_settings` is a JSON object of domain.entities.PayoutSettings (keys left
out take their defaults; '{}' is every default), read and written by domain.payouts.

Frozen: later schema changes are new revisions; this file never changes.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("company") as batch_op:
        batch_op.add_column(
            sa.Column("payout_settings", sa.Text(), nullable=False, server_default="{}")
        )


def downgrade() -> None:
    with op.batch_alter_table("company") as batch_op:
        batch_op.drop_column("payout_settings")
