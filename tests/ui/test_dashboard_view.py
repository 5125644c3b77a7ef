"""The dashboard view: a month's totals, payouts, attainment bars, clawbacks and warnings."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from icmdesk.domain.calendar import Month
from icmdesk.domain.entities import (
    Assignment,
    Company,
    Credit,
    Deal,
    Plan,
    PlanVersion,
    Rep,
    Tier,
)
from icmdesk.domain.money import D
from icmdesk.models.database import CompanyFile
from icmdesk.services import cancellation, deal_table, records
from icmdesk.ui.dashboard_view import DashboardView

pytestmark = pytest.mark.gui


@pytest.fixture
def acme_with_cancelled_deal(acme: CompanyFile) -> CompanyFile:
    plan = records.save_plan(
        acme,
        Plan(
            "AE",
            (
                PlanVersion(
                    date(2026, 1, 1), (Tier(D(0), D(10)), Tier(D(100), D(20))), quota=D(10000)
                ),
            ),
        ),
    )
    ana = records.save_rep(acme, Rep("Ana Lee", date(2026, 1, 1)))
    records.save_rep(acme, Rep("Bo Chen", date(2026, 1, 1)))
    records.save_assignment(acme, Assignment(ana.id, plan.id, date(2026, 1, 1)))
    records.save_deal(
        acme, Deal("D-1", "Globex", D(12000), date(2026, 1, 10), credits=(Credit(ana.id, D(100)),))
    )
    cancellation.cancel_deal(
        acme, deal_table.deal_page(acme, search="D-1")[0].id, date(2026, 2, 20), "churned"
    )
    return acme


def open_view(qtbot, cf: CompanyFile, today: date) -> DashboardView:  # type: ignore[no-untyped-def]
    view = DashboardView(cf, today=lambda: today)
    qtbot.addWidget(view)
    view.resize(1100, 700)
    view.show()
    qtbot.waitUntil(lambda: view.board is not None, timeout=10000)
    return view


def texts(model) -> list[list[str]]:  # type: ignore[no-untyped-def]
    return [
        [model.data(model.index(r, c)) for c in range(model.columnCount())]
        for r in range(model.rowCount())
    ]


def test_the_month_of_today_with_payouts_and_attainment(
    qtbot, qtmodeltester, acme_with_cancelled_deal: CompanyFile
) -> None:  # type: ignore[no-untyped-def]
    view = open_view(qtbot, acme_with_cancelled_deal, date(2026, 1, 15))
    assert view.month.currentText() == "2026-01"
    assert view.total.text() == "$1,400.00" and view.clawed.text() == "$0.00"
    qtmodeltester.check(view.reps_model)
    assert texts(view.reps_model) == [["Ana Lee", "$1,400.00", "$1,400.00", "120%", "AE"]]
    assert view.chart.rows == (("Ana Lee", D(120)),)
    assert "Bo Chen" in view.warnings.text()
    view.grab()


def test_picking_a_month_shows_its_clawbacks(
    qtbot, qtmodeltester, acme_with_cancelled_deal: CompanyFile
) -> None:  # type: ignore[no-untyped-def]
    view = open_view(qtbot, acme_with_cancelled_deal, date(2026, 1, 15))
    view.month.setCurrentIndex(view.month.findText("2026-02"))
    qtbot.waitUntil(lambda: view.board is not None and view.board.month == Month(2026, 2))
    assert view.clawed.text() == "-$1,400.00"
    qtmodeltester.check(view.clawback_model)
    assert texts(view.clawback_model) == [["Ana Lee", "D-1", "Globex", "-$1,400.00"]]
    assert "2026-01" in view.warnings.text()  # January still open
    assert view.status.text() == "Open (not closed yet)"


def test_reps_are_listed_alphabetically(qtbot, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    from icmdesk.services import company_io

    cf = company_io.write_demo(tmp_path / "demo.icmdesk")
    try:
        view = open_view(qtbot, cf, date(2026, 10, 15))
        table = view.reps_table.model()
        names = [table.data(table.index(r, 0)) for r in range(table.rowCount())]
        assert len(names) > 3 and names == sorted(names)
    finally:
        cf.close()


def test_a_refresh_computes_the_month_once(
    qtbot, acme_with_cancelled_deal: CompanyFile, monkeypatch
) -> None:  # type: ignore[no-untyped-def]
    from icmdesk.ui import dashboard_view

    calls: list[Month] = []
    real = dashboard_view._compute
    monkeypatch.setattr(dashboard_view, "_compute", lambda cf, m: calls.append(m) or real(cf, m))
    view = open_view(
        qtbot, acme_with_cancelled_deal, date(2026, 2, 15)
    )  # not the first month in the box
    qtbot.wait(100)
    assert calls == [Month(2026, 2)]
    assert view.board is not None and view.board.month == Month(2026, 2)


def test_a_failed_month_shows_no_figures_of_another(
    qtbot, acme_with_cancelled_deal: CompanyFile, monkeypatch
) -> None:  # type: ignore[no-untyped-def]
    from icmdesk.domain.errors import Problem as Pb
    from icmdesk.domain.errors import ValidationError
    from icmdesk.ui import dashboard_view

    view = open_view(qtbot, acme_with_cancelled_deal, date(2026, 1, 15))
    assert view.total.text() == "$1,400.00"

    def refuse(cf, m):  # type: ignore[no-untyped-def]
        raise ValidationError([Pb("", "Deal D-9: no plan assignment")])

    monkeypatch.setattr(dashboard_view, "_compute", refuse)
    view.month.setCurrentIndex(view.month.findText("2026-02"))
    qtbot.waitUntil(lambda: "could not be computed" in view.status.text())
    assert view.board is None
    assert view.total.text() == "—"
    assert view.reps_model.rowCount() == 0


def test_amounts_are_never_cut_in_a_currency_printed_as_a_code(qtbot, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    cf = records.create_company_file(tmp_path / "ch.icmdesk", Company("Zürich AG", currency="CHF"))
    plan = records.save_plan(
        cf, Plan("Flat", (PlanVersion(date(2026, 1, 1), (Tier(D(0), D(10)),)),))
    )
    rep = records.save_rep(cf, Rep("Maximilian von Hohenberg-Lichtenstein", date(2026, 1, 1)))
    records.save_assignment(cf, Assignment(rep.id, plan.id, date(2026, 1, 1)))
    records.save_deal(
        cf,
        Deal("D-1", "Big", D("98765432.10"), date(2026, 1, 5), credits=(Credit(rep.id, D(100)),)),
    )
    cancellation.cancel_deal(cf, deal_table.deal_page(cf)[0].id, date(2026, 1, 25), "gone")
    view = open_view(qtbot, cf, date(2026, 1, 31))
    for width in (800, 1100, 1600):
        view.resize(width, 700)
        for table in (view.reps_table, view.clawback_table):
            model, metrics = table.model(), table.fontMetrics()
            for column in range(model.columnCount()):
                text = model.data(model.index(0, column))
                if text and text.startswith(("CHF", "-CHF")):
                    assert metrics.horizontalAdvance(text) <= table.columnWidth(column), text
    cf.close()
