"""The monthly commission statement PDF: one rep, one month, every figure re-derivable."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from decimal import Decimal
from typing import Any

from reportlab.graphics.shapes import Drawing, Line, Rect, String
from reportlab.lib.units import inch
from reportlab.platypus import CondPageBreak, Flowable, KeepTogether, Spacer, Table, TableStyle

from icmdesk.domain.calendar import month_name
from icmdesk.domain.entities import Company
from icmdesk.domain.money import HUNDRED
from icmdesk.domain.payouts import PayoutSettings, pay_date
from icmdesk.domain.statement import LineKind, Statement, StatementLine
from icmdesk.reports import fmt, wording
from icmdesk.reports.fonts import SANS, SANS_BOLD, fits_plain, markup, string_width
from icmdesk.reports.layout import (
    ACCENT,
    ACCENT_LIGHT,
    INK,
    MUTED,
    NEGATIVE,
    PM,
    RULE,
    SHADE,
    STYLES,
    C,
    P,
    Part,
    build_pdf,
    content_width,
    letterhead,
    page_size,
)

_GRID_PAD = 3  # top and bottom padding of the house tables' cells
_DEAL_LEADING = 9.8  # line height of the deal table's plain-string cells


def _grid_style(
    *extra: tuple[Any, ...], rules: Sequence[tuple[Any, ...]] | None = None
) -> TableStyle:
    """The house table look: muted header over a rule, hairlines between rows (or only
    the `rules` given: the deals table has none between a deal and its working)."""
    return TableStyle(
        [
            ("VALIGN", (0, 0), (-1, -1), "TOP"),
            ("LEFTPADDING", (0, 0), (-1, -1), 4),
            ("RIGHTPADDING", (0, 0), (-1, -1), 4),
            ("TOPPADDING", (0, 0), (-1, -1), _GRID_PAD),
            ("BOTTOMPADDING", (0, 0), (-1, -1), _GRID_PAD),
            ("LINEBELOW", (0, 0), (-1, 0), 0.8, MUTED),
            *([("LINEBELOW", (0, 1), (-1, -1), 0.25, RULE)] if rules is None else rules),
            *extra,
        ]
    )


def _total_row_style(row: int = -1) -> list[tuple[Any, ...]]:
    return [
        ("LINEABOVE", (0, row), (-1, row), 0.8, INK),
        ("BACKGROUND", (0, row), (-1, row), SHADE),
    ]


class _Money:
    """Formats the statement's amounts in the company currency."""

    def __init__(self, currency: str) -> None:
        self.currency = currency

    def __call__(self, amount: Decimal) -> str:
        return fmt.money(amount, self.currency)

    def cell(self, amount: Decimal | None, *, bold: bool = False) -> Any:
        if amount is None:
            return PM("", STYLES.cell_right)
        color = NEGATIVE if amount < 0 else None
        return C(self(amount), STYLES.cell_right, bold=bold, color=color)


def _identity(statement: Statement, width: float) -> Table:
    """Rep, role, payroll id, period; plan, version, quota period: label over value."""
    items = wording.identity(statement)
    cells = [
        [C(label.upper(), STYLES.head), C(value, STYLES.small, bold=True)] for label, value in items
    ]
    rows = [
        [cells[0], cells[1], cells[2], cells[3]],
        [cells[4], cells[5], cells[6], cells[7]],
    ]
    table = Table(rows, colWidths=[width * 0.31, width * 0.23, width * 0.27, width * 0.19])
    table.setStyle(
        TableStyle(
            [
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("LEFTPADDING", (0, 0), (-1, -1), 0),
                ("RIGHTPADDING", (0, 0), (-1, -1), 6),
                ("TOPPADDING", (0, 0), (-1, -1), 2),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 4),
            ]
        )
    )
    return table


def _summary(statement: Statement, m: _Money, width: float, payouts: PayoutSettings) -> Table:
    """The box a rep reads first: E, draw, recovery, NET PAYOUT large, balance and YTD."""

    label_style = STYLES.head.clone("summaryhead", fontSize=6.8, leading=8.5)

    def figure(label: str, amount: Decimal) -> list[Any]:
        return [C(label.upper(), label_style), C(m(amount), STYLES.body, bold=True)]

    figures = [figure(label, amount) for label, amount in wording.summary(statement)]
    small = [figures[:3], figures[3:]]
    grid_w = width * 0.66
    grid = Table(small, colWidths=[grid_w / 3] * 3)
    grid.setStyle(
        TableStyle(
            [
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("LEFTPADDING", (0, 0), (-1, -1), 8),
                ("TOPPADDING", (0, 0), (-1, -1), 5),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 5),
                ("LINEBELOW", (0, 0), (-1, 0), 0.25, RULE),
                ("LINEAFTER", (0, 0), (1, -1), 0.25, RULE),
            ]
        )
    )
    # 22pt, smaller where a large payout would not fit the box on one line.
    text = m(statement.payout)
    room = width - grid_w - 12 - 6 - 2
    size = min(22.0, room / max(string_width(text, 1, bold=True), 1e-6))
    payout_style = STYLES.body.clone(
        "payout", fontName=SANS_BOLD, fontSize=size, leading=size * 1.23, textColor=ACCENT
    )
    payout = [
        C("NET PAYOUT", STYLES.head),
        C(m(statement.payout), payout_style, bold=True),
        C(f"for {month_name(statement.month)}, paid with payroll", STYLES.muted),
        C(f"on {fmt.day(pay_date(statement.month, payouts))}", STYLES.muted, bold=True),
    ]
    box = Table([[grid, payout]], colWidths=[grid_w, width - grid_w])
    box.setStyle(
        TableStyle(
            [
                ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
                ("BOX", (0, 0), (-1, -1), 0.8, ACCENT),
                ("BACKGROUND", (1, 0), (1, 0), ACCENT_LIGHT),
                ("LEFTPADDING", (0, 0), (0, 0), 0),
                ("RIGHTPADDING", (0, 0), (0, 0), 0),
                ("LEFTPADDING", (1, 0), (1, 0), 12),
                ("TOPPADDING", (0, 0), (-1, -1), 0),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 0),
            ]
        )
    )
    return box


class AttainmentBar(Flowable):
    """Credited to date against quota, with each tier threshold marked and labelled."""

    def __init__(self, statement: Statement, width: float) -> None:
        super().__init__()
        self.statement = statement
        self.width = width
        self.height = 0.68 * inch

    def wrap(self, avail_width: float, avail_height: float) -> tuple[float, float]:
        return self.width, self.height

    def draw(self) -> None:
        s = self.statement
        attainment = s.attainment_pct if s.attainment_pct is not None else Decimal(0)
        marks = [m for m in s.tier_marks if m.from_pct > 0]
        furthest_mark = max([HUNDRED, *(m.from_pct for m in marks)])
        # Far beyond the last tier the bar would squash the ticks: clamp and let the label
        # carry the figure.
        top = max(furthest_mark, min(attainment, furthest_mark * 2))
        # Leave room past the furthest point so the last label and the fill stay readable.
        scale_max = (top * Decimal("1.15")).quantize(Decimal(1))
        bar_y, bar_h = 18.0, 14.0
        left, usable = 0.0, self.width

        def x_of(pct: Decimal) -> float:
            # Layout coordinates only (points), never money: a float here is harmless.
            return left + usable * float(min(pct, scale_max) / scale_max)

        d = Drawing(self.width, self.height)
        d.add(Rect(left, bar_y, usable, bar_h, fillColor=SHADE, strokeColor=RULE, strokeWidth=0.5))
        if attainment > 0:
            d.add(
                Rect(
                    left, bar_y, x_of(attainment) - left, bar_h, fillColor=ACCENT, strokeColor=None
                )
            )
        rates = {m.from_pct: m.rate_pct for m in s.tier_marks}
        base_rate = rates.get(Decimal(0))
        if base_rate is None and s.tier_marks:
            base_rate = min(s.tier_marks, key=lambda m: m.from_pct).rate_pct
        labels: list[tuple[float, str, str]] = []  # (anchor x, text, textAnchor)
        if base_rate is not None:
            labels.append((left + 2, f"0% → {fmt.percent(base_rate)}", "start"))
        for mark in marks:
            x = x_of(mark.from_pct)
            d.add(Line(x, bar_y - 3, x, bar_y + bar_h + 3, strokeColor=INK, strokeWidth=1))
            labels.append(
                (x, f"{fmt.percent(mark.from_pct)} → {fmt.percent(mark.rate_pct)}", "middle")
            )
        # Threshold labels above the bar; a label that would touch the one before it goes
        # up a row, so close thresholds stay readable.
        right_edge = [-1e9, -1e9]
        for x, text, anchor in labels:
            w = string_width(text, 7)
            start = x if anchor == "start" else x - w / 2
            start = min(max(start, 0), self.width - w)
            row = 0 if start > right_edge[0] + 4 else 1
            right_edge[row] = start + w
            d.add(
                String(
                    start,
                    bar_y + bar_h + 6 + row * 10,
                    text,
                    fontName=SANS,
                    fontSize=7,
                    fillColor=INK if anchor == "middle" else MUTED,
                    textAnchor="start",
                )
            )
        if HUNDRED not in rates:
            x = x_of(HUNDRED)
            d.add(
                Line(
                    x,
                    bar_y - 3,
                    x,
                    bar_y + bar_h + 3,
                    strokeColor=MUTED,
                    strokeWidth=0.8,
                    strokeDashArray=[2, 2],
                )
            )
        # Scale under the bar: 0, the quota (100%) and what was attained. Near the quota the
        # two labels would collide: they then stand either side of the quota mark, the
        # attained one on the side it lies, so neither is dropped.
        d.add(String(left, 4, "0%", fontName=SANS, fontSize=7, fillColor=MUTED))
        label = f"attained {fmt.percent(attainment)}"
        quota_label = "quota 100%"
        ax, qx = x_of(attainment), x_of(HUNDRED)
        aw = string_width(label, 7.5, bold=True)
        qw = string_width(quota_label, 7)
        if abs(ax - qx) < (aw + qw) / 2 + 6:
            if attainment < HUNDRED:
                a_start, q_start = min(ax, qx) - 3 - aw, qx + 3
            else:
                a_start, q_start = max(ax, qx) + 3, qx - 3 - qw
        else:
            a_start, q_start = ax - aw / 2, qx - qw / 2
        # Keep both inside the bar's width (and clear of the "0%" at its left end).
        floor = string_width("0%", 7) + 6
        a_start = min(max(a_start, floor), self.width - aw)
        q_start = min(max(q_start, floor), self.width - qw)
        if a_start < q_start + qw + 3 and q_start < a_start + aw + 3:  # pushed together
            q_start = a_start - 3 - qw if attainment >= HUNDRED else a_start + aw + 3
        d.add(String(q_start, 4, quota_label, fontName=SANS, fontSize=7, fillColor=MUTED))
        d.add(String(a_start, 4, label, fontName=SANS_BOLD, fontSize=7.5, fillColor=ACCENT))
        d.drawOn(self.canv, 0, 0)


def _attainment(statement: Statement, m: _Money, width: float) -> list[Flowable]:
    out: list[Flowable] = [P("Quota and attainment", STYLES.section)]
    if statement.quota is None or statement.attainment_pct is None:
        out.append(PM(markup(wording.no_quota(statement, m)), STYLES.body))
        return out
    rows = [
        [
            [C("QUOTA", STYLES.head), C(m(statement.quota), STYLES.body, bold=True)],
            [
                C("CREDITED TO DATE", STYLES.head),
                C(m(statement.credited_to_date), STYLES.body, bold=True),
            ],
            [
                C("ATTAINMENT", STYLES.head),
                C(fmt.percent(statement.attainment_pct), STYLES.body, bold=True),
            ],
            [C("QUOTA PERIOD", STYLES.head), C(statement.quota_period_label, STYLES.body)],
        ]
    ]
    ytd, ytd_note = wording.year_to_date(statement, m)
    if ytd:  # the fiscal year to date under the quota period's figures, column for column
        rows.append(
            [
                [C(label.upper(), STYLES.head), C(value, STYLES.body, bold=i < 3)]
                for i, (label, value) in enumerate(ytd)
            ]
        )
    facts = Table(rows, colWidths=[width * 0.2, width * 0.22, width * 0.2, width * 0.38])
    facts.setStyle(
        TableStyle(
            [
                ("LEFTPADDING", (0, 0), (-1, -1), 0),
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("TOPPADDING", (0, 0), (-1, -1), 1),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 2),
            ]
        )
    )
    out += [facts, Spacer(1, 4), AttainmentBar(statement, width)]
    if ytd_note:
        out += [P(ytd_note, STYLES.muted)]
    return [KeepTogether(out)]


_CELL_PAD = 8  # left + right padding of a house table cell


def _need(texts: Sequence[str], size: float = 8, *, bold: bool = False) -> float:
    """The width a column needs to hold each text on one line, paddings included."""
    return max((string_width(t, size, bold=bold) for t in texts), default=0) + _CELL_PAD + 1


def _columns(width: float, need: Sequence[float | None], flex: Sequence[float]) -> list[float]:
    """Column widths: each fixed column exactly as wide as it needs (figures never wrap),
    the flexible ones (need None) sharing the rest in the `flex` proportions."""
    fixed = sum(n for n in need if n is not None)
    rest = max(width - fixed, 0)
    weights = iter(flex)
    total = sum(flex)
    return [n if n is not None else rest * next(weights) / total for n in need]


def _deal_table(statement: Statement, m: _Money, width: float) -> list[Flowable]:
    lines = statement.lines_of(LineKind.COMMISSION)
    out: list[Flowable] = [CondPageBreak(1.2 * inch), P("Deals — commission", STYLES.section)]
    if not lines:
        out.append(P("No deal commission this month.", STYLES.muted))
        return out
    heads = ("Deal", "Customer", "Closed", "Credited", "Split", "Rate / tier", "Commission")
    header = [
        C(h, STYLES.head_right if i in (3, 4, 6) else STYLES.head) for i, h in enumerate(heads)
    ]
    total = sum((line.amount for line in lines), Decimal(0))
    total_label = f"Total commission ({len(lines)} line{'s' if len(lines) != 1 else ''})"
    ids = [line.deal_id or "—" for line in lines]
    closed = [fmt.day(line.close_date) if line.close_date else "" for line in lines]
    credited = [m(x.credited_amount) if x.credited_amount is not None else "" for x in lines]
    splits = [fmt.percent(x.split_pct) if x.split_pct is not None else "" for x in lines]
    amounts = [m(line.amount) for line in lines]

    def head(i: int) -> float:
        return string_width(heads[i], 7.5, bold=True) + _CELL_PAD + 1

    need: list[float | None] = [
        min(max(_need(ids), head(0)), width * 0.22),
        None,
        max(_need(closed), head(2)),
        max(_need(credited), head(3)),
        max(_need(splits), head(4)),
        None,
        max(_need(amounts), _need([m(total)], bold=True), head(6)),
    ]
    widths = _columns(width, need, (0.5, 0.5))
    col = [w - _CELL_PAD for w in widths]  # room inside the paddings
    working_style = STYLES.muted.clone("working", fontSize=7, leading=8.6, leftIndent=10)
    rows: list[list[Any]] = [header]
    heights: list[float | None] = [None]
    # A row of plain strings is one line high: saying so spares the table measuring every
    # cell of it. This is reportlab's own sum (leading x lines + top and bottom padding).
    one_line = _DEAL_LEADING * 1 + (_GRID_PAD + _GRID_PAD)
    negative: list[int] = []
    working_rows: list[int] = []
    # Plain strings draw several times faster than Paragraphs; a cell becomes a Paragraph
    # only when it must wrap or needs the fallback font. The table's style sets the font.
    for i, line in enumerate(lines):
        if line.amount < 0:
            negative.append(len(rows))
        row = [
            _plain(ids[i], col[0], STYLES.cell),
            _plain(line.customer or "", col[1], STYLES.cell),
            closed[i],
            credited[i],
            splits[i],
            _plain(wording.deal_rule(line), col[5], STYLES.cell),
            amounts[i],
        ]
        rows.append(row)
        heights.append(one_line if all(isinstance(c, str) for c in row) else None)
        how = wording.working(line, m)
        if how:
            working_rows.append(len(rows))
            rows.append([PM(markup(how), working_style), "", "", "", "", "", ""])
            heights.append(None)
    heights.append(None)  # the total row
    rows.append(
        [C(total_label, STYLES.cell, bold=True), "", "", "", "", "", m.cell(total, bold=True)]
    )
    # Hairlines between deals, none between a deal and its working.
    rules = [
        ("LINEBELOW", (0, r), (-1, r), 0.25, RULE)
        for r in range(1, len(rows) - 1)
        if r + 1 not in working_rows
    ]
    table = Table(rows, colWidths=widths, rowHeights=heights, repeatRows=1)
    table.setStyle(
        _grid_style(
            ("FONTNAME", (0, 1), (-1, -1), SANS),
            ("FONTSIZE", (0, 1), (-1, -1), 8),
            ("LEADING", (0, 1), (-1, -1), _DEAL_LEADING),
            ("TEXTCOLOR", (0, 1), (-1, -1), INK),
            ("ALIGN", (3, 1), (4, -1), "RIGHT"),
            ("ALIGN", (6, 1), (6, -1), "RIGHT"),
            *(("TEXTCOLOR", (6, r), (6, r), NEGATIVE) for r in negative),
            *(("SPAN", (0, r), (5, r)) for r in working_rows),
            *(("TOPPADDING", (0, r), (-1, r), 0) for r in working_rows),
            ("SPAN", (0, -1), (5, -1)),
            *_total_row_style(),
            rules=rules,
        )
    )
    out.append(table)
    return out


def _tiers(statement: Statement, m: _Money, width: float) -> list[Flowable]:
    """The month's deal commission by tier, and the effective rate."""
    rows, counted, total = wording.tier_subtotals(statement)
    if not rows:
        return []
    data: list[list[Any]] = [
        [
            C("Tier", STYLES.head),
            C("Counted in tier", STYLES.head_right),
            C("Rate", STYLES.head_right),
            C("Commission", STYLES.head_right),
        ]
    ]
    for name, amount, rate, commission in rows:
        data.append(
            [
                C(name, STYLES.cell),
                m.cell(amount),
                C(fmt.percent(rate) if rate is not None else "", STYLES.cell_right),
                m.cell(commission),
            ]
        )
    data.append(
        [
            C("Total", STYLES.cell, bold=True),
            m.cell(counted, bold=True),
            "",
            m.cell(total, bold=True),
        ]
    )
    table = Table(data, colWidths=[width * w for w in (0.4, 0.2, 0.1, 0.2)], hAlign="LEFT")
    table.setStyle(_grid_style(*_total_row_style()))
    return [
        KeepTogether(
            [
                P(wording.TIER_TITLE, STYLES.section),
                table,
                Spacer(1, 3),
                P(wording.effective_rate(statement, counted, total, m), STYLES.muted),
            ]
        )
    ]


def _plain(text: str, room: float, style: Any) -> Any:
    """The text as a plain table string when it fits on one line in the main font."""
    if "\n" not in text and fits_plain(text, style.fontSize, room):
        return text
    return P(text, style)


def _detail(line: StatementLine, m: _Money, *, policy_said: bool = False) -> str:
    """Description, then the rule in muted type, then who produced an override."""
    description, extra = wording.detail(line, m, policy_said=policy_said)
    parts = [markup(description)]
    if extra:
        small = " · ".join(markup(x) for x in extra)
        parts.append(f'<font color="{MUTED.hexval()}" size="7.5">{small}</font>')
    how = wording.working(line, m)
    if how:
        parts.append(f'<font color="{MUTED.hexval()}" size="7.5">{markup(how)}</font>')
    return "<br/>".join(parts)


def _other_section(
    kind: LineKind,
    title: str,
    total_label: str,
    lines: Sequence[StatementLine],
    m: _Money,
    width: float,
) -> list[Flowable]:
    head_ref = "Month" if kind is LineKind.PRIOR_PERIOD else "Deal"
    note = wording.section_note(kind, lines)
    rows: list[list[Any]] = [
        [
            C(head_ref, STYLES.head),
            C("Detail", STYLES.head),
            C("Date", STYLES.head),
            C("Amount", STYLES.head_right),
        ]
    ]
    for line in lines:
        when = line.earned_on or line.close_date
        rows.append(
            [
                C(wording.reference(line), STYLES.cell),
                PM(_detail(line, m, policy_said=bool(note)), STYLES.cell),
                C(fmt.day(when) if when else "", STYLES.cell),
                m.cell(line.amount),
            ]
        )
    total = sum((line.amount for line in lines), Decimal(0))
    rows.append([C(total_label, STYLES.cell, bold=True), "", "", m.cell(total, bold=True)])
    refs = [wording.reference(line) for line in lines]
    need: list[float | None] = [
        min(max(_need(refs), width * 0.12), width * 0.22),
        None,
        width * 0.13,
        max(_need([m(x.amount) for x in lines]), _need([m(total)], bold=True), width * 0.13),
    ]
    table = Table(rows, colWidths=_columns(width, need, (1,)), repeatRows=1)
    table.setStyle(_grid_style(("SPAN", (0, -1), (2, -1)), *_total_row_style()))
    out: list[Flowable] = [CondPageBreak(1.0 * inch), P(title, STYLES.section)]
    if note:  # said once for the section, not on every line
        out += [P(note, STYLES.muted), Spacer(1, 3)]
    return [*out, table]


def _opening(statement: Statement, m: _Money, width: float) -> list[Flowable]:
    """The opening balance carried into the first month ICMDesk pays, as such."""
    o = statement.opening
    assert o is not None
    data = [
        [C(label, STYLES.cell), C(value, STYLES.cell_right)]
        for label, value in wording.opening_rows(o, m)
    ]
    table = Table(data, colWidths=[width * 0.6, width * 0.2], hAlign="LEFT")
    table.setStyle(
        TableStyle(
            [
                ("LEFTPADDING", (0, 0), (-1, -1), 4),
                ("TOPPADDING", (0, 0), (-1, -1), 2.5),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 2.5),
                ("LINEBELOW", (0, 0), (-1, -1), 0.25, RULE),
            ]
        )
    )
    return [
        KeepTogether(
            [
                P(wording.opening_title(o), STYLES.section),
                table,
                Spacer(1, 3),
                P(wording.opening_note(o), STYLES.muted),
            ]
        )
    ]


def _draw_reconciliation(statement: Statement, m: _Money, width: float) -> list[Flowable]:
    data = [
        [C(label, STYLES.cell, bold=bold), m.cell(amount, bold=bold)]
        for label, amount, bold in wording.reconciliation(statement)
    ]
    table = Table(data, colWidths=[width * 0.45, width * 0.2], hAlign="LEFT")
    payout_row = wording.RECONCILIATION_PAYOUT_ROW
    table.setStyle(
        TableStyle(
            [
                ("LEFTPADDING", (0, 0), (-1, -1), 4),
                ("TOPPADDING", (0, 0), (-1, -1), 2.5),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 2.5),
                ("LINEBELOW", (0, 0), (-1, -1), 0.25, RULE),
                ("LINEABOVE", (0, payout_row), (-1, payout_row), 0.8, INK),
                ("BACKGROUND", (0, payout_row), (-1, payout_row), ACCENT_LIGHT),
            ]
        )
    )
    note = markup(wording.reconciliation_note(statement, m))
    return [
        KeepTogether(
            [P("Draw reconciliation", STYLES.section), table, Spacer(1, 3), PM(note, STYLES.muted)]
        )
    ]


def _awaiting(statement: Statement, m: _Money, width: float) -> list[Flowable]:
    rows: list[list[Any]] = [
        [
            C("Deal", STYLES.head),
            C("Customer", STYLES.head),
            C("Closed", STYLES.head),
            C("Booked", STYLES.head_right),
            C("Earned to date", STYLES.head_right),
            C("Awaiting payment", STYLES.head_right),
        ]
    ]
    for a in statement.awaiting:
        customer = markup(a.customer)
        source = wording.awaiting_source(a)
        if source:  # a manager's override: whose credit it is on
            customer += f'<br/><font color="{MUTED.hexval()}" size="7">{markup(source)}</font>'
        rows.append(
            [
                C(a.deal_id, STYLES.cell),
                PM(customer, STYLES.cell),
                C(fmt.day(a.close_date), STYLES.cell),
                m.cell(a.booked),
                m.cell(a.earned_to_date),
                m.cell(a.awaiting),
            ]
        )
    total = sum((a.awaiting for a in statement.awaiting), Decimal(0))
    rows.append(
        [
            C("Total awaiting payment (not paid this month)", STYLES.cell, bold=True),
            "",
            "",
            "",
            "",
            m.cell(total, bold=True),
        ]
    )
    table = Table(
        rows, colWidths=[width * w for w in (0.12, 0.3, 0.12, 0.15, 0.15, 0.16)], repeatRows=1
    )
    table.setStyle(_grid_style(("SPAN", (0, -1), (4, -1)), *_total_row_style()))
    return [
        CondPageBreak(1.0 * inch),
        P(wording.AWAITING_TITLE, STYLES.section),
        P(wording.AWAITING_NOTE, STYLES.muted),
        Spacer(1, 3),
        table,
    ]


def _two_column(
    rows: Sequence[tuple[Any, Any]], widths: Sequence[float], *, pad: float = 2.5
) -> Table:
    """Label and value rows under hairlines, the house look of the small tables."""
    table = Table([list(r) for r in rows], colWidths=list(widths), hAlign="LEFT")
    table.setStyle(
        TableStyle(
            [
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("LEFTPADDING", (0, 0), (-1, -1), 4),
                ("TOPPADDING", (0, 0), (-1, -1), pad),
                ("BOTTOMPADDING", (0, 0), (-1, -1), pad),
                ("LINEBELOW", (0, 0), (-1, -1), 0.25, RULE),
            ]
        )
    )
    return table


def _plan_terms(statement: Statement, m: _Money, width: float) -> list[Flowable]:
    """The plan's rules in force, so a rep can check the lines against them."""
    rows = wording.plan_terms(statement, m)
    if not rows:
        return []
    # Reference matter, set small and tight: a one-page statement stays on one page.
    style = STYLES.cell.clone("terms", fontSize=7.2, leading=8.6)
    table = _two_column(
        [(C(label, style, bold=True), PM(markup(text), style)) for label, text in rows],
        (width * 0.2, width * 0.8),
        pad=1.2,
    )
    return [KeepTogether([P(wording.plan_terms_title(statement), STYLES.section), table])]


def _help(company: Company, statement: Statement, width: float) -> Flowable:
    cells: list[list[Any]] = []
    ask = wording.questions(statement, company.payouts)
    if ask:
        cells.append([P(ask, STYLES.small, bold=True)])
    cells.append([P(company.statement_help_text, STYLES.muted)])
    box = Table(cells, colWidths=[width])
    box.setStyle(
        TableStyle(
            [
                ("BACKGROUND", (0, 0), (-1, -1), SHADE),
                ("LEFTPADDING", (0, 0), (-1, -1), 8),
                ("RIGHTPADDING", (0, 0), (-1, -1), 8),
                ("TOPPADDING", (0, 0), (-1, -1), 6),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 6),
            ]
        )
    )
    return box


def statement_part(company: Company, statement: Statement, *, generated: date) -> Part:
    """The flowables and footer of one statement, for a PDF of its own or a combined one."""
    width = content_width(company)
    m = _Money(company.currency)
    story: list[Flowable] = [
        letterhead(company, width, "Commission Statement", month_name(statement.month)),
        Spacer(1, 10),
        _identity(statement, width),
        Spacer(1, 8),
        _summary(statement, m, width, company.payouts),
    ]
    if statement.opening is not None:
        story += _opening(statement, m, width)
    story += _attainment(statement, m, width)
    story += _deal_table(statement, m, width)
    story += _tiers(statement, m, width)
    for kind, title, total_label in wording.SECTIONS:
        lines = statement.lines_of(kind)
        if lines:
            story += _other_section(kind, title, total_label, lines, m, width)
    story += _draw_reconciliation(statement, m, width)
    if statement.awaiting:
        story += _awaiting(statement, m, width)
    story += _plan_terms(statement, m, width)
    story += [Spacer(1, 8), _help(company, statement, width)]
    return Part(
        story=story,
        footer_left=f"{statement.rep_name} · {month_name(statement.month)}",
        generated=generated,
        draft=not statement.closed,
        content_hash=statement.content_hash if statement.closed else None,
    )


def render_statement(
    company: Company, statement: Statement, *, generated: date | None = None
) -> bytes:
    """The statement PDF's bytes; `generated` (default today) is printed in the footer."""
    part = statement_part(company, statement, generated=generated or date.today())
    return build_pdf(
        [part],
        pagesize=page_size(company),
        title=f"Commission statement {statement.month} — {statement.rep_name}",
        author=company.name,
    )
