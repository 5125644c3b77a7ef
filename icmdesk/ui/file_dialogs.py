"""File choosers behind replaceable entry points (tests swap them; nothing blocks on a modal)."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtWidgets import QFileDialog, QWidget

COMPANY_FILTER = "ICMDesk company (*.icmdesk);;All files (*)"
IMPORT_FILTER = "CRM exports and spreadsheets (*.csv *.txt *.tsv *.xlsx);;All files (*)"
# An export's filter by the suffix of the name suggested for it.
EXPORT_FILTERS = {
    ".csv": "CSV files (*.csv);;All files (*)",
    ".xlsx": "Excel workbooks (*.xlsx);;All files (*)",
}


class FileDialogs:
    """The app's file dialogs. Tests replace these static functions with monkeypatch."""

    @staticmethod
    def open_company(parent: QWidget | None, folder: Path) -> Path | None:
        """Ask for an existing company file."""
        name, _ = QFileDialog.getOpenFileName(parent, "Open company", str(folder), COMPANY_FILTER)
        return Path(name) if name else None

    @staticmethod
    def save_company(parent: QWidget | None, suggested: Path) -> Path | None:
        """Ask where a new company file goes."""
        name, _ = QFileDialog.getSaveFileName(
            parent, "New company file", str(suggested), COMPANY_FILTER
        )
        return _with_suffix(name)

    @staticmethod
    def save_backup(parent: QWidget | None, suggested: Path) -> Path | None:
        """Ask where a backup copy goes (an existing file is refused later, never replaced)."""
        name, _ = QFileDialog.getSaveFileName(
            parent,
            "Back up company",
            str(suggested),
            COMPANY_FILTER,
            options=QFileDialog.Option.DontConfirmOverwrite,
        )
        return _with_suffix(name)

    @staticmethod
    def open_backup(parent: QWidget | None, folder: Path) -> Path | None:
        """Ask for a backup to restore (File ▸ Restore… ▸ Other file…)."""
        name, _ = QFileDialog.getOpenFileName(
            parent, "Restore from a file", str(folder), COMPANY_FILTER
        )
        return Path(name) if name else None

    @staticmethod
    def open_import(parent: QWidget | None, folder: Path) -> Path | None:
        """Ask for a file to import (a CRM export: CSV, text or Excel workbook)."""
        name, _ = QFileDialog.getOpenFileName(parent, "Import deals", str(folder), IMPORT_FILTER)
        return Path(name) if name else None

    @staticmethod
    def save_export(parent: QWidget | None, suggested: Path) -> Path | None:
        """Ask where a payroll file, journal or workbook goes (`suggested`: the folder
        last used and the export's own name); a name typed without a suffix gets the
        suggested one. Replacing an existing file is confirmed by the dialog."""
        name, _ = QFileDialog.getSaveFileName(
            parent,
            "Export payouts",
            str(suggested),
            EXPORT_FILTERS.get(suggested.suffix, "All files (*)"),
        )
        if not name:
            return None
        path = Path(name)
        return path if path.suffix else path.with_suffix(suggested.suffix)

    @staticmethod
    def choose_logo(parent: QWidget | None) -> Path | None:
        """Ask for a PNG image."""
        name, _ = QFileDialog.getOpenFileName(parent, "Choose logo", "", "PNG images (*.png)")
        return Path(name) if name else None


def _with_suffix(name: str) -> Path | None:
    if not name:
        return None
    path = Path(name)
    return path if path.suffix else path.with_suffix(".icmdesk")
