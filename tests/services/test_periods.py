"""The month-end workflow through the services: compute, close in order, reopen, corrections."""

from __future__ import annotations

import dataclasses
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from sqlalchemy import select

from icmdesk.domain.calendar import Month
from icmdesk.domain.entities import Assignment, Credit, Deal, Plan, PlanVersion, Rep, Tier
from icmdesk.domain.errors import PeriodError
from icmdesk.domain.money import D
from icmdesk.domain.statement import LineKind
from icmdesk.models.database import CompanyFile
from icmdesk.models.tables import AuditRow
from icmdesk.services import periods, records

JAN, FEB, MAR = Month(2026, 1), Month(2026, 2), Month(2026, 3)


@pytest.fixture
def ana(cf: CompanyFile) -> Rep:
    plan = records.save_plan(
        cf, Plan("Flat 10%", (PlanVersion(date(2026, 1, 1), (Tier(D(0), D(10)),)),))
    )
    rep = records.save_rep(cf, Rep("Ana Lee", date(2026, 1, 5)))
    records.save_assignment(cf, Assignment(rep.id, plan.id, date(2026, 1, 1)))
    records.save_deal(
        cf, Deal("D-1", "Acme", D("1000.00"), date(2026, 1, 20), credits=(Credit(rep.id, D(100)),))
    )
    records.save_deal(
        cf,
        Deal("D-2", "Globex", D("2500.00"), date(2026, 2, 10), credits=(Credit(rep.id, D(100)),)),
    )
    return rep


def test_compute_is_repeatable(cf: CompanyFile, ana: Rep) -> None:
    first = periods.compute(cf, JAN)
    assert periods.compute(cf, JAN) == first
    assert [s.earnings for s in first] == [Decimal("100.00")]
    assert not first[0].closed


def test_close_stores_snapshots_and_backs_up(cf: CompanyFile, ana: Rep, tmp_path: Path) -> None:
    closed = periods.close(cf, JAN, backup_dir=tmp_path / "bk")
    assert closed[0].closed and closed[0].content_hash
    assert len(list((tmp_path / "bk").iterdir())) == 1
    assert [p.status.value for p in periods.list_periods(cf)] == ["closed", "open"]
    with cf.session() as s:
        assert s.scalars(select(AuditRow.action).where(AuditRow.entity == "period")).all() == [
            "close"
        ]


def test_months_close_in_order(cf: CompanyFile, ana: Rep, tmp_path: Path) -> None:
    with pytest.raises(PeriodError, match="2026-01 is open"):
        periods.close(cf, FEB, backup_dir=tmp_path)
    periods.close(cf, JAN, backup_dir=tmp_path)
    with pytest.raises(PeriodError, match="already closed"):
        periods.close(cf, JAN, backup_dir=tmp_path)


def test_only_the_latest_close_reopens(cf: CompanyFile, ana: Rep, tmp_path: Path) -> None:
    periods.close(cf, JAN, backup_dir=tmp_path)
    periods.close(cf, FEB, backup_dir=tmp_path)
    with pytest.raises(PeriodError, match=r"only the latest closed month \(2026-02\)"):
        periods.reopen(cf, JAN)
    periods.reopen(cf, FEB)
    assert not periods.compute(cf, FEB)[0].closed
    with cf.session() as s:
        actions = s.scalars(select(AuditRow.action).where(AuditRow.entity == "period")).all()
    assert actions == ["close", "close", "reopen"]


def test_a_change_under_a_closed_month_becomes_a_prior_period_adjustment(
    cf: CompanyFile, ana: Rep, tmp_path: Path
) -> None:
    stored = periods.close(cf, JAN, backup_dir=tmp_path)
    deal = records.find_deal(cf, "D-1")
    assert deal is not None
    records.save_deal(cf, dataclasses.replace(deal, amount=D("1500.00")))
    assert periods.compute(cf, JAN) == stored  # the closed month never changes
    feb = periods.compute(cf, FEB)[0]
    ppa = feb.lines_of(LineKind.PRIOR_PERIOD)
    assert [line.amount for line in ppa] == [Decimal("50.00")]
    assert "2026-01" in ppa[0].description
    assert feb.earnings == Decimal("300.00")  # 250.00 for D-2 + 50.00 correction
