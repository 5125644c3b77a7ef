"""An import is one action in Edit ▸ Undo: the menu names its file, and undoing it takes
the deals it added off the Deals view (which follows the hub) and puts back what it
changed; a close is not an action (Undo still names the import)."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import QThreadPool

from icmdesk.domain.calendar import Month
from icmdesk.services import company_io, deal_import, periods, records
from icmdesk.ui.changes import DEALS
from icmdesk.ui.main_window import MainWindow
from icmdesk.ui.tasks import Task

pytestmark = pytest.mark.gui

EXPORT = (
    "Record ID,Deal Name,Deal Stage,Close Date,Deal owner,Amount,Pipeline,Deal Type,"
    "Associated Company\n"
    "9001,Harbor retrofit,Closed Won,2026-11-03,Maya Okafor,1234.50,Sales,New Business,"
    "Harbor Labs\n"
    "9002,Cedar sensors,Closed Won,2026-11-05,Maya Okafor,8240,Sales,New Business,Cedar\n"
)


def _deal_ids_shown(window: MainWindow) -> set[str]:
    """The file's deals the Deals view lists (found by their customers, as a user would)."""
    view = window.show_view("Deals")
    found: set[str] = set()
    for customer in ("Harbor Labs", "Cedar"):
        view.search_box.setText(customer)  # type: ignore[attr-defined]
        view.search_box.returnPressed.emit()  # type: ignore[attr-defined]
        model = view.table.model()  # type: ignore[attr-defined]
        found |= {str(model.index(r, 1).data()) for r in range(model.rowCount())}
    return found


def test_an_import_is_undone_and_redone_from_the_edit_menu(qtbot, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    cf = company_io.write_demo(tmp_path / "demo.icmdesk")
    window = MainWindow(cf)
    qtbot.addWidget(window)
    window.show()
    assert _deal_ids_shown(window) == set()
    undo, redo = window.edit_actions()["undo"], window.edit_actions()["redo"]
    path = tmp_path / "crm.csv"
    path.write_text(EXPORT, encoding="utf-8")
    planned = deal_import.plan_import(cf, deal_import.inspect_file(cf, path))

    # Committed on a worker, as the import wizard does: the hub hears of it on the GUI thread.
    task = Task(lambda _report: deal_import.commit_import(cf, planned))
    with qtbot.waitSignal(window.changes.changed, timeout=10_000) as told:
        task.start()
    QThreadPool.globalInstance().waitForDone()
    assert DEALS in told.args[0].kinds
    qtbot.waitUntil(lambda: undo.text() == "&Undo Import deals from crm.csv")
    assert _deal_ids_shown(window) == {"9001", "9002"}

    # Closing a month is not an action: Undo still names the import.
    periods.close(cf, Month(2025, 11), backup_dir=tmp_path)
    assert undo.text() == "&Undo Import deals from crm.csv"

    deals = window.current_view()
    listed = deals.table.model()  # type: ignore[attr-defined]
    assert listed.rowCount() == 1  # "Cedar" is still searched for
    with qtbot.waitSignal(window.changes.changed):
        undo.trigger()
    assert listed.rowCount() == 0  # the view on screen followed, nothing typed
    assert _deal_ids_shown(window) == set()
    assert records.find_deal(cf, "9001") is None
    assert "Undone: Import deals from crm.csv" in window.statusBar().currentMessage()
    assert redo.text() == "&Redo Import deals from crm.csv"

    with qtbot.waitSignal(window.changes.changed):
        redo.trigger()
    assert _deal_ids_shown(window) == {"9001", "9002"}
    window.close()
    cf.close()
