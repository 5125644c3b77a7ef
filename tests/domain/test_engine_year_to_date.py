"""Fiscal-year-to-date attainment counts the quota periods the rep had a quota in — not
those before their plan started, nor those beginning after the month they left — and
says the same whether the earlier months are open or closed (closing changes nothing)."""

from __future__ import annotations

from decimal import Decimal

import pytest

from icmdesk.domain.calendar import Month, months_between
from icmdesk.domain.engine import compute_range
from icmdesk.domain.statement import Statement
from icmdesk.domain.statement_codec import snapshot_of
from tests.domain.builders import CompanyBuilder, closed, of, plan, version

JAN, MAY = Month(2026, 1), Month(2026, 5)


def _company() -> tuple[CompanyBuilder, object, object]:
    b = CompanyBuilder()
    monthly = plan("Monthly", version(10, quota=1000))
    # Left on 2 March; late adjustments reach April's and May's statements.
    gone = b.rep("Gone Early", monthly, hired="2026-01-01", terminated="2026-03-02")
    b.deal("D-1", 500, "2026-01-20", (gone, 100))
    b.adjust(gone, "2026-04", 5, "Late correction")
    b.adjust(gone, "2026-05", 5, "Late correction")
    # Started in March: January and February had no quota for her.
    late = b.rep("Late Start", monthly, hired="2026-03-01")
    b.deal("D-2", 800, "2026-03-10", (late, 100))
    b.deal("D-3", 300, "2026-05-10", (late, 100))
    return b, gone, late


def _may(closed_through: int) -> tuple[Statement, ...]:
    """May's statements with January to `closed_through` (a month number) closed first."""
    b, _gone, _late = _company()
    data = b.build()
    open_run = compute_range(data, JAN, MAY)
    if not closed_through:
        return open_run[MAY]
    months = months_between(JAN, Month(2026, closed_through))
    snaps = [snapshot_of(s) for m in months for s in open_run[m]]
    return compute_range(closed(data, [str(m) for m in months], snaps), JAN, MAY)[MAY]


def test_the_year_counts_only_the_quota_periods_the_rep_had_a_quota_in() -> None:
    b, gone, late = _company()
    may = compute_range(b.build(), JAN, MAY)[MAY]
    left = of(may, gone).year_to_date  # type: ignore[arg-type]
    assert left is not None
    assert (left.quota_periods, left.quota, left.counted) == (3, Decimal("3000.00"), 500)
    assert left.span == "Jan–Mar 2026"
    started = of(may, late).year_to_date  # type: ignore[arg-type]
    assert started is not None
    assert (started.quota_periods, started.quota, started.counted) == (
        3,
        Decimal("3000.00"),
        Decimal("1100.00"),
    )
    assert started.span == "Mar–May 2026"


@pytest.mark.parametrize("through", [1, 2, 3, 4])
def test_closing_the_earlier_months_changes_nothing(through: int) -> None:
    open_may = {s.rep_name: s.year_to_date for s in _may(0)}
    assert {s.rep_name: s.year_to_date for s in _may(through)} == open_may
