"""Validation rules, one table per entity: each bad input gives the exact problem expected."""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from decimal import Decimal

import pytest

from icmdesk.domain.calendar import Month, QuotaPeriod
from icmdesk.domain.entities import (
    NEW,
    Adjustment,
    Assignment,
    AttainmentBonus,
    ClawbackPolicy,
    Company,
    CompanyData,
    Credit,
    Deal,
    DealTypeMultiplier,
    Draw,
    DrawKind,
    Payment,
    Period,
    PeriodStatus,
    Plan,
    PlanVersion,
    Rep,
    Role,
    Spif,
    Tier,
)
from icmdesk.domain.errors import Problem
from icmdesk.domain.money import D
from icmdesk.domain.validation import (
    validate_adjustment,
    validate_assignment,
    validate_company,
    validate_company_settings,
    validate_deal,
    validate_plan,
    validate_rep,
    validate_role,
    validate_split_total,
)

FLAT = PlanVersion(date(2026, 1, 1), (Tier(D(0), D(5)),), id=1)
TIERED = PlanVersion(
    date(2026, 1, 1),
    (Tier(D(0), D(6)), Tier(D(100), D(8)), Tier(D(125), D(10))),
    quota_period=QuotaPeriod.QUARTER,
    quota=D("150000.00"),
    id=2,
)


def company() -> CompanyData:
    """A small valid company: a manager over two AEs, a flat and a tiered plan, one deal."""
    return CompanyData(
        company=Company("Northwind"),
        roles=(Role("Account Executive", 2, id=1), Role("Sales Manager", id=2)),
        reps=(
            Rep("Maya Okafor", date(2024, 1, 1), payroll_id="P1", role_id=2, id=1),
            Rep("Ana Lee", date(2025, 1, 1), "ana@nw.com", "P2", 1, 1, id=2),
            Rep("Ben Ortiz", date(2025, 1, 1), payroll_id="P3", role_id=1, manager_id=1, id=3),
        ),
        plans=(Plan("Flat", (FLAT,), id=1), Plan("AE Tiered", (TIERED,), id=2)),
        assignments=(
            Assignment(1, 1, date(2026, 1, 1), id=1),
            Assignment(2, 2, date(2026, 1, 1), id=2),
            Assignment(3, 2, date(2026, 1, 1), date(2026, 6, 30), id=3),
        ),
        deals=(
            Deal(
                "D-1",
                "Acme",
                D("1000.00"),
                date(2026, 3, 10),
                credits=(Credit(2, D(60)), Credit(3, D(40))),
                id=1,
            ),
        ),
        adjustments=(Adjustment(2, Month(2026, 3), D("50.00"), "Contest prize", id=1),),
    )


def messages(problems: list[Problem]) -> list[str]:
    return [p.message for p in problems]


def test_the_base_company_is_valid() -> None:
    assert validate_company(company()) == []


# --------------------------------------------------------------------------- company settings

COMPANY_CASES = [
    (Company(""), "name", "The company needs a name."),
    (
        Company("X", currency="usd"),
        "currency",
        "The currency must be a 3-letter ISO 4217 code such as USD or EUR (got 'usd').",
    ),
    (
        Company("X", currency="DOLLARS"),
        "currency",
        "The currency must be a 3-letter ISO 4217 code such as USD or EUR (got 'DOLLARS').",
    ),
    (
        Company("X", fiscal_year_start=13),
        "fiscal_year_start",
        "The fiscal year must start in a month from 1 (January) to 12 (December) (got 13).",
    ),
    (
        Company("X", fiscal_year_start=0),
        "fiscal_year_start",
        "The fiscal year must start in a month from 1 (January) to 12 (December) (got 0).",
    ),
    (
        Company("X", clawback_policy=ClawbackPolicy(-1)),
        "clawback_policy.window_days",
        "The clawback window must be 0 days or more (got -1).",
    ),
    (Company("X", deal_types=("",)), "deal_types[0]", "A deal type needs a name."),
    (
        Company("X", deal_types=("pilot", "pilot")),
        "deal_types[1]",
        "Deal type 'pilot' is listed twice.",
    ),
    (
        Company("X", deal_types=("Pilot",)),
        "deal_types[0]",
        "Deal type 'Pilot' must be lower case without surrounding spaces.",
    ),
    (Company("X", logo_png=b"GIF89a"), "logo_png", "The logo must be a PNG image."),
]


@pytest.mark.parametrize(("settings", "field", "message"), COMPANY_CASES)
def test_company_settings(settings: Company, field: str, message: str) -> None:
    assert Problem(field, message) in validate_company_settings(settings)


def test_good_company_settings() -> None:
    good = Company("X", currency="EUR", fiscal_year_start=4, deal_types=("pilot",))
    assert validate_company_settings(good) == []
    assert validate_company_settings(Company("X", clawback_policy=ClawbackPolicy(0))) == []


def test_several_company_problems_are_reported_together() -> None:
    problems = validate_company_settings(Company(" ", currency="", fiscal_year_start=0))
    assert [p.field for p in problems] == ["name", "currency", "fiscal_year_start"]


# --------------------------------------------------------------------------- roles

ROLE_CASES = [
    (Role("", id=NEW), "name", "The role needs a name."),
    (Role("sales manager"), "name", "A role named 'sales manager' already exists."),
    (Role("SDR", 99), "default_plan_id", "The default plan #99 does not exist."),
]


@pytest.mark.parametrize(("role", "field", "message"), ROLE_CASES)
def test_role(role: Role, field: str, message: str) -> None:
    assert Problem(field, message) in validate_role(role, company())


def test_renaming_a_role_to_its_own_name_is_fine() -> None:
    assert validate_role(Role("Sales Manager", id=2), company()) == []


# --------------------------------------------------------------------------- reps


def rep(**changes: object) -> Rep:
    base = Rep("Cleo Park", date(2026, 1, 5), "cleo@nw.com", "P9", 1, 1)
    return replace(base, **changes)


REP_CASES = [
    (rep(name=" "), "name", "The rep needs a name."),
    (rep(email="cleo at nw"), "email", "'cleo at nw' does not look like an email address."),
    (rep(payroll_id="P2"), "payroll_id", "Payroll id P2 is already used by Ana Lee."),
    (rep(role_id=7), "role_id", "The role #7 does not exist."),
    (rep(manager_id=42), "manager_id", "The manager (rep #42) does not exist."),
    (
        rep(termination_date=date(2026, 1, 4)),
        "termination_date",
        "The termination date 2026-01-04 is before the hire date 2026-01-05.",
    ),
    (
        Rep("Ana Lee", date(2025, 1, 1), payroll_id="P2", manager_id=2, id=2),
        "manager_id",
        "Ana Lee cannot be their own manager.",
    ),
    # Maya (1) manages Ana (2); making Ana Maya's manager is a loop A → B → A.
    (
        Rep("Maya Okafor", date(2024, 1, 1), payroll_id="P1", manager_id=2, id=1),
        "manager_id",
        "Maya Okafor cannot report to Ana Lee: the managers would form a loop "
        "(Maya Okafor → Ana Lee → Maya Okafor).",
    ),
    # Ben's stored deal closes 2026-03-10; terminating him before that strands it.
    (
        Rep(
            "Ben Ortiz", date(2025, 1, 1), payroll_id="P3", termination_date=date(2026, 2, 28), id=3
        ),
        "termination_date",
        "1 deal credited to Ben Ortiz close after the termination date 2026-02-28: D-1.",
    ),
]


@pytest.mark.parametrize(("edited", "field", "message"), REP_CASES)
def test_rep(edited: Rep, field: str, message: str) -> None:
    assert Problem(field, message) in validate_rep(edited, company())


def test_a_longer_manager_loop_uses_the_edited_manager() -> None:
    data = company()
    # Chain: Ben (3) → Ana (2) → Maya (1); Maya now reports to Ben: a loop of three.
    reps = (
        data.reps[0],
        data.reps[1],
        replace(data.reps[2], manager_id=2),
    )
    data = replace(data, reps=reps)
    edited = replace(data.reps[0], manager_id=3)
    assert validate_rep(edited, data) == [
        Problem(
            "manager_id",
            "Maya Okafor cannot report to Ben Ortiz: the managers would form a loop "
            "(Maya Okafor → Ben Ortiz → Ana Lee → Maya Okafor).",
        )
    ]
    # The stored data has no loop: the edit is what is checked.
    assert validate_company(data) == []


def test_a_good_rep_and_an_unchanged_stored_rep_pass() -> None:
    data = company()
    assert validate_rep(rep(), data) == []
    for stored in data.reps:
        assert validate_rep(stored, data) == []


def test_several_rep_problems_are_reported_together() -> None:
    bad = rep(name="", email="x", payroll_id="P1", termination_date=date(2025, 1, 1))
    fields = [p.field for p in validate_rep(bad, company())]
    assert fields == ["name", "email", "payroll_id", "termination_date"]


# --------------------------------------------------------------------------- plans


def plan_with(**changes: object) -> Plan:
    return Plan("New plan", (replace(TIERED, id=NEW, **changes),))


PLAN_CASES = [
    (Plan("", (FLAT,)), "name", "The plan needs a name."),
    (Plan("ae tiered", (FLAT,)), "name", "A plan named 'ae tiered' already exists."),
    (Plan("P"), "versions", "The plan needs at least one version."),
    (plan_with(tiers=()), "versions[0].tiers", "The rate table needs at least one tier."),
    (
        plan_with(tiers=(Tier(D(10), D(5)),)),
        "versions[0].tiers[0].from_pct",
        "The first tier must start at 0% of quota (got 10%).",
    ),
    (
        plan_with(tiers=(Tier(D(0), D(5)), Tier(D(100), D(6)), Tier(D("99.5"), D(7)))),
        "versions[0].tiers[2].from_pct",
        "Tier 3 starts at 99.5%, which must be above the start of tier 2 (100%).",
    ),
    (
        plan_with(tiers=(Tier(D(0), D(5)), Tier(D(0), D(6)))),
        "versions[0].tiers[1].from_pct",
        "Tier 2 starts at 0%, which must be above the start of tier 1 (0%).",
    ),
    (
        plan_with(tiers=(Tier(D(0), D(-1)),)),
        "versions[0].tiers[0].rate_pct",
        "Tier 1's rate must be 0% or more (got -1%).",
    ),
    (
        plan_with(quota=D("0.00")),
        "versions[0].quota",
        "The quota must be more than 0 (got $0.00).",
    ),
    (
        plan_with(quota=D("100.005")),
        "versions[0].quota",
        "The quota must be a whole number of cents (got 100.005).",
    ),
    (plan_with(cap=D("0")), "versions[0].cap", "The cap must be more than 0 (got $0.00)."),
    (
        plan_with(bonuses=(AttainmentBonus(D(0), D("500.00")),)),
        "versions[0].bonuses[0].threshold_pct",
        "A bonus threshold must be more than 0% (got 0%).",
    ),
    (
        plan_with(bonuses=(AttainmentBonus(D(100), D("-5.00")),)),
        "versions[0].bonuses[0].amount",
        "A bonus amount must be more than 0 (got -$5.00).",
    ),
    (
        plan_with(spifs=(Spif("Blitz", D("500.00"), date(2026, 6, 30), date(2026, 4, 1)),)),
        "versions[0].spifs[0].end",
        "SPIF 'Blitz' ends on 2026-04-01, before it starts on 2026-06-30.",
    ),
    (
        plan_with(spifs=(Spif("Blitz", D("0.00"), date(2026, 4, 1), date(2026, 6, 30)),)),
        "versions[0].spifs[0].amount",
        "SPIF 'Blitz''s amount must be more than 0 (got $0.00).",
    ),
    (
        plan_with(
            spifs=(
                Spif("Blitz", D("1.00"), date(2026, 4, 1), date(2026, 6, 30), deal_types=("x",)),
            )
        ),
        "versions[0].spifs[0].deal_types[0]",
        "'x' is not a known deal type (known: new, renewal, upsell).",
    ),
    (
        plan_with(spifs=(Spif("", D("1.00"), date(2026, 4, 1), date(2026, 6, 30)),)),
        "versions[0].spifs[0].name",
        "A SPIF needs a name.",
    ),
    (
        plan_with(multipliers=(DealTypeMultiplier("renewal", D(-50)),)),
        "versions[0].multipliers[0].multiplier_pct",
        "The 'renewal' multiplier must be 0% or more (got -50%).",
    ),
    (
        plan_with(multipliers=(DealTypeMultiplier("pilot", D(50)),)),
        "versions[0].multipliers[0].deal_type",
        "'pilot' is not a known deal type (known: new, renewal, upsell).",
    ),
    (
        plan_with(
            multipliers=(
                DealTypeMultiplier("renewal", D(50)),
                DealTypeMultiplier("renewal", D(60)),
            )
        ),
        "versions[0].multipliers[1].deal_type",
        "Deal type 'renewal' has more than one multiplier.",
    ),
    (
        plan_with(override_rate_pct=D(-3)),
        "versions[0].override_rate_pct",
        "The override rate must be 0% or more (got -3%).",
    ),
    (
        plan_with(clawback_policy=ClawbackPolicy(-5)),
        "versions[0].clawback_policy.window_days",
        "The clawback window must be 0 days or more (got -5).",
    ),
    (
        Plan("P", (FLAT, replace(FLAT, id=NEW))),
        "versions[1].effective_from",
        "Versions 1 and 2 are both effective from 2026-01-01; each version needs its own date.",
    ),
    (
        Plan("P", (FLAT, replace(FLAT, effective_from=date(2025, 1, 1)))),
        "versions[1].effective_from",
        "The versions must be listed in order of their effective dates.",
    ),
]


@pytest.mark.parametrize(("plan", "field", "message"), PLAN_CASES)
def test_plan(plan: Plan, field: str, message: str) -> None:
    assert Problem(field, message) in validate_plan(plan, company())


def test_a_tiered_version_without_quota_needs_an_override_on_every_assignment() -> None:
    data = company()
    no_quota = Plan("AE Tiered", (replace(TIERED, quota=None),), id=2)
    expected = Problem(
        "versions[0].quota",
        "The version from 2026-01-01 has 3 tiers, so it needs a quota: set one on the "
        "version, or a quota override on every assignment that uses it "
        "(missing for Ana Lee, Ben Ortiz).",
    )
    assert validate_plan(no_quota, data) == [expected]
    # With overrides on both assignments the version may go without a quota.
    overridden = tuple(
        replace(a, quota_override=D("90000.00")) if a.plan_id == 2 else a for a in data.assignments
    )
    assert validate_plan(no_quota, replace(data, assignments=overridden)) == []
    # A bonus alone also needs a quota.
    bonus_only = Plan(
        "Flat", (replace(FLAT, bonuses=(AttainmentBonus(D(100), D("100.00")),)),), id=1
    )
    assert messages(validate_plan(bonus_only, data)) == [
        "The version from 2026-01-01 has an attainment bonus, so it needs a quota: set one on "
        "the version, or a quota override on every assignment that uses it "
        "(missing for Maya Okafor)."
    ]


def test_a_flat_plan_needs_no_quota() -> None:
    assert validate_plan(Plan("Flat", (FLAT,), id=1), company()) == []


def test_several_plan_problems_are_reported_together() -> None:
    bad = plan_with(tiers=(Tier(D(5), D(-1)),), cap=D(0), override_rate_pct=D(-1))
    assert [p.field for p in validate_plan(replace(bad, name=""), company())] == [
        "name",
        "versions[0].tiers[0].from_pct",
        "versions[0].tiers[0].rate_pct",
        "versions[0].cap",
        "versions[0].override_rate_pct",
    ]


# --------------------------------------------------------------------------- assignments


def assignment(**changes: object) -> Assignment:
    base = Assignment(2, 2, date(2027, 1, 1), date(2027, 12, 31))
    return replace(base, **changes)


def draw(**changes: object) -> Draw:
    return replace(
        Draw(D("1000.00"), DrawKind.RECOVERABLE, Month(2027, 1), Month(2027, 6)), **changes
    )


ASSIGNMENT_CASES = [
    (assignment(rep_id=9), "rep_id", "The rep #9 does not exist."),
    (assignment(plan_id=9), "plan_id", "The plan #9 does not exist."),
    (
        assignment(effective_to=date(2026, 12, 31)),
        "effective_to",
        "The assignment ends on 2026-12-31, before it starts on 2027-01-01.",
    ),
    (
        assignment(effective_from=date(2026, 12, 1)),
        "effective_from",
        "This overlaps Ana Lee's assignment to AE Tiered (from 2026-01-01); "
        "a rep has one plan at a time.",
    ),
    (
        assignment(quota_override=D("-1.00")),
        "quota_override",
        "The quota override must be more than 0 (got -$1.00).",
    ),
    (
        assignment(draw=draw(amount=D("0.00"))),
        "draw.amount",
        "The draw amount must be more than 0 (got $0.00).",
    ),
    (
        assignment(draw=draw(amount=D("10.001"))),
        "draw.amount",
        "The draw amount must be a whole number of cents (got 10.001).",
    ),
    (
        assignment(draw=draw(max_recovery_pct=D(101))),
        "draw.max_recovery_pct",
        "The maximum recovery must be between 0% and 100% (got 101%).",
    ),
    (
        assignment(draw=draw(max_recovery_pct=D(-1))),
        "draw.max_recovery_pct",
        "The maximum recovery must be between 0% and 100% (got -1%).",
    ),
    (
        assignment(draw=draw(end_month=Month(2026, 12))),
        "draw.end_month",
        "The draw ends in 2026-12, before it starts in 2027-01.",
    ),
    # Ben's only assignment ends 2026-06-30; replacing it with one from July strands D-1.
    (
        Assignment(3, 2, date(2026, 7, 1), id=3),
        "effective_from",
        "1 deal credited to Ben Ortiz would have no plan assignment on their close date: D-1.",
    ),
]


@pytest.mark.parametrize(("edited", "field", "message"), ASSIGNMENT_CASES)
def test_assignment(edited: Assignment, field: str, message: str) -> None:
    assert Problem(field, message) in validate_assignment(edited, company())


def test_two_draws_of_one_rep_may_not_cover_the_same_month() -> None:
    data = company()
    # Ben: Jan-Jun 2026 with a draw through August, so it runs on after the assignment
    # ends; a new assignment from July with a draw from July overlaps it in July.
    ben = replace(
        data.assignments[2], draw=draw(start_month=Month(2026, 1), end_month=Month(2026, 8))
    )
    data = replace(data, assignments=(*data.assignments[:2], ben))
    new = Assignment(3, 1, date(2026, 7, 1), draw=draw(start_month=Month(2026, 7), end_month=None))
    assert validate_assignment(new, data) == [
        Problem(
            "draw.start_month",
            "Ben Ortiz already has a draw in 2026-07 (on the assignment to AE Tiered from "
            "2026-01-01); two draws cannot cover the same month.",
        )
    ]
    later = replace(new, draw=draw(start_month=Month(2026, 9), end_month=None))
    assert validate_assignment(later, data) == []
    # An open-ended draw ends with its assignment: from July on, nothing overlaps it.
    open_ended = replace(ben, draw=draw(start_month=Month(2026, 1), end_month=None))
    data = replace(data, assignments=(*data.assignments[:2], open_ended))
    assert validate_assignment(new, data) == []


def test_a_draw_cannot_start_before_its_assignment() -> None:
    data = company()
    early = Assignment(
        3, 1, date(2026, 7, 15), draw=draw(start_month=Month(2026, 6), end_month=None)
    )
    assert Problem(
        "draw.start_month",
        "The draw starts in 2026-06, before this assignment starts (2026-07-15): a draw "
        "runs from its assignment's first month (2026-07) on.",
    ) in validate_assignment(early, data)
    on_time = replace(early, draw=draw(start_month=Month(2026, 7), end_month=None))
    assert validate_assignment(on_time, data) == []


def test_an_assignment_to_a_tiered_version_without_quota_needs_an_override() -> None:
    data = company()
    data = replace(
        data, plans=(data.plans[0], Plan("AE Tiered", (replace(TIERED, quota=None),), id=2))
    )
    a = assignment(rep_id=3)
    assert Problem(
        "quota_override",
        "AE Tiered's version from 2026-01-01 has 3 tiers but has no quota: "
        "give this assignment a quota override.",
    ) in validate_assignment(a, data)
    assert validate_assignment(replace(a, quota_override=D("1000.00")), data) == []


def test_editing_an_assignment_does_not_overlap_itself() -> None:
    data = company()
    for stored in data.assignments:
        assert validate_assignment(stored, data) == []


# --------------------------------------------------------------------------- deals


def deal(**changes: object) -> Deal:
    base = Deal(
        "D-2",
        "Globex",
        D("2000.00"),
        date(2026, 4, 1),
        credits=(Credit(2, D(100)),),
    )
    return replace(base, **changes)


DEAL_CASES = [
    (deal(external_id=""), "external_id", "The deal needs an external (CRM) id."),
    (deal(external_id="D-1"), "external_id", "Another deal already has the id D-1."),
    (deal(customer=" "), "customer", "The deal needs a customer."),
    (deal(amount=D("0.00")), "amount", "The deal amount must be more than 0 (got $0.00)."),
    (deal(amount=D("-10.00")), "amount", "The deal amount must be more than 0 (got -$10.00)."),
    (
        deal(amount=D("12.345")),
        "amount",
        "The deal amount must be a whole number of cents (got 12.345).",
    ),
    (
        deal(deal_type="pilot"),
        "deal_type",
        "'pilot' is not a known deal type (known: new, renewal, upsell).",
    ),
    (
        deal(credits=(Credit(2, D(100)), Credit(3, D(0)))),
        "credits[1].split_pct",
        "Ben Ortiz's split must be more than 0% (got 0%).",
    ),
    (
        deal(credits=(Credit(2, D(50)), Credit(2, D(50)))),
        "credits[1].rep_id",
        "Ana Lee is credited more than once on this deal.",
    ),
    (
        deal(credits=(Credit(2, D(60)), Credit(3, D("30.5")))),
        "credits",
        "The splits total 90.5%; they must add up to at least 100% "
        "(exactly 100% for a split deal, more for an overlay).",
    ),
    (deal(credits=(Credit(8, D(100)),)), "credits[0].rep_id", "The rep #8 does not exist."),
    (
        deal(close_date=date(2026, 7, 1), credits=(Credit(3, D(100)),)),
        "credits[0].rep_id",
        "Ben Ortiz has no plan assignment in force on the close date 2026-07-01.",
    ),
    (
        deal(payments=(Payment(date(2026, 5, 1), D("0.00")),)),
        "payments[0].amount",
        "Payment 1 must be more than 0 (got $0.00).",
    ),
    (
        deal(cancellation_date=date(2026, 3, 31), cancellation_reason="Churned"),
        "cancellation_date",
        "The cancellation date 2026-03-31 is before the close date 2026-04-01.",
    ),
    (
        deal(cancellation_date=date(2026, 5, 1)),
        "cancellation_reason",
        "A cancelled deal needs a cancellation reason.",
    ),
    (
        deal(cancellation_reason="Churned"),
        "cancellation_date",
        "A cancellation reason is given but no cancellation date.",
    ),
]


@pytest.mark.parametrize(("edited", "field", "message"), DEAL_CASES)
def test_deal(edited: Deal, field: str, message: str) -> None:
    assert Problem(field, message) in validate_deal(edited, company())


def test_a_credit_after_termination_is_refused() -> None:
    data = company()
    reps = (*data.reps[:2], replace(data.reps[2], termination_date=date(2026, 5, 15)))
    data = replace(data, reps=reps)
    late = deal(close_date=date(2026, 5, 20), credits=(Credit(3, D(100)),))
    assert validate_deal(late, data) == [
        Problem(
            "credits[0].rep_id", "Ben Ortiz left on 2026-05-15, before the close date 2026-05-20."
        )
    ]
    on_the_day = replace(late, close_date=date(2026, 5, 15))
    assert validate_deal(on_the_day, data) == []


def test_a_deal_in_another_currency_is_refused() -> None:
    assert validate_deal(deal(external_id="D-7"), company(), currency="eur") == [
        Problem("currency", "Deal D-7 is in EUR but the company's currency is USD.")
    ]
    assert validate_deal(deal(), company(), currency="USD") == []


def test_good_deals() -> None:
    data = company()
    assert validate_deal(deal(credits=()), data) == []  # allowed; the dashboard warns
    overlay = deal(credits=(Credit(2, D(100)), Credit(1, D(50))))
    assert validate_deal(overlay, data) == []
    assert validate_deal(data.deals[0], data) == []  # editing keeps its own id
    paid = deal(payments=(Payment(date(2026, 3, 1), D("2000.00")),))
    assert validate_deal(paid, data) == []
    cancelled = deal(cancellation_date=date(2026, 4, 1), cancellation_reason="Duplicate")
    assert validate_deal(cancelled, data) == []


def test_several_deal_problems_are_reported_together() -> None:
    bad = deal(
        external_id="D-1",
        customer="",
        amount=D("-1.00"),
        credits=(Credit(2, D(40)),),
        cancellation_date=date(2026, 1, 1),
    )
    assert [p.field for p in validate_deal(bad, company())] == [
        "external_id",
        "customer",
        "amount",
        "credits",
        "cancellation_date",
        "cancellation_reason",
    ]


# --------------------------------------------------------------------------- the splits' total

SHORT = (
    "The splits total {}; they must add up to at least 100% "
    "(exactly 100% for a split deal, more for an overlay)."
)
SPLIT_TOTAL_CASES = [
    ([], []),  # no credits: allowed, the dashboard warns
    ([D(100)], []),
    ([D(60), D(40)], []),
    ([D(100), D(50)], []),  # an overlay
    ([D(70)], [SHORT.format("70%")]),
    ([D(60), D("30.5")], [SHORT.format("90.5%")]),
    ([D("33.33"), D("33.33"), D("33.33")], [SHORT.format("99.99%")]),
    # A split that is not more than 0% is the problem, said on its own: the total waits.
    ([D(90), D(0)], []),
    ([D(90), D(-10)], []),
]


@pytest.mark.parametrize(("splits", "messages"), SPLIT_TOTAL_CASES)
def test_the_splits_total_rule(splits: list[Decimal], messages: list[str]) -> None:
    assert validate_split_total(splits) == [Problem("credits", m) for m in messages]


@pytest.mark.parametrize(("splits", "_messages"), SPLIT_TOTAL_CASES[1:])
def test_a_deal_is_refused_by_exactly_the_splits_total_rule(
    splits: list[Decimal], _messages: list[str]
) -> None:
    """One definition: what the deal editor asks while typing is what saving applies."""
    reps = (2, 3, 1)  # Ana Lee, Ben Ortiz, Maya Okafor: each with a plan on the close date
    edited = deal(credits=tuple(Credit(r, s) for r, s in zip(reps, splits, strict=False)))
    found = [p for p in validate_deal(edited, company()) if p.field == "credits"]
    assert found == validate_split_total(splits)


# --------------------------------------------------------------------------- adjustments

ADJUSTMENT_CASES = [
    (Adjustment(9, Month(2026, 3), D("1.00"), "x"), "rep_id", "The rep #9 does not exist."),
    (
        Adjustment(2, Month(2026, 3), D("0.00"), "x"),
        "amount",
        "The amount of an adjustment cannot be zero.",
    ),
    (
        Adjustment(2, Month(2026, 3), D("1.005"), "x"),
        "amount",
        "The amount must be a whole number of cents (got 1.005).",
    ),
    (Adjustment(2, Month(2026, 3), D("-5.00"), " "), "reason", "An adjustment needs a reason."),
]


@pytest.mark.parametrize(("adj", "field", "message"), ADJUSTMENT_CASES)
def test_adjustment(adj: Adjustment, field: str, message: str) -> None:
    assert Problem(field, message) in validate_adjustment(adj, company())


def test_a_negative_adjustment_is_fine() -> None:
    adj = Adjustment(2, Month(2026, 3), D("-5.00"), "Correction")
    assert validate_adjustment(adj, company()) == []


# --------------------------------------------------------------------------- the whole company


def test_company_check_prefixes_each_problem_with_its_record() -> None:
    data = company()
    bad_deal = replace(data.deals[0], amount=D("0.00"))
    bad_rep = replace(data.reps[1], email="nope")
    data = replace(
        data,
        company=replace(data.company, currency="US"),
        reps=(data.reps[0], bad_rep, data.reps[2]),
        deals=(bad_deal, replace(bad_deal, id=2)),
    )
    assert validate_company(data) == [
        Problem(
            "company.currency",
            "Company settings: The currency must be a 3-letter ISO 4217 code such as USD or EUR "
            "(got 'US').",
        ),
        Problem("reps[1].email", "Rep 'Ana Lee': 'nope' does not look like an email address."),
        Problem("deals[0].amount", "Deal D-1: The deal amount must be more than 0 (got 0.00 US)."),
        Problem("deals[1].external_id", "Deal D-1: Another deal already has the id D-1."),
        Problem("deals[1].amount", "Deal D-1: The deal amount must be more than 0 (got 0.00 US)."),
    ]


def test_company_check_reports_the_quota_rule_once_per_version() -> None:
    data = company()
    data = replace(
        data, plans=(data.plans[0], Plan("AE Tiered", (replace(TIERED, quota=None),), id=2))
    )
    assert messages(validate_company(data)) == [
        "Plan 'AE Tiered': The version from 2026-01-01 has 3 tiers, so it needs a quota: set "
        "one on the version, or a quota override on every assignment that uses it "
        "(missing for Ana Lee, Ben Ortiz)."
    ]


def test_company_check_of_periods_and_snapshots() -> None:
    data = replace(
        company(),
        periods=(
            Period(Month(2026, 1), PeriodStatus.OPEN),
            Period(Month(2026, 2), PeriodStatus.CLOSED),
            Period(Month(2026, 2), PeriodStatus.CLOSED),
        ),
    )
    assert messages(validate_company(data)) == [
        "Period 2026-02: listed more than once.",
        "Period 2026-01: open while the later period 2026-02 is closed; periods close in order.",
    ]


def test_company_check_finds_records_sharing_an_id() -> None:
    data = company()
    data = replace(data, deals=(data.deals[0], replace(data.deals[0], external_id="D-2")))
    assert validate_company(data) == [Problem("deals[1].id", "Two records share the deal id 1.")]


def test_a_problem_between_records_is_said_once_in_a_company_check() -> None:
    data = company()
    maya, ana, ben = data.reps
    # Maya and Ana manage each other; Ben shares Ana's payroll id; Ben's two assignments
    # overlap, and so do their draws.
    reps = (replace(maya, manager_id=2), ana, replace(ben, payroll_id="P2"))
    first = replace(
        data.assignments[2], draw=draw(start_month=Month(2026, 1), end_month=Month(2026, 9))
    )
    second = Assignment(
        3, 1, date(2026, 6, 1), draw=draw(start_month=Month(2026, 6), end_month=None), id=4
    )
    data = replace(data, reps=reps, assignments=(*data.assignments[:2], first, second))
    assert messages(validate_company(data)) == [
        "Rep 'Maya Okafor': Maya Okafor cannot report to Ana Lee: the managers would form a "
        "loop (Maya Okafor → Ana Lee → Maya Okafor).",
        "Rep 'Ben Ortiz': Payroll id P2 is already used by Ana Lee.",
        "Assignment of 'Ben Ortiz' to 'Flat' from 2026-06-01: This overlaps Ben Ortiz's "
        "assignment to AE Tiered (2026-01-01 to 2026-06-30); a rep has one plan at a time.",
        "Assignment of 'Ben Ortiz' to 'Flat' from 2026-06-01: Ben Ortiz already has a draw in "
        "2026-06 (on the assignment to AE Tiered from 2026-01-01); two draws cannot cover the "
        "same month.",
    ]
