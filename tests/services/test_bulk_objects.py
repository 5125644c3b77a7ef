"""store.bulk_objects pauses the cyclic garbage collector only on the main thread.

The switch is process-wide: paused from a GUI worker (a month computed in the
background), it moved the collection of Qt wrappers on the GUI thread to moments that
crashed painting (a segfault in the plans view's chart when the GUI tests ran on their
own).
"""

from __future__ import annotations

import gc
import threading

from icmdesk.services.store import bulk_objects


def test_the_collector_is_paused_on_the_main_thread_and_back_after() -> None:
    assert gc.isenabled()
    with bulk_objects():
        assert not gc.isenabled()
    assert gc.isenabled()


def test_a_worker_thread_leaves_the_collector_running() -> None:
    seen: list[bool] = []

    def work() -> None:
        with bulk_objects():
            seen.append(gc.isenabled())

    worker = threading.Thread(target=work)
    worker.start()
    worker.join()
    assert seen == [True]
    assert gc.isenabled()
