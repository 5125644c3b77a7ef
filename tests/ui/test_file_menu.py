"""The File menu, window title, remembered layout, migration notice, refusals and the lock."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path

import pytest
from alembic import command
from PySide6.QtCore import QSettings, Qt
from PySide6.QtGui import QKeySequence
from PySide6.QtWidgets import QPushButton

from icmdesk.domain.entities import Company
from icmdesk.models import database
from icmdesk.services import file_lock, records
from icmdesk.services.file_lock import FileLockedError, LockHolder
from icmdesk.ui.app import Shell
from icmdesk.ui.file_dialogs import FileDialogs
from icmdesk.ui.lock_prompt import LockPrompt, prompt_text
from icmdesk.ui.main_window import MainWindow
from icmdesk.ui.messages import Messages
from icmdesk.ui.new_company_wizard import NewCompanyWizard
from icmdesk.ui.settings_view import SettingsView

pytestmark = pytest.mark.gui


@pytest.fixture
def settings(tmp_path: Path) -> QSettings:
    return QSettings(str(tmp_path / "settings.ini"), QSettings.Format.IniFormat)


@pytest.fixture
def said(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Every message box the user would have seen, as 'title: text details'."""
    shown: list[str] = []
    monkeypatch.setattr(Messages, "error", lambda _p, title, e: shown.append(f"{title}: {e}"))
    monkeypatch.setattr(
        Messages,
        "info",
        lambda _p, title, text, details="": shown.append(f"{title}: {text} {details}".strip()),
    )
    return shown


@pytest.fixture
def shell(settings: QSettings, tmp_path: Path) -> Iterator[Shell]:
    s = Shell(settings, demo=tmp_path / "demo.icmdesk")
    yield s
    s.shutdown()


@pytest.fixture
def acme_path(tmp_path: Path) -> Path:
    path = tmp_path / "acme.icmdesk"
    records.create_company_file(path, Company("Acme Ltd")).close()
    return path


def test_file_menu_has_mnemonics_and_standard_shortcuts(
    qtbot, shell: Shell, acme_path: Path
) -> None:  # type: ignore[no-untyped-def]
    assert shell.open_path(acme_path)
    window = shell.window
    assert window is not None
    assert window.windowTitle() == "Acme Ltd — acme.icmdesk[*] — ICMDesk"
    actions = window.file_actions()
    expected = {
        "new": QKeySequence.StandardKey.New,
        "open": QKeySequence.StandardKey.Open,
        "close": QKeySequence.StandardKey.Close,
        "quit": QKeySequence.StandardKey.Quit,
    }
    for name, key in expected.items():
        bindings = QKeySequence.keyBindings(key) or [QKeySequence("Ctrl+Q")]
        assert set(actions[name].shortcuts()) == set(bindings), name
    for action in actions.values():
        assert "&" in action.text()
    keys = {name: [k.toString() for k in a.shortcuts()] for name, a in actions.items()}
    assert keys["new"][0] == "Ctrl+N" and keys["open"][0] == "Ctrl+O"
    assert keys["close"][0] == "Ctrl+W"  # the one the menu shows
    file_menu = window.menuBar().actions()[0]
    assert file_menu.text() == "&File"
    assert window.recent_menu.title() == "Open &Recent"


def test_ctrl_n_and_ctrl_o_ask_the_app(qtbot, shell: Shell, acme_path: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    asked: list[str] = []
    monkeypatch.setattr(
        NewCompanyWizard, "ask", classmethod(lambda cls, p, f: asked.append("new") or None)
    )
    monkeypatch.setattr(
        FileDialogs, "open_company", staticmethod(lambda p, f: asked.append("open") or None)
    )
    shell.open_path(acme_path)
    window = shell.window
    assert window is not None
    qtbot.waitExposed(window)
    with qtbot.waitSignal(window.new_requested):
        window.file_actions()["new"].trigger()
    with qtbot.waitSignal(window.open_requested):
        window.file_actions()["open"].trigger()
    assert asked == ["new", "open"]
    assert shell.window is window  # nothing chosen: the company stays open


def test_open_recent_lists_other_companies(  # type: ignore[no-untyped-def]
    qtbot, shell: Shell, acme_path: Path, tmp_path: Path, said: list[str]
) -> None:
    beta = tmp_path / "beta.icmdesk"
    records.create_company_file(beta, Company("Beta GmbH")).close()
    shell.open_path(beta)
    shell.open_path(acme_path)
    window = shell.window
    assert window is not None
    actions = window.recent_menu.actions()
    assert [a.text() for a in actions] == ["&1 beta.icmdesk"]
    actions[0].trigger()
    assert shell.window is not None and shell.window.company_file.path == beta
    # The file left behind is closed and unlocked; the new one is locked.
    assert file_lock.holder(acme_path) is None and file_lock.holder(beta) is not None
    assert not said


def test_back_up_writes_a_copy_where_chosen(  # type: ignore[no-untyped-def]
    qtbot, shell: Shell, acme_path: Path, tmp_path: Path, said: list[str], monkeypatch
) -> None:
    target = tmp_path / "copies" / "acme backup.icmdesk"
    target.parent.mkdir()
    suggested: list[Path] = []

    def choose(_parent: object, proposal: Path) -> Path:
        suggested.append(proposal)
        return target

    monkeypatch.setattr(FileDialogs, "save_backup", staticmethod(choose))
    shell.open_path(acme_path)
    assert shell.window is not None
    shell.window.file_actions()["backup"].trigger()
    assert suggested[0].parent == acme_path.parent and suggested[0].name.startswith("acme backup ")
    assert said == [f"Backup written: A copy of the company is at {target}."]
    copy = database.CompanyFile.open(target)
    try:
        assert records.get_company(copy).name == "Acme Ltd"
    finally:
        copy.close()
    # Never over an existing file, and never over the company file itself.
    shell.window.file_actions()["backup"].trigger()
    assert said[-1].startswith("Cannot back up:") and "already exists" in said[-1]
    monkeypatch.setattr(FileDialogs, "save_backup", staticmethod(lambda _p, _s: acme_path))
    shell.window.file_actions()["backup"].trigger()
    assert said[-1] == "Cannot back up: Choose a name other than the file itself"


def test_close_goes_back_to_the_start_screen_and_unlocks(
    qtbot, shell: Shell, acme_path: Path
) -> None:  # type: ignore[no-untyped-def]
    shell.open_path(acme_path)
    window = shell.window
    assert window is not None
    window.show()
    qtbot.waitExposed(window)
    window.file_actions()["close"].trigger()  # Ctrl+W (the shortcut is checked above)
    assert shell.window is None
    assert shell.start_screen is not None and shell.start_screen.isVisible()
    assert file_lock.holder(acme_path) is None
    assert shell.start_screen.recent_list.item(0).text().startswith("acme")


def test_quit_closes_without_the_start_screen(qtbot, shell: Shell, acme_path: Path) -> None:  # type: ignore[no-untyped-def]
    shell.open_path(acme_path)
    assert shell.window is not None
    shell.window.file_actions()["quit"].trigger()
    assert shell.window is None and shell.start_screen is None
    assert file_lock.holder(acme_path) is None


def downgrade_to_first_schema(path: Path) -> None:
    engine = database.make_engine(path)
    try:
        with engine.begin() as conn:
            config = database._alembic_config()
            config.attributes["connection"] = conn
            command.downgrade(config, "0001")
            conn.exec_driver_sql("PRAGMA user_version = 1")
    finally:
        engine.dispose()


def test_opening_an_older_file_says_it_was_updated_and_where_the_backup_is(  # type: ignore[no-untyped-def]
    qtbot, shell: Shell, acme_path: Path, said: list[str]
) -> None:
    downgrade_to_first_schema(acme_path)
    assert shell.open_path(acme_path)
    assert len(said) == 1
    assert said[0].startswith(
        "Company file updated: acme.icmdesk was saved by an older version of ICMDesk"
    )
    backups = list((acme_path.parent / "Backups").glob("acme-before-migration-schema1-*.icmdesk"))
    assert len(backups) == 1 and str(backups[0]) in said[0]


@pytest.mark.parametrize(
    ("spoil", "message"),
    [
        (lambda p: p.write_text("a shopping list"), "acme.icmdesk is not an ICMDesk company file"),
        (
            lambda p: _set_newer_schema(p),
            "acme.icmdesk was saved by a newer version of ICMDesk",
        ),
        (
            lambda p: p.write_bytes(p.read_bytes()[:100] + b"\x00" * (p.stat().st_size - 100)),
            "acme.icmdesk",
        ),
    ],
    ids=["not-icmdesk", "newer", "corrupt"],
)
def test_files_that_cannot_be_opened_are_refused_in_plain_words(  # type: ignore[no-untyped-def]
    qtbot, shell: Shell, acme_path: Path, said: list[str], spoil, message: str
) -> None:
    spoil(acme_path)
    assert not shell.open_path(acme_path)
    assert len(said) == 1 and said[0].startswith(f"Cannot open the company: {message}")
    assert shell.window is None
    assert not file_lock.lock_path(acme_path).exists()


def _set_newer_schema(path: Path) -> None:
    conn = sqlite3.connect(path)
    conn.execute("UPDATE alembic_version SET version_num = '0042'")
    conn.execute("PRAGMA user_version = 42")
    conn.commit()
    conn.close()


def _held_by_maria(path: Path) -> None:
    file_lock.lock_path(path).write_text(
        json.dumps(
            {"user": "maria", "host": "office-pc", "pid": 4242, "since": "2026-11-02T09:30:00"}
        )
    )


def test_locked_file_can_be_opened_read_only(  # type: ignore[no-untyped-def]
    qtbot, shell: Shell, acme_path: Path, said: list[str], monkeypatch
) -> None:
    _held_by_maria(acme_path)
    asked: list[LockHolder] = []

    def ask(_parent: object, error: FileLockedError) -> bool:
        asked.append(error.holder)
        return True

    monkeypatch.setattr(LockPrompt, "ask", staticmethod(ask))
    assert shell.open_path(acme_path)
    assert [(h.user, h.host) for h in asked] == [("maria", "office-pc")]
    window = shell.window
    assert window is not None and window.read_only
    assert window.windowTitle() == "Acme Ltd — acme.icmdesk[*] (read-only) — ICMDesk"
    settings_view = window.show_view("Settings")
    assert isinstance(settings_view, SettingsView)
    save = next(b for b in settings_view.findChildren(QPushButton) if b.text() == "&Save")
    assert not save.isEnabled()
    shell.window.close()
    # Maria's lock is still there: a read-only reader never removes it.
    assert file_lock.holder(acme_path) is not None and file_lock.holder(acme_path).user == "maria"


def test_locked_file_can_be_left_alone(  # type: ignore[no-untyped-def]
    qtbot, shell: Shell, acme_path: Path, said: list[str], monkeypatch
) -> None:
    _held_by_maria(acme_path)
    monkeypatch.setattr(LockPrompt, "ask", staticmethod(lambda _p, _e: False))
    assert not shell.open_path(acme_path)
    assert shell.window is None and not said


def test_lock_prompt_says_who_and_since_when(acme_path: Path) -> None:
    holder = LockHolder("maria", "office-pc", 4242, datetime(2026, 11, 2, 9, 30))
    text, details = prompt_text(FileLockedError(acme_path, holder))
    assert text == "acme.icmdesk is already open for editing."
    assert "held by maria on office-pc since 2026-11-02 09:30 UTC" in details
    assert "read-only" in details


def second_default_nav_width(cf: database.CompanyFile) -> int:
    window = MainWindow(cf)  # no settings: nothing remembered
    try:
        return window.centralWidget().sizes()[0]
    finally:
        window.deleteLater()


def test_window_remembers_geometry_splitter_and_column_widths(  # type: ignore[no-untyped-def]
    qtbot, acme_path: Path, settings: QSettings
) -> None:
    cf = database.CompanyFile.open(acme_path)
    try:
        first = MainWindow(cf, settings=settings)
        qtbot.addWidget(first)
        first.show()
        qtbot.waitExposed(first)
        first.resize(790, 500)  # within the offscreen screen (800 × 600)
        qtbot.waitUntil(lambda: first.width() == 790)
        size = (first.width(), first.height())
        splitter = first.centralWidget()
        splitter.setSizes([200, 590])
        nav_width = splitter.sizes()[0]
        assert nav_width != second_default_nav_width(cf)
        deals = first.show_view("Deals")
        deals.table.setColumnWidth(2, 333)
        first.close()

        second = MainWindow(cf, settings=settings)
        qtbot.addWidget(second)
        second.show()
        qtbot.waitExposed(second)
        assert (second.width(), second.height()) == size
        assert second.centralWidget().sizes()[0] == nav_width
        assert second.show_view("Deals").table.columnWidth(2) == 333
    finally:
        cf.close()


def test_views_are_built_when_first_shown(qtbot, acme_path: Path) -> None:  # type: ignore[no-untyped-def]
    cf = database.CompanyFile.open(acme_path)
    try:
        window = MainWindow(cf)
        qtbot.addWidget(window)
        assert window.view_titles()[0] == "Overview"
        assert {"Deals", "Periods", "Audit log", "Settings"} <= set(window.view_titles())
        assert not window.findChildren(SettingsView)  # nothing read for views not yet shown
        view = window.show_view("Settings")
        assert window.findChildren(SettingsView) == [view]
        assert window.current_view() is view
        assert window.show_view("Settings") is view  # built once
    finally:
        cf.close()


def test_lock_prompt_offers_read_only_and_defaults_to_not_opening(qtbot, acme_path: Path) -> None:  # type: ignore[no-untyped-def]
    holder = LockHolder("maria", "office-pc", 4242, datetime(2026, 11, 2, 9, 30))
    box = LockPrompt.box(None, FileLockedError(acme_path, holder))
    qtbot.addWidget(box)
    assert box.text() == "acme.icmdesk is already open for editing."
    labels = [b.text() for b in box.buttons()]
    assert len(labels) == 2 and "Open &Read-Only" in labels
    assert box.defaultButton() is box.button(box.StandardButton.Cancel)


def test_views_follow_what_another_view_saved(qtbot, acme_path: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    """A role added in Roles and a rep added in Reps: the other listings show them, the
    one on screen at once, the others when they are shown; nothing is re-read otherwise."""
    from datetime import date

    from icmdesk.domain.entities import Rep, Role
    from icmdesk.services import records
    from icmdesk.ui.main_window import OverviewView
    from icmdesk.ui.rep_dialog import RepDialog
    from icmdesk.ui.reps_view import RepsView
    from icmdesk.ui.roles_view import RoleDialog, RolesView

    cf = database.CompanyFile.open(acme_path)
    try:
        window = MainWindow(cf)
        qtbot.addWidget(window)
        window.show()
        overview = window.show_view("Overview")
        reps = window.show_view("Reps")
        roles = window.show_view("Roles")
        assert isinstance(reps, RepsView) and isinstance(roles, RolesView)
        assert isinstance(overview, OverviewView)
        before = reps.model.rowCount()
        saved: list[object] = []
        monkeypatch.setattr(
            RoleDialog,
            "edit",
            classmethod(
                lambda cls, _p, f, _r: (
                    saved.append(records.save_role(f, Role("Closer"))) or saved[-1]
                )
            ),
        )
        qtbot.mouseClick(roles.add_button, Qt.MouseButton.LeftButton)
        names = [roles.model.index(r, 0).data() for r in range(roles.model.rowCount())]
        assert "Closer" in names
        monkeypatch.setattr(
            RepDialog,
            "edit",
            classmethod(
                lambda cls, _p, f, _r: records.save_rep(f, Rep("New Hire", date(2026, 1, 5)))
            ),
        )
        window.show_view("Reps")
        qtbot.mouseClick(reps.add_button, Qt.MouseButton.LeftButton)
        assert reps.model.rowCount() == before + 1
        window.show_view("Overview")
        assert f"Reps: {before + 1}" in overview.text()
    finally:
        cf.close()


def _immutable(path: Path) -> bool:
    """Make `path` read-only even for root (chattr +i); False where the system cannot."""
    import shutil
    import subprocess

    chattr = shutil.which("chattr")
    if chattr is None:
        return False
    return subprocess.run([chattr, "+i", str(path)], capture_output=True).returncode == 0


@pytest.mark.parametrize("what", ["file", "folder"])
def test_a_file_that_cannot_be_written_opens_read_only_and_says_why(  # type: ignore[no-untyped-def]
    qtbot, shell: Shell, tmp_path: Path, said: list[str], what: str
) -> None:
    folder = tmp_path / "company"
    folder.mkdir()
    path = folder / "acme.icmdesk"
    records.create_company_file(path, Company("Acme Ltd")).close()
    target = path if what == "file" else folder
    if not _immutable(target):
        pytest.skip("chattr +i is not available here (root ignores ordinary permissions)")
    try:
        before = path.read_bytes()
        assert shell.open_path(path)
        window = shell.window
        assert window is not None and window.read_only
        assert len(said) == 1 and said[0].startswith(
            "Opened read-only: acme.icmdesk is open read-only: changes cannot be saved."
        )
        assert "read-only" in said[0].split("saved.", 1)[1]
        shell.shutdown()
        assert path.read_bytes() == before
        assert sorted(p.name for p in folder.iterdir()) == ["acme.icmdesk"]
    finally:
        import subprocess

        subprocess.run(["chattr", "-i", str(target)], capture_output=True)
