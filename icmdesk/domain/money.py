"""Money and percentages as exact decimals.

Every amount in the core is a `Decimal` built through `D()`, which refuses
`float`. The database stores integer cents (models/types.py refuses a fraction of a
cent on the way in; `from_cents` reads raw cents back). Rounding happens only
where COMP_RULES.md says, through `round_cents` (ROUND_HALF_UP, explicit).
"""

from __future__ import annotations

from collections.abc import Sequence
from decimal import ROUND_FLOOR, ROUND_HALF_UP, Decimal, InvalidOperation

CENT = Decimal("0.01")
ZERO = Decimal("0.00")
HUNDRED = Decimal(100)


def D(value: Decimal | int | str) -> Decimal:
    """Build an exact Decimal from an int, a str or a Decimal; refuse float and junk."""
    if isinstance(value, (bool, float)):
        raise TypeError(f"refusing {type(value).__name__} {value!r}: money and rates are exact")
    if isinstance(value, Decimal):
        result = value
    elif isinstance(value, int):
        result = Decimal(value)
    elif isinstance(value, str):
        try:
            result = Decimal(value.strip().replace(",", ""))
        except InvalidOperation:
            raise ValueError(f"{value!r} is not a number") from None
    else:
        raise TypeError(f"cannot make a number from {type(value).__name__}")
    if not result.is_finite():
        raise ValueError(f"{value!r} is not a finite number")
    return result


def round_cents(amount: Decimal) -> Decimal:
    """Round to cents, half away from zero (ROUND_HALF_UP), as every statement line is."""
    return amount.quantize(CENT, rounding=ROUND_HALF_UP)


def floor_cents(amount: Decimal) -> Decimal:
    """Round down (toward minus infinity) to cents."""
    return amount.quantize(CENT, rounding=ROUND_FLOOR)


def is_whole_cents(amount: Decimal) -> bool:
    """True when the amount has no fraction of a cent."""
    return amount == amount.quantize(CENT)


def from_cents(cents: int) -> Decimal:
    """The Decimal amount of integer cents."""
    if isinstance(cents, bool) or not isinstance(cents, int):
        raise TypeError(f"expected int cents, got {type(cents).__name__}")
    return (Decimal(cents) / 100).quantize(CENT)


def pct(value: Decimal) -> Decimal:
    """A percentage as a fraction: pct(D(60)) == Decimal('0.6')."""
    return value / HUNDRED


def allocate_largest_remainder(total: Decimal, shares_pct: Sequence[Decimal]) -> list[Decimal]:
    """Split `total` by percentages that sum to exactly 100, to the cent, by largest remainder.

    Each exact share `total × pct/100` is floored to cents; the cents left over go one
    each to the shares with the largest remainders, ties to the earlier share.
    (50/50 of 100.09 gives 50.05 then 50.04.)
    """
    if sum(shares_pct, Decimal(0)) != HUNDRED:
        raise ValueError("shares must total exactly 100%")
    if not is_whole_cents(total):
        raise ValueError(f"{total} is not a whole number of cents")
    exact = [total * share / HUNDRED for share in shares_pct]
    floored = [floor_cents(x) for x in exact]
    left_over = int((total - sum(floored, Decimal(0))) / CENT)
    order = sorted(range(len(exact)), key=lambda i: (-(exact[i] - floored[i]), i))
    for i in order[:left_over]:
        floored[i] += CENT
    return floored
