"""The reps table: a small table held in full, sorted and searched through a proxy."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import date

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QHeaderView, QWidget

from icmdesk.domain.entities import Rep
from icmdesk.services import records
from icmdesk.services.company import CompanyHandle
from icmdesk.services.rep_table import RepRowView, rep_rows
from icmdesk.ui.changes import PLANS, REPS, ROLES, Changes
from icmdesk.ui.record_list import RecordListView
from icmdesk.ui.rep_dialog import RepDialog
from icmdesk.ui.tables import Column, date_text


def _columns(today: Callable[[], date]) -> list[Column[RepRowView]]:
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
    kind = REPS
    noun = "rep"
    search_hint = "Search reps"
    edit_hint = " and their plans"

    def __init__(
        self,
        company_file: CompanyHandle,
        parent: QWidget | None = None,
        *,
        today: Callable[[], date] = date.today,
        changes: Changes | None = None,
    ) -> None:
        self._today = today  # before the base reads the rows
        super().__init__(company_file, _columns(today), parent, changes=changes)
        # Dates, status and payroll id as wide as they read; the names share the rest (they
        # elide in a narrow window): never a sideways scroll bar for a team's list.
        header = self.table.horizontalHeader()
        for column in range(self._proxy.columnCount()):
            fixed = column in (4, 5, 6)  # Hired, Status, Payroll id
            header.setSectionResizeMode(
                column,
                QHeaderView.ResizeMode.ResizeToContents
                if fixed
                else QHeaderView.ResizeMode.Stretch,
            )
        self.table.setTextElideMode(Qt.TextElideMode.ElideRight)

    def _read_rows(self) -> Sequence[RepRowView]:
        return rep_rows(self._file, on=self._today())

    def _row_id(self, row: RepRowView) -> int:
        return row.id

    def _get(self, record_id: int) -> Rep:
        return records.get_rep(self._file, record_id)

    def _edit(self, record: Rep | None) -> Rep | None:
        return RepDialog.edit(self, self._file, record)

    def _delete_question(self, record: Rep) -> tuple[str, str]:
        return (
            f"Delete {record.name}?",
            "Only a rep with no deals, plan assignments or statements can be deleted. "
            "A rep who left keeps their history: set a termination date instead.",
        )

    def _delete(self, record: Rep) -> None:
        records.delete_rep(self._file, record.id)

    def _name(self, record: Rep) -> str:
        return record.name
