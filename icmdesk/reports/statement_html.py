"""The statement as HTML for the screen: the same content as the PDF, section for section.

The Periods view shows this in a rich-text browser, so what is reviewed before a close is
what the rep receives. It uses the PDF's words (reports.wording) and only the HTML that
Qt's rich text draws (tables, bold, small type); no colours of its own, so it follows the
light or dark palette it is shown in.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from html import escape

from icmdesk.domain.calendar import Month, month_name
from icmdesk.domain.entities import PayoutSettings
from icmdesk.domain.statement import ClawbackNotice, LineKind, Statement, StatementLine
from icmdesk.reports import fmt, wording


def statement_html(
    statement: Statement, currency: str, payouts: PayoutSettings | None = None
) -> str:
    """The whole statement as one HTML document; with the company's payout settings, the
    questions-and-disputes line the PDF prints."""
    s = statement

    def m(amount: Decimal) -> str:
        return fmt.money(amount, currency)

    parts = [
        f"<h2>Commission statement · {_e(month_name(s.month))}</h2>",
        _pairs(wording.identity(s)),
        _summary(s, m),
    ]
    if s.opening is not None:
        parts += [
            _h(wording.opening_title(s.opening)),
            _table(
                [],
                [[_e(label), _right(value)] for label, value in wording.opening_rows(s.opening, m)],
            ),
            _note(wording.opening_note(s.opening)),
        ]
    parts.append(_h("Quota and attainment"))
    if s.quota is None or s.attainment_pct is None:
        parts.append(f"<p>{_e(wording.no_quota(s, m))}</p>")
    else:
        parts.append(
            _pairs(
                [
                    ("Quota", m(s.quota)),
                    ("Credited to date", m(s.credited_to_date)),
                    ("Attainment", fmt.percent(s.attainment_pct)),
                    ("Quota period", s.quota_period_label),
                    *wording.year_to_date(s, m)[0],
                ]
            )
        )
        ytd_note = wording.year_to_date(s, m)[1]
        if ytd_note:
            parts.append(_note(ytd_note))
    parts += _deals(s, m)
    tiers, counted, total = wording.tier_subtotals(s)
    if tiers:
        rows: list[Sequence[str | _Right | _Span]] = [
            [
                _e(name),
                _right(m(amount) if amount is not None else ""),
                _right(fmt.percent(rate) if rate is not None else ""),
                _right(m(commission)),
            ]
            for name, amount, rate, commission in tiers
        ]
        rows.append(
            [_bold("Total"), _right(m(counted), bold=True), "", _right(m(total), bold=True)]
        )
        head = ["Tier", "Counted in tier", "Rate", "Commission"]
        parts += [
            _h(wording.TIER_TITLE),
            _table(head, rows, right=(1, 2, 3)),
            _note(wording.effective_rate(s, counted, total, m)),
        ]
    for kind, title, total_label in wording.SECTIONS:
        lines = s.lines_of(kind)
        if lines:
            parts += _section(kind, title, total_label, lines, m)
    parts += [
        _h("Draw reconciliation"),
        _table(
            [],
            [
                [_bold(_e(label), bold), _right(m(amount), bold=bold)]
                for label, amount, bold in wording.reconciliation(s)
            ],
        ),
        _note(wording.reconciliation_note(s, m)),
    ]
    if s.awaiting:
        parts += _awaiting(s, m)
    terms = wording.plan_terms(s, m)
    if terms:
        parts += [_h(wording.plan_terms_title(s)), _pairs(terms)]
    if s.notices:
        parts += _notices(s.notices, m)
    ask = wording.questions(s, payouts) if payouts is not None else ""
    if ask:
        parts.append(f"<p><b>{_e(ask)}</b></p>")
    if s.closed and s.content_hash:
        parts.append(_note(f"Closed statement · content hash {s.content_hash}"))
    return "\n".join(parts)


def _summary(s: Statement, m: wording.Money) -> str:
    cells = [f"{_e(label)}<br><b>{_e(m(amount))}</b>" for label, amount in wording.summary(s)]
    rows = [cells[:3], cells[3:]]
    body = "".join("<tr>" + "".join(f"<td>{c}</td>" for c in row) + "</tr>" for row in rows)
    payout = (
        f'<td rowspan="2" valign="middle">NET PAYOUT<br>'
        f'<span style="font-size: x-large; font-weight: bold">{_e(m(s.payout))}</span><br>'
        f"<small>to be paid for {_e(month_name(s.month))}</small></td>"
    )
    body = body.replace("</tr>", payout + "</tr>", 1)
    return f'<table border="1" cellspacing="0" cellpadding="6" width="100%">{body}</table>'


def _deals(s: Statement, m: wording.Money) -> list[str]:
    lines = s.lines_of(LineKind.COMMISSION)
    out = [_h("Deals — commission")]
    if not lines:
        return [*out, _note("No deal commission this month.")]
    rows: list[Sequence[str | _Right | _Span]] = []
    for line in lines:
        rows.append(
            [
                _e(line.deal_id or "—"),
                _e(line.customer or ""),
                _e(fmt.day(line.close_date) if line.close_date else ""),
                _right(m(line.credited_amount) if line.credited_amount is not None else ""),
                _right(fmt.percent(line.split_pct) if line.split_pct is not None else ""),
                _e(wording.deal_rule(line)),
                _right(m(line.amount)),
            ]
        )
        how = wording.working(line, m)
        if how:  # under the row, across the columns before the amount, as the PDF has it
            rows.append([_Span(f"<small>{_e(how)}</small>", 6), ""])
    total = sum((line.amount for line in lines), Decimal(0))
    n = len(lines)
    label = _bold(f"Total commission ({n} line{'s' if n != 1 else ''})")
    rows.append([label, "", "", "", "", "", _right(m(total), bold=True)])
    head = ["Deal", "Customer", "Closed", "Credited", "Split", "Rate / tier", "Commission"]
    return [*out, _table(head, rows, right=(3, 4, 6))]


def _section(
    kind: LineKind,
    title: str,
    total_label: str,
    lines: Sequence[StatementLine],
    m: wording.Money,
) -> list[str]:
    rows = []
    note = wording.section_note(kind, lines)
    for line in lines:
        description, extra = wording.detail(line, m, policy_said=bool(note))
        when = line.earned_on or line.close_date
        text = _e(description)
        if extra:
            text += "<br><small>" + _e(" · ".join(extra)) + "</small>"
        how = wording.working(line, m)
        if how:
            text += "<br><small>" + _e(how) + "</small>"
        rows.append(
            [
                _e(wording.reference(line)),
                text,
                _e(fmt.day(when) if when else ""),
                _right(m(line.amount)),
            ]
        )
    total = sum((line.amount for line in lines), Decimal(0))
    rows.append([_bold(_e(total_label)), "", "", _right(m(total), bold=True)])
    head = ["Month" if kind is LineKind.PRIOR_PERIOD else "Deal", "Detail", "Date", "Amount"]
    return [_h(title), *([_note(note)] if note else []), _table(head, rows, right=(3,))]


def _awaiting(s: Statement, m: wording.Money) -> list[str]:
    rows = [
        [
            _e(a.deal_id),
            _e(a.customer)
            + (
                f"<br><small>{_e(wording.awaiting_source(a))}</small>"
                if wording.awaiting_source(a)
                else ""
            ),
            _e(fmt.day(a.close_date)),
            _right(m(a.booked)),
            _right(m(a.earned_to_date)),
            _right(m(a.awaiting)),
        ]
        for a in s.awaiting
    ]
    total = sum((a.awaiting for a in s.awaiting), Decimal(0))
    label = _bold("Total awaiting payment (not paid this month)")
    rows.append([label, "", "", "", "", _right(m(total), bold=True)])
    head = ["Deal", "Customer", "Closed", "Booked", "Earned to date", "Awaiting payment"]
    return [
        _h(wording.AWAITING_TITLE),
        _note(wording.AWAITING_NOTE),
        _table(head, rows, right=(3, 4, 5)),
    ]


def _notices(notices: Sequence[ClawbackNotice], m: wording.Money) -> list[str]:
    out = [_h("Clawback notices")]
    for n in notices:
        what = (
            f"override on {n.source_rep}'s {fmt.percent(n.source_split_pct)} credit"
            if n.source_rep and n.source_split_pct is not None
            else "commission"
        )
        facts = [
            ("Deal", f"{n.deal_id} ({n.customer}), {m(n.deal_amount)}"),
            ("Closed, cancelled", f"{fmt.day(n.close_date)}, {fmt.day(n.cancellation_date)}"),
            ("Reason", n.reason or "—"),
            (
                "Policy",
                f"{n.method} clawback within {n.window_days} days; cancelled "
                f"{n.days_after_close} days after the close; factor {n.factor_text}",
            ),
            ("Earned on it", f"{m(n.originally_earned)} ({what})"),
            ("Clawed back", m(n.clawed_back)),
        ]
        dated = Month.of(n.cancellation_date)
        if dated < n.month:
            facts.append(
                (
                    "How",
                    f"dated in {month_name(dated)}, already closed: part of this month's "
                    "prior-period adjustment for it",
                )
            )
        out.append(_pairs(facts))
    return out


def _h(text: str) -> str:
    return f"<h3>{_e(text)}</h3>"


def _note(text: str) -> str:
    return f"<p><small>{_e(text)}</small></p>"


def _e(text: str) -> str:
    return escape(text, quote=False)


def _bold(html: str, bold: bool = True) -> str:
    return f"<b>{html}</b>" if bold else html


@dataclass(frozen=True, slots=True)
class _Right:
    """A right-aligned cell (an amount)."""

    html: str


@dataclass(frozen=True, slots=True)
class _Span:
    """A cell (HTML) spanning `columns` columns."""

    html: str
    columns: int


def _right(text: str, *, bold: bool = False) -> _Right:
    return _Right(_bold(_e(text), bold))


def _pairs(items: Sequence[tuple[str, str]]) -> str:
    rows = "".join(
        f"<tr><td>{_e(label)}</td><td><b>{_e(value)}</b></td></tr>" for label, value in items
    )
    return f'<table cellspacing="0" cellpadding="2">{rows}</table>'


def _table(
    head: Sequence[str],
    rows: Sequence[Sequence[str | _Right | _Span]],
    right: Sequence[int] = (),
) -> str:
    """A table of cells (HTML; `_right` cells are right-aligned)."""
    out = ['<table cellspacing="0" cellpadding="3" width="100%">']
    if head:
        cells = "".join(
            f'<th align="{"right" if i in right else "left"}">{_e(h)}</th>'
            for i, h in enumerate(head)
        )
        out.append(f"<tr>{cells}</tr>")
    for row in rows:
        cells = [
            # An amount is never broken over two lines ("€30,000.0" / "0").
            f'<td align="right" style="white-space: nowrap">{cell.html}</td>'
            if isinstance(cell, _Right)
            else f'<td colspan="{cell.columns}">{cell.html}</td>'
            if isinstance(cell, _Span)
            else f"<td>{cell}</td>"
            for cell in row
        ]
        out.append("<tr>" + "".join(cells) + "</tr>")
    out.append("</table>")
    return "".join(out)
