"""The dialog shell the record dialogs share (ui.dialogs.FormDialog), and the rules the
deal and rep editors used to restate, now asked of the domain and rep_form: the editors
show exactly what those say, so a copy of a rule in a dialog would fail here."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from decimal import Decimal

import pytest
from PySide6.QtCore import Qt, QTimer
from PySide6.QtGui import QKeySequence, QPalette, QShortcut
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QDialog, QFormLayout, QLineEdit, QWidget

from icmdesk.domain.calendar import Month
from icmdesk.domain.entities import Draw, DrawKind
from icmdesk.domain.errors import NotFoundError, Problem, ValidationError
from icmdesk.domain.money import D
from icmdesk.domain.validation import validate_split_total
from icmdesk.models.database import CompanyFile
from icmdesk.services import choices, deal_table, rep_form
from icmdesk.ui.deal_dialog import CreditRow, DealDialog
from icmdesk.ui.dialogs import FormDialog
from icmdesk.ui.forms import error_colour, number_text, parse_number, to_qdate, with_error
from icmdesk.ui.messages import Messages
from icmdesk.ui.rep_dialog import RepDialog

pytestmark = pytest.mark.gui

# Taken before tests/ui/conftest.py makes every modal dialog refuse to open.
REAL_EXEC = QDialog.exec


class Store:
    """A stand-in service: stores a name and a count, refusing what is wrong in words."""

    def __init__(self) -> None:
        self.stored: list[tuple[str, Decimal]] = []

    def save(self, name: str, count: Decimal) -> str:
        if name == "gone":
            raise NotFoundError("The record was deleted meanwhile.")
        problems = self.check(name, count)
        if problems:
            raise ValidationError(problems)
        self.stored.append((name, count))
        return name

    def check(self, name: str, _count: Decimal) -> list[Problem]:
        problems = []
        if not name:
            problems.append(Problem("name", "A name is needed."))
        if name == "taken":
            problems.append(Problem("name", "Another record is named taken."))
            problems.append(Problem("", "Nothing was saved."))
        return problems


class NameDialog(FormDialog[str]):
    """The smallest dialog on the shell: a name and a count."""

    what = "the name"

    def __init__(self, store: Store, parent: QWidget | None = None, **shell: object) -> None:
        super().__init__(parent, **shell)  # type: ignore[arg-type]
        self.setWindowTitle("Name")
        self._store = store
        self.name = QLineEdit()
        self.count = QLineEdit("1")
        form = QFormLayout()
        form.addRow("&Name:", with_error(self.name, self.errors, "name"))
        form.addRow("&Count:", with_error(self.count, self.errors, "count"))
        self.body.addLayout(form)
        self.mark_loaded()

    @classmethod
    def ask(cls, parent: QWidget | None, store: Store) -> str | None:
        return cls(store, parent).run()

    def _on_buttons_accepted(self) -> None:
        name = self.name.text().strip()
        try:
            count, unreadable = parse_number(self.count.text()), []
        except ValueError:
            count, unreadable = Decimal(0), [Problem("count", "The count must be a number.")]
        self.store(
            lambda: self._store.save(name, count),
            unreadable=unreadable,
            check=lambda: self._store.check(name, count),
        )


def shown(qtbot, dialog: QDialog) -> QDialog:  # type: ignore[no-untyped-def]
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    return dialog


def click(qtbot, button: QWidget) -> None:  # type: ignore[no-untyped-def]
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)


# --------------------------------------------------------------------------- the shell


def test_save_is_refused_while_the_service_refuses_and_the_problems_are_shown_in_words(
    qtbot,
) -> None:  # type: ignore[no-untyped-def]
    store = Store()
    dialog = shown(qtbot, NameDialog(store))
    assert dialog.errors.text("") == "" and dialog.errors.text("name") == ""

    qtbot.keyClicks(dialog.name, "taken")
    click(qtbot, dialog.accept_button)
    assert dialog.isVisible() and dialog.result() != QDialog.DialogCode.Accepted
    assert dialog.saved is None and store.stored == []
    assert dialog.errors.text("name") == "Another record is named taken."  # beside its field
    assert dialog.errors.text("") == "Nothing was saved."  # about the whole record: on top
    label = dialog.errors.label("name")
    red = label.palette().color(QPalette.ColorRole.WindowText)
    assert red == error_colour(dialog.palette())  # the palette's red, dark mode or light

    dialog.name.setText("Ana")
    click(qtbot, dialog.accept_button)
    assert dialog.result() == QDialog.DialogCode.Accepted and not dialog.isVisible()
    assert dialog.saved == "Ana" and store.stored == [("Ana", Decimal(1))]
    assert dialog.errors.text("name") == "" and dialog.errors.text("") == ""


def test_problems_that_appear_grow_the_dialog_and_never_squeeze_the_inputs(qtbot) -> None:  # type: ignore[no-untyped-def]
    dialog = shown(qtbot, NameDialog(Store()))
    full = dialog.name.sizeHint().height()
    assert dialog.name.height() == full
    dialog.name.setText("taken")
    click(qtbot, dialog.accept_button)  # two messages appear, one on top, one under the name
    qtbot.waitUntil(lambda: dialog.name.height() == full)
    assert dialog.count.height() == dialog.count.sizeHint().height()


def test_unreadable_input_is_never_written_and_is_shown_with_what_the_service_finds(
    qtbot,
) -> None:  # type: ignore[no-untyped-def]
    store = Store()
    dialog = shown(qtbot, NameDialog(store))
    dialog.count.setText("a few")
    click(qtbot, dialog.accept_button)
    assert dialog.isVisible() and store.stored == []
    assert dialog.errors.text("count") == "The count must be a number."
    assert dialog.errors.text("name") == "A name is needed."  # the service's check, too


def test_a_record_gone_meanwhile_is_said_on_top(qtbot) -> None:  # type: ignore[no-untyped-def]
    dialog = shown(qtbot, NameDialog(Store()))
    dialog.name.setText("gone")
    click(qtbot, dialog.accept_button)
    assert dialog.isVisible() and dialog.errors.text("") == "The record was deleted meanwhile."


def save_keys(dialog: QDialog) -> list[QShortcut]:
    return [
        s
        for s in dialog.findChildren(QShortcut)
        if s.key() == QKeySequence(QKeySequence.StandardKey.Save)
    ]


@pytest.mark.parametrize(
    "press",
    [
        lambda qtbot, d: qtbot.keyClick(d.name, Qt.Key.Key_Return),
        # What Ctrl+S does (offscreen, the window is never active to take the keys).
        lambda _qtbot, d: save_keys(d)[0].activated.emit(),
    ],
    ids=["Enter", "Ctrl+S"],
)
def test_enter_and_the_save_keys_save(qtbot, press: Callable[..., None]) -> None:  # type: ignore[no-untyped-def]
    dialog = shown(qtbot, NameDialog(Store()))
    qtbot.keyClicks(dialog.name, "Ana")
    press(qtbot, dialog)
    assert dialog.result() == QDialog.DialogCode.Accepted and dialog.saved == "Ana"
    assert "Save (" in dialog.accept_button.toolTip()  # the tooltip names the keys


def test_the_first_input_has_the_focus_and_tab_reaches_the_buttons_last(qtbot) -> None:  # type: ignore[no-untyped-def]
    dialog = shown(qtbot, NameDialog(Store()))
    assert dialog.focusWidget() is dialog.name  # not Save, though the shell made it first
    order, widget = [], dialog.name
    while True:
        if widget.focusPolicy() & Qt.FocusPolicy.TabFocus:
            order.append(widget)
        widget = widget.nextInFocusChain()
        if widget is dialog.name:
            break
    assert order[:2] == [dialog.name, dialog.count]
    buttons = order[2:]
    assert set(buttons) == {dialog.accept_button, dialog.reject_button}
    assert buttons == sorted(buttons, key=lambda b: b.x())  # left to right, as they stand


def run_pressing(qtbot, monkeypatch, keys: Callable[[QDialog], None], entry: Callable[[], object]):  # type: ignore[no-untyped-def]
    """Call a dialog's entry with the real modal `exec`, `keys` typed into the dialog once
    it is open; the entry's answer."""
    monkeypatch.setattr(NameDialog, "exec", REAL_EXEC)
    stuck: list[QDialog] = []

    def type_keys() -> None:
        dialog = QApplication.activeModalWidget()
        assert isinstance(dialog, NameDialog)
        keys(dialog)

    def unstick() -> None:  # never wait forever for a dialog the keys did not close
        dialog = QApplication.activeModalWidget()
        if isinstance(dialog, NameDialog):
            stuck.append(dialog)
            dialog.done(QDialog.DialogCode.Rejected)

    QTimer.singleShot(100, type_keys)
    QTimer.singleShot(5000, unstick)
    answer = entry()
    assert not stuck, "the dialog stayed open"
    return answer


def test_escape_cancels_and_the_entry_answers_none(qtbot, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    store = Store()
    answer = run_pressing(
        qtbot,
        monkeypatch,
        lambda d: QTest.keyClick(d, Qt.Key.Key_Escape),
        lambda: NameDialog.ask(None, store),
    )
    assert answer is None and store.stored == []


def test_the_entry_answers_what_was_stored(qtbot, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    def type_and_save(d: QDialog) -> None:
        assert isinstance(d, NameDialog)
        QTest.keyClicks(d.name, "Bo")
        QTest.keyClick(d.name, Qt.Key.Key_Return)

    store = Store()
    answer = run_pressing(qtbot, monkeypatch, type_and_save, lambda: NameDialog.ask(None, store))
    assert answer == "Bo" and store.stored == [("Bo", Decimal(1))]


def test_escape_asks_before_dropping_what_was_typed(qtbot, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    asked: list[str] = []
    answers = [False, True]
    monkeypatch.setattr(
        Messages,
        "discard_edits",
        staticmethod(lambda _p, what: asked.append(what) or answers.pop(0)),
    )
    dialog = shown(qtbot, NameDialog(Store()))
    qtbot.keyClick(dialog, Qt.Key.Key_Escape)  # nothing typed: no question
    assert asked == [] and dialog.result() == QDialog.DialogCode.Rejected

    dialog = shown(qtbot, NameDialog(Store()))
    qtbot.keyClicks(dialog.name, "Ana")
    qtbot.keyClick(dialog, Qt.Key.Key_Escape)
    assert asked == ["the name"] and dialog.isVisible()  # kept
    qtbot.keyClick(dialog, Qt.Key.Key_Escape)
    assert not dialog.isVisible() and dialog.saved is None


def test_a_dialog_whose_accepting_is_deliberate_keeps_enter_for_stepping_back(qtbot) -> None:  # type: ignore[no-untyped-def]
    dialog = shown(
        qtbot,
        NameDialog(Store(), accept_text="&Delete it", reject_text="&Keep it", enter_accepts=False),
    )
    assert dialog.accept_button.text() == "&Delete it" and dialog.reject_button.text() == "&Keep it"
    assert dialog.reject_button.isDefault() and not dialog.accept_button.isDefault()
    assert save_keys(dialog) == []  # Ctrl+S is Save's, and there is no Save here
    qtbot.keyClicks(dialog.name, "Ana")
    qtbot.keyClick(dialog.name, Qt.Key.Key_Return)
    assert dialog.result() == QDialog.DialogCode.Rejected and dialog.saved is None


# --------------------------------------------------------------------------- the splits' total


def choose(row: CreditRow, name: str) -> None:
    row.rep.setCurrentIndex(row.rep.findText(name))


def test_the_deal_editor_says_of_the_splits_what_saving_would(
    qtbot, acme_split_deal: CompanyFile
) -> None:  # type: ignore[no-untyped-def]
    dialog = shown(qtbot, DealDialog(acme_split_deal, None))
    assert isinstance(dialog, DealDialog)
    qtbot.keyClicks(dialog.external_id, "D-2")
    qtbot.keyClicks(dialog.customer, "Initech")
    qtbot.keyClicks(dialog.amount, "1000")
    dialog.close_date.setDate(to_qdate(date(2026, 3, 5)))
    choose(dialog.credit_rows()[0], "Ana Lee")
    qtbot.keyClicks(dialog.credit_rows()[0].split, "60")
    click(qtbot, dialog.credits.add_button)
    choose(dialog.credit_rows()[1], "Bo Chen")
    qtbot.keyClicks(dialog.credit_rows()[1].split, "30")

    (rule,) = validate_split_total([D(60), D(30)])
    assert dialog.credits.footer.text() == rule.message  # the validation's own words
    click(qtbot, dialog.accept_button)
    assert dialog.isVisible() and dialog.saved is None
    assert dialog.errors.text("credits") == rule.message  # saving says the same
    assert dialog.credits.footer.text() == "Splits total: 90%"  # and says it once
    assert not deal_table.deal_page(acme_split_deal, search="D-2")  # nothing stored

    # A split not above 0% is the problem: the total waits, as the validation's does.
    dialog.credit_rows()[1].split.setText("-30")
    assert validate_split_total([D(60), D(-30)]) == []
    assert dialog.credits.footer.text() == "Splits total: 30%"

    dialog.credit_rows()[1].split.setText("60")  # an overlay: more than 100% is fine
    assert validate_split_total([D(60), D(60)]) == []
    assert dialog.credits.footer.text() == "Splits total: 120%"
    click(qtbot, dialog.accept_button)
    assert dialog.result() == QDialog.DialogCode.Accepted
    assert dialog.saved is not None
    assert [c.split_pct for c in dialog.saved.credits] == [D(60), D(60)]


# --------------------------------------------------------------------------- the draw's defaults


def new_rep_with_a_draw(qtbot, cf: CompanyFile, max_recovery: str | None) -> RepDialog:  # type: ignore[no-untyped-def]
    """A new rep on the flat plan from 2026-01-05 with a $500 draw from January; the
    maximum recovery typed over the default (None: left as offered)."""
    dialog = shown(qtbot, RepDialog(cf, None))
    assert isinstance(dialog, RepDialog)
    qtbot.keyClicks(dialog.name, "Cy Young")
    dialog.hire_date.setDate(to_qdate(date(2026, 1, 5)))
    click(qtbot, dialog.assignments.add_button)
    (row,) = dialog.assignment_rows()
    row.plan.setCurrentText("Flat 10%")
    qtbot.keyClicks(row.draw_amount, "500")
    row.draw_start.setDate(to_qdate(date(2026, 1, 1)))
    if max_recovery is not None:
        row.max_recovery.setText(max_recovery)
    return dialog


def stored_draw(cf: CompanyFile) -> Draw | None:
    rep = next(r for r in choices.reps(cf) if r.name == "Cy Young")
    (assignment,) = choices.assignments_of(cf, rep.id)
    return assignment.draw


def test_a_new_draw_offers_rep_forms_defaults(qtbot, acme_split_deal: CompanyFile) -> None:  # type: ignore[no-untyped-def]
    dialog = new_rep_with_a_draw(qtbot, acme_split_deal, None)
    (row,) = dialog.assignment_rows()
    assert row.max_recovery.text() == number_text(rep_form.DEFAULT_MAX_RECOVERY_PCT)
    assert row.draw_kind.currentData() == rep_form.DEFAULT_DRAW_KIND.value
    click(qtbot, dialog.accept_button)
    assert dialog.result() == QDialog.DialogCode.Accepted
    assert stored_draw(acme_split_deal) == Draw(D(500), DrawKind.RECOVERABLE, Month(2026, 1))


def test_a_blank_maximum_recovery_is_rep_forms_default(qtbot, acme_split_deal: CompanyFile) -> None:  # type: ignore[no-untyped-def]
    dialog = new_rep_with_a_draw(qtbot, acme_split_deal, "")
    click(qtbot, dialog.accept_button)
    assert dialog.result() == QDialog.DialogCode.Accepted
    assert stored_draw(acme_split_deal) == rep_form.draw_as_typed(
        D(500), DrawKind.RECOVERABLE, Month(2026, 1), None, None
    )


def test_the_rep_form_keeps_no_draw_default_of_its_own(
    qtbot, acme_split_deal: CompanyFile, monkeypatch: pytest.MonkeyPatch
) -> None:  # type: ignore[no-untyped-def]
    """Were the default another, the form would offer and apply that one."""
    monkeypatch.setattr(rep_form, "DEFAULT_MAX_RECOVERY_PCT", D(80))
    monkeypatch.setattr(rep_form, "DEFAULT_DRAW_KIND", DrawKind.NON_RECOVERABLE)
    dialog = new_rep_with_a_draw(qtbot, acme_split_deal, None)
    (row,) = dialog.assignment_rows()
    assert (row.max_recovery.text(), row.draw_kind.currentText()) == ("80", "non-recoverable")
    row.max_recovery.setText("")
    click(qtbot, dialog.accept_button)
    assert dialog.result() == QDialog.DialogCode.Accepted
    draw = stored_draw(acme_split_deal)
    assert draw is not None and (draw.max_recovery_pct, draw.kind) == (
        D(80),
        DrawKind.NON_RECOVERABLE,
    )


def test_the_record_dialogs_stand_on_the_shell() -> None:
    from icmdesk.ui.adjustments import AdjustmentDialog
    from icmdesk.ui.cancel_dialog import CancelDialog
    from icmdesk.ui.restore_dialog import RestoreDialog
    from icmdesk.ui.roles_view import RoleDialog

    for cls in (DealDialog, RepDialog, RoleDialog, AdjustmentDialog, CancelDialog, RestoreDialog):
        assert issubclass(cls, FormDialog), cls
