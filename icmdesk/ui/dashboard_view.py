"""The dashboard: one payout month at a glance (services.dashboard), computed off the GUI thread.

Total payout, each rep's payout, attainment against quota as horizontal bars
(a small QPainter widget), the month's clawbacks and the data warnings.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import date
from decimal import Decimal

from PySide6.QtCore import QPointF, QRectF, QSize, Qt
from PySide6.QtGui import QPainter, QPaintEvent, QPalette, QPen
from PySide6.QtWidgets import (
    QComboBox,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QSizePolicy,
    QSplitter,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from icmdesk.domain.calendar import Month
from icmdesk.domain.engine.fmt import fmt_money, fmt_pct
from icmdesk.services import dashboard as dashboard_service
from icmdesk.services.company import CompanyHandle
from icmdesk.services.dashboard import Clawback, Dashboard, RepPayout
from icmdesk.ui.changes import ALL_KINDS, Change, Changes, follow
from icmdesk.ui.messages import error_text
from icmdesk.ui.tables import (
    RIGHT,
    Column,
    ValueTableModel,
    fit_amounts,
    make_table,
    money_column,
    set_column_widths,
    sorting_proxy,
)
from icmdesk.ui.tasks import Task

_SCALE_PCT = 150  # the bar chart's axis runs to 150% of quota (longer bars are clipped)


class AttainmentChart(QWidget):
    """One horizontal bar per rep: attainment in % of quota, with the 100% line marked."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._rows: tuple[tuple[str, Decimal | None], ...] = ()
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        self.setMinimumHeight(120)

    def sizeHint(self) -> QSize:
        return QSize(self.fontMetrics().averageCharWidth() * 50, 260)

    @property
    def rows(self) -> tuple[tuple[str, Decimal | None], ...]:
        return self._rows

    def set_rows(self, rows: Sequence[tuple[str, Decimal | None]]) -> None:
        self._rows = tuple(rows)
        self.update()

    def paintEvent(self, event: QPaintEvent) -> None:
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        palette = self.palette()
        text = palette.color(QPalette.ColorRole.WindowText)
        painter.fillRect(self.rect(), palette.color(QPalette.ColorRole.Base))
        metrics = self.fontMetrics()
        if not self._rows:
            painter.setPen(palette.color(QPalette.ColorRole.PlaceholderText))
            painter.drawText(self.rect(), Qt.AlignmentFlag.AlignCenter, "No reps this month")
            return
        name_w = max(metrics.horizontalAdvance(n) for n, _ in self._rows) + 12
        value_w = metrics.horizontalAdvance("no quota") + 12
        left, right = name_w, self.width() - value_w
        top = 4
        bottom = self.height() - metrics.height() - 6
        row_h = max(4.0, (bottom - top) / len(self._rows))
        bar_h = min(row_h * 0.65, metrics.height() * 1.2)
        width = max(1, right - left)
        bar = palette.color(QPalette.ColorRole.Highlight)
        for i, (name, pct) in enumerate(self._rows):
            y = top + i * row_h
            centre = y + row_h / 2
            painter.setPen(text)
            painter.drawText(
                QRectF(0, y, name_w - 6, row_h),
                int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter),
                name,
            )
            if pct is None:
                label = "no quota"
            else:
                shown = min(float(pct), _SCALE_PCT)
                painter.fillRect(
                    QRectF(left, centre - bar_h / 2, width * shown / _SCALE_PCT, bar_h), bar
                )
                label = fmt_pct(pct)
            painter.setPen(text)
            painter.drawText(
                QRectF(right + 6, y, value_w, row_h),
                int(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter),
                label,
            )
        quota_pen = QPen(text)
        quota_pen.setStyle(Qt.PenStyle.DashLine)
        painter.setPen(quota_pen)
        for pct in (0, 50, 100, 150):
            x = left + width * pct / _SCALE_PCT
            if pct == 100:
                painter.drawLine(QPointF(x, top), QPointF(x, bottom))
            label = "quota" if pct == 100 else f"{pct}%"
            painter.setPen(text)
            w = metrics.horizontalAdvance(label)
            painter.drawText(QPointF(x - w / 2, self.height() - metrics.descent() - 2), label)
            painter.setPen(quota_pen)


class DashboardView(QWidget):
    """A payout month at a glance; pick the month at the top."""

    kinds = ALL_KINDS  # payouts depend on every record, the currency included

    def __init__(
        self,
        company_file: CompanyHandle,
        parent: QWidget | None = None,
        *,
        today: Callable[[], date] = date.today,
        changes: Changes | None = None,
    ) -> None:
        super().__init__(parent)
        self._file = company_file
        follow(self, changes or Changes(self))
        self._today = today
        self._task: Task | None = None
        self.board: Dashboard | None = None
        self._build_ui()
        self._connect_signals()
        self.refresh()

    def _build_ui(self) -> None:
        layout = QVBoxLayout(self)
        bar = QHBoxLayout()
        caption = QLabel("&Month:")
        self.month = QComboBox()
        self.month.setMinimumContentsLength(8)
        caption.setBuddy(self.month)
        bar.addWidget(caption)
        bar.addWidget(self.month)
        self.status = QLabel()
        bar.addWidget(self.status)
        bar.addStretch(1)
        layout.addLayout(bar)

        figures = QHBoxLayout()
        self.total = self._figure("Total payout", figures)
        self.earnings = self._figure("Earnings", figures)
        self.clawed = self._figure("Clawbacks", figures)
        figures.addStretch(1)
        layout.addLayout(figures)

        split = QSplitter(Qt.Orientation.Horizontal)
        self._reps_model: ValueTableModel[RepPayout] = ValueTableModel([], parent=self)
        self._reps_proxy = sorting_proxy(self._reps_model, self)
        self.reps_table: QTableView = make_table(self)
        self.reps_table.setModel(self._reps_proxy)
        self.reps_table.setSortingEnabled(True)
        self.reps_table.sortByColumn(0, Qt.SortOrder.AscendingOrder)
        split.addWidget(self._boxed("Payouts per rep", self.reps_table))
        self.chart = AttainmentChart()
        split.addWidget(self._boxed("Attainment against quota", self.chart))
        split.setStretchFactor(0, 3)
        split.setStretchFactor(1, 2)
        layout.addWidget(split, 3)

        lower = QSplitter(Qt.Orientation.Horizontal)
        self._claw_model: ValueTableModel[Clawback] = ValueTableModel([], parent=self)
        self.clawback_table: QTableView = make_table(self)
        self.clawback_table.setModel(self._claw_model)
        lower.addWidget(self._boxed("Clawbacks this month", self.clawback_table))
        self.warnings = QLabel()
        self.warnings.setWordWrap(True)
        self.warnings.setAlignment(Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignLeft)
        self.warnings.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        lower.addWidget(self._boxed("Needs attention", self.warnings))
        lower.setStretchFactor(0, 3)
        lower.setStretchFactor(1, 2)
        cw = self.fontMetrics().averageCharWidth()
        lower.setSizes([cw * 70, cw * 45])
        layout.addWidget(lower, 2)

    def _figure(self, caption: str, layout: QHBoxLayout) -> QLabel:
        box = QVBoxLayout()
        title = QLabel(caption)
        value = QLabel("—")
        font = value.font()
        font.setPointSizeF(font.pointSizeF() * 1.6)
        font.setBold(True)
        value.setFont(font)
        box.addWidget(title)
        box.addWidget(value)
        layout.addLayout(box)
        layout.addSpacing(self.fontMetrics().averageCharWidth() * 6)
        return value

    @staticmethod
    def _boxed(title: str, widget: QWidget) -> QGroupBox:
        box = QGroupBox(title)
        QVBoxLayout(box).addWidget(widget)
        return box

    def _connect_signals(self) -> None:
        self.month.currentIndexChanged.connect(self._on_month_current_index_changed)

    # Entry points.
    def on_changes(self, change: Change) -> None:
        self.refresh()

    def refresh(self) -> None:
        """Re-read the months and show the selected one (today's month, else the latest)."""
        keep = self.month.currentData()
        months = dashboard_service.dashboard_months(self._file)
        self.month.blockSignals(True)
        self.month.clear()
        for m in months:
            self.month.addItem(str(m), str(m))
        self.month.blockSignals(False)
        if not months:
            self._clear()
            self.status.setText("No data yet.")
            return
        today = str(Month.of(self._today()))
        wanted = keep or (today if today in [str(m) for m in months] else str(months[-1]))
        index = max(0, self.month.findData(wanted))
        self.month.blockSignals(True)  # one computation, below, not one more from the signal
        self.month.setCurrentIndex(index)
        self.month.blockSignals(False)
        self.load(Month.parse(self.month.itemData(index)))

    def load(self, month: Month) -> Task:
        """Compute `month`'s dashboard in the background; the view fills in when it is done.

        Only the latest request is shown: an earlier one finishing later is dropped.
        """
        self.status.setText(f"Computing {month}…")
        cf = self._file  # the work holds the file, not the view (tasks.Task)
        task = Task(lambda _report: _compute(cf, month))
        task.succeeded.connect(self._on_task_succeeded)
        task.failed.connect(self._on_task_failed)
        self._task = task
        task.start()
        return task

    # Slots.
    def _on_month_current_index_changed(self, index: int) -> None:
        if index >= 0:
            self.load(Month.parse(self.month.itemData(index)))

    def _is_latest(self) -> bool:
        return self.sender() is self._task

    def _on_task_failed(self, error: BaseException) -> None:
        if not self._is_latest():
            return
        self._clear()  # never another month's figures under this month's name
        self.status.setText(f"The month could not be computed: {error_text(error)}")

    def _on_task_succeeded(self, board: Dashboard) -> None:
        if not self._is_latest():
            return  # an older request finishing after the user moved on
        self._show(board)

    def _clear(self) -> None:
        self.board = None
        for label in (self.total, self.earnings, self.clawed):
            label.setText("—")
        self._reps_model.set_rows(())
        self.chart.set_rows(())
        self._claw_model.set_rows(())
        self.warnings.setText("")

    def _show(self, board: Dashboard) -> None:
        self.board = board
        cur = board.currency
        self.status.setText("Closed" if board.closed else "Open (not closed yet)")
        self.total.setText(fmt_money(board.total_payout, cur))
        self.earnings.setText(fmt_money(board.total_earnings, cur))
        self.clawed.setText(fmt_money(board.total_clawbacks, cur))
        self._reps_model = ValueTableModel(_rep_columns(cur), board.reps, self)
        self._reps_proxy.setSourceModel(self._reps_model)
        set_column_widths(self.reps_table, (18, 14, 13, 14, 11))
        fit_amounts(self.reps_table, stretch=(0, 4))  # amounts never cut; names elide
        self.chart.set_rows([(r.name, r.attainment_pct) for r in board.reps])
        self._claw_model = ValueTableModel(_clawback_columns(cur), board.clawbacks, self)
        self.clawback_table.setModel(self._claw_model)
        set_column_widths(self.clawback_table, (16, 10, 0, 14))
        # The customer takes the spare width and elides; amounts are never cut.
        fit_amounts(self.clawback_table, stretch=2)
        self.warnings.setText(
            "\n\n".join(f"• {w}" for w in board.warnings) or "Nothing: the data looks complete."
        )

    @property
    def reps_model(self) -> ValueTableModel[RepPayout]:
        return self._reps_model

    @property
    def clawback_model(self) -> ValueTableModel[Clawback]:
        return self._claw_model


def _compute(cf: CompanyHandle, month: Month) -> Dashboard:
    return dashboard_service.dashboard(cf, month)


def _rep_columns(currency: str) -> list[Column[RepPayout]]:
    return [
        Column("Rep", lambda r: r.name),
        money_column("Earnings", lambda r: r.earnings, currency),
        money_column("Payout", lambda r: r.payout, currency),
        Column(
            "Attainment",
            lambda r: r.attainment_pct,
            lambda v: "" if v is None else fmt_pct(v),
            RIGHT,
        ),
        Column("Plan", lambda r: r.plan),
    ]


def _clawback_columns(currency: str) -> list[Column[Clawback]]:
    return [
        Column("Rep", lambda c: c.rep_name),
        Column("Deal", lambda c: c.deal_id),
        Column("Customer", lambda c: c.customer),
        money_column("Amount", lambda c: c.amount, currency),
    ]
