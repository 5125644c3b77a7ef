"""Payouts out: each layout's header and a row cell by cell, totals equal to the
statements' to the cent in every closed demo month, formula injection neutralised,
files written whole and private, open months refused unless a draft is asked for."""

from __future__ import annotations

import csv
import dataclasses
import io
import shutil
import stat
from collections.abc import Iterator
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest

from icmdesk.cli import main
from icmdesk.domain.calendar import Month, months_between
from icmdesk.domain.entities import PayoutSettings
from icmdesk.domain.money import ZERO
from icmdesk.domain.payouts import (
    LAYOUTS,
    cell_text,
    journal_lines,
    neutral,
    pay_date,
    payout_rows,
    settings_from_json,
    settings_to_json,
    split_name,
)
from icmdesk.domain.statement import LineKind
from icmdesk.models.database import CompanyFile
from icmdesk.services import company_io, payout_export, periods, records

FIRST, LAST = Month(2025, 11), Month(2026, 10)  # the demo company's months


@pytest.fixture(scope="module")
def closed_demo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The demo company with every month closed (made once; each test copies it)."""
    path = tmp_path_factory.mktemp("closed") / "demo.icmdesk"
    cf = company_io.write_demo(path)
    periods.close_through(cf, LAST)
    cf.close()
    return path


@pytest.fixture
def cf(closed_demo: Path, tmp_path: Path) -> Iterator[CompanyFile]:
    copy = tmp_path / "demo.icmdesk"
    shutil.copy(closed_demo, copy)
    company_file = CompanyFile.open(copy)
    yield company_file
    company_file.close()


def with_settings(cf: CompanyFile, **changes: object) -> None:
    company = records.get_company(cf)
    records.update_company(
        cf, dataclasses.replace(company, payouts=dataclasses.replace(company.payouts, **changes))
    )


def text_of(path: Path) -> str:
    with path.open(encoding="utf-8", newline="") as f:  # a CR inside a cell stays a CR
        return f.read()


def read(path: Path) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(text_of(path))))


def test_the_parts_add_up_to_the_payout_in_every_month(cf: CompanyFile) -> None:
    for month in months_between(FIRST, LAST):
        statements = periods.compute(cf, month)
        rows = payout_rows(statements, {}, PayoutSettings())
        paid = {s.rep_id: s.payout for s in statements}
        for r in rows:
            assert r.earnings == sum(r.parts.values(), ZERO)
            assert r.earnings + r.draw - r.recovery == r.payout == paid[r.rep_id]
            assert r.bonus + r.commission + (r.payout if r.draw_month else ZERO) == r.payout
            assert min(r.bonus, r.commission) >= ZERO
        assert sum(paid.values(), ZERO) == sum((r.payout for r in rows), ZERO)


@pytest.mark.parametrize("fmt", ["generic", "gusto", "adp", "quickbooks", "xero"])
def test_every_file_pays_what_the_statements_pay_to_the_cent_in_every_month(
    cf: CompanyFile, tmp_path: Path, fmt: str
) -> None:
    with_settings(cf, adp_company_code="NWI")
    for month in months_between(FIRST, LAST):
        expected = sum((s.payout for s in periods.compute(cf, month)), ZERO)
        result = payout_export.export_payroll(cf, month, fmt, tmp_path / f"{fmt}-{month}.csv")
        rows = read(result.path)
        if fmt == "generic":
            paid = sum((Decimal(r["net_payout"]) for r in rows), ZERO)
        elif fmt == "gusto":
            paid = sum((Decimal(r[c]) for r in rows for c in ("bonus", "commission") if r[c]), ZERO)
        elif fmt == "adp":
            paid = sum((Decimal(r["Earnings 3 Amount"]) for r in rows), ZERO)
        elif fmt == "quickbooks":
            payable = [r for r in rows if r["AccountName"] == "Commissions Payable"]
            paid = sum(Decimal(r["Credits"] or 0) - Decimal(r["Debits"] or 0) for r in payable)
            debits = sum((Decimal(r["Debits"] or 0) for r in rows), ZERO)
            assert debits == sum((Decimal(r["Credits"] or 0) for r in rows), ZERO)  # balanced
        else:
            payable = [r for r in rows if r["*AccountCode"] == "Commissions Payable"]
            paid = -sum((Decimal(r["*Amount"]) for r in payable), ZERO)
            assert sum((Decimal(r["*Amount"]) for r in rows), ZERO) == ZERO  # balanced
        assert paid == expected, month
        assert f"net payout ${expected:,.2f}" in result.summary


def test_the_generic_layout_cell_by_cell(cf: CompanyFile, tmp_path: Path) -> None:
    out = payout_export.export_payroll(cf, LAST, "generic", tmp_path / "p.csv").path
    lines = out.read_bytes().split(b"\r\n")
    assert lines[0] == (
        b"payroll_id,rep_name,email,period,pay_date,net_payout,commission,true_up,bonus,spif,"
        b"override,clawback,adjustment,prior_period,draw,recovery"
    )
    statement = next(s for s in periods.compute(cf, LAST) if s.rep_name == "Maya Okafor")
    row = next(r for r in read(out) if r["rep_name"] == "Maya Okafor")
    assert row["payroll_id"] == statement.payroll_id
    assert row["email"] == "maya.okafor@northwind-instruments.com"
    assert (row["period"], row["pay_date"]) == ("2026-10", "2026-11-15")
    assert row["net_payout"] == f"{statement.payout:.2f}"
    by_kind = {k: sum((x.amount for x in statement.lines if x.kind is k), ZERO) for k in LineKind}
    assert row["override"] == f"{by_kind[LineKind.OVERRIDE]:.2f}"
    assert row["clawback"] == f"{by_kind[LineKind.CLAWBACK]:.2f}"
    assert row["recovery"] == f"{-statement.recovery:.2f}"


def test_the_gusto_layout_leaves_blank_what_it_does_not_pay(
    cf: CompanyFile, tmp_path: Path
) -> None:
    out = payout_export.export_payroll(cf, LAST, "gusto", tmp_path / "g.csv").path
    assert out.read_text(encoding="utf-8").splitlines()[0] == (
        "first_name,last_name,gusto_employee_id,bonus,commission,personal_note"
    )
    row = next(r for r in read(out) if r["last_name"] == "O'Brien")
    assert row["first_name"] == "Zoë"
    assert row["bonus"] == ""  # nothing: blank, not 0.00 (a zero would overwrite Gusto's)
    assert row["personal_note"] == "Commission statement October 2026"


def test_the_adp_layout_needs_payroll_ids_and_the_company_code(
    cf: CompanyFile, tmp_path: Path
) -> None:
    export = payout_export.prepare(cf, LAST, "adp")
    assert export.problems == ("Set the ADP company code (Co Code) in Settings ▸ Payouts first.",)
    with pytest.raises(payout_export.ExportRefused):
        payout_export.write(cf, export, tmp_path / "adp.csv")
    assert not (tmp_path / "adp.csv").exists()
    with_settings(cf, adp_company_code="NWI", adp_batch_id="OCT26")
    maya = records.get_rep(cf, 1)
    records.save_rep(cf, dataclasses.replace(maya, payroll_id=""))
    (problem,) = payout_export.prepare(cf, LAST, "adp").problems
    assert "missing for Maya Okafor" in problem
    records.save_rep(cf, maya)
    out = payout_export.export_payroll(cf, LAST, "adp", tmp_path / "adp.csv").path
    first = out.read_text(encoding="utf-8").splitlines()[:2]
    assert first[0] == "Co Code,Batch ID,File #,Earnings 3 Code,Earnings 3 Amount"
    assert first[1].startswith("NWI,OCT26,NW-0108,C,")


def test_the_journal_balances_per_rep_and_dates_the_month_end(
    cf: CompanyFile, tmp_path: Path
) -> None:
    rows = payout_rows(periods.compute(cf, LAST), {}, PayoutSettings())
    lines = journal_lines(rows, PayoutSettings(), LAST)
    for r in rows:
        mine = [x.amount for x in lines if x.description.startswith(f"{r.rep_name}:")]
        assert sum(mine, ZERO) == ZERO
    out = payout_export.export_payroll(cf, LAST, "quickbooks", tmp_path / "q.csv").path
    row = read(out)[0]
    assert (row["JournalNo"], row["JournalDate"]) == ("ICM-2026-10", "10/31/2026")
    assert row["AccountName"] == "Commission Expense"
    out = payout_export.export_payroll(cf, LAST, "xero", tmp_path / "x.csv").path
    row = read(out)[0]
    assert (row["*Date"], row["*TaxRate"]) == ("31 Oct 2026", "Tax Exempt")


@pytest.mark.parametrize(
    "name",
    ['=HYPERLINK("http://evil.example","click")', "+1 555", "-Ann", "@SUM(A1)", "\tTab", "\rCR"],
)
def test_formula_injection_is_neutralised_in_every_text_field_and_amounts_stay_numbers(
    cf: CompanyFile, tmp_path: Path, name: str
) -> None:
    with_settings(cf, adp_company_code="NWI", expense_account="=cmd|' /C calc'!A0")
    rep = records.get_rep(cf, 2)  # Daniel Reyes: a clawback, so a negative part
    records.save_rep(cf, dataclasses.replace(rep, name=name + " X", email="=1+1@x.example"))
    periods.reopen(cf, LAST)
    periods.close(cf, LAST)
    for fmt in LAYOUTS:
        text = text_of(payout_export.export_payroll(cf, LAST, fmt, tmp_path / f"{fmt}.csv").path)
        for row in csv.reader(io.StringIO(text)):
            for cell in row:
                assert not cell.startswith(("=", "+", "@", "\t", "\r")), (fmt, cell)
                if cell.startswith("-"):
                    Decimal(cell)  # a negative amount: a number, as written
    generic = read(tmp_path / "generic.csv")
    mine = next(r for r in generic if r["rep_name"].startswith("'"))
    assert mine["rep_name"] == "'" + name + " X"
    assert Decimal(mine["clawback"]) < 0


def test_neutral_leaves_ordinary_text_alone() -> None:
    assert neutral("Zoë O'Brien") == "Zoë O'Brien"
    assert neutral("-5") == "'-5"  # text that looks like a number is still text
    assert cell_text(Decimal("-250.00"), "%Y-%m-%d") == "-250.00"
    assert cell_text(date(2026, 11, 15), "%m/%d/%Y") == "11/15/2026"


def test_an_open_month_is_refused_unless_a_draft_is_asked_for(
    cf: CompanyFile, tmp_path: Path
) -> None:
    periods.reopen(cf, LAST)
    with pytest.raises(payout_export.ExportRefused) as refused:
        payout_export.prepare(cf, LAST, "generic")
    assert refused.value.code == "open"
    result = payout_export.export_payroll(
        cf, LAST, "generic", tmp_path / "payroll.csv", allow_open=True
    )
    assert result.draft and result.path.name == "payroll-DRAFT.csv"
    assert not (tmp_path / "payroll.csv").exists()


def test_files_are_private_and_never_half_written(cf: CompanyFile, tmp_path: Path) -> None:
    out = tmp_path / "p.csv"
    out.write_text("the previous export\n", encoding="utf-8")
    result = payout_export.export_payroll(cf, LAST, "generic", out)
    assert stat.S_IMODE(result.path.stat().st_mode) == 0o600
    export = payout_export.prepare(cf, LAST, "generic")
    broken = dataclasses.replace(
        export, table=dataclasses.replace(export.table, rows=((object(),),))
    )  # type: ignore[arg-type]
    before = out.read_bytes()
    with pytest.raises(Exception):  # noqa: B017 - any failure while writing
        payout_export.write(cf, broken, out)
    assert out.read_bytes() == before  # the old file stays whole
    assert [p.name for p in tmp_path.iterdir() if p.name.endswith(".part")] == []


def test_pay_date_rule_and_names() -> None:
    assert pay_date(Month(2026, 1), PayoutSettings(pay_day=31, pay_months_after=1)) == date(
        2026, 2, 28
    )
    assert pay_date(Month(2026, 10), PayoutSettings(pay_day=5, pay_months_after=0)) == date(
        2026, 10, 5
    )
    assert split_name("Zoë O'Brien") == ("Zoë", "O'Brien")
    assert split_name("Cher") == ("Cher", "")
    settings = PayoutSettings(pay_day=1, commission_code="CM")
    assert settings_from_json(settings_to_json(settings)) == settings
    with pytest.raises(ValueError, match="pay_day"):
        settings_from_json({"pay_day": "15"})


def test_the_command_line_prints_the_totals(
    cf: CompanyFile, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    cf.close()
    out = tmp_path / "gusto.csv"
    code = main(["export-payroll", str(cf.path), "--period", "2026-10", "--format", "gusto",
                 "--out", str(out)])  # fmt: skip
    assert code == 0
    again = CompanyFile.open(cf.path)
    try:
        total = sum((s.payout for s in periods.compute(again, LAST)), ZERO)
        periods.reopen(again, LAST)
    finally:
        again.close()
    assert capsys.readouterr().out.strip() == f"Wrote {out}: 7 reps, net payout ${total:,.2f}"
    code = main(["export-payroll", str(cf.path), "--period", "2026-10", "--format", "generic",
                 "--out", str(tmp_path / "x.csv")])  # fmt: skip
    assert code == 1
    assert "--allow-open writes a draft" in capsys.readouterr().err


def test_the_workbook_pays_what_the_statements_pay_in_every_month(
    cf: CompanyFile, tmp_path: Path
) -> None:
    from openpyxl import load_workbook

    for month in months_between(FIRST, LAST):
        statements = periods.compute(cf, month)
        result = payout_export.export_payroll(cf, month, "xlsx", tmp_path / f"p-{month}.xlsx")
        assert stat.S_IMODE(result.path.stat().st_mode) == 0o600
        book = load_workbook(result.path)
        sheet = book["Payouts"]
        header = [c.value for c in sheet[1]]
        column = header.index("Net payout")
        values = [row[column] for row in sheet.iter_rows(min_row=2, values_only=True)]
        *paid, total_formula = values
        assert sum((Decimal(str(v)) for v in paid), ZERO) == sum(
            (s.payout for s in statements), ZERO
        )
        assert str(total_formula).startswith("=SUM(")
        book.close()
