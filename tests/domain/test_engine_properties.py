"""Properties of the engine over generated small companies (hypothesis)."""

from __future__ import annotations

import random
from dataclasses import replace
from datetime import date, timedelta
from decimal import ROUND_DOWN, Decimal

from hypothesis import example, given
from hypothesis import strategies as st

from icmdesk.domain.calendar import Month, QuotaPeriod, months_between
from icmdesk.domain.engine import compute_month, compute_range, compute_totals
from icmdesk.domain.engine.context import Lookups
from icmdesk.domain.engine.crediting import credited_amounts
from icmdesk.domain.engine.earnings import EarningsRun, keyed_lines
from icmdesk.domain.entities import (
    Adjustment,
    ClawbackMethod,
    CompanyData,
    Credit,
    Deal,
    DrawKind,
    OverrideScope,
    Spif,
    TierMode,
)
from icmdesk.domain.money import HUNDRED, ZERO, allocate_largest_remainder
from icmdesk.domain.statement import LineKind, totals_of
from icmdesk.domain.statement_codec import snapshot_of, statement_of_snapshot
from tests.domain.builders import CompanyBuilder, closed, draw, money, plan, tiers, version
from tests.services.test_month_end_fuzz import random_company

FIRST = Month(2026, 1)
LAST = Month(2026, 8)
START = date(2026, 1, 1)


def _plans():
    spif = Spif("Push", money(150), date(2026, 2, 1), date(2026, 4, 30), money(1000), ("new",))
    return [
        plan("Flat", version("7.5")),
        plan(
            "Marginal",
            version(
                table=tiers((0, 5), (50, 8), (100, 12)),
                quota=20000,
                period=QuotaPeriod.QUARTER,
                bonuses=((100, 500), (150, 750)),
                multipliers={"renewal": 50},
            ),
        ),
        plan(
            "Retro capped",
            version(
                table=tiers((0, 4), (100, 9)),
                quota=15000,
                mode=TierMode.RETROACTIVE,
                cap=2500,
                clawback=(120, ClawbackMethod.PRORATED),
            ),
        ),
        plan("Cash", version(10, cash=True, spifs=(spif,), override=2)),
        plan("Manager", version(3, override=3, scope=OverrideScope.TREE)),
    ]


@st.composite
def companies(draw_from: st.DrawFn) -> CompanyData:
    plans = _plans()
    c = CompanyBuilder(forgive_balance_at_termination=draw_from(st.booleans()))
    reps = []
    for i in range(draw_from(st.integers(1, 4))):
        kind = draw_from(st.sampled_from([None, DrawKind.RECOVERABLE, DrawKind.NON_RECOVERABLE]))
        the_draw = None
        if kind is not None:
            the_draw = draw(
                draw_from(st.sampled_from(["500", "1000", "2500"])),
                kind,
                start="2026-01",
                max_recovery=draw_from(st.sampled_from([100, 50])),
            )
        term = draw_from(st.one_of(st.none(), st.integers(60, 200)))
        manager = draw_from(st.sampled_from([None, *reps])) if reps else None
        reps.append(
            c.rep(
                f"Rep {i}",
                draw_from(st.sampled_from(plans)),
                hired="2026-01-01",
                terminated=None if term is None else (START + timedelta(days=term)).isoformat(),
                manager=manager,
                the_draw=the_draw,
            )
        )
    for n in range(draw_from(st.integers(0, 10))):
        close = START + timedelta(days=draw_from(st.integers(0, 200)))
        eligible = [r for r in reps if r.termination_date is None or close <= r.termination_date]
        if not eligible:
            continue
        chosen = draw_from(
            st.lists(st.sampled_from(eligible), min_size=1, max_size=3, unique_by=lambda r: r.id)
        )
        if draw_from(st.booleans()) or len(chosen) == 1:
            first = [Decimal(draw_from(st.integers(1, 99))) for _ in chosen[:-1]]
            if sum(first, ZERO) >= HUNDRED:
                first = [Decimal(1)] * len(first)
            splits = [*first, HUNDRED - sum(first, ZERO)]
        else:
            splits = [Decimal(draw_from(st.sampled_from([100, 50, 25]))) for _ in chosen]
            splits[0] = HUNDRED
        amount = Decimal(draw_from(st.integers(1, 5_000_000))) / 100
        payments = []
        paid = ZERO
        for _ in range(draw_from(st.integers(0, 3))):
            part = Decimal(draw_from(st.integers(1, max(1, int(amount * 100))))) / 100
            if paid + part > amount:
                break
            paid += part
            when = close + timedelta(days=draw_from(st.integers(-10, 90)))
            payments.append((when.isoformat(), str(part)))
        cancelled = None
        if draw_from(st.booleans()):
            cancelled = (close + timedelta(days=draw_from(st.integers(0, 150)))).isoformat()
        c.deal(
            f"D-{n}",
            str(amount),
            close.isoformat(),
            *zip(chosen, splits, strict=True),
            deal_type=draw_from(st.sampled_from(["new", "renewal"])),
            payments=tuple(payments),
            cancelled=cancelled,
            reason="Generated",
        )
    for _ in range(draw_from(st.integers(0, 3))):
        rep = draw_from(st.sampled_from(reps))
        m = draw_from(st.sampled_from(months_between(FIRST, LAST)))
        c.adjust(rep, str(m), str(Decimal(draw_from(st.integers(-50000, 50000))) / 100), "Gen")
    return c.build()


@given(companies())
def test_statements_add_up_and_never_pay_or_owe_a_negative(data: CompanyData) -> None:
    for statements in compute_range(data, FIRST, LAST).values():
        for s in statements:
            assert sum((line.amount for line in s.lines), ZERO) == s.earnings
            assert s.payout >= 0
            assert s.balance_before >= 0 and s.balance_after >= 0
            for notice in s.notices:
                assert notice.period_earnings == s.earnings and notice.payout == s.payout


@given(companies())
def test_nothing_is_created_or_lost_between_earnings_payouts_and_the_balance(data) -> None:
    by_rep: dict[int, list] = {}
    for statements in compute_range(data, FIRST, LAST).values():
        for s in statements:
            by_rep.setdefault(s.rep_id, []).append(s)
    for items in by_rep.values():
        payouts = sum((s.payout for s in items), ZERO)
        earnings = sum((s.earnings for s in items), ZERO)
        forgiven = sum((s.balance_forgiven for s in items), ZERO)
        beyond = sum(
            (
                s.draw - max(s.earnings, ZERO)
                for s in items
                if s.earnings < s.draw and s.draw_kind != DrawKind.RECOVERABLE.value
            ),
            ZERO,
        )
        growth = items[-1].balance_after - items[0].balance_before
        assert payouts == earnings + growth + forgiven + beyond


@given(companies())
def test_the_same_data_gives_the_same_statements_month_by_month_or_in_a_range(data) -> None:
    ranged = compute_range(data, FIRST, LAST)
    assert compute_range(data, FIRST, LAST) == ranged
    for m in (FIRST, Month(2026, 4), LAST):
        assert compute_month(data, m) == ranged[m]


@given(companies(), st.integers(0, 4))
def test_a_range_s_figures_without_lines_are_the_full_statements_figures(data, k: int) -> None:
    ranged = compute_range(data, FIRST, LAST)
    months = months_between(FIRST, FIRST.plus(k - 1))
    snapshots = [snapshot_of(s) for m in months for s in ranged[m]]
    data = closed(data, [str(m) for m in months], snapshots) if months else data
    full = compute_range(data, FIRST, LAST)
    assert compute_totals(data, FIRST, LAST) == {
        m: tuple(totals_of(s) for s in statements) for m, statements in full.items()
    }


@given(companies(), st.integers(1, 4))
def test_closing_without_changes_changes_nothing_later(data, k: int) -> None:
    ranged = compute_range(data, FIRST, LAST)
    months = months_between(FIRST, FIRST.plus(k - 1))
    snapshots = [snapshot_of(s) for m in months for s in ranged[m]]
    after = compute_range(closed(data, [str(m) for m in months], snapshots), FIRST, LAST)
    for m, statements in after.items():
        assert [replace(s, closed=False, content_hash=None) for s in statements] == list(
            ranged[m]
        ), m


@given(
    st.integers(1, 10**9),
    st.lists(st.integers(1, 10**4), min_size=1, max_size=6),
)
def test_credits_of_a_100_percent_split_sum_to_the_deal_amount(cents: int, weights) -> None:
    total = sum(weights)
    splits = [Decimal(w) * HUNDRED / Decimal(total) for w in weights[:-1]]
    splits.append(HUNDRED - sum(splits, ZERO))
    deal = Deal(
        "D-1",
        "X",
        Decimal(cents) / 100,
        START,
        credits=tuple(Credit(i + 1, s) for i, s in enumerate(splits)),
    )
    if deal.is_split and all(s > 0 for s in splits):
        assert sum(credited_amounts(deal), ZERO) == deal.amount


@given(companies(), st.integers(1, 4), st.integers(0, 20), st.integers(-100000, 100000))
def test_a_change_to_closed_months_is_posted_once_in_the_first_open_month(
    data, k: int, drop: int, cents: int
) -> None:
    ranged = compute_range(data, FIRST, LAST)
    months = months_between(FIRST, FIRST.plus(k - 1))
    snapshots = [snapshot_of(s) for m in months for s in ranged[m]]
    # Change the past: drop a deal and book an adjustment in the first closed month.
    deals = tuple(d for i, d in enumerate(data.deals) if i != drop)
    adjustments = data.adjustments
    if data.reps:
        late = Adjustment(data.reps[0].id, FIRST, Decimal(cents) / 100, "Late")
        adjustments = (*adjustments, late)
    changed = replace(data, deals=deals, adjustments=adjustments)
    fresh = compute_range(changed, FIRST, LAST)  # nothing closed: every month's own E
    after = compute_range(closed(changed, [str(m) for m in months], snapshots), FIRST, LAST)
    for m in months:
        assert after[m] == tuple(statement_of_snapshot(s) for s in snapshots if s.month == m)
    first_open = FIRST.plus(k)
    for rep in data.reps:
        found = [s for s in after[first_open] if s.rep_id == rep.id]
        lines = found[0].lines if found else ()
        posted = sum((line.amount for line in lines if line.ref_month is not None), ZERO)
        now = sum((x.earnings for m in months for x in fresh[m] if x.rep_id == rep.id), ZERO)
        was = sum((x.earnings for m in months for x in ranged[m] if x.rep_id == rep.id), ZERO)
        assert posted == now - was


@given(st.integers(1, 10**11), st.integers(1, 10**6 - 1), st.integers(0, 4))
@example(10009, 500000, 0)  # 50/50 of $100.09: $50.05 then $50.04, the tie to the first
def test_a_two_way_split_is_allocated_as_any_split_is(cents: int, share: int, places: int) -> None:
    first = Decimal(share).scaleb(-4)  # 0.0001% .. 99.9999%
    first = first.quantize(Decimal(1).scaleb(-places), rounding=ROUND_DOWN) or Decimal(1)
    amount = Decimal(cents).scaleb(-2)
    deal = Deal("D-1", "X", amount, START, credits=(Credit(1, first), Credit(2, HUNDRED - first)))
    assert credited_amounts(deal) == allocate_largest_remainder(amount, [first, HUNDRED - first])


class _EveryDayAfresh(EarningsRun):
    """The pass resolving each credit's terms and overrides on its own day (no keeping
    them between the days they can change on)."""

    def _deal(self, seq: int, deal: Deal) -> None:
        self._credit_ctx.clear()
        super()._deal(seq, deal)


def _same_runs(data: CompanyData, first: Month, last: Month) -> None:
    months = frozenset(months_between(first, last))
    kept = EarningsRun(Lookups(data), want_months=months).run()
    afresh = _EveryDayAfresh(Lookups(data), want_months=months).run()
    assert kept.buckets.keys() == afresh.buckets.keys()
    for key, bucket in kept.buckets.items():
        other = afresh.buckets[key]
        assert bucket.total == other.total, key
        cur = data.company.currency
        assert keyed_lines(bucket.lines or [], cur) == keyed_lines(other.lines or [], cur), key


@given(companies())
def test_terms_kept_between_change_days_are_those_of_each_day(data: CompanyData) -> None:
    _same_runs(data, FIRST, LAST)


@given(st.integers(0, 2**32 - 1))
def test_terms_kept_between_change_days_with_managers_plan_moves_and_leavers(seed: int) -> None:
    _same_runs(random_company(random.Random(seed)), Month(2026, 1), Month(2026, 12))


def test_overrides_follow_each_managers_changes_day_by_day() -> None:
    """Ana's deals on consecutive days across her managers' changes: Lead's override rate
    goes from 3% to 5% on March 10; Head (tree scope, over Lead) leaves on March 11. The
    terms kept between change days give each deal the override of its own day."""
    c = CompanyBuilder()
    head = c.rep(
        "Head",
        plan("Head", version(0, override=1, scope=OverrideScope.TREE)),
        hired="2026-01-01",
        terminated="2026-03-11",
    )
    lead_plan = plan(
        "Lead",
        version(0, override=3, scope=OverrideScope.TREE),
        version(0, effective_from="2026-03-10", override=5, scope=OverrideScope.TREE),
    )
    lead = c.rep("Lead", lead_plan, hired="2026-01-01", manager=head)
    ana = c.rep("Ana", plan("Flat", version(10)), hired="2026-01-01", manager=lead)
    for n, day_ in enumerate(["2026-03-09", "2026-03-10", "2026-03-11", "2026-03-12"]):
        c.deal(f"D-{n}", "1000.00", day_, (ana, 100))
    data = c.build()
    (march,) = [compute_month(data, Month(2026, 3))]
    overrides = {
        (s.rep_name, line.deal_id): line.amount
        for s in march
        for line in s.lines
        if line.kind is LineKind.OVERRIDE
    }
    assert overrides == {
        ("Lead", "D-0"): Decimal("30.00"),
        ("Lead", "D-1"): Decimal("50.00"),
        ("Lead", "D-2"): Decimal("50.00"),
        ("Lead", "D-3"): Decimal("50.00"),
        ("Head", "D-0"): Decimal("10.00"),
        ("Head", "D-1"): Decimal("10.00"),
        ("Head", "D-2"): Decimal("10.00"),  # his last day
    }
    _same_runs(data, Month(2026, 3), Month(2026, 3))
