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


def test_ctrl_and_a_digit_goes_to_a_view(qtbot, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    from PySide6.QtGui import QKeySequence

    cf = records.create_company_file(tmp_path / "acme.icmdesk", Company("Acme Ltd"))
    window = MainWindow(cf)
    qtbot.addWidget(window)
    window.show()
    by_key = {a.shortcut().toString(): a for a in window.actions() if not a.shortcut().isEmpty()}
    titles = window.view_titles()
    assert [by_key[f"Ctrl+{n}"].text() for n in range(1, 10)] == titles
    for n, title in ((3, "Reps"), (7, "Periods"), (1, "Overview")):
        # What the key does (the offscreen platform gives a test window no key focus).
        assert by_key[f"Ctrl+{n}"].shortcut() == QKeySequence(f"Ctrl+{n}")
        by_key[f"Ctrl+{n}"].trigger()
        assert titles[window._nav.currentRow()] == title
    cf.close()


def test_unsaved_edits_show_in_the_title(qtbot, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    from icmdesk.ui.settings_view import SettingsView

    cf = records.create_company_file(tmp_path / "acme.icmdesk", Company("Acme Ltd"))
    window = MainWindow(cf)
    qtbot.addWidget(window)
    window.show()
    view = window.show_view("Settings")
    assert isinstance(view, SettingsView) and not window.isWindowModified()
    view._name.setText("Acme Inc")
    assert window.isWindowModified()
    view._name.setText("Acme Ltd")
    assert not window.isWindowModified()
    cf.close()
