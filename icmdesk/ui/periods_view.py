"""The month end on screen, in the order it is done: pick a month, compute it, review each
rep's statement (the same content as the PDF), close it (or every open month up to it),
then write the final statements.

Computing and closing run in a pool thread (tasks.Task) with a busy bar, so a
big company does not freeze the window; the month list and buttons are
disabled meanwhile. Closing and reopening ask first (replaceable entry
points), and refusals (PeriodError, ValidationError) are shown through
`Messages.error`. An edit saved elsewhere (reaching the Changes hub) refreshes
the months, and the statements shown.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import date
from pathlib import Path
from typing import Any

from PySide6.QtCore import QItemSelection, QSettings, Qt, QUrl, Signal
from PySide6.QtGui import QDesktopServices, QKeySequence, QResizeEvent, QShowEvent
from PySide6.QtWidgets import (
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QMessageBox,
    QProgressBar,
    QPushButton,
    QSplitter,
    QTableView,
    QTabWidget,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)

from icmdesk.domain.calendar import Month
from icmdesk.domain.engine.fmt import fmt_money, fmt_pct
from icmdesk.domain.entities import PeriodStatus
from icmdesk.domain.statement import Statement, StatementLine
from icmdesk.reports import BatchResult
from icmdesk.reports.statement_html import statement_html
from icmdesk.services import adjustment_import, documents, periods, records
from icmdesk.services.adjustment_import import AdjustmentPlan, AdjustmentResult
from icmdesk.services.company import CompanyHandle
from icmdesk.services.periods import PeriodInfo
from icmdesk.ui.adjustments import AdjustmentFileDialog, AdjustmentsPanel, ImportPreviewDialog
from icmdesk.ui.changes import ALL_KINDS, Change, Changes, follow
from icmdesk.ui.export_dialog import ExportDialog
from icmdesk.ui.messages import Messages
from icmdesk.ui.tables import (
    VALUE_ROLE,
    Column,
    ValueTableModel,
    fit_amounts,
    make_table,
    money_column,
    set_column_widths,
    sorting_proxy,
)
from icmdesk.ui.tasks import Report, Task


def month_title(month: Month) -> str:
    return f"{month.first_day:%B %Y}"


class CloseMonthDialog:
    """Asks before closing a month, or every open month up to one, saying what closing
    means."""

    @classmethod
    def confirm(
        cls, parent: QWidget | None, months: list[Month], *, today: date | None = None
    ) -> bool:
        if len(months) == 1:
            title, what = "Close month", f"Close {month_title(months[0])}?"
            first = ""
        else:
            title = "Close months"
            what = f"Close {month_title(months[0])} through {month_title(months[-1])}?"
            first = (
                f"Months close in order: these {len(months)} months close one after the "
                "other, all of them or none, with one backup first.\n\n"
            )
        first = not_ended_warning(months[-1], today or date.today()) + first
        return Messages.confirm(
            parent,
            title,
            what,
            first + "Closing stores every rep's statement for the month exactly as it is now "
            "and makes it final: payroll is paid from it. Later changes that reach back into "
            "a closed month (a deal edited or added, a back-dated plan version) will not change "
            "these statements; they are posted as prior-period adjustments in the next open "
            "month.\n\nA backup of the company file is written first. Only the latest closed "
            "month can be reopened.",
            "Close month" if len(months) == 1 else f"Close {len(months)} months",
        )


def months_text(months: Sequence[Month]) -> str:
    """ "October 2026", "October and November 2026", "October 2026 to January 2027"."""
    if len(months) == 1:
        return month_title(months[0])
    first, last = months[0], months[-1]
    if len(months) == 2 and first.year == last.year:
        return f"{first.first_day:%B} and {month_title(last)}"
    if len(months) == 2:
        return f"{month_title(first)} and {month_title(last)}"
    return f"{month_title(first)} to {month_title(last)}"


def not_ended_warning(month: Month, today: date) -> str:
    """What closing a month that has not ended means ("" once it has)."""
    if today > month.last_day:
        return ""
    return (
        f"{month_title(month)} has not ended yet: it ends on {month.last_day:%B} "
        f"{month.last_day.day}. Deals that close after today will not be in its statements "
        "(they are paid next month, as prior-period adjustments). Close it once all its "
        "deals are in.\n\n"
    )


class FinalStatementsDialog:
    """After a close: offers to write the final statement PDFs of the months just closed."""

    @classmethod
    def ask(cls, parent: QWidget | None, months: Sequence[Month]) -> bool:
        one = len(months) == 1
        return Messages.choose(
            parent,
            "Month closed" if one else "Months closed",
            f"{months_text(months)} {'is' if one else 'are'} closed.",
            ("Its statements are" if one else "Their statements are")
            + " final. Write the statement PDFs and clawback notices now, to hand to the "
            "reps and to payroll? (Later: Statement PDFs… with the month chosen.)",
            "Write statements",
            "Later",
        )


class ReopenMonthDialog:
    """Asks before reopening the latest closed month."""

    @classmethod
    def confirm(cls, parent: QWidget | None, month: Month) -> bool:
        return Messages.confirm(
            parent,
            "Reopen month",
            f"Reopen {month_title(month)}?",
            "Its stored statements are discarded and it is computed afresh from the current "
            "data, so the numbers may change from what payroll was given. The reopening is "
            "recorded in the audit log.",
            "Reopen month",
        )


class StatementFolderDialog:
    """Asks where the months' statement PDFs go (each month in a YYYY-MM folder inside)."""

    @classmethod
    def choose(
        cls, parent: QWidget | None, months: Sequence[Month], suggested: Path
    ) -> Path | None:
        folder = QFileDialog.getExistingDirectory(
            parent, f"Folder for the {months_text(months)} statements", str(suggested)
        )
        return Path(folder) if folder else None


def _folder_key(cf: CompanyHandle) -> str:
    return f"statements-folder/{cf.path.resolve().as_posix()}"


class StatementsWrittenDialog:
    """Says what was written (per month) and offers to open the folder."""

    @classmethod
    def show(cls, parent: QWidget | None, results: Sequence[tuple[Month, BatchResult]]) -> None:
        done = [(m, r) for m, r in results if not r.cancelled]
        stopped = [m for m, r in results if r.cancelled]
        if not done:
            # A cancelled batch removes what it wrote: a folder never looks complete when
            # it is not.
            Messages.info(
                parent, "Statements", "Cancelled: no statements were written.",
                "Files already made for this run were removed. Run it again to write them.",
            )  # fmt: skip
            return
        n = sum(len(r.files) for _m, r in done)
        text = "1 file written." if n == 1 else f"{n:,} files written."
        folders = [r.files[0].parent for _m, r in done if r.files]
        details = "\n".join(str(f) for f in folders)
        if stopped:
            details += (
                f"\n\nCancelled: {months_text(stopped)} (nothing of it was written; run it "
                "again to write it)."
            )
        if not folders:
            Messages.info(parent, "Statements", text, details)
            return
        # The folder of the months: the one above each month's YYYY-MM folder when several.
        folder = folders[0] if len(folders) == 1 else folders[0].parent
        if Messages.choose(
            parent, "Statements", text, details, "Open folder", "Close",
            icon=QMessageBox.Icon.Information,
        ):  # fmt: skip
            QDesktopServices.openUrl(QUrl.fromLocalFile(str(folder)))


def _statement_columns(currency: str) -> list[Column[Statement]]:
    def money(header: str, value: Callable[[Statement], Any]) -> Column[Statement]:
        return money_column(header, value, currency)

    return [
        Column("Rep", lambda s: s.rep_name, tooltip=lambda s: f"{s.rep_name}, {s.role_name}"),
        Column("Plan", lambda s: s.plan_name),
        money("Earnings (E)", lambda s: s.earnings),
        money("Draw", lambda s: s.draw),
        money("Recovery", lambda s: s.recovery),
        money("Payout", lambda s: s.payout),
        money_column(
            "Owed by rep",
            lambda s: s.balance_after,
            currency,
            explained="What the rep still owes the company from draws not yet earned back, "
            "carried into next month",
        ),
    ]


def _line_columns(currency: str) -> list[Column[StatementLine]]:
    return [
        Column("Line", lambda line: line.kind.title),
        Column("Description", lambda line: line.description, tooltip=lambda line: line.description),
        money_column("Amount", lambda line: line.amount, currency),
    ]


_PERIOD_COLUMNS: list[Column[PeriodInfo]] = [
    Column("Month", lambda p: p.month, month_title),
    Column(
        "Status",
        lambda p: p.status_text,
        tooltip=lambda p: (
            "Before the first close: it counts as closed, with no statements stored. What is "
            "dated in it is paid as a prior-period adjustment in the first open month."
            if p.status is PeriodStatus.CLOSED and p.closed_at is None
            else ""
        ),
    ),
]


class StatementBrowser(QTextBrowser):
    """The statement as rich text, wrapped to the pane's width.

    Qt lays out a full-width table with borders (the statement's summary box) a pixel
    wider than the page; a horizontal scroll bar for that pixel would cover the last line
    and scroll nothing worth seeing. It shows only when something is really wider (a table
    that cannot wrap in a narrow pane)."""

    TOLERANCE = 2  # pixels

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setOpenLinks(False)
        self.document().documentLayout().documentSizeChanged.connect(self._fit)

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self._fit()

    def _fit(self) -> None:
        overflow = self.document().size().width() - self.viewport().width()
        self.setHorizontalScrollBarPolicy(
            Qt.ScrollBarPolicy.ScrollBarAlwaysOff
            if overflow <= self.TOLERANCE
            else Qt.ScrollBarPolicy.ScrollBarAsNeeded
        )


class PeriodsView(QWidget):
    """The month end in the order it is done: pick a month, compute it, review each rep's
    statement (the same content as the PDF), close it, then write the final statements."""

    kinds = ALL_KINDS  # statements depend on every record

    computed = Signal(object)  # the month whose statements are now shown
    work_finished = Signal()  # a background compute/close ended (tests wait on it)

    def __init__(
        self,
        company_file: CompanyHandle,
        parent: QWidget | None = None,
        *,
        settings: QSettings | None = None,
        changes: Changes | None = None,
    ) -> None:
        super().__init__(parent)
        self._file = company_file
        self._settings = settings
        self._changes = changes or Changes(self)
        self._currency = records.get_company(company_file).currency
        self._task: Task | None = None
        # What shows the task's result, given the view (so it holds no reference to it).
        self._task_done: Callable[[PeriodsView, Any], None] | None = None
        self._task_failure_title = ""
        self._read_only = False
        self._loaded = False
        self._stale = False  # data changed since the months or statements were read
        self._shown_month: Month | None = None
        self._months = ValueTableModel(_PERIOD_COLUMNS, parent=self)
        self._statements = ValueTableModel(_statement_columns(self._currency), parent=self)
        self._statements_proxy = sorting_proxy(self._statements, self)
        self._lines = ValueTableModel(_line_columns(self._currency), parent=self)
        self._build_ui()
        self._connect_signals()
        follow(self, self._changes)
        self._update_actions()

    # Building.
    def _build_ui(self) -> None:
        self._month_table = make_table(self)
        self._month_table.setModel(self._months)
        self._month_table.horizontalHeader().setStretchLastSection(True)
        set_column_widths(self._month_table, (17, 7))
        month_width = self.fontMetrics().averageCharWidth() * 40 + 60  # "Open · next to close"

        self._title = QLabel("Choose a month")
        font = self._title.font()
        font.setPointSizeF(font.pointSizeF() * 1.3)
        font.setBold(True)
        self._title.setFont(font)
        self._hint = QLabel()
        self._hint.setWordWrap(True)
        # The month end's steps, left to right in the order they are done.
        self._compute_button = QPushButton("&Compute")
        self._compute_button.setToolTip("Compute every rep's statement for the chosen month (F9)")
        self._compute_button.setShortcut(QKeySequence("F9"))
        self._close_button = QPushButton("C&lose month…")
        self._pdf_button = QPushButton("Statement &PDFs…")
        self._reopen_button = QPushButton("&Reopen latest…")
        self._export_button = QPushButton("&Export…")
        self._export_button.setToolTip(
            "Preview, then write the month's payroll file, bookkeeping journal or workbook"
        )
        self._import_button = QPushButton("I&mport adjustments…")
        self._import_button.setToolTip(
            "Import a bulk adjustment file (CSV or Excel: rep, month, amount, reason and an "
            "optional ID), after a preview"
        )
        self._cancel_button = QPushButton("Cancel")
        self._cancel_button.hide()
        self._busy = QProgressBar()
        self._busy.setObjectName("busy")  # the bar a user watches while work runs (tests)
        self._busy.setRange(0, 0)  # no steps to count: an indeterminate busy bar
        self._busy.setMaximumWidth(160)
        self._busy.setTextVisible(False)
        self._busy.hide()
        self._busy_label = QLabel()
        self._busy_label.hide()

        bar = QHBoxLayout()
        bar.addWidget(self._compute_button)
        bar.addWidget(self._close_button)
        bar.addWidget(self._pdf_button)
        bar.addWidget(self._export_button)
        bar.addStretch(1)
        bar.addWidget(self._busy_label)
        bar.addWidget(self._busy)
        bar.addWidget(self._cancel_button)
        bar.addWidget(self._import_button)
        bar.addWidget(self._reopen_button)

        self._statement_table = make_table(self)
        self._statement_table.setModel(self._statements_proxy)
        self._statement_table.setSortingEnabled(True)
        self._statement_table.sortByColumn(0, Qt.SortOrder.AscendingOrder)
        set_column_widths(self._statement_table, (18, 20, 12, 11, 11, 12, 12))
        fit_amounts(self._statement_table, stretch=(0, 1))  # rep and plan

        self._statement_title = QLabel()
        self._statement_title.setWordWrap(True)
        self._statement_title.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        # The statement as the rep will read it, and its lines as a table.
        self._document = StatementBrowser()
        self._line_table = make_table(self)
        self._line_table.setModel(self._lines)
        set_column_widths(self._line_table, (20, 60, 14))
        fit_amounts(self._line_table, stretch=1)
        self._tabs = QTabWidget()
        self._tabs.addTab(self._document, "&Statement")
        self._tabs.addTab(self._line_table, "L&ines")
        # The rep's adjustments of the month, beside the statement that pays them.
        self._adjustments = AdjustmentsPanel(self._file, self._currency)
        self._tabs.addTab(self._adjustments, "&Adjustments")
        lines_box = QWidget()
        lines_layout = QVBoxLayout(lines_box)
        lines_layout.setContentsMargins(0, 0, 0, 0)
        lines_layout.addWidget(self._statement_title)
        lines_layout.addWidget(self._tabs)

        detail = QSplitter(Qt.Orientation.Vertical)
        detail.addWidget(self._statement_table)
        detail.addWidget(lines_box)
        detail.setChildrenCollapsible(False)
        detail.setSizes([200, 500])

        right = QWidget()
        right_layout = QVBoxLayout(right)
        right_layout.setContentsMargins(0, 0, 0, 0)
        right_layout.addWidget(self._title)
        right_layout.addWidget(self._hint)
        right_layout.addLayout(bar)
        right_layout.addWidget(detail, 1)

        split = QSplitter(Qt.Orientation.Horizontal)
        split.addWidget(self._month_table)
        split.addWidget(right)
        split.setStretchFactor(1, 1)
        split.setChildrenCollapsible(False)
        split.setSizes([month_width, 1000])
        layout = QVBoxLayout(self)
        layout.addWidget(split)

    def _connect_signals(self) -> None:
        self._month_table.selectionModel().selectionChanged.connect(
            self._on_month_selection_changed
        )
        self._month_table.doubleClicked.connect(self._on_compute_clicked)
        self._compute_button.clicked.connect(self._on_compute_clicked)
        self._close_button.clicked.connect(self._on_close_clicked)
        self._reopen_button.clicked.connect(self._on_reopen_clicked)
        self._pdf_button.clicked.connect(self._on_pdf_clicked)
        self._export_button.clicked.connect(self._on_export_clicked)
        self._import_button.clicked.connect(self._on_import_clicked)
        self._adjustments.changed.connect(self._on_adjustments_changed)
        self._cancel_button.clicked.connect(self._on_cancel_clicked)
        self._statement_table.selectionModel().selectionChanged.connect(
            self._on_statement_selection_changed
        )

    # What tests and the main window use.
    @property
    def busy(self) -> bool:
        return self._task is not None

    def showEvent(self, event: QShowEvent) -> None:
        # Listing months reads the whole company: do it when the view is first shown.
        if not self._loaded:
            self.refresh()
        super().showEvent(event)

    def set_read_only(self, read_only: bool) -> None:
        """A file opened read-only: months can be computed and printed, not closed or reopened."""
        self._read_only = read_only
        self._update_actions()

    def refresh(self) -> None:
        """Re-read the months and their status in the background (and the statements
        shown, when the data changed since they were computed)."""
        if self.busy:
            self._stale = True  # read again when the work under way is done
            return
        self._loaded = True
        again = self._shown_month if self._stale else None
        self._stale = False
        cf = self._file

        def read(_report: Report) -> tuple[list[PeriodInfo], tuple[Statement, ...] | None]:
            infos = periods.list_periods(cf)
            return infos, periods.compute(cf, again) if again is not None else None

        def show(
            view: PeriodsView, result: tuple[list[PeriodInfo], tuple[Statement, ...] | None]
        ) -> None:
            infos, statements = result
            view._set_periods(infos)
            if again is not None and statements is not None:
                view._show_statements(again, statements)

        self._run("Reading months…", read, show, "Could not read the months")

    def on_changes(self, change: Change) -> None:
        """Something was saved elsewhere: the months and the statements shown may differ."""
        self._on_data_changed()

    def _on_data_changed(self) -> None:
        self._stale = True
        self.refresh()

    def _set_periods(self, infos: list[PeriodInfo], prefer: Month | None = None) -> None:
        chosen = prefer or self.selected_month()
        self._months.set_rows(infos)
        months = [p.month for p in infos]
        if months:
            default = next((p.month for p in infos if p.next_to_close), months[-1])
            self.select_month(chosen if chosen in months else default)
        self._update_actions()

    def select_month(self, month: Month) -> None:
        for row, info in enumerate(self._months.rows()):
            if info.month == month:
                self._month_table.selectRow(row)
                self._month_table.scrollTo(self._months.index(row, 0))
                return

    def selected_month(self) -> Month | None:
        info = self._selected_period()
        return info.month if info else None

    def shown_statements(self) -> tuple[Statement, ...]:
        return self._statements.rows()

    def select_rep(self, rep_name: str) -> None:
        for row in range(self._statements_proxy.rowCount()):
            index = self._statements_proxy.index(row, 0)
            if self._statements_proxy.data(index, VALUE_ROLE).rep_name == rep_name:
                self._statement_table.selectRow(row)
                return
        raise LookupError(rep_name)

    def statement_text(self) -> str:
        """The statement shown, as plain text (what the Statement tab reads)."""
        return self._document.toPlainText()

    # Slots.
    def _on_month_selection_changed(self, _new: QItemSelection, _old: QItemSelection) -> None:
        if self.selected_month() != self._shown_month:
            self._show_statements(None, ())
        self._update_actions()
        self._show_stored_statements()

    def _show_stored_statements(self) -> None:
        """A closed month's statements are stored: shown as soon as it is chosen (there is
        nothing to compute)."""
        info = self._selected_period()
        if (
            info is None
            or self.busy
            or info.status is not PeriodStatus.CLOSED
            or info.closed_at is None
            or info.month == self._shown_month
        ):
            return
        self._on_compute_clicked()

    def _on_compute_clicked(self, *_args: object) -> None:
        month = self.selected_month()
        if month is None or self.busy:
            return
        cf = self._file
        self._run(
            f"Computing {month_title(month)}…",
            lambda _report: periods.compute(cf, month),
            lambda view, statements: view._show_statements(month, statements),
            "Could not compute the month",
        )

    def _on_close_clicked(self) -> None:
        month = self.selected_month()
        if month is None or self.busy or self._read_only:
            return
        months = periods.months_to_close(self._file, month)
        if not months or not CloseMonthDialog.confirm(self, months):
            return
        cf = self._file

        def close_and_list(
            report: Report,
        ) -> tuple[tuple[Statement, ...], list[PeriodInfo]]:
            periods.close_through(cf, month, progress=report)
            return periods.compute(cf, month), periods.list_periods(cf)

        def closed(
            view: PeriodsView, result: tuple[tuple[Statement, ...], list[PeriodInfo]]
        ) -> None:
            statements, infos = result
            view._set_periods(infos, month)
            view._show_statements(month, statements)
            # Asked once the close has finished (not from here: a dialog's own event loop
            # would run the task's end while it is open).
            view._after_work = lambda v: v._offer_final_statements(months)

        self._run(
            f"Closing {month_title(month)}…",
            close_and_list,
            closed,
            f"{month_title(month)} was not closed",
        )

    def _on_reopen_clicked(self) -> None:
        month = self._reopenable_month()
        if month is None or self.busy or self._read_only:
            return
        if not ReopenMonthDialog.confirm(self, month):
            return
        cf = self._file

        def reopen_and_list(_report: Report) -> list[PeriodInfo]:
            periods.reopen(cf, month)
            return periods.list_periods(cf)

        def reopened(view: PeriodsView, infos: list[PeriodInfo]) -> None:
            view._set_periods(infos, month)
            view._show_statements(None, ())

        self._run(
            f"Reopening {month_title(month)}…",
            reopen_and_list,
            reopened,
            f"{month_title(month)} was not reopened",
        )

    def _on_pdf_clicked(self) -> None:
        month = self.selected_month()
        if month is None or self.busy:
            return
        self._write_statements([month])

    def _on_export_clicked(self) -> None:
        month = self.selected_month()
        if month is None or self.busy:
            return
        ExportDialog.export(self, self._file, month, settings=self._settings)

    def _offer_final_statements(self, months: list[Month]) -> None:
        if FinalStatementsDialog.ask(self, months):
            self._write_statements(months)

    def _write_statements(self, months: list[Month]) -> None:
        """Ask where (the folder last used for this company, else "Statements" beside the
        file, made if need be), then write each month's PDFs, in its own YYYY-MM folder,
        with progress and Cancel."""
        remembered = self._settings.value(_folder_key(self._file)) if self._settings else None
        suggested = Path(str(remembered)) if remembered else self._file.path.parent / "Statements"
        try:
            suggested.mkdir(parents=True, exist_ok=True)
        except OSError:
            suggested = self._file.path.parent
        folder = StatementFolderDialog.choose(self, months, suggested)
        if folder is None:
            return
        if self._settings is not None:
            self._settings.setValue(_folder_key(self._file), str(folder))
        company_file = self._file

        def write(report: Report) -> list[tuple[Month, BatchResult]]:
            results: list[tuple[Month, BatchResult]] = []
            steps = 1000  # the progress bar's range: each month an equal share of it

            for i, month in enumerate(months):

                def part(done: int, total: int, i: int = i) -> bool:
                    share = (i + (done / total if total else 1)) / len(months)
                    return report(round(share * steps), steps)

                result = documents.generate_statements(company_file, month, folder, progress=part)
                results.append((month, result))
                if result.cancelled:
                    results += [(m, BatchResult((), True)) for m in months[i + 1 :]]
                    break
            return results

        self._run(
            f"Writing {months_text(months)} statements…",
            write,
            lambda view, results: StatementsWrittenDialog.show(view, results),
            "The statements were not written",
            cancellable=True,
        )

    def cancel_work(self) -> None:
        """Stop cancellable work (a PDF batch) at its next step, e.g. when the window closes."""
        if self._task is not None:
            self._task.cancel()

    def _on_cancel_clicked(self) -> None:
        if self._task is not None:
            self._task.cancel()
            self._busy_label.setText("Cancelling…")

    def _on_task_progress(self, done: int, total: int) -> None:
        self._busy.setRange(0, max(total, 1))
        self._busy.setValue(done)

    def _on_statement_selection_changed(self, _new: QItemSelection, _old: QItemSelection) -> None:
        self._show_lines(self._selected_statement())

    def _selected_statement(self) -> Statement | None:
        rows = self._statement_table.selectionModel().selectedRows()
        return self._statements_proxy.data(rows[0], VALUE_ROLE) if rows else None

    def _on_adjustments_changed(self) -> None:
        """An adjustment was saved here: the statement shown is recomputed (the rep stays
        chosen); the hub tells the other views."""
        self._on_data_changed()

    def _on_import_clicked(self) -> None:
        if self.busy or self._read_only:
            return
        path = AdjustmentFileDialog.choose(self, self._file.path.parent)
        if path is None:
            return
        cf = self._file

        def read(report: Report) -> AdjustmentPlan | None:
            stop = [False]

            def progress(done: int, total: int, _what: str) -> None:
                stop[0] = not report(done, total)

            try:
                return adjustment_import.plan_adjustments(
                    cf, path, progress=progress, cancelled=lambda: stop[0]
                )
            except adjustment_import.Cancelled:
                return None

        def planned(view: PeriodsView, plan: AdjustmentPlan | None) -> None:
            if plan is not None:
                # Asked once the reading has finished (see _on_close_clicked).
                view._after_work = lambda v: v._confirm_import(plan)

        self._run(
            f"Reading {path.name}…", read, planned, "The adjustments cannot be imported",
            cancellable=True,
        )  # fmt: skip

    def _confirm_import(self, plan: AdjustmentPlan) -> None:
        if not ImportPreviewDialog.confirm(self, plan) or self.busy:
            if self._stale:  # changed elsewhere while the file was read
                self.refresh()
            return
        cf = self._file

        def imported(view: PeriodsView, result: AdjustmentResult) -> None:
            view._stale = True

            def tell(v: PeriodsView) -> None:
                v.refresh()
                Messages.info(
                    v,
                    "Adjustments imported",
                    f"{plan.path.name}: {result.summary}.",
                    "The statements shown are computed again with them.",
                )

            view._after_work = tell

        self._run(
            f"Importing {plan.path.name}…",
            lambda _report: adjustment_import.commit_adjustments(cf, plan),
            imported,
            "The adjustments were not imported",
        )

    # Showing.
    # What to do once the work under way has ended, given the view (so it holds no
    # reference to it: a view must never sit in a reference cycle, see tasks.Task).
    _after_work: Callable[[PeriodsView], None] | None = None

    def _run(
        self,
        label: str,
        work: Callable[[Report], Any],
        done: Callable[[PeriodsView, Any], None],
        failure_title: str,
        *,
        cancellable: bool = False,
    ) -> None:
        # The work must not hold this view (tasks.Task): it is given the file, not `self`.
        # The outcome goes to methods of the view, so it is dropped if the view is gone.
        task = Task(work, source=self)  # what it commits is this view's write
        task.progress.connect(self._on_task_progress)
        task.succeeded.connect(self._on_task_succeeded)
        task.failed.connect(self._on_task_failed)
        task.finished.connect(self._on_task_finished)
        self._task = task
        self._task_done, self._task_failure_title = done, failure_title
        self._busy_label.setText(label)
        self._busy_label.show()
        self._busy.setRange(0, 0)  # busy without steps until the work reports some
        self._busy.show()
        self._cancel_button.setVisible(cancellable)
        self._update_actions()
        task.start()

    def _on_task_succeeded(self, result: Any) -> None:
        if self._task_done is not None:
            self._task_done(self, result)

    def _on_task_failed(self, error: BaseException) -> None:
        Messages.error(self, self._task_failure_title, error)

    def _on_task_finished(self) -> None:
        # The task deletes itself once the pool thread is done with it (tasks.Task).
        self._task = None
        self._task_done = None
        self._busy.hide()
        self._busy_label.hide()
        self._cancel_button.hide()
        self._update_actions()
        self.work_finished.emit()
        then, self._after_work = self._after_work, None
        if then is not None:
            then(self)
        elif self._stale:
            self.refresh()
        else:
            self._show_stored_statements()

    def _show_statements(self, month: Month | None, statements: tuple[Statement, ...]) -> None:
        chosen = self._selected_statement() if month == self._shown_month else None
        self._shown_month = month
        self._statements.set_rows(statements)
        self._show_lines(None)
        if month is not None:
            if statements:
                # The same month again (recomputed after an edit): the same rep stays chosen.
                self._statement_table.selectRow(self._statement_row(chosen))
            self.computed.emit(month)
        self._update_title()

    def _statement_row(self, chosen: Statement | None) -> int:
        for row in range(self._statements_proxy.rowCount()):
            shown = self._statements_proxy.data(self._statements_proxy.index(row, 0), VALUE_ROLE)
            if chosen is not None and shown.rep_id == chosen.rep_id:
                return row
        return 0

    def _show_lines(self, statement: Statement | None) -> None:
        self._lines.set_rows(statement.lines if statement else ())
        self._statement_title.setText(_statement_summary(statement, self._currency))
        if statement is None:
            self._document.clear()
        else:
            # The payout settings as they are now (the questions line): one small read.
            payouts = records.get_company(self._file).payouts
            self._document.setHtml(statement_html(statement, self._currency, payouts))
        self._show_adjustments(statement)

    def _show_adjustments(self, statement: Statement | None) -> None:
        if statement is None:
            self._adjustments.show_for(None, None, writable=False)
            self._tabs.setTabText(self._tabs.indexOf(self._adjustments), "&Adjustments")
            return
        note = ""
        info = self._selected_period()
        if info is not None and info.status is PeriodStatus.CLOSED:
            note = "The month is closed: its statements are final, and so are these."
        elif self._read_only:
            note = "The file is open read-only."
        self._adjustments.show_for(
            (statement.rep_id, statement.rep_name),
            statement.month,
            writable=self._can_adjust(),
            note=note,
        )
        n = self._adjustments.count
        self._tabs.setTabText(self._tabs.indexOf(self._adjustments), f"&Adjustments ({n})")

    def _can_adjust(self) -> bool:
        info = self._selected_period()
        return (
            not self.busy
            and not self._read_only
            and info is not None
            and info.status is PeriodStatus.OPEN
            and info.month == self._shown_month
        )

    def _update_title(self) -> None:
        info = self._selected_period()
        if info is None:
            self._title.setText("Choose a month")
            self._hint.setText("")
            return
        self._title.setText(f"{month_title(info.month)} · {info.status_text.lower()}")
        self._hint.setText(self._hint_for(info))

    def _hint_for(self, info: PeriodInfo) -> str:
        """What to do next with this month, in the order of the month end."""
        if info.status is PeriodStatus.CLOSED:
            if info.closed_at is None:
                return (
                    "Before the first close: this month counts as closed, with no statements. "
                    "What is dated in it is paid as a prior-period adjustment in the first "
                    "open month."
                )
            return (
                f"Closed on {info.closed_at:%Y-%m-%d}: these statements are final, as stored. "
                "Write the statement PDFs for the reps and payroll."
            )
        if info.next_to_close:
            return (
                "1. Compute and review each rep's statement.  2. Close the month.  3. Write "
                "the final statement PDFs (offered once it is closed)."
            )
        nxt = next((p.month for p in self._months.rows() if p.next_to_close), None)
        if nxt is None:
            return ""
        return (
            f"Months close in order: {month_title(nxt)} closes first. "
            f"“Close through {month_title(info.month)}” closes every month from "
            f"{month_title(nxt)} to this one, in one go. Statements of an open month are drafts."
        )

    def _update_actions(self) -> None:
        info = self._selected_period()
        idle = not self.busy
        self._month_table.setEnabled(idle)
        stored = info is not None and info.status is PeriodStatus.CLOSED
        # A closed month shows its stored statements by itself: nothing to compute.
        self._compute_button.setEnabled(idle and info is not None and not stored)
        self._compute_button.setToolTip(
            "A closed month's statements are stored: they are shown as they were closed."
            if stored
            else "Compute every rep's statement for the month as the data stands now (a draft)"
        )
        self._pdf_button.setEnabled(idle and info is not None)
        # Exporting reads the month (a read-only file too); an open month's file is a draft.
        self._export_button.setEnabled(idle and info is not None)
        closed = info is not None and info.status is PeriodStatus.CLOSED
        self._pdf_button.setText("Statement &PDFs…" if closed else "Draft &PDFs…")
        self._pdf_button.setToolTip(
            "Write every rep's final statement and clawback notices as PDF"
            if closed
            else "Write draft statements (marked DRAFT) for review before closing"
        )
        writable = idle and not self._read_only
        can_close = writable and info is not None and info.status is PeriodStatus.OPEN
        self._close_button.setEnabled(can_close)
        if info is not None and info.status is PeriodStatus.OPEN and not info.next_to_close:
            self._close_button.setText(f"C&lose through {month_title(info.month)}…")
        else:
            self._close_button.setText("C&lose month…")
        reopenable = self._reopenable_month()
        self._reopen_button.setEnabled(writable and reopenable is not None)
        self._import_button.setEnabled(writable)
        self._adjustments.set_writable(self._can_adjust())
        self._reopen_button.setToolTip(
            f"Reopen {month_title(reopenable)}" if reopenable else "No month is closed"
        )
        self._update_title()

    def _selected_period(self) -> PeriodInfo | None:
        rows = self._month_table.selectionModel().selectedRows()
        return self._months.row_value(rows[0].row()) if rows else None

    def _reopenable_month(self) -> Month | None:
        # Which month may be reopened is the services' rule (periods.reopenable_month),
        # given with the listing.
        return next((p.month for p in self._months.rows() if p.reopenable), None)

    # For tests: what the tables show.
    @property
    def month_table(self) -> QTableView:
        return self._month_table

    @property
    def statement_table(self) -> QTableView:
        return self._statement_table

    @property
    def line_table(self) -> QTableView:
        return self._line_table

    @property
    def hint(self) -> str:
        return self._hint.text()

    @property
    def heading(self) -> str:
        """The heading over the month's work: the month chosen and its status
        ("February 2026 · open"), or "Choose a month"."""
        return self._title.text()

    @property
    def statement_summary(self) -> str:
        """The line over the chosen statement's tabs: the rep, the plan, the attainment and
        the year's earnings so far (or what to do to see them)."""
        return self._statement_title.text()

    @property
    def buttons(self) -> dict[str, QPushButton]:
        return {
            "compute": self._compute_button,
            "close": self._close_button,
            "reopen": self._reopen_button,
            "pdf": self._pdf_button,
            "cancel": self._cancel_button,
            "import": self._import_button,
            "export": self._export_button,
        }

    @property
    def adjustments(self) -> AdjustmentsPanel:
        return self._adjustments

    @property
    def tabs(self) -> QTabWidget:
        return self._tabs


def _statement_summary(statement: Statement | None, currency: str) -> str:
    if statement is None:
        return "Choose a rep to see the lines of their statement."
    parts = [
        f"{statement.rep_name} ({statement.role_name})"
        if statement.role_name
        else statement.rep_name
    ]
    if statement.plan_name:
        parts.append(f"{statement.plan_name} ({statement.plan_version})")
    if statement.quota is not None and statement.attainment_pct is not None:
        parts.append(
            f"{fmt_pct(statement.attainment_pct)} of the {fmt_money(statement.quota, currency)} "
            f"quota for {statement.quota_period_label}"
        )
    parts.append(f"YTD earnings {fmt_money(statement.ytd_earnings, currency)}")
    return " · ".join(parts)
