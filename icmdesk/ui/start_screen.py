"""The start screen: recent companies, a new company, open a file, or the demo company.

Shown when the app starts without a file and after File ▸ Close. It only asks;
the app (app.Shell) opens files and reports problems.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QSettings, Qt, Signal
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

RECENT_KEY = "recent/files"
MAX_RECENT = 8


class RecentFiles:
    """The most recently opened company files, newest first, kept in QSettings."""

    def __init__(self, settings: QSettings) -> None:
        self._settings = settings

    def paths(self) -> list[Path]:
        value = self._settings.value(RECENT_KEY, [])
        # An INI file gives back a single entry as a plain string, and none as None.
        if value is None:
            items: list[str] = []
        elif isinstance(value, str):
            items = [value] if value else []
        else:
            items = [str(v) for v in value]
        return [Path(p) for p in items]

    def add(self, path: Path) -> None:
        path = Path(path).resolve()
        paths = [path] + [p for p in self.paths() if p != path]
        self._save(paths[:MAX_RECENT])

    def remove(self, path: Path) -> None:
        self._save([p for p in self.paths() if p != Path(path).resolve()])

    def _save(self, paths: list[Path]) -> None:
        self._settings.setValue(RECENT_KEY, [str(p) for p in paths])
        self._settings.sync()


class StartScreen(QWidget):
    """Where the app starts when no company is open."""

    new_requested = Signal()
    open_requested = Signal()
    demo_requested = Signal()
    recent_chosen = Signal(Path)

    def __init__(self, recent: RecentFiles, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._recent = recent
        self._build_ui()
        self._connect_signals()
        self.refresh()

    def _build_ui(self) -> None:
        self.setWindowTitle("ICMDesk")
        self.resize(760, 440)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(24, 24, 24, 24)
        layout.setSpacing(24)

        left = QVBoxLayout()
        title = QLabel("ICMDesk")
        font = title.font()
        font.setPointSizeF(font.pointSizeF() * 2)
        font.setBold(True)
        title.setFont(font)
        left.addWidget(title)
        left.addWidget(QLabel("Sales commissions, right to the cent."))
        left.addSpacing(16)
        self._new = QPushButton("&New company…")
        self._open = QPushButton("&Open…")
        self._demo = QPushButton("Open &demo company")
        self._demo.setToolTip("A sample team of reps with a year of deals, to try everything")
        for button in (self._new, self._open, self._demo):
            button.setMinimumWidth(button.fontMetrics().averageCharWidth() * 28)
            left.addWidget(button)
        left.addStretch(1)
        layout.addLayout(left)

        right = QVBoxLayout()
        heading = QLabel("&Recent companies")
        right.addWidget(heading)
        self._list = QListWidget()
        self._list.setAlternatingRowColors(True)
        heading.setBuddy(self._list)
        right.addWidget(self._list)
        self._empty = QLabel("Companies you open appear here.")
        self._empty.setEnabled(False)
        right.addWidget(self._empty)
        layout.addLayout(right, 1)

    def _connect_signals(self) -> None:
        self._new.clicked.connect(self.new_requested)
        self._open.clicked.connect(self.open_requested)
        self._demo.clicked.connect(self.demo_requested)
        self._list.itemActivated.connect(self._on_list_item_activated)

    def refresh(self) -> None:
        """Re-read the recent list (after a file is opened or found missing)."""
        self._list.clear()
        for path in self._recent.paths():
            item = QListWidgetItem(f"{path.stem}\n{path.parent}")
            item.setData(Qt.ItemDataRole.UserRole, str(path))
            item.setToolTip(str(path))
            if not path.exists():
                item.setText(f"{path.stem} (not found)\n{path.parent}")
                item.setFlags(item.flags() & ~Qt.ItemFlag.ItemIsEnabled)
            self._list.addItem(item)
        self._empty.setVisible(self._list.count() == 0)
        if self._list.count():
            self._list.setCurrentRow(0)

    @property
    def recent_list(self) -> QListWidget:
        return self._list

    def button(self, name: str) -> QPushButton:
        """The "new", "open" or "demo" button (for tests and screenshots)."""
        return {"new": self._new, "open": self._open, "demo": self._demo}[name]

    def _on_list_item_activated(self, item: QListWidgetItem) -> None:
        self.recent_chosen.emit(Path(item.data(Qt.ItemDataRole.UserRole)))
