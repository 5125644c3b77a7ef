"""Roles: the company's roles with their default plan; add, edit and delete them."""

from __future__ import annotations

import dataclasses

from PySide6.QtCore import QModelIndex, Qt
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from icmdesk.domain.entities import Role
from icmdesk.domain.errors import NotFoundError, Problem, ValidationError
from icmdesk.services import choices, records
from icmdesk.services.choices import RoleRowView
from icmdesk.services.company import CompanyHandle
from icmdesk.ui.changes import PLANS, REPS, ROLES, Changes, follow
from icmdesk.ui.forms import (
    ErrorLabel,
    FieldErrors,
    GuardedDialog,
    RowKeys,
    SelectionButtons,
    with_error,
)
from icmdesk.ui.messages import Messages
from icmdesk.ui.tables import (
    RIGHT,
    Column,
    ValueTableModel,
    make_table,
    set_column_widths,
    sorting_proxy,
)


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


class RolesView(QWidget):
    """Every role with its default plan and how many reps hold it."""

    def __init__(
        self,
        company_file: CompanyHandle,
        parent: QWidget | None = None,
        *,
        changes: Changes | None = None,
    ) -> None:
        super().__init__(parent)
        self._read_only = False
        self._file = company_file
        self._changes = changes or Changes(self)
        follow(self, self._changes, frozenset({REPS, ROLES, PLANS}), self.refresh)
        self._model: ValueTableModel[RoleRowView] = ValueTableModel(
            [
                Column("Role", lambda r: r.name),
                Column("Default plan", lambda r: r.default_plan),
                Column("Reps", lambda r: r.reps, str, RIGHT),
            ],
            choices.role_rows(company_file),
            self,
        )
        self._proxy = sorting_proxy(self._model, self)
        layout = QVBoxLayout(self)
        bar = QHBoxLayout()
        self.add_button = QPushButton("&Add role…")
        self.edit_button = QPushButton("&Edit…")
        self.delete_button = QPushButton("&Delete")
        self.search = QLineEdit()
        self.search.setPlaceholderText("Search roles or plans")
        self.search.setMinimumWidth(self.fontMetrics().averageCharWidth() * 28)
        self.search.setClearButtonEnabled(True)
        bar.addWidget(self.search)
        for button in (self.add_button, self.edit_button, self.delete_button):
            bar.addWidget(button)
        bar.addStretch(1)
        self._count = QLabel()
        bar.addWidget(self._count)
        layout.addLayout(bar)
        self.table: QTableView = make_table(self)
        self.table.setModel(self._proxy)
        self.table.setSortingEnabled(True)
        self.table.sortByColumn(0, Qt.SortOrder.AscendingOrder)
        set_column_widths(self.table, (28, 28, 8))
        layout.addWidget(self.table)
        self.add_button.clicked.connect(self.add_role)
        self.edit_button.clicked.connect(self.edit_role)
        self.delete_button.clicked.connect(self.delete_role)
        self.table.doubleClicked.connect(self._on_table_double_clicked)
        self.search.textChanged.connect(self._on_search_text_changed)
        self._row_keys = RowKeys(
            self.table, edit=self.edit_role, add=self.add_role, delete=self.delete_role
        )
        # Edit and Delete act on the selected row: enabled only while one is.
        self._row_buttons = SelectionButtons(self.table, self.edit_button, self.delete_button)
        self._show_count()

    def set_read_only(self, read_only: bool) -> None:
        """A file opened read-only: the table stays, the edits go."""
        self._read_only = read_only
        self.add_button.setEnabled(not read_only)
        self._row_buttons.set_read_only(read_only)

    @property
    def model(self) -> ValueTableModel[RoleRowView]:
        return self._model

    def refresh(self) -> None:
        self._model.set_rows(choices.role_rows(self._file))
        self._show_count()

    def selected_role(self) -> RoleRowView | None:
        rows = self.table.selectionModel().selectedRows()
        if not rows:
            return None
        return self._model.row_value(self._proxy.mapToSource(rows[0]).row())

    def add_role(self) -> None:
        if self._read_only:
            return
        if RoleDialog.edit(self, self._file, None) is not None:
            self._written()

    def edit_role(self) -> None:
        if self._read_only:
            return
        row = self.selected_role()
        if row is None:
            return
        try:
            role = records.get_role(self._file, row.id)
        except NotFoundError as e:
            Messages.error(self, "The role is gone", e)
            self.refresh()
            return
        if RoleDialog.edit(self, self._file, role) is not None:
            self._written()

    def delete_role(self) -> None:
        if self._read_only:
            return
        row = self.selected_role()
        if row is None or not Messages.confirm(
            self,
            "Delete role",
            f"Delete the role {row.name}?",
            "Only a role no rep holds can be deleted: move its reps to another role first.",
            "Delete",
        ):
            return
        try:
            records.delete_role(self._file, row.id)
        except (ValidationError, NotFoundError) as e:
            Messages.error(self, f"The role {row.name} was not deleted", e)
        self._written()

    def _written(self) -> None:
        """A role was saved: show it here, and tell the other views."""
        self.refresh()
        self._changes.announce(ROLES, source=self)

    def _on_table_double_clicked(self, index: QModelIndex) -> None:
        self.table.selectRow(index.row())
        self.edit_role()

    def _on_search_text_changed(self, text: str) -> None:
        self._proxy.setFilterFixedString(text.strip())
        self._show_count()

    def _show_count(self) -> None:
        total, shown = self._model.rowCount(), self._proxy.rowCount()
        noun = "role" if total == 1 else "roles"
        self._count.setText(f"{shown} of {total} {noun}" if shown != total else f"{total} {noun}")
