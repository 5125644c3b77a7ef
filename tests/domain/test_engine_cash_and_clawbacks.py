"""COMP_RULES "Payout trigger" (cash) and "Cancellations and clawbacks"."""

from __future__ import annotations

import pytest

from icmdesk.domain.engine import compute_month, compute_range
from icmdesk.domain.entities import ClawbackMethod, ClawbackPolicy, Spif, TierMode
from icmdesk.domain.statement import LineKind
from tests.domain.builders import (
    CompanyBuilder,
    amounts,
    day,
    money,
    month,
    of,
    plan,
    tiers,
    version,
)


def test_cash_trigger_earns_the_commission_as_payments_arrive() -> None:
    # $10,000 at 10% books $1,000.00. Payments: $2,500 before the close (counts in March),
    # $3,333.33 in April, $4,166.67 in May. Earned parts: round(1000 × P / 10000):
    # 250.00, 583.33 (583.333), 1000.00 → lines 250.00, 333.33, 416.67.
    c = CompanyBuilder()
    ann = c.rep("Ann", plan("Cash", version(10, cash=True)))
    c.deal(
        "D-1",
        "10000",
        "2026-03-10",
        (ann, 100),
        payments=(("2026-03-05", "2500"), ("2026-04-15", "3333.33"), ("2026-05-20", "4166.67")),
    )
    months = compute_range(c.build(), month("2026-03"), month("2026-05"))
    rows = []
    for m, statements in months.items():
        s = of(statements, ann)
        rows.append(
            (str(m), amounts(s), [(str(a.earned_to_date), str(a.awaiting)) for a in s.awaiting])
        )
    assert rows == [
        ("2026-03", ["250.00"], [("250.00", "750.00")]),
        ("2026-04", ["333.33"], [("583.33", "416.67")]),
        ("2026-05", ["416.67"], []),
    ]
    march = of(months[month("2026-03")], ann)
    assert march.lines[0].earned_on == day("2026-03-10")  # the early payment counts at close
    assert "Booked, awaiting payment" in march.awaiting[0].description


def test_payments_after_cancellation_earn_nothing_and_the_unpaid_part_is_never_paid() -> None:
    c = CompanyBuilder()
    ann = c.rep("Ann", plan("Cash", version(10, cash=True, clawback=(30, ClawbackMethod.FULL))))
    c.deal(
        "D-1",
        "10000",
        "2026-03-10",
        (ann, 100),
        payments=(("2026-03-20", "5000"), ("2026-05-20", "5000")),
        cancelled="2026-04-20",  # 41 days: outside the 30-day window, no clawback
    )
    months = compute_range(c.build(), month("2026-03"), month("2026-05"))
    assert [amounts(of(s, ann)) for s in months.values()] == [["500.00"], [], []]
    assert [len(of(s, ann).awaiting) for s in months.values()] == [1, 0, 0]


def test_cash_spif_and_override_follow_payments_each_rounded_on_its_own() -> None:
    # $1,000 deal, 10% → 100.00; SPIF 100.00; manager 3% override → 30.00.
    # After $333.33: round(100 × 0.33333) = 33.33, SPIF 33.33, override round(9.9999) = 10.00.
    spif = Spif("Push", money(100), day("2026-01-01"), day("2026-12-31"))
    c = CompanyBuilder()
    manager = c.rep("Max", plan("Manager", version(5, override=3)))
    ann = c.rep("Ann", plan("Cash", version(10, cash=True, spifs=(spif,))), manager=manager)
    c.deal("D-1", "1000", "2026-03-10", (ann, 100), payments=(("2026-03-12", "333.33"),))
    statements = compute_month(c.build(), month("2026-03"))
    assert [(line.kind.value, str(line.amount)) for line in of(statements, ann).lines] == [
        ("commission", "33.33"),
        ("spif", "33.33"),
    ]
    assert amounts(of(statements, manager)) == ["10.00"]
    assert str(of(statements, ann).awaiting[0].awaiting) == "133.34"
    assert str(of(statements, manager).awaiting[0].awaiting) == "20.00"


def _clawback_case(policy, *, closed: str, cancelled: str, amount: str = "2250"):
    c = CompanyBuilder()
    ann = c.rep("Ann", plan("AE", version(10, clawback=policy)))
    c.deal("D-9", amount, closed, (ann, 100), cancelled=cancelled, reason="Customer churned")
    return c, ann


@pytest.mark.parametrize(
    ("case", "policy", "closed", "cancelled", "expected"),
    [
        # $225.00 earned; 120-day prorated window, cancelled 77 days after close:
        # 225 × (120 − 77) / 120 = 80.625 → 80.63.
        (
            "published: prorated, 43 of 120 days left",
            (120, ClawbackMethod.PRORATED),
            "2026-01-01",
            "2026-03-19",
            ["-80.63"],
        ),
        (
            "full clawback inside the window",
            (90, ClawbackMethod.FULL),
            "2026-01-01",
            "2026-03-19",
            ["-225.00"],
        ),
        (
            "cancelled on the last day of the window (c = 90): clawed back",
            (90, ClawbackMethod.FULL),
            "2026-01-01",
            "2026-04-01",
            ["-225.00"],
        ),
        (
            "one day past the window (c = 91): nothing",
            (90, ClawbackMethod.FULL),
            "2026-01-01",
            "2026-04-02",
            [],
        ),
        (
            "prorated on the close date: factor 1",
            (120, ClawbackMethod.PRORATED),
            "2026-03-01",
            "2026-03-01",
            ["-225.00"],
        ),
    ],
)
def test_clawback_window_and_factor(case, policy, closed, cancelled, expected) -> None:
    c, ann = _clawback_case(policy, closed=closed, cancelled=cancelled)
    s = of(compute_month(c.build(), month(cancelled[:7])), ann)
    assert amounts(s, LineKind.CLAWBACK) == expected, case


def test_clawback_notice_says_how_it_is_recovered() -> None:
    c, ann = _clawback_case(
        (120, ClawbackMethod.PRORATED), closed="2026-01-01", cancelled="2026-03-19"
    )
    s = of(compute_month(c.build(), month("2026-03")), ann)
    (notice,) = s.notices
    assert (notice.deal_id, notice.reason, notice.method, notice.days_after_close) == (
        "D-9",
        "Customer churned",
        "prorated",
        77,
    )
    assert notice.factor_text == "(120 − 77) / 120 = 43/120"
    assert (str(notice.originally_earned), str(notice.clawed_back)) == ("225.00", "80.63")
    # E = −80.63 with no draw: paid 0, owes 80.63.
    assert (str(notice.period_earnings), str(notice.payout)) == ("-80.63", "0.00")
    assert (str(notice.balance_before), str(notice.balance_after)) == ("0.00", "80.63")
    line = s.lines_of(LineKind.CLAWBACK)[0]
    assert "Customer churned" in line.description and "43/120" in line.description


def test_policy_defaults_to_the_company_when_the_version_has_none() -> None:
    c = CompanyBuilder(clawback_policy=ClawbackPolicy(30, ClawbackMethod.FULL))
    ann = c.rep("Ann", plan("AE", version(10)))
    c.deal("D-1", "1000", "2026-03-01", (ann, 100), cancelled="2026-03-31")  # c = 30
    c.deal("D-2", "1000", "2026-03-01", (ann, 100), cancelled="2026-04-01")  # c = 31
    data = c.build()
    assert amounts(of(compute_month(data, month("2026-03")), ann), LineKind.CLAWBACK) == ["-100.00"]
    assert amounts(of(compute_month(data, month("2026-04")), ann), LineKind.CLAWBACK) == []


def test_one_clawback_line_per_recipient_per_credit_including_true_up_spif_and_override() -> None:
    # Retroactive 5%/10% at 0/100% of $100,000. D-1 $60,000 → 3,000. D-2 $50,000 (an upsell)
    # → deal 5,000 + true-up 3,000 + upsell SPIF 200. D-2 cancelled: Ann loses 8,200, her
    # manager his 1% override of 500. Attainment keeps the booking: D-3 is still rated at
    # 10%, and no earlier line changes.
    spif = Spif(
        "Upsell push", money(200), day("2026-01-01"), day("2026-12-31"), deal_types=("upsell",)
    )
    c = CompanyBuilder()
    manager = c.rep("Max", plan("Manager", version(5, override=1)))
    v = version(
        table=tiers((0, 5), (100, 10)), quota=100000, mode=TierMode.RETROACTIVE, spifs=(spif,)
    )
    ann = c.rep("Ann", plan("Retro", v), manager=manager)
    c.deal("D-1", "60000", "2026-03-05", (ann, 100))
    c.deal(
        "D-2",
        "50000",
        "2026-03-10",
        (ann, 100),
        deal_type="upsell",
        cancelled="2026-03-25",
        reason="Lost",
    )
    c.deal("D-3", "10000", "2026-03-28", (ann, 100))
    statements = compute_month(c.build(), month("2026-03"))
    s = of(statements, ann)
    assert [(line.kind.value, line.deal_id, str(line.amount)) for line in s.lines] == [
        ("commission", "D-1", "3000.00"),
        ("commission", "D-2", "5000.00"),
        ("true_up", "D-2", "3000.00"),
        ("spif", "D-2", "200.00"),
        ("clawback", "D-2", "-8200.00"),
        ("commission", "D-3", "1000.00"),
    ]
    assert str(s.credited_to_date) == "120000.00"
    m = of(statements, manager)
    assert [(line.kind.value, line.deal_id, str(line.amount)) for line in m.lines] == [
        ("override", "D-1", "600.00"),
        ("override", "D-2", "500.00"),
        ("clawback", "D-2", "-500.00"),
        ("override", "D-3", "100.00"),
    ]
    assert [n.deal_id for n in m.notices] == ["D-2"]


def test_cash_clawback_takes_back_only_what_was_paid_by_the_cancellation() -> None:
    c = CompanyBuilder()
    ann = c.rep("Ann", plan("Cash", version(10, cash=True)))
    c.deal(
        "D-1",
        "10000",
        "2026-03-10",
        (ann, 100),
        payments=(("2026-03-15", "4000"), ("2026-04-25", "6000")),
        cancelled="2026-04-20",
        reason="Bankrupt",
    )
    months = compute_range(c.build(), month("2026-03"), month("2026-04"))
    assert amounts(of(months[month("2026-03")], ann)) == ["400.00"]
    assert amounts(of(months[month("2026-04")], ann)) == ["-400.00"]
