"""Crediting: who is credited how much of a deal (COMP_RULES "Crediting")."""

from __future__ import annotations

from decimal import Decimal

from icmdesk.domain.entities import Deal
from icmdesk.domain.money import (
    CENT,
    HUNDRED,
    allocate_largest_remainder,
    floor_cents,
    round_cents,
)


def credited_amounts(deal: Deal) -> list[Decimal]:
    """The credited amount of each credit, in the deal's credit order.

    A split deal (splits total exactly 100%) is allocated by largest remainder so the
    credits sum to the deal amount; in an overlay each credit is rounded on its own.
    """
    splits = [c.split_pct for c in deal.credits]
    if not splits:
        return []
    if len(splits) == 1 and splits[0] == HUNDRED:  # the common case, without the allocation
        return [round_cents(deal.amount)]
    if len(splits) == 2 and splits[0] + splits[1] == HUNDRED:  # most splits: the same, faster
        return _two_way(deal.amount, splits[0], splits[1])
    if sum(splits, Decimal(0)) == HUNDRED:
        return allocate_largest_remainder(deal.amount, splits)
    return [round_cents(deal.amount * s / HUNDRED) for s in splits]


def _two_way(total: Decimal, first: Decimal, second: Decimal) -> list[Decimal]:
    """allocate_largest_remainder for two shares: floored, and the one cent the floors
    can leave goes to the larger remainder, a tie to the first."""
    exact_first, exact_second = total * first / HUNDRED, total * second / HUNDRED
    a, b = floor_cents(exact_first), floor_cents(exact_second)
    if a + b == total:
        return [a, b]
    if exact_second - b > exact_first - a:
        return [a, b + CENT]
    return [a + CENT, b]


def counted_amount(credited: Decimal, multiplier_pct: Decimal) -> Decimal:
    """The credited amount × the deal type's multiplier, rounded to cents."""
    return round_cents(credited * multiplier_pct / HUNDRED)
