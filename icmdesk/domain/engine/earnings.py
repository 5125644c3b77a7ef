"""The single pass over deals that produces every rep's earnings lines.

Deals are taken once, in (close date, external id) order, with an accumulator per
(rep, quota period). Every line lands in a bucket per (recipient, payout month):
the bucket always keeps its total and its count of lines; it builds `StatementLine`
objects only for the months (or rep-months) the caller asked to see, so a run over
years of history stays cheap.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal
from operator import attrgetter

from icmdesk.domain.calendar import Month, QuotaPeriod, quota_period_label, quota_period_start
from icmdesk.domain.engine.context import InForce, Lookups
from icmdesk.domain.engine.crediting import counted_amount, credited_amounts
from icmdesk.domain.engine.fmt import fmt_money, fmt_pct
from icmdesk.domain.engine.tiers import Band, RateTable
from icmdesk.domain.entities import (
    ClawbackMethod,
    ClawbackPolicy,
    Deal,
    DealStanding,
    OverrideScope,
    PayoutTrigger,
    Progress,
    QuotaProgress,
    Spif,
)
from icmdesk.domain.money import CENT as _CENT
from icmdesk.domain.money import HUNDRED, ZERO, round_cents
from icmdesk.domain.statement import AwaitingLine, LineKind, StatementLine

# Sort groups inside a statement: prior-period adjustments first, then everything dated
# (deal lines, payments, clawbacks) in date order, then manual adjustments.
GROUP_PPA = 0
GROUP_DATED = 1
GROUP_ADJUSTMENT = 2

SortKey = tuple[int, int, int, int]

# How an awaiting line of a manager's override names the report whose credit it is on:
# "… · override on Priya Natarajan's credit · …" (reports.wording reads it back).
AWAITING_OVERRIDE = "override on "


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
    source: str | None = None  # an override's: the report whose credit it was on
    split: Decimal | None = None  # that credit's split


@dataclass(slots=True)
class Bucket:
    """Earnings of one recipient in one payout month. A deal's lines are kept as what
    describes them (`PendingLine`) until a statement's lines are read (`keyed_lines`)."""

    total: Decimal = ZERO
    count: int = 0
    lines: list[tuple[SortKey, StatementLine | PendingLine]] | None = None
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
    # X at the end of each month (as a month index) with a deal.
    x_by_month: dict[int, Decimal] = field(default_factory=dict)


class _Terms:
    """What governs a credit under one (assignment, plan version), resolved once per run."""

    __slots__ = (
        "bonuses",
        "cash",
        "f",
        "multipliers",
        "policy",
        "quota_months",
        "spifs",
        "table",
    )

    def __init__(self, f: InForce, table: RateTable, default_policy: ClawbackPolicy) -> None:
        v = f.version
        self.f = f
        self.table = table
        self.quota_months = v.quota_period.months
        self.multipliers = {m.deal_type: m.multiplier_pct for m in v.multipliers}
        self.spifs = v.spifs
        # Attainment bonuses need a positive quota (refused otherwise); lowest first.
        self.bonuses = (
            tuple(sorted(v.bonuses, key=lambda b: b.threshold_pct))
            if f.quota is not None and f.quota > 0
            else ()
        )
        self.cash = v.payout_trigger is PayoutTrigger.CASH
        self.policy = v.clawback_policy or default_policy


# A manager paid an override on a credit: (manager id, rate %, depth, scope value).
_Override = tuple[int, Decimal, int, str]
# What a credit to a rep on a day earns under, and the overrides it pays.
_CreditContext = tuple[_Terms | None, tuple[_Override, ...]]
_ONE_DAY = timedelta(days=1)
# One booked amount a recipient gets from one credit: (kind, amount, what describes it).
_Comp = tuple[LineKind, Decimal, object]
# What describes a credit's lines, read only for lines a statement shows: (deal, rate table,
# X before, X after, split %, credited, counted, type multiplier %, deal has several credits,
# its quota period as (start month index, length in months, fiscal year start month)).
_QuotaPeriodOf = tuple[int, int, int]
_CreditFacts = tuple[
    Deal, RateTable, Decimal, Decimal, Decimal, Decimal, Decimal, Decimal, bool, _QuotaPeriodOf
]
# A deal line before it is built: deal_line's arguments after the currency.
PendingLine = tuple[
    LineKind,
    object,
    Decimal,
    _CreditFacts,
    str | None,
    date,
    tuple[Decimal, Decimal, Decimal] | None,
]
# round_cents, bound for the hot loop.
_quantize = Decimal.quantize
_HALF_UP = ROUND_HALF_UP


class EarningsRun:
    """Runs the pass; afterwards `buckets` and `x_at` hold what statements are built from."""

    def __init__(
        self,
        lk: Lookups,
        *,
        want_months: frozenset[Month],
        want_rep_months: frozenset[tuple[int, Month]] = frozenset(),
        until: Month | None = None,
        context_deals: frozenset[str] = frozenset(),
        post_months: frozenset[Month] = frozenset(),
        progress: Progress | None = None,
        record: frozenset[Month] = frozenset(),
    ) -> None:
        """`context_deals` (external ids): deals present only so that those paid or
        cancelled in `post_months` are rated exactly (see engine/engine.py). They move
        their reps' accumulators and post only their lines dated in `post_months`
        (payments, clawbacks); a deal that posts there shows its awaiting lines too.

        `progress`: standing stored with closes: each rep's in its quota periods at the
        end of closed months, taken up when the pass reaches the next month, and before
        deals, taken up for those deals. `record`: the months whose standing (at their
        end, and before each of their deals) `progress` gives after the run."""
        self.lk = lk
        # Nothing closed after `until` can put a line in a month up to it: skip those deals.
        self.until = until
        self.company = lk.data.company
        self.currency = lk.data.company.currency
        self.fy_start = lk.data.company.fiscal_year_start
        # Inside the pass months are indexes (Month.index): ints hash and compare in C.
        self._want = frozenset(m.index for m in want_months)
        self._want_sorted = sorted(self._want)
        self._want_rep = frozenset((r, m.index) for r, m in want_rep_months)
        self._context_deals = context_deals
        self._post_months = frozenset(m.index for m in post_months)
        self._seeds: dict[int, list[QuotaProgress]] = {}
        progress = progress or Progress()
        for p in (*_opening_standing(lk), *progress.months):
            self._seeds.setdefault(p.month.index, []).append(p)
        self._before = {(s.deal_id, s.rep_id): s.counted_before for s in progress.deals}
        self._record = frozenset(m.index for m in record)
        self.progress: dict[Month, tuple[QuotaProgress, ...]] = {}
        self.deal_standing: list[DealStanding] = []
        # (recipient, month index) of every clawback posted: the engine looks for notices
        # never issued in the closed months among them.
        self._clawed: set[tuple[int, int]] = set()
        self.clawed_in: set[tuple[int, Month]] = set()
        # Filled by run(): per (recipient, payout month), and X at the end of each month
        # with a deal: (rep, quota period kind, period start, month) -> X.
        self.buckets: dict[tuple[int, Month], Bucket] = {}
        self.x_at: dict[tuple[int, QuotaPeriod, Month, Month], Decimal] = {}
        self._b: dict[tuple[int, int], Bucket] = {}
        self._accs: dict[tuple[int, int, int], _Acc] = {}  # (rep, period months, start)
        self._terms: dict[tuple[int, int], _Terms] = {}
        # Per rep, the terms and overrides of the day last asked for, and the days they
        # hold on: [from, until). Deals come in date order, so a rep's stay put for long.
        self._credit_ctx: dict[int, tuple[date, date, _CreditContext]] = {}
        self._month_index: dict[date, int] = {}

    def _index(self, day: date) -> int:
        i = self._month_index.get(day)
        if i is None:
            i = self._month_index[day] = day.year * 12 + day.month - 1
        return i

    # -- buckets -------------------------------------------------------------------------

    def _bucket(self, rep_id: int, month: int) -> Bucket:
        key = (rep_id, month)
        b = self._b.get(key)
        if b is None:
            b = self._b[key] = Bucket()
            if month in self._want or (rep_id, month) in self._want_rep:
                b.lines = []
        return b

    def _add_line(self, rep_id: int, month: int, sort_key: SortKey, line: StatementLine) -> None:
        b = self._b.get((rep_id, month)) or self._bucket(rep_id, month)
        b.total += line.amount
        b.count += 1
        if b.lines is not None:
            b.lines.append((sort_key, line))

    # -- the pass ------------------------------------------------------------------------

    def run(self) -> EarningsRun:
        ordered = sorted(self.lk.data.deals, key=_deal_order)
        if self.until is not None:  # the tail closed after `until`, found by bisection
            del ordered[bisect_right(ordered, self.until.last_day, key=_close_day) :]
        # Month ends where stored standing is taken up or the standing is recorded.
        bounds = sorted(self._seeds.keys() | self._record)
        b = 0
        for seq, deal in enumerate(ordered):
            if b < len(bounds):
                month = self._index(deal.close_date)
                while b < len(bounds) and bounds[b] < month:
                    self._month_end(bounds[b])
                    b += 1
            self._deal(seq, deal)
        for month in bounds[b:]:
            self._month_end(month)
        for seq, adj in enumerate(self.lk.data.adjustments):
            if self.until is not None and adj.month > self.until:
                continue
            line = StatementLine(
                kind=LineKind.ADJUSTMENT,
                amount=round_cents(adj.amount),
                description=f"Adjustment · {_one_line(adj.reason) or 'no reason given'}",
                rule="manual adjustment",
            )
            self._add_line(adj.rep_id, adj.month.index, (GROUP_ADJUSTMENT, 0, seq, 0), line)
        months: dict[int, Month] = {}

        def month(index: int) -> Month:
            m = months.get(index)
            if m is None:
                m = months[index] = Month.from_index(index)
            return m

        self.buckets = {(rep_id, month(i)): b for (rep_id, i), b in self._b.items()}
        self.clawed_in = {(rep_id, month(i)) for rep_id, i in self._clawed}
        kinds = {q.months: q for q in QuotaPeriod}
        self.x_at = {
            (rep_id, kinds[length], month(start), month(i)): x
            for (rep_id, length, start), acc in self._accs.items()
            for i, x in acc.x_by_month.items()
        }
        return self

    def _month_end(self, month: int) -> None:
        """Between the deals of `month` and the next: take up the standing stored at its
        end, then record the standing asked for."""
        for p in self._seeds.get(month, ()):
            key = (p.rep_id, p.period.months, p.period_start.index)
            acc = self._accs.get(key)
            if acc is None:
                acc = self._accs[key] = _Acc()
            acc.x = p.counted
            acc.bonuses_paid = set(p.bonuses_paid)
            acc.table = None  # C(X) is computed again from X under the next deal's table
            acc.x_by_month[month] = p.counted
        if month in self._record:
            kinds = {q.months: q for q in QuotaPeriod}
            self.progress[Month.from_index(month)] = tuple(
                QuotaProgress(
                    month=Month.from_index(month),
                    rep_id=rep_id,
                    period=kinds[length],
                    period_start=Month.from_index(start),
                    counted=acc.x,
                    bonuses_paid=tuple(sorted(acc.bonuses_paid)),
                )
                for (rep_id, length, start), acc in sorted(self._accs.items())
                if month < start + length - 1  # the period goes on after the month
            )

    def _context_from(self, rep_id: int, day: date) -> _CreditContext:
        """_context for the rep on `day`, kept for the days up to the next on which it can
        change: the rep's or a manager's terms change, or a manager's employment ends."""
        ctx = self._context(rep_id, day)
        lk = self.lk
        until = lk.next_change(rep_id, day)
        for mgr_id in lk.ancestors(rep_id):
            until = min(until, lk.next_change(mgr_id, day))
            ended = lk.reps[mgr_id].termination_date
            if ended is not None and day <= ended < until - _ONE_DAY:
                until = ended + _ONE_DAY
        self._credit_ctx[rep_id] = (day, until, ctx)
        return ctx

    def _context(self, rep_id: int, day: date) -> _CreditContext:
        """The terms a credit to the rep closed on `day` earns under, and the overrides it
        pays its managers: the same for every deal of that rep and day."""
        lk = self.lk
        f = lk.in_force(rep_id, day)
        if f is None:  # refused before the pass; kept as a guard
            return None, ()
        key = (id(f.assignment), id(f.version))
        terms = self._terms.get(key)
        if terms is None:
            v = f.version
            table = RateTable.build(v.tiers, quota=f.quota, mode=v.tier_mode, cap=v.cap)
            terms = self._terms[key] = _Terms(f, table, self.company.clawback_policy)
        overrides: list[_Override] = []
        for depth, mgr_id in enumerate(lk.ancestors(rep_id)):
            mf = lk.in_force(mgr_id, day)
            if mf is None or mf.version.override_rate_pct is None:
                continue
            mgr = lk.reps[mgr_id]
            if mgr.termination_date is not None and day > mgr.termination_date:
                continue
            if depth > 0 and mf.version.override_scope is not OverrideScope.TREE:
                continue
            rate = mf.version.override_rate_pct
            overrides.append((mgr_id, rate, depth, mf.version.override_scope.value))
        return terms, tuple(overrides)

    def _deal(self, seq: int, deal: Deal) -> None:
        close = deal.close_date
        close_month = self._month_index.get(close)
        if close_month is None:
            close_month = self._index(close)
        credits = deal.credits
        many = len(credits) > 1
        if len(credits) == 1 and credits[0].split_pct == HUNDRED:
            amounts = [_quantize(deal.amount, _CENT, _HALF_UP)]  # without the allocation
        else:
            amounts = credited_amounts(deal)
        fy0 = self.fy_start - 1
        context = bool(self._context_deals) and deal.external_id in self._context_deals
        for ci, credit in enumerate(credits):
            rep_id = credit.rep_id
            held = self._credit_ctx.get(rep_id)
            if held is not None and held[0] <= close < held[1]:
                terms, overrides = held[2]
            else:
                terms, overrides = self._context_from(rep_id, close)
            if terms is None:
                continue
            credited = amounts[ci]
            if terms.multipliers:
                mult = terms.multipliers.get(deal.deal_type, HUNDRED)
                counted = credited if mult == HUNDRED else counted_amount(credited, mult)
            else:
                mult, counted = HUNDRED, credited
            qstart = close_month - (close_month - fy0) % terms.quota_months
            acc_key = (rep_id, terms.quota_months, qstart)  # months: the period's kind
            acc = self._accs.get(acc_key)
            if acc is None:
                acc = self._accs[acc_key] = _Acc()
            if self._before:
                stored = self._before.get((deal.id, rep_id))
                if stored is not None:  # the deals before it may not be present
                    acc.x, acc.table = stored, None
            x_before = acc.x
            x_after = x_before + counted
            acc.x = x_after
            if not context:
                acc.x_by_month[close_month] = x_after
                if close_month in self._record and deal.id:  # a stored deal
                    self.deal_standing.append(DealStanding(deal.id, rep_id, x_before))

            table = terms.table
            if acc.table is table:
                c_before = acc.c_rounded
            else:
                c_before = _quantize(table.capped(x_before), _CENT, _HALF_UP)
            c_after = _quantize(table.capped(x_after), _CENT, _HALF_UP)
            acc.table, acc.c_rounded = table, c_after
            commission = c_after - c_before
            true_up = None
            if table.retroactive:
                target = table.retro_true_up_target(x_before, x_after)
                if target is not None:
                    true_up = round_cents(target) - c_before
            # What describes the credit's lines, should any statement show them.
            about = (
                deal,
                table,
                x_before,
                x_after,
                credit.split_pct,
                credited,
                counted,
                mult,
                many,
                (qstart, terms.quota_months, self.fy_start),
            )
            if true_up is None:
                own: list[_Comp] = [(LineKind.COMMISSION, commission, None)]
            else:
                own = [(LineKind.COMMISSION, commission - true_up, None)]
                if true_up != 0:
                    band = table.bands[table.band_index(x_after)]
                    own.append((LineKind.TRUE_UP, true_up, band))
            if terms.spifs:
                for spif in terms.spifs:
                    if spif.applies_to(
                        deal_type=deal.deal_type, amount=deal.amount, close_date=close
                    ):
                        own.append((LineKind.SPIF, round_cents(spif.amount), spif))
            if terms.bonuses and not context:
                self._bonuses(seq, ci, deal, rep_id, close_month, terms, acc, x_before, x_after)
            post = not context
            self._earn(seq, ci * 64, close_month, deal, rep_id, own, None, about, terms, post)
            if overrides:
                rep_name = self.lk.reps[rep_id].name
                for ri, (mgr_id, rate, depth, scope_value) in enumerate(overrides, start=1):
                    amount = round_cents(rate * credited / HUNDRED)
                    comps: list[_Comp] = [(LineKind.OVERRIDE, amount, (rate, depth, scope_value))]
                    self._earn(
                        seq,
                        ci * 64 + ri,
                        close_month,
                        deal,
                        mgr_id,
                        comps,
                        rep_name,
                        about,
                        terms,
                        post,
                    )

    def _bonuses(
        self,
        seq: int,
        ci: int,
        deal: Deal,
        rep_id: int,
        month: int,
        terms: _Terms,
        acc: _Acc,
        x_before: Decimal,
        x_after: Decimal,
    ) -> None:
        """Attainment bonuses: paid with the deal that makes X reach the threshold
        (`X_before < threshold ≤ X_after`, under this deal's version), once per quota
        period; a threshold X had already passed when the version took effect is not paid.
        Booked, never follow payments, never clawed back."""
        quota = terms.f.quota
        assert quota is not None
        cur = self.currency
        close = deal.close_date
        for bonus in terms.bonuses:
            if bonus.threshold_pct in acc.bonuses_paid:
                continue
            threshold = quota * bonus.threshold_pct / HUNDRED
            if x_before < threshold <= x_after:
                acc.bonuses_paid.add(bonus.threshold_pct)
                self._add_line(
                    rep_id,
                    month,
                    (GROUP_DATED, close.toordinal(), seq, ci * 64 * 8 + 6),
                    StatementLine(
                        kind=LineKind.BONUS,
                        amount=round_cents(bonus.amount),
                        description=(
                            f"Attainment bonus · {fmt_pct(bonus.threshold_pct)} of quota "
                            f"{fmt_money(quota, cur)} reached with deal "
                            f"{deal.external_id} ({fmt_money(x_after, cur)} counted)"
                        ),
                        deal_id=deal.external_id,
                        customer=deal.customer,
                        close_date=close,
                        rule=f"bonus at {fmt_pct(bonus.threshold_pct)} of quota",
                        earned_on=close,
                    ),
                )

    def _earn(
        self,
        seq: int,
        sub: int,
        close_month: int,
        deal: Deal,
        recipient: int,
        comps: list[_Comp],
        source: str | None,
        about: _CreditFacts,
        terms: _Terms,
        post: bool,
    ) -> None:
        """Post a recipient's lines from one credit, then any clawback of them. A context
        deal (`post` false) posts only its lines dated in the post months; what it earned
        is added up all the same, as what was paid."""
        close = deal.close_date
        paid = ZERO
        increments: list[tuple[int, Decimal]] = []
        posts = self._post_months
        if not terms.cash:
            month = close_month
            b = (
                (self._b.get((recipient, month)) or self._bucket(recipient, month))
                if post or month in posts
                else None
            )
            for ki, (kind, booked, what) in enumerate(comps):
                paid += booked
                if b is None:
                    continue
                b.total += booked
                b.count += 1
                if b.lines is not None:
                    line = (kind, what, booked, about, source, close, None)
                    b.lines.append(((GROUP_DATED, close.toordinal(), seq, sub * 8 + ki), line))
        else:
            schedule = _payment_schedule(deal)
            for ki, (kind, booked, what) in enumerate(comps):
                earned = ZERO
                for pi, (day, counted_paid, received) in enumerate(schedule):
                    now = round_cents(booked * counted_paid / deal.amount)
                    delta = now - earned
                    earned = now
                    if delta == 0:
                        continue
                    month = self._index(day)
                    increments.append((month, delta))
                    if not post and month not in posts:
                        continue
                    b = self._b.get((recipient, month)) or self._bucket(recipient, month)
                    b.total += delta
                    b.count += 1
                    if b.lines is not None:
                        paid_in = (received, now, booked)
                        line = (kind, what, delta, about, source, day, paid_in)
                        key = (GROUP_DATED, day.toordinal(), seq, (sub * 8 + ki) * 1024 + pi)
                        b.lines.append((key, line))
                paid += earned
            if self._want_sorted and (post or reaches(deal, posts)):
                self._awaiting(recipient, deal, comps, increments, source)
        cancel = deal.cancellation_date
        if cancel is not None and (post or self._index(cancel) in posts):
            self._clawback(
                seq, sub, deal, recipient, paid, source, about[5], about[4], terms.policy
            )

    def _clawback(
        self,
        seq: int,
        sub: int,
        deal: Deal,
        recipient: int,
        paid: Decimal,
        source: str | None,
        credited: Decimal,
        split: Decimal,
        policy: ClawbackPolicy,
    ) -> None:
        """A cancelled deal takes back what the recipient was paid on the credit."""
        cur = self.currency
        close = deal.close_date
        cancel = deal.cancellation_date
        assert cancel is not None
        days = (cancel - close).days
        # Nothing (or, under a decelerating table, less than nothing) earned: nothing to take.
        if days > policy.window_days or paid <= 0:
            return
        if policy.method is ClawbackMethod.PRORATED:
            left = policy.window_days - days
            clawed = round_cents(paid * left / policy.window_days)
            window = policy.window_days
            factor_text = f"({window} − {days}) / {window} = {left}/{window}"
            taken = f"prorated clawback, {factor_text}"
            share = f"factor {factor_text}"
        else:
            clawed = paid
            factor_text = "1"
            taken = "full clawback: all"
            share = "all of it"
        if clawed == 0:
            return
        cancel_month = self._index(cancel)
        self._clawed.add((recipient, cancel_month))
        reason = _one_line(deal.cancellation_reason) or "no reason given"
        what = "override" if source is not None else "earnings"
        line = StatementLine(
            kind=LineKind.CLAWBACK,
            amount=-clawed,
            description=(
                f"Clawback · Deal {deal.external_id} · {_one_line(deal.customer)} · "
                f"{fmt_money(deal.amount, cur)} closed {close.isoformat()}, cancelled "
                f"{cancel.isoformat()} ({reason}) · {taken} of the {fmt_money(paid, cur)} "
                f"{what} paid"
            ),
            deal_id=deal.external_id,
            customer=deal.customer,
            close_date=close,
            credited_amount=credited,
            split_pct=split,
            rule=f"{policy.method.value} clawback within {policy.window_days} days, {share}",
            earned_on=cancel,
            source_rep=source,
        )
        self._add_line(
            recipient, cancel_month, (GROUP_DATED, cancel.toordinal(), seq, sub * 8 + 7), line
        )
        if cancel_month in self._want or (recipient, cancel_month) in self._want_rep:
            self._bucket(recipient, cancel_month).notices.append(
                PendingNotice(
                    rep_id=recipient,
                    deal=deal,
                    policy=policy,
                    days_after_close=days,
                    factor_text=factor_text,
                    originally_earned=paid,
                    clawed_back=clawed,
                    source=source,
                    split=split if source is not None else None,
                )
            )

    def _awaiting(
        self,
        recipient: int,
        deal: Deal,
        comps: list[_Comp],
        increments: list[tuple[int, Decimal]],
        source: str | None = None,
    ) -> None:
        """Cash trigger: show what is booked but not yet earned on each wanted statement;
        a manager's override names the report whose credit it is on (AWAITING_OVERRIDE),
        so two reports' credits on one deal do not read as the same line twice."""
        want = self._want_sorted
        first = bisect_left(want, self._index(deal.close_date))
        booked = sum((c[1] for c in comps), ZERO)
        if first == len(want) or booked == 0:
            return
        cancel = deal.cancellation_date
        cancel_month = self._index(cancel) if cancel is not None else None
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
                        f"Booked, awaiting payment · {_head(deal)} · "
                        + (f"{AWAITING_OVERRIDE}{source}'s credit · " if source else "")
                        + f"{fmt_money(earned, cur)} of {fmt_money(booked, cur)} earned, "
                        f"{fmt_money(waiting, cur)} awaiting payment"
                    ),
                )
            self._bucket(recipient, month).awaiting.append(line)


def _opening_standing(lk: Lookups) -> list[QuotaProgress]:
    """The opening balances' standing, as if stored at the end of the month before the
    books start: in the quota period containing its first day (under each rep's version
    in force that day), X already reached and the bonuses already paid. Nothing for a
    quota period that starts with the books start."""
    start = lk.data.company.books_start
    if start is None or not lk.data.opening_balances:
        return []
    fy = lk.data.company.fiscal_year_start
    out: list[QuotaProgress] = []
    for ob in lk.data.opening_balances:
        f = lk.in_force(ob.rep_id, start.first_day)
        if f is None or not (ob.counted or ob.bonuses_paid):
            continue
        period = f.version.quota_period
        period_start = quota_period_start(start, period, fy)
        if period_start == start:
            continue
        out.append(
            QuotaProgress(
                month=start.plus(-1),
                rep_id=ob.rep_id,
                period=period,
                period_start=period_start,
                counted=ob.counted,
                bonuses_paid=tuple(sorted(ob.bonuses_paid)),
            )
        )
    return out


def reaches(deal: Deal, months: frozenset[int]) -> bool:
    """Whether a payment or the cancellation of the deal is dated in one of the months
    (as indexes): a context deal that does posts there and shows its awaiting lines."""
    days = [p.date for p in deal.payments]
    if deal.cancellation_date is not None:
        days.append(deal.cancellation_date)
    return any(Month.of(day).index in months for day in days)


def deal_line(
    cur: str,
    kind: LineKind,
    what: object,
    amount: Decimal,
    about: _CreditFacts,
    source: str | None,
    earned_on: date,
    paid_in: tuple[Decimal, Decimal, Decimal] | None,
) -> StatementLine:
    """A deal line, with its description and rule, for a statement that shows it.
    `paid_in`: for a cash line, (received so far, earned so far, booked)."""
    deal, table, xb, xa, split, credited, counted, mult, many, period = about
    if kind is LineKind.COMMISSION:
        rule = table.describe(xb, xa, cur)
        credit_text = _credit_text(deal, split, credited, counted, mult, many, cur)
        description = f"{_head(deal)} · {credit_text} · {rule}"
    elif kind is LineKind.TRUE_UP:
        assert isinstance(what, Band)
        description = (
            f"Retroactive tier true-up · {_head(deal)} reached {what.label}: "
            f"earlier deals of the quota period ({fmt_money(xb, cur)}) re-rated at "
            f"{fmt_pct(what.rate_pct)}"
        )
        rule = (
            f"{what.label} at {fmt_pct(what.rate_pct)} on {fmt_money(xb, cur)} "
            "counted before this deal (retroactive)"
        )
    elif kind is LineKind.SPIF:
        assert isinstance(what, Spif)
        description = f"SPIF {what.name} · {_head(deal)}"
        rule = f"SPIF {what.name}: {fmt_money(what.amount, cur)} per qualifying deal"
    else:
        assert isinstance(what, tuple)
        rate, depth, scope_value = what
        scope = "direct report" if depth == 0 else "indirect report"
        description = (
            f"Manager override · {source} ({scope}) · {_head(deal)} · "
            f"{fmt_pct(rate)} of {fmt_money(credited, cur)} credited"
        )
        rule = f"{fmt_pct(rate)} override ({scope_value})"
    working = _working(kind, what, amount, about, paid_in)
    if kind in (LineKind.COMMISSION, LineKind.TRUE_UP) and not table.is_flat:
        # Paid outside the quota period it was rated in: its tier is that period's.
        start, length, fy = period
        if not start <= earned_on.year * 12 + earned_on.month - 1 < start + length:
            kinds = {q.months: q for q in QuotaPeriod}
            label = quota_period_label(Month.from_index(start), kinds[length], fy)
            working["quota_period"] = label.split(" (")[0]
    if paid_in is not None:
        received, now, booked = paid_in
        if received > deal.amount:
            paid_text = (
                f"{fmt_money(received, cur)} paid on a {fmt_money(deal.amount, cur)} deal "
                f"(earned on {fmt_money(deal.amount, cur)} only)"
            )
        else:
            paid_text = f"{fmt_money(received, cur)} of {fmt_money(deal.amount, cur)} paid"
        description += (
            f" · payment received {earned_on.isoformat()}: {paid_text}, "
            f"{fmt_money(now, cur)} of {fmt_money(booked, cur)} earned"
        )
    return StatementLine(
        kind=kind,
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
        **working,
    )


def _working(
    kind: LineKind,
    what: object,
    amount: Decimal,
    about: _CreditFacts,
    paid_in: tuple[Decimal, Decimal, Decimal] | None,
) -> dict[str, object]:
    """The facts a deal line's amount is worked out from, for the statement to print."""
    deal, table, xb, xa, _split, _credited, counted, mult, _many, _period = about
    out: dict[str, object] = {
        "deal_amount": deal.amount,
        "deal_type": deal.deal_type,
        "multiplier_pct": mult,
        "counted_amount": counted,
    }
    if paid_in is None:
        out["booked"] = amount
    else:
        received, now, booked = paid_in
        out.update(
            booked=booked, paid_to_date=received, earned_to_date=now, earned_before=now - amount
        )
    if kind is LineKind.COMMISSION:
        band = table.band_index(xa)
        if table.retroactive or table.band_index(xb) == band or xa == xb:
            out["rate_pct"] = table.bands[band].rate_pct
        elif table.bands[band].low == xa and table.band_index(xb) == band - 1:
            # The slice ends exactly on a boundary: all of it lies in the tier below.
            out["rate_pct"] = table.bands[band - 1].rate_pct
        before = round_cents(table.capped(xb))
        if table.retroactive:
            # The deal that crosses a tier carries the re-rating of the earlier deals as its
            # own true-up line: the deal line starts from the re-rated commission.
            target = table.retro_true_up_target(xb, xa)
            if target is not None:
                before = round_cents(target)
        out.update(
            counted_before=xb,
            commission_before=before,
            commission_after=round_cents(table.capped(xa)),
        )
    elif kind is LineKind.TRUE_UP:
        target = table.retro_true_up_target(xb, xa)
        assert target is not None
        out.update(
            counted_before=xb,
            rate_pct=table.bands[table.band_index(xa)].rate_pct,
            commission_before=round_cents(table.capped(xb)),
            commission_after=round_cents(target),
        )
    return out


def keyed_lines(
    lines: list[tuple[SortKey, StatementLine | PendingLine]], cur: str
) -> list[tuple[SortKey, StatementLine]]:
    """A bucket's lines, those of deals built now."""
    return [
        (key, line if isinstance(line, StatementLine) else deal_line(cur, *line))
        for key, line in lines
    ]


# The pass's order: close date, then external id (attrgetter: no Python call per deal).
_deal_order = attrgetter("close_date", "external_id")
_payment_day = attrgetter("date")
_close_day = attrgetter("close_date")


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


def _payment_schedule(deal: Deal) -> list[tuple[date, Decimal, Decimal]]:
    """(effective date, cumulative amount received up to the deal amount, cumulative amount
    received) per payment: payments may total more than the deal amount, and the earned
    part stops at it.

    A payment dated before the close date counts on the close date; payments dated
    after the cancellation date earn nothing and are left out.
    """
    out: list[tuple[date, Decimal, Decimal]] = []
    total = ZERO
    payments = deal.payments
    for p in payments if len(payments) < 2 else sorted(payments, key=_payment_day):
        if deal.cancellation_date is not None and p.date > deal.cancellation_date:
            continue
        total += p.amount
        day = p.date if p.date > deal.close_date else deal.close_date
        out.append((day, min(total, deal.amount), total))
    return out


def _head(deal: Deal) -> str:
    """How a statement names a deal: its id and customer, and its CRM name when it has one
    that says more than the customer ("Deal 9001 · Harbor retrofit · Harbor Labs")."""
    name = _one_line(deal.name)
    customer = _one_line(deal.customer)
    if name and name.casefold() != customer.casefold():
        return f"Deal {deal.external_id} · {name} · {customer}"
    return f"Deal {deal.external_id} · {customer}"


def _one_line(text: str) -> str:
    return " ".join(text.split())
