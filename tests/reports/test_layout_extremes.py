"""Issue 15, item 4: statements with real-world extremes lay out without collisions.

18-character deal ids, $99,999,999.99 amounts, 33.3333% splits and 300-character names:
read back word boxes (`pdftotext -bbox`), no two words on a page overlap, and every
amount, percentage and deal id is one word (never broken across lines).
"""

from __future__ import annotations

import html
import re
import subprocess
from dataclasses import replace
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest

from icmdesk.domain.money import D
from icmdesk.domain.statement import LineKind, Statement, StatementLine
from icmdesk.reports import render_statement
from icmdesk.reports.fmt import money
from icmdesk.reports.layout import build_pdf, page_size
from icmdesk.reports.summary import summary_part
from tests.reports import factories as f
from tests.reports.pdftext import NO_PDFTOTEXT

pytestmark = pytest.mark.skipif(NO_PDFTOTEXT, reason="needs pdftotext")

BIG = D("99999999.99")
IDS = ("0065g00000AbCdEfGH", "OPP-2026-000123", "D-1")
LONG_NAME = ("Bartholomew-Featherstonehaugh Worldwide Holdings " * 7)[:300]
WORD = re.compile(
    r'<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">(.*?)</word>'
)


def words(data: bytes, tmp: Path) -> list[list[tuple[float, float, float, float, str]]]:
    path = tmp / "out.pdf"
    path.write_bytes(data)
    out = subprocess.run(
        ["pdftotext", "-bbox", str(path), "-"], check=True, capture_output=True, text=True
    ).stdout
    pages = []
    for page in out.split("<page ")[1:]:
        pages.append(
            [
                (float(a), float(b), float(c), float(d), html.unescape(t))
                for a, b, c, d, t in WORD.findall(page)
            ]
        )
    return pages


def line(k: int, deal_id: str) -> StatementLine:
    amount = BIG if k % 2 else D("33333333.33")
    return StatementLine(
        kind=LineKind.COMMISSION,
        amount=amount,
        description=f"Deal {deal_id}",
        deal_id=deal_id,
        customer=LONG_NAME if k == 0 else "Acme",
        close_date=date(2026, 3, 1 + k),
        credited_amount=BIG,
        split_pct=D("33.3333"),
        rule="tier 1 (0–100%) at 6%",
        earned_on=date(2026, 3, 1 + k),
        deal_amount=BIG,
        multiplier_pct=D(100),
        counted_amount=BIG,
        booked=amount,
        rate_pct=D(6),
    )


def extreme_statement() -> Statement:
    lines = tuple(line(k, IDS[k % len(IDS)]) for k in range(6))
    clawback = replace(f.clawback_line(), amount=-BIG, deal_id=IDS[0], customer=LONG_NAME)
    # Closed: no diagonal watermark, whose rotated letters read back as stray words.
    base = f.statement(0, extra=(*lines, clawback), rep_name=LONG_NAME, closed=True)
    return replace(base, draw=BIG, balance_before=BIG, recovery=BIG, payout=BIG, balance_after=BIG)


def overlaps(page: list[tuple[float, float, float, float, str]]) -> list[tuple[str, str]]:
    bad = []
    boxes = sorted(page)
    for i, a in enumerate(boxes):
        for b in boxes[i + 1 :]:
            if b[0] >= a[2] - 0.5:
                break
            if a[1] < b[3] - 0.5 and b[1] < a[3] - 0.5:
                bad.append((a[4], b[4]))
    return bad


def check(data: bytes, tmp: Path, whole: list[str]) -> None:
    pages = words(data, tmp)
    texts = [w[4] for page in pages for w in page]
    for page in pages:
        assert not overlaps(page), overlaps(page)[:5]
    # A figure broken across lines reads back as pieces: every word that starts like an
    # amount or a percentage is a whole one.
    pieces = [t for t in texts if re.match(r"^-?\$\d", t) or re.match(r"^[\d.]+%?$", t)]
    broken = [
        t for t in pieces if not re.fullmatch(r"-?\$[\d,]+\.\d\d[),.;:]*|[\d.,]+%?[),.;:]*|\d+", t)
    ]
    assert not broken, broken
    for token in whole:
        assert token in texts, (token, [t for t in texts if token[:4] in t][:5])


def test_a_statement_with_extreme_values_has_no_collisions(tmp_path: Path) -> None:
    data = render_statement(f.company(), extreme_statement(), generated=date(2026, 4, 2))
    check(data, tmp_path, ["$99,999,999.99", "-$99,999,999.99", "33.3333%", *IDS])


def test_a_summary_with_extreme_values_has_no_collisions(tmp_path: Path) -> None:
    company = f.company()
    st = extreme_statement()
    many = [replace(st, rep_id=i, rep_name=f"{LONG_NAME[:40]} {i}") for i in range(12)]
    part = summary_part(company, st.month, many, generated=date(2026, 4, 2))
    data = build_pdf([part], pagesize=page_size(company), title="t", author="a")
    total = money(BIG * 12, "USD")
    check(data, tmp_path, ["$99,999,999.99", total])
    assert Decimal(total.strip("$").replace(",", "")) == BIG * 12
