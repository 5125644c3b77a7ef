"""What the owner edits: frozen values for every entity of COMP_RULES.md.

Every entity carries a keyword-only `id`; `NEW` (0) means "not stored yet".
Amounts are `Decimal` (whole cents), percentages are `Decimal` percent
(60 means 60%), dates are `datetime.date`, months are `Month`.
"""

from __future__ import annotations

from dataclasses import dataclass
from dataclasses import field as _field
from datetime import date, datetime
from decimal import Decimal
from enum import StrEnum

from icmdesk.domain.calendar import Month, QuotaPeriod
from icmdesk.domain.money import HUNDRED

NEW = 0
BUILTIN_DEAL_TYPES: tuple[str, ...] = ("new", "renewal", "upsell")

DEFAULT_HELP_TEXT = (
    "How to read this statement: each line shows the deal, the amount credited to you, "
    "your split and the rate or rule that produced the commission. Earnings this month (E) "
    "less any recovery of a draw balance give your net payout. Questions? Contact your "
    "sales operations or payroll office."
)


class TierMode(StrEnum):
    MARGINAL = "marginal"
    RETROACTIVE = "retroactive"


class PayoutTrigger(StrEnum):
    BOOKING = "booking"
    CASH = "cash"


class ClawbackMethod(StrEnum):
    FULL = "full"
    PRORATED = "prorated"


class OverrideScope(StrEnum):
    DIRECT = "direct"
    TREE = "tree"


class DrawKind(StrEnum):
    RECOVERABLE = "recoverable"
    NON_RECOVERABLE = "non_recoverable"


class PageSize(StrEnum):
    LETTER = "letter"
    A4 = "a4"


class PeriodStatus(StrEnum):
    OPEN = "open"
    CLOSED = "closed"


@dataclass(frozen=True, slots=True)
class ClawbackPolicy:
    window_days: int = 90
    method: ClawbackMethod = ClawbackMethod.FULL


class PayrollProvider(StrEnum):
    """Whose payroll takes the month's payouts (the export layout offered first)."""

    GENERIC = "generic"
    GUSTO = "gusto"
    ADP = "adp"


@dataclass(frozen=True, slots=True)
class PayoutSettings:
    """How payouts leave ICMDesk (docs/exporting.md): when they are paid, the payroll
    provider and its earnings codes, and the accounts of the bookkeeping journal."""

    pay_day: int = 15  # day of the month they are paid (past its end: its last day)
    pay_months_after: int = 1  # months after the statement's month (0: the same month)
    provider: PayrollProvider = PayrollProvider.GENERIC
    adp_company_code: str = ""  # ADP's "Co Code"
    adp_batch_id: str = "ICM"
    commission_code: str = "C"  # earnings codes (ADP)
    bonus_code: str = "B"
    draw_code: str = "D"
    # Journal accounts: names for QuickBooks, account codes for Xero.
    expense_account: str = "Commission Expense"
    payable_account: str = "Commissions Payable"
    draw_account: str = "Draws Receivable"
    xero_tax_rate: str = "Tax Exempt"
    # Questions and disputes about a statement (printed on it): whom to ask, and by when,
    # counted in days after the pay date (when the rep has the payout in hand). No
    # contact: the statement prints no such line.
    questions_contact: str = ""
    questions_days: int = 30


@dataclass(frozen=True, slots=True)
class Company:
    name: str
    address: str = ""
    currency: str = "USD"
    fiscal_year_start: int = 1
    clawback_policy: ClawbackPolicy = ClawbackPolicy()
    forgive_balance_at_termination: bool = False
    deal_types: tuple[str, ...] = ()  # company-defined types beyond BUILTIN_DEAL_TYPES
    page_size: PageSize = PageSize.LETTER
    statement_help_text: str = DEFAULT_HELP_TEXT
    logo_png: bytes | None = None
    # The first month ICMDesk pays (COMP_RULES "Books start"); None: everything is in it.
    books_start: Month | None = None
    payouts: PayoutSettings = PayoutSettings()

    @property
    def all_deal_types(self) -> tuple[str, ...]:
        return BUILTIN_DEAL_TYPES + tuple(t for t in self.deal_types if t not in BUILTIN_DEAL_TYPES)


@dataclass(frozen=True, slots=True)
class Role:
    name: str
    default_plan_id: int | None = None
    id: int = _field(default=NEW, kw_only=True)


@dataclass(frozen=True, slots=True)
class Rep:
    name: str
    hire_date: date
    email: str = ""
    payroll_id: str = ""
    role_id: int | None = None
    manager_id: int | None = None
    termination_date: date | None = None
    # Other names the rep goes by in a CRM export ("Dan Reyes", "dreyes@crm.example"): an
    # import credits the rep with the deals of an owner of that name.
    aliases: tuple[str, ...] = _field(default=(), kw_only=True)
    id: int = _field(default=NEW, kw_only=True)

    def employed_in(self, month: Month) -> bool:
        """Hire month through termination month, both in full."""
        if month < Month.of(self.hire_date):
            return False
        return self.termination_date is None or month <= Month.of(self.termination_date)


@dataclass(frozen=True, slots=True)
class Tier:
    """`[from_pct, next tier's from_pct) -> rate_pct`; the last tier is open-ended."""

    from_pct: Decimal
    rate_pct: Decimal


@dataclass(frozen=True, slots=True)
class AttainmentBonus:
    threshold_pct: Decimal
    amount: Decimal


@dataclass(frozen=True, slots=True)
class Spif:
    name: str
    amount: Decimal
    start: date
    end: date
    min_deal_amount: Decimal = Decimal("0.00")
    deal_types: tuple[str, ...] = ()  # empty: any type

    def applies_to(self, *, deal_type: str, amount: Decimal, close_date: date) -> bool:
        return (
            (not self.deal_types or deal_type in self.deal_types)
            and amount >= self.min_deal_amount
            and self.start <= close_date <= self.end
        )


@dataclass(frozen=True, slots=True)
class DealTypeMultiplier:
    deal_type: str
    multiplier_pct: Decimal


@dataclass(frozen=True, slots=True)
class PlanVersion:
    effective_from: date
    tiers: tuple[Tier, ...]
    quota_period: QuotaPeriod = QuotaPeriod.MONTH
    quota: Decimal | None = None
    tier_mode: TierMode = TierMode.MARGINAL
    cap: Decimal | None = None
    multipliers: tuple[DealTypeMultiplier, ...] = ()
    bonuses: tuple[AttainmentBonus, ...] = ()
    spifs: tuple[Spif, ...] = ()
    override_rate_pct: Decimal | None = None
    override_scope: OverrideScope = OverrideScope.DIRECT
    payout_trigger: PayoutTrigger = PayoutTrigger.BOOKING
    clawback_policy: ClawbackPolicy | None = None  # None: the company default
    id: int = _field(default=NEW, kw_only=True)

    def multiplier_pct(self, deal_type: str) -> Decimal:
        for m in self.multipliers:
            if m.deal_type == deal_type:
                return m.multiplier_pct
        return HUNDRED

    @property
    def needs_quota(self) -> bool:
        """More than one tier or any bonus needs a positive quota."""
        return len(self.tiers) > 1 or bool(self.bonuses)


@dataclass(frozen=True, slots=True)
class Plan:
    name: str
    versions: tuple[PlanVersion, ...] = ()  # ordered by effective_from
    id: int = _field(default=NEW, kw_only=True)

    def version_on(self, day: date) -> PlanVersion | None:
        """The version in force on `day` (the latest effective on or before it)."""
        found = None
        for v in self.versions:
            if v.effective_from <= day:
                found = v
            else:
                break
        return found


@dataclass(frozen=True, slots=True)
class Draw:
    amount: Decimal
    kind: DrawKind
    start_month: Month
    end_month: Month | None = None  # None: open-ended (while the assignment runs)
    max_recovery_pct: Decimal = HUNDRED

    def covers(self, month: Month) -> bool:
        return self.start_month <= month and (self.end_month is None or month <= self.end_month)


@dataclass(frozen=True, slots=True)
class Assignment:
    rep_id: int
    plan_id: int
    effective_from: date
    effective_to: date | None = None  # inclusive; None: open-ended
    quota_override: Decimal | None = None
    draw: Draw | None = None
    id: int = _field(default=NEW, kw_only=True)

    def in_force(self, day: date) -> bool:
        if day < self.effective_from:
            return False
        return self.effective_to is None or day <= self.effective_to


@dataclass(frozen=True, slots=True)
class Credit:
    rep_id: int
    split_pct: Decimal


@dataclass(frozen=True, slots=True)
class Payment:
    date: date
    amount: Decimal


@dataclass(frozen=True, slots=True)
class Deal:
    external_id: str
    customer: str
    amount: Decimal
    close_date: date
    deal_type: str = "new"
    credits: tuple[Credit, ...] = ()
    payments: tuple[Payment, ...] = ()
    cancellation_date: date | None = None
    cancellation_reason: str = ""
    name: str = _field(default="", kw_only=True)  # the deal's name in the CRM, if any
    id: int = _field(default=NEW, kw_only=True)

    @property
    def is_split(self) -> bool:
        return sum((c.split_pct for c in self.credits), Decimal(0)) == HUNDRED


@dataclass(frozen=True, slots=True)
class Adjustment:
    rep_id: int
    month: Month
    amount: Decimal
    reason: str
    # The id the adjustment has in a bulk-adjustment file ('' when entered here): a second
    # import of the file finds it instead of adding it again.
    external_id: str = _field(default="", kw_only=True)
    id: int = _field(default=NEW, kw_only=True)


@dataclass(frozen=True, slots=True)
class OpeningBalance:
    """Where a rep stood when the books start (COMP_RULES "Books start and opening
    balances"), settled outside ICMDesk: the balance owed at the start of the books-start
    month; the fiscal-year-to-date earnings before it in its fiscal year; and, in the quota
    period containing its first day (under the version in force that day), the counted
    amount already reached before it and the attainment bonuses (thresholds, % of quota)
    already paid. One per rep."""

    rep_id: int
    balance_owed: Decimal = Decimal("0.00")
    ytd_earnings: Decimal = Decimal("0.00")
    counted: Decimal = Decimal("0.00")
    bonuses_paid: tuple[Decimal, ...] = ()

    @property
    def is_zero(self) -> bool:
        return not (self.balance_owed or self.ytd_earnings or self.counted or self.bonuses_paid)


@dataclass(frozen=True, slots=True)
class Period:
    month: Month
    status: PeriodStatus = PeriodStatus.OPEN
    closed_at: datetime | None = None


@dataclass(frozen=True, slots=True)
class StatementSnapshot:
    """A closed period's stored statement for one rep: immutable once written.

    `payload` is the canonical JSON of the statement (lines and all); the
    totals are also kept as columns so later months can carry balances and
    prior-period corrections without parsing it.
    """

    month: Month
    rep_id: int
    earnings: Decimal
    draw: Decimal
    balance_before: Decimal
    recovery: Decimal
    payout: Decimal
    balance_after: Decimal
    ytd_earnings: Decimal
    content_hash: str
    payload: str


@dataclass(frozen=True, slots=True)
class QuotaProgress:
    """Where a rep stood in a quota period at the end of a closed month, stored with the
    close: a later compute rates that period's next deals from here instead of reading its
    earlier deals again (engine/engine.py states when it may)."""

    month: Month  # the closed month it is the end of
    rep_id: int
    period: QuotaPeriod
    period_start: Month
    counted: Decimal  # X: the amount counted toward the quota so far
    bonuses_paid: tuple[Decimal, ...] = ()  # the thresholds (% of quota) already paid


@dataclass(frozen=True, slots=True)
class DealStanding:
    """What a rep credited on a deal had counted in its quota period just before the deal,
    stored with the close of the deal's month: a later payment or cancellation of the deal
    is rated from here without the deals before it (engine/engine.py)."""

    deal_id: int
    rep_id: int
    counted_before: Decimal


@dataclass(frozen=True, slots=True)
class Progress:
    """Standing stored with closes: at month ends, and before each deal of those months."""

    months: tuple[QuotaProgress, ...] = ()
    deals: tuple[DealStanding, ...] = ()


@dataclass(frozen=True, slots=True)
class AuditEntry:
    at: datetime
    action: str  # create, update, delete, close, reopen, import, ...
    entity: str
    entity_id: str
    field: str = ""
    old: str = ""
    new: str = ""
    user: str = _field(default="", kw_only=True)  # the OS account that made it ('' unknown)
    id: int = _field(default=NEW, kw_only=True)


@dataclass(frozen=True, slots=True)
class SavedMapping:
    """A deal-import mapping kept for the next file of the same layout: `key` names the
    layout ("hubspot", or "generic:" and the file's columns), `payload` is the mapping's
    canonical JSON (domain.imports.profiles.Mapping)."""

    key: str
    payload: str


@dataclass(frozen=True, slots=True)
class CompanyData:
    """Everything in one company file: the engine's input and the export format's content."""

    company: Company
    roles: tuple[Role, ...] = ()
    reps: tuple[Rep, ...] = ()
    plans: tuple[Plan, ...] = ()
    assignments: tuple[Assignment, ...] = ()
    deals: tuple[Deal, ...] = ()
    adjustments: tuple[Adjustment, ...] = ()
    periods: tuple[Period, ...] = ()
    snapshots: tuple[StatementSnapshot, ...] = ()
    audit: tuple[AuditEntry, ...] = ()
    opening_balances: tuple[OpeningBalance, ...] = ()
    import_mappings: tuple[SavedMapping, ...] = ()
