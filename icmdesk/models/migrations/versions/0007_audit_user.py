"""The audit log records who made each change.

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-04

`audit_log.user` is the operating-system account that made the change (the login name,
as `getpass.getuser()` gives it), or '' when it could not be told. Entries written
before this revision have '' (nobody was recorded then).

Frozen: later schema changes are new revisions; this file never changes.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("audit_log") as batch_op:
        batch_op.add_column(sa.Column("user", sa.Text(), nullable=False, server_default=""))


def downgrade() -> None:
    with op.batch_alter_table("audit_log") as batch_op:
        batch_op.drop_column("user")
