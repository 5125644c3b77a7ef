"""Files ICMDesk writes are the owner's alone (issue 14): the company file and its -wal and
-shm, PDFs, exports and the lock file 0600, folders it makes 0700, under the usual umask
(022) as under any other. (Backups' modes are services.backups'.)"""

from __future__ import annotations

import os
import stat
from collections.abc import Iterator
from pathlib import Path

import pytest

from icmdesk import cli
from icmdesk.services import file_lock
from icmdesk.services.file_lock import open_for_editing


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


@pytest.fixture(autouse=True)
def usual_umask() -> Iterator[None]:
    old = os.umask(0o022)
    try:
        yield
    finally:
        os.umask(old)


@pytest.fixture
def demo_by_cli(tmp_path: Path) -> Path:
    path = tmp_path / "Demo.icmdesk"
    assert cli.main(["demo", str(path)]) == cli.EXIT_OK
    return path


def test_a_new_company_file_and_its_wal_and_shm_are_the_owners(tmp_path: Path) -> None:
    path = tmp_path / "Acme.icmdesk"
    assert cli.main(["new", str(path), "--name", "Acme"]) == cli.EXIT_OK
    assert mode(path) == 0o600
    cf, lock = open_for_editing(path)
    try:
        with cf.session() as session:
            session.connection().exec_driver_sql("PRAGMA user_version").scalar()
        sidecars = [Path(f"{path}-wal"), Path(f"{path}-shm")]
        assert all(p.exists() for p in sidecars)
        assert [mode(p) for p in sidecars] == [0o600, 0o600]
        assert mode(file_lock.lock_path(path)) == 0o600
    finally:
        cf.close()
        lock.release()


def test_the_demo_and_an_imported_company_are_the_owners(demo_by_cli: Path, tmp_path: Path) -> None:
    assert mode(demo_by_cli) == 0o600
    doc = tmp_path / "doc.json"
    assert cli.main(["export", str(demo_by_cli), "--json", str(doc)]) == cli.EXIT_OK
    assert mode(doc) == 0o600
    copy = tmp_path / "Copy.icmdesk"
    assert cli.main(["import", str(copy), "--json", str(doc)]) == cli.EXIT_OK
    assert mode(copy) == 0o600


def test_statements_and_their_month_folder_are_the_owners(
    demo_by_cli: Path, tmp_path: Path
) -> None:
    out = tmp_path / "out"
    out.mkdir()
    code = cli.main(
        ["statements", str(demo_by_cli), "--period", "2025-11", "--out", str(out), "--rep", "1"]
    )
    assert code == cli.EXIT_OK
    folder = out / "2025-11"
    assert mode(folder) == 0o700
    pdfs = list(folder.glob("*.pdf"))
    assert pdfs
    assert {mode(p) for p in pdfs} == {0o600}


def test_a_payroll_export_is_the_owners(demo_by_cli: Path, tmp_path: Path) -> None:
    out = tmp_path / "pay.csv"
    code = cli.main(
        [
            *("export-payroll", str(demo_by_cli), "--period", "2025-11", "--format", "generic"),
            *("--out", str(out), "--allow-open"),
        ]
    )
    assert code == cli.EXIT_OK
    written = list(tmp_path.glob("pay*.csv"))
    assert written
    assert {mode(p) for p in written} == {0o600}
