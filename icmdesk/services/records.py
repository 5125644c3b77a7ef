"""Create, update and delete every entity, validated and audited, one unit of work each.

One mechanism serves every entity (`_Kind`): load the validation context,
validate (all problems at once), write, diff before/after into the audit
log, return the stored frozen value.

What changed is both reported and returned: `write` and `remove` collect, per unit of
work (in the session's `info`), a `services.changes.Changes` — each record added,
changed or removed with its value before and after, the closed months newly marked
dirty, and (noted by the services that do them) months closed or reopened and settings
changed. Once the transaction commits it goes to the listeners of that company file
(`listen`: the undo history, the window's change hub), and `perform` returns it with the
action's value (`Done`), as Anki's operations return their `OpChanges`. The public
functions keep returning the stored value, so a caller that only wants the value is
unchanged; a rolled-back unit of work reports nothing. The listeners hang on the file's
own session factory, so they live and die with the open file: no global registry.
`replay` applies changes (an undo or a redo, services.history) as a new unit of work
through this same path, audited and marking closed months dirty like any edit.
"""

from __future__ import annotations

import dataclasses
import sys
import threading
import traceback
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any, Generic, TypeVar

from sqlalchemy import delete, event, exists, func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from icmdesk.domain import validation
from icmdesk.domain.calendar import Month
from icmdesk.domain.entities import (
    NEW,
    Adjustment,
    Assignment,
    Company,
    CompanyData,
    Deal,
    OpeningBalance,
    PeriodStatus,
    Plan,
    PlanVersion,
    Rep,
    Role,
)
from icmdesk.domain.errors import NotFoundError, Problem, ValidationError
from icmdesk.models import mapping
from icmdesk.models.database import CompanyFile
from icmdesk.models.tables import (
    AdjustmentRow,
    AssignmentRow,
    CompanyRow,
    CreditRow,
    DealRow,
    DealTypeRow,
    DirtyMonthRow,
    OpeningBalanceRow,
    PeriodRow,
    PlanRow,
    RepRow,
    RoleRow,
    SnapshotRow,
)
from icmdesk.services import audit, store
from icmdesk.services.changes import Change, Changes, Done
from icmdesk.services.store import load_company, load_company_data, load_deals

V = TypeVar("V")
R = TypeVar("R")
T = TypeVar("T")


@dataclass(frozen=True)
class _Kind(Generic[V, R]):
    entity: str
    row_type: type[R]
    value: Callable[[R], V]
    apply: Callable[[R, V], None]
    validate: Callable[[V, CompanyData], list[Problem]]
    label: Callable[[V], str]
    # Deals the validator needs to see (the rest of the context omits deals: files can be big).
    related_deals: Callable[[Session, V], tuple[Deal, ...]] = lambda _s, _v: ()
    # Records of other kinds that go with one of this kind (by id): `remove` removes them
    # first, through the write path, rather than leave them to the database's cascade.
    dependents: Callable[[Session, int], Sequence[tuple[str, int]]] = lambda _s, _i: ()


def _deals_of_rep(session: Session, rep_id: int) -> tuple[Deal, ...]:
    return load_deals(
        session, DealRow.id.in_(select(CreditRow.deal_id).where(CreditRow.rep_id == rep_id))
    )


def _assignments_of_rep(session: Session, rep_id: int) -> list[tuple[str, int]]:
    query = select(AssignmentRow.id).where(AssignmentRow.rep_id == rep_id)
    return [("assignment", i) for i in session.scalars(query.order_by(AssignmentRow.id))]


def _same_external_id(session: Session, deal: Deal) -> tuple[Deal, ...]:
    return load_deals(session, DealRow.external_id == deal.external_id)


ROLE: _Kind[Role, RoleRow] = _Kind(
    "role",
    RoleRow,
    mapping.role_value,
    mapping.apply_role,
    validation.validate_role,
    lambda r: r.name,
)
REP: _Kind[Rep, RepRow] = _Kind(
    "rep",
    RepRow,
    mapping.rep_value,
    mapping.apply_rep,
    validation.validate_rep,
    lambda r: r.name,
    lambda s, r: _deals_of_rep(s, r.id) if r.id else (),
    _assignments_of_rep,
)
PLAN: _Kind[Plan, PlanRow] = _Kind(
    "plan",
    PlanRow,
    mapping.plan_value,
    mapping.apply_plan,
    validation.validate_plan,
    lambda p: p.name,
)
ASSIGNMENT: _Kind[Assignment, AssignmentRow] = _Kind(
    "assignment",
    AssignmentRow,
    mapping.assignment_value,
    mapping.apply_assignment,
    validation.validate_assignment,
    lambda a: f"rep {a.rep_id} from {a.effective_from}",
    lambda s, a: _deals_of_rep(s, a.rep_id),
)
DEAL: _Kind[Deal, DealRow] = _Kind(
    "deal",
    DealRow,
    mapping.deal_value,
    mapping.apply_deal,
    validation.validate_deal,
    lambda d: d.external_id,
    _same_external_id,
)
ADJUSTMENT: _Kind[Adjustment, AdjustmentRow] = _Kind(
    "adjustment",
    AdjustmentRow,
    mapping.adjustment_value,
    mapping.apply_adjustment,
    validation.validate_adjustment,
    lambda a: f"{a.month} {a.amount}",
)
KINDS: dict[str, _Kind[Any, Any]] = {
    k.entity: k for k in (ROLE, REP, PLAN, ASSIGNMENT, DEAL, ADJUSTMENT)
}


def context(session: Session, kind: _Kind[V, Any], value: V) -> CompanyData:
    """What validating `value` needs to see of the company."""
    data = load_company_data(session, deals=False, history=False, snapshots=False)
    return dataclasses.replace(data, deals=kind.related_deals(session, value))


def _save(cf: CompanyFile, kind: _Kind[V, R], value: V) -> V:
    with cf.session() as session:
        found = kind.validate(value, context(session, kind, value))
        if found:
            raise ValidationError(found)
        return write(session, kind, value)


def _delete(cf: CompanyFile, kind: _Kind[V, R], value_id: int) -> V:
    with cf.session() as session:
        return remove(session, kind, value_id)


def write(session: Session, kind: _Kind[V, R], value: V, *, restore: bool = False) -> V:
    """Store an already validated value in the caller's unit of work: the one write path
    (constraint errors as problems, dirty closed months, the audit log, the unit of
    work's `Changes`). `restore`: a value whose record no longer exists is created again
    under its own id (an undone delete, a redone add) instead of being refused."""
    value_id = value.id  # type: ignore[attr-defined]
    if value_id == NEW:
        row = kind.row_type()
        kind.apply(row, value)
        session.add(row)
        before = None
    else:
        existing = session.get(kind.row_type, value_id)
        if existing is None and not restore:
            raise NotFoundError(f"{kind.entity} {value_id} no longer exists")
        if existing is None:
            row = kind.row_type()
            kind.apply(row, value)
            row.id = value_id  # type: ignore[attr-defined]
            session.add(row)
            before = None
        else:
            row = existing
            before = kind.value(row)
            kind.apply(row, value)
    _flush(session, f"Cannot save {kind.entity} '{kind.label(value)}'")
    after = kind.value(row)
    if after == before:
        return after  # saved as it was: nothing changed, nothing to correct or record
    _note(session, kind, before, after)
    audit.record(
        session,
        action="create" if before is None else "update",
        entity=kind.entity,
        entity_id=after.id,  # type: ignore[attr-defined]
        before=before,
        after=after,
    )
    return after


def remove(session: Session, kind: _Kind[V, R], value_id: int) -> V:
    """Delete a record in the caller's unit of work (refused while others refer to it),
    its dependents first (a rep's plan assignments), each recorded like any delete."""
    row = session.get(kind.row_type, value_id)
    if row is None:
        raise NotFoundError(f"{kind.entity} {value_id} no longer exists")
    dependents = kind.dependents(session, value_id)
    for entity, dependent_id in dependents:
        remove(session, KINDS[entity], dependent_id)
    before = kind.value(row)
    if dependents:  # the action is named by this record, not its first dependent
        unit = _collector(session)
        unit.what = (
            unit.what or Change(kind.entity, value_id, kind.label(before), before, None).label
        )
    session.delete(row)
    _flush(
        session,
        f"Cannot delete {kind.entity} '{kind.label(before)}': other records still refer to it",
    )
    _note(session, kind, before, None)
    audit.record(session, action="delete", entity=kind.entity, entity_id=value_id, before=before)
    return before


# -- what each unit of work changed (see the module's docstring) ----------------------------

_UNIT = "icmdesk.changes"  # session.info: the unit of work's _Collector
_LISTENERS = "icmdesk.change_listeners"  # the session factory's info, shared by its sessions
_LISTENING = threading.Lock()


@dataclass
class _Collector:
    """What a unit of work has written so far."""

    items: dict[tuple[str, int], Change] = field(default_factory=dict)
    dirty: set[Month] = field(default_factory=set)
    not_undoable: str = ""
    replay: bool = False
    closed: set[Month] = field(default_factory=set)
    reopened: set[Month] = field(default_factory=set)
    settings: bool = False
    bulk: set[str] = field(default_factory=set)
    what: str = ""

    def add(self, change: Change) -> None:
        key = (change.entity, change.id)
        earlier = self.items.get(key)
        if earlier is not None:  # written again: its first before, its last after
            change = dataclasses.replace(change, before=earlier.before)
        if change.before == change.after:  # added then removed, or changed back
            self.items.pop(key, None)
        else:
            self.items[key] = change  # an earlier key keeps its place

    def changes(self) -> Changes:
        return Changes(
            tuple(self.items.values()),
            tuple(sorted(self.dirty)),
            self.not_undoable,
            self.replay,
            closed=tuple(sorted(self.closed)),
            reopened=tuple(sorted(self.reopened)),
            settings=self.settings,
            bulk=frozenset(self.bulk),
            what=self.what,
        )


def _collector(session: Session) -> _Collector:
    unit = session.info.get(_UNIT)
    if unit is None:
        unit = session.info[_UNIT] = _Collector()
    return unit


def _report(session: Session) -> None:
    unit: _Collector | None = session.info.pop(_UNIT, None)
    if unit is None:
        return
    changes = unit.changes()
    if changes or changes.not_undoable:
        for listener in tuple(session.info.get(_LISTENERS, ())):
            try:
                listener(changes)
            except Exception:  # a bug of the listener's: the write stands, the others hear
                sys.excepthook(*sys.exc_info())


def _forget(session: Session) -> None:
    session.info.pop(_UNIT, None)  # rolled back: nothing changed


def _dirty_now(session: Session) -> set[Month]:
    return set(
        session.scalars(select(DirtyMonthRow.month).where(DirtyMonthRow.cleared_by.is_(None)))
    )


def _note(session: Session, kind: _Kind[V, R], before: V | None, after: V | None) -> None:
    """Record one record's change in the unit of work: its closed months marked dirty
    (re-verified when the first open month is computed) and its `Change`."""
    unit = _collector(session)
    dirty = _dirty_now(session)
    store.mark_edit(session, kind.entity, before, after)
    unit.dirty |= _dirty_now(session) - dirty
    value: Any = after if after is not None else before
    unit.add(Change(kind.entity, value.id, kind.label(value), before, after))


def not_undoable(session: Session, reason: str) -> None:
    """Say that the caller's unit of work cannot be undone, and why (it writes outside
    `write` and `remove` too, as the imports' bulk inserts do): its `Changes` says so."""
    _collector(session).not_undoable = reason


# What services that write outside `write` and `remove` note in their unit of work.
NOT_UNDONE_PERIODS = "Closing or reopening a month is not undone here (Periods ▸ Reopen)."
NOT_UNDONE_SETTINGS = "The company settings are not undone here (edit them again)."


def note_closed(session: Session, month: Month) -> None:
    """The caller's unit of work closes `month` (not undoable: Periods ▸ Reopen)."""
    unit = _collector(session)
    unit.closed.add(month)
    unit.not_undoable = unit.not_undoable or NOT_UNDONE_PERIODS


def note_reopened(session: Session, month: Month) -> None:
    """The caller's unit of work reopens `month` (not undoable: close it again)."""
    unit = _collector(session)
    unit.reopened.add(month)
    unit.not_undoable = unit.not_undoable or NOT_UNDONE_PERIODS


def note_settings(session: Session) -> None:
    """The caller's unit of work changes the company's settings or opening balances."""
    unit = _collector(session)
    unit.settings = True
    unit.not_undoable = unit.not_undoable or NOT_UNDONE_SETTINGS


def note_bulk(session: Session, entity: str, reason: str) -> None:
    """The caller's unit of work writes rows of `entity` past `write` (an import's bulk
    inserts): its `Changes` names the entity without an item per record, and cannot be
    undone, for `reason`."""
    unit = _collector(session)
    unit.bulk.add(entity)
    unit.not_undoable = reason


# The most records one import may write and still be undone here: each is kept in memory
# with its value before and after, and an undo writes them back one by one through `write`.
UNDO_LIMIT = 1_000


def note_imported(
    session: Session,
    entity: str,
    before: dict[int, Any] | None,
    count: int,
    what: str,
    *,
    backup: bool,
) -> None:
    """An import wrote `count` records of `entity` past `write`, with Core's bulk
    statements, in the caller's unit of work; `what` names the action ("Import deals from
    crm.csv"). `before` maps each one's id to its value before (None for one added), kept
    by the import only when `count` is at most `UNDO_LIMIT`: each becomes a `Change` (its
    value now read back), so the import is undone like any edit. Without it, the
    `Changes` names only the entity and says why it cannot be undone (`backup`: a backup
    was taken before the import, which File ▸ Restore… brings back)."""
    unit = _collector(session)
    unit.what = what
    if not count:
        return
    if before is None or count > UNDO_LIMIT:
        restore = " File ▸ Restore… brings back the backup taken before it." if backup else ""
        note_bulk(
            session,
            entity,
            f"“{what}” wrote {count:,} records, more than Undo keeps ({UNDO_LIMIT:,}).{restore}",
        )
        return
    kind = KINDS[entity]
    ids = sorted(before)
    if kind is DEAL:
        after = {d.id: d for d in load_deals(session, DealRow.id.in_(ids))}
    else:
        # Read afresh: rows the session loaded before the Core updates hold old values.
        rows = session.scalars(
            select(kind.row_type)
            .where(kind.row_type.id.in_(ids))
            .execution_options(populate_existing=True)
        )
        after = {r.id: kind.value(r) for r in rows}
    for value_id in ids:
        value = after[value_id]
        unit.add(Change(entity, value_id, kind.label(value), before[value_id], value))


class ImportKept:
    """What an import writing past `write` keeps for its unit of work's `Changes`
    (`importing`): each record's value before it (None: added), while it is small enough
    to undo."""

    def __init__(self, count: int) -> None:
        self.before: dict[int, Any] | None = {} if count <= UNDO_LIMIT else None

    def updated(self, value_id: int, before: object) -> None:
        if self.before is not None:
            self.before[value_id] = before

    def added(self, ids: Iterable[int]) -> None:
        if self.before is not None:
            self.before.update(dict.fromkeys(ids))


@contextmanager
def importing(session: Session, entity: str, count: int, what: str) -> Iterator[ImportKept]:
    """An import of `count` records of `entity` written past `write` in the caller's unit
    of work, named `what` ("Import deals from crm.csv"): the block tells the `ImportKept`
    it is given what it adds and updates; once the block is done the closed months it
    marked dirty and the records it wrote are noted (`note_imported`, a backup having
    been taken before it)."""
    kept = ImportKept(count)
    dirty = _dirty_now(session)
    yield kept
    _collector(session).dirty.update(_dirty_now(session) - dirty)
    note_imported(session, entity, kept.before, count, what, backup=True)


def listen(cf: CompanyFile, on_changes: Callable[[Changes], None]) -> Callable[[], None]:
    """Call `on_changes` with what each unit of work that wrote to `cf` through this
    module changed, once it has committed (on the thread that committed; a rolled-back
    one reports nothing). Returns the function that stops it. The listeners are kept by
    the file's session factory, so they go when the file is closed and dropped."""
    with _LISTENING:
        info = dict(cf.sessions.kw.get("info") or {})
        listeners: list[Callable[[Changes], None]] | None = info.get(_LISTENERS)
        if listeners is None:  # the file's first listener: its sessions report from now on
            listeners = info[_LISTENERS] = []
            cf.sessions.configure(info=info)
            event.listen(cf.sessions, "after_commit", _report)
            event.listen(cf.sessions, "after_rollback", _forget)
        listeners.append(on_changes)

    def stop() -> None:
        with _LISTENING:
            if on_changes in listeners:
                listeners.remove(on_changes)

    return stop


def perform(cf: CompanyFile, action: Callable[[], T]) -> Done[T]:
    """Run `action` — one user action, a service call that commits one unit of work to
    `cf` — and return its value with what it changed:
    `perform(cf, lambda: save_deal(cf, deal))` → `Done(deal, Changes(...))`. Only units of
    work committed on this thread count (a worker's meanwhile do not); an action that
    wrote nothing returns an empty `Changes`. Raises whatever the action raises."""
    me = threading.get_ident()
    seen: list[Changes] = []

    def mine(changes: Changes) -> None:
        if threading.get_ident() == me:
            seen.append(changes)

    stop = listen(cf, mine)
    try:
        value = action()
    finally:
        stop()
    return Done(value, merged(seen))


def merged(all_changes: Sequence[Changes]) -> Changes:
    """Several units of work's changes as one (a close that also computed, say)."""
    if len(all_changes) == 1:
        return all_changes[0]
    unit = _Collector()
    for changes in all_changes:
        for change in changes.items:
            unit.add(change)
        unit.dirty.update(changes.dirty_months)
        unit.closed.update(changes.closed)
        unit.reopened.update(changes.reopened)
        unit.settings = unit.settings or changes.settings
        unit.bulk.update(changes.bulk)
        unit.not_undoable = unit.not_undoable or changes.not_undoable
        unit.replay = unit.replay or changes.replay
        unit.what = unit.what or changes.what
    return unit.changes()


@contextmanager
def collecting(cf: CompanyFile) -> Iterator[list[Changes]]:
    """The `Changes` of every unit of work committed to `cf` inside the block, in order:
    `with collecting(cf) as seen: save_deal(cf, deal)` leaves `seen == [Changes(...)]`."""
    seen: list[Changes] = []
    stop = listen(cf, seen.append)
    try:
        yield seen
    finally:
        stop()


def replay(cf: CompanyFile, steps: Sequence[Change], *, what: str) -> Changes:
    """Apply `steps` as one new unit of work through the write path (audited, closed
    months marked dirty): each takes its record from `before` (None: absent) to `after`
    (None: removed; a record removed comes back under its id). An undo replays
    `Changes.inverse()`, a redo the changes themselves.

    Refused with nothing written (ValidationError, in words naming `what`, "undo Edit
    deal D-1042") when a record is no longer as its step expects (it changed since) or
    the result breaks a rule now. Returns what it changed (`replay` set)."""
    with cf.session() as session:
        unit = _collector(session)
        unit.replay = True
        stale = []
        for step in steps:
            kind = KINDS[step.entity]
            row = session.get(kind.row_type, step.id)
            now = kind.value(row) if row is not None else None
            if now != step.before:
                since = (
                    "was deleted"
                    if now is None
                    else "was added again"
                    if step.before is None
                    else "was changed"
                )
                stale.append(Problem("", f"Cannot {what}: {step.words} {since} since."))
        if stale:
            raise ValidationError(stale)
        # What validating a step sees of the company, read again only after a step that
        # changes it (a role, rep, plan or assignment): an import's thousands of deals
        # are validated against one reading.
        base: CompanyData | None = None
        for step in steps:
            kind = KINDS[step.entity]
            if step.after is None:
                remove(session, kind, step.id)
            else:
                if base is None:
                    base = load_company_data(session, deals=False, history=False, snapshots=False)
                seen = dataclasses.replace(base, deals=kind.related_deals(session, step.after))
                found = kind.validate(step.after, seen)
                if kind is PLAN:
                    assert isinstance(step.after, Plan)
                    if isinstance(step.before, Plan):
                        found = _kept_versions(session, step.before, step.after) + found
                    found += _uncovered_deals(session, step.after)
                if found:
                    raise ValidationError(
                        [Problem(p.field, f"Cannot {what}: {p.message}") for p in found]
                    )
                write(session, kind, step.after, restore=True)
            if kind not in (DEAL, ADJUSTMENT):
                base = None  # it changed what the next steps are validated against
        # The log says which action this was ("undo" of "Edit deal D-1042"), beside the
        # edits it made.
        verb, _, label = what.partition(" ")
        audit.record(session, action=verb, entity="history", entity_id=label[:100], after=what)
        return unit.changes()


def _flush(session: Session, message: str) -> None:
    try:
        session.flush()
    except IntegrityError as e:
        detail = str(e.orig) if e.orig else ""
        _let_go_of_stack(e)
    else:
        return
    # Raised outside the handler: the refusal does not carry SQLAlchemy's error along
    # (`from None` only hides it; __context__ would still hold it).
    raise ValidationError([Problem("", f"{message} ({detail})" if detail else message)])


def _let_go_of_stack(error: BaseException) -> None:
    """Drop the frames an exception and its causes hold.

    SQLAlchemy's IntegrityError sits in reference cycles (frames of its traceback hold
    it, its session transaction keeps it), and a frame that outlives its call keeps its
    caller's frame (f_back), and so on up the stack, locals included. Left alone, a
    refused save or delete keeps whatever its callers held (the view that asked, and so
    its widgets) until the cyclic garbage collector next runs: at any allocation, on any
    thread, in the middle of painting that very view (the TierChart segfault).
    """
    pending = [error]
    seen: set[int] = set()
    while pending:
        e = pending.pop()
        if id(e) in seen:
            continue
        seen.add(id(e))
        if e.__traceback__ is not None:
            traceback.clear_frames(e.__traceback__)
            e.__traceback__ = None
        pending += [c for c in (e.__cause__, e.__context__) if c is not None]


def _getter(kind: _Kind[V, R]) -> Callable[[CompanyFile, int], V]:
    def get(cf: CompanyFile, value_id: int) -> V:
        with cf.session() as session:
            row = session.get(kind.row_type, value_id)
            if row is None:
                raise NotFoundError(f"{kind.entity} {value_id} does not exist")
            return kind.value(row)

    get.__doc__ = f"The {kind.entity} with this id."
    return get


# Public API: one trio per entity.
def save_role(cf: CompanyFile, role: Role) -> Role:
    """Create (id NEW) or update a role."""
    return _save(cf, ROLE, role)


def save_rep(cf: CompanyFile, rep: Rep) -> Rep:
    """Create (id NEW) or update a rep."""
    return _save(cf, REP, rep)


def save_plan(cf: CompanyFile, plan: Plan) -> Plan:
    """Create (id NEW) or update a plan with its versions. A version in force in a closed
    month (see `version_was_paid_from`) is kept as it was: changing or removing it is
    refused (add a new version from a date instead: services.plan_edit)."""
    if plan.id == NEW:
        return _save(cf, PLAN, plan)
    with cf.session() as session:
        row = session.get(PlanRow, plan.id)
        if row is None:
            raise NotFoundError(f"plan {plan.id} no longer exists")
        kept = _kept_versions(session, mapping.plan_value(row), plan)
        if kept:
            raise ValidationError(kept)
        found = PLAN.validate(plan, context(session, PLAN, plan))
        found += _uncovered_deals(session, plan)
        if found:
            raise ValidationError(found)
        return write(session, PLAN, plan)


def _kept_versions(session: Session, stored: Plan, plan: Plan) -> list[Problem]:
    """The stored versions in force in a closed month that `plan` would change or remove."""
    now = {v.id: v for v in plan.versions}
    return [
        Problem(
            "versions",
            f"The version from {v.effective_from} was in force in a closed month: it "
            "stays as it was. Add a new version from a date instead.",
        )
        for v in stored.versions
        if now.get(v.id) != v and _paid_from(session, stored.id, v)
    ]


def add_plan_version(cf: CompanyFile, plan_id: int, version: PlanVersion) -> Plan:
    """Edit a plan in use the safe way: a new version effective from a date, placed among
    the others by its date (it may be back-dated between two); the old ones stay."""
    plan = get_plan(cf, plan_id)
    return save_plan(cf, dataclasses.replace(plan, versions=_by_date(*plan.versions, version)))


def _by_date(*versions: PlanVersion) -> tuple[PlanVersion, ...]:
    return tuple(sorted(versions, key=lambda v: v.effective_from))


def version_was_paid_from(cf: CompanyFile, plan_id: int, version: PlanVersion) -> bool:
    """Whether something may have been paid from a stored version: an assignment uses its
    plan and the version took effect on or before the last day of the latest closed month
    (months before the first close count as closed). Such a version is never rewritten."""
    with cf.session() as session:
        return _paid_from(session, plan_id, version)


def _paid_from(session: Session, plan_id: int, version: PlanVersion) -> bool:
    last_closed = session.scalar(
        select(func.max(PeriodRow.month)).where(PeriodRow.status == PeriodStatus.CLOSED.value)
    )
    if last_closed is None or version.effective_from > last_closed.last_day:
        return False
    return session.scalar(select(exists().where(AssignmentRow.plan_id == plan_id))) or False


def _uncovered_deals(session: Session, plan: Plan) -> list[Problem]:
    """Deals the plan rates (credited to a rep on its close date under an assignment to it)
    that would fall before its first version, so have none to be rated by. Read in SQL: a
    plan may rate a great many deals, and only the first version's date can uncover any."""
    if plan.id == NEW or not plan.versions:
        return []
    first = min(v.effective_from for v in plan.versions)
    books = session.scalar(select(CompanyRow.books_start))
    since = books.first_day if books is not None else date.min
    rows = session.execute(
        select(RepRow.name, DealRow.external_id)
        .join(CreditRow, CreditRow.deal_id == DealRow.id)
        .join(RepRow, RepRow.id == CreditRow.rep_id)
        .join(
            AssignmentRow,
            (AssignmentRow.rep_id == CreditRow.rep_id)
            & (AssignmentRow.plan_id == plan.id)
            & (AssignmentRow.effective_from <= DealRow.close_date)
            & (
                AssignmentRow.effective_to.is_(None)
                | (AssignmentRow.effective_to >= DealRow.close_date)
            ),
        )
        .where(DealRow.close_date < first, DealRow.close_date >= since)
        .order_by(RepRow.name, DealRow.close_date, DealRow.external_id)
    )
    by_rep: dict[str, list[str]] = {}
    for rep_name, external_id in rows:
        by_rep.setdefault(rep_name, []).append(external_id)
    return [
        Problem(
            "versions",
            f"{_count(ids, 'deal')} credited to {rep_name} would have no plan version on "
            f"{'its' if len(ids) == 1 else 'their'} close date: {_some(ids)}.",
        )
        for rep_name, ids in by_rep.items()
    ]


def _count(items: list[str], noun: str) -> str:
    return f"1 {noun}" if len(items) == 1 else f"{len(items)} {noun}s"


def _some(items: list[str], limit: int = 5) -> str:
    shown = ", ".join(items[:limit])
    return shown if len(items) <= limit else f"{shown} and {len(items) - limit} more"


def _about_version(problem: Problem, at: int) -> Problem:
    prefix = f"versions[{at}]"
    if problem.field == prefix or problem.field.startswith(prefix + "."):
        return Problem("version" + problem.field[len(prefix) :], problem.message)
    return problem


def save_assignment(cf: CompanyFile, assignment: Assignment) -> Assignment:
    """Create (id NEW) or update a rep's plan assignment (with its draw)."""
    return _save(cf, ASSIGNMENT, assignment)


def save_deal(cf: CompanyFile, deal: Deal, *, currency: str | None = None) -> Deal:
    """Create (id NEW) or update a deal with its credits and payments.

    `currency`, when the deal came with one (entry form, import), must be the company's.
    """
    kind = DEAL
    if currency is not None:
        kind = dataclasses.replace(
            DEAL, validate=lambda d, data: validation.validate_deal(d, data, currency=currency)
        )
    return _save(cf, kind, deal)


def save_adjustment(cf: CompanyFile, adjustment: Adjustment) -> Adjustment:
    """Create (id NEW) or update a manual adjustment."""
    return _save(cf, ADJUSTMENT, adjustment)


def delete_role(cf: CompanyFile, role_id: int) -> Role:
    return _delete(cf, ROLE, role_id)


def delete_rep(cf: CompanyFile, rep_id: int) -> Rep:
    """Delete a rep who has no history, with their plan assignments (each through
    `remove`, so that Undo brings them back with the rep). Refused, saying why, while the
    rep is credited on a deal, has an adjustment, a closed statement or an opening
    balance, or manages another rep: a rep who left keeps their history."""
    with cf.session() as session:
        row = session.get(RepRow, rep_id)
        if row is None:
            raise NotFoundError(f"rep {rep_id} no longer exists")
        why = _rep_history(session, rep_id)
        if why:
            raise ValidationError(
                [
                    Problem(
                        "",
                        f"{row.name} {_and(why)}: a rep with a history cannot be deleted. "
                        "A rep who left keeps it: set a termination date instead.",
                    )
                ]
            )
        return remove(session, REP, rep_id)


def _rep_history(session: Session, rep_id: int) -> list[str]:
    """What keeps a rep from being deleted, in words ("is credited on 3 deals")."""
    counted = (
        (CreditRow, CreditRow.rep_id, "is credited on {} deal{}"),
        (AdjustmentRow, AdjustmentRow.rep_id, "has {} adjustment{}"),
        (SnapshotRow, SnapshotRow.rep_id, "has {} closed statement{}"),
        (RepRow, RepRow.manager_id, "manages {} rep{}"),
    )
    why = []
    for table, column, words in counted:
        n = session.scalar(select(func.count()).select_from(table).where(column == rep_id)) or 0
        if n:
            why.append(words.format(f"{n:,}", "" if n == 1 else "s"))
    if session.get(OpeningBalanceRow, rep_id) is not None:
        why.append("has an opening balance (Settings)")
    return why


def _and(items: list[str]) -> str:
    return items[0] if len(items) == 1 else f"{', '.join(items[:-1])} and {items[-1]}"


def delete_plan(cf: CompanyFile, plan_id: int) -> Plan:
    return _delete(cf, PLAN, plan_id)


def delete_deal(cf: CompanyFile, deal_id: int) -> Deal:
    return _delete(cf, DEAL, deal_id)


def delete_adjustment(cf: CompanyFile, adjustment_id: int) -> Adjustment:
    return _delete(cf, ADJUSTMENT, adjustment_id)


get_role = _getter(ROLE)
get_rep = _getter(REP)
get_plan = _getter(PLAN)
get_assignment = _getter(ASSIGNMENT)
get_deal = _getter(DEAL)
get_adjustment = _getter(ADJUSTMENT)


def find_deal(cf: CompanyFile, external_id: str) -> Deal | None:
    """The deal with this external (CRM) id, if any."""
    with cf.session() as session:
        deals = load_deals(session, DealRow.external_id == external_id)
        return deals[0] if deals else None


# Company settings and files.
def create_company_file(path: Path, company: Company) -> CompanyFile:
    """Create a new company file with these settings; nothing is left behind on failure."""
    problems = validation.validate_company_settings(company)
    if problems:
        raise ValidationError(problems)
    cf = CompanyFile.create(path)
    try:
        with cf.session() as session:
            row = CompanyRow()
            mapping.apply_company(row, company)
            session.add(row)
            session.add_all(DealTypeRow(name=t) for t in company.deal_types)
            audit.record(session, action="create", entity="company", entity_id=1, after=company)
    except BaseException:
        cf.close()
        for p in (path, Path(f"{path}-wal"), Path(f"{path}-shm")):
            p.unlink(missing_ok=True)
        raise
    return cf


def _latest_closed(session: Session) -> Month | None:
    return session.scalar(
        select(func.max(PeriodRow.month)).where(PeriodRow.status == PeriodStatus.CLOSED.value)
    )


def latest_closed_month(cf: CompanyFile) -> Month | None:
    """The latest closed month (None while nothing is closed): the currency, the books
    start and the opening balances are fixed from the first close on."""
    with cf.session() as session:
        return _latest_closed(session)


def opening_balances(cf: CompanyFile) -> tuple[OpeningBalance, ...]:
    """Every rep's opening balance at the books start."""
    with cf.session() as session:
        return store.load_opening_balances(session)


def save_opening_balances(
    cf: CompanyFile, balances: Sequence[OpeningBalance]
) -> tuple[OpeningBalance, ...]:
    """Replace the opening balances with these (a rep left out, or all zero, has none),
    validated together and audited, in one unit of work; refused once a month is closed
    (the first closed statements carry them). Problems about the i-th balance are
    reported under "opening_balances[i].<field>"."""
    with cf.session() as session:
        _replace_openings(session, load_company(session), balances)
        return store.load_opening_balances(session)


def _replace_openings(
    session: Session, company: Company, balances: Sequence[OpeningBalance]
) -> None:
    data = dataclasses.replace(
        load_company_data(session, deals=False, history=False, snapshots=False), company=company
    )
    before = {ob.rep_id: ob for ob in data.opening_balances}
    after = {ob.rep_id: ob for ob in balances if not ob.is_zero}
    closed = _latest_closed(session)
    if closed is not None and before != after:
        raise ValidationError(
            [
                Problem(
                    "opening_balances",
                    f"The opening balances cannot change once a month is closed ({closed} "
                    "is): its statements carry them.",
                )
            ]
        )
    problems: list[Problem] = []
    seen: set[int] = set()
    for i, ob in enumerate(balances):
        if ob.rep_id in seen:
            problems.append(Problem(f"opening_balances[{i}].rep_id", "This rep is listed twice."))
        seen.add(ob.rep_id)
        if ob.is_zero:
            continue
        for p in validation.validate_opening_balance(ob, data):
            field = f"opening_balances[{i}].{p.field}" if p.field else f"opening_balances[{i}]"
            problems.append(Problem(field, p.message))
    if problems:
        raise ValidationError(problems)
    for rep_id in sorted(before.keys() | after.keys()):
        old, new = before.get(rep_id), after.get(rep_id)
        if old == new:
            continue
        existing = session.get(OpeningBalanceRow, rep_id)
        if new is None:
            session.delete(existing)
        else:
            row = existing or OpeningBalanceRow()
            mapping.apply_opening_balance(row, new)
            session.add(row)
        audit.record(
            session,
            action="create" if old is None else "delete" if new is None else "update",
            entity="opening_balance",
            entity_id=rep_id,
            before=old,
            after=new,
        )
        note_settings(session)
    _flush(session, "Cannot save the opening balances")


def get_company(cf: CompanyFile) -> Company:
    """The company's settings."""
    with cf.session() as session:
        return load_company(session)


def update_company(
    cf: CompanyFile,
    company: Company,
    *,
    opening_balances: Sequence[OpeningBalance] | None = None,
) -> Company:
    """Change the company settings (name, address, currency, fiscal year, defaults, logo,
    books start, ...) and, when given, the opening balances with them (see
    `save_opening_balances`), in one unit of work. The currency and the books start
    change only while no month is closed; the opening balances kept must still hold
    under the new settings."""
    problems = validation.validate_company_settings(company)
    if problems:
        raise ValidationError(problems)
    with cf.session() as session:
        row = session.get(CompanyRow, 1)
        assert row is not None
        before = load_company(session)
        closed = _latest_closed(session)
        if closed is not None:
            # Closed statements were paid in this currency and from this books start.
            locked = []
            if company.currency != before.currency:
                locked.append(
                    Problem(
                        "currency",
                        f"The currency cannot change once a month is closed ({closed} is).",
                    )
                )
            if company.books_start != before.books_start:
                locked.append(
                    Problem(
                        "books_start",
                        f"The books start cannot change once a month is closed ({closed} is).",
                    )
                )
            if locked:
                raise ValidationError(locked)
        kept = store.load_opening_balances(session)
        _replace_openings(session, company, kept if opening_balances is None else opening_balances)
        mapping.apply_company(row, company)
        dirty = _dirty_now(session)
        store.mark_company_change(session, before, company)
        _collector(session).dirty.update(_dirty_now(session) - dirty)
        session.execute(delete(DealTypeRow))
        session.add_all(DealTypeRow(name=t) for t in company.deal_types)
        _flush(session, "Cannot save the company settings")
        if company != before:
            note_settings(session)
        audit.record(
            session, action="update", entity="company", entity_id=1, before=before, after=company
        )
        return company
