"""The Periods view's Reopen follows the services' rule (periods.reopenable_month): it
offers the month the services say may be reopened, whichever month is chosen."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import Qt

from icmdesk.domain.calendar import Month
from icmdesk.domain.entities import (
    Adjustment,
)
from icmdesk.domain.money import D
from icmdesk.models.database import CompanyFile
from icmdesk.services import choices, periods, records
from icmdesk.ui.periods_view import PeriodsView, ReopenMonthDialog

pytestmark = pytest.mark.gui

DEC, JAN, FEB = Month(2025, 12), Month(2026, 1), Month(2026, 2)


@pytest.fixture
def acme_jan_feb_closed(acme_ana_from_january: CompanyFile, tmp_path: Path) -> CompanyFile:
    """Ana Lee on a flat 10% plan from 2026-01-01 with a deal in January and one in
    February, both months closed, and then an adjustment dated December 2025 (before the
    first close: December counts as closed, without statements)."""
    acme = acme_ana_from_january
    ana = next(r for r in choices.reps(acme) if r.name == "Ana Lee")
    for month in (JAN, FEB):
        periods.close(acme, month, backup_dir=tmp_path / "backups")
    records.save_adjustment(acme, Adjustment(ana.id, DEC, D("50.00"), "December bonus"))
    return acme


def open_view(qtbot, cf: CompanyFile) -> PeriodsView:  # type: ignore[no-untyped-def]
    view = PeriodsView(cf)
    qtbot.addWidget(view)
    with qtbot.waitSignal(view.work_finished, timeout=10_000):  # months load in the background
        view.show()
    qtbot.waitExposed(view)
    return view


def test_reopen_offers_the_month_the_services_say_may_be_reopened(
    qtbot, acme_jan_feb_closed: CompanyFile, monkeypatch: pytest.MonkeyPatch
) -> None:  # type: ignore[no-untyped-def]
    cf = acme_jan_feb_closed
    asked: list[Month] = []
    monkeypatch.setattr(
        ReopenMonthDialog, "confirm", lambda _parent, month: asked.append(month) or False
    )
    view = open_view(qtbot, cf)
    reopen = view.buttons["reopen"]
    for chosen in (DEC, JAN, FEB):
        view.select_month(chosen)  # a closed month's stored statements load in the background
        qtbot.waitUntil(lambda: not view.busy, timeout=10_000)
        assert view.selected_month() == chosen
        assert reopen.isEnabled()
        assert reopen.toolTip() == "Reopen February 2026"
        qtbot.mouseClick(reopen, Qt.MouseButton.LeftButton)
    assert asked == [periods.reopenable_month(cf)] * 3 == [FEB] * 3


def test_reopening_moves_the_offer_to_the_month_before(
    qtbot, acme_jan_feb_closed: CompanyFile, monkeypatch: pytest.MonkeyPatch
) -> None:  # type: ignore[no-untyped-def]
    cf = acme_jan_feb_closed
    monkeypatch.setattr(ReopenMonthDialog, "confirm", lambda _parent, _month: True)
    view = open_view(qtbot, cf)
    with qtbot.waitSignal(view.work_finished, timeout=10_000):
        qtbot.mouseClick(view.buttons["reopen"], Qt.MouseButton.LeftButton)
    assert periods.reopenable_month(cf) == JAN
    assert view.buttons["reopen"].toolTip() == "Reopen January 2026"
