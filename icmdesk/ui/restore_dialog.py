"""File ▸ Restore…: choose the backup to put back, from the company's Backups folder
(newest first: when, what it came before, the months closed in it) or any other file.

The dialog only chooses; the main window checks the file, asks to confirm and restores
(services.backups.restore).
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from PySide6.QtCore import QModelIndex, Qt
from PySide6.QtWidgets import QDialog, QDialogButtonBox, QLabel, QPushButton, QWidget

from icmdesk.services import backups
from icmdesk.services.backups import BackupInfo
from icmdesk.ui.dialogs import FormDialog
from icmdesk.ui.file_dialogs import FileDialogs
from icmdesk.ui.tables import RIGHT, Column, ValueTableModel, make_table, set_column_widths

COLUMNS: tuple[Column[BackupInfo], ...] = (
    Column("Date", lambda b: b.taken, lambda t: f"{t:%Y-%m-%d %H:%M} UTC"),
    Column("Kind", lambda b: b.kind_text),
    Column(
        "Months closed",
        lambda b: b.months_text,
        explained="The months that were closed in the company when the backup was made",
    ),
    Column("Size", lambda b: b.size, backups.size_text, RIGHT),
)


class RestoreDialog(FormDialog[Path]):
    """The company's backups to choose from, and "Other file…". `saved` is the file chosen."""

    def __init__(
        self, company: Path, found: Sequence[BackupInfo], parent: QWidget | None = None
    ) -> None:
        super().__init__(parent, accept_text="&Restore…")
        self._company = company
        self.model: ValueTableModel[BackupInfo] = ValueTableModel(COLUMNS, found, self)
        self._build_ui()
        self._connect_signals()
        if found:
            self.table.selectRow(0)
        self._on_selection_changed()

    @classmethod
    def choose(cls, parent: QWidget | None, company: Path) -> Path | None:
        """The backup the user chose for `company`, or None (tests replace this)."""
        return cls(company, backups.list_backups(company), parent).run()

    def _build_ui(self) -> None:
        self.setWindowTitle("Restore from a backup")
        self.resize(720, 420)
        layout = self.body
        folder = backups.backup_folder(self._company)
        self.intro = QLabel(
            f"Backups of {self._company.name} in {folder}, newest first. Restoring one "
            "replaces the company file; the file as it is now is kept as a backup first."
            if self.model.rowCount()
            else f"There are no backups of {self._company.name} in {folder} yet. Choose "
            "a copy made elsewhere with Other file…"
        )
        self.intro.setWordWrap(True)
        layout.addWidget(self.intro)
        self.table = make_table(self)
        self.table.setModel(self.model)
        set_column_widths(self.table, (20, 16, 24, 10))
        self.table.horizontalHeader().setStretchLastSection(True)
        layout.addWidget(self.table, 1)
        self.restore_button = self.accept_button
        self.other_button = QPushButton("&Other file…")
        self.buttons.addButton(self.other_button, QDialogButtonBox.ButtonRole.ActionRole)

    def _connect_signals(self) -> None:
        self.table.selectionModel().selectionChanged.connect(self._on_selection_changed)
        self.table.doubleClicked.connect(self._on_table_double_clicked)
        self.other_button.clicked.connect(self._on_other_button_clicked)

    def chosen(self) -> Path | None:
        """The file chosen (None until one is, or when cancelled)."""
        return self.saved if self.result() == QDialog.DialogCode.Accepted else None

    def selected(self) -> BackupInfo | None:
        rows = self.table.selectionModel().selectedRows()
        return self.model.row_value(rows[0].row()) if rows else None

    def row_texts(self) -> list[list[str]]:
        """What the table shows, row by row (for tests)."""
        m = self.model
        return [
            [str(m.data(m.index(r, c), Qt.ItemDataRole.DisplayRole)) for c in range(len(COLUMNS))]
            for r in range(m.rowCount())
        ]

    def _on_selection_changed(self, *_args: object) -> None:
        self.restore_button.setEnabled(self.selected() is not None)

    def _on_table_double_clicked(self, _index: QModelIndex) -> None:
        self._on_buttons_accepted()

    def _on_buttons_accepted(self) -> None:
        chosen = self.selected()
        if chosen is not None:
            self.finish(chosen.path)

    def _on_other_button_clicked(self) -> None:
        path = FileDialogs.open_backup(self, backups.backup_folder(self._company))
        if path is not None:
            self.finish(path)
