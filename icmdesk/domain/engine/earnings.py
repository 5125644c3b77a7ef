"""The single pass over deals that produces every rep's earnings lines.

Deals are taken once, in (close date, external id) order, with an accumulator per
(rep, quota period). Every line lands in a bucket per (recipient, payout month):
the bucket always keeps its total and its count of lines; it builds `StatementLine`
objects only for the months (or rep-months) the caller asked to see, so a run over
years of history stays cheap.
"""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from icmdesk.domain.calendar import Month, QuotaPeriod, quota_period_start
from icmdesk.domain.engine.context import InForce, Lookups
from icmdesk.domain.engine.crediting import counted_amount, credited_amounts
from icmdesk.domain.engine.fmt import fmt_money, fmt_pct
from icmdesk.domain.engine.tiers import Band, RateTable
from icmdesk.domain.entities import (
    ClawbackMethod,
    ClawbackPolicy,
    Deal,
    OverrideScope,
    PayoutTrigger,
)
from icmdesk.domain.money import HUNDRED, ZERO, round_cents
from icmdesk.domain.statement import AwaitingLine, LineKind, StatementLine

# Sort groups inside a statement: prior-period adjustments first, then everything dated
# (deal lines, payments, clawbacks) in date order, then manual adjustments.
GROUP_PPA = 0
GROUP_DATED = 1
GROUP_ADJUSTMENT = 2

SortKey = tuple[int, int, int, int]


@dataclass(slots=True)
class PendingNotice:
    """A clawback notice waiting for its month's E, payout and balances."""

    rep_id: int
    deal: Deal
    policy: ClawbackPolicy
    days_after_close: int
    factor_text: str
    originally_earned: Decimal
    clawed_back: Decimal


@dataclass(slots=True)
class Bucket:
    """Earnings of one recipient in one payout month."""

    total: Decimal = ZERO
    count: int = 0
    lines: list[tuple[SortKey, StatementLine]] | None = None
    notices: list[PendingNotice] = field(default_factory=list)
    awaiting: list[AwaitingLine] = field(default_factory=list)


@dataclass(slots=True)
class _Acc:
    """A rep's running state in one quota period."""

    x: Decimal = ZERO
    bonuses_paid: set[Decimal] = field(default_factory=set)
    # round(C_capped(x)) under `table`, kept so the next deal need not recompute it.
    table: RateTable | None = None
    c_rounded: Decimal = ZERO


@dataclass(slots=True)
class _Component:
    """One booked amount a recipient gets from one credit (commission, true-up, SPIF, override)."""

    kind: LineKind
    booked: Decimal
    describe: Callable[[], tuple[str, str]]  # (description, rule), built only when shown


class EarningsRun:
    """Runs the pass; afterwards `buckets` and `x_at` hold what statements are built from."""

    def __init__(
        self,
        lk: Lookups,
        *,
        want_months: frozenset[Month],
        want_rep_months: frozenset[tuple[int, Month]] = frozenset(),
        until: Month | None = None,
    ) -> None:
        self.lk = lk
        # Nothing closed after `until` can put a line in a month up to it: skip those deals.
        self.until = until
        self.company = lk.data.company
        self.currency = lk.data.company.currency
        self.fy_start = lk.data.company.fiscal_year_start
        self.want_months = want_months
        self.want_sorted = sorted(want_months)
        self.want_rep_months = want_rep_months
        self.buckets: dict[tuple[int, Month], Bucket] = {}
        # X at the end of each month with a deal: (rep, quota period kind, start, month) -> X
        self.x_at: dict[tuple[int, QuotaPeriod, Month, Month], Decimal] = {}
        self._accs: dict[tuple[int, QuotaPeriod, Month], _Acc] = {}
        self._tables: dict[tuple[int, int], RateTable] = {}
        self._months: dict[date, Month] = {}
        self._qstarts: dict[tuple[Month, QuotaPeriod], Month] = {}

    def month_of(self, day: date) -> Month:
        m = self._months.get(day)
        if m is None:
            m = self._months[day] = Month.of(day)
        return m

    # -- buckets -------------------------------------------------------------------------

    def wants(self, rep_id: int, month: Month) -> bool:
        return month in self.want_months or (rep_id, month) in self.want_rep_months

    def bucket(self, rep_id: int, month: Month) -> Bucket:
        key = (rep_id, month)
        b = self.buckets.get(key)
        if b is None:
            b = Bucket()
            if self.wants(rep_id, month):
                b.lines = []
            self.buckets[key] = b
        return b

    def add_line(self, rep_id: int, month: Month, sort_key: SortKey, line: StatementLine) -> None:
        b = self.bucket(rep_id, month)
        b.total += line.amount
        b.count += 1
        if b.lines is not None:
            b.lines.append((sort_key, line))

    def add_lazy(
        self,
        rep_id: int,
        month: Month,
        amount: Decimal,
        sort_key: SortKey,
        make: Callable[[], StatementLine],
    ) -> None:
        """Count a line; build it only when its statement is wanted."""
        b = self.bucket(rep_id, month)
        b.total += amount
        b.count += 1
        if b.lines is not None:
            b.lines.append((sort_key, make()))

    # -- the pass ------------------------------------------------------------------------

    def run(self) -> EarningsRun:
        deals = self.lk.data.deals
        if self.until is not None:
            last_day = self.until.last_day
            deals = tuple(d for d in deals if d.close_date <= last_day)
        deals = sorted(deals, key=lambda d: (d.close_date, d.external_id))
        for seq, deal in enumerate(deals):
            self._deal(seq, deal)
        for seq, adj in enumerate(self.lk.data.adjustments):
            if self.until is not None and adj.month > self.until:
                continue
            line = StatementLine(
                kind=LineKind.ADJUSTMENT,
                amount=round_cents(adj.amount),
                description=f"Adjustment · {_one_line(adj.reason) or 'no reason given'}",
                rule="manual adjustment",
            )
            self.add_line(adj.rep_id, adj.month, (GROUP_ADJUSTMENT, 0, seq, 0), line)
        return self

    def _table(self, f: InForce) -> RateTable:
        key = (id(f.assignment), id(f.version))
        table = self._tables.get(key)
        if table is None:
            v = f.version
            table = RateTable.build(v.tiers, quota=f.quota, mode=v.tier_mode, cap=v.cap)
            self._tables[key] = table
        return table

    def _deal(self, seq: int, deal: Deal) -> None:
        lk = self.lk
        cur = self.currency
        close = deal.close_date
        close_month = self.month_of(close)
        amounts = credited_amounts(deal)
        schedule = _payment_schedule(deal)
        many = len(deal.credits) > 1
        for ci, (credit, credited) in enumerate(zip(deal.credits, amounts, strict=True)):
            rep_id = credit.rep_id
            f = lk.in_force(rep_id, close)
            if f is None:  # refused before the pass; kept as a guard
                continue
            v = f.version
            table = self._table(f)
            mult = v.multiplier_pct(deal.deal_type)
            counted = counted_amount(credited, mult)
            qkey = (close_month, v.quota_period)
            qstart = self._qstarts.get(qkey)
            if qstart is None:
                qstart = quota_period_start(close_month, v.quota_period, self.fy_start)
                self._qstarts[qkey] = qstart
            acc_key = (rep_id, v.quota_period, qstart)
            acc = self._accs.get(acc_key)
            if acc is None:
                acc = self._accs[acc_key] = _Acc()
            x_before = acc.x
            x_after = x_before + counted
            acc.x = x_after
            self.x_at[(rep_id, v.quota_period, qstart, close_month)] = x_after

            same = acc.table is table
            c_before = acc.c_rounded if same else round_cents(table.capped(x_before))
            c_after = round_cents(table.capped(x_after))
            acc.table, acc.c_rounded = table, c_after
            commission = c_after - c_before
            target = table.retro_true_up_target(x_before, x_after)
            true_up = ZERO if target is None else round_cents(target) - c_before
            deal_part = commission - true_up

            def describe_deal(
                table: RateTable = table,
                xb: Decimal = x_before,
                xa: Decimal = x_after,
                split: Decimal = credit.split_pct,
                credited: Decimal = credited,
                counted: Decimal = counted,
                mult: Decimal = mult,
            ) -> tuple[str, str]:
                rule = table.describe(xb, xa, cur)
                credit_text = _credit_text(deal, split, credited, counted, mult, many, cur)
                return f"{_head(deal)} · {credit_text} · {rule}", rule

            own: list[_Component] = [_Component(LineKind.COMMISSION, deal_part, describe_deal)]
            if true_up != 0:
                band = table.bands[table.band_index(x_after)]

                def describe_true_up(band: Band = band, xb: Decimal = x_before) -> tuple[str, str]:
                    return (
                        f"Retroactive tier true-up · {_head(deal)} reached {band.label}: "
                        f"earlier deals of the quota period ({fmt_money(xb, cur)}) re-rated at "
                        f"{fmt_pct(band.rate_pct)}",
                        f"{band.label} at {fmt_pct(band.rate_pct)} on {fmt_money(xb, cur)} "
                        "counted before this deal (retroactive)",
                    )

                own.append(_Component(LineKind.TRUE_UP, true_up, describe_true_up))
            for spif in v.spifs:
                if spif.applies_to(deal_type=deal.deal_type, amount=deal.amount, close_date=close):
                    own.append(
                        _Component(
                            LineKind.SPIF,
                            round_cents(spif.amount),
                            lambda spif=spif: (
                                f"SPIF {spif.name} · {_head(deal)}",
                                f"SPIF {spif.name}: {fmt_money(spif.amount, cur)} per "
                                "qualifying deal",
                            ),
                        )
                    )

            # Attainment bonuses: booked, never follow payments, never clawed back.
            if v.bonuses and f.quota is not None and f.quota > 0:
                for bonus in sorted(v.bonuses, key=lambda b: b.threshold_pct):
                    if bonus.threshold_pct in acc.bonuses_paid:
                        continue
                    if x_after >= f.quota * bonus.threshold_pct / HUNDRED:
                        acc.bonuses_paid.add(bonus.threshold_pct)
                        self.add_line(
                            rep_id,
                            close_month,
                            (GROUP_DATED, close.toordinal(), seq, ci * 64 * 8 + 6),
                            StatementLine(
                                kind=LineKind.BONUS,
                                amount=round_cents(bonus.amount),
                                description=(
                                    f"Attainment bonus · {fmt_pct(bonus.threshold_pct)} of quota "
                                    f"{fmt_money(f.quota, cur)} reached with deal "
                                    f"{deal.external_id} ({fmt_money(x_after, cur)} counted)"
                                ),
                                deal_id=deal.external_id,
                                customer=deal.customer,
                                close_date=close,
                                rule=f"bonus at {fmt_pct(bonus.threshold_pct)} of quota",
                                earned_on=close,
                            ),
                        )

            recipients: list[tuple[int, list[_Component], str | None]] = [(rep_id, own, None)]
            rep_name = lk.reps[rep_id].name
            for depth, mgr_id in enumerate(lk.ancestors(rep_id)):
                mf = lk.in_force(mgr_id, close)
                if mf is None or mf.version.override_rate_pct is None:
                    continue
                mgr = lk.reps[mgr_id]
                if mgr.termination_date is not None and close > mgr.termination_date:
                    continue
                if depth > 0 and mf.version.override_scope is not OverrideScope.TREE:
                    continue
                rate = mf.version.override_rate_pct
                amount = round_cents(rate * credited / HUNDRED)
                scope = "direct report" if depth == 0 else "indirect report"
                scope_value = mf.version.override_scope.value

                def describe_override(
                    rate: Decimal = rate,
                    scope: str = scope,
                    credited: Decimal = credited,
                    scope_value: str = scope_value,
                    rep_name: str = rep_name,
                ) -> tuple[str, str]:
                    return (
                        f"Manager override · {rep_name} ({scope}) · {_head(deal)} · "
                        f"{fmt_pct(rate)} of {fmt_money(credited, cur)} credited",
                        f"{fmt_pct(rate)} override ({scope_value})",
                    )

                recipients.append(
                    (mgr_id, [_Component(LineKind.OVERRIDE, amount, describe_override)], rep_name)
                )

            policy = v.clawback_policy or self.company.clawback_policy
            for ri, (recipient, comps, source) in enumerate(recipients):
                self._earn(
                    seq=seq,
                    sub=ci * 64 + ri,
                    deal=deal,
                    recipient=recipient,
                    comps=comps,
                    source=source,
                    credited=credited,
                    split=credit.split_pct,
                    cash=v.payout_trigger is PayoutTrigger.CASH,
                    schedule=schedule,
                    policy=policy,
                )

    def _earn(
        self,
        *,
        seq: int,
        sub: int,
        deal: Deal,
        recipient: int,
        comps: list[_Component],
        source: str | None,
        credited: Decimal,
        split: Decimal,
        cash: bool,
        schedule: list[tuple[date, Decimal]],
        policy: ClawbackPolicy,
    ) -> None:
        """Post a recipient's lines from one credit, then any clawback of them."""
        cur = self.currency
        close = deal.close_date
        paid = ZERO
        increments: list[tuple[Month, Decimal]] = []
        for ki, comp in enumerate(comps):
            if not cash:
                paid += comp.booked
                self.add_lazy(
                    recipient,
                    self.month_of(close),
                    comp.booked,
                    (GROUP_DATED, close.toordinal(), seq, sub * 8 + ki),
                    lambda comp=comp: _line(
                        comp, comp.booked, deal, credited, split, source, close, None
                    ),
                )
                continue
            earned = ZERO
            for pi, (day, received) in enumerate(schedule):
                now = round_cents(comp.booked * received / deal.amount)
                delta = now - earned
                earned = now
                if delta == 0:
                    continue
                month = self.month_of(day)
                increments.append((month, delta))
                self.add_lazy(
                    recipient,
                    month,
                    delta,
                    (GROUP_DATED, day.toordinal(), seq, (sub * 8 + ki) * 1024 + pi),
                    lambda comp=comp, delta=delta, day=day, received=received, now=now: _line(
                        comp,
                        delta,
                        deal,
                        credited,
                        split,
                        source,
                        day,
                        f" · payment received {day.isoformat()}: {fmt_money(received, cur)} of "
                        f"{fmt_money(deal.amount, cur)} paid, {fmt_money(now, cur)} of "
                        f"{fmt_money(comp.booked, cur)} earned",
                    ),
                )
            paid += earned

        cancel = deal.cancellation_date
        if cash:
            self._awaiting(recipient, deal, comps, increments)
        if cancel is None:
            return
        days = (cancel - close).days
        # Nothing (or, under a decelerating table, less than nothing) earned: nothing to take.
        if days > policy.window_days or paid <= 0:
            return
        if policy.method is ClawbackMethod.PRORATED:
            left = policy.window_days - days
            clawed = round_cents(paid * left / policy.window_days)
            window = policy.window_days
            factor_text = f"({window} − {days}) / {window} = {left}/{window}"
        else:
            clawed = paid
            factor_text = "1"
        if clawed == 0:
            return
        cancel_month = Month.of(cancel)
        reason = _one_line(deal.cancellation_reason) or "no reason given"
        what = "override" if source is not None else "earnings"
        line = StatementLine(
            kind=LineKind.CLAWBACK,
            amount=-clawed,
            description=(
                f"Clawback · Deal {deal.external_id} · {_one_line(deal.customer)} · "
                f"{fmt_money(deal.amount, cur)} closed {close.isoformat()}, cancelled "
                f"{cancel.isoformat()} ({reason}) · {policy.method.value} clawback, factor "
                f"{factor_text} of {fmt_money(paid, cur)} {what} paid"
            ),
            deal_id=deal.external_id,
            customer=deal.customer,
            close_date=close,
            credited_amount=credited,
            split_pct=split,
            rule=(
                f"{policy.method.value} clawback within {policy.window_days} days, "
                f"factor {factor_text}"
            ),
            earned_on=cancel,
            source_rep=source,
        )
        self.add_line(
            recipient, cancel_month, (GROUP_DATED, cancel.toordinal(), seq, sub * 8 + 7), line
        )
        if cancel_month in self.want_months:
            self.bucket(recipient, cancel_month).notices.append(
                PendingNotice(
                    rep_id=recipient,
                    deal=deal,
                    policy=policy,
                    days_after_close=days,
                    factor_text=factor_text,
                    originally_earned=paid,
                    clawed_back=clawed,
                )
            )

    def _awaiting(
        self,
        recipient: int,
        deal: Deal,
        comps: list[_Component],
        increments: list[tuple[Month, Decimal]],
    ) -> None:
        """Cash trigger: show what is booked but not yet earned on each wanted statement."""
        want = self.want_sorted
        first = bisect_left(want, self.month_of(deal.close_date))
        booked = sum((c.booked for c in comps), ZERO)
        if first == len(want) or booked == 0:
            return
        cancel_month = self.month_of(deal.cancellation_date) if deal.cancellation_date else None
        incs = sorted(increments, key=lambda inc: inc[0])
        cur = self.currency
        taken = 0
        earned = ZERO
        line: AwaitingLine | None = None  # one immutable line, shared until a payment lands
        for month in want[first:]:
            if cancel_month is not None and cancel_month <= month:
                break
            while taken < len(incs) and incs[taken][0] <= month:
                earned += incs[taken][1]
                taken += 1
                line = None
            if earned == booked:
                if taken == len(incs):
                    break
                continue
            if line is None:
                waiting = booked - earned
                line = AwaitingLine(
                    deal_id=deal.external_id,
                    customer=deal.customer,
                    close_date=deal.close_date,
                    booked=booked,
                    earned_to_date=earned,
                    awaiting=waiting,
                    description=(
                        f"Booked, awaiting payment · {_head(deal)} · {fmt_money(earned, cur)} of "
                        f"{fmt_money(booked, cur)} earned, {fmt_money(waiting, cur)} awaiting "
                        "payment"
                    ),
                )
            self.bucket(recipient, month).awaiting.append(line)


def _line(
    comp: _Component,
    amount: Decimal,
    deal: Deal,
    credited: Decimal,
    split: Decimal,
    source: str | None,
    earned_on: date,
    suffix: str | None,
) -> StatementLine:
    description, rule = comp.describe()
    if suffix:
        description += suffix
    return StatementLine(
        kind=comp.kind,
        amount=amount,
        description=description,
        deal_id=deal.external_id,
        customer=deal.customer,
        close_date=deal.close_date,
        credited_amount=credited,
        split_pct=split,
        rule=rule,
        earned_on=earned_on,
        source_rep=source,
    )


def _credit_text(
    deal: Deal,
    split: Decimal,
    credited: Decimal,
    counted: Decimal,
    mult: Decimal,
    many: bool,
    cur: str,
) -> str:
    """'$40,000.00 × 60% split', '… × 50% overlay', '$40,000.00', plus any type multiplier."""
    if not deal.is_split:
        text = f"{fmt_money(deal.amount, cur)} × {fmt_pct(split)} overlay"
    elif many or split != HUNDRED:
        text = f"{fmt_money(deal.amount, cur)} × {fmt_pct(split)} split"
    else:
        text = fmt_money(credited, cur)
    if mult != HUNDRED:
        text += f" · {deal.deal_type} counted at {fmt_pct(mult)} = {fmt_money(counted, cur)}"
    return text


def _payment_schedule(deal: Deal) -> list[tuple[date, Decimal]]:
    """(effective date, cumulative amount received, at most the deal amount) per payment.

    A payment dated before the close date counts on the close date; payments dated
    after the cancellation date earn nothing and are left out.
    """
    out: list[tuple[date, Decimal]] = []
    total = ZERO
    for p in sorted(deal.payments, key=lambda p: p.date):
        if deal.cancellation_date is not None and p.date > deal.cancellation_date:
            continue
        total += p.amount
        day = p.date if p.date > deal.close_date else deal.close_date
        out.append((day, min(total, deal.amount)))
    return out


def _head(deal: Deal) -> str:
    return f"Deal {deal.external_id} · {_one_line(deal.customer)}"


def _one_line(text: str) -> str:
    return " ".join(text.split())
