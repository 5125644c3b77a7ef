"""Long work off the GUI thread: a service call in a QThreadPool worker, reported by signal.

The worker runs only the service function (which opens its own database
session); it creates nothing Qt-side. Its result or exception comes back to
the GUI thread through a queued signal, so slots that show it run on the
GUI thread as usual.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QObject, QThreadPool, Signal


class Task(QObject):
    """One background call. Connect `succeeded`/`failed`, then `start()`.

    Give it a parent that outlives the work (the view) and do not `deleteLater()` it
    from a slot: the pool thread may still be returning from its last emit.
    """

    succeeded = Signal(object)  # the function's return value
    failed = Signal(object)  # the exception it raised
    finished = Signal()  # after either, once

    def __init__(self, fn: Callable[[], Any], parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._fn = fn
        self.running = False

    def start(self, pool: QThreadPool | None = None) -> None:
        self.running = True
        (pool or QThreadPool.globalInstance()).start(self._run)

    def _run(self) -> None:
        # Runs on a pool thread: call, then hand the outcome to the GUI thread by signal.
        try:
            result = self._fn()
        except Exception as e:  # every failure is reported to the user, none is lost
            self.failed.emit(e)
        else:
            self.succeeded.emit(result)
        finally:
            self.running = False
            self.finished.emit()
