"""Backups of a company file: the one place that writes, names, rotates, lists and
restores them (docs/data-safety.md, "Backups and restoring").

Writing. A backup is a copy made with SQLite's online backup API (consistent even while
the file is open and being written) into a temporary `….part` file, created 0600. The
copy is then opened and checked (`PRAGMA integrity_check` says ok, and it is an ICMDesk
company file) and flushed to disk, and only then given its real name, which it never
takes over an existing file. A crash, a kill or a full disk at any moment leaves at most
a `.part` file, never a file named like a backup: the next backup removes `.part` files
whose writer is gone.

Where and what. Automatic backups go to the `Backups` folder beside the company file
(created 0700), named for the company, what they came before and when (UTC):

    acme-before-close-2026-03-20260401-091200.icmdesk
    acme-before-close-2026-01-to-2026-03-20260401-091200.icmdesk
    acme-before-migration-schema9-20260401-091200.icmdesk
    acme-before-import-20260401-091200.icmdesk
    acme-before-restore-20260401-091200.icmdesk
    acme-by-hand-20260401-091200.icmdesk     (`icmdesk backup PATH`, no --to)

Rotation. After each automatic backup, the company's automatic backups in that folder
are thinned: the newest KEEP_LAST are kept, and the newest of each of the last
KEEP_MONTHS calendar months. A backup made by hand (by-hand, or anywhere with
`icmdesk backup --to` / File ▸ Back Up…) is never removed.

Restoring. `restore` checks the backup before anything is touched (a sound SQLite file,
an ICMDesk company file, a schema this version can read or migrate), copies it beside
the company file and brings that copy up to this version's schema, keeps the file it is
about to replace as a "before restore" backup, then replaces the company file in one
rename while it holds SQLite's exclusive lock. The caller holds ICMDesk's one-writer lock
(services/file_lock.py) and has its own connections to the file closed.
"""

from __future__ import annotations

import contextlib
import itertools
import os
import re
import shutil
import sqlite3
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from icmdesk.domain.calendar import Month
from icmdesk.domain.errors import (
    CompanyFileError,
    FileDamagedError,
    FileMissingError,
    NewerFileError,
)
from icmdesk.models.database import (
    APPLICATION_ID,
    CompanyFile,
    CompanyFileBusyError,
    busy_timeout,
    can_write_beside,
    check_is_company_file,
    environment_error,
    head_revision,
    known_revisions,
    read_uri,
    schema_generation,
)

FOLDER_NAME = "Backups"
PART_SUFFIX = ".part"
KEEP_LAST = 20  # the newest automatic backups always kept
KEEP_MONTHS = 12  # and the newest of each of this many calendar months (this one included)
# A `.part` file is left by a backup that did not finish: removed once its writer is gone,
# or after this long whatever (its pid may have been reused, or it came from elsewhere).
PART_MAX_AGE_S = 24 * 3600
FILE_MODE = 0o600
FOLDER_MODE = 0o700

# What a backup came before (the name's tag), in words.
KINDS = {
    "close": "before close",
    "migration": "before migration",
    "import": "before import",
    "restore": "before restore",
    "hand": "by hand",
}
_STAMP = "%Y%m%d-%H%M%S"


@dataclass(frozen=True, slots=True)
class BackupInfo:
    """One backup: where it is, what it came before, when (UTC), and what it holds.

    `months_closed` is None when the file could not be read (a damaged file kept as it
    was before a restore)."""

    path: Path
    kind: str  # a key of KINDS, or "file" for a file not named by ICMDesk
    taken: datetime
    size: int
    months_closed: tuple[Month, ...] | None

    @property
    def automatic(self) -> bool:
        return self.kind not in ("hand", "file")

    @property
    def kind_text(self) -> str:
        return KINDS.get(self.kind, "copy")

    @property
    def taken_text(self) -> str:
        return f"{self.taken:%Y-%m-%d %H:%M} UTC"

    @property
    def months_text(self) -> str:
        return months_text(self.months_closed)

    @property
    def size_text(self) -> str:
        return size_text(self.size)


@dataclass(frozen=True, slots=True)
class Restored:
    """What a restore did: the backup put back, and where the replaced file was kept
    (None when there was no file to replace)."""

    backup: BackupInfo
    kept: Path | None


# Writing.


def write_backup(source: Path, target: Path) -> Path:
    """A verified copy of the company file `source` at `target`, which must not exist
    (`--to`, File ▸ Back Up…, and every automatic backup). Mode 0600. Raises
    CompanyFileError, leaving no file at `target`."""
    source, target = Path(source), Path(target)
    if target.exists() or target.is_symlink():
        raise CompanyFileError(f"{target} already exists")
    if not target.parent.is_dir():
        raise FileMissingError(f"folder {target.parent} does not exist")
    if _same_file(source, target):
        raise CompanyFileError("choose a name other than the company file itself")
    part = _part_name(target)
    try:
        _copy_verified(source, part)
        _publish(part, target)
    finally:
        _remove_with_sidecars(part)
    _fsync_folder(target.parent)
    return target


def write_automatic(
    company: Path,
    tag: str,
    *,
    folder: Path | None = None,
    now: datetime | None = None,
    write: Callable[[Path, Path], Path] = write_backup,
) -> Path:
    """Back up `company` into its backup folder (or `folder`) before a change, named by
    `tag` ("before-close-2026-03", "before-import", ...), then rotate the automatic
    backups there. Returns the backup's path. `write(source, target)` writes the copy
    (write_backup; the caller's own name for it, which a test may wrap)."""
    company = Path(company)
    if _parse_tag(tag) in (None, "hand"):
        raise ValueError(f"{tag!r} is not the tag of an automatic backup")
    folder = _ready_folder(company, folder)
    target = write(company, _free_name(folder, company, tag, now))
    rotate(company, folder=folder, now=now)
    return target


def back_up_by_hand(
    company: Path, target: Path | None = None, *, now: datetime | None = None
) -> Path:
    """`icmdesk backup`: a copy at `target`, or, without one, into the backup folder
    named like an automatic one ("by hand"). Never rotated away."""
    company = Path(company)
    check_is_company_file(company)
    if target is not None:
        return write_backup(company, Path(target))
    folder = _ready_folder(company, None)
    return write_backup(company, _free_name(folder, company, "by-hand", now))


def before_close(cf: CompanyFile, months: str, folder: Path | None = None) -> Path:
    """The backup a close writes first (`months`: "2026-03" or "2026-01-to-2026-03")."""
    return write_automatic(cf.path, f"before-close-{months}", folder=folder)


def before_migration(company: Path, generation: int) -> Path:
    """The backup a file of an older schema (`generation`) gets before it is migrated
    (given to CompanyFile.open by the openers in services/file_lock.py)."""
    return write_automatic(company, f"before-migration-schema{generation}")


def before_import(company: Path) -> Path:
    """The backup an import that changes something writes first."""
    return write_automatic(company, "before-import")


def backup_folder(company: Path) -> Path:
    """Where a company's automatic backups go: `Backups` beside it."""
    return Path(company).parent / FOLDER_NAME


# Naming, listing, rotating.


def _name_re(company: Path) -> re.Pattern[str]:
    return re.compile(
        rf"^{re.escape(company.stem)}-(?P<tag>(?:before-[a-z]+(?:-[0-9a-z-]+?)?)|by-hand)"
        rf"-(?P<stamp>\d{{8}}-\d{{6}})(?:-(?P<n>\d+))?{re.escape(company.suffix)}$"
    )


def _parse_tag(tag: str) -> str | None:
    """The kind a name's tag says, or None."""
    if tag == "by-hand":
        return "hand"
    m = re.fullmatch(r"before-([a-z]+)(?:-[0-9a-z-]+)?", tag)
    if m is None or m.group(1) not in KINDS or m.group(1) == "hand":
        return None
    return m.group(1)


def parse_name(company: Path, name: str) -> tuple[str, datetime, int] | None:
    """A backup's kind, time and sequence number from its name, or None when the name is
    not one of `company`'s backups."""
    m = _name_re(Path(company)).match(name)
    if m is None:
        return None
    kind = _parse_tag(m.group("tag"))
    if kind is None:
        return None
    try:
        taken = datetime.strptime(m.group("stamp"), _STAMP).replace(tzinfo=UTC)
    except ValueError:
        return None
    return kind, taken, int(m.group("n") or 1)


def is_automatic(company: Path, name: str) -> bool:
    """Whether `name` is one of `company`'s automatic backups (rotation may remove it)."""
    parsed = parse_name(company, name)
    return parsed is not None and parsed[0] != "hand"


def backup_names(company: Path, folder: Path | None = None) -> frozenset[str] | None:
    """The names of `company`'s backups in its backup folder (None: no folder yet)."""
    company = Path(company)
    try:
        names = os.listdir(folder or backup_folder(company))
    except FileNotFoundError:
        return None
    except OSError:
        return frozenset()
    return frozenset(n for n in names if parse_name(company, n) is not None)


def list_backups(
    company: Path, *, folder: Path | None = None, read: bool = True
) -> list[BackupInfo]:
    """`company`'s backups in its backup folder, newest first; with `read`, each one's
    closed months are read from it."""
    company = Path(company)
    folder = folder or backup_folder(company)
    found: list[tuple[datetime, int, float, BackupInfo]] = []
    for name in backup_names(company, folder) or ():
        parsed = parse_name(company, name)
        assert parsed is not None
        kind, taken, n = parsed
        path = folder / name
        try:
            stat = path.stat()
        except OSError:
            continue
        months = months_closed(path) if read else None
        info = BackupInfo(path, kind, taken, stat.st_size, months)
        found.append((taken, n, stat.st_mtime, info))
    # Newest first; two of the same second in the order they were written.
    found.sort(key=lambda t: (t[0], t[1], t[2]), reverse=True)
    return [t[3] for t in found]


def describe(path: Path, company: Path | None = None) -> BackupInfo:
    """A file as a backup: its kind and time from its name when ICMDesk named it (for
    `company`), else the time it was last written."""
    path = Path(path)
    stat = path.stat()
    parsed = parse_name(company, path.name) if company is not None else None
    if parsed is None:
        for_any = re.match(r"^(?P<stem>.+?)-(?:before-[a-z]|by-hand)", path.name)
        if for_any is not None:
            parsed = parse_name(path.with_name(for_any["stem"] + path.suffix), path.name)
    if parsed is not None:
        kind, taken, _n = parsed
    else:
        kind, taken = "file", datetime.fromtimestamp(stat.st_mtime, UTC)
    return BackupInfo(path, kind, taken, stat.st_size, months_closed(path))


def rotate(company: Path, *, folder: Path | None = None, now: datetime | None = None) -> list[Path]:
    """Remove the automatic backups the rotation does not keep (see the module's
    docstring); returns those removed. Backups made by hand are never touched."""
    company = Path(company)
    automatic = [b for b in list_backups(company, folder=folder, read=False) if b.automatic]
    keep = {b.path for b in automatic[:KEEP_LAST]}
    current = Month.of((now or datetime.now(UTC)).date())
    window = {current.plus(-i) for i in range(KEEP_MONTHS)}
    for b in automatic:  # newest first: the first seen of a month is its newest
        month = Month.of(b.taken.date())
        if month in window:
            window.discard(month)
            keep.add(b.path)
    removed = [b.path for b in automatic if b.path not in keep]
    for path in removed:
        _remove_with_sidecars(path)
    return removed


def months_closed(path: Path) -> tuple[Month, ...] | None:
    """The months closed in a company file or backup (None if it cannot be read)."""
    try:
        conn = _reader(path)
    except (sqlite3.Error, CompanyFileError):
        return None
    try:
        rows = conn.execute(
            "SELECT month FROM periods WHERE status = 'closed' ORDER BY month"
        ).fetchall()
        return tuple(Month.parse(str(r[0])) for r in rows)
    except (sqlite3.Error, ValueError):
        return None
    finally:
        conn.close()


def months_text(months: tuple[Month, ...] | None) -> str:
    """Closed months in words: "none", "2026-03", "2026-01 to 2026-03", or a list."""
    if months is None:
        return "unreadable"
    if not months:
        return "none"
    if len(months) == 1:
        return str(months[0])
    if all(b.index - a.index == 1 for a, b in itertools.pairwise(months)):
        return f"{months[0]} to {months[-1]}"
    return ", ".join(str(m) for m in months)


def size_text(size: int) -> str:
    value = float(size)
    for unit in ("bytes", "KB", "MB", "GB"):
        if value < 1024 or unit == "GB":
            return f"{size:,} bytes" if unit == "bytes" else f"{value:.1f} {unit}"
        value /= 1024
    raise AssertionError("unreachable")


# Restoring.


def check_restorable(source: Path) -> BackupInfo:
    """Refuse, in words, a file that cannot be restored: missing, not SQLite, damaged
    (the full integrity check), not an ICMDesk company file, or of a schema this version
    cannot read or bring up to date. Returns it described as a backup."""
    source = Path(source)
    check_is_company_file(source)
    conn = _reader(source)
    try:
        problems = [str(r[0]) for r in conn.execute("PRAGMA integrity_check(5)")]
        if problems != ["ok"]:
            raise FileDamagedError(
                f"{source.name} is damaged ({'; '.join(problems)}); choose another backup"
            )
        generation = int(conn.execute("PRAGMA user_version").fetchone()[0])
        try:
            row = conn.execute("SELECT version_num FROM alembic_version").fetchone()
        except sqlite3.OperationalError:
            row = None
    except sqlite3.DatabaseError as e:
        raise FileDamagedError(f"{source.name} is damaged or not a database ({e})") from None
    finally:
        conn.close()
    revision = None if row is None else str(row[0])
    head = schema_generation(head_revision())
    if generation > head:
        raise NewerFileError(
            f"{source.name} was saved by a newer version of ICMDesk (schema {generation}, "
            f"this version reads up to {head}); update ICMDesk to restore it"
        )
    if revision is None:
        raise FileDamagedError(f"{source.name} holds no company (it has no ICMDesk schema)")
    if revision not in known_revisions():
        raise FileDamagedError(f"{source.name} has an unknown schema ({revision})")
    return describe(source)


def restore(company: Path, source: Path, *, folder: Path | None = None) -> Restored:
    """Replace `company` by the backup `source` (see the module's docstring). Raises
    CompanyFileError, with `company` as it was, when the backup cannot be restored;
    CompanyFileBusyError when another program keeps the file open."""
    company, source = Path(company), Path(source)
    if company.exists() and _same_file(company, source):
        raise CompanyFileError(f"{source.name} is the company file itself; choose a backup")
    info = check_restorable(source)
    if not company.parent.is_dir():
        raise FileMissingError(f"folder {company.parent} does not exist")
    _remove_stale_parts(company.parent, company.name)
    staged = company.with_name(f"{company.name}.restore.{os.getpid()}{PART_SUFFIX}")
    kept: Path | None = None
    try:
        _copy_verified(source, staged)
        _bring_up_to_date(staged, source)
        if company.exists():
            os.chmod(staged, company.stat().st_mode & 0o777)
            kept = _keep(company, folder)
        try:
            with _exclusive(company):
                os.replace(staged, company)
        except BaseException:
            if kept is not None:  # nothing was replaced: no copy of a change not made
                _remove_with_sidecars(kept)
                kept = None
            raise
    finally:
        _remove_with_sidecars(staged)
    _fsync_folder(company.parent)
    return Restored(info, kept)


def _bring_up_to_date(staged: Path, source: Path) -> None:
    """Migrate the staged copy of an older backup, so that the file put in place is one
    this version opens as it is (the backup itself is the copy from before the
    migration: no second one is written)."""
    CompanyFile.open(staged, backup_before_migration=lambda _path, _gen: source).close()
    with contextlib.closing(sqlite3.connect(staged, isolation_level=None)) as conn:
        conn.execute("PRAGMA journal_mode = DELETE")  # one file, no -wal beside it


def _keep(company: Path, folder: Path | None) -> Path:
    """The "before restore" backup of the file a restore replaces. A file too damaged to
    copy through SQLite (often why it is being restored) is kept byte for byte instead."""
    try:
        return write_automatic(company, "before-restore", folder=folder)
    except CompanyFileError:
        if _readable(company):
            raise  # not the file: the disk, the folder; nothing is replaced
    target_folder = _ready_folder(company, folder)
    target = _free_name(target_folder, company, "before-restore", None)
    part = _part_name(target)
    try:
        fd = os.open(part, os.O_CREAT | os.O_EXCL | os.O_WRONLY, FILE_MODE)
        with os.fdopen(fd, "wb") as out, company.open("rb") as src:
            os.fchmod(out.fileno(), FILE_MODE)
            shutil.copyfileobj(src, out, 1 << 20)
            out.flush()
            os.fsync(out.fileno())
        _publish(part, target)
    except OSError as e:
        raise CompanyFileError(f"cannot keep a copy of {company.name}: {e.strerror}") from None
    finally:
        _remove_with_sidecars(part)
    _fsync_folder(target_folder)
    return target


def _readable(path: Path) -> bool:
    try:
        check_is_company_file(path)
        with contextlib.closing(sqlite3.connect(_ro_uri(path), uri=True)) as conn:
            return [r[0] for r in conn.execute("PRAGMA integrity_check(1)")] == ["ok"]
    except (CompanyFileError, sqlite3.Error):
        return False


@contextlib.contextmanager
def _exclusive(company: Path) -> Iterator[None]:
    """Hold SQLite's exclusive lock on `company` with no -wal beside it, so that nothing
    reads or writes it while it is replaced (CompanyFileBusyError if another program
    keeps it open). A file SQLite cannot read at all is in nobody's use: just replaced."""
    conn = _lock_exclusively(company) if company.exists() else None
    try:
        yield
    finally:
        if conn is not None:
            conn.close()
        for sidecar in ("-wal", "-shm", "-journal"):
            Path(f"{company}{sidecar}").unlink(missing_ok=True)


def _lock_exclusively(company: Path) -> sqlite3.Connection | None:
    conn = sqlite3.connect(company, timeout=busy_timeout(), isolation_level=None)
    try:
        # Leaving WAL needs every other connection gone; it checkpoints the -wal into the
        # file and deletes it (a -wal left beside the restored file would be replayed
        # into it).
        mode = str(conn.execute("PRAGMA journal_mode = DELETE").fetchone()[0])
        if mode.lower() != "delete":
            raise CompanyFileBusyError(company)
        conn.execute("BEGIN EXCLUSIVE")
    except sqlite3.OperationalError as e:
        conn.close()
        if "locked" in str(e) or "busy" in str(e):
            raise CompanyFileBusyError(company) from None
        return None
    except sqlite3.DatabaseError:  # damaged beyond reading
        conn.close()
        return None
    except BaseException:
        conn.close()
        raise
    return conn


# The mechanics.


def _copy_verified(source: Path, part: Path) -> None:
    """Copy `source` into the new file `part` (0600) with the online backup API, check the
    copy, and flush it to disk. Raises CompanyFileError; the caller removes `part`."""
    fd = os.open(part, os.O_CREAT | os.O_EXCL | os.O_WRONLY, FILE_MODE)
    try:
        os.fchmod(fd, FILE_MODE)  # whatever the umask
    finally:
        os.close(fd)
    try:
        src = _reader(source)
    except sqlite3.Error as e:
        raise CompanyFileError(f"cannot read {source.name}: {e}") from None
    try:
        dst = sqlite3.connect(part, isolation_level=None)
        try:
            src.backup(dst)
            # The copy is one file: no -wal needed beside it to open it.
            dst.execute("PRAGMA journal_mode = DELETE")
        finally:
            dst.close()
    except sqlite3.Error as e:
        found = environment_error(e, part)  # a full disk, a read-only folder: in words
        raise found or CompanyFileError(f"the backup of {source.name} failed: {e}") from None
    finally:
        src.close()
    problem = verify_copy(part)
    if problem is not None:
        raise CompanyFileError(f"the backup of {source.name} did not verify: {problem}")
    with open(part, "rb") as f:
        os.fsync(f.fileno())


def verify_copy(path: Path) -> str | None:
    """Why a copy is not a sound ICMDesk company file, or None when it is (the full
    integrity check, and the application id)."""
    try:
        with contextlib.closing(sqlite3.connect(_ro_uri(path), uri=True)) as conn:
            results = [str(r[0]) for r in conn.execute("PRAGMA integrity_check(5)")]
            if results != ["ok"]:
                return "; ".join(results)
            if conn.execute("PRAGMA application_id").fetchone()[0] != APPLICATION_ID:
                return "it is not an ICMDesk company file"
    except sqlite3.Error as e:
        return str(e)
    return None


def _publish(part: Path, target: Path) -> None:
    """Give the finished copy its name, never over an existing file."""
    try:
        os.link(part, target)  # fails if `target` exists: no check-then-replace race
    except FileExistsError:
        raise CompanyFileError(f"{target} already exists") from None
    except OSError:  # no hard links here (FAT, some network shares)
        if target.exists():
            raise CompanyFileError(f"{target} already exists") from None
        os.replace(part, target)


def _ready_folder(company: Path, folder: Path | None) -> Path:
    """The backup folder, created 0700 if missing, cleared of unfinished copies."""
    folder = folder or backup_folder(company)
    if not folder.is_dir():
        if not company.parent.is_dir():
            raise FileMissingError(f"folder {company.parent} does not exist")
        try:
            folder.mkdir(mode=FOLDER_MODE, parents=True, exist_ok=True)
            os.chmod(folder, FOLDER_MODE)  # whatever the umask
        except OSError as e:
            raise CompanyFileError(f"cannot create {folder}: {e.strerror}") from None
    _remove_stale_parts(folder)
    _remove_stale_parts(company.parent, company.name)
    return folder


def _free_name(folder: Path, company: Path, tag: str, now: datetime | None) -> Path:
    stamp = (now or datetime.now(UTC)).astimezone(UTC).strftime(_STAMP)
    base = f"{company.stem}-{tag}-{stamp}"
    target, n = folder / f"{base}{company.suffix}", 1
    while target.exists():
        n += 1
        target = folder / f"{base}-{n}{company.suffix}"
    return target


def _part_name(target: Path) -> Path:
    return target.with_name(f"{target.name}.{os.getpid()}{PART_SUFFIX}")


def _remove_stale_parts(folder: Path, prefix: str = "") -> None:
    """Remove the `.part` files (in `folder`, starting with `prefix`) of backups and
    restores that did not finish: their writer is gone, or they are old."""
    try:
        names = os.listdir(folder)
    except OSError:
        return
    for name in names:
        if not name.endswith(PART_SUFFIX) or not name.startswith(prefix):
            continue
        path = folder / name
        m = re.search(r"\.(\d+)\.part$", name)
        try:
            age = time.time() - path.stat().st_mtime
        except OSError:
            continue
        pid = int(m.group(1)) if m else 0
        if age > PART_MAX_AGE_S or not _running(pid):
            _remove_with_sidecars(path)


def _running(pid: int) -> bool:
    if pid <= 0:
        return False
    if pid == os.getpid():
        return True  # this process: a backup of ours may be under way in another thread
    if os.name == "nt":  # os.kill would end it there; left to the age rule
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    except OSError:
        return False
    return True


def _same_file(a: Path, b: Path) -> bool:
    try:
        return a.resolve() == b.resolve() or (a.exists() and b.exists() and a.samefile(b))
    except OSError:
        return False


def _ro_uri(path: Path) -> str:
    return f"{Path(path).resolve().as_uri()}?mode=ro"


def _reader(path: Path) -> sqlite3.Connection:
    """A connection that only reads `path`. A read-write one where it can be (it writes
    nothing, and as the last to close it leaves no -wal or -shm behind, as a read-only
    one would); read-only where the file or its folder cannot be written."""
    path = Path(path)
    if not path.is_file():  # connecting would create it
        raise FileMissingError(f"{path} does not exist")
    if can_write_beside(path):
        return sqlite3.connect(path, timeout=busy_timeout(), isolation_level=None)
    # Read-only; immutable where nothing could be written beside it (models.database).
    return sqlite3.connect(read_uri(path), uri=True, timeout=busy_timeout())


def _fsync_folder(folder: Path) -> None:
    """Make a rename durable (POSIX; Windows has no directory handles to flush)."""
    if os.name == "nt":
        return
    with contextlib.suppress(OSError):
        fd = os.open(folder, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


def _remove_with_sidecars(path: Path) -> None:
    for p in (path, Path(f"{path}-wal"), Path(f"{path}-shm"), Path(f"{path}-journal")):
        with contextlib.suppress(OSError):
            p.unlink(missing_ok=True)
