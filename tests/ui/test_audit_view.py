"""The audit log view: every change listed newest first, filtered, paged as it scrolls."""

from __future__ import annotations

import dataclasses
import time
from collections.abc import Callable, Iterator
from datetime import date, datetime
from pathlib import Path

import pytest
from PySide6.QtCore import Qt

from icmdesk.domain.entities import Assignment, Company, Credit, Deal, Plan, PlanVersion, Rep, Tier
from icmdesk.domain.money import D
from icmdesk.models.database import CompanyFile
from icmdesk.services import audit, records
from icmdesk.ui import audit_view
from icmdesk.ui.audit_view import AuditView
from icmdesk.ui.main_window import MainWindow

pytestmark = pytest.mark.gui


@pytest.fixture
def cf(tmp_path: Path) -> Iterator[CompanyFile]:
    f = records.create_company_file(tmp_path / "acme.icmdesk", Company("Acme Ltd"))
    rep = records.save_rep(f, Rep("Ana Lee", date(2026, 1, 5)))
    records.save_rep(f, dataclasses.replace(rep, email="ana@acme.test"))
    records.update_company(f, dataclasses.replace(records.get_company(f), name="Acme Inc"))
    yield f
    f.close()


def shown(view: AuditView) -> list[list[str]]:
    model = view.model
    return [
        [model.index(r, c).data() for c in range(model.columnCount())]
        for r in range(model.rowCount())
    ]


def test_every_change_newest_first(qtbot, qtmodeltester, cf: CompanyFile) -> None:  # type: ignore[no-untyped-def]
    view = AuditView(cf)
    qtbot.addWidget(view)
    view.show()  # the log is read when shown
    qtmodeltester.check(view.model)
    rows = shown(view)
    assert [r[2:6] for r in rows[:2]] == [
        ["update", "Company settings", "name", "Acme Ltd"],
        ["update", "Rep Ana Lee", "email", ""],
    ]
    assert rows[0][6] == "Acme Inc" and rows[1][6] == "ana@acme.test"
    assert rows[-1][2:4] == ["create", "Company settings"]
    headers = [view.model.headerData(c, Qt.Orientation.Horizontal) for c in range(7)]
    assert headers[1:] == ["By", "Action", "Record", "Field", "Old", "New"]
    assert headers[0].startswith("When (")
    assert view.count_text == f"{len(rows)} changes"


def test_filter_by_action_record_and_text(qtbot, cf: CompanyFile) -> None:  # type: ignore[no-untyped-def]
    view = AuditView(cf)
    qtbot.addWidget(view)
    view.show()  # the log is read when shown
    view.set_filter(action="update")
    assert [r[4] for r in shown(view)] == ["name", "email"]
    view.set_filter(action="update", entity="rep")
    assert [r[4] for r in shown(view)] == ["email"]
    view.set_filter(text="ACME.test")
    assert [r[6] for r in shown(view)] == ["ana@acme.test"]
    assert view.count_text == "1 change"
    view.set_filter()
    assert len(shown(view)) == 4


def test_typing_in_the_search_box_filters_after_a_pause(qtbot, cf: CompanyFile) -> None:  # type: ignore[no-untyped-def]
    view = AuditView(cf)
    qtbot.addWidget(view)
    view.show()  # the log is read when shown
    qtbot.keyClicks(view.search_box, "Acme Inc")
    qtbot.waitUntil(lambda: view.model.rowCount() == 1)
    assert shown(view)[0][4] == "name"


def test_pages_load_as_the_table_scrolls(  # type: ignore[no-untyped-def]
    qtbot, qtmodeltester, cf: CompanyFile, monkeypatch
) -> None:
    monkeypatch.setattr(audit_view.AuditTableModel, "page_size", 3)
    for i in range(5):
        records.save_rep(cf, Rep(f"Rep {i}", date(2026, 1, 5)))
    view = AuditView(cf)
    qtbot.addWidget(view)
    view.show()  # the log is read when shown
    assert view.model.rowCount() == 3 and view.model.total == 9
    assert view.count_text == "9 changes · 3 loaded"
    qtmodeltester.check(view.model)  # fetches the rest, checking each step
    assert view.model.rowCount() == 9
    ids = [view.model.row_value(r).id for r in range(9)]
    assert ids == sorted(ids, reverse=True)


def test_coming_back_to_the_log_shows_new_changes(qtbot, cf: CompanyFile) -> None:  # type: ignore[no-untyped-def]
    window = MainWindow(cf)
    qtbot.addWidget(window)
    window.show()
    view = window.show_view("Audit log")
    assert isinstance(view, AuditView)
    before = view.model.total
    window.show_view("Overview")
    records.save_rep(cf, Rep("Bo Chen", date(2026, 3, 1)))
    window.show_view("Audit log")
    assert view.model.total == before + 1
    assert shown(view)[0][2:4] == ["create", "Rep Bo Chen"]


# Time zones as POSIX rules, so the tests need no time zone database.
PARIS = "CET-1CEST,M3.5.0,M10.5.0/3"
NEW_YORK = "EST5EDT,M3.2.0,M11.1.0"


@pytest.fixture
def time_zone(monkeypatch: pytest.MonkeyPatch) -> Iterator[Callable[[str], None]]:
    """Set this process's local time zone for the test; the real one comes back after."""

    def set_zone(tz: str) -> None:
        monkeypatch.setenv("TZ", tz)
        time.tzset()

    yield set_zone
    monkeypatch.undo()
    time.tzset()


def test_times_are_shown_in_local_time(  # type: ignore[no-untyped-def]
    qtbot, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, time_zone: Callable[[str], None]
) -> None:
    stored = iter(
        [
            datetime(2026, 7, 4, 17, 3, 12),
            datetime(2026, 12, 4, 18, 3, 12),
            datetime(2026, 12, 5, 2, 3, 12),
        ]
    )
    monkeypatch.setattr(audit, "now", lambda: next(stored))  # UTC, as stored
    f = records.create_company_file(tmp_path / "acme.icmdesk", Company("Acme Ltd"))
    try:
        records.update_company(f, dataclasses.replace(records.get_company(f), name="Acme Inc"))
        records.update_company(f, dataclasses.replace(records.get_company(f), name="Acme SA"))
        time_zone(PARIS)
        view = AuditView(f)
        qtbot.addWidget(view)
        view.show()
        assert view.model.headerData(0, Qt.Orientation.Horizontal) == "When (CET/CEST)"
        assert [r[0] for r in shown(view)] == [
            "2026-12-05 03:03",
            "2026-12-04 19:03",
            "2026-07-04 19:03",
        ]
        tips = [view.model.index(r, 0).data(Qt.ItemDataRole.ToolTipRole) for r in (1, 2)]
        assert tips == [
            "2026-12-04 19:03:12 CET (2026-12-04 18:03:12 UTC)",
            "2026-07-04 19:03:12 CEST (2026-07-04 17:03:12 UTC)",
        ]
        assert view.model.row_value(1).entry.at == datetime(2026, 12, 4, 18, 3, 12)  # stored

        time_zone(NEW_YORK)
        view = AuditView(f)
        qtbot.addWidget(view)
        view.show()
        assert view.model.headerData(0, Qt.Orientation.Horizontal) == "When (EST/EDT)"
        assert [r[0] for r in shown(view)] == [
            "2026-12-04 21:03",  # the evening before, in New York
            "2026-12-04 13:03",
            "2026-07-04 13:03",
        ]

        time_zone("UTC0")
        view = AuditView(f)
        qtbot.addWidget(view)
        assert view.model.headerData(0, Qt.Orientation.Horizontal) == "When (UTC)"
    finally:
        f.close()


def test_each_change_shows_who_made_it(  # type: ignore[no-untyped-def]
    qtbot, cf: CompanyFile, monkeypatch: pytest.MonkeyPatch
) -> None:
    earlier = audit.current_user()  # who made the fixture's edits
    monkeypatch.setattr("getpass.getuser", lambda: "office-manager")
    records.save_rep(cf, Rep("Bo Chen", date(2026, 3, 1)))
    view = AuditView(cf)
    qtbot.addWidget(view)
    view.show()
    rows = shown(view)
    assert rows[0][1:4] == ["office-manager", "create", "Rep Bo Chen"]
    assert {r[1] for r in rows[1:]} == {earlier}


def test_records_and_ids_in_values_are_shown_by_name(  # type: ignore[no-untyped-def]
    qtbot, qtmodeltester, cf: CompanyFile
) -> None:
    ana = records.get_rep(cf, 1)
    plan = records.save_plan(
        cf, Plan("AE plan", (PlanVersion(date(2026, 1, 1), (Tier(D(0), D(10)),)),))
    )
    bo = records.save_rep(cf, Rep("Bo Chen", date(2026, 1, 5), manager_id=ana.id))
    records.save_assignment(cf, Assignment(ana.id, plan.id, date(2026, 1, 1)))
    records.save_assignment(cf, Assignment(bo.id, plan.id, date(2026, 1, 1)))
    deal = records.save_deal(
        cf,
        Deal(
            "D-1042", "Globex", D("1000.00"), date(2026, 3, 20), credits=(Credit(ana.id, D(100)),)
        ),
    )
    split = (Credit(ana.id, D(50)), Credit(bo.id, D(50)))
    records.save_deal(cf, dataclasses.replace(deal, credits=split))
    records.save_rep(cf, dataclasses.replace(bo, manager_id=None))
    records.delete_deal(cf, deal.id)
    view = AuditView(cf)
    qtbot.addWidget(view)
    view.show()
    qtmodeltester.check(view.model)
    rows = [r[2:] for r in shown(view)]  # action, record, field, old, new
    assert rows[0][:3] == ["delete", f"Deal #{deal.id} (deleted)", ""]
    assert "customer: Globex" in rows[0][3] and "(rep: Bo Chen, split %: 50)" in rows[0][3]
    assert rows[1] == ["update", "Rep Bo Chen", "manager", "Ana Lee", ""]
    assert rows[2] == [
        "update",
        f"Deal #{deal.id} (deleted)",
        "credits",
        "(rep: Ana Lee, split %: 100)",
        "(rep: Ana Lee, split %: 50); (rep: Bo Chen, split %: 50)",
    ]
    assert [r[1] for r in rows[3:6]] == [
        f"Deal #{deal.id} (deleted)",
        "Assignment of Bo Chen to AE plan",
        "Assignment of Ana Lee to AE plan",
    ]
    assert rows[6] == [
        "create",
        "Rep Bo Chen",
        "",
        "",
        "(name: Bo Chen, hire date: 2026-01-05, manager: Ana Lee)",
    ]
    view.set_filter(text="bo chen")  # the records shown by that name
    assert [r[3] for r in shown(view)] == [
        "Rep Bo Chen",
        "Assignment of Bo Chen to AE plan",
        "Rep Bo Chen",
    ]
