"""The deal editor: fields, splits with a live total, payments; problems beside their fields;
and the Deals view's Add / Edit / Delete wired to it."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialogButtonBox, QLineEdit

from icmdesk.domain.entities import (
    Assignment,
    Credit,
    Deal,
    Payment,
    Plan,
    PlanVersion,
    Rep,
    Tier,
)
from icmdesk.domain.money import D
from icmdesk.models.database import CompanyFile
from icmdesk.services import deal_table, records
from icmdesk.ui.deal_dialog import CreditRow, DealDialog
from icmdesk.ui.deals_view import DealsView
from icmdesk.ui.forms import to_qdate
from icmdesk.ui.messages import Messages

pytestmark = pytest.mark.gui


def deal_named(cf: CompanyFile, external_id: str) -> Deal | None:
    """The stored deal with this CRM id (through the deals table's search)."""
    rows = deal_table.deal_page(cf, search=external_id, limit=1000)
    found = [r.id for r in rows if r.external_id == external_id]
    return records.get_deal(cf, found[0]) if found else None


@pytest.fixture
def acme_with_paid_deal(acme: CompanyFile) -> CompanyFile:
    plan = records.save_plan(
        acme, Plan("Flat 10%", (PlanVersion(date(2026, 1, 1), (Tier(D(0), D(10)),)),))
    )
    ana = records.save_rep(acme, Rep("Ana Lee", date(2026, 1, 1)))
    bo = records.save_rep(acme, Rep("Bo Chen", date(2026, 1, 1)))
    records.save_rep(acme, Rep("Cy Young", date(2026, 1, 1)))  # no assignment
    for rep in (ana, bo):
        records.save_assignment(acme, Assignment(rep.id, plan.id, date(2026, 1, 1)))
    records.save_deal(
        acme,
        Deal("D-1", "Globex", D("10000.00"), date(2026, 1, 10),
             credits=(Credit(ana.id, D(60)), Credit(bo.id, D(40))),
             payments=(Payment(date(2026, 2, 1), D("2500.00")),)),
    )  # fmt: skip
    return acme


def rep_id(cf: CompanyFile, name: str) -> int:
    return next(r.id for r in records_reps(cf) if r.name == name)


def records_reps(cf: CompanyFile):  # type: ignore[no-untyped-def]
    from icmdesk.services import choices

    return choices.reps(cf)


def open_dialog(qtbot, cf: CompanyFile, deal: Deal | None) -> DealDialog:  # type: ignore[no-untyped-def]
    dialog = DealDialog(cf, deal)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    return dialog


def save(qtbot, dialog: DealDialog) -> None:  # type: ignore[no-untyped-def]
    qtbot.mouseClick(
        dialog.buttons.button(QDialogButtonBox.StandardButton.Save), Qt.MouseButton.LeftButton
    )


def choose(row: CreditRow, name: str) -> None:
    row.rep.setCurrentIndex(row.rep.findText(name))


def test_a_new_deal_with_a_split_and_a_payment_is_saved(
    qtbot, acme_with_paid_deal: CompanyFile
) -> None:  # type: ignore[no-untyped-def]
    dialog = open_dialog(qtbot, acme_with_paid_deal, None)
    qtbot.keyClicks(dialog.external_id, "D-2")
    qtbot.keyClicks(dialog.customer, "Initech")
    qtbot.keyClicks(dialog.amount, "12,500.50")
    dialog.close_date.setDate(to_qdate(date(2026, 3, 5)))
    dialog.deal_type.setCurrentText("renewal")
    first = dialog.credit_rows()[0]
    choose(first, "Ana Lee")
    qtbot.keyClicks(first.split, "70")
    assert dialog.credits.footer.text() == (
        "The splits total 70%; they must add up to at least 100% "
        "(exactly 100% for a split deal, more for an overlay)."
    )  # what saving would say (test_dialogs.py: the validation's own words)
    qtbot.mouseClick(dialog.credits.add_button, Qt.MouseButton.LeftButton)
    second = dialog.credit_rows()[1]
    choose(second, "Bo Chen")
    qtbot.keyClicks(second.split, "30")
    assert dialog.credits.footer.text() == "Splits total: 100%"
    # A split still blank: the total so far, not a dash.
    qtbot.mouseClick(dialog.credits.add_button, Qt.MouseButton.LeftButton)
    assert dialog.credits.footer.text() == "Splits total: 100% so far (one blank)"
    qtbot.mouseClick(dialog.credit_rows()[2].remove_button, Qt.MouseButton.LeftButton)
    assert dialog.credits.footer.text() == "Splits total: 100%"
    qtbot.mouseClick(dialog.payments.add_button, Qt.MouseButton.LeftButton)
    payment = dialog.payment_rows()[0]
    assert payment.day.date() == to_qdate(date(2026, 3, 5))  # defaults to the close date
    qtbot.keyClicks(payment.amount, "500")
    save(qtbot, dialog)

    assert dialog.result() == DealDialog.DialogCode.Accepted
    stored = deal_named(acme_with_paid_deal, "D-2")
    assert stored == dialog.saved
    assert stored is not None
    assert (stored.customer, stored.amount, stored.close_date, stored.deal_type) == (
        "Initech", D("12500.50"), date(2026, 3, 5), "renewal",
    )  # fmt: skip
    assert stored.credits == (
        Credit(rep_id(acme_with_paid_deal, "Ana Lee"), D(70)),
        Credit(rep_id(acme_with_paid_deal, "Bo Chen"), D(30)),
    )
    assert stored.payments == (Payment(date(2026, 3, 5), D(500)),)


def test_every_problem_shows_beside_its_field_and_nothing_is_saved(
    qtbot, acme_with_paid_deal: CompanyFile
) -> None:  # type: ignore[no-untyped-def]
    dialog = open_dialog(qtbot, acme_with_paid_deal, None)
    qtbot.keyClicks(dialog.external_id, "D-1")  # taken
    qtbot.keyClicks(dialog.amount, "100.00")
    dialog.close_date.setDate(to_qdate(date(2026, 3, 5)))
    choose(dialog.credit_rows()[0], "Ana Lee")
    qtbot.keyClicks(dialog.credit_rows()[0].split, "50")
    qtbot.mouseClick(dialog.credits.add_button, Qt.MouseButton.LeftButton)
    choose(dialog.credit_rows()[1], "Cy Young")
    qtbot.keyClicks(dialog.credit_rows()[1].split, "40")
    qtbot.mouseClick(dialog.payments.add_button, Qt.MouseButton.LeftButton)
    qtbot.keyClicks(dialog.payment_rows()[0].amount, "200.00")
    save(qtbot, dialog)

    assert dialog.isVisible() and dialog.saved is None
    errors = dialog.errors
    assert errors.text("external_id") == "Another deal already has the id D-1."
    assert errors.text("customer") == "The deal needs a customer."
    assert errors.text("credits[0]") == ""
    assert "Cy Young has no plan assignment in force" in errors.text("credits[1].rep_id")
    assert errors.text("credits").startswith("The splits total 90%")
    # Payments above the amount are allowed (commission stops at it), and said so.
    assert errors.text("payments") == ""
    assert dialog.payments.footer.text() == (
        "Received $200.00: overpaid by $100.00. Commission is earned on the deal amount, "
        "$100.00, only."
    )
    qtbot.waitUntil(dialog.credit_rows()[1].error.isVisible)
    assert (
        deal_named(acme_with_paid_deal, "D-1") is not None
        and len(records_reps(acme_with_paid_deal)) == 3
    )
    assert deal_table.count_deals(acme_with_paid_deal, "") == 1

    # Fixing the fields clears their messages and saves.
    qtbot.keyClicks(dialog.customer, "Hooli")
    dialog.external_id.setText("D-3")
    dialog.credit_rows()[1].remove_button.click()
    dialog.credit_rows()[0].split.setText("100")
    save(qtbot, dialog)
    assert dialog.saved is not None and dialog.saved.external_id == "D-3"
    assert dialog.saved.payments == (Payment(date(2026, 3, 5), D(200)),)


def test_the_payments_say_what_was_received_of_the_amount(
    qtbot, acme_with_paid_deal: CompanyFile
) -> None:  # type: ignore[no-untyped-def]
    dialog = open_dialog(qtbot, acme_with_paid_deal, None)
    assert dialog.payments.footer.text() == ""
    qtbot.keyClicks(dialog.amount, "1000")
    qtbot.mouseClick(dialog.payments.add_button, Qt.MouseButton.LeftButton)
    qtbot.keyClicks(dialog.payment_rows()[0].amount, "400")
    assert dialog.payments.footer.text() == "Received $400.00 of $1,000.00"
    dialog.amount.setText("300")  # the amount corrected down below what was paid
    assert dialog.payments.footer.text().startswith("Received $400.00: overpaid by $100.00")


def test_text_that_is_not_a_number_is_refused_before_saving(
    qtbot, acme_with_paid_deal: CompanyFile
) -> None:  # type: ignore[no-untyped-def]
    dialog = open_dialog(qtbot, acme_with_paid_deal, None)
    qtbot.keyClicks(dialog.amount, "ten thousand")
    qtbot.keyClicks(dialog.credit_rows()[0].split, "half")
    assert dialog.credits.footer.text() == "Splits total: 0% (one not a number)"
    save(qtbot, dialog)
    assert dialog.errors.text("amount") == "The deal amount must be a number (got 'ten thousand')."
    assert dialog.errors.text("credits[0]") == (
        "Choose the rep credited.\nThe split must be a number (got 'half')."
    )
    assert dialog.saved is None


def test_editing_keeps_the_deal_and_its_rows(qtbot, acme_with_paid_deal: CompanyFile) -> None:  # type: ignore[no-untyped-def]
    deal = deal_named(acme_with_paid_deal, "D-1")
    assert deal is not None
    dialog = open_dialog(qtbot, acme_with_paid_deal, deal)
    assert dialog.windowTitle() == "Deal D-1"
    assert [r.rep.currentText() for r in dialog.credit_rows()] == ["Ana Lee", "Bo Chen"]
    assert dialog.credits.footer.text() == "Splits total: 100%"
    assert [r.amount.text() for r in dialog.payment_rows()] == ["2500.00"]
    dialog.payment_rows()[0].remove_button.click()
    dialog.customer.setText("Globex Corp")
    save(qtbot, dialog)
    stored = records.get_deal(acme_with_paid_deal, deal.id)
    assert stored.customer == "Globex Corp" and stored.payments == ()
    assert stored.credits == deal.credits and stored.id == deal.id


# The Deals view's edit actions.
@pytest.fixture
def view(qtbot, acme_with_paid_deal: CompanyFile) -> DealsView:  # type: ignore[no-untyped-def]
    v = DealsView(acme_with_paid_deal)
    qtbot.addWidget(v)
    v.resize(1100, 400)
    v.show()
    qtbot.waitExposed(v)
    return v


def select_first(view: DealsView) -> None:
    view.table.setFocus()
    view.table.selectRow(0)


def test_insert_adds_and_return_or_double_click_edits(
    qtbot, view: DealsView, acme_with_paid_deal: CompanyFile, monkeypatch
) -> None:  # type: ignore[no-untyped-def]
    calls: list[Deal | None] = []

    def fake_edit(parent, cf, deal):  # type: ignore[no-untyped-def]
        calls.append(deal)
        if deal is None:
            return records.save_deal(cf, Deal("D-9", "Umbrella", D(5), date(2026, 1, 2)))
        return None

    monkeypatch.setattr(DealDialog, "edit", staticmethod(fake_edit))
    view.table.setFocus()
    qtbot.keyClick(view.table, Qt.Key.Key_Insert)
    assert calls == [None]
    assert view.model.total == 2  # refreshed after the add
    select_first(view)
    qtbot.keyClick(view.table, Qt.Key.Key_Return)
    assert calls[-1] is not None and calls[-1].external_id == view.model.row_value(0).external_id
    rect = view.table.visualRect(view.model.index(1, 1))
    qtbot.mouseClick(view.table.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    qtbot.mouseDClick(view.table.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    assert calls[-1] is not None and calls[-1].external_id == view.model.row_value(1).external_id
    # Return in the search box searches; it does not open a deal.
    qtbot.keyClick(view.search_box, Qt.Key.Key_Return)
    assert len(calls) == 3


def test_delete_asks_first(
    qtbot, view: DealsView, acme_with_paid_deal: CompanyFile, monkeypatch
) -> None:  # type: ignore[no-untyped-def]
    answers = [False, True]
    asked: list[str] = []

    def fake_confirm(parent, title, text, details, action):  # type: ignore[no-untyped-def]
        asked.append(text)
        return answers.pop(0)

    monkeypatch.setattr(Messages, "confirm", staticmethod(fake_confirm))
    select_first(view)
    qtbot.keyClick(view.table, Qt.Key.Key_Delete)
    assert asked == ["Delete deal D-1 (Globex)?"]
    assert deal_named(acme_with_paid_deal, "D-1") is not None
    select_first(view)
    view.delete_button.click()
    assert deal_named(acme_with_paid_deal, "D-1") is None
    assert view.model.total == 0


def test_read_only_the_edits_are_off(qtbot, view: DealsView, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    opened: list[object] = []
    monkeypatch.setattr(DealDialog, "edit", staticmethod(lambda *a: opened.append(a)))
    view.set_read_only(True)
    assert not any(
        b.isEnabled()
        for b in (view.add_button, view.edit_button, view.cancel_button, view.delete_button)
    )
    select_first(view)
    qtbot.keyClick(view.table, Qt.Key.Key_Insert)
    qtbot.keyClick(view.table, Qt.Key.Key_Return)
    assert opened == []


def test_tab_walks_the_fields_then_each_row_then_save(
    qtbot, acme_with_paid_deal: CompanyFile
) -> None:  # type: ignore[no-untyped-def]
    from PySide6.QtCore import Qt as QtNs

    dialog = open_dialog(qtbot, acme_with_paid_deal, None)
    dialog.credits.add_row()  # rows added after the dialog was built
    dialog.payments.add_row()
    chain = []
    widget = dialog.external_id
    while True:
        if widget.focusPolicy() & QtNs.FocusPolicy.TabFocus:
            chain.append(widget)
        widget = widget.nextInFocusChain()
        if widget is dialog.external_id:
            break
    save = dialog.buttons.button(QDialogButtonBox.StandardButton.Save)
    credit_rows = [dialog.credits.rows[0], dialog.credits.rows[1]]
    order = [
        dialog.deal_type,
        *(r.findChildren(QLineEdit)[0] for r in credit_rows),
        dialog.credits.add_button,
        dialog.payments.rows[0].findChildren(QLineEdit)[-1],
        dialog.payments.add_button,
        save,
    ]
    positions = [chain.index(w) for w in order]
    assert positions == sorted(positions)


def test_an_impossible_date_typed_is_kept_said_and_never_saved(
    qtbot, acme_with_paid_deal: CompanyFile
) -> None:  # type: ignore[no-untyped-def]
    deal = deal_named(acme_with_paid_deal, "D-1")
    assert deal is not None
    dialog = open_dialog(qtbot, acme_with_paid_deal, deal)
    edit = dialog.close_date
    edit.setDate(to_qdate(date(2026, 2, 10)))
    edit.setFocus()
    edit.setSelectedSection(edit.Section.DaySection)
    qtbot.keyClicks(edit, "30")  # 30 February: Qt would quietly make it the 3rd
    dialog.customer.setFocus()  # leave the field
    assert edit.lineEdit().text() == "2026-02-30"
    save(qtbot, dialog)
    assert dialog.saved is None and dialog.isVisible()
    assert dialog.errors.text("") == "2026-02-30 is not a date: check the day and the month."
    assert deal_named(acme_with_paid_deal, "D-1") == deal  # nothing saved
    edit.setFocus()
    edit.setSelectedSection(edit.Section.DaySection)
    qtbot.keyClicks(edit, "27")
    assert edit.lineEdit().text() == "2026-02-27" and edit.problem() == ""
    save(qtbot, dialog)
    assert dialog.saved is not None and dialog.saved.close_date == date(2026, 2, 27)


def test_escape_asks_before_throwing_edits_away(
    qtbot, acme_with_paid_deal: CompanyFile, monkeypatch
) -> None:  # type: ignore[no-untyped-def]
    from icmdesk.ui.messages import Messages

    asked: list[str] = []
    answer = [False]

    def discard(_parent: object, what: str) -> bool:
        asked.append(what)
        return answer[0]

    monkeypatch.setattr(Messages, "discard_edits", staticmethod(discard))
    deal = deal_named(acme_with_paid_deal, "D-1")
    dialog = open_dialog(qtbot, acme_with_paid_deal, deal)
    qtbot.keyClick(dialog, Qt.Key.Key_Escape)  # nothing changed: it just closes
    assert asked == [] and not dialog.isVisible()

    dialog = open_dialog(qtbot, acme_with_paid_deal, deal)
    qtbot.keyClicks(dialog.customer, " Inc")
    qtbot.keyClick(dialog, Qt.Key.Key_Escape)
    assert asked == ["the deal"] and dialog.isVisible()  # kept, edits and all
    assert dialog.customer.text() == "Globex Inc"
    answer[0] = True
    qtbot.keyClick(dialog, Qt.Key.Key_Escape)
    assert not dialog.isVisible() and deal_named(acme_with_paid_deal, "D-1") == deal


def test_a_huge_paste_is_kept_whole_and_refused_with_its_length(
    qtbot, acme_with_paid_deal: CompanyFile
) -> None:  # type: ignore[no-untyped-def]
    deal = deal_named(acme_with_paid_deal, "D-1")
    dialog = open_dialog(qtbot, acme_with_paid_deal, deal)
    dialog.customer.setText("x" * 100_000)  # what a paste of a whole document gives
    assert len(dialog.customer.text()) == 100_000  # not cut at 32,767
    save(qtbot, dialog)
    assert dialog.saved is None
    assert dialog.errors.text("customer") == (
        "The customer is 100,000 characters long; at most 200 are kept on statements and in "
        "the file."
    )


def test_editing_a_deal_of_a_closed_month_says_where_the_change_is_paid(
    qtbot, acme_with_paid_deal: CompanyFile, tmp_path: Path
) -> None:  # type: ignore[no-untyped-def]
    from icmdesk.domain.calendar import Month
    from icmdesk.services import periods

    deal = deal_named(acme_with_paid_deal, "D-1")
    assert deal is not None
    dialog = open_dialog(qtbot, acme_with_paid_deal, deal)
    assert dialog.closed_note.isHidden()
    dialog.close()
    periods.close(acme_with_paid_deal, Month.of(deal.close_date), backup_dir=tmp_path / "b")
    dialog = open_dialog(qtbot, acme_with_paid_deal, deal)
    closed = Month.of(deal.close_date)
    assert not dialog.closed_note.isHidden()
    assert dialog.closed_note.text().startswith(
        f"{closed.first_day:%B %Y} is closed: its statements stay as they were"
    )
    assert dialog.closed_note.text().endswith(f"in {closed.plus(1).first_day:%B %Y}.")
