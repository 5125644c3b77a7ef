"""One hub for "something was saved": a view that writes announces what kind of records it
changed, and every view showing such records follows — at once when it is on screen,
else the next time it is shown. Nothing polls, and nothing re-reads on every show.

The main window makes one `Changes` and hands it to each view it builds; a view built
alone (a test) makes its own.

Every view the main window hosts is a `FollowsChanges`: it says which kinds of records it
shows and how it takes a change of them, and follows its hub with `follow(self, hub)`.
"""

from __future__ import annotations

import weakref
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Protocol, runtime_checkable

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


@runtime_checkable
class FollowsChanges(Protocol):
    """A view that shows records and follows the hub: the main window hosts only these.

    `kinds` are the kinds of records it shows: a change of one of them reaches
    `on_changes` (at once while the view is on screen, else when it is next shown), a
    change of another kind never does. `refresh` re-reads all it shows (View ▸ Refresh).
    """

    kinds: frozenset[str]

    def on_changes(self, change: Change) -> None:
        """Show what `change` (of some of `kinds`, saved elsewhere) touched."""
        ...

    def refresh(self) -> None:
        """Re-read everything the view shows."""
        ...


class _Follower(QObject):
    """Passes a view the changes it shows (see `follow`).

    It holds its view weakly: the view owns it (its Qt parent), and a strong reference
    back would make a cycle that only the garbage collector breaks, at any moment, by
    emptying this object while Qt may still call its event filter.
    """

    def __init__(self, view: QWidget) -> None:
        super().__init__(view)
        self._view = weakref.ref(view)
        self._due: frozenset[str] = frozenset()  # kinds changed while the view was hidden
        view.installEventFilter(self)

    def on_changed(self, change: Change) -> None:
        view = self._view()
        if not isinstance(view, FollowsChanges) or change.source is view:
            return
        kinds = change.kinds & view.kinds
        if not kinds:
            return
        if view.isVisible():
            view.on_changes(Change(kinds, change.source))
        else:
            self._due |= kinds

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if self._due and event.type() == QEvent.Type.Show and watched is self._view():
            due, self._due = self._due, frozenset()
            if isinstance(watched, FollowsChanges):
                watched.on_changes(Change(due, None))
        return False


def follow(view: QWidget, hub: Changes) -> None:
    """Pass `view` (a `FollowsChanges`) each change of the kinds it shows that another view
    announces on `hub`: now if it is on screen, else once when it is next shown."""
    if not isinstance(view, FollowsChanges):
        raise TypeError(f"{type(view).__name__} does not follow changes (FollowsChanges)")
    hub.changed.connect(_Follower(view).on_changed)
