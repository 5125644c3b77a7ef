"""The page machinery every ICMDesk PDF shares: styles, letterhead, footer, watermark.

A PDF is built from one or more `Part`s (a statement, a notice, the summary). Each
part gets its own page template, so a combined print file still numbers pages
"Page X of Y" within each document and watermarks only the draft ones. Page totals
are only known at the end, so the canvas keeps each page and draws the footers on
save (the usual reportlab "numbered canvas").
"""

from __future__ import annotations

import io
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from reportlab import rl_config
from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER, TA_LEFT, TA_RIGHT
from reportlab.lib.pagesizes import A4, LETTER
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import inch
from reportlab.lib.utils import ImageReader
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import (
    BaseDocTemplate,
    Flowable,
    Frame,
    Image,
    NextPageTemplate,
    PageBreak,
    PageTemplate,
    Paragraph,
    Table,
    TableStyle,
)

from icmdesk.domain.entities import Company, PageSize
from icmdesk.reports import fmt
from icmdesk.reports.fonts import (
    SANS,
    SANS_BOLD,
    draw_string,
    markup,
    register_fonts,
    string_width,
)

# A quiet palette: ink for figures, one accent for the things a rep looks for first.
INK = colors.HexColor("#1f2933")
MUTED = colors.HexColor("#616e7c")
RULE = colors.HexColor("#cbd2d9")
SHADE = colors.HexColor("#f0f4f8")
ACCENT = colors.HexColor("#1d4e89")
ACCENT_LIGHT = colors.HexColor("#dce8f5")
NEGATIVE = colors.HexColor("#a61b1b")
WATERMARK = colors.HexColor("#eceef1")

# Page streams are Flate-compressed only, not also ASCII85-armoured: armouring costs about a
# tenth of the layout time in pure Python and makes files bigger, and no reader needs it.
# (reportlab reads this when a PDF is saved; ICMDesk is its only user in the process.)
rl_config.useA85 = 0

MARGIN = 0.6 * inch
FOOTER_SPACE = 0.55 * inch


def page_size(company: Company) -> tuple[float, float]:
    """The company's paper: US Letter or A4."""
    return A4 if company.page_size is PageSize.A4 else LETTER


def _style(name: str, **kw: Any) -> ParagraphStyle:
    base: dict[str, Any] = {"fontName": SANS, "fontSize": 9, "leading": 11.5, "textColor": INK}
    base.update(kw)
    return ParagraphStyle(name, **base)


@dataclass(frozen=True, slots=True)
class Styles:
    body: ParagraphStyle = field(default_factory=lambda: _style("body", leading=13, fontSize=9.5))
    small: ParagraphStyle = field(default_factory=lambda: _style("small", fontSize=8, leading=10))
    muted: ParagraphStyle = field(
        default_factory=lambda: _style("muted", fontSize=7.5, leading=9.5, textColor=MUTED)
    )
    cell: ParagraphStyle = field(default_factory=lambda: _style("cell", fontSize=8, leading=9.8))
    cell_right: ParagraphStyle = field(
        default_factory=lambda: _style("cellr", fontSize=8, leading=9.8, alignment=TA_RIGHT)
    )
    head: ParagraphStyle = field(
        default_factory=lambda: _style(
            "head", fontName=SANS_BOLD, fontSize=7.5, leading=9.5, textColor=MUTED
        )
    )
    head_right: ParagraphStyle = field(
        default_factory=lambda: _style(
            "headr",
            fontName=SANS_BOLD,
            fontSize=7.5,
            leading=9.5,
            textColor=MUTED,
            alignment=TA_RIGHT,
        )
    )
    section: ParagraphStyle = field(
        default_factory=lambda: _style(
            "section",
            fontName=SANS_BOLD,
            fontSize=11,
            leading=14,
            textColor=ACCENT,
            spaceBefore=9,
            spaceAfter=4,
        )
    )
    title: ParagraphStyle = field(
        default_factory=lambda: _style(
            "title",
            fontName=SANS_BOLD,
            fontSize=16,
            leading=19,
            alignment=TA_RIGHT,
            textColor=ACCENT,
        )
    )
    subtitle: ParagraphStyle = field(
        default_factory=lambda: _style("subtitle", fontSize=10, leading=13, alignment=TA_RIGHT)
    )
    company: ParagraphStyle = field(
        default_factory=lambda: _style("company", fontName=SANS_BOLD, fontSize=13, leading=16)
    )


STYLES = Styles()


def P(text: str, style: ParagraphStyle, *, bold: bool = False) -> Paragraph:
    """A Paragraph of a user string: escaped, with font fallback."""
    return Paragraph(markup(text, bold=bold), style)


def PM(markup_text: str, style: ParagraphStyle) -> Paragraph:
    """A Paragraph of markup we built ourselves (user parts already through `markup`)."""
    return Paragraph(markup_text, style)


def C(
    text: str, style: ParagraphStyle, *, bold: bool = False, color: colors.Color | None = None
) -> Flowable:
    """A table cell of one user string: drawn like `P(text, style)`, at a fraction of the cost.

    Use it for cells that hardly ever wrap (labels, money, dates, ids, names): the text is
    drawn directly where the Paragraph would put it, and a text that would wrap (too wide
    for the cell, or with breaks or unusual spaces) becomes a real Paragraph, so nothing
    is ever cut. `color` overrides the style's (red for negative money).
    """
    if _one_line_text(text) and _one_line_style(style):
        return _Line(text, style, bold=bold, color=color)
    return _paragraph(text, style, bold=bold, color=color)


def _paragraph(
    text: str, style: ParagraphStyle, *, bold: bool, color: colors.Color | None
) -> Paragraph:
    body = markup(text, bold=bold)
    if color is not None:
        body = f'<font color="{color.hexval()}">{body}</font>'
    return Paragraph(body, style)


def _one_line_text(text: str) -> bool:
    """Text a Paragraph would set exactly as written: single spaces between visible characters."""
    if not text or text[0] == " " or text[-1] == " " or "  " in text:
        return False
    # Any other space, control or format character (tab, no-break space, soft hyphen...)
    # is the Paragraph's business.
    return all(ch == " " or unicodedata.category(ch)[0] not in "CZ" for ch in text)


def _one_line_style(style: ParagraphStyle) -> bool:
    return (
        style.fontName in (SANS, SANS_BOLD)
        and not (style.leftIndent or style.rightIndent or style.firstLineIndent)
        and not (style.spaceBefore or style.spaceAfter)
        and not (style.backColor or style.borderWidth)
        and style.alignment in (TA_LEFT, TA_RIGHT, TA_CENTER)
        and getattr(style, "autoLeading", "") in ("", "off")
    )


class _Line(Flowable):
    """One line of text in a Paragraph's place: same box (cell width x leading), same baseline.

    A Paragraph sets its first baseline `fontSize` below its top (reportlab's default
    paraFontSizeHeightOffset) and its box is `leading` high; the text is drawn with the
    same fonts and fallback runs, so the page looks the same.
    """

    def __init__(
        self, text: str, style: ParagraphStyle, *, bold: bool, color: colors.Color | None
    ) -> None:
        super().__init__()
        self.text = text
        self.style = style
        self.bold = bold or style.fontName == SANS_BOLD
        self.color = color
        self._text_width = string_width(text, style.fontSize, bold=self.bold)
        self._wrapped: Paragraph | None = None  # set when the text must wrap after all

    def wrap(self, avail_width: float, avail_height: float) -> tuple[float, float]:
        if self._text_width <= avail_width - 1e-6:
            self._wrapped = None
            self.width, self.height = avail_width, self.style.leading
            return self.width, self.height
        if self._wrapped is None:
            self._wrapped = _paragraph(self.text, self.style, bold=self.bold, color=self.color)
        return self._wrapped.wrap(avail_width, avail_height)

    def split(self, avail_width: float, avail_height: float) -> list[Flowable]:
        if self._wrapped is not None:
            return self._wrapped.split(avail_width, avail_height)
        return []

    def drawOn(self, canvas: Canvas, x: float, y: float, _sW: float = 0) -> None:
        if self._wrapped is not None:
            self._wrapped.drawOn(canvas, x, y, _sW)
        else:
            super().drawOn(canvas, x, y, _sW)

    def draw(self) -> None:
        style = self.style
        x = 0.0
        if style.alignment == TA_RIGHT:
            x = self.width - self._text_width
        elif style.alignment == TA_CENTER:
            x = (self.width - self._text_width) / 2
        self.canv.setFillColor(self.color or style.textColor)
        draw_string(
            self.canv, x, self.height - style.fontSize, self.text, style.fontSize, bold=self.bold
        )


def letterhead(company: Company, width: float, title: str, subtitle: str) -> Table:
    """Logo and company name/address on the left, the document title on the right."""
    left: list[Flowable] = []
    if company.logo_png:
        reader = ImageReader(io.BytesIO(company.logo_png))
        iw, ih = reader.getSize()
        # Fit the logo in a 1.6 x 0.6 inch box, keeping its proportions.
        scale = min(1.6 * inch / iw, 0.6 * inch / ih)
        logo = Image(io.BytesIO(company.logo_png), width=iw * scale, height=ih * scale)
        logo.hAlign = "LEFT"
        left.append(logo)
    left.append(P(company.name, STYLES.company))
    address = "<br/>".join(
        markup(line.strip()) for line in company.address.splitlines() if line.strip()
    )
    if address:
        left.append(PM(address, STYLES.muted))
    right = [PM(markup(title), STYLES.title), PM(markup(subtitle), STYLES.subtitle)]
    table = Table([[left, right]], colWidths=[width * 0.55, width * 0.45])
    table.setStyle(
        TableStyle(
            [
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("LEFTPADDING", (0, 0), (-1, -1), 0),
                ("RIGHTPADDING", (0, 0), (-1, -1), 0),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 8),
                ("LINEBELOW", (0, 0), (-1, 0), 1.2, ACCENT),
            ]
        )
    )
    return table


@dataclass(frozen=True, slots=True)
class Part:
    """One document inside a PDF: its flowables and what its footer and watermark say."""

    story: Sequence[Flowable]
    footer_left: str
    generated: date
    draft: bool = False
    content_hash: str | None = None


class _NumberedCanvas(Canvas):
    """Keeps every page until save, then draws "Page X of Y" per part and the footer."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._pages: list[dict[str, Any]] = []
        self.icm_part: tuple[int, Part] | None = None

    def showPage(self) -> None:
        self._pages.append(dict(self.__dict__))
        self._startPage()

    def save(self) -> None:
        totals: dict[int, int] = {}
        for page in self._pages:
            key = page["icm_part"][0]
            totals[key] = totals.get(key, 0) + 1
        seen: dict[int, int] = {}
        for page in self._pages:
            self.__dict__.update(page)
            key, part = page["icm_part"]
            seen[key] = seen.get(key, 0) + 1
            self._draw_footer(part, seen[key], totals[key])
            Canvas.showPage(self)
        Canvas.save(self)

    def _draw_footer(self, part: Part, number: int, total: int) -> None:
        width, _ = self._pagesize
        y = MARGIN * 0.6
        self.saveState()
        self.setStrokeColor(RULE)
        self.setLineWidth(0.5)
        self.line(MARGIN, y + 11, width - MARGIN, y + 11)
        self.setFillColor(MUTED)
        right = f"Generated {fmt.day(part.generated)}   ·   Page {number} of {total}"
        draw_string(self, width - MARGIN, y, right, 7.5, align="right")
        room = width - 2 * MARGIN - string_width(right, 7.5) - 24
        draw_string(self, MARGIN, y, _fit(part.footer_left, 7.5, room), 7.5)
        if part.content_hash:
            draw_string(
                self, MARGIN, y - 10, f"Content hash (closed period): {part.content_hash}", 6.5
            )
        self.restoreState()


def _fit(text: str, size: float, room: float) -> str:
    """Shorten text with an ellipsis until it fits `room` points (a footer never overlaps)."""
    if string_width(text, size) <= room:
        return text
    while text and string_width(text + "…", size) > room:
        text = text[:-1]
    return text + "…"


def _on_page(key: int, part: Part) -> Any:
    def decorate(canvas: Canvas, doc: BaseDocTemplate) -> None:
        canvas.icm_part = (key, part)  # type: ignore[attr-defined]
        if part.draft:
            width, height = doc.pagesize
            canvas.saveState()
            canvas.setFillColor(WATERMARK)
            canvas.translate(width / 2, height / 2)
            canvas.rotate(40)
            draw_string(canvas, 0, -20, "DRAFT — period open", 64, bold=True, align="centre")
            canvas.restoreState()

    return decorate


def build_pdf(
    parts: Sequence[Part], *, pagesize: tuple[float, float], title: str, author: str
) -> bytes:
    """Lay out the parts one after the other (each from a fresh page) into PDF bytes.

    Invariant mode makes the bytes depend on the data only (no timestamps or random ids).
    """
    register_fonts()
    buf = io.BytesIO()
    doc = BaseDocTemplate(
        buf,
        pagesize=pagesize,
        leftMargin=MARGIN,
        rightMargin=MARGIN,
        topMargin=MARGIN,
        bottomMargin=MARGIN + 8,
        title=title,
        author=author,
        creator="ICMDesk",
        invariant=1,
    )
    frame = Frame(
        doc.leftMargin,
        doc.bottomMargin,
        doc.width,
        doc.height,
        id="body",
        leftPadding=0,
        rightPadding=0,
        topPadding=0,
        bottomPadding=0,
    )
    templates = [
        PageTemplate(id=f"part{i}", frames=[frame], onPage=_on_page(i, part))
        for i, part in enumerate(parts)
    ]
    doc.addPageTemplates(templates)
    story: list[Flowable] = []
    for i, part in enumerate(parts):
        if i:
            story.append(NextPageTemplate(f"part{i}"))
            story.append(PageBreak())
        story.extend(part.story)
    doc.build(story, canvasmaker=_NumberedCanvas)
    return buf.getvalue()


def content_width(company: Company) -> float:
    """Width of the text frame on the company's paper."""
    return page_size(company)[0] - 2 * MARGIN
