"""Statement PDFs read back: every line, total, balance and the payout, with the right figures."""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import date
from decimal import Decimal

import pytest

from icmdesk.domain.entities import PageSize
from icmdesk.domain.money import D
from icmdesk.domain.statement import LineKind, Statement
from icmdesk.reports import render_statement
from icmdesk.reports.fmt import money
from tests.reports import factories as f
from tests.reports.pdftext import flat, pages

GENERATED = date(2026, 4, 2)


def usd(amount: Decimal) -> str:
    return money(amount, "USD")


def render(st: Statement, **company: object) -> bytes:
    return render_statement(f.company(**company), st, generated=GENERATED)


def assert_figures(text: str, st: Statement) -> None:
    """Each line's amount, each section total, the draw table and the payout are printed."""
    for line in st.lines:
        assert usd(line.amount) in text, (line.description, usd(line.amount))
        if line.deal_id:
            assert line.deal_id in text
    for kind in LineKind:
        lines = st.lines_of(kind)
        if lines:
            assert usd(sum((x.amount for x in lines), D(0))) in text, kind
    for label, amount in (
        ("Earned this month (E)", st.earnings),
        ("Draw for the month (D)", st.draw),
        ("Balance owed at the start of the month (B)", st.balance_before),
        ("Recovery of the balance (R)", st.recovery),
        ("Net payout", st.payout),
        ("Balance owed carried forward", st.balance_after),
    ):
        assert re.search(re.escape(label) + r".{0,40}?" + re.escape(usd(amount)), text), label
    assert f"NET PAYOUT {usd(st.payout)}" in text
    assert f"YEAR-TO-DATE EARNINGS {usd(st.ytd_earnings)}" in text


@pytest.mark.parametrize("n_deals", [0, 1, 40, 300])
def test_every_deal_line_and_total_is_printed(n_deals: int) -> None:
    st = f.statement(n_deals)
    data = render(st)
    text = flat(data)
    assert_figures(text, st)
    assert "Dana Whitfield" in text and "PR-0007" in text and "March 2026" in text
    assert "AE Standard 2026" in text and "v2 from 2026-01-01" in text
    if n_deals:
        total = sum((x.amount for x in st.lines), D(0))
        assert f"Total commission ({n_deals} line" in text
        assert usd(total) in text
    else:
        assert "No deal commission this month." in text


def test_three_hundred_lines_span_pages_and_repeat_the_header() -> None:
    st = f.statement(300)
    texts = pages(render(st))
    assert len(texts) > 3
    for i, page in enumerate(texts):
        assert f"Page {i + 1} of {len(texts)}" in page
    deal_pages = [p for p in texts if "D-1" in p]
    assert len(deal_pages) > 3
    for page in deal_pages:
        assert re.search(r"Deal\s+Customer\s+Closed\s+Credited\s+Split\s+Rate / tier", page)


def test_quota_attainment_and_tier_marks() -> None:
    st = f.statement(3)
    text = flat(render(st))
    assert f"QUOTA {usd(st.quota)}" in text  # type: ignore[arg-type]
    assert f"CREDITED TO DATE {usd(st.credited_to_date)}" in text
    assert f"ATTAINMENT {st.attainment_pct}%" in text
    assert "100% → 10%" in text and "125% → 12%" in text and "0% → 8%" in text


def test_rich_statement_shows_every_section_with_its_figures() -> None:
    st = f.rich_statement()
    text = flat(render(st))
    assert_figures(text, st)
    for title in (
        "Retroactive tier true-ups",
        "Attainment bonuses",
        "SPIFs",
        "Manager overrides",
        "Clawbacks",
        "Adjustments",
        "Prior-period adjustments",
    ):
        assert title in text
    assert "Retroactive tier true-up: earlier deals re-rated from 8% to 10%" in text
    assert "-$80.63" in text and "Total clawbacks -$80.63" in text
    assert "January 2026" in text and "-$312.40" in text  # prior period names its month
    assert "from Sam Ortega" in text


def test_sections_appear_only_when_present() -> None:
    text = flat(render(f.statement(2)))
    for title in ("true-ups", "Clawbacks", "SPIFs", "Prior-period", "Booked, awaiting payment"):
        assert title not in text


def test_draw_shortfall_pays_the_draw_and_grows_the_balance() -> None:
    st = f.statement(1, draw=D("3000.00"), draw_kind="recoverable", balance_before=D("100.00"))
    assert st.payout == D("3000.00") and st.balance_after > st.balance_before
    text = flat(render(st))
    assert_figures(text, st)
    shortfall = st.draw - st.earnings
    assert f"The shortfall adds {usd(shortfall)} to the balance you owe." in text
    assert "recoverable" in text


def test_termination_balance_forgiven_or_owed_shown_when_non_zero() -> None:
    st = replace(f.statement(1), balance_forgiven=D("700.00"))
    assert "Balance forgiven at termination $700.00" in flat(render(st))
    st = replace(f.statement(1), balance_owed_at_termination=D("650.25"))
    text = flat(render(st))
    assert "Balance owed at termination $650.25" in text and "forgiven" not in text


def test_cash_trigger_awaiting_lines() -> None:
    awaiting = (f.awaiting_line(0), f.awaiting_line(1))
    st = f.statement(0, extra=(f.cash_payment_line(),), awaiting=awaiting)
    text = flat(render(st))
    assert_figures(text, st)
    assert "Booked, awaiting payment" in text
    for a in awaiting:
        row = f"{a.deal_id} .*?{re.escape(usd(a.booked))} {re.escape(usd(a.earned_to_date))} "
        assert re.search(row + re.escape(usd(a.awaiting)), text)
    total = sum((a.awaiting for a in awaiting), D(0))
    assert f"Total awaiting payment (not paid this month) {usd(total)}" in text


def test_negative_money_is_formatted_consistently() -> None:
    text = flat(render(f.statement(0, extra=(f.adjustment_line(),))))
    assert "-$45.10" in text and "$-45.10" not in text and "(45.10)" not in text


@pytest.mark.parametrize("name", f.HOSTILE_NAMES)
def test_hostile_and_non_latin_names_render_as_written(name: str) -> None:
    st = f.statement(2, rep_name=name, customer=name)
    text = flat(render(st, name=name, address=f"{name}\n1 Main St"))
    assert text.count(name) >= 4  # letterhead, rep, customers, footer


def test_draft_watermark_and_closed_hash() -> None:
    draft = flat(render(f.statement(1)))
    assert "DRAFT — period open" in draft and "Content hash" not in draft
    closed_st = f.statement(1, closed=True)
    closed = flat(render(closed_st))
    assert "DRAFT" not in closed
    assert f"Content hash (closed period): {closed_st.content_hash}" in closed


def test_help_text_and_generated_date() -> None:
    text = flat(render(f.statement(1), statement_help_text="Questions? Ask Priya <ops@x.co>."))
    assert "Questions? Ask Priya <ops@x.co>." in text
    assert "Generated Apr 2, 2026" in text


def test_same_data_gives_byte_identical_pdfs(monkeypatch) -> None:  # type: ignore[no-untyped-def]
    import time

    st = f.rich_statement(rep_name="王芳")
    first = render(st)
    real = time.time
    monkeypatch.setattr(time, "time", lambda: real() + 400 * 86_400)  # a year later
    assert render(st) == first  # no clock, id or random salt in the bytes


def test_a4_and_letter_page_sizes() -> None:
    import io

    from pypdf import PdfReader

    letter = PdfReader(io.BytesIO(render(f.statement(1)))).pages[0].mediabox
    a4 = PdfReader(io.BytesIO(render(f.statement(1), page_size=PageSize.A4))).pages[0].mediabox
    assert (round(float(letter.width)), round(float(letter.height))) == (612, 792)
    assert (round(float(a4.width)), round(float(a4.height))) == (595, 842)


def test_logo_is_drawn_when_present() -> None:
    import io

    from pypdf import PdfReader

    png = _tiny_png()
    data = render(f.statement(1), logo_png=png)
    assert PdfReader(io.BytesIO(data)).pages[0].images


def _tiny_png() -> bytes:
    import struct
    import zlib

    def chunk(kind: bytes, body: bytes) -> bytes:
        return (
            struct.pack(">I", len(body))
            + kind
            + body
            + struct.pack(">I", zlib.crc32(kind + body) & 0xFFFFFFFF)
        )

    raw = b"".join(b"\x00" + b"\x1d\x4e\x89" * 4 for _ in range(2))
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", struct.pack(">IIBBBBB", 4, 2, 8, 2, 0, 0, 0))
        + chunk(b"IDAT", zlib.compress(raw))
        + chunk(b"IEND", b"")
    )
