"""The owner's payout workbook read back with openpyxl: sheets, headers, figures to the cent,
SUM totals, and text that can never become a formula."""

from __future__ import annotations

import re
import zipfile
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path

import pytest
from openpyxl import load_workbook
from openpyxl.worksheet.worksheet import Worksheet

from icmdesk.domain.calendar import Month, month_name
from icmdesk.domain.entities import Company, Deal
from icmdesk.domain.money import D
from icmdesk.domain.statement import LineKind, Statement, StatementLine
from icmdesk.reports.payout_workbook import (
    DRAFT_TEXT,
    WorkbookTotals,
    currency_format,
    payout_workbook,
)
from icmdesk.services import company_io, periods
from icmdesk.services.store import load_company_data
from tests.reports import factories as f

CLOSED_THROUGH = Month(2026, 10)
OPEN_MONTH = Month(2026, 11)
# March: a bonus and an adjustment; June: clawbacks; October: clawbacks and cash-trigger
# deals awaiting payment.
CLOSED_MONTHS = (Month(2026, 3), Month(2026, 6), Month(2026, 10))
USD = '"$"#,##0.00;-"$"#,##0.00'
HOSTILE = '=HYPERLINK("http://x","y")'

HEADERS = {
    "Payouts": [
        "Rep",
        "Payroll ID",
        "Role",
        "Plan",
        "Earnings (E)",
        "Draw (D)",
        "Balance before (B)",
        "Recovery (R)",
        "Net payout",
        "Balance after",
        "YTD earnings",
        "Commission",
        "Tier true-up",
        "Bonus",
        "SPIF",
        "Override",
        "Clawback",
        "Adjustment",
        "Prior-period",
    ],
    "Statement lines": [
        "Rep",
        "Kind",
        "Deal",
        "Customer",
        "Close date",
        "Credited amount",
        "Split %",
        "Rule",
        "Earned on",
        "Description",
        "Amount",
    ],
    "Clawbacks": [
        "Rep",
        "Deal",
        "Customer",
        "Deal amount",
        "Closed",
        "Cancelled",
        "Reason",
        "Days after close",
        "Factor",
        "Originally earned",
        "Clawed back",
    ],
    "Awaiting payment": [
        "Rep",
        "Deal",
        "Customer",
        "Closed",
        "Booked",
        "Earned to date",
        "Awaiting",
    ],
    "Deals of the month": [
        "Deal",
        "Name",
        "Customer",
        "Amount",
        "Close date",
        "Type",
        "Credited reps",
        "Cancelled on",
    ],
}
SHEET_NAMES = ["Cover", *HEADERS]
# The columns the totals row sums, by sheet.
TOTALLED = {
    "Payouts": HEADERS["Payouts"][4:],
    "Statement lines": ["Amount"],
    "Clawbacks": ["Originally earned", "Clawed back"],
    "Awaiting payment": ["Booked", "Earned to date", "Awaiting"],
    "Deals of the month": ["Amount"],
}
KIND_HEADERS = dict(zip(LineKind, HEADERS["Payouts"][11:], strict=True))


@dataclass(frozen=True)
class Demo:
    company: Company
    statements: dict[Month, tuple[Statement, ...]]
    deals: dict[Month, tuple[Deal, ...]]


@pytest.fixture(scope="module")
def demo_closed_through_october(tmp_path_factory: pytest.TempPathFactory) -> Demo:
    """The demo company closed through October 2026 (well under a second), November open."""
    folder = tmp_path_factory.mktemp("demo")
    cf = company_io.write_demo(folder / "demo.icmdesk")
    try:
        periods.close_through(cf, CLOSED_THROUGH, backup_dir=folder / "backups")
        with cf.session() as s:
            data = load_company_data(s)
        months = (*CLOSED_MONTHS, OPEN_MONTH)
        statements = {m: periods.compute(cf, m) for m in months}
    finally:
        cf.close()
    deals = {m: tuple(d for d in data.deals if Month.of(d.close_date) == m) for m in months}
    return Demo(data.company, statements, deals)


def write(
    tmp_path: Path,
    demo_closed_through_october: Demo,
    month: Month,
    *,
    statements: Sequence[Statement] | None = None,
    pay_date: date | None = None,
    draft: bool = False,
) -> tuple[Path, WorkbookTotals]:
    target = tmp_path / f"payouts-{month}.xlsx"
    if statements is None:
        statements = demo_closed_through_october.statements[month]
    totals = payout_workbook(
        target,
        demo_closed_through_october.company,
        month,
        statements,
        demo_closed_through_october.deals[month],
        pay_date=pay_date,
        draft=draft,
    )
    return target, totals


def header(ws: Worksheet) -> list[object]:
    return [c.value for c in ws[1]]


def column(ws: Worksheet, name: str) -> int:
    return header(ws).index(name) + 1


def data_rows(ws: Worksheet) -> range:
    """The rows between the header and the totals row."""
    return range(2, ws.max_row)


def cents(value: object) -> Decimal:
    assert isinstance(value, int | float), value
    return Decimal(str(value)).quantize(Decimal("0.01"))


@pytest.mark.parametrize("month", CLOSED_MONTHS, ids=str)
def test_closed_months_are_all_there_to_the_cent(
    tmp_path: Path, demo_closed_through_october: Demo, month: Month
) -> None:
    statements = demo_closed_through_october.statements[month]
    assert statements and all(s.closed and s.content_hash for s in statements)
    target, totals = write(
        tmp_path, demo_closed_through_october, month, pay_date=date(2026, month.month, 28)
    )
    wb = load_workbook(target)
    assert wb.sheetnames == SHEET_NAMES
    for name, expected in HEADERS.items():
        assert header(wb[name]) == expected, name

    assert totals == WorkbookTotals(
        reps=len(statements),
        net_payout=sum((s.payout for s in statements), D(0)),
        earnings=sum((s.earnings for s in statements), D(0)),
    )
    payouts = wb["Payouts"]
    assert payouts.max_row == len(statements) + 2
    by_rep = {payouts.cell(r, 1).value: r for r in data_rows(payouts)}
    net = column(payouts, "Net payout")
    assert sum(cents(payouts.cell(r, net).value) for r in data_rows(payouts)) == (totals.net_payout)
    for s in statements:
        row = by_rep[s.rep_name]
        for name, figure in (
            ("Earnings (E)", s.earnings),
            ("Draw (D)", s.draw),
            ("Balance before (B)", s.balance_before),
            ("Recovery (R)", s.recovery),
            ("Net payout", s.payout),
            ("Balance after", s.balance_after),
            ("YTD earnings", s.ytd_earnings),
        ):
            assert cents(payouts.cell(row, column(payouts, name)).value) == figure, name
        for kind, name in KIND_HEADERS.items():
            expected = sum((line.amount for line in s.lines_of(kind)), D(0))
            assert cents(payouts.cell(row, column(payouts, name)).value) == expected

    # Every line, and each rep's lines add up to the rep's earnings.
    lines = wb["Statement lines"]
    assert len(data_rows(lines)) == sum(len(s.lines) for s in statements)
    amount = column(lines, "Amount")
    per_rep: dict[object, Decimal] = defaultdict(Decimal)
    for r in data_rows(lines):
        per_rep[lines.cell(r, 1).value] += cents(lines.cell(r, amount).value)
    for s in statements:
        assert per_rep.get(s.rep_name, D(0)) == s.earnings, s.rep_name

    clawbacks = wb["Clawbacks"]
    notices = [n for s in statements for n in s.notices]
    assert len(data_rows(clawbacks)) == len(notices)
    back = column(clawbacks, "Clawed back")
    assert sum(cents(clawbacks.cell(r, back).value) for r in data_rows(clawbacks)) == sum(
        (n.clawed_back for n in notices), D(0)
    )
    awaiting = wb["Awaiting payment"]
    assert len(data_rows(awaiting)) == sum(len(s.awaiting) for s in statements)
    deals = wb["Deals of the month"]
    assert [deals.cell(r, 1).value for r in data_rows(deals)] == [
        d.external_id
        for d in sorted(demo_closed_through_october.deals[month], key=lambda d: d.close_date)
    ]

    cover = wb["Cover"]
    text = {c.value for row in cover.iter_rows() for c in row if c.value is not None}
    assert {demo_closed_through_october.company.name, month_name(month), "Closed"} <= text
    assert DRAFT_TEXT not in text
    assert {s.content_hash for s in statements} <= text
    assert datetime(2026, month.month, 28) in text  # the pay date, as a real date


@pytest.mark.parametrize("month", CLOSED_MONTHS, ids=str)
def test_every_table_has_a_bold_frozen_filtered_header_and_sum_totals(
    tmp_path: Path, demo_closed_through_october: Demo, month: Month
) -> None:
    wb = load_workbook(write(tmp_path, demo_closed_through_october, month)[0])
    for name, totalled in TOTALLED.items():
        ws = wb[name]
        last = ws.max_row - 1  # the last data row
        assert ws.freeze_panes == "A2", name
        assert ws.auto_filter.ref == f"A1:{ws.cell(1, ws.max_column).column_letter}{last}"
        assert all(c.font.b for c in ws[1]), name
        totals = ws[ws.max_row]
        assert str(totals[0].value).startswith("Total"), name
        for c in totals:
            title = ws.cell(1, c.column).value
            if title in totalled:
                letter = c.column_letter
                if last >= 2:
                    assert c.value == f"=SUM({letter}2:{letter}{last})", (name, title)
                    assert c.data_type == "f"
                else:  # no rows: a plain zero
                    assert c.value == 0
                assert c.font.b and c.number_format == USD, (name, title)
            elif c.column > 1:
                assert c.value is None, (name, title)
        # Money in the company's currency, dates as dates, splits as fractions of one.
        for r in range(2, ws.max_row):
            for c in ws[r]:
                title = ws.cell(1, c.column).value
                if isinstance(c.value, float | int) and title in totalled:
                    assert c.number_format == USD
                if isinstance(c.value, datetime):
                    assert c.number_format == "yyyy-mm-dd"
        # Widths fit the longest text, capped.
        widths = [ws.column_dimensions[c.column_letter].width for c in ws[1]]
        assert all(len(str(c.value)) < w <= 70 for c, w in zip(ws[1], widths, strict=True))
    lines = wb["Statement lines"]
    split = column(lines, "Split %")
    for r in data_rows(lines):
        c = lines.cell(r, split)
        if c.value is not None:
            assert 0 < c.value <= 1 and c.number_format == "0.00%"
    description = lines.column_dimensions[lines.cell(1, column(lines, "Description")).column_letter]
    assert description.width == 60  # the demo's descriptions are longer than the cap


def test_a_clawback_stays_a_negative_number(
    tmp_path: Path, demo_closed_through_october: Demo
) -> None:
    month = Month(2026, 6)
    wb = load_workbook(write(tmp_path, demo_closed_through_october, month)[0])
    lines = wb["Statement lines"]
    kind, amount = column(lines, "Kind"), column(lines, "Amount")
    clawed = [
        lines.cell(r, amount) for r in data_rows(lines) if lines.cell(r, kind).value == "Clawback"
    ]
    assert clawed
    for c in clawed:
        assert c.data_type == "n" and c.value < 0
        assert c.number_format == USD  # shown "-$1,242.00"
    payouts = wb["Payouts"]
    col = column(payouts, "Clawback")
    assert sum(cents(payouts.cell(r, col).value) for r in data_rows(payouts)) == sum(
        (
            line.amount
            for s in demo_closed_through_october.statements[month]
            for line in s.lines_of(LineKind.CLAWBACK)
        ),
        D(0),
    )


def test_text_that_looks_like_a_formula_is_stored_as_text(
    tmp_path: Path, demo_closed_through_october: Demo
) -> None:
    """A rep named =HYPERLINK(...) (or any text starting = + - @ tab CR) is a text cell with
    Excel's quote prefix, exactly as entered; the only formulas are the totals' SUMs."""
    month = Month(2026, 6)
    first, *rest = demo_closed_through_october.statements[month]
    hostile_line = StatementLine(
        kind=LineKind.ADJUSTMENT,
        amount=D("-45.10"),
        description="-45.10 @correction",
        customer="+1 (555) 0100",
        rule="\t=1+1",
    )
    statements = (
        replace(
            first,
            rep_name=HOSTILE,
            payroll_id="@SUM(A1)",
            lines=(*first.lines, hostile_line),
            earnings=first.earnings + hostile_line.amount,
        ),
        *rest,
    )
    target, _ = write(tmp_path, demo_closed_through_october, month, statements=statements)
    wb = load_workbook(target)
    hostile_cells = [
        c
        for ws in wb
        for row in ws.iter_rows()
        for c in row
        if isinstance(c.value, str)
        and c.value.startswith(("=", "+", "-", "@", "\t"))
        and not c.value.startswith("=SUM(")
    ]
    values = {c.value for c in hostile_cells}
    assert {HOSTILE, "@SUM(A1)", "-45.10 @correction", "+1 (555) 0100", "\t=1+1"} <= values
    sheets = {c.parent.title for c in hostile_cells if c.value == HOSTILE}
    assert sheets == {"Cover", "Payouts", "Statement lines"}
    for c in hostile_cells:
        assert c.data_type == "s", (c.parent.title, c.coordinate, c.value)
        assert c.quotePrefix, (c.parent.title, c.coordinate)
    # The cross-check in the file itself: no formula but the totals' sums.
    with zipfile.ZipFile(target) as z:
        formulas = [
            f
            for name in z.namelist()
            if name.startswith("xl/worksheets/")
            for f in re.findall(r"<f>(.*?)</f>", z.read(name).decode())
        ]
    assert formulas and all(re.fullmatch(r"SUM\([A-Z]+2:[A-Z]+\d+\)", f) for f in formulas)
    # An ordinary name gets no prefix.
    assert not wb["Payouts"]["A3"].quotePrefix


def test_control_characters_from_a_crm_do_not_break_the_file(tmp_path: Path) -> None:
    st = f.statement(2, closed=True)
    st = replace(st, lines=(replace(st.lines[0], customer="Acme\x07 Corp\x00"), *st.lines[1:]))
    target = tmp_path / "ctl.xlsx"
    payout_workbook(target, f.company(), f.MARCH, [st], [])
    lines = load_workbook(target)["Statement lines"]
    assert (
        lines.cell(2, column(lines, "Customer")).value
        == "Acme\N{REPLACEMENT CHARACTER} Corp\N{REPLACEMENT CHARACTER}"
    )


def test_an_open_month_is_a_draft(tmp_path: Path, demo_closed_through_october: Demo) -> None:
    statements = demo_closed_through_october.statements[OPEN_MONTH]
    assert statements and not any(s.closed for s in statements)
    with pytest.raises(ValueError, match="draft"):
        write(tmp_path, demo_closed_through_october, OPEN_MONTH)
    target, totals = write(tmp_path, demo_closed_through_october, OPEN_MONTH, draft=True)
    wb = load_workbook(target)
    cover = wb["Cover"]
    cells = [c for row in cover.iter_rows() for c in row if c.value is not None]
    banner = next(c for c in cells if c.value == DRAFT_TEXT)
    assert banner.font.color.rgb.endswith("C00000") and banner.font.b
    assert "November 2026" in {c.value for c in cells}
    hash_col = next(c.column for c in cells if c.value == "Statement content hash")
    table_rows = [
        c.row for c in cells if c.column == 1 and c.value in {s.rep_name for s in statements}
    ]
    assert len(table_rows) == totals.reps
    assert all(cover.cell(r, hash_col).value is None for r in table_rows)
    # Cash-trigger deals still awaiting payment are listed, with their totals.
    awaiting = wb["Awaiting payment"]
    assert len(data_rows(awaiting)) == sum(len(s.awaiting) for s in statements) > 0


def test_a_month_without_anything_still_has_its_tables(tmp_path: Path) -> None:
    target = tmp_path / "empty.xlsx"
    totals = payout_workbook(target, f.company(), f.MARCH, [], [], draft=True)
    assert totals == WorkbookTotals(reps=0, net_payout=D(0), earnings=D(0))
    wb = load_workbook(target)
    payouts = wb["Payouts"]
    assert payouts.auto_filter.ref == "A1:S1"
    assert payouts.max_row == 2 and payouts["I2"].value == 0


@pytest.mark.parametrize(
    ("currency", "expected"),
    [
        ("USD", USD),
        ("EUR", '"€"#,##0.00;-"€"#,##0.00'),
        ("GBP", '"£"#,##0.00;-"£"#,##0.00'),
        ("CAD", '"CA$"#,##0.00;-"CA$"#,##0.00'),
        ("CHF", '#,##0.00 "CHF";-#,##0.00 "CHF"'),
    ],
)
def test_money_shows_the_company_currency(tmp_path: Path, currency: str, expected: str) -> None:
    assert currency_format(currency) == expected
    target = tmp_path / f"{currency}.xlsx"
    st = f.statement(3, closed=True)
    payout_workbook(target, f.company(currency=currency), f.MARCH, [st], [])
    payouts = load_workbook(target)["Payouts"]
    assert payouts.cell(2, column(payouts, "Net payout")).number_format == expected
