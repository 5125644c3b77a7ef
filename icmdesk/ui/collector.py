"""Python's cycle collector, run on the GUI thread only.

Left to itself, the collector runs on whichever thread happens to allocate when its
thresholds are crossed — often a worker of the thread pool (a compute, an import). A
widget caught in a reference cycle (a dialog holding a bound method of its own, say) is
then destroyed on that worker, which Qt forbids: a warning, then a crash. So while the
app runs, automatic collection is off and a timer on the GUI thread collects, generation
by generation, as the collector itself would have (the remedy Anki and other PySide/PyQt
apps use). `stop` turns automatic collection back on and collects once, while the
application object still lives.
"""

from __future__ import annotations

import gc

from PySide6.QtCore import QObject, QTimer

INTERVAL_MS = 500


class MainThreadCollector(QObject):
    """Collects cycles on the GUI thread (see the module). Install once, after the
    application object exists: `MainThreadCollector(app).start()`."""

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._timer = QTimer(self)
        self._timer.setInterval(INTERVAL_MS)
        self._timer.timeout.connect(self.collect_due)
        self._thresholds = gc.get_threshold()
        self._was_enabled = gc.isenabled()

    def start(self) -> None:
        """Stop automatic collection (on any thread); collect from the timer instead."""
        self._was_enabled = gc.isenabled()
        gc.disable()
        self._timer.start()

    def stop(self) -> None:
        """Collect once more, here, and give collection back to Python."""
        self._timer.stop()
        gc.collect()
        if self._was_enabled:
            gc.enable()

    def collect_due(self) -> None:
        """Collect each generation whose count crossed its threshold, youngest first."""
        counts = gc.get_count()
        for generation in range(3):
            if counts[generation] <= self._thresholds[generation]:
                return
            gc.collect(generation)
