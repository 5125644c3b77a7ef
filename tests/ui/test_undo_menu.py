"""Edit ▸ Undo / Redo in the main window: named after the action, disabled with nothing to
do, and the views follow what an undo changed."""

from __future__ import annotations

import dataclasses
import sqlite3
from contextlib import closing
from datetime import date
from pathlib import Path

import pytest
from PySide6.QtGui import QKeySequence

from icmdesk.domain.entities import Company, Rep
from icmdesk.services import records
from icmdesk.ui.changes import REPS
from icmdesk.ui.main_window import MainWindow, OverviewView
from icmdesk.ui.messages import Messages

pytestmark = pytest.mark.gui


def _reps_shown(window: MainWindow) -> str:
    view = window.current_view()
    assert isinstance(view, OverviewView)
    text = view.text()
    return text.split("Reps:", 1)[1].split()[0]


def test_undo_and_redo_name_the_action_and_the_views_follow(qtbot, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    cf = records.create_company_file(tmp_path / "acme.icmdesk", Company("Acme Ltd"))
    window = MainWindow(cf)
    qtbot.addWidget(window)
    window.show()
    undo, redo = window.edit_actions()["undo"], window.edit_actions()["redo"]
    assert QKeySequence("Ctrl+Z") in undo.shortcuts()
    assert QKeySequence("Ctrl+Shift+Z") in redo.shortcuts()
    assert (undo.text(), undo.isEnabled(), redo.text(), redo.isEnabled()) == (
        "&Undo",
        False,
        "&Redo",
        False,
    )

    # A save anywhere (here as a view saves: through records) is seen by the history.
    rep = records.save_rep(cf, Rep("Ana Lee", date(2026, 1, 5)))
    assert (undo.text(), undo.isEnabled()) == ("&Undo Add rep Ana Lee", True)
    window.changes.announce(REPS)  # what the saving view does
    assert _reps_shown(window) == "1"

    with qtbot.waitSignal(window.changes.changed) as announced:
        undo.trigger()
    assert announced.args[0].kinds == {REPS} and announced.args[0].source is None
    assert _reps_shown(window) == "0"  # the overview on screen followed
    assert (undo.text(), undo.isEnabled()) == ("&Undo", False)
    assert (redo.text(), redo.isEnabled()) == ("&Redo Add rep Ana Lee", True)
    assert "Undone: Add rep Ana Lee" in window.statusBar().currentMessage()

    with qtbot.waitSignal(window.changes.changed):
        redo.trigger()
    assert records.get_rep(cf, rep.id) == rep
    assert _reps_shown(window) == "1"
    assert undo.text() == "&Undo Add rep Ana Lee" and not redo.isEnabled()
    window.close()
    cf.close()


def test_a_refused_undo_is_said_and_leaves_the_menu(
    qtbot, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:  # type: ignore[no-untyped-def]
    cf = records.create_company_file(tmp_path / "acme.icmdesk", Company("Acme Ltd"))
    rep = records.save_rep(cf, Rep("R&D Lead", date(2026, 1, 5)))
    window = MainWindow(cf)
    qtbot.addWidget(window)
    window.show()
    records.save_rep(cf, dataclasses.replace(rep, email="rd@acme.test"))
    undo = window.edit_actions()["undo"]
    assert undo.text() == "&Undo Edit rep R&&D Lead"  # "&" shown, not a mnemonic
    # Changed since, past the app's write path (another program on the file).
    with closing(sqlite3.connect(cf.path)) as db, db:
        db.execute("UPDATE reps SET email = 'lead@acme.test' WHERE id = ?", (rep.id,))

    said: list[str] = []
    monkeypatch.setattr(
        Messages, "error", staticmethod(lambda _p, title, e: said.append(f"{title}: {e}"))
    )
    undo.trigger()
    assert said == [
        "Cannot undo: Cannot undo Edit rep R&D Lead: rep R&D Lead was changed since.; "
        "“Edit rep R&D Lead” is taken off the Undo list."
    ]
    assert records.get_rep(cf, rep.id).email == "lead@acme.test"
    assert (undo.text(), undo.isEnabled()) == ("&Undo", False)
    window.close()
    cf.close()
