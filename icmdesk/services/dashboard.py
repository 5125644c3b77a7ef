"""The dashboard of one payout month: what it pays, who is where against quota,
what was clawed back, and the data that needs attention before the month closes.

Everything comes from the engine's statements for the month plus a few plain
checks on the data; the result is one frozen value the GUI only displays.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session

from icmdesk.domain.calendar import Month
from icmdesk.domain.entities import CompanyData, PeriodStatus
from icmdesk.domain.money import ZERO
from icmdesk.models.database import CompanyFile
from icmdesk.models.tables import DirtyMonthRow
from icmdesk.services import periods
from icmdesk.services.store import load_company_data

_SHOWN = 5  # ids named in a warning before "and N more"


@dataclass(frozen=True, slots=True)
class RepPayout:
    rep_id: int
    name: str
    plan: str  # "" without an assignment this month
    earnings: Decimal  # E
    payout: Decimal
    quota: Decimal | None
    credited_to_date: Decimal
    attainment_pct: Decimal | None  # None without a quota
    quota_period: str


@dataclass(frozen=True, slots=True)
class Clawback:
    rep_name: str
    deal_id: str
    customer: str
    amount: Decimal  # negative, as on the statement


@dataclass(frozen=True, slots=True)
class Dashboard:
    month: Month
    currency: str
    closed: bool
    total_payout: Decimal
    total_earnings: Decimal
    total_clawbacks: Decimal  # negative or zero
    reps: tuple[RepPayout, ...]
    clawbacks: tuple[Clawback, ...]
    warnings: tuple[str, ...]


def dashboard_months(cf: CompanyFile) -> tuple[Month, ...]:
    """The months a dashboard can show: first statement month through the last data month."""
    return tuple(p.month for p in periods.list_periods(cf))


def dashboard(cf: CompanyFile, month: Month) -> Dashboard:
    """The dashboard of `month`. Raises ValidationError when the engine refuses the data.

    The statements come from `periods.compute` (which loads only the deals the month
    needs); the warnings are read with a few cheap queries, never by loading every deal.
    """
    statements = periods.compute(cf, month)
    month_list = periods.list_periods(cf, through=month)
    with cf.session() as session:
        context = load_company_data(session, deals=False, history=False, snapshots=False)
        uncredited = _uncredited_deals(session, month)
        pending = _pending_corrections(session)
    reps = tuple(
        RepPayout(
            rep_id=s.rep_id,
            name=s.rep_name,
            plan=s.plan_name,
            earnings=s.earnings,
            payout=s.payout,
            quota=s.quota,
            credited_to_date=s.credited_to_date,
            attainment_pct=s.attainment_pct,
            quota_period=s.quota_period_label,
        )
        for s in statements
    )
    # One notice per clawback, those dated in a closed month (paid through this month's
    # prior-period adjustment) included.
    clawbacks = tuple(
        Clawback(s.rep_name, n.deal_id, n.customer, -n.clawed_back)
        for s in statements
        for n in s.notices
    )
    closed = any(p.month == month and p.status is PeriodStatus.CLOSED for p in month_list)
    still_open = [p.month for p in month_list if p.month < month and p.status is PeriodStatus.OPEN]
    return Dashboard(
        month=month,
        currency=context.company.currency,
        closed=closed,
        total_payout=sum((r.payout for r in reps), ZERO),
        total_earnings=sum((r.earnings for r in reps), ZERO),
        total_clawbacks=sum((c.amount for c in clawbacks), ZERO),
        reps=reps,
        clawbacks=clawbacks,
        warnings=tuple(
            warnings(
                context,
                month,
                uncredited=uncredited,
                still_open=still_open,
                pending=pending if not closed else [],
            )
        ),
    )


def _uncredited_deals(session: Session, month: Month) -> tuple[int, list[str]]:
    """How many deals closed by the month's end have no credit, and the first few ids."""
    where = (
        "FROM deals d WHERE d.close_date <= ? "
        "AND NOT EXISTS (SELECT 1 FROM credits c WHERE c.deal_id = d.id)"
    )
    conn = session.connection()
    day = (month.last_day.isoformat(),)
    count = conn.exec_driver_sql(f"SELECT count(*) {where}", day).scalar_one()
    ids = conn.exec_driver_sql(
        f"SELECT d.external_id {where} ORDER BY d.external_id LIMIT {_SHOWN}", day
    ).scalars()
    return int(count), list(ids)


def _pending_corrections(session: Session) -> list[tuple[Month, str]]:
    """Closed months changed since they closed (what changed), whose correction the next
    close posts."""
    rows = session.execute(
        select(DirtyMonthRow.month, DirtyMonthRow.cause)
        .where(DirtyMonthRow.cleared_by.is_(None))
        .order_by(DirtyMonthRow.month)
    )
    return [(m, cause) for m, cause in rows]


def warnings(
    context: CompanyData,
    month: Month,
    *,
    uncredited: tuple[int, list[str]],
    still_open: list[Month],
    pending: Sequence[tuple[Month, str]] = (),
) -> list[str]:
    """Data to look at before closing `month`: deals without credits (closed by the month's
    end), reps employed in the month without a plan assignment, earlier months still open,
    and closed months changed since (their corrections are paid with the next close)."""
    found: list[str] = []
    if pending:
        shown = [f"{m} ({cause})" if cause else str(m) for m, cause in pending]
        found.append(
            f"{_count(len(pending), 'closed month')} changed since closing: "
            f"{_some(shown)}. The differences are paid as prior-period adjustments in the "
            "first open month."
        )
    count, first_ids = uncredited
    if count:
        found.append(
            f"{_count(count, 'deal')} without credits (no rep is paid on "
            f"{'it' if count == 1 else 'them'}): {_some(first_ids, count)}."
        )
    first, last = month.first_day, month.last_day
    unassigned = sorted(
        r.name
        for r in context.reps
        if r.employed_in(month)
        and not any(
            a.rep_id == r.id
            and a.effective_from <= last
            and (a.effective_to is None or a.effective_to >= first)
            for a in context.assignments
        )
    )
    if unassigned:
        found.append(
            f"{_count(len(unassigned), 'rep')} without a plan assignment in {month}: "
            f"{_some(unassigned)}."
        )
    if still_open:
        found.append(
            f"{_count(len(still_open), 'earlier month')} still open: "
            f"{_some([str(m) for m in still_open])}."
        )
    return found


def _count(n: int, noun: str) -> str:
    return f"{n} {noun}" if n == 1 else f"{n} {noun}s"


def _some(items: list[str], total: int | None = None) -> str:
    shown = ", ".join(items[:_SHOWN])
    more = (len(items) if total is None else total) - _SHOWN
    return f"{shown} and {more} more" if more > 0 else shown
