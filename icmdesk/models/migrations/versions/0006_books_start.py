"""Books start and opening balances (COMP_RULES "Books start and opening balances").

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-04

A company that adopts ICMDesk mid-life names the first month ICMDesk pays
(`company.books_start`, 'YYYY-MM', NULL for none: everything is in the books) and, per
rep, where they stood then (`opening_balances`): the balance owed, the fiscal-year-to-date
earnings before it (cents), the amount already counted toward the quota period containing
its first day (cents) and the attainment bonuses already paid in it (a JSON list of
thresholds as percent strings, e.g. ["100", "120"]).

Frozen: later schema changes are new revisions; this file never changes.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("company") as batch_op:
        batch_op.add_column(sa.Column("books_start", sa.String(length=7), nullable=True))
    op.create_table(
        "opening_balances",
        sa.Column("rep_id", sa.Integer(), nullable=False),
        sa.Column("balance_owed", sa.Integer(), nullable=False),
        sa.Column("ytd_earnings", sa.Integer(), nullable=False),
        sa.Column("counted", sa.Integer(), nullable=False),
        sa.Column("bonuses_paid", sa.Text(), nullable=False),
        sa.CheckConstraint("balance_owed >= 0", name=op.f("ck_opening_balances_owed")),
        sa.CheckConstraint("counted >= 0", name=op.f("ck_opening_balances_counted")),
        sa.ForeignKeyConstraint(
            ["rep_id"],
            ["reps.id"],
            name=op.f("fk_opening_balances_rep_id_reps"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("rep_id", name=op.f("pk_opening_balances")),
    )


def downgrade() -> None:
    op.drop_table("opening_balances")
    with op.batch_alter_table("company") as batch_op:
        batch_op.drop_column("books_start")
