"""Adjustments on screen: a rep's adjustments of a month beside their statement (Add…,
Edit…, Delete while the month is open), the small dialog that enters one, and the
preview of a bulk adjustment file before it is imported.

Writes go through `services.adjustment_import` (which refuses a closed month); the
panel says when it saved something (`changed`) and the Periods view recomputes the
statement and tells the other views.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

from PySide6.QtCore import QItemSelection, Qt, Signal
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from icmdesk.domain.calendar import Month, month_name
from icmdesk.domain.engine.fmt import fmt_money
from icmdesk.domain.entities import NEW, Adjustment
from icmdesk.domain.errors import NotFoundError, Problem, ValidationError
from icmdesk.services import adjustment_import
from icmdesk.services.adjustment_import import AdjustmentPlan
from icmdesk.services.company import CompanyHandle
from icmdesk.ui.changes import writing
from icmdesk.ui.dialogs import FormDialog
from icmdesk.ui.forms import (
    RowKeys,
    SelectionButtons,
    from_month_edit,
    month_edit,
    number_edit,
    parse_number,
    with_error,
)
from icmdesk.ui.messages import Messages
from icmdesk.ui.tables import (
    RIGHT,
    VALUE_ROLE,
    Column,
    ValueTableModel,
    fit_amounts,
    make_table,
    money_column,
    set_column_widths,
)

ADJUSTMENT_FILTER = "Adjustment files (*.csv *.txt *.xlsx);;All files (*)"


class AdjustmentDialog(FormDialog[Adjustment]):
    """Add or edit one adjustment of a rep. `saved` holds the stored adjustment once Save
    succeeded. Enter saves; Escape asks before dropping what was typed."""

    what = "the adjustment"
    width_chars = 60

    def __init__(
        self,
        company_file: CompanyHandle,
        *,
        rep_id: int,
        rep_name: str,
        month: Month,
        adjustment: Adjustment | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self._file = company_file
        self._rep_id = rep_id
        self._adjustment = adjustment
        self._build_ui(rep_name, adjustment.month if adjustment else month)
        if adjustment is not None:
            self.amount.setText(f"{adjustment.amount:f}")
            self.reason.setText(adjustment.reason)
        self.mark_loaded()

    @classmethod
    def edit(
        cls,
        parent: QWidget | None,
        company_file: CompanyHandle,
        *,
        rep_id: int,
        rep_name: str,
        month: Month,
        adjustment: Adjustment | None = None,
    ) -> Adjustment | None:
        """Show the dialog (adjustment None: a new one in `month`); the stored adjustment,
        or None if cancelled."""
        return cls(
            company_file,
            rep_id=rep_id,
            rep_name=rep_name,
            month=month,
            adjustment=adjustment,
            parent=parent,
        ).run()

    def _build_ui(self, rep_name: str, month: Month) -> None:
        self.setWindowTitle("New adjustment" if self._adjustment is None else "Adjustment")
        form = QFormLayout()
        rep = QLabel(rep_name)
        rep.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        form.addRow("Rep:", rep)
        self.month = month_edit(month)
        self.month.setToolTip("The month whose statement pays (or deducts) it")
        self.amount = number_edit(placeholder="0.00")
        self.amount.setToolTip("Positive to pay the rep more, negative to deduct")
        self.reason = QLineEdit()
        self.reason.setPlaceholderText("shown on the rep's statement")
        form.addRow("&Month:", with_error(self.month, self.errors, "month"))
        form.addRow("&Amount:", with_error(self.amount, self.errors, "amount"))
        form.addRow("&Reason:", with_error(self.reason, self.errors, "reason"))
        if self._adjustment is not None and self._adjustment.external_id:
            imported = QLabel(self._adjustment.external_id)
            imported.setToolTip("Its id in the bulk file it was imported from")
            form.addRow("Imported as:", imported)
        self.body.addLayout(form)

    def adjustment(self) -> tuple[Adjustment, list[Problem]]:
        """The adjustment as typed, and why the amount cannot be read (read as 0)."""
        text = self.amount.text()
        problems: list[Problem] = []
        try:
            amount = parse_number(text)
        except ValueError:
            shown = f"'{text.strip()}'" if text.strip() else "nothing"
            problems.append(Problem("amount", f"The amount must be a number (got {shown})."))
            amount = Decimal(0)
        base = self._adjustment or Adjustment(self._rep_id, Month(2000, 1), amount, "", id=NEW)
        return (
            dataclasses.replace(
                base,
                month=from_month_edit(self.month),
                amount=amount,
                reason=self.reason.text().strip(),
            ),
            problems,
        )

    def _on_buttons_accepted(self) -> None:
        adjustment, problems = self.adjustment()
        self.store(
            lambda: adjustment_import.save_adjustment(self._file, adjustment), unreadable=problems
        )


class DeleteAdjustmentDialog:
    """Asks before deleting an adjustment."""

    @classmethod
    def confirm(cls, parent: QWidget | None, adjustment: Adjustment, currency: str) -> bool:
        return Messages.confirm(
            parent,
            "Delete adjustment",
            f"Delete the adjustment of {fmt_money(adjustment.amount, currency)} "
            f"({adjustment.reason})?",
            f"It is taken off the {month_name(adjustment.month)} statement. The deletion is "
            "recorded in the audit log.",
            "Delete",
        )


def _source(adjustment: Adjustment) -> str:
    return adjustment.external_id or "entered here"


def _adjustment_columns(currency: str) -> list[Column[Adjustment]]:
    return [
        money_column("Amount", lambda a: a.amount, currency),
        Column("Reason", lambda a: a.reason, tooltip=lambda a: a.reason),
        Column(
            "Source",
            _source,
            tooltip=lambda a: (
                f"Imported from a bulk file, id {a.external_id}"
                if a.external_id
                else "Entered by hand"
            ),
        ),
    ]


class AdjustmentsPanel(QWidget):
    """A rep's adjustments of one month, with Add…, Edit… and Delete while it is open."""

    changed = Signal()  # an adjustment was added, changed or deleted

    def __init__(
        self, company_file: CompanyHandle, currency: str, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self._file = company_file
        self._currency = currency
        self._rep: tuple[int, str] | None = None
        self._month: Month | None = None
        self._writable = False
        self._model = ValueTableModel(_adjustment_columns(currency), parent=self)
        self._build_ui()
        self._connect_signals()
        self._update_actions()

    def _build_ui(self) -> None:
        self._note = QLabel()
        self._note.setWordWrap(True)
        self._table = make_table(self)
        self._table.setModel(self._model)
        set_column_widths(self._table, (12, 40, 16))
        fit_amounts(self._table, stretch=1)
        self._total = QLabel()
        self._total.setAlignment(RIGHT)
        self._add_button = QPushButton("Add…")
        self._add_button.setToolTip("Add an adjustment for this rep (Insert)")
        self._edit_button = QPushButton("Edit…")
        self._edit_button.setToolTip("Change the chosen adjustment (Enter)")
        self._delete_button = QPushButton("Delete")
        self._delete_button.setToolTip("Delete the chosen adjustment (Delete)")
        self._selection = SelectionButtons(self._table, self._edit_button, self._delete_button)
        buttons = QHBoxLayout()
        buttons.addWidget(self._add_button)
        buttons.addWidget(self._edit_button)
        buttons.addWidget(self._delete_button)
        buttons.addStretch(1)
        buttons.addWidget(self._total)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(6, 6, 6, 6)
        layout.addWidget(self._note)
        layout.addWidget(self._table, 1)
        layout.addLayout(buttons)

    def _connect_signals(self) -> None:
        self._add_button.clicked.connect(self._on_add_clicked)
        self._edit_button.clicked.connect(self._on_edit_clicked)
        self._delete_button.clicked.connect(self._on_delete_clicked)
        self._table.doubleClicked.connect(self._on_edit_clicked)
        RowKeys(
            self._table,
            edit=self._on_edit_clicked,
            add=self._on_add_clicked,
            delete=self._on_delete_clicked,
        )
        self._table.selectionModel().selectionChanged.connect(self._on_selection_changed)

    def show_for(
        self, rep: tuple[int, str] | None, month: Month | None, *, writable: bool, note: str = ""
    ) -> None:
        """Show `rep`'s (id, name) adjustments of `month` (None: nothing chosen);
        `writable` offers Add, Edit and Delete; `note` says why not when it does not."""
        self._rep, self._month, self._writable = rep, month, writable
        self.reload()
        if rep is None or month is None:
            self._note.setText("Choose a rep to see their adjustments of the month.")
        else:
            what = f"{rep[1]}'s adjustments in {month_name(month)}: amounts added to (or, "
            what += "negative, taken from) the month's earnings E."
            self._note.setText(f"{what} {note}".strip())

    def reload(self) -> None:
        rows: tuple[Adjustment, ...] = ()
        if self._rep is not None and self._month is not None:
            rows = adjustment_import.adjustments_of(self._file, self._rep[0], self._month)
        self._model.set_rows(rows)
        total = sum((a.amount for a in rows), Decimal(0))
        self._total.setText(f"Total {fmt_money(total, self._currency)}" if rows else "")
        self._update_actions()

    def set_writable(self, writable: bool) -> None:
        self._writable = writable
        self._update_actions()

    def _update_actions(self) -> None:
        can = self._writable and self._rep is not None and self._month is not None
        self._add_button.setEnabled(can)
        self._selection.set_read_only(not can)

    def _selected(self) -> Adjustment | None:
        rows = self._table.selectionModel().selectedRows()
        return self._model.data(rows[0], VALUE_ROLE) if rows else None

    # Slots.
    def _on_selection_changed(self, _new: QItemSelection, _old: QItemSelection) -> None:
        self._update_actions()

    def _on_add_clicked(self) -> None:
        if not self._add_button.isEnabled() or self._rep is None or self._month is None:
            return
        saved = AdjustmentDialog.edit(
            self, self._file, rep_id=self._rep[0], rep_name=self._rep[1], month=self._month
        )
        if saved is not None:
            self._saved()

    def _on_edit_clicked(self, *_args: object) -> None:
        adjustment = self._selected()
        if adjustment is None or not self._edit_button.isEnabled() or self._rep is None:
            return
        saved = AdjustmentDialog.edit(
            self,
            self._file,
            rep_id=self._rep[0],
            rep_name=self._rep[1],
            month=adjustment.month,
            adjustment=adjustment,
        )
        if saved is not None:
            self._saved()

    def _on_delete_clicked(self) -> None:
        adjustment = self._selected()
        if adjustment is None or not self._delete_button.isEnabled():
            return
        if not DeleteAdjustmentDialog.confirm(self, adjustment, self._currency):
            return
        try:
            with writing(self):  # shown here (and by the view holding this panel)
                adjustment_import.delete_adjustment(self._file, adjustment.id)
        except (ValidationError, NotFoundError) as e:
            Messages.error(self, "The adjustment was not deleted", e)
            self.reload()
            return
        self._saved()

    def _saved(self) -> None:
        self.reload()
        self.changed.emit()

    # For tests.
    @property
    def table(self):  # type: ignore[no-untyped-def]
        return self._table

    @property
    def note(self) -> str:
        return self._note.text()

    @property
    def count(self) -> int:
        return self._model.rowCount()

    @property
    def total(self) -> str:
        return self._total.text()

    @property
    def buttons(self) -> dict[str, QPushButton]:
        return {"add": self._add_button, "edit": self._edit_button, "delete": self._delete_button}


class AdjustmentFileDialog:
    """Asks for the bulk adjustment file to import."""

    @classmethod
    def choose(cls, parent: QWidget | None, folder: Path) -> Path | None:
        name, _ = QFileDialog.getOpenFileName(
            parent, "Import adjustments", str(folder), ADJUSTMENT_FILTER
        )
        return Path(name) if name else None


@dataclass(frozen=True, slots=True)
class _PreviewRow:
    row: int
    line: int
    what: str  # "Rejected", "Update"
    external_id: str
    text: str


_PREVIEW_COLUMNS: list[Column[_PreviewRow]] = [
    Column("Row", lambda r: r.row, align=RIGHT),
    Column("Line", lambda r: r.line, align=RIGHT),
    Column("", lambda r: r.what),
    Column("ID", lambda r: r.external_id),
    Column("Why / what changes", lambda r: r.text, tooltip=lambda r: r.text),
]


def preview_rows(plan: AdjustmentPlan) -> tuple[_PreviewRow, ...]:
    """The rows worth reading before importing: the rejected ones (why) and the updates
    (what changes), in file order."""
    rows = [_PreviewRow(r.row, r.line, "Rejected", r.external_id, r.reason) for r in plan.rejected]
    rows += [
        _PreviewRow(
            p.row,
            p.line,
            "Update",
            p.external_id,
            "; ".join(f"{c.field} {c.old} → {c.new}" for c in p.changes),
        )
        for p in plan.updated
    ]
    return tuple(sorted(rows, key=lambda r: r.row))


class ImportPreview(QDialog):
    """What importing a file would do: the counts, then the rejected rows and the updates."""

    def __init__(self, plan: AdjustmentPlan, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Import adjustments")
        layout = QVBoxLayout(self)
        heading = QLabel(f"{plan.path.name}: {plan.rows:,} rows")
        font = heading.font()
        font.setBold(True)
        heading.setFont(font)
        layout.addWidget(heading)
        self.summary = QLabel(_preview_text(plan))
        self.summary.setWordWrap(True)
        layout.addWidget(self.summary)
        self.model = ValueTableModel(_PREVIEW_COLUMNS, preview_rows(plan), parent=self)
        self.table = make_table(self)
        self.table.setModel(self.model)
        set_column_widths(self.table, (5, 5, 9, 12, 0))
        # The reasons wrap in the width left, never scroll sideways.
        self.table.horizontalHeader().setSectionResizeMode(4, QHeaderView.ResizeMode.Stretch)
        self.table.setWordWrap(True)
        if self.model.rowCount() <= 500:  # measuring every row of a long list would be slow
            self.table.verticalHeader().setSectionResizeMode(
                QHeaderView.ResizeMode.ResizeToContents
            )
        self.table.setVisible(bool(self.model.rowCount()))
        layout.addWidget(self.table, 1)
        self.buttons = QDialogButtonBox()
        if plan.changes:
            go = self.buttons.addButton(
                f"Import {plan.changes:,} adjustment{'s' if plan.changes != 1 else ''}",
                QDialogButtonBox.ButtonRole.AcceptRole,
            )
            go.setDefault(True)
            self.buttons.addButton(QDialogButtonBox.StandardButton.Cancel)
        else:
            self.buttons.addButton(QDialogButtonBox.StandardButton.Close)
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        layout.addWidget(self.buttons)
        chars = self.fontMetrics().averageCharWidth()
        self.resize(
            chars * 120, self.sizeHint().height() + (chars * 30 if self.model.rowCount() else 0)
        )


def _preview_text(plan: AdjustmentPlan) -> str:
    counts = (
        f"{len(plan.added):,} to add, {len(plan.updated):,} to update, "
        f"{len(plan.unchanged):,} already in, {len(plan.rejected):,} rejected."
    )
    parts = [f"{plan.description}. {counts}"]
    if plan.derived_ids:
        parts.append(
            "The file has no ID column: each adjustment is known by its rep, month, amount "
            "and reason, so importing the file again adds nothing twice (a corrected row is "
            "a new adjustment)."
        )
    if plan.rejected:
        parts.append("Rejected rows are not imported; correct them and import the file again.")
    if not plan.changes:
        parts.append("Nothing to import: the company already has every adjustment it can take.")
    return "\n\n".join(parts)


class ImportPreviewDialog:
    """Shows what importing would do; True when the user chose to import."""

    @classmethod
    def confirm(cls, parent: QWidget | None, plan: AdjustmentPlan) -> bool:
        dialog = ImportPreview(plan, parent)
        return dialog.exec() == QDialog.DialogCode.Accepted and plan.changes > 0
