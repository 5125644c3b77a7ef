"""The rep editor: who the rep is (name, email, payroll id, role, manager, dates) and
their plan assignments, each with an optional quota override and draw.

Save hands the rep and all assignments to `rep_form.save_rep_with_assignments`,
which validates them together and writes them in one unit of work; every
problem is shown beside its field (an assignment's under its row). What a row's
draw means as typed (blank: none; a blank maximum recovery: the default) is
`rep_form.draw_as_typed`'s to say.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from datetime import date
from decimal import Decimal

from PySide6.QtCore import QDate
from PySide6.QtWidgets import QComboBox, QFormLayout, QLabel, QLineEdit

from icmdesk.domain.calendar import Month
from icmdesk.domain.engine.context import draw_months
from icmdesk.domain.engine.fmt import fmt_money
from icmdesk.domain.entities import NEW, Assignment, DrawKind, Rep
from icmdesk.domain.errors import Problem
from icmdesk.services import choices, records, rep_form
from icmdesk.services.choices import Choice
from icmdesk.ui.dialogs import RecordEditor
from icmdesk.ui.forms import (
    EditorRow,
    OptionalDate,
    RowsEditor,
    date_edit,
    from_qdate,
    month_edit,
    number_edit,
    parse_number,
    with_error,
)

_KINDS = ((DrawKind.RECOVERABLE, "recoverable"), (DrawKind.NON_RECOVERABLE, "non-recoverable"))


def _combo(items: Sequence[Choice], none_text: str, current: int | None) -> QComboBox:
    combo = QComboBox()
    combo.addItem(none_text, None)
    for item in items:
        combo.addItem(item.name, item.id)
    if current is not None:
        found = combo.findData(current)
        if found < 0:
            combo.addItem(f"#{current}", current)
            found = combo.count() - 1
        combo.setCurrentIndex(found)
    return combo


class AssignmentRow(EditorRow):
    """One assignment: plan and dates, quota override, and the draw (blank amount: none)."""

    def __init__(
        self, plans: Sequence[Choice], a: Assignment | None = None, default_day: date | None = None
    ) -> None:
        self.assignment_id = a.id if a else NEW
        self.plan = _combo(plans, "Choose a plan", a.plan_id if a else None)
        self.start = date_edit(a.effective_from if a else default_day)
        self.end = OptionalDate("to", a.effective_to if a else None)
        self.quota = number_edit(a.quota_override if a else None, placeholder="plan's quota")
        self.quota.setToolTip("Quota override: leave blank to use the plan's quota")
        draw = a.draw if a else None
        self.draw_amount = number_edit(draw.amount if draw else None, placeholder="no draw")
        self.draw_amount.setToolTip("Draw per month: leave blank for no draw")
        # Room for a whole amount and the placeholders: the rows squeezed them to a few digits.
        for edit in (self.quota, self.draw_amount):
            edit.setMinimumWidth(edit.fontMetrics().horizontalAdvance("plan's quota") + 16)
        self.draw_kind = QComboBox()
        for kind, text in _KINDS:
            self.draw_kind.addItem(text, kind.value)
        kind = draw.kind if draw else rep_form.DEFAULT_DRAW_KIND
        self.draw_kind.setCurrentIndex(self.draw_kind.findData(kind.value))
        self.draw_start = month_edit(draw.start_month if draw else None)
        self.draw_end = OptionalDate(
            "until", draw.end_month.first_day if draw and draw.end_month else None
        )
        self.draw_end.edit.setDisplayFormat("yyyy-MM")
        self.max_recovery = number_edit(
            draw.max_recovery_pct if draw else rep_form.DEFAULT_MAX_RECOVERY_PCT
        )
        self.max_recovery.setToolTip(
            "The most recovered per month, as a % of earnings above the draw"
        )
        self._connect_changes()
        super().__init__(
            [self.plan, QLabel("from"), self.start, self.end, QLabel("quota"), self.quota],
            [
                QLabel("Draw"),
                self.draw_amount,
                self.draw_kind,
                QLabel("from"),
                self.draw_start,
                self.draw_end,
                QLabel("max recovery %"),
                self.max_recovery,
            ],
        )

    def _connect_changes(self) -> None:
        # Relayed once the row is built (EditorRow's signal exists only then).
        self._relays = (
            self.plan.currentIndexChanged,
            self.start.dateChanged,
            self.end.changed,
            self.draw_amount.textChanged,
            self.draw_kind.currentIndexChanged,
            self.draw_start.dateChanged,
            self.draw_end.changed,
        )

    def relay_changes(self) -> None:
        for signal in self._relays:
            signal.connect(self.changed)


def _draw_text(a: Assignment, plan_name: str, currency: str) -> str:
    """One draw, the assignment it belongs to and the months it runs, for the rep's form."""
    assert a.draw is not None
    d = a.draw
    months = draw_months(a)
    kind = "recoverable" if d.kind is DrawKind.RECOVERABLE else "non-recoverable"
    span = f"{months.first} to {months.last}" if months.last else f"from {months.first}"
    until = f" to {a.effective_to}" if a.effective_to else ""
    text = (
        f"Draw of {fmt_money(d.amount, currency)} a month ({kind}), {span}: from the "
        f"assignment to {plan_name} (from {a.effective_from}{until})"
    )
    if d.end_month is None:
        return text + "; it ends with that assignment."
    if a.effective_to is not None and Month.of(a.effective_to) < d.end_month:
        return (
            text + "; it runs on after that assignment ends, paid in its months while the rep "
            "is employed."
        )
    return text + "."


class RepDialog(RecordEditor[Rep]):
    """Add or edit one rep with their assignments. `saved` holds the stored rep,
    `saved_assignments` their assignments as stored."""

    noun = "rep"
    width_chars = 135
    saved_assignments: tuple[Assignment, ...] = ()

    def _label(self, record: Rep) -> str:
        return record.name

    def _build_ui(self) -> None:
        rep = self._record
        self._plans = choices.plans(self._file)
        self._currency = records.get_company(self._file).currency
        layout = self.body
        form = QFormLayout()
        self.name = QLineEdit(rep.name if rep else "")
        self.email = QLineEdit(rep.email if rep else "")
        self.payroll_id = QLineEdit(rep.payroll_id if rep else "")
        self.aliases = QLineEdit("; ".join(rep.aliases) if rep else "")
        self.aliases.setPlaceholderText("e.g. Dan Reyes; dreyes@crm.example")
        self.aliases.setToolTip(
            "Other names and emails this rep goes by in CRM exports, separated by "
            "semicolons: an import credits the rep with the deals of an owner so named."
        )
        self.role = _combo(choices.roles(self._file), "No role", rep.role_id if rep else None)
        managers = [r for r in choices.reps(self._file) if rep is None or r.id != rep.id]
        self.manager = _combo(managers, "No manager", rep.manager_id if rep else None)
        self.hire_date = date_edit(rep.hire_date if rep else None)
        self.termination = OptionalDate("Left on", rep.termination_date if rep else None)
        for label, widget, field in (
            ("&Name:", self.name, "name"),
            ("&Email:", self.email, "email"),
            ("&Payroll id:", self.payroll_id, "payroll_id"),
            ("&Other names:", self.aliases, "aliases"),
            ("&Role:", self.role, "role_id"),
            ("&Manager:", self.manager, "manager_id"),
            ("&Hired:", self.hire_date, "hire_date"),
            ("&Termination:", self.termination, "termination_date"),
        ):
            form.addRow(label, with_error(widget, self.errors, field))
        layout.addLayout(form)
        self.assignments = RowsEditor("Plan assignments", "Add &assignment", self._new_row)
        for a in choices.assignments_of(self._file, rep.id) if rep else ():
            self.assignments.add_row(self._relayed(AssignmentRow(self._plans, a)))
        layout.addWidget(self.assignments)
        self.draws_note = QLabel()
        self.draws_note.setWordWrap(True)
        layout.addWidget(self.draws_note)
        self.assignments.changed.connect(self._show_draws)
        self.assignments.changed.connect(self.fit_contents)  # a row or a note takes room
        self._show_draws()
        self._default_plans = choices.default_plans(self._file)
        self._auto_row: AssignmentRow | None = None  # the row the role's plan filled in
        self.role.currentIndexChanged.connect(self._on_role_current_index_changed)
        self.hire_date.dateChanged.connect(self._on_hire_date_date_changed)

    def _on_role_current_index_changed(self, _index: int) -> None:
        """A role with a default plan fills in the rep's first assignment, from the hire
        date, while none is set by hand."""
        plan_id = self._default_plans.get(self.role.currentData())
        if plan_id is None:
            return
        rows = self.assignment_rows()
        if not rows:
            self._auto_row = self._relayed(
                AssignmentRow(self._plans, default_day=from_qdate(self.hire_date.date()))
            )
            self.assignments.add_row(self._auto_row)
            rows = [self._auto_row]
        row = rows[0]
        if len(rows) == 1 and (row is self._auto_row or row.plan.currentData() is None):
            row.plan.setCurrentIndex(row.plan.findData(plan_id))

    def _on_hire_date_date_changed(self, day: QDate) -> None:
        if self._auto_row is not None and self._auto_row in self.assignment_rows():
            self._auto_row.start.setDate(day)

    def _new_row(self) -> EditorRow:
        return self._relayed(
            AssignmentRow(self._plans, default_day=from_qdate(self.hire_date.date()))
        )

    @staticmethod
    def _relayed(row: AssignmentRow) -> AssignmentRow:
        row.relay_changes()
        return row

    def _show_draws(self) -> None:
        """Each draw typed, with the assignment it comes from and the months it runs."""
        _rep, assignments, _problems = self.values()
        names = {p.id: p.name for p in self._plans}
        texts = [
            _draw_text(a, names.get(a.plan_id, "a plan to choose"), self._currency)
            for a in assignments
            if a.draw is not None and (a.effective_to is None or a.effective_from <= a.effective_to)
        ]
        self.draws_note.setText("\n".join(texts))
        self.draws_note.setVisible(bool(texts))

    def assignment_rows(self) -> list[AssignmentRow]:
        return [r for r in self.assignments.rows if isinstance(r, AssignmentRow)]

    def values(self) -> tuple[Rep, list[Assignment], list[Problem]]:
        """The rep and assignments as typed, and the inputs that are not numbers (read as
        blank, so the rest can still be checked)."""
        problems: list[Problem] = []

        def number(text: str, field: str, what: str, blank: Decimal | None) -> Decimal | None:
            if not text.strip():
                return blank
            try:
                return parse_number(text)
            except ValueError:
                problems.append(Problem(field, f"{what} must be a number (got '{text.strip()}')."))
                return blank

        base = self._record or Rep("", date.today())
        rep = dataclasses.replace(
            base,
            name=self.name.text().strip(),
            email=self.email.text().strip(),
            payroll_id=self.payroll_id.text().strip(),
            aliases=tuple(" ".join(a.split()) for a in self.aliases.text().split(";") if a.strip()),
            role_id=self.role.currentData(),
            manager_id=self.manager.currentData(),
            hire_date=from_qdate(self.hire_date.date()),
            termination_date=self.termination.value(),
        )
        assignments = []
        for i, row in enumerate(self.assignment_rows()):
            f = f"assignments[{i}]"
            plan_id = row.plan.currentData()
            if plan_id is None:
                problems.append(Problem(f"{f}.plan_id", "Choose the plan."))
            quota = number(row.quota.text(), f"{f}.quota_override", "The quota override", None)
            amount = number(row.draw_amount.text(), f"{f}.draw.amount", "The draw", None)
            recovery = None
            if amount is not None:  # without a draw, its maximum recovery is not read
                recovery = number(
                    row.max_recovery.text(),
                    f"{f}.draw.max_recovery_pct",
                    "The maximum recovery",
                    None,
                )
            end = row.draw_end.value()
            draw = rep_form.draw_as_typed(
                amount,
                DrawKind(row.draw_kind.currentData()),
                Month.of(from_qdate(row.draw_start.date())),
                Month.of(end) if end else None,
                recovery,
            )
            assignments.append(
                Assignment(
                    rep_id=rep.id,
                    plan_id=plan_id or 0,
                    effective_from=from_qdate(row.start.date()),
                    effective_to=row.end.value(),
                    quota_override=quota,
                    draw=draw,
                    id=row.assignment_id,
                )
            )
        return rep, assignments, problems

    def _on_buttons_accepted(self) -> None:
        self.assignments.register(self.errors, "assignments")
        rep, assignments, problems = self.values()
        self.store(
            lambda: self._write(rep, assignments),
            unreadable=problems,
            check=lambda: rep_form.check_rep_with_assignments(self._file, rep, assignments),
        )

    def _write(self, rep: Rep, assignments: Sequence[Assignment]) -> Rep:
        stored, self.saved_assignments = rep_form.save_rep_with_assignments(
            self._file, rep, assignments
        )
        return stored
