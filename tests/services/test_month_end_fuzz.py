"""Month-end through the services, at random: closes, reopens and edits of every kind,
and after each step the months computed from what the file loads (a subset, with the
standing stored at the closes) are the full computation's.

Each example is a random company (monthly, quarterly and yearly plans, a fiscal year
that may not start in January, versions changing mid-period, retroactive tiers, caps,
multipliers, bonuses, SPIFs, cash trigger, clawback policies, draws, overrides,
splits and overlays, payments, cancellations) and 25 random steps. `make fuzz` runs
many more examples than `make test`.
"""

from __future__ import annotations

import dataclasses
import random
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sqlalchemy import select

from icmdesk.domain import engine
from icmdesk.domain.calendar import Month, QuotaPeriod
from icmdesk.domain.entities import (
    Adjustment,
    ClawbackMethod,
    CompanyData,
    Credit,
    Deal,
    OverrideScope,
    Payment,
    PlanVersion,
    Rep,
    Spif,
    TierMode,
)
from icmdesk.domain.errors import PeriodError, ValidationError
from icmdesk.models.database import CompanyFile
from icmdesk.models.tables import PeriodRow
from icmdesk.services import periods, records, store
from tests.domain.builders import CompanyBuilder, draw, money, plan, tiers, version

PERIODS = list(QuotaPeriod)
LAST = Month(2026, 12)
STEPS = 25


def _version(rng: random.Random, effective_from: str, period: QuotaPeriod | None = None):  # type: ignore[no-untyped-def]
    options: dict[str, object] = {
        "effective_from": effective_from,
        "period": period or rng.choice(PERIODS),
    }
    if rng.randrange(4) == 0:
        options["rate"] = rng.choice(["5", "7.5", "10"])
    else:
        options["table"] = tiers((0, rng.choice([4, 5])), (50, rng.choice([8, 10])), (100, 12))
        options["quota"] = rng.choice(["20000", "50000", "100000"])
        options["mode"] = rng.choice([TierMode.MARGINAL, TierMode.RETROACTIVE])
        if rng.random() < 0.3:
            options["cap"] = rng.choice(["3000", "6000"])
        if rng.random() < 0.5:
            options["bonuses"] = ((50, "300"), (100, "700"))
    if rng.random() < 0.4:
        options["multipliers"] = {"renewal": 50, "upsell": 150}
    if rng.random() < 0.3:
        options["cash"] = True
    if rng.random() < 0.3:
        options["clawback"] = (rng.choice([30, 90, 120]), rng.choice(list(ClawbackMethod)))
    if rng.random() < 0.2:
        push = Spif("Push", money(150), date(2026, 2, 1), date(2026, 8, 31), money(1000), ("new",))
        options["spifs"] = (push,)
    return version(**options)  # type: ignore[arg-type]


def _credits(rng: random.Random, reps: list[Rep], close: date) -> list[tuple[Rep, int]] | None:
    """One to three reps employed on `close`: a split totalling 100% or an overlay."""
    eligible = [r for r in reps if r.termination_date is None or close <= r.termination_date]
    if not eligible:
        return None
    chosen = rng.sample(eligible, rng.randint(1, min(3, len(eligible))))
    if len(chosen) == 1:
        return [(chosen[0], 100)]
    if rng.random() < 0.6:
        first = [rng.randint(10, 60) for _ in chosen[:-1]]
        if sum(first) >= 100:
            first = [10] * len(first)
        return list(zip(chosen, [*first, 100 - sum(first)], strict=True))
    return list(zip(chosen, [100] + [rng.choice([50, 100]) for _ in chosen[1:]], strict=True))


def _deal(rng: random.Random, external_id: str, reps: list[Rep], close: date) -> Deal | None:
    credits = _credits(rng, reps, close)
    if credits is None:
        return None
    amount = Decimal(rng.randint(100_000, 6_000_000)) / 100
    payments: list[Payment] = []
    paid = Decimal(0)
    for _ in range(rng.randint(0, 3)):
        part = (amount * rng.choice([20, 30, 50]) / 100).quantize(Decimal("0.01"))
        if paid + part > amount:
            break
        paid += part
        payments.append(Payment(close + timedelta(days=rng.randint(-5, 120)), part))
    cancelled = close + timedelta(days=rng.randint(0, 150)) if rng.random() < 0.25 else None
    return Deal(
        external_id,
        f"Customer {rng.randrange(20)}",
        amount,
        close,
        rng.choice(["new", "new", "renewal", "upsell"]),
        tuple(Credit(r.id, Decimal(split)) for r, split in credits),
        tuple(payments),
        cancelled,
        "Went elsewhere" if cancelled else "",
    )


def random_company(rng: random.Random) -> CompanyData:
    """A random company (see the module docstring), its deals in 2026."""
    c = CompanyBuilder(fiscal_year_start=rng.choice([1, 1, 2, 4, 7, 10]))
    plans = []
    for i in range(rng.randint(2, 4)):
        versions = [_version(rng, "2025-01-01")]
        if rng.random() < 0.4:
            mid = date(2026, rng.randint(2, 9), rng.choice([1, 15]))
            period = rng.choice([versions[0].quota_period] * 2 + PERIODS)
            versions.append(_version(rng, mid.isoformat(), period))
        plans.append(plan(f"Plan {i}", *versions))
    managing = plan(
        "Managers",
        version(
            2,
            override=rng.choice([2, 3]),
            scope=rng.choice(list(OverrideScope)),
            period=rng.choice(PERIODS),
            cash=rng.random() < 0.3,
        ),
    )
    boss = c.rep("Boss", managing, hired="2026-01-01")
    reps: list[Rep] = []
    for i in range(rng.randint(2, 4)):
        left = date(2026, rng.randint(6, 11), 15).isoformat() if rng.random() < 0.2 else None
        manager = rng.choice([None, boss, *reps])
        the_draw = draw("500", start="2026-01") if rng.random() < 0.3 else None
        if rng.random() < 0.3:  # moves to another plan mid-year
            switch = date(2026, rng.randint(2, 9), rng.choice([1, 16]))
            rep = c.rep(
                f"Rep {i}",
                rng.choice(plans),
                hired="2026-01-01",
                terminated=left,
                manager=manager,
                assigned_to=(switch - timedelta(days=1)).isoformat(),
                the_draw=the_draw,
            )
            c.assign(
                rep, rng.choice(plans), start=switch.isoformat(), quota=rng.choice([None, "30000"])
            )
        else:
            rep = c.rep(
                f"Rep {i}",
                rng.choice(plans),
                hired="2026-01-01",
                terminated=left,
                manager=manager,
                quota=rng.choice([None, None, "40000"]),
                the_draw=the_draw,
            )
        reps.append(rep)
    data = c.build()
    deals = []
    for n in range(rng.randint(12, 30)):
        deal = _deal(rng, f"D-{n:03d}", reps, date(2026, 1, 1) + timedelta(rng.randint(0, 330)))
        if deal is not None:
            deals.append(dataclasses.replace(deal, id=n + 1))
    return dataclasses.replace(data, deals=tuple(deals))


def _closed(cf: CompanyFile) -> list[Month]:
    with cf.session() as s:
        rows = s.scalars(select(PeriodRow.month).where(PeriodRow.status == "closed"))
        return sorted(rows)


def _edit_deal(rng: random.Random, cf: CompanyFile, deal: Deal, reps: list[Rep]) -> str:
    what = rng.randrange(6)
    if what == 0:
        new = dataclasses.replace(deal, amount=deal.amount + Decimal(rng.randint(-500, 5000)))
        if new.amount <= sum((p.amount for p in deal.payments), Decimal(0)):
            return "nothing"
    elif what == 1:
        moved = deal.close_date + timedelta(days=rng.randint(-60, 60))
        if moved.year != 2026:
            return "nothing"
        cancel = deal.cancellation_date
        new = dataclasses.replace(
            deal, close_date=moved, cancellation_date=None if cancel and cancel < moved else cancel
        )
    elif what == 2:
        if deal.cancellation_date is None:
            cancel = deal.close_date + timedelta(days=rng.randint(0, 150))
            new = dataclasses.replace(deal, cancellation_date=cancel, cancellation_reason="Lost")
        elif rng.random() < 0.5:
            new = dataclasses.replace(deal, cancellation_date=None, cancellation_reason="")
        else:
            earlier = deal.cancellation_date - timedelta(days=rng.randint(1, 60))
            new = dataclasses.replace(deal, cancellation_date=max(deal.close_date, earlier))
    elif what == 3:
        left = deal.amount - sum((p.amount for p in deal.payments), Decimal(0))
        if left <= 0:
            return "nothing"
        part = min(left, (deal.amount * rng.choice([10, 25, 50]) / 100).quantize(Decimal("0.01")))
        paid_on = deal.close_date + timedelta(days=rng.randint(-5, 150))
        new = dataclasses.replace(deal, payments=(*deal.payments, Payment(paid_on, part)))
    elif what == 4:
        credits = _credits(rng, reps, deal.close_date)
        if credits is None:
            return "nothing"
        new = dataclasses.replace(
            deal, credits=tuple(Credit(r.id, Decimal(split)) for r, split in credits)
        )
    else:
        new = dataclasses.replace(deal, deal_type=rng.choice(["new", "renewal", "upsell"]))
    records.save_deal(cf, new)
    return f"edit {deal.external_id} ({what})"


def _step(rng: random.Random, cf: CompanyFile, backups: Path) -> str:
    closed = _closed(cf)
    with cf.session() as s:
        deals = store.load_all_deals(s)
        data = store.load_company_data(s, deals=False, history=False, snapshots=False)
    reps = [r for r in data.reps if r.name != "Boss"]
    r = rng.random()
    if r < 0.33:
        month = closed[-1].plus(1) if closed else Month(2026, 1)
        if month >= LAST:
            return "nothing"
        periods.close(cf, month, backup_dir=backups)
        return f"close {month}"
    if r < 0.45 and closed:
        periods.reopen(cf, closed[-1])
        return f"reopen {closed[-1]}"
    if r < 0.55 and deals:
        deal = rng.choice(deals)
        records.delete_deal(cf, deal.id)
        return f"delete {deal.external_id}"
    if r < 0.62:
        close = date(2026, 1, 1) + timedelta(days=rng.randint(0, 330))
        deal = _deal(rng, f"N-{rng.randrange(10**6)}", reps, close)
        if deal is None:
            return "nothing"
        records.save_deal(cf, deal)
        return f"add {deal.external_id}"
    if r < 0.9 and deals:
        return _edit_deal(rng, cf, rng.choice(deals), reps)
    if r < 0.95:
        chosen = rng.choice(data.plans)
        start = date(2026, rng.randint(1, 12), rng.choice([1, 10, 20]))
        if any(v.effective_from >= start for v in chosen.versions):
            return "nothing"
        new: PlanVersion = _version(rng, start.isoformat())
        if chosen.name == "Managers":
            new = dataclasses.replace(new, override_rate_pct=Decimal(3))
        records.add_plan_version(cf, chosen.id, dataclasses.replace(new, id=0))
        return f"new version of {chosen.name}"
    x = rng.random()
    if x < 0.25:
        month = Month(2026, rng.randint(1, 12))
        amount = Decimal(rng.randint(-30000, 30000)) / 100
        records.save_adjustment(cf, Adjustment(rng.choice(reps).id, month, amount, "By hand"))
        return f"adjustment in {month}"
    if x < 0.4:
        rep = rng.choice(reps)
        boss = next(r for r in data.reps if r.name == "Boss")
        manager = rng.choice([None, boss.id, *(r.id for r in reps if r.id != rep.id)])
        records.save_rep(cf, dataclasses.replace(rep, manager_id=manager))
        return f"manager of {rep.name}"
    if x < 0.45:
        company = records.get_company(cf)
        start_month = rng.choice([1, 2, 4, 7, 10])
        records.update_company(cf, dataclasses.replace(company, fiscal_year_start=start_month))
        return "fiscal year"
    assignment = rng.choice(data.assignments)
    quota = rng.choice([None, Decimal("25000"), Decimal("60000")])
    records.save_assignment(cf, dataclasses.replace(assignment, quota_override=quota))
    return "quota override"


def _full(cf: CompanyFile) -> CompanyData:
    with cf.session() as s:
        return store.load_company_data(s, history=False)


def _check(cf: CompanyFile, steps: list[str]) -> None:
    closed = _closed(cf)
    first_open = closed[-1].plus(1) if closed else Month(2026, 1)
    data = _full(cf)
    for month in sorted({first_open, first_open.plus(2)}):
        if month > LAST:
            continue
        try:
            full = engine.compute_month(data, month)
        except ValidationError:
            try:
                periods.compute(cf, month)
            except ValidationError:
                continue
            raise AssertionError(
                f"{month} computed from what it loads, not from everything"
            ) from None
        assert periods.compute(cf, month) == full, (month, steps)
    last = min(first_open.plus(1), LAST)
    try:
        full_totals = engine.compute_totals(data, first_open, last)
    except ValidationError:
        return
    assert periods.compute_all(cf, first_open, last) == full_totals, (first_open, steps)


@settings(max_examples=max(4, settings.default.max_examples // 12))
@given(st.integers(0, 2**32 - 1))
def test_every_step_of_a_random_month_end_computes_as_everything_would(
    tmp_path_factory: pytest.TempPathFactory, seed: int
) -> None:
    rng = random.Random(seed)
    folder = tmp_path_factory.mktemp("fuzz")
    cf = CompanyFile.create(folder / "fuzz.icmdesk")
    steps: list[str] = []
    try:
        with cf.session() as s:
            store.replace_company_data(s, random_company(rng))
        for _ in range(STEPS):
            try:
                steps.append(_step(rng, cf, folder / "Backups"))
            except (ValidationError, PeriodError) as e:
                steps.append(f"refused: {e}"[:80])
            _check(cf, steps)
    finally:
        cf.close()
