"""How numbers, dates and percentages read on the PDFs (babel; never through a float)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from babel.dates import format_date
from babel.numbers import format_currency

LOCALE = "en_US"


def money(amount: Decimal, currency: str) -> str:
    """'$1,234.56' and '-$500.00': always two decimals, the sign before the symbol."""
    if not isinstance(amount, Decimal):
        raise TypeError(f"money must be Decimal, got {type(amount).__name__}")
    # An explicit pattern keeps cents for every currency (amounts are whole cents) and
    # one negative style everywhere.
    return format_currency(
        amount, currency, format="¤#,##0.00", locale=LOCALE, currency_digits=False
    )


def percent(value: Decimal) -> str:
    """A Decimal percent (60 means 60%) without needless zeros: '60%', '33.33%'."""
    text = format(value.normalize(), "f")
    return f"{text}%"


def day(value: date) -> str:
    """'Mar 3, 2026'."""
    return format_date(value, format="medium", locale=LOCALE)


def long_day(value: date) -> str:
    """'March 3, 2026'."""
    return format_date(value, format="long", locale=LOCALE)
