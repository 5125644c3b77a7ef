"""One hub for "something was saved": every unit of work committed to the open company
file (services.records' write path: edits, deletes, cancellations, imports, closes,
reopens, settings, undo and redo) reaches the hub as the `Changes` it returned, and every
view showing such records follows — at once when it is on screen, else the next time it
is shown. Nothing polls, nothing re-reads on every show, and no view has to remember to
announce what it wrote: the write path itself says it.

The main window makes one hub and `attach`es it to the file; a view built alone (a test)
makes its own, attached to nothing. A change committed on the GUI thread is delivered at
once (before the service call returns), one committed by a worker is delivered on the GUI
thread. The view that wrote — inside `writing(view)`, which a `Task` also sets for the
work it runs — has shown the result already, and is not told again.

Every view the main window hosts is a `FollowsChanges`: it says which kinds of records it
shows and how it takes a change of them, and follows its hub with `follow(self, hub)`.
"""

from __future__ import annotations

import threading
import weakref
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Protocol, runtime_checkable

from PySide6.QtCore import QEvent, QObject, Qt, Signal
from PySide6.QtWidgets import QWidget
from shiboken6 import isValid

from icmdesk.services import records
from icmdesk.services.changes import Changes as Written
from icmdesk.services.company import CompanyHandle

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


def kinds_changed(written: Written) -> frozenset[str]:
    """The kinds of records a unit of work's `Changes` touched: its records', plus the
    periods for a close or a reopen (and the dirty months it marked), the settings and
    the reps (their opening balances) for a settings change."""
    kinds = set(kinds_of(written.entities)) if written.entities else set()
    if written.closed or written.reopened or written.dirty_months:
        kinds.add(PERIODS)
    if written.settings:
        kinds |= {COMPANY, REPS}
    return frozenset(kinds)


@dataclass(frozen=True, slots=True)
class Change:
    kinds: frozenset[str]
    source: QObject | None  # the view that wrote (it has shown the result already)
    written: Written | None = None  # what the unit of work changed (None: announced)


_writer = threading.local()  # .view: a weak reference to the view writing on this thread


@contextmanager
def writing(view: QObject | None) -> Iterator[None]:
    """The writes inside are `view`'s: it shows their result itself, the hub tells the
    others (a `Task` sets this around its work for the view that started it)."""
    before = getattr(_writer, "view", None)
    _writer.view = weakref.ref(view) if view is not None else None
    del view  # held weakly only: a worker must never be the last to let go of a view
    try:
        yield
    finally:
        _writer.view = before


class Changes(QObject):
    """The hub: `changed` tells the followers what was saved (see the module)."""

    changed = Signal(object)  # a Change
    _committed = Signal(object, object)  # Written, its writer: to the GUI thread

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._stop: Callable[[], None] | None = None
        # Delivered at once on the GUI thread, queued to it from a worker.
        self._committed.connect(self._deliver, Qt.ConnectionType.AutoConnection)

    def attach(self, handle: CompanyHandle) -> None:
        """Follow every unit of work committed to `handle`'s file (until `detach`, or until
        the hub is destroyed)."""
        self.detach()
        stop = self._stop = records.listen(handle, self._on_committed)
        self.destroyed.connect(lambda *_: stop())  # holds the function, never the hub

    def detach(self) -> None:
        """Stop following the file (it is being closed)."""
        if self._stop is not None:
            self._stop()
            self._stop = None

    def publish(self, written: Written, *, source: QObject | None = None) -> None:
        """Tell the followers what a unit of work changed (a hub attached to a file does
        this itself for every commit)."""
        kinds = kinds_changed(written)
        if kinds:
            self.changed.emit(Change(kinds, source, written))

    def announce(self, *kinds: str, source: QObject | None = None) -> None:
        """Tell the followers that records of `kinds` changed, without saying which (a
        view whose hub is attached to nothing, built alone)."""
        self.changed.emit(Change(frozenset(kinds) or ALL_KINDS, source))

    def _on_committed(self, written: Written) -> None:
        # On the thread that committed, inside its commit: hand over, nothing more (the
        # writer as its weak reference: a worker never holds a view).
        self._committed.emit(written, getattr(_writer, "view", None))

    def _deliver(self, written: Written, writer: weakref.ref[QObject] | None) -> None:
        source = writer() if writer is not None else None
        if source is not None and not isValid(source):
            source = None  # gone meanwhile: it shows nothing any more
        self.publish(written, source=source)


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


def _wrote(view: QWidget, source: QObject | None) -> bool:
    """Whether `view` made the change itself: it is the source, or holds it (a panel of
    the view, as the Periods view holds its adjustments)."""
    if source is None:
        return False
    return source is view or (isinstance(source, QWidget) and view.isAncestorOf(source))


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
        if not isinstance(view, FollowsChanges) or _wrote(view, change.source):
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
