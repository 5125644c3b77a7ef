"""The demo company: deterministic, valid, and showing every feature a newcomer should see."""

from __future__ import annotations

from collections import Counter
from datetime import date, timedelta

import pytest

from icmdesk.domain.calendar import Month
from icmdesk.domain.company_codec import company_from_json, company_to_json
from icmdesk.domain.demo import demo_company
from icmdesk.domain.entities import (
    CompanyData,
    Deal,
    DrawKind,
    PayoutTrigger,
    TierMode,
)
from icmdesk.domain.money import HUNDRED, is_whole_cents
from icmdesk.domain.validation import validate_company


@pytest.fixture(scope="module")
def demo_data() -> CompanyData:
    return demo_company()


def _window_days(data: CompanyData, deal: Deal) -> int:
    """The clawback window of a single-credit deal: its rep's plan version's, else the company's."""
    (credit,) = deal.credits
    (a,) = [
        a for a in data.assignments if a.rep_id == credit.rep_id and a.in_force(deal.close_date)
    ]
    plan = next(p for p in data.plans if p.id == a.plan_id)
    version = plan.version_on(deal.close_date)
    assert version is not None
    return (version.clawback_policy or data.company.clawback_policy).window_days


def _days_to_cancel(deal: Deal) -> int:
    assert deal.cancellation_date is not None
    return (deal.cancellation_date - deal.close_date).days


def test_same_seed_same_company() -> None:
    assert demo_company(7) == demo_company(7)
    assert company_to_json(demo_company()) == company_to_json(demo_company(2026))
    assert demo_company(7).deals != demo_company(8).deals


def test_the_clock_is_never_read() -> None:
    assert demo_company() == demo_company(today=date(2026, 11, 23))
    assert demo_company() == demo_company(today=date(2026, 11, 1))  # only the month counts


def test_the_demo_company_has_no_problems(demo_data: CompanyData) -> None:
    assert validate_company(demo_data) == []


@pytest.mark.parametrize("seed", [1, 2, 3])
@pytest.mark.parametrize("today", [date(2025, 3, 10), date(2027, 1, 1), date(2026, 7, 31)])
def test_other_seeds_and_dates_are_valid_too(seed: int, today: date) -> None:
    data = demo_company(seed, today=today)
    assert validate_company(data) == []
    last = Month.of(today).plus(-1)
    assert min(d.close_date for d in data.deals) >= last.plus(-11).first_day
    assert max(d.close_date for d in data.deals) <= last.last_day


def test_the_demo_survives_an_export_and_import(demo_data: CompanyData) -> None:
    text = company_to_json(demo_data)
    back = company_from_json(text)
    assert back == demo_data
    assert company_to_json(back) == text


def test_company_roles_and_plans(demo_data: CompanyData) -> None:
    c = demo_data.company
    assert c.name == "Northwind Instruments, Inc."
    assert "Portland" in c.address
    assert (c.currency, c.fiscal_year_start) == ("USD", 1)
    assert [r.name for r in demo_data.roles] == [
        "Account Executive",
        "Sales Development Rep",
        "Sales Manager",
    ]
    plans = {p.name: p for p in demo_data.plans}
    assert len(plans) == 3
    assert {r.name: r.default_plan_id for r in demo_data.roles} == {
        "Account Executive": plans["AE Accelerator"].id,
        "Sales Development Rep": plans["SDR Flat 5%"].id,
        "Sales Manager": plans["Sales Manager Retro"].id,
    }
    (flat,) = plans["SDR Flat 5%"].versions
    assert [(t.from_pct, t.rate_pct) for t in flat.tiers] == [(0, 5)]
    assert flat.quota is None and not flat.needs_quota

    booking, cash = plans["AE Accelerator"].versions
    assert [(t.from_pct, t.rate_pct) for t in booking.tiers] == [
        (0, 6),
        (100, 8),
        (125, 10),
        (150, 12),
    ]
    assert booking.tier_mode is TierMode.MARGINAL
    assert booking.quota_period.value == "quarter" and booking.quota
    assert [(b.threshold_pct, b.amount) for b in booking.bonuses] == [(100, 2000)]
    (spif,) = booking.spifs
    assert spif.deal_types == ("new",) and spif.min_deal_amount == 25000
    assert (spif.start, spif.end) == (date(2026, 4, 1), date(2026, 6, 30))
    assert booking.multiplier_pct("renewal") == 50
    assert booking.payout_trigger is PayoutTrigger.BOOKING
    assert cash.payout_trigger is PayoutTrigger.CASH
    assert cash.effective_from == date(2026, 7, 1)

    (retro,) = plans["Sales Manager Retro"].versions
    assert retro.tier_mode is TierMode.RETROACTIVE
    assert retro.quota_period.value == "year" and retro.cap
    assert retro.override_rate_pct == 3 and retro.override_scope.value == "tree"
    assert retro.clawback_policy is not None
    assert (retro.clawback_policy.window_days, retro.clawback_policy.method.value) == (
        120,
        "prorated",
    )


def test_reps(demo_data: CompanyData) -> None:
    assert len(demo_data.reps) == 8
    assert [r.id for r in demo_data.reps] == list(range(1, 9))
    names = [r.name for r in demo_data.reps]
    assert "Zoë O'Brien" in names
    assert len({r.payroll_id for r in demo_data.reps}) == 8
    assert all("@" in r.email for r in demo_data.reps)
    (manager,) = [r for r in demo_data.reps if r.role_id == 3]
    assert all(r.manager_id == manager.id for r in demo_data.reps if r is not manager)
    window_start = date(2025, 11, 1)
    hires = [r for r in demo_data.reps if r.hire_date > window_start]
    assert any(r.hire_date.month in (5, 6, 7) for r in hires)  # hired mid-year
    (leaver,) = [r for r in demo_data.reps if r.termination_date is not None]
    assert leaver.termination_date is not None
    assert date(2026, 8, 1) <= leaver.termination_date <= date(2026, 10, 31)


def test_draws(demo_data: CompanyData) -> None:
    draws = {a.rep_id: a.draw for a in demo_data.assignments if a.draw is not None}
    assert sorted(d.kind for d in draws.values()) == [
        DrawKind.NON_RECOVERABLE,
        DrawKind.RECOVERABLE,
    ]
    hired = {r.id: r.hire_date for r in demo_data.reps}
    for rep_id, draw in draws.items():
        assert draw.start_month == Month.of(hired[rep_id])  # new hires


def test_a_year_of_deals(demo_data: CompanyData) -> None:
    deals = demo_data.deals
    assert 250 <= len(deals) <= 400
    assert [d.id for d in deals] == list(range(1, len(deals) + 1))
    assert len({d.external_id for d in deals}) == len(deals)
    assert min(d.close_date for d in deals) >= date(2025, 11, 1)
    assert max(d.close_date for d in deals) <= date(2026, 10, 31)
    assert {Month.of(d.close_date) for d in deals} == {Month(2025, 11).plus(i) for i in range(12)}
    assert all(2000 <= d.amount <= 120000 and is_whole_cents(d.amount) for d in deals)
    assert len({d.customer for d in deals}) >= 30
    types = Counter(d.deal_type for d in deals)
    assert types["renewal"] >= 10 and types["upsell"] >= 10


def test_splits_and_an_overlay(demo_data: CompanyData) -> None:
    splits = Counter(tuple(int(c.split_pct) for c in d.credits) for d in demo_data.deals)
    assert splits[(60, 40)] >= 3
    assert splits[(50, 50)] >= 3
    overlays = [d for d in demo_data.deals if sum(c.split_pct for c in d.credits) > HUNDRED]
    assert len(overlays) == 1
    assert sum(c.split_pct for c in overlays[0].credits) == 150


def test_cash_deals_with_partial_payments(demo_data: CompanyData) -> None:
    paid = [d for d in demo_data.deals if d.payments]
    assert len(paid) >= 20
    partial = [d for d in paid if sum(p.amount for p in d.payments) < d.amount]
    assert len(partial) >= 3
    assert any(len(d.payments) == 2 for d in paid)
    assert all(d.close_date >= date(2026, 7, 1) for d in paid)  # the cash version's deals


def test_cancellations_inside_and_outside_the_clawback_window(demo_data: CompanyData) -> None:
    cancelled = [d for d in demo_data.deals if d.cancellation_date is not None]
    assert 4 <= len(cancelled) <= 8
    assert all(d.cancellation_reason for d in cancelled)
    assert all(
        d.cancellation_date is not None and d.cancellation_date <= date(2026, 10, 31)
        for d in cancelled
    )
    inside = [d for d in cancelled if _days_to_cancel(d) <= _window_days(demo_data, d)]
    outside = [d for d in cancelled if d not in inside]
    assert len(inside) >= 3 and len(outside) >= 2
    # One under the manager's 120-day prorated policy.
    assert any(_window_days(demo_data, d) == 120 for d in inside)


def test_adjustments(demo_data: CompanyData) -> None:
    assert len(demo_data.adjustments) >= 2
    assert {a.amount > 0 for a in demo_data.adjustments} == {True, False}
    assert not demo_data.periods and not demo_data.snapshots


def test_credits_only_while_employed_and_assigned(demo_data: CompanyData) -> None:
    reps = {r.id: r for r in demo_data.reps}
    for d in demo_data.deals:
        for c in d.credits:
            rep = reps[c.rep_id]
            assert rep.termination_date is None or d.close_date <= rep.termination_date
            assert any(
                a.rep_id == c.rep_id and a.in_force(d.close_date) for a in demo_data.assignments
            )
    leaver = next(r for r in demo_data.reps if r.termination_date is not None)
    assert leaver.termination_date is not None
    last = max(
        d.close_date for d in demo_data.deals if any(c.rep_id == leaver.id for c in d.credits)
    )
    assert leaver.termination_date - last < timedelta(days=40)
