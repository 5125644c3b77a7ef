"""COMP_RULES "Attainment and the rate table" and "Per-deal lines", worked by hand."""

from __future__ import annotations

import pytest

from icmdesk.domain.calendar import QuotaPeriod
from icmdesk.domain.engine import compute_month
from icmdesk.domain.entities import TierMode
from icmdesk.domain.statement import LineKind
from tests.domain.builders import (
    CompanyBuilder,
    amounts,
    money,
    month,
    of,
    plan,
    tiers,
    version,
)

MARGINAL_375K = tiers((0, 6), (100, 8), (125, 10), (150, 12))
MARGINAL_100K = tiers((0, 5), (50, 10), (100, 15), (150, 20))


@pytest.mark.parametrize(
    ("case", "table", "quota", "deals", "expected_lines", "expected_e"),
    [
        (
            "published: 6/8/10/12% at 0/100/125/150% of $375,000, $500,000 in one deal",
            MARGINAL_375K,
            375000,
            ["500000"],
            ["33125.00"],
            "33125.00",
        ),
        (
            "published: the same $500,000 as four deals of $125,000; the fourth crosses two tiers",
            MARGINAL_375K,
            375000,
            ["125000"] * 4,
            # 6% × 125k three times; then 8% × 93,750 + 10% × 31,250 = 7,500 + 3,125
            ["7500.00", "7500.00", "7500.00", "10625.00"],
            "33125.00",
        ),
        (
            "published: 5/10/15/20% at 0/50/100/150% of $100,000 on $140,000",
            MARGINAL_100K,
            100000,
            ["140000"],
            # 5% × 50k + 10% × 50k + 15% × 40k
            ["13500.00"],
            "13500.00",
        ),
        (
            "an accelerator takes effect exactly where the threshold is crossed",
            MARGINAL_100K,
            100000,
            ["40000", "20000", "40000", "60000"],
            # 5%×40k; 5%×10k+10%×10k; 10%×40k; 15%×50k+20%×10k
            ["2000.00", "1500.00", "4000.00", "9500.00"],
            "17000.00",
        ),
    ],
)
def test_marginal_tiers(case, table, quota, deals, expected_lines, expected_e) -> None:
    c = CompanyBuilder()
    ann = c.rep("Ann Lee", plan("AE", version(table=table, quota=quota)))
    for i, amount in enumerate(deals):
        c.deal(f"D-{i + 1:02d}", amount, f"2026-03-{i + 10}", (ann, 100))
    s = of(compute_month(c.build(), month("2026-03")), ann)
    assert amounts(s) == expected_lines, case
    assert str(s.earnings) == expected_e


def test_per_deal_lines_are_differences_of_rounded_cumulative_commission() -> None:
    # 5% of $10.10 is $0.505 each; rounding each deal would pay $1.53 in all, but the
    # lines are round(C(X_after)) − round(C(X_before)): 0.51, 1.01−0.51, 1.52−1.01.
    c = CompanyBuilder()
    ann = c.rep("Ann Lee", plan("Flat", version(5)))
    for i in range(3):
        c.deal(f"D-{i}", "10.10", "2026-03-02", (ann, 100))
    s = of(compute_month(c.build(), month("2026-03")), ann)
    assert amounts(s) == ["0.51", "0.50", "0.51"]
    assert str(s.earnings) == "1.52"


RETRO = tiers((0, 5), (100, 10))


@pytest.mark.parametrize(
    ("case", "cap", "expected"),
    [
        (
            # D-2 takes X from $60,000 to $110,000: C = 10% × 110k = 11,000, was 3,000.
            # True-up = round(10% × 60,000) − 3,000 = 3,000; the deal line is the rest, 5,000
            # (= $50,000 at 10%).
            "no cap: the crossing deal at its tier rate plus a true-up line",
            None,
            [("commission", "3000.00"), ("commission", "5000.00"), ("true_up", "3000.00")],
        ),
        (
            # Cap $10,000: commission_2 = 10,000 − 3,000 = 7,000. True-up =
            # round(min(6,000, 10,000)) − 3,000 = 3,000; the deal line takes the cut: 4,000.
            "under a cap the deal line takes the cut",
            10000,
            [("commission", "3000.00"), ("commission", "4000.00"), ("true_up", "3000.00")],
        ),
    ],
)
def test_retroactive_true_up(case, cap, expected) -> None:
    c = CompanyBuilder()
    v = version(table=RETRO, quota=100000, mode=TierMode.RETROACTIVE, cap=cap)
    ann = c.rep("Ann Lee", plan("Retro", v))
    c.deal("D-1", "60000", "2026-03-05", (ann, 100))
    c.deal("D-2", "50000", "2026-03-20", (ann, 100))
    s = of(compute_month(c.build(), month("2026-03")), ann)
    assert [(line.kind.value, str(line.amount)) for line in s.lines] == expected, case
    true_up = s.lines_of(LineKind.TRUE_UP)[0]
    assert true_up.deal_id == "D-2"
    assert "Retroactive tier true-up" in true_up.description


def test_retroactive_zero_true_up_is_not_shown() -> None:
    # The first deal crosses straight into tier 2: X_before is 0, so the true-up is 0.
    c = CompanyBuilder()
    ann = c.rep("Ann", plan("Retro", version(table=RETRO, quota=100000, mode=TierMode.RETROACTIVE)))
    c.deal("D-1", "150000", "2026-03-05", (ann, 100))
    s = of(compute_month(c.build(), month("2026-03")), ann)
    assert amounts(s) == ["15000.00"]


def test_cap_limits_commission_per_quota_period() -> None:
    # Flat 10%, cap $5,000 a month: 3,000; then 2,000 (5,000 − 3,000); then 0. April starts over.
    c = CompanyBuilder()
    ann = c.rep("Ann", plan("Capped", version(10, cap=5000)))
    c.deal("D-1", "30000", "2026-03-02", (ann, 100))
    c.deal("D-2", "30000", "2026-03-03", (ann, 100))
    c.deal("D-3", "10000", "2026-03-04", (ann, 100))
    c.deal("D-4", "10000", "2026-04-04", (ann, 100))
    data = c.build()
    march = of(compute_month(data, month("2026-03")), ann)
    assert amounts(march) == ["3000.00", "2000.00", "0.00"]
    assert "capped at $5,000.00" in march.lines[2].description
    assert amounts(of(compute_month(data, month("2026-04")), ann)) == ["1000.00"]


def test_same_day_deals_are_ordered_by_external_id_as_text() -> None:
    # "D-10" sorts before "D-9" as text, so D-10 fills tier 1 and D-9 earns tier 2.
    c = CompanyBuilder()
    ann = c.rep("Ann", plan("AE", version(table=RETRO, quota=100000)))
    c.deal("D-9", "100000", "2026-03-05", (ann, 100))
    c.deal("D-10", "100000", "2026-03-05", (ann, 100))
    s = of(compute_month(c.build(), month("2026-03")), ann)
    assert [(line.deal_id, str(line.amount)) for line in s.lines] == [
        ("D-10", "5000.00"),
        ("D-9", "10000.00"),
    ]


def test_quarterly_quota_aligned_to_fiscal_year_and_paid_monthly() -> None:
    # Fiscal year from April: Q1 is April–June. Quota $30,000 a quarter, 5% then 10% from 100%.
    c = CompanyBuilder(fiscal_year_start=4)
    v = version(table=RETRO, quota=30000, period=QuotaPeriod.QUARTER)
    ann = c.rep("Ann", plan("Quarterly", v))
    c.deal("D-1", "20000", "2026-04-15", (ann, 100))
    c.deal("D-2", "20000", "2026-05-10", (ann, 100))  # 5% × 10k + 10% × 10k
    c.deal("D-3", "20000", "2026-07-01", (ann, 100))  # new quarter: back to 5%
    data = c.build()
    cases = [
        ("2026-04", ["1000.00"], "20000.00", "66.67"),
        ("2026-05", ["1500.00"], "40000.00", "133.33"),
        ("2026-06", [], "40000.00", "133.33"),
        ("2026-07", ["1000.00"], "20000.00", "66.67"),
    ]
    for m, lines, credited, attainment in cases:
        s = of(compute_month(data, month(m)), ann)
        assert amounts(s) == lines, m
        assert str(s.credited_to_date) == credited, m
        assert str(s.attainment_pct) == attainment, m
    assert of(compute_month(data, month("2026-05")), ann).quota_period_label == (
        "FY2027 Q1 (Apr–Jun 2026)"
    )


def test_yearly_quota_period() -> None:
    c = CompanyBuilder()
    ann = c.rep("Ann", plan("Yearly", version(table=RETRO, quota=100000, period=QuotaPeriod.YEAR)))
    c.deal("D-1", "80000", "2026-02-01", (ann, 100))  # 4,000
    c.deal("D-2", "40000", "2026-11-01", (ann, 100))  # 5% × 20k + 10% × 20k = 3,000
    c.deal("D-3", "10000", "2027-01-05", (ann, 100))  # a new year: 5%
    data = c.build()
    assert amounts(of(compute_month(data, month("2026-11")), ann)) == ["3000.00"]
    assert amounts(of(compute_month(data, month("2027-01")), ann)) == ["500.00"]


def test_x_carries_across_plan_versions_each_deal_rated_by_its_own_version() -> None:
    # v1 (5%/10% at 0/100% of $100,000 a quarter) until Feb 1; v2 pays 6%/12%.
    # D-1 in January: 5% × 80k = 4,000 (v1).
    # D-2 in February: X goes 80k → 120k under v2: C2(120k) − C2(80k) = 8,400 − 4,800 = 3,600
    # (6% × 20k + 12% × 20k); without carrying X it would have been 6% × 40k = 2,400.
    v1 = version(table=RETRO, quota=100000, period=QuotaPeriod.QUARTER)
    v2 = version(
        table=tiers((0, 6), (100, 12)),
        quota=100000,
        period=QuotaPeriod.QUARTER,
        effective_from="2026-02-01",
    )
    c = CompanyBuilder()
    ann = c.rep("Ann", plan("AE", v1, v2))
    c.deal("D-1", "80000", "2026-01-10", (ann, 100))
    c.deal("D-2", "40000", "2026-02-10", (ann, 100))
    data = c.build()
    assert amounts(of(compute_month(data, month("2026-01")), ann)) == ["4000.00"]
    feb = of(compute_month(data, month("2026-02")), ann)
    assert amounts(feb) == ["3600.00"]
    assert feb.plan_version == "v2 from 2026-02-01"
    assert str(feb.credited_to_date) == "120000.00"


def test_assignment_quota_override_sets_the_tier_boundaries() -> None:
    # Quota overridden to $200,000: $150,000 stays in tier 1 at 5%.
    c = CompanyBuilder()
    ann = c.rep("Ann", plan("AE", version(table=RETRO, quota=100000)), quota=200000)
    c.deal("D-1", "150000", "2026-03-05", (ann, 100))
    s = of(compute_month(c.build(), month("2026-03")), ann)
    assert amounts(s) == ["7500.00"]
    assert s.quota == money(200000)
    assert str(s.attainment_pct) == "75.00"


def test_flat_rate_needs_no_quota() -> None:
    c = CompanyBuilder()
    ann = c.rep("Ann", plan("Flat", version(10)))
    c.deal("D-1", "12345.67", "2026-03-05", (ann, 100))
    s = of(compute_month(c.build(), month("2026-03")), ann)
    assert amounts(s) == ["1234.57"]
    assert s.quota is None and s.attainment_pct is None
    assert s.lines[0].rule == "at 10%"
