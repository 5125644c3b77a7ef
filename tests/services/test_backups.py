"""Backups: written verified under a temporary name, 0600 in a 0700 folder, rotated
without ever touching one made by hand, listed, and restored only when sound."""

from __future__ import annotations

import os
import shutil
import signal
import sqlite3
import subprocess
import sys
import textwrap
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from alembic import command

from icmdesk.domain.calendar import Month
from icmdesk.domain.errors import CompanyFileError
from icmdesk.models import database
from icmdesk.models.database import CompanyFile, CompanyFileBusyError, head_revision
from icmdesk.services import backups, company_io, file_lock, periods

T0 = datetime(2026, 4, 10, 12, 0, tzinfo=UTC)


@pytest.fixture(scope="module")
def demo_first_month_closed(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The demo company with its first month closed (written once, copied per test)."""
    path = tmp_path_factory.mktemp("template") / "acme.icmdesk"
    cf = company_io.write_demo(path)
    try:
        first = periods.months_to_close(cf, Month(2030, 1))[0]
        periods.close(cf, first, backup_dir=path.parent / "unused")
    finally:
        cf.close()
    return path


@pytest.fixture
def demo_copy(demo_first_month_closed: Path, tmp_path: Path) -> Path:
    path = tmp_path / "company" / "acme.icmdesk"
    path.parent.mkdir()
    shutil.copyfile(demo_first_month_closed, path)
    return path


@pytest.fixture
def umask_022() -> Iterator[None]:
    old = os.umask(0o022)
    try:
        yield
    finally:
        os.umask(old)


def closed(path: Path) -> tuple[Month, ...] | None:
    return backups.months_closed(path)


def files_in(folder: Path) -> set[str]:
    return set(os.listdir(folder)) if folder.is_dir() else set()


# Writing.


def test_an_automatic_backup_is_a_verified_copy_0600_in_a_0700_folder(
    demo_copy: Path, umask_022: None
) -> None:
    made = backups.write_automatic(demo_copy, "before-import", now=T0)
    folder = demo_copy.parent / "Backups"
    assert made == folder / "acme-before-import-20260410-120000.icmdesk"
    assert folder.stat().st_mode & 0o777 == 0o700
    assert made.stat().st_mode & 0o777 == 0o600
    assert backups.verify_copy(made) is None
    assert closed(made) == closed(demo_copy) and closed(demo_copy)
    # One file: nothing beside it is needed to open it.
    assert files_in(folder) == {made.name}
    # A second in the same second gets its own name; never over the first.
    again = backups.write_automatic(demo_copy, "before-import", now=T0)
    assert again.name == "acme-before-import-20260410-120000-2.icmdesk"


def test_a_backup_by_hand_anywhere_is_0600_and_never_replaces_a_file(
    demo_copy: Path, tmp_path: Path, umask_022: None
) -> None:
    target = tmp_path / "elsewhere.icmdesk"
    assert backups.back_up_by_hand(demo_copy, target) == target
    assert target.stat().st_mode & 0o777 == 0o600
    before = target.read_bytes()
    with pytest.raises(CompanyFileError, match="already exists"):
        backups.back_up_by_hand(demo_copy, target)
    assert target.read_bytes() == before
    with pytest.raises(CompanyFileError, match="already exists"):  # the file itself
        backups.write_backup(demo_copy, demo_copy.parent / "." / demo_copy.name)
    assert demo_copy.stat().st_size > 0
    into_folder = backups.back_up_by_hand(demo_copy, now=T0)
    assert into_folder.name == "acme-by-hand-20260410-120000.icmdesk"
    assert into_folder.parent.stat().st_mode & 0o777 == 0o700


def test_a_copy_that_does_not_verify_is_never_given_a_backups_name(
    demo_copy: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(backups, "verify_copy", lambda _path: "simulated: 3 pages missing")
    with pytest.raises(CompanyFileError, match="did not verify: simulated"):
        backups.write_automatic(demo_copy, "before-import", now=T0)
    assert files_in(demo_copy.parent / "Backups") == set()  # no final name, no .part either
    target = demo_copy.parent / "copy.icmdesk"
    with pytest.raises(CompanyFileError, match="did not verify"):
        backups.write_backup(demo_copy, target)
    assert files_in(demo_copy.parent) == {"acme.icmdesk", "Backups"}


def test_a_file_that_is_not_icmdesks_is_not_backed_up(tmp_path: Path) -> None:
    other = tmp_path / "other.icmdesk"
    with sqlite3.connect(other) as conn:
        conn.execute("CREATE TABLE t (x)")
    conn.close()
    with pytest.raises(CompanyFileError, match="not an ICMDesk company file"):
        backups.write_backup(other, tmp_path / "copy.icmdesk")
    assert not (tmp_path / "copy.icmdesk").exists()


KILLED_WHILE_WRITING = """
import sys, time
from pathlib import Path
from icmdesk.services import backups

def stuck(part, target):  # the copy is complete and verified, not yet named
    print("ready", flush=True)
    time.sleep(60)

backups._publish = stuck
backups.write_automatic(Path(sys.argv[1]), "before-import")
"""


def test_a_backup_killed_midway_leaves_only_a_part_file_which_the_next_removes(
    demo_copy: Path,
) -> None:
    proc = subprocess.Popen(
        [sys.executable, "-c", textwrap.dedent(KILLED_WHILE_WRITING), str(demo_copy)],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert proc.stdout is not None and proc.stdout.readline().strip() == "ready"
        proc.send_signal(signal.SIGKILL)
    finally:
        proc.wait(10)
        if proc.stdout is not None:
            proc.stdout.close()
    folder = demo_copy.parent / "Backups"
    left = files_in(folder)
    assert left and all(name.endswith(".part") for name in left)
    assert backups.list_backups(demo_copy) == []
    made = backups.write_automatic(demo_copy, "before-import")
    assert files_in(folder) == {made.name}


def test_a_part_file_of_a_running_writer_is_left_alone(demo_copy: Path) -> None:
    folder = demo_copy.parent / "Backups"
    folder.mkdir()
    busy = folder / f"acme-before-import-20260410-120000.icmdesk.{os.getppid()}.part"
    busy.write_bytes(b"being written")
    backups.write_automatic(demo_copy, "before-import")
    assert busy.exists()
    old = time.time() - backups.PART_MAX_AGE_S - 60
    os.utime(busy, (old, old))
    backups.write_automatic(demo_copy, "before-import")
    assert not busy.exists()


# Rotation.


def fake_backups(
    demo_copy: Path, stamps: list[datetime], tag: str = "before-close-2026-01"
) -> None:
    """Backups dated `stamps`, made quickly: copies of one real backup."""
    folder = demo_copy.parent / "Backups"
    folder.mkdir(exist_ok=True)
    model = backups.write_backup(demo_copy, folder / "model.tmp")
    for when in stamps:
        shutil.copyfile(model, folder / f"{demo_copy.stem}-{tag}-{when:%Y%m%d-%H%M%S}.icmdesk")
    model.unlink()


def test_rotation_keeps_the_last_20_and_the_newest_of_each_of_12_months(demo_copy: Path) -> None:
    # Two backups a week for three years, up to T0.
    stamps = [T0 - timedelta(days=3.5 * i) for i in range(320)]
    fake_backups(demo_copy, stamps)
    by_hand = [T0 - timedelta(days=400), T0 - timedelta(days=2)]
    fake_backups(demo_copy, by_hand, tag="by-hand")
    removed = backups.rotate(demo_copy, now=T0)

    newest_first = sorted(stamps, reverse=True)
    expected = set(newest_first[:20])
    months = [Month.of(T0.date()).plus(-i) for i in range(12)]
    for month in months:
        in_month = [s for s in newest_first if Month.of(s.date()) == month]
        expected.add(in_month[0])
    kept = {b.taken for b in backups.list_backups(demo_copy, read=False) if b.automatic}
    assert kept == expected
    assert len(removed) == len(stamps) - len(expected)
    # Exactly: the 20 newest cover about 2 months, the other 10 months one each.
    assert len(kept) == 20 + len({Month.of(s.date()) for s in newest_first[20:]} & set(months))
    hand = {b.taken for b in backups.list_backups(demo_copy, read=False) if b.kind == "hand"}
    assert hand == {s.replace(microsecond=0) for s in by_hand}


def test_rotation_runs_after_each_automatic_backup_and_spares_hand_made_ones(
    demo_copy: Path,
) -> None:
    folder = demo_copy.parent / "Backups"
    fake_backups(demo_copy, [T0 - timedelta(days=900 + i) for i in range(5)], tag="by-hand")
    elsewhere = folder / "my own copy.icmdesk"  # File ▸ Back Up… into the folder
    backups.write_backup(demo_copy, elsewhere)
    for i in range(25):
        backups.write_automatic(demo_copy, "before-import", now=T0 + timedelta(minutes=i))
    automatic = [b for b in backups.list_backups(demo_copy, read=False) if b.automatic]
    assert len(automatic) == 20  # all in one month: the newest 20
    assert automatic[0].taken == T0 + timedelta(minutes=24)
    assert len([b for b in backups.list_backups(demo_copy, read=False) if b.kind == "hand"]) == 5
    assert elsewhere.exists()


def test_rotation_is_per_company_and_leaves_other_files_alone(demo_copy: Path) -> None:
    other = demo_copy.parent / "acme-west.icmdesk"
    shutil.copyfile(demo_copy, other)
    fake_backups(other, [T0 - timedelta(days=i) for i in range(30)])
    folder = demo_copy.parent / "Backups"
    (folder / "notes.txt").write_text("mine")
    names = files_in(folder)
    assert backups.rotate(demo_copy, now=T0) == []
    assert files_in(folder) == names


# Listing.


def test_backups_are_listed_newest_first_with_kind_months_and_size(demo_copy: Path) -> None:
    cf = file_lock.open_locked(demo_copy)
    try:
        backups.before_import(demo_copy)
        nxt = periods.months_to_close(cf, Month(2030, 1))[0]
        periods.close(cf, nxt)
    finally:
        cf.close()
    backups.back_up_by_hand(demo_copy)
    found = backups.list_backups(demo_copy)
    assert [b.kind_text for b in found] == ["by hand", "before close", "before import"]
    first = closed(found[-1].path)
    assert first is not None and len(first) == 1
    assert found[0].months_closed == (*first, nxt)
    assert found[1].months_text == str(first[0])
    assert found[0].months_text == f"{first[0]} to {nxt}"
    assert all(b.size == b.path.stat().st_size and b.size > 0 for b in found)


def test_the_plain_migration_backup_is_named_as_the_service_names_it(demo_copy: Path) -> None:
    downgrade(demo_copy, "0009")
    cf = CompanyFile.open(demo_copy)  # no hook given: models' own copy
    cf.close()
    [found] = backups.list_backups(demo_copy)
    assert found.kind == "migration" and found.path.name.startswith(
        "acme-before-migration-schema9-"
    )
    downgrade(demo_copy, "0009")
    cf, lock = file_lock.open_for_editing(demo_copy)  # the app's and the command line's way
    cf.close()
    lock.release()
    kinds = [b.kind for b in backups.list_backups(demo_copy)]
    assert kinds == ["migration", "migration"]


def downgrade(path: Path, revision: str) -> None:
    engine = database.make_engine(path)
    try:
        with engine.begin() as conn:
            config = database._alembic_config()
            config.attributes["connection"] = conn
            command.downgrade(config, revision)
            conn.exec_driver_sql(f"PRAGMA user_version = {int(revision)}")
    finally:
        engine.dispose()


# Restoring.


def test_restore_puts_the_backup_back_and_keeps_the_file_it_replaced(demo_copy: Path) -> None:
    backup = backups.back_up_by_hand(demo_copy, demo_copy.parent / "before.icmdesk")
    cf = file_lock.open_locked(demo_copy)
    try:
        periods.close(cf, periods.months_to_close(cf, Month(2030, 1))[0])
    finally:
        cf.close()
    now_closed = closed(demo_copy)
    replaced = demo_copy.read_bytes()
    mode = demo_copy.stat().st_mode & 0o777

    restored = backups.restore(demo_copy, backup)

    assert closed(demo_copy) == closed(backup) != now_closed
    assert restored.backup.months_closed == closed(backup)
    assert restored.kept is not None and restored.kept.parent == demo_copy.parent / "Backups"
    assert restored.kept.name.startswith("acme-before-restore-")
    assert closed(restored.kept) == now_closed
    reopened = CompanyFile.open(demo_copy)
    try:
        assert company_io.check(reopened) == []
    finally:
        reopened.close()
    assert demo_copy.stat().st_mode & 0o777 == mode
    assert not [n for n in files_in(demo_copy.parent) if n.endswith((".part", "-wal", "-journal"))]
    # And back again: the kept file restores what was replaced.
    backups.restore(demo_copy, restored.kept)
    assert closed(demo_copy) == now_closed
    assert len(replaced) > 0


def spoil_damaged(path: Path) -> None:
    with path.open("r+b") as f:
        f.seek(4096 * 3)
        f.write(b"\xff" * 4096 * 4)


def spoil_not_a_company(path: Path) -> None:
    path.unlink()
    conn = sqlite3.connect(path)
    conn.execute("CREATE TABLE notes (text)")
    conn.commit()
    conn.close()


def spoil_newer(path: Path) -> None:
    conn = sqlite3.connect(path)
    conn.execute("PRAGMA user_version = 999")
    conn.execute("UPDATE alembic_version SET version_num = '0999'")
    conn.commit()
    conn.close()


def spoil_text(path: Path) -> None:
    path.write_text("a shopping list")


@pytest.mark.parametrize(
    ("spoil", "message"),
    [
        (spoil_damaged, "damaged"),
        (spoil_not_a_company, "not an ICMDesk company file"),
        (spoil_newer, "newer version of ICMDesk"),
        (spoil_text, "not an ICMDesk company file"),
    ],
)
def test_restore_refuses_a_file_that_is_not_a_sound_backup_and_touches_nothing(
    demo_copy: Path, spoil: object, message: str
) -> None:
    bad = backups.back_up_by_hand(demo_copy, demo_copy.parent / "bad.icmdesk")
    spoil(bad)  # type: ignore[operator]
    before = demo_copy.read_bytes()
    listing = files_in(demo_copy.parent)
    with pytest.raises(CompanyFileError, match=message):
        backups.restore(demo_copy, bad)
    assert demo_copy.read_bytes() == before
    assert files_in(demo_copy.parent) == listing
    assert not (demo_copy.parent / "Backups").exists()


def test_restore_refuses_the_company_file_itself(demo_copy: Path) -> None:
    before = demo_copy.read_bytes()
    with pytest.raises(CompanyFileError, match="the company file itself"):
        backups.restore(demo_copy, demo_copy)
    assert demo_copy.read_bytes() == before


def test_an_older_backup_is_restored_brought_up_to_date(demo_copy: Path, tmp_path: Path) -> None:
    old = tmp_path / "old.icmdesk"
    backups.write_backup(demo_copy, old)
    downgrade(old, "0009")
    before = old.read_bytes()
    backups.restore(demo_copy, old)
    conn = sqlite3.connect(demo_copy)
    try:
        assert conn.execute("PRAGMA user_version").fetchone()[0] == int(head_revision())
    finally:
        conn.close()
    assert old.read_bytes() == before  # the backup itself is untouched
    assert [b.kind for b in backups.list_backups(demo_copy)] == ["restore"]  # no migration copy


def test_restore_waits_for_no_one_else_using_the_file(
    demo_copy: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(database.BUSY_TIMEOUT_ENV, "0.2")
    backup = backups.write_backup(demo_copy, tmp_path / "b.icmdesk")
    reader = sqlite3.connect(demo_copy)
    reader.execute("PRAGMA journal_mode = WAL")
    reader.execute("SELECT count(*) FROM deals").fetchall()
    try:
        before = demo_copy.read_bytes()
        with pytest.raises(CompanyFileBusyError):
            backups.restore(demo_copy, backup)
        assert demo_copy.read_bytes() == before
        assert backups.list_backups(demo_copy) == []  # no copy of a restore that did not happen
    finally:
        reader.close()


def test_a_damaged_company_file_is_kept_as_it_was_when_a_backup_replaces_it(
    demo_copy: Path, tmp_path: Path
) -> None:
    backup = backups.write_backup(demo_copy, tmp_path / "b.icmdesk")
    spoil_text(demo_copy)
    restored = backups.restore(demo_copy, backup)
    assert restored.kept is not None and restored.kept.read_text() == "a shopping list"
    assert restored.kept.stat().st_mode & 0o777 == 0o600
    assert closed(demo_copy) == closed(backup)
    [kept] = backups.list_backups(demo_copy)
    assert kept.months_text == "unreadable"


def test_a_lost_company_file_is_restored_from_its_backup(demo_copy: Path) -> None:
    backup = backups.back_up_by_hand(demo_copy)
    demo_copy.unlink()
    restored = backups.restore(demo_copy, backup)
    assert restored.kept is None
    assert closed(demo_copy) == closed(backup)
