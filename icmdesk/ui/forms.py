"""Pieces shared by the edit dialogs: number and date inputs, and the messages of a
ValidationError shown next to the fields they concern.

A service names each problem's field ("amount", "credits[1].split_pct"); a form
registers an error label per field it shows and `FieldErrors.show` puts every
message beside its field at once. A field the form does not show falls back to
the nearest registered parent ("credits[1]", then "credits") or, failing that,
to the form-wide label at the top.
"""

from __future__ import annotations

import calendar
import re
from collections.abc import Callable, Sequence
from datetime import date
from decimal import Decimal
from itertools import pairwise

from babel.numbers import get_currency_name
from PySide6.QtCore import QDate, QEvent, QObject, QSize, Qt, Signal
from PySide6.QtGui import (
    QColor,
    QFocusEvent,
    QKeyEvent,
    QKeySequence,
    QPalette,
    QShortcut,
    QValidator,
)
from PySide6.QtWidgets import (
    QAbstractSpinBox,
    QCheckBox,
    QComboBox,
    QDateEdit,
    QDialog,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QRadioButton,
    QScrollArea,
    QTableView,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from icmdesk.domain.calendar import Month
from icmdesk.domain.currencies import CURRENCIES
from icmdesk.domain.errors import Problem
from icmdesk.domain.money import D
from icmdesk.ui.messages import Messages

FORM = ""  # the field name of problems about the record as a whole


def parse_number(text: str) -> Decimal:
    """A number typed by a person: '1,234.56', '$ 40 000', '60%'. Raises ValueError."""
    cleaned = text.strip()
    for junk in ("$", "€", "£", "%", " ", "\u00a0"):
        cleaned = cleaned.replace(junk, "")
    if not cleaned:
        raise ValueError("empty")
    return D(cleaned)


def number_text(value: Decimal | None) -> str:
    """A Decimal as a person types it back: '40000.00', '60', '7.5'; '' for None."""
    if value is None:
        return ""
    return f"{value:f}"


def to_qdate(day: date) -> QDate:
    return QDate(day.year, day.month, day.day)


def from_qdate(day: QDate) -> date:
    return date(day.year(), day.month(), day.day())


def currency_combo(current: str = "USD") -> QComboBox:
    """The ISO 4217 currencies in use, as "CHF — Swiss Franc" (typing the code finds it);
    the code is the item's data. A code not in the list (an old file) is kept, marked."""
    combo = QComboBox()
    for code in sorted(CURRENCIES):
        combo.addItem(f"{code} — {get_currency_name(code, locale='en')}", code)
    set_currency(combo, current)
    return combo


def set_currency(combo: QComboBox, code: str) -> None:
    found = combo.findData(code)
    if found < 0:
        combo.addItem(f"{code} — not a currency in use", code)
        found = combo.count() - 1
    combo.setCurrentIndex(found)


def month_edit(month: Month | None = None) -> QDateEdit:
    """A month input, "November 2026" (the arrows and the keyboard step the month or the
    year; typing a month's first letters finds it); read it with `from_month_edit`. No
    calendar: a month is not picked among days."""
    edit = DateEdit()
    edit.setDisplayFormat("MMMM yyyy")
    edit.setDate(to_qdate((month or Month.of(date.today())).first_day))
    widest = max(
        edit.fontMetrics().horizontalAdvance(f"{calendar.month_name[m]} 2000") for m in range(1, 13)
    )
    edit.setMinimumWidth(widest + 48)  # the text, the arrows and the frame
    return edit


def from_month_edit(edit: QDateEdit) -> Month:
    return Month.of(from_qdate(edit.date()))


class DateEdit(QDateEdit):
    """A date input that never turns an impossible date into another one.

    Qt's own date edit takes "2026-02-30" typed in as February 3 (it refuses the "0" once
    "3" makes a valid day), and on leaving it puts back the last valid date: either way
    silently. Here an impossible date can be typed; on leaving it stays on screen, marked,
    and `problem()` says what is wrong, so the form refuses to save until it is mended.
    """

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._impossible = ""
        self.lineEdit().textEdited.connect(self._on_text_edited)

    def problem(self) -> str:
        """Why the date shown cannot be used ("" when it can)."""
        text = self.lineEdit().text()
        if self._complete(text) and not self._parsed(text).isValid():
            self._impossible = text  # still being typed: not left yet
        if not self._impossible:
            return ""
        return f"{self._impossible} is not a date: check the day and the month."

    def validate(self, text: str, pos: int) -> object:
        if (
            self.displayFormat() == "yyyy-MM-dd"
            and pos == len(text)
            and re.fullmatch(r"\d{4}-\d{2}-3", text)
        ):
            # A day starting with 3 typed in February: Qt would make it day 3 at once.
            return (QValidator.State.Intermediate, text, pos)
        if self._complete(text) and not self._parsed(text).isValid():
            # A whole date with no such day (Qt would clamp it to the month's last day):
            # keep it as typed; leaving the field says what is wrong.
            return (QValidator.State.Intermediate, text, pos)
        return super().validate(text, pos)

    def focusOutEvent(self, event: QFocusEvent) -> None:
        text = self.lineEdit().text()
        impossible = self._complete(text) and not self._parsed(text).isValid()
        super().focusOutEvent(event)  # puts back the last valid date
        if impossible:
            self._mark(text)

    def _complete(self, text: str) -> bool:
        """Every digit of the display format typed: the text can be read as a date."""
        pattern = re.escape(self.displayFormat())
        for token, digits in (("yyyy", 4), ("MM", 2), ("dd", 2)):
            pattern = pattern.replace(re.escape(token), rf"\d{{{digits}}}")
        return re.fullmatch(pattern, text) is not None

    def _parsed(self, text: str) -> QDate:
        return QDate.fromString(text, self.displayFormat())

    def _mark(self, text: str) -> None:
        self._impossible = text
        self.lineEdit().setText(text)
        self.setToolTip(self.problem())
        self.setStyleSheet(f"QDateEdit {{ border: 1px solid {_ERROR_COLOUR}; }}")

    def _on_text_edited(self, _text: str) -> None:
        if self._impossible:
            self._impossible = ""
            self.setToolTip("")
            self.setStyleSheet("")


_ERROR_COLOUR = "#e0463c"  # legible on light and dark palettes alike


def form_state(root: QWidget) -> tuple[object, ...]:
    """Everything typed or chosen in the inputs under `root`, in widget order: two states
    differ exactly when the user changed something."""
    state: list[object] = []
    for w in root.findChildren(QWidget):
        if isinstance(w, QLineEdit) and not isinstance(w.parentWidget(), QAbstractSpinBox):
            state.append(w.text())
        elif isinstance(w, QPlainTextEdit):
            state.append(w.toPlainText())
        elif isinstance(w, QComboBox):
            state.append(w.currentData() if w.currentData() is not None else w.currentText())
        elif isinstance(w, QDateEdit):
            state.append(w.lineEdit().text())
        elif isinstance(w, QAbstractSpinBox):
            state.append(w.text())
        elif isinstance(w, QCheckBox | QRadioButton):
            state.append(w.isChecked())
    return tuple(state)


# A line edit keeps at most 32,767 characters unless told otherwise, and cuts a longer
# paste without a word. Ours take what is typed; the services refuse what is too long,
# saying so (validation.MAX_LENGTH).
_NO_CUT = 10_000_000


def no_silent_cut(root: QWidget) -> None:
    """Lift Qt's silent cut on every line edit under `root` that has its default limit."""
    for edit in root.findChildren(QLineEdit):
        if edit.maxLength() == 32767:
            edit.setMaxLength(_NO_CUT)


class GuardedDialog(QDialog):
    """A dialog whose edits are never thrown away by a slip: Escape, Cancel or the close
    box ask first when something was changed (Cancel, the default, keeps the edits)."""

    _loaded: tuple[object, ...] | None = None
    what = "this form"  # "the deal": said in the question

    def mark_loaded(self) -> None:
        """The form now shows what is stored: later changes are the user's."""
        no_silent_cut(self)
        self._loaded = form_state(self)

    def has_unsaved_edits(self) -> bool:
        return self._loaded is not None and form_state(self) != self._loaded

    def reject(self) -> None:
        if self.has_unsaved_edits() and not Messages.discard_edits(self, self.what):
            return
        super().reject()


def impossible_dates(root: QWidget) -> list[Problem]:
    """A problem for each date input under `root` holding a date that does not exist."""
    return [Problem(FORM, w.problem()) for w in root.findChildren(DateEdit) if w.problem()]


def date_edit(day: date | None = None) -> QDateEdit:
    """A date input in ISO form with a calendar popup (see DateEdit)."""
    edit = DateEdit()
    edit.setCalendarPopup(True)
    edit.setDisplayFormat("yyyy-MM-dd")
    edit.setDate(to_qdate(day or date.today()))
    return edit


def number_edit(value: Decimal | None = None, *, placeholder: str = "") -> QLineEdit:
    """A right-aligned number input (exact: the text is parsed as a Decimal, never a float)."""
    edit = QLineEdit(number_text(value))
    edit.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
    edit.setPlaceholderText(placeholder)
    return edit


class OptionalDate(QWidget):
    """A date that may be absent: a check box turns the date input on."""

    changed = Signal()

    def __init__(self, label: str, day: date | None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        self.check = QCheckBox(label)
        self.edit = date_edit(day)
        self.check.setChecked(day is not None)
        self.edit.setEnabled(day is not None)
        layout.addWidget(self.check)
        layout.addWidget(self.edit, 1)
        self.check.toggled.connect(self.edit.setEnabled)
        self.check.toggled.connect(self.changed)
        self.edit.dateChanged.connect(self.changed)

    def value(self) -> date | None:
        return from_qdate(self.edit.date()) if self.check.isChecked() else None

    def set_value(self, day: date | None) -> None:
        self.check.setChecked(day is not None)
        if day is not None:
            self.edit.setDate(to_qdate(day))


def error_colour(palette: QPalette) -> QColor:
    """A red that reads on the palette's window colour, light or dark."""
    dark = palette.color(QPalette.ColorRole.Window).lightness() < 128
    return QColor("#ff8a80") if dark else QColor("#c62828")


class ErrorLabel(QLabel):
    """A problem message under a field; hidden while there is none."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWordWrap(True)
        self.setTextFormat(Qt.TextFormat.PlainText)
        palette = self.palette()
        palette.setColor(QPalette.ColorRole.WindowText, error_colour(palette))
        self.setPalette(palette)
        self.hide()

    def set_messages(self, messages: Sequence[str]) -> None:
        self.setText("\n".join(messages))
        self.setVisible(bool(messages))


class FieldErrors:
    """The error labels of one form, by field name."""

    def __init__(self, form_label: ErrorLabel) -> None:
        self._labels: dict[str, ErrorLabel] = {FORM: form_label}

    def add(self, field: str, parent: QWidget | None = None) -> ErrorLabel:
        label = ErrorLabel(parent)
        self._labels[field] = label
        return label

    def adopt(self, field: str, label: ErrorLabel) -> None:
        """Show problems about `field` in a label the form already placed."""
        self._labels[field] = label

    def remove_prefix(self, prefix: str) -> None:
        """Forget the labels of rows that are gone (their widgets are deleted with the row)."""
        for field in [f for f in self._labels if f.startswith(prefix)]:
            del self._labels[field]

    def label(self, field: str) -> ErrorLabel:
        """The label a problem about `field` shows in."""
        name = field
        while name not in self._labels:
            cut = max(name.rfind("."), name.rfind("["))
            name = name[:cut] if cut > 0 else FORM
        return self._labels[name]

    def show(self, problems: Sequence[Problem]) -> None:
        """Every problem beside its field; labels without a problem are cleared."""
        # One label can serve several fields (a row's rep and split): collect by label.
        found: dict[int, list[str]] = {}
        for p in problems:
            found.setdefault(id(self.label(p.field)), []).append(p.message)
        for label in {id(v): v for v in self._labels.values()}.values():
            label.set_messages(found.get(id(label), []))

    def clear(self) -> None:
        self.show(())

    def text(self, field: str) -> str:
        """What the label showing `field`'s problems says ('' when hidden): for tests and tools."""
        label = self.label(field)
        return label.text() if not label.isHidden() else ""


class EditorRow(QWidget):
    """One row of a rows editor: its inputs, a remove button, and an error label below."""

    removed = Signal(object)
    changed = Signal()

    def __init__(self, *lines: Sequence[QWidget], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        outer.setSpacing(2)
        self.remove_button = QToolButton()
        self.remove_button.setText("Remove")
        self.remove_button.setToolTip("Remove this row")
        self.remove_button.clicked.connect(lambda: self.removed.emit(self))
        for n, inputs in enumerate(lines):
            line = QHBoxLayout()
            for i, w in enumerate(inputs):
                # Captions keep their size; the first input (a name) gets the most room.
                line.addWidget(w, 0 if isinstance(w, QLabel) else 2 if i == 0 else 1)
            if n == 0:
                line.addWidget(self.remove_button)
            outer.addLayout(line)
        self.error = ErrorLabel(self)
        outer.addWidget(self.error)


class RowsEditor(QGroupBox):
    """A short list edited in place (a deal's credits or payments)."""

    changed = Signal()

    def __init__(
        self,
        title: str,
        add_text: str,
        make: Callable[[], EditorRow],
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(title, parent)
        self._make = make
        self.rows: list[EditorRow] = []
        layout = QVBoxLayout(self)
        self._rows_layout = QVBoxLayout()
        self._rows_layout.setSpacing(4)
        layout.addLayout(self._rows_layout)
        self.error = ErrorLabel(self)
        layout.addWidget(self.error)
        bottom = QHBoxLayout()
        self.add_button = QPushButton(add_text)
        self.add_button.clicked.connect(lambda: self.add_row())
        bottom.addWidget(self.add_button, 0, Qt.AlignmentFlag.AlignTop)
        self.footer = QLabel()
        self.footer.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        self.footer.setWordWrap(True)  # a long note wraps instead of widening the dialog
        bottom.addWidget(self.footer, 1)
        layout.addLayout(bottom)

    def add_row(self, row: EditorRow | None = None) -> EditorRow:
        row = row or self._make()
        row.removed.connect(self._on_row_removed)
        row.changed.connect(self.changed)
        self.rows.append(row)
        self._rows_layout.addWidget(row)
        self._tab_before_add_button(row)
        self.changed.emit()
        return row

    def _tab_before_add_button(self, row: EditorRow) -> None:
        """Tab walks a new row's inputs in order and then reaches the Add button (a widget
        created later would otherwise come last in the dialog, after Save and Cancel)."""
        # Only widgets in the row's own window: a combo box's list (once it has one) is
        # its grandchild in a popup window, which Qt refuses to put in a tab order
        # ("QWidget::setTabOrder: 'first' and 'second' must be in the same window").
        inputs = [
            w
            for w in row.findChildren(QWidget)
            if w.focusPolicy() & Qt.FocusPolicy.TabFocus
            and not isinstance(w.parentWidget(), QAbstractSpinBox | QComboBox)
            and w.window() is row.window()
        ]
        if not inputs:
            return
        # The focusable widget before the Add button: Qt ignores tab order set on widgets
        # that take no focus, and reads "after a container" as "after all inside it".
        before = self.add_button.previousInFocusChain()
        while before is not self.add_button and (
            before.isAncestorOf(self.add_button)
            or not before.focusPolicy() & Qt.FocusPolicy.TabFocus
        ):
            before = before.previousInFocusChain()
        QWidget.setTabOrder(before, inputs[0])
        for a, b in pairwise(inputs):
            QWidget.setTabOrder(a, b)
        QWidget.setTabOrder(inputs[-1], self.add_button)

    def _on_row_removed(self, row: EditorRow) -> None:
        self.rows.remove(row)
        row.hide()
        row.deleteLater()
        self.changed.emit()

    def register(self, errors: FieldErrors, prefix: str) -> None:
        """(Re)name the rows' error labels after their current positions."""
        errors.remove_prefix(f"{prefix}[")
        errors.adopt(prefix, self.error)
        for i, row in enumerate(self.rows):
            errors.adopt(f"{prefix}[{i}]", row.error)


def with_error(widget: QWidget, errors: FieldErrors, field: str) -> QWidget:
    """The widget with the error label of `field` under it (for a form layout's row)."""
    box = QWidget()
    layout = QVBoxLayout(box)
    layout.setContentsMargins(0, 0, 0, 0)
    layout.setSpacing(2)
    layout.addWidget(widget)
    layout.addWidget(errors.add(field, box))
    return box


class RowKeys(QObject):
    """Return/Enter (edit), Insert (add) and Delete (delete) on a table while it has the keyboard.

    A separate filter object, child of the table, rather than the view itself: a view that
    filters its own child's events is called back while it is being destroyed.

    The actions are reached through signals, not kept as callables: the view's bound
    methods held here would make a reference cycle (view, table, filter, view), leaving
    the view to the cyclic garbage collector, which may destroy it at any allocation,
    even in the middle of painting it.
    """

    edit_requested = Signal()
    add_requested = Signal()
    delete_requested = Signal()

    def __init__(
        self,
        table: QWidget,
        *,
        edit: Callable[[], None],
        add: Callable[[], None],
        delete: Callable[[], None],
    ) -> None:
        super().__init__(table)
        self.edit_requested.connect(edit)
        self.add_requested.connect(add)
        self.delete_requested.connect(delete)
        table.installEventFilter(self)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.KeyPress:
            assert isinstance(event, QKeyEvent)
            if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
                self.edit_requested.emit()
                return True
            if event.key() == Qt.Key.Key_Insert:
                self.add_requested.emit()
                return True
            if event.matches(QKeySequence.StandardKey.Delete):
                self.delete_requested.emit()
                return True
        return super().eventFilter(watched, event)


class FormScrollArea(QScrollArea):
    """A long form that scrolls up and down, never sideways: it is never narrower than
    the form's own minimum width (a splitter or a window cannot squeeze it further), so
    no field is cut and no horizontal scroll bar hides the last row."""

    def __init__(self, form: QWidget, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWidgetResizable(True)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.setWidget(form)

    def minimumSizeHint(self) -> QSize:
        hint = super().minimumSizeHint()
        form = self.widget()
        if form is None:
            return hint
        width = (
            form.minimumSizeHint().width()
            + self.verticalScrollBar().sizeHint().width()
            + 2 * self.frameWidth()
        )
        return QSize(max(width, hint.width()), hint.height())


def save_shortcut(view: QWidget, save: Callable[[], object], button: QPushButton) -> QShortcut:
    """Ctrl+S (the platform's Save keys) saves `view`'s form while the focus is anywhere
    in it, as the `button` does; the button's tooltip names the keys."""
    shortcut = QShortcut(QKeySequence.StandardKey.Save, view, save)
    shortcut.setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
    keys = shortcut.key().toString(QKeySequence.SequenceFormat.NativeText)
    button.setToolTip(f"{button.text().replace('&', '')} ({keys})")
    return shortcut


class SelectionButtons(QObject):
    """Buttons that act on a table's selected row (Edit, Delete): enabled only while a row
    is selected and the file can be written, so an empty table offers nothing to click.

    A child of the table that asks the table for itself (`parent()`), holding only the
    buttons: no reference cycle through the view (see RowKeys)."""

    def __init__(self, table: QTableView, *buttons: QPushButton) -> None:
        super().__init__(table)
        self._buttons = buttons
        self._read_only = False
        model = table.model()
        table.selectionModel().selectionChanged.connect(self.update)
        for signal in (model.modelReset, model.rowsRemoved, model.layoutChanged):
            signal.connect(self.update)
        self.update()

    def set_read_only(self, read_only: bool) -> None:
        self._read_only = read_only
        self.update()

    def update(self, *_args: object) -> None:
        table = self.parent()
        assert isinstance(table, QTableView)
        chosen = table.selectionModel().hasSelection() and not self._read_only
        for button in self._buttons:
            button.setEnabled(chosen)
