"""Finding things the way a user does: a field by the label that names it, a button by its
text, a menu command by its menu and name, the words shown in a form row, a combo box
entry by what it reads.

GUI tests read and drive the views through these (and through what a view offers for
tests), never through a view's private widgets: a test that finds "Pay day" by its label
keeps working when the view is rebuilt, and fails when the label or its field goes.
"""

from __future__ import annotations

import re
from typing import TypeVar

from PySide6.QtGui import QAction
from PySide6.QtWidgets import (
    QAbstractButton,
    QComboBox,
    QFormLayout,
    QLabel,
    QListWidget,
    QMainWindow,
    QWidget,
)

W = TypeVar("W", bound=QWidget)
B = TypeVar("B", bound=QAbstractButton)


def caption(text: str) -> str:
    """A label, button or menu text as it reads on screen: without the mnemonic "&" (an
    "&&" is one "&"), the trailing colon and the spaces around it."""
    return re.sub(r"&(.)", r"\1", text).strip().removesuffix(":").strip()


def label(root: QWidget, text: str) -> QLabel:
    """The one label under `root` that reads `text` (as `caption` reads it)."""
    want = caption(text)
    found = [w for w in root.findChildren(QLabel) if caption(w.text()) == want]
    if len(found) != 1:
        raise LookupError(f"{len(found)} labels read {text!r} in {type(root).__name__}")
    return found[0]


def field(root: QWidget, text: str, kind: type[W] = QWidget) -> W:  # type: ignore[assignment]
    """The field the label reading `text` names: its buddy, what Alt+its mnemonic gives
    the focus to. Checked to be a `kind`."""
    buddy = label(root, text).buddy()
    if buddy is None:
        raise LookupError(f"the label {text!r} names no field")
    if not isinstance(buddy, kind):
        raise TypeError(f"the field {text!r} is a {type(buddy).__name__}, not a {kind.__name__}")
    return buddy


def row(root: QWidget, text: str) -> QWidget:
    """Everything a form row shows right of its label `text`: the field with the words
    beside it and the notes under it."""
    caption_label = label(root, text)
    for form in root.findChildren(QFormLayout):
        index, _role = form.getWidgetPosition(caption_label)
        if index >= 0:
            item = form.itemAt(index, QFormLayout.ItemRole.FieldRole)
            widget = item.widget() if item is not None else None
            if widget is None:
                raise LookupError(f"the row {text!r} holds a layout, not a widget")
            return widget
    raise LookupError(f"the label {text!r} is not in a form")


def row_texts(root: QWidget, text: str) -> list[str]:
    """The words shown in the form row labelled `text` (beside the field and under it), in
    order; hidden ones (a problem line with no problem) are not shown."""
    return [w.text() for w in row(root, text).findChildren(QLabel) if w.isVisibleTo(root)]


def button(root: QWidget, text: str, kind: type[B] = QAbstractButton) -> B:  # type: ignore[assignment]
    """The one button (push, check or radio button) under `root` that reads `text`."""
    want = caption(text)
    found = [b for b in root.findChildren(kind) if caption(b.text()) == want]
    if len(found) != 1:
        raise LookupError(f"{len(found)} buttons read {text!r} in {type(root).__name__}")
    return found[0]


def choose(combo: QComboBox, text: str) -> None:
    """Pick the entry that reads `text`, as a user picks it from the list."""
    index = combo.findText(text)
    if index < 0:
        shown = [combo.itemText(i) for i in range(combo.count())]
        raise LookupError(f"no entry reads {text!r}: {shown}")
    combo.setCurrentIndex(index)


def menu_command(window: QMainWindow, menu: str, command: str) -> QAction:
    """The command `command` of the menu bar's menu `menu` ("View", "Refresh")."""
    for top in window.menuBar().actions():
        submenu = top.menu()
        if submenu is None or caption(top.text()) != caption(menu):
            continue
        for action in submenu.actions():
            if caption(action.text()) == caption(command):
                return action
        raise LookupError(f"the {menu} menu has no {command!r}")
    raise LookupError(f"no {menu!r} menu")


def sidebar(window: QMainWindow, titles: list[str]) -> QListWidget:
    """The list down the window's side whose entries are the views `titles`."""
    found = [
        w
        for w in window.findChildren(QListWidget)
        if [w.item(i).text() for i in range(w.count())] == titles
    ]
    if len(found) != 1:
        raise LookupError(f"{len(found)} lists show {titles}")
    return found[0]
