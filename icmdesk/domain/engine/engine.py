"""compute_month / compute_range: every rep's statement for payout months.

Closed months are their stored snapshots, decoded. Open months are computed: one
earnings pass over all the data (engine/earnings.py), then, per rep, the months from
the first open month on, carrying balance and YTD from the rep's last closed
snapshot, with the prior-period adjustments on the first open month.

By default every closed month is re-verified against what was stored, so the data must
hold every deal. With `verify_months`, only those closed months are re-verified and the
data may hold a subset of the deals, provided (the services' month loader keeps this):
- a deal is present only with every deal closed in the same quota period (of every plan
  version's quota period length) up to the last month computed, so booked commissions
  and attainment are exact;
- every deal that puts a line in an open month computed or in a verified month is
  present (closed, paid or cancelled in it), as are all assignments, adjustments and
  periods, and the snapshots of the last closed month, of the verified months, and
  every snapshot carrying a prior-period line for a verified month;
- a deal absent from the data and not closed in a verified month is unchanged since the
  last close: its "Booked, awaiting payment" lines are carried from each rep's last
  closed statement (so every deal closed in a verified month must be present);
- except as context: a deal paid or cancelled in an open or verified month whose quota
  period is otherwise not loaded may be present with, as `context_deals`, the deals of
  its quota period closed up to it that credit any rep it credits (so its credits are
  rated as in the full computation). Context deals post only their lines dated in the
  open months computed and the verified months (payments, clawbacks); a context deal with
  a payment or its cancellation dated there shows its awaiting lines, the others' are
  carried like an absent deal's;
- `progress` is standing stored with closes (`quota_progress`), each piece still true of
  the data (no edit has touched its quota period since) when given:
  - a month's (each rep's standing in its quota periods at its end), complete, stands
    for the deals of its quota period closed up to that month end; the pass takes it up
    before the next month's deals. So a quota period's deals need only be present from
    the month after the latest month's progress given in it, and a context deal's
    context only from there;
  - a deal's (what each rep it credits had counted before it) stands for the deals
    before it: given for every rep a deal paid or cancelled in those months credits, the
    deal needs no context.
"""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from functools import partial
from typing import Any, Literal, TypeVar, overload

from icmdesk.domain.calendar import (
    Month,
    QuotaPeriod,
    fiscal_year_start,
    months_between,
    quota_period_label,
    quota_period_start,
)
from icmdesk.domain.engine.context import InForce, Lookups
from icmdesk.domain.engine.draws import settle
from icmdesk.domain.engine.earnings import (
    GROUP_PPA,
    Bucket,
    EarningsRun,
    PendingLine,
    PendingNotice,
    SortKey,
    keyed_lines,
    reaches,
)
from icmdesk.domain.engine.fmt import fmt_money, fmt_pct
from icmdesk.domain.engine.refusals import find_problems
from icmdesk.domain.entities import (
    ClawbackPolicy,
    CompanyData,
    OpeningBalance,
    PeriodStatus,
    PlanVersion,
    Progress,
    StatementSnapshot,
)
from icmdesk.domain.errors import ValidationError
from icmdesk.domain.money import HUNDRED, ZERO, D, round_cents
from icmdesk.domain.statement import (
    AwaitingLine,
    AwaitingLines,
    ClawbackNotice,
    LineKind,
    PlanTerms,
    Statement,
    StatementLine,
    StatementLines,
    StatementOpening,
    StatementTotals,
    TermBonus,
    TermMultiplier,
    TermSpif,
    TierMark,
    YearToDate,
)
from icmdesk.domain.statement_codec import awaiting_of_payload, statement_of_snapshot

_EMPTY = Bucket()
_NO_PROGRESS = Progress()


def first_statement_month(data: CompanyData) -> Month | None:
    """The earliest month any rep can have a statement: first assignment, deal or adjustment,
    and never before the books start."""
    months = [Month.of(a.effective_from) for a in data.assignments]
    months += [Month.of(d.close_date) for d in data.deals if d.credits]
    months += [a.month for a in data.adjustments]
    months += [data.company.books_start] if data.opening_balances else []
    if not months:
        return None
    start = data.company.books_start
    return max(min(months), start) if start is not None else min(months)


def in_books(data: CompanyData) -> CompanyData:
    """The data ICMDesk pays from (COMP_RULES "Books start"): without the deals closed
    before the books start (with their payments and cancellations) and the adjustments
    for months before it. The same data when there is no books start."""
    start = data.company.books_start
    if start is None:
        return data
    first = start.first_day
    deals = tuple(d for d in data.deals if d.close_date >= first)
    adjustments = tuple(a for a in data.adjustments if a.month >= start)
    if len(deals) == len(data.deals) and len(adjustments) == len(data.adjustments):
        return data
    return dataclasses.replace(data, deals=deals, adjustments=adjustments)


def last_data_month(data: CompanyData) -> Month | None:
    """The latest month anything is dated in: closes, payments, cancellations, adjustments."""
    months: list[Month] = [a.month for a in data.adjustments]
    for d in data.deals:
        months.append(Month.of(d.close_date))
        months += [Month.of(p.date) for p in d.payments]
        if d.cancellation_date is not None:
            months.append(Month.of(d.cancellation_date))
    return max(months) if months else None


def compute_month(
    data: CompanyData,
    month: Month,
    *,
    verify_months: frozenset[Month] | None = None,
    context_deals: frozenset[str] = frozenset(),
    progress: Progress = _NO_PROGRESS,
) -> tuple[Statement, ...]:
    """Every rep's statement for `month`, sorted by rep name then id.

    `verify_months`: the closed months to re-verify (None: all; see the module docstring
    for what the data may then leave out). `context_deals`: external ids of deals present
    only as context for the payments and cancellations among them. `progress`: standing
    stored at closes, standing for earlier deals (see the module docstring).
    """
    return compute_range(
        data,
        month,
        month,
        verify_months=verify_months,
        context_deals=context_deals,
        progress=progress,
    )[month]


def compute_range(
    data: CompanyData,
    first: Month,
    last: Month,
    *,
    verify_months: frozenset[Month] | None = None,
    context_deals: frozenset[str] = frozenset(),
    progress: Progress = _NO_PROGRESS,
) -> dict[Month, tuple[Statement, ...]]:
    """Every rep's statements for each month from `first` to `last`, in one pass.

    `verify_months`, `context_deals` and `progress` as for compute_month. Raises
    ValidationError with every refusal found in the data.
    """
    data = in_books(data)
    last_closed, before, closed, open_months = _split(data, first, last)
    by_month: dict[Month, list[StatementSnapshot]] = {}
    for snap in data.snapshots:
        by_month.setdefault(snap.month, []).append(snap)
    result: dict[Month, tuple[Statement, ...]] = {
        m: _sorted(statement_of_snapshot(s) for s in by_month.get(m, ())) for m in closed
    }
    result.update((m, ()) for m in before)
    if open_months:
        lk = _checked(data)
        scope = _Scope(last_closed, verify_months, context_deals, progress)
        result.update(_compute_open(lk, open_months, scope, detail=True))
    return dict(sorted(result.items()))


def compute_totals(
    data: CompanyData,
    first: Month,
    last: Month,
    *,
    verify_months: frozenset[Month] | None = None,
    context_deals: frozenset[str] = frozenset(),
    progress: Progress = _NO_PROGRESS,
) -> dict[Month, tuple[StatementTotals, ...]]:
    """compute_range's money figures without the lines: what a run over years keeps.

    Building every line of every month is most of the cost of a long range (and of its
    memory); the figures are the same as the full statements'. Closed months come from
    their snapshots' stored figures, under the rep's current name.
    """
    data = in_books(data)
    last_closed, before, closed, open_months = _split(data, first, last)
    names = {r.id: r.name for r in data.reps}
    wanted = frozenset(closed)
    result: dict[Month, list[StatementTotals]] = {m: [] for m in (*before, *closed)}
    for snap in data.snapshots:
        if snap.month in wanted:
            result[snap.month].append(_totals_of_snapshot(snap, names.get(snap.rep_id, "")))
    out = {m: _sorted(items) for m, items in result.items()}
    if open_months:
        lk = _checked(data)
        scope = _Scope(last_closed, verify_months, context_deals, progress)
        out.update(_compute_open(lk, open_months, scope, detail=False))
    return dict(sorted(out.items()))


def quota_progress(
    data: CompanyData,
    months: frozenset[Month],
    *,
    context_deals: frozenset[str] = frozenset(),
    progress: Progress = _NO_PROGRESS,
) -> Progress:
    """What closing `months` stores (see the module docstring): each rep's standing in
    every quota period that goes on after each month, at its end, and before each deal
    closed in the month, for each rep it credits.

    The data must hold, for each month, its quota period's deals closed up to its end
    (from the month after the latest month's `progress` given in the period);
    `context_deals` and `progress` as for compute_month.
    """
    if not months:
        return _NO_PROGRESS
    run = EarningsRun(
        _checked(in_books(data)),
        want_months=frozenset(),
        until=max(months),
        context_deals=context_deals,
        progress=progress,
        record=months,
    ).run()
    ends = tuple(p for m in sorted(run.progress) for p in run.progress[m])
    return Progress(ends, tuple(run.deal_standing))


def _split(
    data: CompanyData, first: Month, last: Month
) -> tuple[Month | None, list[Month], list[Month], list[Month]]:
    """(the last closed month, the range's months before the books start, its closed
    months, its open months).

    Months before the books start have no statements. Months up to the last close are
    closed (a month before the first close counts as closed with no statements): they are
    what was stored.
    """
    closed = [p.month for p in data.periods if p.status is PeriodStatus.CLOSED]
    last_closed = max(closed) if closed else None
    months = months_between(first, last)
    start = data.company.books_start
    before = [m for m in months if start is not None and m < start]
    if before:
        months = months[len(before) :]
    if last_closed is None:
        return None, before, [], months
    return (
        last_closed,
        before,
        [m for m in months if m <= last_closed],
        [m for m in months if m > last_closed],
    )


def _checked(data: CompanyData) -> Lookups:
    """Closed months are only read back, so bad data entered since never hides them;
    computing an open month needs every record valid."""
    lk = Lookups(data)
    problems = find_problems(lk)
    if problems:
        raise ValidationError(problems)
    return lk


def _totals_of_snapshot(snap: StatementSnapshot, rep_name: str) -> StatementTotals:
    return StatementTotals(
        rep_id=snap.rep_id,
        rep_name=rep_name,
        month=snap.month,
        earnings=snap.earnings,
        draw=snap.draw,
        balance_before=snap.balance_before,
        recovery=snap.recovery,
        payout=snap.payout,
        balance_after=snap.balance_after,
        ytd_earnings=snap.ytd_earnings,
        closed=True,
    )


_S = TypeVar("_S", Statement, StatementTotals)


def _sorted(statements: Iterable[_S]) -> tuple[_S, ...]:
    return tuple(sorted(statements, key=lambda s: (s.rep_name, s.rep_id)))


@dataclass(frozen=True, slots=True)
class _Scope:
    """What the data holds beyond the open months: the last closed month, the closed
    months to re-verify (None: all, and every deal is present) and the context deals."""

    last_closed: Month | None
    verify: frozenset[Month] | None
    context: frozenset[str]
    progress: Progress = _NO_PROGRESS


@dataclass(frozen=True, slots=True)
class _Ppa:
    month: Month
    amount: Decimal
    recomputed: Decimal
    stored: Decimal | None  # None: no statement was closed for the rep that month
    posted: Decimal


@overload
def _compute_open(
    lk: Lookups,
    open_months: list[Month],
    scope: _Scope,
    *,
    detail: Literal[True],
) -> dict[Month, tuple[Statement, ...]]: ...


@overload
def _compute_open(
    lk: Lookups,
    open_months: list[Month],
    scope: _Scope,
    *,
    detail: Literal[False],
) -> dict[Month, tuple[StatementTotals, ...]]: ...


def _compute_open(
    lk: Lookups,
    open_months: list[Month],
    scope: _Scope,
    *,
    detail: bool,
) -> dict[Month, tuple[Statement, ...]] | dict[Month, tuple[StatementTotals, ...]]:
    """The open months' statements (`detail`: with their lines, awaiting lines and notices;
    otherwise their figures alone)."""
    data = lk.data
    last_closed, verify = scope.last_closed, scope.verify
    wanted = frozenset(open_months)
    first_open = last_closed.plus(1) if last_closed is not None else None
    # Context deals post in every open month up to the last asked for (the balance and
    # YTD run through them) and in the verified months.
    posts = frozenset(months_between(first_open or min(open_months), max(open_months)))
    posts |= verify or frozenset()
    run = EarningsRun(
        lk,
        want_months=wanted if detail else frozenset(),
        until=max(open_months),
        context_deals=scope.context,
        post_months=posts,
        progress=scope.progress,
    ).run()
    ppas = _prior_period_adjustments(lk, run, last_closed, verify) if last_closed else {}
    payloads, carried = (
        _carried_awaiting(lk, last_closed, verify, scope.context, posts)
        if detail and verify is not None and last_closed
        else ({}, _carry_none)
    )
    explained: dict[tuple[int, Month], str] = {}
    late: dict[int, list[PendingNotice]] = {}
    clawed = frozenset(
        (rep_id, m)
        for rep_id, m in run.clawed_in
        if last_closed is not None and m <= last_closed and (verify is None or m in verify)
    )
    if detail and (ppas or clawed) and first_open in wanted:
        explained, late = _explain(lk, scope, ppas, clawed)
    totals: dict[Month, list[StatementTotals]] = {m: [] for m in open_months}

    # Each rep's first month: first assignment or first line, not before the books start;
    # the books start for a rep with an opening balance.
    books_start = data.company.books_start
    openings = {ob.rep_id: ob for ob in data.opening_balances} if books_start else {}
    first_month: dict[int, Month] = dict.fromkeys(openings, books_start)  # type: ignore[arg-type]
    for a in data.assignments:
        m = Month.of(a.effective_from)
        if books_start is not None and m < books_start:
            m = books_start
        if a.rep_id not in first_month or m < first_month[a.rep_id]:
            first_month[a.rep_id] = m
    for rep_id, m in run.buckets:
        if rep_id not in first_month or m < first_month[rep_id]:
            first_month[rep_id] = m
    for rep_id, items in ppas.items():
        if items and first_open is not None:
            first_month[rep_id] = min(first_month.get(rep_id, first_open), first_open)
    for rep_id in late:  # a notice comes with a statement
        if first_open is not None:
            first_month[rep_id] = min(first_month.get(rep_id, first_open), first_open)

    last_snap: dict[int, StatementSnapshot] = {}
    for snap in data.snapshots:
        if last_closed is not None and snap.month <= last_closed:
            prev = last_snap.get(snap.rep_id)
            if prev is None or snap.month > prev.month:
                last_snap[snap.rep_id] = snap

    fy_month = data.company.fiscal_year_start
    out: dict[Month, list[Statement]] = {m: [] for m in open_months}
    end = max(open_months)
    for rep_id, start in first_month.items():
        rep = lk.reps.get(rep_id)
        if rep is None:
            continue
        begin = start if first_open is None or start > first_open else first_open
        if begin > end:
            continue
        balance = ZERO
        ytd_fy: Month | None = None
        ytd = ZERO
        snap = last_snap.get(rep_id)
        opening = openings.get(rep_id)
        if snap is not None:
            balance = snap.balance_after
            ytd_fy = fiscal_year_start(snap.month, fy_month)
            ytd = snap.ytd_earnings
        elif opening is not None and books_start is not None:
            # Where the rep stood when the books start: B, and the fiscal year to date.
            balance = round_cents(opening.balance_owed)
            ytd_fy = fiscal_year_start(books_start, fy_month)
            ytd = round_cents(opening.ytd_earnings)
        term_month = Month.of(rep.termination_date) if rep.termination_date else None
        rep_ppas = ppas.get(rep_id, []) if first_open is not None else []
        for m in months_between(begin, end):
            bucket = run.buckets.get((rep_id, m), _EMPTY)
            ppa_here = rep_ppas if m == first_open else []
            told = m == first_open and rep_id in late
            if (
                term_month is not None
                and m > term_month
                and bucket.count == 0
                and not ppa_here
                and not told
            ):
                continue  # after termination, statements only while lines (or notices) arrive
            earnings = bucket.total + sum((p.amount for p in ppa_here), ZERO)
            draw = lk.draw_in(rep_id, m)
            d_amount = round_cents(draw.amount) if draw is not None else ZERO
            s = settle(
                earnings=earnings,
                draw=d_amount,
                balance_before=balance,
                kind=draw.kind if draw is not None else None,
                max_recovery_pct=draw.max_recovery_pct if draw is not None else HUNDRED,
            )
            balance_after = s.balance_after
            forgiven = owed = ZERO
            if m == term_month:
                if data.company.forgive_balance_at_termination:
                    forgiven, balance_after = balance_after, ZERO
                else:
                    owed = balance_after
            fy = fiscal_year_start(m, fy_month)
            if fy != ytd_fy:
                ytd_fy, ytd = fy, ZERO
            ytd += earnings
            if m in wanted and not detail:
                totals[m].append(
                    StatementTotals(
                        rep_id=rep_id,
                        rep_name=rep.name,
                        month=m,
                        earnings=earnings,
                        draw=d_amount,
                        balance_before=balance,
                        recovery=s.recovery,
                        payout=s.payout,
                        balance_after=balance_after,
                        ytd_earnings=ytd,
                        closed=False,
                    )
                )
            elif m in wanted:
                lines = _lines(bucket, ppa_here, explained, rep_id, data.company.currency)
                awaiting: tuple[AwaitingLine, ...] | AwaitingLines = tuple(bucket.awaiting)
                if rep_id in payloads:
                    # Decoded when the statement's awaiting lines are read.
                    awaiting = AwaitingLines(
                        partial(_with_carried, awaiting, payloads[rep_id], carried, m)
                    )
                out[m].append(
                    _statement(
                        lk,
                        run,
                        rep_id=rep_id,
                        month=m,
                        bucket=bucket,
                        late_notices=late.get(rep_id, ()) if m == first_open else (),
                        lines=lines,
                        awaiting=awaiting,
                        earnings=earnings,
                        draw=d_amount,
                        draw_kind=draw.kind.value if draw is not None else "",
                        balance_before=balance,
                        recovery=s.recovery,
                        payout=s.payout,
                        balance_after=balance_after,
                        forgiven=forgiven,
                        owed=owed,
                        ytd=ytd,
                        opening=_opening(lk, opening) if opening and m == books_start else None,
                        recovery_pct=(
                            draw.max_recovery_pct
                            if draw is not None and draw.max_recovery_pct != HUNDRED
                            else None
                        ),
                        ytd_from=_YtdFrom(snap, last_closed),
                    )
                )
            balance = balance_after
    if not detail:
        return {m: _sorted(items) for m, items in totals.items()}
    return {m: _sorted(items) for m, items in out.items()}


def _lines(
    bucket: Bucket,
    ppas: list[_Ppa],
    explained: dict[tuple[int, Month], str],
    rep_id: int,
    cur: str,
) -> tuple[StatementLine, ...] | StatementLines:
    """The statement's lines in order: prior-period adjustments now, deal lines when they
    are read (StatementLines)."""
    keyed: list[tuple[SortKey, StatementLine | PendingLine]] = []
    for i, p in enumerate(ppas):
        if p.stored is None:
            against = "no statement was closed for that month"
        else:
            against = f"{fmt_money(p.stored, cur)} on the closed statement"
        text = (
            f"Prior-period adjustment for {p.month}: recomputed earnings "
            f"{fmt_money(p.recomputed, cur)} vs {against}"
        )
        if p.posted != 0:
            text += f", less {fmt_money(p.posted, cur)} already adjusted"
        cause = explained.get((rep_id, p.month))
        if cause:
            text += f" · {cause}"
        keyed.append(
            (
                (GROUP_PPA, p.month.index, i, 0),
                StatementLine(
                    kind=LineKind.PRIOR_PERIOD,
                    amount=p.amount,
                    description=text,
                    rule="recomputed earnings − closed earnings − earlier adjustments",
                    ref_month=p.month,
                ),
            )
        )
    if not bucket.lines:
        return _in_order(keyed, cur)
    return StatementLines(partial(_in_order, [*bucket.lines, *keyed], cur))


def _in_order(
    keyed: list[tuple[SortKey, StatementLine | PendingLine]], cur: str
) -> tuple[StatementLine, ...]:
    built = keyed_lines(keyed, cur)
    built.sort(key=lambda item: item[0])
    return tuple(line for _, line in built)


def _carry_none(a: AwaitingLine, month: Month) -> bool:
    return False


def _statement(
    lk: Lookups,
    run: EarningsRun,
    *,
    rep_id: int,
    month: Month,
    bucket: Bucket,
    late_notices: Iterable[PendingNotice],
    lines: tuple[StatementLine, ...],
    awaiting: tuple[AwaitingLine, ...] | AwaitingLines,
    earnings: Decimal,
    draw: Decimal,
    draw_kind: str,
    balance_before: Decimal,
    recovery: Decimal,
    payout: Decimal,
    balance_after: Decimal,
    forgiven: Decimal,
    owed: Decimal,
    ytd: Decimal,
    opening: StatementOpening | None = None,
    recovery_pct: Decimal | None = None,
    ytd_from: _YtdFrom | None = None,
) -> Statement:
    rep = lk.reps[rep_id]
    role = next((r.name for r in lk.data.roles if r.id == rep.role_id), "")
    fy_month = lk.data.company.fiscal_year_start
    f = lk.in_force_in_month(rep_id, month)
    plan_name = plan_version = label = ""
    quota: Decimal | None = None
    credited = ZERO
    attainment: Decimal | None = None
    marks: tuple[TierMark, ...] = ()
    terms: PlanTerms | None = None
    year_to_date: YearToDate | None = None
    if f is not None:
        v = f.version
        plan_name, plan_version = f.plan.name, f.version_label
        qstart = quota_period_start(month, v.quota_period, fy_month)
        label = quota_period_label(qstart, v.quota_period, fy_month)
        for m in months_between(qstart, month)[::-1]:
            x = run.x_at.get((rep_id, v.quota_period, qstart, m))
            if x is not None:
                credited = x
                break
        if f.quota is not None and f.quota > 0:
            quota = round_cents(f.quota)
            attainment = round_cents(credited * HUNDRED / f.quota)
        marks = tuple(TierMark(t.from_pct, t.rate_pct) for t in v.tiers)
        terms = _terms(v, lk.data.company.clawback_policy, month)
        if quota is not None and ytd_from is not None:
            year_to_date = _year_to_date(lk, run, rep_id, month, f, credited, ytd_from)
    notices = tuple(
        ClawbackNotice(
            rep_id=rep_id,
            rep_name=rep.name,
            month=month,
            deal_id=n.deal.external_id,
            customer=n.deal.customer,
            deal_amount=round_cents(n.deal.amount),
            close_date=n.deal.close_date,
            cancellation_date=n.deal.cancellation_date or n.deal.close_date,
            reason=n.deal.cancellation_reason,
            window_days=n.policy.window_days,
            method=n.policy.method.value,
            days_after_close=n.days_after_close,
            factor_text=n.factor_text,
            originally_earned=n.originally_earned,
            clawed_back=n.clawed_back,
            period_earnings=earnings,
            payout=payout,
            balance_before=balance_before,
            balance_after=balance_after,
            source_rep=n.source,
            source_split_pct=n.split,
        )
        # Clawbacks dated in closed months first: they reach the rep through this month's
        # prior-period adjustments, and their notices come with this statement.
        for n in (*late_notices, *bucket.notices)
    )
    return Statement(
        rep_id=rep_id,
        rep_name=rep.name,
        role_name=role,
        payroll_id=rep.payroll_id,
        month=month,
        plan_name=plan_name,
        plan_version=plan_version,
        quota_period_label=label,
        quota=quota,
        credited_to_date=credited,
        attainment_pct=attainment,
        tier_marks=marks,
        lines=lines,
        awaiting=awaiting,
        notices=notices,
        earnings=earnings,
        draw=draw,
        draw_kind=draw_kind,
        balance_before=balance_before,
        recovery=recovery,
        payout=payout,
        balance_after=balance_after,
        balance_forgiven=forgiven,
        balance_owed_at_termination=owed,
        ytd_earnings=ytd,
        closed=False,
        content_hash=None,
        opening=opening,
        recovery_pct=recovery_pct,
        terms=terms,
        year_to_date=year_to_date,
    )


@dataclass(frozen=True, slots=True)
class _YtdFrom:
    """Where a statement's fiscal year to date comes from, beyond the run: the rep's last
    closed statement, and the last closed month."""

    snap: StatementSnapshot | None
    last_closed: Month | None


def _snapshot_value(payload: str, key: str) -> Any:
    """A top-level value of a stored statement's canonical JSON, read without decoding the
    rest (its lines can be many): the first match is the statement's own key, as in
    statement_codec.awaiting_of_payload (an unescaped quote is never inside a string, and
    no nested record of a statement has these keys)."""
    start = payload.find(f'"{key}":')
    if start < 0:
        return None
    return _DECODER.raw_decode(payload, start + len(key) + 3)[0]


_DECODER = json.JSONDecoder()


def _year_to_date(
    lk: Lookups,
    run: EarningsRun,
    rep_id: int,
    month: Month,
    f: InForce,
    credited: Decimal,
    src: _YtdFrom,
) -> YearToDate | None:
    """Fiscal year to date where the quota period is shorter than the year: X of each of
    the year's quota periods through this one, against the sum of their quotas (a rep is
    measured against the quotas of the quota periods they have had so far, this one whole,
    not against quarters to come). The earlier periods' X come from the run, or from the
    last closed statement's year to date for the quota periods that ended in closed months
    (as those statements said, as the year-to-date earnings are carried; the data may not
    hold their deals); None when no closed statement says, or a quota period in the year
    was of another length or had no quota."""
    fy_month = lk.data.company.fiscal_year_start
    period = f.version.quota_period
    assert f.quota is not None
    if period is QuotaPeriod.YEAR:
        return None
    fy = fiscal_year_start(month, fy_month)
    qstart = quota_period_start(month, period, fy_month)
    # A quota period beginning after the month the rep left had no quota for them: it is
    # not counted (this one included: a statement after leaving, for a late line, says
    # the year as it stood when they left).
    rep = lk.reps.get(rep_id)
    left = Month.of(rep.termination_date) if rep and rep.termination_date else None

    def had_quota(start: Month) -> bool:
        return left is None or start <= left

    if had_quota(qstart):
        counted, quota, n = credited, round_cents(f.quota), 1
    else:
        counted, quota, n = ZERO, ZERO, 0
    first = fy  # the first quota period still to add from the run
    begin: Month | None = None  # the first quota period counted
    snap = src.snap
    if snap is not None and fiscal_year_start(snap.month, fy_month) == fy:
        stored = _snapshot_value(snap.payload, "year_to_date")
        s_start = quota_period_start(snap.month, period, fy_month)
        if stored is not None:
            s_credited = D(_snapshot_value(snap.payload, "credited_to_date"))
            s_quota = D(_snapshot_value(snap.payload, "quota"))
            s_n = int(stored["quota_periods"])
            counted += D(stored["counted"])
            quota += D(stored["quota"])
            n += s_n
            s_own = had_quota(s_start)  # its year to date counted its own quota period
            if s_own:  # taken out: counted again below, at its end or as this one
                counted -= s_credited
                quota -= s_quota
                n -= 1
            last_counted = (
                s_start if s_own else quota_period_start(left or s_start, period, fy_month)
            )
            first = s_start
            begin = last_counted.plus(-(s_n - 1) * period.months)
            if s_start < qstart:  # its quota period ended since: X at its end, its quota
                if s_own:
                    s_end = s_start.plus(period.months - 1)
                    closed = src.last_closed is not None and s_end <= src.last_closed
                    if closed and snap.month != s_end:
                        return None  # ended in closed months with no statement of the rep
                    if snap.month != s_end:
                        s_credited = _x_end(run, rep_id, period, s_start, s_credited)
                    counted += s_credited
                    quota += s_quota
                    n += 1
                first = s_start.plus(period.months)
    p = first
    while p < qstart:
        end = p.plus(period.months - 1)
        pf = lk.in_force_in_month(rep_id, end)
        # A quota period with no plan of the rep's in force (before they started) or after
        # they left is not counted, whether its months are open or closed.
        if pf is not None and had_quota(p):
            if src.last_closed is not None and end <= src.last_closed:
                return None  # a closed quota period that no closed statement of the rep states
            if pf.version.quota_period is not period or not pf.quota or pf.quota <= 0:
                return None
            counted += _x_end(run, rep_id, period, p, ZERO)
            quota += round_cents(pf.quota)
            n += 1
            begin = begin or p
        p = p.plus(period.months)
    if quota <= 0:
        return None  # no quota period of the year counted: nothing to measure against
    # The span ends with the last quota period counted (the one they left in, if earlier).
    last = (
        qstart if had_quota(qstart) or left is None else quota_period_start(left, period, fy_month)
    )
    end = last.plus(period.months - 1)
    begin = begin or last
    since = _MONTH_ABBR[begin.month - 1]
    if begin.year != end.year:
        since += f" {begin.year}"
    span = f"{since}–{_MONTH_ABBR[end.month - 1]} {end.year}"
    return YearToDate(
        fiscal_year=f"FY{fy.plus(11).year}",
        span=span,
        quota_periods=n,
        counted=counted,
        quota=quota,
        attainment_pct=round_cents(counted * HUNDRED / quota),
    )


_MONTH_ABBR = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


def _x_end(
    run: EarningsRun, rep_id: int, period: QuotaPeriod, start: Month, default: Decimal
) -> Decimal:
    """X at the end of a quota period: the last month of it with a deal in the run."""
    for m in months_between(start, start.plus(period.months - 1))[::-1]:
        x = run.x_at.get((rep_id, period, start, m))
        if x is not None:
            return x
    return default


def _terms(v: PlanVersion, default_policy: ClawbackPolicy, month: Month) -> PlanTerms:
    """The rules of the version heading a statement, for its plan terms box: the SPIFs
    listed are those whose dates meet the month."""
    policy = v.clawback_policy or default_policy
    return PlanTerms(
        tier_mode=v.tier_mode.value,
        quota_period=v.quota_period.value,
        payout_trigger=v.payout_trigger.value,
        clawback_window_days=policy.window_days,
        clawback_method=policy.method.value,
        cap=v.cap,
        multipliers=tuple(
            TermMultiplier(m.deal_type, m.multiplier_pct)
            for m in v.multipliers
            if m.multiplier_pct != HUNDRED
        ),
        bonuses=tuple(TermBonus(b.threshold_pct, b.amount) for b in v.bonuses),
        spifs=tuple(
            TermSpif(
                name=p.name,
                amount=p.amount,
                start=p.start,
                end=p.end,
                min_deal_amount=p.min_deal_amount,
                deal_types=p.deal_types,
            )
            for p in v.spifs
            if p.start <= month.last_day and p.end >= month.first_day
        ),
        override_rate_pct=v.override_rate_pct,
        override_scope=v.override_scope.value if v.override_rate_pct is not None else "",
    )


def _opening(lk: Lookups, ob: OpeningBalance) -> StatementOpening:
    """The opening balance as the first statement at the books start shows it."""
    start = lk.data.company.books_start
    assert start is not None
    fy = lk.data.company.fiscal_year_start
    f = lk.in_force(ob.rep_id, start.first_day)
    label = ""
    if f is not None:
        period = f.version.quota_period
        label = quota_period_label(quota_period_start(start, period, fy), period, fy)
    return StatementOpening(
        books_start=start,
        balance_owed=round_cents(ob.balance_owed),
        ytd_earnings=round_cents(ob.ytd_earnings),
        counted=round_cents(ob.counted),
        bonuses_paid=", ".join(fmt_pct(t) for t in sorted(ob.bonuses_paid)),
        quota_period_label=label,
    )


def _stored_lines(snap: StatementSnapshot) -> list[dict[str, str]]:
    # Parsing every payload would dominate a month's compute; only statements that
    # carry prior-period lines need it, and their kind is visible in the text.
    if '"prior_period"' not in snap.payload:
        return []
    lines: list[dict[str, str]] = json.loads(snap.payload)["lines"]
    return [line for line in lines if line["kind"] == LineKind.PRIOR_PERIOD.value]


def _prior_period_adjustments(
    lk: Lookups, run: EarningsRun, last_closed: Month, verify: frozenset[Month] | None
) -> dict[int, list[_Ppa]]:
    """Per rep, what the closed months (and the months before the first close) now earn
    beyond what was stored and already adjusted; only the `verify` months when given."""
    if verify is not None and not verify:
        return {}  # nothing to re-verify (and the stored payloads need not be read)
    stored: dict[tuple[int, Month], Decimal] = {}
    posted: dict[tuple[int, Month], Decimal] = {}
    for snap in lk.data.snapshots:
        if snap.month > last_closed:
            continue
        base = snap.earnings
        for line in _stored_lines(snap):
            amount = Decimal(line["amount"])
            base -= amount
            ref = Month.parse(line["ref_month"])
            posted[(snap.rep_id, ref)] = posted.get((snap.rep_id, ref), ZERO) + amount
        stored[(snap.rep_id, snap.month)] = base
    keys = {k for k in run.buckets if k[1] <= last_closed} | set(stored) | set(posted)
    if verify is not None:
        # The data may hold only what the verified months need: other months' buckets
        # and snapshots are partial or absent, and were verified when last due.
        keys = {k for k in keys if k[1] in verify}
    out: dict[int, list[_Ppa]] = {}
    for rep_id, m in sorted(keys, key=lambda k: (k[0], k[1])):
        recomputed = run.buckets[(rep_id, m)].total if (rep_id, m) in run.buckets else ZERO
        was = stored.get((rep_id, m))
        already = posted.get((rep_id, m), ZERO)
        amount = recomputed - (was or ZERO) - already
        if amount != 0:
            out.setdefault(rep_id, []).append(_Ppa(m, amount, recomputed, was, already))
    return out


def _carried_awaiting(
    lk: Lookups,
    last_closed: Month,
    verify: frozenset[Month],
    context: frozenset[str],
    posts: frozenset[Month],
) -> tuple[dict[int, str], Callable[[AwaitingLine, Month], bool]]:
    """Per rep, the payload of the last closed statement when it has awaiting lines, and
    which of its lines a month carries: those of deals absent from the data, or present
    only as context without a payment or cancellation in the post months (the pass shows
    the awaiting lines of those that have one). Such a deal is unchanged since that close
    and nothing was paid on it since. A deal closed in a verified month is never absent
    (those quota periods are loaded whole): if its line has no deal now, the deal was
    deleted or moved."""
    indexes = frozenset(m.index for m in posts)
    present = {
        d.external_id for d in lk.data.deals if d.external_id not in context or reaches(d, indexes)
    }
    verified_day: dict[date, bool] = {}

    def carried(a: AwaitingLine, month: Month) -> bool:
        if a.deal_id in present:
            return False
        if verify:
            found = verified_day.get(a.close_date)
            if found is None:
                found = verified_day[a.close_date] = Month.of(a.close_date) in verify
            if found:
                return False
        return True

    payloads = {
        snap.rep_id: snap.payload
        for snap in lk.data.snapshots
        if snap.month == last_closed and _AWAITING_NONE not in snap.payload
    }
    return payloads, carried


# Canonical JSON of a statement without awaiting lines (see statement_codec).
_AWAITING_NONE = '"awaiting":[]'


def _with_carried(
    computed: tuple[AwaitingLine, ...],
    payload: str,
    carried: Callable[[AwaitingLine, Month], bool],
    month: Month,
) -> tuple[AwaitingLine, ...]:
    """The month's awaiting lines: computed and carried, in the pass's order (close date,
    then deal id)."""
    merged = [*computed, *(a for a in awaiting_of_payload(payload) if carried(a, month))]
    merged.sort(key=lambda a: (a.close_date, a.deal_id))  # stable: a deal's lines stay in order
    return tuple(merged)


def _explain(
    lk: Lookups,
    scope: _Scope,
    ppas: dict[int, list[_Ppa]],
    clawed: frozenset[tuple[int, Month]],
) -> tuple[dict[tuple[int, Month], str], dict[int, list[PendingNotice]]]:
    """Name what changed in each corrected month: a second pass builds those months' lines
    and they are compared, per deal and kind, with the stored statement's. Also the
    clawback notices the re-verified months (`clawed`: those holding a clawback) now hold
    that were never issued (a cancellation dated in a closed month, even one whose month
    nets to no correction): they are issued with the first open month's statement."""
    pairs = frozenset((rep_id, p.month) for rep_id, items in ppas.items() for p in items)
    pairs |= clawed
    last = max(m for _, m in pairs)
    run = EarningsRun(
        lk,
        want_months=frozenset(),
        want_rep_months=pairs,
        until=last,
        context_deals=scope.context,
        post_months=frozenset(m for _, m in pairs),
        progress=scope.progress,
    ).run()
    payloads = {(s.rep_id, s.month): s.payload for s in lk.data.snapshots}
    out: dict[tuple[int, Month], str] = {}
    for rep_id, m in pairs:
        now: dict[tuple[str, str], Decimal] = {}
        bucket = run.buckets.get((rep_id, m))
        cur = lk.data.company.currency
        for _, line in keyed_lines(bucket.lines or [], cur) if bucket else []:
            key = (line.kind.title, line.deal_id or "")
            now[key] = now.get(key, ZERO) + line.amount
        before: dict[tuple[str, str], Decimal] = {}
        payload = payloads.get((rep_id, m))
        if payload is not None:
            for line in json.loads(payload)["lines"]:
                kind = LineKind(line["kind"])
                if kind is LineKind.PRIOR_PERIOD:
                    continue
                key = (kind.title, line["deal_id"] or "")
                before[key] = before.get(key, ZERO) + Decimal(line["amount"])
        changes = []
        for key in sorted(set(now) | set(before)):
            delta = now.get(key, ZERO) - before.get(key, ZERO)
            if delta == 0:
                continue
            title, deal_id = key
            what = f"deal {deal_id} {title.lower()}" if deal_id else title.lower()
            sign = "+" if delta > 0 else ""
            changes.append(f"{what} {sign}{fmt_money(delta, lk.data.company.currency)}")
        if changes:
            shown = changes[:4]
            more = f" and {len(changes) - 4} more" if len(changes) > 4 else ""
            out[(rep_id, m)] = "changed: " + "; ".join(shown) + more
    issued = _issued_clawbacks(lk, pairs)
    late: dict[int, list[PendingNotice]] = {}
    for rep_id, m in sorted(pairs, key=lambda pair: (pair[0], pair[1])):
        bucket = run.buckets.get((rep_id, m))
        for notice in bucket.notices if bucket is not None else ():
            told = issued.get((rep_id, m), ())
            if (notice.deal.external_id, notice.source or "") not in told:
                late.setdefault(rep_id, []).append(notice)
    return out, late


def _issued_clawbacks(
    lk: Lookups, pairs: frozenset[tuple[int, Month]]
) -> dict[tuple[int, Month], set[tuple[str, str]]]:
    """Per (rep, closed month), the clawbacks dated in that month the rep was already told
    of, as (deal id, the report an override came from or ""): on that month's stored
    statement, or by a notice issued with a later closed statement."""
    first_month: dict[int, Month] = {}
    for rep_id, m in pairs:
        if rep_id not in first_month or m < first_month[rep_id]:
            first_month[rep_id] = m
    issued: dict[tuple[int, Month], set[tuple[str, str]]] = {}
    for snap in lk.data.snapshots:
        key = (snap.rep_id, snap.month)
        if key in pairs and '"clawback"' in snap.payload:
            issued.setdefault(key, set()).update(
                (line["deal_id"], line["source_rep"] or "")
                for line in json.loads(snap.payload)["lines"]
                if line["kind"] == LineKind.CLAWBACK.value
            )
        if (
            snap.rep_id in first_month
            and snap.month > first_month[snap.rep_id]
            and _HAS_NOTICES in snap.payload
        ):
            for notice in json.loads(snap.payload)["notices"]:
                dated = Month.of(date.fromisoformat(notice["cancellation_date"]))
                if dated < snap.month and (snap.rep_id, dated) in pairs:
                    issued.setdefault((snap.rep_id, dated), set()).add(
                        (notice["deal_id"], notice.get("source_rep") or "")
                    )
    return issued


# Canonical JSON of a statement with at least one clawback notice (see statement_codec).
_HAS_NOTICES = '"notices":[{'
