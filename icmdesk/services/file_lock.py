"""One writer at a time: a lock file beside the company file.

`acme.icmdesk` is held by whoever created `acme.icmdesk.lock`, a small JSON
document `{"user", "host", "pid", "since"}`. The lock is created atomically
(`O_CREAT | O_EXCL`), so of two instances opening the same file at once exactly
one wins; the other is told who holds it and may open the file read-only.

A lock whose process is gone (same host, pid no longer running) is stale: it
was left by a crash and is taken over. A lock from another host is never
presumed stale (we cannot see its processes); the user decides.

Read-only opening lives here too, because it is what a second instance does.

The command line follows the same rule (`open_locked`, `open_for_reading`): a command
that writes holds the lock for as long as it runs and checks that SQLite will let it
write before it writes anything (a backup included); a command that only reads takes no
lock, so it works while the app has the file open.
"""

from __future__ import annotations

import contextlib
import getpass
import json
import os
import socket
import sqlite3
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session

from icmdesk.domain.errors import CompanyFileError
from icmdesk.models.database import (
    CompanyFile,
    CompanyFileBusyError,
    OpenReport,
    check_is_company_file,
    current_revision,
    head_revision,
    is_busy,
    make_engine,
)
from icmdesk.services import backups

LOCK_SUFFIX = ".lock"
# A lock file that is still empty or half-written is being created right now, unless it is
# older than this (its writer died between creating and writing it).
UNREADABLE_GRACE_S = 10.0


@dataclass(frozen=True, slots=True)
class LockHolder:
    """Who holds a company file open for writing, and since when (UTC)."""

    user: str
    host: str
    pid: int
    since: datetime

    def describe(self) -> str:
        """In plain words, for the prompt."""
        return f"{self.user} on {self.host} (since {self.since:%Y-%m-%d %H:%M} UTC)"


class FileLockedError(CompanyFileError):
    """The company file is held by another writer (`holder`)."""

    def __init__(self, path: Path, holder: LockHolder) -> None:
        self.path = path
        self.holder = holder
        super().__init__(f"{path.name} is open for editing by {holder.describe()}")


def lock_path(company_path: Path) -> Path:
    """Where the lock of a company file lives."""
    return company_path.with_name(company_path.name + LOCK_SUFFIX)


def this_holder() -> LockHolder:
    """The holder this process would write."""
    try:
        user = getpass.getuser()
    except (OSError, KeyError):  # no login name (some containers, services)
        user = "unknown user"
    return LockHolder(
        user=user,
        host=socket.gethostname(),
        pid=os.getpid(),
        since=datetime.now(UTC).replace(microsecond=0, tzinfo=None),
    )


class FileLock:
    """A held lock. `release()` (or leaving the `with` block) removes the lock file."""

    def __init__(self, path: Path, holder: LockHolder) -> None:
        self.path = path
        self.holder = holder
        self._held = True

    @property
    def held(self) -> bool:
        return self._held

    def release(self) -> None:
        """Remove the lock file if it is still ours (idempotent)."""
        if not self._held:
            return
        self._held = False
        current = _read(self.path)
        if current is not None and (current.host, current.pid) != (
            self.holder.host,
            self.holder.pid,
        ):
            return  # someone took it over as stale: not ours to remove any more
        with contextlib.suppress(FileNotFoundError):
            self.path.unlink()

    def __enter__(self) -> FileLock:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.release()


def holder(company_path: Path) -> LockHolder | None:
    """Who holds `company_path` now (None if nobody, or only a stale lock is left)."""
    path = lock_path(Path(company_path))
    if not path.exists():
        return None
    found = _read(path)
    if found is None:
        return None if _is_abandoned(path) else _unknown_holder(path)
    return None if is_stale(found) else found


def is_stale(found: LockHolder) -> bool:
    """A lock left by a process of this host that is no longer running."""
    if found.host != socket.gethostname():
        return False
    return not _pid_running(found.pid)


def acquire(company_path: Path) -> FileLock:
    """Take the write lock of a company file, or raise FileLockedError naming its holder.

    A stale lock is taken over. Raises CompanyFileError if the lock cannot be written
    (a read-only folder, for instance).
    """
    company_path = Path(company_path)
    path = lock_path(company_path)
    me = this_holder()
    payload = json.dumps(
        {"user": me.user, "host": me.host, "pid": me.pid, "since": me.since.isoformat()}
    ).encode("utf-8")
    for _attempt in range(3):
        try:
            fd = os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600)
        except FileExistsError:
            found = _read(path)
            if found is None and not _is_abandoned(path):
                raise FileLockedError(company_path, _unknown_holder(path)) from None
            if found is not None and not is_stale(found):
                raise FileLockedError(company_path, found) from None
            _remove_stale(path)
            continue
        except OSError as e:
            raise CompanyFileError(
                f"cannot lock {company_path.name} for editing ({e.strerror}); "
                "open it read-only or copy it to a folder you can write to"
            ) from None
        try:
            os.write(fd, payload)
            os.fsync(fd)
        finally:
            os.close(fd)
        return FileLock(path, me)
    raise CompanyFileError(f"cannot lock {company_path.name}: another instance keeps taking it")


def open_for_editing(company_path: Path) -> tuple[CompanyFile, FileLock]:
    """Lock a company file, then open it (migrating it if older); the lock is released
    again if the file cannot be opened. Raises FileLockedError or CompanyFileError."""
    company_path = Path(company_path)
    # No lock file is left beside something that is not there or is a folder.
    if not company_path.exists():
        raise CompanyFileError(f"{company_path} does not exist")
    if company_path.is_dir():
        raise CompanyFileError(f"{company_path} is a folder, not a company file")
    lock = acquire(company_path)
    try:
        return CompanyFile.open(
            company_path, backup_before_migration=backups.before_migration
        ), lock
    except BaseException:
        lock.release()
        raise


class LockedCompanyFile(CompanyFile):
    """A company file open for one command that writes, holding its lock until `close()`.

    If SQLite's own lock refuses a write (CompanyFileBusyError: another program is
    writing), the backups written since the file was opened are removed as well: the
    command wrote nothing, so it leaves no copy of a change it did not make (`close`
    backs the file up before it writes the close).
    """

    def __init__(self, cf: CompanyFile, lock: FileLock) -> None:
        super().__init__(cf.path, cf.engine, cf.report)
        self.lock = lock
        self._backups_before = _backups(cf.path)

    @contextlib.contextmanager
    def session(self) -> Iterator[Session]:
        with _WhenBusy(self._remove_new_backups), super().session() as session:
            yield session

    def close(self) -> None:
        try:
            super().close()
        finally:
            self.lock.release()

    def _remove_new_backups(self) -> None:
        folder = _backup_folder(self.path)
        for name in (_backups(self.path) or set()) - (self._backups_before or set()):
            (folder / name).unlink(missing_ok=True)
        if self._backups_before is None:  # the folder was made for them
            with contextlib.suppress(OSError):
                folder.rmdir()  # only if empty


class _WhenBusy:
    """Calls `then()` when a CompanyFileBusyError passes through (a class, not a
    generator: an error passing through keeps no frame of it alive)."""

    def __init__(self, then: Callable[[], None]) -> None:
        self.then = then

    def __enter__(self) -> None:
        return None

    def __exit__(self, _type: object, error: BaseException | None, _tb: object) -> None:
        if isinstance(error, CompanyFileBusyError):
            self.then()


def open_locked(company_path: Path) -> LockedCompanyFile:
    """Open a company file for one command that writes: lock it (FileLockedError if
    another holds it), open it (migrating it if older), and check that SQLite lets us
    write (CompanyFileBusyError if another program keeps it locked for longer than the
    busy timeout) before anything is written. `close()` releases the lock."""
    cf, lock = open_for_editing(company_path)
    try:
        check_writable(cf)
        return LockedCompanyFile(cf, lock)
    except BaseException:
        cf.close()
        lock.release()
        raise


def check_writable(cf: CompanyFile) -> None:
    """Take SQLite's write lock and let it go at once (waiting up to the busy timeout),
    or raise CompanyFileBusyError: a command knows it can write before it writes."""
    raw = cf.engine.raw_connection()
    try:
        conn = raw.driver_connection
        assert conn is not None
        try:
            conn.execute("BEGIN IMMEDIATE")
        except sqlite3.OperationalError as e:
            if is_busy(e):
                raise CompanyFileBusyError(cf.path) from None
            raise
        conn.execute("ROLLBACK")
    finally:
        raw.close()


def open_for_reading(company_path: Path) -> CompanyFile:
    """Open a company file for a command that only reads: no lock is held, so it works
    while the app (or a writing command) has the file open.

    A file saved by an older version is brought up to date first, which is a write: under
    the lock, released again once it is migrated (FileLockedError if another holds it).
    The connections are read-write ones (they write nothing) so that, as the last to
    close, they leave no -wal or -shm file behind, as a read-only one would.
    """
    company_path = Path(company_path)
    check_is_company_file(company_path)
    engine = make_engine(company_path)
    try:
        with engine.connect() as conn:
            current = current_revision(conn)
    except BaseException:
        engine.dispose()
        raise
    if current == head_revision():
        return CompanyFile(company_path, engine, OpenReport())
    engine.dispose()
    cf, lock = open_for_editing(company_path)
    lock.release()
    return cf


def open_read_only(company_path: Path) -> CompanyFile:
    """Open a company file without writing to it (no lock, no migration).

    A file that would need migrating cannot be read by this version without changing
    it, so it is refused with a message saying to open it for editing once.
    """
    company_path = Path(company_path)
    check_is_company_file(company_path)
    engine = make_engine(company_path, read_only=True)
    try:
        with engine.connect() as conn:
            # The revision Alembic stamps, read directly (no Alembic import on this path).
            current = conn.exec_driver_sql("SELECT version_num FROM alembic_version").scalar()
    except OperationalError:  # no alembic_version table: an empty file, never migrated
        current = None
    except Exception:
        engine.dispose()
        raise
    if current != head_revision():
        engine.dispose()
        raise CompanyFileError(
            f"{company_path.name} was saved by another version of ICMDesk and must be "
            "opened for editing once before it can be opened read-only"
        )
    return CompanyFile(company_path, engine, OpenReport())


def _backup_folder(company_path: Path) -> Path:
    # Where the backups before a close or an import go (services.backups).
    return backups.backup_folder(company_path)


def _backups(company_path: Path) -> frozenset[str] | None:
    """The names of this company's automatic backups in its backup folder (None: no
    folder); one made by hand meanwhile, by another command, is not this one's."""
    names = backups.backup_names(company_path)
    if names is None:
        return None
    return frozenset(n for n in names if backups.is_automatic(company_path, n))


def _read(path: Path) -> LockHolder | None:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        return LockHolder(
            user=str(data["user"]),
            host=str(data["host"]),
            pid=int(data["pid"]),
            since=datetime.fromisoformat(str(data["since"])),
        )
    except (OSError, ValueError, KeyError, TypeError):
        return None


def _is_abandoned(path: Path) -> bool:
    try:
        return time.time() - path.stat().st_mtime > UNREADABLE_GRACE_S
    except FileNotFoundError:
        return True


def _unknown_holder(path: Path) -> LockHolder:
    try:
        since = datetime.fromtimestamp(path.stat().st_mtime, UTC).replace(tzinfo=None)
    except FileNotFoundError:
        since = datetime.now(UTC).replace(tzinfo=None)
    return LockHolder("another user", "an unknown computer", 0, since.replace(microsecond=0))


def _remove_stale(path: Path) -> None:
    # Rename first: of two instances clearing the same stale lock, only one succeeds.
    aside = path.with_name(f"{path.name}.stale-{os.getpid()}")
    try:
        os.replace(path, aside)
    except FileNotFoundError:
        return
    aside.unlink(missing_ok=True)


def _pid_running(pid: int) -> bool:
    if pid <= 0:
        return False
    if os.name == "nt":  # os.kill would terminate the process there: never presume stale
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # running, under another user
        return True
    except OSError:
        return False
    return True
