"""GUI tests never block on a modal dialog: one that a test did not replace fails at once,
naming itself, instead of waiting for a click that never comes (and hanging the suite).
And, as in the app, reference cycles are collected on the GUI thread only."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from PySide6.QtWidgets import QApplication, QDialog, QFileDialog, QMessageBox

from icmdesk.ui.collector import MainThreadCollector
from icmdesk.ui.messages import Messages


class ModalOpened(AssertionError):
    """A test reached a modal dialog it did not replace through its entry point."""


@pytest.fixture(scope="session", autouse=True)
def cycles_collected_on_the_gui_thread(qapp: QApplication) -> Iterator[None]:
    """As the app runs (ui.collector): a widget in a reference cycle is never destroyed by
    a collection that happens to run on a worker thread."""
    collector = MainThreadCollector(qapp)
    collector.start()
    yield
    collector.stop()


@pytest.fixture(autouse=True)
def no_unexpected_modal(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    def refuse(self: QDialog, *_args: object) -> int:
        title = self.windowTitle() or type(self).__name__
        text = self.text() if isinstance(self, QMessageBox) else ""
        raise ModalOpened(f"a modal dialog was opened: {title!r} {text!r}")

    for cls in (QDialog, QMessageBox):
        monkeypatch.setattr(cls, "exec", refuse)

    def no_file_dialog(*_args: object, **_kwargs: object) -> object:
        raise ModalOpened("a file dialog was opened")

    for name in ("getOpenFileName", "getSaveFileName", "getExistingDirectory"):
        monkeypatch.setattr(QFileDialog, name, staticmethod(no_file_dialog))
    # Closing a dialog that holds edits asks first; when a test's widgets are closed at its
    # end, the answer is to discard (tests of the question replace this themselves).
    monkeypatch.setattr(Messages, "discard_edits", staticmethod(lambda _parent, _what: True))
    yield


def like_a_modal(answer: object) -> object:
    """A replacement for a dialog's entry point that behaves as the real one does while it
    is open: it runs the event loop (queued signals are delivered, work that ended is
    finished) before it returns `answer`."""
    from PySide6.QtTest import QTest

    def entry(*_args: object, **_kwargs: object) -> object:
        QTest.qWait(150)
        return answer

    return entry
