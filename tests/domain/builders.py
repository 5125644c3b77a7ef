"""Short builders for engine test cases: a company, reps, plans and deals in a few lines.

Amounts and percentages are written as strings ("40000", "7.5") and become exact
Decimals; dates as "YYYY-MM-DD"; months as "YYYY-MM".
"""

from __future__ import annotations

import itertools
from dataclasses import replace
from datetime import date
from decimal import Decimal

from icmdesk.domain.calendar import Month, QuotaPeriod
from icmdesk.domain.entities import (
    Adjustment,
    Assignment,
    AttainmentBonus,
    ClawbackMethod,
    ClawbackPolicy,
    Company,
    CompanyData,
    Credit,
    Deal,
    DealTypeMultiplier,
    Draw,
    DrawKind,
    OverrideScope,
    Payment,
    Period,
    PeriodStatus,
    Plan,
    PlanVersion,
    Rep,
    Spif,
    Tier,
    TierMode,
)
from icmdesk.domain.money import D
from icmdesk.domain.statement import LineKind, Statement

_ids = itertools.count(1)


def day(text: str) -> date:
    return date.fromisoformat(text)


def month(text: str) -> Month:
    return Month.parse(text)


def money(text: str | int) -> Decimal:
    return D(str(text))


def tiers(*pairs: tuple[str | int, str | int]) -> tuple[Tier, ...]:
    """tiers((0, 6), (100, 8)) -> 6% from 0%, 8% from 100%."""
    return tuple(Tier(D(str(f)), D(str(r))) for f, r in pairs)


def version(
    rate: str | int | None = None,
    *,
    effective_from: str = "2020-01-01",
    table: tuple[Tier, ...] | None = None,
    quota: str | int | None = None,
    period: QuotaPeriod = QuotaPeriod.MONTH,
    mode: TierMode = TierMode.MARGINAL,
    cap: str | int | None = None,
    multipliers: dict[str, str | int] | None = None,
    bonuses: tuple[tuple[str | int, str | int], ...] = (),
    spifs: tuple[Spif, ...] = (),
    override: str | int | None = None,
    scope: OverrideScope = OverrideScope.DIRECT,
    cash: bool = False,
    clawback: tuple[int, ClawbackMethod] | None = None,
) -> PlanVersion:
    from icmdesk.domain.entities import PayoutTrigger

    if table is None:
        table = tiers((0, rate if rate is not None else 10))
    return PlanVersion(
        effective_from=day(effective_from),
        tiers=table,
        quota_period=period,
        quota=None if quota is None else money(quota),
        tier_mode=mode,
        cap=None if cap is None else money(cap),
        multipliers=tuple(DealTypeMultiplier(k, D(str(v))) for k, v in (multipliers or {}).items()),
        bonuses=tuple(AttainmentBonus(D(str(t)), money(a)) for t, a in bonuses),
        spifs=spifs,
        override_rate_pct=None if override is None else D(str(override)),
        override_scope=scope,
        payout_trigger=PayoutTrigger.CASH if cash else PayoutTrigger.BOOKING,
        clawback_policy=None if clawback is None else ClawbackPolicy(clawback[0], clawback[1]),
        id=next(_ids),
    )


def plan(name: str, *versions: PlanVersion) -> Plan:
    return Plan(name, tuple(versions), id=next(_ids))


def draw(
    amount: str | int,
    kind: DrawKind = DrawKind.RECOVERABLE,
    *,
    start: str = "2020-01",
    end: str | None = None,
    max_recovery: str | int = 100,
) -> Draw:
    return Draw(
        money(amount), kind, month(start), None if end is None else month(end), D(str(max_recovery))
    )


class CompanyBuilder:
    """A company under construction: add reps with plans, deals and adjustments, then build."""

    def __init__(self, **company: object) -> None:
        self.company = Company(name="Test Co", **company)  # type: ignore[arg-type]
        self.reps: list[Rep] = []
        self.plans: list[Plan] = []
        self.assignments: list[Assignment] = []
        self.deals: list[Deal] = []
        self.adjustments: list[Adjustment] = []
        self.periods: list[Period] = []
        self.snapshots: list = []

    def rep(
        self,
        name: str,
        the_plan: Plan | None = None,
        *,
        hired: str = "2020-01-01",
        terminated: str | None = None,
        manager: Rep | None = None,
        quota: str | int | None = None,
        the_draw: Draw | None = None,
        assigned_from: str | None = None,
        assigned_to: str | None = None,
    ) -> Rep:
        rep = Rep(
            name,
            day(hired),
            payroll_id=f"P{len(self.reps) + 1:03d}",
            manager_id=manager.id if manager else None,
            termination_date=None if terminated is None else day(terminated),
            id=next(_ids),
        )
        self.reps.append(rep)
        if the_plan is not None:
            if the_plan not in self.plans:
                self.plans.append(the_plan)
            self.assign(
                rep,
                the_plan,
                start=assigned_from or hired,
                end=assigned_to,
                quota=quota,
                the_draw=the_draw,
            )
        return rep

    def assign(
        self,
        rep: Rep,
        the_plan: Plan,
        *,
        start: str,
        end: str | None = None,
        quota: str | int | None = None,
        the_draw: Draw | None = None,
    ) -> Assignment:
        if the_plan not in self.plans:
            self.plans.append(the_plan)
        a = Assignment(
            rep.id,
            the_plan.id,
            day(start),
            None if end is None else day(end),
            None if quota is None else money(quota),
            the_draw,
            id=next(_ids),
        )
        self.assignments.append(a)
        return a

    def deal(
        self,
        external_id: str,
        amount: str | int,
        closed: str,
        *credits: tuple[Rep, str | int],
        customer: str = "Acme Corp",
        deal_type: str = "new",
        payments: tuple[tuple[str, str | int], ...] = (),
        cancelled: str | None = None,
        reason: str = "",
    ) -> Deal:
        d = Deal(
            external_id,
            customer,
            money(amount),
            day(closed),
            deal_type,
            tuple(Credit(r.id, D(str(s))) for r, s in credits),
            tuple(Payment(day(p), money(a)) for p, a in payments),
            None if cancelled is None else day(cancelled),
            reason,
            id=next(_ids),
        )
        self.deals.append(d)
        return d

    def adjust(self, rep: Rep, at: str, amount: str | int, reason: str) -> None:
        self.adjustments.append(Adjustment(rep.id, month(at), money(amount), reason, id=next(_ids)))

    def build(self) -> CompanyData:
        return CompanyData(
            company=self.company,
            reps=tuple(self.reps),
            plans=tuple(self.plans),
            assignments=tuple(self.assignments),
            deals=tuple(self.deals),
            adjustments=tuple(self.adjustments),
            periods=tuple(self.periods),
            snapshots=tuple(self.snapshots),
        )


def closed(data: CompanyData, months: list[str], snapshots: list) -> CompanyData:
    """The same company with `months` closed and `snapshots` stored."""
    return replace(
        data,
        periods=tuple(Period(month(m), PeriodStatus.CLOSED) for m in months),
        snapshots=tuple(snapshots),
    )


def of(statements: tuple[Statement, ...], rep: Rep) -> Statement:
    """The rep's statement among a month's statements."""
    found = [s for s in statements if s.rep_id == rep.id]
    assert len(found) == 1, f"{rep.name} has {len(found)} statements"
    return found[0]


def amounts(s: Statement, kind: LineKind | None = None) -> list[str]:
    """The statement's line amounts (of one kind) as strings, in statement order."""
    return [f"{line.amount}" for line in s.lines if kind is None or line.kind is kind]
