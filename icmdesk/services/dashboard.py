"""The dashboard of one payout month: what it pays, who is where against quota,
what was clawed back, and the data that needs attention before the month closes.

Everything comes from the engine's statements for the month plus a few plain
checks on the data; the result is one frozen value the GUI only displays.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from icmdesk.domain import engine
from icmdesk.domain.calendar import Month, months_between
from icmdesk.domain.entities import CompanyData, PeriodStatus
from icmdesk.domain.money import ZERO
from icmdesk.domain.statement import LineKind
from icmdesk.models.database import CompanyFile
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
    with cf.session() as session:
        data = load_company_data(session, history=False)
    first = engine.first_statement_month(data)
    if first is None:
        return ()
    last = max(
        [m for m in (engine.last_data_month(data), *(p.month for p in data.periods)) if m],
        default=first,
    )
    return tuple(months_between(first, max(first, last)))


def dashboard(cf: CompanyFile, month: Month) -> Dashboard:
    """The dashboard of `month`. Raises ValidationError when the engine refuses the data."""
    with cf.session() as session:
        data = load_company_data(session, history=False)
    statements = engine.compute_month(data, month)
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
    clawbacks = tuple(
        Clawback(s.rep_name, line.deal_id or "", line.customer or "", line.amount)
        for s in statements
        for line in s.lines
        if line.kind is LineKind.CLAWBACK
    )
    closed = any(p.month == month and p.status is PeriodStatus.CLOSED for p in data.periods)
    return Dashboard(
        month=month,
        currency=data.company.currency,
        closed=closed,
        total_payout=sum((r.payout for r in reps), ZERO),
        total_earnings=sum((r.earnings for r in reps), ZERO),
        total_clawbacks=sum((c.amount for c in clawbacks), ZERO),
        reps=reps,
        clawbacks=clawbacks,
        warnings=tuple(warnings(data, month)),
    )


def warnings(data: CompanyData, month: Month) -> list[str]:
    """Data to look at before closing `month`: deals without credits (closed by the month's
    end), reps employed in the month without a plan assignment, earlier months still open."""
    found: list[str] = []
    uncredited = sorted(
        d.external_id for d in data.deals if not d.credits and d.close_date <= month.last_day
    )
    if uncredited:
        found.append(
            f"{_count(len(uncredited), 'deal')} without credits (no rep is paid on "
            f"{'it' if len(uncredited) == 1 else 'them'}): {_some(uncredited)}."
        )
    first, last = month.first_day, month.last_day
    unassigned = sorted(
        r.name
        for r in data.reps
        if r.employed_in(month)
        and not any(
            a.rep_id == r.id
            and a.effective_from <= last
            and (a.effective_to is None or a.effective_to >= first)
            for a in data.assignments
        )
    )
    if unassigned:
        found.append(
            f"{_count(len(unassigned), 'rep')} without a plan assignment in {month}: "
            f"{_some(unassigned)}."
        )
    start = engine.first_statement_month(data)
    if start is not None:
        closed = {p.month for p in data.periods if p.status is PeriodStatus.CLOSED}
        still_open = [m for m in months_between(start, month.plus(-1)) if m not in closed]
        if still_open:
            found.append(
                f"{_count(len(still_open), 'earlier month')} still open: "
                f"{_some([str(m) for m in still_open])}."
            )
    return found


def _count(n: int, noun: str) -> str:
    return f"{n} {noun}" if n == 1 else f"{n} {noun}s"


def _some(items: list[str]) -> str:
    shown = ", ".join(items[:_SHOWN])
    more = len(items) - _SHOWN
    return f"{shown} and {more} more" if more > 0 else shown
