"""Settings ▸ Payouts: the pay date, the payroll provider, its codes and the journal
accounts, saved with the rest of the settings; problems shown beside their fields."""

from __future__ import annotations

from datetime import date

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QKeySequence, QShortcut
from pytestqt.qtbot import QtBot

from icmdesk.domain.calendar import Month
from icmdesk.domain.entities import PayoutSettings, PayrollProvider
from icmdesk.models.database import CompanyFile
from icmdesk.services import records
from icmdesk.ui.settings_view import SettingsView, pay_date_sentence

pytestmark = pytest.mark.gui

LEFT = Qt.MouseButton.LeftButton


def open_view(qtbot: QtBot, acme: CompanyFile) -> SettingsView:
    view = SettingsView(acme)
    qtbot.addWidget(view)
    view.show()
    return view


def type_into(qtbot: QtBot, edit, text: str) -> None:  # type: ignore[no-untyped-def]
    edit.selectAll()
    qtbot.keyClicks(edit, text)


def test_the_group_shows_the_stored_payout_settings(qtbot: QtBot, acme: CompanyFile) -> None:
    view = open_view(qtbot, acme)
    assert view._payouts.title() == "Payouts"
    assert view.payout_settings() == PayoutSettings()
    assert view._pay_day.value() == 15
    assert view._provider.currentText() == "Payroll CSV (every part of the pay)"
    assert view._texts["expense_account"].text() == "Commission Expense"
    assert not view.has_unsaved_edits()


def test_payout_settings_are_saved_and_read_back(qtbot: QtBot, acme: CompanyFile) -> None:
    view = open_view(qtbot, acme)
    view._pay_day.setValue(25)
    view._months_after.setValue(0)
    view._provider.setCurrentIndex(view._provider.findData(PayrollProvider.ADP))
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
        type_into(qtbot, view._texts[name], text)
    assert view.has_unsaved_edits()
    assert view._status.text() == "Unsaved changes"
    qtbot.mouseClick(view._save, LEFT)

    expected = PayoutSettings(pay_day=25, pay_months_after=0, provider=PayrollProvider.ADP, **typed)
    assert records.get_company(acme).payouts == expected
    assert view._status.text() == "Saved."
    assert not view.has_unsaved_edits()
    again = open_view(qtbot, acme)
    assert again.payout_settings() == expected
    assert again._provider.currentText() == "ADP earnings import"
    assert again._texts["adp_company_code"].text() == "3AB"


def test_ctrl_s_saves_the_payout_settings(qtbot: QtBot, acme: CompanyFile) -> None:
    view = open_view(qtbot, acme)
    view._provider.setCurrentIndex(view._provider.findData(PayrollProvider.GUSTO))
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
    type_into(qtbot, view._pay_day.lineEdit(), "40")
    assert view._pay_day.value() == 40  # kept as typed, never silently changed
    type_into(qtbot, view._texts["bonus_code"], "BONUS")
    qtbot.mouseClick(view._save, LEFT)

    assert view.problem_text("payouts.pay_day") == "The pay day is a day of the month, 1 to 31."
    assert view.problem_text("payouts.codes") == "The bonus earnings code is at most 3 characters."
    assert view.problem_text("name") == ""
    assert records.get_company(acme).payouts == PayoutSettings()  # nothing saved
    assert view.has_unsaved_edits()


def test_a_blank_account_is_refused(qtbot: QtBot, acme: CompanyFile) -> None:
    view = open_view(qtbot, acme)
    view._texts["payable_account"].clear()
    qtbot.mouseClick(view._save, LEFT)
    assert "cannot be blank" in view.problem_text("payouts.payable_account")


def test_the_sentence_says_when_an_example_month_is_paid(qtbot: QtBot, acme: CompanyFile) -> None:
    view = open_view(qtbot, acme)
    view._pay_day.setValue(31)
    view._months_after.setValue(1)
    last = Month.of(date.today()).plus(-1)
    assert view._pay_date_note.text() == pay_date_sentence(31, 1, last)
    assert view._pay_date_note.text().startswith(f"{last.first_day:%B %Y}'s payouts are paid on")
    assert view._months_after_label.text() == "month later"

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
    type_into(qtbot, view._texts["xero_tax_rate"], "Zero Rated")
    assert view.has_unsaved_edits()
    qtbot.mouseClick(view._revert, LEFT)
    assert view._texts["xero_tax_rate"].text() == "Tax Exempt"
    assert not view.has_unsaved_edits()


def test_read_only_file_cannot_edit_payouts(qtbot: QtBot, acme: CompanyFile) -> None:
    view = open_view(qtbot, acme)
    view.set_read_only(True)
    assert not view._pay_day.isEnabled()
    assert not view._provider.isEnabled()
    assert view._texts["expense_account"].isReadOnly()


def test_questions_contact_and_days_are_saved_and_printed(qtbot: QtBot, acme: CompanyFile) -> None:
    """Issue 15: whom a rep asks about a statement, and within how many days of the pay
    date, are set here and printed on the statements."""
    from icmdesk.reports.wording import questions
    from tests.reports import factories as f

    view = open_view(qtbot, acme)
    assert view._texts["questions_contact"].text() == ""
    type_into(qtbot, view._texts["questions_contact"], "payroll@acme.example")
    view._questions_days.setValue(10)
    assert view.has_unsaved_edits()
    qtbot.mouseClick(view._save, LEFT)
    payouts = records.get_company(acme).payouts
    assert payouts.questions_contact == "payroll@acme.example"
    assert payouts.questions_days == 10
    assert open_view(qtbot, acme)._questions_days.value() == 10
    # March is paid on April 15: questions are due 10 days later.
    assert questions(f.statement(1), payouts) == (
        "Questions or disputes about this statement: write to payroll@acme.example by "
        "April 25, 2026."
    )
