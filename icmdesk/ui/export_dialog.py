"""Periods ▸ Export…: a month's payouts as a payroll file, a bookkeeping journal or the
owner's Excel workbook, shown row by row before it is written.

The dialog prepares the layout chosen (services.payout_export.prepare) and previews
exactly the rows the file will hold, with what stands in the way of writing it (reps
without a payroll id, a missing ADP company code): Write… stays disabled while there is
any. An open month's file is a draft, written only once "Export a draft" is ticked.
Preparing and writing run off the GUI thread (tasks.Task): an open month is computed,
and the workbook takes a moment. The folder last written to is remembered per company.
"""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from operator import itemgetter
from pathlib import Path
from typing import Any

from PySide6.QtCore import QSettings, Qt, QUrl, Signal
from PySide6.QtGui import QDesktopServices, QFont
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QMessageBox,
    QProgressBar,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from icmdesk.domain.calendar import Month, month_name
from icmdesk.domain.payouts import LAYOUTS, PROVIDER_LAYOUT, Cell, PayoutRow, Table, cell_text
from icmdesk.services import payout_export, records
from icmdesk.services.company import CompanyHandle
from icmdesk.services.payout_export import FORMATS, TITLES, ExportResult, PayoutExport
from icmdesk.ui.file_dialogs import FileDialogs
from icmdesk.ui.forms import ErrorLabel
from icmdesk.ui.messages import Messages, error_text
from icmdesk.ui.tables import (
    LEFT,
    RIGHT,
    Column,
    ValueTableModel,
    make_table,
    money_column,
)
from icmdesk.ui.tasks import Report, Task

RESIZE_LIMIT = 500  # rows up to which the preview's columns fit their contents


def folder_key(cf: CompanyHandle) -> str:
    """The QSettings key of the folder a company's exports were last written to."""
    return f"export-folder/{cf.path.resolve().as_posix()}"


def day_text(day: Any) -> str:
    """'Sunday, November 15, 2026'."""
    return f"{day:%A, %B} {day.day}, {day.year}"


def table_columns(table: Table) -> list[Column[tuple[Cell, ...]]]:
    """The preview's columns for a file: its header, each cell as the file writes it
    (`cell_text` with the layout's date format); amounts right-aligned."""

    def text(cell: Cell) -> str:
        return cell_text(cell, table.date_format)

    return [
        Column(
            name,
            itemgetter(i),
            text,
            RIGHT if any(isinstance(row[i], Decimal) for row in table.rows) else LEFT,
        )
        for i, name in enumerate(table.header)
    ]


def workbook_columns(currency: str) -> list[Column[PayoutRow]]:
    """The workbook's preview: one row per rep paid, as its Payouts sheet has them."""
    return [
        Column("Rep", lambda r: r.rep_name),
        money_column("Net payout", lambda r: r.payout, currency),
    ]


class ExportDialog(QDialog):
    """One month's payouts in the layout chosen: preview, then Write…. Escape closes;
    Enter writes (Write… is the default button)."""

    ready = Signal()  # a preview is shown (tests wait on it)
    written = Signal(object)  # the ExportResult of a file written

    def __init__(
        self,
        company_file: CompanyHandle,
        month: Month,
        parent: QWidget | None = None,
        *,
        settings: QSettings | None = None,
    ) -> None:
        super().__init__(parent)
        self._file = company_file
        self._month = month
        self._settings = settings
        self._export: PayoutExport | None = None
        self._task: Task | None = None
        self._writing = False
        self._preparing = ""  # the layout being read
        self._task_result: Any = None
        self._task_error: BaseException | None = None
        self.results: list[ExportResult] = []
        company = records.get_company(company_file)
        self._currency = company.currency
        self._build_ui()
        self._layout.setCurrentIndex(
            self._layout.findData(PROVIDER_LAYOUT[company.payouts.provider])
        )
        self._connect_signals()
        self._prepare()

    @classmethod
    def export(
        cls,
        parent: QWidget | None,
        company_file: CompanyHandle,
        month: Month,
        *,
        settings: QSettings | None = None,
    ) -> tuple[ExportResult, ...]:
        """Show the dialog for `month`; the files it wrote before it was closed."""
        dialog = cls(company_file, month, parent, settings=settings)
        try:
            dialog.exec()
            return tuple(dialog.results)
        finally:
            # Work still under way reports to nobody: a deleted dialog's connections go.
            dialog.deleteLater()

    # Building.
    def _build_ui(self) -> None:
        self.setWindowTitle(f"Export {month_name(self._month)}")
        layout = QVBoxLayout(self)
        self._heading = QLabel(month_name(self._month))
        heading_font = QFont(self._heading.font())
        heading_font.setPointSizeF(heading_font.pointSizeF() * 1.3)
        heading_font.setBold(True)
        self._heading.setFont(heading_font)
        layout.addWidget(self._heading)

        self._layout = QComboBox()
        for fmt in FORMATS:
            self._layout.addItem(TITLES[fmt], fmt)
        self._layout.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToContents)
        self._layout.setToolTip(
            "Payroll files pay each rep; the journals book the month's commission expense; "
            "the workbook is the owner's copy of every figure"
        )
        form = QFormLayout()
        form.setContentsMargins(0, 0, 0, 0)
        caption = QLabel("&Layout:")
        caption.setBuddy(self._layout)
        row = QHBoxLayout()
        row.addWidget(self._layout)
        row.addStretch(1)
        form.addRow(caption, row)
        layout.addLayout(form)

        # An open month: what a draft is, and the explicit choice to write one.
        self._draft_box = QWidget()
        draft_layout = QVBoxLayout(self._draft_box)
        draft_layout.setContentsMargins(0, 4, 0, 4)
        draft_layout.setSpacing(4)
        self._warning = ErrorLabel()
        bold = QFont(self._warning.font())
        bold.setBold(True)
        self._warning.setFont(bold)
        self._warning.set_messages(
            [f"{month_name(self._month)} is open: this is a DRAFT; its figures can change."]
        )
        self._warning_note = QLabel(
            "Payroll is paid from closed months: close the month first, or tick the box to "
            "write a draft for review (its name says DRAFT)."
        )
        self._warning_note.setWordWrap(True)
        self._draft = QCheckBox("Export a &draft")
        draft_layout.addWidget(self._warning)
        draft_layout.addWidget(self._warning_note)
        draft_layout.addWidget(self._draft)
        self._draft_box.hide()
        layout.addWidget(self._draft_box)

        self._summary = QLabel()
        summary_font = QFont(self._summary.font())
        summary_font.setBold(True)
        self._summary.setFont(summary_font)
        self._summary.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        layout.addWidget(self._summary)
        self._problems = ErrorLabel()
        self._problems.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        layout.addWidget(self._problems)
        self._preview_note = QLabel()
        self._preview_note.setWordWrap(True)
        layout.addWidget(self._preview_note)

        self._table = make_table(self)
        self._table.horizontalHeader().setStretchLastSection(True)
        self._table.setTextElideMode(Qt.TextElideMode.ElideRight)
        layout.addWidget(self._table, 1)

        self._busy = QProgressBar()
        self._busy.setRange(0, 0)  # nothing to count: a busy bar
        self._busy.setTextVisible(False)
        self._busy.setMaximumWidth(120)
        self._busy.hide()
        self._status = QLabel()
        self._status.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self._buttons = QDialogButtonBox()
        self._write = QPushButton("&Write…")
        self._write.setToolTip("Choose where, then write the file (Enter)")
        self._buttons.addButton(self._write, QDialogButtonBox.ButtonRole.ActionRole)
        self._close = self._buttons.addButton(QDialogButtonBox.StandardButton.Close)
        self._write.setDefault(True)
        bottom = QHBoxLayout()
        bottom.addWidget(self._busy)
        bottom.addWidget(self._status, 1)
        bottom.addWidget(self._buttons)
        layout.addLayout(bottom)

        chars = self.fontMetrics().averageCharWidth()
        self.resize(max(900, chars * 110), 600)

    def _connect_signals(self) -> None:
        self._layout.currentIndexChanged.connect(self._on_layout_changed)
        self._draft.toggled.connect(self._on_draft_toggled)
        self._write.clicked.connect(self._on_write_clicked)
        self._buttons.rejected.connect(self.reject)

    # What tests (and the periods view) read.
    @property
    def layout_combo(self) -> QComboBox:
        return self._layout

    @property
    def draft_check(self) -> QCheckBox:
        return self._draft

    @property
    def write_button(self) -> QPushButton:
        return self._write

    @property
    def table(self) -> QTableView:
        return self._table

    @property
    def prepared(self) -> PayoutExport | None:
        """The export previewed now (None while the chosen layout is being prepared)."""
        return self._export

    @property
    def busy(self) -> bool:
        return self._task is not None

    def texts(self) -> dict[str, str]:
        """What the dialog says: summary, problems, warning (when shown) and status."""
        return {
            "summary": self._summary.text(),
            "problems": self._problems.text() if not self._problems.isHidden() else "",
            "warning": self._warning.text() if not self._draft_box.isHidden() else "",
            "note": self._preview_note.text(),
            "status": self._status.text(),
        }

    def preview_header(self) -> list[str]:
        model = self._table.model()
        if model is None:
            return []
        return [model.headerData(c, Qt.Orientation.Horizontal) for c in range(model.columnCount())]

    def preview_row(self, row: int) -> list[str]:
        model = self._table.model()
        return [model.index(row, c).data() for c in range(model.columnCount())]

    # Work off the GUI thread.
    def _prepare(self) -> None:
        """Read the month into the layout chosen (once the work under way is done)."""
        if self._task is not None:
            return  # the finished task sees that the layout changed, and prepares again
        fmt = self._layout.currentData()
        cf, month = self._file, self._month
        self._preparing = fmt
        self._export = None
        self._update_actions()
        self._start(
            f"Reading {month_name(month)}…",
            # The month's status decides what may be written; the preview is the same.
            lambda _report: payout_export.prepare(cf, month, fmt, allow_open=True),
        )

    def _start(self, label: str, work: Callable[[Report], Any]) -> None:
        # The work holds the company file and values, never this dialog (tasks.Task).
        task = Task(work)
        task.succeeded.connect(self._on_task_succeeded)
        task.failed.connect(self._on_task_failed)
        task.finished.connect(self._on_task_finished)
        self._task = task
        self._task_result, self._task_error = None, None
        self._status.setText(label)
        self._busy.show()
        self._update_actions()
        task.start()

    def _on_task_succeeded(self, result: Any) -> None:
        self._task_result = result

    def _on_task_failed(self, error: BaseException) -> None:
        self._task_error = error

    def _on_task_finished(self) -> None:
        # The task deletes itself once the pool thread is done with it (tasks.Task).
        self._task = None
        self._busy.hide()
        self._status.setText("")
        writing, self._writing = self._writing, False
        result, error = self._task_result, self._task_error
        self._task_result, self._task_error = None, None
        if writing:
            self._update_actions()
            if error is not None:
                Messages.error(self, "The file was not written", error)
            elif isinstance(result, ExportResult):
                self._written(result)
            return
        if self._preparing != self._layout.currentData():
            self._prepare()  # the layout changed while this one was read
            return
        if error is not None:
            self._show_export(None)
            self._problems.set_messages([f"{month_name(self._month)}: {error_text(error)}"])
            self._update_actions()
            return
        self._show_export(result)
        self.ready.emit()

    # Showing.
    def _show_export(self, export: PayoutExport | None) -> None:
        self._export = export
        old = self._table.model()
        if export is None:
            self._table.setModel(None)
            self._summary.setText("")
            self._preview_note.setText("")
            self._problems.set_messages([])
        else:
            model: ValueTableModel[Any]
            if export.table is None:
                model = ValueTableModel(workbook_columns(self._currency), export.rows, self)
            else:
                model = ValueTableModel(table_columns(export.table), export.table.rows, self)
            self._table.setModel(model)
            self._fit_columns(model)
            if export.table is None:  # two columns: names as wide as a long name
                name_width = self.fontMetrics().averageCharWidth() * 30 + 24
                self._table.setColumnWidth(0, max(self._table.columnWidth(0), name_width))
            self._summary.setText(self._summary_text(export))
            self._preview_note.setText(self._note_text(export))
            self._problems.set_messages(list(export.problems))
            self._draft_box.setVisible(export.draft)
            state = "closed" if export.closed else "open: a draft"
            self._heading.setText(f"{month_name(self._month)} · {state}")
        if old is not None:
            old.deleteLater()
        self._update_actions()

    def _fit_columns(self, model: ValueTableModel[Any]) -> None:
        """Each column as wide as its header and cells; when the file's columns do not all
        fit, a long one (a description) is cut to about 40 characters, in full in its
        tooltip, so that the others stay in view."""
        header = self._table.horizontalHeader()
        header.setStretchLastSection(False)
        if model.rowCount() <= RESIZE_LIMIT:
            self._table.resizeColumnsToContents()
        metrics = header.fontMetrics()
        widths = []
        for column in range(model.columnCount()):
            title = str(model.headerData(column, Qt.Orientation.Horizontal))
            # Room for the header's padding (tables.make_table) and its sort mark.
            width = max(self._table.columnWidth(column), metrics.horizontalAdvance(title) + 28)
            widths.append(width)
        room = self._table.viewport().width()
        widest = self.fontMetrics().averageCharWidth() * 40 + 24
        if sum(widths) > room:
            widths = [min(w, widest) for w in widths]
        for column, width in enumerate(widths):
            self._table.setColumnWidth(column, width)
        # The last column takes the width left when it is text (a note, a name), never
        # an amount: an amount stays beside the row it belongs to.
        last = model.columns[-1] if model.columns else None
        header.setStretchLastSection(last is not None and last.align != RIGHT)

    def _summary_text(self, export: PayoutExport) -> str:
        parts = [export.summary]
        if export.format in LAYOUTS and LAYOUTS[export.format].journal:
            parts.append(f"booked on {day_text(export.month.last_day)}")
        else:
            parts.append(f"paid on {day_text(export.pay_date)}")
        return " · ".join(parts)

    def _note_text(self, export: PayoutExport) -> str:
        name = export.suggested_name()
        if export.table is None:
            return (
                f"{name}: the workbook's Payouts sheet, one row per rep paid (with sheets of "
                "the statement lines, clawbacks, commission awaiting payment and the month's "
                "deals)."
            )
        n = len(export.table.rows)
        rows = "no rows" if n == 0 else "1 row" if n == 1 else f"{n:,} rows"
        what = "the header only: nobody is paid this month" if n == 0 else f"its header and {rows}"
        return f"{name}: exactly what the file holds, {what}."

    def _update_actions(self) -> None:
        export = self._export
        can = (
            export is not None
            and not self.busy
            and not export.problems
            and (not export.draft or self._draft.isChecked())
        )
        self._write.setEnabled(can)
        self._draft.setEnabled(not self._writing)
        self._layout.setEnabled(not self._writing)
        if export is not None and export.problems:
            self._write.setToolTip("Resolve the problems shown first")
        elif export is not None and export.draft and not self._draft.isChecked():
            self._write.setToolTip("The month is open: tick “Export a draft” to write one")
        else:
            self._write.setToolTip("Choose where, then write the file (Enter)")

    # Slots.
    def _on_layout_changed(self, _index: int) -> None:
        self._prepare()

    def _on_draft_toggled(self, _checked: bool) -> None:
        self._update_actions()

    def _on_write_clicked(self) -> None:
        export = self._export
        if export is None or not self._write.isEnabled():
            return
        path = FileDialogs.save_export(self, self._folder() / export.suggested_name())
        if path is None or self.busy:
            return
        if self._settings is not None:
            self._settings.setValue(folder_key(self._file), str(path.parent))
        cf = self._file
        self._writing = True
        self._start(f"Writing {path.name}…", lambda _report: payout_export.write(cf, export, path))

    def _written(self, result: ExportResult) -> None:
        self.results.append(result)
        self._status.setText(f"Wrote {result.path.name}.")
        self.written.emit(result)
        details = f"In {result.path.parent}."
        if result.draft:
            details += " It is a draft: the month is open, and its figures can change."
        if Messages.choose(
            self,
            "Export",
            f"Wrote {result.path.name}: {result.summary}",
            details,
            "Open folder",
            "Close",
            icon=QMessageBox.Icon.Information,
        ):
            QDesktopServices.openUrl(QUrl.fromLocalFile(str(result.path.parent)))

    def _folder(self) -> Path:
        """The folder last written to for this company (while it exists), else the
        company file's."""
        remembered = self._settings.value(folder_key(self._file)) if self._settings else None
        if remembered and Path(str(remembered)).is_dir():
            return Path(str(remembered))
        return self._file.path.parent

    def reject(self) -> None:
        """Close (Escape), except while a file is being written: it is written in full or
        not at all, in a moment."""
        if self._writing:
            return
        super().reject()
