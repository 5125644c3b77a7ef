"""The deals table: pages rows from the company file as the user scrolls.

A company can hold a million deals, so nothing here holds them all: the model
counts in SQL, loads 200 rows at a time through `canFetchMore`/`fetchMore`, and
sorting or searching re-queries the database (services.deal_table) with ORDER
BY on an indexed column and WHERE ... LIKE.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from PySide6.QtCore import (
    QModelIndex,
    QPersistentModelIndex,
    Qt,
    QTimer,
)
from PySide6.QtGui import QKeySequence, QPalette, QShortcut
from PySide6.QtWidgets import (
    QApplication,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from icmdesk.domain.engine.fmt import fmt_money
from icmdesk.domain.entities import Deal
from icmdesk.domain.errors import NotFoundError, ValidationError
from icmdesk.services import deal_table, records
from icmdesk.services.company import CompanyHandle
from icmdesk.services.deal_table import DealRowView, DealSort
from icmdesk.ui.cancel_dialog import CancelDialog
from icmdesk.ui.changes import DEALS, REPS, Change, Changes, follow
from icmdesk.ui.deal_dialog import DealDialog
from icmdesk.ui.forms import RowKeys, SelectionButtons
from icmdesk.ui.messages import Messages
from icmdesk.ui.tables import (
    LEFT,
    RIGHT,
    Column,
    PagedTableModel,
    date_text,
    make_table,
    set_column_widths,
)

SEARCH_DELAY_MS = 250  # wait for the user to stop typing before querying

AnyIndex = QModelIndex | QPersistentModelIndex


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

    def sort_column(self) -> int:
        return self._sorts.index(self._sort)

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


class DealsView(QWidget):
    """Every deal of the company, searchable and sortable, however many there are."""

    kinds = frozenset({DEALS, REPS})  # the credits name reps

    def __init__(
        self,
        company_file: CompanyHandle,
        parent: QWidget | None = None,
        *,
        changes: Changes | None = None,
    ) -> None:
        super().__init__(parent)
        self._read_only = False
        self._file = company_file
        self._changes = changes or Changes(self)
        follow(self, self._changes)
        currency = records.get_company(company_file).currency
        self._model = DealTableModel(company_file, currency, self)
        self._search_timer = QTimer(self)
        self._search_timer.setSingleShot(True)
        self._search_timer.setInterval(SEARCH_DELAY_MS)
        self._build_ui()
        self._connect_signals()
        self._show_count()

    def _build_ui(self) -> None:
        layout = QVBoxLayout(self)
        bar = QHBoxLayout()
        self._search = QLineEdit()
        self._search.setPlaceholderText("Search by deal id or customer")
        self._search.setClearButtonEnabled(True)
        self._search.setMinimumWidth(self._search.fontMetrics().averageCharWidth() * 36)
        bar.addWidget(self._search)
        # Edits: buttons, plus Insert / Return or double-click / Delete on the table.
        self.add_button = QPushButton("&Add deal…")
        self.add_button.setToolTip("Add a deal (Insert)")
        self.edit_button = QPushButton("&Edit…")
        self.edit_button.setToolTip("Edit the selected deal (Return or double-click)")
        self.cancel_button = QPushButton("Cance&l deal…")
        self.cancel_button.setToolTip("Cancel the selected deal, with a preview of its clawbacks")
        self.delete_button = QPushButton("&Delete")
        self.delete_button.setToolTip("Delete the selected deal (Delete)")
        for button in (self.add_button, self.edit_button, self.cancel_button, self.delete_button):
            bar.addWidget(button)
        bar.addStretch(1)
        self._count = QLabel()
        self._count.setAlignment(RIGHT)
        bar.addWidget(self._count)
        layout.addLayout(bar)

        self._table = make_table(self)
        self._table.setModel(self._model)
        header = self._table.horizontalHeader()
        # The arrow first, so that enabling sorting asks for the order already loaded.
        header.setSortIndicator(self._model.sort_column(), Qt.SortOrder.DescendingOrder)
        self._table.setSortingEnabled(True)
        header.setDefaultAlignment(LEFT)
        set_column_widths(self._table, (11, 10, 28, 9, 15, 30, 23))
        # The credits text is the one that varies most in length: it takes the spare room.
        header.setSectionResizeMode(5, QHeaderView.ResizeMode.Stretch)
        layout.addWidget(self._table)

    def _connect_signals(self) -> None:
        self._search.textChanged.connect(self._on_search_text_changed)
        self._search.returnPressed.connect(self._on_search_timer_timeout)
        self._search_timer.timeout.connect(self._on_search_timer_timeout)
        self._table.horizontalHeader().sortIndicatorChanged.connect(
            self._on_header_sort_indicator_changed
        )
        self._model.modelReset.connect(self._show_count)
        self._model.rowsInserted.connect(self._show_count)
        self.add_button.clicked.connect(self.add_deal)
        self.edit_button.clicked.connect(self.edit_deal)
        self.cancel_button.clicked.connect(self.cancel_deal)
        self.delete_button.clicked.connect(self.delete_deal)
        self._table.doubleClicked.connect(self._on_table_double_clicked)
        insert = QShortcut(QKeySequence(Qt.Key.Key_Insert), self)
        insert.setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        insert.activated.connect(self.add_deal)
        # Return and Delete act on the table's row only while the table has the keyboard
        # (a shortcut would also take the search box's Return).
        self._row_keys = RowKeys(
            self._table, edit=self.edit_deal, add=self.add_deal, delete=self.delete_deal
        )
        # Edit and Delete act on the selected row: enabled only while one is.
        self._row_buttons = SelectionButtons(
            self._table, self.edit_button, self.cancel_button, self.delete_button
        )

    def set_read_only(self, read_only: bool) -> None:
        """A file opened read-only: the table stays, the edits go."""
        self._read_only = read_only
        self.add_button.setEnabled(not read_only)
        self._row_buttons.set_read_only(read_only)

    # Entry points for the main window's Find and Refresh.
    def focus_search(self) -> None:
        self._search.setFocus(Qt.FocusReason.ShortcutFocusReason)
        self._search.selectAll()

    def refresh(self) -> None:
        self._model.refresh()

    def on_changes(self, change: Change) -> None:
        self.refresh()  # one table: deals and the reps they credit

    @property
    def model(self) -> DealTableModel:
        return self._model

    @property
    def table(self) -> QTableView:
        return self._table

    @property
    def search_box(self) -> QLineEdit:
        return self._search

    def selected_deal_id(self) -> int | None:
        rows = self._table.selectionModel().selectedRows()
        return self._model.row_value(rows[0].row()).id if rows else None

    # Edits (the dialogs save through the services; the table then re-reads).
    def add_deal(self) -> None:
        if self._read_only:
            return
        if DealDialog.edit(self, self._file, None) is not None:
            self._written()

    def edit_deal(self) -> None:
        if self._read_only:
            return
        deal = self._selected_deal()
        if deal is not None and DealDialog.edit(self, self._file, deal) is not None:
            self._written()

    def cancel_deal(self) -> None:
        if self._read_only:
            return
        deal = self._selected_deal()
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
        if CancelDialog.confirm(self, self._file, deal) is not None:
            self._written()

    def delete_deal(self) -> None:
        if self._read_only:
            return
        deal = self._selected_deal()
        if deal is None or not Messages.confirm(
            self,
            "Delete deal",
            f"Delete deal {deal.external_id} ({deal.customer})?",
            "Its credits and payments go with it. To undo a sale, cancel the deal instead: "
            "that keeps it on record and claws back its commission.",
            "Delete",
        ):
            return
        try:
            records.delete_deal(self._file, deal.id)
        except (ValidationError, NotFoundError) as e:
            Messages.error(self, "The deal was not deleted", e)
        self._written()

    def _written(self) -> None:
        """A deal was saved: show it here, and tell the other views."""
        self.refresh()
        self._changes.announce(DEALS, source=self)

    def _selected_deal(self) -> Deal | None:
        deal_id = self.selected_deal_id()
        if deal_id is None:
            return None
        try:
            return records.get_deal(self._file, deal_id)
        except NotFoundError as e:
            Messages.error(self, "The deal is gone", e)
            self.refresh()
            return None

    # Slots.
    def _on_table_double_clicked(self, index: QModelIndex) -> None:
        self._table.selectRow(index.row())
        self.edit_deal()

    def _on_search_text_changed(self, _text: str) -> None:
        self._search_timer.start()

    def _on_search_timer_timeout(self) -> None:
        self._search_timer.stop()
        self._model.set_search(self._search.text())

    def _on_header_sort_indicator_changed(self, column: int, _order: Qt.SortOrder) -> None:
        if not self._model.is_sortable(column):
            # Put the arrow back where the rows really are sorted.
            _sort, descending = self._model.sort_order
            header = self._table.horizontalHeader()
            header.blockSignals(True)
            header.setSortIndicator(
                self._model.sort_column(),
                Qt.SortOrder.DescendingOrder if descending else Qt.SortOrder.AscendingOrder,
            )
            header.blockSignals(False)

    def _show_count(self) -> None:
        total = self._model.total
        shown = self._model.rowCount()
        noun = "deal" if total == 1 else "deals"
        matching = " matching" if self._model.search else ""
        if shown < total:
            self._count.setText(f"{total:,}{matching} {noun} · {shown:,} loaded")
        else:
            self._count.setText(f"{total:,}{matching} {noun}")
