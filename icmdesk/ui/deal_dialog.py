"""The deal editor: a deal's fields, its credits (splits) and its payments.

Save hands the whole deal to `records.save_deal`; when validation refuses it,
every problem is shown beside its field and nothing is stored. The dialog keeps
a cancellation as it is (cancelling is its own action, with a preview).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from datetime import date
from decimal import Decimal

from PySide6.QtWidgets import (
    QComboBox,
    QDateEdit,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QVBoxLayout,
    QWidget,
)

from icmdesk.domain.calendar import Month, month_name
from icmdesk.domain.engine.fmt import fmt_money
from icmdesk.domain.entities import NEW, Credit, Deal, Payment
from icmdesk.domain.errors import NotFoundError, Problem, ValidationError
from icmdesk.domain.money import HUNDRED
from icmdesk.services import choices, periods, records
from icmdesk.services.choices import Choice
from icmdesk.services.company import CompanyHandle
from icmdesk.ui.forms import (
    EditorRow,
    ErrorLabel,
    FieldErrors,
    GuardedDialog,
    RowsEditor,
    date_edit,
    from_qdate,
    impossible_dates,
    number_edit,
    parse_number,
    with_error,
)


class CreditRow(EditorRow):
    def __init__(self, reps: Sequence[Choice], credit: Credit | None = None) -> None:
        self.rep = QComboBox()
        self.rep.setPlaceholderText("Choose a rep")
        for r in reps:
            self.rep.addItem(r.name, r.id)
        self.split = number_edit(credit.split_pct if credit else None, placeholder="split %")
        self.split.setToolTip("The rep's split, in percent of the deal amount")
        super().__init__([self.rep, self.split])
        if credit is not None:
            found = self.rep.findData(credit.rep_id)
            if found < 0:  # a rep not in the list any more: keep it selectable as it is
                self.rep.addItem(f"Rep #{credit.rep_id}", credit.rep_id)
                found = self.rep.count() - 1
            self.rep.setCurrentIndex(found)
        self.rep.currentIndexChanged.connect(self.changed)
        self.split.textChanged.connect(self.changed)


class PaymentRow(EditorRow):
    def __init__(self, payment: Payment | None = None, default_day: date | None = None) -> None:
        self.day: QDateEdit = date_edit(payment.date if payment else default_day)
        self.amount = number_edit(payment.amount if payment else None, placeholder="amount")
        super().__init__([self.day, self.amount])
        self.day.dateChanged.connect(self.changed)
        self.amount.textChanged.connect(self.changed)


class DealDialog(GuardedDialog):
    """Add or edit one deal. `saved` holds the stored deal once Save succeeded."""

    def __init__(
        self, company_file: CompanyHandle, deal: Deal | None, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self._file = company_file
        self._deal = deal
        self._reps = choices.reps(company_file)
        company = records.get_company(company_file)
        self._types = company.all_deal_types
        self._currency = company.currency
        self.saved: Deal | None = None
        self._build_ui()
        self._connect_signals()
        self._load(deal)
        self.what = "the deal"
        self.mark_loaded()

    @classmethod
    def edit(
        cls, parent: QWidget | None, company_file: CompanyHandle, deal: Deal | None
    ) -> Deal | None:
        """Show the editor (deal None: a new deal); the stored deal, or None if cancelled."""
        dialog = cls(company_file, deal, parent)
        return dialog.saved if dialog.exec() == QDialog.DialogCode.Accepted else None

    def _build_ui(self) -> None:
        self.setWindowTitle("New deal" if self._deal is None else f"Deal {self._deal.external_id}")
        layout = QVBoxLayout(self)
        self.errors = FieldErrors(ErrorLabel(self))
        layout.addWidget(self.errors.label(""))
        form = QFormLayout()
        self.external_id = QLineEdit()
        self.external_id.setPlaceholderText("the CRM's id, e.g. D-1042")
        self.deal_name = QLineEdit()
        self.deal_name.setPlaceholderText("the deal's name in the CRM (optional)")
        self.customer = QLineEdit()
        self.amount = number_edit(placeholder="0.00")
        self.close_date = date_edit()
        self.deal_type = QComboBox()
        self.deal_type.addItems(list(self._types))
        form.addRow("&Deal id:", with_error(self.external_id, self.errors, "external_id"))
        form.addRow("&Name:", with_error(self.deal_name, self.errors, "name"))
        form.addRow("C&ustomer:", with_error(self.customer, self.errors, "customer"))
        form.addRow("&Amount:", with_error(self.amount, self.errors, "amount"))
        form.addRow("C&lose date:", with_error(self.close_date, self.errors, "close_date"))
        form.addRow("&Type:", with_error(self.deal_type, self.errors, "deal_type"))
        layout.addLayout(form)
        self.closed_note = QLabel()  # a deal dated in a closed month: where a change is paid
        self.closed_note.setWordWrap(True)
        self.closed_note.hide()
        layout.addWidget(self.closed_note)
        self.cancelled_note = QLabel()
        self.cancelled_note.setWordWrap(True)
        self.cancelled_note.hide()
        layout.addWidget(self.cancelled_note)

        self.credits = RowsEditor("Credits (splits)", "Add &credit", self._new_credit_row)
        layout.addWidget(self.credits)
        self.payments = RowsEditor("Payments received", "Add &payment", self._new_payment_row)
        layout.addWidget(self.payments)

        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel
        )
        layout.addWidget(self.buttons)
        self.setMinimumWidth(self.fontMetrics().averageCharWidth() * 70)

    def _connect_signals(self) -> None:
        self.buttons.accepted.connect(self._on_buttons_accepted)
        self.buttons.rejected.connect(self.reject)
        self.credits.changed.connect(self._show_split_total)
        self.close_date.dateChanged.connect(self._show_closed_note)
        self.payments.changed.connect(self._show_payment_total)
        self.amount.textChanged.connect(self._show_payment_total)

    def _new_credit_row(self) -> EditorRow:
        return CreditRow(self._reps)

    def _new_payment_row(self) -> EditorRow:
        return PaymentRow(default_day=from_qdate(self.close_date.date()))

    def _load(self, deal: Deal | None) -> None:
        if deal is None:
            self.deal_type.setCurrentIndex(0)
            self.credits.add_row()
            self._show_split_total()
            self._show_payment_total()
            return
        self.external_id.setText(deal.external_id)
        self.deal_name.setText(deal.name)
        self.customer.setText(deal.customer)
        self.amount.setText(f"{deal.amount:f}")
        self.close_date.setDate(date_edit(deal.close_date).date())
        if self.deal_type.findText(deal.deal_type) < 0:
            self.deal_type.addItem(deal.deal_type)
        self.deal_type.setCurrentText(deal.deal_type)
        for c in deal.credits:
            self.credits.add_row(CreditRow(self._reps, c))
        for p in deal.payments:
            self.payments.add_row(PaymentRow(p))
        if deal.cancellation_date is not None:
            self.cancelled_note.setText(
                f"Cancelled on {deal.cancellation_date.isoformat()}: {deal.cancellation_reason}"
            )
            self.cancelled_note.show()
        self._show_split_total()
        self._show_payment_total()
        self._show_closed_note()

    # Reading the form.
    def credit_rows(self) -> list[CreditRow]:
        return [r for r in self.credits.rows if isinstance(r, CreditRow)]

    def payment_rows(self) -> list[PaymentRow]:
        return [r for r in self.payments.rows if isinstance(r, PaymentRow)]

    def _split_total(self) -> tuple[Decimal, int, int]:
        """The splits typed so far: their total, how many are blank, how many unreadable."""
        total, blank, unreadable = Decimal(0), 0, 0
        for row in self.credit_rows():
            text = row.split.text().strip()
            if not text:
                blank += 1
                continue
            try:
                total += parse_number(text)
            except ValueError:
                unreadable += 1
        return total, blank, unreadable

    def _show_split_total(self) -> None:
        total, blank, unreadable = self._split_total()
        text = f"Splits total: {total.normalize():f}%"
        if unreadable:
            text += f" ({unreadable} not a number)" if unreadable > 1 else " (one not a number)"
        elif blank:
            text += " so far" + (f" ({blank} blank)" if blank > 1 else " (one blank)")
        elif self.credit_rows() and total < HUNDRED:
            text += " (at least 100% needed)"
        self.credits.footer.setText(text)

    def _show_closed_note(self, *_args: object) -> None:
        """Say when saving reaches a closed month: it becomes an adjustment next month."""
        days = [from_qdate(self.close_date.date())]
        if self._deal is not None:
            days.append(self._deal.close_date)
        notes = []
        for day in sorted(set(days)):
            posted = periods.posting_month(self._file, day)
            if posted != Month.of(day):
                notes.append((Month.of(day), posted))
        if not notes:
            self.closed_note.hide()
            return
        closed, posted = notes[0]
        self.closed_note.setText(
            f"{month_name(closed)} is closed: its statements stay as they were, and what "
            f"this change alters there is paid as a prior-period adjustment in "
            f"{month_name(posted)}."
        )
        self.closed_note.show()

    def _show_payment_total(self) -> None:
        """What was received against the deal amount; more than it is allowed (a refund
        still to come, a corrected amount) and said, since commission stops at the amount."""
        try:
            amount = parse_number(self.amount.text())
            received = sum(
                (parse_number(row.amount.text()) for row in self.payment_rows()), Decimal(0)
            )
        except ValueError:
            self.payments.footer.setText("Received: —" if self.payment_rows() else "")
            return
        if not self.payment_rows():
            self.payments.footer.setText("")
            return
        cur = self._currency
        text = f"Received {fmt_money(received, cur)} of {fmt_money(amount, cur)}"
        if amount > 0 and received > amount:
            text = (
                f"Received {fmt_money(received, cur)}: overpaid by "
                f"{fmt_money(received - amount, cur)}. Commission is earned on the deal "
                f"amount, {fmt_money(amount, cur)}, only."
            )
        self.payments.footer.setText(text)

    def deal(self) -> tuple[Deal | None, list[Problem]]:
        """The deal as typed, or the inputs that are not numbers."""
        problems: list[Problem] = []

        def number(text: str, field: str, what: str) -> Decimal:
            try:
                return parse_number(text)
            except ValueError:
                shown = f"'{text.strip()}'" if text.strip() else "nothing"
                problems.append(Problem(field, f"{what} must be a number (got {shown})."))
                return Decimal(0)

        amount = number(self.amount.text(), "amount", "The deal amount")
        credits = []
        for i, row in enumerate(self.credit_rows()):
            rep_id = row.rep.currentData()
            if rep_id is None:
                problems.append(Problem(f"credits[{i}].rep_id", "Choose the rep credited."))
            split = number(row.split.text(), f"credits[{i}].split_pct", "The split")
            credits.append(Credit(rep_id or 0, split))
        payments = tuple(
            Payment(
                from_qdate(row.day.date()),
                number(row.amount.text(), f"payments[{i}].amount", f"Payment {i + 1}"),
            )
            for i, row in enumerate(self.payment_rows())
        )
        if problems:
            return None, problems
        base = self._deal or Deal("", "", amount, date.today(), id=NEW)
        return (
            dataclasses.replace(
                base,
                external_id=self.external_id.text().strip(),
                customer=self.customer.text().strip(),
                name=self.deal_name.text().strip(),
                amount=amount,
                close_date=from_qdate(self.close_date.date()),
                deal_type=self.deal_type.currentText(),
                credits=tuple(credits),
                payments=payments,
            ),
            [],
        )

    # Slots.
    def _on_buttons_accepted(self) -> None:
        self.credits.register(self.errors, "credits")
        self.payments.register(self.errors, "payments")
        deal, problems = self.deal()
        problems = impossible_dates(self) + problems
        if deal is None or problems:
            self.errors.show(problems)
            return
        try:
            self.saved = records.save_deal(self._file, deal)
        except ValidationError as e:
            self.errors.show(e.problems)
            return
        except NotFoundError as e:
            self.errors.show([Problem("", str(e))])
            return
        self.errors.clear()
        self.accept()
