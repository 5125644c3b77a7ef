"""The audit log: every edit recorded as when, who, what, old → new, in a hash chain.

Edits are diffed field by field on the domain values before and after, so
every service records changes the same way. Values are stored as `display` writes
them, referring to other records by id ("rep_id=2"): services.audit_log puts names on
them when the log is read.

The history chain (tamper evidence; verified by services.integrity, `icmdesk check`):

- Every audit entry carries a link: ``link = SHA-256(previous link ‖ content)``, where
  the content is the entry's id, time (as stored), action, entity, entity id, field,
  old, new, user and `detail`, joined by U+001F (`entry_content`: a compact encoding,
  made unambiguous by a length-prefixed form when a value holds the separator). The
  first entry's previous link is the genesis, SHA-256 of the chain's version and the
  baseline (below).
- The head (the latest entry's id and link) is kept in the one-row `history_chain`
  table, so removing the last entries breaks the chain as surely as removing others.
- Closed statements are not links themselves: the close of a month records, in its
  audit entry's `detail`, the content hash of every statement it stored
  (`statements_seal`). A statement's content hash covers its payload, and `check`
  recomputes it and compares the columns the app reads with the payload, so a closed
  statement cannot change, appear or disappear without breaking something. A reopen
  deletes the month's statements legitimately: it is an audit entry like any other,
  and after it the month is open, so its statements are owed to no close. The chain
  itself never has anything removed from it.
- Months closed before their close could be recorded (files from before migration 0010
  or company documents whose log has no close for them) are sealed in the head's
  `baseline`, which the genesis covers.
- Every writer extends the chain through `Chain`: `record` (the ORM path), and the deal
  and adjustment imports' bulk inserts (`Chain.extend`, a chunk of rows at a time). A
  company document import rebuilds it (services.integrity.rebuild_chain), and so does
  migration 0010 for an existing file (a frozen copy of this encoding).

The chain proves that nothing was changed by anything but ICMDesk's writers, not who
wrote: the file holds no secret, so someone who rebuilds every link after an edit is
not caught. It catches edits, deletions and re-dating made with a database tool.
"""

from __future__ import annotations

import dataclasses
import getpass
import hashlib
import json
from collections.abc import Iterable
from datetime import UTC, date, datetime
from decimal import Decimal
from enum import Enum
from typing import Any

from sqlalchemy import insert, select, update
from sqlalchemy.orm import Session

from icmdesk.domain.calendar import Month
from icmdesk.domain.entities import AuditEntry
from icmdesk.domain.errors import CompanyFileError
from icmdesk.models.mapping import audit_row
from icmdesk.models.tables import AuditRow, HistoryChainRow


def now() -> datetime:
    """The audit clock: UTC, to the second, naive (as stored)."""
    return datetime.now(UTC).replace(microsecond=0, tzinfo=None)


def now_text() -> str:
    """`now()` as SQLAlchemy stores a DateTime: for bulk inserts in raw SQL."""
    return now().strftime("%Y-%m-%d %H:%M:%S.%f")


def current_user() -> str:
    """Who is making the change: the operating-system login name, or "" when the system
    cannot tell (no login name in the environment and no account entry, as in some
    containers). Never raises: an unknown user must not stop an edit."""
    try:
        return getpass.getuser()
    except Exception:  # OSError, or KeyError from the password database before 3.13
        return ""


def display(value: Any) -> str:
    """A value as the audit log shows it: plain, stable text."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, Enum):
        return str(value.value)
    if isinstance(value, Decimal | int | str | Month):
        return str(value)
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, bytes):
        return f"<{len(value)} bytes>"
    if isinstance(value, tuple | list):
        return "; ".join(display(v) for v in value)
    if dataclasses.is_dataclass(value):
        parts = (
            f"{f.name}={display(getattr(value, f.name))}"
            for f in dataclasses.fields(value)
            if f.name != "id" and getattr(value, f.name) not in (None, "", ())
        )
        return "(" + ", ".join(parts) + ")"
    return str(value)


def record(
    session: Session,
    *,
    action: str,
    entity: str,
    entity_id: object,
    before: Any = None,
    after: Any = None,
    detail: str = "",
) -> list[AuditEntry]:
    """Write audit entries for one edit: a create, a delete, or one entry per changed field,
    each with the time (UTC) and the user making it (`current_user`), linked into the
    history chain. `detail` goes into the first entry's link only (a close's
    `statements_seal`); the log does not show it."""
    at = now()
    user = current_user()
    key = str(entity_id)

    def entry(field: str = "", old: str = "", new: str = "") -> AuditEntry:
        return AuditEntry(at, action, entity, key, field, old, new, user=user)

    entries: list[AuditEntry] = []
    if before is None and after is not None:
        entries.append(entry(new=display(after)))
    elif after is None and before is not None:
        entries.append(entry(old=display(before)))
    elif before is not None and after is not None and not dataclasses.is_dataclass(after):
        entries.append(entry(old=display(before), new=display(after)))
    elif before is not None and after is not None:
        entries += [entry(*change) for change in changed_fields(before, after)]
    else:
        entries.append(entry())
    chain = Chain(session)
    rows = []
    for n, e in enumerate(entries):
        row = audit_row(e)
        row.detail = detail if n == 0 else ""
        row.id, row.chain_hash = chain.append(
            at_text(e.at), e.action, e.entity, e.entity_id, e.field, e.old, e.new, e.user,
            row.detail,
        )  # fmt: skip
        rows.append(row)
    session.add_all(rows)
    chain.save(session)
    return entries


def changed_fields(before: Any, after: Any) -> list[tuple[str, str, str]]:
    """Each field (but the id) of two values of one dataclass that differs, as the log
    shows it: (field, old, new)."""
    return [
        (f.name, display(old), display(new))
        for f in dataclasses.fields(after)
        if f.name != "id" and (old := getattr(before, f.name)) != (new := getattr(after, f.name))
    ]


# -- the history chain (see the module's docstring) -----------------------------------------

CHAIN_VERSION = b"ICMDesk history chain 1"
_AT_FORMAT = "%Y-%m-%d %H:%M:%S.%f"  # how SQLAlchemy stores a DateTime in SQLite
_SEP = "\x1f"


def at_text(at: datetime) -> str:
    """An audit time as the file stores it, the text the chain covers."""
    return at.strftime(_AT_FORMAT)


def genesis(baseline: str) -> bytes:
    """The link before the first entry: it covers the baseline (see the docstring)."""
    return hashlib.sha256(CHAIN_VERSION + b"\x1f" + baseline.encode()).digest()


def entry_content(*values: object) -> bytes:
    """An entry's content as its link covers it: id, at, action, entity, entity_id, field,
    old, new, user, detail. Joined by U+001F; when a value holds one, each value is
    length-prefixed instead, behind U+001E (an id's digits never start with it), so
    two different entries never have the same content."""
    text = _SEP.join(map(str, values))
    if text.count(_SEP) != len(values) - 1:
        text = "\x1e" + "".join(f"{len(v)}:{v}" for v in map(str, values))
    return text.encode()


def link(previous: bytes, content: bytes) -> bytes:
    """One link of the chain: SHA-256 of the previous link and the entry's content."""
    return hashlib.sha256(previous + content).digest()


def statements_seal(statements: Iterable[tuple[int, str]]) -> str:
    """A close's `detail`: the content hash of each statement it stored, by rep id."""
    return json.dumps(
        {"statements": sorted([rep_id, h] for rep_id, h in statements)}, separators=(",", ":")
    )


# The rows `Chain.extend` hands out, inserted past the ORM.
INSERT_SQL = (
    "INSERT INTO audit_log (id, at, action, entity, entity_id, field, old, new, user,"
    " chain_hash) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
)


class Chain:
    """The chain's head in the caller's transaction: hands out the ids and links of the
    entries appended, and `save` writes the new head. One writer at a time (the file's
    lock and SQLite's write lock), so reading the head and appending cannot race."""

    def __init__(self, session: Session) -> None:
        with session.no_autoflush:
            head = session.execute(
                select(HistoryChainRow.head_id, HistoryChainRow.head_hash).where(
                    HistoryChainRow.id == 1
                )
            ).one_or_none()
        if head is None:  # written by migration 0010: a file always has it
            if session.scalar(select(AuditRow.id).limit(1)) is not None:
                raise CompanyFileError(
                    "the head of the file's history chain was removed outside ICMDesk, so "
                    "nothing more can be recorded; run icmdesk check, and restore a backup"
                )
            session.execute(insert(HistoryChainRow).values(id=1, head_id=0, head_hash=genesis("")))
            self.id, self.hash = 0, genesis("")
        else:
            self.id, self.hash = int(head.head_id), bytes(head.head_hash)

    def append(self, *content: object) -> tuple[int, bytes]:
        """The id and link of the next entry, whose content (`entry_content`, without the
        id) is `content`."""
        self.id += 1
        self.hash = link(self.hash, entry_content(self.id, *content))
        return self.id, self.hash

    def extend(
        self, entity: str, entries: list[tuple[str, str, str, str, str, str, str]]
    ) -> list[tuple[object, ...]]:
        """Bulk entries of one entity, each (at, action, entity_id, field, old, new, user),
        as rows for `INSERT_SQL` with their ids and links: the imports' fast path (a
        million entries in about a second)."""
        n, h = self.id, self.hash
        sha256, sep = hashlib.sha256, _SEP
        rows: list[tuple[object, ...]] = []
        add = rows.append
        for at, action, entity_id, field, old, new, user in entries:
            n += 1
            text = (
                f"{n}{sep}{at}{sep}{action}{sep}{entity}{sep}{entity_id}{sep}{field}{sep}"
                f"{old}{sep}{new}{sep}{user}{sep}"
            )
            if text.count(sep) != 9:  # a value holds the separator: the long way
                text = entry_content(
                    n, at, action, entity, entity_id, field, old, new, user, ""
                ).decode()
            h = sha256(h + text.encode()).digest()
            add((n, at, action, entity, entity_id, field, old, new, user, h))
        self.id, self.hash = n, h
        return rows

    def save(self, session: Session) -> None:
        """Write the head: the latest entry's id and link (flushing nothing else: the
        entries themselves may be written later, their ids are fixed)."""
        with session.no_autoflush:
            session.execute(
                update(HistoryChainRow)
                .where(HistoryChainRow.id == 1)
                .values(head_id=self.id, head_hash=self.hash)
            )
