"""The draw and balance table (COMP_RULES "Net earnings, draws and the balance")."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from icmdesk.domain.entities import DrawKind
from icmdesk.domain.money import HUNDRED, ZERO, round_cents


@dataclass(frozen=True, slots=True)
class Settlement:
    """One month's reconciliation: what is paid and what the rep owes after it."""

    payout: Decimal
    recovery: Decimal
    balance_after: Decimal


def settle(
    *,
    earnings: Decimal,
    draw: Decimal,
    balance_before: Decimal,
    kind: DrawKind | None,
    max_recovery_pct: Decimal = HUNDRED,
) -> Settlement:
    """Apply the table to E, D, B and the running draw (kind None: no draw, D must be 0).

    | E ≥ D                     | payout E − R, R = min(B, round((E − D) × r)) | B − R        |
    | E < D, recoverable        | payout D                                      | B + (D − E)  |
    | E < D, non-recoverable/no | payout D                                      | B + max(0,−E)|
    """
    if earnings >= draw:
        r = max_recovery_pct if kind is not None else HUNDRED
        recovery = min(balance_before, round_cents((earnings - draw) * r / HUNDRED))
        return Settlement(earnings - recovery, recovery, balance_before - recovery)
    if kind is DrawKind.RECOVERABLE:
        return Settlement(draw, ZERO, balance_before + (draw - earnings))
    return Settlement(draw, ZERO, balance_before + max(ZERO, -earnings))
