"""Settings ▸ Payouts: the pay date, the payroll provider, its codes and the journal
accounts, saved with the rest of the settings; problems shown beside their fields."""

from __future__ import annotations

from datetime import date

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import QComboBox, QGroupBox, QLineEdit, QSpinBox
from pytestqt.qtbot import QtBot

from icmdesk.domain.calendar import Month
from icmdesk.domain.entities import PayoutSettings, PayrollProvider
from icmdesk.models.database import CompanyFile
from icmdesk.services import records
from icmdesk.ui.settings_view import SettingsView, pay_date_sentence
from tests.ui.on_screen import button, choose, field, row_texts

pytestmark = pytest.mark.gui

LEFT = Qt.MouseButton.LeftButton

# The payout settings typed as text, by the label that names each field.
LABELS = {
    "adp_company_code": "ADP company code",
    "adp_batch_id": "batch ID",
    "commission_code": "Commission",
    "bonus_code": "Bonus",
    "draw_code": "Draw",
    "expense_account": "Commission expense",
    "payable_account": "Commissions payable",
    "draw_account": "Draws",
    "xero_tax_rate": "Xero tax rate",
    "questions_contact": "Questions to",
}


def open_view(qtbot: QtBot, acme: CompanyFile) -> SettingsView:
    view = SettingsView(acme)
    qtbot.addWidget(view)
    view.show()
    return view


def type_into(qtbot: QtBot, edit, text: str) -> None:  # type: ignore[no-untyped-def]
    edit.selectAll()
    qtbot.keyClicks(edit, text)


def text_field(view: SettingsView, name: str) -> QLineEdit:
    """The text field of the payout setting `name`, found by its label."""
    return field(view, LABELS[name], QLineEdit)


def pay_day(view: SettingsView) -> QSpinBox:
    return field(view, "Pay day", QSpinBox)


def months_after(view: SettingsView) -> QSpinBox:
    return field(view, "Paid in", QSpinBox)


def provider(view: SettingsView) -> QComboBox:
    return field(view, "Payroll provider", QComboBox)


def save(qtbot: QtBot, view: SettingsView) -> None:
    qtbot.mouseClick(button(view, "Save"), LEFT)


def test_the_group_shows_the_stored_payout_settings(qtbot: QtBot, acme: CompanyFile) -> None:
    view = open_view(qtbot, acme)
    (group,) = view.findChildren(QGroupBox)
    assert group.title() == "Payouts"
    assert view.payout_settings() == PayoutSettings()
    assert field(group, "Pay day", QSpinBox).value() == 15
    assert field(group, "Payroll provider", QComboBox).currentText() == (
        "Payroll CSV (every part of the pay)"
    )
    assert field(group, "Commission expense", QLineEdit).text() == "Commission Expense"
    assert not view.has_unsaved_edits()


def test_payout_settings_are_saved_and_read_back(qtbot: QtBot, acme: CompanyFile) -> None:
    view = open_view(qtbot, acme)
    pay_day(view).setValue(25)
    months_after(view).setValue(0)
    choose(provider(view), "ADP earnings import")
    typed = {
        "adp_company_code": "3AB",
        "adp_batch_id": "NOV",
        "commission_code": "CM",
        "bonus_code": "BN",
        "draw_code": "DR",
        "expense_account": "6100",
        "payable_account": "2150",
        "draw_account": "1450",
        "xero_tax_rate": "No VAT",
    }
    for name, text in typed.items():
        type_into(qtbot, text_field(view, name), text)
    assert view.has_unsaved_edits()
    assert view.status == "Unsaved changes"
    save(qtbot, view)

    expected = PayoutSettings(pay_day=25, pay_months_after=0, provider=PayrollProvider.ADP, **typed)
    assert records.get_company(acme).payouts == expected
    assert view.status == "Saved."
    assert not view.has_unsaved_edits()
    again = open_view(qtbot, acme)
    assert again.payout_settings() == expected
    assert provider(again).currentText() == "ADP earnings import"
    assert {name: text_field(again, name).text() for name in typed} == typed


def test_ctrl_s_saves_the_payout_settings(qtbot: QtBot, acme: CompanyFile) -> None:
    view = open_view(qtbot, acme)
    choose(provider(view), "Gusto payroll upload")
    (shortcut,) = [
        s
        for s in view.findChildren(QShortcut)
        if s.key() == QKeySequence(QKeySequence.StandardKey.Save)
    ]
    with qtbot.waitSignal(view.saved):
        shortcut.activated.emit()  # what Ctrl+S does (offscreen, the window is never active)
    assert records.get_company(acme).payouts.provider is PayrollProvider.GUSTO


def test_a_pay_day_of_40_is_refused_beside_the_field(qtbot: QtBot, acme: CompanyFile) -> None:
    view = open_view(qtbot, acme)
    type_into(qtbot, pay_day(view).lineEdit(), "40")
    assert pay_day(view).value() == 40  # kept as typed, never silently changed
    type_into(qtbot, text_field(view, "bonus_code"), "BONUS")
    save(qtbot, view)

    assert view.problem_text("payouts.pay_day") == "The pay day is a day of the month, 1 to 31."
    assert view.problem_text("payouts.codes") == "The bonus earnings code is at most 3 characters."
    assert view.problem_text("name") == ""
    assert records.get_company(acme).payouts == PayoutSettings()  # nothing saved
    assert view.has_unsaved_edits()


def test_a_blank_account_is_refused(qtbot: QtBot, acme: CompanyFile) -> None:
    view = open_view(qtbot, acme)
    text_field(view, "payable_account").clear()
    save(qtbot, view)
    assert "cannot be blank" in view.problem_text("payouts.payable_account")


def test_the_sentence_says_when_an_example_month_is_paid(qtbot: QtBot, acme: CompanyFile) -> None:
    view = open_view(qtbot, acme)
    pay_day(view).setValue(31)
    months_after(view).setValue(1)
    last = Month.of(date.today()).plus(-1)
    beside, note = row_texts(view, "Paid in")
    assert beside == "month later"
    assert note == pay_date_sentence(31, 1, last)
    assert note.startswith(f"{last.first_day:%B %Y}'s payouts are paid on")

    assert (
        pay_date_sentence(31, 1, Month(2026, 1))
        == "January 2026's payouts are paid on Saturday, February 28, 2026 (the month's last "
        "day: it has no day 31)."
    )
    assert (
        pay_date_sentence(15, 0, Month(2026, 11))
        == "November 2026's payouts are paid on Sunday, November 15, 2026."
    )
    assert pay_date_sentence(40, 1, Month(2026, 11)).startswith("No month has a day 40")


def test_revert_restores_the_stored_payout_settings(qtbot: QtBot, acme: CompanyFile) -> None:
    view = open_view(qtbot, acme)
    type_into(qtbot, text_field(view, "xero_tax_rate"), "Zero Rated")
    assert view.has_unsaved_edits()
    qtbot.mouseClick(button(view, "Revert"), LEFT)
    assert text_field(view, "xero_tax_rate").text() == "Tax Exempt"
    assert not view.has_unsaved_edits()


def test_read_only_file_cannot_edit_payouts(qtbot: QtBot, acme: CompanyFile) -> None:
    view = open_view(qtbot, acme)
    view.set_read_only(True)
    assert not pay_day(view).isEnabled()
    assert not provider(view).isEnabled()
    assert text_field(view, "expense_account").isReadOnly()


def test_questions_contact_and_days_are_saved_and_printed(qtbot: QtBot, acme: CompanyFile) -> None:
    """Issue 15: whom a rep asks about a statement, and within how many days of the pay
    date, are set here and printed on the statements."""
    from icmdesk.reports.wording import questions
    from tests.reports import factories as f

    view = open_view(qtbot, acme)
    assert text_field(view, "questions_contact").text() == ""
    type_into(qtbot, text_field(view, "questions_contact"), "payroll@acme.example")
    field(view, "within", QSpinBox).setValue(10)
    assert view.has_unsaved_edits()
    save(qtbot, view)
    payouts = records.get_company(acme).payouts
    assert payouts.questions_contact == "payroll@acme.example"
    assert payouts.questions_days == 10
    assert field(open_view(qtbot, acme), "within", QSpinBox).value() == 10
    # March is paid on April 15: questions are due 10 days later.
    assert questions(f.statement(1), payouts) == (
        "Questions or disputes about this statement: write to payroll@acme.example by "
        "April 25, 2026."
    )
