"""Application bootstrap: build the objects once, open the window, run the loop."""

from __future__ import annotations

import sys
from pathlib import Path

from platformdirs import user_data_dir
from PySide6.QtWidgets import QApplication, QMessageBox

from icmdesk.domain.errors import CompanyFileError
from icmdesk.models.database import CompanyFile
from icmdesk.services import company_io
from icmdesk.ui.main_window import MainWindow


def demo_path() -> Path:
    """Where the demo company lives for this user (created on first use)."""
    return Path(user_data_dir("ICMDesk", appauthor=False)) / "Demo Company.icmdesk"


def open_demo() -> CompanyFile:
    """Open the demo company, writing it first if this user has none yet."""
    path = demo_path()
    if path.exists():
        return CompanyFile.open(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    return company_io.write_demo(path)


def run_app(path: Path | None, *, demo: bool = False) -> int:
    """Open the app on a company file (or the demo company) and run until it closes."""
    app = QApplication.instance() or QApplication(sys.argv)
    app.setApplicationName("ICMDesk")
    app.setOrganizationName("ICMDesk")
    try:
        company_file = open_demo() if demo or path is None else CompanyFile.open(path)
    except CompanyFileError as e:
        QMessageBox.critical(None, "ICMDesk", f"The company file could not be opened.\n\n{e}")
        return 1
    window = MainWindow(company_file)
    window.show()
    try:
        return app.exec()
    finally:
        company_file.close()
