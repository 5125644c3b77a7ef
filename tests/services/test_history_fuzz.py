"""History corrected at random, through the services: nothing created, nothing lost, no
correction dropped, and closed statements never rewritten.

Each example is a random company (tests/services/test_month_end_fuzz.py) and random steps:
closes and reopens, deal edits of every kind, cancellations dated in closed months, plan
versions back-dated into closed months (between two versions too), adjustments and deals
dated before the first close, draws running past their assignment, payments above the deal
amount; a third of the companies adopt ICMDesk mid-life (a books start, opening balances).
After every step:
- every closed month's stored statements are exactly as they were stored;
- per rep, the statements (closed as stored, open as computed) add up to what the current
  data earns when computed afresh with nothing closed: every correction was posted, once;
- per rep and in all, payouts = E + the growth of the balance owed (from the opening
  balance, when the books start mid-life) + what non-recoverable draws paid beyond
  earnings, and each month starts from the balance the last one left.
`make fuzz` runs many more examples than `make test`.
"""

from __future__ import annotations

import dataclasses
import json
import random
from collections import defaultdict
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sqlalchemy import select

from icmdesk.domain import engine
from icmdesk.domain.calendar import Month, quota_period_start
from icmdesk.domain.engine.context import Lookups
from icmdesk.domain.entities import (
    Adjustment,
    CompanyData,
    Credit,
    Deal,
    DrawKind,
    OpeningBalance,
    Payment,
    PlanVersion,
)
from icmdesk.domain.errors import PeriodError, ValidationError
from icmdesk.domain.money import ZERO
from icmdesk.domain.statement import StatementTotals
from icmdesk.models.database import CompanyFile
from icmdesk.models.tables import PeriodRow, SnapshotRow
from icmdesk.services import cancellation, periods, records, store
from tests.domain.builders import draw
from tests.fixtures import save_version
from tests.services.test_month_end_fuzz import _step as ordinary_step
from tests.services.test_month_end_fuzz import _version, random_company

STEPS = 30
EARLIEST = date(2025, 7, 1)  # data may be dated back to here, before any first close
HORIZON = Month(2027, 8)  # after every payment and cancellation the steps can date
TODAY = date(2027, 12, 31)  # every date the steps make is in the past


def _closed(cf: CompanyFile) -> list[Month]:
    with cf.session() as s:
        return sorted(s.scalars(select(PeriodRow.month).where(PeriodRow.status == "closed")))


def _snapshots(cf: CompanyFile) -> dict[tuple[Month, int], tuple[str, str]]:
    with cf.session() as s:
        return {
            (row.month, row.rep_id): (row.content_hash, row.payload)
            for row in s.scalars(select(SnapshotRow))
        }


def _random_day(rng: random.Random, start: date = EARLIEST, end: date = date(2026, 11, 30)) -> date:
    return start + timedelta(days=rng.randint(0, (end - start).days))


def _history_step(rng: random.Random, cf: CompanyFile, backups: Path) -> str:
    """A step that corrects history (or, one time in three, an ordinary month-end step)."""
    r = rng.random()
    if r < 0.25:  # history to correct: close the month that can close next
        month = periods.next_to_close(cf)
        if month is None or month > Month(2026, 12):
            return "nothing"
        periods.close(cf, month, backup_dir=backups)
        return f"close {month}"
    if r < 0.45:
        return ordinary_step(rng, cf, backups)
    closed = _closed(cf)
    with cf.session() as s:
        deals = store.load_all_deals(s)
        data = store.load_company_data(s, deals=False, history=False, snapshots=False)
    reps = [r for r in data.reps if r.name != "Boss"]
    what = rng.randrange(8)
    if what == 0 and deals:  # cancelled on its real date, often in a closed month
        end = closed[-1].last_day if closed else date.min
        early = [d for d in deals if d.cancellation_date is None and d.close_date <= end]
        deal = rng.choice(early or [d for d in deals if d.cancellation_date is None] or deals)
        latest = deal.close_date + timedelta(days=120)
        if deal.close_date <= end and rng.random() < 0.7:
            latest = min(latest, end)  # in a closed month
        on = deal.close_date + timedelta(days=rng.randint(0, (latest - deal.close_date).days))
        cancellation.cancel_deal(cf, deal.id, on, "Customer went bankrupt", today=TODAY)
        where = "closed" if closed and Month.of(on) <= closed[-1] else "open"
        return f"cancel {deal.external_id} on {on} ({where})"
    if what == 1:  # a version back-dated anywhere, between two versions too
        chosen = rng.choice(data.plans)
        start = _random_day(rng, date(2025, 2, 1))
        if any(v.effective_from == start for v in chosen.versions):
            return "nothing"
        new: PlanVersion = _version(rng, start.isoformat())
        if chosen.name == "Managers":
            new = dataclasses.replace(new, override_rate_pct=Decimal(3))
        records.add_plan_version(cf, chosen.id, dataclasses.replace(new, id=0))
        return f"version of {chosen.name} from {start}"
    if what == 2:  # an edit of a version: in place, or a new one if paid from
        chosen = rng.choice(data.plans)
        old = rng.choice(chosen.versions)
        moved = old.effective_from + timedelta(days=rng.choice([0, 0, 14, 45]))
        edited = dataclasses.replace(
            _version(rng, moved.isoformat(), old.quota_period),
            override_rate_pct=old.override_rate_pct,
            id=old.id,
        )
        save_version(cf, chosen.id, edited)
        return f"edit version of {chosen.name} from {old.effective_from}"
    if what == 3:  # an adjustment in any month, before the first close too
        month = Month.of(_random_day(rng))
        amount = Decimal(rng.randint(-30000, 30000)) / 100 or Decimal("1.00")
        records.save_adjustment(cf, Adjustment(rng.choice(reps).id, month, amount, "Late"))
        return f"adjustment in {month}"
    if what == 4:  # a rep's start moved back, and a deal there
        rep = rng.choice(reps)
        first = min(
            (a for a in data.assignments if a.rep_id == rep.id), key=lambda a: a.effective_from
        )
        start = first.effective_from - timedelta(days=rng.randint(20, 200))
        if start < EARLIEST:
            return "nothing"
        if rep.hire_date > start:
            records.save_rep(cf, dataclasses.replace(rep, hire_date=start))
        records.save_assignment(cf, dataclasses.replace(first, effective_from=start))
        close = start + timedelta(days=rng.randint(0, 15))
        amount = Decimal(rng.randint(100_000, 3_000_000)) / 100
        deal = Deal(
            f"E-{rng.randrange(10**6)}",
            "Early Co",
            amount,
            close,
            credits=(Credit(rep.id, Decimal(100)),),
        )
        records.save_deal(cf, deal)
        return f"{rep.name} from {start}, deal on {close}"
    if what == 5 and deals:  # paid more than the amount, or the amount corrected down
        deal = rng.choice(deals)
        if rng.random() < 0.5:
            extra = Payment(deal.close_date + timedelta(days=rng.randint(0, 90)), deal.amount)
            records.save_deal(cf, dataclasses.replace(deal, payments=(*deal.payments, extra)))
            return f"overpay {deal.external_id}"
        lower = (deal.amount * Decimal(rng.choice([50, 80, 95])) / 100).quantize(Decimal("0.01"))
        records.save_deal(cf, dataclasses.replace(deal, amount=max(lower, Decimal("1.00"))))
        return f"amount of {deal.external_id} down"
    if what == 6:  # a draw that runs on after its assignment
        with_end = [a for a in data.assignments if a.effective_to is not None]
        if not with_end:
            return "nothing"
        a = rng.choice(with_end)
        assert a.effective_to is not None
        end = Month.of(a.effective_to).plus(rng.randint(0, 4))
        kind = rng.choice(list(DrawKind))
        the_draw = draw("700", kind, start=str(Month.of(a.effective_from)), end=str(end))
        records.save_assignment(cf, dataclasses.replace(a, draw=the_draw))
        return f"draw on {a.id} through {end}"
    if closed and rng.random() < 0.5:  # the month before the latest close: always refused
        try:
            periods.close(cf, closed[0].plus(-1), backup_dir=backups)
        except PeriodError:
            return "out-of-order close refused"
        raise AssertionError("a month before the latest close was closed")
    return ordinary_step(rng, cf, backups)


def _books_start(rng: random.Random, cf: CompanyFile) -> str:
    """The company adopted ICMDesk in a month of 2026, with opening balances for some reps."""
    start = Month(2026, rng.randint(2, 5))
    company = records.get_company(cf)
    records.update_company(cf, dataclasses.replace(company, books_start=start))
    with cf.session() as s:
        data = store.load_company_data(s, deals=False, history=False, snapshots=False)
    lk = Lookups(data)
    balances = []
    for rep in data.reps:
        if rng.random() < 0.5:
            continue
        counted = ZERO
        f = lk.in_force(rep.id, start.first_day)
        if f is not None:
            period_start = quota_period_start(
                start, f.version.quota_period, data.company.fiscal_year_start
            )
            if period_start != start:
                counted = Decimal(rng.randint(0, 6_000_000)) / 100
        ytd = (
            ZERO
            if start.month == data.company.fiscal_year_start
            else Decimal(rng.randint(-500, 9000))
        )
        balances.append(OpeningBalance(rep.id, Decimal(rng.randint(0, 3000)), ytd, counted))
    records.save_opening_balances(cf, balances)
    return f"books start {start}, {len(balances)} opening balances"


Paid = tuple[StatementTotals, DrawKind | None]  # a statement's figures and its draw's kind


def _statements(
    cf: CompanyFile, last: Month, stored: dict[tuple[Month, int], tuple[str, str]]
) -> dict[int, list[Paid]] | None:
    """Each rep's statements in month order with the kind of draw each paid: closed as
    stored, open ones computed through `last` (None when today's data is refused: a refusal
    is checked elsewhere)."""
    closed = _closed(cf)
    out: dict[int, list[Paid]] = defaultdict(list)
    if closed:
        for month, items in periods.compute_all(cf, Month(2000, 1), closed[-1]).items():
            for t in items:
                kind = json.loads(stored[(month, t.rep_id)][1])["draw_kind"]
                out[t.rep_id].append((t, DrawKind(kind) if kind else None))
    with cf.session() as s:
        lk = Lookups(store.load_company_data(s, history=False, snapshots=False))
    first_open = closed[-1].plus(1) if closed else None
    with cf.session() as s:
        first, _ = store.data_month_bounds(s)
    start = first_open or first
    if start is not None and start <= last:
        try:
            computed = periods.compute_all(cf, start, last)
        except ValidationError:
            return None
        for items in computed.values():
            for t in items:
                running = lk.draw_in(t.rep_id, t.month)
                out[t.rep_id].append((t, running.kind if running is not None else None))
    return out


def _fresh(data: CompanyData, last: Month) -> dict[int, Decimal]:
    """What the current data earns per rep, computed with nothing closed."""
    fresh = dataclasses.replace(data, periods=(), snapshots=())
    first = engine.first_statement_month(fresh)
    out: dict[int, Decimal] = defaultdict(lambda: ZERO)
    if first is None:
        return out
    for items in engine.compute_totals(fresh, min(first, last), last).values():
        for t in items:
            out[t.rep_id] += t.earnings
    return out


def _check(
    cf: CompanyFile, before: dict[tuple[Month, int], tuple[str, str]], steps: list[str]
) -> None:
    closed = _closed(cf)
    after = _snapshots(cf)
    last_closed = closed[-1] if closed else None
    # Closed statements are never rewritten: each stored before is stored still, unless its
    # month was just reopened; a new one only for a month just closed.
    for key, stored in before.items():
        if last_closed is not None and key[0] <= last_closed:
            assert after.get(key) == stored, (key, steps)
        else:
            assert key not in after, (key, steps)
    new_months = {m for m, _ in after.keys() - before.keys()}
    assert new_months <= ({last_closed} if last_closed else set()), (new_months, steps)

    statements = _statements(cf, HORIZON, after)
    if statements is None:
        return
    with cf.session() as s:
        data = store.load_company_data(s, history=False)
    fresh = _fresh(data, HORIZON)
    opening = {ob.rep_id: ob.balance_owed for ob in data.opening_balances}
    for rep_id in set(statements) | set(fresh):
        items = statements.get(rep_id, [])
        # Nothing lost, no correction dropped: the statements pay what the data earns.
        assert sum((t.earnings for t, _ in items), ZERO) == fresh.get(rep_id, ZERO), (
            rep_id,
            steps,
        )
        start = balance = opening.get(rep_id, ZERO)  # owed when the books start
        beyond = ZERO
        for t, kind in items:
            assert t.balance_before == balance, (rep_id, t.month, steps)
            if kind is DrawKind.NON_RECOVERABLE and t.earnings < t.draw:
                beyond += t.draw - max(t.earnings, ZERO)
            assert t.payout >= 0
            balance = t.balance_after
        # Nothing created: payouts are E, plus the balance owed now, plus what
        # non-recoverable draws paid beyond earnings.
        payouts = sum((t.payout for t, _ in items), ZERO)
        earned = sum((t.earnings for t, _ in items), ZERO)
        assert payouts == earned + (balance - start) + beyond, (rep_id, steps)


@settings(max_examples=max(3, settings.default.max_examples // 15))
@given(st.integers(0, 2**32 - 1))
def test_corrections_to_history_are_paid_once_and_closed_statements_never_change(
    tmp_path_factory: pytest.TempPathFactory, seed: int
) -> None:
    rng = random.Random(seed)
    folder = tmp_path_factory.mktemp("history")
    cf = CompanyFile.create(folder / "history.icmdesk")
    steps: list[str] = []
    try:
        company = random_company(rng)
        with cf.session() as s:
            store.replace_company_data(s, company)
        if rng.random() < 0.35:
            steps.append(_books_start(rng, cf))
        before = _snapshots(cf)
        for _ in range(STEPS):
            try:
                steps.append(_history_step(rng, cf, folder / "Backups"))
            except (ValidationError, PeriodError) as e:
                steps.append(f"refused: {e}"[:100])
            _check(cf, before, steps)
            before = _snapshots(cf)
    finally:
        cf.close()


def test_the_checks_catch_a_dropped_correction(tmp_path: Path) -> None:
    """The property's own check fails when a correction is lost: an adjustment dated in a
    closed month whose marker is cleared by hand is never paid."""
    from icmdesk.models.tables import DirtyMonthRow

    rng = random.Random(7)
    cf = CompanyFile.create(tmp_path / "c.icmdesk")
    try:
        with cf.session() as s:
            store.replace_company_data(s, random_company(rng))
        first = periods.list_periods(cf)[0].month
        periods.close(cf, first, backup_dir=tmp_path / "b")
        before = _snapshots(cf)
        rep = next(r for r in records_reps(cf) if r.name != "Boss")
        records.save_adjustment(cf, Adjustment(rep.id, first, Decimal("100.00"), "Late"))
        _check(cf, before, ["adjustment"])  # posted in the first open month
        with cf.session() as s:  # the marker lost: the correction would be dropped
            s.execute(DirtyMonthRow.__table__.delete())
        with pytest.raises(AssertionError):
            _check(cf, before, ["marker dropped"])
    finally:
        cf.close()


def records_reps(cf: CompanyFile):  # type: ignore[no-untyped-def]
    with cf.session() as s:
        return store.load_company_data(s, deals=False, history=False, snapshots=False).reps
