"""Fonts for the PDFs and per-run font fallback, so any name prints as written.

DejaVu Sans covers Latin, Greek, Cyrillic and more, but no CJK. Text is cut into
runs: characters DejaVu lacks go into the fallback font (Droid Sans Fallback,
CJK). The fallback is registered only when a document first needs it, because
it is a large file and most statements never use it.
"""

from __future__ import annotations

import threading
from xml.sax.saxutils import escape

from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont

from icmdesk.reports.resources import resource_path

SANS = "ICMSans"
SANS_BOLD = "ICMSans-Bold"
FALLBACK = "ICMFallback"

_FILES = {
    SANS: "DejaVuSans.ttf",
    SANS_BOLD: "DejaVuSans-Bold.ttf",
    FALLBACK: "DroidSansFallback.ttf",
}
_lock = threading.Lock()
_registered: dict[str, frozenset[int]] = {}
_family_done: list[bool] = []  # non-empty once the family mapping is registered
_PRINTABLE_ASCII = frozenset(range(0x20, 0x7F))
_ascii_fonts: set[str] = set()  # fonts with a glyph for every printable ASCII character


def _ensure(name: str) -> frozenset[int]:
    """Register a bundled font once per process; return the code points it covers."""
    covered = _registered.get(name)
    if covered is not None:
        return covered
    with _lock:
        if name not in _registered:
            font = TTFont(name, str(resource_path("fonts", _FILES[name])))
            pdfmetrics.registerFont(font)
            if name == FALLBACK:
                # Lets <b> around a fallback run resolve (the fallback has no bold face).
                pdfmetrics.registerFontFamily(
                    FALLBACK, normal=FALLBACK, bold=FALLBACK, italic=FALLBACK, boldItalic=FALLBACK
                )
            covered = frozenset(font.face.charToGlyph)
            if covered >= _PRINTABLE_ASCII:
                _ascii_fonts.add(name)
            _registered[name] = covered
        return _registered[name]


def register_fonts() -> None:
    """Register the main fonts and the bold/normal family mapping used by Paragraph <b>."""
    if _family_done:
        return
    _ensure(SANS)
    _ensure(SANS_BOLD)
    pdfmetrics.registerFontFamily(
        SANS, normal=SANS, bold=SANS_BOLD, italic=SANS, boldItalic=SANS_BOLD
    )
    _family_done.append(True)


def _needs_fallback(ch: str, covered: frozenset[int]) -> bool:
    # Whitespace and controls stay in the main font: they need no glyph of their own.
    return not ch.isspace() and ord(ch) not in covered


def _plain_ascii(text: str, font: str) -> bool:
    # Most text is printable ASCII, which the main fonts cover whole: no need to look
    # at each character (this is checked once per font, when it is registered).
    return font in _ascii_fonts and text.isascii() and text.isprintable()


def runs(text: str, *, bold: bool = False) -> list[tuple[str, str]]:
    """Cut text into (font name, text) runs: the main font where it has the glyph, else fallback."""
    register_fonts()
    main = SANS_BOLD if bold else SANS
    if _plain_ascii(text, main):
        return [(main, text)] if text else []
    covered = _registered[main]
    out: list[tuple[str, str]] = []
    for ch in text:
        font = FALLBACK if _needs_fallback(ch, covered) else main
        if out and out[-1][0] == font:
            out[-1] = (font, out[-1][1] + ch)
        else:
            out.append((font, ch))
    if any(font == FALLBACK for font, _ in out):
        _ensure(FALLBACK)
    return out


def markup(text: str, *, bold: bool = False) -> str:
    """Paragraph markup for a user string: escaped, with fallback-font runs wrapped in <font>."""
    parts = []
    for font, chunk in runs(text, bold=bold):
        safe = escape(chunk)
        parts.append(f'<font name="{FALLBACK}">{safe}</font>' if font == FALLBACK else safe)
    body = "".join(parts)
    return f"<b>{body}</b>" if bold else body


def string_width(text: str, size: float, *, bold: bool = False) -> float:
    """Width in points of a string drawn with `draw_string`."""
    return sum(pdfmetrics.stringWidth(chunk, font, size) for font, chunk in runs(text, bold=bold))


def draw_string(
    canvas: object,
    x: float,
    y: float,
    text: str,
    size: float,
    *,
    bold: bool = False,
    align: str = "left",
) -> None:
    """Draw a user string on a canvas with font fallback; align is left, right or centre."""
    if align == "right":
        x -= string_width(text, size, bold=bold)
    elif align == "centre":
        x -= string_width(text, size, bold=bold) / 2
    for font, chunk in runs(text, bold=bold):
        canvas.setFont(font, size)  # type: ignore[attr-defined]
        canvas.drawString(x, y, chunk)  # type: ignore[attr-defined]
        x += pdfmetrics.stringWidth(chunk, font, size)


def fits_plain(text: str, size: float, room: float) -> bool:
    """True when the text needs no fallback font and fits `room` points in the main font."""
    register_fonts()
    covered = _registered[SANS]
    if not _plain_ascii(text, SANS) and any(_needs_fallback(ch, covered) for ch in text):
        return False
    return pdfmetrics.stringWidth(text, SANS, size) <= room
