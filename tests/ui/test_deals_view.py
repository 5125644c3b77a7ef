"""The deals view: pages from the file, sorts and searches in SQL, shows exact money."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, timedelta
from pathlib import Path

import pytest
from PySide6.QtCore import QModelIndex, Qt
from PySide6.QtGui import QKeySequence
from PySide6.QtWidgets import QApplication

from icmdesk.domain.entities import Company, Credit, Deal, Rep
from icmdesk.domain.money import D
from icmdesk.models.database import CompanyFile
from icmdesk.services import company_io, records
from icmdesk.services.deal_table import DealSort
from icmdesk.services.store import insert_deals
from icmdesk.ui.deals_view import DealsView, DealTableModel
from icmdesk.ui.main_window import MainWindow
from icmdesk.ui.tables import PAGE_SIZE, VALUE_ROLE
from tests.fixtures import (
    SHUFFLED_BY_AMOUNT,
    SHUFFLED_BY_CLOSE_DATE,
    SHUFFLED_BY_CUSTOMER,
    SHUFFLED_BY_EXTERNAL_ID,
)
from tests.ui.on_screen import menu_command

pytestmark = pytest.mark.gui

MANY = 20_000
COLUMNS = ["Close date", "Deal", "Customer", "Type", "Amount", "Credited to", "Status"]


@pytest.fixture
def small(tmp_path: Path) -> Iterator[CompanyFile]:
    cf = records.create_company_file(tmp_path / "acme.icmdesk", Company("Acme Ltd"))
    ana = records.save_rep(cf, Rep("Ana Lee", date(2026, 1, 1)))
    bo = records.save_rep(cf, Rep("Bo Chen", date(2026, 1, 1)))
    with cf.session() as s:
        insert_deals(
            s,
            [
                Deal("D-1", "Acme Robotics", D("1234567.89"), date(2026, 1, 10),
                     credits=(Credit(ana.id, D(60)), Credit(bo.id, D(40)))),
                Deal("D-2", "Globex", D("0.05"), date(2026, 2, 3), deal_type="renewal",
                     credits=(Credit(bo.id, D(100)),), cancellation_date=date(2026, 3, 1),
                     cancellation_reason="churned"),
                Deal("D-3", "Initech", D("500.00"), date(2026, 1, 20),
                     credits=(Credit(ana.id, D(100)),)),
            ],
        )  # fmt: skip
    yield cf
    cf.close()


@pytest.fixture
def many(tmp_path: Path) -> Iterator[CompanyFile]:
    cf = records.create_company_file(tmp_path / "big.icmdesk", Company("Big Co"))
    rep = records.save_rep(cf, Rep("Ana Lee", date(2020, 1, 1)))
    start = date(2024, 1, 1)
    deals = [
        Deal(
            f"B-{i:06d}",
            f"Customer {i % 997}",
            # Amounts 1.00 .. 9,999.99 in a scrambled order; deal 7777 is the largest.
            D("99999.99") if i == 7777 else D(f"{(i * 7919) % 999_999 + 100}") / 100,
            start + timedelta(days=i % 700),
            credits=(Credit(rep.id, D(100)),),
        )
        for i in range(MANY)
    ]
    with cf.session() as s:
        insert_deals(s, deals)
    yield cf
    cf.close()


def cell(model: DealTableModel, row: int, column: str) -> str:
    return model.data(model.index(row, COLUMNS.index(column)))  # type: ignore[no-any-return]


def column_texts(model: DealTableModel, column: str) -> list[str]:
    return [cell(model, r, column) for r in range(model.rowCount())]


def open_view(qtbot, cf: CompanyFile) -> DealsView:  # type: ignore[no-untyped-def]
    view = DealsView(cf)
    qtbot.addWidget(view)
    view.resize(1000, 500)
    view.show()
    qtbot.waitExposed(view)
    return view


def click_header(qtbot, view: DealsView, column: str) -> None:  # type: ignore[no-untyped-def]
    header = view.table.horizontalHeader()
    section = COLUMNS.index(column)
    x = header.sectionViewportPosition(section) + header.sectionSize(section) // 2
    qtbot.mouseClick(
        header.viewport(), Qt.MouseButton.LeftButton, pos=header.rect().center().__class__(x, 5)
    )


def test_model_passes_the_qt_model_tester(qtmodeltester, small: CompanyFile) -> None:  # type: ignore[no-untyped-def]
    model = DealTableModel(small, "USD")
    qtmodeltester.check(model, force_py=True)
    model.set_search("acme")
    assert model.rowCount() == 1


def test_model_passes_the_qt_model_tester_while_paging(qtmodeltester, many: CompanyFile) -> None:  # type: ignore[no-untyped-def]
    model = DealTableModel(many, "USD")
    model.fetchMore(QModelIndex())
    model.sort(COLUMNS.index("Amount"), Qt.SortOrder.AscendingOrder)
    model.set_search("Customer 5")
    assert model.total > 2 * PAGE_SIZE
    # (Resets come before the check: pytest-qt's tester fetches more from inside
    # modelReset before it marks the reset finished, and then blames the model.)
    qtmodeltester.check(model, force_py=True)
    # The tester stays connected and checks the signals of the next pages.
    model.fetchMore(QModelIndex())
    model.fetchMore(QModelIndex())
    assert model.rowCount() >= 3 * PAGE_SIZE


def test_table_shows_headers_rows_and_formatted_money(qtbot, small: CompanyFile) -> None:  # type: ignore[no-untyped-def]
    view = open_view(qtbot, small)
    model = view.model
    headers = [model.headerData(c, Qt.Orientation.Horizontal) for c in range(len(COLUMNS))]
    assert headers == COLUMNS
    # Newest first by default.
    assert column_texts(model, "Deal") == ["D-2", "D-3", "D-1"]
    assert column_texts(model, "Amount") == ["$0.05", "$500.00", "$1,234,567.89"]
    assert column_texts(model, "Credited to") == ["Bo Chen", "Ana Lee", "Ana Lee 60% · Bo Chen 40%"]
    assert column_texts(model, "Status") == ["Cancelled 2026-03-01", "Won", "Won"]
    assert column_texts(model, "Type")[0] == "renewal"
    amount = model.index(0, COLUMNS.index("Amount"))
    assert model.data(amount, Qt.ItemDataRole.TextAlignmentRole) & Qt.AlignmentFlag.AlignRight
    customer = model.index(0, COLUMNS.index("Customer"))
    assert not (
        model.data(customer, Qt.ItemDataRole.TextAlignmentRole) & Qt.AlignmentFlag.AlignRight
    )
    assert model.data(amount, VALUE_ROLE).amount == D("0.05")
    # Cancelled rows use the palette's subdued colour; open rows keep the default.
    assert model.data(amount, Qt.ItemDataRole.ForegroundRole) is not None
    assert model.data(model.index(1, 0), Qt.ItemDataRole.ForegroundRole) is None
    assert view.count_text == "3 deals"


def test_clicking_headers_sorts_in_sql(qtbot, acme_shuffled_deals: CompanyFile) -> None:  # type: ignore[no-untyped-def]
    # The fixture's orders all disagree, so each expected order comes from its own sort.
    view = open_view(qtbot, acme_shuffled_deals)
    assert column_texts(view.model, "Deal") == SHUFFLED_BY_CLOSE_DATE[::-1]  # newest first
    clicks = [
        ("Close date", (DealSort.CLOSE_DATE, False), SHUFFLED_BY_CLOSE_DATE),
        ("Deal", (DealSort.EXTERNAL_ID, False), SHUFFLED_BY_EXTERNAL_ID),
        ("Amount", (DealSort.AMOUNT, False), SHUFFLED_BY_AMOUNT),
        ("Amount", (DealSort.AMOUNT, True), SHUFFLED_BY_AMOUNT[::-1]),
        ("Customer", (DealSort.CUSTOMER, False), SHUFFLED_BY_CUSTOMER),
        ("Customer", (DealSort.CUSTOMER, True), SHUFFLED_BY_CUSTOMER[::-1]),
    ]
    for column, sort_order, expected in clicks:
        click_header(qtbot, view, column)
        assert (view.model.sort_order, column_texts(view.model, "Deal")) == (sort_order, expected)
    assert column_texts(view.model, "Customer") == [
        "acme corp", "Initech 50%_off", "Globex", "Acme Robotics"
    ]  # fmt: skip
    # A column without an index does not sort; the arrow stays on the real order.
    click_header(qtbot, view, "Credited to")
    assert view.model.sort_order[0] is DealSort.CUSTOMER
    assert view.table.horizontalHeader().sortIndicatorSection() == COLUMNS.index("Customer")


def test_typing_in_the_search_box_filters(qtbot, small: CompanyFile) -> None:  # type: ignore[no-untyped-def]
    view = open_view(qtbot, small)
    qtbot.keyClicks(view.search_box, "glob")
    qtbot.waitUntil(lambda: view.model.rowCount() == 1)
    assert column_texts(view.model, "Customer") == ["Globex"]
    assert view.count_text == "1 matching deal"
    view.search_box.clear()
    qtbot.keyClicks(view.search_box, "d-")
    qtbot.keyClick(view.search_box, Qt.Key.Key_Return)  # Return searches at once
    assert view.model.rowCount() == 3
    view.search_box.clear()
    qtbot.keyClicks(view.search_box, "nothing like it")
    qtbot.keyClick(view.search_box, Qt.Key.Key_Return)
    assert view.model.rowCount() == 0
    assert view.count_text == "0 matching deals"


def test_refresh_shows_deals_added_elsewhere(qtbot, small: CompanyFile) -> None:  # type: ignore[no-untyped-def]
    view = open_view(qtbot, small)
    with small.session() as s:
        insert_deals(s, [Deal("D-9", "Umbrella", D("10.00"), date(2026, 5, 1))])
    assert view.model.rowCount() == 3
    view.refresh()
    assert view.model.rowCount() == 4
    assert cell(view.model, 0, "Deal") == "D-9"


def test_twenty_thousand_deals_load_page_by_page(qtbot, many: CompanyFile) -> None:  # type: ignore[no-untyped-def]
    view = open_view(qtbot, many)
    model = view.model
    assert model.total == MANY
    assert model.rowCount() == PAGE_SIZE
    assert model.canFetchMore(QModelIndex())
    model.fetchMore(QModelIndex())
    assert model.rowCount() == 2 * PAGE_SIZE
    # Scrolling to the bottom asks for the next page, not for everything.
    view.table.scrollToBottom()
    QApplication.processEvents()
    assert 2 * PAGE_SIZE < model.rowCount() < MANY
    assert "20,000 deals" in view.count_text and "loaded" in view.count_text
    # Sorting by amount, largest first, re-queries and starts again from one page.
    click_header(qtbot, view, "Amount")  # ascending
    click_header(qtbot, view, "Amount")  # descending
    assert model.sort_order == (DealSort.AMOUNT, True)
    assert model.rowCount() == PAGE_SIZE
    assert cell(model, 0, "Deal") == "B-007777"
    assert cell(model, 0, "Amount") == "$99,999.99"
    amounts = [model.data(model.index(r, 0), VALUE_ROLE).amount for r in range(PAGE_SIZE)]
    assert amounts == sorted(amounts, reverse=True)
    # Searching counts in SQL too.
    view.search_box.setText("Customer 996")
    qtbot.keyClick(view.search_box, Qt.Key.Key_Return)
    assert model.total == len([i for i in range(MANY) if i % 997 == 996])
    assert {cell(model, r, "Customer") for r in range(model.rowCount())} == {"Customer 996"}


def test_main_window_find_and_refresh_reach_the_deals_view(qtbot, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    cf = company_io.write_demo(tmp_path / "demo.icmdesk")
    window = MainWindow(cf)
    qtbot.addWidget(window)
    window.show()
    qtbot.waitExposed(window)
    view = window.show_view("Deals")
    assert isinstance(view, DealsView)
    assert view.model.total == 305
    # (The offscreen platform never activates a window, so shortcuts are checked as keys
    # and the actions triggered directly.)
    find = menu_command(window, "View", "Find")
    assert find.shortcut() == QKeySequence(QKeySequence.StandardKey.Find)
    assert menu_command(window, "View", "Refresh").shortcut().toString() == "F5"
    view.search_box.setText("acme")
    find.trigger()
    assert window.focusWidget() is view.search_box
    assert view.search_box.selectedText() == "acme"
    view.search_box.clear()
    qtbot.keyClick(view.search_box, Qt.Key.Key_Return)
    with cf.session() as s:
        insert_deals(s, [Deal("Z-1", "Late Co", D("1.00"), date(2027, 1, 1))])
    assert view.model.total == 305  # not yet re-read
    menu_command(window, "View", "Refresh").trigger()
    assert view.model.total == 306
    assert cell(view.model, 0, "Deal") == "Z-1"
    cf.close()
