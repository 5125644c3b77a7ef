"""Every failure of the environment in words (issue 14): for every command, a read-only
file or folder, a full disk, a database another program is writing, a missing folder, a
damaged file and a file from a newer ICMDesk each give one line on stderr naming the
cause, an exit code of its own, the company file byte-identical and nothing left beside it.

Root is not stopped by permissions, so read-only is made with `chattr +i` (immutable) and
a full disk with a small tmpfs; each case is skipped, with the reason, where that cannot be
done.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import sqlite3
import subprocess
import sys
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from icmdesk import cli
from icmdesk.models.database import CompanyFile
from icmdesk.services import company_io

# A demo-company month: no month of the demo is closed, so 2025-11 is the first open one.
MONTH = "2025-11"
READERS = ("export", "check", "backup", "compute", "statements", "export-payroll")
WRITERS = (
    "books-start",
    "opening-balance",
    "import",
    "close",
    "reopen",
    "import-deals",
    "import-adjustments",
)
CREATORS = ("new", "demo")
COMMANDS = (*CREATORS, *WRITERS, *READERS)


def argv(command: str, company: Path, out: Path) -> list[str]:
    """The command line of `command` on `company`, writing what it writes into `out`."""
    new = company.with_name("New.icmdesk")
    return {
        "new": ["new", str(new), "--name", "New Co"],
        "demo": ["demo", str(new)],
        "books-start": ["books-start", str(company), "--none"],
        "opening-balance": ["opening-balance", str(company), "--rep", "1", "--owed", "5"],
        "import": ["import", str(company), "--json", str(out / "doc.json")],
        "close": ["close", str(company), "--period", MONTH],
        "reopen": ["reopen", str(company), "--period", MONTH],
        "import-deals": ["import-deals", str(company), str(out / "deals.csv")],
        "import-adjustments": ["import-adjustments", str(company), str(out / "adj.csv")],
        "export": ["export", str(company), "--json", str(out / "export.json")],
        "check": ["check", str(company)],
        "backup": ["backup", str(company), "--out", str(out / "copy.icmdesk")],
        "compute": ["compute", str(company), "--period", MONTH],
        "statements": ["statements", str(company), "--period", MONTH, "--out", str(out)],
        "export-payroll": [
            *("export-payroll", str(company), "--period", MONTH, "--format", "generic"),
            *("--out", str(out / "pay.csv"), "--allow-open"),
        ],
    }[command]


@pytest.fixture(scope="module")
def demo_document(demo_template: Path) -> str:
    cf = CompanyFile.open(demo_template)
    try:
        return company_io.export_json(cf)
    finally:
        cf.close()


def _inputs(out: Path, document: str) -> None:
    out.mkdir(parents=True, exist_ok=True)
    (out / "doc.json").write_text(document, encoding="utf-8")
    (out / "deals.csv").write_text(
        "Deal ID,Deal Name,Amount,Close Date,Deal Owner,Deal Stage\n"
        "D-1,Acme,1000.00,2025-11-03,Nobody,Closed Won\n",
        encoding="utf-8",
    )
    (out / "adj.csv").write_text("rep,month,amount,reason\n1,2025-11,10.00,fix\n", encoding="utf-8")


def _chattr(flag: str, *paths: Path) -> None:
    subprocess.run(["chattr", flag, *map(str, paths)], check=True, capture_output=True)


def _can_chattr(folder: Path) -> str | None:
    """Why `chattr +i` cannot stand in for read-only here (None: it can)."""
    if shutil.which("chattr") is None:
        return "no chattr on this machine"
    if os.geteuid() != 0:
        return "chattr +i needs root (and without root, permissions would do; not set up here)"
    probe = folder / ".probe"
    probe.write_text("x")
    try:
        _chattr("+i", probe)
    except (subprocess.CalledProcessError, OSError) as e:
        return f"chattr +i does not work on this file system ({e})"
    _chattr("-i", probe)
    probe.unlink()
    return None


@contextlib.contextmanager
def _tmpfs(where: Path, size: str) -> Iterator[Path]:
    where.mkdir()
    if os.geteuid() != 0 or shutil.which("mount") is None:
        pytest.skip("a full disk is a small tmpfs, which needs root to mount")
    done = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(where)], capture_output=True
    )
    if done.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here: {done.stderr.decode(errors='replace').strip()}")
    try:
        yield where
    finally:
        subprocess.run(["umount", "-l", str(where)], check=False, capture_output=True)


def _fill(folder: Path) -> None:
    """Fill the disk of `folder` to the last byte."""
    fd = os.open(folder / "filler", os.O_WRONLY | os.O_CREAT, 0o600)
    try:
        for size in (1 << 16, 512, 1):
            with contextlib.suppress(OSError):
                while True:
                    os.write(fd, b"\0" * size)
    finally:
        os.close(fd)


@contextlib.contextmanager
def _sqlite_writer(path: Path) -> Iterator[None]:
    """Another program holding SQLite's write lock (BEGIN IMMEDIATE) on `path`."""
    code = (
        "import sqlite3, sys, time\n"
        f"c = sqlite3.connect({str(path)!r}, isolation_level=None)\n"
        "c.execute('BEGIN IMMEDIATE')\n"
        "print('ready', flush=True)\n"
        "sys.stdin.read()\n"
    )
    proc = subprocess.Popen(
        [sys.executable, "-c", code], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True
    )
    try:
        assert proc.stdout is not None and proc.stdout.readline().strip() == "ready"
        yield
    finally:
        assert proc.stdin is not None and proc.stdout is not None
        proc.stdin.close()
        proc.wait(timeout=30)
        proc.stdout.close()


def _damage(path: Path) -> None:
    data = bytearray(path.read_bytes())
    data[16:100] = b"\xff" * 84  # the header's page size and counters: not a database
    path.write_bytes(bytes(data))


def _from_newer_version(path: Path) -> None:
    conn = sqlite3.connect(path)
    conn.execute("UPDATE alembic_version SET version_num = '9999'")
    conn.execute("PRAGMA user_version = 9999")
    conn.commit()
    conn.close()


def _listing(folder: Path) -> dict[str, bytes | None]:
    return {
        str(p.relative_to(folder)): None if p.is_dir() else p.read_bytes()
        for p in sorted(folder.rglob("*"))
        if p.name != "filler"
    }


@dataclass(frozen=True)
class Case:
    """An environment failure: how it is set up, and the exit each command ends with."""

    name: str
    exits: Callable[[str], int | None]  # None: not a case for this command
    message: str  # found in the one line on stderr


def _writer_or(code: int, readers: int = cli.EXIT_OK) -> Callable[[str], int | None]:
    def exits(command: str) -> int | None:
        if command in CREATORS:
            return None
        return readers if command in READERS else code

    return exits


CASES = {
    "read-only file": Case("read-only file", _writer_or(cli.EXIT_READ_ONLY), "is read-only"),
    "read-only folder": Case(
        "read-only folder",
        lambda c: cli.EXIT_OK if c in READERS else cli.EXIT_FOLDER_READ_ONLY,
        "is read-only",
    ),
    "full disk": Case(
        "full disk",
        lambda c: cli.EXIT_OK if c in ("check", "compute") else cli.EXIT_DISK_FULL,
        "the disk is full",
    ),
    "locked database": Case("locked database", _writer_or(cli.EXIT_LOCKED), "busy"),
    "missing folder": Case("missing folder", lambda c: cli.EXIT_MISSING, "does not exist"),
    "damaged file": Case("damaged file", _writer_or(cli.EXIT_DAMAGED, cli.EXIT_DAMAGED), "damaged"),
    "newer schema": Case(
        "newer schema",
        # A backup copies the file as it is, whichever version saved it.
        lambda c: None if c in CREATORS else cli.EXIT_OK if c == "backup" else cli.EXIT_NEWER,
        "newer version of ICMDesk",
    ),
}


# `icmdesk backup` is services.backups' (in progress in another change): it reads with its
# own read-only URI, so it cannot read from a read-only folder or a full disk and leaves a
# -wal and -shm beside a read-only file or one from a newer ICMDesk. Known, not hidden:
# these must pass once it reads through models.database.read_uri.
@pytest.mark.parametrize("command", COMMANDS)
@pytest.mark.parametrize("case", list(CASES))
def test_every_failure_in_words(
    case: str,
    command: str,
    demo_template: Path,
    demo_document: str,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    spec = CASES[case]
    expected = spec.exits(command)
    if expected is None:
        pytest.skip(f"{command} creates a new file: a {case} is not a case for it")
    monkeypatch.setenv("ICMDESK_BUSY_TIMEOUT", "0.2")
    with contextlib.ExitStack() as stack:
        folder = tmp_path / "company"
        out = tmp_path / "out"
        if case == "full disk":
            folder = stack.enter_context(_tmpfs(tmp_path / "disk", "1m"))
            out = folder / "out"
        folder.mkdir(exist_ok=True)
        company = folder / "Demo.icmdesk"
        shutil.copyfile(demo_template, company)
        _inputs(out, demo_document)
        if case == "missing folder":
            company = tmp_path / "gone" / "Demo.icmdesk"
        elif case == "damaged file":
            _damage(company)
        elif case == "newer schema":
            _from_newer_version(company)
        elif case in ("read-only file", "read-only folder"):
            why = _can_chattr(folder)
            if why:
                pytest.skip(why)
            target = company if case == "read-only file" else folder
            _chattr("+i", target)
            stack.callback(_chattr, "-i", target)
        elif case == "full disk":
            _fill(folder)
        elif case == "locked database":
            stack.enter_context(_sqlite_writer(company))
        before = company.read_bytes() if company.exists() else None
        listing = _listing(folder)
        capsys.readouterr()
        code = cli.main(argv(command, company, out))
        err = capsys.readouterr().err
        after = company.read_bytes() if company.exists() else None
        after_listing = _listing(folder)
    assert code == expected, err
    assert "internal error" not in err and "Traceback" not in err
    if expected != cli.EXIT_OK:
        lines = err.strip().splitlines()
        assert len(lines) == 1, err
        assert spec.message in lines[0], err
    assert after == before
    if case != "locked database":  # the other program's own -wal and -shm
        assert after_listing.keys() == listing.keys()


def test_exit_codes_are_distinct() -> None:
    codes = [
        cli.EXIT_OK,
        cli.EXIT_ERROR,
        cli.EXIT_USAGE,
        cli.EXIT_PROBLEMS,
        cli.EXIT_REJECTED,
        cli.EXIT_QUESTIONS,
        cli.EXIT_REFUSED,
        cli.EXIT_LOCKED,
        cli.EXIT_READ_ONLY,
        cli.EXIT_FOLDER_READ_ONLY,
        cli.EXIT_DISK_FULL,
        cli.EXIT_MISSING,
        cli.EXIT_DAMAGED,
        cli.EXIT_NEWER,
    ]
    assert len(set(codes)) == len(codes)


def test_reading_from_a_read_only_folder_leaves_nothing(
    demo_template: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A healthy file in a read-only folder is read as it is (no -shm is made there)."""
    folder = tmp_path / "shared"
    folder.mkdir()
    company = folder / "Demo.icmdesk"
    shutil.copyfile(demo_template, company)
    why = _can_chattr(folder)
    if why:
        pytest.skip(why)
    _chattr("+i", folder)
    try:
        code = cli.main(["compute", str(company), "--period", MONTH, "--json"])
        assert code == cli.EXIT_OK, capsys.readouterr().err
        assert '"statements"' in capsys.readouterr().out
    finally:
        _chattr("-i", folder)
    assert sorted(p.name for p in folder.iterdir()) == ["Demo.icmdesk"]
