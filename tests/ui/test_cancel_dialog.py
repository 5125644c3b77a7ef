"""Cancel a deal: the dialog previews the clawbacks, and confirming posts exactly those."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from PySide6.QtCore import Qt, QThreadPool
from PySide6.QtWidgets import QWidget

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
from icmdesk.domain.statement import LineKind
from icmdesk.models.database import CompanyFile
from icmdesk.services import deal_table, periods, records
from icmdesk.ui.cancel_dialog import CancelDialog
from icmdesk.ui.deals_view import DealsView
from icmdesk.ui.forms import to_qdate
from icmdesk.ui.messages import Messages

pytestmark = pytest.mark.gui


def the_deal(cf: CompanyFile) -> Deal:
    return records.get_deal(cf, deal_table.deal_page(cf, search="D-1")[0].id)


def open_dialog(qtbot, cf: CompanyFile, today: date) -> CancelDialog:  # type: ignore[no-untyped-def]
    dialog = CancelDialog(cf, the_deal(cf), today=today)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    return dialog


def shown(dialog: CancelDialog) -> list[list[str]]:
    m = dialog.model
    return [[m.data(m.index(r, c)) for c in range(4)] for r in range(m.rowCount())]


def test_the_preview_is_what_confirming_posts(
    qtbot, qtmodeltester, acme_split_deal: CompanyFile
) -> None:  # type: ignore[no-untyped-def]
    dialog = open_dialog(qtbot, acme_split_deal, date(2026, 2, 15))
    qtmodeltester.check(dialog.model)
    assert [row[0] for row in shown(dialog)] == ["Ana Lee", "Bo Chen"]
    assert [row[1:] for row in shown(dialog)] == [
        ["own 60% credit", "full clawback within 90 days, all of it", "-$600.00"],
        ["own 40% credit", "full clawback within 90 days, all of it", "-$400.00"],
    ]
    assert (
        dialog.summary.text()
        == "2 clawback lines would be posted, in the February 2026 statements."
    )
    assert the_deal(acme_split_deal).cancellation_date is None  # a preview saves nothing

    qtbot.keyClicks(dialog.reason, "customer churned")
    qtbot.waitUntil(lambda: "(customer churned)" in dialog.preview[0].description)
    preview = dialog.preview
    qtbot.mouseClick(dialog.confirm_button, Qt.MouseButton.LeftButton)
    assert dialog.result() == CancelDialog.DialogCode.Accepted
    stored = the_deal(acme_split_deal)
    assert (stored.cancellation_date, stored.cancellation_reason) == (
        date(2026, 2, 15),
        "customer churned",
    )
    posted = tuple(
        line
        for s in periods.compute(acme_split_deal, Month(2026, 2))
        for line in s.lines
        if line.kind is LineKind.CLAWBACK
    )
    assert posted == preview


def test_moving_the_date_recomputes_and_a_missing_reason_is_refused(
    qtbot, acme_split_deal: CompanyFile
) -> None:  # type: ignore[no-untyped-def]
    dialog = open_dialog(qtbot, acme_split_deal, date(2026, 7, 1))
    dialog.day.setDate(to_qdate(date(2026, 6, 30)))  # beyond the 90-day window
    qtbot.waitUntil(lambda: dialog.model.rowCount() == 0)
    assert dialog.summary.text() == "Nothing to claw back: no line would be posted."
    # A day still to come is not a cancellation yet: said beside the date.
    dialog.day.setDate(to_qdate(date(2026, 7, 2)))
    dialog.update_preview()
    assert dialog.errors.text("cancellation_date").startswith(
        "The cancellation date 2026-07-02 is after today (2026-07-01)"
    )
    assert not dialog.confirm_button.isEnabled()
    dialog.day.setDate(to_qdate(date(2026, 6, 30)))
    dialog.update_preview()
    qtbot.mouseClick(dialog.confirm_button, Qt.MouseButton.LeftButton)
    assert dialog.saved is None and dialog.isVisible()
    assert dialog.errors.text("cancellation_reason") == (
        "A cancelled deal needs a cancellation reason."
    )
    assert the_deal(acme_split_deal).cancellation_date is None


def test_a_date_in_a_closed_month_is_kept_and_the_summary_says_where_it_is_paid(
    qtbot, acme_split_deal: CompanyFile, tmp_path: Path
) -> None:  # type: ignore[no-untyped-def]
    periods.close(acme_split_deal, Month(2026, 1), backup_dir=tmp_path / "b")
    dialog = open_dialog(qtbot, acme_split_deal, date(2026, 1, 20))
    assert dialog.errors.text("cancellation_date") == ""
    assert dialog.summary.text() == (
        "2 clawback lines would be posted for January 2026, which is closed: they reach the "
        "reps through the prior-period adjustment of February 2026, and the clawback notices "
        "come with those statements."
    )
    qtbot.keyClicks(dialog.reason, "Customer went bankrupt")
    dialog.update_preview()
    qtbot.mouseClick(dialog.confirm_button, Qt.MouseButton.LeftButton)
    assert the_deal(acme_split_deal).cancellation_date == date(2026, 1, 20)
    february = periods.compute(acme_split_deal, Month(2026, 2))
    assert [[str(line.amount) for line in s.lines] for s in february] == [
        ["-600.00"],
        ["-400.00"],
    ]
    assert [len(s.notices) for s in february] == [1, 1]


def test_the_deals_view_cancels_through_the_dialog(
    qtbot, acme_split_deal: CompanyFile, monkeypatch
) -> None:  # type: ignore[no-untyped-def]
    seen: list[str] = []

    def fake_confirm(parent, cf, deal):  # type: ignore[no-untyped-def]
        seen.append(deal.external_id)
        from icmdesk.services import cancellation

        return cancellation.cancel_deal(cf, deal.id, date(2026, 2, 1), "churned")

    monkeypatch.setattr(CancelDialog, "confirm", staticmethod(fake_confirm))
    infos: list[str] = []
    monkeypatch.setattr(Messages, "info", staticmethod(lambda p, t, text, d="": infos.append(text)))
    view = DealsView(acme_split_deal)
    qtbot.addWidget(view)
    view.table.selectRow(0)
    view.cancel_button.click()
    assert seen == ["D-1"]
    assert view.model.data(view.model.index(0, 6)) == "Cancelled 2026-02-01"
    view.table.selectRow(0)
    view.cancel_button.click()  # already cancelled: said so, no dialog
    assert seen == ["D-1"] and infos == ["Deal D-1 was already cancelled on 2026-02-01."]


def test_keep_the_deal_while_the_preview_is_computing_cancels_nothing(
    qtbot, acme_split_deal: CompanyFile, monkeypatch
) -> None:  # type: ignore[no-untyped-def]
    """Cancel deal pressed while the preview runs, then Keep the deal: nothing is posted."""
    import threading

    from icmdesk.services import cancellation

    gate = threading.Event()
    real = cancellation.preview_by_rep

    def slow_preview(*args):  # type: ignore[no-untyped-def]
        gate.wait(10)
        return real(*args)

    monkeypatch.setattr(cancellation, "preview_by_rep", slow_preview)
    host = QWidget()  # the task's owner outlives the dialog, as the deals view does
    qtbot.addWidget(host)
    dialog = CancelDialog(
        acme_split_deal, the_deal(acme_split_deal), host, today=date(2026, 2, 1), background=True
    )
    dialog.show()
    dialog.reason.setText("churned")
    qtbot.mouseClick(dialog.confirm_button, Qt.MouseButton.LeftButton)  # waits for the preview
    dialog.reject()  # Keep the deal
    gate.set()
    assert QThreadPool.globalInstance().waitForDone(10_000)  # the preview has finished
    qtbot.wait(50)  # and its queued result has been delivered
    assert the_deal(acme_split_deal).cancellation_date is None
    assert dialog.saved is None


def test_a_managers_override_reads_as_an_override_on_the_reports_credit(
    qtbot, tmp_path: Path
) -> None:  # type: ignore[no-untyped-def]
    cf = records.create_company_file(tmp_path / "m.icmdesk", Company("Acme Ltd"))
    flat = records.save_plan(
        cf, Plan("Flat 10%", (PlanVersion(date(2026, 1, 1), (Tier(D(0), D(10)),)),))
    )
    managing = records.save_plan(
        cf,
        Plan(
            "Managers",
            (PlanVersion(date(2026, 1, 1), (Tier(D(0), D(2)),), override_rate_pct=D(3)),),
        ),
    )
    maya = records.save_rep(cf, Rep("Maya Okafor", date(2026, 1, 1)))
    leo = records.save_rep(cf, Rep("Leo Park", date(2026, 1, 1), manager_id=maya.id))
    bo = records.save_rep(cf, Rep("Bo Chen", date(2026, 1, 1)))
    records.save_assignment(cf, Assignment(maya.id, managing.id, date(2026, 1, 1)))
    for rep in (leo, bo):
        records.save_assignment(cf, Assignment(rep.id, flat.id, date(2026, 1, 1)))
    records.save_deal(
        cf,
        Deal("D-1", "Globex", D("10000.00"), date(2026, 1, 10),
             credits=(Credit(leo.id, D(60)), Credit(bo.id, D(40)))),
    )  # fmt: skip
    dialog = open_dialog(qtbot, cf, date(2026, 2, 15))
    assert [row[:2] for row in shown(dialog)] == [
        ["Bo Chen", "own 40% credit"],
        ["Leo Park", "own 60% credit"],
        ["Maya Okafor", "override on Leo Park's 60% credit"],
    ]
    # Enter keeps the deal.
    keep = dialog.buttons.button(dialog.buttons.StandardButton.Cancel)
    assert keep.isDefault() and not dialog.confirm_button.isDefault()
    cf.close()
