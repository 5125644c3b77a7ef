"""The deals table: pages rows from the company file as the user scrolls.

A company can hold a million deals, so nothing here holds them all: the model
counts in SQL, loads 200 rows at a time through `canFetchMore`/`fetchMore`, and
sorting or searching re-queries the database (services.deal_table) with ORDER
BY on an indexed column and WHERE ... LIKE.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, cast

from PySide6.QtCore import Qt
from PySide6.QtGui import QPalette
from PySide6.QtWidgets import QApplication, QPushButton, QWidget

from icmdesk.domain.engine.fmt import fmt_money
from icmdesk.domain.entities import Deal
from icmdesk.services import deal_table, records
from icmdesk.services.company import CompanyHandle
from icmdesk.services.deal_table import DealRowView, DealSort
from icmdesk.ui.cancel_dialog import CancelDialog
from icmdesk.ui.changes import DEALS, REPS, writing
from icmdesk.ui.deal_dialog import DealDialog
from icmdesk.ui.messages import Messages
from icmdesk.ui.record_list import DeleteQuestion, RecordCalls, RecordListView
from icmdesk.ui.tables import RIGHT, AnyIndex, Column, PagedTableModel, date_text


class DealTableModel(PagedTableModel[DealRowView]):
    """Deals of a company file, one page at a time, sorted and filtered in SQL."""

    def __init__(
        self, company_file: CompanyHandle, currency: str, parent: QWidget | None = None
    ) -> None:
        money = Column("Amount", lambda d: d.amount, lambda a: fmt_money(a, currency), RIGHT)
        # Each column with the SQL order it sorts by, or None when the column cannot sort.
        columns: tuple[tuple[Column[DealRowView], DealSort | None], ...] = (
            (Column("Close date", lambda d: d.close_date, date_text), DealSort.CLOSE_DATE),
            (Column("Deal", lambda d: d.external_id), DealSort.EXTERNAL_ID),
            (Column("Customer", lambda d: d.customer), DealSort.CUSTOMER),
            (Column("Type", lambda d: d.deal_type), None),
            (money, DealSort.AMOUNT),
            (Column("Credited to", lambda d: d.credits), None),
            (Column("Status", _status_text), None),
        )
        super().__init__([c for c, _ in columns], parent)
        self._sorts = tuple(key for _, key in columns)
        self._file = company_file
        self._search = ""
        self._sort = DealSort.CLOSE_DATE
        self._descending = True  # newest first: last month's deals are the ones being checked
        self._load_first_page()

    # What the view asks for.
    @property
    def search(self) -> str:
        return self._search

    @property
    def sort_order(self) -> tuple[DealSort, bool]:
        return self._sort, self._descending

    def sort_indicator(self) -> tuple[int, Qt.SortOrder]:
        order = Qt.SortOrder.DescendingOrder if self._descending else Qt.SortOrder.AscendingOrder
        return self._sorts.index(self._sort), order

    def is_sortable(self, column: int) -> bool:
        return 0 <= column < len(self._sorts) and self._sorts[column] is not None

    def set_search(self, search: str) -> None:
        if search.strip() != self._search:
            self._search = search.strip()
            self.refresh()

    def _count_rows(self) -> int:
        return deal_table.count_deals(self._file, self._search)

    def _read_page(self, offset: int, limit: int) -> Sequence[DealRowView]:
        return deal_table.deal_page(
            self._file,
            search=self._search,
            sort=self._sort,
            descending=self._descending,
            offset=offset,
            limit=limit,
        )

    # QAbstractTableModel.
    def data(self, index: AnyIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if (
            role == Qt.ItemDataRole.ForegroundRole
            and index.isValid()
            and 0 <= index.row() < self.rowCount()
            and self.row_value(index.row()).status == deal_table.CANCELLED
        ):
            # Cancelled deals read as set aside, in whatever colours the palette has.
            return QApplication.palette().brush(QPalette.ColorRole.PlaceholderText)
        return super().data(index, role)

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if (
            role == Qt.ItemDataRole.ToolTipRole
            and orientation == Qt.Orientation.Horizontal
            and 0 <= section < len(self._sorts)
            and self._sorts[section] is None
        ):
            return "This column does not sort"
        return super().headerData(section, orientation, role)

    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        key = self._sorts[column] if 0 <= column < len(self._sorts) else None
        if key is None:
            return
        descending = order == Qt.SortOrder.DescendingOrder
        if (key, descending) == (self._sort, self._descending):
            return
        self._sort, self._descending = key, descending
        self.refresh()


def _status_text(deal: DealRowView) -> str:
    if deal.cancellation_date is not None:
        return f"Cancelled {deal.cancellation_date.isoformat()}"
    return "Won"


class DealsView(RecordListView[DealRowView, Deal]):
    """Every deal of the company, searchable and sortable, however many there are."""

    kinds = frozenset({DEALS, REPS})  # the credits name reps
    noun = "deal"
    search_hint = "Search by deal id or customer"
    column_chars = (11, 10, 28, 9, 15, 30, 23)
    stretch_columns = (5,)  # the credits text varies most in length: it takes the spare room
    dialog = DealDialog
    calls = RecordCalls(records.get_deal, records.delete_deal)

    # The list: paged from the file, sorted and searched in SQL.
    def _make_model(self) -> DealTableModel:
        return DealTableModel(self._file, records.get_company(self._file).currency, self)

    @property
    def model(self) -> DealTableModel:
        return cast(DealTableModel, self._model)

    def _apply_search(self, text: str) -> None:
        self.model.set_search(text)

    def _delete_question(self, record: Deal) -> DeleteQuestion:
        return DeleteQuestion(
            f"Delete deal {record.external_id} ({record.customer})?",
            "Its credits and payments go with it. To undo a sale, cancel the deal instead: "
            "that keeps it on record and claws back its commission.",
            refused="The deal was not deleted",
        )

    # Cancelling, besides Edit and Delete.
    def _more_row_buttons(self) -> Sequence[QPushButton]:
        self.cancel_button = QPushButton("Cance&l deal…")
        self.cancel_button.setToolTip("Cancel the selected deal, with a preview of its clawbacks")
        self.cancel_button.clicked.connect(self.cancel_deal)
        return (self.cancel_button,)

    def cancel_deal(self) -> None:
        deal = self._chosen_record()
        if deal is None:
            return
        if deal.cancellation_date is not None:
            Messages.info(
                self,
                "Cancel deal",
                f"Deal {deal.external_id} was already cancelled on "
                f"{deal.cancellation_date.isoformat()}.",
            )
            return
        with writing(self):  # what the dialog saves is this view's write
            cancelled = CancelDialog.confirm(self, self._file, deal)
        if cancelled is not None:
            self._written()
