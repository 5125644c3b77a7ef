"""Deal imports: deal names, rep aliases, saved import mappings, adjustment ids.

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-04

- `deals.name`: the deal's name in the CRM ('' for none).
- `rep_aliases`: other names a rep goes by in CRM exports; `key` is the alias with case
  and spacing folded, unique: one alias names one rep.
- `import_mappings`: the column mapping of a deal-import layout (JSON), by layout key.
- `adjustments.external_id`: the id an adjustment has in a bulk-adjustment file ('' when
  entered by hand), unique when set.

Frozen: later schema changes are new revisions; this file never changes.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("deals") as batch_op:
        batch_op.add_column(sa.Column("name", sa.Text(), nullable=False, server_default=""))
    with op.batch_alter_table("adjustments") as batch_op:
        batch_op.add_column(
            sa.Column("external_id", sa.String(length=100), nullable=False, server_default="")
        )
    op.create_index(
        "uq_adjustments_external_id",
        "adjustments",
        ["external_id"],
        unique=True,
        sqlite_where=sa.text("external_id <> ''"),
    )
    op.create_table(
        "rep_aliases",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("rep_id", sa.Integer(), nullable=False),
        sa.Column("alias", sa.String(length=200), nullable=False),
        sa.Column("key", sa.String(length=200), nullable=False),
        sa.ForeignKeyConstraint(
            ["rep_id"], ["reps.id"], name=op.f("fk_rep_aliases_rep_id_reps"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_rep_aliases")),
        sa.UniqueConstraint("key", name=op.f("uq_rep_aliases_key")),
    )
    op.create_index(op.f("ix_rep_aliases_rep_id"), "rep_aliases", ["rep_id"], unique=False)
    op.create_table(
        "import_mappings",
        sa.Column("key", sa.String(length=300), nullable=False),
        sa.Column("payload", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("key", name=op.f("pk_import_mappings")),
    )


def downgrade() -> None:
    op.drop_table("import_mappings")
    op.drop_index(op.f("ix_rep_aliases_rep_id"), table_name="rep_aliases")
    op.drop_table("rep_aliases")
    op.drop_index("uq_adjustments_external_id", table_name="adjustments")
    with op.batch_alter_table("adjustments") as batch_op:
        batch_op.drop_column("external_id")
    with op.batch_alter_table("deals") as batch_op:
        batch_op.drop_column("name")
