"""Reading and writing a whole company at once.

`load_company_data` reads everything the engine and the exporter need; the
big tables (deals, credits, payments) are read with SQLAlchemy Core in
close-date order rather than through ORM objects. `replace_company_data`
writes a whole `CompanyData` into a file in the caller's transaction (import,
demo), so a failure leaves the file as it was.
"""

from __future__ import annotations

import dataclasses
import gc
import json
import threading
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from operator import itemgetter
from typing import TypeVar

from sqlalchemy import and_, delete, func, insert, or_, select, tuple_, update
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session, selectinload
from sqlalchemy.sql import ColumnElement

from icmdesk.domain.calendar import Month, QuotaPeriod, months_between, quota_period_start
from icmdesk.domain.entities import (
    Adjustment,
    Assignment,
    Company,
    CompanyData,
    Credit,
    Deal,
    DealStanding,
    OpeningBalance,
    Payment,
    PeriodStatus,
    Plan,
    PlanVersion,
    Progress,
    QuotaProgress,
    Rep,
    SavedMapping,
    StatementSnapshot,
)
from icmdesk.domain.errors import CompanyFileError
from icmdesk.domain.money import from_cents
from icmdesk.models import mapping
from icmdesk.models.tables import (
    AdjustmentRow,
    AssignmentRow,
    AuditRow,
    CompanyRow,
    CreditRow,
    DealRow,
    DealStandingRow,
    DealTypeRow,
    DirtyMonthRow,
    ImportMappingRow,
    OpeningBalanceRow,
    PaymentRow,
    PeriodRow,
    PlanRow,
    PlanVersionRow,
    ProgressRow,
    RepRow,
    RoleRow,
    SnapshotRow,
)


def load_company(session: Session) -> Company:
    """The company's settings alone (cheap: no plans, deals or statements)."""
    company_row = session.get(CompanyRow, 1)
    if company_row is None:
        raise CompanyFileError("the company file has no company settings")
    deal_types = tuple(session.scalars(select(DealTypeRow.name).order_by(DealTypeRow.name)))
    return mapping.company_value(company_row, deal_types)


def load_company_data(
    session: Session, *, deals: bool = True, history: bool = True, snapshots: bool = True
) -> CompanyData:
    """Everything in the file as one frozen value.

    `deals=False` skips deals (validation context for edits); `history=False`
    skips the audit log; `snapshots=False` skips the closed statements.
    """
    company = load_company(session)
    plans = session.scalars(
        select(PlanRow)
        .order_by(PlanRow.id)
        .options(
            selectinload(PlanRow.versions).selectinload(PlanVersionRow.tiers),
            selectinload(PlanRow.versions).selectinload(PlanVersionRow.bonuses),
            selectinload(PlanRow.versions).selectinload(PlanVersionRow.spifs),
            selectinload(PlanRow.versions).selectinload(PlanVersionRow.multipliers),
        )
    )
    return CompanyData(
        company=company,
        roles=tuple(
            mapping.role_value(r) for r in session.scalars(select(RoleRow).order_by(RoleRow.id))
        ),
        reps=load_reps(session),
        plans=tuple(mapping.plan_value(p) for p in plans),
        assignments=tuple(
            mapping.assignment_value(a)
            for a in session.scalars(select(AssignmentRow).order_by(AssignmentRow.id))
        ),
        deals=load_all_deals(session) if deals else (),
        adjustments=tuple(
            mapping.adjustment_value(a)
            for a in session.scalars(select(AdjustmentRow).order_by(AdjustmentRow.id))
        ),
        periods=tuple(
            mapping.period_value(p)
            for p in session.scalars(select(PeriodRow).order_by(PeriodRow.month))
        ),
        snapshots=tuple(
            mapping.snapshot_value(s)
            for s in session.scalars(
                select(SnapshotRow).order_by(SnapshotRow.month, SnapshotRow.rep_id)
            )
        )
        if snapshots
        else (),
        audit=tuple(
            mapping.audit_value(a) for a in session.scalars(select(AuditRow).order_by(AuditRow.id))
        )
        if history
        else (),
        opening_balances=load_opening_balances(session),
        import_mappings=tuple(
            SavedMapping(m.key, m.payload)
            for m in session.scalars(select(ImportMappingRow).order_by(ImportMappingRow.key))
        ),
    )


def load_reps(session: Session) -> tuple[Rep, ...]:
    """Every rep with their aliases, by id."""
    rows = session.scalars(
        select(RepRow).order_by(RepRow.id).options(selectinload(RepRow.alias_rows))
    )
    return tuple(mapping.rep_value(r) for r in rows)


def load_opening_balances(session: Session) -> tuple[OpeningBalance, ...]:
    """Every rep's opening balance at the books start, by rep id."""
    rows = session.scalars(select(OpeningBalanceRow).order_by(OpeningBalanceRow.rep_id))
    return tuple(mapping.opening_balance_value(r) for r in rows)


def load_deals(session: Session, where: ColumnElement[bool] | None = None) -> tuple[Deal, ...]:
    """Deals (all, or those matching `where` on DealRow) with credits and payments, via Core.

    In (close date, external id) order, the order the engine takes them in.
    """
    d = DealRow
    chosen = select(d.id) if where is None else select(d.id).where(where)
    credits: dict[int, list[Credit]] = defaultdict(list)
    for deal_id, rep_id, split in session.execute(
        select(CreditRow.deal_id, CreditRow.rep_id, CreditRow.split_pct)
        .where(CreditRow.deal_id.in_(chosen))
        .order_by(CreditRow.deal_id, CreditRow.position)
    ):
        credits[deal_id].append(Credit(rep_id, split))
    payments: dict[int, list[Payment]] = defaultdict(list)
    for deal_id, paid_on, amount in session.execute(
        select(PaymentRow.deal_id, PaymentRow.paid_on, PaymentRow.amount)
        .where(PaymentRow.deal_id.in_(chosen))
        .order_by(PaymentRow.deal_id, PaymentRow.paid_on, PaymentRow.id)
    ):
        payments[deal_id].append(Payment(paid_on, amount))
    query = select(
        d.id,
        d.external_id,
        d.customer,
        d.amount,
        d.close_date,
        d.deal_type,
        d.cancellation_date,
        d.cancellation_reason,
        d.name,
    ).order_by(d.close_date, d.external_id)
    rows = session.execute(query if where is None else query.where(where))
    return tuple(
        Deal(
            external_id=ext,
            customer=customer,
            amount=amount,
            close_date=close,
            deal_type=deal_type,
            credits=tuple(credits.get(deal_id, ())),
            payments=tuple(payments.get(deal_id, ())),
            cancellation_date=cancelled,
            cancellation_reason=reason,
            name=deal_name,
            id=deal_id,
        )
        for deal_id, ext, customer, amount, close, deal_type, cancelled, reason, deal_name in rows
    )


# Raw reads: the deal tables hold integer cents, integer ten-thousandths of a percent and
# ISO dates; building the values here skips SQLAlchemy's per-value type processing, which
# dominated loading a million deals.
_DEAL_COLUMNS = (
    "d.id, d.external_id, d.customer, d.amount, d.close_date, d.deal_type, "
    "d.cancellation_date, d.cancellation_reason, d.name"
)
_cents = Decimal
_T = TypeVar("_T")
_PCT_FACTOR = Decimal(10) ** 4
_PCT_QUANTUM = Decimal("0.0001")


def _percent(value: int) -> Decimal:
    """As models.types.Percent reads it back: 60 for 600000, 12.5 for 125000."""
    result = (Decimal(value) / _PCT_FACTOR).quantize(_PCT_QUANTUM)
    if result == result.to_integral_value():
        return result.quantize(Decimal(1))
    return result.normalize()


@contextmanager
def bulk_objects() -> Iterator[None]:
    """Build or compute with millions of small acyclic objects without the cyclic garbage
    collector rescanning them all again and again (half the time of a million-deal load).

    Only on the main thread (the command line, benchmarks): the switch is process-wide,
    and pausing it from a worker while the GUI thread runs moved the collection of Qt
    wrappers to moments that crashed painting (tests/services/test_bulk_objects.py).
    """
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    was = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was:
            gc.enable()


def load_all_deals(session: Session) -> tuple[Deal, ...]:
    """Every deal with its credits and payments, in (close date, external id) order."""
    with bulk_objects():
        return _load_deals_raw(session, "", ())


def load_deals_closed_in(session: Session, spans: list[tuple[date, date]]) -> tuple[Deal, ...]:
    """Deals closed within any of the (first day, last day) spans, in engine order."""
    if not spans:
        return ()
    cond = " OR ".join("d.close_date BETWEEN ? AND ?" for _ in spans)
    params = tuple(day.isoformat() for span in spans for day in span)
    with bulk_objects():
        return _load_deals_raw(session, f"WHERE ({cond})", params)


def _load_deals_raw(session: Session, where: str, params: tuple[str, ...]) -> tuple[Deal, ...]:
    # The DB-API cursor of the session's own connection: same transaction, no per-row
    # Result machinery.
    cursor = session.connection().connection.dbapi_connection.cursor()  # type: ignore[union-attr]
    try:
        chosen = f"SELECT d.id FROM deals d {where}"
        (count,) = cursor.execute(f"SELECT count(*) FROM deals d {where}", params).fetchone()
        if not count:
            return ()
        low, top = cursor.execute("SELECT min(id), max(id) FROM deals").fetchone()
        # Values by deal id: a list indexed by id when the ids are dense enough (as they
        # usually are), else a dict; both give () for a deal without credits or payments.
        credits = _by_deal_id(low, top, count, ())
        payments = _by_deal_id(low, top, count, ())
        deals = _by_deal_id(low, top, count, None)
        join = f"WHERE x.deal_id IN ({chosen})" if where else ""
        # Rows come in deal id order. Most deals credit one rep at a round split: those
        # share one tuple per (rep, split); a deal without payments shares the empty tuple.
        singles: dict[tuple[int, int], tuple[Credit]] = {}
        for deal_id, rep_id, split in cursor.execute(
            f"SELECT x.deal_id, x.rep_id, x.split_pct FROM credits x {join} "
            "ORDER BY x.deal_id, x.position",
            params,
        ):
            one = singles.get((rep_id, split))
            if one is None:
                one = singles[(rep_id, split)] = (Credit(rep_id, _percent(split)),)
            before = credits[deal_id]
            credits[deal_id] = before + one if before else one
        days: dict[str, date] = {}  # distinct dates are few: parse each once
        for deal_id, paid_on, amount in cursor.execute(
            f"SELECT x.deal_id, x.paid_on, x.amount FROM payments x {join} "
            "ORDER BY x.deal_id, x.paid_on, x.id",
            params,
        ):
            day = days.get(paid_on)
            if day is None:
                day = days[paid_on] = date.fromisoformat(paid_on)
            payments[deal_id] += (Payment(day, _cents(amount).scaleb(-2)),)
        # The deal rows in table (id) order, a sequential read, then their order from the
        # covering close-date index: reading the rows through that index instead seeks the
        # table once per deal, and took twice as long on a million deals.
        day_of = days.get
        name = {}.setdefault  # customers and deal types repeat: keep one string of each
        for (
            deal_id,
            ext,
            customer,
            amount,
            close,
            deal_type,
            cancelled,
            reason,
            deal_name,
        ) in cursor.execute(
            f"SELECT {_DEAL_COLUMNS} FROM deals d "
            + (f"WHERE d.id IN ({chosen})" if where else ""),
            params,
        ):
            closed_on = day_of(close)
            if closed_on is None:
                closed_on = days[close] = date.fromisoformat(close)
            if cancelled is not None:
                cancelled_on = day_of(cancelled)
                if cancelled_on is None:
                    cancelled_on = days[cancelled] = date.fromisoformat(cancelled)
                cancelled = cancelled_on
            deals[deal_id] = Deal(
                ext,
                name(customer, customer),
                _cents(amount).scaleb(-2),  # == money.from_cents(amount), exponent -2, faster
                closed_on,
                name(deal_type, deal_type),
                credits[deal_id],
                payments[deal_id],
                cancelled,
                reason,
                name=deal_name or "",
                id=deal_id,
            )
        ordered = cursor.execute(f"{chosen} ORDER BY d.close_date, d.external_id", params)
        return tuple(map(deals.__getitem__, map(itemgetter(0), ordered)))
    finally:
        cursor.close()


def _by_deal_id(low: int, top: int, count: int, empty: _T) -> list[_T] | defaultdict[int, _T]:
    """A table from deal id to a value, `empty` until set: a list when ids from `low` to
    `top` are dense enough for `count` deals (cheaper to fill and to read), else a dict."""
    if low >= 0 and top <= 2 * count + 1024:
        return [empty] * (top + 1)
    return defaultdict(lambda: empty)


@dataclass(frozen=True, slots=True)
class MonthData:
    """What computing a range of payout months needs, for engine.compute_range.

    `verify_months` None: every deal and snapshot is loaded and every closed month is
    re-verified. Otherwise the deals are a subset (see engine/engine.py) and only those
    closed months are re-verified. `stale_reps`: reps with an earlier closed statement but
    none in the last closed month; their awaiting lines cannot be carried from it, so a
    computed statement for any of them needs the full data (see periods.py).
    """

    data: CompanyData
    verify_months: frozenset[Month] | None
    stale_reps: frozenset[int] = frozenset()
    context_deals: frozenset[str] = frozenset()
    progress: Progress = field(default_factory=Progress)


def load_for_months(session: Session, first: Month, last: Month) -> MonthData:
    """Only what computing the payout months `first`..`last` needs.

    Closed months are read from their snapshots alone. Quota periods are taken at the
    longest length any plan version uses, fiscal-year aligned, so each is complete for
    every plan. For open months:
    - the deals closed in them, and the quota progress stored when the last month closed
      (quota_progress); without it, the deals of the first open month's quota period
      from its start;
    - the months edits have touched under closed months (dirty_months), with their whole
      quota periods and those of every deal paid in them, to post prior-period
      adjustments;
    - each deal paid or cancelled in one of those months but closed in a quota period not
      loaded: alone with the standing its month's close stored before it (deal_standing),
      else with its context (see engine/engine.py): the deals of its quota period that
      credit any rep it credits, closed up to it from the month after the latest progress
      stored in that period.
    With nothing closed, everything.
    """
    small = load_company_data(session, deals=False, history=False, snapshots=False)
    closed = [p.month for p in small.periods if p.status is PeriodStatus.CLOSED]
    last_closed = max(closed) if closed else None
    if last_closed is None:
        return MonthData(dataclasses.replace(small, deals=load_all_deals(session)), None)
    if last <= last_closed:  # only stored statements are read
        snaps = _snapshots(session, SnapshotRow.month.between(first, last))
        return MonthData(dataclasses.replace(small, snapshots=snaps), None)
    conn = session.connection()
    units = _quota_units(small)

    def months_of(sql: str, spans: list[tuple[Month, Month]]) -> set[Month]:
        found: set[Month] = set()
        for lo, hi in spans:
            params = (lo.first_day.isoformat(), hi.last_day.isoformat())
            found.update(Month.parse(m) for (m,) in conn.exec_driver_sql(sql, params))
        return found

    paid_in = (
        "SELECT DISTINCT substr(d.close_date, 1, 7) FROM payments p "
        "JOIN deals d ON d.id = p.deal_id WHERE p.paid_on BETWEEN ? AND ?"
    )
    marked = set(
        session.scalars(select(DirtyMonthRow.month).where(DirtyMonthRow.cleared_by.is_(None)))
    )
    # A change in a month reaches the later deals of its quota period (attainment, tiers,
    # bonuses) and, through them, the months those deals are paid or cancelled in.
    touched = _spans(units(marked))
    reached = set(units(marked))
    reached |= months_of(
        "SELECT DISTINCT substr(p.paid_on, 1, 7) FROM payments p "
        "JOIN deals d ON d.id = p.deal_id WHERE d.close_date BETWEEN ? AND ?",
        touched,
    )
    reached |= months_of(
        "SELECT DISTINCT substr(cancellation_date, 1, 7) FROM deals "
        "WHERE close_date BETWEEN ? AND ? AND cancellation_date IS NOT NULL",
        touched,
    )
    dirty = sorted(m for m in marked | reached if m <= last_closed)
    first_open = last_closed.plus(1)
    open_months = months_between(first_open, last)
    # Dirty months are verified against what was stored: their quota periods whole, and
    # those of the deals paid in them.
    whole = set(units([*dirty, *months_of(paid_in, _spans(dirty))]))
    stored = set(session.scalars(select(ProgressRow.month)))
    starts = _window_starts(units, stored)
    # The open months' deals, and those of the closed months of the first one's quota
    # period after the latest with its standing stored.
    loaded = {m for m in whole | set(open_months) if m <= last}
    if first_open not in whole:
        loaded.update(months_between(starts(first_open), last_closed))
    spans = [(lo.first_day, min(hi, last).last_day) for lo, hi in _spans(list(loaded))]
    deals = load_deals_closed_in(session, spans)
    # Deals paid or cancelled in those months but closed elsewhere, with their context.
    needed = _spans([*open_months, *dirty])
    targets: dict[int, date] = {}
    loaded_text = {str(m) for m in loaded}
    for sql in (
        "SELECT d.id, d.close_date FROM payments p JOIN deals d ON d.id = p.deal_id "
        "WHERE p.paid_on BETWEEN ? AND ? AND d.close_date <= ?",
        "SELECT id, close_date FROM deals WHERE cancellation_date BETWEEN ? AND ? "
        "AND close_date <= ?",
    ):
        for lo, hi in needed:
            params = (lo.first_day.isoformat(), hi.last_day.isoformat(), last.last_day.isoformat())
            for deal_id, close in conn.exec_driver_sql(sql, params):
                if close[:7] not in loaded_text:
                    targets[deal_id] = date.fromisoformat(close)
    # A deal of a month whose close stored its deals' standing is rated from it alone.
    stored_text = {str(m) for m in stored}
    rated = _deal_standing(
        session, [i for i, close in targets.items() if close.isoformat()[:7] in stored_text]
    )
    rest = [(i, close) for i, close in targets.items() if i not in rated]
    windows = {starts(Month.of(close)) for _, close in rest}
    if first_open not in whole:
        windows.add(starts(first_open))
    # The progress each window starts from: the month before it, unless it opens its
    # quota period.
    seeds = sorted(w.plus(-1) for w in windows if units([w])[0] != w)
    ends = tuple(
        p
        for row in session.scalars(select(ProgressRow).where(ProgressRow.month.in_(seeds)))
        for p in mapping.progress_values(row.month, row.payload)
    )
    progress = Progress(ends, tuple(x for items in rated.values() for x in items))
    context = _load_ids(session, _context_ids(session, rest, starts) | set(rated))

    # Snapshots: each rep's latest (balances, YTD, awaiting lines carried), the dirty
    # months' (what was stored), and later ones that posted prior-period lines or issued
    # clawback notices (of cancellations dated in a dirty month, perhaps).
    s = SnapshotRow
    latest = select(s.rep_id, func.max(s.month)).group_by(s.rep_id)
    cond = tuple_(s.rep_id, s.month).in_(latest)
    if dirty:
        cond = or_(
            cond,
            s.month.in_(dirty),
            and_(
                s.month > dirty[0],
                or_(
                    func.instr(s.payload, '"prior_period"') > 0,
                    func.instr(s.payload, '"notices":[{') > 0,
                ),
            ),
        )
    if first <= last_closed:  # closed months of the range are shown as stored
        cond = or_(cond, s.month.between(first, last_closed))
    snaps = _snapshots(session, cond)
    # Awaiting lines are carried from the last closed statement: a rep without one there
    # who may have lines from closed history (deals credited then, or reports whose
    # overrides follow payments) cannot be computed from the subset.
    on_last = {snap.rep_id for snap in snaps if snap.month == last_closed}
    managers = {r.manager_id for r in small.reps if r.manager_id is not None}
    stale = frozenset(
        r.id
        for r in small.reps
        if r.id not in on_last
        and (
            r.id in managers
            or conn.exec_driver_sql(
                "SELECT EXISTS (SELECT 1 FROM credits c JOIN deals d ON d.id = c.deal_id "
                "WHERE c.rep_id = ? AND d.close_date <= ?)",
                (r.id, last_closed.last_day.isoformat()),
            ).scalar()
        )
    )
    data = dataclasses.replace(small, deals=(*deals, *context), snapshots=snaps)
    return MonthData(
        data, frozenset(dirty), stale, frozenset(d.external_id for d in context), progress
    )


def save_progress(session: Session, months: Iterable[Month], progress: Progress) -> None:
    """Store what closing `months` stores (engine.quota_progress), replacing what they had:
    each month's quota progress row and the standing before each deal closed in it. Months
    without a period row (before the first close) keep none: they are read whole."""
    periods = set(session.scalars(select(PeriodRow.month)))
    chosen = sorted(m for m in set(months) if m in periods)
    if len(chosen) < len(set(months)):
        kept: set[int] = set()
        for lo, hi in _spans(chosen):
            kept.update(
                session.scalars(
                    select(DealRow.id).where(DealRow.close_date.between(lo.first_day, hi.last_day))
                )
            )
        progress = Progress(
            tuple(p for p in progress.months if p.month in periods),
            tuple(s for s in progress.deals if s.deal_id in kept),
        )
    by_month: dict[Month, list[QuotaProgress]] = {m: [] for m in chosen}
    for p in progress.months:
        by_month[p.month].append(p)
    for m in chosen:
        delete_progress(session, m)
    if chosen:
        session.execute(
            insert(ProgressRow),
            [
                {"month": m, "payload": mapping.progress_payload(tuple(items))}
                for m, items in by_month.items()
            ],
        )
    if progress.deals:
        session.execute(
            insert(DealStandingRow),
            [
                {"deal_id": s.deal_id, "rep_id": s.rep_id, "counted_before": s.counted_before}
                for s in progress.deals
            ],
        )


def delete_progress(session: Session, month: Month) -> None:
    """Forget the standing stored with `month`'s close (its row, its deals')."""
    session.execute(delete(ProgressRow).where(ProgressRow.month == month))
    session.execute(
        delete(DealStandingRow).where(
            DealStandingRow.deal_id.in_(
                select(DealRow.id).where(
                    DealRow.close_date.between(month.first_day, month.last_day)
                )
            )
        )
    )


_Units = Callable[[Iterable[Month]], list[Month]]


def _quota_units(data: CompanyData) -> _Units:
    """Every month of the quota periods holding some months, at the longest length any
    plan version uses, fiscal-year aligned (so each is complete for every plan)."""
    kinds = {v.quota_period for p in data.plans for v in p.versions}
    unit = max(kinds, key=lambda q: q.months, default=QuotaPeriod.MONTH)
    fy = data.company.fiscal_year_start

    def units(months: Iterable[Month]) -> list[Month]:
        starts = {quota_period_start(m, unit, fy) for m in months}
        return sorted({start.plus(i) for start in starts for i in range(unit.months)})

    return units


def _window_starts(units: _Units, stored: set[Month]) -> Callable[[Month], Month]:
    """For a month, the first month whose deals rating its deals needs: the month after
    the latest month of its quota period before it with stored progress, else the
    period's first month."""
    found: dict[Month, Month] = {}

    def start(month: Month) -> Month:
        first = found.get(month)
        if first is None:
            period = units([month])
            first = next(
                (m.plus(1) for m in reversed(period[: period.index(month)]) if m in stored),
                period[0],
            )
            found[month] = first
        return first

    return start


def _deal_standing(session: Session, deal_ids: list[int]) -> dict[int, list[DealStanding]]:
    """The deals among these whose standing is stored for every rep they credit, with it."""
    if not deal_ids:
        return {}
    found: dict[int, list[DealStanding]] = defaultdict(list)
    missing: set[int] = set()
    cursor = session.connection().connection.dbapi_connection.cursor()  # type: ignore[union-attr]
    try:
        for deal_id, rep_id, cents in cursor.execute(
            "SELECT c.deal_id, c.rep_id, s.counted_before FROM credits c "
            "LEFT JOIN deal_standing s ON s.deal_id = c.deal_id AND s.rep_id = c.rep_id "
            "WHERE c.deal_id IN (SELECT value FROM json_each(?))",
            (json.dumps(sorted(deal_ids)),),
        ):
            if cents is None:
                missing.add(deal_id)
            else:
                found[deal_id].append(DealStanding(deal_id, rep_id, from_cents(cents)))
    finally:
        cursor.close()
    return {i: items for i, items in found.items() if i not in missing}


def load_deal_context(session: Session, deal_id: int) -> CompanyData:
    """What rating one deal's credits needs, for previews of its lines: the company's
    small tables (no closed statements) and the deals of its quota period closed up to it
    that credit any rep it credits, the deal included (none when it does not exist)."""
    small = load_company_data(session, deals=False, history=False, snapshots=False)
    close = session.scalar(select(DealRow.close_date).where(DealRow.id == deal_id))
    if close is None:
        return small
    units = _quota_units(small)
    ids = _context_ids(session, [(deal_id, close)], _window_starts(units, set()))
    return dataclasses.replace(small, deals=_load_ids(session, ids))


def _context_ids(
    session: Session, deals: list[tuple[int, date]], starts: Callable[[Month], Month]
) -> set[int]:
    """The ids of the deals (id, close date) and of their context: the deals closed from
    `starts` of their close month up to them that credit any rep they credit (up to the
    latest of them crediting that rep, in each window)."""
    conn = session.connection()
    # The raw cursor for the big reads: tens of thousands of rows, no per-row Result.
    cursor = conn.connection.dbapi_connection.cursor()  # type: ignore[union-attr]
    close_of = dict(deals)
    reps_of: dict[int, list[int]] = defaultdict(list)
    ids = json.dumps(sorted(close_of))
    for deal_id, rep_id in cursor.execute(
        "SELECT deal_id, rep_id FROM credits WHERE deal_id IN (SELECT value FROM json_each(?))",
        (ids,),
    ):
        reps_of[deal_id].append(rep_id)
    # Per window start: each rep's latest close among the deals crediting them.
    cutoffs: dict[Month, dict[int, str]] = defaultdict(dict)
    for deal_id, close in deals:
        latest = cutoffs[starts(Month.of(close))]
        day = close.isoformat()
        for rep_id in reps_of[deal_id]:
            if latest.get(rep_id, "") < day:
                latest[rep_id] = day
    chosen = set(close_of)  # a deal credited to nobody too
    for start, latest in cutoffs.items():
        if not latest:
            continue
        # The window's deals up to the last cutoff (by the close-date index; filtering on
        # the reps in SQL makes SQLite scan the whole table instead).
        rows = cursor.execute(
            "SELECT d.id, c.rep_id, d.close_date FROM deals d "
            "JOIN credits c ON c.deal_id = d.id WHERE d.close_date BETWEEN ? AND ?",
            (start.first_day.isoformat(), max(latest.values())),
        )
        get = latest.get
        chosen.update(deal_id for deal_id, rep_id, close in rows if close <= get(rep_id, ""))
    cursor.close()
    return chosen


def _load_ids(session: Session, chosen: set[int]) -> tuple[Deal, ...]:
    """The deals with these ids, in engine order."""
    if not chosen:
        return ()
    with bulk_objects():
        # The ids as one JSON parameter: thousands of them inline would be parsed and
        # planned again by each of the loader's queries.
        ids = json.dumps(sorted(chosen))
        return _load_deals_raw(session, "WHERE d.id IN (SELECT value FROM json_each(?))", (ids,))


def _spans(months: list[Month]) -> list[tuple[Month, Month]]:
    """Runs of consecutive months, as (first, last)."""
    out: list[tuple[Month, Month]] = []
    for m in sorted(set(months)):
        if out and out[-1][1].plus(1) == m:
            out[-1] = (out[-1][0], m)
        else:
            out.append((m, m))
    return out


def _snapshots(session: Session, where: ColumnElement[bool]) -> tuple[StatementSnapshot, ...]:
    rows = session.scalars(
        select(SnapshotRow).where(where).order_by(SnapshotRow.month, SnapshotRow.rep_id)
    )
    return tuple(mapping.snapshot_value(r) for r in rows)


def replace_company_data(session: Session, data: CompanyData) -> None:
    """Replace the whole content of the file with `data`, ids preserved, in this transaction."""
    # Closed snapshots are protected by triggers; a wholesale replace reopens first.
    session.execute(update(PeriodRow).values(status="open"))
    session.execute(update(RepRow).values(manager_id=None))  # managers RESTRICT row by row
    for table in (
        SnapshotRow,
        ProgressRow,
        OpeningBalanceRow,
        DealStandingRow,
        PeriodRow,
        AuditRow,
        AdjustmentRow,
        PaymentRow,
        CreditRow,
        DealRow,
        AssignmentRow,
        RepRow,
        RoleRow,
        PlanRow,
        DealTypeRow,
        ImportMappingRow,
        CompanyRow,
    ):
        session.execute(delete(table))
    session.flush()

    company = CompanyRow()
    mapping.apply_company(company, data.company)
    session.add(company)
    session.add_all(DealTypeRow(name=t) for t in data.company.deal_types)
    for plan in data.plans:
        row = PlanRow(id=plan.id)
        mapping.apply_plan(row, plan)
        session.add(row)
    session.flush()
    for role in data.roles:
        role_row = RoleRow(id=role.id)
        mapping.apply_role(role_row, role)
        session.add(role_row)
    session.flush()
    # Managers refer to reps: insert without managers, then set them.
    for rep in data.reps:
        rep_row = RepRow(id=rep.id)
        mapping.apply_rep(rep_row, rep)
        rep_row.manager_id = None
        session.add(rep_row)
    session.flush()
    for rep in data.reps:
        if rep.manager_id is not None:
            session.execute(
                update(RepRow).where(RepRow.id == rep.id).values(manager_id=rep.manager_id)
            )
    for a in data.assignments:
        a_row = AssignmentRow(id=a.id)
        mapping.apply_assignment(a_row, a)
        session.add(a_row)
    for ob in data.opening_balances:
        ob_row = OpeningBalanceRow()
        mapping.apply_opening_balance(ob_row, ob)
        session.add(ob_row)
    session.flush()
    insert_deals(session, data.deals)
    for adj in data.adjustments:
        adj_row = AdjustmentRow(id=adj.id)
        mapping.apply_adjustment(adj_row, adj)
        session.add(adj_row)
    # Periods go in open, snapshots next, and only then are closed months marked closed.
    session.add_all(
        PeriodRow(month=p.month, status="open", closed_at=p.closed_at) for p in data.periods
    )
    session.flush()
    session.add_all(mapping.snapshot_row(s) for s in data.snapshots)
    session.flush()
    for p in data.periods:
        if p.status.value == "closed":
            session.execute(
                update(PeriodRow).where(PeriodRow.month == p.month).values(status="closed")
            )
    session.add_all(mapping.audit_row(e) for e in data.audit)
    session.add_all(ImportMappingRow(key=m.key, payload=m.payload) for m in data.import_mappings)
    session.flush()
    # The data may have changed under its closed months since they closed (nothing says
    # otherwise): the first open month re-verifies them all once.
    session.execute(delete(DirtyMonthRow))
    mark_dirty_from(session, None, "company imported")


def insert_deals(session: Session, deals: tuple[Deal, ...] | list[Deal]) -> None:
    """Bulk-insert deals with their credits and payments through Core (ids preserved if set)."""
    if not deals:
        return
    next_id = (session.scalar(select(func.max(DealRow.id))) or 0) + 1
    ids: list[int] = []
    deal_rows = []
    for deal in deals:
        deal_id = deal.id
        if not deal_id:
            deal_id, next_id = next_id, next_id + 1
        ids.append(deal_id)
        deal_rows.append(
            {
                "id": deal_id,
                "external_id": deal.external_id,
                "customer": deal.customer,
                "amount": deal.amount,
                "close_date": deal.close_date,
                "deal_type": deal.deal_type,
                "cancellation_date": deal.cancellation_date,
                "cancellation_reason": deal.cancellation_reason,
                "name": deal.name,
            }
        )
    session.execute(insert(DealRow), deal_rows)
    credit_rows = [
        {"deal_id": deal_id, "position": i, "rep_id": c.rep_id, "split_pct": c.split_pct}
        for deal_id, d in zip(ids, deals, strict=True)
        for i, c in enumerate(d.credits)
    ]
    payment_rows = [
        {"deal_id": deal_id, "paid_on": p.date, "amount": p.amount}
        for deal_id, d in zip(ids, deals, strict=True)
        for p in d.payments
    ]
    if credit_rows:
        session.execute(insert(CreditRow), credit_rows)
    if payment_rows:
        session.execute(insert(PaymentRow), payment_rows)


# -- dirty months ---------------------------------------------------------------------------
# Every edit records, in its own transaction, the months at or before the latest closed month
# it may change the earnings of (months before the first close count as closed). Computing
# the first open month re-verifies exactly those (load_for_months); closing it posts their
# corrections and clears the markers; reopening a month marks again the months its
# statements had corrected (see periods.py).


def mark_dirty(session: Session, months: Iterable[Month], cause: str) -> None:
    """Record the months (those at or before the latest close) an edit touched; a month
    a close had cleared is marked again."""
    last_closed = session.scalar(
        select(func.max(PeriodRow.month)).where(PeriodRow.status == PeriodStatus.CLOSED.value)
    )
    if last_closed is None:
        return
    chosen = sorted({m for m in months if m <= last_closed})
    if chosen:
        insert_rows = sqlite_insert(DirtyMonthRow).values(
            [{"month": m, "cause": cause[:500], "cleared_by": None} for m in chosen]
        )
        session.execute(
            insert_rows.on_conflict_do_update(
                index_elements=[DirtyMonthRow.month],
                set_={"cause": insert_rows.excluded.cause, "cleared_by": None},
                where=DirtyMonthRow.cleared_by.is_not(None),
            )
        )


def mark_dirty_from(session: Session, day: date | None, cause: str) -> None:
    """Record every closed month from the month of `day` (None: from the first with data)."""
    last_closed = session.scalar(
        select(func.max(PeriodRow.month)).where(PeriodRow.status == PeriodStatus.CLOSED.value)
    )
    if last_closed is None:
        return
    first = Month.of(day) if day is not None else _first_data_month(session)
    if first is not None and first <= last_closed:
        mark_dirty(session, months_between(first, last_closed), cause)


def _first_data_month(session: Session) -> Month | None:
    days = [
        session.scalar(select(func.min(DealRow.close_date))),
        session.scalar(select(func.min(AssignmentRow.effective_from))),
    ]
    months = [Month.of(d) for d in days if d is not None]
    adjusted = session.scalar(select(func.min(AdjustmentRow.month)))
    if adjusted is not None:
        months.append(adjusted)
    return min(months) if months else None


def deal_months(deal: Deal) -> set[Month]:
    """The months a deal can put lines in: close, payments, cancellation."""
    months = {Month.of(deal.close_date)} | {Month.of(p.date) for p in deal.payments}
    if deal.cancellation_date is not None:
        months.add(Month.of(deal.cancellation_date))
    return months


def _only_cancellation(before: Deal, after: Deal) -> bool:
    """True when the edit only cancelled the deal, moved its cancellation earlier or
    changed its reason. Taking a cancellation back or moving it later is not: the deal's
    "Booked, awaiting payment" lines return to statements after the last close, which
    (cancelled then) has none to carry, so its quota period must be read again."""
    same_otherwise = (
        dataclasses.replace(
            before,
            cancellation_date=after.cancellation_date,
            cancellation_reason=after.cancellation_reason,
        )
        == after
    )
    old, new = before.cancellation_date, after.cancellation_date
    return same_otherwise and (old is None or (new is not None and new <= old))


def _cancellation_months(before: Deal, after: Deal) -> set[Month]:
    """What cancelling earlier can change: the clawback's month, old and new, and the
    months of payments after the earlier of the two dates (a payment dated after the
    cancellation earns nothing). What the deal earned at its close does not change."""
    days = [d for d in (before.cancellation_date, after.cancellation_date) if d is not None]
    if not days:
        return set()
    earliest = min(days)
    months = {Month.of(d) for d in days}
    months |= {Month.of(p.date) for p in after.payments if p.date > earliest}
    return months


def mark_edit(session: Session, entity: str, before: object, after: object) -> None:
    """Mark what an edit of one record (None before: created; None after: deleted) touched."""
    values = [v for v in (before, after) if v is not None]
    verb = "added" if before is None else "deleted" if after is None else "changed"
    if entity == "deal":
        deals = [v for v in values if isinstance(v, Deal)]
        if (
            isinstance(before, Deal)
            and isinstance(after, Deal)
            and _only_cancellation(before, after)
        ):
            months = _cancellation_months(before, after)
        else:
            months = {m for d in deals for m in deal_months(d)}
        mark_dirty(session, months, f"deal {deals[0].external_id} {verb}")
    elif entity == "adjustment":
        adjustments = [v for v in values if isinstance(v, Adjustment)]
        mark_dirty(session, {a.month for a in adjustments}, f"adjustment {verb}")
    elif entity == "assignment":
        assignments = [v for v in values if isinstance(v, Assignment)]
        day = min(a.effective_from for a in assignments)
        mark_dirty_from(session, day, f"assignment of rep {assignments[0].rep_id} {verb}")
    elif entity == "plan":
        plans = [v for v in values if isinstance(v, Plan)]

        def versions(p: Plan | None) -> set[PlanVersion]:
            return set() if p is None else {dataclasses.replace(v, id=0) for v in p.versions}

        old = versions(before if isinstance(before, Plan) else None)
        new = versions(after if isinstance(after, Plan) else None)
        changed = old ^ new
        if changed:
            day = min(v.effective_from for v in changed)
            mark_dirty_from(session, day, f"plan {plans[0].name} {verb}")
    elif entity == "rep" and isinstance(before, Rep) and isinstance(after, Rep):
        if before.manager_id != after.manager_id:
            mark_dirty_from(session, None, f"manager of {after.name} changed")
            return
        days = [
            d
            for old, new in (
                (before.termination_date, after.termination_date),
                (before.hire_date, after.hire_date),
            )
            if old != new
            for d in (old, new)
            if d is not None
        ]
        if days:
            mark_dirty_from(session, min(days), f"dates of {after.name} changed")


def mark_company_change(session: Session, before: Company, after: Company) -> None:
    """Settings the earnings of every month depend on: mark every closed month."""
    if (
        before.fiscal_year_start != after.fiscal_year_start
        or before.clawback_policy != after.clawback_policy
        or before.forgive_balance_at_termination != after.forgive_balance_at_termination
    ):
        mark_dirty_from(session, None, "company settings changed")


def data_month_bounds(session: Session) -> tuple[Month | None, Month | None]:
    """(engine.first_statement_month, engine.last_data_month) of the file, read in SQL;
    with a books start, the first is the books start: the first month that can close."""
    conn = session.connection()
    firsts = [
        conn.exec_driver_sql(
            "SELECT min(close_date) FROM deals d "
            "WHERE EXISTS (SELECT 1 FROM credits c WHERE c.deal_id = d.id)"
        ).scalar(),
        conn.exec_driver_sql("SELECT min(effective_from) FROM assignments").scalar(),
        conn.exec_driver_sql("SELECT min(month) FROM adjustments").scalar(),
    ]
    lasts = [
        conn.exec_driver_sql("SELECT max(close_date) FROM deals").scalar(),
        conn.exec_driver_sql("SELECT max(paid_on) FROM payments").scalar(),
        conn.exec_driver_sql("SELECT max(cancellation_date) FROM deals").scalar(),
        conn.exec_driver_sql("SELECT max(month) FROM adjustments").scalar(),
    ]

    def month(text: str) -> Month:
        return Month.parse(text[:7])

    first = min((month(t) for t in firsts if t is not None), default=None)
    last = max((month(t) for t in lasts if t is not None), default=None)
    # With a books start, nothing lies before it, and it is the first month to close.
    books = conn.exec_driver_sql("SELECT books_start FROM company").scalar()
    if books is not None:
        first = Month.parse(books)
        if last is not None and last < first:
            last = first
    return first, last
