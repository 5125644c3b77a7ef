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

import os
import sqlite3
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import Connection
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session, sessionmaker
from sqlalchemy.pool import QueuePool

from icmdesk.domain.errors import CompanyFileError

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
        if read_only:
            return sqlite3.connect(
                _ro_uri(path), uri=True, check_same_thread=False, timeout=timeout
            )
        return sqlite3.connect(str(path), check_same_thread=False, timeout=timeout)

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
        if not read_only:
            cursor.execute("PRAGMA journal_mode = WAL")
            cursor.execute("PRAGMA synchronous = FULL")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn: Connection) -> None:
        conn.exec_driver_sql("BEGIN")

    return engine


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
            raise CompanyFileError(f"folder {path.parent} does not exist")
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
    def open(cls, path: Path) -> CompanyFile:
        """Open an existing company file, migrating it (after a backup) if it is older."""
        path = Path(path)
        check_is_company_file(path)
        engine = make_engine(path)
        try:
            report = _migrate_if_needed(path, engine)
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


def check_is_company_file(path: Path) -> None:
    """Refuse, with a message a person understands, anything that is not an ICMDesk file."""
    if not path.exists():
        raise CompanyFileError(f"{path} does not exist")
    if path.is_dir():
        raise CompanyFileError(f"{path} is a folder, not a company file")
    try:
        with path.open("rb") as f:
            header = f.read(len(SQLITE_HEADER))
    except OSError as e:
        raise CompanyFileError(f"cannot read {path}: {e.strerror}") from None
    if header != SQLITE_HEADER:
        raise CompanyFileError(f"{path.name} is not an ICMDesk company file")
    try:
        conn = sqlite3.connect(_ro_uri(path), uri=True)
        try:
            app_id = conn.execute("PRAGMA application_id").fetchone()[0]
            if app_id != APPLICATION_ID:
                raise CompanyFileError(
                    f"{path.name} is a SQLite database but not an ICMDesk company file"
                )
            result = _bounded_check(conn)
            if result != "ok":
                raise CompanyFileError(f"{path.name} is damaged ({result}); restore a backup")
        finally:
            conn.close()
    except sqlite3.DatabaseError as e:
        raise CompanyFileError(f"{path.name} is damaged or not a database ({e})") from None


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


def _migrate_if_needed(path: Path, engine: Engine) -> OpenReport:
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
            raise CompanyFileError(
                f"{path.name} was saved by a newer version of ICMDesk "
                f"(schema {generation}, this version reads up to {schema_generation(head)}); "
                "please update ICMDesk to open it"
            )
        raise CompanyFileError(f"{path.name} has an unknown schema ({current}); cannot open it")
    else:
        current_label = current
    stamp = datetime.now(UTC).strftime("%Y%m%d-%H%M%S")
    backup = path.with_name(f"{path.stem}.backup-{stamp}-schema{generation}{path.suffix}")
    backup_file(path, backup)
    try:
        with engine.begin() as conn:
            _upgrade(conn, "head")
    except OperationalError as e:
        if not is_busy(e):
            raise
        _remove_file_and_sidecars(backup)  # nothing was migrated: no copy of it either
        raise CompanyFileBusyError(path) from None
    return OpenReport(migrated_from=current_label, backup_path=backup)


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
    """A consistent copy of a (possibly open) SQLite file, via the online backup API."""
    if target.exists():
        raise CompanyFileError(f"{target} already exists")
    src = sqlite3.connect(_ro_uri(source), uri=True)
    try:
        dst = sqlite3.connect(target)
        try:
            src.backup(dst)
        finally:
            dst.close()
    except sqlite3.Error as e:
        _remove_file_and_sidecars(target)
        raise CompanyFileError(f"backup to {target} failed: {e}") from None
    finally:
        src.close()
    return target


def _remove_file_and_sidecars(path: Path) -> None:
    for p in (path, Path(f"{path}-wal"), Path(f"{path}-shm"), Path(f"{path}-journal")):
        p.unlink(missing_ok=True)
