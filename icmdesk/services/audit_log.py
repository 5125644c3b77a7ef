"""Reading the audit log: a page of entries at a time, filtered in SQL, newest first.

Read-only: entries are written by services.audit as part of each edit. The log
grows with every change for the life of a company, so the view never loads it
whole; the order is by id (the order entries were written in, which is also
time order), the primary key, so every page is an index walk.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import Select, distinct, func, or_, select

from icmdesk.domain.entities import AuditEntry
from icmdesk.models.database import CompanyFile
from icmdesk.models.mapping import audit_value
from icmdesk.models.tables import AuditRow


@dataclass(frozen=True, slots=True)
class AuditFilter:
    """Which entries to show: all by default. `text` matches part of the record id,
    the field, or the old or new value, ignoring case."""

    text: str = ""
    action: str = ""
    entity: str = ""


def _filtered(query: Select[tuple[object, ...]], f: AuditFilter) -> Select[tuple[object, ...]]:
    a = AuditRow
    if f.action:
        query = query.where(a.action == f.action)
    if f.entity:
        query = query.where(a.entity == f.entity)
    text = f.text.strip()
    if text:
        escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
        pattern = f"%{escaped}%"
        query = query.where(
            or_(*(c.like(pattern, escape="\\") for c in (a.entity_id, a.field, a.old, a.new)))
        )
    return query


def count_entries(cf: CompanyFile, f: AuditFilter = AuditFilter()) -> int:
    """How many entries match the filter."""
    with cf.session() as session:
        return int(session.scalar(_filtered(select(func.count()).select_from(AuditRow), f)) or 0)


def audit_page(
    cf: CompanyFile,
    f: AuditFilter = AuditFilter(),
    *,
    offset: int = 0,
    limit: int = 200,
    newest_first: bool = True,
) -> tuple[AuditEntry, ...]:
    """Entries `offset` to `offset + limit` of those matching the filter."""
    if offset < 0 or limit < 0:
        raise ValueError("offset and limit must not be negative")
    order = AuditRow.id.desc() if newest_first else AuditRow.id.asc()
    with cf.session() as session:
        rows = session.scalars(
            _filtered(select(AuditRow), f).order_by(order).offset(offset).limit(limit)
        )
        return tuple(audit_value(r) for r in rows)


def actions(cf: CompanyFile) -> tuple[str, ...]:
    """The actions that occur in the log, for a filter list."""
    with cf.session() as session:
        return tuple(session.scalars(select(distinct(AuditRow.action)).order_by(AuditRow.action)))


def entities(cf: CompanyFile) -> tuple[str, ...]:
    """The kinds of record that occur in the log, for a filter list."""
    with cf.session() as session:
        return tuple(session.scalars(select(distinct(AuditRow.entity)).order_by(AuditRow.entity)))
