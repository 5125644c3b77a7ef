"""Issue 15's smaller points: the attained label near the quota, a negative month without
a draw said plainly, an override clawback's notice, one date style on clawback lines, and
a manager's awaiting rows naming whose credit each is on."""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import date

import pytest

from icmdesk.domain.engine.earnings import AWAITING_OVERRIDE
from icmdesk.domain.money import D
from icmdesk.domain.statement import LineKind
from icmdesk.reports import fmt, render_notice, render_statement, wording
from icmdesk.reports.statement_html import statement_html
from tests.reports import factories as f
from tests.reports.pdftext import flat
from tests.reports.test_statement_html import text_of

GENERATED = date(2026, 4, 2)


def usd(amount) -> str:  # type: ignore[no-untyped-def]
    return fmt.money(amount, "USD")


@pytest.mark.parametrize("pct", ["96", "99.2", "100", "101.5", "104", "47.42", "230"])
def test_the_attained_label_stays_beside_the_quota_mark(pct: str) -> None:
    st = replace(f.statement(1), attainment_pct=D(pct))
    text = flat(render_statement(f.company(), st, generated=GENERATED))
    assert f"attained {fmt.percent(D(pct))}" in text
    assert "quota 100%" in text


def test_a_negative_month_without_a_draw_is_said_plainly() -> None:
    st = f.statement(0, extra=(f.clawback_line(),))
    assert st.earnings < 0 and st.draw == 0 and st.payout == 0
    note = wording.reconciliation_note(st, usd)
    assert note == (
        "Earnings this month are negative (-$80.63: clawbacks and adjustments exceed what "
        "was earned), and there is no draw, so there is no payout this month ($0.00). The "
        "$80.63 is carried as a balance you owe, recovered from future earnings."
    )
    assert "the draw" not in note.replace("no draw", "")
    assert note in flat(render_statement(f.company(), st, generated=GENERATED))


def test_an_override_clawback_notice_says_whose_credit_it_was_on() -> None:
    n = replace(f.notice(rep_name="Maya Okafor"), source_rep="Sam Ortega", source_split_pct=D(60))
    text = flat(render_notice(f.company(), n, generated=GENERATED))
    assert (
        "Re: clawback of your manager override on deal D-0917 (Initech), Sam Ortega's credit"
        in text
    )
    assert "clawback window of Sam Ortega's plan" in text
    assert "of the manager override you earned on Sam Ortega's 60% credit is recovered" in text
    assert "Your earnings on it manager override on Sam Ortega's 60% credit" in text
    own = flat(render_notice(f.company(), f.notice(), generated=GENERATED))
    assert "Re: clawback of commission on deal D-0917 (Initech)" in own
    assert "Sam Ortega" not in own and "Your earnings on it" not in own


def test_clawback_lines_write_dates_one_way() -> None:
    st = f.statement(1, extra=(f.clawback_line(),))  # "cancelled 2026-03-16" as stored
    (line,) = st.lines_of(LineKind.CLAWBACK)
    assert "2026-03-16" in line.description
    for text in (
        flat(render_statement(f.company(), st, generated=GENERATED)),
        text_of(statement_html(st, "USD")),
    ):
        clawbacks = text[text.index("Clawbacks") : text.index("Total clawbacks")]
        assert not re.search(r"\d{4}-\d\d-\d\d", clawbacks), clawbacks
        assert "cancelled Mar 16, 2026" in clawbacks


def test_a_managers_awaiting_rows_name_the_report() -> None:
    a = f.awaiting_line(0)
    rows = (
        replace(
            a, description=f"Booked · Deal D-3000 · {AWAITING_OVERRIDE}Zoë O'Brien's credit · …"
        ),
        replace(
            a, description=f"Booked · Deal D-3000 · {AWAITING_OVERRIDE}Priya Natarajan's credit"
        ),
        a,
    )
    st = f.statement(1, awaiting=rows)
    assert [wording.awaiting_source(r) for r in rows] == [
        "override on Zoë O'Brien's credit",
        "override on Priya Natarajan's credit",
        "",
    ]
    for text in (
        flat(render_statement(f.company(), st, generated=GENERATED)),
        text_of(statement_html(st, "USD")),
    ):
        assert "override on Zoë O'Brien's credit" in text
        assert "override on Priya Natarajan's credit" in text
