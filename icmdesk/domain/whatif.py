"""What a rate table pays: the payout curve C(X) over attainment and the what-if calculator.

Both go through the engine's own `RateTable` (tiers, mode, cap), so the plans
view's chart and calculator say exactly what statements will pay for one quota
period's credited amount. Pure and exact: points are Decimals; only the
commission of the what-if is rounded to cents, as a statement line would be.
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from icmdesk.domain.engine.tiers import RateTable
from icmdesk.domain.entities import Tier, TierMode
from icmdesk.domain.money import HUNDRED, round_cents

MAX_ATTAINMENT_PCT = Decimal(200)
_STEP_PCT = Decimal("0.5")


@dataclass(frozen=True, slots=True)
class CurvePoint:
    attainment_pct: Decimal
    credited: Decimal  # X = quota × attainment
    commission: Decimal  # C_capped(X), exact


@dataclass(frozen=True, slots=True)
class WhatIf:
    credited: Decimal
    attainment_pct: Decimal | None  # None for a flat table without a quota
    commission: Decimal  # rounded to cents
    effective_rate_pct: Decimal | None  # commission / credited, two decimals; None at 0


def table_problems(tiers: Sequence[Tier], quota: Decimal | None) -> list[str]:
    """Why these tiers cannot be charted (empty when they can)."""
    problems: list[str] = []
    if not tiers:
        return ["The rate table needs at least one tier."]
    if tiers[0].from_pct != 0:
        problems.append("The first tier must start at 0%.")
    for before, after in itertools.pairwise(tiers):
        if after.from_pct <= before.from_pct:
            problems.append("Each tier must start above the one before.")
            break
    if any(t.rate_pct < 0 for t in tiers):
        problems.append("Rates cannot be negative.")
    if len(tiers) > 1 and (quota is None or quota <= 0):
        problems.append("A table with more than one tier needs a positive quota.")
    return problems


def _table(
    tiers: Sequence[Tier], quota: Decimal | None, mode: TierMode, cap: Decimal | None
) -> RateTable:
    problems = table_problems(tiers, quota)
    if problems:
        raise ValueError(" ".join(problems))
    return RateTable.build(tiers, quota=quota, mode=mode, cap=cap)


def payout_curve(
    tiers: Sequence[Tier],
    *,
    quota: Decimal,
    mode: TierMode,
    cap: Decimal | None = None,
    up_to_pct: Decimal = MAX_ATTAINMENT_PCT,
) -> tuple[CurvePoint, ...]:
    """C(X) for attainment 0% to `up_to_pct` of `quota`, every half percent.

    Each tier boundary also appears twice, approached from below and reached, so a
    retroactive table's jump is drawn as a jump. Raises ValueError for tiers that
    cannot be charted (see `table_problems`) or a quota that is not positive.
    """
    if quota <= 0:
        raise ValueError("The chart needs a positive quota.")
    table = _table(tiers, quota, mode, cap)
    steps = int(up_to_pct / _STEP_PCT)
    pcts = {_STEP_PCT * i for i in range(steps + 1)}
    boundaries = {t.from_pct for t in tiers if 0 < t.from_pct <= up_to_pct}
    points: list[CurvePoint] = []
    for pct in sorted(pcts | boundaries):
        x = quota * pct / HUNDRED
        if pct in boundaries:
            # Just below the boundary: the lower tier's rate still applies at X - 1 cent.
            below = x - Decimal("0.01")
            points.append(CurvePoint(pct, below, table.capped(below)))
        points.append(CurvePoint(pct, x, table.capped(x)))
    return tuple(points)


def what_if(
    tiers: Sequence[Tier],
    *,
    credited: Decimal,
    quota: Decimal | None,
    mode: TierMode,
    cap: Decimal | None = None,
) -> WhatIf:
    """The commission on `credited` in one quota period, and the effective rate it works out at."""
    table = _table(tiers, quota, mode, cap)
    commission = round_cents(table.capped(credited))
    attainment = (
        round_cents(credited * HUNDRED / quota) if quota is not None and quota > 0 else None
    )
    rate = round_cents(commission * HUNDRED / credited) if credited > 0 else None
    return WhatIf(credited, attainment, commission, rate)
