"""A small chart of payout against attainment, painted with QPainter in the palette's colours.

It draws the points it is given (icmdesk.domain.whatif.payout_curve); it computes
nothing itself. Floats appear only as pixel positions.
"""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal

from PySide6.QtCore import QPointF, QRectF, QSize, Qt
from PySide6.QtGui import QPainter, QPaintEvent, QPalette, QPen, QPolygonF
from PySide6.QtWidgets import QSizePolicy, QWidget

from icmdesk.domain.engine.fmt import fmt_money
from icmdesk.domain.whatif import MAX_ATTAINMENT_PCT, CurvePoint


class TierChart(QWidget):
    """Commission (y) against attainment 0–200% of quota (x), with the tier boundaries marked."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._points: tuple[CurvePoint, ...] = ()
        self._boundaries: tuple[Decimal, ...] = ()
        self._currency = "USD"
        self._message = "No chart yet"
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        self.setMinimumSize(self.fontMetrics().averageCharWidth() * 40, 160)

    def sizeHint(self) -> QSize:
        return QSize(self.fontMetrics().averageCharWidth() * 60, 240)

    @property
    def points(self) -> tuple[CurvePoint, ...]:
        return self._points

    @property
    def message(self) -> str:
        return self._message

    def set_curve(
        self, points: Sequence[CurvePoint], boundaries: Sequence[Decimal], currency: str
    ) -> None:
        self._points = tuple(points)
        self._boundaries = tuple(boundaries)
        self._currency = currency
        self._message = ""
        self.update()

    def set_message(self, text: str) -> None:
        """Show why there is no curve (tiers that cannot be charted, no quota)."""
        self._points = ()
        self._message = text
        self.update()

    def paintEvent(self, event: QPaintEvent) -> None:
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        palette = self.palette()
        text = palette.color(QPalette.ColorRole.WindowText)
        painter.fillRect(self.rect(), palette.color(QPalette.ColorRole.Base))
        metrics = self.fontMetrics()
        if not self._points:
            painter.setPen(palette.color(QPalette.ColorRole.PlaceholderText))
            painter.drawText(
                self.rect().adjusted(8, 8, -8, -8), Qt.AlignmentFlag.AlignCenter, self._message
            )
            return
        top = max(p.commission for p in self._points)
        top_text = fmt_money(top, self._currency)
        left = metrics.horizontalAdvance(top_text) + 12
        plot = QRectF(
            left, metrics.height(), self.width() - left - metrics.horizontalAdvance("200%"), 0
        )
        plot.setBottom(self.height() - metrics.height() * 2 - 4)
        x_max = float(MAX_ATTAINMENT_PCT)
        y_max = float(top) or 1.0

        def at(pct: Decimal, value: Decimal) -> QPointF:
            return QPointF(
                plot.left() + plot.width() * float(pct) / x_max,
                plot.bottom() - plot.height() * float(value) / y_max,
            )

        grid = QPen(palette.color(QPalette.ColorRole.Mid))
        grid.setStyle(Qt.PenStyle.DotLine)
        for pct in (0, 50, 100, 150, 200):
            x = plot.left() + plot.width() * pct / x_max
            painter.setPen(grid)
            painter.drawLine(QPointF(x, plot.top()), QPointF(x, plot.bottom()))
            painter.setPen(text)
            label = f"{pct}%"
            w = metrics.horizontalAdvance(label)
            painter.drawText(QPointF(x - w / 2, plot.bottom() + metrics.ascent() + 4), label)
        boundary = QPen(palette.color(QPalette.ColorRole.Highlight))
        boundary.setStyle(Qt.PenStyle.DashLine)
        painter.setPen(boundary)
        for b in self._boundaries:
            if 0 < b <= MAX_ATTAINMENT_PCT:
                x = plot.left() + plot.width() * float(b) / x_max
                painter.drawLine(QPointF(x, plot.top()), QPointF(x, plot.bottom()))
        painter.setPen(text)
        painter.drawLine(plot.bottomLeft(), plot.bottomRight())
        painter.drawLine(plot.bottomLeft(), plot.topLeft())
        painter.drawText(QPointF(4, plot.top() + metrics.ascent() / 2), top_text)
        zero = fmt_money(Decimal(0), self._currency)
        painter.drawText(QPointF(4, plot.bottom()), zero)
        caption = "Attainment (% of quota)"
        painter.drawText(
            QPointF(
                plot.center().x() - metrics.horizontalAdvance(caption) / 2,
                self.height() - metrics.descent() - 2,
            ),
            caption,
        )
        curve = QPen(palette.color(QPalette.ColorRole.Highlight))
        curve.setWidthF(2.0)
        painter.setPen(curve)
        painter.drawPolyline(QPolygonF([at(p.attainment_pct, p.commission) for p in self._points]))
