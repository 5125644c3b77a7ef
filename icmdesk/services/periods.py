"""The month-end workflow: compute an open month, close it, reopen the latest close.

Computing is free and repeatable. Closing stores every rep's statement as a
snapshot with its content hash, in one transaction, after an automatic backup;
months close in order; the close's audit entry seals the statements' content hashes
into the history chain (services.audit). Only the latest closed month can be
reopened, and that is recorded in the audit log: the statements it deletes are owed to
no close after it, so the chain stays whole.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

from sqlalchemy import delete, func, select, update
from sqlalchemy.orm import Session

from icmdesk.domain import engine
from icmdesk.domain.calendar import Month, months_between
from icmdesk.domain.entities import PeriodStatus, Progress
from icmdesk.domain.errors import PeriodError
from icmdesk.domain.statement import LineKind, Statement, StatementTotals
from icmdesk.domain.statement_codec import snapshot_of
from icmdesk.models import mapping
from icmdesk.models.database import CompanyFile
from icmdesk.models.tables import CompanyRow, DirtyMonthRow, PeriodRow, SnapshotRow
from icmdesk.services import audit, backups, records
from icmdesk.services.backups import write_backup as backup_file
from icmdesk.services.store import (
    bulk_objects,
    data_month_bounds,
    delete_progress,
    load_company_data,
    load_for_months,
    mark_dirty,
    save_progress,
)


@dataclass(frozen=True, slots=True)
class PeriodInfo:
    month: Month
    status: PeriodStatus
    closed_at: datetime | None  # None for a closed month: before the first close
    next_to_close: bool = False  # the one month that can close now (closable_month)
    reopenable: bool = False  # the one month that may be reopened (reopenable_month)

    @property
    def status_text(self) -> str:
        """'Open', 'Open · next to close', 'Closed', or 'Closed, no statements' (a month
        before the first close)."""
        if self.status is PeriodStatus.OPEN:
            return "Open · next to close" if self.next_to_close else "Open"
        return "Closed" if self.closed_at is not None else "Closed, no statements"


def compute(cf: CompanyFile, month: Month, *, rep_id: int | None = None) -> tuple[Statement, ...]:
    """Every rep's statement for `month`, lines and all (closed months: exactly as stored).

    Loads only what the month needs (store.load_for_months): with every earlier month
    closed, the month's quota periods and the closed months edits have touched since the
    last close (dirty_months), not all of history.
    """
    with cf.session() as session:
        statements = _compute(session, month, month)[month]
    if rep_id is not None:
        statements = tuple(s for s in statements if s.rep_id == rep_id)
    return statements


def compute_all(
    cf: CompanyFile, first: Month, last: Month
) -> dict[Month, tuple[StatementTotals, ...]]:
    """Every rep's figures (E, draw, recovery, payout, balances, YTD) for every month of a
    range, in one pass; `compute` gives a month's full statement.

    Loads what the months need, as `compute` does; closed months are their stored figures.
    """
    with cf.session() as session, bulk_objects():
        needed = load_for_months(session, first, last)
        result = engine.compute_totals(
            needed.data,
            first,
            last,
            verify_months=needed.verify_months,
            context_deals=needed.context_deals,
            progress=needed.progress,
        )
        del needed  # freed before the collector is back: it would scan it all once more
    return result


def _compute(session: Session, first: Month, last: Month) -> dict[Month, tuple[Statement, ...]]:
    return _compute_recording(session, first, last, record=False)[0]


def _compute_recording(
    session: Session, first: Month, last: Month, *, record: bool
) -> tuple[dict[Month, tuple[Statement, ...]], frozenset[Month], Progress]:
    """The statements of `first`..`last`; with `record`, the months whose standing
    closing `last` stores, and that standing (engine.quota_progress): `last` and each
    closed month re-verified, whose stored standing may no longer hold."""
    # Millions of small objects are built and dropped: the cyclic collector would scan
    # them again and again for nothing (store.bulk_objects). They are freed before it is
    # back on, or its first run would scan them all once more.
    with bulk_objects():
        needed = load_for_months(session, first, last)
        data, context, progress = needed.data, needed.context_deals, needed.progress
        months = {last} | (needed.verify_months or frozenset()) if record else frozenset()
        result = engine.compute_range(
            data,
            first,
            last,
            verify_months=needed.verify_months,
            context_deals=context,
            progress=progress,
        )
        stale = needed.stale_reps
        del needed
        if stale and any(
            s.rep_id in stale for items in result.values() for s in items if not s.closed
        ):
            # A rep back on a statement after months without one: their awaiting lines
            # cannot be carried from the last closed month, so compute from everything.
            data = load_company_data(session, history=False)
            context, progress = frozenset(), Progress()
            result = engine.compute_range(data, first, last)
        standing = engine.quota_progress(
            data, frozenset(months), context_deals=context, progress=progress
        )
        del data
    return result, frozenset(months), standing


def list_periods(cf: CompanyFile, *, through: Month | None = None) -> list[PeriodInfo]:
    """Every payout month from the first statement month through `through` (default: the
    last month with data, or the month after the latest closed month if later), with its
    status; a month before the latest close that never closed itself is closed (with no
    statements)."""
    with cf.session() as session:
        first, last_data = data_month_bounds(session)
        stored = {
            p.month: p
            for p in (mapping.period_value(r) for r in session.scalars(select(PeriodRow)))
        }
    if first is None and not stored:
        return []
    first = min([m for m in (first, *stored) if m is not None])
    closed = [m for m, p in stored.items() if p.status is PeriodStatus.CLOSED]
    last_closed = max(closed) if closed else None
    # Through the last month with data, and at least the month that can close next.
    ends = [last_data, *stored, last_closed.plus(1) if last_closed else None]
    last = through or max([m for m in ends if m is not None], default=first)
    nxt = last_closed.plus(1) if last_closed is not None else first
    return [
        PeriodInfo(m, PeriodStatus.CLOSED, stored[m].closed_at, reopenable=m == last_closed)
        if m in stored and stored[m].status is PeriodStatus.CLOSED
        # Before the latest close and not closed itself: closed with no statements.
        else PeriodInfo(
            m,
            PeriodStatus.CLOSED
            if last_closed is not None and m < last_closed
            else PeriodStatus.OPEN,
            None,
            m == nxt,
        )
        for m in months_between(first, last)
    ]


def close(
    cf: CompanyFile, month: Month, *, backup_dir: Path | None = None
) -> tuple[Statement, ...]:
    """Close `month`: snapshot every statement with its content hash; months close in order.

    A backup copy of the file is written first (to `backup_dir`, default a
    "Backups" folder beside the file). The statements carry the corrections of every
    dirty closed month, so the dirty markers are cleared with the close (until it is
    reopened). The standing the close leaves is stored with it (store.save_progress).
    """
    with cf.session() as session:
        _check_can_close(session, month)
    _backup_before(cf, f"before-close-{month}", backup_dir)
    with cf.session() as session:
        _close_in(session, month)
    return compute(cf, month)


def months_to_close(cf: CompanyFile, through: Month) -> list[Month]:
    """The months closing through `through` closes, in order: from the one that can close
    next (empty when `through` is closed already, or nothing can close)."""
    with cf.session() as session:
        nxt = closable_month(session)
        status = session.scalar(select(PeriodRow.status).where(PeriodRow.month == through))
    if nxt is None or status == PeriodStatus.CLOSED.value or through < nxt:
        return []
    return months_between(nxt, through)


def close_through(
    cf: CompanyFile,
    through: Month,
    *,
    backup_dir: Path | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> list[Month]:
    """Close every open month up to `through`, in order, with one backup first and in one
    transaction: all of them close, or none. `progress(done, total)` after each month.
    Returns the months closed."""
    months = months_to_close(cf, through)
    if not months:
        with cf.session() as session:
            _check_can_close(session, through)  # says why not
        return []
    _backup_before(cf, f"before-close-{months[0]}-to-{through}", backup_dir)
    with cf.session() as session:
        for done, month in enumerate(months, start=1):
            _close_in(session, month)
            session.flush()
            if progress is not None:
                progress(done, len(months))
    return months


def _close_in(session: Session, month: Month) -> tuple[Statement, ...]:
    """Close `month` in the caller's transaction (see `close`)."""
    _check_can_close(session, month)
    computed, months, standing = _compute_recording(session, month, month, record=True)
    statements = computed[month]
    # A month reopened once and left open before this one now counts as closed, with no
    # statements: its open row would say otherwise.
    session.execute(
        delete(PeriodRow).where(
            PeriodRow.month < month, PeriodRow.status == PeriodStatus.OPEN.value
        )
    )
    row = session.get(PeriodRow, month) or PeriodRow(month=month)
    row.status = PeriodStatus.CLOSED.value
    row.closed_at = audit.now()
    session.add(row)
    session.flush()  # the period row first: the snapshots refer to it
    snapshots = [snapshot_of(s) for s in statements]
    session.add_all(mapping.snapshot_row(s) for s in snapshots)
    save_progress(session, months, standing)
    # Each dirty month before this one was re-verified, and its correction is now on a
    # closed statement: re-verifying it would give 0 until something changes it again
    # (which marks it again). The markers stay, cleared by this close: reopening it marks
    # them again. Only what this close posted is cleared.
    session.execute(
        update(DirtyMonthRow)
        .where(DirtyMonthRow.cleared_by.is_(None), DirtyMonthRow.month < month)
        .values(cleared_by=month)
    )
    records.note_closed(session, month)
    n = len(statements)
    audit.record(
        session,
        action="close",
        entity="period",
        entity_id=month,
        after=f"{n} statement{'' if n == 1 else 's'}",
        # The history chain seals what the close stored (services.audit).
        detail=audit.statements_seal((s.rep_id, s.content_hash) for s in snapshots),
    )
    return statements


def reopen(cf: CompanyFile, month: Month) -> None:
    """Reopen the latest closed month (deliberately; recorded in the audit log).

    The months its close had cleared, and those its statements corrected, are marked
    dirty again: with those statements gone, their corrections (and the awaiting lines
    computed from the corrected data) are due again in the first open month.
    """
    with cf.session() as session:
        refusal = _reopen_refusal(session, month)
        if refusal:
            raise PeriodError(refusal)
        corrected = _corrected_months(session, month)
        row = session.get(PeriodRow, month)
        assert row is not None
        row.status = PeriodStatus.OPEN.value
        row.closed_at = None
        session.flush()
        session.execute(delete(SnapshotRow).where(SnapshotRow.month == month))
        delete_progress(session, month)
        session.execute(
            update(DirtyMonthRow).where(DirtyMonthRow.cleared_by == month).values(cleared_by=None)
        )
        # The month itself is open again and computed afresh: nothing of it to correct.
        session.execute(delete(DirtyMonthRow).where(DirtyMonthRow.month >= month))
        mark_dirty(session, corrected, f"{month} reopened")
        records.note_reopened(session, month)
        audit.record(
            session,
            action="reopen",
            entity="period",
            entity_id=month,
            before="closed",
            after="open",
        )


def reopenable_month(cf: CompanyFile) -> Month | None:
    """The one month that may be reopened: the latest closed month (None while no month
    is closed). An earlier closed month never reopens, since the closes after it carry on
    from its statements (balances, the history chain); nor does a month that counts as
    closed without statements of its own (before the latest close, never closed itself)."""
    with cf.session() as session:
        return _latest_closed(session)


def why_not_reopen(cf: CompanyFile, month: Month) -> str:
    """Why `month` may not be reopened, in words ("" when it may: see `reopenable_month`)."""
    with cf.session() as session:
        return _reopen_refusal(session, month)


def _latest_closed(session: Session) -> Month | None:
    return session.scalar(
        select(func.max(PeriodRow.month)).where(PeriodRow.status == PeriodStatus.CLOSED.value)
    )


def _reopen_refusal(session: Session, month: Month) -> str:
    latest = _latest_closed(session)
    if latest is None or month > latest:
        return f"{month} is not closed"
    if month == latest:
        return ""
    status = session.scalar(select(PeriodRow.status).where(PeriodRow.month == month))
    if status != PeriodStatus.CLOSED.value:
        return (
            f"{month} was never closed itself (it counts as closed because {latest}, a later "
            f"month, is): only the latest closed month ({latest}) can be reopened"
        )
    return f"only the latest closed month ({latest}) can be reopened"


def _corrected_months(session: Session, month: Month) -> set[Month]:
    """The months the prior-period lines of `month`'s closed statements refer to."""
    payloads = session.scalars(
        select(SnapshotRow.payload).where(
            SnapshotRow.month == month, func.instr(SnapshotRow.payload, '"prior_period"') > 0
        )
    )
    return {
        Month.parse(line["ref_month"])
        for payload in payloads
        for line in json.loads(payload)["lines"]
        if line["kind"] == LineKind.PRIOR_PERIOD.value
    }


def posting_month(cf: CompanyFile, day: date) -> Month:
    """The month whose statements carry what is dated `day`: its own month while open,
    else (a closed month, or one before the first close) the first open month, through its
    prior-period adjustment."""
    with cf.session() as session:
        last_closed = session.scalar(
            select(func.max(PeriodRow.month)).where(PeriodRow.status == PeriodStatus.CLOSED.value)
        )
    month = Month.of(day)
    if last_closed is None or month > last_closed:
        return month
    return last_closed.plus(1)


def next_to_close(cf: CompanyFile) -> Month | None:
    """The one month that can close next (see `closable_month`)."""
    with cf.session() as session:
        return closable_month(session)


def closable_month(session: Session) -> Month | None:
    """The one month that can close next: the month after the latest closed month; with
    nothing closed, the books start, else the first month with a plan assignment or a line
    (None: no such month). Months before the latest close count as closed: data dated in
    them is posted as a prior-period adjustment in the first open month."""
    last_closed = session.scalar(
        select(func.max(PeriodRow.month)).where(PeriodRow.status == PeriodStatus.CLOSED.value)
    )
    if last_closed is not None:
        return last_closed.plus(1)
    first, _ = data_month_bounds(session)
    return first


def _check_can_close(session: Session, month: Month) -> None:
    status = session.scalar(select(PeriodRow.status).where(PeriodRow.month == month))
    if status == PeriodStatus.CLOSED.value:
        raise PeriodError(f"{month} is already closed")
    nxt = closable_month(session)
    if nxt is None:
        raise PeriodError(
            f"{month} cannot close: no rep has a plan assignment or a line yet, so there "
            "is nothing to close"
        )
    if month == nxt:
        return
    last_closed = session.scalar(
        select(func.max(PeriodRow.month)).where(PeriodRow.status == PeriodStatus.CLOSED.value)
    )
    if month < nxt and last_closed is not None:
        raise PeriodError(
            f"{month} is before {last_closed}, the latest closed month, so it counts as "
            f"closed: what is dated in it is posted as a prior-period adjustment when "
            f"{nxt} closes"
        )
    if month < nxt:
        books = session.scalar(select(CompanyRow.books_start))
        first = (
            "the books start"
            if books is not None
            else "the first month with a plan assignment or a line"
        )
        raise PeriodError(f"{month} cannot close: {first} is {nxt}")
    raise PeriodError(
        f"{month} cannot close while {nxt} is open: months close in order, so close {nxt} first"
    )


def _backup_before(cf: CompanyFile, label: str, backup_dir: Path | None) -> Path:
    # A verified copy in the Backups folder (or `backup_dir`), then rotated: services.backups.
    return backups.write_automatic(cf.path, label, folder=backup_dir, write=backup_file)
