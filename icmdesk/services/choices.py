"""Read-only lists behind the forms: the reps, roles and plans a person picks from,
and a rep's plan assignments, as frozen values (names with their ids)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from sqlalchemy import func, select

from icmdesk.domain.calendar import Month, quota_period_label, quota_period_start
from icmdesk.domain.engine.context import Lookups
from icmdesk.domain.entities import Assignment, OpeningBalance, Plan
from icmdesk.models import mapping
from icmdesk.models.database import CompanyFile
from icmdesk.models.tables import AssignmentRow, CompanyRow, PlanRow, RepRow, RoleRow
from icmdesk.services.store import load_company_data


@dataclass(frozen=True, slots=True)
class Choice:
    """One item of a pick list: the id stored, the name shown."""

    id: int
    name: str


def reps(cf: CompanyFile) -> tuple[Choice, ...]:
    """Every rep, by name."""
    with cf.session() as s:
        rows = s.execute(select(RepRow.id, RepRow.name).order_by(RepRow.name, RepRow.id))
        return tuple(Choice(i, n) for i, n in rows)


def roles(cf: CompanyFile) -> tuple[Choice, ...]:
    """Every role, by name."""
    with cf.session() as s:
        rows = s.execute(select(RoleRow.id, RoleRow.name).order_by(RoleRow.name, RoleRow.id))
        return tuple(Choice(i, n) for i, n in rows)


def plans(cf: CompanyFile) -> tuple[Choice, ...]:
    """Every plan, by name."""
    with cf.session() as s:
        rows = s.execute(select(PlanRow.id, PlanRow.name).order_by(PlanRow.name, PlanRow.id))
        return tuple(Choice(i, n) for i, n in rows)


def all_plans(cf: CompanyFile) -> tuple[Plan, ...]:
    """Every plan with its versions, by name."""
    with cf.session() as s:
        data = load_company_data(s, deals=False, history=False, snapshots=False)
    return tuple(sorted(data.plans, key=lambda p: (p.name.casefold(), p.id)))


def assignments_of(cf: CompanyFile, rep_id: int) -> tuple[Assignment, ...]:
    """A rep's plan assignments, oldest first."""
    with cf.session() as s:
        rows = s.scalars(
            select(AssignmentRow)
            .where(AssignmentRow.rep_id == rep_id)
            .order_by(AssignmentRow.effective_from, AssignmentRow.id)
        )
        return tuple(mapping.assignment_value(r) for r in rows)


@dataclass(frozen=True, slots=True)
class RoleRowView:
    """One row of the roles table."""

    id: int
    name: str
    default_plan: str  # "" without one
    reps: int  # how many reps hold the role


def role_rows(cf: CompanyFile) -> tuple[RoleRowView, ...]:
    """Every role with its default plan's name and how many reps hold it, by name."""
    with cf.session() as s:
        counts: dict[int, int] = {
            role_id: n
            for role_id, n in s.execute(
                select(RepRow.role_id, func.count())
                .where(RepRow.role_id.is_not(None))
                .group_by(RepRow.role_id)
            )
        }
        rows = s.execute(
            select(RoleRow.id, RoleRow.name, PlanRow.name)
            .outerjoin(PlanRow, PlanRow.id == RoleRow.default_plan_id)
            .order_by(RoleRow.name, RoleRow.id)
        )
        return tuple(RoleRowView(i, n, p or "", counts.get(i, 0)) for i, n, p in rows)


@dataclass(frozen=True, slots=True)
class OpeningRow:
    """One rep in the opening-balances editor: who, what can be entered, what is stored."""

    rep_id: int
    name: str
    # The quota period containing the books start's first day, under the rep's version in
    # force that day ("" when none, or when it starts with the books start: nothing was
    # counted or paid in it before).
    quota_period: str
    thresholds: tuple[Decimal, ...]  # that version's attainment bonus thresholds
    balance: OpeningBalance


def opening_rows(cf: CompanyFile, books_start: Month | None) -> tuple[OpeningRow, ...]:
    """Every rep employed on the books start's first day (or with an opening balance), by
    name, with their opening balance (zero when none is stored)."""
    if books_start is None:
        return ()
    with cf.session() as s:
        data = load_company_data(s, deals=False, history=False, snapshots=False)
    lk = Lookups(data)
    stored = {ob.rep_id: ob for ob in data.opening_balances}
    day = books_start.first_day
    fy = data.company.fiscal_year_start
    rows = []
    for rep in sorted(data.reps, key=lambda r: (r.name.casefold(), r.id)):
        employed = rep.hire_date <= day and (
            rep.termination_date is None or rep.termination_date >= day
        )
        if not employed and rep.id not in stored:
            continue
        label, thresholds = "", ()
        f = lk.in_force(rep.id, day)
        if f is not None:
            period = f.version.quota_period
            period_start = quota_period_start(books_start, period, fy)
            if period_start != books_start:
                label = quota_period_label(period_start, period, fy)
                thresholds = tuple(sorted(b.threshold_pct for b in f.version.bonuses))
        rows.append(
            OpeningRow(
                rep.id, rep.name, label, thresholds, stored.get(rep.id, OpeningBalance(rep.id))
            )
        )
    return tuple(rows)


def default_plans(cf: CompanyFile) -> dict[int, int]:
    """Each role's default plan (role id → plan id), for roles that have one."""
    with cf.session() as s:
        rows = s.execute(
            select(RoleRow.id, RoleRow.default_plan_id).where(RoleRow.default_plan_id.is_not(None))
        )
        return {role_id: plan_id for role_id, plan_id in rows}


def default_plan_start(cf: CompanyFile, today: date) -> date:
    """The date a new plan's first version takes effect from, unless the user says
    otherwise: the books start, else the earliest hire date (so deals already recorded are
    covered), else `today`."""
    with cf.session() as s:
        books = s.scalar(select(CompanyRow.books_start))
        if books is not None:
            return books.first_day
        hired = s.scalar(select(func.min(RepRow.hire_date)))
    return hired if hired is not None else today
