"""A list of records, the skeleton the list views share: a search box and a count over a
table, add / edit / delete by buttons and keys, a record gone since it was listed said so
and the list read again, delete only after asking, no edit at all on a file opened
read-only, and the change hub followed like every view (changes.FollowsChanges).

A list is one of two kinds, as its model is:
- held in full (the default; reps, roles): `_columns` over every row `_read_rows` gives,
  sorted and filtered as the user types through a proxy, "3 of 8 reps";
- paged from the database (deals, the audit log; `_make_model` returns a
  `PagedTableModel`): the count and each page come from SQL, a search waits for a pause in
  the typing (or Return) and queries (`_apply_search`), a header click sorts in SQL where
  the model can (`PagedTableModel.sort_indicator`), "1,000,000 deals · 200 loaded".

A view built on it states its columns (or its paged model), its dialog (`dialog`), its
service calls (`calls`) and what to ask before a delete: the class attributes below and the
methods under "What each list states".
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Generic, NamedTuple, Protocol, TypeVar

from PySide6.QtCore import QModelIndex, QSortFilterProxyModel, Qt, QTimer
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from icmdesk.domain.errors import NotFoundError, ValidationError
from icmdesk.services.company import CompanyHandle
from icmdesk.ui.changes import Change, Changes, follow, writing
from icmdesk.ui.forms import RowKeys, SelectionButtons
from icmdesk.ui.messages import Messages
from icmdesk.ui.tables import (
    RIGHT,
    Column,
    PagedTableModel,
    ValueTableModel,
    make_table,
    set_column_widths,
    sorting_proxy,
)

SEARCH_DELAY_MS = 250  # a paged list waits for the user to stop typing before it queries


class Listed(Protocol):
    """A row as listed (a service's row view), or the record behind it: known by its id."""

    @property
    def id(self) -> int: ...


R = TypeVar("R", bound=Listed)  # a row as listed
V = TypeVar("V", bound=Listed)  # the record behind it, as the dialog edits it


@dataclass(frozen=True, slots=True)
class RecordCalls(Generic[R, V]):
    """The services behind a list, each called with the company file."""

    get: Callable[[CompanyHandle, int], V]  # one record, to act on (NotFoundError: gone)
    delete: Callable[[CompanyHandle, int], object]
    rows: Callable[[CompanyHandle], Sequence[R]] | None = None  # every row, for a list held in full


class RecordDialog(Protocol[V]):
    """A record's dialog, through its entry (`RepDialog.edit`): edit `record` (None: a new
    one); the stored record, or None when the user cancelled."""

    def edit(
        self, parent: QWidget | None, company_file: CompanyHandle, record: V | None, /
    ) -> V | None: ...


class DeleteQuestion(NamedTuple):
    """What a delete asks first, and says if the service refuses it."""

    question: str  # "Delete Ana Lee?"
    why: str  # when a delete is refused, and what to do instead
    refused: str  # the refusal's title: "Ana Lee was not deleted"


class RecordListView(QWidget, Generic[R, V]):
    """Records of one kind; type to search.

    `noun` names one record in the count and the messages ("rep": "3 reps", "The rep is
    gone"); `kinds` are the kinds of change it shows (ui.changes).
    """

    kinds: frozenset[str]
    noun: str
    dialog: RecordDialog[V]  # its entry is looked up at each use (tests replace it)
    calls: RecordCalls[R, V]
    search_hint: str = "Search"
    search_chars = 36  # the search box's width, in average characters
    edit_hint = ""  # what Edit… edits besides the record, for its tooltip
    editable = True  # False: a list to read, without Add, Edit or Delete (the audit log)
    column_chars: tuple[int, ...] = ()  # first widths, in average characters (0: Qt's)
    stretch_columns: tuple[int, ...] = ()  # the columns that share the spare width
    fitted_columns: tuple[int, ...] = ()  # the columns as wide as their text
    says_matching = True  # a searched paged count reads "12 matching deals"

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
        self._searched = ""  # what the search box held when last searched
        self._model = self._make_model()
        self._proxy: QSortFilterProxyModel | None = (
            None if isinstance(self._model, PagedTableModel) else sorting_proxy(self._model, self)
        )
        self._search_timer = QTimer(self)
        self._search_timer.setSingleShot(True)
        self._search_timer.setInterval(SEARCH_DELAY_MS)
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
        for widget in self._filters():
            bar.addWidget(widget)
        if self.editable:
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
            self._selection_buttons = (
                self.edit_button,
                *self._more_row_buttons(),
                self.delete_button,
            )
            for button in (self.add_button, *self._selection_buttons):
                bar.addWidget(button)
        bar.addStretch(1)
        self._count = QLabel()
        self._count.setAlignment(RIGHT)
        bar.addWidget(self._count)
        layout.addLayout(bar)
        self._table = make_table(self)
        self._table.setModel(self._model if self._proxy is None else self._proxy)
        self._sort_table()
        set_column_widths(self._table, self.column_chars)
        header = self._table.horizontalHeader()
        for column in self.stretch_columns:
            header.setSectionResizeMode(column, QHeaderView.ResizeMode.Stretch)
        for column in self.fitted_columns:
            header.setSectionResizeMode(column, QHeaderView.ResizeMode.ResizeToContents)
        layout.addWidget(self._table)

    def _sort_table(self) -> None:
        if isinstance(self._model, PagedTableModel):
            indicator = self._model.sort_indicator()
            if indicator is not None:
                # The arrow first, so that enabling sorting asks for the order already loaded.
                self._table.horizontalHeader().setSortIndicator(*indicator)
                self._table.setSortingEnabled(True)
            return
        self._table.setSortingEnabled(True)
        self._table.sortByColumn(0, Qt.SortOrder.AscendingOrder)

    def _connect_signals(self) -> None:
        self._search.textChanged.connect(self._on_search_text_changed)
        self._search.returnPressed.connect(self._search_now)
        self._search_timer.timeout.connect(self._search_now)
        self._model.modelReset.connect(self._show_count)
        self._model.rowsInserted.connect(self._show_count)  # a paged list's next page
        if isinstance(self._model, PagedTableModel) and self._table.isSortingEnabled():
            self._table.horizontalHeader().sortIndicatorChanged.connect(
                self._on_header_sort_indicator_changed
            )
        if not self.editable:
            return
        self.add_button.clicked.connect(self.add_record)
        self.edit_button.clicked.connect(self.edit_record)
        self.delete_button.clicked.connect(self.delete_record)
        self._table.doubleClicked.connect(self._on_table_double_clicked)
        insert = QShortcut(QKeySequence(Qt.Key.Key_Insert), self)
        insert.setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        insert.activated.connect(self.add_record)
        # Return and Delete act on the table's row only while the table has the keyboard
        # (a shortcut would also take the search box's Return).
        self._row_keys = RowKeys(
            self._table, edit=self.edit_record, add=self.add_record, delete=self.delete_record
        )
        # Edit, Delete and the like act on the selected row: enabled only while one is.
        self._row_buttons = SelectionButtons(self._table, *self._selection_buttons)

    # What each list states.
    def _make_model(self) -> ValueTableModel[R] | PagedTableModel[R]:
        """The table's model: by default every row, held in full; a `PagedTableModel` for a
        list too long for that (it then searches in `_apply_search`)."""
        return ValueTableModel(self._columns(), self._read_rows(), self)

    def _columns(self) -> Sequence[Column[R]]:
        """The columns of a list held in full."""
        raise NotImplementedError

    def _read_rows(self) -> Sequence[R]:
        """Every row of a list held in full, read from the company file."""
        if self.calls.rows is None:
            raise NotImplementedError("a list held in full says how it reads its rows")
        return self.calls.rows(self._file)

    def _apply_search(self, text: str) -> None:
        """Show the rows that match `text` (stripped): a list held in full filters on any
        column's text; a paged list queries again."""
        if self._proxy is None:
            raise NotImplementedError("a paged list says how it searches")
        self._proxy.setFilterFixedString(text)
        self._show_count()

    def _filters(self) -> Sequence[QWidget]:
        """Controls beside the search box that narrow the list too (none by default)."""
        return ()

    def _more_row_buttons(self) -> Sequence[QPushButton]:
        """Buttons between Edit and Delete that act on the selected row (none by default);
        they are enabled only while a row is selected and the file can be written."""
        return ()

    def _delete_question(self, record: V) -> DeleteQuestion:
        """What to ask before deleting `record`, and how to title a refusal."""
        raise NotImplementedError

    # Entry points (the main window's Find and Refresh, the hub, tests).
    def set_read_only(self, read_only: bool) -> None:
        """A file opened read-only: the table stays, the edits go."""
        self._read_only = read_only
        if self.editable:
            self.add_button.setEnabled(not read_only)
            self._row_buttons.set_read_only(read_only)

    def focus_search(self) -> None:
        self._search.setFocus(Qt.FocusReason.ShortcutFocusReason)
        self._search.selectAll()

    def refresh(self) -> None:
        """Read the rows again (a paged list from its first page); the count follows."""
        if isinstance(self._model, PagedTableModel):
            self._model.refresh()
        else:
            self._model.set_rows(self._read_rows())

    def on_changes(self, change: Change) -> None:
        self.refresh()  # one table: whatever of `kinds` changed, its rows are read again

    @property
    def model(self) -> ValueTableModel[R] | PagedTableModel[R]:
        return self._model

    @property
    def table(self) -> QTableView:
        return self._table

    @property
    def search_box(self) -> QLineEdit:
        return self._search

    @property
    def count_text(self) -> str:
        """What the count beside the search box says ("2 of 4 reps", "3 matching deals")."""
        return self._count.text()

    def selected_row(self) -> R | None:
        rows = self._table.selectionModel().selectedRows()
        if not rows:
            return None
        index = rows[0] if self._proxy is None else self._proxy.mapToSource(rows[0])
        return self._model.row_value(index.row())

    # Edits (the dialog saves through the services; the table then re-reads).
    def add_record(self) -> None:
        if not self._writable():
            return
        with writing(self):  # what the dialog saves is this view's write
            saved = self.dialog.edit(self, self._file, None)
        if saved is not None:
            self._written()

    def edit_record(self) -> None:
        record = self._chosen_record()
        if record is None:
            return
        with writing(self):
            saved = self.dialog.edit(self, self._file, record)
        if saved is not None:
            self._written()

    def delete_record(self) -> None:
        record = self._chosen_record()
        if record is None:
            return
        question, why, refused = self._delete_question(record)
        if not Messages.confirm(self, f"Delete {self.noun}", question, why, "Delete"):
            return
        try:
            with writing(self):
                self.calls.delete(self._file, record.id)
        except (ValidationError, NotFoundError) as e:
            Messages.error(self, refused, e)
        self._written()

    def _written(self) -> None:
        """A record was saved here (inside `writing(self)`): show it; the hub tells the
        other views what the write path committed."""
        self.refresh()

    def _writable(self) -> bool:
        return self.editable and not self._read_only

    def _chosen_record(self) -> V | None:
        """The selected row's record, read afresh to act on; None when the file is read-only,
        no row is selected, or the record is gone (said so, and the list read again)."""
        row = self.selected_row() if self._writable() else None
        if row is None:
            return None
        try:
            return self.calls.get(self._file, row.id)
        except NotFoundError as e:
            Messages.error(self, f"The {self.noun} is gone", e)
            self.refresh()
            return None

    # Slots.
    def _on_table_double_clicked(self, index: QModelIndex) -> None:
        self._table.selectRow(index.row())
        self.edit_record()

    def _on_search_text_changed(self, _text: str) -> None:
        if self._proxy is None:
            self._search_timer.start()  # a query per pause in the typing, not per key
        else:
            self._search_now()

    def _search_now(self) -> None:
        """Search for what the box holds (typed, Return, a filter beside it chosen)."""
        self._search_timer.stop()
        self._searched = self._search.text().strip()
        self._apply_search(self._searched)

    def _on_header_sort_indicator_changed(self, column: int, _order: Qt.SortOrder) -> None:
        assert isinstance(self._model, PagedTableModel)
        indicator = self._model.sort_indicator()
        if indicator is not None and not self._model.is_sortable(column):
            # Put the arrow back where the rows really are sorted.
            header = self._table.horizontalHeader()
            header.blockSignals(True)
            header.setSortIndicator(*indicator)
            header.blockSignals(False)

    def _show_count(self) -> None:
        if isinstance(self._model, PagedTableModel):
            total, loaded = self._model.total, self._model.rowCount()
            nouns = self.noun if total == 1 else f"{self.noun}s"
            matching = " matching" if self.says_matching and self._searched else ""
            text = f"{total:,}{matching} {nouns}"
            self._count.setText(f"{text} · {loaded:,} loaded" if loaded < total else text)
            return
        assert self._proxy is not None
        total, shown = self._model.rowCount(), self._proxy.rowCount()
        nouns = self.noun if total == 1 else f"{self.noun}s"
        self._count.setText(f"{shown} of {total} {nouns}" if shown != total else f"{total} {nouns}")
