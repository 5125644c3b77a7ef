"""COMP_RULES "Net earnings, draws and the balance": E, D, B, R, payout, termination, YTD."""

from __future__ import annotations

from dataclasses import replace

import pytest

from icmdesk.domain.engine import compute_month, compute_range
from icmdesk.domain.entities import DrawKind
from icmdesk.domain.statement import LineKind
from tests.domain.builders import CompanyBuilder, amounts, draw, month, of, plan, version


def _table(statements_by_month, rep) -> list[tuple[str, str, str, str, str, str, str]]:
    """(month, E, D, B, R, payout, B after) for the rep, month by month."""
    rows = []
    for m, statements in statements_by_month.items():
        found = [s for s in statements if s.rep_id == rep.id]
        if not found:
            continue
        s = found[0]
        rows.append(
            (
                str(m),
                str(s.earnings),
                str(s.draw),
                str(s.balance_before),
                str(s.recovery),
                str(s.payout),
                str(s.balance_after),
            )
        )
    return rows


@pytest.mark.parametrize(
    ("case", "kind", "expected"),
    [
        (
            "published: recoverable $1,500 draw, $500 then $3,000 earned",
            DrawKind.RECOVERABLE,
            [
                ("2026-01", "500.00", "1500.00", "0.00", "0.00", "1500.00", "1000.00"),
                ("2026-02", "3000.00", "1500.00", "1000.00", "1000.00", "2000.00", "0.00"),
            ],
        ),
        (
            "published: non-recoverable $1,500 draw, $500 then $3,000 earned",
            DrawKind.NON_RECOVERABLE,
            [
                ("2026-01", "500.00", "1500.00", "0.00", "0.00", "1500.00", "0.00"),
                ("2026-02", "3000.00", "1500.00", "0.00", "0.00", "3000.00", "0.00"),
            ],
        ),
    ],
)
def test_draw_published_examples(case, kind, expected) -> None:
    c = CompanyBuilder()
    ann = c.rep("Ann", plan("Flat", version(10)), the_draw=draw(1500, kind, start="2026-01"))
    c.deal("D-1", "5000", "2026-01-10", (ann, 100))
    c.deal("D-2", "30000", "2026-02-10", (ann, 100))
    data = c.build()
    assert _table(compute_range(data, month("2026-01"), month("2026-02")), ann) == expected, case
    # compute_month carries the balance through the earlier open month the same way.
    assert _table({month("2026-02"): compute_month(data, month("2026-02"))}, ann) == expected[1:]


def test_max_recovery_percentage_limits_what_repays_the_balance() -> None:
    # Jan: E 0 → paid the $1,500 draw, owes 1,500. Feb: E 3,000: R = min(1,500,
    # round((3,000 − 1,500) × 50%)) = 750 → paid 2,250, owes 750.
    c = CompanyBuilder()
    d = draw(1500, start="2026-01", max_recovery=50)
    ann = c.rep("Ann", plan("Flat", version(10)), the_draw=d, hired="2026-01-01")
    c.deal("D-2", "30000", "2026-02-10", (ann, 100))
    assert _table(compute_range(c.build(), month("2026-01"), month("2026-02")), ann) == [
        ("2026-01", "0.00", "1500.00", "0.00", "0.00", "1500.00", "1500.00"),
        ("2026-02", "3000.00", "1500.00", "1500.00", "750.00", "2250.00", "750.00"),
    ]


def test_negative_earnings_without_a_draw_become_a_balance_repaid_from_later_earnings() -> None:
    c = CompanyBuilder()
    ann = c.rep("Ann", plan("Flat", version(10)), hired="2026-01-01")
    c.deal("D-1", "2000", "2026-01-10", (ann, 100), cancelled="2026-02-01")
    c.deal("D-2", "5000", "2026-03-10", (ann, 100))
    assert _table(compute_range(c.build(), month("2026-01"), month("2026-03")), ann) == [
        ("2026-01", "200.00", "0.00", "0.00", "0.00", "200.00", "0.00"),
        ("2026-02", "-200.00", "0.00", "0.00", "0.00", "0.00", "200.00"),
        ("2026-03", "500.00", "0.00", "200.00", "200.00", "300.00", "0.00"),
    ]


def test_non_recoverable_draw_with_negative_earnings_owes_only_the_negative_part() -> None:
    c = CompanyBuilder()
    d = draw(1000, DrawKind.NON_RECOVERABLE, start="2026-01")
    ann = c.rep("Ann", plan("Flat", version(10)), the_draw=d, hired="2026-01-01")
    c.deal("D-1", "2000", "2026-01-10", (ann, 100), cancelled="2026-02-01")
    rows = _table(compute_range(c.build(), month("2026-01"), month("2026-02")), ann)
    assert rows[1] == ("2026-02", "-200.00", "1000.00", "0.00", "0.00", "1000.00", "200.00")


def test_draw_paid_only_while_employed_and_statements_after_termination_only_with_lines() -> None:
    # Hired mid-February, terminated mid-April: the draw is paid in full in February and
    # April, not in January or May; a late clawback in June brings a statement back.
    c = CompanyBuilder()
    d = draw(1000, start="2026-01")
    ann = c.rep(
        "Ann",
        plan("Flat", version(10)),
        the_draw=d,
        hired="2026-02-15",
        terminated="2026-04-10",
    )
    c.deal("D-1", "40000", "2026-04-01", (ann, 100), cancelled="2026-06-01")
    months = compute_range(c.build(), month("2026-01"), month("2026-06"))
    assert _table(months, ann) == [
        ("2026-02", "0.00", "1000.00", "0.00", "0.00", "1000.00", "1000.00"),
        ("2026-03", "0.00", "1000.00", "1000.00", "0.00", "1000.00", "2000.00"),
        ("2026-04", "4000.00", "1000.00", "2000.00", "2000.00", "2000.00", "0.00"),
        ("2026-06", "-4000.00", "0.00", "0.00", "0.00", "0.00", "4000.00"),
    ]


@pytest.mark.parametrize(
    ("forgive", "owed", "forgiven", "carried"),
    [(False, "2000.00", "0.00", "2000.00"), (True, "0.00", "2000.00", "0.00")],
)
def test_balance_at_termination_is_owed_or_forgiven(forgive, owed, forgiven, carried) -> None:
    c = CompanyBuilder(forgive_balance_at_termination=forgive)
    d = draw(1000, start="2026-03")
    ann = c.rep(
        "Ann", plan("Flat", version(10)), the_draw=d, hired="2026-03-01", terminated="2026-04-30"
    )
    c.adjust(ann, "2026-05", "-50", "Laptop not returned")
    months = compute_range(c.build(), month("2026-03"), month("2026-05"))
    april = of(months[month("2026-04")], ann)
    assert (str(april.balance_owed_at_termination), str(april.balance_forgiven)) == (owed, forgiven)
    assert str(april.balance_after) == carried
    may = of(months[month("2026-05")], ann)
    assert str(may.balance_before) == carried
    assert str(may.draw) == "0.00"


def test_ytd_is_the_fiscal_year_to_date_sum_of_earnings() -> None:
    c = CompanyBuilder(fiscal_year_start=4)
    ann = c.rep("Ann", plan("Flat", version(10)), hired="2026-02-01")
    c.deal("D-1", "1000", "2026-03-10", (ann, 100))
    c.deal("D-2", "2000", "2026-04-10", (ann, 100))
    c.adjust(ann, "2026-05", "300", "Contest prize")
    months = compute_range(c.build(), month("2026-02"), month("2026-05"))
    assert [str(of(s, ann).ytd_earnings) for s in months.values()] == [
        "0.00",
        "100.00",
        "200.00",  # a new fiscal year starts in April
        "500.00",
    ]
    may = of(months[month("2026-05")], ann)
    assert [(line.kind, str(line.amount)) for line in may.lines] == [
        (LineKind.ADJUSTMENT, "300.00")
    ]
    assert "Contest prize" in may.lines[0].description


def test_a_rep_has_a_statement_every_month_from_the_first_assignment() -> None:
    c = CompanyBuilder()
    ann = c.rep("Ann", plan("Flat", version(10)), hired="2026-01-15")
    data = c.build()
    assert compute_month(data, month("2025-12")) == ()
    s = of(compute_month(data, month("2026-03")), ann)
    assert s.lines == () and str(s.earnings) == "0.00" and s.plan_name == "Flat"


def test_statements_are_sorted_by_rep_name_then_id() -> None:
    c = CompanyBuilder()
    flat = plan("Flat", version(10))
    zed = c.rep("Zed", flat)
    amy2 = c.rep("Amy", flat)
    amy1 = c.rep("Amy", flat)
    got = [s.rep_id for s in compute_month(c.build(), month("2026-03"))]
    assert got == [amy2.id, amy1.id, zed.id]  # amy2 was created first: the lower id


def test_lines_sum_to_e_on_a_busy_statement() -> None:
    c = CompanyBuilder()
    ann = c.rep("Ann", plan("Flat", version("7.5")))
    for i in range(20):
        c.deal(f"D-{i:02d}", f"{1000 + i * 37}.{i:02d}", f"2026-03-{i + 1:02d}", (ann, 100))
    c.adjust(ann, "2026-03", "-12.34", "Correction")
    s = of(compute_month(c.build(), month("2026-03")), ann)
    assert sum(line.amount for line in s.lines) == s.earnings
    assert amounts(s)[-1] == "-12.34"


def test_a_draw_runs_its_months_after_its_assignment_ends_while_employed() -> None:
    # A $1,000.00 draw for January to June on the first assignment, which ends in March;
    # Ann is on another plan from April and leaves on 10 May: paid January to May.
    c = CompanyBuilder()
    d = draw(1000, DrawKind.NON_RECOVERABLE, start="2026-01", end="2026-06")
    ann = c.rep(
        "Ann",
        plan("Ramp", version(10)),
        hired="2026-01-01",
        terminated="2026-05-10",
        assigned_to="2026-03-31",
        the_draw=d,
    )
    c.assign(ann, plan("AE", version(10)), start="2026-04-01")
    months = compute_range(c.build(), month("2026-01"), month("2026-06"))
    assert [row[2] for row in _table(months, ann)] == ["1000.00"] * 5
    # An open-ended draw ends with its assignment.
    c.assignments[0] = replace(c.assignments[0], draw=replace(d, end_month=None))
    months = compute_range(c.build(), month("2026-01"), month("2026-06"))
    assert [row[2] for row in _table(months, ann)] == ["1000.00"] * 3 + ["0.00"] * 2
