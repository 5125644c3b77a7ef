"""Opening, creating and migrating a company file.

A company file is a SQLite database marked as ICMDesk's by
`PRAGMA application_id`, with its schema generation in `PRAGMA user_version`
and its Alembic revision in `alembic_version`. Opening a file:

- refuses a file that is not SQLite, not ICMDesk's, or corrupt, with a clear
  message (`CompanyFileError`);
- refuses a file written by a newer ICMDesk;
- migrates an older file after writing a backup copy beside it (SQLite's
  online backup API), each migration all-or-nothing.

Every connection has foreign keys on and WAL journaling, and the pysqlite
driver's own transaction handling is replaced by explicit BEGIN so that DDL
runs inside transactions too (SQLAlchemy's documented pysqlite recipe).
"""

from __future__ import annotations

import errno
import os
import sqlite3
import threading
from collections.abc import Callable, Iterator
from contextlib import closing, contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import Connection
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session, sessionmaker
from sqlalchemy.pool import QueuePool

from icmdesk.domain.errors import (
    CompanyFileError,
    DiskFullError,
    FileDamagedError,
    FileMissingError,
    FileReadOnlyError,
    FolderReadOnlyError,
    NewerFileError,
)

if TYPE_CHECKING:
    from alembic.config import Config

APPLICATION_ID = 0x49434D44  # "ICMD"
SQLITE_HEADER = b"SQLite format 3\x00"
MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"
FILE_SUFFIX = ".icmdesk"
# How long a connection waits for another one's write to finish before SQLite gives up
# with "database is locked" (CompanyFileBusyError). ICMDesk's own writers exclude each
# other with the lock file (services/file_lock.py); this bounds the wait on anything else
# writing (a sqlite3 shell, a sync tool). ICMDESK_BUSY_TIMEOUT (seconds) overrides it,
# for the tests.
BUSY_TIMEOUT_S = 5.0
BUSY_TIMEOUT_ENV = "ICMDESK_BUSY_TIMEOUT"


class CompanyFileBusyError(CompanyFileError):
    """Another connection held SQLite's write lock for longer than the busy timeout."""

    def __init__(self, path: Path) -> None:
        self.path = path
        super().__init__(
            f"{path.name} is busy: another program is writing to it; try again when it has finished"
        )


def busy_timeout() -> float:
    """The busy timeout in seconds: BUSY_TIMEOUT_S, or ICMDESK_BUSY_TIMEOUT when set."""
    try:
        value = float(os.environ.get(BUSY_TIMEOUT_ENV, BUSY_TIMEOUT_S))
    except ValueError:
        return BUSY_TIMEOUT_S
    return value if 0 <= value < float("inf") else BUSY_TIMEOUT_S


def is_busy(error: BaseException) -> bool:
    """SQLite's SQLITE_BUSY ("database is locked"), raw or wrapped by SQLAlchemy."""
    orig = getattr(error, "orig", error)
    if not isinstance(orig, sqlite3.OperationalError):
        return False
    code = getattr(orig, "sqlite_errorcode", None)
    if code is not None:
        return code & 0xFF == sqlite3.SQLITE_BUSY  # extended codes too (BUSY_SNAPSHOT)
    return "database is locked" in str(orig)


def _alembic_config() -> Config:
    from alembic.config import Config  # alembic costs ~0.3 s to import: only to migrate

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    return config


def head_revision() -> str:
    """The newest schema revision this version of ICMDesk knows.

    Revisions are named by their file's number ('0002_dirty_months.py' is '0002'), so
    the head is read from the file names without importing Alembic on every open
    (tests/models/test_database.py holds it equal to Alembic's own answer).
    """
    numbers = [p.name.split("_")[0] for p in (MIGRATIONS_DIR / "versions").glob("[0-9]*_*.py")]
    return max(numbers)


def known_revisions() -> set[str]:
    from alembic.script import ScriptDirectory

    return {s.revision for s in ScriptDirectory.from_config(_alembic_config()).walk_revisions()}


def current_revision(conn: Connection) -> str | None:
    """The revision stamped in a file (None for a file with no schema yet)."""
    has_table = conn.exec_driver_sql(
        "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'alembic_version'"
    ).first()
    if has_table is None:
        return None
    row = conn.exec_driver_sql("SELECT version_num FROM alembic_version").first()
    return None if row is None else str(row[0])


def schema_generation(revision: str) -> int:
    """Revisions are numbered '0001', '0002', ...: the number goes in PRAGMA user_version."""
    return int(revision.split("_")[0])


def make_engine(path: Path, *, read_only: bool = False) -> Engine:
    """An engine on one company file with ICMDesk's connection settings."""

    timeout = busy_timeout()

    def connect() -> sqlite3.Connection:
        # A file that cannot be written where it is (a read-only file or folder, a full
        # disk) is read as it is, whoever asked: a read-write connection would fail to make
        # its -shm there (and a write would fail anyway, in words: environment_error).
        if read_only or not can_write_beside(path):
            return sqlite3.connect(
                read_uri(path), uri=True, check_same_thread=False, timeout=timeout
            )
        conn = sqlite3.connect(str(path), check_same_thread=False, timeout=timeout)
        conn.execute("PRAGMA journal_mode = WAL")
        conn.execute("PRAGMA synchronous = FULL")
        return conn

    # A file database wants a real pool: with a `creator` and no path in the URL,
    # SQLAlchemy would pick its in-memory SingletonThreadPool, which closes other
    # threads' connections once more than five threads use it (a crash in C).
    engine = create_engine("sqlite+pysqlite://", creator=connect, poolclass=QueuePool)

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: sqlite3.Connection, _record: Any) -> None:
        # Take transaction control away from pysqlite (it would COMMIT before DDL).
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys = ON")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn: Connection) -> None:
        conn.exec_driver_sql("BEGIN")

    return engine


# Writes the copy of a file kept before it is migrated: (the file, its schema generation)
# -> where the copy is. The app and the command line open files through
# services/file_lock.py, which passes services.backups.before_migration (a verified copy
# in the Backups folder beside the file, then rotated): models cannot import services.
MigrationBackup = Callable[[Path, int], Path]


@dataclass(frozen=True, slots=True)
class OpenReport:
    """What happened while opening a file: created, migrated (and where the backup went)."""

    created: bool = False
    migrated_from: str | None = None
    backup_path: Path | None = None


class CompanyFile:
    """An open company file: the engine and the session factory for it."""

    def __init__(self, path: Path, engine: Engine, report: OpenReport) -> None:
        self.path = path
        self.engine = engine
        self.report = report
        self.sessions = sessionmaker(engine, expire_on_commit=False)

    @classmethod
    def create(cls, path: Path) -> CompanyFile:
        """Create a new, empty company file at `path` (which must not exist)."""
        path = Path(path)
        if path.exists():
            raise CompanyFileError(f"{path} already exists; choose another name")
        if not path.parent.is_dir():
            raise FileMissingError(f"folder {path.parent} does not exist")
        check_can_write(path)
        try:
            # Made here, empty, so that it is the owner's alone whatever the umask: SQLite
            # makes its -wal and -shm with the same mode as the file.
            os.close(os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, FILE_MODE))
            os.chmod(path, FILE_MODE)
        except OSError as e:
            _remove_file_and_sidecars(path)
            raise environment_error(e, path) or CompanyFileError(
                f"cannot create {path}: {e.strerror}"
            ) from None
        engine = make_engine(path)
        try:
            with engine.begin() as conn:
                _upgrade(conn, "head")
        except Exception:
            engine.dispose()
            _remove_file_and_sidecars(path)
            raise
        return cls(path, engine, OpenReport(created=True))

    @classmethod
    def open(
        cls, path: Path, *, backup_before_migration: MigrationBackup | None = None
    ) -> CompanyFile:
        """Open an existing company file, migrating it (after `backup_before_migration`,
        or a plain copy into the Backups folder beside it) if it is older."""
        path = Path(path)
        check_is_company_file(path)
        engine = make_engine(path)
        try:
            report = _migrate_if_needed(path, engine, backup_before_migration or _plain_backup)
        except Exception:
            engine.dispose()
            raise
        return cls(path, engine, report)

    @contextmanager
    def session(self) -> Iterator[Session]:
        """A session in one transaction: commit on success, roll back on any error.

        Raises CompanyFileBusyError when another program keeps the file locked for
        writing longer than the busy timeout (the transaction is rolled back)."""
        with self.sessions() as session, _BusyAsError(self.path), session.begin():
            yield session

    def backup_to(self, target: Path) -> Path:
        """Write a consistent copy of the file to `target` with SQLite's online backup API."""
        return backup_file(self.path, target)

    def close(self) -> None:
        self.engine.dispose()


class _BusyAsError:
    """Turns SQLite's "database is locked" into CompanyFileBusyError. A class, not a
    generator: an error passing through keeps no frame of it alive (see
    records._let_go_of_stack)."""

    def __init__(self, path: Path) -> None:
        self.path = path

    def __enter__(self) -> None:
        return None

    def __exit__(self, _type: object, error: BaseException | None, _tb: object) -> None:
        if isinstance(error, OperationalError) and is_busy(error):
            raise CompanyFileBusyError(self.path) from None


def _ro_uri(path: Path) -> str:
    """A read-only SQLite URI for a path (quoted, so '?' or '#' in a name are safe)."""
    return f"{path.resolve().as_uri()}?mode=ro"


# The company file, its -wal and -shm, and every file ICMDesk writes beside them are the
# owner's alone (0600), folders it makes too (0700), whatever the umask.
FILE_MODE = 0o600
FOLDER_MODE = 0o700
# Below this much free space a folder counts as full: SQLite needs 32 KiB for a -shm file
# and a few pages of -wal before a write can even start.
MIN_FREE_BYTES = 256 * 1024


def free_bytes(folder: Path) -> int | None:
    """Free space in `folder`'s file system for this user (None when it cannot be told)."""
    try:
        st = os.statvfs(folder)
    except (OSError, AttributeError):  # AttributeError: Windows has no statvfs
        return None
    blocks = st.f_bfree if os.geteuid() == 0 else st.f_bavail
    return blocks * st.f_frsize


def can_write_beside(path: Path) -> bool:
    """Whether SQLite can write `path` and its -wal/-shm where it is: the file and its
    folder writable (os.access sees read-only mounts and immutable files, even as root)
    and the disk not full."""
    folder = path.parent
    if not os.access(folder, os.W_OK) or (path.exists() and not os.access(path, os.W_OK)):
        return False
    free = free_bytes(folder)
    return free is None or free >= MIN_FREE_BYTES


def read_uri(path: Path) -> str:
    """The URI to read `path` with: read-only, and `immutable` where it cannot be written
    beside (a read-only folder, a full disk) and has no -wal to read: SQLite then makes no
    -shm (which it could not there) and no writer can be changing the file, as none could
    make its -wal. A -wal with content is read the ordinary way (and may fail, in words)."""
    uri = _ro_uri(path)
    if can_write_beside(path):
        return uri
    try:
        wal = os.stat(f"{path}-wal").st_size
    except OSError:
        wal = 0
    return uri if wal else f"{uri}&immutable=1"


def check_can_write(path: Path) -> None:
    """Refuse, in words, to start writing `path` (or creating it) where that cannot work:
    a missing or read-only folder, a read-only file, a full disk. Nothing is touched."""
    path = Path(path)
    folder = path.parent
    if not folder.is_dir():
        raise FileMissingError(f"folder {folder} does not exist")
    if not os.access(folder, os.W_OK):
        raise FolderReadOnlyError(
            f"the folder {folder} is read-only: open {path.name} read-only or move it "
            "to a folder you can write to"
            if path.exists()
            else f"the folder {folder} is read-only: choose a folder you can write to"
        )
    if path.exists() and not os.access(path, os.W_OK):
        raise FileReadOnlyError(
            f"{path.name} is read-only: open it read-only, or make it writable first"
        )
    free = free_bytes(folder)
    if free is not None and free < MIN_FREE_BYTES:
        raise DiskFullError(_disk_full(path))


def _disk_full(path: Path) -> str:
    return (
        f"the disk is full: free some space on the disk of {path.parent} ({path.name} is unchanged)"
    )


def environment_error(error: BaseException, path: Path) -> CompanyFileError | None:
    """The environment failure behind an error met while reading or writing `path` (raw
    or wrapped by SQLAlchemy), in words; None when it is not one (a bug)."""
    path = Path(path)
    orig = getattr(error, "orig", None) or error
    if isinstance(orig, CompanyFileError):
        return orig
    if isinstance(orig, OSError):
        if orig.errno in (errno.ENOSPC, getattr(errno, "EDQUOT", errno.ENOSPC)):
            return DiskFullError(_disk_full(path))
        if orig.errno == errno.ENOENT:
            return FileMissingError(f"{orig.filename or path} does not exist")
        if orig.errno in (errno.EROFS, errno.EACCES, errno.EPERM):
            where = Path(orig.filename) if orig.filename else path
            return FileReadOnlyError(f"{where.name} cannot be written ({orig.strerror})")
        return None
    if not isinstance(orig, sqlite3.Error):
        return None
    code = (getattr(orig, "sqlite_errorcode", None) or 0) & 0xFF
    if code == sqlite3.SQLITE_FULL:
        return DiskFullError(_disk_full(path))
    if code == sqlite3.SQLITE_READONLY:
        if not os.access(path.parent, os.W_OK):
            return FolderReadOnlyError(
                f"the folder {path.parent} is read-only: open {path.name} read-only or move it"
            )
        return FileReadOnlyError(
            f"{path.name} is read-only: open it read-only, or make it writable"
        )
    if code in (sqlite3.SQLITE_CORRUPT, sqlite3.SQLITE_NOTADB):
        return FileDamagedError(f"{path.name} is damaged ({orig}); restore a backup")
    if code in (sqlite3.SQLITE_IOERR, sqlite3.SQLITE_CANTOPEN):
        free = free_bytes(path.parent)
        if free is not None and free < MIN_FREE_BYTES:
            return DiskFullError(_disk_full(path))
        if not os.access(path.parent, os.W_OK):
            return FolderReadOnlyError(
                f"the folder {path.parent} is read-only: open {path.name} read-only or move it"
            )
        return CompanyFileError(f"{path.name} cannot be read or written: {orig}")
    return None


def check_is_company_file(path: Path) -> None:
    """Refuse, with a message a person understands, anything that is not an ICMDesk file."""
    if not path.exists():
        raise FileMissingError(f"{path} does not exist")
    if path.is_dir():
        raise CompanyFileError(f"{path} is a folder, not a company file")
    try:
        with path.open("rb") as f:
            header = f.read(len(SQLITE_HEADER))
    except OSError as e:
        raise CompanyFileError(f"cannot read {path}: {e.strerror}") from None
    if header != SQLITE_HEADER:
        raise FileDamagedError(f"{path.name} is not an ICMDesk company file")
    try:
        conn = sqlite3.connect(read_uri(path), uri=True)
        try:
            app_id = conn.execute("PRAGMA application_id").fetchone()[0]
            if app_id != APPLICATION_ID:
                raise FileDamagedError(
                    f"{path.name} is a SQLite database but not an ICMDesk company file"
                )
            result = _bounded_check(conn)
            if result != "ok":
                raise FileDamagedError(f"{path.name} is damaged ({result}); restore a backup")
        finally:
            conn.close()
    except sqlite3.DatabaseError as e:
        code = (getattr(e, "sqlite_errorcode", None) or 0) & 0xFF
        if code not in (sqlite3.SQLITE_CORRUPT, sqlite3.SQLITE_NOTADB):
            found = environment_error(e, path)
            if found is not None:
                raise found from None
        raise FileDamagedError(f"{path.name} is damaged or not a database ({e})") from None


def check_can_open(path: Path) -> None:
    """Refuse, in words and without writing anything, a file this version cannot open:
    missing, damaged, not ICMDesk's, or saved by a newer ICMDesk (NewerFileError). For a
    command that would write something else first (a backup before an import)."""
    path = Path(path)
    check_is_company_file(path)
    try:
        # A read-write connection where it can be (it writes nothing): as the last to close
        # it takes away the -wal and -shm the check's read-only one leaves.
        where = str(path) if can_write_beside(path) else read_uri(path)
        with closing(sqlite3.connect(where, uri=not can_write_beside(path))) as conn:
            generation = conn.execute("PRAGMA user_version").fetchone()[0]
    except sqlite3.Error as e:
        raise environment_error(e, path) or FileDamagedError(
            f"{path.name} is damaged or not a database ({e})"
        ) from None
    head = schema_generation(head_revision())
    if generation > head:
        raise NewerFileError(
            f"{path.name} was saved by a newer version of ICMDesk (schema {generation}, "
            f"this version reads up to {head}); please update ICMDesk to open it"
        )


# What the check on open may spend beyond the first-page probe. SQLite walks a file's
# b-trees in one step of its own, which a progress handler cannot stop (the old 0.25 s
# budget ran the whole walk: 0.6 s on the 2.4 GB benchmark file with a warm page cache,
# seconds when it is cold), so the check is stopped with sqlite3_interrupt instead. 0.1 s
# checks a file of a few hundred MB in full and the first part of a bigger one; together
# with the header, application id and probe it refuses garbage and truncated or overwritten
# files in plain words, while opening a big company stays fast (issue 3: a month computed
# in under 1 s, opening included). `icmdesk check` runs the full integrity check, unbounded.
OPEN_CHECK_BUDGET_S = 0.1


def _bounded_check(conn: sqlite3.Connection) -> str:
    """Check a file as far as is cheap on open: every table's first page always, then
    SQLite's quick_check for at most OPEN_CHECK_BUDGET_S (a big file is checked in full
    by `icmdesk check`, which has no budget). Returns "ok" or SQLite's complaint."""
    tables = [r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")]
    for table in tables:
        conn.execute(f'SELECT * FROM "{table}" LIMIT 1').fetchall()
    done = threading.Event()

    def interrupt_when_out_of_time() -> None:
        done.wait(OPEN_CHECK_BUDGET_S)
        while not done.is_set():
            conn.interrupt()  # again and again: SQLite forgets one made before the check starts
            done.wait(0.001)

    watchdog = threading.Thread(target=interrupt_when_out_of_time, name="open-check-budget")
    watchdog.start()
    try:
        return str(conn.execute("PRAGMA quick_check(1)").fetchone()[0])
    except sqlite3.OperationalError as e:
        if "interrupted" in str(e):
            return "ok"  # out of budget, nothing found so far
        raise
    finally:
        done.set()
        watchdog.join()


def _migrate_if_needed(path: Path, engine: Engine, backup_before: MigrationBackup) -> OpenReport:
    head = head_revision()
    with engine.connect() as conn:
        current = current_revision(conn)
        generation = conn.exec_driver_sql("PRAGMA user_version").scalar_one()
    if current == head:
        return OpenReport()
    if current is None and generation == 0:
        current_label = "empty"
    elif current is None or current not in known_revisions():
        if generation > schema_generation(head):
            raise NewerFileError(
                f"{path.name} was saved by a newer version of ICMDesk "
                f"(schema {generation}, this version reads up to {schema_generation(head)}); "
                "please update ICMDesk to open it"
            )
        raise FileDamagedError(f"{path.name} has an unknown schema ({current}); cannot open it")
    else:
        current_label = current
    backup = backup_before(path, generation)
    try:
        with engine.begin() as conn:
            _upgrade(conn, "head")
    except OperationalError as e:
        if not is_busy(e):
            raise
        _remove_file_and_sidecars(backup)  # nothing was migrated: no copy of it either
        raise CompanyFileBusyError(path) from None
    return OpenReport(migrated_from=current_label, backup_path=backup)


def _plain_backup(path: Path, generation: int) -> Path:
    """The copy kept before a migration when the opener gives no way of writing it (a
    test, a tool): where and as services.backups.before_migration names it
    (tests/services/test_backups.py holds the two to the same name)."""
    folder = path.parent / "Backups"
    folder.mkdir(mode=0o700, exist_ok=True)
    stamp = datetime.now(UTC).strftime("%Y%m%d-%H%M%S")
    target = folder / f"{path.stem}-before-migration-schema{generation}-{stamp}{path.suffix}"
    n = 1
    while target.exists():
        n += 1
        target = target.with_name(
            f"{path.stem}-before-migration-schema{generation}-{stamp}-{n}{path.suffix}"
        )
    return backup_file(path, target)


def _upgrade(conn: Connection, target: str) -> None:
    """Run migrations on `conn` inside the caller's transaction, then set the markers."""
    from alembic import command

    config = _alembic_config()
    config.attributes["connection"] = conn
    command.upgrade(config, target)
    conn.exec_driver_sql(f"PRAGMA application_id = {APPLICATION_ID}")
    revision = current_revision(conn)
    assert revision is not None
    conn.exec_driver_sql(f"PRAGMA user_version = {schema_generation(revision)}")


def backup_file(source: Path, target: Path) -> Path:
    """A consistent copy of a (possibly open) SQLite file, via the online backup API,
    written under a temporary name and renamed only once it is complete: a crash never
    leaves a file named like a finished copy that is not one (services.backups does the
    same, with a verification, for every backup the app and the command line write)."""
    if target.exists():
        raise CompanyFileError(f"{target} already exists")
    check_can_write(target)
    part = target.with_name(f".{target.name}.{os.getpid()}.part")
    src = sqlite3.connect(read_uri(source), uri=True)
    try:
        os.close(os.open(part, os.O_CREAT | os.O_EXCL | os.O_WRONLY, FILE_MODE))
        dst = sqlite3.connect(part)
        try:
            src.backup(dst)
            dst.execute("PRAGMA journal_mode = DELETE")  # one file: no -wal beside it
        finally:
            dst.close()
        with open(part, "rb") as f:
            os.fsync(f.fileno())
        os.link(part, target)  # never over a file that appeared meanwhile
    except (sqlite3.Error, OSError) as e:
        found = environment_error(e, target)
        if isinstance(found, DiskFullError):
            raise DiskFullError(
                f"the disk is full: the copy {target} could not be written"
            ) from None
        if isinstance(e, FileExistsError):
            raise CompanyFileError(f"{target} already exists") from None
        raise found or CompanyFileError(f"backup to {target} failed: {e}") from None
    finally:
        src.close()
        _remove_file_and_sidecars(part)
    return target


def _remove_file_and_sidecars(path: Path) -> None:
    for p in (path, Path(f"{path}-wal"), Path(f"{path}-shm"), Path(f"{path}-journal")):
        p.unlink(missing_ok=True)
