"""Statement values: what the engine produces per rep and month.

These are the contract between the engine (domain/engine.py), the PDFs
(reports/), the command line's JSON and the GUI. Every amount is a Decimal in
whole cents; `E = sum(line.amount for line in lines)`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, fields
from datetime import date
from decimal import Decimal
from enum import StrEnum
from typing import Any, TypeVar, overload

from icmdesk.domain.calendar import Month


class LineKind(StrEnum):
    COMMISSION = "commission"
    TRUE_UP = "true_up"  # "Retroactive tier true-up"
    BONUS = "bonus"
    SPIF = "spif"
    OVERRIDE = "override"
    CLAWBACK = "clawback"
    ADJUSTMENT = "adjustment"
    PRIOR_PERIOD = "prior_period"  # "Prior-period adjustment"

    @property
    def title(self) -> str:
        return _TITLES[self]


_TITLES = {
    LineKind.COMMISSION: "Commission",
    LineKind.TRUE_UP: "Retroactive tier true-up",
    LineKind.BONUS: "Attainment bonus",
    LineKind.SPIF: "SPIF",
    LineKind.OVERRIDE: "Manager override",
    LineKind.CLAWBACK: "Clawback",
    LineKind.ADJUSTMENT: "Adjustment",
    LineKind.PRIOR_PERIOD: "Prior-period adjustment",
}


@dataclass(frozen=True, slots=True)
class StatementLine:
    """One line of a statement, with everything a rep needs to re-derive it."""

    kind: LineKind
    amount: Decimal
    description: str  # one line for people, e.g. "Deal D-1042 · $40,000.00 × 60% split · ..."
    deal_id: str | None = None  # the deal's external id
    customer: str | None = None
    close_date: date | None = None
    credited_amount: Decimal | None = None  # the credit (before any type multiplier)
    split_pct: Decimal | None = None
    rule: str = ""  # the rate or rule that produced it: "tier 2 (100–125%) at 8%"
    earned_on: date | None = None  # booking date, payment date or cancellation date
    source_rep: str | None = None  # overrides: the report whose credit produced the line
    ref_month: Month | None = None  # prior-period adjustments: the month corrected
    # The working of a deal line, so a rep can re-derive its amount to the cent (None on
    # lines stored before they were carried; the JSON leaves them out when None).
    deal_amount: Decimal | None = None  # the deal's amount, before any split
    deal_type: str | None = None
    multiplier_pct: Decimal | None = None  # the plan's multiplier for the deal type
    counted_amount: Decimal | None = None  # credited × multiplier, rounded to cents
    counted_before: Decimal | None = None  # X before this deal in the quota period
    rate_pct: Decimal | None = None  # the tier rate, when one rate rated the whole line
    # Commission in the quota period (rounded to cents) before and with this deal, whose
    # difference is the booked amount (COMP_RULES "Per-deal lines"); a true-up's "after" is
    # the re-rated commission on `counted_before`.
    commission_before: Decimal | None = None
    commission_after: Decimal | None = None
    booked: Decimal | None = None  # what the credit books for this kind of line
    # Cash trigger: payments received on the deal so far, and what was earned with them
    # (to date, and before this payment); the line is the difference.
    paid_to_date: Decimal | None = None
    earned_to_date: Decimal | None = None
    earned_before: Decimal | None = None
    # The quota period the line's deal was rated in ("FY2026 Q2"), on a line paid outside
    # it (a cash payment in a later quota period): its tier is that period's, not the
    # statement's. None otherwise; left out of the JSON when None.
    quota_period: str | None = None


@dataclass(frozen=True, slots=True)
class AwaitingLine:
    """Cash trigger: booked commission not yet earned because payment has not arrived."""

    deal_id: str
    customer: str
    close_date: date
    booked: Decimal
    earned_to_date: Decimal
    awaiting: Decimal
    description: str = ""


_T = TypeVar("_T")


class _Produced(Sequence[_T]):
    """Lines produced when first read: reading, comparing, hashing or pickling them
    produces them (once); they then behave as the tuple of them. Safe to read from
    several threads: making them is pure, so two threads at once get equal lines."""

    __slots__ = ("_lines", "_make")

    def __init__(self, make: Callable[[], tuple[_T, ...]]) -> None:
        self._make: Callable[[], tuple[_T, ...]] | None = make
        self._lines: tuple[_T, ...] | None = None

    def lines(self) -> tuple[_T, ...]:
        lines = self._lines
        if lines is None:
            make = self._make
            if make is None:  # another thread made them meanwhile (_lines is set first)
                lines = self._lines
                assert lines is not None
                return lines
            lines = make()
            self._lines = lines
            self._make = None
        return lines

    def __len__(self) -> int:
        return len(self.lines())

    @overload
    def __getitem__(self, index: int) -> _T: ...

    @overload
    def __getitem__(self, index: slice) -> tuple[_T, ...]: ...

    def __getitem__(self, index: int | slice) -> _T | tuple[_T, ...]:
        return self.lines()[index]

    def __iter__(self) -> Iterator[_T]:
        return iter(self.lines())

    def __eq__(self, other: object) -> bool:
        if isinstance(other, _Produced):
            return self.lines() == other.lines()
        if isinstance(other, tuple):
            return self.lines() == other
        return NotImplemented

    def __hash__(self) -> int:
        return hash(self.lines())

    def __repr__(self) -> str:
        return repr(self.lines())

    def __reduce__(self) -> tuple[Any, ...]:
        return tuple, (self.lines(),)


class AwaitingLines(_Produced[AwaitingLine]):
    """A statement's "Booked, awaiting payment" lines, produced when first read.

    A cash-trigger rep's statement lists every deal still not fully paid, most of them
    unchanged since the last closed statement they are carried from: decoding thousands
    per rep was most of the cost of computing a month of a big company, and a month's
    figures never read them.
    """

    __slots__ = ()


class StatementLines(_Produced[StatementLine]):
    """A computed statement's lines, produced when first read: their descriptions were
    a large part of computing a month of a big company, and a month's list of statements
    reads only its figures."""

    __slots__ = ()


@dataclass(frozen=True, slots=True)
class ClawbackNotice:
    """What a clawback notice letter says (COMP_RULES "Statements")."""

    rep_id: int
    rep_name: str
    month: Month
    deal_id: str
    customer: str
    deal_amount: Decimal
    close_date: date
    cancellation_date: date
    reason: str
    window_days: int
    method: str  # "full" or "prorated"
    days_after_close: int
    factor_text: str  # e.g. "1" or "(120 − 77) / 120 = 43/120"
    originally_earned: Decimal
    clawed_back: Decimal  # positive amount recovered
    period_earnings: Decimal  # E of the month, with the clawback in it
    payout: Decimal
    balance_before: Decimal
    balance_after: Decimal
    # A manager's override clawed back: the report whose credit it was on, and its split
    # (None for the rep's own earnings; left out of the stored JSON when None).
    source_rep: str | None = None
    source_split_pct: Decimal | None = None


@dataclass(frozen=True, slots=True)
class TierMark:
    """A tier threshold for the attainment bar: from `from_pct` of quota, `rate_pct` applies."""

    from_pct: Decimal
    rate_pct: Decimal


@dataclass(frozen=True, slots=True)
class TermMultiplier:
    """A deal type the plan counts at other than 100%."""

    deal_type: str
    multiplier_pct: Decimal


@dataclass(frozen=True, slots=True)
class TermBonus:
    """An attainment bonus: `amount`, once per quota period, at `threshold_pct` of quota."""

    threshold_pct: Decimal
    amount: Decimal


@dataclass(frozen=True, slots=True)
class TermSpif:
    """A SPIF of the plan that is in force at some point of the statement's month."""

    name: str
    amount: Decimal
    start: date
    end: date
    min_deal_amount: Decimal
    deal_types: tuple[str, ...] = ()  # empty: any type


@dataclass(frozen=True, slots=True)
class PlanTerms:
    """The rules of the plan version heading a statement, printed so a rep can check the
    rules that were applied (the rate table itself is the statement's `tier_marks`; the
    draw is the statement's `draw`, `draw_kind` and `recovery_pct`)."""

    tier_mode: str  # "marginal" or "retroactive"
    quota_period: str  # "month", "quarter" or "year"
    payout_trigger: str  # "booking" or "cash"
    clawback_window_days: int
    clawback_method: str  # "full" or "prorated"
    cap: Decimal | None = None  # per quota period
    multipliers: tuple[TermMultiplier, ...] = ()
    bonuses: tuple[TermBonus, ...] = ()
    spifs: tuple[TermSpif, ...] = ()
    override_rate_pct: Decimal | None = None
    override_scope: str = ""  # "direct" or "tree" where there is an override rate


@dataclass(frozen=True, slots=True)
class StatementOpening:
    """The opening balance a rep's first statement at the books start shows as such: what
    was settled outside ICMDesk before `books_start` and carried into it."""

    books_start: Month
    balance_owed: Decimal  # B at the start of the books-start month
    ytd_earnings: Decimal  # fiscal-year-to-date earnings before it, in its fiscal year
    counted: Decimal  # X already reached in the quota period containing its first day
    bonuses_paid: str  # the thresholds already paid, e.g. "100%, 120%" ("" for none)
    quota_period_label: str  # that quota period, e.g. "FY2026 Q1 (Jan–Mar 2026)"


@dataclass(frozen=True, slots=True)
class YearToDate:
    """Fiscal year to date, where the quota period is shorter than the fiscal year: the
    counted amount of the year's quota periods through the statement's, against the sum
    of their quotas (the statement's quota period included, whole)."""

    fiscal_year: str  # "FY2026"
    span: str  # the months counted, "Jan–Jun 2026"
    quota_periods: int  # how many quota periods of the year are counted, this one included
    counted: Decimal  # X of those quota periods, the statement's through its month
    quota: Decimal  # the sum of their quotas
    attainment_pct: Decimal  # counted / quota × 100, two decimals


@dataclass(frozen=True, slots=True)
class Statement:
    """A rep's statement for one payout month."""

    rep_id: int
    rep_name: str
    role_name: str
    payroll_id: str
    month: Month
    plan_name: str  # "" when no assignment this month
    plan_version: str  # e.g. "v2 from 2026-04-01"
    quota_period_label: str
    quota: Decimal | None
    credited_to_date: Decimal  # counted amount X in the quota period through this month
    attainment_pct: Decimal | None  # X / quota × 100, two decimals; None without a quota
    tier_marks: tuple[TierMark, ...]
    lines: tuple[StatementLine, ...] | StatementLines  # StatementLines: produced when read
    awaiting: tuple[AwaitingLine, ...] | AwaitingLines  # AwaitingLines: produced when read
    notices: tuple[ClawbackNotice, ...]
    earnings: Decimal  # E
    draw: Decimal  # D
    draw_kind: str  # "recoverable", "non_recoverable" or "" (no draw)
    balance_before: Decimal  # B
    recovery: Decimal  # R
    payout: Decimal
    balance_after: Decimal
    balance_forgiven: Decimal  # at termination, where the company forgives it
    balance_owed_at_termination: Decimal  # at termination, where it is not forgiven
    ytd_earnings: Decimal
    closed: bool
    content_hash: str | None  # closed periods only
    # The opening balance, on the first statement at the books start; left out of the
    # stored JSON (and its hash) when None, so statements without one read as they did.
    opening: StatementOpening | None = None
    # The running draw's maximum recovery, as a percentage of the excess E − D, where it is
    # below 100% (None: no draw, or all of the excess); left out of the JSON when None.
    recovery_pct: Decimal | None = None
    # The plan's rules in force (issue 15); left out of the JSON when None, as on
    # statements stored before they were carried.
    terms: PlanTerms | None = None
    # Fiscal year to date, where the quota period is shorter than the year (issue 15);
    # left out of the JSON when None.
    year_to_date: YearToDate | None = None

    def lines_of(self, kind: LineKind) -> tuple[StatementLine, ...]:
        return tuple(line for line in self.lines if line.kind is kind)


@dataclass(frozen=True, slots=True)
class StatementTotals:
    """A statement's money figures without its lines, for runs over many months.

    Computing years of statements keeps per rep and month only these (the figures a
    payroll register needs, which closed months also store as columns); a month's full
    statement, lines and all, is produced when that month is asked for.
    """

    rep_id: int
    rep_name: str
    month: Month
    earnings: Decimal  # E
    draw: Decimal  # D
    balance_before: Decimal  # B
    recovery: Decimal  # R
    payout: Decimal
    balance_after: Decimal
    ytd_earnings: Decimal
    closed: bool


def totals_of(s: Statement) -> StatementTotals:
    """The money figures of a full statement."""
    return StatementTotals(**{f.name: getattr(s, f.name) for f in fields(StatementTotals)})
