"""The readings docs/comp-rules-notes.md records, and the description formatter."""

from __future__ import annotations

from dataclasses import replace

import pytest

from icmdesk.domain.engine import compute_month, first_statement_month, last_data_month
from icmdesk.domain.engine.fmt import fmt_money, fmt_pct
from icmdesk.domain.errors import ValidationError
from icmdesk.domain.statement import LineKind
from icmdesk.domain.statement_codec import snapshot_of
from tests.domain.builders import (
    CompanyBuilder,
    amounts,
    closed,
    draw,
    money,
    month,
    of,
    plan,
    version,
)


@pytest.mark.parametrize(
    ("amount", "currency", "text"),
    [
        ("1234.56", "USD", "$1,234.56"),
        ("-500", "USD", "-$500.00"),
        ("0", "USD", "$0.00"),
        ("1000000.5", "EUR", "€1,000,000.50"),
        ("12", "GBP", "£12.00"),
        ("12", "CHF", "CHF 12.00"),
        ("-12", "CHF", "-CHF 12.00"),
    ],
)
def test_money_in_descriptions(amount, currency, text) -> None:
    assert fmt_money(money(amount), currency) == text


@pytest.mark.parametrize(("value", "text"), [("60", "60%"), ("7.50", "7.5%"), ("100", "100%")])
def test_percent_in_descriptions(value, text) -> None:
    assert fmt_pct(money(value)) == text


def test_a_payment_on_the_cancellation_date_still_earns_and_is_clawed_back() -> None:
    c = CompanyBuilder()
    ann = c.rep("Ann", plan("Cash", version(10, cash=True)))
    c.deal(
        "D-1",
        "1000",
        "2026-03-01",
        (ann, 100),
        payments=(("2026-03-20", "1000"),),
        cancelled="2026-03-20",
    )
    s = of(compute_month(c.build(), month("2026-03")), ann)
    assert amounts(s) == ["100.00", "-100.00"]


def test_nothing_paid_means_no_clawback_line_and_no_notice() -> None:
    c = CompanyBuilder()
    ann = c.rep("Ann", plan("Cash", version(10, cash=True)))
    c.deal("D-1", "1000", "2026-03-01", (ann, 100), cancelled="2026-03-20")
    s = of(compute_month(c.build(), month("2026-03")), ann)
    assert s.lines == () and s.notices == () and s.awaiting == ()


def test_overlay_credit_reads_as_an_overlay() -> None:
    c = CompanyBuilder()
    flat = plan("Flat", version(10))
    ann, bob = c.rep("Ann", flat), c.rep("Bob", flat)
    c.deal("D-1", "1000", "2026-03-01", (ann, 100), (bob, 50), customer="Beta LLC")
    line = of(compute_month(c.build(), month("2026-03")), bob).lines[0]
    assert line.description == "Deal D-1 · Beta LLC · $1,000.00 × 50% overlay · at 10%"


def test_two_draws_over_the_same_month_are_refused() -> None:
    c = CompanyBuilder()
    flat = plan("Flat", version(10))
    ann = c.rep("Ann Lee", flat, the_draw=draw(1000, start="2026-01"))
    c.assign(ann, flat, start="2026-02-01", the_draw=draw(500, start="2026-03"))
    with pytest.raises(ValidationError) as info:
        compute_month(c.build(), month("2026-03"))
    assert any("Ann Lee" in p.message and "two draws" in p.message for p in info.value.problems)


def test_a_closed_month_is_read_back_even_when_todays_data_is_refused() -> None:
    c = CompanyBuilder()
    ann = c.rep("Ann", plan("Flat", version(10)))
    c.deal("D-1", "1000", "2026-01-05", (ann, 100))
    data = c.build()
    snaps = [snapshot_of(s) for s in compute_month(data, month("2026-01"))]
    data = closed(data, ["2026-01"], snaps)
    bad = replace(data.deals[0], external_id="D-2", cancellation_date=month("2025-12").first_day)
    data = replace(data, deals=(*data.deals, bad))
    assert amounts(of(compute_month(data, month("2026-01")), ann)) == ["100.00"]
    with pytest.raises(ValidationError):
        compute_month(data, month("2026-02"))
    # Months before the first close are closed with no statements.
    assert compute_month(data, month("2025-11")) == ()


def test_the_header_follows_the_assignment_in_force_at_month_end() -> None:
    c = CompanyBuilder()
    ann = c.rep("Ann", plan("Old", version(10)), assigned_to="2026-03-14")
    c.assign(ann, plan("New", version(12)), start="2026-03-15")
    assert of(compute_month(c.build(), month("2026-03")), ann).plan_name == "New"


def test_first_and_last_data_months() -> None:
    c = CompanyBuilder()
    ann = c.rep("Ann", plan("Cash", version(10, cash=True)), hired="2026-02-10")
    c.deal("D-1", "1000", "2026-03-01", (ann, 100), payments=(("2026-06-02", "10"),))
    c.adjust(ann, "2026-05", "1", "x")
    data = c.build()
    assert (first_statement_month(data), last_data_month(data)) == (
        month("2026-02"),
        month("2026-06"),
    )


def test_override_clawback_names_the_report() -> None:
    c = CompanyBuilder()
    manager = c.rep("Max", plan("Manager", version(0, override=3)))
    ann = c.rep("Ann", plan("AE", version(10)), manager=manager)
    c.deal("D-1", "1000", "2026-03-01", (ann, 100), cancelled="2026-03-02", reason="Void")
    s = of(compute_month(c.build(), month("2026-03")), manager)
    assert [(line.kind, str(line.amount), line.source_rep) for line in s.lines] == [
        (LineKind.OVERRIDE, "30.00", "Ann"),
        (LineKind.CLAWBACK, "-30.00", "Ann"),
    ]


def test_after_termination_the_header_never_shows_a_version_that_starts_later() -> None:
    # Ann left on 15 April; her plan got a new version from 1 June. A cash payment in July
    # puts a line on a July statement: it is headed by the version she was paid under.
    c = CompanyBuilder()
    v1 = version(5, effective_from="2026-01-01", cash=True)
    v2 = version(8, effective_from="2026-06-01", cash=True)
    ann = c.rep("Ann", plan("AE", v1, v2), hired="2026-01-01", terminated="2026-04-15")
    c.deal("D-1", "10000", "2026-03-10", (ann, 100), payments=(("2026-07-05", "10000"),))
    data = c.build()
    for m in ("2026-04", "2026-07"):
        s = of(compute_month(data, month(m)), ann)
        assert (s.plan_name, s.plan_version) == ("AE", "v1 from 2026-01-01"), m
    assert amounts(of(compute_month(data, month("2026-07")), ann)) == ["500.00"]
