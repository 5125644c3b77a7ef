"""The deals table's queries: pages in SQL order, search, counts, credits text (over the
shared `acme_shuffled_deals`, whose orders all disagree)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from icmdesk.models.database import CompanyFile
from icmdesk.services import deal_table
from icmdesk.services.deal_table import DealSort
from tests.fixtures import (
    SHUFFLED_BY_AMOUNT,
    SHUFFLED_BY_CLOSE_DATE,
    SHUFFLED_BY_CUSTOMER,
    SHUFFLED_BY_EXTERNAL_ID,
    SHUFFLED_BY_ID,
)


def ids(rows: tuple[deal_table.DealRowView, ...]) -> list[str]:
    return [r.external_id for r in rows]


def test_the_fixtures_orders_all_disagree(acme_shuffled_deals: CompanyFile) -> None:
    """Guards the shared data: were two orders the same, a sort test could pass with the
    sort broken (keyed on the wrong column, or not applied at all)."""
    rows = sorted(deal_table.deal_page(acme_shuffled_deals), key=lambda r: r.id)
    keys = {
        "id": lambda r: r.id,
        "external id": lambda r: r.external_id,
        "close date": lambda r: r.close_date,
        "amount": lambda r: (r.amount, r.id),
        "customer": lambda r: r.customer.encode(),
    }
    orders = {
        (name, descending): ids(tuple(sorted(rows, key=key, reverse=descending)))
        for name, key in keys.items()
        for descending in (False, True)
    }
    assert len({tuple(o) for o in orders.values()}) == len(orders), orders
    assert orders["id", False] == SHUFFLED_BY_ID
    assert orders["external id", False] == SHUFFLED_BY_EXTERNAL_ID
    assert orders["close date", False] == SHUFFLED_BY_CLOSE_DATE
    assert orders["amount", False] == SHUFFLED_BY_AMOUNT
    assert orders["customer", False] == SHUFFLED_BY_CUSTOMER


def reverse(order: list[str]) -> list[str]:
    return order[::-1]


@pytest.mark.parametrize(
    ("sort", "descending", "expected"),
    [
        (DealSort.CLOSE_DATE, False, SHUFFLED_BY_CLOSE_DATE),
        (DealSort.CLOSE_DATE, True, reverse(SHUFFLED_BY_CLOSE_DATE)),
        (DealSort.EXTERNAL_ID, False, SHUFFLED_BY_EXTERNAL_ID),
        (DealSort.EXTERNAL_ID, True, reverse(SHUFFLED_BY_EXTERNAL_ID)),
        (DealSort.AMOUNT, False, SHUFFLED_BY_AMOUNT),  # ties in the order saved
        (DealSort.AMOUNT, True, reverse(SHUFFLED_BY_AMOUNT)),
        (DealSort.CUSTOMER, False, SHUFFLED_BY_CUSTOMER),  # SQLite: binary collation
        (DealSort.CUSTOMER, True, reverse(SHUFFLED_BY_CUSTOMER)),
    ],
)
def test_pages_come_in_sql_order(
    acme_shuffled_deals: CompanyFile, sort: DealSort, descending: bool, expected: list[str]
) -> None:
    assert (
        ids(deal_table.deal_page(acme_shuffled_deals, sort=sort, descending=descending)) == expected
    )


def test_pages_split_the_order_without_overlap(acme_shuffled_deals: CompanyFile) -> None:
    pages = [
        deal_table.deal_page(acme_shuffled_deals, sort=DealSort.AMOUNT, offset=offset, limit=3)
        for offset in (0, 3, 6)
    ]
    assert [ids(p) for p in pages] == [["X-9", "D-1", "D-3"], ["D-2"], []]


@pytest.mark.parametrize(
    ("search", "expected"),
    [
        ("", SHUFFLED_BY_CLOSE_DATE),
        ("acme", ["X-9", "D-1"]),  # customer, any case
        ("d-", ["D-2", "D-3", "D-1"]),  # external id
        ("x-9", ["X-9"]),
        ("50%_", ["D-2"]),  # % and _ are literal characters, not wildcards
        ("%", ["D-2"]),
        ("nobody", []),
    ],
)
def test_search_filters_by_external_id_or_customer(
    acme_shuffled_deals: CompanyFile, search: str, expected: list[str]
) -> None:
    assert ids(deal_table.deal_page(acme_shuffled_deals, search=search)) == expected
    assert deal_table.count_deals(acme_shuffled_deals, search) == len(expected)


def test_rows_carry_exact_amounts_credits_and_status(acme_shuffled_deals: CompanyFile) -> None:
    rows = {r.external_id: r for r in deal_table.deal_page(acme_shuffled_deals)}
    assert rows["D-1"].amount == Decimal("900.00")
    assert rows["D-1"].credits == "Ana Lee 60% · Bo Chen 40%"
    assert rows["D-3"].credits == "Ana Lee"
    assert rows["D-2"].credits == ""
    assert (rows["D-2"].status, rows["D-2"].cancellation_date) == ("cancelled", date(2026, 3, 1))
    assert rows["D-1"].status == "open"
    assert rows["D-2"].deal_type == "renewal"
    assert rows["D-1"].id > 0 and rows["D-1"].close_date == date(2026, 3, 5)


def test_negative_paging_is_refused(acme_shuffled_deals: CompanyFile) -> None:
    with pytest.raises(ValueError, match="negative"):
        deal_table.deal_page(acme_shuffled_deals, offset=-1)


@pytest.mark.parametrize("sort", list(DealSort))
@pytest.mark.parametrize("descending", [False, True])
def test_every_order_reads_an_index_without_sorting(
    acme_shuffled_deals: CompanyFile, sort: DealSort, descending: bool
) -> None:
    """A million deals stay smooth only if no page sorts the table: SQLite must walk an index."""
    from sqlalchemy import event

    statements: list[tuple[str, object]] = []

    def capture(_conn, _cursor, statement, parameters, _context, _many) -> None:  # type: ignore[no-untyped-def]
        if statement.lstrip().upper().startswith("SELECT") and "FROM deals" in statement:
            statements.append((statement, parameters))

    event.listen(acme_shuffled_deals.engine, "before_cursor_execute", capture)
    try:
        deal_table.deal_page(
            acme_shuffled_deals, sort=sort, descending=descending, offset=2, limit=2
        )
    finally:
        event.remove(acme_shuffled_deals.engine, "before_cursor_execute", capture)
    assert len(statements) == 1
    statement, parameters = statements[0]
    with acme_shuffled_deals.engine.connect() as conn:
        plan = " ".join(
            row[-1]
            for row in conn.exec_driver_sql(f"EXPLAIN QUERY PLAN {statement}", parameters)  # type: ignore[arg-type]
        )
    assert "USING" in plan and "INDEX" in plan, plan
    assert "TEMP B-TREE" not in plan, plan
