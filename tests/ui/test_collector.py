"""Reference cycles holding Qt objects are collected on the GUI thread, never on a worker
that happens to allocate (ui.collector; the app and the GUI tests run with it)."""

from __future__ import annotations

import gc
import threading
import weakref

from PySide6.QtCore import QObject

from icmdesk.ui.collector import MainThreadCollector


class _Cyclic(QObject):
    def __init__(self) -> None:
        super().__init__()
        self.me = self  # a cycle: only the collector frees it


def test_a_cycle_is_left_to_the_gui_thread_whatever_a_worker_allocates(qapp) -> None:  # type: ignore[no-untyped-def]
    collector = MainThreadCollector()
    collector.start()
    try:
        assert not gc.isenabled()
        threads: list[str] = []
        cyclic = _Cyclic()
        cyclic.destroyed.connect(lambda *_: threads.append(threading.current_thread().name))
        ref = weakref.ref(cyclic)
        del cyclic
        kept: list[object] = []
        # Far past every threshold, on a worker: automatic collection would run there.
        worker = threading.Thread(target=lambda: kept.extend([[]] * 1 for _ in range(50_000)))
        worker.start()
        worker.join()
        assert ref() is not None and threads == []
        for _ in range(3):
            collector.collect_due()
            if ref() is None:
                break
        gc.collect()  # the oldest generation, if its count was not yet due
        assert ref() is None
        assert threads in ([], [threading.main_thread().name])
    finally:
        collector.stop()
