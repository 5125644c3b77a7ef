"""One hub for "something was saved": a view that writes announces what kind of records it
changed, and every view showing such records follows — at once when it is on screen,
else the next time it is shown. Nothing polls, and nothing re-reads on every show.

The main window makes one `Changes` and hands it to each view it builds; a view built
alone (a test) makes its own.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from PySide6.QtCore import QEvent, QObject, Signal
from PySide6.QtWidgets import QWidget

# The kinds of records a write can change.
DEALS = "deals"
REPS = "reps"  # reps, their assignments and draws, opening balances
ROLES = "roles"
PLANS = "plans"
COMPANY = "company"  # the settings
PERIODS = "periods"  # closes and reopens
ALL_KINDS = frozenset({DEALS, REPS, ROLES, PLANS, COMPANY, PERIODS})


@dataclass(frozen=True, slots=True)
class Change:
    kinds: frozenset[str]
    source: QObject | None  # the view that wrote (it has shown the result already)


class Changes(QObject):
    """The hub: `announce` after a write, `changed` tells the followers."""

    changed = Signal(object)  # a Change

    def announce(self, *kinds: str, source: QObject | None = None) -> None:
        self.changed.emit(Change(frozenset(kinds) or ALL_KINDS, source))


class _Follower(QObject):
    """Refreshes one view when a change it shows is announced (see `follow`)."""

    def __init__(
        self,
        view: QWidget,
        kinds: frozenset[str],
        refresh: Callable[[], None],
    ) -> None:
        super().__init__(view)
        self._view = view
        self._kinds = kinds
        self._refresh = refresh
        self._due = False
        view.installEventFilter(self)

    def on_changed(self, change: Change) -> None:
        if change.source is self._view or not change.kinds & self._kinds:
            return
        if self._view.isVisible():
            self._refresh()
        else:
            self._due = True

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if watched is self._view and event.type() == QEvent.Type.Show and self._due:
            self._due = False
            self._refresh()
        return False


def follow(view: QWidget, hub: Changes, kinds: frozenset[str], refresh: Callable[[], None]) -> None:
    """Call `refresh` when a change of one of `kinds`, announced by another view, reaches
    `view`: now if it is on screen, else when it is next shown."""
    follower = _Follower(view, kinds, refresh)
    hub.changed.connect(follower.on_changed)
