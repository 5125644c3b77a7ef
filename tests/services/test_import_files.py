"""Opening the sample CRM exports (tests/data/imports, described in its README): each
opens with its header, its description and the rows a spreadsheet shows, and plans into
the outcomes the README lists against the demo company; each malformed file is refused
with its code."""

from __future__ import annotations

import importlib.util
from collections.abc import Mapping
from dataclasses import replace
from datetime import date
from decimal import Decimal
from functools import cache
from pathlib import Path

import pytest

from icmdesk.domain.demo import demo_company
from icmdesk.domain.imports.cells import DateOrder
from icmdesk.domain.imports.deals import (
    Context,
    DealImportPlan,
    ExistingDeal,
    SourceRow,
    plan_deals,
    text_of,
)
from icmdesk.domain.imports.profiles import GENERIC, Field, detect, normal
from icmdesk.domain.validation import CreditRules
from icmdesk.services.import_files import FileRefused, Sheet, open_sheet

SAMPLES = Path(__file__).resolve().parents[1] / "data" / "imports"

MAYA, DANIEL, ZOE, PRIYA, TOMAS, GRACE, MARCUS, AISHA = range(1, 9)


@cache
def _context() -> Context:
    """The demo company as a plan sees it: reps by name and email, who can be credited."""
    data = demo_company()
    owners = {normal(key): r.id for r in data.reps for key in (r.name, r.email)}
    return Context(
        currency=data.company.currency,
        deal_types=frozenset(data.company.all_deal_types),
        owners=owners,
        rep_names={r.id: r.name for r in data.reps},
        credit_problem=CreditRules(data).problem,
    )


def _nothing_stored(_ids: list[str]) -> Mapping[str, ExistingDeal]:
    return {}


def _read(name: str) -> tuple[Sheet, list[SourceRow]]:
    sheet = open_sheet(SAMPLES / name)
    return sheet, list(sheet.rows)


def _plan(
    name: str,
    order: DateOrder | None = None,
    lookup: object = _nothing_stored,
) -> DealImportPlan:
    sheet, rows = _read(name)
    mapping = replace(detect(sheet.headers).mapping(sheet.headers), date_order=order)
    return plan_deals(sheet.headers, rows, mapping, _context(), lookup)  # type: ignore[arg-type]


def _outcomes(plan: DealImportPlan) -> dict[int, str]:
    """Row → "added", "updated", "unchanged", "skipped <code>" or "rejected <code>"."""
    out: dict[int, str] = {}
    out |= {p.row: "added" for p in plan.added}
    out |= {p.row: "updated" for p in plan.updated}
    out |= {u.row: "unchanged" for u in plan.unchanged}
    out |= {s.row: f"skipped {s.code}" for s in plan.skipped}
    out |= {r.row: f"rejected {r.code}" for r in plan.rejected}
    assert len(out) == plan.rows, "a row is in two lists"
    return out


def _added(plan: DealImportPlan) -> list[tuple[int, str, str, str, int, str, date, str]]:
    """(row, external id, name, customer, rep, amount, close date, type) of each deal added,
    credited in full to the one rep."""
    for p in plan.added:
        assert p.credits is not None and len(p.credits) == 1
        assert p.credits[0].split_pct == Decimal(100)
    return [
        (
            p.row,
            p.external_id,
            p.name,
            p.customer,
            p.credits[0].rep_id,  # type: ignore[index]
            str(p.amount),
            p.close_date,
            p.deal_type,
        )
        for p in plan.added
    ]


def _nov(day: int) -> date:
    return date(2026, 11, day)


# -- what each file is --------------------------------------------------------------------

HUBSPOT_HEADERS = (
    "Record ID",
    "Deal Name",
    "Deal Stage",
    "Close Date",
    "Deal owner",
    "Amount",
    "Pipeline",
    "Deal Type",
    "Associated Company",
)
SALESFORCE_HEADERS = (
    "Opportunity Owner",
    "Account Name",
    "Opportunity Name",
    "Stage",
    "Amount",
    "Amount Currency",
    "Close Date",
    "Type",
    "Opportunity ID",
)
PIPEDRIVE_HEADERS = (
    "Deal - ID",
    "Deal - Title",
    "Deal - Owner",
    "Deal - Value",
    "Deal - Currency",
    "Deal - Status",
    "Deal - Won time",
    "Deal - Organization",
)
GENERIC_HEADERS = ("Deal ID", "Deal Name", "Customer", "Owner", "Amount", "Close Date")

SHAPES = [
    # (file, description, header row, headers, profile, [(row, line), ...])
    pytest.param(
        "hubspot_deals.csv",
        "CSV, UTF-8, comma-separated",
        1,
        HUBSPOT_HEADERS,
        "hubspot",
        # Row 3 spans lines 3-4; row 7 is blank.
        [(2, 2), (3, 3), (4, 5), (5, 6), (6, 7)] + [(n, n + 1) for n in range(8, 16)],
        id="hubspot csv",
    ),
    pytest.param(
        "hubspot_deals.xlsx",
        "Excel workbook, sheet All deals",
        1,
        HUBSPOT_HEADERS,
        "hubspot",
        [(n, n) for n in range(2, 16) if n != 7],
        id="hubspot xlsx",
    ),
    pytest.param(
        "salesforce_opportunities.csv",
        "CSV, Windows-1252, comma-separated",
        3,
        SALESFORCE_HEADERS,
        "salesforce",
        [(n, n) for n in (*range(4, 16), 17, 19, 20)],
        id="salesforce",
    ),
    pytest.param(
        "salesforce_no_id.csv",
        "CSV, UTF-8, comma-separated",
        1,
        SALESFORCE_HEADERS[:-1],
        "salesforce",
        [(n, n) for n in range(2, 10)],
        id="salesforce no id",
    ),
    pytest.param(
        "pipedrive_deals.csv",
        "CSV, UTF-8, semicolon-separated",
        1,
        PIPEDRIVE_HEADERS,
        "pipedrive",
        [(n, n) for n in range(2, 12)],
        id="pipedrive",
    ),
    pytest.param(
        "generic_deals_utf16.txt",
        "CSV, UTF-16, tab-separated",
        1,
        ("Deal ID", "Customer", "Rep", "Amount", "Closed"),
        "generic",
        [(n, n) for n in range(2, 10)],
        id="utf-16 text",
    ),
    pytest.param(
        "generic_dmy_proven.csv",
        "CSV, UTF-8, comma-separated",
        1,
        (*GENERIC_HEADERS, "Type"),
        "generic",
        [(n, n) for n in range(2, 10)],
        id="generic dmy",
    ),
    pytest.param(
        # ISO-8859-1 bytes, all of them the same characters in Windows-1252.
        "latin1_semicolon.csv",
        "CSV, Windows-1252, semicolon-separated",
        1,
        (*GENERIC_HEADERS, "Status"),
        "generic",
        [(n, n) for n in range(2, 10)],
        id="latin-1",
    ),
    pytest.param(
        "wrong_columns.csv",
        "CSV, UTF-8, comma-separated",
        1,
        ("Product", "SKU", "Stock"),
        "generic",
        [(n, n) for n in range(2, 10)],
        id="wrong columns",
    ),
]


@pytest.mark.parametrize(
    ("name", "description", "header_row", "headers", "profile", "rows"), SHAPES
)
def test_a_sample_opens_with_its_header_and_rows(
    name: str,
    description: str,
    header_row: int,
    headers: tuple[str, ...],
    profile: str,
    rows: list[tuple[int, int]],
) -> None:
    sheet, read = _read(name)
    assert sheet.description == description
    assert sheet.header_row == header_row
    assert sheet.headers == headers
    assert detect(sheet.headers).key == profile
    assert [(r.number, r.line) for r in read] == rows


def test_the_sample_files_are_what_the_generator_writes(tmp_path: Path) -> None:
    spec = importlib.util.spec_from_file_location("make_samples", SAMPLES / "make_samples.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    written = module.write_all(tmp_path)
    assert {p.name for p in written} == {
        p.name for p in SAMPLES.iterdir() if p.suffix not in (".py", ".md")
    }
    for path in written:
        assert path.read_bytes() == (SAMPLES / path.name).read_bytes(), path.name


def test_the_samples_are_in_their_encodings() -> None:
    def raw(name: str) -> bytes:
        return (SAMPLES / name).read_bytes()

    assert raw("hubspot_deals.csv").startswith(b"\xef\xbb\xbfRecord ID,")
    assert b"Zo\xeb O'Brien" in raw("salesforce_opportunities.csv")  # Windows-1252
    assert b"Tom\xe1s Lindqvist" in raw("salesforce_opportunities.csv")
    assert b"\r\n" in raw("salesforce_opportunities.csv")
    assert "1\u00a0234,00".encode() in raw("pipedrive_deals.csv")
    assert "\u2212980,00".encode() in raw("pipedrive_deals.csv")
    assert raw("generic_deals_utf16.txt").startswith(b"\xff\xfeD\x00e\x00")
    assert "\t".encode("utf-16-le") in raw("generic_deals_utf16.txt")
    assert "\r\n".encode("utf-16-le") in raw("generic_deals_utf16.txt")
    assert b"Soci\xe9t\xe9" in raw("latin1_semicolon.csv")


# -- what a row holds ---------------------------------------------------------------------


def test_a_quoted_cell_keeps_its_line_break_and_quotes() -> None:
    for name in ("hubspot_deals.csv", "hubspot_deals.xlsx"):
        _sheet, rows = _read(name)
        row3 = next(r for r in rows if r.number == 3)
        assert row3.cells[1] == 'Bay Area Metrology "Phase 2"\ncalibration contract', name
    # The stored name is one line.
    assert text_of('Bay Area Metrology "Phase 2"\ncalibration contract') == (
        'Bay Area Metrology "Phase 2" calibration contract'
    )


def test_no_value_is_blank_and_the_customer_falls_back_to_the_deal_name() -> None:
    _sheet, rows = _read("hubspot_deals.csv")
    row14 = next(r for r in rows if r.number == 14)
    assert row14.cells[8] == "(No value)"
    assert text_of(row14.cells[8]) == ""
    (orbit,) = [p for p in _plan("hubspot_deals.csv").added if p.row == 14]
    assert orbit.customer == orbit.name == "Orbit Devices expansion"


def test_accented_names_read_in_every_encoding() -> None:
    for name, column in (
        ("salesforce_opportunities.csv", 0),
        ("pipedrive_deals.csv", 2),
        ("generic_deals_utf16.txt", 2),
        ("generic_dmy_proven.csv", 3),
        ("latin1_semicolon.csv", 3),
    ):
        _sheet, rows = _read(name)
        owners = {r.cells[column] for r in rows}
        assert "Zoë O'Brien" in owners, name


def test_the_workbook_holds_numbers_and_dates_and_one_serial() -> None:
    _sheet, rows = _read("hubspot_deals.xlsx")
    by_row = {r.number: r.cells for r in rows}
    assert by_row[2][5] == 12500
    assert by_row[3][5] == 1234.5
    assert by_row[9][5] == -250
    assert by_row[6][3] == pytest.approx(46335.67013888889)
    assert by_row[11][3] == "2026-02-30 10:00"


def test_a_footer_stays_a_row_that_the_planner_skips() -> None:
    _sheet, rows = _read("salesforce_opportunities.csv")
    footers = [r for r in rows if r.number in (17, 19, 20)]
    assert [r.cells[0] for r in footers] == [
        "Grand Totals (12 records)",
        "Confidential Information - Do Not Distribute",
        "Copyright (c) 2000-2026 salesforce.com, inc. All rights reserved.",
    ]
    skipped = {s.row: s.code for s in _plan("salesforce_opportunities.csv").skipped}
    assert {n: skipped[n] for n in (17, 19, 20)} == {17: "footer", 19: "footer", 20: "footer"}


# -- what a first import of each file does ------------------------------------------------

HUBSPOT_OUTCOMES = {
    2: "added",
    3: "added",
    4: "skipped not_won",
    5: "skipped not_won",
    6: "added",
    8: "rejected amount_not_number",
    9: "rejected amount_not_positive",
    10: "rejected amount_not_positive",
    11: "rejected date_impossible",
    12: "rejected rep_not_paid",
    13: "added",
    14: "added",
    15: "added",
}
HUBSPOT_ADDED = [
    (2, "18734520011", "Cascade Labs - Spectrometer fleet", "Cascade Labs", MAYA, "12500.00",
     _nov(3), "new"),
    (3, "18734520012", 'Bay Area Metrology "Phase 2" calibration contract',
     "Bay Area Metrology", DANIEL, "1234.50", _nov(4), "renewal"),
    (6, "18734520015", "Redwood Clinics - annual service", "Redwood Clinics", ZOE, "22000.00",
     _nov(9), "renewal"),
    (13, "18734520021", "Lakeside Hospital - monitors", "Lakeside Hospital", GRACE, "4850.00",
     _nov(30), "new"),
    (14, "18734520022", "Orbit Devices expansion", "Orbit Devices expansion", PRIYA,
     "9800.00", _nov(18), "renewal"),
    (15, "18734520023", "Meridian Foods - QA lab", "Meridian Foods", AISHA, "48000.00",
     _nov(24), "new"),
]  # fmt: skip


@pytest.mark.parametrize("name", ["hubspot_deals.csv", "hubspot_deals.xlsx"])
def test_hubspot_deals_plan(name: str) -> None:
    plan = _plan(name)
    assert _outcomes(plan) == HUBSPOT_OUTCOMES
    assert _added(plan) == HUBSPOT_ADDED
    reasons = {r.row: r.reason for r in plan.rejected}
    assert "February 2026 has 28 days" in reasons[11]
    assert "Marcus Bell left on 2026-09-18" in reasons[12]
    assert not plan.questions


def test_the_workbook_after_the_csv_changes_nothing() -> None:
    first = _plan("hubspot_deals.csv")
    stored = {
        p.external_id: ExistingDeal(
            i,
            p.external_id,
            p.name,
            p.customer,
            p.amount,
            p.close_date,
            p.deal_type,
            p.credits or (),
        )
        for i, p in enumerate(first.added, start=1)
    }

    def lookup(ids: list[str]) -> Mapping[str, ExistingDeal]:
        return {i: stored[i] for i in ids if i in stored}

    again = _plan("hubspot_deals.xlsx", lookup=lookup)
    assert not again.added and not again.updated
    assert sorted(u.row for u in again.unchanged) == [2, 3, 6, 13, 14, 15]


def test_salesforce_opportunities_plan() -> None:
    plan = _plan("salesforce_opportunities.csv")
    assert _outcomes(plan) == {
        4: "added",
        5: "added",
        6: "skipped not_won",
        7: "added",
        8: "rejected currency",
        9: "rejected amount_not_positive",
        10: "skipped not_won",
        11: "added",
        12: "added",
        13: "skipped not_won",
        14: "added",
        15: "added",
        17: "skipped footer",
        19: "skipped footer",
        20: "skipped footer",
    }
    assert plan.mapping.date_order is DateOrder.MDY  # 11/17/2026 and others prove it
    assert _added(plan) == [
        (4, "0068c00001NwA01AAF", "Fjord Analytics - Lab Expansion", "Fjord Analytics", ZOE,
         "18400.00", _nov(5), "new"),
        (5, "0068c00001NwA02AAF", "Café Núñez - QC Spectrometers", "Café Núñez Roasters",
         TOMAS, "6250.00", _nov(17), "upsell"),
        (7, "0068c00001NwA04AAF", "Kestrel - Renewal 2027", "Kestrel Aerospace", PRIYA,
         "31000.00", _nov(20), "renewal"),
        (11, "0068c00001NwA08AAF", "Lumen Optics – Add-on Sensors", "Lumen Optics", ZOE,
         "2980.00", _nov(23), "upsell"),
        (12, "0068c00001NwA09AAF", "Brightwater - Service Plan", "Brightwater Utilities",
         DANIEL, "4500.00", _nov(2), "renewal"),
        (14, "0068c00001NwA11AAF", "Cascade Labs - Enterprise Agreement", "Cascade Labs",
         MAYA, "120000.00", _nov(27), "new"),
        (15, "0068c00001NwA12AAF", "Orbit Devices - Spare Parts", "Orbit Devices", PRIYA,
         "860.00", _nov(11), "new"),
    ]  # fmt: skip
    (eur,) = [r for r in plan.rejected if r.row == 8]
    assert "EUR" in eur.reason


def test_a_salesforce_report_without_ids_keys_deals_by_name_and_customer() -> None:
    plan = _plan("salesforce_no_id.csv")
    assert _outcomes(plan) == {
        2: "added",
        3: "added",
        4: "skipped not_won",
        5: "added",
        6: "rejected duplicate",
        7: "rejected id_missing",
        8: "added",
        9: "added",
    }
    assert _added(plan) == [
        (2, "Granite - Gas Detectors — Granite Mining Co.", "Granite - Gas Detectors",
         "Granite Mining Co.", DANIEL, "15750.00", _nov(4), "new"),
        (3, "Redwood - Spare Probes — Redwood Clinics", "Redwood - Spare Probes",
         "Redwood Clinics", ZOE, "1120.00", _nov(16), "upsell"),
        (5, "Ironbridge Labs", "Ironbridge Labs", "Ironbridge Labs", TOMAS, "3300.00",
         _nov(19), "new"),
        (8, "Fjord - Multi-year Renewal — Fjord Analytics", "Fjord - Multi-year Renewal",
         "Fjord Analytics", MAYA, "42000.00", _nov(26), "renewal"),
        (9, "Lakeside - Monitors Q4 — Lakeside Hospital", "Lakeside - Monitors Q4",
         "Lakeside Hospital", GRACE, "5400.00", _nov(3), "new"),
    ]  # fmt: skip
    (duplicate,) = [r for r in plan.rejected if r.row == 6]
    assert "row 2" in duplicate.reason


def test_pipedrive_deals_plan() -> None:
    plan = _plan("pipedrive_deals.csv")
    assert _outcomes(plan) == {
        2: "added",
        3: "added",
        4: "added",
        5: "skipped not_won",
        6: "skipped not_won",
        7: "rejected amount_not_positive",
        8: "added",
        9: "added",
        10: "added",
        11: "skipped not_won",
    }
    assert _added(plan) == [
        (2, "301", "Alpine Dairy - pH meters", "Alpine Dairy", DANIEL, "1234.50", _nov(2),
         "new"),
        (3, "302", "Nordlicht Labs - spectrometers", "Nordlicht Labs", TOMAS, "1234.00",
         _nov(5), "new"),
        (4, "303", "Vega Pharma - stability chambers", "Vega Pharma", PRIYA, "18500.00",
         _nov(13), "new"),
        (8, "307", "Tessera Robotics - vision kit", "Tessera Robotics", ZOE, "12000.00",
         _nov(17), "new"),
        (9, "308", "Helix Genomics - freezer monitors", "Helix Genomics", AISHA, "3600.00",
         _nov(26), "new"),
        (10, "309", "Orbit Devices - upgrade", "Orbit Devices", PRIYA, "950.00", _nov(30),
         "new"),
    ]  # fmt: skip


UTF16_ADDED = [
    (2, "NW-2611-01", "", "Fjord Analytics", ZOE, "1234.00", _nov(3), "new"),
    (3, "NW-2611-02", "", "Granite Mining Co.", DANIEL, "15000.00", _nov(5), "new"),
    (4, "NW-2611-03", "", "Pinecrest University", AISHA, "2750.00", _nov(9), "new"),
    (5, "NW-2611-04", "", "Harbor Freight Labs", GRACE, "880.00", _nov(10), "new"),
    (6, "NW-2611-05", "", "Kestrel Aerospace", PRIYA, "27500.00", _nov(2), "new"),
    (7, "NW-2611-06", "", "Tessera Robotics", TOMAS, "6400.00", _nov(12), "new"),
    (8, "NW-2611-07", "", "Cascade Labs", MAYA, "9900.00", _nov(6), "new"),
    (9, "NW-2611-08", "", "Lumen Optics", ZOE, "3150.00", _nov(11), "new"),
]


def test_a_file_whose_dates_all_read_two_ways_asks_for_the_order() -> None:
    plan = _plan("generic_deals_utf16.txt")
    assert _outcomes(plan) == {n: "rejected date_ambiguous" for n in range(2, 9)} | {9: "added"}
    assert plan.ambiguous_dates == (
        "03/11/2026",
        "05/11/2026",
        "09/11/2026",
        "10/11/2026",
        "02/11/2026",
    )
    assert plan.questions
    assert plan.mapping.date_order is None


def test_the_order_given_reads_every_date() -> None:
    plan = _plan("generic_deals_utf16.txt", DateOrder.DMY)
    assert _outcomes(plan) == {n: "added" for n in range(2, 10)}
    assert _added(plan) == UTF16_ADDED
    month_first = _plan("generic_deals_utf16.txt", DateOrder.MDY)
    assert [p.close_date for p in month_first.added][:2] == [date(2026, 3, 11), date(2026, 5, 11)]


def test_a_file_whose_days_prove_day_first_reads_its_other_dates_so() -> None:
    plan = _plan("generic_dmy_proven.csv")
    assert plan.mapping.date_order is DateOrder.DMY
    assert _outcomes(plan) == {n: "added" for n in (2, 3, 4, 5, 7, 8, 9)} | {
        6: "rejected date_order"
    }
    assert _added(plan) == [
        (2, "GEN-101", "Spectrometer upgrade", "Fjord Analytics", MAYA, "4500.00", _nov(3),
         "upsell"),
        (3, "GEN-102", "Annual calibration", "Redwood Clinics", DANIEL, "2200.00", _nov(17),
         "renewal"),
        (4, "GEN-103", "Field kits", "Helios Solar", PRIYA, "8750.00", _nov(24), "new"),
        (5, "GEN-104", "Gas detectors", "Granite Mining Co.", TOMAS, "13400.00", _nov(6),
         "new"),
        (7, "GEN-106", "Teaching kits", "Pinecrest University", AISHA, "3050.00", _nov(28),
         "new"),
        (8, "GEN-107", "Pilot", "Søndergaard Medical", ZOE, "5000.00", _nov(10), "new"),
        (9, "GEN-108", "Sensor retrofit", "Orbit Devices", PRIYA, "2640.00", _nov(30),
         "upsell"),
    ]  # fmt: skip


def test_a_latin1_file_plans_and_asks_about_its_unknown_owner() -> None:
    plan = _plan("latin1_semicolon.csv")
    assert _outcomes(plan) == {
        2: "added",
        3: "added",
        4: "skipped not_won",
        5: "added",
        6: "skipped not_won",
        7: "added",
        8: "added",
        9: "rejected owner_unmatched",
    }
    assert dict(plan.unmatched_owners) == {"Jérôme Lefèvre": 1}
    assert plan.questions
    assert _added(plan) == [
        (2, "LAT-01", "Étalonnage annuel", "Société Générale de Mesure", ZOE, "3200.00",
         _nov(4), "new"),
        (3, "LAT-02", "Capteurs de pH", "Laiterie Crème d'Or", TOMAS, "1150.00", _nov(9),
         "new"),
        (5, "LAT-04", "Spectromètre", "Hôpital Saint-Éloi", PRIYA, "14750.00", _nov(18),
         "new"),
        (7, "LAT-06", "Maintenance", "Café Núñez Roasters", AISHA, "2400.00", _nov(25),
         "new"),
        (8, "LAT-07", "Analyseurs", "Société Générale de Mesure", MAYA, "21000.00",
         _nov(27), "new"),
    ]  # fmt: skip


def test_a_table_of_something_else_maps_no_deal_column() -> None:
    sheet, _rows = _read("wrong_columns.csv")
    mapping = detect(sheet.headers).mapping(sheet.headers)
    assert mapping.profile == GENERIC.key
    assert mapping.columns == {}
    assert mapping.missing() == [Field.AMOUNT, Field.CLOSE_DATE, Field.OWNER]


# -- files refused ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "code"),
    [
        ("empty.csv", "empty"),
        ("header_only.csv", "header_only"),
        ("binary.csv", "binary"),
        ("not_utf8_declared.csv", "encoding"),
        ("old_excel.xls", "old_excel"),
    ],
)
def test_a_malformed_sample_is_refused_with_its_code(name: str, code: str) -> None:
    with pytest.raises(FileRefused) as refused:
        open_sheet(SAMPLES / name)
    assert refused.value.code == code
    assert refused.value.message


@pytest.mark.parametrize(
    ("content", "code"),
    [
        pytest.param(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n", "binary", id="pdf"),
        pytest.param(b"\r\n\r\n  \r\n", "empty", id="blank lines"),
        pytest.param(b"\xef\xbb\xbf", "empty", id="a byte-order mark alone"),
        pytest.param(b"Deal ID,Amount\r\n,\r\n,,\r\n", "header_only", id="blank rows only"),
        pytest.param(b"just one cell\nanother\n", "no_header", id="no row of two cells"),
        pytest.param(b"PK\x03\x04not really a zip", "malformed", id="broken xlsx"),
    ],
)
def test_a_file_that_cannot_be_read_is_refused(tmp_path: Path, content: bytes, code: str) -> None:
    path = tmp_path / "deals.csv"
    path.write_bytes(content)
    with pytest.raises(FileRefused) as refused:
        open_sheet(path)
    assert refused.value.code == code


def test_a_missing_file_or_a_folder_is_refused(tmp_path: Path) -> None:
    for path in (tmp_path / "nowhere.csv", tmp_path):
        with pytest.raises(FileRefused) as refused:
            open_sheet(path)
        assert refused.value.code == "missing"


def test_a_workbook_saved_under_a_csv_name_opens_as_a_workbook(tmp_path: Path) -> None:
    """Known by its content, not its name (openpyxl alone refuses a ".csv" path)."""
    path = tmp_path / "deals.csv"
    path.write_bytes((SAMPLES / "hubspot_deals.xlsx").read_bytes())
    sheet = open_sheet(path)
    rows = list(sheet.rows)
    assert sheet.description == "Excel workbook, sheet All deals"
    assert len(rows) == 13
