"""The main window opens on a company file and shows what is in it."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from PySide6.QtWidgets import QLabel, QLineEdit

from icmdesk.domain.entities import Company, Rep
from icmdesk.services import records
from icmdesk.ui.main_window import MainWindow
from tests.ui.on_screen import field, sidebar

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
    nav = sidebar(window, titles)
    assert [by_key[f"Ctrl+{n}"].text() for n in range(1, 10)] == titles
    for n, title in ((3, "Reps"), (7, "Periods"), (1, "Overview")):
        # What the key does (the offscreen platform gives a test window no key focus).
        assert by_key[f"Ctrl+{n}"].shortcut() == QKeySequence(f"Ctrl+{n}")
        by_key[f"Ctrl+{n}"].trigger()
        assert nav.currentItem().text() == title
    cf.close()


def test_unsaved_edits_show_in_the_title(qtbot, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    from icmdesk.ui.settings_view import SettingsView

    cf = records.create_company_file(tmp_path / "acme.icmdesk", Company("Acme Ltd"))
    window = MainWindow(cf)
    qtbot.addWidget(window)
    window.show()
    view = window.show_view("Settings")
    assert isinstance(view, SettingsView) and not window.isWindowModified()
    name = field(view, "Name", QLineEdit)
    name.setText("Acme Inc")
    assert window.isWindowModified()
    name.setText("Acme Ltd")
    assert not window.isWindowModified()
    cf.close()


def test_the_overview_walks_a_new_company_to_its_first_month_end(qtbot, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    from icmdesk.domain.calendar import Month
    from icmdesk.domain.entities import Assignment, Credit, Deal, Plan, PlanVersion, Role, Tier
    from icmdesk.domain.money import D
    from icmdesk.services import periods
    from icmdesk.ui.main_window import OverviewView

    oct_ = Month(2026, 10)
    cf = records.create_company_file(
        tmp_path / "b.icmdesk", Company("Brightwave", currency="EUR", books_start=oct_)
    )
    window = MainWindow(cf)
    qtbot.addWidget(window)
    window.show()
    overview = window.show_view("Overview")
    assert isinstance(overview, OverviewView)
    shown = overview.text()
    assert "Books start: October 2026" in shown and "Next to close: October 2026" in shown
    (steps,) = [w for w in overview.findChildren(QLabel) if "Your first month end" in w.text()]
    assert steps.isVisible() and "Your first month end" in steps.text()
    assert "✓" not in steps.text()  # nothing done yet
    assert "compute October 2026" in steps.text()
    plan = records.save_plan(
        cf, Plan("Flat", (PlanVersion(date(2026, 10, 1), (Tier(D(0), D(5)),)),))
    )
    records.save_role(cf, Role("AE", default_plan_id=plan.id))
    rep = records.save_rep(cf, Rep("Ana Lee", date(2024, 3, 1)))
    records.save_assignment(cf, Assignment(rep.id, plan.id, date(2024, 3, 1)))
    records.save_deal(
        cf, Deal("D-1", "Globex", D(1000), date(2026, 10, 5), credits=(Credit(rep.id, D(100)),))
    )
    overview.refresh()
    assert steps.text().count("✓") == 4  # plan, role, rep, deals: the close is left
    periods.close(cf, oct_, backup_dir=tmp_path / "backups")
    overview.refresh()
    assert "Closed through: October 2026" in overview.text()
    assert not steps.isVisible()  # set up: no more steps
    cf.close()
