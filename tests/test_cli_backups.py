"""icmdesk backup, backups and restore: what they print, what they write, their exit codes."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from icmdesk.cli import EXIT_DAMAGED, EXIT_ERROR, EXIT_LOCKED, EXIT_NEWER, EXIT_OK, main
from icmdesk.domain.calendar import Month
from icmdesk.services import backups, file_lock, periods


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def first_open_month(path: Path) -> Month:
    cf = file_lock.open_for_reading(path)
    try:
        return periods.months_to_close(cf, Month(2030, 1))[0]
    finally:
        cf.close()


def test_backup_without_to_writes_into_the_backups_folder(
    demo_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, err = run(capsys, "backup", str(demo_path))
    [made] = (demo_path.parent / "Backups").iterdir()
    assert (code, err) == (EXIT_OK, "")
    assert out == f"Backed up {demo_path} to {made}\n"
    assert made.name.startswith("demo-by-hand-") and backups.verify_copy(made) is None


def test_backup_to_and_its_old_name_out(
    demo_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    for option, name in (("--to", "a.icmdesk"), ("--out", "b.icmdesk")):
        target = demo_path.parent / name
        code, out, _err = run(capsys, "backup", str(demo_path), option, str(target))
        assert (code, out) == (EXIT_OK, f"Backed up {demo_path} to {target}\n")
        assert target.stat().st_mode & 0o777 == 0o600
    code, _out, err = run(
        capsys, "backup", str(demo_path), "--to", str(demo_path.parent / "a.icmdesk")
    )
    assert code == EXIT_ERROR and "already exists" in err
    assert not (demo_path.parent / "Backups").exists()  # by hand, elsewhere: nothing else made


def test_backups_lists_them_newest_first(
    demo_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, _err = run(capsys, "backups", str(demo_path))
    assert (code, out) == (
        EXIT_OK,
        f"No backups of demo.icmdesk in {demo_path.parent / 'Backups'}\n",
    )
    month = first_open_month(demo_path)
    assert run(capsys, "close", str(demo_path), "--period", str(month))[0] == EXIT_OK
    assert run(capsys, "backup", str(demo_path))[0] == EXIT_OK
    code, out, _err = run(capsys, "backups", str(demo_path))
    lines = out.splitlines()
    assert code == EXIT_OK
    assert lines[0] == f"Backups of demo.icmdesk in {demo_path.parent / 'Backups'}, newest first:"
    assert lines[1].split() == ["Date", "Kind", "Months", "closed", "Size", "File"]
    assert "by hand" in lines[2] and f"  {month}  " in lines[2]
    assert "before close" in lines[3] and "  none  " in lines[3]
    assert len(lines) == 4


def test_restore_puts_a_backup_back_and_says_what_it_restored(
    demo_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    month = first_open_month(demo_path)
    assert run(capsys, "close", str(demo_path), "--period", str(month))[0] == EXIT_OK
    [before_close] = backups.list_backups(demo_path)
    code, out, err = run(capsys, "restore", str(demo_path), "--from", str(before_close.path))
    assert (code, err) == (EXIT_OK, "")
    [kept] = [b for b in backups.list_backups(demo_path) if b.kind == "restore"]
    assert out.splitlines() == [
        f"Restored {demo_path} from {before_close.path}: the backup before close of "
        f"{before_close.taken_text}, months closed in it: none",
        f"The file it replaced is kept as a backup at {kept.path}",
    ]
    assert backups.months_closed(demo_path) == ()
    assert kept.months_closed == (month,)
    assert not file_lock.lock_path(demo_path).exists()
    # And back: the month is closed again.
    assert run(capsys, "restore", str(demo_path), "--from", str(kept.path))[0] == EXIT_OK
    assert backups.months_closed(demo_path) == (month,)


@pytest.mark.parametrize(
    ("spoil", "code", "message"),
    [
        (lambda p: p.write_text("a shopping list"), EXIT_DAMAGED, "not an ICMDesk company file"),
        (lambda p: _set_schema(p, 999), EXIT_NEWER, "newer version of ICMDesk"),
    ],
)
def test_restore_refuses_a_bad_backup_leaving_the_file_as_it_was(
    demo_path: Path, capsys: pytest.CaptureFixture[str], spoil: object, code: int, message: str
) -> None:
    bad = demo_path.parent / "bad.icmdesk"
    shutil.copyfile(demo_path, bad)
    spoil(bad)  # type: ignore[operator]
    before = demo_path.read_bytes()
    got, out, err = run(capsys, "restore", str(demo_path), "--from", str(bad))
    assert (got, out) == (code, "") and message in err and err.count("\n") == 1
    assert demo_path.read_bytes() == before
    assert not (demo_path.parent / "Backups").exists()


def _set_schema(path: Path, generation: int) -> None:
    import sqlite3

    conn = sqlite3.connect(path)
    conn.execute(f"PRAGMA user_version = {generation}")
    conn.execute("UPDATE alembic_version SET version_num = '0999'")
    conn.commit()
    conn.close()


def test_restore_is_refused_while_someone_else_has_the_file(
    demo_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    backup = backups.back_up_by_hand(demo_path)
    before = demo_path.read_bytes()
    with file_lock.acquire(demo_path):  # the app, say
        code, _out, err = run(capsys, "restore", str(demo_path), "--from", str(backup))
    assert code == EXIT_LOCKED and "is open for editing by" in err
    assert demo_path.read_bytes() == before
    assert [b.kind for b in backups.list_backups(demo_path)] == ["hand"]


def test_restore_of_a_missing_backup(demo_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, _out, err = run(
        capsys, "restore", str(demo_path), "--from", str(demo_path.parent / "nope")
    )
    assert code != EXIT_OK and "does not exist" in err


def test_a_company_document_import_backs_up_first_unless_refused(
    demo_path: Path, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    document = tmp_path / "acme.json"
    assert run(capsys, "export", str(demo_path), "--json", str(document))[0] == EXIT_OK
    assert run(capsys, "import", str(demo_path), "--json", str(document))[0] == EXIT_OK
    assert [b.kind for b in backups.list_backups(demo_path)] == ["import"]
    document.write_text('{"format": "not a company"}')
    code, _out, _err = run(capsys, "import", str(demo_path), "--json", str(document))
    assert code != EXIT_OK
    assert [b.kind for b in backups.list_backups(demo_path)] == ["import"]  # no second one
