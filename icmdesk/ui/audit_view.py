"""The audit log: every change, newest first, filtered by action, kind of record and text.

Each entry shows when (in this computer's time zone; stored in UTC), who (the OS user),
and the records it touched by name (services.audit_log).

The log only grows, so the model pages it from the database (services.audit_log)
200 entries at a time as the user scrolls, like the deals table.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from datetime import UTC, datetime

from PySide6.QtCore import QModelIndex, QPersistentModelIndex, Qt, QTimer
from PySide6.QtGui import QShowEvent
from PySide6.QtWidgets import (
    QComboBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from icmdesk.services import audit_log
from icmdesk.services.audit_log import AuditFilter, AuditLine
from icmdesk.services.company import CompanyHandle
from icmdesk.ui.changes import ALL_KINDS, Change, Changes, follow
from icmdesk.ui.tables import RIGHT, Column, PagedTableModel, make_table, set_column_widths

SEARCH_DELAY_MS = 250

AnyIndex = QModelIndex | QPersistentModelIndex


def local_time(at: datetime) -> datetime:
    """A stored time (UTC, naive) in this computer's time zone."""
    return at.replace(tzinfo=UTC).astimezone()


def zone_name() -> str:
    """This computer's time zone as people see it in a header: "CET/CEST", "UTC"."""
    standard, summer = time.tzname
    return standard if not time.daylight or summer == standard else f"{standard}/{summer}"


def _when_text(at: datetime) -> str:
    return f"{local_time(at):%Y-%m-%d %H:%M}"


def _when_tooltip(line: AuditLine) -> str:
    local = local_time(line.at)
    return f"{local:%Y-%m-%d %H:%M:%S} {local.tzname()} ({line.at:%Y-%m-%d %H:%M:%S} UTC)"


def columns() -> tuple[Column[AuditLine], ...]:
    """The log's columns; the time column's header names this computer's time zone (each
    time's tooltip gives it exactly, with the time in UTC as stored)."""
    return (
        Column(f"When ({zone_name()})", lambda e: e.at, _when_text, tooltip=_when_tooltip),
        Column("By", lambda e: e.user),
        Column("Action", lambda e: e.action),
        Column("Record", lambda e: e.record),
        Column("Field", lambda e: e.field),
        Column("Old", lambda e: e.old),
        Column("New", lambda e: e.new),
    )


class AuditTableModel(PagedTableModel[AuditLine]):
    """Audit entries matching a filter, newest first, one page at a time."""

    def __init__(self, company_file: CompanyHandle, parent: QWidget | None = None) -> None:
        super().__init__(columns(), parent)
        self._file = company_file
        self._filter = AuditFilter()
        # Empty until the view asks (refresh): nothing is read while the window is built.

    @property
    def filter(self) -> AuditFilter:
        return self._filter

    def set_filter(self, f: AuditFilter) -> None:
        if f != self._filter:
            self._filter = f
            self.refresh()

    def _count_rows(self) -> int:
        return audit_log.count_entries(self._file, self._filter)

    def _read_page(self, offset: int, limit: int) -> Sequence[AuditLine]:
        return audit_log.audit_page(self._file, self._filter, offset=offset, limit=limit)

    def cell_text(self, row: AuditLine, column: Column[AuditLine]) -> str:
        # One line per entry; the tooltip has it all.
        return super().cell_text(row, column).replace("\n", " ⏎ ")


class AuditView(QWidget):
    """Who changed what: the company's audit log."""

    kinds = ALL_KINDS  # every write is audited

    def __init__(
        self,
        company_file: CompanyHandle,
        parent: QWidget | None = None,
        *,
        changes: Changes | None = None,
    ) -> None:
        super().__init__(parent)
        self._file = company_file
        self._model = AuditTableModel(company_file, self)
        self._search_timer = QTimer(self)
        self._search_timer.setSingleShot(True)
        self._search_timer.setInterval(SEARCH_DELAY_MS)
        self._build_ui()
        self._connect_signals()
        follow(self, changes or Changes(self))

    def _build_ui(self) -> None:
        layout = QVBoxLayout(self)
        bar = QHBoxLayout()
        self._search = QLineEdit()
        self._search.setPlaceholderText("Search records, fields or values")
        self._search.setClearButtonEnabled(True)
        self._search.setMinimumWidth(self._search.fontMetrics().averageCharWidth() * 40)
        self._action = QComboBox()
        self._entity = QComboBox()
        bar.addWidget(self._search)
        bar.addWidget(QLabel("Action:"))
        bar.addWidget(self._action)
        bar.addWidget(QLabel("Record:"))
        bar.addWidget(self._entity)
        bar.addStretch(1)
        self._count = QLabel()
        self._count.setAlignment(RIGHT)
        bar.addWidget(self._count)
        layout.addLayout(bar)
        self._table = make_table(self)
        self._table.setModel(self._model)
        set_column_widths(self._table, (17, 10, 8, 38, 14, 30, 30))
        last = self._model.columnCount() - 1
        self._table.horizontalHeader().setSectionResizeMode(last, QHeaderView.ResizeMode.Stretch)
        layout.addWidget(self._table)

    def _connect_signals(self) -> None:
        self._search.textChanged.connect(self._search_timer.start)
        self._search.returnPressed.connect(self._apply_filter)
        self._search_timer.timeout.connect(self._apply_filter)
        self._action.currentIndexChanged.connect(self._apply_filter)
        self._entity.currentIndexChanged.connect(self._apply_filter)
        self._model.modelReset.connect(self._show_count)
        self._model.rowsInserted.connect(self._show_count)

    def _fill_choices(self) -> None:
        for combo, values in (
            (self._action, audit_log.actions(self._file)),
            (self._entity, audit_log.entities(self._file)),
        ):
            current = combo.currentData()
            combo.blockSignals(True)
            combo.clear()
            combo.addItem("All", "")
            for v in values:
                combo.addItem(v, v)
            combo.setCurrentIndex(max(0, combo.findData(current)))
            combo.blockSignals(False)

    # Entry points for the main window.
    def focus_search(self) -> None:
        self._search.setFocus(Qt.FocusReason.ShortcutFocusReason)
        self._search.selectAll()

    def refresh(self) -> None:
        self._fill_choices()
        self._model.refresh()

    def on_changes(self, change: Change) -> None:
        self.refresh()

    def showEvent(self, event: QShowEvent) -> None:
        # Read when shown, so edits made in other views since last time show up here.
        super().showEvent(event)
        if not event.spontaneous():
            self.refresh()

    @property
    def model(self) -> AuditTableModel:
        return self._model

    @property
    def table(self) -> QTableView:
        return self._table

    def set_filter(self, *, text: str = "", action: str = "", entity: str = "") -> None:
        """Filter as if typed and chosen (for tests and links from other views)."""
        self._search.setText(text)
        self._action.setCurrentIndex(max(0, self._action.findData(action)))
        self._entity.setCurrentIndex(max(0, self._entity.findData(entity)))
        self._apply_filter()

    def _apply_filter(self) -> None:
        self._search_timer.stop()
        self._model.set_filter(
            AuditFilter(
                text=self._search.text().strip(),
                action=str(self._action.currentData() or ""),
                entity=str(self._entity.currentData() or ""),
            )
        )

    def _show_count(self) -> None:
        total, shown = self._model.total, self._model.rowCount()
        noun = "change" if total == 1 else "changes"
        if shown < total:
            self._count.setText(f"{total:,} {noun} · {shown:,} loaded")
        else:
            self._count.setText(f"{total:,} {noun}")
