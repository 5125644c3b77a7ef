"""Every icon the app uses exists, renders, and follows the palette."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from PySide6.QtGui import QColor, QGuiApplication, QImage, QPalette

from icmdesk.ui.icons import ICONS_DIR, app_icon, icon

pytestmark = pytest.mark.gui

NAMES = sorted(p.stem for p in ICONS_DIR.glob("*.svg") if p.stem != "app")


@pytest.mark.parametrize("name", NAMES)
def test_icon_renders_at_every_size(qtbot, name: str) -> None:  # type: ignore[no-untyped-def]
    result = icon(name)
    assert not result.isNull()
    assert {s.width() for s in result.availableSizes()} >= {16, 24, 48}


@contextmanager
def text_colour(colour: str) -> Iterator[None]:
    """The app's palette with `colour` for text (a light or a dark theme), then put back."""
    before = QGuiApplication.palette()
    palette = QPalette(before)
    palette.setColor(QPalette.ColorRole.WindowText, QColor(colour))
    QGuiApplication.setPalette(palette)
    try:
        yield
    finally:
        QGuiApplication.setPalette(before)


def rendered(name: str, colour: str) -> QImage:
    with text_colour(colour):
        return icon(name).pixmap(48, 48).toImage()


def test_stroke_icons_take_the_palette_text_colour(qtbot) -> None:  # type: ignore[no-untyped-def]
    light = rendered("deals", "#101010")  # dark text, as on a light theme
    dark = rendered("deals", "#f0f0f0")
    drawn = [(x, y) for x in range(48) for y in range(48) if light.pixelColor(x, y).alpha() > 200]
    assert drawn
    x, y = drawn[0]
    assert light.pixelColor(x, y).lightness() < 60 < 200 < dark.pixelColor(x, y).lightness()


def test_app_icon_and_missing_icons(qtbot) -> None:  # type: ignore[no-untyped-def]
    assert not app_icon().isNull()
    with pytest.raises(FileNotFoundError, match="nope"):
        icon("nope")


def test_sidebar_and_actions_have_icons(qtbot, tmp_path) -> None:  # type: ignore[no-untyped-def]
    from icmdesk.domain.entities import Company
    from icmdesk.services import records
    from icmdesk.ui.main_window import MainWindow
    from tests.ui.on_screen import sidebar

    cf = records.create_company_file(tmp_path / "acme.icmdesk", Company("Acme Ltd"))
    try:
        window = MainWindow(cf)
        qtbot.addWidget(window)
        nav = sidebar(window, window.view_titles())
        assert nav.count() >= 9
        assert all(not nav.item(i).icon().isNull() for i in range(nav.count()))
        window.close()
    finally:
        cf.close()
