"""Indexes over CompanyData that the engine looks things up in, built once per run."""

from __future__ import annotations

from bisect import bisect_right
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from icmdesk.domain.calendar import Month
from icmdesk.domain.entities import (
    Assignment,
    CompanyData,
    Draw,
    Plan,
    PlanVersion,
    Rep,
)


@dataclass(frozen=True, slots=True)
class InForce:
    """What governs a rep on one day: the assignment, its plan and the plan's version."""

    assignment: Assignment
    plan: Plan
    version: PlanVersion
    version_number: int  # 1-based position in plan.versions

    @property
    def quota(self) -> Decimal | None:
        """The effective quota: the assignment's override, else the version's."""
        if self.assignment.quota_override is not None:
            return self.assignment.quota_override
        return self.version.quota

    @property
    def version_label(self) -> str:
        return f"v{self.version_number} from {self.version.effective_from.isoformat()}"


@dataclass(frozen=True, slots=True)
class DrawMonths:
    """The months an assignment's draw runs (whether the rep is employed aside): from the
    later of its start month and the assignment's first month, through its end month,
    else the assignment's last month, else open-ended (`last` None)."""

    first: Month
    last: Month | None

    def __contains__(self, month: object) -> bool:
        return (
            isinstance(month, Month)
            and self.first <= month
            and (self.last is None or month <= self.last)
        )

    def overlaps(self, other: DrawMonths) -> bool:
        return (self.last is None or other.first <= self.last) and (
            other.last is None or self.first <= other.last
        )


def draw_months(a: Assignment) -> DrawMonths:
    """The months the assignment's draw runs (see DrawMonths); the assignment has a draw."""
    assert a.draw is not None
    first = max(a.draw.start_month, Month.of(a.effective_from))
    last = a.draw.end_month
    if last is None and a.effective_to is not None:
        last = Month.of(a.effective_to)
    return DrawMonths(first, last)


class Lookups:
    """Reps, plans and assignments by id, each rep's assignments in date order, manager chains."""

    __slots__ = ("_ancestors", "_spans", "assignments_by_rep", "data", "plans", "reps")

    def __init__(self, data: CompanyData) -> None:
        self.data = data
        self.reps: dict[int, Rep] = {r.id: r for r in data.reps}
        self.plans: dict[int, Plan] = {p.id: p for p in data.plans}
        by_rep: dict[int, list[Assignment]] = {}
        for a in data.assignments:
            by_rep.setdefault(a.rep_id, []).append(a)
        for items in by_rep.values():
            items.sort(key=lambda a: (a.effective_from, a.id))
        self.assignments_by_rep = by_rep
        self._ancestors: dict[int, tuple[int, ...]] = {}
        # Per rep, the days what governs them can change on (assignment starts and ends,
        # plan version starts), each with what governs them from then on.
        self._spans: dict[int, tuple[list[date], list[InForce | None]]] = {}

    def assignment_on(self, rep_id: int, day: date) -> Assignment | None:
        """The assignment in force for the rep on `day` (the latest started, if several)."""
        found = None
        for a in self.assignments_by_rep.get(rep_id, ()):
            if a.effective_from > day:
                break
            if a.in_force(day):
                found = a
        return found

    def in_force(self, rep_id: int, day: date) -> InForce | None:
        """Assignment, plan and version governing the rep on `day`, or None."""
        spans = self._spans.get(rep_id)
        if spans is None:
            spans = self._spans[rep_id] = self._changes(rep_id)
        starts, governing = spans
        i = bisect_right(starts, day) - 1
        return governing[i] if i >= 0 else None

    def next_change(self, rep_id: int, day: date) -> date:
        """The first day after `day` on which what governs the rep can change (date.max
        when nothing changes after it): in_force is the same from `day` up to it."""
        spans = self._spans.get(rep_id)
        if spans is None:
            spans = self._spans[rep_id] = self._changes(rep_id)
        starts = spans[0]
        i = bisect_right(starts, day)
        return starts[i] if i < len(starts) else date.max

    def _changes(self, rep_id: int) -> tuple[list[date], list[InForce | None]]:
        """The days on which what governs the rep can change, in order, each with what
        governs them from that day to the next (_find_in_force is constant in between)."""
        days: set[date] = set()
        for a in self.assignments_by_rep.get(rep_id, ()):
            days.add(a.effective_from)
            if a.effective_to is not None and a.effective_to < date.max:
                days.add(a.effective_to + timedelta(days=1))
            plan = self.plans.get(a.plan_id)
            if plan is not None:
                days.update(v.effective_from for v in plan.versions)
        starts = sorted(days)
        return starts, [self._find_in_force(rep_id, day) for day in starts]

    def _find_in_force(self, rep_id: int, day: date) -> InForce | None:
        a = self.assignment_on(rep_id, day)
        if a is None:
            return None
        plan = self.plans.get(a.plan_id)
        if plan is None:
            return None
        number = 0
        version = None
        for i, v in enumerate(plan.versions):
            if v.effective_from <= day:
                version, number = v, i + 1
            else:
                break
        if version is None:
            return None
        return InForce(a, plan, version, number)

    def in_force_in_month(self, rep_id: int, month: Month) -> InForce | None:
        """What governs the rep's statement header for a month: the state on the last day of
        the month, or the termination date if earlier, that an assignment of theirs covers
        (None when none does). A version or assignment starting after the termination date
        never heads a statement."""
        last = month.last_day
        first = month.first_day
        rep = self.reps.get(rep_id)
        left = rep.termination_date if rep is not None else None
        if left is not None and left < last:
            last = left  # after the termination: what governed the rep on their last day
            first = min(first, left)
        best: InForce | None = None
        for a in self.assignments_by_rep.get(rep_id, ()):
            if a.effective_from > last:
                break
            if a.effective_to is not None and a.effective_to < first:
                continue
            day = last if a.effective_to is None or a.effective_to > last else a.effective_to
            found = self.in_force(rep_id, day)
            if found is not None:
                best = found
        return best

    def draw_in(self, rep_id: int, month: Month) -> Draw | None:
        """The draw running for the rep in `month`: a draw is paid in its own months while
        the rep is employed, even after the assignment carrying it has ended. Its months
        run from its start month (once its assignment has begun) through its end month;
        an open-ended draw ends with its assignment."""
        rep = self.reps[rep_id]
        if not rep.employed_in(month):
            return None
        for a in self.assignments_by_rep.get(rep_id, ()):
            if a.draw is not None and month in draw_months(a):
                return a.draw
        return None

    def ancestors(self, rep_id: int) -> tuple[int, ...]:
        """The rep's managers, nearest first, stopping at a cycle or an unknown id."""
        cached = self._ancestors.get(rep_id)
        if cached is not None:
            return cached
        chain: list[int] = []
        seen = {rep_id}
        current = self.reps[rep_id].manager_id if rep_id in self.reps else None
        while current is not None and current in self.reps and current not in seen:
            chain.append(current)
            seen.add(current)
            current = self.reps[current].manager_id
        result = tuple(chain)
        self._ancestors[rep_id] = result
        return result
