"""The open company as the GUI holds it: a handle it passes to services, never a session.

Like Anki's `Collection` for `aqt`, a `CompanyHandle` is the one object the user interface
keeps for an open company file. The shell (`ui.app.Shell`) opens it here and closes it;
views and dialogs only hand it to service functions, which open each unit of work
themselves. The GUI reads nothing from it but `path` (where the file is), `report` (what
opening did: created, migrated and where the backup went) and `close()`.

The handle is the models layer's `CompanyFile` under the name the GUI may use: the
services take it as they always have. What keeps the GUI from opening a session through
it is the layering, not the object: import-linter forbids `icmdesk.ui` from importing
`icmdesk.models` (or SQLAlchemy), and tests/test_layering.py refuses any use of
`.session`, `.sessions` or `.engine` in the ui package.
"""

from __future__ import annotations

from pathlib import Path
from typing import TypeAlias

from icmdesk.models.database import CompanyFile, OpenReport, check_can_write
from icmdesk.services import file_lock
from icmdesk.services.file_lock import FileLock, FileLockedError

__all__ = [
    "CompanyHandle",
    "FileLock",
    "FileLockedError",
    "OpenReport",
    "open_for_editing",
    "open_read_only",
]

CompanyHandle: TypeAlias = CompanyFile


def open_for_editing(path: Path) -> tuple[CompanyHandle, FileLock]:
    """Open a company file for editing in the app: locked (FileLockedError naming the
    holder if another has it), migrated if older.

    An existing file that cannot be written where it is (FileReadOnlyError,
    FolderReadOnlyError, DiskFullError) is refused before anything is touched, so that the
    caller can open it read-only instead and say why. Other refusals raise
    CompanyFileError."""
    path = Path(path)
    if path.exists():
        check_can_write(path)
    return file_lock.open_for_editing(path)


def open_read_only(path: Path) -> CompanyHandle:
    """Open a company file without writing to it (no lock, no migration); a file that
    would need migrating is refused with CompanyFileError."""
    return file_lock.open_read_only(path)
