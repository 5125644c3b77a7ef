"""The reps table: a small table held in full, sorted and searched through a proxy."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import date

from PySide6.QtWidgets import QWidget

from icmdesk.domain.entities import Rep
from icmdesk.services import records
from icmdesk.services.company import CompanyHandle
from icmdesk.services.rep_table import RepRowView, rep_rows
from icmdesk.ui.changes import PLANS, REPS, ROLES, Changes
from icmdesk.ui.record_list import DeleteQuestion, RecordCalls, RecordListView
from icmdesk.ui.rep_dialog import RepDialog
from icmdesk.ui.tables import Column, date_text


def rep_columns(today: Callable[[], date]) -> list[Column[RepRowView]]:
    def status(rep: RepRowView) -> str:
        if rep.termination_date is not None and rep.termination_date < today():
            return f"Left {rep.termination_date.isoformat()}"
        if rep.hire_date > today():
            return f"Starts {rep.hire_date.isoformat()}"
        return "Active"

    return [
        Column("Name", lambda r: r.name),
        Column("Role", lambda r: r.role),
        Column("Manager", lambda r: r.manager),
        Column("Plan today", lambda r: r.plan),
        Column("Hired", lambda r: r.hire_date, date_text),
        Column("Status", status),
        Column("Payroll id", lambda r: r.payroll_id),
        Column("Email", lambda r: r.email),
    ]


class RepsView(RecordListView[RepRowView, Rep]):
    """Every rep of the company with role, manager and current plan; type to filter."""

    kinds = frozenset({REPS, ROLES, PLANS})
    noun = "rep"
    search_hint = "Search reps"
    edit_hint = " and their plans"
    # Dates, status and payroll id as wide as they read; the names share the rest (they
    # elide in a narrow window): never a sideways scroll bar for a team's list.
    fitted_columns = (4, 5, 6)  # Hired, Status, Payroll id
    stretch_columns = (0, 1, 2, 3, 7)
    dialog = RepDialog
    calls = RecordCalls(records.get_rep, records.delete_rep)

    def __init__(
        self,
        company_file: CompanyHandle,
        parent: QWidget | None = None,
        *,
        today: Callable[[], date] = date.today,
        changes: Changes | None = None,
    ) -> None:
        self._today = today  # before the base reads the rows
        super().__init__(company_file, parent, changes=changes)

    def _columns(self) -> Sequence[Column[RepRowView]]:
        return rep_columns(self._today)

    def _read_rows(self) -> Sequence[RepRowView]:
        return rep_rows(self._file, on=self._today())

    def _delete_question(self, record: Rep) -> DeleteQuestion:
        return DeleteQuestion(
            f"Delete {record.name}?",
            "Their plan assignments go with them. A rep with a history (deals, adjustments, "
            "closed statements, an opening balance, reps they manage) cannot be deleted: a "
            "rep who left keeps it — set a termination date instead.",
            refused=f"{record.name} was not deleted",
        )
