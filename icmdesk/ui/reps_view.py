"""The reps table: a small table held in full, sorted and searched through a proxy."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

from PySide6.QtCore import QModelIndex, Qt
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

from icmdesk.domain.entities import Rep
from icmdesk.domain.errors import NotFoundError, ValidationError
from icmdesk.services import records
from icmdesk.services.company import CompanyHandle
from icmdesk.services.rep_table import RepRowView, rep_rows
from icmdesk.ui.changes import PLANS, REPS, ROLES, Changes, follow
from icmdesk.ui.forms import RowKeys, SelectionButtons
from icmdesk.ui.messages import Messages
from icmdesk.ui.rep_dialog import RepDialog
from icmdesk.ui.tables import (
    RIGHT,
    Column,
    ValueTableModel,
    date_text,
    make_table,
    sorting_proxy,
)


def _columns(today: Callable[[], date]) -> list[Column[RepRowView]]:
    def status(rep: RepRowView) -> str:
        if rep.termination_date is not None and rep.termination_date < today():
            return f"Left {rep.termination_date.isoformat()}"
        if rep.hire_date > today():
            return f"Starts {rep.hire_date.isoformat()}"
        return "Active"

    return [
        Column("Name", lambda r: r.name),
        Column("Role", lambda r: r.role),
        Column("Manager", lambda r: r.manager),
        Column("Plan today", lambda r: r.plan),
        Column("Hired", lambda r: r.hire_date, date_text),
        Column("Status", status),
        Column("Payroll id", lambda r: r.payroll_id),
        Column("Email", lambda r: r.email),
    ]


class RepsView(QWidget):
    """Every rep of the company with role, manager and current plan; type to filter."""

    def __init__(
        self,
        company_file: CompanyHandle,
        parent: QWidget | None = None,
        *,
        today: Callable[[], date] = date.today,
        changes: Changes | None = None,
    ) -> None:
        super().__init__(parent)
        self._read_only = False
        self._file = company_file
        self._changes = changes or Changes(self)
        follow(self, self._changes, frozenset({REPS, ROLES, PLANS}), self.refresh)
        self._today = today
        self._model = ValueTableModel(_columns(today), rep_rows(company_file, on=today()), self)
        self._proxy = sorting_proxy(self._model, self)
        self._build_ui()
        self._connect_signals()
        self._show_count()

    def _build_ui(self) -> None:
        layout = QVBoxLayout(self)
        bar = QHBoxLayout()
        self._search = QLineEdit()
        self._search.setPlaceholderText("Search reps")
        self._search.setClearButtonEnabled(True)
        self._search.setMinimumWidth(self._search.fontMetrics().averageCharWidth() * 36)
        bar.addWidget(self._search)
        # Edits: buttons, plus Insert / Return or double-click / Delete on the table.
        self.add_button = QPushButton("&Add rep…")
        self.add_button.setToolTip("Add a rep (Insert)")
        self.edit_button = QPushButton("&Edit…")
        self.edit_button.setToolTip(
            "Edit the selected rep and their plans (Return or double-click)"
        )
        self.delete_button = QPushButton("&Delete")
        self.delete_button.setToolTip("Delete the selected rep (Delete)")
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
        # Dates, status and payroll id as wide as they read; the names share the rest (they
        # elide in a narrow window): never a sideways scroll bar for a team's list.
        header = self._table.horizontalHeader()
        for column in range(self._proxy.columnCount()):
            fixed = column in (4, 5, 6)  # Hired, Status, Payroll id
            header.setSectionResizeMode(
                column,
                QHeaderView.ResizeMode.ResizeToContents
                if fixed
                else QHeaderView.ResizeMode.Stretch,
            )
        self._table.setTextElideMode(Qt.TextElideMode.ElideRight)
        layout.addWidget(self._table)

    def _connect_signals(self) -> None:
        self._search.textChanged.connect(self._on_search_text_changed)
        self.add_button.clicked.connect(self.add_rep)
        self.edit_button.clicked.connect(self.edit_rep)
        self.delete_button.clicked.connect(self.delete_rep)
        self._table.doubleClicked.connect(self._on_table_double_clicked)
        insert = QShortcut(QKeySequence(Qt.Key.Key_Insert), self)
        insert.setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        insert.activated.connect(self.add_rep)
        # Return and Delete act on the table's row only while the table has the keyboard.
        self._row_keys = RowKeys(
            self._table, edit=self.edit_rep, add=self.add_rep, delete=self.delete_rep
        )
        # Edit and Delete act on the selected row: enabled only while one is.
        self._row_buttons = SelectionButtons(self._table, self.edit_button, self.delete_button)

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
        self._model.set_rows(rep_rows(self._file, on=self._today()))
        self._show_count()

    @property
    def search_box(self) -> QLineEdit:
        return self._search

    @property
    def table(self) -> QTableView:
        return self._table

    def selected_rep_id(self) -> int | None:
        rows = self._table.selectionModel().selectedRows()
        if not rows:
            return None
        return self._model.row_value(self._proxy.mapToSource(rows[0]).row()).id

    # Edits (the dialog saves through the services; the table then re-reads).
    def add_rep(self) -> None:
        if self._read_only:
            return
        if RepDialog.edit(self, self._file, None) is not None:
            self._written()

    def edit_rep(self) -> None:
        if self._read_only:
            return
        rep = self._selected_rep()
        if rep is not None and RepDialog.edit(self, self._file, rep) is not None:
            self._written()

    def delete_rep(self) -> None:
        if self._read_only:
            return
        rep = self._selected_rep()
        if rep is None or not Messages.confirm(
            self,
            "Delete rep",
            f"Delete {rep.name}?",
            "Only a rep with no deals, plan assignments or statements can be deleted. "
            "A rep who left keeps their history: set a termination date instead.",
            "Delete",
        ):
            return
        try:
            records.delete_rep(self._file, rep.id)
        except (ValidationError, NotFoundError) as e:
            Messages.error(self, f"{rep.name} was not deleted", e)
        self._written()

    def _written(self) -> None:
        """A rep was saved: show it here, and tell the other views."""
        self.refresh()
        self._changes.announce(REPS, source=self)

    def _selected_rep(self) -> Rep | None:
        rep_id = self.selected_rep_id()
        if rep_id is None:
            return None
        try:
            return records.get_rep(self._file, rep_id)
        except NotFoundError as e:
            Messages.error(self, "The rep is gone", e)
            self.refresh()
            return None

    # Slots.
    def _on_table_double_clicked(self, index: QModelIndex) -> None:
        self._table.selectRow(index.row())
        self.edit_rep()

    def _on_search_text_changed(self, text: str) -> None:
        self._proxy.setFilterFixedString(text.strip())
        self._show_count()

    def _show_count(self) -> None:
        total, shown = self._model.rowCount(), self._proxy.rowCount()
        noun = "rep" if total == 1 else "reps"
        self._count.setText(f"{shown} of {total} {noun}" if shown != total else f"{total} {noun}")
