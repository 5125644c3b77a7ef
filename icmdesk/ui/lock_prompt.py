"""What a second instance is told when the company file is open for editing elsewhere."""

from __future__ import annotations

from PySide6.QtWidgets import QMessageBox, QWidget

from icmdesk.services.file_lock import FileLockedError


def prompt_text(error: FileLockedError) -> tuple[str, str]:
    """The question and its details, in plain words."""
    h = error.holder
    text = f"{error.path.name} is already open for editing."
    details = (
        f"It is held by {h.user} on {h.host} since {h.since:%Y-%m-%d %H:%M} UTC.\n\n"
        "Only one person can change a company at a time. You can open it read-only "
        "to look at it, or try again once they have closed it."
    )
    return text, details


class LockPrompt:
    """Asks whether to open a locked file read-only. Tests replace `ask` with monkeypatch."""

    @staticmethod
    def ask(parent: QWidget | None, error: FileLockedError) -> bool:
        """True to open the file read-only, False not to open it at all."""
        box = LockPrompt.box(parent, error)
        box.exec()
        clicked = box.clickedButton()
        return clicked is not None and clicked.objectName() == "read_only"

    @staticmethod
    def box(parent: QWidget | None, error: FileLockedError) -> QMessageBox:
        """The question, not yet shown (screenshots, and `ask`)."""
        text, details = prompt_text(error)
        box = QMessageBox(QMessageBox.Icon.Warning, "Company file in use", text)
        box.setParent(parent, box.windowFlags())
        box.setInformativeText(details)
        read_only = box.addButton("Open &Read-Only", QMessageBox.ButtonRole.AcceptRole)
        read_only.setObjectName("read_only")
        cancel = box.addButton(QMessageBox.StandardButton.Cancel)
        box.setDefaultButton(cancel)  # doing nothing is the safe answer
        return box
