"""Reading the audit log: a page of entries at a time, filtered in SQL, newest first,
with names where the stored entries hold ids.

Read-only: entries are written by services.audit as part of each edit. The log
grows with every change for the life of a company, so the view never loads it
whole; the order is by id (the order entries were written in, which is also
time order), the primary key, so every page is an index walk.

Entries are stored as written: the record by kind and id ("rep", "2") and values as
plain text that refers to other records by id ("manager_id" 1 → 3, "(rep_id=9,
split_pct=50)"). Names are put on them here, as a page is read, from the records as
they are now: one small query per kind of record on the page. A record deleted since
reads "#id (deleted)"; its own delete entry still shows its last values.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, Select, String, and_, cast, distinct, func, or_, select
from sqlalchemy.orm import Session

from icmdesk.domain.calendar import Month
from icmdesk.domain.entities import AuditEntry
from icmdesk.models.database import CompanyFile
from icmdesk.models.mapping import audit_value
from icmdesk.models.tables import (
    AdjustmentRow,
    AssignmentRow,
    AuditRow,
    DealRow,
    PlanRow,
    RepRow,
    RoleRow,
)

# Fields that hold the id of another record: field → (what it is called, kind of record).
ID_FIELDS: Mapping[str, tuple[str, str]] = {
    "rep_id": ("rep", "rep"),
    "manager_id": ("manager", "rep"),
    "plan_id": ("plan", "plan"),
    "default_plan_id": ("default plan", "plan"),
    "role_id": ("role", "role"),
}
# An id field inside a record's text, as audit.display writes it: "(rep_id=9, split_pct=50)".
_ID_IN_TEXT = re.compile(
    r"(?P<lead>\(|, )(?P<key>" + "|".join(ID_FIELDS) + r")=(?P<id>\d+)(?=[,)])"
)
# Field names as a person reads them; any other reads with spaces for underscores.
FIELD_LABELS: Mapping[str, str] = {
    "external_id": "deal id",
    "close_date": "closed on",
    "cancellation_date": "cancelled on",
    "split_pct": "split %",
    "rate_pct": "rate %",
    "from_pct": "from %",
    "threshold_pct": "at attainment %",
    "multiplier_pct": "multiplier %",
    "override_rate_pct": "override %",
    "max_recovery_pct": "max recovery %",
    "quota_override": "quota override",
    "effective_to": "effective until",
    "ytd_earnings": "earnings this fiscal year",
    "logo_png": "logo",
}
# A "name=" inside a record's text ("(external_id=D-1, customer=Acme)").
_NAME_IN_TEXT = re.compile(r"(?P<lead>\(|, )(?P<key>[a-z][a-z_]*)=")
_IN_CHUNK = 500  # ids per IN (...): well under SQLite's limit on bound parameters


@dataclass(frozen=True, slots=True)
class AuditFilter:
    """Which entries to show: all by default. `text` matches part of the record (its id,
    or the name it is shown with), the field, or the old or new value (as stored, or the
    name of a record a field such as manager_id holds), ignoring case."""

    text: str = ""
    action: str = ""
    entity: str = ""


@dataclass(frozen=True, slots=True)
class AuditLine:
    """An audit entry as people read it: `entry` exactly as stored, the record it is
    about by name ("Deal D-1042 (Globex)"), and its field and values with names for the
    ids they hold ("manager": "Ana Lee" for manager_id 2)."""

    entry: AuditEntry
    record: str
    field: str
    old: str
    new: str

    @property
    def id(self) -> int:
        return self.entry.id

    @property
    def at(self) -> datetime:
        """When, in UTC (naive, as stored)."""
        return self.entry.at

    @property
    def user(self) -> str:
        return self.entry.user

    @property
    def action(self) -> str:
        return self.entry.action

    @property
    def entity(self) -> str:
        return self.entry.entity


def _filtered(query: Select[Any], f: AuditFilter) -> Select[Any]:
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
            or_(
                *(c.like(pattern, escape="\\") for c in (a.entity_id, a.field, a.old, a.new)),
                _named(pattern),
            )
        )
    return query


def _named(pattern: str) -> ColumnElement[bool]:
    """Entries whose record, or the record an id field holds, has a name matching."""

    def like(column: Any) -> ColumnElement[bool]:
        return column.like(pattern, escape="\\")

    reps = select(RepRow.id).where(like(RepRow.name))
    plans = select(PlanRow.id).where(like(PlanRow.name))
    roles = select(RoleRow.id).where(like(RoleRow.name))

    def as_text(query: Select[Any]) -> Select[Any]:
        # entity_id and values are text: compare with the ids as text.
        return select(cast(query.subquery().c.id, String))

    a = AuditRow
    records = {
        ("rep", "opening_balance"): as_text(reps),
        ("plan",): as_text(plans),
        ("role",): as_text(roles),
        ("deal",): as_text(
            select(DealRow.id).where(or_(like(DealRow.external_id), like(DealRow.customer)))
        ),
        ("assignment",): as_text(
            select(AssignmentRow.id).where(
                or_(AssignmentRow.rep_id.in_(reps), AssignmentRow.plan_id.in_(plans))
            )
        ),
        ("adjustment",): as_text(select(AdjustmentRow.id).where(AdjustmentRow.rep_id.in_(reps))),
    }
    values = {"rep": as_text(reps), "plan": as_text(plans), "role": as_text(roles)}
    return or_(
        *(and_(a.entity.in_(kinds), a.entity_id.in_(ids)) for kinds, ids in records.items()),
        *(
            and_(
                a.field.in_([name for name, (_, k) in ID_FIELDS.items() if k == kind]),
                or_(a.old.in_(ids), a.new.in_(ids)),
            )
            for kind, ids in values.items()
        ),
    )


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
) -> tuple[AuditLine, ...]:
    """Entries `offset` to `offset + limit` of those matching the filter, with names."""
    if offset < 0 or limit < 0:
        raise ValueError("offset and limit must not be negative")
    order = AuditRow.id.desc() if newest_first else AuditRow.id.asc()
    with cf.session() as session:
        rows = session.scalars(
            _filtered(select(AuditRow), f).order_by(order).offset(offset).limit(limit)
        )
        entries = [audit_value(r) for r in rows]
        names = _Names.load(session, entries)
    return tuple(names.line(e) for e in entries)


def actions(cf: CompanyFile) -> tuple[str, ...]:
    """The actions that occur in the log, for a filter list."""
    with cf.session() as session:
        return tuple(session.scalars(select(distinct(AuditRow.action)).order_by(AuditRow.action)))


def entities(cf: CompanyFile) -> tuple[str, ...]:
    """The kinds of record that occur in the log, for a filter list."""
    with cf.session() as session:
        return tuple(session.scalars(select(distinct(AuditRow.entity)).order_by(AuditRow.entity)))


# --------------------------------------------------------------------------- names


def field_label(name: str) -> str:
    """A stored field name ("cancellation_date") as the log shows it ("cancelled on")."""
    if name in ID_FIELDS:
        return ID_FIELDS[name][0]
    return FIELD_LABELS.get(name, name.replace("_", " "))


def _int(text: str) -> int | None:
    return int(text) if text.isascii() and text.isdigit() else None


def _chunks(ids: Iterable[int]) -> Iterator[list[int]]:
    ordered = sorted(set(ids))
    for i in range(0, len(ordered), _IN_CHUNK):
        yield ordered[i : i + _IN_CHUNK]


@dataclass(slots=True)
class _Names:
    """The current names of the records a page of entries mentions."""

    reps: dict[int, str] = field(default_factory=dict)
    plans: dict[int, str] = field(default_factory=dict)
    roles: dict[int, str] = field(default_factory=dict)
    deals: dict[int, tuple[str, str]] = field(default_factory=dict)  # external id, customer
    assignments: dict[int, tuple[int, int]] = field(default_factory=dict)  # rep id, plan id
    adjustments: dict[int, tuple[int, Month]] = field(default_factory=dict)  # rep id, month

    @classmethod
    def load(cls, session: Session, entries: Iterable[AuditEntry]) -> _Names:
        wanted: dict[str, set[int]] = {
            k: set() for k in ("rep", "plan", "role", "deal", "assignment", "adjustment")
        }
        for e in entries:
            key = _int(e.entity_id)
            if key is not None:
                kind = "rep" if e.entity == "opening_balance" else e.entity
                wanted.get(kind, set()).add(key)
            if e.field in ID_FIELDS:
                kind = ID_FIELDS[e.field][1]
                wanted[kind].update(k for k in map(_int, (e.old, e.new)) if k is not None)
            for text in (e.old, e.new):
                for m in _ID_IN_TEXT.finditer(text):
                    wanted[ID_FIELDS[m["key"]][1]].add(int(m["id"]))
        names = cls()
        for ids in _chunks(wanted["assignment"]):
            for a_id, rep_id, plan_id in session.execute(
                select(AssignmentRow.id, AssignmentRow.rep_id, AssignmentRow.plan_id).where(
                    AssignmentRow.id.in_(ids)
                )
            ):
                names.assignments[a_id] = (rep_id, plan_id)
                wanted["rep"].add(rep_id)
                wanted["plan"].add(plan_id)
        for ids in _chunks(wanted["adjustment"]):
            for adj_id, rep_id, month in session.execute(
                select(AdjustmentRow.id, AdjustmentRow.rep_id, AdjustmentRow.month).where(
                    AdjustmentRow.id.in_(ids)
                )
            ):
                names.adjustments[adj_id] = (rep_id, month)
                wanted["rep"].add(rep_id)
        for ids in _chunks(wanted["deal"]):
            for deal_id, external_id, customer in session.execute(
                select(DealRow.id, DealRow.external_id, DealRow.customer).where(DealRow.id.in_(ids))
            ):
                names.deals[deal_id] = (external_id, customer)
        for kind, row, found in (
            ("rep", RepRow, names.reps),
            ("plan", PlanRow, names.plans),
            ("role", RoleRow, names.roles),
        ):
            for ids in _chunks(wanted[kind]):
                query = select(row.id, row.name).where(row.id.in_(ids))
                found.update((key, name) for key, name in session.execute(query))
        return names

    def name(self, kind: str, key: int) -> str:
        found = {"rep": self.reps, "plan": self.plans, "role": self.roles}[kind].get(key)
        return f"#{key} (deleted)" if found is None else found

    def record(self, entity: str, entity_id: str) -> str:
        """The record an entry is about, as people call it."""
        if entity == "company":
            return "Company settings"
        if entity == "history":  # an undo or a redo: the action it took back or did again
            return entity_id
        key = _int(entity_id)
        labels: dict[str, Callable[[int], str]] = {
            "rep": lambda k: f"Rep {self.name('rep', k)}",
            "plan": lambda k: f"Plan {self.name('plan', k)}",
            "role": lambda k: f"Role {self.name('role', k)}",
            "opening_balance": lambda k: f"Opening balance of {self.name('rep', k)}",
            "deal": self._deal,
            "assignment": self._assignment,
            "adjustment": self._adjustment,
        }
        label = labels.get(entity)
        if label is None or key is None:
            return f"{entity.replace('_', ' ').capitalize()} {entity_id}"
        return label(key)

    def _deal(self, key: int) -> str:
        if key not in self.deals:
            return f"Deal #{key} (deleted)"
        external_id, customer = self.deals[key]
        return f"Deal {external_id} ({customer})" if customer else f"Deal {external_id}"

    def _assignment(self, key: int) -> str:
        if key not in self.assignments:
            return f"Assignment #{key} (deleted)"
        rep_id, plan_id = self.assignments[key]
        return f"Assignment of {self.name('rep', rep_id)} to {self.name('plan', plan_id)}"

    def _adjustment(self, key: int) -> str:
        if key not in self.adjustments:
            return f"Adjustment #{key} (deleted)"
        rep_id, month = self.adjustments[key]
        return f"Adjustment for {self.name('rep', rep_id)}, {month}"

    def value(self, field_name: str, text: str) -> str:
        """A stored value with names for the ids it holds."""
        if field_name in ID_FIELDS:
            key = _int(text)
            return text if key is None else self.name(ID_FIELDS[field_name][1], key)

        def named(m: re.Match[str]) -> str:
            label, kind = ID_FIELDS[m["key"]]
            return f"{m['lead']}{label}={self.name(kind, int(m['id']))}"

        def labelled(m: re.Match[str]) -> str:
            return f"{m['lead']}{field_label(m['key'])}: "

        return _NAME_IN_TEXT.sub(labelled, _ID_IN_TEXT.sub(named, text))

    def line(self, e: AuditEntry) -> AuditLine:
        return AuditLine(
            entry=e,
            record=self.record(e.entity, e.entity_id),
            field=field_label(e.field),
            old=self.value(e.field, e.old),
            new=self.value(e.field, e.new),
        )
