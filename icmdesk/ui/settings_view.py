"""Company settings: name, address, logo, currency, fiscal year, statements, clawback
defaults, the books start, the opening balances and (in the Payouts group) how payouts
leave ICMDesk: the pay date, the payroll provider and its codes, the journal accounts.

Save sends the whole form to records.update_company (the opening balances with it, in
the same unit of work), which validates it all at once: every problem is shown under its
own field and nothing is saved.
"""

from __future__ import annotations

import calendar
import dataclasses
import re
from datetime import date
from decimal import Decimal

from PySide6.QtCore import QByteArray, Qt, Signal
from PySide6.QtGui import QPalette, QPixmap, QShowEvent
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QSpinBox,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from icmdesk.domain.calendar import Month, month_name
from icmdesk.domain.entities import (
    ClawbackMethod,
    ClawbackPolicy,
    Company,
    OpeningBalance,
    PageSize,
    PayoutSettings,
    PayrollProvider,
)
from icmdesk.domain.errors import CompanyFileError, Problem, ValidationError
from icmdesk.domain.payouts import LAYOUTS, PROVIDER_LAYOUT, pay_date
from icmdesk.services import choices, records
from icmdesk.services.company import CompanyHandle
from icmdesk.ui.changes import PERIODS, PLANS, REPS, Change, Changes, follow, writing
from icmdesk.ui.file_dialogs import FileDialogs
from icmdesk.ui.forms import (
    FormScrollArea,
    currency_combo,
    from_month_edit,
    month_edit,
    no_silent_cut,
    number_text,
    parse_number,
    save_shortcut,
    set_currency,
    to_qdate,
)
from icmdesk.ui.messages import Messages

LOGO_PREVIEW_HEIGHT = 64
# Legible on light and dark palettes alike (no palette role means "error").
PROBLEM_STYLE = "color: #e0463c;"

# Problem.field as the service names it → the form field it belongs under.
_OPENING_COLUMNS = (
    "Rep",
    "Owed by rep",
    "Earned this fiscal year",
    "Counted toward quota",
    "Bonuses paid (%)",
)


def _note() -> QLabel:
    note = QLabel()
    note.setWordWrap(True)
    note.setForegroundRole(QPalette.ColorRole.PlaceholderText)
    return note


def _stacked(top: QHBoxLayout | QVBoxLayout, note: QLabel) -> QWidget:
    """A field with its explanation under it, in one form cell."""
    box = QWidget()
    column = QVBoxLayout(box)
    column.setContentsMargins(0, 0, 0, 0)
    column.setSpacing(4)
    column.addLayout(top)
    column.addWidget(note)
    return box


def _row(layout: QHBoxLayout) -> QWidget:
    box = QWidget()
    box.setLayout(layout)
    return box


def _last_month() -> Month:
    return Month.of(date.today()).plus(-1)


_FIELD_OF = {
    "name": "name",
    "address": "address",
    "currency": "currency",
    "fiscal_year_start": "fiscal_year_start",
    "clawback_policy.window_days": "clawback_window",
    "clawback_policy.method": "clawback_method",
    "forgive_balance_at_termination": "forgive",
    "page_size": "page_size",
    "statement_help_text": "help_text",
    "logo_png": "logo",
    "books_start": "books_start",
    **{
        f"payouts.{name}": f"payouts.{name}"
        for name in (
            "pay_day",
            "pay_months_after",
            "provider",
            "expense_account",
            "payable_account",
            "draw_account",
            "xero_tax_rate",
            "questions_days",
        )
    },
    "payouts.questions_contact": "payouts.questions_days",
    # The ADP ids share a row, and so do the three earnings codes, with the line under it.
    "payouts.adp_company_code": "payouts.adp",
    "payouts.adp_batch_id": "payouts.adp",
    "payouts.commission_code": "payouts.codes",
    "payouts.bonus_code": "payouts.codes",
    "payouts.draw_code": "payouts.codes",
}
# The payout settings typed as text, by field (the earnings codes, ADP ids, accounts).
_PAYOUT_TEXTS = (
    "adp_company_code",
    "adp_batch_id",
    "commission_code",
    "bonus_code",
    "draw_code",
    "expense_account",
    "payable_account",
    "draw_account",
    "xero_tax_rate",
    "questions_contact",
)


def day_text(day: date) -> str:
    """'Sunday, November 15, 2026'."""
    return f"{day:%A, %B} {day.day}, {day.year}"


def pay_date_sentence(pay_day: int, months_after: int, example: Month) -> str:
    """What the pay day and the months after mean for `example`'s payouts."""
    if not 1 <= pay_day <= 31:
        return f"No month has a day {pay_day}: the pay day is 1 to 31."
    settings = PayoutSettings(pay_day=pay_day, pay_months_after=months_after)
    day = pay_date(example, settings)
    text = f"{month_name(example)}'s payouts are paid on {day_text(day)}"
    if day.day != pay_day:
        text += f" (the month's last day: it has no day {pay_day})"
    return text + "."


class SettingsView(QWidget):
    """The company's own settings, edited as one form."""

    kinds = frozenset({REPS, PLANS, PERIODS})  # opening balances per rep; a close fixes them

    saved = Signal(object)  # the Company as saved
    edited_changed = Signal(bool)  # the form now differs (True) or not from what is saved

    _loading = False
    _edited = False
    _locked: Month | None = None
    _opening_rows: tuple[choices.OpeningRow, ...] = ()
    _loaded_state: tuple[object, ...] = ()

    def __init__(
        self,
        company_file: CompanyHandle,
        parent: QWidget | None = None,
        *,
        changes: Changes | None = None,
    ) -> None:
        super().__init__(parent)
        self._file = company_file
        self._changes = changes or Changes(self)
        # Read when first shown, not while the main window is being built.
        self._company: Company | None = None
        self._logo: bytes | None = None
        self._problem_labels: dict[str, QLabel] = {}
        self._build_ui()
        no_silent_cut(self)
        self._connect_signals()
        follow(self, self._changes)

    def showEvent(self, event: QShowEvent) -> None:
        self._ensure_loaded()
        super().showEvent(event)

    def _ensure_loaded(self) -> Company:
        if self._company is None:
            self._company = records.get_company(self._file)
            self._show(self._company)
        return self._company

    # Building.
    def _build_ui(self) -> None:
        outer = QVBoxLayout(self)
        page = QWidget()
        outer.addWidget(FormScrollArea(page))
        page_layout = QVBoxLayout(page)
        self._form = QFormLayout()
        page_layout.addLayout(self._form)
        self._form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)

        self._general = QLabel()
        self._general.setStyleSheet(PROBLEM_STYLE)
        self._general.setWordWrap(True)
        self._general.hide()
        self._form.addRow(self._general)

        self._name = QLineEdit()
        self._add("&Name:", self._name, "name")
        self._address = QPlainTextEdit()
        self._address.setTabChangesFocus(True)
        self._address.setFixedHeight(self._address.fontMetrics().lineSpacing() * 4 + 12)
        self._add("&Address:", self._address, "address")

        self._logo_preview = QLabel()
        self._logo_preview.setObjectName("logo_preview")  # the logo as it is shown (tests)
        self._logo_preview.setMinimumHeight(LOGO_PREVIEW_HEIGHT)
        self._logo_preview.setAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
        self._choose_logo = QPushButton("&Choose PNG…")
        self._remove_logo = QPushButton("Re&move")
        logo_row = QHBoxLayout()
        logo_row.addWidget(self._logo_preview, 1)
        logo_row.addWidget(self._choose_logo)
        logo_row.addWidget(self._remove_logo)
        logo = QWidget()
        logo.setLayout(logo_row)
        logo_row.setContentsMargins(0, 0, 0, 0)
        self._add("Logo:", logo, "logo")

        self._currency = currency_combo()
        self._add("C&urrency:", self._currency, "currency")
        self._fiscal = QComboBox()
        self._fiscal.addItems(list(calendar.month_name)[1:])
        self._add("&Fiscal year starts in:", self._fiscal, "fiscal_year_start")
        self._page_size = QComboBox()
        self._page_size.addItem("Letter", PageSize.LETTER)
        self._page_size.addItem("A4", PageSize.A4)
        self._add("&Page size:", self._page_size, "page_size")

        self._window = QSpinBox()
        self._window.setRange(0, 3650)
        self._window.setSuffix(" days")
        self._add("Clawback &window:", self._window, "clawback_window")
        self._method = QComboBox()
        self._method.addItem("Full: the whole commission is taken back", ClawbackMethod.FULL)
        self._method.addItem(
            "Prorated: by the share of the window the customer stayed", ClawbackMethod.PRORATED
        )
        self._add("Clawback &method:", self._method, "clawback_method")
        self._forgive = QCheckBox("Forgive a negative balance when a rep leaves")
        self._add("At &termination:", self._forgive, "forgive")
        self._help = QPlainTextEdit()
        self._help.setTabChangesFocus(True)
        self._help.setFixedHeight(self._help.fontMetrics().lineSpacing() * 5 + 12)
        self._add("Statement &help text:", self._help, "help_text")

        self._books = QCheckBox("Start paying from")
        self._books_month = month_edit()
        books_row = QHBoxLayout()
        books_row.setContentsMargins(0, 0, 0, 0)
        books_row.addWidget(self._books)
        books_row.addWidget(self._books_month)
        books_row.addStretch(1)
        self._books_note = _note()
        self._add("&Books start:", _stacked(books_row, self._books_note), "books_start")
        caption = self._form.labelForField(self._problem_labels["books_start"].parentWidget())
        if isinstance(caption, QLabel):
            caption.setBuddy(self._books)

        self._openings = QTableWidget(0, len(_OPENING_COLUMNS))
        self._openings.setHorizontalHeaderLabels(list(_OPENING_COLUMNS))
        self._openings.horizontalHeaderItem(1).setToolTip(
            "What the rep still owed the company at the books start: draws paid and not yet "
            "earned back (recovered from later earnings as before)"
        )
        self._openings.verticalHeader().hide()
        self._openings.setTabKeyNavigation(False)  # Tab leaves the table
        header = self._openings.horizontalHeader()
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        for column in range(1, len(_OPENING_COLUMNS)):
            header.setSectionResizeMode(column, QHeaderView.ResizeMode.ResizeToContents)
        self._openings_note = _note()
        openings = QVBoxLayout()
        openings.setContentsMargins(0, 0, 0, 0)
        openings.addWidget(self._openings)
        self._add("&Opening balances:", _stacked(openings, self._openings_note), "opening_balances")
        caption = self._form.labelForField(self._problem_labels["opening_balances"].parentWidget())
        if isinstance(caption, QLabel):
            caption.setBuddy(self._openings)

        self._build_payouts(page_layout)

        buttons = QHBoxLayout()
        self._status = QLabel()  # "Saved." after a save, until the next edit
        buttons.addWidget(self._status)
        buttons.addStretch(1)
        self._revert = QPushButton("Re&vert")
        self._save = QPushButton("&Save")
        self._save.setDefault(True)
        buttons.addWidget(self._revert)
        buttons.addWidget(self._save)
        outer.addLayout(buttons)

    def _build_payouts(self, page_layout: QVBoxLayout) -> None:
        """Settings ▸ Payouts: when payouts are paid, whose payroll takes them and with
        which codes, and the accounts the bookkeeping journal books them to."""
        self._payouts = QGroupBox("Payouts")
        form = QFormLayout(self._payouts)
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)

        self._pay_day = QSpinBox()
        # Wider than a month's days, so that a day typed too large is kept and refused
        # beside the field, never silently changed.
        self._pay_day.setRange(1, 99)
        self._pay_day.setToolTip("The day of the month payouts are paid (1 to 31)")
        pay_day_row = QHBoxLayout()
        pay_day_row.setContentsMargins(0, 0, 0, 0)
        pay_day_row.addWidget(self._pay_day)
        pay_day_row.addWidget(QLabel("of the month (its last day in a shorter month)"))
        pay_day_row.addStretch(1)
        self._add("Pay &day:", _row(pay_day_row), "payouts.pay_day", form, buddy=self._pay_day)

        self._months_after = QSpinBox()
        self._months_after.setRange(0, 3)
        spin_width = self._pay_day.sizeHint().width()
        self._pay_day.setFixedWidth(spin_width)
        self._months_after.setFixedWidth(spin_width)
        self._months_after.setToolTip(
            "How many months after a statement's month its payouts are paid (0 to 3)"
        )
        months_row = QHBoxLayout()
        months_row.setContentsMargins(0, 0, 0, 0)
        months_row.addWidget(self._months_after)
        self._months_after_label = QLabel()
        months_row.addWidget(self._months_after_label)
        months_row.addStretch(1)
        self._pay_date_note = _note()
        self._add(
            "Paid &in:",
            _stacked(months_row, self._pay_date_note),
            "payouts.pay_months_after",
            form,
            buddy=self._months_after,
        )

        self._provider = QComboBox()
        for provider in PayrollProvider:
            self._provider.addItem(LAYOUTS[PROVIDER_LAYOUT[provider]].title, provider)
        provider_row = QHBoxLayout()
        provider_row.setContentsMargins(0, 0, 0, 0)
        provider_row.addWidget(self._provider)
        provider_row.addStretch(1)
        provider_note = _note()
        provider_note.setText("Periods ▸ Export… offers its layout first.")
        self._add(
            "Payroll p&rovider:",
            _stacked(provider_row, provider_note),
            "payouts.provider",
            form,
            buddy=self._provider,
        )

        self._texts: dict[str, QLineEdit] = {name: QLineEdit() for name in _PAYOUT_TEXTS}
        chars = self.fontMetrics().averageCharWidth()
        for name in ("adp_company_code", "adp_batch_id", "commission_code", "bonus_code",
                     "draw_code"):  # fmt: skip
            self._texts[name].setMaximumWidth(chars * 14 + 16)
        self._texts["adp_company_code"].setPlaceholderText("Co Code")
        self._texts["adp_company_code"].setToolTip(
            "ADP's company code (Co Code): up to 3 characters, needed for the ADP file"
        )
        self._texts["adp_batch_id"].setToolTip("The batch ID the ADP file is imported under")
        adp_row = QHBoxLayout()
        adp_row.setContentsMargins(0, 0, 0, 0)
        adp_row.addWidget(self._texts["adp_company_code"])
        batch = QLabel("&batch ID:")
        batch.setBuddy(self._texts["adp_batch_id"])
        adp_row.addSpacing(12)
        adp_row.addWidget(batch)
        adp_row.addWidget(self._texts["adp_batch_id"])
        adp_row.addStretch(1)
        self._add(
            "ADP compan&y code:",
            _row(adp_row),
            "payouts.adp",
            form,
            buddy=self._texts["adp_company_code"],
        )

        codes_row = QHBoxLayout()
        codes_row.setContentsMargins(0, 0, 0, 0)
        for i, (name, title) in enumerate(
            (("commission_code", "Commission"), ("bonus_code", "Bonus"), ("draw_code", "Draw"))
        ):
            if i:
                codes_row.addSpacing(12)
            caption = QLabel(f"{title}:")
            caption.setBuddy(self._texts[name])
            codes_row.addWidget(caption)
            codes_row.addWidget(self._texts[name])
        codes_row.addStretch(1)
        codes_note = _note()
        codes_note.setText("The earnings codes of the ADP file (one to three characters).")
        self._add(
            "&Earnings codes:",
            _stacked(codes_row, codes_note),
            "payouts.codes",
            form,
            buddy=self._texts["commission_code"],
        )

        accounts = _note()
        accounts.setText("Names for QuickBooks, account codes for Xero.")
        form.addRow("Journal accounts:", accounts)
        self._texts["expense_account"].setToolTip("Debited with the commission earned")
        self._texts["payable_account"].setToolTip("Credited with the net payout")
        self._texts["draw_account"].setToolTip(
            "Debited with draws paid beyond earnings, credited with what is recovered"
        )
        self._add("Commission e&xpense:", self._texts["expense_account"],
                  "payouts.expense_account", form)  # fmt: skip
        self._add("Commissions paya&ble:", self._texts["payable_account"],
                  "payouts.payable_account", form)  # fmt: skip
        self._add("Draws:", self._texts["draw_account"], "payouts.draw_account", form)
        self._texts["xero_tax_rate"].setToolTip("The tax rate of every Xero journal line")
        self._add("&Xero tax rate:", self._texts["xero_tax_rate"], "payouts.xero_tax_rate", form)

        # Questions and disputes: printed on every statement, with the date they are due.
        contact = self._texts["questions_contact"]
        contact.setPlaceholderText("e.g. payroll@example.com")
        contact.setToolTip("Who answers questions about a statement (printed on it)")
        self._questions_days = QSpinBox()
        self._questions_days.setRange(0, 365)
        self._questions_days.setFixedWidth(spin_width)
        self._questions_days.setToolTip("Days after the pay date to raise a question")
        questions_row = QHBoxLayout()
        questions_row.setContentsMargins(0, 0, 0, 0)
        questions_row.addWidget(contact, 1)
        within = QLabel("&within")
        within.setBuddy(self._questions_days)
        questions_row.addSpacing(12)
        questions_row.addWidget(within)
        questions_row.addWidget(self._questions_days)
        questions_row.addWidget(QLabel("days after the pay date"))
        questions_note = _note()
        questions_note.setText(
            "Statements say “Questions by <date> to <contact>”; none when blank."
        )
        self._add(
            "&Questions to:",
            _stacked(questions_row, questions_note),
            "payouts.questions_days",
            form,
            buddy=contact,
        )

        page_layout.addSpacing(12)
        page_layout.addWidget(self._payouts)
        page_layout.addStretch(1)  # spare height below the form, not between its rows

    def _add(
        self,
        label: str,
        field: QWidget,
        key: str,
        form: QFormLayout | None = None,
        *,
        buddy: QWidget | None = None,
    ) -> None:
        # The field with its problem line right under it, in one form row.
        problem = QLabel()
        problem.setStyleSheet(PROBLEM_STYLE)
        problem.setWordWrap(True)
        problem.hide()
        cell = QWidget()
        column = QVBoxLayout(cell)
        column.setContentsMargins(0, 0, 0, 0)
        column.setSpacing(2)
        column.addWidget(field)
        column.addWidget(problem)
        form = form or self._form
        form.addRow(label, cell)
        self._problem_labels[key] = problem
        caption = form.labelForField(cell)
        if isinstance(caption, QLabel):
            caption.setBuddy(buddy or field)
            caption.setAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop)

    def _connect_signals(self) -> None:
        self._save.clicked.connect(self._on_save_clicked)
        save_shortcut(self, self._on_save_clicked, self._save)
        self._revert.clicked.connect(self._on_revert_clicked)
        self._choose_logo.clicked.connect(self._on_choose_logo_clicked)
        self._remove_logo.clicked.connect(self._on_remove_logo_clicked)
        self._books.toggled.connect(self._on_books_changed)
        self._books_month.dateChanged.connect(self._on_books_changed)
        for signal in (
            self._name.textChanged,
            self._address.textChanged,
            self._currency.currentIndexChanged,
            self._fiscal.currentIndexChanged,
            self._page_size.currentIndexChanged,
            self._window.valueChanged,
            self._method.currentIndexChanged,
            self._forgive.toggled,
            self._help.textChanged,
            self._books.toggled,
            self._books_month.dateChanged,
            self._openings.itemChanged,
            self._pay_day.valueChanged,
            self._months_after.valueChanged,
            self._provider.currentIndexChanged,
            self._questions_days.valueChanged,
            *(edit.textChanged for edit in self._texts.values()),
        ):
            signal.connect(self._on_form_edited)
        self._pay_day.valueChanged.connect(self._on_pay_date_changed)
        self._months_after.valueChanged.connect(self._on_pay_date_changed)

    # Showing and reading the form.
    def _show(self, c: Company) -> None:
        self._loading = True
        self._name.setText(c.name)
        self._address.setPlainText(c.address)
        set_currency(self._currency, c.currency)
        self._fiscal.setCurrentIndex(c.fiscal_year_start - 1)
        self._page_size.setCurrentIndex(self._page_size.findData(c.page_size))
        self._window.setValue(c.clawback_policy.window_days)
        self._method.setCurrentIndex(self._method.findData(c.clawback_policy.method))
        self._forgive.setChecked(c.forgive_balance_at_termination)
        self._help.setPlainText(c.statement_help_text)
        self._logo = c.logo_png
        self._show_logo()
        self._books.setChecked(c.books_start is not None)
        self._books_month.setDate(to_qdate((c.books_start or _last_month()).first_day))
        self._locked = records.latest_closed_month(self._file)
        self._stored_openings = {ob.rep_id: ob for ob in records.opening_balances(self._file)}
        self._show_openings(self._stored_openings)
        self._show_payouts(c.payouts)
        self._show_problems([])
        self._loading = False
        self._loaded_state = self._state()
        self._on_form_edited()

    def _show_payouts(self, p: PayoutSettings) -> None:
        self._pay_day.setValue(p.pay_day)
        self._months_after.setValue(p.pay_months_after)
        self._provider.setCurrentIndex(self._provider.findData(p.provider))
        for name, edit in self._texts.items():
            edit.setText(getattr(p, name))
        self._questions_days.setValue(p.questions_days)
        self._on_pay_date_changed()

    def payout_settings(self) -> PayoutSettings:
        """The payout settings as the form shows them."""
        return PayoutSettings(
            pay_day=self._pay_day.value(),
            pay_months_after=self._months_after.value(),
            provider=PayrollProvider(self._provider.currentData()),
            questions_days=self._questions_days.value(),
            **{name: edit.text().strip() for name, edit in self._texts.items()},
        )

    def _show_openings(self, values: dict[int, OpeningBalance]) -> None:
        """The opening balances table for the books start as the form shows it."""
        start = from_month_edit(self._books_month) if self._books.isChecked() else None
        rows = choices.opening_rows(self._file, start)
        self._opening_rows = rows
        table = self._openings
        table.blockSignals(True)
        table.setRowCount(len(rows))
        for r, row in enumerate(rows):
            ob = values.get(row.rep_id, row.balance)
            name = QTableWidgetItem(row.name)
            name.setFlags(name.flags() & ~Qt.ItemFlag.ItemIsEditable)
            table.setItem(r, 0, name)
            cells = [
                number_text(ob.balance_owed) if ob.balance_owed else "",
                number_text(ob.ytd_earnings) if ob.ytd_earnings else "",
                number_text(ob.counted) if ob.counted else "",
                ", ".join(number_text(t) for t in sorted(ob.bonuses_paid)),
            ]
            for c, text in enumerate(cells, start=1):
                item = QTableWidgetItem(text)
                item.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
                counting = c < 3 or bool(row.quota_period)
                if c == 2 and start is not None and start.month == self._fiscal.currentIndex() + 1:
                    counting = False  # the books start a fiscal year: nothing earlier in it
                if c == 4 and not row.thresholds:
                    counting = False
                if not counting:
                    item.setFlags(item.flags() & ~Qt.ItemFlag.ItemIsEditable)
                    item.setText(text or "—")
                if c == 3 and row.quota_period:
                    item.setToolTip(f"Counted toward {row.quota_period} before {start}")
                if c == 4 and row.thresholds:
                    shown = ", ".join(f"{number_text(t)}%" for t in row.thresholds)
                    item.setToolTip(f"Thresholds of the plan: {shown}")
                table.setItem(r, c, item)
        table.blockSignals(False)
        # Every rep in view (up to a dozen; more scroll), never a squeezed list.
        shown = min(max(len(rows), 3), 12)
        table.setFixedHeight(
            table.horizontalHeader().sizeHint().height()
            + sum(table.rowHeight(r) for r in range(min(shown, len(rows))))
            + table.verticalHeader().defaultSectionSize() * max(0, shown - len(rows))
            + 2 * table.frameWidth()
        )
        if start is not None:
            table.horizontalHeaderItem(2).setText(f"Earned this FY before {start}")
            table.horizontalHeaderItem(3).setText(f"Counted toward quota before {start}")
        locked = self._locked is not None or self._read_only
        table.setEnabled(start is not None)
        table.setEditTriggers(
            QTableWidget.EditTrigger.NoEditTriggers
            if locked
            else QTableWidget.EditTrigger.AllEditTriggers
        )
        self._books.setEnabled(not locked)
        self._books_month.setEnabled(not locked and self._books.isChecked())
        if self._locked is not None:
            self._books_note.setText(
                f"Fixed since {self._locked} was closed: closed statements were paid from it."
            )
        elif start is None:
            self._books_note.setText(
                "No books start: everything is paid from each rep's first day. Set one when "
                "ICMDesk takes over from payroll done elsewhere: nothing before it is computed "
                "or needs closing."
            )
        else:
            self._books_note.setText(
                f"{month_name(start)} is the first month ICMDesk computes, pays and closes; "
                "earlier deals earn nothing here. It can change until the first month is closed."
            )
        if start is None:
            self._openings_note.setText("Opening balances need a books start.")
        else:
            before = month_name(start.plus(-1))
            self._openings_note.setText(
                f"Where each rep stood when the books start, settled outside ICMDesk: the "
                f"balance owed, earnings this fiscal year through {before}, the amount "
                "counted toward the quota period under way (its name in the tooltip) and the "
                "attainment bonuses already paid in it (thresholds in %). Blank is zero."
            )

    def _read_openings(self, problems: list[Problem]) -> list[OpeningBalance]:
        """The opening balances as typed; unreadable cells become problems."""
        out = []
        names = ("balance owed", "earnings before the books start", "amount counted", "bonuses")
        for r, row in enumerate(self._opening_rows):
            values: list[Decimal] = []
            paid: tuple[Decimal, ...] = ()
            for c in range(1, 5):
                item = self._openings.item(r, c)
                text = item.text().strip() if item is not None else ""
                if text == "—":
                    text = ""
                try:
                    if c == 4:
                        paid = tuple(
                            parse_number(t.strip().rstrip("%"))
                            for t in text.split(",")
                            if t.strip()
                        )
                    else:
                        values.append(parse_number(text) if text else Decimal("0.00"))
                except ValueError:
                    problems.append(
                        Problem(
                            "opening_balances",
                            f"{row.name}: the {names[c - 1]} must be a number (got '{text}').",
                        )
                    )
                    values.append(Decimal("0.00"))
            out.append(OpeningBalance(row.rep_id, values[0], values[1], values[2], paid))
        return out

    def _show_logo(self) -> None:
        pixmap = QPixmap()
        if self._logo is not None and pixmap.loadFromData(QByteArray(self._logo), "PNG"):
            self._logo_preview.setPixmap(
                pixmap.scaledToHeight(
                    LOGO_PREVIEW_HEIGHT, Qt.TransformationMode.SmoothTransformation
                )
            )
        else:
            self._logo_preview.clear()
            self._logo_preview.setText("No logo" if self._logo is None else "Not a PNG image")
        self._remove_logo.setEnabled(self._logo is not None and not self._read_only)

    def form_value(self) -> Company:
        """The company as the form shows it now."""
        return dataclasses.replace(
            self._ensure_loaded(),
            name=self._name.text().strip(),
            address=self._address.toPlainText(),
            currency=self._currency.currentData(),
            fiscal_year_start=self._fiscal.currentIndex() + 1,
            page_size=PageSize(self._page_size.currentData()),
            clawback_policy=ClawbackPolicy(
                window_days=self._window.value(), method=ClawbackMethod(self._method.currentData())
            ),
            forgive_balance_at_termination=self._forgive.isChecked(),
            statement_help_text=self._help.toPlainText(),
            logo_png=self._logo,
            books_start=from_month_edit(self._books_month) if self._books.isChecked() else None,
            payouts=self.payout_settings(),
        )

    def _show_problems(self, problems: list[Problem] | tuple[Problem, ...]) -> None:
        by_field: dict[str, list[str]] = {}
        general: list[str] = []
        for p in problems:
            key = _FIELD_OF.get(p.field)
            if p.field.startswith("opening_balances"):
                key = "opening_balances"
                index = re.match(r"opening_balances\[(\d+)\]", p.field)
                if index and int(index.group(1)) < len(self._opening_rows):
                    name = self._opening_rows[int(index.group(1))].name
                    if not p.message.startswith(name):
                        p = Problem(p.field, f"{name}: {p.message}")
            (by_field.setdefault(key, []) if key else general).append(p.message)
        for key, label in self._problem_labels.items():
            label.setText("\n".join(by_field.get(key, [])))
            label.setVisible(key in by_field)
        self._general.setText("\n".join(general))
        self._general.setVisible(bool(general))

    def problem_text(self, key: str) -> str:
        """The problem shown under a field ("" if none): for tests."""
        label = self._problem_labels[key]
        return label.text() if not label.isHidden() else ""

    @property
    def status(self) -> str:
        """What the line beside Save says: "Saved." after a save (until the next edit),
        "Unsaved changes" while the form differs from the file, else "" (for tests)."""
        return self._status.text()

    # Read-only mode (another instance holds the file).
    _read_only = False

    def set_read_only(self, read_only: bool) -> None:
        self._read_only = read_only
        for w in (self._name, self._address, self._help, *self._texts.values()):
            w.setReadOnly(read_only)
        for w in (
            self._currency,
            self._books,
            self._books_month,
            self._fiscal,
            self._page_size,
            self._window,
            self._method,
            self._forgive,
            self._pay_day,
            self._months_after,
            self._provider,
            self._questions_days,
            self._choose_logo,
            self._save,
            self._revert,
        ):
            w.setEnabled(not read_only)
        self._show_logo()

    def refresh(self) -> None:
        self._company = records.get_company(self._file)
        self._show(self._company)

    def has_unsaved_edits(self) -> bool:
        """Whether the form shows something other than the settings it loaded."""
        return self._company is not None and self._state() != self._loaded_state

    def _state(self) -> tuple[object, ...]:
        problems: list[Problem] = []
        return (self.form_value(), tuple(self._read_openings(problems)), tuple(problems))

    # Slots.
    def _on_save_clicked(self) -> None:
        problems: list[Problem] = []
        openings = self._read_openings(problems)
        if problems:
            self._show_problems(problems)
            return
        try:
            with writing(self):  # shown here; the hub tells the other views
                saved = records.update_company(
                    self._file, self.form_value(), opening_balances=openings
                )
        except ValidationError as e:
            self._show_problems(e.problems)
            return
        except CompanyFileError as e:
            Messages.error(self, "Cannot save the settings", e)
            return
        self._company = saved
        self._show(saved)
        self._status.setText("Saved.")
        self.saved.emit(saved)

    def on_changes(self, change: Change) -> None:
        """Saved elsewhere (reps, plans, closes): re-read, unless the form holds edits."""
        if self._company is not None and not self.has_unsaved_edits():
            self.refresh()

    def _on_books_changed(self, *_args: object) -> None:
        if self._loading:
            return
        self._books_month.setEnabled(self._books.isChecked() and self._locked is None)
        problems: list[Problem] = []
        typed = {ob.rep_id: ob for ob in self._read_openings(problems)}
        self._show_openings(typed)

    def _on_form_edited(self, *_args: object) -> None:
        if self._loading:
            return
        edited = self.has_unsaved_edits()
        if edited:
            self._status.setText("Unsaved changes")
        elif self._status.text() == "Unsaved changes":
            self._status.setText("")
        if edited != self._edited:
            self._edited = edited
            self.edited_changed.emit(edited)

    def _on_pay_date_changed(self, *_args: object) -> None:
        after = self._months_after.value()
        self._months_after_label.setText(
            "months later: the statement's month itself"
            if after == 0
            else "month later"
            if after == 1
            else "months later"
        )
        self._pay_date_note.setText(pay_date_sentence(self._pay_day.value(), after, _last_month()))

    def _on_revert_clicked(self) -> None:
        self._show(self._ensure_loaded())

    def _on_choose_logo_clicked(self) -> None:
        path = FileDialogs.choose_logo(self)
        if path is None:
            return
        try:
            self._logo = path.read_bytes()
        except OSError as e:
            Messages.error(self, "Cannot read the logo", e)
            return
        self._show_logo()

    def _on_remove_logo_clicked(self) -> None:
        self._logo = None
        self._show_logo()
