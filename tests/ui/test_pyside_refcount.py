"""PySide6 6.12.0 on Python 3.11 drops a reference to None on every void call and aborts
the process after ~100,000 calls ("Fatal Python error: none_dealloc"). We pin below 6.12;
this test catches any build with that bug."""

from __future__ import annotations

import sys

import pytest
from PySide6.QtWidgets import QLabel

pytestmark = pytest.mark.gui


def test_void_calls_do_not_leak_references_to_none(qtbot) -> None:  # type: ignore[no-untyped-def]
    label = QLabel()
    qtbot.addWidget(label)
    before = sys.getrefcount(None)
    for i in range(200_000):
        label.setText("x" if i % 2 else "y")
    after = sys.getrefcount(None)
    assert after >= before - 1000, f"None lost {before - after} references"
