"""Which month may be reopened is the services' rule (periods.reopenable_month,
periods.why_not_reopen, PeriodInfo.reopenable): only the latest closed month, and
`reopen` refuses any other in the same words the Periods view shows."""

from __future__ import annotations

from pathlib import Path

import pytest

from icmdesk.domain.calendar import Month
from icmdesk.domain.entities import (
    Adjustment,
)
from icmdesk.domain.errors import PeriodError
from icmdesk.domain.money import D
from icmdesk.models.database import CompanyFile
from icmdesk.services import choices, periods, records

DEC, JAN, FEB, MAR = Month(2025, 12), Month(2026, 1), Month(2026, 2), Month(2026, 3)


def reopenable_listed(cf: CompanyFile) -> list[Month]:
    return [p.month for p in periods.list_periods(cf) if p.reopenable]


def test_nothing_closed_nothing_reopens(acme_ana_from_january: CompanyFile) -> None:
    cf = acme_ana_from_january
    assert periods.reopenable_month(cf) is None
    assert periods.why_not_reopen(cf, JAN) == "2026-01 is not closed"
    assert reopenable_listed(cf) == []
    with pytest.raises(PeriodError, match=r"^2026-01 is not closed$"):
        periods.reopen(cf, JAN)


def test_only_the_latest_closed_month_reopens(
    acme_ana_from_january: CompanyFile, tmp_path: Path
) -> None:
    cf = acme_ana_from_january
    for month in (JAN, FEB):
        periods.close(cf, month, backup_dir=tmp_path)
    assert periods.reopenable_month(cf) == FEB
    assert reopenable_listed(cf) == [FEB]
    assert periods.why_not_reopen(cf, FEB) == ""
    assert periods.why_not_reopen(cf, JAN) == (
        "only the latest closed month (2026-02) can be reopened"
    )
    assert periods.why_not_reopen(cf, MAR) == "2026-03 is not closed"
    # The action refuses in the words the question gives.
    for month in (JAN, MAR):
        with pytest.raises(PeriodError) as refused:
            periods.reopen(cf, month)
        assert str(refused.value) == periods.why_not_reopen(cf, month)
    periods.reopen(cf, FEB)
    # Then the month before it is the latest close, and may be reopened in turn.
    assert periods.reopenable_month(cf) == JAN
    assert reopenable_listed(cf) == [JAN]
    assert periods.why_not_reopen(cf, FEB) == "2026-02 is not closed"


def test_a_month_that_counts_as_closed_without_statements_does_not_reopen(
    acme_ana_from_january: CompanyFile, tmp_path: Path
) -> None:
    cf = acme_ana_from_january
    periods.close(cf, JAN, backup_dir=tmp_path)
    # Dated before the first close: December is listed, closed with no statements.
    (ana,) = choices.reps(cf)
    records.save_adjustment(cf, Adjustment(ana.id, DEC, D("50.00"), "December bonus"))
    (december,) = [p for p in periods.list_periods(cf) if p.month == DEC]
    assert december.status_text == "Closed, no statements" and not december.reopenable
    assert periods.reopenable_month(cf) == JAN
    assert periods.why_not_reopen(cf, DEC) == (
        "2025-12 was never closed itself (it counts as closed because 2026-01, a later "
        "month, is): only the latest closed month (2026-01) can be reopened"
    )
    with pytest.raises(PeriodError, match="2025-12 was never closed itself"):
        periods.reopen(cf, DEC)
