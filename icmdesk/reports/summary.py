"""The owner's one-page (or few-page) summary of a month's statements, with totals."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from decimal import Decimal
from typing import Any

from reportlab.platypus import Flowable, Spacer, Table, TableStyle

from icmdesk.domain.calendar import Month, month_name
from icmdesk.domain.entities import Company
from icmdesk.domain.statement import Statement
from icmdesk.reports import fmt
from icmdesk.reports.fonts import string_width
from icmdesk.reports.layout import (
    INK,
    MUTED,
    NEGATIVE,
    RULE,
    SHADE,
    STYLES,
    C,
    P,
    Part,
    content_width,
    letterhead,
)

COLUMNS = ("Earned (E)", "Draw", "Recovery", "Payout", "Balance after")


def summary_part(
    company: Company, month: Month, statements: Sequence[Statement], *, generated: date
) -> Part:
    """Every rep's E, draw, recovery, payout and balance after, and the month's totals."""
    width = content_width(company)

    def cell(amount: Decimal, *, bold: bool = False) -> Any:
        color = NEGATIVE if amount < 0 else None
        return C(fmt.money(amount, company.currency), STYLES.cell_right, bold=bold, color=color)

    rows: list[list[Any]] = [
        [C("Rep", STYLES.head), C("Payroll ID", STYLES.head)]
        + [C(c, STYLES.head_right) for c in COLUMNS]
    ]
    ordered = sorted(statements, key=lambda s: (s.rep_name.casefold(), s.rep_id))
    for s in ordered:
        rows.append(
            [
                C(s.rep_name, STYLES.cell),
                C(s.payroll_id or "—", STYLES.cell),
                cell(s.earnings),
                cell(s.draw),
                cell(s.recovery),
                cell(s.payout, bold=True),
                cell(s.balance_after),
            ]
        )

    def total(attr: str) -> Decimal:
        return sum((getattr(s, attr) for s in statements), Decimal("0.00"))

    rows.append(
        [
            C(f"Total ({len(statements)} reps)", STYLES.cell, bold=True),
            "",
            cell(total("earnings"), bold=True),
            cell(total("draw"), bold=True),
            cell(total("recovery"), bold=True),
            cell(total("payout"), bold=True),
            cell(total("balance_after"), bold=True),
        ]
    )
    # Money columns as wide as their widest figure (a figure never wraps); the rep's name
    # and payroll id share what is left.
    figures = [
        [fmt.money(getattr(s, attr), company.currency) for s in statements]
        + [fmt.money(total(attr), company.currency)]
        for attr in ("earnings", "draw", "recovery", "payout", "balance_after")
    ]
    need = [
        max(
            max((string_width(t, 8, bold=True) for t in texts), default=0),
            string_width(head, 7.5, bold=True),
        )
        + 9
        for texts, head in zip(figures, COLUMNS, strict=True)
    ]
    rest = max(width - sum(need), 0)
    widths = [rest * 0.68, rest * 0.32, *need]
    table = Table(rows, colWidths=widths, repeatRows=1)
    table.setStyle(
        TableStyle(
            [
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("LEFTPADDING", (0, 0), (-1, -1), 4),
                ("RIGHTPADDING", (0, 0), (-1, -1), 4),
                ("LINEBELOW", (0, 0), (-1, 0), 0.8, MUTED),
                ("LINEBELOW", (0, 1), (-1, -2), 0.25, RULE),
                ("LINEABOVE", (0, -1), (-1, -1), 0.8, INK),
                ("BACKGROUND", (0, -1), (-1, -1), SHADE),
                ("SPAN", (0, -1), (1, -1)),
            ]
        )
    )
    notices = sum(len(s.notices) for s in statements)
    open_count = sum(1 for s in statements if not s.closed)
    status = (
        "All statements are closed."
        if not open_count
        else f"{open_count} of {len(statements)} statements are drafts: the period is open."
    )
    story: list[Flowable] = [
        letterhead(company, width, "Commission Summary", month_name(month)),
        Spacer(1, 10),
        P(
            f"{len(statements)} statements, {notices} clawback notices. {status} "
            "Payout is what payroll pays each rep this month.",
            STYLES.small,
        ),
        Spacer(1, 8),
        table,
    ]
    return Part(
        story=story,
        footer_left=f"Commission summary · {month_name(month)}",
        generated=generated,
        draft=open_count > 0,
    )
