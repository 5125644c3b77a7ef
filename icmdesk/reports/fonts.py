"""Fonts for the PDFs and per-run font fallback, so any name prints as written.

DejaVu Sans covers Latin, Greek, Cyrillic and more, but no CJK and few emoji. Text
is cut into runs: a character DejaVu lacks goes into the first fallback font that
has it, Droid Sans Fallback (CJK), then Symbola (emoji and symbols, monochrome:
a PDF cannot draw colour emoji fonts). A character no font has stays in the last
fallback, so it is still in the text layer (search and copy keep it) even where it
draws as a box. The fallbacks are registered only when a document first needs one,
because they are large files and most statements never use them.
"""

from __future__ import annotations

import re
import threading
from typing import Any
from xml.sax.saxutils import escape

from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont

from icmdesk.reports.resources import resource_path

SANS = "ICMSans"
SANS_BOLD = "ICMSans-Bold"
FALLBACK = "ICMFallback"
EMOJI = "ICMEmoji"
# Tried in order for a character the main font lacks.
_FALLBACKS = (FALLBACK, EMOJI)

_FILES = {
    SANS: "DejaVuSans.ttf",
    SANS_BOLD: "DejaVuSans-Bold.ttf",
    FALLBACK: "DroidSansFallback.ttf",
    EMOJI: "Symbola.ttf",
}
_lock = threading.Lock()
_registered: dict[str, frozenset[int]] = {}
_family_done: list[bool] = []  # non-empty once the family mapping is registered
_PRINTABLE_ASCII = frozenset(range(0x20, 0x7F))
_ascii_fonts: set[str] = set()  # fonts with a glyph for every printable ASCII character


# A ToUnicode entry whose code point is past U+FFFF, as reportlab writes it: five or six
# hex digits, which readers take as UTF-16 ("<1F680>" reads as U+1F68 "Ὠ", not 🚀).
_ASTRAL_ENTRY = re.compile(r"<([0-9A-F]{2})> <([0-9A-F]{5,6})>")


def _utf16_entry(match: re.Match[str]) -> str:
    code = int(match.group(2), 16) - 0x10000
    return f"<{match.group(1)}> <{0xD800 + (code >> 10):04X}{0xDC00 + (code & 0x3FF):04X}>"


class _Font(TTFont):  # type: ignore[misc]
    """A TrueType font whose text layer maps emoji and other characters past U+FFFF to
    themselves, so search and copy return them (reportlab writes their ToUnicode entries
    as bare code points, which PDF readers decode as something else)."""

    def addObjects(self, doc: Any) -> None:
        super().addObjects(doc)
        for name, obj in doc.idToObject.items():
            if not (isinstance(name, str) and name.startswith("toUnicodeCMap:")):
                continue
            if isinstance(obj.content, str) and _ASTRAL_ENTRY.search(obj.content):
                obj.content = _ASTRAL_ENTRY.sub(_utf16_entry, obj.content)


def _ensure(name: str) -> frozenset[int]:
    """Register a bundled font once per process; return the code points it covers."""
    covered = _registered.get(name)
    if covered is not None:
        return covered
    with _lock:
        if name not in _registered:
            font = _Font(name, str(resource_path("fonts", _FILES[name])))
            pdfmetrics.registerFont(font)
            if name in _FALLBACKS:
                # Lets <b> around a fallback run resolve (the fallbacks have no bold face).
                pdfmetrics.registerFontFamily(
                    name, normal=name, bold=name, italic=name, boldItalic=name
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


def _fallback_for(ch: str) -> str:
    """The first fallback font with a glyph for `ch`; the last one when none has it."""
    for name in _FALLBACKS:
        if ord(ch) in _ensure(name):
            return name
    last = _FALLBACKS[-1]
    # No font has it (an emoji newer than Symbola): draw its box, the font's .notdef
    # glyph, under its own code, so the text layer keeps the character. reportlab would
    # otherwise write it as code 0, which copies as "\x00".
    face = pdfmetrics.getFont(last).face
    if ord(ch) not in face.charToGlyph:
        with _lock:
            face.charToGlyph.setdefault(ord(ch), 0)
    return last


def _joins(ch: str) -> bool:
    # Zero-width joiners, variation selectors and skin-tone modifiers belong to the
    # emoji before them: they stay in its run, so a sequence is not cut between fonts.
    cp = ord(ch)
    return cp == 0x200D or 0xFE00 <= cp <= 0xFE0F or 0x1F3FB <= cp <= 0x1F3FF


def runs(text: str, *, bold: bool = False) -> list[tuple[str, str]]:
    """Cut text into (font name, text) runs: the main font where it has the glyph, else
    the first fallback that has it."""
    register_fonts()
    main = SANS_BOLD if bold else SANS
    if _plain_ascii(text, main):
        return [(main, text)] if text else []
    covered = _registered[main]
    out: list[tuple[str, str]] = []
    for ch in text:
        if out and out[-1][0] != main and _joins(ch) and ord(ch) in _ensure(out[-1][0]):
            font = out[-1][0]
        elif _needs_fallback(ch, covered):
            font = _fallback_for(ch)
        else:
            font = main
        if out and out[-1][0] == font:
            out[-1] = (font, out[-1][1] + ch)
        else:
            out.append((font, ch))
    return out


def markup(text: str, *, bold: bool = False) -> str:
    """Paragraph markup for a user string: escaped, with fallback-font runs wrapped in <font>."""
    parts = []
    for font, chunk in runs(text, bold=bold):
        safe = escape(chunk)
        parts.append(f'<font name="{font}">{safe}</font>' if font in _FALLBACKS else safe)
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
