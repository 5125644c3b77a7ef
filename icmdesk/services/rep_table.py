"""Read-only query behind the reps table: every rep with the names a person reads
(role, manager, the plan in force on a day) rather than ids."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import and_, or_, select
from sqlalchemy.orm import aliased

from icmdesk.models.database import CompanyFile
from icmdesk.models.tables import AssignmentRow, PlanRow, RepRow, RoleRow


@dataclass(frozen=True, slots=True)
class RepRowView:
    """One row of the reps table."""

    id: int
    name: str
    role: str  # "" without a role
    manager: str  # "" without a manager
    email: str
    payroll_id: str
    hire_date: date
    termination_date: date | None
    plan: str  # the plan assigned on the day asked about, "" if none

    def active_on(self, day: date) -> bool:
        return self.hire_date <= day and (
            self.termination_date is None or day <= self.termination_date
        )


def rep_rows(cf: CompanyFile, *, on: date) -> tuple[RepRowView, ...]:
    """Every rep, by name, with role, manager and the plan assigned on `on`."""
    manager = aliased(RepRow)
    in_force = and_(
        AssignmentRow.rep_id == RepRow.id,
        AssignmentRow.effective_from <= on,
        or_(AssignmentRow.effective_to.is_(None), AssignmentRow.effective_to >= on),
    )
    with cf.session() as session:
        plans: dict[int, str] = {
            rep_id: plan
            for rep_id, plan in session.execute(
                select(RepRow.id, PlanRow.name)
                .join(AssignmentRow, in_force)
                .join(PlanRow, PlanRow.id == AssignmentRow.plan_id)
                .order_by(RepRow.id, AssignmentRow.effective_from)
            )
        }
        rows = session.execute(
            select(
                RepRow.id,
                RepRow.name,
                RoleRow.name,
                manager.name,
                RepRow.email,
                RepRow.payroll_id,
                RepRow.hire_date,
                RepRow.termination_date,
            )
            .outerjoin(RoleRow, RoleRow.id == RepRow.role_id)
            .outerjoin(manager, manager.id == RepRow.manager_id)
            .order_by(RepRow.name, RepRow.id)
        ).all()
    return tuple(
        RepRowView(
            id=rep_id,
            name=name,
            role=role or "",
            manager=manager_name or "",
            email=email,
            payroll_id=payroll_id,
            hire_date=hired,
            termination_date=terminated,
            plan=plans.get(rep_id, ""),
        )
        for rep_id, name, role, manager_name, email, payroll_id, hired, terminated in rows
    )
