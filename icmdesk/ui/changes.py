"""One hub for "something was saved": a view that writes announces what kind of records it
changed, and every view showing such records follows — at once when it is on screen,
else the next time it is shown. Nothing polls, and nothing re-reads on every show.

The main window makes one `Changes` and hands it to each view it builds; a view built
alone (a test) makes its own.
"""

from __future__ import annotations

import inspect
import weakref
from collections.abc import Callable, Iterable
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
# The records the write path names (services.changes: an undo's or a redo's `Changes`)
# as the kinds above; adjustments show with the deals, as the views announce them.
_KIND_OF_ENTITY = {
    "deal": DEALS,
    "adjustment": DEALS,
    "rep": REPS,
    "assignment": REPS,
    "role": ROLES,
    "plan": PLANS,
}


def kinds_of(entities: Iterable[str]) -> tuple[str, ...]:
    """The kinds to announce for records of these entities ("deal", "rep", ...); one the
    hub does not know of announces every kind."""
    kinds = {_KIND_OF_ENTITY.get(e) for e in entities}
    return tuple(ALL_KINDS) if None in kinds else tuple(sorted(k for k in kinds if k))


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
    """Refreshes one view when a change it shows is announced (see `follow`).

    It holds its view weakly: the view owns it (its Qt parent), and a strong reference
    back would make a cycle that only the garbage collector breaks, at any moment, by
    emptying this object while Qt may still call its event filter.
    """

    def __init__(
        self,
        view: QWidget,
        kinds: frozenset[str],
        refresh: Callable[[QWidget], None],
    ) -> None:
        super().__init__(view)
        self._view = weakref.ref(view)
        self._kinds = kinds
        self._refresh = refresh
        self._due = False
        view.installEventFilter(self)

    def on_changed(self, change: Change) -> None:
        view = self._view()
        if view is None or change.source is view or not change.kinds & self._kinds:
            return
        if view.isVisible():
            self._refresh(view)
        else:
            self._due = True

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if self._due and event.type() == QEvent.Type.Show and watched is self._view():
            self._due = False
            self._refresh(watched)
        return False


def follow(view: QWidget, hub: Changes, kinds: frozenset[str], refresh: Callable[[], None]) -> None:
    """Call `refresh` (a method of `view`) when a change of one of `kinds`, announced by
    another view, reaches `view`: now if it is on screen, else when it is next shown."""
    if not inspect.ismethod(refresh) or refresh.__self__ is not view:
        raise TypeError("follow() needs a method of the view it refreshes")
    follower = _Follower(view, kinds, refresh.__func__)
    hub.changed.connect(follower.on_changed)
