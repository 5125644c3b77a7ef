"""Icons: SVGs from resources/icons/, drawn in the palette's text colour.

Stroke icons are drawn with a placeholder colour (#000000) that is replaced by the
palette's WindowText colour, so they read in light and dark palettes alike; they are
rasterised at twice their size so they stay sharp at 200% scaling.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

from PySide6.QtCore import QBuffer, QByteArray, QSize
from PySide6.QtGui import QGuiApplication, QIcon, QImageReader, QPalette, QPixmap

ICONS_DIR = Path(__file__).resolve().parents[2] / "resources" / "icons"
PLACEHOLDER = "#000000"


def icon(name: str) -> QIcon:
    """The named icon ("deals", "periods", ...) in the current palette's text colour."""
    colour = QGuiApplication.palette().color(QPalette.ColorRole.WindowText).name()
    return _icon(name, colour)


def app_icon() -> QIcon:
    """The application's own (coloured) icon."""
    return _icon("app", "")


@cache
def _icon(name: str, colour: str) -> QIcon:
    path = ICONS_DIR / f"{name}.svg"
    if not path.is_file():
        raise FileNotFoundError(f"icon {name!r} is missing: {path}")
    svg = path.read_text(encoding="utf-8")
    if colour:
        svg = svg.replace(PLACEHOLDER, colour)
    result = QIcon()
    for size in (16, 24, 32, 48, 64):
        result.addPixmap(_render(svg.encode("utf-8"), size))
    return result


def _render(svg: bytes, size: int) -> QPixmap:
    data = QByteArray(svg)
    buffer = QBuffer(data)
    reader = QImageReader(buffer, QByteArray(b"svg"))
    reader.setScaledSize(QSize(size, size))
    image = reader.read()
    if image.isNull():
        raise ValueError(f"cannot render icon: {reader.errorString()}")
    return QPixmap.fromImage(image)
