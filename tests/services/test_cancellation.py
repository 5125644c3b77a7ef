"""Cancelling a deal: the preview is exactly what the cancellation then posts."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

import pytest

from icmdesk.domain.calendar import Month, QuotaPeriod
from icmdesk.domain.entities import (
    Assignment,
    Company,
    Credit,
    Deal,
    Plan,
    PlanVersion,
    Rep,
    Tier,
)
from icmdesk.domain.errors import ValidationError
from icmdesk.domain.money import D
from icmdesk.domain.statement import LineKind
from icmdesk.models.database import CompanyFile
from icmdesk.services import cancellation, company_io, deal_table, periods, records, store


def deal_named(cf: CompanyFile, external_id: str) -> Deal | None:
    """The stored deal with this CRM id (through the deals table's search)."""
    rows = deal_table.deal_page(cf, search=external_id, limit=1000)
    found = [r.id for r in rows if r.external_id == external_id]
    return records.get_deal(cf, found[0]) if found else None


def clawbacks(cf: CompanyFile, month: Month) -> list[tuple[str, object]]:
    return [
        (s.rep_name, line)
        for s in periods.compute(cf, month)
        for line in s.lines
        if line.kind is LineKind.CLAWBACK
    ]


def test_preview_saves_nothing_and_equals_the_lines_posted_after_confirming(
    acme_split_deal: CompanyFile,
) -> None:
    deal = deal_named(acme_split_deal, "D-1")
    assert deal is not None
    preview = cancellation.preview_cancellation(
        acme_split_deal, deal.id, date(2026, 2, 15), "churned"
    )
    assert [line.amount for line in preview] == [D("-600.00"), D("-400.00")]
    assert records.get_deal(acme_split_deal, deal.id).cancellation_date is None
    assert clawbacks(acme_split_deal, Month(2026, 2)) == []

    stored = cancellation.cancel_deal(acme_split_deal, deal.id, date(2026, 2, 15), "churned")
    assert (stored.cancellation_date, stored.cancellation_reason) == (date(2026, 2, 15), "churned")
    assert tuple(line for _rep, line in clawbacks(acme_split_deal, Month(2026, 2))) == preview


def test_a_cancellation_outside_the_window_claws_nothing_back(acme_split_deal: CompanyFile) -> None:
    deal = deal_named(acme_split_deal, "D-1")
    assert deal is not None
    assert (
        cancellation.preview_cancellation(acme_split_deal, deal.id, date(2026, 6, 1), "late") == ()
    )


def test_refusals_come_with_their_field(acme_split_deal: CompanyFile) -> None:
    deal = deal_named(acme_split_deal, "D-1")
    assert deal is not None
    with pytest.raises(ValidationError) as e:
        cancellation.preview_cancellation(acme_split_deal, deal.id, date(2026, 1, 5), " ")
    assert {p.field for p in e.value.problems} == {"cancellation_date", "cancellation_reason"}
    with pytest.raises(ValidationError):
        cancellation.cancel_deal(acme_split_deal, deal.id, date(2026, 1, 5), "oops")
    assert records.get_deal(acme_split_deal, deal.id).cancellation_date is None


def test_a_cancellation_dated_in_a_closed_month_keeps_its_date_and_posts_in_the_first_open(
    acme_split_deal: CompanyFile, tmp_path: Path
) -> None:
    deal = deal_named(acme_split_deal, "D-1")
    assert deal is not None
    periods.close(acme_split_deal, Month(2026, 1), backup_dir=tmp_path / "b")
    on = date(2026, 1, 20)
    assert cancellation.posting_month(acme_split_deal, on) == Month(2026, 2)
    assert cancellation.posting_month(acme_split_deal, date(2026, 3, 1)) == Month(2026, 3)
    preview = cancellation.preview_cancellation(acme_split_deal, deal.id, on, "oops")
    assert [line.amount for line in preview] == [D("-600.00"), D("-400.00")]
    cancellation.cancel_deal(acme_split_deal, deal.id, on, "oops")
    assert records.get_deal(acme_split_deal, deal.id).cancellation_date == on
    february = periods.compute(acme_split_deal, Month(2026, 2))
    assert [
        (s.rep_name, [str(line.amount) for line in s.lines], [n.clawed_back for n in s.notices])
        for s in february
    ] == [
        ("Ana Lee", ["-600.00"], [D("600.00")]),
        ("Bo Chen", ["-400.00"], [D("400.00")]),
    ]


def test_on_the_demo_company_a_split_deal_preview_is_what_gets_posted(tmp_path: Path) -> None:
    cf = company_io.write_demo(tmp_path / "demo.icmdesk")
    try:
        rows = deal_table.deal_page(cf, limit=5000)
        row = next(r for r in rows if r.cancellation_date is None and "·" in r.credits)
        deal = records.get_deal(cf, row.id)
        on = deal.close_date + timedelta(days=30)
        preview = cancellation.preview_cancellation(cf, deal.id, on, "customer went bankrupt")
        assert preview and all(line.amount < 0 for line in preview)
        assert {line.deal_id for line in preview} == {deal.external_id}
        cancellation.cancel_deal(cf, deal.id, on, "customer went bankrupt")
        posted = tuple(
            line
            for s in periods.compute(cf, Month.of(on))
            for line in s.lines
            if line.kind is LineKind.CLAWBACK and line.deal_id == deal.external_id
        )
        assert posted == preview
    finally:
        cf.close()


def test_the_preview_rates_the_deal_on_the_quarter_before_it_and_reads_only_that(
    tmp_path: Path,
) -> None:
    """Tiers run on the rep's quarter to date: the preview reads the deals of the quarter
    up to the cancelled one that credit its reps (not the company's other deals), and
    claws back what the full computation then posts."""
    cf = records.create_company_file(tmp_path / "tiers.icmdesk", Company("Tiers Ltd"))
    tiered = PlanVersion(
        date(2026, 1, 1),
        (Tier(D(0), D(5)), Tier(D(50), D(10))),
        quota_period=QuotaPeriod.QUARTER,
        quota=D("100000.00"),
    )
    plan = records.save_plan(cf, Plan("Tiered", (tiered,)))
    ana = records.save_rep(cf, Rep("Ana Lee", date(2026, 1, 1)))
    bo = records.save_rep(cf, Rep("Bo Chen", date(2026, 1, 1)))
    for rep in (ana, bo):
        records.save_assignment(cf, Assignment(rep.id, plan.id, date(2026, 1, 1)))
    for ext, amount, day, rep in (
        ("D-1", "40000.00", date(2026, 1, 15), ana),
        ("D-2", "30000.00", date(2026, 2, 3), bo),
        ("D-3", "25000.00", date(2026, 2, 20), ana),
        ("D-4", "45000.00", date(2026, 3, 2), ana),
    ):
        records.save_deal(
            cf, Deal(ext, "Globex", D(amount), day, credits=(Credit(rep.id, D(100)),))
        )
    deal = deal_named(cf, "D-3")
    assert deal is not None
    with cf.session() as session:
        context = store.load_deal_context(session, deal.id)
    assert [d.external_id for d in context.deals] == ["D-1", "D-3"]
    on = date(2026, 3, 20)
    preview = cancellation.preview_cancellation(cf, deal.id, on, "churned")
    # D-3 took Ana from $40,000 to $65,000: $10,000 at 5% + $15,000 at 10% = $2,000.00.
    assert [line.amount for line in preview] == [D("-2000.00")]
    cancellation.cancel_deal(cf, deal.id, on, "churned")
    assert tuple(line for _rep, line in clawbacks(cf, Month(2026, 3))) == preview
    cf.close()


def test_a_cancellation_dated_after_today_is_refused(acme_split_deal: CompanyFile) -> None:
    deal = deal_named(acme_split_deal, "D-1")
    assert deal is not None
    today = date(2026, 2, 4)
    for attempt in (
        lambda: cancellation.preview_cancellation(
            acme_split_deal, deal.id, date(2026, 2, 10), "x", today=today
        ),
        lambda: cancellation.cancel_deal(
            acme_split_deal, deal.id, date(2026, 2, 10), "x", today=today
        ),
    ):
        with pytest.raises(ValidationError) as e:
            attempt()
        assert [(p.field, p.message) for p in e.value.problems] == [
            (
                "cancellation_date",
                "The cancellation date 2026-02-10 is after today (2026-02-04): record a "
                "cancellation once it has happened.",
            )
        ]
    assert records.get_deal(acme_split_deal, deal.id).cancellation_date is None
    cancellation.cancel_deal(
        acme_split_deal, deal.id, today, "x", today=today
    )  # today itself is fine


def test_a_deal_is_cancelled_once_and_the_service_says_so(acme_split_deal: CompanyFile) -> None:
    deal = deal_named(acme_split_deal, "D-1")
    assert deal is not None
    cancellation.cancel_deal(
        acme_split_deal, deal.id, date(2026, 2, 1), "churned", today=date(2026, 3, 1)
    )
    with pytest.raises(ValidationError) as refused:
        cancellation.cancel_deal(
            acme_split_deal, deal.id, date(2026, 2, 20), "again", today=date(2026, 3, 1)
        )
    assert refused.value.problems[0].message == (
        "Deal D-1 was already cancelled on 2026-02-01: edit the deal to change its cancellation."
    )
    with pytest.raises(ValidationError):
        cancellation.preview_cancellation(acme_split_deal, deal.id, date(2026, 2, 20), "again")
    stored = records.get_deal(acme_split_deal, deal.id)
    assert (stored.cancellation_date, stored.cancellation_reason) == (date(2026, 2, 1), "churned")


def test_cancelling_is_one_unit_of_work(
    acme_split_deal: CompanyFile, monkeypatch: pytest.MonkeyPatch
) -> None:
    deal = deal_named(acme_split_deal, "D-1")
    assert deal is not None
    opened: list[object] = []
    real = CompanyFile.session

    def counted(self: CompanyFile):  # type: ignore[no-untyped-def]
        opened.append(self)
        return real(self)

    monkeypatch.setattr(CompanyFile, "session", counted)
    cancellation.cancel_deal(
        acme_split_deal, deal.id, date(2026, 2, 1), "churned", today=date(2026, 3, 1)
    )
    assert len(opened) == 1
