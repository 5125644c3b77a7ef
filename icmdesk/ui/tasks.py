"""Long work off the GUI thread: a service call in a QThreadPool worker, reported by signal.

The worker runs only the service function (which opens its own database
session); it creates nothing Qt-side. Its progress, result or exception comes
back to the GUI thread through queued signals, so the slots that show them
run on the GUI thread as usual. Cancelling is cooperative: the work is handed
a `report(done, total) -> bool` callable and stops when it returns False.
"""

from __future__ import annotations

import threading
import weakref
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QCoreApplication, QMetaObject, QObject, Qt, QThreadPool, Signal

from icmdesk.ui.changes import writing

Report = Callable[[int, int], bool]


class Task(QObject):
    """One background call. Connect the signals, then `start()`.

    A task looks after its own lifetime, because the pool thread emits from it: it is a
    child of the application object, not of the view that starts it (a view can be
    closed and destroyed while the work runs, and takes its children with it), and once
    the pool thread has sent its last signal, it asks for the task to be deleted on the
    GUI thread. Nothing else may delete it: not a view as its parent, not a
    `deleteLater()` from a slot (the pool thread may still be in the emit that called it).

    Connect its signals to methods of the view: Qt drops those connections when the
    view is destroyed, so an outcome that comes back later is not shown. The work must
    not hold the view or any other Qt object (give it the company file and the values
    it needs): the pool thread may be the last to let go of it.
    """

    progress = Signal(int, int)  # done, total
    succeeded = Signal(object)  # the function's return value
    failed = Signal(object)  # the exception it raised
    finished = Signal()  # after either, once

    def __init__(self, fn: Callable[[Report], Any], *, source: QObject | None = None) -> None:
        """`source`: the view whose work this is: what the work commits is its write (it
        shows the result itself; the change hub tells the other views, ui.changes)."""
        app = QCoreApplication.instance()
        if app is None:
            raise RuntimeError("a Task needs the application object")
        super().__init__(app)
        self._fn = fn
        self._cancelled = threading.Event()
        self._source = weakref.ref(source) if source is not None else None

    def start(self, pool: QThreadPool | None = None) -> None:
        (pool or QThreadPool.globalInstance()).start(self._run)

    def cancel(self) -> None:
        """Ask the work to stop at its next report (from the GUI thread)."""
        self._cancelled.set()

    def report(self, done: int, total: int) -> bool:
        """Called by the work (pool thread): show progress; False means stop."""
        self.progress.emit(done, total)
        return not self._cancelled.is_set()

    def _run(self) -> None:
        # Runs on a pool thread: call, then hand the outcome to the GUI thread by signal.
        try:
            with writing(None if self._source is None else self._source()):
                result = self._fn(self.report)
        except Exception as e:  # every failure is reported to the user, none is lost
            self.failed.emit(e)
        else:
            self.succeeded.emit(result)
        finally:
            self.finished.emit()
            # The pool thread's last use of the object: deleted on the GUI thread, after
            # the signals above have been delivered (they were queued before this).
            QMetaObject.invokeMethod(self, "deleteLater", Qt.ConnectionType.QueuedConnection)
