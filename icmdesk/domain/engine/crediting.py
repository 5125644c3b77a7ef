"""Crediting: who is credited how much of a deal (COMP_RULES "Crediting")."""

from __future__ import annotations

from decimal import Decimal

from icmdesk.domain.entities import Deal
from icmdesk.domain.money import HUNDRED, allocate_largest_remainder, round_cents


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
    if sum(splits, Decimal(0)) == HUNDRED:
        return allocate_largest_remainder(deal.amount, splits)
    return [round_cents(deal.amount * s / HUNDRED) for s in splits]


def counted_amount(credited: Decimal, multiplier_pct: Decimal) -> Decimal:
    """The credited amount × the deal type's multiplier, rounded to cents."""
    return round_cents(credited * multiplier_pct / HUNDRED)
