"""Computing the first open month from a subset of the deals, re-verifying only the dirty
closed months, gives exactly the statements of the full computation (hypothesis).

`_subset` applies, in memory, the rule the services' month loader applies in SQL
(services/store.py load_for_months): the months to verify are the marked months, the
rest of their quota periods and the months the deals of those quota periods are paid or
cancelled in; the deals are the whole quota periods of the open months, of the months to
verify and of every deal paid or cancelled in them; the snapshots each rep's latest,
the verified months' and the later ones carrying prior-period lines.
"""

from __future__ import annotations

from dataclasses import replace
from decimal import Decimal
from typing import NamedTuple

from hypothesis import given
from hypothesis import strategies as st

from icmdesk.domain.calendar import Month, QuotaPeriod, months_between, quota_period_start
from icmdesk.domain.engine import compute_month, compute_range, quota_progress
from icmdesk.domain.entities import (
    Adjustment,
    ClawbackMethod,
    ClawbackPolicy,
    CompanyData,
    Deal,
    DealStanding,
    PayoutTrigger,
    Progress,
    QuotaProgress,
    Spif,
    TierMode,
)
from icmdesk.domain.statement import LineKind
from icmdesk.domain.statement_codec import snapshot_of
from tests.domain.builders import CompanyBuilder, closed, day, money, plan, tiers, version
from tests.domain.test_engine_properties import FIRST, LAST, companies


def _deal_months(deal: Deal) -> set[Month]:
    """What services/store.py mark_edit marks for an edited deal."""
    months = {Month.of(deal.close_date)} | {Month.of(p.date) for p in deal.payments}
    if deal.cancellation_date is not None:
        months.add(Month.of(deal.cancellation_date))
    return months


def _load(
    data: CompanyData,
    month: Month,
    marked: set[Month],
    kept: Kept | None = None,
) -> tuple[CompanyData, frozenset[Month], frozenset[str], Progress]:
    """The subset, the months to verify, the context deals and the standing, as
    load_for_months chooses them; `kept`: the standing stored at the closes."""
    kept = kept or Kept(Progress(), frozenset())
    stored: dict[Month, list[QuotaProgress]] = {m: [] for m in kept.months}
    for p in kept.progress.months:
        stored[p.month].append(p)
    before: dict[int, list[DealStanding]] = {}
    for x in kept.progress.deals:
        before.setdefault(x.deal_id, []).append(x)
    last_closed = max(p.month for p in data.periods)
    kinds = {v.quota_period for p in data.plans for v in p.versions}
    unit = max(kinds, key=lambda q: q.months, default=QuotaPeriod.MONTH)
    fy = data.company.fiscal_year_start

    def units(months: set[Month]) -> set[Month]:
        starts = {quota_period_start(m, unit, fy) for m in months}
        return {s.plus(i) for s in starts for i in range(unit.months)}

    def window(m: Month) -> Month:
        """The month after the latest of m's quota period before m with stored progress."""
        period = sorted(units({m}))
        for b in reversed(period[: period.index(m)]):
            if b in stored:
                return b.plus(1)
        return period[0]

    def touches(d: Deal) -> set[Month]:
        found = {Month.of(p.date) for p in d.payments}
        if d.cancellation_date is not None:
            found.add(Month.of(d.cancellation_date))
        return found

    reached = units(marked)
    for d in data.deals:
        if Month.of(d.close_date) in reached:
            reached = reached | touches(d)
    verify = frozenset(m for m in marked | reached if m <= last_closed)
    first_open = last_closed.plus(1)
    opens = set(months_between(first_open, month))
    # Whole quota periods: the verified months' and those of the deals paid in them.
    close_months = set(verify)
    for d in data.deals:
        if {Month.of(p.date) for p in d.payments} & verify:
            close_months.add(Month.of(d.close_date))
    whole = units(close_months)
    loaded = {m for m in whole | opens if m <= month}
    windows: set[Month] = set()
    if first_open not in whole:
        loaded |= set(months_between(window(first_open), last_closed))
        windows.add(window(first_open))
    deals = [
        d for d in data.deals if Month.of(d.close_date) in loaded and d.close_date <= month.last_day
    ]
    # Deals paid or cancelled in those months, closed in months not loaded: each comes
    # with the deals crediting the reps it credits, from its window up to it.
    late = [
        d
        for d in data.deals
        if touches(d) & (opens | verify)
        and Month.of(d.close_date) not in loaded
        and d.close_date <= month.last_day
    ]
    # Those closed in a month whose close stored its deals' standing need no context.
    rated = [
        d
        for d in late
        if Month.of(d.close_date) in stored
        and {c.rep_id for c in d.credits} == {x.rep_id for x in before.get(d.id, ())}
        and d.credits
    ]
    late = [d for d in late if d not in rated]
    context: set[str] = {d.external_id for d in rated}
    for start in {window(Month.of(d.close_date)) for d in late}:
        windows.add(start)
        here = [d for d in late if window(Month.of(d.close_date)) == start]
        reps = {c.rep_id for d in here for c in d.credits}
        cutoff = max(d.close_date for d in here)
        context |= {d.external_id for d in here}
        context |= {
            d.external_id
            for d in data.deals
            if start.first_day <= d.close_date <= cutoff and reps & {c.rep_id for c in d.credits}
        }
    deals += [d for d in data.deals if d.external_id in context]
    seeds = sorted(w.plus(-1) for w in windows if min(units({w})) != w)
    progress = Progress(
        tuple(p for b in seeds for p in stored[b]),
        tuple(x for d in rated for x in before[d.id]),
    )
    latest: dict[int, Month] = {}
    for s in data.snapshots:
        latest[s.rep_id] = max(latest.get(s.rep_id, s.month), s.month)
    snaps = tuple(
        s
        for s in data.snapshots
        if latest[s.rep_id] == s.month
        or s.month in verify
        or (verify and s.month > min(verify) and '"prior_period"' in s.payload)
    )
    subset = replace(data, deals=tuple(deals), snapshots=snaps)
    return subset, verify, frozenset(context), progress


class Kept(NamedTuple):
    """The standing stored by the closes of `months`."""

    progress: Progress
    months: frozenset[Month]


def _stored(data: CompanyData, months: list[Month]) -> Kept:
    """The standing closing each of the months stores."""
    return Kept(quota_progress(data, frozenset(months)), frozenset(months))


def _stale(data: CompanyData) -> set[int]:
    """Reps without a statement in the last closed month who may have lines from closed
    history: the services compute from everything when one of them has a statement."""
    last_closed = max(p.month for p in data.periods)
    on_last = {s.rep_id for s in data.snapshots if s.month == last_closed}
    managers = {r.manager_id for r in data.reps if r.manager_id is not None}
    credited = {
        c.rep_id for d in data.deals if d.close_date <= last_closed.last_day for c in d.credits
    }
    return {r.id for r in data.reps if r.id not in on_last and r.id in managers | credited}


def _check(
    data: CompanyData,
    month: Month,
    marked: set[Month],
    stored: Kept | None = None,
) -> None:
    full = compute_month(data, month)
    for kept in (None, stored):  # standing stored at the closes, or not
        subset, verify, context, progress = _load(data, month, marked, kept)
        part = compute_month(
            subset, month, verify_months=verify, context_deals=context, progress=progress
        )
        if any(s.rep_id in _stale(data) for s in part):
            continue  # the services compute these from everything (periods._compute)
        assert part == full


@given(companies(), st.integers(1, 4), st.integers(0, 20), st.integers(-100000, 100000))
def test_a_subset_with_the_dirty_months_gives_the_full_statements(
    data: CompanyData, k: int, drop: int, cents: int
) -> None:
    ranged = compute_range(data, FIRST, LAST)
    months = months_between(FIRST, FIRST.plus(k - 1))
    snapshots = [snapshot_of(s) for m in months for s in ranged[m]]
    first_open = FIRST.plus(k)
    # What the closes stored, before any change (rows of months a change touches go
    # stale: the loader must not use them).
    progress = _stored(data, months)
    # Unchanged: nothing is dirty; the first open month, and a later one computed alone
    # (the open months before it run through its balance).
    _check(closed(data, [str(m) for m in months], snapshots), first_open, set(), progress)
    _check(closed(data, [str(m) for m in months], snapshots), LAST, set(), progress)
    # Change the past: drop a deal, book an adjustment in the first closed month.
    dirty: set[Month] = set()
    deals = list(data.deals)
    if drop < len(deals):
        dirty |= _deal_months(deals.pop(drop))
    adjustments = data.adjustments
    if data.reps:
        late = Adjustment(data.reps[0].id, FIRST, Decimal(cents) / 100, "Late")
        adjustments = (*adjustments, late)
        dirty.add(FIRST)
    changed = replace(data, deals=tuple(deals), adjustments=adjustments)
    stored = closed(changed, [str(m) for m in months], snapshots)
    _check(stored, first_open, dirty, progress)
    # Later months too, with the months in between still open.
    _check(stored, LAST, dirty, progress)


@given(companies(), st.integers(1, 4))
def test_the_full_data_with_every_month_to_verify_is_the_default(data: CompanyData, k: int) -> None:
    ranged = compute_range(data, FIRST, LAST)
    months = months_between(FIRST, FIRST.plus(k - 1))
    snapshots = [snapshot_of(s) for m in months for s in ranged[m]]
    stored = closed(data, [str(m) for m in months], snapshots)
    every = frozenset(months_between(Month(2025, 1), months[-1]))
    assert compute_month(stored, FIRST.plus(k), verify_months=every) == compute_month(
        stored, FIRST.plus(k)
    )


def test_awaiting_lines_of_deals_left_out_are_carried_from_the_last_close() -> None:
    c = CompanyBuilder()
    ana = c.rep("Ana", plan("Cash", version(10, cash=True)), hired="2026-01-01")
    c.deal("D-1", "1000.00", "2026-01-10", (ana, 100), payments=(("2026-02-10", "400.00"),))
    c.deal("D-2", "2000.00", "2026-02-10", (ana, 100))
    c.deal("D-3", "500.00", "2026-04-02", (ana, 100))
    data = c.build()
    ranged = compute_range(data, Month(2026, 1), Month(2026, 3))
    snaps = [snapshot_of(s) for m in ranged for s in ranged[m]]
    stored = closed(data, ["2026-01", "2026-02", "2026-03"], snaps)
    april = Month(2026, 4)
    only_april = replace(stored, deals=tuple(d for d in stored.deals if d.external_id == "D-3"))
    part = compute_month(only_april, april, verify_months=frozenset())
    full = compute_month(stored, april)
    assert [a.deal_id for a in full[0].awaiting] == ["D-1", "D-2", "D-3"]
    assert part == full


def test_a_cancellation_from_a_quota_period_not_loaded_is_clawed_back_from_its_context() -> None:
    """May cancels deals closed in Q1, which is closed and not loaded: the deals come with
    their Q1 context (the deals before them crediting the same reps) and are clawed back
    exactly as in the full computation, tiers, split, SPIF, override and cash trigger."""
    c = CompanyBuilder(clawback_policy=ClawbackPolicy(120, ClawbackMethod.PRORATED))
    quarterly = plan(
        "Tiered",
        version(
            table=tiers((0, 5), (50, 10), (100, 15)),
            quota="100000.00",
            period=QuotaPeriod.QUARTER,
            spifs=(Spif("Q1 push", money("250.00"), day("2026-01-01"), day("2026-03-31")),),
        ),
    )
    lead = c.rep("Lead", plan("Lead", version(0, override=3)), hired="2026-01-01")
    ana = c.rep("Ana", quarterly, hired="2026-01-01", manager=lead)
    ben = c.rep("Ben", quarterly, hired="2026-01-01")
    cash = c.rep("Cy", plan("Cash", version(8, cash=True)), hired="2026-01-01")
    c.deal("D-01", "40000.00", "2026-01-15", (ana, 100))
    c.deal("D-02", "30000.00", "2026-02-03", (ana, 60), (ben, 40))
    c.deal("D-03", "25000.00", "2026-02-20", (ana, 100), cancelled="2026-05-12")
    c.deal("D-04", "45000.00", "2026-03-02", (ben, 100))
    c.deal("D-05", "35000.00", "2026-03-05", (ben, 50), (ana, 50), cancelled="2026-05-20")
    c.deal(
        "D-06",
        "9000.00",
        "2026-03-10",
        (cash, 100),
        payments=(("2026-03-25", "3000.00"), ("2026-04-15", "3000.00")),
        cancelled="2026-05-02",
    )
    c.deal("D-07", "12000.00", "2026-03-12", (cash, 100))
    c.deal("D-08", "20000.00", "2026-05-04", (ana, 100))
    data = c.build()
    ranged = compute_range(data, Month(2026, 1), Month(2026, 4))
    snaps = [snapshot_of(s) for m in ranged for s in ranged[m]]
    stored = closed(data, ["2026-01", "2026-02", "2026-03", "2026-04"], snaps)
    may = Month(2026, 5)
    subset, verify, context, _ = _load(stored, may, set())
    assert context == {"D-01", "D-02", "D-03", "D-04", "D-05", "D-06"}  # D-07: after them
    full = compute_month(stored, may)
    assert compute_month(subset, may, verify_months=verify, context_deals=context) == full
    # With the standing each close stored, the cancelled deals come alone, each rated
    # from what its reps had counted before it.
    months = [Month(2026, m) for m in range(1, 5)]
    subset, verify, context, progress = _load(stored, may, set(), _stored(data, months))
    assert context == {"D-03", "D-05", "D-06"}
    assert progress.months == ()
    counted = {(x.deal_id, x.rep_id): x.counted_before for x in progress.deals}
    ids = {d.external_id: d.id for d in data.deals}
    assert counted == {
        (ids["D-03"], ana.id): Decimal("58000.00"),  # D-01, and 60% of D-02
        (ids["D-05"], ben.id): Decimal("57000.00"),  # 40% of D-02, D-04
        (ids["D-05"], ana.id): Decimal("83000.00"),  # with D-03
        (ids["D-06"], cash.id): Decimal("0.00"),
    }
    part = compute_month(
        subset, may, verify_months=verify, context_deals=context, progress=progress
    )
    assert part == full
    clawed = {(s.rep_name, line.deal_id) for s in full for line in s.lines_of(LineKind.CLAWBACK)}
    assert clawed == {
        ("Ana", "D-03"),
        ("Ana", "D-05"),
        ("Ben", "D-05"),
        ("Cy", "D-06"),
        ("Lead", "D-03"),
        ("Lead", "D-05"),
    }
    # D-07 is still awaiting payment: its line is carried; D-06's stops with its cancellation.
    cy = next(s for s in full if s.rep_name == "Cy")
    assert [a.deal_id for a in cy.awaiting] == ["D-07"]


def test_a_month_rated_from_stored_progress_pays_what_the_whole_quarter_would() -> None:
    """March computed from its own deals and February's stored quota progress: Ana's
    March deal is rated from the $70,000 counted in January and February (retroactive
    tiers, so the true-up re-rates them), and the 50% bonus paid in January is not paid
    again; Ben's cash deal from February, paid in March, is rated as in the quarter."""
    c = CompanyBuilder()
    quarterly = version(
        table=tiers((0, 5), (50, 10)),
        quota="100000.00",
        period=QuotaPeriod.QUARTER,
        mode=TierMode.RETROACTIVE,
        bonuses=((50, "500.00"), (100, "1000.00")),
    )
    ana = c.rep("Ana", plan("Tiered", quarterly), hired="2026-01-01")
    cash = replace(quarterly, payout_trigger=PayoutTrigger.CASH)
    ben = c.rep("Ben", plan("Cash", cash), hired="2026-01-01")
    c.deal("D-1", "60000.00", "2026-01-15", (ana, 100))
    c.deal("D-2", "10000.00", "2026-02-03", (ana, 100))
    c.deal("D-3", "45000.00", "2026-02-10", (ben, 100))
    c.deal("D-4", "20000.00", "2026-02-20", (ben, 100), payments=(("2026-03-05", "20000.00"),))
    c.deal("D-5", "40000.00", "2026-03-04", (ana, 100))
    data = c.build()
    months = [Month(2026, 1), Month(2026, 2)]
    ranged = compute_range(data, months[0], months[-1])
    snaps = [snapshot_of(s) for m in ranged for s in ranged[m]]
    stored = closed(data, ["2026-01", "2026-02"], snaps)
    march = Month(2026, 3)
    kept = _stored(data, months)
    # Without the deals' standing (months closed before schema 0004), D-4, paid in March,
    # comes with Ben's February deals up to it.
    months_only = Kept(Progress(kept.progress.months), kept.months)
    subset, verify, context, progress = _load(stored, march, set(), months_only)
    assert context == {"D-3", "D-4"}
    assert {d.external_id for d in subset.deals} == {"D-3", "D-4", "D-5"}
    # January's standing for D-4's window (February), February's for March.
    assert [(str(p.month), p.rep_id, p.counted, p.bonuses_paid) for p in progress.months] == [
        ("2026-01", ana.id, Decimal("60000.00"), (Decimal(50),)),
        ("2026-02", ana.id, Decimal("70000.00"), (Decimal(50),)),
        ("2026-02", ben.id, Decimal("65000.00"), (Decimal(50),)),
    ]
    full = compute_month(stored, march)
    part = compute_month(
        subset, march, verify_months=verify, context_deals=context, progress=progress
    )
    assert part == full
    # With it, D-4 comes alone: Ben had counted $45,000 before it.
    subset, verify, context, progress = _load(stored, march, set(), kept)
    assert context == {"D-4"}
    assert [(x.rep_id, x.counted_before) for x in progress.deals] == [(ben.id, Decimal("45000.00"))]
    part = compute_month(
        subset, march, verify_months=verify, context_deals=context, progress=progress
    )
    assert part == full
    a = next(s for s in full if s.rep_id == ana.id)
    # Ana: $110,000 counted, all at 10%: D-5 earns $11,000 - $7,000 = $4,000.00, and the
    # 100% bonus $1,000.00; the 50% one was paid in January. (Rated from nothing, D-5
    # would earn $2,000.00 and no bonus.)
    assert [(line.kind, line.deal_id, line.amount) for line in a.lines] == [
        (LineKind.COMMISSION, "D-5", Decimal("4000.00")),
        (LineKind.BONUS, "D-5", Decimal("1000.00")),
    ]
    assert a.credited_to_date == Decimal("110000.00")
    # Ben: D-4, paid in full in March, releases what it booked in February: $2,000.00 at
    # 10% and the $2,250.00 true-up of D-3 re-rated from 5% (rated alone: $1,000.00).
    b = next(s for s in full if s.rep_id == ben.id)
    assert b.earnings == Decimal("4250.00")
