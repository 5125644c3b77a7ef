"""File ▸ Restore…: the dialog lists the backups, and restoring one reopens the company."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import QSettings

from icmdesk.domain.calendar import Month
from icmdesk.services import backups, file_lock, periods
from icmdesk.ui.app import Shell
from icmdesk.ui.file_dialogs import FileDialogs
from icmdesk.ui.messages import Messages
from icmdesk.ui.restore_dialog import RestoreDialog

pytestmark = pytest.mark.gui


@pytest.fixture
def demo_with_backups(demo_template: Path, tmp_path: Path) -> Path:
    """The demo company with a backup before an import, one before its first close, and
    one by hand after it."""
    path = tmp_path / "acme.icmdesk"
    shutil.copyfile(demo_template, path)
    backups.before_import(path)
    cf = file_lock.open_locked(path)
    try:
        periods.close(cf, periods.months_to_close(cf, Month(2030, 1))[0])
    finally:
        cf.close()
    backups.back_up_by_hand(path)
    return path


@pytest.fixture
def shell(tmp_path: Path) -> Iterator[Shell]:
    s = Shell(QSettings(str(tmp_path / "settings.ini"), QSettings.Format.IniFormat))
    yield s
    s.shutdown()


@pytest.fixture
def said(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    shown: list[str] = []
    monkeypatch.setattr(Messages, "error", lambda _p, title, e: shown.append(f"{title}: {e}"))
    monkeypatch.setattr(
        Messages,
        "info",
        lambda _p, title, text, details="": shown.append(f"{title}: {text} {details}".strip()),
    )
    return shown


def test_the_dialog_lists_the_backups_newest_first(
    qtbot, qtmodeltester, demo_with_backups: Path
) -> None:  # type: ignore[no-untyped-def]
    found = backups.list_backups(demo_with_backups)
    dialog = RestoreDialog(demo_with_backups, found)
    qtbot.addWidget(dialog)
    qtmodeltester.check(dialog.model)
    rows = dialog.row_texts()
    [closed] = backups.months_closed(demo_with_backups) or ()
    assert [r[1] for r in rows] == ["by hand", "before close", "before import"]
    assert [r[2] for r in rows] == [str(closed), "none", "none"]
    assert all(r[0].endswith(" UTC") and r[3] for r in rows)
    assert "newest first" in dialog.intro.text()
    # The newest is chosen at first; Restore… takes the one selected.
    assert dialog.restore_button.isEnabled()
    dialog.table.selectRow(1)
    dialog.restore_button.click()
    assert dialog.chosen() == found[1].path


def test_other_file_chooses_a_copy_made_elsewhere(  # type: ignore[no-untyped-def]
    qtbot, demo_with_backups: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    copy = tmp_path / "usb" / "acme.icmdesk"
    asked: list[Path] = []

    def choose(_parent: object, folder: Path) -> Path:
        asked.append(folder)
        return copy

    monkeypatch.setattr(FileDialogs, "open_backup", staticmethod(choose))
    dialog = RestoreDialog(tmp_path / "new.icmdesk", [])
    qtbot.addWidget(dialog)
    assert "no backups of new.icmdesk" in dialog.intro.text()
    assert not dialog.restore_button.isEnabled()
    dialog.other_button.click()
    assert asked == [tmp_path / "Backups"] and dialog.chosen() == copy


def test_restore_asks_then_restores_and_reopens_the_company(  # type: ignore[no-untyped-def]
    qtbot, shell: Shell, demo_with_backups: Path, said: list[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    before_close = next(b for b in backups.list_backups(demo_with_backups) if b.kind == "close")
    monkeypatch.setattr(RestoreDialog, "choose", classmethod(lambda _c, _p, _f: before_close.path))
    asked: list[str] = []

    def confirm(_parent: object, _title: str, text: str, details: str, action: str) -> bool:
        asked.append(f"{text} {details} [{action}]")
        return True

    monkeypatch.setattr(Messages, "confirm", staticmethod(confirm))
    assert shell.open_path(demo_with_backups)
    old = shell.window
    assert old is not None
    old.file_actions()["restore"].trigger()

    assert asked and asked[0].startswith(
        f"Replace acme.icmdesk with the backup before close of {before_close.taken_text}"
    )
    assert "kept as a backup" in asked[0] and asked[0].endswith("[Restore]")
    window = shell.window
    assert window is not None and window is not old
    assert window.company_file.path == demo_with_backups and not window.read_only
    assert file_lock.holder(demo_with_backups) is not None  # the app holds it again
    assert (
        backups.months_closed(demo_with_backups) == ()
    )  # the month closed after the backup is open
    [kept] = [b for b in backups.list_backups(demo_with_backups) if b.kind == "restore"]
    assert kept.months_closed and len(kept.months_closed) == 1
    assert said == [
        f"Company restored: acme.icmdesk now holds the backup before close of "
        f"{before_close.taken_text} (months closed: none). "
        f"The file it replaced is kept at {kept.path}."
    ]


def test_a_file_that_cannot_be_restored_is_refused_before_anything_is_asked(  # type: ignore[no-untyped-def]
    qtbot, shell: Shell, demo_with_backups: Path, said: list[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    junk = demo_with_backups.parent / "junk.icmdesk"
    junk.write_text("a shopping list")
    monkeypatch.setattr(RestoreDialog, "choose", classmethod(lambda _c, _p, _f: junk))
    before = demo_with_backups.read_bytes()
    assert shell.open_path(demo_with_backups)
    window = shell.window
    assert window is not None
    window.file_actions()["restore"].trigger()  # Messages.confirm would raise ModalOpened
    assert said == ["Cannot restore: junk.icmdesk is not an ICMDesk company file"]
    assert shell.window is window and demo_with_backups.read_bytes() == before


def test_a_restore_cancelled_changes_nothing(  # type: ignore[no-untyped-def]
    qtbot, shell: Shell, demo_with_backups: Path, said: list[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    path = backups.list_backups(demo_with_backups)[-1].path
    monkeypatch.setattr(RestoreDialog, "choose", classmethod(lambda _c, _p, _f: path))
    monkeypatch.setattr(Messages, "confirm", staticmethod(lambda *_a: False))
    before = demo_with_backups.read_bytes()
    assert shell.open_path(demo_with_backups)
    window = shell.window
    assert window is not None
    window.file_actions()["restore"].trigger()
    assert shell.window is window and not said
    shell.shutdown()
    assert demo_with_backups.read_bytes() == before
