"""Background work on one open company file from many threads at once (the GUI does this:
the Dashboard, Periods and cancel preview each compute on a pool thread)."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from sqlalchemy.pool import QueuePool

from icmdesk.services import company_io
from icmdesk.services.store import load_company_data


def test_many_threads_load_the_same_file(tmp_path: Path) -> None:
    cf = company_io.write_demo(tmp_path / "demo.icmdesk")
    try:
        # In-memory SQLite's SingletonThreadPool closed connections other threads were
        # using once more than five threads ran: the process died in C.
        assert isinstance(cf.engine.pool, QueuePool)

        def load(_: int) -> int:
            with cf.session() as session:
                return len(load_company_data(session, history=False).deals)

        with ThreadPoolExecutor(8) as pool:
            counts = set(pool.map(load, range(32)))
        assert counts == {305}
    finally:
        cf.close()
