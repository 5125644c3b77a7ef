"""Writes the sample CRM exports in this folder, byte for byte the same on every run.

The samples are the files `tests/data/imports/README.md` describes: deal exports as
HubSpot, Salesforce, Pipedrive and spreadsheets write them (each in its own encoding,
separator, line ending and date and amount forms) and files an import must refuse. They
are kept here as text in Python so the bytes that matter (a Windows-1252 "ë", a no-break
space, a U+2212 minus, a UTF-16 byte-order mark) are visible and reviewable, and written
out so the tests read real files. The written files are committed alongside; a test
checks they are what this script writes.

    .venv/bin/python tests/data/imports/make_samples.py
"""

from __future__ import annotations

import io
import random
import re
import sys
import zipfile
from collections.abc import Callable, Sequence
from datetime import datetime
from pathlib import Path

HERE = Path(__file__).resolve().parent
# Fixed times for the workbook's properties and its zip entries (openpyxl would write now).
_STAMP = datetime(2026, 11, 23, 9, 0, 0)
NBSP = "\u00a0"
MINUS = "\u2212"

# -- HubSpot ------------------------------------------------------------------------------

HUBSPOT_HEADER = (
    "Record ID,Deal Name,Deal Stage,Close Date,Deal owner,Amount,Pipeline,Deal Type,"
    "Associated Company"
)
# UTF-8 with a byte-order mark, comma, LF; a quoted deal name over two lines with "" in it;
# a spreadsheet-style blank row (commas only) as row 7.
HUBSPOT_CSV = "\n".join(
    [
        HUBSPOT_HEADER,
        "18734520011,Cascade Labs - Spectrometer fleet,Closed Won,2026-11-03 14:22,"
        "Maya Okafor,12500,Sales Pipeline,New Business,Cascade Labs",
        '18734520012,"Bay Area Metrology ""Phase 2""\ncalibration contract",Closed Won,'
        '2026-11-04 09:05,Daniel Reyes,"$1,234.50",Sales Pipeline,Existing Business,'
        "Bay Area Metrology",
        "18734520013,Helios Solar - field kits,Closed Lost,2026-11-06 11:40,Priya Natarajan,"
        "8400,Sales Pipeline,New Business,Helios Solar",
        "18734520014,Quantum Foundry - demo units,Appointment Scheduled,2026-11-20 10:00,"
        "Grace Kim,3200,Sales Pipeline,New Business,Quantum Foundry",
        "18734520015,Redwood Clinics - annual service,Closed Won,2026-11-09 16:05,"
        'zoe.obrien@northwind-instruments.com,"$22,000.00",Sales Pipeline,Existing Business,'
        "Redwood Clinics",
        ",,,,,,,,",
        "18734520016,Ironbridge Labs - probes,Closed Won,2026-11-10 08:30,Tomás Lindqvist,"
        "TBD,Sales Pipeline,New Business,Ironbridge Labs",
        "18734520017,Cascade Labs - credit note,Closed Won,2026-11-12 13:15,Maya Okafor,"
        "-$250.00,Sales Pipeline,Existing Business,Cascade Labs",
        "18734520018,Pinecrest University - loaner,Closed Won,2026-11-13 12:00,Aisha Rahman,"
        "0,Sales Pipeline,New Business,Pinecrest University",
        "18734520019,Summit Biotech - sensors,Closed Won,2026-02-30 10:00,Priya Natarajan,"
        "5600,Sales Pipeline,New Business,Summit Biotech",
        "18734520020,Northgate Water - telemetry,Closed Won,2026-11-16 15:45,Marcus Bell,"
        "7900,Sales Pipeline,New Business,Northgate Water",
        "18734520021,Lakeside Hospital - monitors,Closed Won,2026-11-30 23:59,Grace Kim,"
        '"$4,850.00",Sales Pipeline,New Business,Lakeside Hospital',
        "18734520022,Orbit Devices expansion,Closed Won,2026-11-18 09:10,Priya Natarajan,"
        "9800,Sales Pipeline,Existing Business,(No value)",
        "18734520023,Meridian Foods - QA lab,Closed Won,2026-11-24 17:30,Aisha Rahman,"
        '"$48,000.00",Sales Pipeline,New Business,Meridian Foods',
        "",
    ]
)

# The same deals as a workbook: real date cells, numbers for amounts, row 7 empty, row 6's
# close date an Excel serial number with a time fraction (2026-11-09 16:05) in a General
# cell, and the cells Excel could not read as a number or a date kept as text.
_SERIAL_2026_11_09_1605 = 46335 + (16 * 60 + 5) / 1440
_PIPELINE = "Sales Pipeline"
HUBSPOT_XLSX_ROWS: list[tuple[object, ...] | None] = [
    (18734520011, "Cascade Labs - Spectrometer fleet", "Closed Won",
     datetime(2026, 11, 3, 14, 22), "Maya Okafor", 12500, _PIPELINE, "New Business",
     "Cascade Labs"),
    (18734520012, 'Bay Area Metrology "Phase 2"\ncalibration contract', "Closed Won",
     datetime(2026, 11, 4, 9, 5), "Daniel Reyes", 1234.5, _PIPELINE, "Existing Business",
     "Bay Area Metrology"),
    (18734520013, "Helios Solar - field kits", "Closed Lost", datetime(2026, 11, 6, 11, 40),
     "Priya Natarajan", 8400, _PIPELINE, "New Business", "Helios Solar"),
    (18734520014, "Quantum Foundry - demo units", "Appointment Scheduled",
     datetime(2026, 11, 20, 10, 0), "Grace Kim", 3200, _PIPELINE, "New Business",
     "Quantum Foundry"),
    (18734520015, "Redwood Clinics - annual service", "Closed Won", _SERIAL_2026_11_09_1605,
     "zoe.obrien@northwind-instruments.com", 22000, _PIPELINE, "Existing Business",
     "Redwood Clinics"),
    None,
    (18734520016, "Ironbridge Labs - probes", "Closed Won", datetime(2026, 11, 10, 8, 30),
     "Tomás Lindqvist", "TBD", _PIPELINE, "New Business", "Ironbridge Labs"),
    (18734520017, "Cascade Labs - credit note", "Closed Won", datetime(2026, 11, 12, 13, 15),
     "Maya Okafor", -250, _PIPELINE, "Existing Business", "Cascade Labs"),
    (18734520018, "Pinecrest University - loaner", "Closed Won", datetime(2026, 11, 13, 12, 0),
     "Aisha Rahman", 0, _PIPELINE, "New Business", "Pinecrest University"),
    (18734520019, "Summit Biotech - sensors", "Closed Won", "2026-02-30 10:00",
     "Priya Natarajan", 5600, _PIPELINE, "New Business", "Summit Biotech"),
    (18734520020, "Northgate Water - telemetry", "Closed Won", datetime(2026, 11, 16, 15, 45),
     "Marcus Bell", 7900, _PIPELINE, "New Business", "Northgate Water"),
    (18734520021, "Lakeside Hospital - monitors", "Closed Won", datetime(2026, 11, 30, 23, 59),
     "Grace Kim", 4850, _PIPELINE, "New Business", "Lakeside Hospital"),
    (18734520022, "Orbit Devices expansion", "Closed Won", datetime(2026, 11, 18, 9, 10),
     "Priya Natarajan", 9800, _PIPELINE, "Existing Business", "(No value)"),
    (18734520023, "Meridian Foods - QA lab", "Closed Won", datetime(2026, 11, 24, 17, 30),
     "Aisha Rahman", 48000, _PIPELINE, "New Business", "Meridian Foods"),
]  # fmt: skip

# -- Salesforce ---------------------------------------------------------------------------

SALESFORCE_HEADER = (
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
SALESFORCE_ROWS = [
    ("Zoë O'Brien", "Fjord Analytics", "Fjord Analytics - Lab Expansion", "Closed Won",
     "18,400.00", "USD", "11/5/2026", "New Customer", "0068c00001NwA01AAF"),
    ("Tomás Lindqvist", "Café Núñez Roasters", "Café Núñez - QC Spectrometers", "Closed Won",
     "6,250.00", "USD", "11/17/2026", "Existing Customer - Upgrade", "0068c00001NwA02AAF"),
    ("Daniel Reyes", "Brightwater Utilities", "Brightwater - Flow Meters", "Closed Lost",
     "9,900.00", "USD", "11/6/2026", "New Customer", "0068c00001NwA03AAF"),
    ("Priya Natarajan", "Kestrel Aerospace", "Kestrel - Renewal 2027", "Closed Won",
     "31,000.00", "USD", "11/20/2026", "Existing Customer - Replacement", "0068c00001NwA04AAF"),
    ("Maya Okafor", "Müller Präzision GmbH", "Müller - Calibration Bench", "Closed Won",
     "14,200.00", "EUR", "11/12/2026", "New Customer", "0068c00001NwA05AAF"),
    ("Grace Kim", "Harbor Freight Labs", "Harbor - Return Credit", "Closed Won",
     "(1,234.50)", "USD", "11/9/2026", "Existing Customer - Upgrade", "0068c00001NwA06AAF"),
    ("Aisha Rahman", "Pinecrest University", "Pinecrest - Teaching Lab Kits",
     "Negotiation/Review", "12,000.00", "USD", "11/25/2026", "New Customer",
     "0068c00001NwA07AAF"),
    ("Zoë O'Brien", "Lumen Optics", "Lumen Optics – Add-on Sensors", "Closed Won",
     "2,980.00", "USD", "11/23/2026", "Existing Customer - Upgrade", "0068c00001NwA08AAF"),
    ("Daniel Reyes", "Brightwater Utilities", "Brightwater - Service Plan", "Closed Won",
     "4,500.00", "USD", "11/2/2026", "Existing Customer - Replacement", "0068c00001NwA09AAF"),
    ("Tomás Lindqvist", "Søndergaard Medical", "Søndergaard - Pilot", "Proposal/Price Quote",
     "7,700.00", "USD", "11/30/2026", "New Customer", "0068c00001NwA10AAF"),
    ("Maya Okafor", "Cascade Labs", "Cascade Labs - Enterprise Agreement", "Closed Won",
     "120,000.00", "USD", "11/27/2026", "New Customer", "0068c00001NwA11AAF"),
    ("Priya Natarajan", "Orbit Devices", "Orbit Devices - Spare Parts", "Closed Won",
     "860.00", "USD", "11/11/2026", "", "0068c00001NwA12AAF"),
]  # fmt: skip
SALESFORCE_NO_ID_ROWS = [
    ("Daniel Reyes", "Granite Mining Co.", "Granite - Gas Detectors", "Closed Won",
     "15,750.00", "USD", "11/4/2026", "New Customer"),
    ("Zoë O'Brien", "Redwood Clinics", "Redwood - Spare Probes", "Closed Won",
     "1,120.00", "USD", "11/16/2026", "Existing Customer - Upgrade"),
    ("Priya Natarajan", "Kestrel Aerospace", "Kestrel - Test Rig", "Closed Lost",
     "22,500.00", "USD", "11/10/2026", "New Customer"),
    ("Tomás Lindqvist", "Ironbridge Labs", "Ironbridge Labs", "Closed Won",
     "3,300.00", "USD", "11/19/2026", "New Customer"),
    ("Grace Kim", "Granite Mining Co.", "Granite - Gas Detectors", "Closed Won",
     "15,750.00", "USD", "11/4/2026", "New Customer"),
    ("Aisha Rahman", "Meridian Foods", "", "Closed Won",
     "2,000.00", "USD", "11/24/2026", "New Customer"),
    ("Maya Okafor", "Fjord Analytics", "Fjord - Multi-year Renewal", "Closed Won",
     "42,000.00", "USD", "11/26/2026", "Existing Customer - Replacement"),
    ("Grace Kim", "Lakeside Hospital", "Lakeside - Monitors Q4", "Closed Won",
     "5,400.00", "USD", "11/3/2026", "New Customer"),
]  # fmt: skip


def _quoted(cells: Sequence[str], separator: str = ",") -> str:
    """A record as Salesforce and Pipedrive write it: every field in double quotes."""
    return separator.join('"' + c.replace('"', '""') + '"' for c in cells)


# An "Export Details" report: its title and a blank line above the header, a blank line
# and the footer below the rows; Windows-1252, CRLF.
SALESFORCE_CSV = "\r\n".join(
    [
        _quoted(["Northwind Instruments – Closed Opportunities, November 2026"]),
        "",
        _quoted(SALESFORCE_HEADER),
        *(_quoted(r) for r in SALESFORCE_ROWS),
        "",
        _quoted([f"Grand Totals ({len(SALESFORCE_ROWS)} records)"]),
        "",
        _quoted(["Confidential Information - Do Not Distribute"]),
        _quoted(["Copyright (c) 2000-2026 salesforce.com, inc. All rights reserved."]),
        "",
    ]
)
# A "Details Only" export without the Opportunity ID column: UTF-8, CRLF, no title or footer.
SALESFORCE_NO_ID_CSV = "\r\n".join(
    [
        _quoted(SALESFORCE_HEADER[:-1]),
        *(_quoted(r) for r in SALESFORCE_NO_ID_ROWS),
        "",
    ]
)

# -- Pipedrive ----------------------------------------------------------------------------

PIPEDRIVE_HEADER = (
    "Deal - ID",
    "Deal - Title",
    "Deal - Owner",
    "Deal - Value",
    "Deal - Currency",
    "Deal - Status",
    "Deal - Won time",
    "Deal - Organization",
)
PIPEDRIVE_ROWS = [
    ("301", "Alpine Dairy - pH meters", "Daniel Reyes", "1.234,50", "USD", "Won",
     "02.11.2026", "Alpine Dairy"),
    ("302", "Nordlicht Labs - spectrometers", "Tomás Lindqvist", f"1{NBSP}234,00", "USD",
     "Won", "05.11.2026", "Nordlicht Labs"),
    ("303", "Vega Pharma - stability chambers", "Priya Natarajan", "18.500", "USD", "Won",
     "13.11.2026", "Vega Pharma"),
    ("304", "Baltic Shipping - sensors", "Maya Okafor", "7.800,00", "USD", "Lost", "",
     "Baltic Shipping"),
    ("305", "Coastal Water - loggers", "Grace Kim", "2.450,00", "USD", "Open", "",
     "Coastal Water Authority"),
    ("306", "Alpine Dairy - refund", "Daniel Reyes", f"{MINUS}980,00", "USD", "Won",
     "09.11.2026", "Alpine Dairy"),
    ("307", "Tessera Robotics - vision kit", "Zoë O'Brien", "12.000,00", "USD", "Won",
     "17.11.2026 15:42", "Tessera Robotics"),
    ("308", "Helix Genomics - freezer monitors", "Aisha Rahman", "3.600,00", "USD", "Won",
     "26.11.2026", "Helix Genomics"),
    ("309", "Orbit Devices - upgrade", "Priya Natarajan", "950,00", "USD", "Won",
     "30.11.2026", "Orbit Devices"),
    ("310", "Nordlicht Labs - service", "Tomás Lindqvist", f"4{NBSP}100,00", "USD", "Open", "",
     "Nordlicht Labs"),
]  # fmt: skip
# UTF-8 without a byte-order mark, semicolon, every field quoted, LF.
PIPEDRIVE_CSV = "\n".join(
    [_quoted(PIPEDRIVE_HEADER, ";"), *(_quoted(r, ";") for r in PIPEDRIVE_ROWS), ""]
)

# -- spreadsheets -------------------------------------------------------------------------

# Excel's "Unicode Text": UTF-16 LE with a byte-order mark, tab, CRLF, nothing quoted.
# Every date reads day first and month first (03/11/2026: 3 November or March 11).
GENERIC_UTF16_ROWS = [
    ("Deal ID", "Customer", "Rep", "Amount", "Closed"),
    ("NW-2611-01", "Fjord Analytics", "Zoë O'Brien", "USD 1234", "03/11/2026"),
    ("NW-2611-02", "Granite Mining Co.", "Daniel Reyes", "USD 15000", "05/11/2026"),
    ("NW-2611-03", "Pinecrest University", "Aisha Rahman", "USD 2750", "09/11/2026"),
    ("NW-2611-04", "Harbor Freight Labs", "Grace Kim", "USD 880", "10/11/2026"),
    ("NW-2611-05", "Kestrel Aerospace", "Priya Natarajan", "USD 27500", "02/11/2026"),
    ("NW-2611-06", "Tessera Robotics", "Tomás Lindqvist", "USD 6400", "12/11/2026"),
    ("NW-2611-07", "Cascade Labs", "Maya Okafor", "USD 9900", "06/11/2026"),
    ("NW-2611-08", "Lumen Optics", "Zoë O'Brien", "USD 3150", "11/11/2026"),
]
GENERIC_UTF16_TXT = "".join("\t".join(r) + "\r\n" for r in GENERIC_UTF16_ROWS)

# UTF-8, comma, LF; the days above 12 prove day-first, one month-first date contradicts it.
GENERIC_DMY_CSV = """\
Deal ID,Deal Name,Customer,Owner,Amount,Close Date,Type
GEN-101,Spectrometer upgrade,Fjord Analytics,Maya Okafor,"4,500.00",03/11/2026,upsell
GEN-102,Annual calibration,Redwood Clinics,Daniel Reyes,"2,200.00",17/11/2026,renewal
GEN-103,Field kits,Helios Solar,Priya Natarajan,"8,750.00",24/11/2026,new
GEN-104,Gas detectors,Granite Mining Co.,Tomás Lindqvist,"13,400.00",06/11/2026,new
GEN-105,Lab monitors,Lakeside Hospital,Grace Kim,"1,980.00",11/19/2026,new
GEN-106,Teaching kits,Pinecrest University,Aisha Rahman,"3,050.00",28/11/2026,new
GEN-107,Pilot,Søndergaard Medical,Zoë O'Brien,"5,000.00",10/11/2026,New Business
GEN-108,Sensor retrofit,Orbit Devices,Priya Natarajan,"2,640.00",30/11/2026,Expansion
"""

# ISO-8859-1, semicolon, CRLF, as a European Excel saves "CSV (semicolon-separated)".
LATIN1_CSV = "\r\n".join(
    [
        "Deal ID;Deal Name;Customer;Owner;Amount;Close Date;Status",
        "LAT-01;Étalonnage annuel;Société Générale de Mesure;Zoë O'Brien;3.200,00;04.11.2026;Won",
        "LAT-02;Capteurs de pH;Laiterie Crème d'Or;Tomás Lindqvist;1.150,00;09.11.2026;Won",
        "LAT-03;Präzisionswaagen;Müller Präzision GmbH;Daniel Reyes;8.900,00;12.11.2026;Lost",
        "LAT-04;Spectromètre;Hôpital Saint-Éloi;Priya Natarajan;14.750,00;18.11.2026;Won",
        "LAT-05;Sondes de température;Brasserie Åkesson;Grace Kim;640,00;20.11.2026;Open",
        "LAT-06;Maintenance;Café Núñez Roasters;Aisha Rahman;2.400,00;25.11.2026;Won",
        "LAT-07;Analyseurs;Société Générale de Mesure;Maya Okafor;21.000,00;27.11.2026;Won",
        "LAT-08;Débitmètres;Ørsted Vannverk;Jérôme Lefèvre;5.500,00;13.11.2026;Won",
        "",
    ]
)

# -- files to refuse ----------------------------------------------------------------------

HEADER_ONLY_CSV = "Deal ID,Customer,Owner,Amount,Close Date\r\n"
WRONG_COLUMNS_CSV = """\
Product,SKU,Stock
Handheld pH meter,NW-PH-200,42
Benchtop spectrometer,NW-SP-900,7
Gas detector,NW-GD-310,15
Flow meter,NW-FM-120,23
Data logger,NW-DL-050,64
Calibration kit,NW-CK-001,11
Temperature probe,NW-TP-075,120
Replacement sensor,NW-RS-410,38
"""


def _binary() -> bytes:
    # Not starting with a byte-order mark or a zip/OLE2/PDF signature, with zero bytes.
    return b"\x7fELF" + random.Random(2026).randbytes(4092)


def _not_utf8_declared() -> bytes:
    # A UTF-8 byte-order mark, then a name in Windows-1252 bytes ("Zo\xeb"): invalid UTF-8.
    return (
        b"\xef\xbb\xbfDeal ID,Customer,Owner,Amount,Close Date\r\n"
        b"NW-1,Redwood Clinics,Zo\xeb O'Brien,1200,2026-11-05\r\n"
        b"NW-2,Cascade Labs,Maya Okafor,900,2026-11-06\r\n"
    )


def _old_excel() -> bytes:
    # The OLE2 compound-file header an Excel 97-2003 workbook starts with, in a 512-byte
    # header sector (the rest of a real .xls is never read).
    header = bytearray(512)
    header[0:8] = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
    header[24:34] = b"\x3e\x00\x03\x00\xfe\xff\x09\x00\x06\x00"
    return bytes(header) + b"\xff" * 512


def _hubspot_xlsx() -> bytes:
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = "All deals"
    sheet.append(HUBSPOT_HEADER.split(","))
    for number, row in enumerate(HUBSPOT_XLSX_ROWS, start=2):
        if row is None:
            continue  # an empty row: openpyxl writes nothing for it
        for column, value in enumerate(row, start=1):
            cell = sheet.cell(number, column, value)
            if isinstance(value, datetime):
                cell.number_format = "yyyy-mm-dd hh:mm"
            elif column == 6 and isinstance(value, int | float):
                cell.number_format = '"$"#,##0.00'
    book.properties.creator = "HubSpot"
    book.properties.created = _STAMP
    book.properties.modified = _STAMP
    raw = io.BytesIO()
    book.save(raw)
    return _fixed_zip(raw.getvalue())


def _fixed_zip(data: bytes) -> bytes:
    """The workbook with its times fixed: zipfile stamps each entry with the clock, and
    openpyxl sets the "modified" property to the time of saving."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as src, zipfile.ZipFile(out, "w") as dst:
        for info in src.infolist():
            content = src.read(info.filename)
            if info.filename == "docProps/core.xml":
                stamp = _STAMP.strftime("%Y-%m-%dT%H:%M:%SZ").encode()
                content = re.sub(
                    rb"(<dcterms:modified[^>]*>)[^<]*(</dcterms:modified>)",
                    rb"\g<1>" + stamp + rb"\g<2>",
                    content,
                )
            fixed = zipfile.ZipInfo(info.filename, date_time=_STAMP.timetuple()[:6])
            fixed.compress_type = zipfile.ZIP_DEFLATED
            fixed.external_attr = info.external_attr
            dst.writestr(fixed, content)
    return out.getvalue()


def _text(text: str, encoding: str) -> Callable[[], bytes]:
    return lambda: text.encode(encoding)


SAMPLES: dict[str, Callable[[], bytes]] = {
    "hubspot_deals.csv": _text(HUBSPOT_CSV, "utf-8-sig"),
    "hubspot_deals.xlsx": _hubspot_xlsx,
    "salesforce_opportunities.csv": _text(SALESFORCE_CSV, "cp1252"),
    "salesforce_no_id.csv": _text(SALESFORCE_NO_ID_CSV, "utf-8"),
    "pipedrive_deals.csv": _text(PIPEDRIVE_CSV, "utf-8"),
    # Python's "utf-16" writes the machine's byte order: Excel writes little-endian.
    "generic_deals_utf16.txt": lambda: b"\xff\xfe" + GENERIC_UTF16_TXT.encode("utf-16-le"),
    "generic_dmy_proven.csv": _text(GENERIC_DMY_CSV, "utf-8"),
    "latin1_semicolon.csv": _text(LATIN1_CSV, "iso-8859-1"),
    "empty.csv": lambda: b"",
    "header_only.csv": _text(HEADER_ONLY_CSV, "utf-8"),
    "binary.csv": _binary,
    "not_utf8_declared.csv": _not_utf8_declared,
    "old_excel.xls": _old_excel,
    "wrong_columns.csv": _text(WRONG_COLUMNS_CSV, "utf-8"),
}


def sample_bytes(name: str) -> bytes:
    """What `name` holds, as this script writes it."""
    return SAMPLES[name]()


def write_all(folder: Path = HERE) -> list[Path]:
    """Writes every sample into `folder`; returns their paths."""
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for name in SAMPLES:
        path = folder / name
        path.write_bytes(sample_bytes(name))
        written.append(path)
    return written


if __name__ == "__main__":
    for path in write_all(Path(sys.argv[1]) if len(sys.argv) > 1 else HERE):
        print(path)
