"""Table models over frozen values: columns declared once (header, text, alignment, sort key).

Small tables (reps, a month's statements, statement lines) hold every row and
sort/filter through a `QSortFilterProxyModel` on `SORT_ROLE`; the deals table and
the audit log page from the database instead (`PagedTableModel`) but declare their
columns the same way.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any, Generic, TypeVar

from PySide6.QtCore import (
    QAbstractTableModel,
    QModelIndex,
    QPersistentModelIndex,
    QSortFilterProxyModel,
    Qt,
)
from PySide6.QtGui import QPainter
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHeaderView,
    QProxyStyle,
    QStyle,
    QStyleOption,
    QStyleOptionHeader,
    QTableView,
    QWidget,
)

from icmdesk.domain.engine.fmt import fmt_money

T = TypeVar("T")

# The raw value a column sorts on (a Decimal sorts as a number, not as "$1,000.00").
SORT_ROLE = Qt.ItemDataRole.UserRole + 1
# The frozen value behind a row, for views that act on a selection.
VALUE_ROLE = Qt.ItemDataRole.UserRole + 2

LEFT = Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter
RIGHT = Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter

AnyIndex = QModelIndex | QPersistentModelIndex

PAGE_SIZE = 200  # rows a paged table reads at a time


@dataclass(frozen=True, slots=True)
class Column(Generic[T]):
    """One column: its header, the raw value of a row, how that value reads on screen."""

    header: str
    value: Callable[[T], Any]
    text: Callable[[Any], str] = str
    align: Qt.AlignmentFlag = LEFT
    tooltip: Callable[[T], str] | None = None
    explained: str = ""  # the header's tooltip: what the column means


def date_text(value: date | None) -> str:
    return "" if value is None else value.isoformat()


def money_column(
    header: str, value: Callable[[T], Decimal], currency: str, *, explained: str = ""
) -> Column[T]:
    """A money column: formatted with the company's currency, right-aligned."""
    return Column(
        header, value, lambda amount: fmt_money(amount, currency), RIGHT, explained=explained
    )


class ValueTableModel(QAbstractTableModel, Generic[T]):
    """A read-only table over a tuple of frozen values."""

    def __init__(
        self, columns: Sequence[Column[T]], rows: Sequence[T] = (), parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self._columns = tuple(columns)
        self._rows: tuple[T, ...] = tuple(rows)

    def set_rows(self, rows: Sequence[T]) -> None:
        self.beginResetModel()
        self._rows = tuple(rows)
        self.endResetModel()

    def rows(self) -> tuple[T, ...]:
        return self._rows

    @property
    def columns(self) -> tuple[Column[T], ...]:
        return self._columns

    def row_value(self, row: int) -> T:
        return self._rows[row]

    def rowCount(self, parent: AnyIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: AnyIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._columns)

    def data(self, index: AnyIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self._rows):
            return None
        row = self._rows[index.row()]
        column = self._columns[index.column()]
        if role == Qt.ItemDataRole.DisplayRole:
            return column.text(column.value(row))
        if role == Qt.ItemDataRole.TextAlignmentRole:
            return int(column.align)
        if role == Qt.ItemDataRole.ToolTipRole:
            # The whole text, for cells cut short by a narrow column.
            text = column.tooltip(row) if column.tooltip else column.text(column.value(row))
            return text or None
        if role == SORT_ROLE:
            return _sort_value(column.value(row))
        if role == VALUE_ROLE:
            return row
        return None

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if orientation != Qt.Orientation.Horizontal or not 0 <= section < len(self._columns):
            return None
        if role == Qt.ItemDataRole.DisplayRole:
            return self._columns[section].header
        if role == Qt.ItemDataRole.TextAlignmentRole:
            return int(self._columns[section].align)
        if role == Qt.ItemDataRole.ToolTipRole:
            return self._columns[section].explained or None
        return None


class PagedTableModel(QAbstractTableModel, Generic[T]):
    """Rows read from the database one page at a time as the view scrolls.

    A million rows never sit in Python: the count and each page come from a service
    (SQL with LIMIT/OFFSET). Subclasses say how to count and how to read a page; the
    paging (canFetchMore/fetchMore), the reset on refresh and the cells are here.
    """

    page_size = PAGE_SIZE

    def __init__(self, columns: Sequence[Column[T]], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._columns = tuple(columns)
        self._rows: list[T] = []
        self._total = 0
        self._fetching = False

    # What a subclass provides.
    def _count_rows(self) -> int:
        raise NotImplementedError

    def _read_page(self, offset: int, limit: int) -> Sequence[T]:
        raise NotImplementedError

    # What the view asks for.
    @property
    def total(self) -> int:
        """How many rows match (loaded or not)."""
        return self._total

    def row_value(self, row: int) -> T:
        return self._rows[row]

    def sort_indicator(self) -> tuple[int, Qt.SortOrder] | None:
        """The column the rows are sorted by and which way, for the header's arrow; None
        (the default) when they keep the service's order and the header does not sort. A
        model that sorts in SQL says so here, in `is_sortable` and in `sort`."""
        return None

    def is_sortable(self, column: int) -> bool:
        return False

    def refresh(self) -> None:
        """Re-read from the first page (after edits elsewhere, a new filter, or F5)."""
        self.beginResetModel()
        self._load_first_page()
        self.endResetModel()

    def _load_first_page(self) -> None:
        self._total = self._count_rows()
        self._rows = list(self._read_page(0, self.page_size))

    def cell_text(self, row: T, column: Column[T]) -> str:
        return column.text(column.value(row))

    # QAbstractTableModel.
    def rowCount(self, parent: AnyIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: AnyIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._columns)

    def canFetchMore(self, parent: AnyIndex) -> bool:
        return not parent.isValid() and len(self._rows) < self._total

    def fetchMore(self, parent: AnyIndex) -> None:
        # Views (and the model tester) may ask again from inside rowsInserted: one at a time.
        if parent.isValid() or self._fetching:
            return
        self._fetching = True
        try:
            page = self._read_page(len(self._rows), self.page_size)
            if not page:
                # Rows were deleted since the count: stop asking for more.
                self._total = len(self._rows)
                return
            first = len(self._rows)
            self.beginInsertRows(QModelIndex(), first, first + len(page) - 1)
            self._rows.extend(page)
            self.endInsertRows()
        finally:
            self._fetching = False

    def data(self, index: AnyIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self._rows):
            return None
        row = self._rows[index.row()]
        column = self._columns[index.column()]
        if role == Qt.ItemDataRole.DisplayRole:
            return self.cell_text(row, column)
        if role == Qt.ItemDataRole.TextAlignmentRole:
            return int(column.align)
        if role == Qt.ItemDataRole.ToolTipRole:
            # The whole text of cells that may be cut short, or what the column says more.
            text = column.tooltip(row) if column.tooltip else column.text(column.value(row))
            return text or None
        if role == VALUE_ROLE:
            return row
        return None

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if orientation != Qt.Orientation.Horizontal or not 0 <= section < len(self._columns):
            return None
        if role == Qt.ItemDataRole.DisplayRole:
            return self._columns[section].header
        if role == Qt.ItemDataRole.TextAlignmentRole:
            return int(self._columns[section].align)
        if role == Qt.ItemDataRole.ToolTipRole:
            return self._columns[section].explained or None
        return None


def _sort_value(value: Any) -> Any:
    """A value Qt can compare: a Decimal as text would sort "$9" after "$10" and floats are
    not used for money, so amounts sort on an integer (ten-thousandths: cents and
    two-decimal percentages stay exact)."""
    if isinstance(value, Decimal):
        return int(value.scaleb(4).to_integral_value())
    if isinstance(value, date):
        return value.isoformat()
    return "" if value is None else value


def sorting_proxy(
    model: QAbstractTableModel, parent: QWidget | None = None
) -> QSortFilterProxyModel:
    """A proxy that sorts on SORT_ROLE and filters on any column's text, ignoring case."""
    proxy = QSortFilterProxyModel(parent)
    proxy.setSourceModel(model)
    proxy.setSortRole(SORT_ROLE)
    proxy.setFilterKeyColumn(-1)
    proxy.setFilterCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
    proxy.setSortCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
    return proxy


class _PaddedHeaderStyle(QProxyStyle):
    """Header labels inset from their section's edges, like the cells below them, so a
    right-aligned header ("Amount") never touches a left-aligned neighbour ("Credited to")."""

    PAD = 4

    def drawControl(
        self,
        element: QStyle.ControlElement,
        option: QStyleOption,
        painter: QPainter,
        widget: QWidget | None = None,
    ) -> None:
        if element == QStyle.ControlElement.CE_HeaderLabel and isinstance(
            option, QStyleOptionHeader
        ):
            inset = QStyleOptionHeader(option)
            inset.rect = option.rect.adjusted(self.PAD, 0, -self.PAD, 0)
            super().drawControl(element, inset, painter, widget)
            return
        super().drawControl(element, option, painter, widget)


def make_table(parent: QWidget | None = None) -> QTableView:
    """A table view set up the same way everywhere: whole rows, one at a time, no grid."""
    table = QTableView(parent)
    table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
    table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    table.setAlternatingRowColors(True)
    table.setShowGrid(False)
    table.setWordWrap(False)
    table.setTabKeyNavigation(False)  # Tab moves on to the next control, as in a form
    table.verticalHeader().setVisible(False)
    table.verticalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
    table.verticalHeader().setDefaultSectionSize(table.fontMetrics().height() + 8)
    table.horizontalHeader().setHighlightSections(False)
    # Room between a right-aligned amount and the text beside it (no colours: the palette's).
    table.setStyleSheet("QTableView::item { padding: 0px 4px; }")
    table.horizontalHeader().setDefaultAlignment(LEFT)
    header_style = _PaddedHeaderStyle()
    header_style.setParent(table.horizontalHeader())  # kept alive by the header
    table.horizontalHeader().setStyle(header_style)
    return table


def set_column_widths(table: QTableView, chars: Sequence[int]) -> None:
    """Initial widths in average characters (resizing to contents would read every row)."""
    metrics = table.fontMetrics()
    for column, n in enumerate(chars):
        if n > 0:
            table.setColumnWidth(column, metrics.averageCharWidth() * n + 24)


def fit_amounts(table: QTableView, *, stretch: int | tuple[int, ...] = 0) -> None:
    """Amounts are never cut: a small table's right-aligned (money) columns take the width
    of their widest cell, whatever the currency prints as ("CHF 1,234,567.89"); the
    `stretch` columns (names) share the rest equally and elide when the window is narrow."""
    model = table.model()
    if isinstance(model, QSortFilterProxyModel):
        model = model.sourceModel()
    assert isinstance(model, ValueTableModel)
    header = table.horizontalHeader()
    stretched = (stretch,) if isinstance(stretch, int) else stretch
    for column, spec in enumerate(model.columns):
        if column in stretched:
            header.setSectionResizeMode(column, QHeaderView.ResizeMode.Stretch)
        elif spec.align == RIGHT:
            header.setSectionResizeMode(column, QHeaderView.ResizeMode.ResizeToContents)
    table.setTextElideMode(Qt.TextElideMode.ElideRight)
