"""A company at a glance: what the main window shows on opening."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import func, select

from icmdesk.domain.calendar import Month
from icmdesk.domain.entities import PeriodStatus
from icmdesk.models.database import CompanyFile
from icmdesk.models.tables import (
    AssignmentRow,
    CompanyRow,
    DealRow,
    PeriodRow,
    PlanRow,
    RepRow,
    RoleRow,
)
from icmdesk.services.periods import closable_month


@dataclass(frozen=True, slots=True)
class Overview:
    company_name: str
    currency: str
    roles: int
    reps: int
    plans: int
    deals: int
    first_close: date | None
    last_close: date | None
    books_start: Month | None = None
    last_closed: Month | None = None  # the latest closed month
    next_to_close: Month | None = None
    assignments: int = 0  # reps' plan assignments


def overview(cf: CompanyFile) -> Overview:
    """Counts and date range of a company's records (cheap even for a million deals)."""
    with cf.session() as s:
        company = s.get(CompanyRow, 1)
        first, last = s.execute(
            select(func.min(DealRow.close_date), func.max(DealRow.close_date))
        ).one()
        return Overview(
            company_name=company.name if company else "",
            currency=company.currency if company else "",
            roles=s.scalar(select(func.count()).select_from(RoleRow)) or 0,
            reps=s.scalar(select(func.count()).select_from(RepRow)) or 0,
            plans=s.scalar(select(func.count()).select_from(PlanRow)) or 0,
            deals=s.scalar(select(func.count()).select_from(DealRow)) or 0,
            first_close=first,
            last_close=last,
            books_start=company.books_start if company else None,
            last_closed=s.scalar(
                select(func.max(PeriodRow.month)).where(
                    PeriodRow.status == PeriodStatus.CLOSED.value
                )
            ),
            next_to_close=closable_month(s),
            assignments=s.scalar(select(func.count()).select_from(AssignmentRow)) or 0,
        )
