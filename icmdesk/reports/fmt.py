"""How numbers, dates and percentages read on the PDFs (babel; never through a float)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from functools import lru_cache

from babel.dates import format_date
from babel.numbers import format_currency, get_currency_symbol

LOCALE = "en_US"


def money(amount: Decimal, currency: str) -> str:
    """'$1,234.56' and '-$500.00': always two decimals, the sign before the symbol."""
    if not isinstance(amount, Decimal):
        raise TypeError(f"money must be Decimal, got {type(amount).__name__}")
    exponent = amount.as_tuple().exponent
    if isinstance(exponent, int) and exponent >= -2:
        # Whole cents (or coarser): two places are exact, so Decimal's own grouping gives
        # babel's text at a fraction of the cost (a statement formats hundreds of amounts).
        # tests/reports/test_fmt.py holds this equal to babel.
        sign = "-" if amount.is_signed() else ""
        return f"{sign}{_symbol(currency)}{abs(amount):,.2f}"
    return _babel_money(amount, currency)


def _babel_money(amount: Decimal, currency: str) -> str:
    # An explicit pattern keeps cents for every currency (amounts are whole cents) and
    # one negative style everywhere.
    return format_currency(
        amount, currency, format="¤#,##0.00", locale=LOCALE, currency_digits=False
    )


@lru_cache(maxsize=64)
def _symbol(currency: str) -> str:
    return get_currency_symbol(currency, locale=LOCALE)


def percent(value: Decimal) -> str:
    """A Decimal percent (60 means 60%) without needless zeros: '60%', '33.33%'."""
    text = format(value.normalize(), "f")
    return f"{text}%"


@lru_cache(maxsize=1024)
def day(value: date) -> str:
    """'Mar 3, 2026'."""
    # Cached: a month's lines share a few dozen dates, and babel's formatter is slow.
    return format_date(value, format="medium", locale=LOCALE)


def long_day(value: date) -> str:
    """'March 3, 2026'."""
    return format_date(value, format="long", locale=LOCALE)
