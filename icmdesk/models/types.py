"""Column types: exact values in, integers and ISO text out.

SQLAlchemy's `Numeric` on SQLite stores floating point, so money never uses
it: `Cents` stores integer cents and gives back `Decimal`, `Percent` stores
integer ten-thousandths of a percent, `MonthText` stores 'YYYY-MM'. Binding a
value with more precision than the column keeps raises instead of rounding.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from sqlalchemy import Integer, String
from sqlalchemy.engine import Dialect
from sqlalchemy.types import TypeDecorator

from icmdesk.domain.calendar import Month


class ScaledDecimal(TypeDecorator[Decimal]):
    """A Decimal stored as an INTEGER scaled by 10**scale, exactly."""

    impl = Integer
    cache_ok = True

    def __init__(self, scale: int, *, trim: bool = False) -> None:
        super().__init__()
        self.scale = scale
        self.trim = trim
        self._factor = Decimal(10) ** scale
        self._quantum = Decimal(1).scaleb(-scale)

    def process_bind_param(self, value: Any, dialect: Dialect) -> int | None:
        return None if value is None else self.stored(value)

    def stored(self, value: Decimal) -> int:
        """The integer the column stores for `value` (refused with more precision)."""
        if not isinstance(value, Decimal):
            raise TypeError(f"expected Decimal, got {type(value).__name__} {value!r}")
        scaled = value * self._factor
        if scaled != scaled.to_integral_value():
            raise ValueError(f"{value} has more than {self.scale} decimal places")
        return int(scaled)

    def process_result_value(self, value: Any, dialect: Dialect) -> Decimal | None:
        if value is None:
            return None
        result = (Decimal(int(value)) / self._factor).quantize(self._quantum)
        if self.trim:
            # 60.0000 reads back as 60, 12.5000 as 12.5 (never as 6E+1).
            result = (
                result.quantize(Decimal(1))
                if result == result.to_integral_value()
                else result.normalize()
            )
        return result


class Cents(ScaledDecimal):
    """Money: integer cents in the database, Decimal in Python."""

    cache_ok = True

    def __init__(self) -> None:
        super().__init__(2)


class Percent(ScaledDecimal):
    """A percentage (60 means 60%) stored as integer ten-thousandths of a percent."""

    cache_ok = True

    def __init__(self) -> None:
        super().__init__(4, trim=True)


_CENTS, _PERCENT = Cents(), Percent()


def cents(amount: Decimal) -> int:
    """What a `Cents` column stores for `amount`: for SQL written past the ORM (the
    imports' bulk inserts), the same conversion and the same refusal."""
    return _CENTS.stored(amount)


def percent_units(percent: Decimal) -> int:
    """What a `Percent` column stores for `percent` (see `cents`)."""
    return _PERCENT.stored(percent)


class MonthText(TypeDecorator[Month]):
    """A Month stored as 'YYYY-MM' text (sorts correctly as text)."""

    impl = String(7)
    cache_ok = True

    def process_bind_param(self, value: Any, dialect: Dialect) -> str | None:
        if value is None:
            return None
        if not isinstance(value, Month):
            raise TypeError(f"expected Month, got {type(value).__name__}")
        return str(value)

    def process_result_value(self, value: Any, dialect: Dialect) -> Month | None:
        return None if value is None else Month.parse(value)
