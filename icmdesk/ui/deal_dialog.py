"""The deal editor: a deal's fields, its credits (splits) and its payments.

Save hands the whole deal to `records.save_deal`; when validation refuses it,
every problem is shown beside its field and nothing is stored. The splits' running
total says what that validation would say of them (`validate_split_total`). The
dialog keeps a cancellation as it is (cancelling is its own action, with a preview).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from datetime import date
from decimal import Decimal

from PySide6.QtWidgets import QComboBox, QDateEdit, QFormLayout, QLabel, QLineEdit

from icmdesk.domain.calendar import Month, month_name
from icmdesk.domain.engine.fmt import fmt_money
from icmdesk.domain.entities import NEW, Credit, Deal, Payment
from icmdesk.domain.errors import Problem
from icmdesk.domain.validation import validate_split_total
from icmdesk.services import choices, periods, records
from icmdesk.services.choices import Choice
from icmdesk.ui.dialogs import RecordEditor
from icmdesk.ui.forms import (
    EditorRow,
    RowsEditor,
    date_edit,
    from_qdate,
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


class DealDialog(RecordEditor[Deal]):
    """Add or edit one deal. `saved` holds the stored deal once Save succeeded."""

    noun = "deal"
    width_chars = 70

    def _label(self, record: Deal) -> str:
        return record.external_id

    def _build_ui(self) -> None:
        self._reps = choices.reps(self._file)
        company = records.get_company(self._file)
        self._types = company.all_deal_types
        self._currency = company.currency
        layout = self.body
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
        self._connect_signals()
        self._load(self._record)

    def _connect_signals(self) -> None:
        self.credits.changed.connect(self._show_split_total)
        self.close_date.dateChanged.connect(self._show_closed_note)
        self.payments.changed.connect(self._show_payment_total)
        self.amount.textChanged.connect(self._show_payment_total)
        # A row added, or a longer total or note, takes room: the inputs keep theirs.
        for signal in (self.credits.changed, self.payments.changed, self.close_date.dateChanged):
            signal.connect(self.fit_contents)

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

    def _splits(self) -> tuple[list[Decimal], int, int]:
        """The splits typed so far, and how many more are blank and how many unreadable."""
        splits, blank, unreadable = [], 0, 0
        for row in self.credit_rows():
            text = row.split.text().strip()
            if not text:
                blank += 1
                continue
            try:
                splits.append(parse_number(text))
            except ValueError:
                unreadable += 1
        return splits, blank, unreadable

    def _show_split_total(self) -> None:
        """The splits' total as typed; once every split is read, what saving would say of
        them (the deal validation's own words) when it would refuse them, unless a refused
        save says so already beside the credits."""
        splits, blank, unreadable = self._splits()
        text = f"Splits total: {sum(splits, Decimal(0)).normalize():f}%"
        if unreadable:
            text += f" ({unreadable} not a number)" if unreadable > 1 else " (one not a number)"
        elif blank:
            text += " so far" + (f" ({blank} blank)" if blank > 1 else " (one blank)")
        else:
            refused = [p.message for p in validate_split_total(splits)]
            if refused and refused[0] != self.errors.text("credits"):
                text = refused[0]
        self.credits.footer.setText(text)

    def _show_closed_note(self, *_args: object) -> None:
        """Say when saving reaches a closed month: it becomes an adjustment next month."""
        days = [from_qdate(self.close_date.date())]
        if self._record is not None:
            days.append(self._record.close_date)
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

    def deal(self) -> tuple[Deal, list[Problem]]:
        """The deal as typed, and the inputs that are not numbers (read as 0)."""
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
        base = self._record or Deal("", "", amount, date.today(), id=NEW)
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
            problems,
        )

    # Slots.
    def _on_buttons_accepted(self) -> None:
        self.credits.register(self.errors, "credits")
        self.payments.register(self.errors, "payments")
        deal, problems = self.deal()
        self.store(lambda: records.save_deal(self._file, deal), unreadable=problems)
        self._show_split_total()
