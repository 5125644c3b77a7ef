"""The audit log: every edit recorded as when, who, what, old → new.

Edits are diffed field by field on the domain values before and after, so
every service records changes the same way. Values are stored as `display` writes
them, referring to other records by id ("rep_id=2"): services.audit_log puts names on
them when the log is read.
"""

from __future__ import annotations

import dataclasses
import getpass
from datetime import UTC, date, datetime
from decimal import Decimal
from enum import Enum
from typing import Any

from sqlalchemy.orm import Session

from icmdesk.domain.calendar import Month
from icmdesk.domain.entities import AuditEntry
from icmdesk.models.mapping import audit_row


def now() -> datetime:
    """The audit clock: UTC, to the second, naive (as stored)."""
    return datetime.now(UTC).replace(microsecond=0, tzinfo=None)


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
) -> list[AuditEntry]:
    """Write audit entries for one edit: a create, a delete, or one entry per changed field,
    each with the time (UTC) and the user making it (`current_user`)."""
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
        for f in dataclasses.fields(after):
            if f.name == "id":
                continue
            old, new = getattr(before, f.name), getattr(after, f.name)
            if old != new:
                entries.append(entry(f.name, display(old), display(new)))
    else:
        entries.append(entry())
    session.add_all(audit_row(e) for e in entries)
    return entries
