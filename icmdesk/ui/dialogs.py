"""The shell the record dialogs share: a form-wide error label at the top, the inputs, a
button box at the bottom; the classmethod entry that shows the dialog and hands back what
it stored (or None); and saving that closes the dialog only once the service stored it.
`RecordEditor` is that shell for adding or editing one record of the company (the dialog
of a list view): its entry is `edit(parent, company_file, record)`.

A dialog built on `FormDialog[T]` (T: what its entry returns, the stored record):
- lays its inputs out in `self.body`, with a label per field from `self.errors`
  (`forms.with_error`, `FieldErrors.add`); a problem about a field it does not show
  falls back to the label at the top;
- answers Save in `_on_buttons_accepted`, reading the inputs and calling
  `self.store(write, unreadable=...)`: every problem at once (inputs that are not
  numbers, dates that do not exist, then what the service refuses, in its words) and
  the dialog stays open; or it closes, `saved` holding what `write` returned;
- ends its classmethod entry (`CancelDialog.confirm(parent, company, deal) -> Deal |
  None`) with `return cls(...).run()`; tests replace the entry, never `exec`.

Enter saves (the accept button is the default one), Ctrl+S too, Escape cancels; once a
dialog calls `mark_loaded`, Escape, Cancel and the close box ask before dropping edits
(forms.GuardedDialog). The error labels take their red from the palette, dark or light.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Generic, TypeVar

from PySide6.QtCore import Qt, QTimer
from PySide6.QtGui import QShowEvent
from PySide6.QtWidgets import QDialog, QDialogButtonBox, QPushButton, QVBoxLayout, QWidget

from icmdesk.domain.errors import NotFoundError, Problem, ValidationError
from icmdesk.services.company import CompanyHandle
from icmdesk.ui.changes import writing
from icmdesk.ui.forms import (
    FORM,
    ErrorLabel,
    FieldErrors,
    GuardedDialog,
    impossible_dates,
    save_shortcut,
)

T = TypeVar("T")

_SAVE = QDialogButtonBox.StandardButton.Save
_CANCEL = QDialogButtonBox.StandardButton.Cancel


class FormDialog(GuardedDialog, Generic[T]):
    """A dialog that asks for one thing and stores it: `saved` holds it once stored.

    The buttons are Save (Enter and Ctrl+S press it) and Cancel (Escape). `accept_text`
    puts a button of that name in Save's place ("&Cancel deal", "&Restore…": no Ctrl+S
    then), `reject_text` renames Cancel ("&Keep the deal"); with `enter_accepts` False,
    Enter presses the reject button, for a dialog whose accepting takes a deliberate click.
    `width_chars` is the least width, in average characters (0: as the layout asks).
    A message that appears grows the dialog rather than squeeze the inputs (`grows`).
    """

    width_chars = 0
    grows = True  # False: a stretching part (a table) gives up room to a message instead

    def __init__(
        self,
        parent: QWidget | None = None,
        *,
        accept_text: str = "",
        reject_text: str = "",
        enter_accepts: bool = True,
    ) -> None:
        super().__init__(parent)
        self.saved: T | None = None
        layout = QVBoxLayout(self)
        self.errors = FieldErrors(ErrorLabel(self))
        layout.addWidget(self.errors.label(FORM))
        self.body = QVBoxLayout()
        layout.addLayout(self.body, 1)
        self.buttons = QDialogButtonBox(_CANCEL)
        layout.addWidget(self.buttons)
        self.reject_button: QPushButton = self.buttons.button(_CANCEL)
        if reject_text:
            self.reject_button.setText(reject_text)
        if accept_text:  # not Save renamed: a style may show Save's icon on it
            self.accept_button = QPushButton(accept_text)
            self.buttons.addButton(self.accept_button, QDialogButtonBox.ButtonRole.AcceptRole)
        else:
            self.accept_button = self.buttons.addButton(_SAVE)
            save_shortcut(self, self.accept_button.click, self.accept_button)
        if enter_accepts:
            self.accept_button.setDefault(True)
        else:
            self.accept_button.setAutoDefault(False)
            self.reject_button.setDefault(True)
        if self.width_chars:
            self.setMinimumWidth(self.fontMetrics().averageCharWidth() * self.width_chars)
        self.buttons.accepted.connect(self._on_buttons_accepted)
        self.buttons.rejected.connect(self.reject)
        self._buttons_last = False

    def showEvent(self, event: QShowEvent) -> None:
        if not self._buttons_last:  # once, before QDialog gives the focus to a button
            self._buttons_last = True
            self._put_buttons_last()
        super().showEvent(event)

    def _put_buttons_last(self) -> None:
        """The buttons were made before the inputs: Tab reaches them after the last input,
        left to right, and the first input, not Save, has the focus when the dialog opens."""
        buttons = sorted(self.buttons.buttons(), key=lambda b: (b.y(), b.x()))
        inputs = [w for w in self._tab_chain() if w not in buttons]
        if not inputs:
            return
        previous: QWidget = inputs[-1]
        for button in buttons:
            QWidget.setTabOrder(previous, button)
            previous = button
        if self.focusWidget() is None:
            inputs[0].setFocus(Qt.FocusReason.TabFocusReason)

    def _tab_chain(self) -> list[QWidget]:
        """The widgets Tab reaches, in the order of the focus chain from the dialog."""
        chain = []
        widget = self.nextInFocusChain()
        while widget is not self:
            if widget.focusPolicy() & Qt.FocusPolicy.TabFocus and self.isAncestorOf(widget):
                chain.append(widget)
            widget = widget.nextInFocusChain()
        return chain

    def run(self) -> T | None:
        """Show the dialog until the user is done: what it stored, or None if they stepped
        back. The end of every classmethod entry."""
        try:
            return self.saved if self.exec() == QDialog.DialogCode.Accepted else None
        finally:
            self.deleteLater()

    def _on_buttons_accepted(self) -> None:
        """Save (or Enter, or Ctrl+S): read the inputs and `store` them, or `finish`."""
        raise NotImplementedError

    def store(
        self,
        write: Callable[[], T],
        *,
        unreadable: Sequence[Problem] = (),
        check: Callable[[], Sequence[Problem]] | None = None,
    ) -> bool:
        """Store what the form holds through `write` (one service call) and close; True
        when it did.

        While some inputs could not be read (`unreadable`) or a date does not exist, the
        write is not tried: those problems are shown, with what `check` (the write's
        validation, writing nothing) finds in the rest, a field already flagged not twice.
        A write the service refuses shows its problems, each beside its field.
        """
        problems = impossible_dates(self) + list(unreadable)
        if problems:
            if check is not None:
                flagged = {p.field for p in problems}
                problems += [p for p in check() if p.field not in flagged]
            self.show_problems(problems)
            return False
        try:
            # The view that opened the dialog shows what it saved; the hub tells the rest.
            with writing(self.parentWidget()):
                saved = write()
        except ValidationError as e:
            self.show_problems(e.problems)
            return False
        except NotFoundError as e:
            self.show_problems([Problem(FORM, str(e))])
            return False
        self.finish(saved)
        return True

    def show_problems(self, problems: Sequence[Problem]) -> None:
        """Every problem beside its field (or at the top), the dialog grown to show them."""
        self.errors.show(problems)
        self.fit_contents()

    def fit_contents(self) -> None:
        """Grow, never shrink, to the height the contents ask for (within the screen): a
        message that appears (a problem, a note) or a row added must not squeeze the
        inputs. Done once the events pending are (a row added shows only then)."""
        QTimer.singleShot(0, self, self._grow_to_contents)

    def _grow_to_contents(self) -> None:
        if not self.grows:
            return
        # A wrapped label's height depends on the width: ask for this width's.
        wanted = self.heightForWidth(self.width())
        if wanted < 0:  # nothing wraps
            wanted = self.sizeHint().height()
        screen = self.screen()
        if screen is not None:
            wanted = min(wanted, screen.availableGeometry().height())
        if self.height() < wanted:
            self.resize(self.width(), wanted)

    def finish(self, value: T) -> None:
        """Close the dialog accepted, handing back `value`."""
        self.saved = value
        self.errors.clear()
        self.accept()


class RecordEditor(FormDialog[T]):
    """Add (`record` None) or edit one record of the company; `saved` is the record as
    stored. The title says which ("New deal", "Deal D-1042"); Escape asks before dropping
    edits.

    A subclass states its `noun` ("deal") and how a title names a record (`_label`),
    builds its inputs in `_build_ui` from `self._record` (and `self._file` for the
    choices), and saves in `_on_buttons_accepted` through `store`.
    """

    noun = "record"

    def __init__(
        self, company_file: CompanyHandle, record: T | None, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self._file = company_file
        self._record = record
        self.what = f"the {self.noun}"
        self.setWindowTitle(
            f"New {self.noun}"
            if record is None
            else f"{self.noun.capitalize()} {self._label(record)}"
        )
        self._build_ui()
        self.mark_loaded()  # what the form shows now is the record: later changes are edits

    @classmethod
    def edit(
        cls, parent: QWidget | None, company_file: CompanyHandle, record: T | None
    ) -> T | None:
        """Show the editor (record None: a new one); the stored record, or None if
        cancelled. Tests replace this."""
        return cls(company_file, record, parent).run()

    def _label(self, record: T) -> str:
        """How the title names `record` ("D-1042", "Ana Lee")."""
        raise NotImplementedError

    def _build_ui(self) -> None:
        raise NotImplementedError
