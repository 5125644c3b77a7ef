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
from typing import cast

from PySide6.QtGui import QShowEvent
from PySide6.QtWidgets import QComboBox, QLabel, QWidget

from icmdesk.services import audit_log
from icmdesk.services.audit_log import AuditFilter, AuditLine
from icmdesk.services.company import CompanyHandle
from icmdesk.ui.changes import ALL_KINDS
from icmdesk.ui.record_list import RecordListView
from icmdesk.ui.tables import Column, PagedTableModel


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


class AuditView(RecordListView[AuditLine, AuditLine]):
    """Who changed what: the company's audit log (to read: no edits)."""

    kinds = ALL_KINDS  # every write is audited
    noun = "change"
    search_hint = "Search records, fields or values"
    search_chars = 40
    editable = False
    says_matching = False  # the count is of the changes shown, however they are filtered
    column_chars = (17, 10, 8, 38, 14, 30, 30)
    stretch_columns = (6,)  # the new value

    # The list: paged from the file, newest first, filtered in SQL.
    def _make_model(self) -> AuditTableModel:
        return AuditTableModel(self._file, self)

    @property
    def model(self) -> AuditTableModel:
        return cast(AuditTableModel, self._model)

    def _filters(self) -> Sequence[QWidget]:
        self._action = QComboBox()
        self._entity = QComboBox()
        for combo in (self._action, self._entity):
            combo.currentIndexChanged.connect(self._search_now)
        return (QLabel("Action:"), self._action, QLabel("Record:"), self._entity)

    def _apply_search(self, text: str) -> None:
        self.model.set_filter(
            AuditFilter(
                text=text,
                action=str(self._action.currentData() or ""),
                entity=str(self._entity.currentData() or ""),
            )
        )

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
    def refresh(self) -> None:
        self._fill_choices()
        super().refresh()

    def showEvent(self, event: QShowEvent) -> None:
        # Read when shown, so edits made in other views since last time show up here.
        super().showEvent(event)
        if not event.spontaneous():
            self.refresh()

    def set_filter(self, *, text: str = "", action: str = "", entity: str = "") -> None:
        """Filter as if typed and chosen (for tests and links from other views)."""
        self.search_box.setText(text)
        self._action.setCurrentIndex(max(0, self._action.findData(action)))
        self._entity.setCurrentIndex(max(0, self._entity.findData(entity)))
        self._search_now()
