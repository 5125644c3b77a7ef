"""The history chain: audit entries linked by hashes, closes sealing their statements.

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-05

`audit_log.chain_hash` is each entry's link, SHA-256 of the previous link and the
entry's content; `audit_log.detail` what a link covers beyond the entry's fields (a
close: the content hash of each statement it stored, as JSON). `history_chain` is one
row: the head (the latest entry's id and link) and the baseline, the statements of
closed months whose close is not in the log. services.audit describes the chain.

The chain of an existing file is built here, from what the file holds (the backup taken
before migrating keeps the file as it was): the latest close of each closed month seals
the statements the month has now, a closed month without a close in the log goes in the
baseline. The encoding is a frozen copy of services.audit's (version 1): the file format
is this, whatever that module becomes; tests hold a migrated file to pass `check`.

Frozen: later schema changes are new revisions; this file never changes.
"""

import hashlib
import json
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0010"
down_revision: str | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_VERSION = b"ICMDesk history chain 1"
_SEP = "\x1f"


def _content(*values: object) -> bytes:
    text = _SEP.join(map(str, values))
    if text.count(_SEP) != len(values) - 1:
        text = "\x1e" + "".join(f"{len(v)}:{v}" for v in map(str, values))
    return text.encode()


def _seal(statements: list[tuple[int, str]]) -> str:
    return json.dumps(
        {"statements": sorted([rep_id, h] for rep_id, h in statements)}, separators=(",", ":")
    )


def upgrade() -> None:
    with op.batch_alter_table("audit_log") as batch_op:
        batch_op.add_column(sa.Column("detail", sa.Text(), nullable=False, server_default=""))
        batch_op.add_column(sa.Column("chain_hash", sa.LargeBinary(), nullable=True))
    op.create_table(
        "history_chain",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("head_id", sa.Integer(), nullable=False, server_default="0"),
        sa.Column("head_hash", sa.LargeBinary(), nullable=False),
        sa.Column("baseline", sa.Text(), nullable=False, server_default=""),
        sa.CheckConstraint("id = 1", name=op.f("ck_history_chain_single_row")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_history_chain")),
    )
    conn = op.get_bind()
    closed = [
        str(m) for (m,) in conn.exec_driver_sql("SELECT month FROM periods WHERE status = 'closed'")
    ]
    statements: dict[str, list[tuple[int, str]]] = {m: [] for m in closed}
    for month, rep_id, content_hash in conn.exec_driver_sql(
        "SELECT month, rep_id, content_hash FROM statement_snapshots"
    ):
        if str(month) in statements:
            statements[str(month)].append((int(rep_id), str(content_hash)))
    # The latest close or reopen of each closed month: a close seals its statements.
    latest: dict[str, tuple[int, str]] = {}
    for entry_id, action, month in conn.exec_driver_sql(
        "SELECT id, action, entity_id FROM audit_log WHERE entity = 'period'"
        " AND action IN ('close', 'reopen') ORDER BY id"
    ):
        latest[str(month)] = (int(entry_id), str(action))
    details: dict[int, str] = {}
    baseline: dict[str, list[list[object]]] = {}
    for month in closed:
        entry = latest.get(month)
        if entry is not None and entry[1] == "close":
            details[entry[0]] = _seal(statements[month])
        else:
            baseline[month] = json.loads(_seal(statements[month]))["statements"]
    baseline_text = json.dumps(baseline, sort_keys=True, separators=(",", ":")) if baseline else ""
    h = hashlib.sha256(_VERSION + b"\x1f" + baseline_text.encode()).digest()
    head_id = 0
    updates: list[tuple[str, bytes, int]] = []
    for row in conn.exec_driver_sql(
        'SELECT id, at, action, entity, entity_id, field, old, new, "user" FROM audit_log'
        " ORDER BY id"
    ):
        head_id = int(row[0])
        detail = details.get(head_id, "")
        h = hashlib.sha256(h + _content(*row, detail)).digest()
        updates.append((detail, h, head_id))
    if updates:
        conn.exec_driver_sql(
            "UPDATE audit_log SET detail = ?, chain_hash = ? WHERE id = ?", updates
        )
    conn.exec_driver_sql(
        "INSERT INTO history_chain (id, head_id, head_hash, baseline) VALUES (1, ?, ?, ?)",
        (head_id, h, baseline_text),
    )


def downgrade() -> None:
    op.drop_table("history_chain")
    with op.batch_alter_table("audit_log") as batch_op:
        batch_op.drop_column("chain_hash")
        batch_op.drop_column("detail")
