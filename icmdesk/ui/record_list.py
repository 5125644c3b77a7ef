"""A list of records, the skeleton the small list views share: a search box and a count
over a table held in full (sorted and filtered through a proxy), add / edit / delete by
buttons and keys, a record gone since it was listed said so and the list read again,
delete only after asking, and no edit at all on a file opened read-only.

A view built on it states its columns, how it reads its rows and one record, its dialog
and its delete (`RecordListView`'s abstract methods); it follows the change hub like every
view (changes.FollowsChanges).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Generic, TypeVar

from PySide6.QtCore import QModelIndex, Qt
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from icmdesk.domain.errors import NotFoundError, ValidationError
from icmdesk.services.company import CompanyHandle
from icmdesk.ui.changes import Change, Changes, follow
from icmdesk.ui.forms import RowKeys, SelectionButtons
from icmdesk.ui.messages import Messages
from icmdesk.ui.tables import RIGHT, Column, ValueTableModel, make_table, sorting_proxy

R = TypeVar("R")  # a row as listed (a service's row view)
V = TypeVar("V")  # the record behind it, as the dialog edits it


class RecordListView(QWidget, Generic[R, V]):
    """Records of one kind, listed in full; type to filter.

    `noun` names one record in the count and the messages ("rep": "3 reps", "The rep is
    gone"); `kind` is the kind of change a write here announces.
    """

    kinds: frozenset[str]
    kind: str
    noun: str
    search_hint: str = "Search"
    search_chars = 36  # the search box's width, in average characters
    edit_hint = ""  # what Edit… edits besides the record, for its tooltip

    def __init__(
        self,
        company_file: CompanyHandle,
        columns: Sequence[Column[R]],
        parent: QWidget | None = None,
        *,
        changes: Changes | None = None,
    ) -> None:
        super().__init__(parent)
        self._read_only = False
        self._file = company_file
        self._changes = changes or Changes(self)
        self._model: ValueTableModel[R] = ValueTableModel(columns, self._read_rows(), self)
        self._proxy = sorting_proxy(self._model, self)
        self._build_ui()
        self._connect_signals()
        self._show_count()
        follow(self, self._changes)

    def _build_ui(self) -> None:
        layout = QVBoxLayout(self)
        bar = QHBoxLayout()
        self._search = QLineEdit()
        self._search.setPlaceholderText(self.search_hint)
        self._search.setClearButtonEnabled(True)
        self._search.setMinimumWidth(
            self._search.fontMetrics().averageCharWidth() * self.search_chars
        )
        bar.addWidget(self._search)
        # Edits: buttons, plus Insert / Return or double-click / Delete on the table.
        noun = self.noun
        self.add_button = QPushButton(f"&Add {noun}…")
        self.add_button.setToolTip(f"Add a {noun} (Insert)")
        self.edit_button = QPushButton("&Edit…")
        self.edit_button.setToolTip(
            f"Edit the selected {noun}{self.edit_hint} (Return or double-click)"
        )
        self.delete_button = QPushButton("&Delete")
        self.delete_button.setToolTip(f"Delete the selected {noun} (Delete)")
        for button in (self.add_button, self.edit_button, self.delete_button):
            bar.addWidget(button)
        bar.addStretch(1)
        self._count = QLabel()
        self._count.setAlignment(RIGHT)
        bar.addWidget(self._count)
        layout.addLayout(bar)
        self._table = make_table(self)
        self._table.setModel(self._proxy)
        self._table.setSortingEnabled(True)
        self._table.sortByColumn(0, Qt.SortOrder.AscendingOrder)
        layout.addWidget(self._table)

    def _connect_signals(self) -> None:
        self._search.textChanged.connect(self._on_search_text_changed)
        self.add_button.clicked.connect(self.add_record)
        self.edit_button.clicked.connect(self.edit_record)
        self.delete_button.clicked.connect(self.delete_record)
        self._table.doubleClicked.connect(self._on_table_double_clicked)
        insert = QShortcut(QKeySequence(Qt.Key.Key_Insert), self)
        insert.setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        insert.activated.connect(self.add_record)
        # Return and Delete act on the table's row only while the table has the keyboard.
        self._row_keys = RowKeys(
            self._table, edit=self.edit_record, add=self.add_record, delete=self.delete_record
        )
        # Edit and Delete act on the selected row: enabled only while one is.
        self._row_buttons = SelectionButtons(self._table, self.edit_button, self.delete_button)

    # What each list states.
    def _read_rows(self) -> Sequence[R]:
        """Every row to list, read from the company file."""
        raise NotImplementedError

    def _row_id(self, row: R) -> int:
        raise NotImplementedError

    def _get(self, record_id: int) -> V:
        """The record behind a row (NotFoundError when it is gone)."""
        raise NotImplementedError

    def _edit(self, record: V | None) -> object | None:
        """Edit `record` (None: a new one) in its dialog; what was saved, or None."""
        raise NotImplementedError

    def _delete_question(self, record: V) -> tuple[str, str]:
        """What to ask before deleting `record`: the question and why it may be refused."""
        raise NotImplementedError

    def _delete(self, record: V) -> None:
        raise NotImplementedError

    def _name(self, record: V) -> str:
        """The record as the not-deleted message names it."""
        raise NotImplementedError

    # Entry points (the main window's Find and Refresh, the hub, tests).
    def set_read_only(self, read_only: bool) -> None:
        """A file opened read-only: the table stays, the edits go."""
        self._read_only = read_only
        self.add_button.setEnabled(not read_only)
        self._row_buttons.set_read_only(read_only)

    def focus_search(self) -> None:
        self._search.setFocus(Qt.FocusReason.ShortcutFocusReason)
        self._search.selectAll()

    def refresh(self) -> None:
        self._model.set_rows(self._read_rows())
        self._show_count()

    def on_changes(self, change: Change) -> None:
        self.refresh()  # one table: whatever of `kinds` changed, its rows are read again

    @property
    def model(self) -> ValueTableModel[R]:
        return self._model

    @property
    def table(self) -> QTableView:
        return self._table

    @property
    def search_box(self) -> QLineEdit:
        return self._search

    def selected_row(self) -> R | None:
        rows = self._table.selectionModel().selectedRows()
        if not rows:
            return None
        return self._model.row_value(self._proxy.mapToSource(rows[0]).row())

    # Edits (the dialog saves through the services; the table then re-reads).
    def add_record(self) -> None:
        if self._read_only:
            return
        if self._edit(None) is not None:
            self._written()

    def edit_record(self) -> None:
        if self._read_only:
            return
        record = self._selected_record()
        if record is not None and self._edit(record) is not None:
            self._written()

    def delete_record(self) -> None:
        if self._read_only:
            return
        record = self._selected_record()
        if record is None:
            return
        question, why = self._delete_question(record)
        if not Messages.confirm(self, f"Delete {self.noun}", question, why, "Delete"):
            return
        try:
            self._delete(record)
        except (ValidationError, NotFoundError) as e:
            Messages.error(self, f"{self._name(record)} was not deleted", e)
        self._written()

    def _written(self) -> None:
        """A record was saved: show it here, and tell the other views."""
        self.refresh()
        self._changes.announce(self.kind, source=self)

    def _selected_record(self) -> V | None:
        row = self.selected_row()
        if row is None:
            return None
        try:
            return self._get(self._row_id(row))
        except NotFoundError as e:
            Messages.error(self, f"The {self.noun} is gone", e)
            self.refresh()
            return None

    # Slots.
    def _on_table_double_clicked(self, index: QModelIndex) -> None:
        self._table.selectRow(index.row())
        self.edit_record()

    def _on_search_text_changed(self, text: str) -> None:
        self._proxy.setFilterFixedString(text.strip())
        self._show_count()

    def _show_count(self) -> None:
        total, shown = self._model.rowCount(), self._proxy.rowCount()
        noun = self.noun if total == 1 else f"{self.noun}s"
        self._count.setText(f"{shown} of {total} {noun}" if shown != total else f"{total} {noun}")
