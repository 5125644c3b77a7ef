"""One writer at a time: the lock file beside a company file."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
from datetime import datetime
from pathlib import Path

import pytest

from icmdesk.domain.entities import Company
from icmdesk.domain.errors import CompanyFileError
from icmdesk.services import file_lock, records
from icmdesk.services.file_lock import FileLockedError


def write_lock(company: Path, *, host: str, pid: int, user: str = "maria") -> None:
    file_lock.lock_path(company).write_text(
        json.dumps({"user": user, "host": host, "pid": pid, "since": "2026-11-02T09:30:00"})
    )


def dead_pid() -> int:
    child = subprocess.Popen([sys.executable, "-c", "pass"])
    child.wait()
    return child.pid


def test_lock_file_is_json_beside_the_company_file(tmp_path: Path) -> None:
    company = tmp_path / "acme.icmdesk"
    with file_lock.acquire(company) as lock:
        assert lock.path == tmp_path / "acme.icmdesk.lock"
        data = json.loads(lock.path.read_text())
        assert data["pid"] == os.getpid()
        assert data["host"] == socket.gethostname()
        assert set(data) == {"user", "host", "pid", "since"}
        datetime.fromisoformat(data["since"])
    assert not lock.path.exists()


def test_second_writer_is_told_who_holds_the_file(tmp_path: Path) -> None:
    company = tmp_path / "acme.icmdesk"
    write_lock(company, host="office-pc", pid=4242)
    with pytest.raises(FileLockedError) as refused:
        file_lock.acquire(company)
    holder = refused.value.holder
    assert (holder.user, holder.host, holder.pid) == ("maria", "office-pc", 4242)
    assert "maria on office-pc (since 2026-11-02 09:30 UTC)" in str(refused.value)
    assert isinstance(refused.value, CompanyFileError)  # refused like any unopenable file


def test_two_acquires_in_a_row_the_second_is_refused(tmp_path: Path) -> None:
    company = tmp_path / "acme.icmdesk"
    first = file_lock.acquire(company)
    with pytest.raises(FileLockedError):
        file_lock.acquire(company)
    first.release()
    file_lock.acquire(company).release()


def test_lock_of_a_live_process_on_this_host_holds(tmp_path: Path) -> None:
    company = tmp_path / "acme.icmdesk"
    write_lock(company, host=socket.gethostname(), pid=os.getppid())
    assert file_lock.holder(company) is not None
    with pytest.raises(FileLockedError):
        file_lock.acquire(company)


def test_stale_lock_of_a_dead_process_is_taken_over(tmp_path: Path) -> None:
    company = tmp_path / "acme.icmdesk"
    write_lock(company, host=socket.gethostname(), pid=dead_pid())
    assert file_lock.holder(company) is None
    with file_lock.acquire(company) as lock:
        assert json.loads(lock.path.read_text())["pid"] == os.getpid()


def test_lock_from_another_host_is_never_presumed_stale(tmp_path: Path) -> None:
    company = tmp_path / "acme.icmdesk"
    write_lock(company, host="laptop-of-someone-else", pid=dead_pid())
    assert file_lock.holder(company) is not None


def test_half_written_lock_holds_until_abandoned(tmp_path: Path) -> None:
    company = tmp_path / "acme.icmdesk"
    path = file_lock.lock_path(company)
    path.write_text("")
    with pytest.raises(FileLockedError):
        file_lock.acquire(company)
    old = time.time() - file_lock.UNREADABLE_GRACE_S - 5
    os.utime(path, (old, old))
    file_lock.acquire(company).release()


def test_release_leaves_a_lock_taken_over_by_another(tmp_path: Path) -> None:
    company = tmp_path / "acme.icmdesk"
    lock = file_lock.acquire(company)
    write_lock(company, host="office-pc", pid=4242)
    lock.release()
    assert file_lock.holder(company) is not None


def test_unwritable_folder_is_a_plain_refusal(tmp_path: Path) -> None:
    with pytest.raises(CompanyFileError, match="cannot lock"):
        file_lock.acquire(tmp_path / "no such folder" / "acme.icmdesk")


def test_read_only_open_reads_and_refuses_writes(tmp_path: Path) -> None:
    path = tmp_path / "acme.icmdesk"
    records.create_company_file(path, Company("Acme Ltd")).close()
    cf = file_lock.open_read_only(path)
    try:
        assert records.get_company(cf).name == "Acme Ltd"
        with pytest.raises(Exception, match="readonly"):
            records.update_company(cf, Company("Renamed"))
    finally:
        cf.close()
    assert not file_lock.lock_path(path).exists()


def test_read_only_open_refuses_what_is_not_a_company_file(tmp_path: Path) -> None:
    path = tmp_path / "notes.icmdesk"
    path.write_text("hello")
    with pytest.raises(CompanyFileError, match="not an ICMDesk company file"):
        file_lock.open_read_only(path)


def test_open_for_editing_holds_the_lock_until_released(tmp_path: Path) -> None:
    path = tmp_path / "acme.icmdesk"
    records.create_company_file(path, Company("Acme Ltd")).close()
    cf, lock = file_lock.open_for_editing(path)
    try:
        assert records.get_company(cf).name == "Acme Ltd"
        with pytest.raises(FileLockedError):
            file_lock.open_for_editing(path)
    finally:
        cf.close()
        lock.release()
    assert not file_lock.lock_path(path).exists()


@pytest.mark.parametrize("content", [None, "not a database at all"])
def test_open_for_editing_leaves_no_lock_when_refused(tmp_path: Path, content: str | None) -> None:
    path = tmp_path / "acme.icmdesk"
    if content is not None:
        path.write_text(content)
    with pytest.raises(CompanyFileError):
        file_lock.open_for_editing(path)
    assert not file_lock.lock_path(path).exists()
