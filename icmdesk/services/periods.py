"""The month-end workflow: compute an open month, close it, reopen the latest close.

Computing is free and repeatable. Closing stores every rep's statement as a
snapshot with its content hash, in one transaction, after an automatic backup;
months close in order. Only the latest closed month can be reopened, and
that is recorded in the audit log.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import delete, select

from icmdesk.domain import engine
from icmdesk.domain.calendar import Month, months_between
from icmdesk.domain.entities import CompanyData, PeriodStatus
from icmdesk.domain.errors import PeriodError
from icmdesk.domain.statement import Statement
from icmdesk.domain.statement_codec import snapshot_of
from icmdesk.models import mapping
from icmdesk.models.database import CompanyFile, backup_file
from icmdesk.models.tables import PeriodRow, SnapshotRow
from icmdesk.services import audit
from icmdesk.services.store import bulk_objects, load_company_data, load_for_months


@dataclass(frozen=True, slots=True)
class PeriodInfo:
    month: Month
    status: PeriodStatus
    closed_at: datetime | None


def compute(cf: CompanyFile, month: Month, *, rep_id: int | None = None) -> tuple[Statement, ...]:
    """Every rep's statement for `month` (closed months: exactly as stored)."""
    statements = compute_all(cf, month, month)[month]
    if rep_id is not None:
        statements = tuple(s for s in statements if s.rep_id == rep_id)
    return statements


def compute_all(cf: CompanyFile, first: Month, last: Month) -> dict[Month, tuple[Statement, ...]]:
    """Statements for every month of a range, in one pass.

    Loads only what the months need (store.load_for_months): with every earlier month
    closed, the open month's quota periods and the closed months edits have touched
    since they closed (dirty_months), not all of history.
    """
    with cf.session() as session:
        needed = load_for_months(session, first, last)
    with bulk_objects():
        result = engine.compute_range(needed.data, first, last, verify_months=needed.verify_months)
    if needed.stale_reps and any(
        s.rep_id in needed.stale_reps for items in result.values() for s in items if not s.closed
    ):
        # A rep back on a statement after months without one: their awaiting lines cannot
        # be carried from the last closed month, so compute from everything.
        with cf.session() as session:
            data = load_company_data(session, history=False)
        with bulk_objects():
            result = engine.compute_range(data, first, last)
    return result


def list_periods(cf: CompanyFile, *, through: Month | None = None) -> list[PeriodInfo]:
    """Every payout month from the first statement month through `through` (default: the
    last month with data, or the latest closed month), with its status."""
    with cf.session() as session:
        data = load_company_data(session, history=False)
    first = engine.first_statement_month(data)
    if first is None:
        return []
    stored = {p.month: p for p in data.periods}
    last = through or max(
        [m for m in (engine.last_data_month(data), *stored) if m is not None], default=first
    )
    return [
        PeriodInfo(m, stored[m].status, stored[m].closed_at)
        if m in stored
        else PeriodInfo(m, PeriodStatus.OPEN, None)
        for m in months_between(first, last)
    ]


def close(
    cf: CompanyFile, month: Month, *, backup_dir: Path | None = None
) -> tuple[Statement, ...]:
    """Close `month`: snapshot every statement with its content hash; months close in order.

    A backup copy of the file is written first (to `backup_dir`, default a
    "Backups" folder beside the file).
    """
    with cf.session() as session:
        data = load_company_data(session, history=False)
    _check_can_close(data, month)
    _backup_before(cf, f"before-close-{month}", backup_dir)
    with cf.session() as session:
        data = load_company_data(session, history=False)
        _check_can_close(data, month)
        statements = engine.compute_month(data, month)
        row = session.get(PeriodRow, month) or PeriodRow(month=month)
        row.status = PeriodStatus.OPEN.value
        row.closed_at = audit.now()
        session.add(row)
        session.flush()
        session.add_all(mapping.snapshot_row(snapshot_of(s)) for s in statements)
        session.flush()
        row.status = PeriodStatus.CLOSED.value
        audit.record(
            session,
            action="close",
            entity="period",
            entity_id=month,
            after=f"{len(statements)} statements",
        )
    return tuple(s for s in compute(cf, month))


def reopen(cf: CompanyFile, month: Month) -> None:
    """Reopen the latest closed month (deliberately; recorded in the audit log)."""
    with cf.session() as session:
        closed = session.scalars(
            select(PeriodRow.month).where(PeriodRow.status == PeriodStatus.CLOSED.value)
        ).all()
        if month not in closed:
            raise PeriodError(f"{month} is not closed")
        latest = max(closed)
        if month != latest:
            raise PeriodError(f"only the latest closed month ({latest}) can be reopened")
        row = session.get(PeriodRow, month)
        assert row is not None
        row.status = PeriodStatus.OPEN.value
        row.closed_at = None
        session.flush()
        session.execute(delete(SnapshotRow).where(SnapshotRow.month == month))
        audit.record(
            session,
            action="reopen",
            entity="period",
            entity_id=month,
            before="closed",
            after="open",
        )


def _check_can_close(data: CompanyData, month: Month) -> None:
    status = {p.month: p.status for p in data.periods}
    if status.get(month) is PeriodStatus.CLOSED:
        raise PeriodError(f"{month} is already closed")
    first = engine.first_statement_month(data)
    if first is not None:
        still_open = [
            m
            for m in months_between(first, month.plus(-1))
            if status.get(m) is not PeriodStatus.CLOSED
        ]
        if still_open:
            raise PeriodError(
                f"{month} cannot close while {still_open[0]} is open: months close in order"
            )


def _backup_before(cf: CompanyFile, label: str, backup_dir: Path | None) -> Path:
    folder = backup_dir or cf.path.parent / "Backups"
    folder.mkdir(parents=True, exist_ok=True)
    stamp = datetime.now(UTC).strftime("%Y%m%d-%H%M%S")
    target = folder / f"{cf.path.stem}-{label}-{stamp}{cf.path.suffix}"
    n = 1
    while target.exists():
        n += 1
        target = folder / f"{cf.path.stem}-{label}-{stamp}-{n}{cf.path.suffix}"
    return backup_file(cf.path, target)
