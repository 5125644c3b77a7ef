"""The audit log view: every change listed newest first, filtered, paged as it scrolls."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest
from PySide6.QtCore import Qt

from icmdesk.domain.entities import Company, Rep
from icmdesk.models.database import CompanyFile
from icmdesk.services import records
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
    assert [r[1:5] for r in rows[:2]] == [
        ["update", "Company settings", "name", "Acme Ltd"],
        ["update", "Rep Ana Lee", "email", ""],
    ]
    assert rows[0][5] == "Acme Inc" and rows[1][5] == "ana@acme.test"
    assert rows[-1][1:3] == ["create", "Company settings"]
    headers = [view.model.headerData(c, Qt.Orientation.Horizontal) for c in range(6)]
    assert headers == ["When (UTC)", "Action", "Record", "Field", "Old", "New"]
    assert view._count.text() == f"{len(rows)} changes"


def test_filter_by_action_record_and_text(qtbot, cf: CompanyFile) -> None:  # type: ignore[no-untyped-def]
    view = AuditView(cf)
    qtbot.addWidget(view)
    view.show()  # the log is read when shown
    view.set_filter(action="update")
    assert [r[3] for r in shown(view)] == ["name", "email"]
    view.set_filter(action="update", entity="rep")
    assert [r[3] for r in shown(view)] == ["email"]
    view.set_filter(text="ACME.test")
    assert [r[5] for r in shown(view)] == ["ana@acme.test"]
    assert view._count.text() == "1 change"
    view.set_filter()
    assert len(shown(view)) == 4


def test_typing_in_the_search_box_filters_after_a_pause(qtbot, cf: CompanyFile) -> None:  # type: ignore[no-untyped-def]
    view = AuditView(cf)
    qtbot.addWidget(view)
    view.show()  # the log is read when shown
    qtbot.keyClicks(view._search, "Acme Inc")
    qtbot.waitUntil(lambda: view.model.rowCount() == 1)
    assert shown(view)[0][3] == "name"


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
    assert view._count.text() == "9 changes · 3 loaded"
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
    assert shown(view)[0][1:3] == ["create", "Rep Bo Chen"]
