"""The main window: a navigation sidebar hosting the views, and the File menu."""

from __future__ import annotations

import html
from collections.abc import Callable
from datetime import date
from pathlib import Path

from PySide6.QtCore import QSettings, Qt, QThreadPool, Signal
from PySide6.QtGui import QAction, QCloseEvent, QGuiApplication, QIcon, QKeySequence
from PySide6.QtWidgets import (
    QFormLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QMainWindow,
    QMenu,
    QSplitter,
    QStackedWidget,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from icmdesk.domain.calendar import month_name
from icmdesk.domain.entities import Company
from icmdesk.domain.errors import CompanyFileError, Problem, ValidationError
from icmdesk.reports.fmt import day
from icmdesk.services import backups, company_io
from icmdesk.services.changes import Changes as Written
from icmdesk.services.company import CompanyHandle
from icmdesk.services.history import NOT_UNDONE_HERE, History
from icmdesk.services.overview import Overview, overview
from icmdesk.ui.audit_view import AuditView
from icmdesk.ui.changes import ALL_KINDS, Change, Changes, FollowsChanges, follow
from icmdesk.ui.dashboard_view import DashboardView
from icmdesk.ui.deals_view import DealsView
from icmdesk.ui.file_dialogs import FileDialogs
from icmdesk.ui.icons import icon
from icmdesk.ui.import_wizard import ImportDealsWizard
from icmdesk.ui.messages import Messages
from icmdesk.ui.periods_view import PeriodsView
from icmdesk.ui.plans_view import PlansView
from icmdesk.ui.reps_view import RepsView
from icmdesk.ui.restore_dialog import RestoreDialog
from icmdesk.ui.roles_view import RolesView
from icmdesk.ui.settings_view import SettingsView
from icmdesk.ui.tasks import Task
from icmdesk.ui.view_roles import HoldsEdits, RunsWork, Searchable, Writable


class OverviewView(QWidget):
    """The company at a glance; it follows every change saved in the other views."""

    kinds = ALL_KINDS  # it counts every kind of record

    def __init__(
        self,
        summary: Overview,
        parent: QWidget | None = None,
        *,
        company_file: CompanyHandle | None = None,
        changes: Changes | None = None,
    ) -> None:
        super().__init__(parent)
        self._file = company_file
        self._build_ui()
        self._show(summary)
        if changes is not None and company_file is not None:
            follow(self, changes)

    def _build_ui(self) -> None:
        layout = QVBoxLayout(self)
        self._title = QLabel()
        font = self._title.font()
        font.setPointSizeF(font.pointSizeF() * 1.6)
        font.setBold(True)
        self._title.setFont(font)
        layout.addWidget(self._title)
        self._form = QFormLayout()
        layout.addLayout(self._form)
        layout.addSpacing(12)
        # Until the first month is closed: what to set up, in order, and what is done.
        self._steps = QLabel()
        self._steps.setWordWrap(True)
        self._steps.setTextFormat(Qt.TextFormat.RichText)
        layout.addWidget(self._steps)
        layout.addStretch(1)

    def _show(self, s: Overview) -> None:
        self._title.setText(s.company_name)
        while self._form.rowCount():
            self._form.removeRow(0)
        self._form.addRow("Currency:", QLabel(s.currency))
        self._form.addRow(
            "Books start:",
            QLabel(
                month_name(s.books_start)
                if s.books_start
                else "none: paid from each rep's first day"
            ),
        )
        self._form.addRow(
            "Closed through:",
            QLabel(month_name(s.last_closed) if s.last_closed else "no month closed yet"),
        )
        if s.next_to_close:
            self._form.addRow("Next to close:", QLabel(month_name(s.next_to_close)))
        self._form.addRow("Roles:", QLabel(str(s.roles)))
        self._form.addRow("Reps:", QLabel(str(s.reps)))
        self._form.addRow("Plans:", QLabel(str(s.plans)))
        self._form.addRow("Deals:", QLabel(f"{s.deals:,}"))
        if s.first_close and s.last_close:
            self._form.addRow(
                "Deals closed:", QLabel(f"{day(s.first_close)} – {day(s.last_close)}")
            )
        self._steps.setText(_getting_started(s))
        self._steps.setVisible(s.last_closed is None)

    def refresh(self) -> None:
        if self._file is not None:
            self._show(overview(self._file))

    def on_changes(self, change: Change) -> None:
        self.refresh()

    def text(self) -> str:
        """What it shows, as text (for tests)."""
        labels = [self._title.text()]
        for row in range(self._form.rowCount()):
            for role in (QFormLayout.ItemRole.LabelRole, QFormLayout.ItemRole.FieldRole):
                item = self._form.itemAt(row, role)
                widget = item.widget() if item is not None else None
                if isinstance(widget, QLabel):
                    labels.append(widget.text())
        return " ".join(labels)


def _getting_started(s: Overview) -> str:
    """The first month end's steps, each ticked once done (rich text)."""
    month = month_name(s.next_to_close) if s.next_to_close else "the first month"
    steps = [
        (s.plans > 0, "Plans (Ctrl+5): a commission plan, with its rates, quota and bonuses."),
        (s.roles > 0, "Roles (Ctrl+4): a role, with that plan as its default."),
        (
            s.reps > 0 and s.assignments > 0,
            "Reps (Ctrl+3): each rep with their hire date; the role's plan fills in.",
        ),
    ]
    if s.books_start is not None:
        steps.append(
            (
                None,
                "Settings (Ctrl+9): any opening balance a rep carries in at the books start "
                "(optional).",
            )
        )
    steps += [
        (s.deals > 0, "Deals (Ctrl+6): the month's deals, with each rep's credit split."),
        (
            s.last_closed is not None,
            f"Periods (Ctrl+7): compute {month}, review each statement, close it, then "
            "write the statement PDFs.",
        ),
    ]
    items = "".join(f"<li>{'✓ ' if done else ''}{html.escape(text)}</li>" for done, text in steps)
    return f"<b>Your first month end</b><ol>{items}</ol>"


def _backup_words(b: backups.BackupInfo) -> str:
    """A backup in words: "the backup before close of 2026-04-01 09:12 UTC (months
    closed: 2026-01 to 2026-03)"."""
    what = f"the backup {b.kind_text}" if b.kind != "file" else f"the copy {b.path.name}"
    return f"{what} of {b.taken_text} (months closed: {b.months_text})"


# A view class: built with the company file when first shown. Every view the window hosts
# is a FollowsChanges (QWidget and FollowsChanges cannot be said as one type).
ViewFactory = Callable[[CompanyHandle], QWidget]

_FALLBACK_SHORTCUTS = {QKeySequence.StandardKey.Quit: "Ctrl+Q"}
_PREFERRED_SHORTCUTS = {QKeySequence.StandardKey.Close: "Ctrl+W"}


def _check_follows(view: QWidget) -> QWidget:
    """A view the window hosts: it shows records, so it follows the hub's changes."""
    if not isinstance(view, FollowsChanges):
        raise TypeError(f"{type(view).__name__} is not a FollowsChanges view")
    return view


def window_title(company_name: str, path: Path, *, read_only: bool = False) -> str:
    """The window's title; "[*]" is where Qt shows "*" while a view holds unsaved edits."""
    suffix = " (read-only)" if read_only else ""
    return f"{company_name} — {path.name}[*]{suffix} — ICMDesk"


class MainWindow(QMainWindow):
    """Hosts the views of one open company file.

    It asks the app (app.Shell) to open other files through its signals, and says
    when it closed and whether the user asked to go back to the start screen.
    """

    new_requested = Signal()
    open_requested = Signal()
    recent_chosen = Signal(Path)
    closed = Signal(bool)  # True: File ▸ Close (back to the start screen); False: quit
    _history_moved = Signal()  # what Undo / Redo would do changed (from any thread)

    def __init__(
        self,
        company_file: CompanyHandle,
        *,
        read_only: bool = False,
        settings: QSettings | None = None,
        recent: list[Path] | None = None,
    ) -> None:
        super().__init__()
        self._file = company_file
        self._read_only = read_only
        self._settings = settings
        self._recent = recent if recent is not None else []
        self._back_to_start = False
        self._edits_discarded = False  # asked already (before a restore): not again on close
        # Every unit of work committed to the file reaches this hub; every view follows it.
        self._changes = Changes(self)
        self._changes.attach(company_file)
        # Edit ▸ Undo / Redo: every write to the file, whoever made it, while it is open.
        self._history = History(company_file)
        self._summary = overview(company_file)
        self._build_ui()
        if read_only:
            self._set_read_only()
        self._restore_layout()

    def _build_ui(self) -> None:
        self._set_title(self._summary.company_name)
        self.resize(1100, 720)
        self._nav = QListWidget()
        self._nav.setSpacing(3)
        self._stack = QStackedWidget()
        self._factories: dict[int, ViewFactory] = {}
        # Each view is given the company file and does its own work; the window only hosts
        # them. A view given as its class is built the first time it is shown, so the
        # window paints at once, whatever the other views read when they are built.
        changes = self._changes

        def built(cls: Callable[..., QWidget], **more: object) -> ViewFactory:
            return lambda cf: cls(cf, changes=changes, **more)

        views: tuple[tuple[str, str, QWidget | ViewFactory], ...] = (
            (
                "Overview",
                "overview",
                OverviewView(self._summary, company_file=self._file, changes=changes),
            ),
            ("Dashboard", "dashboard", built(DashboardView)),
            ("Reps", "reps", built(RepsView)),
            ("Roles", "roles", built(RolesView)),
            ("Plans", "plans", built(PlansView)),
            ("Deals", "deals", built(DealsView)),
            ("Periods", "periods", built(PeriodsView, settings=self._settings)),
            ("Audit log", "audit", built(AuditView)),
            ("Settings", "settings", built(SettingsView)),
        )
        for title, icon_name, view in views:
            self._add_view(title, icon(icon_name), view)
        self._nav.currentRowChanged.connect(self._on_nav_current_row_changed)
        self._nav.setCurrentRow(0)
        self._splitter = QSplitter(Qt.Orientation.Horizontal)
        self._splitter.addWidget(self._nav)
        self._splitter.addWidget(self._stack)
        self._splitter.setStretchFactor(1, 1)
        self._splitter.setCollapsible(0, False)
        self._splitter.setSizes([self._nav.fontMetrics().averageCharWidth() * 22, 1000])
        self.setCentralWidget(self._splitter)
        self._build_menus()
        self.statusBar().showMessage(f"{self._file.path}")

    def _build_menus(self) -> None:
        file_menu = self.menuBar().addMenu("&File")
        self._new_action = self._action("&New Company…", QKeySequence.StandardKey.New)
        self._new_action.setIcon(icon("new"))
        self._new_action.triggered.connect(self.new_requested)
        self._open_action = self._action("&Open…", QKeySequence.StandardKey.Open)
        self._open_action.setIcon(icon("open"))
        self._open_action.triggered.connect(self.open_requested)
        self._recent_menu = QMenu("Open &Recent", self)
        self._recent_menu.aboutToShow.connect(self._fill_recent_menu)
        self._fill_recent_menu()
        self._backup_action = self._action("&Back Up…")
        self._backup_action.setIcon(icon("backup"))
        self._backup_action.triggered.connect(self._on_backup_triggered)
        self._restore_action = self._action("&Restore…")
        self._restore_action.setStatusTip(
            "Put back a backup of this company; the file as it is now is kept as a backup"
        )
        self._restore_action.triggered.connect(self._on_restore_triggered)
        self._check_action = self._action("C&heck Company File")
        self._check_action.setStatusTip(
            "Verify the file: every closed statement against its stored hash, the history "
            "chain of the audit log, and every rule"
        )
        self._check_action.triggered.connect(self._on_check_triggered)
        self._import_action = self._action("&Import Deals…")
        self._import_action.setShortcut(QKeySequence("Ctrl+I"))
        self._import_action.setStatusTip(
            "Bring in won deals from a HubSpot, Salesforce or Pipedrive export or a spreadsheet"
        )
        self._import_action.triggered.connect(self._on_import_triggered)
        self._close_action = self._action("&Close", QKeySequence.StandardKey.Close)
        self._close_action.triggered.connect(self._on_close_triggered)
        self._quit_action = self._action("&Quit", QKeySequence.StandardKey.Quit)
        self._quit_action.setMenuRole(QAction.MenuRole.QuitRole)
        self._quit_action.triggered.connect(self.close)
        file_menu.addAction(self._new_action)
        file_menu.addAction(self._open_action)
        file_menu.addMenu(self._recent_menu)
        file_menu.addSeparator()
        file_menu.addAction(self._import_action)
        file_menu.addSeparator()
        file_menu.addAction(self._backup_action)
        file_menu.addAction(self._restore_action)
        file_menu.addAction(self._check_action)
        file_menu.addSeparator()
        file_menu.addAction(self._close_action)
        file_menu.addAction(self._quit_action)

        # Undo / Redo name the action they take back or do again (services.history).
        edit_menu = self.menuBar().addMenu("&Edit")
        self._undo_action = self._action("&Undo", QKeySequence.StandardKey.Undo)
        self._undo_action.setStatusTip(NOT_UNDONE_HERE)
        self._undo_action.triggered.connect(self._on_undo_triggered)
        self._redo_action = self._action("&Redo", QKeySequence.StandardKey.Redo)
        if QKeySequence("Ctrl+Shift+Z") not in self._redo_action.shortcuts():
            # Ctrl+Shift+Z first: the one the menu shows, as the README says.
            self._redo_action.setShortcuts(["Ctrl+Shift+Z", *self._redo_action.shortcuts()])
        self._redo_action.setStatusTip("Do again what the latest Undo took back.")
        self._redo_action.triggered.connect(self._on_redo_triggered)
        edit_menu.addAction(self._undo_action)
        edit_menu.addAction(self._redo_action)
        self._history_moved.connect(self._on_history_moved)
        self._history.subscribe(self._history_moved.emit)  # queued when from a worker
        self._on_history_moved()

        # Find and Refresh go to whichever view is showing, if it has a search box / data.
        view_menu = self.menuBar().addMenu("&View")
        self._find_action = self._action("&Find", QKeySequence.StandardKey.Find)
        self._find_action.triggered.connect(self._on_find_triggered)
        view_menu.addAction(self._find_action)
        self._refresh_action = self._action("&Refresh", QKeySequence.StandardKey.Refresh)
        self._refresh_action.setIcon(icon("refresh"))
        self._refresh_action.triggered.connect(self._on_refresh_triggered)
        view_menu.addAction(self._refresh_action)
        view_menu.addSeparator()
        # Ctrl+1 … Ctrl+9: the views in the sidebar's order.
        for row in range(min(self._nav.count(), 9)):
            go = QAction(self._nav.item(row).text(), self)
            go.setShortcut(QKeySequence(f"Ctrl+{row + 1}"))
            go.triggered.connect(lambda _checked=False, r=row: self._nav.setCurrentRow(r))
            view_menu.addAction(go)
            self.addAction(go)

    def _action(self, text: str, shortcut: QKeySequence.StandardKey | None = None) -> QAction:
        action = QAction(text, self)
        if shortcut is not None:
            # Every binding of the platform (Close is Ctrl+W and Ctrl+F4 on some).
            keys = QKeySequence.keyBindings(shortcut)
            preferred = QKeySequence(_PREFERRED_SHORTCUTS.get(shortcut, ""))
            if preferred in keys:
                # The menu shows the first: Ctrl+W, which people know, before Ctrl+F4.
                keys = [preferred] + [k for k in keys if k != preferred]
            action.setShortcuts(keys)
            if not action.shortcuts() and shortcut in _FALLBACK_SHORTCUTS:
                # Windows has no standard Quit key; Ctrl+Q is what people try.
                action.setShortcut(QKeySequence(_FALLBACK_SHORTCUTS[shortcut]))
        self.addAction(action)  # shortcuts work even with the menu bar hidden (offscreen, tests)
        return action

    def _set_title(self, company_name: str) -> None:
        self.setWindowTitle(window_title(company_name, self._file.path, read_only=self._read_only))

    def _add_view(self, title: str, view_icon: QIcon, view: QWidget | ViewFactory) -> None:
        self._nav.addItem(QListWidgetItem(view_icon, title))
        if isinstance(view, QWidget):
            _check_follows(view)
            self._stack.addWidget(view)
        else:
            self._factories[self._stack.addWidget(QWidget())] = view

    def _view(self, row: int) -> QWidget:
        """The view of a sidebar row, built now if it has not been yet."""
        factory = self._factories.pop(row, None)
        if factory is None:
            return self._stack.widget(row)
        placeholder = self._stack.widget(row)
        view = _check_follows(factory(self._file))
        self._stack.insertWidget(row, view)
        self._stack.removeWidget(placeholder)
        placeholder.deleteLater()
        self._prepare(row, view)
        return view

    def _prepare(self, row: int, view: QWidget) -> None:
        # What the window does for every view once it exists.
        if self._read_only and isinstance(view, Writable):
            view.set_read_only(True)
        if isinstance(view, SettingsView):
            view.saved.connect(self._on_settings_view_saved)
        if isinstance(view, HoldsEdits):
            view.edited_changed.connect(self._on_view_edited_changed)
        self._restore_columns(row, view)

    def _on_view_edited_changed(self, _edited: bool) -> None:
        # The title's "*": some view holds edits not saved yet.
        views = [self._stack.widget(r) for r in range(self._stack.count())]
        self.setWindowModified(
            any(isinstance(v, HoldsEdits) and v.has_unsaved_edits() for v in views)
        )

    def _set_read_only(self) -> None:
        # Views with edits offer set_read_only (called as each is built); the file itself is
        # opened read-only as well, so a write that slips through is refused by SQLite.
        for row in range(self._stack.count()):
            view = self._stack.widget(row)
            if row not in self._factories and isinstance(view, Writable):
                view.set_read_only(True)
        self._import_action.setEnabled(False)
        self._restore_action.setEnabled(False)
        self.statusBar().showMessage(f"{self._file.path} — read-only: someone else is editing it")

    # What tests and the app use.
    @property
    def company_file(self) -> CompanyHandle:
        return self._file

    @property
    def read_only(self) -> bool:
        return self._read_only

    @property
    def changes(self) -> Changes:
        """The hub every unit of work committed to the file reaches; every view follows it."""
        return self._changes

    def edit_actions(self) -> dict[str, QAction]:
        return {"undo": self._undo_action, "redo": self._redo_action}

    def file_actions(self) -> dict[str, QAction]:
        return {
            "new": self._new_action,
            "open": self._open_action,
            "backup": self._backup_action,
            "restore": self._restore_action,
            "check": self._check_action,
            "close": self._close_action,
            "quit": self._quit_action,
        }

    @property
    def recent_menu(self) -> QMenu:
        return self._recent_menu

    def view_titles(self) -> list[str]:
        return [self._nav.item(i).text() for i in range(self._nav.count())]

    def show_view(self, title: str) -> QWidget:
        """Switch to the view named `title` in the sidebar and return it."""
        row = next(i for i in range(self._nav.count()) if self._nav.item(i).text() == title)
        self._nav.setCurrentRow(row)
        return self._view(row)

    def current_view(self) -> QWidget:
        return self._stack.currentWidget()

    # Remembered layout: window geometry, the sidebar's width, table column widths.
    def _restore_layout(self) -> None:
        if self._settings is None:
            return
        geometry = self._settings.value("window/geometry")
        if geometry is not None:
            self.restoreGeometry(geometry)
        splitter = self._settings.value("window/splitter")
        if splitter is not None:
            self._splitter.restoreState(splitter)
        for row in range(self._stack.count()):
            if row not in self._factories:
                self._restore_columns(row, self._stack.widget(row))

    def _restore_columns(self, row: int, view: QWidget) -> None:
        if self._settings is None:
            return
        for key, table in self._tables_of(row, view):
            widths = self._settings.value(key)
            if isinstance(widths, list):
                # Only widths: the header's whole state would also restore a sort order.
                header = table.horizontalHeader()
                for column, width in enumerate(widths[: header.count()]):
                    if int(width) > 0:
                        header.resizeSection(column, int(width))

    def _save_layout(self) -> None:
        if self._settings is None:
            return
        self._settings.setValue("window/geometry", self.saveGeometry())
        self._settings.setValue("window/splitter", self._splitter.saveState())
        for key, table in self._tables():
            header = table.horizontalHeader()
            self._settings.setValue(key, [header.sectionSize(c) for c in range(header.count())])
        self._settings.sync()

    def _tables(self) -> list[tuple[str, QTableView]]:
        """The tables of the views built so far, each with its settings key."""
        found: list[tuple[str, QTableView]] = []
        for row in range(self._stack.count()):
            if row not in self._factories:
                found += self._tables_of(row, self._stack.widget(row))
        return found

    def _tables_of(self, row: int, view: QWidget) -> list[tuple[str, QTableView]]:
        view_name = self._nav.item(row).text().replace(" ", "_").lower()
        return [
            (f"columns/{view_name}/{n}", table)
            for n, table in enumerate(view.findChildren(QTableView))
        ]

    def closeEvent(self, event: QCloseEvent) -> None:
        built = [self._stack.widget(row) for row in range(self._stack.count())]
        if not self._edits_discarded and not self._may_discard_edits(built):
            event.ignore()
            return
        self._finish_work()
        self._save_layout()
        self._history.close()  # the file is closing: nothing of it is undone any more
        self._changes.detach()
        super().closeEvent(event)
        self.closed.emit(self._back_to_start)

    # Slots.
    def _on_history_moved(self) -> None:
        # The menu names the action; "&" in a name is not a mnemonic.
        for action, verb, label in (
            (self._undo_action, "&Undo", self._history.undo_label),
            (self._redo_action, "&Redo", self._history.redo_label),
        ):
            action.setText(f"{verb} {label.replace('&', '&&')}" if label else verb)
            action.setEnabled(label is not None and not self._read_only)

    def _on_undo_triggered(self) -> None:
        self._replay("Undone", "Cannot undo", self._history.undo_label, self._history.undo)

    def _on_redo_triggered(self) -> None:
        self._replay("Redone", "Cannot redo", self._history.redo_label, self._history.redo)

    def _replay(
        self, done: str, refused: str, label: str | None, replay: Callable[[], Written]
    ) -> None:
        if label is None:  # the shortcut, with nothing to do
            return
        # Undoing an import writes back up to records.UNDO_LIMIT records: a second or two.
        QGuiApplication.setOverrideCursor(Qt.CursorShape.WaitCursor)
        try:
            replay()  # its commit reaches the hub: every view showing such records follows
        except (ValidationError, CompanyFileError) as e:
            refusal: Exception | None = e
        else:
            refusal = None
        finally:
            QGuiApplication.restoreOverrideCursor()
        if refusal is not None:
            Messages.error(self, refused, refusal)
            return
        self.statusBar().showMessage(f"{done}: {label}", 5000)

    def _fill_recent_menu(self) -> None:
        self._recent_menu.clear()
        others = [p for p in self._recent if p != self._file.path.resolve()]
        for n, path in enumerate(others, start=1):
            label = f"&{n} {path.name}" if n < 10 else path.name
            action = self._recent_menu.addAction(label)
            action.setToolTip(str(path))
            action.setData(str(path))
            action.triggered.connect(lambda _=False, p=path: self.recent_chosen.emit(p))
        self._recent_menu.setEnabled(bool(others))

    def set_recent(self, recent: list[Path]) -> None:
        self._recent = list(recent)
        self._fill_recent_menu()

    def _on_check_triggered(self) -> None:
        # Reading a big file's history takes a while: on a worker, the window answering.
        cf = self._file
        self._check_action.setEnabled(False)
        self.statusBar().showMessage("Checking the company file…")
        task = Task(lambda _report: company_io.check(cf))
        task.succeeded.connect(self._on_checked)
        task.failed.connect(self._on_check_failed)
        task.finished.connect(self._on_check_finished)
        task.start()

    def _on_check_finished(self) -> None:
        self._check_action.setEnabled(True)  # reading: allowed on a read-only file too

    def _on_checked(self, problems: list[Problem]) -> None:
        self.statusBar().showMessage(f"{self._file.path}")
        if not problems:
            Messages.info(
                self,
                "Company file checked",
                "No problems: every closed statement matches what was stored when its month "
                "closed, the history is unbroken, and every rule holds.",
            )
            return
        shown = "\n".join(f"• {p.message}" for p in problems[:20])
        more = f"\n… and {len(problems) - 20} more" if len(problems) > 20 else ""
        Messages.info(
            self,
            "Company file checked",
            f"{len(problems)} problem{'s' if len(problems) != 1 else ''} found. Restore a "
            "backup (File ▸ Restore…) if the file was changed outside ICMDesk.",
            shown + more,
        )

    def _on_check_failed(self, error: BaseException) -> None:
        self.statusBar().showMessage(f"{self._file.path}")
        Messages.error(self, "The company file could not be checked", error)

    def _on_import_triggered(self) -> None:
        wizard = ImportDealsWizard(self._file, self, settings=self._settings)
        wizard.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        wizard.open()  # window-modal, without a nested event loop

    def _on_backup_triggered(self) -> None:
        path = self._file.path
        suggested = path.with_name(f"{path.stem} backup {date.today().isoformat()}{path.suffix}")
        target = FileDialogs.save_backup(self, suggested)
        if target is None:
            return
        if target.resolve() == path.resolve():
            Messages.error(
                self, "Cannot back up", CompanyFileError("Choose a name other than the file itself")
            )
            return
        try:
            company_io.backup(self._file, target)
        except CompanyFileError as e:
            Messages.error(self, "Cannot back up", e)
            return
        Messages.info(self, "Backup written", f"A copy of the company is at {target}.")

    def _finish_work(self) -> None:
        # Work that can stop (a PDF batch) stops at its next file; work that writes to the
        # file (a close) is left to finish first.
        for row in range(self._stack.count()):
            view = self._stack.widget(row)
            if isinstance(view, RunsWork):
                view.cancel_work()
        QThreadPool.globalInstance().waitForDone()

    def _on_restore_triggered(self) -> None:
        path = self._file.path
        built = [self._stack.widget(row) for row in range(self._stack.count())]
        if not self._may_discard_edits(built):
            return
        source = RestoreDialog.choose(self, path)
        if source is None:
            return
        try:
            backup = backups.check_restorable(source)
        except CompanyFileError as e:
            Messages.error(self, "Cannot restore", e)
            return
        if not Messages.confirm(
            self,
            "Restore this backup?",
            f"Replace {path.name} with {_backup_words(backup)}?",
            f"Everything saved in {path} since then is replaced. The file as it is now is "
            f"kept as a backup in {backups.backup_folder(path)} first, so restoring that "
            "one brings it back.",
            "Restore",
        ):
            return
        # The app holds the company's lock throughout; its own connections go first, so
        # that the restore finds the file in nobody's use.
        self._finish_work()
        self._file.close()
        try:
            restored = backups.restore(path, source)
        except CompanyFileError as e:  # nothing was replaced: carry on with the file
            Messages.error(self, "Cannot restore", e)
            return
        # Reopened as any file is (app.Shell): the views start afresh from what it holds.
        self._edits_discarded = True
        self._back_to_start = False
        self.close()
        self.recent_chosen.emit(path)
        kept = f" The file it replaced is kept at {restored.kept}." if restored.kept else ""
        Messages.info(
            None,
            "Company restored",
            f"{path.name} now holds {_backup_words(restored.backup)}.",
            kept.strip(),
        )

    def _on_close_triggered(self) -> None:
        self._back_to_start = True
        if not self.close():
            self._back_to_start = False

    def _on_nav_current_row_changed(self, row: int) -> None:
        if row < 0:
            return
        self._view(row)
        self._stack.setCurrentIndex(row)

    def _on_settings_view_saved(self, company: Company) -> None:
        self._set_title(company.name)

    def _on_find_triggered(self) -> None:
        view = self._stack.currentWidget()
        if isinstance(view, Searchable):
            view.focus_search()

    def _on_refresh_triggered(self) -> None:
        view = self._stack.currentWidget()
        if isinstance(view, FollowsChanges) and self._may_discard_edits([view]):
            view.refresh()

    def may_close(self) -> bool:
        """Before another company replaces this window: False when a view holds edits the
        user chose to keep (Cancel); else True, and closing will not ask again."""
        built = [self._stack.widget(row) for row in range(self._stack.count())]
        if self._edits_discarded or self._may_discard_edits(built):
            self._edits_discarded = True
            return True
        return False

    def _may_discard_edits(self, views: list[QWidget]) -> bool:
        """True when none of the views holds edits not saved yet, or the user agrees to
        lose them."""
        for view in views:
            if isinstance(view, HoldsEdits) and view.has_unsaved_edits():
                row = self._stack.indexOf(view)
                title = self._nav.item(row).text() if row >= 0 else "this view"
                return Messages.discard_edits(self, f"the {title.lower()}")
        return True
