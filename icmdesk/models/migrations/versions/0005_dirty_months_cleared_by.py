"""Dirty months remember the close that cleared them, so that reopening it marks them again.

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-24

A close used to delete the dirty-month markers once it had posted their corrections.
Reopening that close removes its statements, and with them what the re-verification
had put right (prior-period lines, and awaiting lines computed from the corrected
data); the months must then be verified again. `cleared_by` keeps the marker with the
month of the close that cleared it; reopening that month marks it again.

Frozen: later schema changes are new revisions; this file never changes.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("dirty_months") as batch_op:
        batch_op.add_column(sa.Column("cleared_by", sa.String(length=7), nullable=True))


def downgrade() -> None:
    op.execute("DELETE FROM dirty_months WHERE cleared_by IS NOT NULL")
    with op.batch_alter_table("dirty_months") as batch_op:
        batch_op.drop_column("cleared_by")
