"""The main window opens on a company file and shows what is in it."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from PySide6.QtWidgets import QLabel

from icmdesk.domain.entities import Company, Rep
from icmdesk.services import records
from icmdesk.ui.main_window import MainWindow

pytestmark = pytest.mark.gui


def test_window_shows_company_and_file(qtbot, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    cf = records.create_company_file(tmp_path / "acme.icmdesk", Company("Acme Ltd"))
    records.save_rep(cf, Rep("Ana Lee", date(2026, 1, 5)))
    window = MainWindow(cf)
    qtbot.addWidget(window)
    window.show()
    qtbot.waitExposed(window)
    assert "Acme Ltd" in window.windowTitle() and "acme.icmdesk" in window.windowTitle()
    texts = [label.text() for label in window.findChildren(QLabel)]
    assert "Acme Ltd" in texts
    assert "1" in texts  # one rep
    cf.close()
