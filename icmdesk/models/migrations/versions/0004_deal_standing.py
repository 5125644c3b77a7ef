"""Deal standing: what each rep on a deal had counted in its quota period before it.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-24

Closing a month stores, in `deal_standing`, for each deal closed in it and each rep it
credits, the amount the rep had counted in the quota period just before the deal. A
later month that pays or cancels the deal rates it from there, without reading the
deals before it. The close that writes a month's `quota_progress` row writes its deals'
standing too, so the rows 0003 wrote (without it) are removed: those months are read as
months closed before 0003 are.

Frozen: later schema changes are new revisions; this file never changes.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "deal_standing",
        sa.Column("deal_id", sa.Integer(), nullable=False),
        sa.Column("rep_id", sa.Integer(), nullable=False),
        sa.Column("counted_before", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["deal_id"],
            ["deals.id"],
            name=op.f("fk_deal_standing_deal_id_deals"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("deal_id", "rep_id", name=op.f("pk_deal_standing")),
    )
    op.execute("DELETE FROM quota_progress")


def downgrade() -> None:
    op.drop_table("deal_standing")
