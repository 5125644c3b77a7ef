"""Issue 15, the last points: the fiscal year to date beside a quarter's attainment, tiers
of an earlier quota period named with it, a true-up cut by the cap says so, and the
clawback policy said once per section."""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from decimal import Decimal

from icmdesk.domain.calendar import Month
from icmdesk.domain.money import D
from icmdesk.domain.statement import LineKind, Statement, YearToDate
from icmdesk.domain.statement_codec import content_hash, statement_from_dict, statement_to_dict
from icmdesk.models.database import CompanyFile
from icmdesk.reports import fmt, render_statement, wording
from icmdesk.reports.statement_html import statement_html
from icmdesk.services import periods
from icmdesk.services.records import get_company
from tests.reports import factories as f
from tests.reports.pdftext import flat
from tests.reports.test_statement_html import text_of

GENERATED = date(2026, 11, 2)


def usd(amount: Decimal) -> str:
    return fmt.money(amount, "USD")


def one(cf: CompanyFile, month: Month, rep: str) -> Statement:
    return next(s for s in periods.compute(cf, month) if s.rep_name == rep)


def both(cf: CompanyFile, s: Statement) -> list[str]:
    """The statement's text as the PDF and the screen give it."""
    company = get_company(cf)
    return [
        flat(render_statement(company, s, generated=GENERATED)),
        text_of(statement_html(s, company.currency)),
    ]


def test_a_quarterly_quota_shows_the_fiscal_year_to_date_against_the_quotas_so_far(
    demo: CompanyFile,
) -> None:
    may = one(demo, Month(2026, 5), "Daniel Reyes")
    march = one(demo, Month(2026, 3), "Daniel Reyes")  # the end of FY2026 Q1
    assert march.quota == may.quota == D("300000.00")
    y = may.year_to_date
    assert y == YearToDate(
        fiscal_year="FY2026",
        span="Jan–Jun 2026",
        quota_periods=2,
        counted=march.credited_to_date + may.credited_to_date,
        quota=D("600000.00"),
        attainment_pct=((march.credited_to_date + may.credited_to_date) / 6000).quantize(D("0.01")),
    )
    rows, note = wording.year_to_date(may, usd)
    assert rows[2] == ("YTD attainment", fmt.percent(y.attainment_pct))
    assert note == (
        "Year to date (YTD) adds up what was counted in your 2 quarterly quota periods of "
        f"FY2026 so far ({usd(y.counted)}) and measures it against their quotas, this one in "
        "full ($600,000.00), not against the quota periods still to come."
    )
    for text in both(demo, may):
        assert f"{fmt.percent(y.attainment_pct)}" in text
        assert "FY2026 · Jan–Jun 2026" in text
        assert note in text
    # Hired in Q2: only the quarters the rep had count.
    tomas = one(demo, Month(2026, 10), "Tomás Lindqvist").year_to_date
    assert tomas is not None and tomas.quota_periods == 3 and tomas.span == "Apr–Dec 2026"
    assert tomas.quota == 3 * D("180000.00")
    # A yearly quota is its own year to date: nothing added, nothing stored.
    maya = one(demo, Month(2026, 5), "Maya Okafor")
    assert maya.year_to_date is None and "year_to_date" not in statement_to_dict(maya)
    assert wording.year_to_date(maya, usd) == ([], "")
    assert statement_from_dict(statement_to_dict(may)) == may


def test_the_year_to_date_is_left_out_of_the_json_when_absent() -> None:
    old = f.statement(2)
    assert content_hash(old) == content_hash(replace(old, year_to_date=None))
    y = YearToDate("FY2026", "Jan–Mar 2026", 1, D("61000.00"), D("150000.00"), D("40.67"))
    d = statement_to_dict(replace(old, year_to_date=y))
    assert d["year_to_date"]["attainment_pct"] == "40.67"
    assert statement_from_dict(d) == replace(old, year_to_date=y)


def test_a_payment_in_a_later_quarter_names_the_tier_of_the_quarter_it_was_rated_in(
    demo: CompanyFile,
) -> None:
    priya = one(demo, Month(2026, 10), "Priya Natarajan")
    (line,) = [x for x in priya.lines if x.deal_id == "D-1277"]
    assert line.quota_period == "FY2026 Q3" and priya.quota_period_label.startswith("FY2026 Q4")
    assert wording.deal_rule(line).startswith("tier 2 (100–125%) of FY2026 Q3 at 8%")
    for text in both(demo, priya):
        assert "tier 2 (100–125%) of FY2026 Q3 at 8%" in text
    # Lines booked in their own quota period carry nothing, so their JSON is as before.
    booked = [x for x in one(demo, Month(2026, 5), "Daniel Reyes").lines if x.deal_id]
    assert booked and all(x.quota_period is None for x in booked)
    d = statement_to_dict(one(demo, Month(2026, 5), "Daniel Reyes"))
    assert not any("quota_period" in x for x in d["lines"])
    split = replace(line, rule="$1.00 in tier 1 (0–100%) at 6% + $2.00 in tier 2 (100–125%) at 8%")
    assert wording.rule_of(split) == (
        "$1.00 in tier 1 (0–100%) of FY2026 Q3 at 6% + "
        "$2.00 in tier 2 (100–125%) of FY2026 Q3 at 8%"
    )


def test_a_true_up_cut_by_the_cap_states_the_cap_and_what_it_took_off(
    demo: CompanyFile,
) -> None:
    maya = one(demo, Month(2026, 9), "Maya Okafor")
    (line,) = maya.lines_of(LineKind.TRUE_UP)
    working = (
        "$333,402.18 counted before this deal × 6% = $20,004.13, capped at $20,000.00 per "
        "quota period (the cap takes off $4.13) − $13,336.09 already earned on it = $6,663.91"
    )
    assert wording.working(line, usd).startswith(working)
    for text in both(demo, maya):
        assert working in text
    # Under no cap, nothing is said of one.
    uncapped = replace(line, commission_after=D("20004.13"))
    assert "cap" not in wording.working(uncapped, usd)


def engine_clawback(k: int, policy: str) -> object:
    return replace(
        f.clawback_line(),
        deal_id=f"D-09{k}",
        rule=f"{policy}, factor (120 − 77) / 120 = 43/120",
    )


def test_the_clawback_policy_is_said_once_per_section() -> None:
    lines = tuple(engine_clawback(k, "prorated clawback within 120 days") for k in (1, 2, 3))
    st = f.statement(1, extra=lines)  # type: ignore[arg-type]
    note = wording.section_note(LineKind.CLAWBACK, st.lines_of(LineKind.CLAWBACK))
    assert note == (
        "Clawback policy (prorated): a deal cancelled within 120 days of its close gives back "
        "what it earned × the share of the 120-day window left."
    )
    for text in (
        flat(render_statement(f.company(), st, generated=GENERATED)),
        text_of(statement_html(st, "USD")),
    ):
        section = text[text.index("Clawbacks") : text.index("Total clawbacks")]
        assert section.count("Clawback policy") == 1 and note in section
        assert "clawback within" not in section
        assert section.count("43/120") == 3  # each line keeps its own factor
    # Two policies (two plan versions): each line keeps its own.
    mixed = (*lines[:1], engine_clawback(4, "full clawback within 90 days"))
    assert wording.section_note(LineKind.CLAWBACK, mixed) == ""  # type: ignore[arg-type]
    st = f.statement(1, extra=mixed)  # type: ignore[arg-type]
    text = flat(render_statement(f.company(), st, generated=GENERATED))
    assert "prorated clawback within 120 days" in text and "full clawback within 90 days" in text
