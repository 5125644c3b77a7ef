"""Undo and redo for one open company file (Edit ▸ Undo / Redo).

A `History` listens to the one write path of its file (`records.listen`): every unit of
work committed through it — whichever view, dialog or service wrote — becomes an
undoable action, a `Changes` with its label ("Edit deal D-1042", "Delete rep Ana Lee",
"Cancel deal D-7"). It is kept in memory only and dropped when the file is closed
(`close`).

`undo` replays the action's inverse as a new unit of work through the same write path
(`records.replay`), so it is audited like any edit and marks the closed months it touches
dirty: undoing an edit under a closed month is a correction like the edit was (if the
edit's correction was already posted by a close, the undo's reverses it in the next open
month; if not, the month simply re-verifies equal and no correction is posted). It is
refused, in words, when a record changed since the action (its stored value is no longer
the action's "after"), and the refused action leaves the list. `redo` replays the action
again, checked the same way. A new action clears what could be redone.

An import (deals, adjustments) is one action too, named by its file ("Import deals from
crm.csv"): its unit of work keeps each record it added or changed (records.note_imported),
so Undo removes what it added and puts back what it changed — up to
`records.UNDO_LIMIT` records; a larger one says it cannot be undone (the backup taken
before it is what File ▸ Restore… brings back).

What is not undone here: closing and reopening a month (Periods ▸ Reopen takes back the
latest close, deliberately) and the company settings. A unit of work that says it is
`not_undoable` clears the redo list and leaves the undo list as it is (each older action
is still checked against the records as they are when it is undone).
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass

from icmdesk.domain.errors import Problem, ValidationError
from icmdesk.models.database import CompanyFile
from icmdesk.services import records
from icmdesk.services.changes import Changes

NOT_UNDONE_HERE = (
    "Closing or reopening a month, the company settings and imports of more than "
    f"{records.UNDO_LIMIT:,} records are not undone here (Periods ▸ Reopen takes back the "
    "latest close)."
)


@dataclass(frozen=True, slots=True)
class Action:
    """One undoable action: what its unit of work changed, and its name."""

    label: str
    changes: Changes


class History:
    """The undo and redo lists of one open company file (see the module's docstring).

    Safe to use from several threads (an import commits on a worker); `on_change`
    callbacks are called on the thread that changed the lists."""

    def __init__(self, cf: CompanyFile, *, limit: int = 100) -> None:
        self._cf = cf
        self._limit = limit
        self._undo: list[Action] = []
        self._redo: list[Action] = []
        self._lock = threading.RLock()
        self._subscribers: list[Callable[[], None]] = []
        self._stop: Callable[[], None] | None = records.listen(cf, self._on_changes)

    def close(self) -> None:
        """Forget everything and stop listening (the file is being closed)."""
        if self._stop is not None:
            self._stop()
            self._stop = None
        with self._lock:
            self._undo.clear()
            self._redo.clear()
        self._notify()
        self._subscribers.clear()

    def subscribe(self, on_change: Callable[[], None]) -> None:
        """Call `on_change` whenever what can be undone or redone changes."""
        self._subscribers.append(on_change)

    # What the menu shows.
    @property
    def undo_label(self) -> str | None:
        """The action Undo would take back ("Edit deal D-1042"), None when there is none."""
        with self._lock:
            return self._undo[-1].label if self._undo else None

    @property
    def redo_label(self) -> str | None:
        with self._lock:
            return self._redo[-1].label if self._redo else None

    def can_undo(self) -> bool:
        return self.undo_label is not None

    def can_redo(self) -> bool:
        return self.redo_label is not None

    # Doing it.
    def undo(self) -> Changes:
        """Take back the latest action as a new unit of work; returns what that changed.
        Raises ValidationError (in words) when there is nothing to undo or a record
        changed since; a refused action leaves the list."""
        with self._lock:
            if not self._undo:
                raise ValidationError([Problem("", f"Nothing to undo. {NOT_UNDONE_HERE}")])
            action = self._undo.pop()
        try:
            done = records.replay(self._cf, action.changes.inverse(), what=f"undo {action.label}")
        except ValidationError as e:  # it can never apply now: it leaves the list
            self._notify()
            raise ValidationError(
                [*e.problems, Problem("", f"“{action.label}” is taken off the Undo list.")]
            ) from None
        except BaseException:  # the environment failed (a busy file): try again later
            with self._lock:
                self._undo.append(action)
            raise
        with self._lock:
            self._redo.append(action)
        self._notify()
        return done

    def redo(self) -> Changes:
        """Do again the action the latest undo took back; returns what that changed.
        Raises ValidationError (in words) when there is nothing to redo or a record
        changed since; a refused action leaves the list."""
        with self._lock:
            if not self._redo:
                raise ValidationError([Problem("", "Nothing to redo.")])
            action = self._redo.pop()
        try:
            done = records.replay(self._cf, action.changes.items, what=f"redo {action.label}")
        except ValidationError as e:
            self._notify()
            raise ValidationError(
                [*e.problems, Problem("", f"“{action.label}” is taken off the Redo list.")]
            ) from None
        except BaseException:
            with self._lock:
                self._redo.append(action)
            raise
        with self._lock:
            self._undo.append(action)
        self._notify()
        return done

    def _on_changes(self, changes: Changes) -> None:
        if changes.replay:
            return  # our own undo or redo: the lists move in undo() and redo()
        with self._lock:
            self._redo.clear()
            if not changes.not_undoable and changes:
                self._undo.append(Action(changes.label, changes))
                del self._undo[: -self._limit]
        self._notify()

    def _notify(self) -> None:
        for on_change in tuple(self._subscribers):
            on_change()
