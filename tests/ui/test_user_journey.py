"""One user's journey through the app, headless: from the start screen, with reps hired two
years before the books start, to the first month closed with one confirmation, to a
correction and a clawback.

Only the modal entry points are replaced. Where a dialog is modal, the real dialog is
built as the app builds it, and its `exec` is replaced by `drive`: the dialog is shown
and filled in like a user would, and its own Save decides the result.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import date
from pathlib import Path

import pytest
from PySide6.QtCore import QSettings, Qt, QThreadPool
from PySide6.QtWidgets import QDialog, QDialogButtonBox, QTableView, QTableWidgetItem, QWizard

from icmdesk.domain.calendar import Month
from icmdesk.domain.engine.fmt import fmt_money
from icmdesk.domain.entities import PeriodStatus
from icmdesk.domain.money import D
from icmdesk.domain.statement import LineKind
from icmdesk.models.database import CompanyFile
from icmdesk.services import choices, deal_table, periods
from icmdesk.ui.app import Shell
from icmdesk.ui.cancel_dialog import CancelDialog
from icmdesk.ui.deal_dialog import DealDialog
from icmdesk.ui.deals_view import DealsView
from icmdesk.ui.forms import from_qdate, to_qdate
from icmdesk.ui.main_window import MainWindow
from icmdesk.ui.messages import Messages
from icmdesk.ui.new_company_wizard import NewCompanyWizard
from icmdesk.ui.periods_view import (
    CloseMonthDialog,
    FinalStatementsDialog,
    PeriodsView,
    StatementFolderDialog,
    StatementsWrittenDialog,
    month_title,
)
from icmdesk.ui.plans_view import PlansView
from icmdesk.ui.rep_dialog import RepDialog
from icmdesk.ui.reps_view import RepsView
from icmdesk.ui.roles_view import RoleDialog, RolesView
from tests.ui.conftest import like_a_modal

pytestmark = pytest.mark.gui

LEFT = Qt.MouseButton.LeftButton
JAN, FEB, MAR = Month(2026, 1), Month(2026, 2), Month(2026, 3)


@pytest.fixture
def shell(tmp_path: Path) -> Iterator[Shell]:
    settings = QSettings(str(tmp_path / "settings.ini"), QSettings.Format.IniFormat)
    s = Shell(settings, demo=tmp_path / "demo" / "Demo Company.icmdesk")
    yield s
    QThreadPool.globalInstance().waitForDone()
    s.shutdown()


def drive(qtbot, monkeypatch, cls: type[QDialog], fill: Callable) -> list[QDialog]:  # type: ignore[no-untyped-def]
    """Replace `cls.exec`: show the real dialog, let `fill` use it, return what it decided."""
    seen: list[QDialog] = []

    def exec_(self: QDialog) -> int:
        # Not handed to qtbot: the dialogs belong to their views (and some are deleted
        # once used), as they do in the app.
        self.show()
        seen.append(self)
        fill(self)
        return self.result()

    monkeypatch.setattr(cls, "exec", exec_)
    return seen


def save(qtbot, dialog: QDialog) -> None:  # type: ignore[no-untyped-def]
    button = dialog.buttons.button(QDialogButtonBox.StandardButton.Save)  # type: ignore[attr-defined]
    qtbot.mouseClick(button, LEFT)


def texts(table: QTableView, column: int) -> list[str]:
    model = table.model()
    return [model.data(model.index(r, column)) for r in range(model.rowCount())]


def set_cell(view: PlansView, row: int, column: int, text: str) -> None:
    item = view.tiers.table.item(row, column)
    if item is None:
        view.tiers.table.setItem(row, column, QTableWidgetItem(text))
    else:
        item.setText(text)


def deal_row(view: DealsView, external_id: str) -> int:
    ids = [view.model.row_value(r).external_id for r in range(view.model.rowCount())]
    return ids.index(external_id)


def select_deal(qtbot, view: DealsView, external_id: str) -> None:  # type: ignore[no-untyped-def]
    view.table.selectRow(deal_row(view, external_id))


def compute(qtbot, view: PeriodsView, month: Month) -> None:  # type: ignore[no-untyped-def]
    qtbot.waitUntil(lambda: not view.busy and month_title(month) in texts(view.month_table, 0))
    view.select_month(month)
    with qtbot.waitSignal(view.work_finished, timeout=20_000):
        qtbot.mouseClick(view.buttons["compute"], LEFT)
    qtbot.waitUntil(lambda: bool(view.shown_statements()))


def line_titles(view: PeriodsView, rep: str) -> list[str]:
    view.select_rep(rep)
    return texts(view.line_table, 0)


def new_company(qtbot, monkeypatch, shell: Shell, path: Path) -> MainWindow:  # type: ignore[no-untyped-def]
    def fill(wizard: NewCompanyWizard) -> None:
        wizard.set_answers("Acme Ltd", "usd", 1, path, books_start=JAN)
        for _page in range(3):
            qtbot.mouseClick(wizard.button(QWizard.WizardButton.NextButton), LEFT)
        qtbot.mouseClick(wizard.button(QWizard.WizardButton.FinishButton), LEFT)

    drive(qtbot, monkeypatch, NewCompanyWizard, fill)
    screen = shell.show_start()
    qtbot.mouseClick(screen.button("new"), LEFT)
    window = shell.window
    assert window is not None and window.company_file.path == path
    return window


def add_plan(qtbot, window: MainWindow) -> None:  # type: ignore[no-untyped-def]
    view = window.show_view("Plans")
    assert isinstance(view, PlansView)
    qtbot.mouseClick(view.new_plan_button, LEFT)
    view.name.setText("AE tiered")
    # A new plan takes effect from the books start, not from today: deals since are covered.
    assert from_qdate(view.effective_from.date()) == date(2026, 1, 1)
    view.quota.setText("100000")
    set_cell(view, 0, 2, "5")
    qtbot.mouseClick(view.tiers.add_button, LEFT)
    set_cell(view, 1, 0, "100")  # from 100% of quota
    set_cell(view, 1, 2, "10")
    qtbot.mouseClick(view.save_button, LEFT)
    assert view.field_errors == {}
    assert [view.plan_list.item(i).text() for i in range(view.plan_list.count())] == ["AE tiered"]


def add_role(qtbot, monkeypatch, window: MainWindow) -> None:  # type: ignore[no-untyped-def]
    def fill(dialog: RoleDialog) -> None:
        dialog.name.setText("Account Executive")
        dialog.default_plan.setCurrentText("AE tiered")
        save(qtbot, dialog)

    drive(qtbot, monkeypatch, RoleDialog, fill)
    view = window.show_view("Roles")
    assert isinstance(view, RolesView)
    qtbot.mouseClick(view.add_button, LEFT)
    assert texts(view.table, 0) == ["Account Executive"]


HIRED = date(2024, 1, 8)  # two years before the books start


def add_rep(qtbot, monkeypatch, window: MainWindow, name: str, draw: str = "") -> None:  # type: ignore[no-untyped-def]
    def fill(dialog: RepDialog) -> None:
        dialog.name.setText(name)
        dialog.hire_date.setDate(to_qdate(HIRED))
        # The role brings its default plan, from the hire date.
        dialog.role.setCurrentText("Account Executive")
        (row,) = dialog.assignment_rows()
        assert row.plan.currentText() == "AE tiered"
        assert from_qdate(row.start.date()) == HIRED
        if draw:
            row.draw_amount.setText(draw)
            row.draw_start.setDate(to_qdate(date(2026, 1, 1)))
        save(qtbot, dialog)

    drive(qtbot, monkeypatch, RepDialog, fill)
    view = window.show_view("Reps")
    assert isinstance(view, RepsView)
    qtbot.mouseClick(view.add_button, LEFT)
    assert name in texts(view.table, 0)


def add_deal(  # type: ignore[no-untyped-def]
    qtbot, monkeypatch, window: MainWindow, external_id: str, amount: str, day: date,
    credits: list[tuple[str, str]],
) -> None:  # fmt: skip
    def fill(dialog: DealDialog) -> None:
        dialog.external_id.setText(external_id)
        dialog.customer.setText("Globex")
        dialog.amount.setText(amount)
        dialog.close_date.setDate(to_qdate(day))
        for i, (rep, split) in enumerate(credits):
            if i:
                qtbot.mouseClick(dialog.credits.add_button, LEFT)
            row = dialog.credit_rows()[i]
            row.rep.setCurrentText(rep)
            row.split.setText(split)
        save(qtbot, dialog)

    drive(qtbot, monkeypatch, DealDialog, fill)
    view = window.show_view("Deals")
    assert isinstance(view, DealsView)
    qtbot.mouseClick(view.add_button, LEFT)
    assert view.model.total == len(deal_table.deal_page(window.company_file))


def test_a_month_from_a_new_company_to_a_clawback(  # type: ignore[no-untyped-def]
    qtbot, monkeypatch: pytest.MonkeyPatch, shell: Shell, tmp_path: Path
) -> None:
    errors: list[str] = []
    monkeypatch.setattr(Messages, "error", lambda _p, title, e: errors.append(f"{title}: {e}"))

    # A new company, from the start screen through the wizard.
    window = new_company(qtbot, monkeypatch, shell, tmp_path / "Acme Ltd.icmdesk")
    cf: CompanyFile = window.company_file
    assert window.windowTitle() == "Acme Ltd — Acme Ltd.icmdesk[*] — ICMDesk"

    add_plan(qtbot, window)
    add_role(qtbot, monkeypatch, window)

    # A rep dialog with invalid input shows its problems and saves nothing; fixed, it saves.
    refused: list[dict[str, str]] = []

    def fill_badly_then_well(dialog: RepDialog) -> None:
        qtbot.mouseClick(dialog.assignments.add_button, LEFT)
        dialog.assignment_rows()[0].draw_amount.setText("lots")
        save(qtbot, dialog)
        refused.append(
            {f: dialog.errors.text(f) for f in ("name", "assignments[0].plan_id")}
            | {"draw": dialog.errors.text("assignments[0].draw.amount")}
        )
        assert dialog.isVisible() and dialog.saved is None
        assert not choices.reps(cf)  # nothing was saved
        dialog.reject()

    drive(qtbot, monkeypatch, RepDialog, fill_badly_then_well)
    reps_view = window.show_view("Reps")
    assert isinstance(reps_view, RepsView)
    qtbot.mouseClick(reps_view.add_button, LEFT)
    (problems,) = refused
    assert "Choose the plan." in problems["assignments[0].plan_id"]
    assert "The draw must be a number (got 'lots')." in problems["draw"]
    assert not choices.reps(cf) and texts(reps_view.table, 0) == []

    add_rep(qtbot, monkeypatch, window, "Ana Lee", draw="1000")
    add_rep(qtbot, monkeypatch, window, "Bo Chen")
    add_deal(qtbot, monkeypatch, window, "D-1", "120000", date(2026, 1, 15),
             [("Ana Lee", "60"), ("Bo Chen", "40")])  # fmt: skip
    add_deal(qtbot, monkeypatch, window, "D-2", "10000", date(2026, 2, 10), [("Bo Chen", "100")])
    assert not errors

    # January, the books start: the first month to close, though the reps were hired two
    # years before. Compute, review Ana's statement, close it, write the final PDFs.
    view = window.show_view("Periods")
    assert isinstance(view, PeriodsView)
    qtbot.waitUntil(lambda: not view.busy and bool(texts(view.month_table, 0)))
    assert texts(view.month_table, 0)[0] == "January 2026"
    assert texts(view.month_table, 1)[0] == "Open · next to close"
    compute(qtbot, view, JAN)
    expected = {s.rep_name: s for s in periods.compute(cf, JAN)}
    payouts = dict(zip(texts(view.statement_table, 0), texts(view.statement_table, 5), strict=True))
    # Ana: 60% of $120,000 = $72,000 credited, 72% of a $100,000 quota, all in the 5% tier.
    assert payouts["Ana Lee"] == fmt_money(expected["Ana Lee"].payout) == "$3,600.00"
    assert payouts["Bo Chen"] == "$2,400.00"
    view.select_rep("Ana Lee")
    assert "Draw reconciliation" in view.statement_text()

    out = tmp_path / "out"
    monkeypatch.setattr(StatementFolderDialog, "choose", lambda _p, _m, _s: out)
    written: list[object] = []
    monkeypatch.setattr(StatementsWrittenDialog, "show", lambda _p, r: written.append(r))
    confirmations: list[object] = []
    monkeypatch.setattr(
        CloseMonthDialog, "confirm", lambda _p, months: confirmations.append(months) or True
    )
    monkeypatch.setattr(FinalStatementsDialog, "ask", like_a_modal(True))
    with qtbot.waitSignal(view.work_finished, timeout=20_000):
        qtbot.mouseClick(view.buttons["close"], LEFT)
    qtbot.waitUntil(lambda: bool(written), timeout=20_000)
    assert confirmations == [[JAN]]  # one confirmation, one month
    assert periods.list_periods(cf)[0].status is PeriodStatus.CLOSED
    assert texts(view.month_table, 1)[:2] == ["Closed", "Open · next to close"]
    pdfs = sorted(p.name for p in (out / "2026-01").glob("*.pdf"))
    assert len(written) == 1 and len([p for p in pdfs if p.startswith("Statement-2026-01-")]) == 2
    assert all((out / "2026-01" / p).stat().st_size > 0 for p in pdfs)

    # Editing the closed month's deal posts a prior-period adjustment in February.
    def raise_amount(dialog: DealDialog) -> None:
        dialog.amount.setText("150000")
        save(qtbot, dialog)

    drive(qtbot, monkeypatch, DealDialog, raise_amount)
    deals = window.show_view("Deals")
    assert isinstance(deals, DealsView)
    select_deal(qtbot, deals, "D-1")
    qtbot.mouseClick(deals.edit_button, LEFT)
    assert not errors
    view = window.show_view("Periods")
    assert isinstance(view, PeriodsView)
    compute(qtbot, view, FEB)
    assert "Prior-period adjustment" in line_titles(view, "Ana Lee")
    (prior,) = (
        line
        for s in periods.compute(cf, FEB)
        if s.rep_name == "Ana Lee"
        for line in s.lines
        if line.kind is LineKind.PRIOR_PERIOD
    )
    assert prior.amount == D("900.00")  # 60% of the $30,000 more, at 5%

    # Cancelling D-1 in March: the dialog previews the clawbacks, confirming posts them.
    previewed: list[list[str]] = []

    def cancel(dialog: CancelDialog) -> None:
        # It opens at once; the preview is computed off the GUI thread.
        assert dialog.computing and dialog.summary.text() == "Computing the clawbacks…"
        dialog.day.setDate(to_qdate(date(2026, 3, 10)))
        qtbot.keyClicks(dialog.reason, "customer churned")
        qtbot.waitUntil(
            lambda: (
                dialog.model.rowCount() == 2
                and "(customer churned)" in dialog.preview[0].description
            ),
            timeout=10_000,
        )
        m = dialog.model
        previewed.extend([m.data(m.index(r, c)) for c in (0, 3)] for r in range(m.rowCount()))
        qtbot.mouseClick(dialog.confirm_button, LEFT)

    drive(qtbot, monkeypatch, CancelDialog, cancel)
    deals = window.show_view("Deals")
    assert isinstance(deals, DealsView)
    select_deal(qtbot, deals, "D-1")
    qtbot.mouseClick(deals.cancel_button, LEFT)
    assert previewed == [["Ana Lee", "-$4,500.00"], ["Bo Chen", "-$3,000.00"]]
    assert texts(deals.table, 6)[deal_row(deals, "D-1")] == "Cancelled 2026-03-10"
    view = window.show_view("Periods")
    assert isinstance(view, PeriodsView)
    compute(qtbot, view, MAR)
    assert "Clawback" in line_titles(view, "Ana Lee")
    assert "Clawback" in line_titles(view, "Bo Chen")
    assert not errors
