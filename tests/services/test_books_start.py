"""A company adopting ICMDesk mid-life: the books start, opening balances, and closing
its first real month (COMP_RULES "Books start and opening balances")."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest

from icmdesk.domain.calendar import Month, QuotaPeriod
from icmdesk.domain.entities import (
    Assignment,
    AttainmentBonus,
    Company,
    Credit,
    Deal,
    OpeningBalance,
    Plan,
    PlanVersion,
    Rep,
    Tier,
)
from icmdesk.domain.errors import PeriodError, ValidationError
from icmdesk.domain.money import D
from icmdesk.models.database import CompanyFile
from icmdesk.services import company_io, periods, records

MARCH = Month(2026, 3)


@pytest.fixture
def acme_books_from_march(tmp_path: Path) -> Iterator[CompanyFile]:
    """Ana and Bo, hired in 2024, on a quarterly plan (quota $100,000, 5% then 10% from
    100%, a $1,000 bonus at 100%); the books start in March 2026."""
    cf = records.create_company_file(
        tmp_path / "acme.icmdesk", Company("Acme Ltd", books_start=MARCH)
    )
    version = PlanVersion(
        date(2024, 1, 1),
        (Tier(D(0), D(5)), Tier(D(100), D(10))),
        quota_period=QuotaPeriod.QUARTER,
        quota=D(100000),
        bonuses=(AttainmentBonus(D(100), D(1000)),),
    )
    plan = records.save_plan(cf, Plan("AE", (version,)))
    for name, hired in (("Ana Lee", date(2024, 2, 1)), ("Bo Chen", date(2024, 6, 1))):
        rep = records.save_rep(cf, Rep(name, hired))
        records.save_assignment(cf, Assignment(rep.id, plan.id, hired))
    yield cf
    cf.close()


def rep(cf: CompanyFile, name: str) -> Rep:
    with cf.session() as s:
        from icmdesk.services.store import load_company_data

        return next(r for r in load_company_data(s, deals=False).reps if r.name == name)


def test_the_first_month_to_close_is_the_books_start(
    acme_books_from_march: CompanyFile, tmp_path: Path
) -> None:
    ana = rep(acme_books_from_march, "Ana Lee")
    # A deal from before the books start earns nothing (and needs no plan: the assignment
    # is not asked for); the March deal continues Ana's quarter from her opening balance.
    records.save_deal(
        acme_books_from_march,
        Deal("D-0", "Old Co", D("50000.00"), date(2026, 2, 10), credits=(Credit(ana.id, D(100)),)),
    )
    records.save_deal(
        acme_books_from_march,
        Deal("D-1", "Globex", D("30000.00"), date(2026, 3, 9), credits=(Credit(ana.id, D(100)),)),
    )
    # Cy was paid outside ICMDesk and never had a plan recorded: his old deal is accepted.
    cy = records.save_rep(
        acme_books_from_march,
        Rep("Cy Young", date(2025, 1, 1), termination_date=date(2025, 12, 31)),
    )
    records.save_deal(
        acme_books_from_march,
        Deal("D-00", "Old Co", D("900.00"), date(2025, 6, 1), credits=(Credit(cy.id, D(100)),)),
    )
    records.save_opening_balances(
        acme_books_from_march,
        [OpeningBalance(ana.id, D("500.00"), D("4000.00"), D("80000.00"))],
    )
    assert periods.next_to_close(acme_books_from_march) == MARCH
    assert [p.month for p in periods.list_periods(acme_books_from_march)] == [MARCH]
    with pytest.raises(PeriodError, match="2026-02 cannot close: the books start is 2026-03"):
        periods.close(acme_books_from_march, Month(2026, 2), backup_dir=tmp_path / "b")
    assert periods.months_to_close(acme_books_from_march, MARCH) == [MARCH]

    statements = {
        s.rep_name: s
        for s in periods.close(acme_books_from_march, MARCH, backup_dir=tmp_path / "b")
    }
    ana_march = statements["Ana Lee"]
    # From $80,000 to $110,000: $2,000.00 commission and the $1,000.00 bonus; the $500.00
    # owed is recovered; YTD carries the $4,000.00 earned in January and February.
    assert [str(line.amount) for line in ana_march.lines] == ["2000.00", "1000.00"]
    assert (ana_march.balance_before, ana_march.payout, ana_march.ytd_earnings) == (
        D("500.00"),
        D("2500.00"),
        D("7000.00"),
    )
    assert ana_march.opening is not None and ana_march.opening.counted == D("80000.00")
    assert statements["Bo Chen"].opening is None and statements["Bo Chen"].earnings == 0

    # Both are part of what March's statements were closed on: locked now.
    with pytest.raises(ValidationError, match="cannot change once a month is closed"):
        records.save_opening_balances(acme_books_from_march, [])
    with pytest.raises(ValidationError, match="books start cannot change"):
        records.update_company(
            acme_books_from_march, Company("Acme Ltd", books_start=Month(2026, 1))
        )
    # The closed statement reads back the same, opening balance and all.
    assert periods.compute(acme_books_from_march, MARCH) == tuple(
        sorted(statements.values(), key=lambda s: s.rep_name)
    )


def test_opening_balances_are_checked_against_the_books_start(
    acme_books_from_march: CompanyFile,
) -> None:
    ana, bo = rep(acme_books_from_march, "Ana Lee"), rep(acme_books_from_march, "Bo Chen")
    with pytest.raises(ValidationError) as e:
        records.save_opening_balances(
            acme_books_from_march,
            [
                OpeningBalance(ana.id, D("-1.00"), bonuses_paid=(D(120),), counted=D(5)),
                OpeningBalance(bo.id, counted=D("0.001")),
            ],
        )
    assert [(p.field, p.message) for p in e.value.problems] == [
        (
            "opening_balances[0].balance_owed",
            "The balance owed cannot be negative (got -$1.00).",
        ),
        (
            "opening_balances[0].bonuses_paid",
            "120% is not an attainment bonus of Ana Lee's plan on 2026-03-01 (its thresholds: "
            "100%).",
        ),
        (
            "opening_balances[1].counted",
            "The amount counted toward quota must be a whole number of cents (got 0.001).",
        ),
    ]
    # A books start that begins a quarter leaves nothing counted before it in that quarter.
    records.update_company(acme_books_from_march, Company("Acme Ltd", books_start=Month(2026, 4)))
    with pytest.raises(ValidationError, match="quota period starts with the books start"):
        records.save_opening_balances(
            acme_books_from_march, [OpeningBalance(ana.id, counted=D("100.00"))]
        )
    # All zero is no opening balance at all.
    assert records.save_opening_balances(acme_books_from_march, [OpeningBalance(ana.id)]) == ()


def test_without_a_books_start_every_month_from_the_first_hire_closes_in_one_go(
    tmp_path: Path,
) -> None:
    cf = records.create_company_file(tmp_path / "old.icmdesk", Company("Old Hands Ltd"))
    try:
        plan = records.save_plan(
            cf, Plan("Flat", (PlanVersion(date(2024, 1, 1), (Tier(D(0), D(10)),)),))
        )
        ana = records.save_rep(cf, Rep("Ana Lee", date(2024, 1, 15)))
        records.save_assignment(cf, Assignment(ana.id, plan.id, date(2024, 1, 15)))
        records.save_deal(
            cf,
            Deal(
                "D-1", "Globex", D("1000.00"), date(2026, 3, 9), credits=(Credit(ana.id, D(100)),)
            ),
        )
        months = periods.months_to_close(cf, MARCH)
        assert (months[0], months[-1], len(months)) == (Month(2024, 1), MARCH, 27)
        seen: list[tuple[int, int]] = []
        backups = tmp_path / "Backups"
        closed = periods.close_through(
            cf, MARCH, backup_dir=backups, progress=lambda done, total: seen.append((done, total))
        )
        assert closed == months and seen[-1] == (27, 27) and len(seen) == 27
        assert len(list(backups.iterdir())) == 1  # one backup, not 27
        assert [str(line.amount) for s in periods.compute(cf, MARCH) for line in s.lines] == [
            "100.00"
        ]
        assert periods.next_to_close(cf) == Month(2026, 4)
    finally:
        cf.close()


def test_closing_through_a_month_is_all_or_nothing(tmp_path: Path) -> None:
    cf = records.create_company_file(tmp_path / "x.icmdesk", Company("X Ltd"))
    try:
        plan = records.save_plan(
            cf, Plan("Flat", (PlanVersion(date(2026, 1, 1), (Tier(D(0), D(10)),)),))
        )
        ana = records.save_rep(cf, Rep("Ana Lee", date(2026, 1, 1)))
        records.save_assignment(cf, Assignment(ana.id, plan.id, date(2026, 1, 1)))

        def fail_on_february(done: int, total: int) -> None:
            if done == 2:
                raise RuntimeError("disk full")

        with pytest.raises(RuntimeError):
            periods.close_through(cf, MARCH, backup_dir=tmp_path / "b", progress=fail_on_february)
        assert periods.next_to_close(cf) == Month(2026, 1)  # January's close was undone too
    finally:
        cf.close()


def test_the_books_start_travels_with_the_company_document(
    acme_books_from_march: CompanyFile, tmp_path: Path
) -> None:
    ana = rep(acme_books_from_march, "Ana Lee")
    records.save_opening_balances(
        acme_books_from_march, [OpeningBalance(ana.id, D("500.00"), counted=D("1.00"))]
    )
    copy = company_io.import_json(
        tmp_path / "copy.icmdesk", company_io.export_json(acme_books_from_march)
    )
    try:
        assert records.get_company(copy).books_start == MARCH
        assert records.opening_balances(copy) == (
            OpeningBalance(ana.id, D("500.00"), Decimal("0.00"), D("1.00")),
        )
    finally:
        copy.close()


def test_the_audit_log_counts_statements_in_good_english(tmp_path: Path) -> None:
    from icmdesk.services import audit_log

    cf = records.create_company_file(tmp_path / "one.icmdesk", Company("One Ltd"))
    try:
        plan = records.save_plan(
            cf, Plan("Flat", (PlanVersion(date(2026, 1, 1), (Tier(D(0), D(10)),)),))
        )
        ana = records.save_rep(cf, Rep("Ana Lee", date(2026, 1, 1)))
        records.save_assignment(cf, Assignment(ana.id, plan.id, date(2026, 1, 1)))
        periods.close(cf, Month(2026, 1), backup_dir=tmp_path / "b")
        (entry,) = [e for e in audit_log.audit_page(cf) if e.entry.action == "close"]
        assert entry.entry.new == "1 statement"
    finally:
        cf.close()
