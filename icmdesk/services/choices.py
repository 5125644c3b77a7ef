"""Read-only lists behind the forms: the reps, roles and plans a person picks from,
and a rep's plan assignments, as frozen values (names with their ids)."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, select

from icmdesk.domain.entities import Assignment, Plan
from icmdesk.models import mapping
from icmdesk.models.database import CompanyFile
from icmdesk.models.tables import AssignmentRow, PlanRow, RepRow, RoleRow
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
