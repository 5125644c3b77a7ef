"""The reps view: every rep with names, not ids; sorts and filters as the user types."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from PySide6.QtCore import Qt

from icmdesk.domain.entities import Assignment, Plan, PlanVersion, Rep, Role, Tier
from icmdesk.domain.money import D
from icmdesk.models.database import CompanyFile
from icmdesk.services import company_io, records
from icmdesk.services.rep_table import rep_rows
from icmdesk.ui.main_window import MainWindow
from icmdesk.ui.reps_view import RepsView
from icmdesk.ui.tables import VALUE_ROLE, ValueTableModel
from tests.ui.on_screen import menu_command

pytestmark = pytest.mark.gui

COLUMNS = ["Name", "Role", "Manager", "Plan today", "Hired", "Status", "Payroll id", "Email"]
TODAY = date(2026, 7, 1)


@pytest.fixture
def acme_with_reps(acme: CompanyFile) -> CompanyFile:
    plan = records.save_plan(
        acme, Plan("Flat 5%", (PlanVersion(date(2026, 1, 1), (Tier(D(0), D(5)),)),))
    )
    ae = records.save_role(acme, Role("Account Executive"))
    sdr = records.save_role(acme, Role("SDR"))
    boss = records.save_rep(acme, Rep("Maya Okafor", date(2026, 1, 1), role_id=ae.id))
    ana = records.save_rep(
        acme, Rep("Ana Lee", date(2026, 1, 5), role_id=sdr.id, manager_id=boss.id, payroll_id="P-7")
    )
    records.save_rep(acme, Rep("Bo Chen", date(2026, 2, 1), termination_date=date(2026, 5, 31)))
    records.save_rep(acme, Rep("Cy Young", date(2026, 9, 1)))
    records.save_assignment(acme, Assignment(ana.id, plan.id, date(2026, 1, 5)))
    return acme


def open_view(qtbot, cf: CompanyFile) -> RepsView:  # type: ignore[no-untyped-def]
    view = RepsView(cf, today=lambda: TODAY)
    qtbot.addWidget(view)
    view.resize(1000, 400)
    view.show()
    qtbot.waitExposed(view)
    return view


def column(view: RepsView, name: str) -> list[str]:
    model = view.table.model()
    c = COLUMNS.index(name)
    return [model.data(model.index(r, c)) for r in range(model.rowCount())]


def test_table_shows_reps_with_names_plans_and_status(qtbot, acme_with_reps: CompanyFile) -> None:  # type: ignore[no-untyped-def]
    view = open_view(qtbot, acme_with_reps)
    model = view.table.model()
    headers = [model.headerData(c, Qt.Orientation.Horizontal) for c in range(len(COLUMNS))]
    assert headers == COLUMNS
    assert column(view, "Name") == ["Ana Lee", "Bo Chen", "Cy Young", "Maya Okafor"]
    assert column(view, "Role") == ["SDR", "", "", "Account Executive"]
    assert column(view, "Manager")[0] == "Maya Okafor"
    assert column(view, "Plan today") == ["Flat 5%", "", "", ""]
    assert column(view, "Status") == ["Active", "Left 2026-05-31", "Starts 2026-09-01", "Active"]
    assert column(view, "Hired")[0] == "2026-01-05"
    assert view.count_text == "4 reps"


def test_clicking_a_header_sorts_and_typing_filters(qtbot, acme_with_reps: CompanyFile) -> None:  # type: ignore[no-untyped-def]
    view = open_view(qtbot, acme_with_reps)
    header = view.table.horizontalHeader()
    section = COLUMNS.index("Hired")
    x = header.sectionViewportPosition(section) + header.sectionSize(section) // 2
    qtbot.mouseClick(
        header.viewport(), Qt.MouseButton.LeftButton, pos=header.rect().center().__class__(x, 5)
    )
    assert column(view, "Name") == ["Maya Okafor", "Ana Lee", "Bo Chen", "Cy Young"]
    qtbot.keyClicks(view.search_box, "okafor")
    # Still by hire date; Ana matches through her manager.
    assert column(view, "Name") == ["Maya Okafor", "Ana Lee"]
    assert view.count_text == "2 of 4 reps"
    # Proxy rows map back to the rep behind them.
    model = view.table.model()
    assert model.data(model.index(1, 0), VALUE_ROLE).payroll_id == "P-7"
    view.search_box.clear()
    assert view.count_text == "4 reps"


def test_refresh_shows_reps_added_elsewhere(qtbot, acme_with_reps: CompanyFile) -> None:  # type: ignore[no-untyped-def]
    view = open_view(qtbot, acme_with_reps)
    records.save_rep(acme_with_reps, Rep("Dee Park", date(2026, 3, 1)))
    view.refresh()
    assert "Dee Park" in column(view, "Name")
    assert view.count_text == "5 reps"


def test_reps_model_passes_the_model_tester(qtmodeltester, acme_with_reps: CompanyFile) -> None:  # type: ignore[no-untyped-def]
    from icmdesk.ui.reps_view import rep_columns

    model = ValueTableModel(rep_columns(lambda: TODAY), rep_rows(acme_with_reps, on=TODAY))
    qtmodeltester.check(model, force_py=True)


def test_main_window_lists_reps_and_find_reaches_the_search_box(qtbot, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    cf = company_io.write_demo(tmp_path / "demo.icmdesk")
    window = MainWindow(cf)
    qtbot.addWidget(window)
    window.show()
    view = window.show_view("Reps")
    assert isinstance(view, RepsView)
    assert view.table.model().rowCount() == 8
    menu_command(window, "View", "Find").trigger()
    assert window.focusWidget() is view.search_box
    cf.close()
