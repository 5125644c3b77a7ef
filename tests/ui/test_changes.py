"""The Changes hub: followers refresh their view now or when next shown, and hold it
weakly (a view and its follower make no reference cycle)."""

from __future__ import annotations

import gc
import weakref

from PySide6.QtWidgets import QWidget

from icmdesk.ui.changes import DEALS, PLANS, Change, Changes, follow


class _View(QWidget):
    kinds = frozenset({DEALS})

    def __init__(self, hub: Changes) -> None:
        super().__init__()
        self.refreshed = 0
        follow(self, hub)

    def on_changes(self, change: Change) -> None:
        self.refresh()

    def refresh(self) -> None:
        self.refreshed += 1


def test_a_shown_view_follows_at_once_and_a_hidden_one_when_shown(qtbot):
    hub = Changes()
    shown, hidden = _View(hub), _View(hub)
    qtbot.addWidget(shown)
    qtbot.addWidget(hidden)
    shown.show()

    hub.announce(DEALS)
    hub.announce(PLANS)  # not a kind they show

    assert shown.refreshed == 1
    assert hidden.refreshed == 0
    hidden.show()
    assert hidden.refreshed == 1
    hidden.hide()
    hidden.show()
    assert hidden.refreshed == 1  # once per change, not per show


def test_the_view_that_wrote_does_not_refresh_again(qtbot):
    hub = Changes()
    view = _View(hub)
    qtbot.addWidget(view)
    view.show()
    hub.announce(DEALS, source=view)
    assert view.refreshed == 0


def test_a_followed_view_is_freed_without_the_garbage_collector(qtbot):
    hub = Changes()
    gc.disable()
    try:
        view = _View(hub)
        gone = weakref.ref(view)
        del view  # the last reference: freed now, or only by a collection
        assert gone() is None
        hub.announce(DEALS)  # nobody left to refresh, and nothing breaks
    finally:
        gc.enable()


def test_follow_wants_a_view_that_follows_changes(qtbot):
    hub = Changes()
    view = QWidget()
    qtbot.addWidget(view)
    try:
        follow(view, hub)
    except TypeError:
        pass
    else:
        raise AssertionError("a view without kinds and on_changes was accepted")
