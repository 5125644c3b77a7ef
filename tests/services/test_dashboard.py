"""The dashboard of a month: totals from the statements, clawbacks, and data warnings."""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from pathlib import Path

import pytest

from icmdesk.domain.calendar import Month
from icmdesk.domain.entities import (
    Assignment,
    Credit,
    Deal,
    Plan,
    PlanVersion,
    Rep,
    Tier,
)
from icmdesk.domain.money import D
from icmdesk.models.database import CompanyFile
from icmdesk.services import cancellation, company_io, deal_table, periods, records
from icmdesk.services.dashboard import dashboard, dashboard_months


@pytest.fixture
def acme_with_quota_plan(acme: CompanyFile) -> CompanyFile:
    plan = records.save_plan(
        acme,
        Plan(
            "AE",
            (
                PlanVersion(
                    date(2026, 1, 1), (Tier(D(0), D(10)), Tier(D(100), D(20))), quota=D(10000)
                ),
            ),
        ),
    )
    ana = records.save_rep(acme, Rep("Ana Lee", date(2026, 1, 1)))
    records.save_rep(acme, Rep("Bo Chen", date(2026, 1, 1)))  # never assigned
    records.save_assignment(acme, Assignment(ana.id, plan.id, date(2026, 1, 1)))
    records.save_deal(
        acme, Deal("D-1", "Globex", D(12000), date(2026, 1, 10), credits=(Credit(ana.id, D(100)),))
    )
    records.save_deal(acme, Deal("D-2", "Initech", D(500), date(2026, 1, 12)))
    return acme


def test_a_month_with_a_payout_attainment_and_warnings(acme_with_quota_plan: CompanyFile) -> None:
    board = dashboard(acme_with_quota_plan, Month(2026, 1))
    (ana,) = board.reps
    # 10% of 10,000 + 20% of 2,000.
    assert (ana.name, ana.payout, ana.attainment_pct, ana.quota) == (
        "Ana Lee",
        D("1400.00"),
        D(120),
        D(10000),
    )
    assert board.total_payout == D("1400.00") and board.clawbacks == ()
    assert board.warnings == (
        "1 deal without credits (no rep is paid on it): D-2.",
        "1 rep without a plan assignment in 2026-01: Bo Chen.",
    )
    assert dashboard_months(acme_with_quota_plan) == (Month(2026, 1),)


def test_clawbacks_and_open_months(acme_with_quota_plan: CompanyFile) -> None:
    deal_id = deal_table.deal_page(acme_with_quota_plan, search="D-1")[0].id
    cancellation.cancel_deal(acme_with_quota_plan, deal_id, date(2026, 3, 1), "churned")
    board = dashboard(acme_with_quota_plan, Month(2026, 3))
    assert [(c.rep_name, c.deal_id, c.amount) for c in board.clawbacks] == [
        ("Ana Lee", "D-1", D("-1400.00"))
    ]
    assert board.total_clawbacks == D("-1400.00")
    assert board.warnings[-1] == "2 earlier months still open: 2026-01, 2026-02."
    assert dashboard_months(acme_with_quota_plan)[-1] == Month(2026, 3)


def test_a_clawback_dated_in_a_closed_month_is_listed_in_the_month_that_pays_it(
    acme_with_quota_plan: CompanyFile, tmp_path: Path
) -> None:
    periods.close(acme_with_quota_plan, Month(2026, 1), backup_dir=tmp_path / "b")
    deal_id = deal_table.deal_page(acme_with_quota_plan, search="D-1")[0].id
    cancellation.cancel_deal(acme_with_quota_plan, deal_id, date(2026, 1, 25), "churned")
    board = dashboard(acme_with_quota_plan, Month(2026, 2))
    assert [(c.rep_name, c.deal_id, c.amount) for c in board.clawbacks] == [
        ("Ana Lee", "D-1", D("-1400.00"))
    ]
    assert board.total_earnings == D("-1400.00")  # through February's prior-period line


def test_the_demo_company_adds_up(tmp_path: Path) -> None:
    cf = company_io.write_demo(tmp_path / "demo.icmdesk")
    try:
        month = dashboard_months(cf)[-1]
        board = dashboard(cf, month)
        statements = periods.compute(cf, month)
        assert board.total_payout == sum((s.payout for s in statements), D(0))
        assert len(board.reps) == len(statements)
    finally:
        cf.close()


def test_changes_to_closed_months_waiting_for_the_next_close_are_listed(
    acme_with_quota_plan: CompanyFile, tmp_path: Path
) -> None:
    periods.close(acme_with_quota_plan, Month(2026, 1), backup_dir=tmp_path / "b")
    assert all(
        "changed since closing" not in w
        for w in dashboard(acme_with_quota_plan, Month(2026, 2)).warnings
    )
    deal = records.get_deal(
        acme_with_quota_plan, deal_table.deal_page(acme_with_quota_plan, search="D-1")[0].id
    )
    records.save_deal(acme_with_quota_plan, replace(deal, amount=D(13000)))
    assert dashboard(acme_with_quota_plan, Month(2026, 2)).warnings[0] == (
        "1 closed month changed since closing: 2026-01 (deal D-1 changed). The differences "
        "are paid as prior-period adjustments in the first open month."
    )
    assert all(
        "changed since" not in w for w in dashboard(acme_with_quota_plan, Month(2026, 1)).warnings
    )
