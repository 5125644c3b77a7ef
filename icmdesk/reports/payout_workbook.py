"""The owner's Excel workbook of a month's payouts: what payroll and the accountant work from.

Six sheets: a cover to match a printed copy to the stored statements (their content
hashes), one row per statement, one row per statement line, the clawbacks, the
commission awaiting payment and the deals closed in the month.

Money goes into the cells as the engine's Decimals (openpyxl writes them as numbers;
Excel keeps doubles, which hold two-decimal amounts exactly enough to read back to the
cent); nothing here computes through a float. Columns of money carry a number format in
the company's currency and, on the money sheets, a bold totals row of SUM formulas.

Text is always stored as text: openpyxl treats a str starting with "=" as a formula, so a
rep or customer named `=HYPERLINK(...)` would become a live formula. Every text cell is
forced to a string cell, and one starting with a character a spreadsheet reads as the
start of a formula (= + - @ tab CR) also gets Excel's quote prefix (the stored form of a
typed leading apostrophe): it shows as typed, and stays text when someone edits it.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Literal

from babel.numbers import get_currency_symbol
from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE, Cell
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from icmdesk.domain.calendar import Month, month_name
from icmdesk.domain.entities import Company, Deal
from icmdesk.domain.statement import LineKind, Statement
from icmdesk.reports import fmt

SHEETS = (
    "Cover",
    "Payouts",
    "Statement lines",
    "Clawbacks",
    "Awaiting payment",
    "Deals of the month",
)
DRAFT_TEXT = "DRAFT — the month is open: these figures can change"
DATE_FORMAT = "yyyy-mm-dd"
DATETIME_FORMAT = "yyyy-mm-dd hh:mm"
PERCENT_FORMAT = "0.00%"
MAX_WIDTH = 60
# What a spreadsheet (or a CSV made from it) may take as the start of a formula (OWASP).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")

_ZERO = Decimal("0.00")
_HUNDRED = Decimal(100)
_BOLD = Font(bold=True)
_RED = Font(bold=True, color="C00000")
_RIGHT = Alignment(horizontal="right")

# Payouts: the earnings of each line kind, in the order a statement lists them.
KIND_COLUMNS: tuple[tuple[LineKind, str], ...] = (
    (LineKind.COMMISSION, "Commission"),
    (LineKind.TRUE_UP, "Tier true-up"),
    (LineKind.BONUS, "Bonus"),
    (LineKind.SPIF, "SPIF"),
    (LineKind.OVERRIDE, "Override"),
    (LineKind.CLAWBACK, "Clawback"),
    (LineKind.ADJUSTMENT, "Adjustment"),
    (LineKind.PRIOR_PERIOD, "Prior-period"),
)

Kind = Literal["text", "money", "date", "percent", "int"]
Value = str | Decimal | date | int | None


@dataclass(frozen=True, slots=True)
class Column:
    header: str
    kind: Kind = "text"
    total: bool = False  # a SUM in the totals row (money columns)
    max_width: int = MAX_WIDTH


@dataclass(frozen=True, slots=True)
class WorkbookTotals:
    """What a payout workbook holds: for "7 reps, net payout $37,236.60"."""

    reps: int
    net_payout: Decimal
    earnings: Decimal


def payout_workbook(
    target: Path,
    company: Company,
    month: Month,
    statements: Sequence[Statement],
    deals: Sequence[Deal],
    *,
    pay_date: date | None = None,
    draft: bool = False,
) -> WorkbookTotals:
    """Write the .xlsx of `month`'s payouts to `target` and say what it holds.

    `statements` are the month's statements (a closed month's stored ones, with their
    content hashes); `deals` the deals closed in the month. `draft` marks figures of an
    open month, which open statements require. The caller writes to a temporary name and
    renames it into place.
    """
    if not draft and any(not s.closed for s in statements):
        raise ValueError("statements of an open month make a draft workbook (draft=True)")
    ordered = sorted(statements, key=lambda s: (s.rep_name.casefold(), s.rep_id))
    totals = WorkbookTotals(
        reps=len(ordered),
        net_payout=sum((s.payout for s in ordered), _ZERO),
        earnings=sum((s.earnings for s in ordered), _ZERO),
    )
    money_format = currency_format(company.currency)

    wb = Workbook()
    cover = wb.active
    assert cover is not None
    cover.title = SHEETS[0]
    _cover(cover, company, month, ordered, totals, money_format, pay_date=pay_date, draft=draft)
    _table(wb.create_sheet(SHEETS[1]), *_payouts(ordered), money_format)
    _table(wb.create_sheet(SHEETS[2]), *_lines(ordered), money_format)
    _table(wb.create_sheet(SHEETS[3]), *_clawbacks(ordered), money_format)
    _table(wb.create_sheet(SHEETS[4]), *_awaiting(ordered), money_format)
    _table(wb.create_sheet(SHEETS[5]), *_deals(deals, ordered), money_format)

    wb.properties.creator = "ICMDesk"
    wb.properties.title = f"{company.name}: payouts for {month_name(month)}"
    # The totals rows are formulas without stored results: have them computed on open.
    wb.calculation.fullCalcOnLoad = True
    wb.save(target)
    return totals


def currency_format(currency: str) -> str:
    """An Excel number format showing the currency: '"$"#,##0.00;-"$"#,##0.00', or the ISO
    code after the number where the currency has no symbol of its own ('#,##0.00 "CHF"')."""
    symbol = get_currency_symbol(currency, locale=fmt.LOCALE).replace('"', "")
    if not symbol or symbol == currency:
        return f'#,##0.00 "{currency}";-#,##0.00 "{currency}"'
    return f'"{symbol}"#,##0.00;-"{symbol}"#,##0.00'


def _cover(
    ws: Worksheet,
    company: Company,
    month: Month,
    statements: Sequence[Statement],
    totals: WorkbookTotals,
    money_format: str,
    *,
    pay_date: date | None,
    draft: bool,
) -> None:
    _put(ws.cell(1, 1), company.name).font = Font(bold=True, size=14)
    _put(ws.cell(2, 1), f"Payouts for {month_name(month)}").font = Font(bold=True, size=12)
    if draft:
        _put(ws.cell(3, 1), DRAFT_TEXT).font = _RED
    facts: list[tuple[str, Value, Kind]] = [
        ("Month", month_name(month), "text"),
        ("Pay date", pay_date, "date"),
        ("Status", "Open (draft)" if draft else "Closed", "text"),
        ("Reps", totals.reps, "int"),
        ("Earnings (E)", totals.earnings, "money"),
        ("Net payout", totals.net_payout, "money"),
    ]
    row = 5
    for label, value, kind in facts:
        if value is None:
            continue
        _put(ws.cell(row, 1), label).font = _BOLD
        _value(ws.cell(row, 2), value, kind, money_format)
        row += 1
    _put(ws.cell(row, 1), "Generated").font = _BOLD
    generated = ws.cell(row, 2, datetime.now().replace(second=0, microsecond=0))
    generated.number_format = DATETIME_FORMAT

    columns = (
        Column("Rep"),
        Column("Payroll ID"),
        Column("Earnings (E)", "money"),
        Column("Net payout", "money"),
        Column("Statement content hash", max_width=70),
    )
    rows = [
        (s.rep_name, s.payroll_id, s.earnings, s.payout, "" if draft else s.content_hash or "")
        for s in statements
    ]
    header = row + 2
    _headers(ws, header, columns)
    for r, values in enumerate(rows, start=header + 1):
        for c, (col, value) in enumerate(zip(columns, values, strict=True), start=1):
            _value(ws.cell(r, c), value, col.kind, money_format)
    note = header + len(rows) + 2
    _put(
        ws.cell(note, 1),
        "Blank hashes: the month is open."
        if draft
        else "Each hash is the content hash of the rep's stored statement, printed at the "
        "foot of the statement PDF.",
    )
    widths = _widths(columns, rows, money_format)
    widths[0] = max(widths[0], 14)  # the labels above the table
    widths[1] = max(widths[1], 18)  # the generated-at timestamp
    _set_widths(ws, widths)
    _print_setup(ws)


def _payouts(statements: Sequence[Statement]) -> tuple[tuple[Column, ...], list[list[Value]]]:
    columns = (
        Column("Rep"),
        Column("Payroll ID"),
        Column("Role"),
        Column("Plan"),
        Column("Earnings (E)", "money", total=True),
        Column("Draw (D)", "money", total=True),
        Column("Balance before (B)", "money", total=True),
        Column("Recovery (R)", "money", total=True),
        Column("Net payout", "money", total=True),
        Column("Balance after", "money", total=True),
        Column("YTD earnings", "money", total=True),
        *(Column(title, "money", total=True) for _, title in KIND_COLUMNS),
    )
    rows: list[list[Value]] = []
    for s in statements:
        by_kind = dict.fromkeys(LineKind, _ZERO)
        for line in s.lines:
            by_kind[line.kind] += line.amount
        rows.append(
            [
                s.rep_name,
                s.payroll_id,
                s.role_name,
                s.plan_name,
                s.earnings,
                s.draw,
                s.balance_before,
                s.recovery,
                s.payout,
                s.balance_after,
                s.ytd_earnings,
                *(by_kind[kind] for kind, _ in KIND_COLUMNS),
            ]
        )
    return columns, rows


def _lines(statements: Sequence[Statement]) -> tuple[tuple[Column, ...], list[list[Value]]]:
    columns = (
        Column("Rep"),
        Column("Kind"),
        Column("Deal"),
        Column("Customer"),
        Column("Close date", "date"),
        Column("Credited amount", "money"),
        Column("Split %", "percent"),
        Column("Rule"),
        Column("Earned on", "date"),
        Column("Description"),
        Column("Amount", "money", total=True),
    )
    rows: list[list[Value]] = [
        [
            s.rep_name,
            line.kind.title,
            line.deal_id,
            line.customer,
            line.close_date,
            line.credited_amount,
            None if line.split_pct is None else line.split_pct / _HUNDRED,
            line.rule,
            line.earned_on,
            line.description,
            line.amount,
        ]
        for s in statements
        for line in s.lines
    ]
    return columns, rows


def _clawbacks(statements: Sequence[Statement]) -> tuple[tuple[Column, ...], list[list[Value]]]:
    columns = (
        Column("Rep"),
        Column("Deal"),
        Column("Customer"),
        Column("Deal amount", "money"),
        Column("Closed", "date"),
        Column("Cancelled", "date"),
        Column("Reason"),
        Column("Days after close", "int"),
        Column("Factor"),
        Column("Originally earned", "money", total=True),
        Column("Clawed back", "money", total=True),
    )
    rows: list[list[Value]] = [
        [
            n.rep_name,
            n.deal_id,
            n.customer,
            n.deal_amount,
            n.close_date,
            n.cancellation_date,
            n.reason,
            n.days_after_close,
            n.factor_text,
            n.originally_earned,
            n.clawed_back,
        ]
        for s in statements
        for n in s.notices
    ]
    return columns, rows


def _awaiting(statements: Sequence[Statement]) -> tuple[tuple[Column, ...], list[list[Value]]]:
    columns = (
        Column("Rep"),
        Column("Deal"),
        Column("Customer"),
        Column("Closed", "date"),
        Column("Booked", "money", total=True),
        Column("Earned to date", "money", total=True),
        Column("Awaiting", "money", total=True),
    )
    rows: list[list[Value]] = [
        [s.rep_name, a.deal_id, a.customer, a.close_date, a.booked, a.earned_to_date, a.awaiting]
        for s in statements
        for a in s.awaiting
    ]
    return columns, rows


def _deals(
    deals: Sequence[Deal], statements: Sequence[Statement]
) -> tuple[tuple[Column, ...], list[list[Value]]]:
    columns = (
        Column("Deal"),
        Column("Name"),
        Column("Customer"),
        Column("Amount", "money", total=True),
        Column("Close date", "date"),
        Column("Type"),
        Column("Credited reps"),
        Column("Cancelled on", "date"),
    )
    # Reps are named from the month's statements; a credited rep without one (not employed
    # in the month) shows by id.
    names = {s.rep_id: s.rep_name for s in statements}
    rows: list[list[Value]] = [
        [
            d.external_id,
            d.name,
            d.customer,
            d.amount,
            d.close_date,
            d.deal_type,
            ", ".join(
                f"{names.get(c.rep_id, f'rep #{c.rep_id}')} {fmt.percent(c.split_pct)}"
                for c in d.credits
            ),
            d.cancellation_date,
        ]
        for d in sorted(deals, key=lambda d: (d.close_date, d.external_id))
    ]
    return columns, rows


def _table(
    ws: Worksheet,
    columns: Sequence[Column],
    rows: Sequence[Sequence[Value]],
    money_format: str,
) -> None:
    """A header row (bold, frozen, filtered), the rows, and a totals row of SUM formulas
    under the money columns marked for one."""
    _headers(ws, 1, columns)
    for r, values in enumerate(rows, start=2):
        for c, (col, value) in enumerate(zip(columns, values, strict=True), start=1):
            _value(ws.cell(r, c), value, col.kind, money_format)
    last = len(rows) + 1
    if any(col.total for col in columns):
        total_row = last + 1
        _put(ws.cell(total_row, 1), f"Total ({len(rows)} rows)").font = _BOLD
        for c, col in enumerate(columns, start=1):
            if not col.total:
                continue
            letter = get_column_letter(c)
            # No rows: a SUM over none would have to name the header or itself.
            cell = ws.cell(total_row, c, f"=SUM({letter}2:{letter}{last})" if rows else _ZERO)
            cell.number_format = money_format
            cell.font = _BOLD
    ws.freeze_panes = "A2"
    ws.auto_filter.ref = f"A1:{get_column_letter(len(columns))}{last}"
    _set_widths(ws, _widths(columns, rows, money_format))
    _print_setup(ws)
    ws.print_title_rows = "1:1"


def _headers(ws: Worksheet, row: int, columns: Sequence[Column]) -> None:
    for c, col in enumerate(columns, start=1):
        cell = _put(ws.cell(row, c), col.header)
        cell.font = _BOLD
        if col.kind != "text":  # over the numbers, which Excel aligns right
            cell.alignment = _RIGHT


def _value(cell: Cell, value: Value, kind: Kind, money_format: str) -> None:
    if value is None:
        return
    if isinstance(value, str):
        _put(cell, value)
        return
    cell.value = value
    if kind == "money":
        cell.number_format = money_format
    elif kind == "date":
        cell.number_format = DATE_FORMAT
    elif kind == "percent":
        cell.number_format = PERCENT_FORMAT


def _put(cell: Cell, text: str) -> Cell:
    """Store `text` as a text cell, never a formula (see the module's docstring)."""
    # Control characters (from a CRM export) cannot be stored in a worksheet.
    text = ILLEGAL_CHARACTERS_RE.sub("\N{REPLACEMENT CHARACTER}", text)
    cell.value = text
    cell.data_type = "s"  # openpyxl made "=..." a formula
    if text.startswith(FORMULA_STARTS):
        cell.quotePrefix = True
    return cell


def _widths(
    columns: Sequence[Column], rows: Iterable[Sequence[Value]], money_format: str
) -> list[int]:
    """Each column's width in characters: its longest text as shown, capped."""
    extra = len(money_format.split(";")[0].replace("#,##0.00", "").replace('"', ""))
    longest = [len(col.header) + 3 for col in columns]  # room for the filter button
    for values in rows:
        for i, (col, value) in enumerate(zip(columns, values, strict=True)):
            longest[i] = max(longest[i], _shown_length(value, col.kind, extra))
    # The totals row's sums can be a few digits longer than any one amount.
    return [
        min(col.max_width, n + (4 if col.total else 2))
        for col, n in zip(columns, longest, strict=True)
    ]


def _shown_length(value: Value, kind: Kind, money_extra: int) -> int:
    if value is None:
        return 0
    if isinstance(value, str):
        return max((len(part) for part in value.splitlines()), default=0)
    if isinstance(value, date):
        return len("yyyy-mm-dd")
    if isinstance(value, Decimal):
        if kind == "percent":
            return len(f"{value * _HUNDRED:.2f}%")
        if kind == "money":
            return len(f"{value:,.2f}") + money_extra
    return len(str(value))


def _set_widths(ws: Worksheet, widths: Sequence[int]) -> None:
    for c, width in enumerate(widths, start=1):
        ws.column_dimensions[get_column_letter(c)].width = width


def _print_setup(ws: Worksheet) -> None:
    ws.page_setup.orientation = "landscape"
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True
