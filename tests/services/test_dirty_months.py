"""Edits under closed months are marked dirty; a month computed from only what it needs
(store.load_for_months) equals the computation from everything, edit after edit."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from sqlalchemy import delete, select

from icmdesk.domain import engine
from icmdesk.domain.calendar import Month, QuotaPeriod
from icmdesk.domain.entities import Adjustment, Company, Deal, Payment, Plan, Progress, Rep
from icmdesk.domain.money import from_cents
from icmdesk.domain.statement import LineKind, Statement
from icmdesk.models import mapping
from icmdesk.models.database import CompanyFile
from icmdesk.models.tables import DealRow, DealStandingRow, DirtyMonthRow, ProgressRow
from icmdesk.services import company_io, periods, records, store
from tests.domain.builders import CompanyBuilder, draw, plan, tiers, version

FIRST = Month(2025, 11)


@pytest.fixture(scope="module")
def demo_closed_to_march(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("demo") / "demo.icmdesk"
    cf = company_io.write_demo(path)
    try:
        backups = path.parent / "Backups"
        for m in range(5):  # 2025-11 .. 2026-03 closed
            periods.close(cf, FIRST.plus(m), backup_dir=backups)
    finally:
        cf.close()
    return path


@pytest.fixture
def cf(demo_closed_to_march: Path, tmp_path: Path) -> Iterator[CompanyFile]:
    source = CompanyFile.open(demo_closed_to_march)
    source.backup_to(tmp_path / "copy.icmdesk")
    source.close()
    copy = CompanyFile.open(tmp_path / "copy.icmdesk")
    yield copy
    copy.close()


def _dirty(cf: CompanyFile) -> set[Month]:
    with cf.session() as s:
        marked = select(DirtyMonthRow.month).where(DirtyMonthRow.cleared_by.is_(None))
        return set(s.scalars(marked))


def _full(cf: CompanyFile, month: Month) -> tuple[Statement, ...]:
    with cf.session() as s:
        data = store.load_company_data(s, history=False)
    return engine.compute_month(data, month)


def _same_as_full(cf: CompanyFile, *months: Month) -> None:
    for month in months:
        assert periods.compute(cf, month) == _full(cf, month), month


def _deal_in(cf: CompanyFile, month: Month, *, paid: bool = False) -> Deal:
    with cf.session() as s:
        deals = store.load_all_deals(s)
    return next(
        d
        for d in deals
        if Month.of(d.close_date) == month
        and d.cancellation_date is None
        and bool(d.payments) == paid
    )


APR, JUN = Month(2026, 4), Month(2026, 6)
JAN = Month(2026, 1)


def test_unchanged_closed_history_needs_nothing_re_verified(cf: CompanyFile) -> None:
    assert _dirty(cf) == set()
    with cf.session() as s:
        needed = store.load_for_months(s, APR, APR)
        everything = len(store.load_all_deals(s))
    assert needed.verify_months == frozenset()
    assert 0 < len(needed.data.deals) < everything
    _same_as_full(cf, APR, JUN)


def test_raw_loading_reads_what_the_orm_reads(cf: CompanyFile) -> None:
    with cf.session() as s:
        assert store.load_all_deals(s) == store.load_deals(s)
    for cents in (0, 1, 5, 100, 123456, 10**12):
        assert Decimal(cents).scaleb(-2).as_tuple() == from_cents(cents).as_tuple()


def test_an_edited_deal_marks_its_months_and_is_corrected_once(cf: CompanyFile) -> None:
    deal = _deal_in(cf, JAN)
    records.save_deal(cf, dataclasses.replace(deal, amount=deal.amount + Decimal("1000.00")))
    assert _dirty(cf) == {JAN}
    statements = periods.compute(cf, APR)
    assert any(line.kind is LineKind.PRIOR_PERIOD for s in statements for line in s.lines)
    _same_as_full(cf, APR, JUN)
    periods.close(cf, APR, backup_dir=cf.path.parent / "Backups")
    assert _dirty(cf) == set()  # posted on April's closed statements
    may = Month(2026, 5)
    assert not any(
        line.kind is LineKind.PRIOR_PERIOD for s in periods.compute(cf, may) for line in s.lines
    )
    _same_as_full(cf, may)
    periods.reopen(cf, APR)
    assert _dirty(cf) == {JAN}  # April's corrections are due again
    _same_as_full(cf, APR)


def test_payments_cancellations_and_deletions_mark_their_months(cf: CompanyFile) -> None:
    deal = _deal_in(cf, Month(2025, 12))
    paid = dataclasses.replace(
        deal,
        payments=(Payment(date(2026, 2, 3), deal.amount),),
        cancellation_date=date(2026, 3, 1),
        cancellation_reason="Churned",
    )
    records.save_deal(cf, paid)
    assert _dirty(cf) == {Month(2025, 12), Month(2026, 2), Month(2026, 3)}
    _same_as_full(cf, APR)
    other = _deal_in(cf, Month(2026, 2))
    records.delete_deal(cf, other.id)
    assert Month(2026, 2) in _dirty(cf)
    _same_as_full(cf, APR, JUN)


def test_a_deal_moved_out_of_a_closed_month_marks_both_months(cf: CompanyFile) -> None:
    deal = _deal_in(cf, Month(2026, 2))
    moved = dataclasses.replace(deal, close_date=date(2026, 5, 2), payments=())
    records.save_deal(cf, moved)
    assert Month(2026, 2) in _dirty(cf)
    _same_as_full(cf, APR, Month(2026, 5))


def test_adjustments_assignments_plans_and_settings_mark_months(cf: CompanyFile) -> None:
    rep = records.get_rep(cf, _deal_in(cf, JAN).credits[0].rep_id)
    records.save_adjustment(cf, Adjustment(rep.id, Month(2025, 12), Decimal("75.00"), "Late"))
    assert _dirty(cf) == {Month(2025, 12)}
    _same_as_full(cf, APR)

    with cf.session() as s:
        data = store.load_company_data(s, deals=False, history=False, snapshots=False)
    plan = next(p for p in data.plans if p.versions)
    back = dataclasses.replace(plan.versions[-1], effective_from=date(2026, 2, 1), id=0)
    if all(v.effective_from < back.effective_from for v in plan.versions):
        records.add_plan_version(cf, plan.id, back)
        assert {Month(2026, 2), Month(2026, 3)} <= _dirty(cf)
        _same_as_full(cf, APR)

    company = records.get_company(cf)
    records.update_company(cf, dataclasses.replace(company, fiscal_year_start=4))
    assert _dirty(cf) >= {FIRST.plus(i) for i in range(5)}
    _same_as_full(cf, APR, JUN)


def test_edits_in_open_months_mark_nothing(cf: CompanyFile) -> None:
    deal = _deal_in(cf, Month(2026, 5))
    records.save_deal(cf, dataclasses.replace(deal, amount=deal.amount + Decimal("10.00")))
    assert _dirty(cf) == set()
    _same_as_full(cf, APR, Month(2026, 5))


def test_nothing_is_marked_while_nothing_is_closed(tmp_path: Path) -> None:
    cf = records.create_company_file(tmp_path / "new.icmdesk", Company("New"))
    try:
        with cf.session() as s:
            store.mark_dirty_from(s, None, "test")
            store.mark_dirty(s, [JAN], "test")
        assert _dirty(cf) == set()
    finally:
        cf.close()


def test_an_import_marks_every_closed_month(cf: CompanyFile, tmp_path: Path) -> None:
    out = tmp_path / "export.json"
    company_io.export_to(cf, out)
    imported = company_io.import_json(tmp_path / "imported.icmdesk", out.read_text("utf-8"))
    try:
        assert _dirty(imported) == {FIRST.plus(i) for i in range(5)}
        _same_as_full(imported, APR)
    finally:
        imported.close()


def test_a_version_edit_with_unchanged_versions_marks_nothing(cf: CompanyFile) -> None:
    with cf.session() as s:
        data = store.load_company_data(s, deals=False, history=False, snapshots=False)
    plan = data.plans[0]
    records.save_plan(cf, dataclasses.replace(plan, name=plan.name + " (renamed)"))
    assert _dirty(cf) == set()


def test_a_back_dated_deal_stays_right_after_the_close_that_corrected_it(
    cf: CompanyFile,
) -> None:
    backups = cf.path.parent / "Backups"
    for month in (JAN, Month(2026, 2)):
        for n, deal in enumerate(
            d for d in store_deals(cf) if Month.of(d.close_date) == month and not d.payments
        ):
            if n == 3:
                break
            late = dataclasses.replace(
                deal, external_id=f"{deal.external_id}-LATE", id=0, cancellation_date=None
            )
            records.save_deal(cf, late)
    _same_as_full(cf, APR)
    periods.close(cf, APR, backup_dir=backups)
    may = Month(2026, 5)
    _same_as_full(cf, may, JUN)
    late = next(d for d in store_deals(cf) if d.external_id.endswith("-LATE"))
    records.save_deal(
        cf, dataclasses.replace(late, payments=(Payment(date(2026, 5, 9), late.amount),))
    )
    assert Month(2026, 5) not in _dirty(cf)  # May is open
    _same_as_full(cf, may, JUN)
    periods.close(cf, may, backup_dir=backups)
    periods.reopen(cf, may)
    periods.reopen(cf, APR)
    _same_as_full(cf, APR, may)


def store_deals(cf: CompanyFile) -> tuple[Deal, ...]:
    with cf.session() as s:
        return store.load_all_deals(s)


def _tiered_quarter() -> tuple[CompanyBuilder, Rep, Rep]:
    """Ana and Ben on a quarterly plan (5% to half the $100,000 quota, 10% above), with
    Q1 deals: Ana D-1 $40,000 (Jan 15), D-3 $25,000 (Feb 20), D-4 $45,000 (Mar 2); Ben
    D-2 $30,000 (Feb 3)."""
    c = CompanyBuilder()
    quarterly = plan(
        "Tiered",
        version(table=tiers((0, 5), (50, 10)), quota="100000.00", period=QuotaPeriod.QUARTER),
    )
    ana = c.rep("Ana", quarterly, hired="2026-01-01")
    ben = c.rep("Ben", quarterly, hired="2026-01-01")
    c.deal("D-1", "40000.00", "2026-01-15", (ana, 100))
    c.deal("D-2", "30000.00", "2026-02-03", (ben, 100))
    c.deal("D-3", "25000.00", "2026-02-20", (ana, 100))
    c.deal("D-4", "45000.00", "2026-03-02", (ana, 100))
    return c, ana, ben


def test_a_cancellation_of_a_deal_from_a_closed_quarter_loads_only_its_context(
    tmp_path: Path,
) -> None:
    """May cancels a February deal: Q1 is closed and not loaded, so the deal comes with the
    Q1 deals before it that credit its reps (its context), and May comes out as the full
    computation's, clawback included. Cancelling marks no closed month."""
    c, ana, ben = _tiered_quarter()
    c.deal("D-5", "20000.00", "2026-05-04", (ben, 100))
    path = tmp_path / "q.icmdesk"
    cf = CompanyFile.create(path)
    try:
        with cf.session() as s:
            store.replace_company_data(s, c.build())
        for m in range(4):  # January to April closed
            periods.close(cf, JAN.plus(m), backup_dir=tmp_path / "Backups")
        may = Month(2026, 5)
        deal = next(d for d in store_deals(cf) if d.external_id == "D-3")
        cancelled = dataclasses.replace(
            deal, cancellation_date=date(2026, 5, 12), cancellation_reason="Went elsewhere"
        )
        records.save_deal(cf, cancelled)
        assert _dirty(cf) == set()  # May is open: nothing closed changes
        with cf.session() as s:
            needed = store.load_for_months(s, may, may)
        # D-3 alone: February's close stored what Ana had counted before it, $40,000.
        assert needed.context_deals == {"D-3"}
        assert [(x.rep_id, x.counted_before) for x in needed.progress.deals] == [
            (ana.id, Decimal("40000.00"))
        ]
        statements = periods.compute(cf, may)
        clawed = [line for s in statements for line in s.lines if line.kind is LineKind.CLAWBACK]
        # D-3 took Ana from $40,000 to $65,000: $10,000 at 5% + $15,000 at 10% = $2,000.00
        # (rated alone, without D-1 before it, it would be $1,250.00).
        assert [(line.deal_id, line.amount) for line in clawed] == [("D-3", Decimal("-2000.00"))]
        _same_as_full(cf, may)
        # Without the deals' standing (closed before schema 0004): Ana's February deals up
        # to D-3, from where January's close left her.
        with cf.session() as s:
            s.execute(delete(DealStandingRow))
        with cf.session() as s:
            needed = store.load_for_months(s, may, may)
        assert needed.context_deals == {"D-3"}
        assert [(p.month, p.rep_id, p.counted) for p in needed.progress.months] == [
            (JAN, ana.id, Decimal("40000.00"))
        ]
        assert periods.compute(cf, may) == statements
        # Without any standing (closed before schema 0003): Ana's Q1 deals up to D-3.
        with cf.session() as s:
            s.execute(delete(ProgressRow))
        with cf.session() as s:
            needed = store.load_for_months(s, may, may)
        assert needed.context_deals == {"D-1", "D-3"}
        assert needed.progress == Progress()
        assert periods.compute(cf, may) == statements
    finally:
        cf.close()


def _cash_file(tmp_path: Path, cancelled: str, closed_through: int) -> CompanyFile:
    """A cash-trigger rep's deal closed 2025-12-15, $4,000 of $10,000 paid, cancelled on
    `cancelled`; a later deal in May; months from 2025-12 closed for `closed_through`."""
    c = CompanyBuilder()
    cash = plan("Cash", version(10, cash=True, period=QuotaPeriod.QUARTER))
    ana = c.rep("Ana", cash, hired="2025-12-01")
    c.deal(
        "D-1",
        "10000.00",
        "2025-12-15",
        (ana, 100),
        payments=(("2025-12-20", "4000.00"), ("2026-03-05", "1000.00")),
        cancelled=cancelled,
        reason="Went elsewhere",
    )
    c.deal("D-2", "1000.00", "2026-05-03", (ana, 100))
    cf = CompanyFile.create(tmp_path / f"cash-{cancelled}.icmdesk")
    with cf.session() as s:
        store.replace_company_data(s, c.build())
    for m in range(closed_through):
        periods.close(cf, Month(2025, 12).plus(m), backup_dir=tmp_path / "Backups")
    return cf


def test_cancelling_earlier_marks_the_cancellation_months_not_the_close(tmp_path: Path) -> None:
    """Moving a cancellation earlier changes its clawback's months and the payments after
    it, not what the deal earned when it closed."""
    cf = _cash_file(tmp_path, "2026-03-20", closed_through=5)  # 2025-12 .. 2026-04
    try:
        (deal,) = [d for d in store_deals(cf) if d.external_id == "D-1"]
        records.save_deal(cf, dataclasses.replace(deal, cancellation_date=date(2026, 2, 10)))
        # February now claws back, March's payment no longer earns; December stands.
        assert _dirty(cf) == {Month(2026, 2), Month(2026, 3)}
        _same_as_full(cf, Month(2026, 5), Month(2026, 6))
    finally:
        cf.close()


@pytest.mark.parametrize("now", [None, date(2026, 6, 2)], ids=["taken back", "moved later"])
def test_taking_a_cancellation_back_or_later_reads_the_deal_s_quarter_again(
    tmp_path: Path, now: date | None
) -> None:
    """The last closed statement, from while the deal was cancelled, has no awaiting line
    for it to carry: its close month is marked, so its quarter is read again and the
    line comes back as the full computation has it."""
    cf = _cash_file(tmp_path, "2026-02-10", closed_through=5)
    try:
        (deal,) = [d for d in store_deals(cf) if d.external_id == "D-1"]
        reason = "" if now is None else deal.cancellation_reason
        records.save_deal(
            cf, dataclasses.replace(deal, cancellation_date=now, cancellation_reason=reason)
        )
        assert Month(2025, 12) in _dirty(cf)
        may = periods.compute(cf, Month(2026, 5))
        assert [a.deal_id for a in may[0].awaiting] == ["D-1", "D-2"]
        _same_as_full(cf, Month(2026, 5), Month(2026, 6))
    finally:
        cf.close()


def test_a_later_open_month_takes_the_clawback_of_an_earlier_open_month(tmp_path: Path) -> None:
    """June computed alone, with May open: May's clawback of a deal from a closed quarter
    (read as context) runs through the balance June starts from."""
    c = CompanyBuilder()
    ana = c.rep(
        "Ana",
        plan("Q", version(10, period=QuotaPeriod.QUARTER)),
        hired="2026-01-01",
        the_draw=draw("1000", start="2026-01"),
    )
    c.deal("D-1", "25000.00", "2026-02-20", (ana, 100), cancelled="2026-05-12")
    c.deal("D-2", "1000.00", "2026-06-03", (ana, 100))
    cf = CompanyFile.create(tmp_path / "draw.icmdesk")
    try:
        with cf.session() as s:
            store.replace_company_data(s, c.build())
        for m in range(4):  # January to April closed
            periods.close(cf, JAN.plus(m), backup_dir=tmp_path / "Backups")
        june = Month(2026, 6)
        with cf.session() as s:
            assert store.load_for_months(s, june, june).context_deals == {"D-1"}
        (statement,) = periods.compute(cf, june)
        # $2,500 earned in February, clawed back in May, with a $1,000 draw every month.
        assert (statement.balance_before, statement.ytd_earnings) == (
            Decimal("5500.00"),
            Decimal("100.00"),
        )
        _same_as_full(cf, june)
        (totals,) = periods.compute_all(cf, june, june)[june]
        assert totals.balance_after == statement.balance_after == Decimal("6400.00")
    finally:
        cf.close()


def _progress(cf: CompanyFile) -> dict[Month, dict[int, Decimal]]:
    """The stored quota progress: per closed month, each rep's amount counted."""
    with cf.session() as s:
        rows = s.scalars(select(ProgressRow)).all()
        return {
            r.month: {p.rep_id: p.counted for p in mapping.progress_values(r.month, r.payload)}
            for r in rows
        }


def _deal_standing(cf: CompanyFile) -> dict[str, Decimal]:
    """The stored standing before each deal, by deal (one rep per deal here)."""
    with cf.session() as s:
        return dict(
            s.execute(
                select(DealRow.external_id, DealStandingRow.counted_before).join(
                    DealRow, DealRow.id == DealStandingRow.deal_id
                )
            )
            .tuples()
            .all()
        )


def test_closing_stores_quota_progress_and_a_month_reads_only_its_own_deals(
    tmp_path: Path,
) -> None:
    """Each close stores where every rep stands in the quarter; March then reads March's
    deals only. An edit under a closed month makes March read the whole quarter again,
    and March's close stores the corrected standing of every month it re-verified."""
    c, ana, ben = _tiered_quarter()
    cf = CompanyFile.create(tmp_path / "q.icmdesk")
    backups = tmp_path / "Backups"
    march = Month(2026, 3)
    try:
        with cf.session() as s:
            store.replace_company_data(s, c.build())
        periods.close(cf, JAN, backup_dir=backups)
        periods.close(cf, JAN.plus(1), backup_dir=backups)
        assert _progress(cf) == {
            JAN: {ana.id: Decimal("40000.00")},
            JAN.plus(1): {ana.id: Decimal("65000.00"), ben.id: Decimal("30000.00")},
        }
        assert _deal_standing(cf) == {
            "D-1": Decimal("0.00"),
            "D-2": Decimal("0.00"),
            "D-3": Decimal("40000.00"),
        }
        with cf.session() as s:
            needed = store.load_for_months(s, march, march)
        assert [d.external_id for d in needed.data.deals] == ["D-4"]
        # $65,000 before D-4: all of it at 10% = $4,500.00 (alone it would be $3,500.00).
        (line,) = next(s for s in periods.compute(cf, march) if s.rep_id == ana.id).lines
        assert line.amount == Decimal("4500.00")
        _same_as_full(cf, march)

        # January's deal grows by $10,000: the quarter is read whole and corrected.
        d1 = next(d for d in store_deals(cf) if d.external_id == "D-1")
        records.save_deal(cf, dataclasses.replace(d1, amount=Decimal("50000.00")))
        with cf.session() as s:
            needed = store.load_for_months(s, march, march)
        assert [d.external_id for d in needed.data.deals] == ["D-1", "D-2", "D-3", "D-4"]
        assert needed.progress == Progress()
        _same_as_full(cf, march)
        periods.close(cf, march, backup_dir=backups)
        assert _progress(cf) == {
            JAN: {ana.id: Decimal("50000.00")},
            JAN.plus(1): {ana.id: Decimal("75000.00"), ben.id: Decimal("30000.00")},
            march: {},  # the quarter ends with March: nothing carries on
        }
        assert _deal_standing(cf) == {
            "D-1": Decimal("0.00"),
            "D-2": Decimal("0.00"),
            "D-3": Decimal("50000.00"),
            "D-4": Decimal("75000.00"),
        }
        periods.reopen(cf, march)
        assert set(_progress(cf)) == {JAN, JAN.plus(1)}
        assert set(_deal_standing(cf)) == {"D-1", "D-2", "D-3"}
        _same_as_full(cf, march)
        # An import replaces everything: no standing is left from the data it replaced.
        with cf.session() as s:
            store.replace_company_data(s, store.load_company_data(s))
        assert _progress(cf) == {}
        assert _deal_standing(cf) == {}
    finally:
        cf.close()


def test_reopening_a_close_marks_again_the_months_it_had_verified(tmp_path: Path) -> None:
    """A cash deal of January grows after January closed: no prior-period line (nothing
    was paid on it), but February's close verified January and computed the deal's
    awaiting line from the new amount. Reopening February brings January back to verify,
    so February's awaiting line is the new one again, not January's stored one."""
    c = CompanyBuilder()
    cash = plan("Cash", version(10, cash=True, period=QuotaPeriod.QUARTER))
    ana = c.rep("Ana", cash, hired="2026-01-01")
    c.deal("D-1", "10000.00", "2026-01-15", (ana, 100))
    c.deal("D-2", "5000.00", "2026-02-10", (ana, 100))
    cf = CompanyFile.create(tmp_path / "cash.icmdesk")
    backups = tmp_path / "Backups"
    february = JAN.plus(1)
    try:
        with cf.session() as s:
            store.replace_company_data(s, c.build())
        periods.close(cf, JAN, backup_dir=backups)
        d1 = next(d for d in store_deals(cf) if d.external_id == "D-1")
        records.save_deal(cf, dataclasses.replace(d1, amount=Decimal("12000.00")))
        assert _dirty(cf) == {JAN}
        periods.close(cf, february, backup_dir=backups)
        assert _dirty(cf) == set()
        periods.reopen(cf, february)
        assert _dirty(cf) == {JAN}
        (statement,) = periods.compute(cf, february)
        assert [(a.deal_id, a.awaiting) for a in statement.awaiting] == [
            ("D-1", Decimal("1200.00")),  # 10% of $12,000.00, not of $10,000.00
            ("D-2", Decimal("500.00")),
        ]
        _same_as_full(cf, february)
    finally:
        cf.close()


def test_a_change_reaching_back_before_the_first_close_still_closes(tmp_path: Path) -> None:
    """The plan's only version dates from 2020: a version back-dated to 2021 marks every
    month from then, all but January before the first close (they count as closed, with
    no period row). February's close verifies them and stores standing for the closed
    months only; the figures match the full computation."""
    c = CompanyBuilder()
    quarterly = plan("Q", version(10, period=QuotaPeriod.QUARTER))
    ana = c.rep("Ana", quarterly, hired="2026-01-01")
    c.deal("D-1", "10000.00", "2026-01-15", (ana, 100))
    c.deal("D-2", "5000.00", "2026-02-10", (ana, 100))
    cf = CompanyFile.create(tmp_path / "early.icmdesk")
    backups = tmp_path / "Backups"
    try:
        with cf.session() as s:
            store.replace_company_data(s, c.build())
        periods.close(cf, JAN, backup_dir=backups)
        (q,) = [p for p in store_plans(cf) if p.name == "Q"]
        (v,) = q.versions
        back = dataclasses.replace(v, effective_from=date(2021, 1, 1), tiers=tiers((0, 12)), id=0)
        records.add_plan_version(cf, q.id, back)
        assert Month(2021, 1) in _dirty(cf) and JAN in _dirty(cf)
        periods.close(cf, JAN.plus(1), backup_dir=backups)
        assert set(_progress(cf)) == {JAN, JAN.plus(1)}
        _same_as_full(cf, JAN.plus(2))
    finally:
        cf.close()


def store_plans(cf: CompanyFile) -> tuple[Plan, ...]:
    with cf.session() as s:
        return store.load_company_data(s, deals=False, history=False, snapshots=False).plans


def test_a_closed_company_exported_and_imported_closes_its_next_month(
    cf: CompanyFile, tmp_path: Path
) -> None:
    """An import marks every closed month; the demo's yearly quota period reaches back
    before its first close, where there are no period rows to store standing on."""
    imported = company_io.import_json(tmp_path / "imported.icmdesk", company_io.export_json(cf))
    try:
        periods.close(imported, APR, backup_dir=tmp_path / "Backups")
        assert _dirty(imported) == set()
        assert APR in _progress(imported)
        _same_as_full(imported, Month(2026, 5))
    finally:
        imported.close()
