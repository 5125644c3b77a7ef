"""The reps table: a small table held in full, sorted and searched through a proxy."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from icmdesk.models.database import CompanyFile
from icmdesk.services.rep_table import RepRowView, rep_rows
from icmdesk.ui.tables import (
    RIGHT,
    Column,
    ValueTableModel,
    date_text,
    make_table,
    set_column_widths,
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
        company_file: CompanyFile,
        parent: QWidget | None = None,
        *,
        today: Callable[[], date] = date.today,
    ) -> None:
        super().__init__(parent)
        self._file = company_file
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
        bar.addStretch(1)
        self._count = QLabel()
        self._count.setAlignment(RIGHT)
        bar.addWidget(self._count)
        layout.addLayout(bar)
        self._table = make_table(self)
        self._table.setModel(self._proxy)
        self._table.setSortingEnabled(True)
        self._table.sortByColumn(0, Qt.SortOrder.AscendingOrder)
        set_column_widths(self._table, (18, 25, 16, 20, 11, 16, 10, 0))
        self._table.horizontalHeader().setStretchLastSection(True)
        layout.addWidget(self._table)

    def _connect_signals(self) -> None:
        self._search.textChanged.connect(self._on_search_text_changed)

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

    # Slots.
    def _on_search_text_changed(self, text: str) -> None:
        self._proxy.setFilterFixedString(text.strip())
        self._show_count()

    def _show_count(self) -> None:
        total, shown = self._model.rowCount(), self._proxy.rowCount()
        noun = "rep" if total == 1 else "reps"
        self._count.setText(f"{shown} of {total} {noun}" if shown != total else f"{total} {noun}")
