"""Clawback notice PDFs read back: the deal, the policy, the arithmetic and the recovery."""

from __future__ import annotations

from datetime import date

import pytest

from icmdesk.reports import render_notice
from tests.reports import factories as f
from tests.reports.pdftext import flat

GENERATED = date(2026, 4, 2)


def test_notice_states_the_deal_policy_and_recovery() -> None:
    n = f.notice()
    text = flat(render_notice(f.company(), n, generated=GENERATED))
    for expected in (
        "Clawback Notice",
        "April 2, 2026",
        "To: Dana Whitfield",
        "Deal D-0917",
        "Customer Initech",
        "Deal amount $2,812.50",
        "Close date January 30, 2026",
        "Cancellation date April 17, 2026",
        "Days after close 77",
        "Reason Customer went out of business before go-live",
        "Clawback window 120 days after the close date",
        "prorated",
        "Factor (120 − 77) / 120 = 43/120",
        "Originally earned on this deal $225.00",
        "Amount clawed back $80.63 = $225.00 × (120 − 77) / 120 = 43/120",
        "Earnings this month (E), with the clawback in it $1,919.37",
        "Payout this month $1,500.00",
        "Balance owed before $300.00",
        "Balance owed after $0.00",
        "I acknowledge",
    ):
        assert expected in text, expected


def test_full_method_reads_as_full() -> None:
    from dataclasses import replace

    n = replace(f.notice(), method="full", factor_text="1", clawed_back=f.D("225.00"))
    text = flat(render_notice(f.company(), n, generated=GENERATED))
    assert "full: the whole amount" in text and "Amount clawed back $225.00" in text


@pytest.mark.parametrize("name", f.HOSTILE_NAMES)
def test_names_render_intact(name: str) -> None:
    text = flat(render_notice(f.company(), f.notice(rep_name=name), generated=GENERATED))
    assert f"To: {name}" in text and f"Dear {name}," in text


def test_notice_is_byte_identical_for_the_same_data() -> None:
    n = f.notice(rep_name="Łukasz Żółć")
    assert render_notice(f.company(), n, generated=GENERATED) == render_notice(
        f.company(), n, generated=GENERATED
    )


def test_a_cancellation_dated_in_a_closed_month_says_how_it_reaches_the_rep() -> None:
    from dataclasses import replace

    from icmdesk.domain.calendar import Month

    n = replace(f.notice(), month=Month(2026, 4), cancellation_date=date(2026, 3, 17))
    text = flat(render_notice(f.company(), n, generated=GENERATED))
    assert (
        "is recovered in your April 2026 statement, as part of its prior-period adjustment "
        "for March 2026 (that month was already closed when the cancellation was recorded; "
        "the window counts from its real date)"
    ) in text
    assert "part of the prior-period adjustment line for March 2026 in your statement" in text
    assert "appears as a negative line" not in text


def test_a_managers_notice_says_it_takes_back_an_override_on_a_reports_credit() -> None:
    from dataclasses import replace

    n = replace(f.notice(), source_rep="Leo Park", source_split_pct=f.D(60))
    text = flat(render_notice(f.company(), n, generated=GENERATED))
    assert "of the manager override you earned on Leo Park's 60% credit is recovered" in text
    assert "commission you earned" not in text
