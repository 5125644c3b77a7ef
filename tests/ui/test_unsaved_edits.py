"""Edits not saved yet in Plans and Settings are not thrown away without asking: Refresh
(F5), choosing another plan or version, and closing the window ask first; Cancel (the
default) keeps them."""

from __future__ import annotations

from dataclasses import dataclass, field

import pytest
from PySide6.QtWidgets import QLineEdit, QTableWidgetItem

from icmdesk.models.database import CompanyFile
from icmdesk.services import records
from icmdesk.ui.main_window import MainWindow
from icmdesk.ui.messages import Messages
from icmdesk.ui.plans_view import PlansView
from icmdesk.ui.settings_view import SettingsView
from tests.ui.on_screen import field as labelled
from tests.ui.on_screen import menu_command

pytestmark = pytest.mark.gui


@dataclass
class Box:
    """The "Discard unsaved changes?" box: the answers it gives, in order, and what it
    was asked about."""

    answers: list[bool] = field(default_factory=list)
    asked: list[str] = field(default_factory=list)

    def discard(self, _parent: object, what: str) -> bool:
        self.asked.append(what)
        return self.answers.pop(0)


@pytest.fixture
def box(monkeypatch: pytest.MonkeyPatch) -> Box:
    box = Box()
    monkeypatch.setattr(Messages, "discard_edits", staticmethod(box.discard))
    return box


def open_window(qtbot, cf: CompanyFile) -> MainWindow:  # type: ignore[no-untyped-def]
    window = MainWindow(cf)
    qtbot.addWidget(window)
    window.show()
    qtbot.waitExposed(window)
    return window


def name_field(view: SettingsView) -> QLineEdit:
    return labelled(view, "Name", QLineEdit)


def test_refresh_asks_before_dropping_settings_edits(qtbot, demo, box: Box) -> None:  # type: ignore[no-untyped-def]
    window = open_window(qtbot, demo)
    view = window.show_view("Settings")
    assert isinstance(view, SettingsView)
    stored = records.get_company(demo).name
    refresh = menu_command(window, "View", "Refresh")
    refresh.trigger()  # nothing edited: no question
    assert box.asked == []
    name_field(view).setText("Renamed Ltd")
    box.answers.append(False)
    refresh.trigger()
    assert name_field(view).text() == "Renamed Ltd"  # kept
    box.answers.append(True)
    refresh.trigger()
    assert name_field(view).text() == stored  # discarded, as the file holds it
    assert box.asked == ["the settings", "the settings"]


def test_choosing_another_plan_asks_before_dropping_tier_edits(qtbot, demo, box: Box) -> None:  # type: ignore[no-untyped-def]
    window = open_window(qtbot, demo)
    view = window.show_view("Plans")
    assert isinstance(view, PlansView)
    first = view.plan_list.currentRow()
    view.tiers.table.setItem(0, 2, QTableWidgetItem("9.5"))
    assert view.has_unsaved_edits()
    box.answers.append(False)
    view.plan_list.setCurrentRow(first + 1)
    assert view.plan_list.currentRow() == first  # still on the plan being edited
    assert view.tiers.text(0, 2) == "9.5"
    box.answers.append(True)
    view.plan_list.setCurrentRow(first + 1)
    assert view.plan_list.currentRow() == first + 1
    assert not view.has_unsaved_edits()
    assert box.asked == ["the plan", "the plan"]


def test_closing_the_window_asks_and_cancel_keeps_it_open(qtbot, demo, box: Box) -> None:  # type: ignore[no-untyped-def]
    window = open_window(qtbot, demo)
    view = window.show_view("Settings")
    assert isinstance(view, SettingsView)
    name_field(view).setText("Renamed Ltd")
    box.answers.append(False)
    assert not window.close()
    assert window.isVisible() and name_field(view).text() == "Renamed Ltd"
    box.answers.append(True)
    assert window.close()
    assert box.asked == ["the settings", "the settings"]


def test_opening_another_company_asks_first_and_cancel_keeps_everything(  # type: ignore[no-untyped-def]
    qtbot, tmp_path, box: Box
) -> None:
    from PySide6.QtCore import QSettings

    from icmdesk.domain.entities import Company
    from icmdesk.services import file_lock
    from icmdesk.ui.app import Shell

    first, second = tmp_path / "first.icmdesk", tmp_path / "second.icmdesk"
    for path, name in ((first, "First Ltd"), (second, "Second Ltd")):
        records.create_company_file(path, Company(name)).close()
    settings = QSettings(str(tmp_path / "s.ini"), QSettings.Format.IniFormat)
    shell = Shell(settings, demo=tmp_path / "demo.icmdesk")
    try:
        assert shell.open_path(first)
        window = shell.window
        assert window is not None
        view = window.show_view("Settings")
        assert isinstance(view, SettingsView)
        name_field(view).setText("Renamed Ltd")
        box.answers.append(False)  # Cancel: keep the edits
        assert not shell.open_path(second)
        assert shell.window is window and window.isVisible()
        assert name_field(view).text() == "Renamed Ltd"
        assert file_lock.lock_path(first).exists() and not file_lock.lock_path(second).exists()
        box.answers.append(True)  # Discard: the other company opens, asked once
        assert shell.open_path(second)
        assert shell.window is not None and shell.window is not window
        assert box.asked == ["the settings", "the settings"]
        assert not file_lock.lock_path(first).exists()
    finally:
        shell.shutdown()
