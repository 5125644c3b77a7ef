"""Application bootstrap: build the objects once, then the start screen or a company window.

`Shell` is the one place that opens and closes company files for the GUI: it
takes the write lock (or, if someone else holds it, offers read-only), reports
migrations and refusals in plain words, keeps the recent-files list, and swaps
between the start screen and the main window.
"""

from __future__ import annotations

import signal
import sys
from collections.abc import Callable
from pathlib import Path
from types import TracebackType
from typing import Any

from platformdirs import user_data_dir, user_documents_dir
from PySide6.QtCore import QObject, QSettings, QTimer
from PySide6.QtWidgets import QApplication, QWidget

from icmdesk.domain.errors import (
    CompanyFileError,
    DiskFullError,
    FileReadOnlyError,
    FolderReadOnlyError,
    ValidationError,
)
from icmdesk.services import company, company_io, records
from icmdesk.services.company import CompanyHandle, FileLock, FileLockedError
from icmdesk.ui.collector import MainThreadCollector
from icmdesk.ui.file_dialogs import FileDialogs
from icmdesk.ui.icons import app_icon
from icmdesk.ui.lock_prompt import LockPrompt
from icmdesk.ui.main_window import MainWindow
from icmdesk.ui.messages import Messages
from icmdesk.ui.new_company_wizard import NewCompanyWizard
from icmdesk.ui.start_screen import RecentFiles, StartScreen


def demo_path() -> Path:
    """Where the demo company lives for this user (created on first use)."""
    return Path(user_data_dir("ICMDesk", appauthor=False)) / "Demo Company.icmdesk"


def default_settings() -> QSettings:
    """The user's settings: an INI file in the platform's settings folder."""
    return QSettings(QSettings.Format.IniFormat, QSettings.Scope.UserScope, "ICMDesk", "ICMDesk")


class Shell(QObject):
    """Opens company files into a main window, or shows the start screen when none is open."""

    def __init__(self, settings: QSettings, *, demo: Path | None = None) -> None:
        super().__init__()
        self._settings = settings
        self._demo_path = demo or demo_path()
        self._recent = RecentFiles(settings)
        self._start: StartScreen | None = None
        self._window: MainWindow | None = None
        self._file: CompanyHandle | None = None
        self._lock: FileLock | None = None

    # What is showing.
    @property
    def window(self) -> MainWindow | None:
        return self._window

    @property
    def start_screen(self) -> StartScreen | None:
        return self._start

    @property
    def recent(self) -> RecentFiles:
        return self._recent

    def show_start(self) -> StartScreen:
        if self._start is None:
            self._start = StartScreen(self._recent)
            self._start.new_requested.connect(self.new_company)
            self._start.open_requested.connect(self.choose_and_open)
            self._start.demo_requested.connect(self.open_demo)
            self._start.recent_chosen.connect(self.open_path)
        self._start.refresh()
        self._start.show()
        self._start.raise_()
        return self._start

    def _parent(self) -> QWidget | None:
        return self._window or self._start

    # Opening.
    def open_path(self, path: Path) -> bool:
        """Open a company file for editing, or read-only if another writer holds it."""
        path = Path(path)
        if self._window is not None and self._file is not None and _same(path, self._file.path):
            self._window.raise_()
            self._window.activateWindow()
            return True
        # Unsaved edits in the open company are asked about before anything else: Cancel
        # keeps that window, its edits and its file exactly as they are.
        if self._window is not None and not self._window.may_close():
            return False
        parent = self._parent()
        lock: FileLock | None = None
        try:
            try:
                company_file, lock = company.open_for_editing(path)
            except FileLockedError as locked:
                if not LockPrompt.ask(parent, locked):
                    return False
                company_file = company.open_read_only(path)
            except (FileReadOnlyError, FolderReadOnlyError, DiskFullError) as cannot_write:
                # It can still be read: opened read-only, with the reason said once.
                company_file = company.open_read_only(path)
                Messages.info(
                    parent,
                    "Opened read-only",
                    f"{path.name} is open read-only: changes cannot be saved.",
                    f"{str(cannot_write)[:1].upper()}{str(cannot_write)[1:]}.",
                )
        except CompanyFileError as e:
            if not path.exists():
                self._recent.remove(path)
                if self._start is not None:
                    self._start.refresh()
            Messages.error(parent, "Cannot open the company", e)
            return False
        report = company_file.report
        if report.migrated_from is not None:
            Messages.info(
                parent,
                "Company file updated",
                f"{path.name} was saved by an older version of ICMDesk and has been "
                "updated to this version.",
                f"A copy of the file as it was is at {report.backup_path}.",
            )
        self._show_window(company_file, lock)
        return True

    def choose_and_open(self) -> bool:
        folder = self._recent.paths()[0].parent if self._recent.paths() else _documents()
        path = FileDialogs.open_company(self._parent(), folder)
        return path is not None and self.open_path(path)

    def open_demo(self) -> bool:
        """Open the demo company, writing it first if this user has none yet."""
        if not self._demo_path.exists():
            self._demo_path.parent.mkdir(parents=True, exist_ok=True)
            try:
                company_io.write_demo(self._demo_path).close()
            except CompanyFileError as e:
                Messages.error(self._parent(), "Cannot create the demo company", e)
                return False
        return self.open_path(self._demo_path)

    def new_company(self) -> bool:
        """Ask for a new company's settings and file, create it, and open it."""
        answers = NewCompanyWizard.ask(self._parent(), _documents())
        while answers is not None:
            try:
                records.create_company_file(answers.path, answers.company).close()
            except (ValidationError, CompanyFileError) as e:
                Messages.error(self._parent(), "Cannot create the company", e)
                # Back to the wizard with everything typed, to correct what was refused.
                answers = NewCompanyWizard.ask(self._parent(), _documents(), answers)
            else:
                return self.open_path(answers.path)
        return False

    # Showing and closing.
    def _show_window(self, company_file: CompanyHandle, lock: FileLock | None) -> None:
        self._close_current()
        self._recent.add(company_file.path)
        self._file, self._lock = company_file, lock
        window = MainWindow(
            company_file,
            read_only=lock is None,
            settings=self._settings,
            recent=self._recent.paths(),
        )
        window.new_requested.connect(self.new_company)
        window.open_requested.connect(self.choose_and_open)
        window.recent_chosen.connect(self.open_path)
        window.closed.connect(self._on_window_closed)
        self._window = window
        window.show()
        if self._start is not None:
            self._start.hide()

    def _close_current(self) -> None:
        if self._window is not None:
            window, self._window = self._window, None
            window.closed.disconnect(self._on_window_closed)
            window.close()
            window.deleteLater()
        self._release()

    def _release(self) -> None:
        if self._file is not None:
            self._file.close()
            self._file = None
        if self._lock is not None:
            self._lock.release()
            self._lock = None

    def _on_window_closed(self, back_to_start: bool) -> None:
        window, self._window = self._window, None
        self._release()
        if back_to_start:
            self.show_start()
        if window is not None:
            window.deleteLater()

    def shutdown(self) -> None:
        """Close whatever is open (on quit)."""
        self._close_current()
        if self._start is not None:
            self._start.close()


def _same(a: Path, b: Path) -> bool:
    return a.resolve() == b.resolve()


def _documents() -> Path:
    return Path(user_documents_dir())


def run_app(path: Path | None, *, demo: bool = False) -> int:
    """Open the app on a company file, the demo company, or the start screen; run until closed."""
    app = QApplication.instance() or QApplication(sys.argv)
    assert isinstance(app, QApplication)
    app.setApplicationName("ICMDesk")
    app.setOrganizationName("ICMDesk")
    app.setWindowIcon(app_icon())
    shell = Shell(default_settings())
    opened = shell.open_demo() if demo else shell.open_path(path) if path is not None else False
    if not opened:
        shell.show_start()
    previous = _quit_on_signals(app)
    hook, sys.excepthook = sys.excepthook, UnexpectedErrors(hook=sys.excepthook)
    collector = MainThreadCollector(app)  # cycles freed on this thread, never a worker
    collector.start()
    try:
        return app.exec()
    finally:
        sys.excepthook = hook
        shell.shutdown()
        # Widgets caught in a reference cycle are freed now, while the application object
        # lives: freed by the interpreter's last collection, after it, they crash on exit.
        collector.stop()
        for sig, handler in previous.items():
            signal.signal(sig, handler)


class UnexpectedErrors:
    """sys.excepthook while the app runs: an error nothing handled (a bug) is printed on
    stderr with its traceback, as before, and told in a message box once the event that
    raised it is over (never in the middle of painting), one box at a time."""

    def __init__(self, hook: Callable[..., object]) -> None:
        self._hook = hook
        self._pending: list[BaseException] = []

    def __call__(
        self, kind: type[BaseException], error: BaseException, trace: TracebackType | None
    ) -> None:
        self._hook(kind, error, trace)
        if isinstance(error, KeyboardInterrupt) or QApplication.instance() is None:
            return
        self._pending.append(error)
        if len(self._pending) == 1:
            QTimer.singleShot(0, self._tell)

    def _tell(self) -> None:
        error = self._pending[0]
        more = len(self._pending) - 1
        self._pending.clear()
        Messages.error(
            None,
            "Something went wrong",
            RuntimeError(
                f"{type(error).__name__}: {error}\n\nWhat you were doing may not have been "
                "saved; the company file is as it was before it. The details are printed on "
                "the terminal the app was started from."
                + (f" ({more} more error{'s' if more > 1 else ''} followed.)" if more else "")
            ),
        )


def _quit_on_signals(app: QApplication) -> dict[int, Any]:
    """Ctrl+C or a polite kill ends the event loop, so the lock is released and the
    window's layout saved; returns the handlers replaced."""
    previous = {}
    for sig in (signal.SIGINT, signal.SIGTERM):
        previous[sig] = signal.signal(sig, lambda *_: app.quit())
    # Python runs signal handlers only between bytecodes: wake it now and then.
    waker = QTimer(app)
    waker.timeout.connect(lambda: None)
    waker.start(500)
    return previous
