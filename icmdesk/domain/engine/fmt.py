"""Plain-text formatting of money and percentages for statement descriptions.

Pure and float-free: descriptions are built from the exact Decimals on the line.
"""

from __future__ import annotations

from decimal import Decimal

from icmdesk.domain.money import CENT

_SYMBOLS = {"USD": "$", "EUR": "€", "GBP": "£", "CAD": "CA$", "AUD": "A$"}


def fmt_money(amount: Decimal, currency: str = "USD") -> str:
    """'$1,234.56', '-$500.00'; currencies without a symbol here get their code: 'CHF 12.00'."""
    symbol = _SYMBOLS.get(currency)
    sign = "-" if amount < 0 else ""
    digits = f"{abs(amount).quantize(CENT):,f}"
    if symbol is None:
        return f"{sign}{currency} {digits}"
    return f"{sign}{symbol}{digits}"


def fmt_pct(value: Decimal) -> str:
    """'60%', '7.5%', '100%' (no trailing zeros, never exponent notation)."""
    text = f"{value.normalize():f}"
    return f"{text}%"
