"""Issue 15, what a rep checks their statement against: the plan terms box, the month's
commission by tier with the effective rate, and whom to ask by when."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import date

from icmdesk.domain.calendar import Month
from icmdesk.domain.money import D
from icmdesk.domain.statement import (
    PlanTerms,
    Statement,
    StatementLine,
    TermBonus,
    TermMultiplier,
    TermSpif,
)
from icmdesk.domain.statement_codec import (
    canonical_json,
    content_hash,
    statement_from_dict,
    statement_to_dict,
)
from icmdesk.models.database import CompanyFile
from icmdesk.reports import fmt, render_statement, wording
from icmdesk.reports.statement_html import statement_html
from icmdesk.services import periods
from tests.reports import factories as f
from tests.reports.pdftext import flat
from tests.reports.test_statement_html import text_of

GENERATED = date(2026, 4, 2)
TERMS = PlanTerms(
    tier_mode="marginal",
    quota_period="quarter",
    payout_trigger="booking",
    clawback_window_days=120,
    clawback_method="prorated",
    cap=D("60000.00"),
    multipliers=(TermMultiplier("renewal", D(50)),),
    bonuses=(TermBonus(D(100), D("1500.00")),),
    spifs=(
        TermSpif(
            "Q1 new-logo push",
            D("250.00"),
            date(2026, 1, 1),
            date(2026, 3, 31),
            D("5000"),
            ("new",),
        ),
    ),
)


def usd(amount) -> str:  # type: ignore[no-untyped-def]
    return fmt.money(amount, "USD")


def test_the_plan_terms_box_states_every_rule_applied() -> None:
    s = replace(
        f.statement(2, draw=D("2000.00"), draw_kind="recoverable"),
        terms=TERMS,
        recovery_pct=D(50),
    )
    rows = dict(wording.plan_terms(s, usd))
    assert rows["Rate table"] == (
        "0% to 100% of quota: 8%; 100% to 125% of quota: 10%; 125% and above of quota: 12%"
    )
    assert rows["Tier mode"].startswith("marginal: each part")
    assert rows["Cap"] == "commission at most $60,000.00 per quarterly quota period"
    assert rows["Deal-type multipliers"] == "renewal deals count at 50%"
    assert rows["Attainment bonuses"] == (
        "$1,500.00 on reaching 100% of quota, once per quota period"
    )
    assert rows["SPIFs this month"] == (
        "Q1 new-logo push: $250.00 per new deal of at least $5,000.00 closed Jan 1, 2026 to "
        "Mar 31, 2026"
    )
    assert rows["Draw"] == (
        "$2,000.00 a month, recoverable; at most 50% of earnings above the draw repays a "
        "balance owed"
    )
    assert rows["Clawback policy"].startswith("prorated: a deal cancelled within 120 days")
    pdf = flat(render_statement(f.company(), s, generated=GENERATED))
    screen = text_of(statement_html(s, "USD"))
    title = "Plan terms applied (AE Standard 2026, v2 from 2026-01-01)"
    for text in (pdf, screen):
        assert title in text
        for label, words in rows.items():
            assert f"{label} {words}" in text, label
    # A statement stored before it carried its terms shows no box (and no empty one).
    assert "Plan terms" not in flat(render_statement(f.company(), f.statement(2)))


def test_the_terms_are_left_out_of_the_json_when_absent_and_read_back_when_present() -> None:
    old = f.statement(2)
    assert "terms" not in statement_to_dict(old)
    assert content_hash(old) == content_hash(replace(old, terms=None))
    new = replace(old, terms=TERMS)
    d = json.loads(canonical_json(new))
    assert d["terms"]["multipliers"] == [{"deal_type": "renewal", "multiplier_pct": "50"}]
    assert "override_rate_pct" not in d["terms"]
    assert statement_from_dict(d) == new


def test_the_engine_carries_the_version_in_force(demo: CompanyFile) -> None:
    statements = periods.compute(demo, Month(2026, 6))
    daniel = next(s for s in statements if s.rep_name == "Daniel Reyes")
    assert daniel.terms is not None
    assert daniel.terms.tier_mode == "marginal"
    assert [s.name for s in daniel.terms.spifs] == ["Q2 2026 new-logo SPIF"]
    maya = next(s for s in statements if s.rep_name == "Maya Okafor")
    assert maya.terms is not None and maya.terms.tier_mode == "retroactive"
    assert maya.terms.override_rate_pct is not None
    for s in statements:
        assert statement_from_dict(statement_to_dict(s)) == s


def worked(counted_before: str, counted: str, amount: str) -> StatementLine:
    return replace(
        f.worked_line(),
        amount=D(amount),
        credited_amount=D(counted),
        split_pct=D(100),
        deal_amount=D(counted),
        deal_type="new",
        multiplier_pct=D(100),
        counted_amount=D(counted),
        counted_before=D(counted_before),
        rate_pct=None,
        booked=D(amount),
    )


def tiered() -> Statement:
    """Quota $150,000 with tiers 8% / 10% from 100% / 12% from 125%: the first deal takes
    X from $140,000 to $160,000 ($10,000 at 8%, $10,000 at 10%), the second to $190,000
    ($27,500 at 10%, $2,500 at 12%)."""
    lines = (worked("140000.00", "20000.00", "1800.00"), worked("160000.00", "30000.00", "3050.00"))
    return replace(f.statement(0, extra=lines), terms=TERMS)


def test_commission_by_tier_and_the_effective_rate() -> None:
    s = tiered()
    rows, counted, total = wording.tier_subtotals(s)
    assert rows == [
        ("tier 1 (0%–100%)", D("10000.00"), D(8), D("800.00")),
        ("tier 2 (100%–125%)", D("37500.00"), D(10), D("3750.00")),
        ("tier 3 (125% and above)", D("2500.00"), D(12), D("300.00")),
    ]
    assert (counted, total) == (D("50000.00"), D("4850.00"))
    rate = "Effective rate this month: $4,850.00 commission on $50,000.00 counted = 9.7%."
    assert wording.effective_rate(s, counted, total, usd) == rate
    pdf = flat(render_statement(f.company(), s, generated=GENERATED))
    screen = text_of(statement_html(s, "USD"))
    for text in (pdf, screen):
        assert "Commission by tier this month" in text
        assert "tier 2 (100%–125%) $37,500.00 10% $3,750.00" in text
        assert rate in text


def test_rounding_on_the_running_total_is_its_own_row() -> None:
    s = tiered()
    lines = (worked("140000.00", "20000.00", "1800.01"), *s.lines[1:])
    rows, _, total = wording.tier_subtotals(replace(s, lines=lines))
    assert rows[-1] == (
        "rounding and cap on the quota period's running total",
        None,
        None,
        D("0.01"),
    )
    assert sum(r[3] for r in rows) == total


def test_a_flat_rate_or_cash_payments_make_no_tier_table() -> None:
    flat_plan = replace(tiered(), tier_marks=f.statement(0).tier_marks[:1])
    assert wording.tier_subtotals(flat_plan)[0] == []
    cash = replace(tiered(), lines=(replace(f.worked_line(), paid_to_date=D("1.00")),))
    assert wording.tier_subtotals(cash)[0] == []


def test_questions_line_with_its_deadline_on_pdf_and_screen() -> None:
    company = f.company()
    company = replace(
        company,
        payouts=replace(
            company.payouts, questions_contact="payroll@northbeam.example", questions_days=5
        ),
    )
    s = f.statement(1)
    ask = (
        "Questions or disputes about this statement: write to payroll@northbeam.example by "
        "April 20, 2026."
    )
    assert ask in flat(render_statement(company, s, generated=GENERATED))
    assert ask in text_of(statement_html(s, "USD", company.payouts))
    # No contact: no line.
    assert "Questions or disputes" not in flat(render_statement(f.company(), s))


def test_the_engine_names_whose_credit_a_managers_awaiting_override_is_on(
    demo: CompanyFile,
) -> None:
    maya = next(s for s in periods.compute(demo, Month(2026, 8)) if s.rep_name == "Maya Okafor")
    both = [a for a in maya.awaiting if a.deal_id == "D-1217"]
    assert sorted(wording.awaiting_source(a) for a in both) == [
        "override on Priya Natarajan's credit",
        "override on Zoë O'Brien's credit",
    ]
