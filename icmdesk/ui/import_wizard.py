"""File ▸ Import Deals…: a CRM export in, through a preview, in one transaction.

The pages: the file; its columns (the CRM layout recognised, or a mapping to choose);
the questions the file leaves open (owners that are no rep yet, the date order, deal
types); the preview (what would be added, updated, left as it is, skipped or rejected,
each row with its number and reason); the import, with progress and Cancel, and what it
did. Reading and writing run off the GUI thread (tasks.Task), so a file of a million
rows never freezes the window; nothing is written before the preview's Import.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import replace
from pathlib import Path
from typing import Any

from PySide6.QtCore import QSettings, Qt, QTimer
from PySide6.QtWidgets import (
    QButtonGroup,
    QComboBox,
    QFormLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QProgressBar,
    QPushButton,
    QRadioButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
    QWizard,
    QWizardPage,
)

from icmdesk.domain.engine.fmt import fmt_money
from icmdesk.domain.imports.cells import DateOrder
from icmdesk.domain.imports.deals import PlannedDeal, Rejected, Skipped, Unchanged
from icmdesk.domain.imports.profiles import Field
from icmdesk.domain.imports.profiles import Mapping as ImportMapping
from icmdesk.services import deal_import
from icmdesk.services.company import CompanyHandle
from icmdesk.services.deal_import import Cancelled, FileInfo, ImportPlan, ImportResult
from icmdesk.services.import_files import FileRefused
from icmdesk.ui.file_dialogs import FileDialogs
from icmdesk.ui.messages import error_text
from icmdesk.ui.tables import RIGHT, Column, ValueTableModel, make_table, set_column_widths
from icmdesk.ui.tasks import Report, Task

PROBLEM_STYLE = "color: #b00020"
_FOLDER_KEY = "import/folder"
_NONE = "(not in this file)"


class ImportDealsWizard(QWizard):
    """The wizard; it holds what the pages found (the file, the mapping, the plan)."""

    FILE, COLUMNS, QUESTIONS, PREVIEW, IMPORT = range(5)

    def __init__(
        self,
        company_file: CompanyHandle,
        parent: QWidget | None = None,
        *,
        settings: QSettings | None = None,
    ) -> None:
        super().__init__(parent)
        self.company_file = company_file
        self.settings = settings
        self.info: FileInfo | None = None
        self.mapping: ImportMapping | None = None
        self.planned: ImportPlan | None = None
        self.result: ImportResult | None = None
        self.setWindowTitle("Import deals")
        self.setOption(QWizard.WizardOption.NoBackButtonOnStartPage, True)
        self.setOption(QWizard.WizardOption.NoCancelButtonOnLastPage, True)
        self.setButtonText(QWizard.WizardButton.CommitButton, "&Import")
        self.setPage(self.FILE, _FilePage())
        self.setPage(self.COLUMNS, _ColumnsPage())
        self.setPage(self.QUESTIONS, _QuestionsPage())
        self.setPage(self.PREVIEW, _PreviewPage())
        self.setPage(self.IMPORT, _ImportPage())
        self.resize(900, 640)

    def page_of(self, page_id: int) -> Any:
        return self.page(page_id)

    def reject(self) -> None:
        """Cancel: stops reading the file; during the import, stops it (nothing is
        written) and closes once it has stopped."""
        busy = [p for p in (self.page(i) for i in self.pageIds()) if isinstance(p, _Working)]
        if any(p.stop() for p in busy):
            return  # a write is being rolled back: the page closes the wizard when it has
        super().reject()


class _Working(QWizardPage):
    """A page that runs a background task with a progress bar and a Cancel button."""

    def __init__(self) -> None:
        super().__init__()
        self._task: Task | None = None
        self._closing = False
        self.progress = QProgressBar()
        self.progress.hide()
        self.status = QLabel()
        self.status.setWordWrap(True)
        self.cancel_button = QPushButton("Cancel")
        self.cancel_button.hide()
        self.cancel_button.clicked.connect(self._on_cancel_clicked)
        self.problem = QLabel()
        self.problem.setWordWrap(True)
        self.problem.setStyleSheet(PROBLEM_STYLE)
        self.problem.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.problem.hide()

    def working_row(self) -> QWidget:
        row = QWidget()
        layout = QHBoxLayout(row)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.progress, 1)
        layout.addWidget(self.cancel_button)
        return row

    @property
    def busy(self) -> bool:
        return self._task is not None

    def isComplete(self) -> bool:
        return not self.busy and super().isComplete()

    def run(
        self,
        label: str,
        work: Callable[[Report], Any],
        done: Callable[[Any], None],
        failed: Callable[[BaseException], None] | None = None,
    ) -> None:
        # The work holds no Qt object (tasks.Task): the file, the mapping, the plan.
        self.problem.hide()
        self.status.setText(label)
        self.status.show()
        self.progress.setRange(0, 0)
        self.progress.show()
        self.cancel_button.show()
        self.cancel_button.setEnabled(True)
        task = Task(work)
        task.progress.connect(self._on_progress)
        task.succeeded.connect(self._on_succeeded)
        task.failed.connect(self._on_failed)
        task.finished.connect(self._on_finished)
        self._task = task
        self._done, self._failed = done, failed
        self.completeChanged.emit()
        task.start()

    def stop(self) -> bool:
        """Ask the running work to stop; True if it is still to finish."""
        if self._task is None:
            return False
        self._closing = True
        self._task.cancel()
        self.status.setText("Stopping…")
        return True

    def _on_cancel_clicked(self) -> None:
        if self._task is not None:
            self._task.cancel()
            self.cancel_button.setEnabled(False)
            self.status.setText("Stopping…")

    def _on_progress(self, done: int, total: int) -> None:
        if total > 0:
            self.progress.setRange(0, 1000)
            self.progress.setValue(min(1000, done * 1000 // total))

    def _on_succeeded(self, result: Any) -> None:
        self._finish()
        self._done(result)

    def _on_failed(self, error: BaseException) -> None:
        self._finish()
        if isinstance(error, Cancelled):
            self.status.setText("Stopped: nothing was written.")
        elif self._failed is not None:
            self._failed(error)
        else:
            self.show_problem(error_text(error))

    def _on_finished(self) -> None:
        if self._closing:
            wizard = self.wizard()
            if wizard is not None:
                QWizard.reject(wizard)

    def _finish(self) -> None:
        self._task = None
        self.progress.hide()
        self.cancel_button.hide()
        self.completeChanged.emit()

    def show_problem(self, text: str) -> None:
        self.status.hide()
        self.problem.setText(text)
        self.problem.show()

    def the_wizard(self) -> ImportDealsWizard:
        # Asked each time, never kept: a page that holds its wizard makes a reference cycle.
        wizard = self.wizard()
        assert isinstance(wizard, ImportDealsWizard)
        return wizard

    def plan_then(self, mapping: ImportMapping, then: Callable[[], None]) -> None:
        """Read the whole file through `mapping` in the background, keep the plan, then go
        on (`then`)."""
        wizard = self.the_wizard()
        cf, info = wizard.company_file, wizard.info
        assert info is not None

        def work(report: Report) -> ImportPlan:
            stop = [False]

            def progress(done: int, total: int, _what: str) -> None:
                stop[0] = stop[0] or not report(done, total)

            return deal_import.plan_import(
                cf, info, mapping, progress=progress, cancelled=lambda: stop[0]
            )

        def done(planned: ImportPlan) -> None:
            wizard = self.the_wizard()
            wizard.planned = planned
            wizard.mapping = planned.plan.mapping
            self.status.hide()
            then()

        def failed(error: BaseException) -> None:
            self.show_problem(
                error.message if isinstance(error, FileRefused) else error_text(error)
            )

        self.run(f"Reading {info.path.name}…", work, done, failed)


# -- 1. the file ----------------------------------------------------------------------------


class _FilePage(_Working):
    def __init__(self) -> None:
        super().__init__()
        self.setTitle("The file")
        self.setSubTitle(
            "Export last month's deals from your CRM (HubSpot, Salesforce, Pipedrive) or save "
            "a spreadsheet as .xlsx or CSV, and choose it here. Nothing is written until you "
            "have seen what the import would do."
        )
        self.path_edit = QLineEdit()
        self.path_edit.setPlaceholderText("deals.csv")
        browse = QPushButton("&Browse…")
        browse.clicked.connect(self._on_browse_clicked)
        row = QHBoxLayout()
        row.addWidget(self.path_edit, 1)
        row.addWidget(browse)
        form = QFormLayout(self)
        label = QLabel("&File:")
        label.setBuddy(self.path_edit)
        form.addRow(label, row)
        form.addRow("", self.problem)
        self.registerField("import_path*", self.path_edit)
        self.path_edit.textEdited.connect(self.problem.hide)

    def validatePage(self) -> bool:
        wizard = self.the_wizard()
        path = Path(self.path_edit.text().strip()).expanduser()
        try:
            info = deal_import.inspect_file(wizard.company_file, path)
        except FileRefused as e:
            self.show_problem(f"{e.message} Nothing was imported.")
            return False
        if wizard.info is None or wizard.info != info:
            wizard.info, wizard.mapping, wizard.planned = info, info.mapping, None
        if wizard.settings is not None:
            wizard.settings.setValue(_FOLDER_KEY, str(path.parent))
        return True

    def _on_browse_clicked(self) -> None:
        wizard = self.the_wizard()
        folder = wizard.settings.value(_FOLDER_KEY, "") if wizard.settings else ""
        chosen = FileDialogs.open_import(self, Path(str(folder or Path.home())))
        if chosen is not None:
            self.path_edit.setText(str(chosen))
            self.problem.hide()


# -- 2. the columns -------------------------------------------------------------------------

_ORDERS = (
    ("Work it out from the file", None),
    ("Day first (31/12/2026, 31.12.2026)", DateOrder.DMY),
    ("Month first (12/31/2026)", DateOrder.MDY),
    ("Year first (2026-12-31)", DateOrder.YMD),
)


class _ColumnsPage(_Working):
    def __init__(self) -> None:
        super().__init__()
        self.setTitle("The columns")
        self.found = QLabel()
        self.found.setWordWrap(True)
        self.combos: dict[Field, QComboBox] = {}
        form = QFormLayout()
        for f in Field:
            combo = QComboBox()
            combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToContents)
            self.combos[f] = combo
            form.addRow(f"{f.title}:", combo)
        self.won = QLineEdit()
        self.won.setToolTip("The stage or status values that mean won, separated by commas")
        form.addRow("Won means:", self.won)
        self.order = QComboBox()
        for text, order in _ORDERS:
            self.order.addItem(text, order)
        form.addRow("Dates:", self.order)
        layout = QVBoxLayout(self)
        layout.addWidget(self.found)
        layout.addLayout(form)
        layout.addStretch(1)
        layout.addWidget(self.status)
        layout.addWidget(self.problem)
        layout.addWidget(self.working_row())
        for combo in self.combos.values():
            combo.currentIndexChanged.connect(self.problem.hide)

    def initializePage(self) -> None:
        wizard = self.the_wizard()
        info, mapping = wizard.info, wizard.mapping
        assert info is not None and mapping is not None
        where = f"{info.description}, header on row {info.header_row}"
        if info.profile.key == "generic":
            self.found.setText(
                f"<b>{info.path.name}</b> ({where}) is not a layout ICMDesk knows: choose "
                "the column that holds each field. Deal id, amount, close date and owner are "
                "needed; the choice is kept for the next file with these columns."
            )
        else:
            saved = " (as you set it up last time)" if info.saved else ""
            self.found.setText(
                f"<b>{info.path.name}</b> is a <b>{info.profile.title}</b> ({where}). "
                f"Its columns are matched below{saved}; change any that are wrong."
            )
        for f, combo in self.combos.items():
            combo.blockSignals(True)
            combo.clear()
            combo.addItem(_NONE, "")
            for header in info.headers:
                combo.addItem(header, header)
            chosen = mapping.columns.get(f, "")
            combo.setCurrentIndex(max(0, combo.findData(chosen)))
            combo.blockSignals(False)
        self.won.setText(", ".join(mapping.won))
        self.order.setCurrentIndex(max(0, self.order.findData(mapping.date_order)))

    def chosen_mapping(self) -> ImportMapping:
        wizard = self.the_wizard()
        assert wizard.mapping is not None
        columns = {f: c.currentData() for f, c in self.combos.items() if c.currentData()}
        won = tuple(w.strip() for w in self.won.text().split(",") if w.strip())
        return replace(
            wizard.mapping, columns=columns, won=won, date_order=self.order.currentData()
        )

    def validatePage(self) -> bool:
        wizard = self.the_wizard()
        mapping = self.chosen_mapping()
        missing = mapping.missing()
        if missing:
            names = ", ".join(f.title.lower() for f in missing)
            self.show_problem(f"Choose the column that holds the {names}.")
            return False
        if wizard.planned is not None and wizard.planned.plan.mapping == mapping:
            return True
        self.plan_then(mapping, wizard.next)
        return False

    def nextId(self) -> int:
        wizard = self.the_wizard()
        planned = wizard.planned
        if planned is not None and _has_questions(planned):
            return ImportDealsWizard.QUESTIONS
        return ImportDealsWizard.PREVIEW


def _has_questions(planned: ImportPlan) -> bool:
    plan = planned.plan
    return bool(plan.unmatched_owners or plan.ambiguous_dates or plan.unknown_types)


# -- 3. questions ---------------------------------------------------------------------------

_SKIP = "skip"


class _QuestionsPage(_Working):
    def __init__(self) -> None:
        super().__init__()
        self.setTitle("Owners, dates and deal types")
        self.setSubTitle(
            "What the file leaves open. Each owner you map to a rep is remembered as one of "
            "the rep's names (see the rep's Other names), so next month's file matches it."
        )
        self.owners_label = QLabel("<b>Owners who are no rep yet</b>")
        self.owners = QTableWidget(0, 3)
        self.owners.setHorizontalHeaderLabels(["Owner in the file", "Deals", "Is the rep"])
        self.owners.verticalHeader().setVisible(False)
        self.owners.horizontalHeader().setStretchLastSection(True)
        self.types_label = QLabel("<b>Deal types that are none of yours</b>")
        self.types = QTableWidget(0, 3)
        self.types.setHorizontalHeaderLabels(["Type in the file", "Deals", "Import as"])
        self.types.verticalHeader().setVisible(False)
        self.types.horizontalHeader().setStretchLastSection(True)
        self.dates_label = QLabel()
        self.dates_label.setWordWrap(True)
        self.day_first = QRadioButton("Day first: 03/04/2026 is 3 April 2026")
        self.month_first = QRadioButton("Month first: 03/04/2026 is March 4, 2026")
        self.date_group = QButtonGroup(self)
        self.date_group.addButton(self.day_first)
        self.date_group.addButton(self.month_first)
        self.date_group.buttonToggled.connect(lambda *_: self.completeChanged.emit())
        layout = QVBoxLayout(self)
        for w in (
            self.owners_label,
            self.owners,
            self.dates_label,
            self.day_first,
            self.month_first,
            self.types_label,
            self.types,
        ):
            layout.addWidget(w)
        layout.addStretch(1)
        for w in (self.status, self.problem, self.working_row()):
            layout.addWidget(w)
        self._owner_combos: list[tuple[str, QComboBox]] = []
        self._type_combos: list[tuple[str, QComboBox]] = []

    def initializePage(self) -> None:
        wizard = self.the_wizard()
        assert wizard.planned is not None
        plan = wizard.planned.plan
        offered = deal_import.answers(wizard.company_file)
        self._owner_combos = []
        self.owners.setRowCount(len(plan.unmatched_owners))
        for row, (owner, n) in enumerate(sorted(plan.unmatched_owners.items())):
            combo = QComboBox()
            combo.addItem("Choose…", None)
            for rep_id, name in sorted(offered.rep_names.items(), key=lambda r: r[1].casefold()):
                combo.addItem(name, rep_id)
            combo.addItem("Skip this owner's deals", _SKIP)
            combo.currentIndexChanged.connect(lambda *_: self.completeChanged.emit())
            self.owners.setItem(row, 0, QTableWidgetItem(owner or "(no owner)"))
            count = QTableWidgetItem(f"{n:,}")
            count.setTextAlignment(RIGHT)
            self.owners.setItem(row, 1, count)
            self.owners.setCellWidget(row, 2, combo)
            self._owner_combos.append((owner, combo))
        _fit_rows(self.owners)
        for w in (self.owners_label, self.owners):
            w.setVisible(bool(plan.unmatched_owners))
        asked = bool(plan.ambiguous_dates)
        self.dates_label.setText(
            "<b>Dates that read two ways</b> — "
            + ", ".join(plan.ambiguous_dates)
            + ": every date in the file could be day or month first. Which is it?"
        )
        for w in (self.dates_label, self.day_first, self.month_first):
            w.setVisible(asked)
        self._type_combos = []
        self.types.setRowCount(len(plan.unknown_types))
        for row, (crm_type, n) in enumerate(sorted(plan.unknown_types.items())):
            combo = QComboBox()
            combo.addItem("Leave these deals out (rejected)", None)
            for t in offered.deal_types:
                combo.addItem(t, t)
            self.types.setItem(row, 0, QTableWidgetItem(crm_type))
            count = QTableWidgetItem(f"{n:,}")
            count.setTextAlignment(RIGHT)
            self.types.setItem(row, 1, count)
            self.types.setCellWidget(row, 2, combo)
            self._type_combos.append((crm_type, combo))
        _fit_rows(self.types)
        for w in (self.types_label, self.types):
            w.setVisible(bool(plan.unknown_types))

    def isComplete(self) -> bool:
        if any(combo.currentData() is None for _o, combo in self._owner_combos):
            return False
        if self.dates_label.isVisibleTo(self) and self.date_group.checkedButton() is None:
            return False
        return super().isComplete()

    def answered_mapping(self) -> ImportMapping:
        wizard = self.the_wizard()
        assert wizard.planned is not None
        mapping = wizard.planned.plan.mapping
        for owner, combo in self._owner_combos:
            data = combo.currentData()
            mapping = mapping.with_owner(owner, None if data == _SKIP else int(data))
        if self.date_group.checkedButton() is not None:
            order = DateOrder.DMY if self.day_first.isChecked() else DateOrder.MDY
            mapping = replace(mapping, date_order=order)
        types = dict(mapping.deal_types)
        for crm_type, combo in self._type_combos:
            if combo.currentData():
                types[crm_type] = combo.currentData()
        return replace(mapping, deal_types=types)

    def validatePage(self) -> bool:
        wizard = self.the_wizard()
        mapping = self.answered_mapping()
        assert wizard.planned is not None
        if wizard.planned.plan.mapping == mapping and not wizard.planned.plan.questions:
            return True
        self.plan_then(mapping, wizard.next)
        return False

    def nextId(self) -> int:
        return ImportDealsWizard.PREVIEW


def _fit_rows(table: QTableWidget) -> None:
    """A short table as tall as its rows (up to ten, then it scrolls); names and counts as
    wide as they are, the choice taking the rest."""
    header = table.horizontalHeader()
    header.setSectionResizeMode(0, QHeaderView.ResizeMode.ResizeToContents)
    header.setSectionResizeMode(1, QHeaderView.ResizeMode.ResizeToContents)
    header.setSectionResizeMode(2, QHeaderView.ResizeMode.Stretch)
    table.resizeRowsToContents()
    rows = sum(table.rowHeight(r) for r in range(min(table.rowCount(), 10)))
    table.setFixedHeight(header.sizeHint().height() + rows + 2 * table.frameWidth() + 2)


# -- 4. the preview -------------------------------------------------------------------------


class _PreviewPage(QWizardPage):
    """What the import would do, one list at a time, with a filter."""

    def __init__(self) -> None:
        super().__init__()
        self.setTitle("What the import would do")
        self.setCommitPage(True)
        self.summary = QLabel()
        self.summary.setWordWrap(True)
        self.show_combo = QComboBox()
        self.filter = QLineEdit()
        self.filter.setPlaceholderText("Filter by deal id, name, customer or reason")
        self.filter.setClearButtonEnabled(True)
        self.table = make_table()
        self.table.horizontalHeader().setStretchLastSection(True)
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(200)
        self._timer.timeout.connect(self._fill)
        self.filter.textChanged.connect(self._timer.start)
        self.show_combo.currentIndexChanged.connect(self._fill)
        row = QHBoxLayout()
        show = QLabel("&Show:")
        show.setBuddy(self.show_combo)
        row.addWidget(show)
        row.addWidget(self.show_combo)
        row.addWidget(self.filter, 1)
        layout = QVBoxLayout(self)
        layout.addWidget(self.summary)
        layout.addLayout(row)
        layout.addWidget(self.table, 1)
        self._lists: list[tuple[str, Sequence[Any], list[Column[Any]], Callable[[Any], str]]] = []
        self._model: ValueTableModel[Any] | None = None

    def initializePage(self) -> None:
        wizard = self.wizard()
        assert isinstance(wizard, ImportDealsWizard) and wizard.planned is not None
        planned = wizard.planned
        plan = planned.plan
        names = deal_import.rep_names(wizard.company_file)
        currency = planned.currency
        self._lists = _preview_lists(plan, names, currency)
        self.show_combo.blockSignals(True)
        self.show_combo.clear()
        for title, rows, _c, _s in self._lists:
            self.show_combo.addItem(f"{title} ({len(rows):,})")
        first = next((i for i, (_t, rows, _c, _s) in enumerate(self._lists) if rows), 0)
        self.show_combo.setCurrentIndex(first)
        self.show_combo.blockSignals(False)
        self.summary.setText(_summary_text(planned))
        self._fill()

    def _fill(self) -> None:
        index = self.show_combo.currentIndex()
        if not 0 <= index < len(self._lists):
            return
        _title, rows, columns, searchable = self._lists[index]
        needle = self.filter.text().strip().casefold()
        shown = [r for r in rows if needle in searchable(r)] if needle else rows
        self._model = ValueTableModel(columns, shown, self.table)
        self.table.setModel(self._model)
        set_column_widths(self.table, [4, 10, 20, 18, 14, 10, 10])


def _preview_lists(
    plan: Any, names: dict[int, str], currency: str
) -> list[tuple[str, Sequence[Any], list[Column[Any]], Callable[[Any], str]]]:
    def rep_of(p: PlannedDeal) -> str:
        if p.credits is None:
            return "(as before)"
        return ", ".join(names.get(c.rep_id, f"#{c.rep_id}") for c in p.credits)

    def money(value: Any) -> str:
        return fmt_money(value, currency)

    planned_columns: list[Column[PlannedDeal]] = [
        Column("Row", lambda p: p.row, str, RIGHT),
        Column("Deal id", lambda p: p.external_id),
        Column("Name", lambda p: p.name),
        Column("Customer", lambda p: p.customer),
        Column("Rep", rep_of),
        Column("Amount", lambda p: p.amount, money, RIGHT),
        Column("Closed", lambda p: p.close_date, lambda d: d.isoformat()),
        Column("Note", lambda p: p.note),
    ]
    updated_columns = [
        *planned_columns[:2],
        Column(
            "Changes",
            lambda p: "; ".join(f"{c.field}: {c.old} → {c.new}" for c in p.changes),
        ),
        Column("Note", lambda p: p.note),
    ]
    unchanged_columns: list[Column[Unchanged]] = [
        Column("Row", lambda u: u.row, str, RIGHT),
        Column("Deal id", lambda u: u.external_id),
    ]
    reasoned: list[Column[Skipped | Rejected]] = [
        Column("Row", lambda r: r.row, str, RIGHT),
        Column("Line", lambda r: r.line, str, RIGHT),
        Column("Deal id", lambda r: r.external_id),
        Column("Why", lambda r: r.reason),
    ]

    def deal_text(p: PlannedDeal) -> str:
        return f"{p.external_id}\n{p.name}\n{p.customer}\n{p.note}".casefold()

    return [
        ("To add", plan.added, planned_columns, deal_text),
        ("To update", plan.updated, updated_columns, deal_text),
        ("Unchanged", plan.unchanged, unchanged_columns, lambda u: u.external_id.casefold()),
        ("Skipped", plan.skipped, reasoned, lambda r: f"{r.external_id}\n{r.reason}".casefold()),
        ("Rejected", plan.rejected, reasoned, lambda r: f"{r.external_id}\n{r.reason}".casefold()),
    ]


def _summary_text(planned: ImportPlan) -> str:
    plan = planned.plan
    parts = [
        f"<b>{len(plan.added):,}</b> to add",
        f"<b>{len(plan.updated):,}</b> to update",
        f"{len(plan.unchanged):,} unchanged",
        f"{len(plan.skipped):,} skipped",
        f"<b>{len(plan.rejected):,}</b> rejected",
    ]
    text = f"{plan.rows:,} rows in {planned.info.path.name}: " + ", ".join(parts) + "."
    closed = sum(1 for p in (*plan.added, *plan.updated) if p.note)
    if closed:
        text += (
            f"<br>{closed:,} of them fall in a closed month or before the books start: see "
            "their notes (a closed month's are paid as prior-period adjustments)."
        )
    if plan.rejected:
        text += "<br>Rejected rows are left out; fix them in the CRM and import again."
    if not plan.changes:
        text += "<br>Every deal is already as the file has it: importing changes nothing."
    return text


# -- 5. the import --------------------------------------------------------------------------


class _ImportPage(_Working):
    def __init__(self) -> None:
        super().__init__()
        self.setTitle("Importing")
        self.setFinalPage(True)
        layout = QVBoxLayout(self)
        layout.addWidget(self.status)
        layout.addWidget(self.working_row())
        layout.addWidget(self.problem)
        layout.addStretch(1)
        self._ended = False

    def initializePage(self) -> None:
        wizard = self.the_wizard()
        planned = wizard.planned
        assert planned is not None
        cf = wizard.company_file
        self._ended = False

        def work(report: Report) -> ImportResult:
            def progress(done: int, total: int, _what: str) -> None:
                if not report(done, total):
                    raise Cancelled()

            return deal_import.commit_import(cf, planned, progress=progress)

        self.run("Writing the deals…", work, self._on_imported, self._on_refused)

    def isComplete(self) -> bool:
        return self._ended and super().isComplete()

    def _on_imported(self, result: ImportResult) -> None:
        wizard = self.the_wizard()
        wizard.result = result
        self._ended = True
        self.setTitle("Imported")
        self.status.setText(_result_text(result, wizard.planned))
        self.status.show()
        self.completeChanged.emit()

    def _on_refused(self, error: BaseException) -> None:
        self._ended = True
        self.setTitle("Not imported")
        self.show_problem(f"{error_text(error)} Nothing was written.")
        self.completeChanged.emit()

    def _on_failed(self, error: BaseException) -> None:
        super()._on_failed(error)
        if isinstance(error, Cancelled):
            self._ended = True
            self.setTitle("Not imported")
            self.completeChanged.emit()


def _result_text(result: ImportResult, planned: ImportPlan | None) -> str:
    if not result.changed:
        return "Nothing changed: every deal was already as the file has it."
    lines = [f"{_count(result.added, 'deal')} added, {_count(result.updated, 'deal')} updated."]
    if result.unchanged:
        lines.append(f"{_count(result.unchanged, 'deal')} already as the file has them.")
    if result.rejected:
        lines.append(f"{_count(result.rejected, 'row')} rejected (see the preview) and left out.")
    for owner, rep in result.aliases:
        lines.append(f"“{owner}” is now one of {rep}'s names.")
    if result.dirty_months:
        months = ", ".join(str(m) for m in result.dirty_months)
        lines.append(
            f"Closed months touched: {months}. Their differences are paid as prior-period "
            "adjustments when the next month is closed."
        )
    lines.append("Periods ▸ Compute shows the new figures.")
    return "<br>".join(lines)


def _count(n: int, noun: str) -> str:
    return f"{n:,} {noun}{'' if n == 1 else 's'}"
