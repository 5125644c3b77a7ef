"""Months and quota periods aligned to the fiscal year."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from enum import StrEnum

_MONTH_RE = re.compile(r"^(\d{4})-(\d{2})$")


@dataclass(frozen=True, slots=True, order=True)
class Month:
    """A calendar month, the payout period."""

    year: int
    month: int

    def __post_init__(self) -> None:
        if not 1 <= self.month <= 12:
            raise ValueError(f"month {self.month} is not 1-12")
        if not 1 <= self.year <= 9999:
            raise ValueError(f"year {self.year} is out of range")

    @classmethod
    def parse(cls, text: str) -> Month:
        """Parse 'YYYY-MM'."""
        m = _MONTH_RE.match(text.strip())
        if not m:
            raise ValueError(f"{text!r} is not a month (expected YYYY-MM, e.g. 2026-03)")
        return cls(int(m.group(1)), int(m.group(2)))

    @classmethod
    def of(cls, day: date) -> Month:
        """The month a date falls in."""
        return cls(day.year, day.month)

    def __str__(self) -> str:
        return f"{self.year:04d}-{self.month:02d}"

    @property
    def index(self) -> int:
        """Months since year 0: consecutive months have consecutive indexes."""
        return self.year * 12 + self.month - 1

    @classmethod
    def from_index(cls, index: int) -> Month:
        return cls(index // 12, index % 12 + 1)

    def plus(self, months: int) -> Month:
        return Month.from_index(self.index + months)

    @property
    def first_day(self) -> date:
        return date(self.year, self.month, 1)

    @property
    def last_day(self) -> date:
        return date.fromordinal(self.plus(1).first_day.toordinal() - 1)


def months_between(first: Month, last: Month) -> list[Month]:
    """Every month from first to last inclusive (empty when last < first)."""
    return [Month.from_index(i) for i in range(first.index, last.index + 1)]


class QuotaPeriod(StrEnum):
    MONTH = "month"
    QUARTER = "quarter"
    YEAR = "year"

    @property
    def months(self) -> int:
        return {"month": 1, "quarter": 3, "year": 12}[self.value]


def quota_period_start(month: Month, period: QuotaPeriod, fiscal_year_start: int) -> Month:
    """The first month of the quota period containing `month`."""
    offset = (month.index - (fiscal_year_start - 1)) % period.months
    return month.plus(-offset)


def fiscal_year_start(month: Month, fiscal_year_start_month: int) -> Month:
    """The first month of the fiscal year containing `month`."""
    return quota_period_start(month, QuotaPeriod.YEAR, fiscal_year_start_month)


def quota_period_label(start: Month, period: QuotaPeriod, fiscal_year_start_month: int) -> str:
    """A human label: 'March 2026', 'FY2026 Q1 (Jan–Mar 2026)', 'FY2026 (Jan 2026–Dec 2026)'."""
    end = start.plus(period.months - 1)
    fy = end.year  # a fiscal year is named by the calendar year it ends in
    if period is QuotaPeriod.MONTH:
        return f"{_MONTH_NAMES[start.month - 1]} {start.year}"
    if period is QuotaPeriod.QUARTER:
        fy_start = fiscal_year_start(start, fiscal_year_start_month)
        quarter = (start.index - fy_start.index) // 3 + 1
        fy = fy_start.plus(11).year
        return (
            f"FY{fy} Q{quarter} ({_MONTH_NAMES[start.month - 1][:3]}–"
            f"{_MONTH_NAMES[end.month - 1][:3]} {end.year})"
        )
    return (
        f"FY{fy} ({_MONTH_NAMES[start.month - 1][:3]} {start.year}–"
        f"{_MONTH_NAMES[end.month - 1][:3]} {end.year})"
    )


_MONTH_NAMES = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)


def month_name(month: Month) -> str:
    """'March 2026'."""
    return f"{_MONTH_NAMES[month.month - 1]} {month.year}"
