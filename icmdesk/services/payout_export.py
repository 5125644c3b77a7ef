"""Payouts out: a month's payroll file, bookkeeping journal or workbook.

`prepare` reads a month's statements (a closed month's exactly as stored) into the
layout asked for (domain.payouts) and says what stands in the way of writing it (reps
without the payroll id the layout needs, a missing ADP company code). `write` writes it:
to a temporary file beside the target, readable by its owner only (0600), synced, then
renamed over the target, so a file is never left half-written. An open month is refused
unless asked for (`allow_open`): its file is then a draft, and its name says DRAFT.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from pathlib import Path

from sqlalchemy import select

from icmdesk.domain.calendar import Month, month_name
from icmdesk.domain.engine.fmt import fmt_money
from icmdesk.domain.entities import Company, Deal, PeriodStatus
from icmdesk.domain.payouts import (
    LAYOUTS,
    PayoutRow,
    Table,
    csv_text,
    pay_date,
    payout_rows,
    total_payout,
)
from icmdesk.domain.statement import Statement
from icmdesk.models.database import CompanyFile
from icmdesk.models.tables import PeriodRow
from icmdesk.services import periods, store

WORKBOOK = "xlsx"
FORMATS: tuple[str, ...] = (*LAYOUTS, WORKBOOK)
TITLES = {**{k: v.title for k, v in LAYOUTS.items()}, WORKBOOK: "Excel workbook (for the owner)"}
SUFFIXES = {WORKBOOK: ".xlsx"}


class ExportRefused(Exception):
    """The file cannot be written as asked; `code` for programs, the text for people."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


@dataclass(frozen=True)
class PayoutExport:
    """A month's payouts in one layout, ready to write."""

    company: Company
    month: Month
    format: str
    closed: bool
    rows: tuple[PayoutRow, ...]
    statements: tuple[Statement, ...]
    table: Table | None  # None for the workbook
    problems: tuple[str, ...]  # what stops it being written (said before anything is)

    @property
    def title(self) -> str:
        return TITLES[self.format]

    @property
    def draft(self) -> bool:
        return not self.closed

    @property
    def total(self) -> Decimal:
        return total_payout(self.rows)

    @property
    def summary(self) -> str:
        """'7 reps, net payout $37,236.60'."""
        n = len(self.rows)
        money = fmt_money(self.total, self.company.currency)
        return f"{n} rep{'' if n == 1 else 's'}, net payout {money}"

    @property
    def pay_date(self) -> date:
        return pay_date(self.month, self.company.payouts)

    def suggested_name(self) -> str:
        """'payroll-gusto-2026-11.csv' (with DRAFT for an open month)."""
        kind = "payouts" if self.format == WORKBOOK else f"payroll-{self.format}"
        if self.format in ("quickbooks", "xero"):
            kind = f"journal-{self.format}"
        draft = "-DRAFT" if self.draft else ""
        return f"{kind}-{self.month}{draft}{SUFFIXES.get(self.format, '.csv')}"


@dataclass(frozen=True)
class ExportResult:
    path: Path
    summary: str
    draft: bool


def prepare(cf: CompanyFile, month: Month, fmt: str, *, allow_open: bool = False) -> PayoutExport:
    """A month's payouts in layout `fmt`. Raises ExportRefused for an open month (unless
    `allow_open`) or an unknown layout."""
    if fmt not in FORMATS:
        raise ExportRefused("format", f"There is no layout {fmt!r} ({', '.join(FORMATS)}).")
    with cf.session() as session:
        status = session.scalar(select(PeriodRow.status).where(PeriodRow.month == month))
        company = store.load_company(session)
        reps = {r.id: r for r in store.load_reps(session)}
    closed = status == PeriodStatus.CLOSED.value
    if not closed and not allow_open:
        raise ExportRefused(
            "open",
            f"{month_name(month)} is open: its statements can still change. Close it first "
            "(payroll is paid from closed months), or export a draft.",
        )
    statements = periods.compute(cf, month)
    settings = company.payouts
    rows = tuple(payout_rows(statements, reps, settings))
    problems: list[str] = []
    table = None
    if fmt != WORKBOOK:
        layout = LAYOUTS[fmt]
        if layout.needs_payroll_id:
            missing = [r.rep_name for r in rows if not r.payroll_id.strip()]
            if missing:
                problems.append(
                    f"{layout.title} needs each rep's payroll id (ADP's file number); "
                    f"missing for {', '.join(missing)}. Add them in Reps."
                )
        if fmt == "adp" and not settings.adp_company_code.strip():
            problems.append("Set the ADP company code (Co Code) in Settings ▸ Payouts first.")
        table = layout.build(rows, settings, month)
    return PayoutExport(company, month, fmt, closed, rows, statements, table, tuple(problems))


def write(cf: CompanyFile, export: PayoutExport, out: Path) -> ExportResult:
    """Write `export` to `out` (a draft's name gets DRAFT in it if it lacks it)."""
    if export.problems:
        raise ExportRefused("missing", " ".join(export.problems))
    out = Path(out)
    if export.draft and "draft" not in out.name.casefold():
        out = out.with_name(f"{out.stem}-DRAFT{out.suffix}")
    if not out.parent.is_dir():
        raise ExportRefused("folder", f"The folder {out.parent} does not exist.")
    if export.format == WORKBOOK:
        deals = _deals_of(cf, export.month)

        def fill(tmp: Path) -> None:
            from icmdesk.reports.payout_workbook import payout_workbook

            payout_workbook(
                tmp,
                export.company,
                export.month,
                export.statements,
                deals,
                pay_date=export.pay_date,
                draft=export.draft,
            )

        _write_private(out, fill)
    else:
        assert export.table is not None
        data = csv_text(export.table).encode("utf-8")
        _write_private(out, lambda tmp: tmp.write_bytes(data))
    return ExportResult(out, export.summary, export.draft)


def export_payroll(
    cf: CompanyFile, month: Month, fmt: str, out: Path, *, allow_open: bool = False
) -> ExportResult:
    """`prepare` then `write`: the command line's export-payroll."""
    return write(cf, prepare(cf, month, fmt, allow_open=allow_open), out)


def _deals_of(cf: CompanyFile, month: Month) -> tuple[Deal, ...]:
    with cf.session() as session:
        return store.load_deals_closed_in(session, [(month.first_day, month.last_day)])


def _write_private(out: Path, fill: Callable[[Path], None]) -> None:
    """Write through `fill` to a temporary file beside `out` (created 0600: payouts are
    nobody else's business), sync it, and rename it over `out`; nothing is left behind
    when anything fails."""
    fd, name = tempfile.mkstemp(prefix=f".{out.name}.", suffix=".part", dir=out.parent)
    os.close(fd)
    tmp = Path(name)
    try:
        fill(tmp)
        os.chmod(tmp, 0o600)
        with open(tmp, "rb+") as f:
            os.fsync(f.fileno())
        os.replace(tmp, out)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
