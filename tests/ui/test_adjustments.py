"""Adjustments in the Periods view, used as a person would: add one beside a rep's
statement and see the statement change; edit and delete it; a closed month read-only; the
dialog's keys and messages; a bulk file previewed and imported."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from PySide6.QtCore import Qt

from icmdesk.domain.calendar import Month
from icmdesk.domain.entities import (
    Adjustment,
    Assignment,
    Credit,
    Deal,
    Plan,
    PlanVersion,
    Rep,
    Tier,
)
from icmdesk.domain.money import D
from icmdesk.models.database import CompanyFile
from icmdesk.services import adjustment_import, periods, records
from icmdesk.services.adjustment_import import AdjustmentPlan
from icmdesk.ui.adjustments import (
    AdjustmentDialog,
    AdjustmentFileDialog,
    DeleteAdjustmentDialog,
    ImportPreview,
    ImportPreviewDialog,
)
from icmdesk.ui.messages import Messages
from icmdesk.ui.periods_view import PeriodsView

pytestmark = pytest.mark.gui

JAN, FEB = Month(2026, 1), Month(2026, 2)


@pytest.fixture
def acme_with_jan_feb_deals(acme: CompanyFile) -> CompanyFile:
    plan = records.save_plan(
        acme, Plan("Flat 10%", (PlanVersion(date(2026, 1, 1), (Tier(D(0), D(10)),)),))
    )
    ana = records.save_rep(acme, Rep("Ana Lee", date(2026, 1, 1)))
    bo = records.save_rep(acme, Rep("Bo Chen", date(2026, 1, 1)))
    for rep in (ana, bo):
        records.save_assignment(acme, Assignment(rep.id, plan.id, date(2026, 1, 1)))
    for month in (1, 2):
        records.save_deal(
            acme,
            Deal(f"D-{month}", "Globex", D("10000.00"), date(2026, month, 10),
                 credits=(Credit(ana.id, D(100)),)),
        )  # fmt: skip
    return acme


@pytest.fixture
def errors(monkeypatch: pytest.MonkeyPatch) -> list[tuple[str, BaseException]]:
    shown: list[tuple[str, BaseException]] = []
    monkeypatch.setattr(Messages, "error", lambda _parent, title, e: shown.append((title, e)))
    return shown


def open_view(qtbot, cf: CompanyFile, month: Month) -> PeriodsView:  # type: ignore[no-untyped-def]
    view = PeriodsView(cf)
    qtbot.addWidget(view)
    view.resize(1200, 750)
    with qtbot.waitSignal(view.work_finished, timeout=10_000):
        view.show()
    qtbot.waitExposed(view)
    view.select_month(month)
    if not view.shown_statements() or view.shown_statements()[0].month != month:
        with qtbot.waitSignal(view.work_finished, timeout=10_000):
            qtbot.mouseClick(view.buttons["compute"], Qt.MouseButton.LeftButton)
    view.select_rep("Ana Lee")
    view.tabs.setCurrentWidget(view.adjustments)
    return view


def earnings(view: PeriodsView, name: str) -> Decimal:
    return next(s.earnings for s in view.shown_statements() if s.rep_name == name)


def chosen_rep(view: PeriodsView) -> str:
    """The rep of the statement row selected in the statements table, as shown."""
    table = view.statement_table
    rows = table.selectionModel().selectedRows()
    assert len(rows) == 1
    return str(table.model().index(rows[0].row(), 0).data())


def texts(table, column: int) -> list[str]:  # type: ignore[no-untyped-def]
    model = table.model()
    return [model.data(model.index(r, column)) for r in range(model.rowCount())]


def typing_into_the_dialog(qtbot, amount: str, reason: str):  # type: ignore[no-untyped-def]
    """AdjustmentDialog.edit as the user answers it: the real dialog, typed into, saved
    with Enter."""

    def edit(parent, company_file, *, rep_id, rep_name, month, adjustment=None):  # type: ignore[no-untyped-def]
        dialog = AdjustmentDialog(
            company_file,
            rep_id=rep_id,
            rep_name=rep_name,
            month=month,
            adjustment=adjustment,
            parent=parent,
        )
        qtbot.addWidget(dialog)
        dialog.show()
        dialog.amount.selectAll()
        qtbot.keyClicks(dialog.amount, amount)
        dialog.reason.selectAll()
        qtbot.keyClicks(dialog.reason, reason)
        qtbot.keyClick(dialog.reason, Qt.Key.Key_Return)
        assert dialog.result() == AdjustmentDialog.DialogCode.Accepted, dialog.errors.text("")
        return dialog.saved

    return edit


def test_add_an_adjustment_beside_the_statement_and_see_it_paid(
    qtbot, acme_with_jan_feb_deals: CompanyFile, monkeypatch: pytest.MonkeyPatch, qtmodeltester
) -> None:  # type: ignore[no-untyped-def]
    view = open_view(qtbot, acme_with_jan_feb_deals, JAN)
    panel = view.adjustments
    qtmodeltester.check(panel.table.model())
    assert earnings(view, "Ana Lee") == Decimal("1000.00")
    assert panel.count == 0 and "Ana Lee's adjustments in January 2026" in panel.note
    assert panel.buttons["add"].isEnabled() and not panel.buttons["edit"].isEnabled()

    monkeypatch.setattr(AdjustmentDialog, "edit", typing_into_the_dialog(qtbot, "-150", "Laptop"))
    with qtbot.waitSignal(view.work_finished, timeout=10_000):  # the statement recomputes
        qtbot.mouseClick(panel.buttons["add"], Qt.MouseButton.LeftButton)

    assert texts(panel.table, 0) == ["-$150.00"] and texts(panel.table, 1) == ["Laptop"]
    assert texts(panel.table, 2) == ["entered here"]
    assert panel.total == "Total -$150.00"
    assert earnings(view, "Ana Lee") == Decimal("850.00")
    assert chosen_rep(view) == "Ana Lee"  # the rep stays chosen after the recompute
    assert "Adjustment · Laptop" in view.statement_text()
    assert view.tabs.tabText(view.tabs.indexOf(panel)) == "&Adjustments (1)"
    (stored,) = adjustment_import.adjustments_of(
        acme_with_jan_feb_deals, panel_rep_id(acme_with_jan_feb_deals, "Ana Lee"), JAN
    )
    assert (stored.amount, stored.reason) == (Decimal("-150.00"), "Laptop")

    # Edit it (Enter on the table), then delete it.
    panel.table.selectRow(0)
    monkeypatch.setattr(AdjustmentDialog, "edit", typing_into_the_dialog(qtbot, "200", "Bonus"))
    with qtbot.waitSignal(view.work_finished, timeout=10_000):
        qtbot.keyClick(panel.table, Qt.Key.Key_Return)
    assert texts(panel.table, 1) == ["Bonus"] and earnings(view, "Ana Lee") == Decimal("1200.00")

    asked: list[Adjustment] = []
    monkeypatch.setattr(
        DeleteAdjustmentDialog, "confirm", lambda _p, adj, _c: asked.append(adj) or True
    )
    panel.table.selectRow(0)
    with qtbot.waitSignal(view.work_finished, timeout=10_000):
        qtbot.mouseClick(panel.buttons["delete"], Qt.MouseButton.LeftButton)
    assert [a.reason for a in asked] == ["Bonus"]
    assert panel.count == 0 and earnings(view, "Ana Lee") == Decimal("1000.00")


def panel_rep_id(cf: CompanyFile, name: str) -> int:
    return next(r.id for r in ui_adjustments_reps(cf) if r.name == name)


def ui_adjustments_reps(cf: CompanyFile):  # type: ignore[no-untyped-def]
    from icmdesk.services import choices

    return choices.reps(cf)


def test_a_closed_months_adjustments_are_read_only(
    qtbot, acme_with_jan_feb_deals: CompanyFile, tmp_path: Path
) -> None:  # type: ignore[no-untyped-def]
    ana = panel_rep_id(acme_with_jan_feb_deals, "Ana Lee")
    adjustment_import.save_adjustment(
        acme_with_jan_feb_deals, Adjustment(ana, JAN, Decimal("10.00"), "Kept")
    )
    periods.close(acme_with_jan_feb_deals, JAN, backup_dir=tmp_path / "backups")
    view = open_view(qtbot, acme_with_jan_feb_deals, JAN)
    panel = view.adjustments
    assert texts(panel.table, 1) == ["Kept"]
    assert "closed" in panel.note
    panel.table.selectRow(0)
    assert not any(b.isEnabled() for b in panel.buttons.values())
    # February is open: it takes adjustments.
    view.select_month(FEB)
    with qtbot.waitSignal(view.work_finished, timeout=10_000):
        qtbot.mouseClick(view.buttons["compute"], Qt.MouseButton.LeftButton)
    view.select_rep("Ana Lee")
    assert panel.buttons["add"].isEnabled()


def test_the_dialog_shows_problems_beside_their_fields_and_asks_before_dropping_edits(
    qtbot, acme_with_jan_feb_deals: CompanyFile, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:  # type: ignore[no-untyped-def]
    ana = panel_rep_id(acme_with_jan_feb_deals, "Ana Lee")
    periods.close(acme_with_jan_feb_deals, JAN, backup_dir=tmp_path / "backups")
    dialog = AdjustmentDialog(acme_with_jan_feb_deals, rep_id=ana, rep_name="Ana Lee", month=JAN)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.keyClicks(dialog.amount, "0")
    qtbot.keyClick(dialog.amount, Qt.Key.Key_Return)
    assert dialog.isVisible() and dialog.saved is None
    assert "cannot be zero" in dialog.errors.text("amount")
    assert "needs a reason" in dialog.errors.text("reason")
    assert "January 2026 is closed" in dialog.errors.text("month")
    dialog.amount.setText("ten")
    qtbot.keyClick(dialog.amount, Qt.Key.Key_Return)
    assert "must be a number (got 'ten')" in dialog.errors.text("amount")
    # Escape with typed edits asks first; keeping them leaves the dialog open.
    asked: list[str] = []
    monkeypatch.setattr(Messages, "discard_edits", lambda _p, what: asked.append(what) or False)
    qtbot.keyClick(dialog, Qt.Key.Key_Escape)
    assert asked == ["the adjustment"] and dialog.isVisible()
    assert adjustment_import.adjustments_of(acme_with_jan_feb_deals, ana, JAN) == ()


def test_a_bulk_file_is_previewed_then_imported(
    qtbot,
    acme_with_jan_feb_deals: CompanyFile,
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
    errors: list,
) -> None:  # type: ignore[no-untyped-def]
    view = open_view(qtbot, acme_with_jan_feb_deals, JAN)
    file = tmp_path / "bulk.csv"
    file.write_text(
        "ID,Rep,Month,Amount,Reason\n"
        "A-1,Ana Lee,2026-01,$300.00,Quarter bonus\n"
        "A-2,Nobody,2026-01,5,Who\n",
        encoding="utf-8",
    )
    monkeypatch.setattr(AdjustmentFileDialog, "choose", lambda _p, _folder: file)
    previewed: list[AdjustmentPlan] = []
    monkeypatch.setattr(
        ImportPreviewDialog, "confirm", lambda _p, plan: previewed.append(plan) or True
    )
    told: list[str] = []
    monkeypatch.setattr(Messages, "info", lambda _p, _t, text, _d="": told.append(text))
    qtbot.mouseClick(view.buttons["import"], Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: bool(told) and not view.busy, timeout=10_000)
    assert not errors
    (plan,) = previewed
    assert plan.summary == "1 added, 1 rejected"
    assert told == ["bulk.csv: 1 added, 1 rejected."]
    assert earnings(view, "Ana Lee") == Decimal("1300.00")
    assert texts(view.adjustments.table, 1) == ["Quarter bonus"]
    assert texts(view.adjustments.table, 2) == ["A-1"]

    # The preview itself: the counts, and the rejected row with its reason.
    preview = ImportPreview(adjustment_import.plan_adjustments(acme_with_jan_feb_deals, file))
    qtbot.addWidget(preview)
    assert "0 to add, 0 to update, 1 already in, 1 rejected" in preview.summary.text()
    assert texts(preview.table, 2) == ["Rejected"]
    assert 'no rep goes by "Nobody"' in texts(preview.table, 4)[0]
    assert preview.buttons.buttons()[0].text() == "Close"  # nothing to import


def test_a_refused_file_says_why(
    qtbot,
    acme_with_jan_feb_deals: CompanyFile,
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
    errors: list,
) -> None:  # type: ignore[no-untyped-def]
    view = open_view(qtbot, acme_with_jan_feb_deals, JAN)
    file = tmp_path / "empty.csv"
    file.write_bytes(b"")
    monkeypatch.setattr(AdjustmentFileDialog, "choose", lambda _p, _folder: file)
    with qtbot.waitSignal(view.work_finished, timeout=10_000):
        qtbot.mouseClick(view.buttons["import"], Qt.MouseButton.LeftButton)
    ((title, error),) = errors
    assert title == "The adjustments cannot be imported" and "empty.csv is empty" in str(error)
