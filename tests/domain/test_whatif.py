"""The payout curve and the what-if calculator, in business terms (no Qt)."""

from __future__ import annotations

import itertools
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from icmdesk.domain.entities import Tier, TierMode
from icmdesk.domain.money import D
from icmdesk.domain.whatif import payout_curve, table_problems, what_if

TIERS = (Tier(D(0), D(5)), Tier(D(100), D(8)), Tier(D(150), D(12)))
QUOTA = D(100000)


@pytest.mark.parametrize(
    ("mode", "credited", "commission", "rate"),
    [
        # Marginal: 5% of 100k, then 8% of the next 20k.
        (TierMode.MARGINAL, D(120000), D("6600.00"), D("5.50")),
        (TierMode.MARGINAL, D(50000), D("2500.00"), D("5.00")),
        # Retroactive: all 120k at the 8% tier reached.
        (TierMode.RETROACTIVE, D(120000), D("9600.00"), D("8.00")),
        # Marginal at 200%: 5000 + 8% × 50k + 12% × 50k.
        (TierMode.MARGINAL, D(200000), D("15000.00"), D("7.50")),
        (TierMode.MARGINAL, D("33333.33"), D("1666.67"), D("5.00")),
    ],
)
def test_what_if_pays_what_the_table_says(
    mode: TierMode, credited: Decimal, commission: Decimal, rate: Decimal
) -> None:
    result = what_if(TIERS, credited=credited, quota=QUOTA, mode=mode)
    assert (result.commission, result.effective_rate_pct) == (commission, rate)
    assert result.attainment_pct == (credited * 100 / QUOTA).quantize(D("0.01"))


def test_the_cap_limits_the_commission_and_nothing_credited_has_no_rate() -> None:
    capped = what_if(TIERS, credited=D(200000), quota=QUOTA, mode=TierMode.MARGINAL, cap=D(9000))
    assert (capped.commission, capped.effective_rate_pct) == (D("9000.00"), D("4.50"))
    zero = what_if(TIERS, credited=D(0), quota=QUOTA, mode=TierMode.MARGINAL)
    assert (zero.commission, zero.effective_rate_pct, zero.attainment_pct) == (D(0), None, D(0))
    flat = what_if((Tier(D(0), D(7)),), credited=D(1000), quota=None, mode=TierMode.MARGINAL)
    assert (flat.commission, flat.attainment_pct) == (D("70.00"), None)


def test_the_curve_runs_from_0_to_200_percent_with_jumps_at_retroactive_boundaries() -> None:
    marginal = payout_curve(TIERS, quota=QUOTA, mode=TierMode.MARGINAL)
    assert marginal[0].attainment_pct == 0 and marginal[0].commission == 0
    assert marginal[-1].attainment_pct == 200 and marginal[-1].commission == D(15000)
    at_100 = [p for p in marginal if p.attainment_pct == 100]
    assert [p.credited for p in at_100] == [D("99999.99"), D(100000)]
    retro = payout_curve(TIERS, quota=QUOTA, mode=TierMode.RETROACTIVE)
    below, at = [p.commission for p in retro if p.attainment_pct == 100]
    assert below == D("4999.9995") and at == D(8000)


def test_tables_that_cannot_be_charted_say_why() -> None:
    assert table_problems((), QUOTA) == ["The rate table needs at least one tier."]
    assert table_problems((Tier(D(10), D(5)),), None) == ["The first tier must start at 0%."]
    assert table_problems(TIERS, None) == [
        "A table with more than one tier needs a positive quota."
    ]
    bad = (Tier(D(0), D(5)), Tier(D(0), D(-1)))
    assert table_problems(bad, QUOTA) == [
        "Each tier must start above the one before.",
        "Rates cannot be negative.",
    ]
    with pytest.raises(ValueError, match="positive quota"):
        payout_curve(TIERS, quota=D(0), mode=TierMode.MARGINAL)


@given(
    rates=st.lists(st.integers(0, 30), min_size=1, max_size=4),
    mode=st.sampled_from(list(TierMode)),
)
def test_marginal_curve_never_falls_and_every_point_is_the_what_if(
    rates: list[int], mode: TierMode
) -> None:
    tiers = tuple(Tier(D(50 * i), D(r)) for i, r in enumerate(rates))
    curve = payout_curve(tiers, quota=QUOTA, mode=mode)
    if mode is TierMode.MARGINAL:
        assert all(a.commission <= b.commission for a, b in itertools.pairwise(curve))
    for p in curve[::40]:
        assert what_if(tiers, credited=p.credited, quota=QUOTA, mode=mode).commission == (
            p.commission.quantize(D("0.01"), rounding="ROUND_HALF_UP")
        )
