"""The clawback notice: a letter to the rep explaining one clawback and how it is recovered."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from reportlab.platypus import Flowable, KeepTogether, Spacer, Table, TableStyle

from icmdesk.domain.calendar import Month, month_name
from icmdesk.domain.entities import Company
from icmdesk.domain.statement import ClawbackNotice
from icmdesk.reports import fmt
from icmdesk.reports.fonts import markup
from icmdesk.reports.layout import (
    ACCENT_LIGHT,
    INK,
    PM,
    RULE,
    STYLES,
    C,
    P,
    Part,
    build_pdf,
    content_width,
    letterhead,
    page_size,
)


def _facts(rows: list[tuple[str, str]], width: float, *, highlight: int | None = None) -> Table:
    """A two-column table of label and value, the value in the rep's words and figures."""
    data = [[C(label, STYLES.cell), PM(value, STYLES.cell)] for label, value in rows]
    table = Table(data, colWidths=[width * 0.34, width * 0.66], hAlign="LEFT")
    style: list[tuple[Any, ...]] = [
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("LEFTPADDING", (0, 0), (-1, -1), 4),
        ("TOPPADDING", (0, 0), (-1, -1), 3),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 3),
        ("LINEBELOW", (0, 0), (-1, -1), 0.25, RULE),
        ("LINEABOVE", (0, 0), (-1, 0), 0.8, INK),
    ]
    if highlight is not None:
        style.append(("BACKGROUND", (0, highlight), (-1, highlight), ACCENT_LIGHT))
    table.setStyle(TableStyle(style))
    return table


def notice_part(company: Company, notice: ClawbackNotice, *, generated: date) -> Part:
    """The flowables and footer of one clawback notice."""
    width = content_width(company)
    n = notice

    def m(amount: Decimal) -> str:
        return markup(fmt.money(amount, company.currency))

    period = month_name(n.month)
    method = "full" if n.method == "full" else "prorated"
    method_text = (
        "full: the whole amount earned on the deal is recovered"
        if method == "full"
        else "prorated: the share of the window still to run when the deal was cancelled"
    )
    deal = f"{markup(n.deal_id)} ({markup(n.customer)})"
    override_rows: list[tuple[str, str]] = []
    if n.source_rep:
        # A manager's override: say it is on another rep's credit, whose policy applies.
        split = f"{fmt.percent(n.source_split_pct)} " if n.source_split_pct is not None else ""
        source = markup(n.source_rep)
        earned = f"override on {source}'s {split}credit"
        subject = f"clawback of your manager override on deal {deal}, {source}'s credit"
        what = f"the manager override you earned on {source}'s {split}credit"
        whose = f"{source}'s plan (an override follows the policy of the credit it is on)"
        override_rows = [
            (
                "Your earnings on it",
                f"manager override on {source}'s {split}credit (the deal is {source}'s, not yours)",
            )
        ]
    else:
        earned = "commission"
        subject = f"clawback of commission on deal {deal}"
        what = "the commission you earned on it"
        whose = "your plan"
    dated = Month.of(n.cancellation_date)
    if dated < n.month:
        # A cancellation dated in a month already closed: it is recovered through this
        # month's prior-period adjustment for that month.
        recovered = (
            f"is recovered in your {period} statement, as part of its prior-period "
            f"adjustment for {month_name(dated)} (that month was already closed when the "
            "cancellation was recorded; the window counts from its real date)"
        )
        how = (
            f"The clawback is part of the prior-period adjustment line for {month_name(dated)} "
            f"in your statement for {period}, so it reduces that month's earnings; where "
            "earnings fall below your draw, the shortfall is carried as a balance and repaid "
            "from future earnings above the draw."
        )
    else:
        recovered = f"is recovered in your {period} statement"
        how = (
            "The clawback appears as a negative line in your statement for the month, so it "
            "reduces that month's earnings; where earnings fall below your draw, the shortfall "
            "is carried as a balance and repaid from future earnings above the draw."
        )
    story: list[Flowable] = [
        letterhead(company, width, "Clawback Notice", period),
        Spacer(1, 10),
        P(fmt.long_day(generated), STYLES.body),
        Spacer(1, 6),
        PM(f"To: <b>{markup(n.rep_name)}</b>", STYLES.body),
        Spacer(1, 6),
        PM(f"<b>Re: {subject}</b>", STYLES.body),
        Spacer(1, 6),
        PM(f"Dear {markup(n.rep_name)},", STYLES.body),
        Spacer(1, 6),
        PM(
            f"Deal {deal}, which closed on {fmt.long_day(n.close_date)}, was cancelled on "
            f"{fmt.long_day(n.cancellation_date)}, {n.days_after_close} days after it closed. "
            f"Because this is within the {n.window_days}-day clawback window of {whose}, "
            f"{m(n.clawed_back)} of {what} {recovered}. The details are below.",
            STYLES.body,
        ),
        P("The deal", STYLES.section),
        _facts(
            [
                ("Deal", markup(n.deal_id)),
                ("Customer", markup(n.customer)),
                ("Deal amount", m(n.deal_amount)),
                ("Close date", fmt.long_day(n.close_date)),
                ("Cancellation date", fmt.long_day(n.cancellation_date)),
                ("Days after close", str(n.days_after_close)),
                ("Reason", markup(n.reason or "—")),
                *override_rows,
            ],
            width,
        ),
        P("The clawback", STYLES.section),
        _facts(
            [
                ("Clawback window", f"{n.window_days} days after the close date"),
                ("Method", method_text),
                ("Factor", markup(n.factor_text)),
                (
                    "Originally earned on this deal",
                    m(n.originally_earned) + (f" ({earned})" if n.source_rep else ""),
                ),
                (
                    "Amount clawed back",
                    f"<b>{m(n.clawed_back)}</b> = {m(n.originally_earned)} × "
                    f"{markup(n.factor_text)}, rounded to the cent",
                ),
            ],
            width,
            highlight=4,
        ),
        P(f"How it is recovered ({period})", STYLES.section),
        _facts(
            [
                ("Earnings this month (E), with the clawback in it", m(n.period_earnings)),
                ("Payout this month", f"<b>{m(n.payout)}</b>"),
                ("Balance owed before", m(n.balance_before)),
                ("Balance owed after", m(n.balance_after)),
            ],
            width,
            highlight=1,
        ),
        Spacer(1, 6),
        P(how, STYLES.muted),
        Spacer(1, 14),  # one page: the acknowledgement fits under an override's longer text
        KeepTogether(_acknowledgement(n, width)),
    ]
    return Part(
        story=story,
        footer_left=f"{n.rep_name} · Clawback notice {n.deal_id} · {period}",
        generated=generated,
    )


def _acknowledgement(n: ClawbackNotice, width: float) -> list[Flowable]:
    text = P(
        "I acknowledge that I have received this notice and understand how the amount above "
        "is recovered.",
        STYLES.body,
    )
    sign = Table(
        [["", "", ""], [C(n.rep_name, STYLES.small), "", C("Date", STYLES.small)]],
        colWidths=[width * 0.55, width * 0.1, width * 0.35],
        rowHeights=[30, None],
    )
    sign.setStyle(
        TableStyle(
            [
                ("LINEBELOW", (0, 0), (0, 0), 0.8, INK),
                ("LINEBELOW", (2, 0), (2, 0), 0.8, INK),
                ("LEFTPADDING", (0, 0), (-1, -1), 0),
            ]
        )
    )
    return [text, Spacer(1, 6), sign]


def render_notice(
    company: Company, notice: ClawbackNotice, *, generated: date | None = None
) -> bytes:
    """The clawback notice PDF's bytes; `generated` (default today) dates the letter."""
    part = notice_part(company, notice, generated=generated or date.today())
    return build_pdf(
        [part],
        pagesize=page_size(company),
        title=f"Clawback notice {notice.deal_id} — {notice.rep_name}",
        author=company.name,
    )
