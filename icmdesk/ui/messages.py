"""Message boxes behind replaceable entry points (tests swap them; nothing blocks on a modal)."""

from __future__ import annotations

from PySide6.QtWidgets import QMessageBox, QWidget

from icmdesk.domain.errors import ValidationError


def error_text(error: BaseException) -> str:
    """What a person reads for a refusal: every problem of a ValidationError on its own line."""
    if isinstance(error, ValidationError) and error.problems:
        return "\n".join(
            f"• {p.field}: {p.message}" if p.field else f"• {p.message}" for p in error.problems
        )
    return str(error) or type(error).__name__


class Messages:
    """The app's message boxes. Tests replace these static functions with monkeypatch."""

    @staticmethod
    def error(parent: QWidget | None, title: str, error: BaseException) -> None:
        """Tell the user an action was refused or failed, and why."""
        box = QMessageBox(QMessageBox.Icon.Warning, title, title, QMessageBox.StandardButton.Ok)
        box.setParent(parent, box.windowFlags())
        box.setInformativeText(error_text(error))
        box.exec()

    @staticmethod
    def info(parent: QWidget | None, title: str, text: str, details: str = "") -> None:
        """Tell the user how something ended."""
        box = QMessageBox(QMessageBox.Icon.Information, title, text, QMessageBox.StandardButton.Ok)
        box.setParent(parent, box.windowFlags())
        box.setInformativeText(details)
        box.exec()

    @staticmethod
    def discard_edits(parent: QWidget | None, what: str) -> bool:
        """Ask before throwing away edits not saved yet (`what`: "the plan", "the
        settings"); Cancel, the default, keeps them."""
        return Messages.confirm(
            parent,
            "Discard unsaved changes?",
            f"You have changed {what} without saving.",
            "Discarding shows what the company file holds. Cancel keeps your changes so "
            "that you can save them.",
            "Discard changes",
        )

    @staticmethod
    def confirm(parent: QWidget | None, title: str, text: str, details: str, action: str) -> bool:
        """Ask before a deliberate action; `action` labels the button that goes ahead.
        Cancel, the default, does nothing."""
        box = QMessageBox(QMessageBox.Icon.Question, title, text)
        box.setParent(parent, box.windowFlags())
        box.setInformativeText(details)
        go = box.addButton(action, QMessageBox.ButtonRole.AcceptRole)
        cancel = box.addButton(QMessageBox.StandardButton.Cancel)
        box.setDefaultButton(cancel)
        box.exec()
        return box.clickedButton() is go

    @staticmethod
    def choose(
        parent: QWidget | None,
        title: str,
        text: str,
        details: str,
        action: str,
        other: str,
        *,
        icon: QMessageBox.Icon = QMessageBox.Icon.Question,
    ) -> bool:
        """Offer a next step that is safe either way (write the PDFs now or later, open the
        folder or not): `action`, the default, or `other`; Escape is `other`."""
        box = QMessageBox(icon, title, text)
        box.setParent(parent, box.windowFlags())
        box.setInformativeText(details)
        go = box.addButton(action, QMessageBox.ButtonRole.AcceptRole)
        no = box.addButton(other, QMessageBox.ButtonRole.RejectRole)
        box.setDefaultButton(go)
        box.setEscapeButton(no)
        box.exec()
        return box.clickedButton() is go
