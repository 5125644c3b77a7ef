"""The main window: a navigation sidebar hosting the views."""

from __future__ import annotations

from PySide6.QtCore import Qt, QThreadPool
from PySide6.QtGui import QAction, QCloseEvent, QKeySequence
from PySide6.QtWidgets import (
    QFormLayout,
    QLabel,
    QListWidget,
    QMainWindow,
    QSplitter,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from icmdesk.models.database import CompanyFile
from icmdesk.services.overview import Overview, overview
from icmdesk.ui.deals_view import DealsView
from icmdesk.ui.periods_view import PeriodsView
from icmdesk.ui.reps_view import RepsView


class OverviewView(QWidget):
    """The company at a glance."""

    def __init__(self, summary: Overview, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._build_ui(summary)

    def _build_ui(self, s: Overview) -> None:
        layout = QVBoxLayout(self)
        title = QLabel(s.company_name)
        font = title.font()
        font.setPointSizeF(font.pointSizeF() * 1.6)
        font.setBold(True)
        title.setFont(font)
        layout.addWidget(title)
        form = QFormLayout()
        form.addRow("Currency:", QLabel(s.currency))
        form.addRow("Roles:", QLabel(str(s.roles)))
        form.addRow("Reps:", QLabel(str(s.reps)))
        form.addRow("Plans:", QLabel(str(s.plans)))
        form.addRow("Deals:", QLabel(f"{s.deals:,}"))
        if s.first_close and s.last_close:
            form.addRow(
                "Deals closed:", QLabel(f"{s.first_close:%d %b %Y} – {s.last_close:%d %b %Y}")
            )
        layout.addLayout(form)
        layout.addStretch(1)


class MainWindow(QMainWindow):
    """Hosts the views of one open company file."""

    def __init__(self, company_file: CompanyFile) -> None:
        super().__init__()
        self._file = company_file
        self._summary = overview(company_file)
        self._build_ui()

    def _build_ui(self) -> None:
        self.setWindowTitle(f"{self._summary.company_name} — {self._file.path.name} — ICMDesk")
        self.resize(1100, 720)
        self._nav = QListWidget()
        self._nav.setSpacing(3)
        self._stack = QStackedWidget()
        # Each view gets the company file and does its own work; the window only hosts them.
        for title, view in (
            ("Overview", OverviewView(self._summary)),
            ("Reps", RepsView(self._file)),
            ("Deals", DealsView(self._file)),
            ("Periods", PeriodsView(self._file)),
        ):
            self._nav.addItem(title)
            self._stack.addWidget(view)
        self._nav.currentRowChanged.connect(self._stack.setCurrentIndex)
        self._nav.setCurrentRow(0)
        splitter = QSplitter(Qt.Orientation.Horizontal)
        splitter.addWidget(self._nav)
        splitter.addWidget(self._stack)
        splitter.setStretchFactor(1, 1)
        splitter.setCollapsible(0, False)
        splitter.setSizes([self._nav.fontMetrics().averageCharWidth() * 22, 1000])
        self.setCentralWidget(splitter)

        file_menu = self.menuBar().addMenu("&File")
        close = QAction("&Close", self)
        close.setShortcut(QKeySequence.StandardKey.Close)
        close.triggered.connect(self.close)
        file_menu.addAction(close)
        quit_ = QAction("&Quit", self)
        quit_.setShortcut(QKeySequence.StandardKey.Quit)
        quit_.triggered.connect(self.close)
        file_menu.addAction(quit_)

        # Find and Refresh go to whichever view is showing, if it has a search box / data.
        view_menu = self.menuBar().addMenu("&View")
        self._find_action = QAction("&Find", self)
        self._find_action.setShortcut(QKeySequence.StandardKey.Find)
        self._find_action.triggered.connect(self._on_find_triggered)
        view_menu.addAction(self._find_action)
        self._refresh_action = QAction("&Refresh", self)
        self._refresh_action.setShortcut(QKeySequence.StandardKey.Refresh)
        self._refresh_action.triggered.connect(self._on_refresh_triggered)
        view_menu.addAction(self._refresh_action)
        self.statusBar().showMessage(f"{self._file.path}")

    @property
    def company_file(self) -> CompanyFile:
        return self._file

    def show_view(self, title: str) -> QWidget:
        """Switch to the view named `title` in the sidebar and return it."""
        row = next(i for i in range(self._nav.count()) if self._nav.item(i).text() == title)
        self._nav.setCurrentRow(row)
        return self._stack.widget(row)

    def current_view(self) -> QWidget:
        return self._stack.currentWidget()

    def closeEvent(self, event: QCloseEvent) -> None:
        # Background work (a compute, a close) writes to the file: let it finish first.
        QThreadPool.globalInstance().waitForDone()
        super().closeEvent(event)

    def _on_find_triggered(self) -> None:
        focus_search = getattr(self._stack.currentWidget(), "focus_search", None)
        if callable(focus_search):
            focus_search()

    def _on_refresh_triggered(self) -> None:
        refresh = getattr(self._stack.currentWidget(), "refresh", None)
        if callable(refresh):
            refresh()
