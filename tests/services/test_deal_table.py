"""The deals table's queries: pages in SQL order, search, counts, credits text."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest

from icmdesk.domain.entities import Company, Credit, Deal, Rep
from icmdesk.domain.money import D
from icmdesk.models.database import CompanyFile
from icmdesk.services import deal_table, records
from icmdesk.services.deal_table import DealSort
from icmdesk.services.store import insert_deals


@pytest.fixture
def cf(tmp_path: Path) -> Iterator[CompanyFile]:
    cf = records.create_company_file(tmp_path / "acme.icmdesk", Company("Acme Ltd"))
    ana = records.save_rep(cf, Rep("Ana Lee", date(2026, 1, 1)))
    bo = records.save_rep(cf, Rep("Bo Chen", date(2026, 1, 1)))
    deals = [
        Deal("D-3", "Globex", D("900.00"), date(2026, 2, 1), credits=(Credit(ana.id, D(100)),)),
        Deal(
            "D-1",
            "Acme Robotics",
            D("1500.50"),
            date(2026, 1, 10),
            credits=(Credit(ana.id, D(60)), Credit(bo.id, D(40))),
        ),
        Deal(
            "D-2",
            "Initech 50%_off",
            D("1500.50"),
            date(2026, 1, 10),
            deal_type="renewal",
            cancellation_date=date(2026, 3, 1),
            cancellation_reason="churned",
        ),
        Deal("X-9", "acme corp", D("12.34"), date(2026, 3, 5), credits=(Credit(bo.id, D(100)),)),
    ]
    with cf.session() as s:
        insert_deals(s, deals)
    yield cf
    cf.close()


def ids(rows: tuple[deal_table.DealRowView, ...]) -> list[str]:
    return [r.external_id for r in rows]


@pytest.mark.parametrize(
    ("sort", "descending", "expected"),
    [
        (DealSort.CLOSE_DATE, False, ["D-1", "D-2", "D-3", "X-9"]),
        (DealSort.CLOSE_DATE, True, ["X-9", "D-3", "D-2", "D-1"]),
        (DealSort.EXTERNAL_ID, False, ["D-1", "D-2", "D-3", "X-9"]),
        (DealSort.AMOUNT, False, ["X-9", "D-3", "D-1", "D-2"]),  # ties in insertion order
        (DealSort.AMOUNT, True, ["D-2", "D-1", "D-3", "X-9"]),
        (DealSort.CUSTOMER, False, ["D-1", "D-3", "D-2", "X-9"]),  # SQLite: binary collation
    ],
)
def test_pages_come_in_sql_order(
    cf: CompanyFile, sort: DealSort, descending: bool, expected: list[str]
) -> None:
    assert ids(deal_table.deal_page(cf, sort=sort, descending=descending)) == expected


def test_pages_split_the_order_without_overlap(cf: CompanyFile) -> None:
    pages = [
        deal_table.deal_page(cf, sort=DealSort.AMOUNT, offset=offset, limit=3)
        for offset in (0, 3, 6)
    ]
    assert [ids(p) for p in pages] == [["X-9", "D-3", "D-1"], ["D-2"], []]


@pytest.mark.parametrize(
    ("search", "expected"),
    [
        ("", ["D-1", "D-2", "D-3", "X-9"]),
        ("acme", ["D-1", "X-9"]),  # customer, any case
        ("d-", ["D-1", "D-2", "D-3"]),  # external id
        ("x-9", ["X-9"]),
        ("50%_", ["D-2"]),  # % and _ are literal characters, not wildcards
        ("%", ["D-2"]),
        ("nobody", []),
    ],
)
def test_search_filters_by_external_id_or_customer(
    cf: CompanyFile, search: str, expected: list[str]
) -> None:
    assert ids(deal_table.deal_page(cf, search=search)) == expected
    assert deal_table.count_deals(cf, search) == len(expected)


def test_rows_carry_exact_amounts_credits_and_status(cf: CompanyFile) -> None:
    rows = {r.external_id: r for r in deal_table.deal_page(cf)}
    assert rows["D-1"].amount == Decimal("1500.50")
    assert rows["D-1"].credits == "Ana Lee 60% · Bo Chen 40%"
    assert rows["D-3"].credits == "Ana Lee"
    assert rows["D-2"].credits == ""
    assert (rows["D-2"].status, rows["D-2"].cancellation_date) == ("cancelled", date(2026, 3, 1))
    assert rows["D-1"].status == "open"
    assert rows["D-2"].deal_type == "renewal"
    assert rows["D-1"].id > 0 and rows["D-1"].close_date == date(2026, 1, 10)


def test_negative_paging_is_refused(cf: CompanyFile) -> None:
    with pytest.raises(ValueError, match="negative"):
        deal_table.deal_page(cf, offset=-1)


@pytest.mark.parametrize("sort", list(DealSort))
@pytest.mark.parametrize("descending", [False, True])
def test_every_order_reads_an_index_without_sorting(
    cf: CompanyFile, sort: DealSort, descending: bool
) -> None:
    """A million deals stay smooth only if no page sorts the table: SQLite must walk an index."""
    from sqlalchemy import event

    statements: list[tuple[str, object]] = []

    def capture(_conn, _cursor, statement, parameters, _context, _many) -> None:  # type: ignore[no-untyped-def]
        if statement.lstrip().upper().startswith("SELECT") and "FROM deals" in statement:
            statements.append((statement, parameters))

    event.listen(cf.engine, "before_cursor_execute", capture)
    try:
        deal_table.deal_page(cf, sort=sort, descending=descending, offset=2, limit=2)
    finally:
        event.remove(cf.engine, "before_cursor_execute", capture)
    assert len(statements) == 1
    statement, parameters = statements[0]
    with cf.engine.connect() as conn:
        plan = " ".join(
            row[-1]
            for row in conn.exec_driver_sql(f"EXPLAIN QUERY PLAN {statement}", parameters)  # type: ignore[arg-type]
        )
    assert "USING" in plan and "INDEX" in plan, plan
    assert "TEMP B-TREE" not in plan, plan
