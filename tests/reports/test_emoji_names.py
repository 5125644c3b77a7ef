"""Names with emoji print as typed: drawn from the bundled monochrome emoji font and kept
in the PDF's text layer, so search and copy return them (issue 15)."""

from __future__ import annotations

import subprocess
from datetime import date

import pytest

from icmdesk.reports import render_notice, render_statement
from icmdesk.reports.fonts import EMOJI, FALLBACK, SANS, runs
from tests.reports import factories as f
from tests.reports.pdftext import NO_PDFTOTEXT, flat

GENERATED = date(2026, 4, 2)
# A rocket and a sloth past U+FFFF, a heart with its variation selector, a thumb with a
# skin tone, a joined sequence (woman + ZWJ + laptop), CJK beside them, and one emoji
# newer than the bundled font (🥳, Unicode 11), which draws as a box but still copies.
EMOJI_NAMES = (
    "Dana 🚀 Whitfield",
    "Zoë ❤️ O'Brien",
    "Sam 👍🏽 Ortega",
    "Priya 👩‍💻 Nair",
    "王芳 🎉",
    "Kai 🥳 Lee",
)


def pdftotext(data: bytes, tmp_path) -> str:  # type: ignore[no-untyped-def]
    path = tmp_path / "out.pdf"
    path.write_bytes(data)
    out = subprocess.run(
        ["pdftotext", "-enc", "UTF-8", str(path), "-"], capture_output=True, check=True
    )
    return out.stdout.decode("utf-8")


@pytest.mark.skipif(NO_PDFTOTEXT, reason="poppler-utils not installed")
@pytest.mark.parametrize("name", EMOJI_NAMES)
def test_emoji_name_is_printed_and_copied_as_typed(name: str, tmp_path) -> None:  # type: ignore[no-untyped-def]
    st = f.statement(2, rep_name=name, customer=f"{name} Holdings")
    data = render_statement(f.company(), st, generated=GENERATED)
    text = pdftotext(data, tmp_path)
    assert "\x00" not in text
    assert text.count(name) >= 2  # the rep box and the footer
    assert f"{name} Holdings" in text
    assert name in flat(data)  # what pypdf (and so a viewer's search) reads


@pytest.mark.skipif(NO_PDFTOTEXT, reason="poppler-utils not installed")
def test_emoji_name_on_a_clawback_notice(tmp_path) -> None:  # type: ignore[no-untyped-def]
    name = "Dana 🚀 Whitfield"
    data = render_notice(f.company(), f.notice(rep_name=name), generated=GENERATED)
    text = pdftotext(data, tmp_path)
    assert "\x00" not in text and name in text


def test_emoji_go_to_the_emoji_font_cjk_to_the_cjk_fallback() -> None:
    assert runs("Dana 🚀 王") == [(SANS, "Dana "), (EMOJI, "🚀"), (SANS, " "), (FALLBACK, "王")]
    # A sequence's joiner and skin tone stay with the emoji they modify.
    assert runs("👩‍💻") == [(EMOJI, "👩‍💻")]
    assert runs("👍🏽") == [(EMOJI, "👍🏽")]
