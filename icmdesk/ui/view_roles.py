"""What a view the main window hosts may do besides following changes (ui.changes'
`FollowsChanges`), each a typed protocol the window checks with `isinstance`:

- `Writable`: it has edits to turn off when the file is open read-only;
- `HoldsEdits`: it can hold edits not saved yet (the title's "*", asked before closing);
- `RunsWork`: it runs background work that can be asked to stop (the window closing);
- `Searchable`: it has a search box (Edit ▸ Find, Ctrl+F).
"""

from __future__ import annotations

from typing import Protocol, runtime_checkable

from PySide6.QtCore import SignalInstance


@runtime_checkable
class Writable(Protocol):
    def set_read_only(self, read_only: bool) -> None:
        """Turn the view's edits off (or on again)."""
        ...


@runtime_checkable
class HoldsEdits(Protocol):
    @property
    def edited_changed(self) -> SignalInstance:
        """Emitted (with whether edits are held) when that changes."""
        ...

    def has_unsaved_edits(self) -> bool:
        """Whether the view holds edits not saved yet."""
        ...


@runtime_checkable
class RunsWork(Protocol):
    def cancel_work(self) -> None:
        """Ask the view's background work that can stop (a PDF batch) to stop."""
        ...


@runtime_checkable
class Searchable(Protocol):
    def focus_search(self) -> None:
        """Put the keyboard focus in the view's search box."""
        ...
