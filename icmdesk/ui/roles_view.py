"""Roles: the company's roles with their default plan; add, edit and delete them."""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence

from PySide6.QtWidgets import QComboBox, QFormLayout, QLineEdit

from icmdesk.domain.entities import Role
from icmdesk.services import choices, records
from icmdesk.services.choices import RoleRowView
from icmdesk.ui.changes import PLANS, REPS, ROLES
from icmdesk.ui.dialogs import RecordEditor
from icmdesk.ui.forms import with_error
from icmdesk.ui.record_list import DeleteQuestion, RecordCalls, RecordListView
from icmdesk.ui.tables import RIGHT, Column


class RoleDialog(RecordEditor[Role]):
    """Add or edit a role: its name and the plan a new rep of the role starts on."""

    noun = "role"
    width_chars = 50

    def _label(self, record: Role) -> str:
        return record.name

    def _build_ui(self) -> None:
        role = self._record
        form = QFormLayout()
        self.name = QLineEdit(role.name if role else "")
        self.default_plan = QComboBox()
        self.default_plan.addItem("No default plan", None)
        for plan in choices.plans(self._file):
            self.default_plan.addItem(plan.name, plan.id)
        if role is not None and role.default_plan_id is not None:
            self.default_plan.setCurrentIndex(
                max(0, self.default_plan.findData(role.default_plan_id))
            )
        form.addRow("&Name:", with_error(self.name, self.errors, "name"))
        form.addRow("&Default plan:", with_error(self.default_plan, self.errors, "default_plan_id"))
        self.body.addLayout(form)

    def _on_buttons_accepted(self) -> None:
        base = self._record or Role("")
        role = dataclasses.replace(
            base, name=self.name.text().strip(), default_plan_id=self.default_plan.currentData()
        )
        self.store(lambda: records.save_role(self._file, role))


class RolesView(RecordListView[RoleRowView, Role]):
    """Every role with its default plan and how many reps hold it."""

    kinds = frozenset({REPS, ROLES, PLANS})  # the rep count, the default plan's name
    noun = "role"
    search_hint = "Search roles or plans"
    search_chars = 28
    column_chars = (28, 28, 8)
    dialog = RoleDialog
    calls = RecordCalls(records.get_role, records.delete_role, rows=choices.role_rows)

    def _columns(self) -> Sequence[Column[RoleRowView]]:
        return (
            Column("Role", lambda r: r.name),
            Column("Default plan", lambda r: r.default_plan),
            Column("Reps", lambda r: r.reps, str, RIGHT),
        )

    def _delete_question(self, record: Role) -> DeleteQuestion:
        return DeleteQuestion(
            f"Delete the role {record.name}?",
            "Only a role no rep holds can be deleted: move its reps to another role first.",
            refused=f"The role {record.name} was not deleted",
        )
