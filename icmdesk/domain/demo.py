"""The demo company: a realistic small sales team with a year of deals, made from a seed.

`demo_company` is deterministic: the same seed and `today` give the same company,
field for field, on any machine (one `random.Random(seed)`, never the global one,
never the clock). It is what "Open the demo company" and `icmdesk demo` load, so a
newcomer sees every feature at once: three roles and plans (flat, marginal with an
accelerator, retroactive with a cap and a manager override), a plan version on the
cash trigger, split and overlay deals, renewals at a 50% multiplier, partial
payments, cancellations inside and outside the clawback window, both kinds of
draw, a mid-year hire, a termination and a couple of manual adjustments.

The data passes `validation.validate_company` with no problems.
"""

from __future__ import annotations

import random
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import date, timedelta
from decimal import Decimal

from icmdesk.domain.calendar import Month, QuotaPeriod, fiscal_year_start, quota_period_start
from icmdesk.domain.entities import (
    Adjustment,
    Assignment,
    AttainmentBonus,
    ClawbackMethod,
    ClawbackPolicy,
    Company,
    CompanyData,
    Credit,
    Deal,
    DealTypeMultiplier,
    Draw,
    DrawKind,
    OverrideScope,
    Payment,
    PayoutTrigger,
    Plan,
    PlanVersion,
    Rep,
    Role,
    Spif,
    Tier,
    TierMode,
)
from icmdesk.domain.money import D, from_cents

__all__ = ["DEMO_TODAY", "demo_company"]

# The demo's default "today": the output never depends on the clock.
DEMO_TODAY = date(2026, 11, 23)

_COMPANY_NAME = "Northwind Instruments, Inc."
_ADDRESS = "2150 NW Front Avenue, Suite 400\nPortland, OR 97209\nUnited States"
_DOMAIN = "northwind-instruments.com"

# Plan ids, in the order they are created.
_SDR_PLAN, _AE_PLAN, _MANAGER_PLAN = 1, 2, 3
# Role ids.
_AE_ROLE, _SDR_ROLE, _MANAGER_ROLE = 1, 2, 3

_CUSTOMERS = (
    "Acme Robotics",
    "Bluefin Logistics",
    "Cascade Biolabs",
    "Cobalt Mining Co.",
    "Crescent Health Partners",
    "Delta Water Authority",
    "Evergreen Foods",
    "Fairview Hospital",
    "Foxglove Pharmaceuticals",
    "Granite Peak Energy",
    "Harbor Freight Lines",
    "Helix Genomics",
    "Ironclad Manufacturing",
    "Juniper Semiconductors",
    "Keystone Aerospace",
    "Lakeside University",
    "Lumen Optics",
    "Maple Grove Dairy",
    "Meridian Shipping",
    "Nimbus Weather Systems",
    "Northstar Utilities",
    "Oakridge Laboratories",
    "Orion Satellite Services",
    "Pacific Rim Brewing",
    "Pinecrest Paper Mill",
    "Quarry Hill Cement",
    "Redwood Environmental",
    "Riverbend Water District",
    "Sable Automotive",
    "Sierra Vineyards",
    "Silverline Rail",
    "Summit Medical Devices",
    "Tidewater Aquaculture",
    "Trillium Chemicals",
    "Umber Ceramics",
    "Vantage Research Institute",
    "Verdant Agritech",
    "Westfield Steel",
    "Willow Creek Hospital",
    "Yellowstone Geothermal",
    "Zephyr Wind Farms",
    "Alder & Finch Engineering",
    "Bramble Analytics",
    "Copperleaf Metals",
    "Driftwood Marine Labs",
    "Emberline Foundry",
    "Glacier Bay Fisheries",
    "Hollis County Public Works",
    "Ivory Coast Cocoa Co.",
    "Kettle Falls Power",
)

_CANCELLATION_REASONS = (
    "Customer rescinded the order within the trial period",
    "Customer went into administration; contract void",
    "Duplicate of an order already entered in the CRM",
    "Purchase order withdrawn after budget freeze",
    "Contract terminated for non-payment",
    "Order cancelled: equipment failed acceptance testing",
)


@dataclass(frozen=True, slots=True)
class _Window:
    """The twelve calendar months of deals: those ending with the month before today's."""

    first: Month
    last: Month

    @property
    def start(self) -> date:
        return self.first.first_day

    @property
    def end(self) -> date:
        return self.last.last_day

    def months(self) -> list[Month]:
        return [self.first.plus(i) for i in range(12)]


def demo_company(seed: int = 2026, *, today: date | None = None) -> CompanyData:
    """A deterministic demo company: about 8 reps in 3 roles and a year of deals before `today`.

    `today` defaults to 2026-11-23 (not the clock); the deals fall in the twelve
    calendar months ending with the month before `today`'s.
    """
    rng = random.Random(seed)
    last = Month.of(today or DEMO_TODAY).plus(-1)
    window = _Window(last.plus(-11), last)

    company = Company(
        _COMPANY_NAME,
        _ADDRESS,
        "USD",
        1,
        ClawbackPolicy(90, ClawbackMethod.FULL),
    )
    plans = _plans(window)
    roles = (
        Role("Account Executive", _AE_PLAN, id=_AE_ROLE),
        Role("Sales Development Rep", _SDR_PLAN, id=_SDR_ROLE),
        Role("Sales Manager", _MANAGER_PLAN, id=_MANAGER_ROLE),
    )
    reps = _reps(window)
    assignments = _assignments(reps, plans, window)
    deals = _deals(rng, reps, assignments, plans, company, window)
    adjustments = _adjustments(window)
    return CompanyData(
        company=company,
        roles=roles,
        reps=reps,
        plans=plans,
        assignments=assignments,
        deals=deals,
        adjustments=adjustments,
    )


# --------------------------------------------------------------------------- plans


def _plans(window: _Window) -> tuple[Plan, ...]:
    """Flat SDR plan; marginal AE plan (booking, then cash); retroactive capped manager plan."""
    plan_start = fiscal_year_start(window.first, 1).first_day
    spif_quarter = quota_period_start(window.first.plus(5), QuotaPeriod.QUARTER, 1)
    cash_from = quota_period_start(window.first.plus(8), QuotaPeriod.QUARTER, 1).first_day
    quarter_no = (spif_quarter.month - 1) // 3 + 1
    spif = Spif(
        f"Q{quarter_no} {spif_quarter.year} new-logo SPIF",
        D("750.00"),
        spif_quarter.first_day,
        spif_quarter.plus(2).last_day,
        min_deal_amount=D("25000.00"),
        deal_types=("new",),
    )
    ae_tiers = (
        Tier(D(0), D(6)),
        Tier(D(100), D(8)),
        Tier(D(125), D(10)),
        Tier(D(150), D(12)),
    )
    ae_booking = PlanVersion(
        plan_start,
        ae_tiers,
        quota_period=QuotaPeriod.QUARTER,
        quota=D("300000.00"),
        tier_mode=TierMode.MARGINAL,
        multipliers=(DealTypeMultiplier("renewal", D(50)),),
        bonuses=(AttainmentBonus(D(100), D("2000.00")),),
        spifs=(spif,),
        id=2,
    )
    # From this quarter AEs are paid as customers pay (the renewal-heavy book made
    # booking-time payouts on unpaid invoices costly): same rates, cash trigger.
    ae_cash = replace(
        ae_booking,
        effective_from=cash_from,
        spifs=(),
        payout_trigger=PayoutTrigger.CASH,
        id=3,
    )
    return (
        Plan(
            "SDR Flat 5%",
            (PlanVersion(plan_start, (Tier(D(0), D(5)),), quota_period=QuotaPeriod.MONTH, id=1),),
            id=_SDR_PLAN,
        ),
        Plan("AE Accelerator", (ae_booking, ae_cash), id=_AE_PLAN),
        Plan(
            "Sales Manager Retro",
            (
                PlanVersion(
                    plan_start,
                    (Tier(D(0), D(4)), Tier(D(100), D(6)), Tier(D(125), D(8))),
                    quota_period=QuotaPeriod.YEAR,
                    quota=D("350000.00"),
                    tier_mode=TierMode.RETROACTIVE,
                    cap=D("20000.00"),
                    override_rate_pct=D(3),
                    override_scope=OverrideScope.TREE,
                    clawback_policy=ClawbackPolicy(120, ClawbackMethod.PRORATED),
                    id=4,
                ),
            ),
            id=_MANAGER_PLAN,
        ),
    )


# --------------------------------------------------------------------------- people


def _email(name: str) -> str:
    ascii_name = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode("ascii")
    first, _, last = ascii_name.lower().replace("'", "").partition(" ")
    return f"{first}.{last.replace(' ', '')}@{_DOMAIN}"


def _reps(window: _Window) -> tuple[Rep, ...]:
    first_year = window.first.year
    hired_mid_year = window.first.plus(6).first_day + timedelta(days=3)
    new_sdr = window.first.plus(3).first_day + timedelta(days=8)
    leaves = window.last.plus(-1).first_day + timedelta(days=17)
    people = [
        ("Maya Okafor", date(first_year - 4, 3, 15), _MANAGER_ROLE, None, None),
        ("Daniel Reyes", date(first_year - 2, 6, 5), _AE_ROLE, 1, None),
        ("Zoë O'Brien", date(first_year - 1, 1, 8), _AE_ROLE, 1, None),
        ("Priya Natarajan", date(first_year - 3, 9, 20), _AE_ROLE, 1, None),
        ("Tomás Lindqvist", hired_mid_year, _AE_ROLE, 1, None),
        ("Grace Kim", date(first_year - 1, 10, 1), _SDR_ROLE, 1, None),
        ("Marcus Bell", date(first_year - 2, 2, 14), _SDR_ROLE, 1, leaves),
        ("Aisha Rahman", new_sdr, _SDR_ROLE, 1, None),
    ]
    return tuple(
        Rep(
            name,
            hired,
            _email(name),
            f"NW-{100 + i:04d}",
            role,
            manager,
            left,
            id=i,
        )
        for i, (name, hired, role, manager, left) in enumerate(people, start=1)
    )


def _assignments(
    reps: tuple[Rep, ...], plans: tuple[Plan, ...], window: _Window
) -> tuple[Assignment, ...]:
    """Each rep on their role's plan from hire (or the demo's first month) to termination.

    Assignments start with the first month of deals, so the demo's first payout month is
    the first month a newcomer closes.
    """
    plan_of_role = {_AE_ROLE: _AE_PLAN, _SDR_ROLE: _SDR_PLAN, _MANAGER_ROLE: _MANAGER_PLAN}
    first_day = window.first.first_day
    result = []
    for rep in reps:
        assert rep.role_id is not None
        quota = None
        draw = None
        if rep.name.startswith("Tomás"):
            # A ramping new AE: a lower quota and a recoverable draw for six months.
            quota = D("180000.00")
            hired = Month.of(rep.hire_date)
            draw = Draw(D("3000.00"), DrawKind.RECOVERABLE, hired, hired.plus(5), D(50))
        elif rep.name.startswith("Aisha"):
            hired = Month.of(rep.hire_date)
            draw = Draw(D("1000.00"), DrawKind.NON_RECOVERABLE, hired, hired.plus(3))
        result.append(
            Assignment(
                rep.id,
                plan_of_role[rep.role_id],
                max(rep.hire_date, first_day),
                rep.termination_date,
                quota,
                draw,
                id=rep.id,
            )
        )
    return tuple(result)


# --------------------------------------------------------------------------- deals


@dataclass(slots=True)
class _Draft:
    """A deal being made up, before it is numbered."""

    customer: str
    amount: Decimal
    close_date: date
    deal_type: str
    credits: list[Credit]
    payments: list[Payment]
    cancellation_date: date | None = None
    cancellation_reason: str = ""


def _cents_between(rng: random.Random, low: int, high: int, skew: int) -> Decimal:
    """An amount in [low, high] dollars, skewed toward the low end (the least of `skew` draws).

    Integers throughout: no float ever becomes money.
    """
    cents = min(rng.randint(low * 100, high * 100) for _ in range(skew))
    if rng.random() < 0.7:
        cents = max(cents - cents % 10_000, low * 100)  # most quotes are in whole hundreds
    return from_cents(cents)


def _working_days(rep: Rep, a: Assignment, month: Month, window: _Window) -> tuple[date, date]:
    start = max(month.first_day, a.effective_from, window.start)
    end = min(month.last_day, window.end)
    if a.effective_to is not None:
        end = min(end, a.effective_to)
    if rep.termination_date is not None:
        end = min(end, rep.termination_date)
    return start, end


def _random_day(rng: random.Random, start: date, end: date) -> date:
    return start + timedelta(days=rng.randint(0, (end - start).days))


def _deals(
    rng: random.Random,
    reps: tuple[Rep, ...],
    assignments: tuple[Assignment, ...],
    plans: tuple[Plan, ...],
    company: Company,
    window: _Window,
) -> tuple[Deal, ...]:
    assignment_of = {a.rep_id: a for a in assignments}
    plan_by_id = {p.id: p for p in plans}
    aes = [r for r in reps if r.role_id == _AE_ROLE]
    sdrs = [r for r in reps if r.role_id == _SDR_ROLE]
    manager = next(r for r in reps if r.role_id == _MANAGER_ROLE)

    def in_force(rep: Rep, day: date) -> bool:
        a = assignment_of[rep.id]
        employed = rep.termination_date is None or day <= rep.termination_date
        return a.in_force(day) and employed

    drafts: list[_Draft] = []
    for month in window.months():
        for rep in [*aes, *sdrs, manager]:
            a = assignment_of[rep.id]
            start, end = _working_days(rep, a, month, window)
            if start > end:
                continue
            if rep.role_id == _AE_ROLE:
                count = rng.choice((3, 3, 4, 4, 4, 5))
            elif rep.role_id == _SDR_ROLE:
                count = rng.choice((3, 4, 4, 5))
            else:
                count = 1 if rng.random() < 0.75 else 0
            for _ in range(count):
                day = _random_day(rng, start, end)
                drafts.append(_new_draft(rng, rep, day, aes, in_force))

    drafts.sort(key=lambda d: (d.close_date, d.customer, d.amount))
    _add_overlay(drafts, manager, {r.id for r in aes})
    _add_payments(rng, drafts, assignment_of, plan_by_id, window)
    _add_cancellations(rng, drafts, assignment_of, plan_by_id, company, window)
    return tuple(
        Deal(
            f"D-{1001 + i}",
            d.customer,
            d.amount,
            d.close_date,
            d.deal_type,
            tuple(d.credits),
            tuple(d.payments),
            d.cancellation_date,
            d.cancellation_reason,
            id=i + 1,
        )
        for i, d in enumerate(drafts)
    )


def _new_draft(
    rng: random.Random,
    rep: Rep,
    day: date,
    aes: list[Rep],
    in_force: Callable[[Rep, date], bool],
) -> _Draft:
    customer = rng.choice(_CUSTOMERS)
    credits = [Credit(rep.id, D(100))]
    if rep.role_id == _AE_ROLE:
        deal_type = rng.choices(("new", "renewal", "upsell"), (65, 20, 15))[0]
        if deal_type == "new":
            amount = _cents_between(rng, 8_000, 120_000, 3)
        elif deal_type == "renewal":
            amount = _cents_between(rng, 5_000, 60_000, 2)
        else:
            amount = _cents_between(rng, 4_000, 40_000, 2)
        partners = [r for r in aes if r.id != rep.id and in_force(r, day)]
        if partners and rng.random() < 0.1:
            partner = rng.choice(partners)
            mine = rng.choice((D(60), D(50)))
            credits = [Credit(rep.id, mine), Credit(partner.id, 100 - mine)]
    elif rep.role_id == _SDR_ROLE:
        deal_type = rng.choices(("new", "upsell"), (80, 20))[0]
        amount = _cents_between(rng, 2_000, 15_000, 2)
    else:
        deal_type = "new"
        amount = _cents_between(rng, 20_000, 90_000, 2)
    return _Draft(customer, amount, day, deal_type, credits, [])


def _add_overlay(drafts: list[_Draft], manager: Rep, ae_ids: set[int]) -> None:
    """The manager co-sells one big new deal as an overlay: AE 100% plus manager 50%."""
    candidates = [
        d
        for d in drafts[len(drafts) // 3 :]
        if d.deal_type == "new" and len(d.credits) == 1 and d.credits[0].rep_id in ae_ids
    ]
    biggest = max(candidates, key=lambda d: (d.amount, d.close_date))
    biggest.customer = "Orion Satellite Services"
    biggest.credits.append(Credit(manager.id, D(50)))


def _version_of(
    draft: _Draft, rep_id: int, assignment_of: dict[int, Assignment], plan_by_id: dict[int, Plan]
) -> PlanVersion:
    version = plan_by_id[assignment_of[rep_id].plan_id].version_on(draft.close_date)
    assert version is not None
    return version


def _is_cash(
    draft: _Draft, assignment_of: dict[int, Assignment], plan_by_id: dict[int, Plan]
) -> bool:
    return any(
        _version_of(draft, c.rep_id, assignment_of, plan_by_id).payout_trigger is PayoutTrigger.CASH
        for c in draft.credits
    )


def _add_payments(
    rng: random.Random,
    drafts: list[_Draft],
    assignment_of: dict[int, Assignment],
    plan_by_id: dict[int, Plan],
    window: _Window,
) -> None:
    """Deals on the cash trigger: paid in full, in two instalments, or not yet."""
    for d in drafts:
        if not _is_cash(d, assignment_of, plan_by_id):
            continue
        roll = rng.random()
        if roll < 0.6:
            when = d.close_date + timedelta(days=rng.randint(10, 60))
            if when <= window.end:
                d.payments.append(Payment(when, d.amount))
        elif roll < 0.85:
            deposit = from_cents(int(d.amount * 100) // 2)
            first = d.close_date + timedelta(days=rng.randint(7, 30))
            second = first + timedelta(days=rng.randint(30, 60))
            if first <= window.end:
                d.payments.append(Payment(first, deposit))
            if second <= window.end:
                d.payments.append(Payment(second, d.amount - deposit))


def _add_cancellations(
    rng: random.Random,
    drafts: list[_Draft],
    assignment_of: dict[int, Assignment],
    plan_by_id: dict[int, Plan],
    company: Company,
    window: _Window,
) -> None:
    """Cancel a few single-credit deals: most inside their clawback window, two outside."""
    reasons = list(_CANCELLATION_REASONS)
    rng.shuffle(reasons)
    # (credited rep's role, inside the window?) for each cancellation, in order.
    wanted = [
        (_AE_ROLE, True),
        (_AE_ROLE, True),
        (_SDR_ROLE, True),
        (_MANAGER_ROLE, True),
        (_AE_ROLE, False),
        (_SDR_ROLE, False),
    ]
    role_of = {a.rep_id: _role_of_plan(a.plan_id) for a in assignment_of.values()}
    taken: set[int] = set()
    for (role, inside), reason in zip(wanted, reasons, strict=True):
        candidates = []
        for i, d in enumerate(drafts):
            if i in taken or len(d.credits) != 1 or role_of[d.credits[0].rep_id] != role:
                continue
            window_days = _clawback_window_days(
                d, d.credits[0].rep_id, assignment_of, plan_by_id, company
            )
            low, high = (10, window_days - 5) if inside else (window_days + 10, window_days + 120)
            latest = (window.end - d.close_date).days
            if latest >= low:
                candidates.append((i, low, min(high, latest)))
        i, low, high = rng.choice(candidates)
        taken.add(i)
        d = drafts[i]
        d.cancellation_date = d.close_date + timedelta(days=rng.randint(low, high))
        d.cancellation_reason = reason
        d.payments = [p for p in d.payments if p.date <= d.cancellation_date]


def _role_of_plan(plan_id: int) -> int:
    return {_AE_PLAN: _AE_ROLE, _SDR_PLAN: _SDR_ROLE, _MANAGER_PLAN: _MANAGER_ROLE}[plan_id]


def _clawback_window_days(
    d: _Draft,
    rep_id: int,
    assignment_of: dict[int, Assignment],
    plan_by_id: dict[int, Plan],
    company: Company,
) -> int:
    """The clawback window (days) that applies to this credit: the version's, else the company's."""
    version = _version_of(d, rep_id, assignment_of, plan_by_id)
    policy = version.clawback_policy or company.clawback_policy
    return policy.window_days


# --------------------------------------------------------------------------- adjustments


def _adjustments(window: _Window) -> tuple[Adjustment, ...]:
    return (
        Adjustment(
            3,
            window.first.plus(4),
            D("250.00"),
            "Trade-show lead bonus approved by Maya Okafor",
            id=1,
        ),
        Adjustment(
            2,
            window.first.plus(7),
            D("-85.40"),
            "Correction: split on a shared deal agreed at 60/40, not 50/50",
            id=2,
        ),
        Adjustment(6, window.last.plus(-2), D("150.00"), "SDR of the quarter prize", id=3),
    )
