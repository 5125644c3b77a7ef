"""Every icon the app uses exists, renders, and follows the palette."""

from __future__ import annotations

import pytest

from icmdesk.ui.icons import ICONS_DIR, _icon, app_icon, icon

pytestmark = pytest.mark.gui

NAMES = sorted(p.stem for p in ICONS_DIR.glob("*.svg") if p.stem != "app")


@pytest.mark.parametrize("name", NAMES)
def test_icon_renders_at_every_size(qtbot, name: str) -> None:  # type: ignore[no-untyped-def]
    result = icon(name)
    assert not result.isNull()
    assert {s.width() for s in result.availableSizes()} >= {16, 24, 48}


def test_stroke_icons_take_the_palette_text_colour(qtbot) -> None:  # type: ignore[no-untyped-def]
    light = _icon("deals", "#101010").pixmap(48, 48).toImage()
    dark = _icon("deals", "#f0f0f0").pixmap(48, 48).toImage()
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

    cf = records.create_company_file(tmp_path / "acme.icmdesk", Company("Acme Ltd"))
    try:
        window = MainWindow(cf)
        qtbot.addWidget(window)
        nav = window._nav
        assert nav.count() >= 9
        assert all(not nav.item(i).icon().isNull() for i in range(nav.count()))
        window.close()
    finally:
        cf.close()
