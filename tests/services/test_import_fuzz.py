"""Deal import at random: whatever bytes a file holds, `open_sheet` refuses it or reads
it; whatever CSV dialect and encoding a file is written in, its cells read back as
written; whatever the cells, `plan_deals` puts every row in exactly one list.

A few dozen examples each in `make test`; many more with `make fuzz`
(HYPOTHESIS_PROFILE=fuzz) or with ICMDESK_FUZZ=1 set.
"""

from __future__ import annotations

import csv
import io
import os
import re
from collections.abc import Mapping
from dataclasses import replace
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from icmdesk.domain.calendar import Month
from icmdesk.domain.entities import Credit
from icmdesk.domain.imports.cells import DateOrder
from icmdesk.domain.imports.deals import Context, ExistingDeal, SourceRow, plan_deals
from icmdesk.domain.imports.profiles import BY_KEY, Field, detect
from icmdesk.domain.imports.profiles import Mapping as ImportMapping
from icmdesk.services.import_files import FileRefused, open_sheet

_FUZZ = os.environ.get("ICMDESK_FUZZ") == "1"


def _examples() -> int:
    """The profile's examples (the fuzz profile's with ICMDESK_FUZZ=1)."""
    total = settings.get_profile("fuzz").max_examples if _FUZZ else settings.default.max_examples
    return max(10, total)


# tmp_path is made once for all of a test's examples: each example overwrites its one file.
_SETTINGS = {"suppress_health_check": [HealthCheck.function_scoped_fixture], "deadline": None}


# -- random bytes -------------------------------------------------------------------------

_PREFIXES = [
    b"",
    b"\xef\xbb\xbf",  # UTF-8 byte-order mark
    b"\xff\xfe",  # UTF-16 LE
    b"\xfe\xff",  # UTF-16 BE
    b"PK\x03\x04",  # a zip (xlsx)
    b"\xd0\xcf\x11\xe0",  # OLE2 (xls)
    b"%PDF",
    b"Deal ID,Customer,Owner,Amount,Close Date\r\n",
    b"Record ID,Deal Name,Deal Stage,Close Date,Amount\n",
    "D\x00e\x00a\x00l\x00;\x00A\x00\r\x00\n\x00".encode("latin-1"),  # UTF-16 LE, no BOM
]
_CSVISH = st.lists(
    st.sampled_from([b",", b";", b"\t", b'"', b"\r\n", b"\n", b"\r", b"a", b"1", b"\xe9", b" "]),
    max_size=80,
).map(b"".join)
_FILES = st.tuples(
    st.sampled_from(_PREFIXES), st.one_of(st.binary(max_size=600), _CSVISH), st.binary(max_size=8)
).map(b"".join)


@settings(max_examples=_examples(), **_SETTINGS)  # type: ignore[arg-type]
@given(content=_FILES)
def test_any_bytes_are_refused_or_read(tmp_path: Path, content: bytes) -> None:
    path = tmp_path / "deals.csv"
    path.write_bytes(content)
    try:
        sheet = open_sheet(path)
        rows = list(sheet.rows)
    except FileRefused as refused:
        assert refused.code and refused.message
        return
    assert sheet.headers and len(set(sheet.headers)) == len(sheet.headers)
    numbers = [r.number for r in rows]
    assert numbers == sorted(set(numbers))
    assert all(r.number > sheet.header_row and r.line >= r.number for r in rows)
    # And the rows plan: nothing read from a file crashes the planner.
    mapping = detect(sheet.headers).mapping(sheet.headers)
    plan = plan_deals(sheet.headers, rows, mapping, _context(), lambda _ids: {})
    assert sorted(_rows_of(plan)) == numbers


# -- CSV dialects -------------------------------------------------------------------------

_NAMES = {",": "comma", ";": "semicolon", "\t": "tab", "|": "bar"}
_DELIMITERS = list(_NAMES)
_QUOTING = [csv.QUOTE_MINIMAL, csv.QUOTE_ALL, csv.QUOTE_NONNUMERIC]
_ENCODINGS = ["utf-8", "utf-8-sig", "utf-16", "cp1252"]


def _cp1252(ch: str) -> bool:
    try:
        ch.encode("cp1252")
    except UnicodeEncodeError:
        return False
    return True


@st.composite
def _csv_files(draw: st.DrawFn) -> tuple[str, list[str], list[list[str]], list[str], bytes]:
    """(delimiter, header, rows, each row's text, file bytes) written with the csv module."""
    encoding = draw(st.sampled_from(_ENCODINGS))
    delimiter = draw(st.sampled_from(_DELIMITERS))
    quoting = draw(st.sampled_from(_QUOTING))
    terminator = draw(st.sampled_from(["\r\n", "\n"]))
    # Which separator a file uses cannot be told when its cells hold the others unquoted:
    # cells hold only the file's own. No control characters but line ends (a text file).
    others = "".join(d for d in _DELIMITERS if d != delimiter)
    characters = st.characters(
        blacklist_categories=("Cs", "Cc"), blacklist_characters=others + "\ufeff"
    )
    # The csv module's writer quotes a lone "\r" only when it ends its own lines with one,
    # so its "\n" files cannot hold one (its own reader splits the row there too).
    breaks = ["\n", "\r\n", "\r"] if terminator == "\r\n" else ["\n"]
    if encoding == "cp1252":
        characters = characters.filter(_cp1252)
    tricky = st.sampled_from([*breaks, '"', delimiter, " ", "a", "é"])
    cell = st.one_of(st.text(characters, max_size=12), st.lists(tricky, max_size=5).map("".join))
    width = draw(st.integers(2, 6))
    header = [f"Col {i}" for i in range(width)]
    if encoding == "cp1252":
        # Windows-1252 text that is also valid UTF-8 ("Ã©") reads as UTF-8: an "é" before
        # a comma never is.
        header[0] = "Réf"
    rows = draw(st.lists(st.lists(cell, min_size=width, max_size=width), min_size=1, max_size=8))
    if not any(any(c.strip() for c in r) for r in rows):
        rows.append(["x"] * width)  # a file of blank rows is refused (header only)
    records = []
    for record in (header, *rows):
        text = io.StringIO()
        writer = csv.writer(text, delimiter=delimiter, quoting=quoting, lineterminator=terminator)
        writer.writerow(record)
        records.append(text.getvalue())
    return delimiter, header, rows, records[1:], "".join(records).encode(encoding)


def _line_breaks(text: str) -> int:
    return len(re.findall(r"\r\n|\r|\n", text))


@settings(max_examples=_examples(), **_SETTINGS)  # type: ignore[arg-type]
@given(written=_csv_files())
def test_a_csv_in_any_dialect_reads_back_its_cells(
    tmp_path: Path, written: tuple[str, list[str], list[list[str]], list[str], bytes]
) -> None:
    delimiter, header, rows, texts, content = written
    path = tmp_path / "deals.csv"
    path.write_bytes(content)
    sheet = open_sheet(path)
    read = list(sheet.rows)
    assert sheet.description.endswith(f"{_NAMES[delimiter]}-separated")
    assert sheet.headers == tuple(header)
    assert sheet.header_row == 1
    # Blank rows are left out but counted; a row starts on the line after the previous.
    expected: list[tuple[int, int, tuple[str, ...]]] = []
    line = 2
    for number, (row, text) in enumerate(zip(rows, texts, strict=True), start=2):
        if any(c.strip() for c in row):
            expected.append((number, line, tuple(row)))
        line += _line_breaks(text)
    assert [(r.number, r.line, tuple(r.cells)) for r in read] == expected


# -- the planner --------------------------------------------------------------------------

_OWNERS = {"maya okafor": 1, "daniel reyes": 2, "zoë o'brien": 3, "grace kim": 6}


def _credit_problem(rep_id: int, day: date) -> str:
    return "Grace Kim left." if rep_id == 6 and day > date(2026, 9, 18) else ""


def _context() -> Context:
    return Context(
        currency="USD",
        deal_types=frozenset({"new", "renewal", "upsell"}),
        owners=_OWNERS,
        rep_names={1: "Maya Okafor", 2: "Daniel Reyes", 3: "Zoë O'Brien", 6: "Grace Kim"},
        last_closed=Month(2026, 10),
        books_start=Month(2025, 1),
        first_open=Month(2026, 11),
        credit_problem=_credit_problem,
    )


_IDS = ["A-1", "A-2", "A-3", "1042", "", "(No value)"]
_TEXTS = [
    *_IDS,
    "Maya Okafor",
    "maya.okafor@northwind-instruments.com",
    "Grace Kim",
    "Zoë O'Brien",
    "Nobody",
    "Closed Won",
    "Won",
    "Lost",
    "New Business",
    "Existing Business",
    "upsell",
    "Partner",
    "12500",
    "$1,234.50",
    "1.234,50",
    "1\u00a0234,00",
    "(1,234.50)",
    "-$250.00",
    "\u2212980,00",
    "USD 1234",
    "€750.00",
    "1.234",
    "1,234",
    "TBD",
    "0",
    "2026-11-03 14:22",
    "11/5/2026",
    "5/11/2026",
    "17/11/2026",
    "11/17/2026",
    "03.11.2026",
    "2026-02-30",
    "46335.67",
    "Grand Totals (3 records)",
    "x" * 120,
]
_CELLS = st.one_of(
    st.sampled_from(_TEXTS),
    st.text(max_size=10),
    st.none(),
    st.integers(-(10**6), 10**31),
    st.floats(allow_nan=True, allow_infinity=True),
    st.decimals(allow_nan=True, allow_infinity=True, places=None),
    st.dates(date(2020, 1, 1), date(2030, 12, 31)),
    st.datetimes(datetime(2020, 1, 1), datetime(2030, 12, 31)),
    st.booleans(),
)
_HEADERS = ("Id", "Name", "Customer", "Owner", "Amount", "Currency", "Date", "Type", "Status")


@st.composite
def _mappings(draw: st.DrawFn) -> ImportMapping:
    fields = draw(st.lists(st.sampled_from(list(Field)), unique=True))
    columns = {f: draw(st.sampled_from(_HEADERS)) for f in fields}
    return ImportMapping(
        profile=draw(st.sampled_from(sorted(BY_KEY))),
        columns=columns,
        won=tuple(draw(st.lists(st.sampled_from(["Closed Won", "Won", "won"]), max_size=2))),
        date_order=draw(st.none() | st.sampled_from(list(DateOrder))),
        deal_types=draw(
            st.dictionaries(
                st.sampled_from(["New Business", "Existing Business", "Partner"]),
                st.sampled_from(["new", "renewal", "upsell", "bogus"]),
            )
        ),
        owners=draw(
            st.dictionaries(st.sampled_from(["Nobody", "Grace Kim", ""]), st.none() | st.just(2))
        ),
    )


_STORED = st.builds(
    ExistingDeal,
    id=st.integers(1, 50),
    external_id=st.just(""),  # set to the id it is stored under
    name=st.sampled_from(["", "Deal", "x" * 120]),
    customer=st.sampled_from(["", "Acme"]),
    amount=st.decimals(Decimal("0.01"), Decimal("100000"), places=2),
    close_date=st.dates(date(2025, 6, 1), date(2027, 1, 31)),
    deal_type=st.sampled_from(["new", "renewal"]),
    credits=st.lists(
        st.builds(Credit, st.sampled_from([1, 2, 6, 9]), st.just(Decimal("100.00"))), max_size=2
    ).map(tuple),
    cancellation_date=st.none() | st.dates(date(2026, 1, 1), date(2026, 12, 31)),
)


def _rows_of(plan: object) -> list[int]:
    return [
        item.row
        for kind in ("added", "updated", "unchanged", "skipped", "rejected")
        for item in getattr(plan, kind)
    ]


@settings(max_examples=_examples(), deadline=None)
@given(
    headers=st.lists(st.sampled_from(_HEADERS), min_size=1, max_size=9).map(tuple),
    cells=st.lists(st.lists(_CELLS, max_size=10), max_size=25),
    mapping=_mappings(),
    stored=st.dictionaries(st.sampled_from([*_IDS, "Deal — Acme", "Deal"]), _STORED),
)
def test_every_row_lands_in_exactly_one_list(
    headers: tuple[str, ...],
    cells: list[list[object]],
    mapping: ImportMapping,
    stored: dict[str, ExistingDeal],
) -> None:
    rows = [SourceRow(n, n + 3, tuple(c)) for n, c in enumerate(cells, start=2)]
    known = {k: _with_id(d, k) for k, d in stored.items()}

    def lookup(ids: list[str]) -> Mapping[str, ExistingDeal]:
        return {i: known[i] for i in ids if i in known}

    plan = plan_deals(headers, iter(rows), mapping, _context(), lookup)
    landed = _rows_of(plan)
    assert plan.rows == len(rows) == len(landed)
    assert sorted(landed) == [r.number for r in rows]
    for deal in (*plan.added, *plan.updated):
        assert deal.amount > 0
        assert isinstance(deal.close_date, date)
        assert deal.deal_type in {"new", "renewal", "upsell"}


def _with_id(deal: ExistingDeal, external_id: str) -> ExistingDeal:
    return replace(deal, external_id=external_id)


@pytest.mark.parametrize("name", ["hubspot_deals.csv", "pipedrive_deals.csv"])
def test_the_fuzz_context_plans_a_sample(name: str) -> None:
    """The fake company above is one a real file plans against (the properties are not
    vacuous: rows are added, skipped and rejected)."""
    sheet = open_sheet(Path(__file__).resolve().parents[1] / "data" / "imports" / name)
    rows = list(sheet.rows)
    plan = plan_deals(
        sheet.headers,
        rows,
        detect(sheet.headers).mapping(sheet.headers),
        _context(),
        lambda _ids: {},
    )
    assert plan.added and plan.skipped and plan.rejected
