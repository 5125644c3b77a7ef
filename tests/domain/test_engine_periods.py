"""COMP_RULES "Periods, close and corrections": closed snapshots and prior-period adjustments."""

from __future__ import annotations

from dataclasses import replace

from icmdesk.domain.engine import compute_month, compute_range
from icmdesk.domain.statement import LineKind
from icmdesk.domain.statement_codec import snapshot_of
from tests.domain.builders import CompanyBuilder, closed, draw, money, month, of, plan, version


def _company():
    c = CompanyBuilder()
    ann = c.rep("Ann", plan("Flat", version(10)), hired="2026-01-01", the_draw=draw(1500))
    bob = c.rep("Bob", plan("Flat", version(10)), hired="2026-01-01")
    c.deal("D-1", "10000", "2026-01-10", (ann, 100))
    c.deal("D-2", "20000", "2026-02-10", (ann, 100))
    c.deal("B-1", "5000", "2026-02-11", (bob, 100))
    return c, ann, bob


def _close(data, *months: str):
    """Close `months` in order, each snapshot taken from the compute just before its close."""
    snapshots = list(data.snapshots)
    done = [str(p.month) for p in data.periods]
    for m in months:
        current = closed(data, done, snapshots)
        snapshots += [snapshot_of(s) for s in compute_month(current, month(m))]
        done.append(m)
    return closed(data, done, snapshots)


def _edit_deal(data, external_id: str, **changes):
    deals = tuple(replace(d, **changes) if d.external_id == external_id else d for d in data.deals)
    return replace(data, deals=deals)


def test_closed_months_return_the_stored_statements_unchanged() -> None:
    c, _, _ = _company()
    data = c.build()
    before = compute_range(data, month("2026-01"), month("2026-02"))
    data = _close(data, "2026-01", "2026-02")
    data = _edit_deal(data, "D-2", amount=money(25000))
    after = compute_range(data, month("2026-01"), month("2026-02"))
    for m in (month("2026-01"), month("2026-02")):
        for old, new in zip(before[m], after[m], strict=True):
            assert new.closed and new.content_hash
            assert replace(new, closed=False, content_hash=None) == old


def test_a_change_in_a_closed_month_becomes_a_prior_period_adjustment_in_the_first_open_month():
    c, ann, bob = _company()
    data = _close(c.build(), "2026-01", "2026-02")
    # Edit D-2 ($20,000 → $25,000) and add a January deal: Feb recomputes to 2,500 vs 2,000,
    # Jan to 1,100 vs 1,000. Both land in March, each naming its month and its cause.
    data = _edit_deal(data, "D-2", amount=money(25000))
    c.deals = list(data.deals)
    c.deal("D-0", "1000", "2026-01-31", (ann, 100))
    data = replace(data, deals=tuple(c.deals))
    march = compute_month(data, month("2026-03"))
    s = of(march, ann)
    assert [(line.kind, str(line.ref_month), str(line.amount)) for line in s.lines] == [
        (LineKind.PRIOR_PERIOD, "2026-01", "100.00"),
        (LineKind.PRIOR_PERIOD, "2026-02", "500.00"),
    ]
    assert s.lines[1].description == (
        "Prior-period adjustment for 2026-02: recomputed earnings $2,500.00 vs $2,000.00 on "
        "the closed statement · changed: deal D-2 commission +$500.00"
    )
    assert "deal D-0 commission +$100.00" in s.lines[0].description
    # The adjustment flows through E and the draw table like any other line.
    assert str(s.earnings) == "600.00"
    assert of(march, bob).lines == ()
    # April is not the first open month: no adjustment there.
    april = of(compute_month(data, month("2026-04")), ann)
    assert april.lines == ()


def test_adjustments_already_posted_in_a_later_closed_month_are_not_posted_again() -> None:
    c, ann, _ = _company()
    data = _close(c.build(), "2026-01", "2026-02")
    data = _edit_deal(data, "D-2", amount=money(25000))
    data = _close(data, "2026-03")  # March's snapshot carries the +500 for February
    assert of(compute_month(data, month("2026-04")), ann).lines == ()
    # A second edit: February now earns 3,000; 2,000 stored and 500 already adjusted.
    data = _edit_deal(data, "D-2", amount=money(30000))
    (line,) = of(compute_month(data, month("2026-04")), ann).lines
    assert (str(line.ref_month), str(line.amount)) == ("2026-02", "500.00")
    assert "less $500.00 already adjusted" in line.description


def test_balances_and_ytd_carry_from_the_last_closed_snapshot() -> None:
    c, ann, _ = _company()
    data = _close(c.build(), "2026-01")
    jan = of(compute_month(data, month("2026-01")), ann)
    assert (str(jan.balance_after), str(jan.ytd_earnings)) == ("500.00", "1000.00")
    feb = of(compute_month(data, month("2026-02")), ann)
    # E 2,000 ≥ D 1,500: R = min(500, 500) → paid 1,500, balance 0; YTD 3,000.
    assert (str(feb.balance_before), str(feb.recovery), str(feb.payout)) == (
        "500.00",
        "500.00",
        "1500.00",
    )
    assert str(feb.ytd_earnings) == "3000.00"


def test_data_before_the_first_closed_month_is_a_prior_period_adjustment() -> None:
    c, ann, _ = _company()
    data = c.build()
    # The company starts closing in March: its March statement had no Jan/Feb deals in it.
    data = _close(replace(data, deals=()), "2026-03")
    data = replace(data, deals=tuple(c.deals))
    s = of(compute_month(data, month("2026-04")), ann)
    assert [(str(line.ref_month), str(line.amount)) for line in s.lines] == [
        ("2026-01", "1000.00"),
        ("2026-02", "2000.00"),
    ]
    assert "no statement was closed for that month" in s.lines[0].description


def test_computing_an_open_month_twice_gives_identical_statements() -> None:
    c, _, _ = _company()
    data = _edit_deal(_close(c.build(), "2026-01"), "D-1", amount=money(12000))
    assert compute_month(data, month("2026-03")) == compute_month(data, month("2026-03"))
