"""Crash test (issue 14): a command killed at any moment leaves a company file that opens,
passes SQLite's integrity check and holds exactly what it held before the command or what
the command writes, and no backup-named file that is incomplete.

Each operation runs on a copy of a prepared company: a close (the month after the latest
closed, in the demo company with 20,000 more deals, so that the backup written first is
11 MB), a company import over the demo company (the document of the demo with months
closed), a backup of the 11 MB company to a new file, a restore of the demo with months
closed over the demo (when the command line has `restore`), and a 20,000-row HubSpot
deal import (bench/import.py's export) into the demo. Each runs in another process,
started with Python and ICMDesk already loaded so that the kill lands in the command's
own work, not in the interpreter's start-up. It is killed with SIGKILL a seeded moment
after it starts: a fraction of the operation's duration, measured once without a kill,
drawn uniformly from [0, 1.2] (so some runs finish first), one draw from each of as many
equal slices of that range as there are kills. The clock of the audit log is fixed in
those processes, so what an operation writes is one state, computed once from a run that
is not killed. Then:

- the file opens, `PRAGMA integrity_check` is ok, and its content (every table's rows,
  the schema and the file's markers) is the before or the after state;
- it opens for writing again: the lock the killed process left is stale and taken over;
- every backup-named file (the Backups folder, a backup's output) is complete: it
  opens, its integrity is ok and it holds the state it copied. A `.part` file is
  unfinished by its name and may be left.

A kill is SIGKILL of the process, not a power cut: what the process handed to the
operating system reaches the disk. Seeds are in the test ids (`close-seed7-at0.53`: the
kill at 0.53 of the measured duration; the same id in the same mode is the same moment).
3 kills per operation in `make test`; 60 with `make fuzz` (HYPOTHESIS_PROFILE=fuzz) or
ICMDESK_FUZZ=1.
"""

from __future__ import annotations

import contextlib
import hashlib
import importlib.util
import io
import os
import random
import re
import shutil
import signal
import sqlite3
import subprocess
import sys
import time
from collections import Counter, defaultdict
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import pytest

from icmdesk.cli import main
from icmdesk.domain.calendar import Month
from icmdesk.services import company_io, file_lock

ROOT = Path(__file__).resolve().parents[1]  # the subprocesses import this checkout
_FUZZ = os.environ.get("ICMDESK_FUZZ") == "1" or os.environ.get("HYPOTHESIS_PROFILE") == "fuzz"
KILLS = 60 if _FUZZ else 3
LATEST = 1.2  # kills are drawn up to this fraction of the measured duration
CLOSED_THROUGH = Month(2026, 3)  # the closed variant of the demo company
DEAL_ROWS = 20_000
COMPANY = "acme.icmdesk"
# Where the kills landed, per operation (printed at the end with -s): what the company
# file held, how many backups were left, and what the killed process left behind.
TALLY: defaultdict[str, Counter[str]] = defaultdict(Counter)

# `icmdesk ARGS...` once a line arrives on stdin, with the audit clock fixed at the time
# given as the first argument (the after state is then one state), Python and ICMDesk
# loaded. Its output goes nowhere once it said "ready", so no pipe fills up.
AT_THE_SIGNAL = """
import os, sys
from datetime import datetime
from icmdesk.cli import main
from icmdesk.services import audit
clock = datetime.fromisoformat(sys.argv[1])
audit.now = lambda: clock
print("ready", flush=True)
sys.stdin.readline()
os.dup2(os.open(os.devnull, os.O_WRONLY), 1)
sys.exit(main(sys.argv[2:]))
"""


def env() -> dict[str, str]:
    return {**os.environ, "PYTHONPATH": str(ROOT)}


# -- what a file holds ----------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Content:
    """A SQLite file as any opener finds it (a hot journal rolled back, a -wal replayed):
    its integrity check, and a digest of its markers, schema and every table's rows."""

    integrity: str
    digest: str
    rows: dict[str, int] = field(compare=False)

    def differs_from(self, other: Content) -> str:
        counts = sorted(
            f"{t}: {self.rows.get(t)} vs {other.rows.get(t)}"
            for t in set(self.rows) | set(other.rows)
            if self.rows.get(t) != other.rows.get(t)
        )
        return "; ".join(counts) or "same row counts, different values"


def content(path: Path) -> Content:
    """What `path` holds (it must exist: connecting would create it)."""
    assert path.exists(), path
    try:
        with contextlib.closing(sqlite3.connect(path)) as conn:
            integrity = "; ".join(r[0] for r in conn.execute("PRAGMA integrity_check"))
            digest = hashlib.sha256()
            for pragma in ("application_id", "user_version"):
                digest.update(repr(conn.execute(f"PRAGMA {pragma}").fetchone()).encode())
            schema = sorted(
                conn.execute("SELECT type, name, tbl_name, sql FROM sqlite_master").fetchall(),
                key=repr,
            )
            digest.update(repr(schema).encode())
            rows: dict[str, int] = {}
            for kind, name, _table, _sql in schema:
                if kind != "table":
                    continue
                values = sorted(repr(r) for r in conn.execute(f'SELECT * FROM "{name}"'))
                rows[name] = len(values)
                digest.update(f"{name}\0{len(values)}\0".encode())
                for value in values:
                    digest.update(value.encode())
    except sqlite3.DatabaseError as e:
        return Content(f"cannot be read: {e}", "", {})
    return Content(integrity, digest.hexdigest(), rows)


def sidecars(path: Path) -> list[str]:
    return [s for s in ("-journal", "-wal", "-shm") if Path(f"{path}{s}").exists()]


def backup_named(folder: Path) -> list[Path]:
    """The files in `folder` that a person would take for finished backups: the Backups
    folder's company files and migration backups beside the company (not `.part`)."""
    found = list(folder.glob("*.backup-*.icmdesk"))
    backups = folder / "Backups"
    if backups.is_dir():
        found += [p for p in backups.iterdir() if p.is_file() and p.suffix == ".icmdesk"]
    return sorted(found)


# -- the operations -------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Files:
    """The prepared inputs, made once."""

    demo: Path  # the demo company
    closed: Path  # the demo company, its months closed through CLOSED_THROUGH
    big: Path  # the demo company with the 20,000-row export imported (11 MB)
    big_closed: Path  # that company, its months closed through CLOSED_THROUGH
    document: Path  # the closed variant as a company document
    deals: Path  # a HubSpot export of DEAL_ROWS rows
    backup_option: str  # `icmdesk backup`'s option naming the copy (--out, or --to)


@dataclass(frozen=True, slots=True)
class Operation:
    """A command on a copy of `source` named COMPANY in a folder of its own; `argv` makes
    its arguments from that folder (placing what else it needs there)."""

    source: Callable[[Files], Path]
    argv: Callable[[Files, Path], list[str]]
    ok: frozenset[int] = frozenset({0})
    copy: str | None = None  # the file the command writes itself, which may not be partial


def _restore_argv(files: Files, folder: Path) -> list[str]:
    saved = folder / "elsewhere" / "saved.icmdesk"
    saved.parent.mkdir(exist_ok=True)
    shutil.copyfile(files.closed, saved)
    return ["restore", str(folder / COMPANY), "--from", str(saved)]


OPERATIONS: dict[str, Operation] = {
    "close": Operation(
        lambda f: f.big_closed,
        lambda f, d: ["close", str(d / COMPANY), "--period", str(CLOSED_THROUGH.plus(1))],
    ),
    "import": Operation(
        lambda f: f.demo,
        lambda f, d: ["import", str(d / COMPANY), "--json", str(f.document)],
    ),
    "backup": Operation(
        lambda f: f.big,
        lambda f, d: ["backup", str(d / COMPANY), f.backup_option, str(d / "copy.icmdesk")],
        copy="copy.icmdesk",
    ),
    "restore": Operation(lambda f: f.demo, _restore_argv),
    "import-deals": Operation(
        lambda f: f.demo,
        lambda f, d: ["import-deals", str(d / COMPANY), str(f.deals)],
        ok=frozenset({0, 4}),
    ),
}


def _help(*argv: str) -> str:
    out = io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.suppress(SystemExit):
        main([*argv, "--help"])
    return out.getvalue()


def _has_restore() -> bool:
    """`icmdesk --help` lists a restore command (one is being added)."""
    return re.search(r"^ {4}restore(\s|$)", _help(), re.MULTILINE) is not None


@contextlib.contextmanager
def ready(argv: list[str], clock: str) -> Iterator[subprocess.Popen[str]]:
    """`icmdesk ARGV` in another process, loaded and waiting for a line on stdin."""
    proc = subprocess.Popen(
        [sys.executable, "-c", AT_THE_SIGNAL, clock, *argv],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env(),
    )
    try:
        assert proc.stdout is not None
        line = proc.stdout.readline()
        if line.strip() != "ready":
            proc.kill()
            _, err = proc.communicate()
            pytest.fail(f"the command process did not start: {err}")
        yield proc
    finally:
        proc.kill()
        proc.wait()
        for stream in (proc.stdin, proc.stdout, proc.stderr):
            if stream is not None:
                stream.close()


def go(proc: subprocess.Popen[str]) -> float:
    """Start the command waiting in `proc`; returns when (time.perf_counter)."""
    assert proc.stdin is not None
    proc.stdin.write("go\n")
    proc.stdin.flush()
    return time.perf_counter()


def _stderr(proc: subprocess.Popen[str]) -> str:
    assert proc.stderr is not None
    return proc.stderr.read().strip()


# -- prepared once --------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Run:
    """An operation run once without a kill: how long it took, what it left."""

    duration: float
    before: Content
    after: Content


@dataclass(frozen=True, slots=True)
class Prepared:
    """What the kills share: the inputs, the fixed audit clock, and each operation's
    unkilled run."""

    files: Files
    clock: str
    has_restore: bool
    runs: dict[str, Run]


def _write_export(path: Path, rows: int) -> None:
    spec = importlib.util.spec_from_file_location("bench_import", ROOT / "bench" / "import.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    module.write_export(path, rows)


def _cli(*argv: str) -> None:
    with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()):
        code = main(list(argv))
    assert code in (0, 4), argv


def _measure(name: str, files: Files, clock: str, tmp: Path) -> Run:
    op = OPERATIONS[name]
    folder = tmp / f"measure-{name}"
    folder.mkdir()
    company = folder / COMPANY
    shutil.copyfile(op.source(files), company)
    before = content(company)
    with ready(op.argv(files, folder), clock) as proc:
        start = go(proc)
        code = proc.wait()
        duration = time.perf_counter() - start
        assert code in op.ok, f"{name} exited {code}: {_stderr(proc)}"
    after = content(company)
    assert after.integrity == "ok"
    assert (after == before) == (name == "backup"), name
    for backup in backup_named(folder):
        assert content(backup) == before, backup
    if op.copy is not None:
        assert content(folder / op.copy) == before
    cf = file_lock.open_for_reading(company)  # what it wrote breaks no rule
    try:
        assert company_io.check(cf) == []
    finally:
        cf.close()
    return Run(duration, before, after)


@pytest.fixture(scope="module")
def prepared(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Prepared]:
    tmp = tmp_path_factory.mktemp("crash")
    inputs = tmp / "inputs"
    inputs.mkdir()
    demo, closed = inputs / "demo.icmdesk", inputs / "closed.icmdesk"
    big, big_closed = inputs / "big.icmdesk", inputs / "big-closed.icmdesk"
    _cli("demo", str(demo))
    shutil.copyfile(demo, closed)
    _cli("close", str(closed), "--through", str(CLOSED_THROUGH))
    document, deals = inputs / "closed.json", inputs / "deals.csv"
    _cli("export", str(closed), "--json", str(document))
    _write_export(deals, DEAL_ROWS)
    shutil.copyfile(demo, big)
    _cli("import-deals", str(big), str(deals))
    shutil.copyfile(big, big_closed)
    _cli("close", str(big_closed), "--through", str(CLOSED_THROUGH))
    shutil.rmtree(inputs / "Backups", ignore_errors=True)  # the preparation's own
    for path in (demo, closed, big, big_closed):
        assert not sidecars(path), path  # each copy is the whole file
    option = "--to" if "--to" in _help("backup") else "--out"  # --out: before services.backups
    files = Files(demo, closed, big, big_closed, document, deals, option)
    clock = datetime.now(UTC).replace(microsecond=0, tzinfo=None).isoformat()
    has_restore = _has_restore()
    runs = {
        name: _measure(name, files, clock, tmp)
        for name in OPERATIONS
        if name != "restore" or has_restore
    }
    measured = ", ".join(f"{n} {r.duration * 1000:.0f} ms" for n, r in runs.items())
    print(f"crash test: operations measured without a kill: {measured}")  # shown with -s
    yield Prepared(files, clock, has_restore, runs)
    for name, counts in TALLY.items():
        print(f"crash test: {name}: " + ", ".join(f"{k} {v}" for k, v in sorted(counts.items())))


# -- the kills ------------------------------------------------------------------------------


def _cases() -> Iterator[object]:
    """Each operation's kills: seed n's moment is drawn uniformly from the n-th of KILLS
    equal slices of [0, LATEST], so that the kills cover the whole run evenly (a short
    window, such as the copy a backup writes, is not missed by a gap in the draws)."""
    for name in OPERATIONS:
        for seed in range(KILLS):
            draw = random.Random(f"{name}-{seed}").random()
            fraction = LATEST * (seed + draw) / KILLS
            yield pytest.param(name, seed, fraction, id=f"{name}-seed{seed}-at{fraction:.2f}")


def _opens_for_writing(company: Path) -> None:
    """The next writer opens the file: a lock left by the killed process is stale. One it
    had made but not yet written is someone's lock being made for UNREADABLE_GRACE_S
    (file_lock), then abandoned: aged past that, it is taken over too."""
    lock = file_lock.lock_path(company)
    try:
        cf = file_lock.open_locked(company)
    except file_lock.FileLockedError:
        assert lock.read_bytes() == b"", "a lock naming the killed process was not taken over"
        old = time.time() - file_lock.UNREADABLE_GRACE_S - 1
        os.utime(lock, (old, old))
        cf = file_lock.open_locked(company)
    cf.close()
    assert not lock.exists()


@pytest.mark.parametrize(("name", "seed", "fraction"), list(_cases()))
def test_a_killed_command_leaves_the_before_or_the_after(
    prepared: Prepared, tmp_path: Path, name: str, seed: int, fraction: float
) -> None:
    if name == "restore" and not prepared.has_restore:
        pytest.skip("restore not available yet")
    op, run = OPERATIONS[name], prepared.runs[name]
    company = tmp_path / COMPANY
    shutil.copyfile(op.source(prepared.files), company)
    delay = fraction * run.duration
    with ready(op.argv(prepared.files, tmp_path), prepared.clock) as proc:
        start = go(proc)
        time.sleep(max(0.0, delay - (time.perf_counter() - start)))
        proc.send_signal(signal.SIGKILL)
        code = proc.wait()
        killed = code == -signal.SIGKILL
        where = (
            f"{name}, seed {seed}: killed {delay * 1000:.0f} ms into a run measured at "
            f"{run.duration * 1000:.0f} ms (fraction {fraction:.3f})"
            if killed
            else f"{name}, seed {seed}: finished (exit {code}) before the kill at {fraction:.3f}"
        )
        assert killed or code in op.ok, f"{where}: {_stderr(proc)}"

    assert company.exists(), f"{where}: the company file is gone"
    left = content(company)
    assert left.integrity == "ok", f"{where}: the company file: {left.integrity}"
    assert left in (run.before, run.after), (
        f"{where}: the company file is neither the before nor the after state "
        f"(against before: {left.differs_from(run.before)}; "
        f"against after: {left.differs_from(run.after)})"
    )
    if not killed:
        assert left == run.after, where
    tally = TALLY[name]
    tally["killed" if killed else "finished"] += 1
    tally["left before" if left == run.before else "left after"] += 1
    tally["backups left"] += len(backup_named(tmp_path))
    tally["copy left"] += int(op.copy is not None and (tmp_path / op.copy).exists())
    tally[".part left"] += sum(1 for p in tmp_path.rglob("*.part") if p.is_file())
    lock = file_lock.lock_path(company)
    if lock.exists():
        tally["lock left" if lock.read_bytes() else "empty lock left"] += 1

    copies = backup_named(tmp_path)
    if op.copy is not None and (tmp_path / op.copy).exists():
        copies.append(tmp_path / op.copy)
    for copy in copies:
        beside = sidecars(copy)
        found = content(copy)
        assert found.integrity == "ok", f"{where}: {copy.name} {beside}: {found.integrity}"
        assert found == run.before, (
            f"{where}: {copy.name} is incomplete (left with {beside or 'no sidecar'}; opened, "
            f"it holds {sum(found.rows.values())} rows in {len(found.rows)} tables: "
            f"{found.differs_from(run.before)})"
        )
    if not killed and op.copy is not None:
        assert (tmp_path / op.copy).exists(), where
    restored_from = tmp_path / "elsewhere" / "saved.icmdesk"
    if restored_from.exists():  # a restore only reads the backup it puts back
        assert content(restored_from) == content(prepared.files.closed), where

    _opens_for_writing(company)
