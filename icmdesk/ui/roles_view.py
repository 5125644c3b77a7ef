"""Roles: the company's roles with their default plan; add, edit and delete them."""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence

from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLineEdit,
    QVBoxLayout,
    QWidget,
)

from icmdesk.domain.entities import Role
from icmdesk.domain.errors import NotFoundError, Problem, ValidationError
from icmdesk.services import choices, records
from icmdesk.services.choices import RoleRowView
from icmdesk.services.company import CompanyHandle
from icmdesk.ui.changes import PLANS, REPS, ROLES, Changes
from icmdesk.ui.forms import ErrorLabel, FieldErrors, GuardedDialog, with_error
from icmdesk.ui.record_list import RecordListView
from icmdesk.ui.tables import RIGHT, Column, set_column_widths


class RoleDialog(GuardedDialog):
    """Add or edit a role: its name and the plan a new rep of the role starts on."""

    def __init__(
        self, company_file: CompanyHandle, role: Role | None, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self._file = company_file
        self._role = role
        self.saved: Role | None = None
        self.setWindowTitle("New role" if role is None else f"Role {role.name}")
        layout = QVBoxLayout(self)
        self.errors = FieldErrors(ErrorLabel(self))
        layout.addWidget(self.errors.label(""))
        form = QFormLayout()
        self.name = QLineEdit(role.name if role else "")
        self.default_plan = QComboBox()
        self.default_plan.addItem("No default plan", None)
        for plan in choices.plans(company_file):
            self.default_plan.addItem(plan.name, plan.id)
        if role is not None and role.default_plan_id is not None:
            self.default_plan.setCurrentIndex(
                max(0, self.default_plan.findData(role.default_plan_id))
            )
        form.addRow("&Name:", with_error(self.name, self.errors, "name"))
        form.addRow("&Default plan:", with_error(self.default_plan, self.errors, "default_plan_id"))
        layout.addLayout(form)
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel
        )
        layout.addWidget(self.buttons)
        self.setMinimumWidth(self.fontMetrics().averageCharWidth() * 50)
        self.buttons.accepted.connect(self._on_buttons_accepted)
        self.buttons.rejected.connect(self.reject)
        self.what = "the role"
        self.mark_loaded()

    @classmethod
    def edit(
        cls, parent: QWidget | None, company_file: CompanyHandle, role: Role | None
    ) -> Role | None:
        """Show the editor (role None: a new role); the stored role, or None if cancelled."""
        dialog = cls(company_file, role, parent)
        return dialog.saved if dialog.exec() == QDialog.DialogCode.Accepted else None

    def _on_buttons_accepted(self) -> None:
        base = self._role or Role("")
        role = dataclasses.replace(
            base, name=self.name.text().strip(), default_plan_id=self.default_plan.currentData()
        )
        try:
            self.saved = records.save_role(self._file, role)
        except ValidationError as e:
            self.errors.show(e.problems)
            return
        except NotFoundError as e:
            self.errors.show([Problem("", str(e))])
            return
        self.accept()


class RolesView(RecordListView[RoleRowView, Role]):
    """Every role with its default plan and how many reps hold it."""

    kinds = frozenset({REPS, ROLES, PLANS})  # the rep count, the default plan's name
    kind = ROLES
    noun = "role"
    search_hint = "Search roles or plans"
    search_chars = 28

    def __init__(
        self,
        company_file: CompanyHandle,
        parent: QWidget | None = None,
        *,
        changes: Changes | None = None,
    ) -> None:
        columns: list[Column[RoleRowView]] = [
            Column("Role", lambda r: r.name),
            Column("Default plan", lambda r: r.default_plan),
            Column("Reps", lambda r: r.reps, str, RIGHT),
        ]
        super().__init__(company_file, columns, parent, changes=changes)
        set_column_widths(self.table, (28, 28, 8))

    def _read_rows(self) -> Sequence[RoleRowView]:
        return choices.role_rows(self._file)

    def _row_id(self, row: RoleRowView) -> int:
        return row.id

    def _get(self, record_id: int) -> Role:
        return records.get_role(self._file, record_id)

    def _edit(self, record: Role | None) -> Role | None:
        return RoleDialog.edit(self, self._file, record)

    def _delete_question(self, record: Role) -> tuple[str, str]:
        return (
            f"Delete the role {record.name}?",
            "Only a role no rep holds can be deleted: move its reps to another role first.",
        )

    def _delete(self, record: Role) -> None:
        records.delete_role(self._file, record.id)

    def _name(self, record: Role) -> str:
        return f"The role {record.name}"
