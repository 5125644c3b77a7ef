"""The on-screen statement says what the PDF says: section for section, line for line."""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import date
from html.parser import HTMLParser

from icmdesk.domain.calendar import Month
from icmdesk.domain.statement import StatementOpening
from icmdesk.reports import fmt, render_statement
from icmdesk.reports.statement_html import statement_html
from icmdesk.reports.wording import SECTIONS, reconciliation_note
from tests.reports import factories as f
from tests.reports.pdftext import flat


class _Text(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.parts: list[str] = []

    def handle_data(self, data: str) -> None:
        self.parts.append(data)


def text_of(html: str) -> str:
    parser = _Text()
    parser.feed(html)
    return re.sub(r"\s+", " ", " ".join(parser.parts))


def rich():  # type: ignore[no-untyped-def]
    s = f.rich_statement(awaiting=(f.awaiting_line(0), f.awaiting_line(1)))
    return replace(
        s,
        opening=StatementOpening(
            books_start=Month(2026, 3),
            balance_owed=f.D("1250.00"),
            ytd_earnings=f.D("4000.00"),
            counted=f.D("61000.00"),
            bonuses_paid="100%",
            quota_period_label="FY2026 Q1 (Jan–Mar 2026)",
        ),
    )


def test_everything_on_the_pdf_is_on_the_screen() -> None:
    s = rich()
    company = f.company()
    pdf = flat(render_statement(company, s, generated=date(2026, 4, 2)))
    screen = text_of(statement_html(s, company.currency))
    shared = [
        "Net payout".upper(),
        "Draw reconciliation",
        "Quota and attainment",
        "Deals — commission",
        "Opening balance at the books start (March 2026)",
        "Booked, awaiting payment",
        "Commission on these deals is earned as the customer pays",
        reconciliation_note(s, lambda a: fmt.money(a, company.currency)),
    ]
    shared += [title for kind, title, _total in SECTIONS if s.lines_of(kind)]
    shared += [a.deal_id for a in s.awaiting]
    for line in s.lines:
        shared.append(line.deal_id or "")
    for expected in shared:
        assert expected in pdf, expected
        assert expected in screen, expected
    # Every line's own words (the PDF may wrap them; the screen keeps them whole), dates
    # written as the rest of the statement writes them.
    from icmdesk.reports.wording import dates_for_people

    for line in s.lines:
        if line.kind.value != "commission":
            assert dates_for_people(line.description) in screen
    # And the clawback notice's facts, which the PDF gives on its own letter.
    notice = s.notices[0]
    assert notice.factor_text in screen and notice.reason in screen


def test_text_from_the_data_is_escaped() -> None:
    s = f.statement(1, rep_name="<b>Ann & Co</b>", customer="<script>x</script>")
    html = statement_html(s, "USD")
    assert "<script>" not in html and "&lt;script&gt;" in html
    assert "&lt;b&gt;Ann &amp; Co&lt;/b&gt;" in html


def test_the_screen_shows_each_lines_working_as_the_pdf_does() -> None:
    """Issue 15: the on-screen statement carries the same working lines as the PDF."""
    from icmdesk.reports.wording import working

    worked = f.worked_line()
    s = f.statement(1, extra=(worked,))
    company = f.company()
    how = working(worked, lambda a: fmt.money(a, "USD"))
    assert how == (
        "$10,000.00 credited = 50% of $20,000.00 · renewal counted at 50% = $5,000.00 · "
        "× 8% = $400.00"
    )
    pdf = flat(render_statement(company, s, generated=date(2026, 4, 2)))
    screen = text_of(statement_html(s, company.currency))
    assert how in pdf
    assert how in screen
    # Under its own row: the deal, then its working, then the next row's total.
    assert screen.index("D-4100") < screen.index(how) < screen.index("Total commission")
