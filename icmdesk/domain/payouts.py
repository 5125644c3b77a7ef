"""What a month's statements pay, in the layouts payroll and bookkeeping take.

`payout_rows` reads each rep's statement into the parts of their pay: the earnings by
kind of line (their sum is E), what the draw adds to them and what the balance recovers,
so that the parts always add up to the net payout (COMP_RULES "Net earnings, draws and
the balance"): `payout = E + draw − recovery`, where `draw` is `D − E` in a month the
draw pays (E < D) and 0 otherwise, and `recovery` is R.

Each layout (`LAYOUTS`) turns those rows into a header and rows of cells: text, Decimal
amounts and dates, written by `csv_text` with the layout's date format, amounts as plain
numbers with two decimals, and every text cell neutralised against spreadsheet formula
injection (`neutral`). docs/exporting.md documents every column.

Payroll layouts pay earnings, never a negative amount: in a month the draw pays, the
whole payout is the draw; otherwise the payout is commission, of which the month's
bonuses and SPIFs (up to the payout) are the bonus.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Callable, Mapping, Sequence
from dataclasses import asdict, dataclass, fields
from datetime import date
from decimal import Decimal
from typing import Any

from icmdesk.domain.calendar import Month, month_name
from icmdesk.domain.entities import PayoutSettings, PayrollProvider, Rep
from icmdesk.domain.money import ZERO
from icmdesk.domain.statement import LineKind, Statement

Cell = str | Decimal | date | None

# Line kinds in the order the files list them, with their column names.
PART_COLUMNS: tuple[tuple[LineKind, str], ...] = (
    (LineKind.COMMISSION, "commission"),
    (LineKind.TRUE_UP, "true_up"),
    (LineKind.BONUS, "bonus"),
    (LineKind.SPIF, "spif"),
    (LineKind.OVERRIDE, "override"),
    (LineKind.CLAWBACK, "clawback"),
    (LineKind.ADJUSTMENT, "adjustment"),
    (LineKind.PRIOR_PERIOD, "prior_period"),
)


@dataclass(frozen=True, slots=True)
class PayoutRow:
    """One rep's pay for the month, in parts that add up to `payout`."""

    rep_id: int
    rep_name: str
    first_name: str
    last_name: str
    email: str
    payroll_id: str
    month: Month
    pay_date: date
    payout: Decimal
    earnings: Decimal  # E: the sum of `parts`
    parts: Mapping[LineKind, Decimal]
    draw: Decimal  # what the draw adds to E (D − E when E < D, else 0)
    recovery: Decimal  # R, recovered from the balance (a positive number)

    @property
    def draw_month(self) -> bool:
        """The draw pays this month: the whole payout is the draw."""
        return self.draw != ZERO

    @property
    def bonus(self) -> Decimal:
        """The bonus a payroll layout pays: the month's bonuses and SPIFs, within the payout."""
        if self.draw_month:
            return ZERO
        earned = self.parts.get(LineKind.BONUS, ZERO) + self.parts.get(LineKind.SPIF, ZERO)
        return min(max(earned, ZERO), self.payout)

    @property
    def commission(self) -> Decimal:
        """The rest of the payout, paid as commission (zero in a draw month)."""
        return ZERO if self.draw_month else self.payout - self.bonus


def pay_date(month: Month, settings: PayoutSettings) -> date:
    """When a month's payouts are paid: the pay day of the month `pay_months_after` later
    (its last day when the pay day is past it)."""
    paid_in = month.plus(settings.pay_months_after)
    return paid_in.first_day.replace(day=min(settings.pay_day, paid_in.last_day.day))


def split_name(name: str) -> tuple[str, str]:
    """First and last name as payroll systems ask for them: the last word is the last
    name ("Zoë O'Brien" → "Zoë", "O'Brien"); one word is a first name."""
    words = name.split()
    if len(words) < 2:
        return name.strip(), ""
    return " ".join(words[:-1]), words[-1]


def payout_rows(
    statements: Sequence[Statement], reps: Mapping[int, Rep], settings: PayoutSettings
) -> list[PayoutRow]:
    """The month's pay per rep: every statement with a payout or a part that is not zero,
    in the statements' order."""
    rows = []
    for s in statements:
        parts: dict[LineKind, Decimal] = {}
        for line in s.lines:
            parts[line.kind] = parts.get(line.kind, ZERO) + line.amount
        draw = s.payout - s.earnings + s.recovery
        if s.payout == ZERO and draw == ZERO and s.recovery == ZERO and not any(parts.values()):
            continue
        rep = reps.get(s.rep_id)
        first, last = split_name(s.rep_name)
        rows.append(
            PayoutRow(
                rep_id=s.rep_id,
                rep_name=s.rep_name,
                first_name=first,
                last_name=last,
                email=rep.email if rep else "",
                # As the rep has it now: an id added after the month closed is the one
                # payroll knows.
                payroll_id=rep.payroll_id if rep else s.payroll_id,
                month=s.month,
                pay_date=pay_date(s.month, settings),
                payout=s.payout,
                earnings=s.earnings,
                parts=parts,
                draw=draw,
                recovery=s.recovery,
            )
        )
    return rows


# -- layouts --------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Table:
    """A file's content: its header, its rows, and how its dates are written."""

    header: tuple[str, ...]
    rows: tuple[tuple[Cell, ...], ...]
    date_format: str = "%Y-%m-%d"


@dataclass(frozen=True, slots=True)
class Layout:
    key: str
    title: str
    build: Callable[[Sequence[PayoutRow], PayoutSettings, Month], Table]
    needs_payroll_id: bool = False
    journal: bool = False  # a bookkeeping entry rather than a payroll file


def _blank_if_zero(amount: Decimal) -> Decimal | None:
    return None if amount == ZERO else amount


def generic(rows: Sequence[PayoutRow], _settings: PayoutSettings, _month: Month) -> Table:
    header = (
        "payroll_id",
        "rep_name",
        "email",
        "period",
        "pay_date",
        "net_payout",
        *(name for _kind, name in PART_COLUMNS),
        "draw",
        "recovery",
    )
    return Table(
        header,
        tuple(
            (
                r.payroll_id,
                r.rep_name,
                r.email,
                str(r.month),
                r.pay_date,
                r.payout,
                *(r.parts.get(kind, ZERO) for kind, _name in PART_COLUMNS),
                r.draw,
                -r.recovery,
            )
            for r in rows
        ),
    )


def gusto(rows: Sequence[PayoutRow], _settings: PayoutSettings, month: Month) -> Table:
    # Gusto's CSV upload: a blank leaves what is entered in the payroll as it is, a zero
    # replaces it, so amounts ICMDesk does not pay are blank.
    header = ("first_name", "last_name", "gusto_employee_id", "bonus", "commission",
              "personal_note")  # fmt: skip
    note = f"Commission statement {month_name(month)}"
    return Table(
        header,
        tuple(
            (
                r.first_name,
                r.last_name,
                r.payroll_id,
                _blank_if_zero(r.bonus),
                _blank_if_zero(r.payout if r.draw_month else r.commission),
                note + (" (draw)" if r.draw_month else ""),
            )
            for r in rows
            if r.payout != ZERO
        ),
    )


def adp(rows: Sequence[PayoutRow], settings: PayoutSettings, _month: Month) -> Table:
    header = ("Co Code", "Batch ID", "File #", "Earnings 3 Code", "Earnings 3 Amount")
    out: list[tuple[Cell, ...]] = []
    for r in rows:
        for code, amount in (
            (settings.commission_code, r.commission),
            (settings.bonus_code, r.bonus),
            (settings.draw_code, r.payout if r.draw_month else ZERO),
        ):
            if amount != ZERO:
                out.append((settings.adp_company_code, settings.adp_batch_id, r.payroll_id,
                            code, amount))  # fmt: skip
    return Table(header, tuple(out))


@dataclass(frozen=True, slots=True)
class JournalLine:
    account: str
    amount: Decimal  # positive: a debit; negative: a credit
    description: str


def journal_lines(
    rows: Sequence[PayoutRow], settings: PayoutSettings, month: Month
) -> list[JournalLine]:
    """The month's commission entry, per rep: the expense (E) and what the draw advanced
    debited, what the balance recovered and the payout credited. Every rep's lines
    balance, so the entry does."""
    name = month_name(month)
    lines = []
    for r in rows:
        for account, amount, what in (
            (settings.expense_account, r.earnings, "commission earned"),
            (settings.draw_account, r.draw, "draw paid beyond earnings"),
            (settings.draw_account, -r.recovery, "draw balance recovered"),
            (settings.payable_account, -r.payout, "net payout"),
        ):
            if amount != ZERO:
                lines.append(JournalLine(account, amount, f"{r.rep_name}: {what}, {name}"))
    return lines


def quickbooks(rows: Sequence[PayoutRow], settings: PayoutSettings, month: Month) -> Table:
    header = ("JournalNo", "JournalDate", "AccountName", "Debits", "Credits", "Description",
              "Name")  # fmt: skip
    number = f"ICM-{month}"
    day = month.last_day  # the expense belongs to the month it was earned in
    return Table(
        header,
        tuple(
            (
                number,
                day,
                line.account,
                line.amount if line.amount > ZERO else None,
                -line.amount if line.amount < ZERO else None,
                line.description,
                "",
            )
            for line in journal_lines(rows, settings, month)
        ),
        date_format="%m/%d/%Y",
    )


def xero(rows: Sequence[PayoutRow], settings: PayoutSettings, month: Month) -> Table:
    header = ("*Narration", "*Date", "Description", "*AccountCode", "*TaxRate", "*Amount")
    narration = f"Commissions {month_name(month)} (ICMDesk)"
    return Table(
        header,
        tuple(
            (
                narration,
                month.last_day,
                line.description,
                line.account,
                settings.xero_tax_rate,
                line.amount,
            )
            for line in journal_lines(rows, settings, month)
        ),
        date_format="%d %b %Y",
    )


LAYOUTS: dict[str, Layout] = {
    layout.key: layout
    for layout in (
        Layout("generic", "Payroll CSV (every part of the pay)", generic),
        Layout("gusto", "Gusto payroll upload", gusto),
        Layout("adp", "ADP earnings import", adp, needs_payroll_id=True),
        Layout("quickbooks", "QuickBooks journal entry", quickbooks, journal=True),
        Layout("xero", "Xero manual journal", xero, journal=True),
    )
}
PROVIDER_LAYOUT = {
    PayrollProvider.GENERIC: "generic",
    PayrollProvider.GUSTO: "gusto",
    PayrollProvider.ADP: "adp",
}


# -- writing --------------------------------------------------------------------------------

_FORMULA_LEADS = ("=", "+", "-", "@", "\t", "\r")


def neutral(text: str) -> str:
    """Text as a spreadsheet will show it and never run it (OWASP, CSV injection): a cell
    starting with =, +, -, @, a tab or a carriage return gets a leading apostrophe.
    Amounts are written as numbers, never through this."""
    return "'" + text if text.startswith(_FORMULA_LEADS) else text


def cell_text(cell: Cell, date_format: str) -> str:
    if cell is None:
        return ""
    if isinstance(cell, Decimal):
        return f"{cell:.2f}"
    if isinstance(cell, date):
        return cell.strftime(date_format)
    return neutral(cell)


def csv_text(table: Table) -> str:
    """The table as CSV: a header, comma-separated, quoted where needed, CRLF line ends
    (what Excel and the payroll importers write)."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(table.header)
    for row in table.rows:
        writer.writerow([cell_text(c, table.date_format) for c in row])
    return out.getvalue()


def total_payout(rows: Sequence[PayoutRow]) -> Decimal:
    return sum((r.payout for r in rows), ZERO)


# -- settings as stored (company.payout_settings, the company document) ---------------------


def settings_to_json(settings: PayoutSettings) -> dict[str, Any]:
    data = asdict(settings)
    data["provider"] = settings.provider.value
    return data


def settings_from_json(data: object) -> PayoutSettings:
    """Settings from their JSON object: a missing key takes its default; raises ValueError
    naming a key of the wrong kind or an unknown one."""
    if data is None:
        return PayoutSettings()
    if isinstance(data, str):
        data = json.loads(data) if data.strip() else {}
    if not isinstance(data, Mapping):
        raise ValueError("payouts: an object expected")
    defaults = PayoutSettings()
    known = {f.name for f in fields(PayoutSettings)}
    unknown = set(data) - known
    if unknown:
        raise ValueError(f"payouts: no setting {', '.join(sorted(unknown))}")
    values: dict[str, Any] = {}
    for name in known & set(data):
        value, default = data[name], getattr(defaults, name)
        if name == "provider":
            try:
                values[name] = PayrollProvider(value)
            except ValueError:
                choices = ", ".join(p.value for p in PayrollProvider)
                raise ValueError(f"payouts.provider: one of {choices}") from None
        elif isinstance(default, int):
            if not isinstance(value, int) or isinstance(value, bool):
                raise ValueError(f"payouts.{name}: a whole number expected")
            values[name] = value
        else:
            if not isinstance(value, str):
                raise ValueError(f"payouts.{name}: text expected")
            values[name] = value
    return PayoutSettings(**values)
