"""COMP_RULES "Bonuses, SPIFs and overrides"."""

from __future__ import annotations

from icmdesk.domain.calendar import QuotaPeriod
from icmdesk.domain.engine import compute_month, compute_range
from icmdesk.domain.entities import OverrideScope, Spif
from icmdesk.domain.statement import LineKind
from tests.domain.builders import (
    CompanyBuilder,
    amounts,
    day,
    money,
    month,
    of,
    plan,
    version,
)


def _bonus_plan():  # quarterly, flat 1%, quota $100,000, bonuses at 100% and 120%
    return plan(
        "Bonus AE",
        version(1, quota=100000, period=QuotaPeriod.QUARTER, bonuses=((100, 1000), (120, 2000))),
    )


def test_attainment_bonuses_paid_once_in_the_month_each_threshold_is_first_reached() -> None:
    c = CompanyBuilder()
    ann = c.rep("Ann", _bonus_plan())
    c.deal("D-1", "50000", "2026-01-10", (ann, 100))
    c.deal("D-2", "60000", "2026-02-10", (ann, 100))  # X = 110,000: 100% reached
    c.deal("D-3", "20000", "2026-03-10", (ann, 100))  # X = 130,000: 120% reached
    c.deal("D-4", "20000", "2026-03-20", (ann, 100))  # nothing new
    c.deal("D-5", "100000", "2026-04-10", (ann, 100))  # a new quarter: 100% again
    months = compute_range(c.build(), month("2026-01"), month("2026-04"))
    bonuses = {str(m): amounts(of(s, ann), LineKind.BONUS) for m, s in months.items()}
    assert bonuses == {
        "2026-01": [],
        "2026-02": ["1000.00"],
        "2026-03": ["2000.00"],
        "2026-04": ["1000.00"],
    }


def test_a_deal_crossing_several_thresholds_pays_each() -> None:
    c = CompanyBuilder()
    ann = c.rep("Ann", _bonus_plan())
    c.deal("D-1", "130000", "2026-01-10", (ann, 100))
    s = of(compute_month(c.build(), month("2026-01")), ann)
    assert amounts(s) == ["1300.00", "1000.00", "2000.00"]
    assert str(s.earnings) == "4300.00"


def test_bonus_is_earned_at_booking_under_cash_and_never_clawed_back() -> None:
    c = CompanyBuilder()
    v = version(1, quota=100000, bonuses=((100, 1000),), cash=True)
    ann = c.rep("Ann", plan("Cash AE", v))
    c.deal("D-1", "100000", "2026-03-10", (ann, 100), cancelled="2026-03-20", reason="Churned")
    s = of(compute_month(c.build(), month("2026-03")), ann)
    # Nothing paid, so no commission and nothing to claw back; the bonus stands.
    assert amounts(s) == ["1000.00"]
    assert s.lines[0].kind is LineKind.BONUS


def _spif_company():
    spif = Spif(
        "March push",
        money(250),
        day("2026-03-01"),
        day("2026-03-31"),
        min_deal_amount=money(10000),
        deal_types=("new",),
    )
    c = CompanyBuilder()
    with_spif = plan("AE with SPIF", version(10, spifs=(spif,)))
    without = plan("AE", version(10))
    return c, with_spif, without


def test_spif_paid_in_full_to_each_credited_rep_whose_plan_carries_it() -> None:
    c, with_spif, without = _spif_company()
    ann = c.rep("Ann", with_spif)
    bob = c.rep("Bob", with_spif)
    cat = c.rep("Cat", without)
    c.deal("D-1", "10000", "2026-03-31", (ann, 50), (bob, 30), (cat, 20))  # qualifies
    c.deal("D-2", "20000", "2026-03-05", (ann, 100), deal_type="renewal")  # wrong type
    c.deal("D-3", "9999.99", "2026-03-05", (ann, 100))  # under the minimum
    c.deal("D-4", "20000", "2026-02-28", (ann, 100))  # before the SPIF's dates
    data = c.build()
    march = compute_month(data, month("2026-03"))
    assert [
        (line.deal_id, str(line.amount)) for line in of(march, ann).lines_of(LineKind.SPIF)
    ] == [("D-1", "250.00")]
    assert amounts(of(march, bob), LineKind.SPIF) == ["250.00"]
    assert amounts(of(march, cat), LineKind.SPIF) == []


def _team(scope: OverrideScope = OverrideScope.DIRECT):
    c = CompanyBuilder()
    ae = plan("AE", version(10, multipliers={"renewal": 50}))
    director = c.rep("Dana Director", plan("Director", version(5, override=1, scope=scope)))
    manager = c.rep("Max Manager", plan("Manager", version(5, override=3)), manager=director)
    ann = c.rep("Ann", ae, manager=manager)
    bob = c.rep("Bob", ae, manager=manager)
    return c, director, manager, ann, bob


def test_manager_override_published_example() -> None:
    # A 3% override on $300,000 of team sales is $9,000.00.
    c, _, manager, ann, bob = _team()
    c.deal("D-1", "200000", "2026-03-10", (ann, 100))
    c.deal("D-2", "100000", "2026-03-12", (bob, 100))
    s = of(compute_month(c.build(), month("2026-03")), manager)
    assert amounts(s, LineKind.OVERRIDE) == ["6000.00", "3000.00"]
    assert str(s.earnings) == "9000.00"
    assert [line.source_rep for line in s.lines] == ["Ann", "Bob"]
    # Overrides do not count toward the manager's own attainment.
    assert str(s.credited_to_date) == "0.00"


def test_override_is_on_the_credited_amount_before_the_type_multiplier() -> None:
    c, _, manager, ann, bob = _team()
    c.deal("R-1", "100000", "2026-03-10", (ann, 60), (bob, 40), deal_type="renewal")
    statements = compute_month(c.build(), month("2026-03"))
    # Ann's commission is on $30,000 counted; the override on $60,000 credited.
    assert amounts(of(statements, ann)) == ["3000.00"]
    assert amounts(of(statements, manager)) == ["1800.00", "1200.00"]


def test_override_scope_direct_pays_only_on_direct_reports() -> None:
    c, director, manager, ann, _ = _team(OverrideScope.DIRECT)
    c.deal("D-1", "100000", "2026-03-10", (ann, 100))
    c.deal("M-1", "10000", "2026-03-11", (manager, 100))
    s = of(compute_month(c.build(), month("2026-03")), director)
    assert [(line.deal_id, str(line.amount)) for line in s.lines] == [("M-1", "100.00")]


def test_override_scope_tree_pays_on_indirect_reports_too() -> None:
    c, director, manager, ann, _ = _team(OverrideScope.TREE)
    c.deal("D-1", "100000", "2026-03-10", (ann, 100))
    c.deal("M-1", "10000", "2026-03-11", (manager, 100))
    s = of(compute_month(c.build(), month("2026-03")), director)
    assert [(line.deal_id, str(line.amount)) for line in s.lines] == [
        ("D-1", "1000.00"),
        ("M-1", "100.00"),
    ]
    assert "indirect report" in s.lines[0].description


def test_no_override_for_deals_closed_while_the_manager_has_no_assignment() -> None:
    c = CompanyBuilder()
    manager = c.rep("Max", plan("Manager", version(5, override=3)), assigned_from="2026-03-15")
    ann = c.rep("Ann", plan("AE", version(10)), manager=manager)
    c.deal("D-1", "1000", "2026-03-14", (ann, 100))
    c.deal("D-2", "1000", "2026-03-15", (ann, 100))
    s = of(compute_month(c.build(), month("2026-03")), manager)
    assert [line.deal_id for line in s.lines] == ["D-2"]


def _bonus_from_february(*deals: tuple[str, str, str]) -> dict[str, list[str]]:
    """Quarterly quota $100,000 at a flat 1%; a version from 1 February adds a $1,000.00
    bonus at 100%. Each month's bonus lines for the deals given."""
    c = CompanyBuilder()
    v1 = version(1, quota=100000, period=QuotaPeriod.QUARTER)
    v2 = version(
        1,
        effective_from="2026-02-01",
        quota=100000,
        period=QuotaPeriod.QUARTER,
        bonuses=((100, 1000),),
    )
    ann = c.rep("Ann", plan("AE", v1, v2))
    for ext, amount, closed in deals:
        c.deal(ext, amount, closed, (ann, 100))
    months = compute_range(c.build(), month("2026-01"), month("2026-03"))
    return {str(m): amounts(of(s, ann), LineKind.BONUS) for m, s in months.items()}


def test_a_bonus_added_after_the_threshold_was_passed_is_not_paid_that_quarter() -> None:
    # X reached $120,000 in January, before the bonus existed; February's deal crosses
    # nothing: no bonus this quarter (back-date the version to pay it).
    paid = _bonus_from_february(("D-1", "120000", "2026-01-15"), ("D-2", "10000", "2026-02-10"))
    assert paid == {"2026-01": [], "2026-02": [], "2026-03": []}


def test_a_bonus_is_paid_with_the_deal_that_crosses_its_threshold() -> None:
    # $60,000 in January, $50,000 in February: X goes from $60,000 to $110,000 under the
    # version with the bonus, so February's deal pays it.
    paid = _bonus_from_february(("D-1", "60000", "2026-01-15"), ("D-2", "50000", "2026-02-10"))
    assert paid == {"2026-01": [], "2026-02": ["1000.00"], "2026-03": []}
