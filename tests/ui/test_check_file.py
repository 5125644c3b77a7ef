"""File ▸ Check Company File: what `icmdesk check` proves, from the app."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot

from icmdesk.domain.calendar import Month
from icmdesk.models.database import CompanyFile
from icmdesk.services import company_io, periods
from icmdesk.ui.main_window import MainWindow
from icmdesk.ui.messages import Messages


@pytest.fixture
def cf(tmp_path: Path) -> Iterator[CompanyFile]:
    company_file = company_io.write_demo(tmp_path / "demo.icmdesk")
    periods.close_through(company_file, Month(2026, 1))
    yield company_file
    company_file.close()


def check(qtbot: QtBot, cf: CompanyFile, monkeypatch: pytest.MonkeyPatch) -> list[str]:
    told: list[str] = []
    monkeypatch.setattr(
        Messages, "info", staticmethod(lambda _p, _t, text, details="": told.append(text + details))
    )
    window = MainWindow(cf)
    qtbot.addWidget(window)
    window.file_actions()["check"].trigger()
    qtbot.waitUntil(lambda: bool(told), timeout=20_000)
    return told


def test_a_clean_file_checks_out(
    qtbot: QtBot, cf: CompanyFile, monkeypatch: pytest.MonkeyPatch
) -> None:
    (said,) = check(qtbot, cf, monkeypatch)
    assert said.startswith("No problems: every closed statement matches")


def test_a_statement_changed_outside_the_app_is_named(
    qtbot: QtBot, cf: CompanyFile, monkeypatch: pytest.MonkeyPatch
) -> None:
    db = sqlite3.connect(cf.path)
    triggers = db.execute("SELECT name, sql FROM sqlite_master WHERE type = 'trigger'").fetchall()
    for name, _sql in triggers:
        db.execute(f'DROP TRIGGER "{name}"')
    db.execute(
        "UPDATE statement_snapshots SET payout = payout + 100"
        " WHERE rowid = (SELECT min(rowid) FROM statement_snapshots)"
    )
    for _name, sql in triggers:
        db.execute(sql)
    db.commit()
    db.close()
    (said,) = check(qtbot, cf, monkeypatch)
    assert "problem" in said and "was changed outside ICMDesk" in said
