"""Save a rep together with their plan assignments, as the rep form edits them: one unit of work.

A rep moving to another plan shortens one assignment and adds the next; saved
one at a time, the first step alone would leave deals without a plan and be
refused. Here the rep and every assignment are validated together (each
assignment against the others as they will be), every problem is returned at
once (assignment fields prefixed "assignments[i]."), and only then is anything
written: the rep, removed assignments deleted, changed ones updated, new ones
added, each edit in the audit log.

What an assignment row's draw means as typed is said here too (`draw_as_typed`): a
blank amount is no draw, a blank maximum recovery is the default one, so the form only
asks and shows.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session

from icmdesk.domain import validation
from icmdesk.domain.calendar import Month
from icmdesk.domain.entities import NEW, Assignment, CompanyData, Draw, DrawKind, Rep
from icmdesk.domain.errors import Problem, ValidationError
from icmdesk.models.database import CompanyFile
from icmdesk.models.tables import AssignmentRow, CreditRow, DealRow
from icmdesk.services import records
from icmdesk.services.store import load_company_data, load_deals

# The most a draw recovers in a month, as a % of the earnings above it, when none is
# given: the Draw's own default (all of them), read from it so there is one.
DEFAULT_MAX_RECOVERY_PCT: Decimal = {f.name: f.default for f in dataclasses.fields(Draw)}[
    "max_recovery_pct"
]
DEFAULT_DRAW_KIND = DrawKind.RECOVERABLE  # what a new assignment row offers


def draw_as_typed(
    amount: Decimal | None,
    kind: DrawKind,
    start_month: Month,
    end_month: Month | None,
    max_recovery_pct: Decimal | None,
) -> Draw | None:
    """The draw an assignment row describes: none while its amount is blank; a blank
    maximum recovery is `DEFAULT_MAX_RECOVERY_PCT`."""
    if amount is None:
        return None
    return Draw(
        amount=amount,
        kind=kind,
        start_month=start_month,
        end_month=end_month,
        max_recovery_pct=DEFAULT_MAX_RECOVERY_PCT if max_recovery_pct is None else max_recovery_pct,
    )


def save_rep_with_assignments(
    cf: CompanyFile, rep: Rep, assignments: Sequence[Assignment]
) -> tuple[Rep, tuple[Assignment, ...]]:
    """Store the rep and exactly these assignments for them (others of theirs are removed)."""
    with cf.session() as session:
        problems = _problems(_context(session, rep), rep, assignments)
        if problems:
            raise ValidationError(problems)
        stored_rep = records.write(session, records.REP, rep)
        kept = {a.id for a in assignments if a.id != NEW}
        if rep.id != NEW:
            gone = session.scalars(
                select(AssignmentRow.id).where(
                    AssignmentRow.rep_id == rep.id, AssignmentRow.id.not_in(kept)
                )
            ).all()
            for assignment_id in gone:
                records.remove(session, records.ASSIGNMENT, assignment_id)
        # Updates before additions, so a shortened assignment makes room for the next one.
        ordered = sorted(assignments, key=lambda a: a.id == NEW)
        stored = {
            id(a): records.write(
                session, records.ASSIGNMENT, dataclasses.replace(a, rep_id=stored_rep.id)
            )
            for a in ordered
        }
        return stored_rep, tuple(stored[id(a)] for a in assignments)


def check_rep_with_assignments(
    cf: CompanyFile, rep: Rep, assignments: Sequence[Assignment]
) -> list[Problem]:
    """Every problem `save_rep_with_assignments` would refuse, without writing anything."""
    with cf.session() as session:
        return _problems(_context(session, rep), rep, assignments)


def _context(session: Session, rep: Rep) -> CompanyData:
    data = load_company_data(session, deals=False, history=False, snapshots=False)
    if rep.id == NEW:
        return data
    deals = load_deals(
        session, DealRow.id.in_(select(CreditRow.deal_id).where(CreditRow.rep_id == rep.id))
    )
    return dataclasses.replace(data, deals=deals)


def _problems(data: CompanyData, rep: Rep, assignments: Sequence[Assignment]) -> list[Problem]:
    problems = list(validation.validate_rep(rep, data))
    # Rows not stored yet get distinct stand-in ids so each is "another" to the others.
    temp = [
        dataclasses.replace(a, rep_id=rep.id, id=a.id if a.id != NEW else -(i + 1))
        for i, a in enumerate(assignments)
    ]
    others = tuple(a for a in data.assignments if a.rep_id != rep.id)
    reps = (*(r for r in data.reps if r.id != rep.id), rep)
    context = dataclasses.replace(data, reps=reps, assignments=(*others, *temp))
    for i, a in enumerate(temp):
        for p in validation.validate_assignment(a, context):
            field = f"assignments[{i}].{p.field}" if p.field else f"assignments[{i}]"
            problems.append(Problem(field, p.message))
    if not temp:
        # Each assignment checks the deals it would leave uncovered; with none left, say so
        # here, or the company could no longer compute a month.
        credited = sorted(
            d.external_id for d in data.deals if any(c.rep_id == rep.id for c in d.credits)
        )
        if credited:
            shown = ", ".join(credited[:5]) + (
                f" and {len(credited) - 5} more" if len(credited) > 5 else ""
            )
            problems.append(
                Problem(
                    "assignments",
                    f"{rep.name} is credited on {len(credited)} deal(s) ({shown}): keep a plan "
                    "assignment covering their close dates.",
                )
            )
    return problems
