"""The Changes hub: followers refresh their view now or when next shown, and hold it
weakly (a view and its follower make no reference cycle)."""

from __future__ import annotations

import gc
import sys
import weakref

import shiboken6
from PySide6.QtWidgets import QWidget

from icmdesk.domain.entities import Role
from icmdesk.services import records
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


def test_a_hub_destroyed_while_attached_stops_hearing_the_file(qtbot, acme, monkeypatch):  # type: ignore[no-untyped-def]
    """A window that goes without closing (its hub with it) leaves no listener behind: the
    next write is saved, and nothing is told to an object that is gone."""
    errors: list[BaseException] = []
    monkeypatch.setattr(sys, "excepthook", lambda _t, e, _tb: errors.append(e))
    hub = Changes()
    hub.attach(acme)
    heard: list[Change] = []
    hub.changed.connect(heard.append)
    records.save_role(acme, Role("Ops"))
    assert len(heard) == 1
    shiboken6.delete(hub)
    role = records.save_role(acme, Role("Finance"))
    assert records.get_role(acme, role.id) == role
    assert errors == [] and len(heard) == 1
