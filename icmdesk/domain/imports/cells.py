"""Reading one cell of a CRM export: amounts and dates as people and spreadsheets write them.

Pure functions over text (or the numbers and dates a spreadsheet cell holds). A cell that
cannot be read raises `CellError` with a stable code (for `--json`) and a sentence a person
understands; nothing is guessed silently: a negative amount stays negative (the caller
refuses it for a deal), an impossible date is refused, a date that reads two ways is
reported as such.
"""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal, InvalidOperation
from enum import StrEnum


class CellError(ValueError):
    """A cell that cannot be read: `code` for programs, `message` for people."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


# -- amounts ------------------------------------------------------------------------------

# Currency signs seen in exports, and the ISO codes each can stand for. A "$" alone is any
# dollar (or peso): it matches a company paying in one of them.
_SIGNS: dict[str, frozenset[str]] = {
    "$": frozenset(
        {"USD", "CAD", "AUD", "NZD", "SGD", "HKD", "MXN", "TWD", "BSD", "BBD", "BZD", "BMD"}
        | {"KYD", "FJD", "JMD", "LRD", "NAD", "SBD", "SRD", "TTD", "XCD", "GYD", "CLP", "COP"}
        | {"ARS", "UYU", "DOP", "CUP"}
    ),
    "US$": frozenset({"USD"}),
    "U$S": frozenset({"USD"}),
    "CA$": frozenset({"CAD"}),
    "C$": frozenset({"CAD", "NIO"}),
    "A$": frozenset({"AUD"}),
    "AU$": frozenset({"AUD"}),
    "NZ$": frozenset({"NZD"}),
    "S$": frozenset({"SGD"}),
    "HK$": frozenset({"HKD"}),
    "MX$": frozenset({"MXN"}),
    "R$": frozenset({"BRL"}),
    "€": frozenset({"EUR"}),
    "£": frozenset({"GBP", "GIP", "FKP", "SHP", "EGP"}),
    "¥": frozenset({"JPY", "CNY"}),
    "₹": frozenset({"INR"}),
    "₩": frozenset({"KRW"}),
    "₪": frozenset({"ILS"}),
    "₺": frozenset({"TRY"}),
    "₽": frozenset({"RUB"}),
    "₱": frozenset({"PHP"}),
    "฿": frozenset({"THB"}),
    "₫": frozenset({"VND"}),
    "₴": frozenset({"UAH"}),
    "₦": frozenset({"NGN"}),
    "zł": frozenset({"PLN"}),
    "Kč": frozenset({"CZK"}),
    "Ft": frozenset({"HUF"}),
    "kr": frozenset({"SEK", "NOK", "DKK", "ISK"}),
    "Fr.": frozenset({"CHF"}),
    "R": frozenset({"ZAR"}),
}
_SIGN_PATTERN = "|".join(re.escape(s) for s in sorted(_SIGNS, key=len, reverse=True))
# A currency before or after the number: a sign ("$", "€", "US$") or an ISO code ("USD").
_LEADING = re.compile(rf"^(?P<cur>{_SIGN_PATTERN}|[A-Z]{{3}})\s*")
_TRAILING = re.compile(rf"\s*(?P<cur>{_SIGN_PATTERN}|[A-Z]{{3}})$")
_SPACES = re.compile(r"[\s\u00a0\u202f\u2009\u2007]+")
_MINUS = "-\u2212\u2012\u2013\u2014\ufe63\uff0d"  # hyphen-minus, minus sign, dashes
_NUMBER = re.compile(r"^[0-9][0-9.,' ]*$|^[.,][0-9]+$")
_DOLLARS = re.compile(r"^\$(\d{1,3}(?:,\d{3})*)(\.\d{1,2})$")
_PLAIN = re.compile(r"^-?[0-9]+(\.[0-9]{1,2})?$")  # the fast path: "1234", "-12.5"


@dataclass(frozen=True, slots=True)
class Amount:
    """An amount as read: signed, exact, and the currency written with it (if any).

    `mark` is the decimal separator the text shows for sure ("1,234.50" shows ".",
    "1234,5" shows ","), and `grouped` the separator it was read as grouping thousands
    although it could also have been a decimal one ("1.234" read as 1234): a file whose
    other amounts show that same mark as decimal makes "1.234" an amount with three
    decimals instead (see `regroup`)."""

    value: Decimal
    currency: str | None  # an ISO code, a sign such as "€", or None when none was written
    mark: str | None = None
    grouped: str | None = None


def currencies_of(written: str) -> frozenset[str]:
    """The ISO codes a currency written beside an amount can stand for."""
    if written in _SIGNS:
        return _SIGNS[written]
    return frozenset({written})


def parse_amount(text: object) -> Amount:
    """An amount as a CRM or spreadsheet writes it, exactly.

    Accepts "1234.50", "$1,234.50", "1.234,50", "1 234,00" (also with a no-break space),
    "1'234.50", "(1,234.50)" and "-$250.00" (negative), "USD 1234", "1234 EUR", "€750.00",
    a U+2212 minus, and the numbers a spreadsheet cell holds. At most two decimals (more
    only when they are zeros). Raises CellError for anything else.
    """
    if isinstance(text, bool):
        raise CellError("amount_not_number", f"the amount {text!r} is not a number")
    if isinstance(text, int):
        # In cents like every other amount read: a workbook's 12500 is the 12500.00 the same
        # amount reads as text, not Decimal("12500") (which prints and stores differently).
        return Amount(_cents(Decimal(text), str(text)), None)
    if isinstance(text, float):
        return Amount(_from_float(text), None)
    if isinstance(text, Decimal):
        return Amount(_cents(text, str(text)), None)
    raw = str(text)
    cell = _SPACES.sub(" ", raw).strip()
    if not cell:
        raise CellError("amount_missing", "there is no amount")
    if _PLAIN.match(cell):
        return Amount(_cents(Decimal(cell), raw), None, "." if "." in cell else None)
    us = _DOLLARS.match(cell)
    if us:  # the fast path for what most exports write: "$12,500.00" (as _digits reads it)
        return Amount(_cents(Decimal(us[1].replace(",", "") + us[2]), raw), "$", ".")
    negative = False
    if cell.startswith("(") and cell.endswith(")"):
        negative, cell = True, cell[1:-1].strip()
    if cell and cell[0] in _MINUS:
        negative, cell = not negative, cell[1:].strip()
    if cell and cell[-1] in _MINUS:
        negative, cell = not negative, cell[:-1].strip()
    currency = None
    found = _LEADING.match(cell)
    if found:
        currency, cell = found["cur"], cell[found.end() :]
    else:
        found = _TRAILING.search(cell)
        if found:
            currency, cell = found["cur"], cell[: found.start()]
    cell = cell.strip()
    # "-$250.00" and "$-250.00" both mean a negative amount.
    if cell and cell[0] in _MINUS:
        negative, cell = not negative, cell[1:].strip()
    if not _NUMBER.match(cell):
        raise CellError("amount_not_number", f'the amount "{raw.strip()}" is not a number')
    number, mark, grouped = _digits(cell, raw)
    value = _cents(number, raw)
    return Amount(-value if negative else value, currency, mark, grouped)


def regroup(amount: Amount, text: str, file_mark: str) -> Amount:
    """`amount` once the file's decimal separator is known: "1.234" was read as 1234, but
    in a file whose amounts use "." for decimals it is 1.234, which has three decimals."""
    if amount.grouped is None or amount.grouped != file_mark:
        return amount
    raise CellError(
        "amount_precision",
        f'the amount "{text.strip()}" has more than two decimals (amounts are in cents; '
        f'this file writes decimals with "{file_mark}")',
    )


def _digits(cell: str, raw: str) -> tuple[Decimal, str | None, str | None]:
    """The number in `cell` (digits and separators only); the decimal separator it shows
    for sure; the separator read as grouping that could have been a decimal one."""

    def refuse() -> CellError:
        return CellError("amount_not_number", f'the amount "{raw.strip()}" is not a number')

    cell = cell.replace(" ", "").replace("'", "")
    commas, dots = cell.count(","), cell.count(".")
    sure: str | None = None
    unsure: str | None = None
    if commas and dots:
        decimal_mark = "," if cell.rfind(",") > cell.rfind(".") else "."
        sure = decimal_mark
    elif commas or dots:
        mark = "," if commas else "."
        tail = cell.rsplit(mark, 1)[1]
        # One separator followed by one or two digits is the decimal one ("1234,5",
        # "12.50"); followed by three it groups thousands ("1,234", "1.234"), as it does
        # when it appears more than once ("1.234.567").
        single = (commas or dots) == 1
        # A lone separator followed by three digits may group thousands; followed by any
        # other number of digits it can only be the decimal one ("1.500000" is 1.50, and
        # "1234.5678" has too many decimals rather than being no number at all). With
        # nothing but zeros before it, it is the decimal one too: "0,500" is half, never
        # five hundred, and "0.001" is a tenth of a cent, not one.
        zero_lead = not cell.rsplit(mark, 1)[0].strip("0")
        decimal_mark = mark if single and (len(tail) != 3 or zero_lead) else ""
        if decimal_mark:
            sure = mark
        elif single:
            unsure = mark
    else:
        decimal_mark = ""
    whole, _, fraction = cell.partition(decimal_mark) if decimal_mark else (cell, "", "")
    if decimal_mark and not fraction.isdigit():
        raise refuse()
    grouping = ({",", "."} - {decimal_mark}) & set(whole)
    if len(grouping) > 1:
        raise refuse()
    if grouping:
        groups = whole.split(grouping.pop())
        # 1,234,567 and the Indian 12,34,567: a lead of 1-3 digits, then groups of two or
        # three, the last of three. Anything else ("1.2.3") is not a grouped number.
        if not (
            1 <= len(groups[0]) <= 3
            and len(groups[-1]) == 3
            and all(len(g) in (2, 3) for g in groups[1:-1])
        ):
            raise refuse()
        whole = "".join(groups)
    if not whole:
        whole = "0"
    if not whole.isdigit():
        raise refuse()
    return Decimal(f"{whole}.{fraction}" if fraction else whole), sure, unsure


def _cents(value: Decimal, raw: str) -> Decimal:
    """`value` in whole cents; more decimals than two are refused unless they are zeros."""
    if not value.is_finite():
        raise CellError("amount_not_number", f'the amount "{raw.strip()}" is not a number')
    cents = _quantized(value, raw)
    if cents != value:
        raise CellError(
            "amount_precision",
            f'the amount "{raw.strip()}" has more than two decimals (amounts are in cents)',
        )
    return cents


def _quantized(value: Decimal, raw: str) -> Decimal:
    """`value` to the cent. A number of more digits than the decimal context's 28 (a
    30-digit "amount") cannot be: quantize raises decimal.InvalidOperation, which callers
    expecting CellError for a bad cell would let escape (plan_deals crashed on such a row)."""
    try:
        return value.quantize(Decimal("0.01"))
    except InvalidOperation:
        raise CellError(
            "amount_too_large", f'the amount "{raw.strip()}" is too large to be an amount'
        ) from None


def _from_float(value: float) -> Decimal:
    """A spreadsheet's number cell (a binary double) as the decimal it displays.

    Excel stores 1234.5 as the nearest double; its shortest repr is the number that was
    typed. A value that is a whole number of cents up to the double's own error
    (0.1 + 0.2 = 0.30000000000000004) is that number of cents; anything else has more
    than two decimals and is refused."""
    if value != value or value in (float("inf"), float("-inf")):
        raise CellError("amount_not_number", f"the amount {value!r} is not a number")
    exact = Decimal(repr(value))
    cents = _quantized(exact, repr(value))
    if abs(cents - exact) > Decimal("0.000001") * max(Decimal(1), abs(exact)):
        raise CellError(
            "amount_precision",
            f"the amount {value!r} has more than two decimals (amounts are in cents)",
        )
    return cents


# -- dates --------------------------------------------------------------------------------


class DateOrder(StrEnum):
    """How a file writes day and month when a date could be either: 03/04/2026."""

    DMY = "DMY"  # 03/04/2026 is 3 April (most of the world)
    MDY = "MDY"  # 03/04/2026 is March 4 (the United States)
    YMD = "YMD"  # 2026/04/03


@dataclass(frozen=True, slots=True)
class Ambiguous:
    """A date written with day and month both 12 or less and no order known yet."""

    first: int
    second: int
    year: int
    text: str

    def resolve(self, order: DateOrder) -> date:
        if order is DateOrder.YMD:
            raise CellError("date_order", f'"{self.text}" does not read as year, month, day')
        day, month = (self.first, self.second) if order is DateOrder.DMY else (
            self.second, self.first,
        )  # fmt: skip
        return _make_date(self.year, month, day, self.text)


@dataclass(frozen=True, slots=True)
class ReadDate:
    """A date as read: the date, or the two readings to choose between; and which order
    the text proves, if any (13/04/2026 proves DMY)."""

    value: date | Ambiguous
    proves: DateOrder | None = None


_MONTHS = {name.lower(): i for i, name in enumerate(calendar.month_name) if name}
_MONTHS |= {name.lower(): i for i, name in enumerate(calendar.month_abbr) if name}
_MONTHS["sept"] = 9
_ISO = re.compile(r"^(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})(?:$|[T ].*$)")
_NUMERIC = re.compile(r"^(\d{1,2})([/.-])(\d{1,2})\2(\d{2}|\d{4})(?:$|[T ,].*$)")
_NAMED = [
    # "Mar 15, 2026", "March 15 2026"
    re.compile(r"^(?P<m>[A-Za-z]{3,9})\.? (?P<d>\d{1,2})(?:st|nd|rd|th)?,? (?P<y>\d{4})(?:$| .*$)"),
    # "15 March 2026", "15-Mar-2026", "15 Mar. 2026"
    re.compile(
        r"^(?P<d>\d{1,2})(?:st|nd|rd|th)?[ -](?P<m>[A-Za-z]{3,9})\.?[ -](?P<y>\d{2,4})(?:$| .*$)"
    ),
]
_SHORT_YEAR_FIRST = re.compile(r"^(\d{2})([/.-])(\d{1,2})\2(\d{1,2})(?:$|[T ].*$)")
_SERIAL = re.compile(r"^\d{5}(\.\d+)?$")
_EXCEL_EPOCH = date(1899, 12, 30)  # serial 1 is 1900-01-01 (after Excel's 1900-02-29)
_SERIALS = range(20_000, 80_000)  # 1954 to 2119: a close date, not an amount


def read_date(cell: object, order: DateOrder | None = None) -> ReadDate:
    """A close date as an export writes it.

    ISO (with or without a time of day: the date as written, no time-zone shift), US
    M/D/YYYY, European DD.MM.YYYY and DD/MM/YYYY, "Mar 15, 2026", "15-Mar-2026", Excel
    serial numbers (also with a time fraction), and the dates a spreadsheet cell holds.
    With no `order` known, a date that reads two ways comes back `Ambiguous`; with one,
    it is read that way (YMD also reads "26/04/03" year first). An impossible date
    raises."""
    if isinstance(cell, datetime):
        return ReadDate(cell.date())
    if isinstance(cell, date):
        return ReadDate(cell)
    if isinstance(cell, bool):
        raise CellError("date_not_date", f"{cell!r} is not a date")
    if isinstance(cell, int | float | Decimal):
        return ReadDate(excel_serial(cell, str(cell)))
    text = _SPACES.sub(" ", str(cell)).strip()
    if not text:
        raise CellError("date_missing", "there is no close date")
    found = _ISO.match(text)
    if found:
        year, month, day = (int(g) for g in found.groups())
        return ReadDate(_make_date(year, month, day, text))
    if order is DateOrder.YMD:
        found = _SHORT_YEAR_FIRST.match(text)
        if found:
            year_text, _mark, month_text, day_text = found.groups()
            return ReadDate(_make_date(_year(year_text), int(month_text), int(day_text), text))
    found = _NUMERIC.match(text)
    if found:
        first, mark, second, year_text = found.groups()
        a, b, year = int(first), int(second), _year(year_text)
        if mark == ".":  # 15.03.2026: day first wherever dots are written
            return ReadDate(_make_date(year, b, a, text), DateOrder.DMY)
        if a > 12 and b <= 12:
            return ReadDate(_make_date(year, b, a, text), DateOrder.DMY)
        if b > 12 and a <= 12:
            return ReadDate(_make_date(year, a, b, text), DateOrder.MDY)
        if a > 12 and b > 12:
            raise CellError("date_not_date", f'"{text}" is not a date (no month in it)')
        if a == b:  # 04/04/2026 reads the same either way
            return ReadDate(_make_date(year, a, b, text))
        ambiguous = Ambiguous(a, b, year, text)
        return ReadDate(ambiguous.resolve(order) if order is not None else ambiguous)
    for pattern in _NAMED:
        found = pattern.match(text)
        if found:
            month = _MONTHS.get(found["m"].lower())
            if month is None:
                break
            return ReadDate(_make_date(_year(found["y"]), month, int(found["d"]), text))
    if _SERIAL.match(text):
        return ReadDate(excel_serial(Decimal(text), text))
    raise CellError("date_not_date", f'"{text}" is not a date')


def excel_serial(value: int | float | Decimal, text: str) -> date:
    """An Excel date serial (1900 date system): the day, any time fraction dropped."""
    number = Decimal(repr(value)) if isinstance(value, float) else Decimal(value)
    # A NaN or infinite number cell is not a day: int() of it raised ValueError or
    # OverflowError, not the CellError plan_deals turns into a rejected row.
    if not number.is_finite():
        raise CellError("date_not_date", f'"{text}" is not a date')
    day = int(number)
    if day not in _SERIALS:
        raise CellError("date_not_date", f'"{text}" is not a date')
    return _EXCEL_EPOCH + timedelta(days=day)


def _year(text: str) -> int:
    year = int(text)
    if len(text) == 2:  # as spreadsheets read "3/15/26": 00-29 this century
        year += 2000 if year < 30 else 1900
    return year


def _make_date(year: int, month: int, day: int, text: str) -> date:
    if not 1 <= month <= 12:
        raise CellError("date_not_date", f'"{text}" is not a date (there is no month {month})')
    try:
        return date(year, month, day)
    except ValueError:
        if 1 <= year <= 9999 and day > 0:
            last = calendar.monthrange(year, month)[1]
            raise CellError(
                "date_impossible",
                f'the date "{text}" does not exist ({calendar.month_name[month]} {year} has '
                f"{last} days)",
            ) from None
        raise CellError("date_not_date", f'"{text}" is not a date') from None
