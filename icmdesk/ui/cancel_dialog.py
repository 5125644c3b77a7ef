"""Cancel a deal: pick the date and reason, see the clawbacks it would post, then confirm.

The preview reads the deal's quarter from the file (cancellation.preview_by_rep), so it
runs in a pool thread (tasks.Task) while the dialog shows "Computing the clawbacks…".
Inputs changed while it runs are previewed again once it is in; confirming while a
preview is due waits for it, so what the user last saw is what gets posted. A date in a
closed month is kept as it is: the summary says which open month's statements carry the
clawbacks (as a prior-period adjustment).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from PySide6.QtCore import QEventLoop, QTimer, Signal
from PySide6.QtWidgets import (
    QDialog,
    QFormLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from icmdesk.domain.calendar import Month, month_name
from icmdesk.domain.engine.fmt import fmt_pct
from icmdesk.domain.entities import Deal
from icmdesk.domain.errors import NotFoundError, Problem, ValidationError
from icmdesk.domain.statement import StatementLine
from icmdesk.services import cancellation, records
from icmdesk.services.company import CompanyHandle
from icmdesk.ui.dialogs import FormDialog
from icmdesk.ui.forms import date_edit, from_qdate, no_silent_cut
from icmdesk.ui.messages import error_text
from icmdesk.ui.tables import (
    Column,
    ValueTableModel,
    make_table,
    money_column,
    set_column_widths,
)
from icmdesk.ui.tasks import Task

PREVIEW_DELAY_MS = 300  # recompute once the user stops changing the date

PreviewRow = tuple[str, StatementLine]


def _credit_text(line: StatementLine) -> str:
    """What a clawback line takes back: the rep's own credit, or a manager's override on a
    report's credit ("override on Leo Park's 60% credit")."""
    split = "" if line.split_pct is None else f"{fmt_pct(line.split_pct)} "
    if line.source_rep:
        return f"override on {line.source_rep}'s {split}credit"
    return f"own {split}credit"


class CancelDialog(FormDialog[Deal]):
    """Cancel one deal after previewing its clawbacks. `saved` is the cancelled deal.

    With `background` the dialog opens at once and the first preview fills in when it is
    computed; without it (the default) the constructor returns with the preview shown.
    Stepping back never asks: keeping the deal loses nothing worth a question.
    """

    preview_ready = Signal()  # a preview for the inputs as they stand is shown
    grows = False  # the clawbacks table makes room for a message

    def __init__(
        self,
        company_file: CompanyHandle,
        deal: Deal,
        parent: QWidget | None = None,
        *,
        today: date | None = None,
        background: bool = False,
    ) -> None:
        # Enter keeps the deal: cancelling one takes a deliberate click (or Alt+C).
        super().__init__(
            parent, accept_text="&Cancel deal", reject_text="&Keep the deal", enter_accepts=False
        )
        self._file = company_file
        self._deal = deal
        self._currency = records.get_company(company_file).currency
        self.preview: tuple[StatementLine, ...] = ()
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(PREVIEW_DELAY_MS)
        self._task: Task | None = None
        self._stale = False  # the inputs changed while a preview was being computed
        self._confirm_when_ready = False
        self._today = today or date.today()
        self._build_ui(max(self._today, deal.close_date))
        no_silent_cut(self)
        self._connect_signals()
        if background:
            self.start_preview()
        else:
            self.update_preview()

    @classmethod
    def confirm(
        cls, parent: QWidget | None, company_file: CompanyHandle, deal: Deal
    ) -> Deal | None:
        """Show the dialog; the cancelled deal, or None if the user stepped back."""
        return cls(company_file, deal, parent, background=True).run()

    def done(self, result: int) -> None:
        """Closing without confirming forgets a confirmation still waiting for its preview:
        "Keep the deal" must never be followed by the deal being cancelled."""
        if result != QDialog.DialogCode.Accepted:
            self._confirm_when_ready = False
            self._timer.stop()
            if self._task is not None:
                self._task.succeeded.disconnect(self._on_task_succeeded)
                self._task.failed.disconnect(self._on_task_failed)
                self._task = None
        super().done(result)

    def _build_ui(self, day: date) -> None:
        d = self._deal
        self.setWindowTitle(f"Cancel deal {d.external_id}")
        layout = self.body
        intro = QLabel(
            f"Deal {d.external_id} · {d.customer}, closed {d.close_date.isoformat()}. "
            "Cancelling claws back what its reps earned from it, within the clawback window."
        )
        intro.setWordWrap(True)
        layout.addWidget(intro)
        form = QFormLayout()
        self.day = date_edit(day)
        self.reason = QLineEdit()
        self.reason.setPlaceholderText("e.g. customer churned in the first month")
        for label, widget, field in (
            ("Cancellation &date:", self.day, "cancellation_date"),
            ("&Reason:", self.reason, "cancellation_reason"),
        ):
            box = QWidget()
            inner = QVBoxLayout(box)
            inner.setContentsMargins(0, 0, 0, 0)
            inner.setSpacing(2)
            inner.addWidget(widget)
            inner.addWidget(self.errors.add(field, box))
            form.addRow(label, box)
        layout.addLayout(form)
        layout.addWidget(QLabel("Clawbacks this would post:"))
        self.model: ValueTableModel[PreviewRow] = ValueTableModel(
            [
                Column("Rep", lambda r: r[0]),
                Column("On", lambda r: _credit_text(r[1])),
                Column("Rule", lambda r: r[1].rule, tooltip=lambda r: r[1].description),
                money_column("Amount", lambda r: r[1].amount, self._currency),
            ],
            parent=self,
        )
        self.table: QTableView = make_table(self)
        self.table.setModel(self.model)
        set_column_widths(self.table, (18, 26, 0, 13))
        self.table.horizontalHeader().setSectionResizeMode(2, QHeaderView.ResizeMode.Stretch)
        layout.addWidget(self.table, 1)
        self.summary = QLabel()
        self.summary.setWordWrap(True)
        layout.addWidget(self.summary)
        self.confirm_button = self.accept_button
        self.resize(self.fontMetrics().averageCharWidth() * 120, self.fontMetrics().height() * 24)

    def _connect_signals(self) -> None:
        self.day.dateChanged.connect(self._timer.start)
        self.reason.textChanged.connect(self._timer.start)
        self._timer.timeout.connect(self.start_preview)

    @property
    def computing(self) -> bool:
        """A preview is being computed (in a pool thread)."""
        return self._task is not None

    def start_preview(self) -> None:
        """Recompute the clawbacks for the date and reason as they stand, in the background
        (saves nothing); `preview_ready` says when they are shown."""
        self._timer.stop()
        if self._task is not None:
            self._stale = True  # previewed again with these inputs once this one is in
            return
        deal_id, day, today = self._deal.id, from_qdate(self.day.date()), self._today
        reason = self.reason.text().strip() or "(reason to be given)"
        cf = self._file
        self.summary.setText("Computing the clawbacks…")
        self.table.setEnabled(False)

        def preview(_report: object) -> tuple[tuple[PreviewRow, ...], Month]:
            rows = cancellation.preview_by_rep(cf, deal_id, day, reason, today=today)
            return rows, cancellation.posting_month(cf, day)

        task = Task(preview)
        task.succeeded.connect(self._on_task_succeeded)
        task.failed.connect(self._on_task_failed)
        self._task = task
        task.start()

    def update_preview(self) -> None:
        """Recompute the clawbacks now and return once they are shown (saves nothing).

        The work still runs in a pool thread; the dialog keeps painting while it waits.
        """
        self.start_preview()
        if self._task is None:
            return
        loop = QEventLoop(self)
        self.preview_ready.connect(loop.quit)
        try:
            loop.exec()
        finally:
            self.preview_ready.disconnect(loop.quit)

    def _on_task_succeeded(self, result: tuple[tuple[PreviewRow, ...], Month]) -> None:
        if not self._stale:  # else the inputs moved on: the next preview is on its way
            self._show_rows(*result)
        self._preview_done()

    def _on_task_failed(self, error: BaseException) -> None:
        if not self._stale:
            self._show_failure(error)
        self._preview_done()

    def _preview_done(self) -> None:
        # Called from the outcome slots, not from Task.finished: a preview on screen must
        # never look as if it were still being computed.
        self._task = None
        self.table.setEnabled(True)
        if self._stale:
            self._stale = False
            self.start_preview()
            return
        self.preview_ready.emit()
        if self._confirm_when_ready:
            self._confirm_when_ready = False
            self._confirm()

    def _show_rows(self, rows: Sequence[PreviewRow], posted_in: Month) -> None:
        self.errors.clear()
        self.model.set_rows(rows)
        self.preview = tuple(line for _rep, line in rows)
        if not rows:
            self.summary.setText("Nothing to claw back: no line would be posted.")
        else:
            n = len(rows)
            text = f"{n} clawback line{'s' if n != 1 else ''} would be posted"
            dated = Month.of(from_qdate(self.day.date()))
            if posted_in != dated:
                they, notices = (
                    ("it reaches the rep", "its clawback notice comes with that statement")
                    if n == 1
                    else ("they reach the reps", "the clawback notices come with those statements")
                )
                text += (
                    f" for {month_name(dated)}, which is closed: {they} through the "
                    f"prior-period adjustment of {month_name(posted_in)}, and {notices}."
                )
            else:
                text += f", in the {month_name(dated)} statements."
            self.summary.setText(text)
        self.confirm_button.setEnabled(True)

    def _show_failure(self, error: BaseException) -> None:
        if isinstance(error, ValidationError):
            self._show_refusal(error.problems)
        elif isinstance(error, NotFoundError):
            self._show_refusal([Problem("", str(error))])
        else:
            self._show_refusal([Problem("", f"The clawbacks could not be computed: "
                                            f"{error_text(error)}")])  # fmt: skip

    def _show_refusal(self, problems: tuple[Problem, ...] | list[Problem]) -> None:
        # A reason still to be typed is not worth a red line until the user confirms.
        shown = [p for p in problems if p.field != "cancellation_reason"]
        self.errors.show(shown)
        self.model.set_rows(())
        self.preview = ()
        self.summary.setText("")
        self.confirm_button.setEnabled(not shown)

    def _on_buttons_accepted(self) -> None:
        if self._timer.isActive() or self._task is not None:
            # The reason is part of each clawback line: show the lines as they will post,
            # then post them.
            self._confirm_when_ready = True
            self.start_preview()
            return
        self._confirm()

    def _confirm(self) -> None:
        self.store(
            lambda: cancellation.cancel_deal(
                self._file,
                self._deal.id,
                from_qdate(self.day.date()),
                self.reason.text(),
                today=self._today,
            )
        )
