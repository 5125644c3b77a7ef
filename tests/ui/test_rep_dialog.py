"""The rep editor: fields, role and manager by name, assignments with quota and draw;
problems beside their fields; wired into the Reps view."""

from __future__ import annotations

from datetime import date

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialogButtonBox

from icmdesk.domain.calendar import Month
from icmdesk.domain.entities import (
    Assignment,
    Draw,
    DrawKind,
    Plan,
    PlanVersion,
    Rep,
    Role,
    Tier,
)
from icmdesk.domain.money import D
from icmdesk.models.database import CompanyFile
from icmdesk.services import choices, records
from icmdesk.ui.forms import to_qdate
from icmdesk.ui.messages import Messages
from icmdesk.ui.rep_dialog import RepDialog
from icmdesk.ui.reps_view import RepsView

pytestmark = pytest.mark.gui


@pytest.fixture
def acme_with_plans_and_manager(acme: CompanyFile) -> CompanyFile:
    records.save_plan(acme, Plan("Flat 5%", (PlanVersion(date(2026, 1, 1), (Tier(D(0), D(5)),)),)))
    records.save_plan(
        acme,
        Plan("Tiered", (PlanVersion(date(2026, 1, 1), (Tier(D(0), D(5)), Tier(D(100), D(8)))),)),
    )
    records.save_role(acme, Role("Account Executive"))
    boss = records.save_rep(acme, Rep("Maya Okafor", date(2025, 1, 1), payroll_id="P-1"))
    ana = records.save_rep(acme, Rep("Ana Lee", date(2026, 1, 5), manager_id=boss.id))
    records.save_assignment(
        acme,
        Assignment(
            ana.id,
            choices.plans(acme)[0].id,
            date(2026, 1, 5),
            draw=Draw(D(500), DrawKind.RECOVERABLE, Month(2026, 1), Month(2026, 6)),
        ),
    )
    return acme


def open_dialog(qtbot, cf: CompanyFile, rep: Rep | None) -> RepDialog:  # type: ignore[no-untyped-def]
    dialog = RepDialog(cf, rep)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    return dialog


def save(qtbot, dialog: RepDialog) -> None:  # type: ignore[no-untyped-def]
    button = dialog.buttons.button(QDialogButtonBox.StandardButton.Save)
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)


def rep_named(cf: CompanyFile, name: str) -> Rep:
    return records.get_rep(cf, next(r.id for r in choices.reps(cf) if r.name == name))


def test_a_new_rep_with_role_manager_and_a_tiered_plan_with_a_quota(
    qtbot, acme_with_plans_and_manager: CompanyFile
) -> None:  # type: ignore[no-untyped-def]
    dialog = open_dialog(qtbot, acme_with_plans_and_manager, None)
    qtbot.keyClicks(dialog.name, "Bo Chen")
    qtbot.keyClicks(dialog.email, "bo@acme.test")
    qtbot.keyClicks(dialog.payroll_id, "P-2")
    dialog.role.setCurrentText("Account Executive")
    dialog.manager.setCurrentText("Maya Okafor")
    dialog.hire_date.setDate(to_qdate(date(2026, 3, 1)))
    qtbot.mouseClick(dialog.assignments.add_button, Qt.MouseButton.LeftButton)
    row = dialog.assignment_rows()[0]
    assert row.start.date() == to_qdate(date(2026, 3, 1))  # from the hire date
    row.plan.setCurrentText("Tiered")
    qtbot.keyClicks(row.quota, "50,000")
    qtbot.keyClicks(row.draw_amount, "1000")
    row.draw_kind.setCurrentText("non-recoverable")
    row.draw_start.setDate(to_qdate(date(2026, 3, 1)))
    row.draw_end.check.setChecked(True)
    row.draw_end.edit.setDate(to_qdate(date(2026, 5, 1)))
    save(qtbot, dialog)

    assert dialog.result() == RepDialog.DialogCode.Accepted
    bo = rep_named(acme_with_plans_and_manager, "Bo Chen")
    assert dialog.saved == bo
    assert (bo.email, bo.payroll_id, bo.hire_date) == ("bo@acme.test", "P-2", date(2026, 3, 1))
    assert bo.manager_id == rep_named(acme_with_plans_and_manager, "Maya Okafor").id
    assert bo.role_id == choices.roles(acme_with_plans_and_manager)[0].id
    (a,) = choices.assignments_of(acme_with_plans_and_manager, bo.id)
    assert (a.effective_from, a.effective_to, a.quota_override) == (
        date(2026, 3, 1),
        None,
        D(50000),
    )
    assert a.draw == Draw(D(1000), DrawKind.NON_RECOVERABLE, Month(2026, 3), Month(2026, 5))


def test_editing_shows_the_assignments_and_keeps_them(
    qtbot, acme_with_plans_and_manager: CompanyFile
) -> None:  # type: ignore[no-untyped-def]
    ana = rep_named(acme_with_plans_and_manager, "Ana Lee")
    before = choices.assignments_of(acme_with_plans_and_manager, ana.id)
    dialog = open_dialog(qtbot, acme_with_plans_and_manager, ana)
    assert dialog.manager.currentText() == "Maya Okafor"
    assert dialog.manager.findText("Ana Lee") < 0  # not her own manager
    (row,) = dialog.assignment_rows()
    assert (row.plan.currentText(), row.draw_amount.text(), row.max_recovery.text()) == (
        "Flat 5%",
        "500.00",
        "100",
    )
    dialog.email.setText("ana@acme.test")
    save(qtbot, dialog)
    assert rep_named(acme_with_plans_and_manager, "Ana Lee").email == "ana@acme.test"
    assert choices.assignments_of(acme_with_plans_and_manager, ana.id) == before


def test_the_form_says_which_assignment_each_draw_comes_from(
    qtbot, acme_with_plans_and_manager: CompanyFile
) -> None:  # type: ignore[no-untyped-def]
    ana = rep_named(acme_with_plans_and_manager, "Ana Lee")
    dialog = open_dialog(qtbot, acme_with_plans_and_manager, ana)
    assert dialog.draws_note.text() == (
        "Draw of $500.00 a month (recoverable), 2026-01 to 2026-06: from the assignment to "
        "Flat 5% (from 2026-01-05)."
    )
    # Ana moves to the tiered plan in April: the draw runs on through June.
    (row,) = dialog.assignment_rows()
    row.end.check.setChecked(True)
    row.end.edit.setDate(to_qdate(date(2026, 3, 31)))
    qtbot.mouseClick(dialog.assignments.add_button, Qt.MouseButton.LeftButton)
    new = dialog.assignment_rows()[1]
    new.plan.setCurrentIndex(new.plan.findText("Tiered"))
    new.start.setDate(to_qdate(date(2026, 4, 1)))
    new.quota.setText("100000")
    assert dialog.draws_note.text() == (
        "Draw of $500.00 a month (recoverable), 2026-01 to 2026-06: from the assignment to "
        "Flat 5% (from 2026-01-05 to 2026-03-31); it runs on after that assignment ends, "
        "paid in its months while the rep is employed."
    )
    save(qtbot, dialog)
    assert dialog.result() == dialog.DialogCode.Accepted
    assert [
        a.draw is not None for a in choices.assignments_of(acme_with_plans_and_manager, ana.id)
    ] == [True, False]


def test_every_problem_shows_beside_its_field_and_nothing_is_saved(
    qtbot, acme_with_plans_and_manager: CompanyFile
) -> None:  # type: ignore[no-untyped-def]
    ana = rep_named(acme_with_plans_and_manager, "Ana Lee")
    dialog = open_dialog(qtbot, acme_with_plans_and_manager, ana)
    dialog.name.clear()
    dialog.email.setText("ana at acme")
    dialog.payroll_id.setText("P-1")
    dialog.termination.check.setChecked(True)
    dialog.termination.edit.setDate(to_qdate(date(2025, 12, 31)))
    qtbot.mouseClick(dialog.assignments.add_button, Qt.MouseButton.LeftButton)
    new = dialog.assignment_rows()[1]
    new.plan.setCurrentText("Tiered")
    new.start.setDate(to_qdate(date(2026, 4, 1)))
    save(qtbot, dialog)

    e = dialog.errors
    assert e.text("name") == "The rep needs a name."
    assert "does not look like an email address" in e.text("email")
    assert e.text("payroll_id") == "Payroll id P-1 is already used by Maya Okafor."
    assert "before the hire date" in e.text("termination_date")
    row_text = e.text("assignments[1]")
    assert "overlaps" in row_text and "has no quota" in row_text
    assert "overlaps" in e.text("assignments[0]")  # each of the two rows is told
    assert dialog.saved is None
    assert rep_named(acme_with_plans_and_manager, "Ana Lee") == ana
    assert len(choices.assignments_of(acme_with_plans_and_manager, ana.id)) == 1


def test_a_draw_amount_that_is_not_a_number(
    qtbot, acme_with_plans_and_manager: CompanyFile
) -> None:  # type: ignore[no-untyped-def]
    dialog = open_dialog(
        qtbot, acme_with_plans_and_manager, rep_named(acme_with_plans_and_manager, "Ana Lee")
    )
    dialog.assignment_rows()[0].draw_amount.setText("lots")
    save(qtbot, dialog)
    assert dialog.errors.text("assignments[0].draw.amount") == (
        "The draw must be a number (got 'lots')."
    )


def test_unreadable_numbers_are_reported_with_every_other_problem(
    qtbot, acme_with_plans_and_manager: CompanyFile
) -> None:  # type: ignore[no-untyped-def]
    ana = rep_named(acme_with_plans_and_manager, "Ana Lee")
    dialog = open_dialog(qtbot, acme_with_plans_and_manager, ana)
    dialog.name.setText("")
    dialog.assignment_rows()[0].draw_amount.setText("lots")
    save(qtbot, dialog)
    assert dialog.errors.text("assignments[0].draw.amount") == (
        "The draw must be a number (got 'lots')."
    )
    assert dialog.errors.text("name")  # the blank name is reported in the same round
    assert dialog.saved is None
    assert rep_named(acme_with_plans_and_manager, "Ana Lee") == ana


# The Reps view's edit actions.
def test_reps_view_adds_edits_and_deletes(
    qtbot, acme_with_plans_and_manager: CompanyFile, monkeypatch
) -> None:  # type: ignore[no-untyped-def]
    edited: list[str | None] = []

    def fake_edit(parent, cf, rep):  # type: ignore[no-untyped-def]
        edited.append(rep.name if rep else None)
        return records.save_rep(cf, Rep("Cy Young", date(2026, 1, 1))) if rep is None else None

    monkeypatch.setattr(RepDialog, "edit", staticmethod(fake_edit))
    answers = [True]
    monkeypatch.setattr(Messages, "confirm", staticmethod(lambda *a: answers.pop(0)))
    errors: list[str] = []
    monkeypatch.setattr(Messages, "error", staticmethod(lambda p, title, e: errors.append(title)))
    view = RepsView(acme_with_plans_and_manager, today=lambda: date(2026, 7, 1))
    qtbot.addWidget(view)
    view.show()
    qtbot.waitExposed(view)
    view.table.setFocus()
    qtbot.keyClick(view.table, Qt.Key.Key_Insert)
    assert edited == [None]
    names = [view.table.model().index(r, 0).data() for r in range(3)]
    assert names == ["Ana Lee", "Cy Young", "Maya Okafor"]
    view.table.selectRow(2)
    qtbot.keyClick(view.table, Qt.Key.Key_Return)
    assert edited[-1] == "Maya Okafor"
    view.table.selectRow(1)
    qtbot.keyClick(view.table, Qt.Key.Key_Delete)
    assert [r.name for r in choices.reps(acme_with_plans_and_manager)] == ["Ana Lee", "Maya Okafor"]
    assert errors == []


def test_a_roles_default_plan_is_filled_in_for_a_new_rep(
    qtbot, acme_with_plans_and_manager: CompanyFile
) -> None:  # type: ignore[no-untyped-def]
    role = records.save_role(
        acme_with_plans_and_manager, Role("SDR", choices.plans(acme_with_plans_and_manager)[1].id)
    )  # Tiered
    dialog = open_dialog(qtbot, acme_with_plans_and_manager, None)
    assert dialog.assignment_rows() == []
    dialog.hire_date.setDate(to_qdate(date(2024, 3, 4)))
    dialog.role.setCurrentIndex(dialog.role.findData(role.id))
    (row,) = dialog.assignment_rows()
    assert row.plan.currentText() == "Tiered"
    assert row.start.date() == to_qdate(date(2024, 3, 4))
    dialog.hire_date.setDate(to_qdate(date(2024, 4, 1)))  # a correction follows through
    assert row.start.date() == to_qdate(date(2024, 4, 1))
