"""Reading one cell of a CRM export: each amount and date form people and spreadsheets
write, read exactly, and what cannot be read refused with its code."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

import pytest

from icmdesk.domain.imports.cells import (
    Ambiguous,
    Amount,
    CellError,
    DateOrder,
    ReadDate,
    currencies_of,
    parse_amount,
    read_date,
    regroup,
)

NBSP = "\u00a0"
NNBSP = "\u202f"  # narrow no-break space: French grouping
MINUS = "\u2212"

# -- amounts ------------------------------------------------------------------------------

AMOUNTS = [
    # (written, value, currency written, decimal mark shown, separator read as grouping)
    pytest.param("12500", "12500.00", None, None, None, id="whole number"),
    pytest.param("1234.50", "1234.50", None, ".", None, id="plain decimals"),
    pytest.param("$1,234.50", "1234.50", "$", ".", None, id="dollar sign and comma grouping"),
    pytest.param("1.234,50", "1234.50", None, ",", None, id="European dot grouping"),
    pytest.param("1 234,00", "1234.00", None, ",", None, id="space grouping"),
    pytest.param(f"1{NBSP}234,00", "1234.00", None, ",", None, id="no-break space grouping"),
    pytest.param(f"1{NNBSP}234,00", "1234.00", None, ",", None, id="narrow no-break space"),
    pytest.param("1'234.50", "1234.50", None, ".", None, id="Swiss apostrophe grouping"),
    pytest.param("(1,234.50)", "-1234.50", None, ".", None, id="accounting negative"),
    pytest.param("-$250.00", "-250.00", "$", ".", None, id="minus before the sign"),
    pytest.param("$-250.00", "-250.00", "$", ".", None, id="minus after the sign"),
    pytest.param(f"{MINUS}980,00", "-980.00", None, ",", None, id="U+2212 minus"),
    pytest.param("USD 1234", "1234.00", "USD", None, None, id="ISO code before"),
    pytest.param("1234 EUR", "1234.00", "EUR", None, None, id="ISO code after"),
    pytest.param("€750.00", "750.00", "€", ".", None, id="euro sign"),
    pytest.param("US$ 99.95", "99.95", "US$", ".", None, id="US dollar sign"),
    pytest.param("12,34,567.00", "1234567.00", None, ".", None, id="Indian grouping"),
    pytest.param("1,234", "1234.00", None, None, ",", id="comma that could be decimal"),
    pytest.param("18.500", "18500.00", None, None, ".", id="dot that could be decimal"),
    pytest.param("1234,5", "1234.50", None, ",", None, id="one decimal after a comma"),
    pytest.param("  $ 48,000.00  ", "48000.00", "$", ".", None, id="spaces around"),
    pytest.param("1.500000", "1.50", None, ".", None, id="trailing zero decimals"),
    pytest.param("0,500", "0.50", None, ",", None, id="zero lead: a decimal comma"),
    pytest.param(".75", "0.75", None, ".", None, id="no lead"),
]


@pytest.mark.parametrize(("written", "value", "currency", "mark", "grouped"), AMOUNTS)
def test_an_amount_reads_exactly_as_written(
    written: str, value: str, currency: str | None, mark: str | None, grouped: str | None
) -> None:
    assert parse_amount(written) == Amount(Decimal(value), currency, mark, grouped)


@pytest.mark.parametrize(
    ("cell", "value"),
    [
        pytest.param(12500, "12500.00", id="whole number cell"),
        pytest.param(1234.5, "1234.50", id="decimal number cell"),
        pytest.param(0.1 + 0.2, "0.30", id="binary double error"),
        pytest.param(-250, "-250.00", id="negative number cell"),
        pytest.param(Decimal("99.9"), "99.90", id="decimal cell"),
    ],
)
def test_a_spreadsheet_number_reads_in_cents(cell: object, value: str) -> None:
    amount = parse_amount(cell)
    assert amount == Amount(Decimal(value), None)
    # The same amount as its text reads: printed and stored the same way.
    assert str(amount.value) == value


@pytest.mark.parametrize(
    ("cell", "code"),
    [
        pytest.param("TBD", "amount_not_number", id="non-numeric"),
        pytest.param("", "amount_missing", id="blank"),
        pytest.param(f" {NBSP} ", "amount_missing", id="only spaces"),
        pytest.param("12.5.3", "amount_not_number", id="dots that group nothing"),
        pytest.param("1,2,3", "amount_not_number", id="commas that group nothing"),
        pytest.param("1.234.5", "amount_not_number", id="bad grouping"),
        pytest.param("1234.5678", "amount_precision", id="four decimals"),
        pytest.param("1,234.567", "amount_precision", id="three decimals"),
        pytest.param("0.001", "amount_precision", id="a tenth of a cent"),
        pytest.param("12abc", "amount_not_number", id="letters after digits"),
        pytest.param("$", "amount_not_number", id="a sign alone"),
        pytest.param(True, "amount_not_number", id="a boolean cell"),
        pytest.param(12.345, "amount_precision", id="number cell with three decimals"),
        pytest.param(float("nan"), "amount_not_number", id="NaN cell"),
        pytest.param(float("inf"), "amount_not_number", id="infinite cell"),
        pytest.param("1" * 30, "amount_too_large", id="thirty digits"),
        pytest.param(1e300, "amount_too_large", id="huge number cell"),
        pytest.param(10**40, "amount_too_large", id="huge whole number cell"),
    ],
)
def test_an_amount_that_cannot_be_read_is_refused_with_its_code(cell: object, code: str) -> None:
    with pytest.raises(CellError) as refused:
        parse_amount(cell)
    assert refused.value.code == code
    assert refused.value.message


def test_a_negative_amount_stays_negative() -> None:
    """Never made absolute: the planner refuses it as a deal amount."""
    assert parse_amount("-$250.00").value == Decimal("-250.00")
    assert parse_amount("(1,234.50)").value == Decimal("-1234.50")


def test_a_grouped_amount_is_refused_once_the_file_writes_that_mark_as_decimal() -> None:
    read = parse_amount("1.234")
    assert read.grouped == "."
    assert regroup(read, "1.234", ",") == read  # the file groups with dots: 1234
    with pytest.raises(CellError) as refused:
        regroup(read, "1.234", ".")  # the file's decimals are dots: 1.234 has three
    assert refused.value.code == "amount_precision"


@pytest.mark.parametrize(
    ("written", "codes"),
    [
        ("$", {"USD", "CAD", "AUD"}),
        ("US$", {"USD"}),
        ("€", {"EUR"}),
        ("USD", {"USD"}),
        ("CHF", {"CHF"}),
    ],
)
def test_a_written_currency_stands_for_its_iso_codes(written: str, codes: set[str]) -> None:
    assert codes <= currencies_of(written)
    if len(codes) == 1:
        assert currencies_of(written) == frozenset(codes)


# -- dates --------------------------------------------------------------------------------

NOV_3 = date(2026, 11, 3)

DATES = [
    # (written, the date, the order it proves)
    pytest.param("2026-11-03", NOV_3, None, id="ISO"),
    pytest.param("2026-11-03 14:22", NOV_3, None, id="ISO with a time"),
    pytest.param("2026-11-30 23:59", date(2026, 11, 30), None, id="ISO late at night, no shift"),
    pytest.param("2026-11-30T23:59:59Z", date(2026, 11, 30), None, id="ISO UTC, no shift"),
    pytest.param("2026-12-01T00:30:00+09:00", date(2026, 12, 1), None, id="ISO offset, no shift"),
    pytest.param("2026/11/03", NOV_3, None, id="ISO with slashes"),
    pytest.param("11/17/2026", date(2026, 11, 17), DateOrder.MDY, id="M/D/YYYY proving"),
    pytest.param("11/17/26", date(2026, 11, 17), DateOrder.MDY, id="M/D/YY"),
    pytest.param("17/11/2026", date(2026, 11, 17), DateOrder.DMY, id="DD/MM/YYYY proving"),
    pytest.param("03.11.2026", NOV_3, DateOrder.DMY, id="DD.MM.YYYY"),
    pytest.param("17.11.2026 15:42", date(2026, 11, 17), DateOrder.DMY, id="DD.MM.YYYY time"),
    pytest.param("11/11/2026", date(2026, 11, 11), None, id="same either way"),
    pytest.param("Nov 3, 2026", NOV_3, None, id="month name first"),
    pytest.param("3 November 2026", NOV_3, None, id="day first, month name"),
    pytest.param("03-Nov-2026", NOV_3, None, id="Excel dd-mmm-yyyy"),
    pytest.param("46329", NOV_3, None, id="Excel serial as text"),
    pytest.param("46335.67013888889", date(2026, 11, 9), None, id="serial with a time"),
]


@pytest.mark.parametrize(("written", "day", "proves"), DATES)
def test_a_date_reads_as_written(written: str, day: date, proves: DateOrder | None) -> None:
    assert read_date(written) == ReadDate(day, proves)


@pytest.mark.parametrize(
    ("cell", "day"),
    [
        pytest.param(datetime(2026, 11, 30, 23, 59), date(2026, 11, 30), id="datetime cell"),
        pytest.param(date(2026, 11, 3), NOV_3, id="date cell"),
        pytest.param(46329, NOV_3, id="serial number cell"),
        pytest.param(46335 + (16 * 60 + 5) / 1440, date(2026, 11, 9), id="serial time fraction"),
        pytest.param(46335.99999, date(2026, 11, 9), id="serial just before midnight"),
        pytest.param(Decimal("46329.5"), NOV_3, id="serial decimal cell"),
    ],
)
def test_a_spreadsheet_date_reads_as_its_day(cell: object, day: date) -> None:
    assert read_date(cell) == ReadDate(day)


def test_a_date_that_reads_two_ways_is_ambiguous_until_the_order_is_known() -> None:
    read = read_date("03/11/2026")
    assert read == ReadDate(Ambiguous(3, 11, 2026, "03/11/2026"))
    assert read_date("03/11/2026", DateOrder.DMY) == ReadDate(NOV_3)
    assert read_date("03/11/2026", DateOrder.MDY) == ReadDate(date(2026, 3, 11))
    assert isinstance(read.value, Ambiguous)
    assert read.value.resolve(DateOrder.DMY) == NOV_3
    assert read.value.resolve(DateOrder.MDY) == date(2026, 3, 11)
    with pytest.raises(CellError) as refused:
        read.value.resolve(DateOrder.YMD)
    assert refused.value.code == "date_order"


def test_a_date_that_proves_an_order_is_read_that_way_whatever_order_is_given() -> None:
    """The planner, not the cell, decides a contradiction: the cell reports what it proves."""
    assert read_date("17/11/2026", DateOrder.MDY) == ReadDate(date(2026, 11, 17), DateOrder.DMY)


def test_year_first_short_dates_read_with_the_ymd_order() -> None:
    assert read_date("26/11/03", DateOrder.YMD) == ReadDate(NOV_3)


@pytest.mark.parametrize(
    ("cell", "code"),
    [
        pytest.param("2026-02-30", "date_impossible", id="Feb 30"),
        pytest.param("2026-02-30 10:00", "date_impossible", id="Feb 30 with a time"),
        pytest.param("30.02.2026", "date_impossible", id="Feb 30 day first"),
        pytest.param("2/30/2026", "date_impossible", id="Feb 30 month first"),
        pytest.param("2026-13-01", "date_not_date", id="month 13"),
        pytest.param("13/13/2026", "date_not_date", id="no month in it"),
        pytest.param("TBD", "date_not_date", id="not a date"),
        pytest.param("", "date_missing", id="blank"),
        pytest.param("12345", "date_not_date", id="a serial that is not a close date"),
        pytest.param(99999.5, "date_not_date", id="serial out of range"),
        pytest.param(True, "date_not_date", id="a boolean cell"),
        pytest.param(float("nan"), "date_not_date", id="NaN cell"),
        pytest.param(float("inf"), "date_not_date", id="infinite cell"),
        pytest.param(Decimal("NaN"), "date_not_date", id="NaN decimal"),
    ],
)
def test_a_date_that_cannot_be_read_is_refused_with_its_code(cell: object, code: str) -> None:
    with pytest.raises(CellError) as refused:
        read_date(cell)
    assert refused.value.code == code


def test_feb_30_is_explained() -> None:
    with pytest.raises(CellError) as refused:
        read_date("2026-02-30")
    assert "February 2026 has 28 days" in refused.value.message


def test_feb_29_exists_in_a_leap_year_only() -> None:
    assert read_date("2028-02-29") == ReadDate(date(2028, 2, 29))
    with pytest.raises(CellError):
        read_date("2027-02-29")
