"""COMP_RULES "Books start and opening balances": a company that adopts ICMDesk mid-life
pays from its books-start month on, carrying where each rep stood from before it."""

from __future__ import annotations

from dataclasses import replace
from decimal import Decimal

from icmdesk.domain.calendar import QuotaPeriod
from icmdesk.domain.engine import compute_month, compute_range, compute_totals
from icmdesk.domain.entities import CompanyData, OpeningBalance
from icmdesk.domain.statement import LineKind, StatementOpening
from tests.domain.builders import CompanyBuilder, amounts, money, month, of, plan, tiers, version


def _quarterly() -> CompanyBuilder:
    """Ana on a quarterly plan: quota $100,000, 5% to 100%, 10% above, a $1,000 bonus at
    100%; the books start in March 2026, the last month of the first quarter."""
    c = CompanyBuilder(books_start=month("2026-03"))
    v = version(
        table=tiers((0, 5), (100, 10)),
        quota=100000,
        period=QuotaPeriod.QUARTER,
        bonuses=((100, 1000),),
    )
    c.rep("Ana", plan("AE", v), hired="2024-05-01")
    return c


def _with_opening(c: CompanyBuilder, **figures: str) -> CompanyData:
    ana = c.reps[0]
    values = {k: money(v) for k, v in figures.items() if k != "bonuses_paid"}
    paid = tuple(Decimal(t) for t in figures.get("bonuses_paid", "").split(",") if t)
    return replace(
        c.build(), opening_balances=(OpeningBalance(ana.id, **values, bonuses_paid=paid),)
    )


def test_the_first_statement_carries_the_opening_balance_and_continues_the_quarter() -> None:
    c = _quarterly()
    ana = c.reps[0]
    c.deal("D-0", "50000", "2026-02-15", (ana, 100))  # before the books start: nothing
    c.deal("D-1", "30000", "2026-03-10", (ana, 100))
    data = _with_opening(c, balance_owed="500", ytd_earnings="4000", counted="80000")
    s = of(compute_month(data, month("2026-03")), ana)
    # X goes on from $80,000 to $110,000: (100,000 × 5% + 10,000 × 10%) − 80,000 × 5%
    # = $2,000.00, and the deal crosses 100%: the $1,000.00 bonus.
    assert amounts(s) == ["2000.00", "1000.00"]
    assert (s.earnings, s.balance_before, s.recovery, s.payout, s.balance_after) == (
        money("3000.00"),
        money("500.00"),
        money("500.00"),
        money("2500.00"),
        money("0.00"),
    )
    assert s.ytd_earnings == money("7000.00")  # $4,000.00 before March + $3,000.00
    assert (s.credited_to_date, s.attainment_pct) == (money("110000.00"), money("110.00"))
    assert s.opening == StatementOpening(
        books_start=month("2026-03"),
        balance_owed=money("500.00"),
        ytd_earnings=money("4000.00"),
        counted=money("80000.00"),
        bonuses_paid="",
        quota_period_label="FY2026 Q1 (Jan–Mar 2026)",
    )
    # Nothing before the books start: no statement exists there.
    assert compute_range(data, month("2026-01"), month("2026-02")) == {
        month("2026-01"): (),
        month("2026-02"): (),
    }
    assert compute_totals(data, month("2026-02"), month("2026-02")) == {month("2026-02"): ()}
    # April starts a new quarter, without an opening balance on its statement.
    april = of(compute_month(data, month("2026-04")), ana)
    assert april.opening is None and april.balance_before == money("0.00")


def test_a_bonus_already_paid_before_the_books_start_is_not_paid_again() -> None:
    c = _quarterly()
    ana = c.reps[0]
    c.deal("D-1", "30000", "2026-03-10", (ana, 100))
    data = _with_opening(c, counted="80000", bonuses_paid="100")
    s = of(compute_month(data, month("2026-03")), ana)
    assert amounts(s) == ["2000.00"] and s.opening is not None
    assert s.opening.bonuses_paid == "100%"


def test_deals_and_adjustments_before_the_books_start_produce_nothing() -> None:
    c = _quarterly()
    ana = c.reps[0]
    cash = c.rep("Bo", plan("Cash", version(10, cash=True)), hired="2025-01-01")
    # Closed before March, paid or cancelled after: no line (a clawback of such a deal is
    # entered as an adjustment).
    c.deal("D-0", "50000", "2026-02-15", (ana, 100), cancelled="2026-03-05", reason="Lost")
    c.deal("D-9", "8000", "2026-02-20", (cash, 100), payments=(("2026-03-12", "8000"),))
    c.adjust(ana, "2026-02", "250", "February contest")  # before the books start
    c.adjust(ana, "2026-03", "-120", "Clawback of D-0, settled outside")
    statements = compute_month(c.build(), month("2026-03"))
    assert amounts(of(statements, ana)) == ["-120.00"]
    assert amounts(of(statements, cash)) == []


def test_without_an_opening_balance_a_rep_starts_at_zero_from_the_books_start() -> None:
    c = _quarterly()
    ana = c.reps[0]
    c.deal("D-1", "30000", "2026-03-10", (ana, 100))
    s = of(compute_month(c.build(), month("2026-03")), ana)
    assert amounts(s) == ["1500.00"]  # $30,000 at 5%: X starts at 0 in March
    assert (s.balance_before, s.ytd_earnings, s.opening) == (money("0.00"), money("1500.00"), None)
    assert s.lines_of(LineKind.BONUS) == ()
