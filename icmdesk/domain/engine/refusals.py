"""Data the engine refuses to compute, each problem naming its record.

These are the COMP_RULES refusals checked over the whole company at once, so the
clerk sees every problem together (entity-level form checks live elsewhere).
"""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

from icmdesk.domain.calendar import Month
from icmdesk.domain.engine.context import Lookups, draw_months
from icmdesk.domain.engine.fmt import fmt_pct
from icmdesk.domain.entities import Assignment, Credit, Deal, Plan, PlanVersion, Rep
from icmdesk.domain.errors import Problem
from icmdesk.domain.money import CENT, HUNDRED, is_whole_cents


def find_problems(lk: Lookups) -> list[Problem]:
    """Every refusal in the data, in a stable order (plans, assignments, deals)."""
    problems: list[Problem] = []
    problems += _plan_problems(lk)
    problems += _assignment_problems(lk)
    problems += _all_deal_problems(lk)
    for adj in lk.data.adjustments:
        if adj.rep_id not in lk.reps:
            problems.append(
                Problem(
                    "rep",
                    f"The adjustment {adj.reason!r} names rep #{adj.rep_id}, who does not exist.",
                )
            )
    return problems


def _version_name(plan: Plan, v: PlanVersion) -> str:
    return f"plan {plan.name!r} version from {v.effective_from.isoformat()}"


def _plan_problems(lk: Lookups) -> list[Problem]:
    out: list[Problem] = []
    for plan in lk.data.plans:
        for v in plan.versions:
            name = _version_name(plan, v)
            if not v.tiers:
                out.append(Problem("tiers", f"The {name} has no rate table."))
                continue
            if v.tiers[0].from_pct != 0:
                out.append(Problem("tiers", f"The {name}: the first tier must start at 0%."))
            for a, b in zip(v.tiers, v.tiers[1:], strict=False):
                if b.from_pct <= a.from_pct:
                    out.append(
                        Problem("tiers", f"The {name}: tiers must start at increasing percentages.")
                    )
                    break
    return out


def _assignment_problems(lk: Lookups) -> list[Problem]:
    out: list[Problem] = []
    for a in lk.data.assignments:
        rep = lk.reps.get(a.rep_id)
        rep_name = rep.name if rep else f"rep #{a.rep_id}"
        plan = lk.plans.get(a.plan_id)
        if rep is None:
            out.append(Problem("rep", f"An assignment names rep #{a.rep_id}, who does not exist."))
            continue
        if plan is None:
            out.append(
                Problem("plan", f"{rep_name}'s assignment names a plan that does not exist.")
            )
            continue
        versions = plan.versions
        for i, v in enumerate(versions):
            nxt = versions[i + 1].effective_from if i + 1 < len(versions) else None
            overlaps = (a.effective_to is None or v.effective_from <= a.effective_to) and (
                nxt is None or a.effective_from < nxt
            )
            if not overlaps or not v.needs_quota:
                continue
            quota = a.quota_override if a.quota_override is not None else v.quota
            if quota is None or quota <= 0:
                out.append(
                    Problem(
                        "quota",
                        f"The {_version_name(plan, v)} has several tiers or a bonus and needs a "
                        f"positive quota, but {rep_name}'s assignment from "
                        f"{a.effective_from.isoformat()} has none.",
                    )
                )
    # Two draws may not cover the same month of one rep.
    for rep_id, items in lk.assignments_by_rep.items():
        with_draw = [a for a in items if a.draw is not None]
        for i, a in enumerate(with_draw):
            for b in with_draw[i + 1 :]:
                first = _first_shared_month(a, b)
                if first is not None:
                    name = lk.reps[rep_id].name if rep_id in lk.reps else f"rep #{rep_id}"
                    out.append(
                        Problem("draw", f"{name} has two draws covering the same month ({first}).")
                    )
    return out


def _first_shared_month(a: Assignment, b: Assignment) -> Month | None:
    """The first month both assignments' draws run in, if any."""
    ma, mb = draw_months(a), draw_months(b)
    return max(ma.first, mb.first) if ma.overlaps(mb) else None


_DAY = timedelta(days=1)
_NEVER = (date.max, date.min)  # a window no close date falls in


def _all_deal_problems(lk: Lookups) -> list[Problem]:
    """`_deal_problems` of every deal, in order, with a quick pass for the common clean deal.

    A deal passes quickly when its amount is positive whole cents, it is not cancelled
    before its close, its payments are positive, and its close date
    falls in its credits' window (see `_credits_window`); anything else gets the full
    check, so every message is the one `_deal_problems` writes.
    """
    out: list[Problem] = []
    zero = Decimal(0)
    # Keyed by id(): a dataclass hash of the credits would cost more than the check. The
    # entry holds the tuple so its id cannot be reused while the cache lives.
    windows: dict[int, tuple[date, date, tuple[Credit, ...]]] = {}
    window_of = windows.get
    rep_windows: dict[int, tuple[date, date]] = {}
    for deal in lk.data.deals:
        credits = deal.credits
        window = window_of(id(credits))
        if window is None:
            window = windows[id(credits)] = (*_credits_window(lk, credits, rep_windows), credits)
        close = deal.close_date
        amount = deal.amount
        cancelled = deal.cancellation_date
        payments = deal.payments
        if (
            window[0] <= close <= window[1]
            and amount > zero
            # is_whole_cents, inlined; an amount read from the file has exponent -2
            and (amount.same_quantum(CENT) or amount == amount.quantize(CENT))
            and (cancelled is None or cancelled >= close)
            and (not payments or all(p.amount > 0 for p in payments))
        ):
            continue
        out += _deal_problems(lk, deal)
    return out


def _credits_window(
    lk: Lookups, credits: tuple[Credit, ...], rep_windows: dict[int, tuple[date, date]]
) -> tuple[date, date]:
    """The close dates on which these credits raise no refusal, when they form one span:
    each split above 0%, no rep twice, every rep known, splits totalling at least 100%, and
    each rep's window (`_rep_window`) holding the date. `_NEVER` when they do not."""
    if not credits:
        return date.min, date.max
    first, last = date.min, date.max
    seen: set[int] = set()
    for credit in credits:
        if not credit.split_pct > 0 or credit.rep_id in seen:
            return _NEVER
        seen.add(credit.rep_id)
        window = rep_windows.get(credit.rep_id)
        if window is None:
            rep = lk.reps.get(credit.rep_id)
            window = rep_windows[credit.rep_id] = _NEVER if rep is None else _rep_window(lk, rep)
        first, last = max(first, window[0]), min(last, window[1])
    if sum((c.split_pct for c in credits), Decimal(0)) < HUNDRED:
        return _NEVER
    return first, last


def _rep_window(lk: Lookups, rep: Rep) -> tuple[date, date]:
    """The days a deal crediting `rep` may close on without a refusal (not after the
    termination, under a plan version: `_deal_problems`), when they form one span, else
    `_NEVER`.

    Whether a day qualifies changes only where an assignment starts or ends, a version of
    one of the rep's plans starts, or the termination passes: checking the first day of
    each stretch between those days decides the whole stretch.
    """
    starts = {date.min}
    for a in lk.assignments_by_rep.get(rep.id, ()):
        starts.add(a.effective_from)
        if a.effective_to is not None and a.effective_to < date.max:
            starts.add(a.effective_to + _DAY)
        plan = lk.plans.get(a.plan_id)
        if plan is not None:
            starts.update(v.effective_from for v in plan.versions)
    ended = rep.termination_date
    if ended is not None and ended < date.max:
        starts.add(ended + _DAY)
    bounds = sorted(starts)
    window: tuple[date, date] | None = None
    for i, day in enumerate(bounds):
        if (ended is not None and day > ended) or lk.in_force(rep.id, day) is None:
            continue
        end = bounds[i + 1] - _DAY if i + 1 < len(bounds) else date.max
        if window is None:
            window = (day, end)
        elif window[1] + _DAY == day:
            window = (window[0], end)
        else:
            return _NEVER  # two spans: leave these deals to the full check
    return _NEVER if window is None else window


def _deal_problems(lk: Lookups, deal: Deal) -> list[Problem]:
    out: list[Problem] = []
    name = f"Deal {deal.external_id}"
    if deal.amount <= 0 or not is_whole_cents(deal.amount):
        out.append(Problem("amount", f"{name}: the amount must be positive whole cents."))
    if deal.cancellation_date is not None and deal.cancellation_date < deal.close_date:
        out.append(
            Problem(
                "cancellation_date",
                f"{name}: cancelled on {deal.cancellation_date.isoformat()}, before its close "
                f"date {deal.close_date.isoformat()}.",
            )
        )
    if any(p.amount <= 0 for p in deal.payments):
        out.append(Problem("payments", f"{name}: every payment must be positive."))
    seen: set[int] = set()
    for credit in deal.credits:
        rep = lk.reps.get(credit.rep_id)
        who = rep.name if rep else f"rep #{credit.rep_id}"
        if credit.split_pct <= 0:
            out.append(
                Problem(
                    "credits",
                    f"{name}: the split for {who} is {fmt_pct(credit.split_pct)}; "
                    "each split must be above 0%.",
                )
            )
        if credit.rep_id in seen:
            out.append(Problem("credits", f"{name}: {who} is credited more than once."))
        seen.add(credit.rep_id)
        if rep is None:
            out.append(
                Problem("credits", f"{name}: credits rep #{credit.rep_id}, who does not exist.")
            )
            continue
        if rep.termination_date is not None and deal.close_date > rep.termination_date:
            out.append(
                Problem(
                    "credits",
                    f"{name}: closed {deal.close_date.isoformat()}, after {who}'s termination on "
                    f"{rep.termination_date.isoformat()}.",
                )
            )
        elif lk.in_force(rep.id, deal.close_date) is None:
            assignment = lk.assignment_on(rep.id, deal.close_date)
            if assignment is None:
                why = "has no plan assignment in force"
            else:
                plan = lk.plans.get(assignment.plan_id)
                why = f"is on plan {plan.name!r}, which has no version" if plan else "has no plan"
            out.append(
                Problem(
                    "credits",
                    f"{name}: {who} {why} on its close date {deal.close_date.isoformat()}.",
                )
            )
    if deal.credits:
        total = sum((c.split_pct for c in deal.credits), Decimal(0))
        if total < HUNDRED:
            out.append(
                Problem(
                    "credits",
                    f"{name}: splits total {fmt_pct(total)}; they must total at least 100%.",
                )
            )
    return out
