"""The main window: a navigation sidebar hosting the views."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QAction, QKeySequence
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
        self._nav.addItem("Overview")
        self._nav.setMaximumWidth(200)
        self._stack = QStackedWidget()
        self._stack.addWidget(OverviewView(self._summary))
        self._nav.currentRowChanged.connect(self._stack.setCurrentIndex)
        self._nav.setCurrentRow(0)
        splitter = QSplitter(Qt.Orientation.Horizontal)
        splitter.addWidget(self._nav)
        splitter.addWidget(self._stack)
        splitter.setStretchFactor(1, 1)
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
        self.statusBar().showMessage(f"{self._file.path}")

    @property
    def company_file(self) -> CompanyFile:
        return self._file
