"""One writer, everywhere: the command line takes the app's lock, and SQLite's lock is a
clear refusal (exit 7) that leaves the company file, and its folder, as they were.

The holders are other processes (a lock taken through `file_lock`, a raw SQLite write
transaction), as they are in life: the lock's staleness check and SQLite's file locks
both tell processes apart.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from icmdesk.cli import EXIT_LOCKED, EXIT_OK, main
from icmdesk.domain.calendar import Month
from icmdesk.domain.entities import PeriodStatus
from icmdesk.models.database import BUSY_TIMEOUT_ENV
from icmdesk.services import company_io, file_lock, periods

ROOT = Path(__file__).resolve().parents[1]  # the subprocesses import this checkout
FIRST, SECOND = Month(2025, 11), Month(2025, 12)  # the demo's first two months

LOCK_HOLDER = """
import sys, time
from pathlib import Path
from icmdesk.services import file_lock
lock = file_lock.acquire(Path(sys.argv[1]))
print("ready", flush=True)
time.sleep(120)
"""

SQLITE_WRITER = """
import sqlite3, sys, time
conn = sqlite3.connect(sys.argv[1], isolation_level=None)
conn.execute("BEGIN IMMEDIATE")
print("ready", flush=True)
time.sleep(120)
"""

# `icmdesk ARGS...` once the file named by the first argument appears: two of them start
# their command within a millisecond of each other, with Python and ICMDesk loaded.
AT_THE_SIGNAL = """
import sys, time
from pathlib import Path
from icmdesk.cli import main
go = Path(sys.argv[1])
print("ready", flush=True)
while not go.exists():
    time.sleep(0.001)
sys.exit(main(sys.argv[2:]))
"""

DEALS = """\
Record ID,Deal Name,Deal Stage,Close Date,Deal owner,Amount,Pipeline,Deal Type,Associated Company
9001,Harbor retrofit,Closed Won,2026-10-03,Maya Okafor,1000,Sales,New Business,Harbor
"""
ADJUSTMENTS = "Rep,Month,Amount,Reason\nMaya Okafor,2026-10,100,Bonus\n"


def env() -> dict[str, str]:
    return {**os.environ, "PYTHONPATH": str(ROOT)}


@contextmanager
def another_process(code: str, *args: str) -> Iterator[subprocess.Popen[str]]:
    """Run `code` in another Python until it prints 'ready'; kill it on the way out."""
    proc = subprocess.Popen(
        [sys.executable, "-c", code, *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env(),
    )
    try:
        assert proc.stdout is not None
        line = proc.stdout.readline()
        assert line.strip() == "ready", proc.stderr.read() if proc.stderr else line
        yield proc
    finally:
        proc.kill()
        proc.wait()
        for stream in (proc.stdout, proc.stderr):
            if stream is not None:
                stream.close()


def listing(folder: Path) -> dict[str, bytes]:
    """Every file under `folder` with its content: what a command may not change (a
    -shm file's content aside: it is SQLite's shared memory, which readers write to)."""
    return {
        str(p.relative_to(folder)): b"" if p.name.endswith("-shm") else p.read_bytes()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


def closed_months(path: Path) -> list[Month]:
    cf = file_lock.open_for_reading(path)
    try:
        return [p.month for p in periods.list_periods(cf) if p.status is PeriodStatus.CLOSED]
    finally:
        cf.close()


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The demo company with its first month closed (so a month can be reopened)."""
    path = tmp_path_factory.mktemp("template") / "demo.icmdesk"
    company_io.write_demo(path).close()
    cf = file_lock.open_locked(path)
    try:
        periods.close(cf, FIRST, backup_dir=path.parent / "ignored")
    finally:
        cf.close()
    return path


@pytest.fixture
def company(template: Path, tmp_path: Path) -> Path:
    """A copy of the template alone in a folder, with the inputs commands read beside it."""
    folder = tmp_path / "company"
    folder.mkdir()
    path = folder / "demo.icmdesk"
    shutil.copyfile(template, path)
    inputs = tmp_path / "inputs"
    inputs.mkdir()
    (inputs / "deals.csv").write_text(DEALS, encoding="utf-8")
    (inputs / "adjustments.csv").write_text(ADJUSTMENTS, encoding="utf-8")
    cf = file_lock.open_for_reading(path)
    try:
        company_io.export_to(cf, inputs / "company.json")
    finally:
        cf.close()
    return path


WRITING = [
    ("new", "{path}", "--name", "Other"),
    ("demo", "{path}"),
    ("books-start", "{path}", "--none"),
    ("opening-balance", "{path}", "--rep", "1", "--owed", "100"),
    ("import", "{path}", "--json", "{inputs}/company.json"),
    ("import-deals", "{path}", "{inputs}/deals.csv"),
    ("import-adjustments", "{path}", "{inputs}/adjustments.csv"),
    ("close", "{path}", "--period", str(SECOND)),
    ("close", "{path}", "--through", "2026-03"),
    ("reopen", "{path}", "--period", str(FIRST)),
]

READING = [
    ("compute", "{path}", "--period", str(SECOND)),
    ("compute", "{path}", "--period", str(FIRST), "--through", "2026-03", "--json"),
    ("check", "{path}"),
    ("export", "{path}", "--json", "{out}/company.json"),
    ("backup", "{path}", "--out", "{out}/copy.icmdesk"),
    ("statements", "{path}", "--period", str(FIRST), "--out", "{out}"),
    (
        "export-payroll",
        "{path}",
        "--period",
        str(FIRST),
        "--format",
        "generic",
        "--out",
        "{out}/p.csv",
    ),
    ("import-deals", "{path}", "{inputs}/deals.csv", "--dry-run"),
    ("import-adjustments", "{path}", "{inputs}/adjustments.csv", "--dry-run"),
]


def argv(command: tuple[str, ...], path: Path, out: Path | None = None) -> list[str]:
    inputs = path.parent.parent / "inputs"
    return [a.format(path=path, inputs=inputs, out=out) for a in command]


def run(capsys: pytest.CaptureFixture[str], args: list[str]) -> tuple[int, str, str]:
    code = main(args)
    out, err = capsys.readouterr()
    return code, out, err


@pytest.mark.parametrize("command", WRITING, ids=lambda c: " ".join(c[:1] + c[2:3]))
def test_a_writing_command_is_refused_while_another_process_holds_the_file(
    company: Path, capsys: pytest.CaptureFixture[str], command: tuple[str, ...]
) -> None:
    with another_process(LOCK_HOLDER, str(company)) as holder:
        before = listing(company.parent)
        held = file_lock.holder(company)
        assert held is not None and held.pid == holder.pid

        code, out, err = run(capsys, argv(command, company))

        assert code == EXIT_LOCKED
        assert err == (
            f"icmdesk: demo.icmdesk is open for editing by {held.user} on {held.host} "
            f"(since {held.since:%Y-%m-%d %H:%M} UTC)\n"
        )
        assert out == ""
        # Nothing written: no company change, no backup, no -wal/-shm, the lock untouched.
        assert listing(company.parent) == before
        assert file_lock.holder(company) == held


def test_reading_commands_work_while_another_process_holds_the_file(
    company: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out_dir = tmp_path / "out"
    out_dir.mkdir()
    with another_process(LOCK_HOLDER, str(company)):
        before = listing(company.parent)
        for command in READING:
            code, _out, err = run(capsys, argv(command, company, out_dir))
            assert code == EXIT_OK, (command, err)
        assert listing(company.parent) == before
    assert (out_dir / "copy.icmdesk").exists() and (out_dir / "p.csv").exists()


def test_a_stale_lock_of_a_dead_process_is_taken_over(
    company: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    dead = subprocess.Popen([sys.executable, "-c", "pass"])
    dead.wait()
    file_lock.lock_path(company).write_text(
        f'{{"user": "maria", "host": "{socket.gethostname()}", "pid": {dead.pid}, '
        '"since": "2026-01-05T09:00:00"}',
        encoding="utf-8",
    )

    code, out, err = run(capsys, ["close", str(company), "--period", str(SECOND)])

    assert (code, err) == (EXIT_OK, "")
    assert out.startswith(f"Closed {SECOND}")
    assert closed_months(company) == [FIRST, SECOND]
    assert not file_lock.lock_path(company).exists()  # ours, released at the end


def test_two_closes_at_the_same_moment_one_closes_the_other_is_refused(
    company: Path, tmp_path: Path
) -> None:
    go = tmp_path / "go"
    racers = [
        subprocess.Popen(
            [
                sys.executable,
                "-c",
                AT_THE_SIGNAL,
                str(go),
                "close",
                str(company),
                "--period",
                str(SECOND),
            ],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env=env(),
        )
        for _ in range(2)
    ]
    for p in racers:  # both have loaded ICMDesk and wait for the signal
        assert p.stdout is not None and p.stdout.readline() == "ready\n"
    go.touch()
    results = sorted((p.wait(timeout=60), *p.communicate()) for p in racers)

    (won, won_out, won_err), (lost, lost_out, lost_err) = results
    assert (won, won_err) == (EXIT_OK, "") and won_out.startswith(f"Closed {SECOND}:")
    assert lost == EXIT_LOCKED and lost_out == ""
    assert lost_err.startswith("icmdesk: demo.icmdesk is open for editing by ")
    assert "internal error" not in lost_err and len(lost_err.splitlines()) == 1
    assert closed_months(company) == [FIRST, SECOND]
    backups = list((company.parent / "Backups").iterdir())
    assert len(backups) == 1 and f"before-close-{SECOND}" in backups[0].name
    assert not file_lock.lock_path(company).exists()


@pytest.mark.parametrize(
    "command",
    [c for c in WRITING if c[0] not in ("new", "demo")],  # those refuse an existing file
    ids=lambda c: " ".join(c[:1] + c[2:3]),
)
def test_a_writing_command_waits_then_refuses_while_a_program_holds_sqlites_lock(
    company: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    command: tuple[str, ...],
) -> None:
    monkeypatch.setenv(BUSY_TIMEOUT_ENV, "0.3")
    with another_process(SQLITE_WRITER, str(company)):
        before = listing(company.parent)  # with the writer's -wal and -shm

        started = time.monotonic()
        code, out, err = run(capsys, argv(command, company))
        waited = time.monotonic() - started

        assert code == EXIT_LOCKED
        assert err == (
            "icmdesk: demo.icmdesk is busy: another program is writing to it; "
            "try again when it has finished\n"
        )
        assert out == ""
        assert waited >= 0.3
        assert listing(company.parent) == before  # no backup, no lock file left behind
    assert closed_months(company) == [FIRST]


def test_reading_commands_work_while_a_program_holds_sqlites_lock(
    company: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(BUSY_TIMEOUT_ENV, "0.3")
    with another_process(SQLITE_WRITER, str(company)):
        code, out, err = run(capsys, ["compute", str(company), "--period", str(SECOND)])
    assert (code, err) == (EXIT_OK, "") and out.startswith(f"{SECOND} (open)")


def test_a_close_refused_by_sqlite_after_its_backup_leaves_no_backup(
    company: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Another program takes SQLite's lock between the check that the file can be written
    and the close's own transaction (just after the backup): the backup goes too."""
    import sqlite3

    monkeypatch.setenv(BUSY_TIMEOUT_ENV, "0.2")
    before = listing(company.parent)
    backup_file = periods.backup_file
    writer = sqlite3.connect(company, isolation_level=None)

    def backup_then_someone_writes(source: Path, target: Path) -> Path:
        done = backup_file(source, target)
        writer.execute("BEGIN IMMEDIATE")
        return done

    monkeypatch.setattr(periods, "backup_file", backup_then_someone_writes)
    try:
        code, _out, err = run(capsys, ["close", str(company), "--period", str(SECOND)])
        assert code == EXIT_LOCKED and "demo.icmdesk is busy" in err
        assert not (company.parent / "Backups").exists()
        assert not file_lock.lock_path(company).exists()
    finally:
        writer.close()
    assert listing(company.parent) == before
    assert closed_months(company) == [FIRST]


def test_the_lock_is_released_when_a_command_fails_or_is_interrupted(
    company: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    code, _out, err = run(capsys, ["close", str(company), "--period", "2026-05"])
    assert code == 1 and "cannot close" in err
    assert not file_lock.lock_path(company).exists()

    def interrupted(*_args: object, **_kwargs: object) -> None:
        assert file_lock.holder(company) is not None  # held while the command runs
        raise KeyboardInterrupt

    monkeypatch.setattr(periods, "reopen", interrupted)
    code, _out, err = run(capsys, ["reopen", str(company), "--period", str(FIRST)])
    assert code == 130 and err == "icmdesk: interrupted\n"
    assert not file_lock.lock_path(company).exists()
    assert closed_months(company) == [FIRST]
