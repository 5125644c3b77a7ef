"""The company file's tables (SQLAlchemy 2.x typed mappings).

Money is integer cents (`Cents`), percentages integer ten-thousandths of a
percent (`Percent`), dates ISO text, months 'YYYY-MM'. Constraints that the
schema can hold are declared here; the rest is domain validation.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import (
    CheckConstraint,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

from icmdesk.domain.calendar import Month
from icmdesk.models.types import Cents, MonthText, Percent

NAMING = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)


class CompanyRow(Base):
    """The company's settings: exactly one row, id 1."""

    __tablename__ = "company"
    __table_args__ = (
        CheckConstraint("id = 1", name="single_row"),
        CheckConstraint("fiscal_year_start BETWEEN 1 AND 12", name="fiscal_year_start"),
        CheckConstraint("clawback_window_days >= 0", name="clawback_window"),
        CheckConstraint("clawback_method IN ('full', 'prorated')", name="clawback_method"),
        CheckConstraint("page_size IN ('letter', 'a4')", name="page_size"),
        CheckConstraint("length(currency) = 3", name="currency"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    address: Mapped[str] = mapped_column(Text, default="")
    currency: Mapped[str] = mapped_column(String(3), default="USD")
    fiscal_year_start: Mapped[int] = mapped_column(Integer, default=1)
    clawback_window_days: Mapped[int] = mapped_column(Integer, default=90)
    clawback_method: Mapped[str] = mapped_column(String(10), default="full")
    forgive_balance_at_termination: Mapped[bool] = mapped_column(default=False)
    page_size: Mapped[str] = mapped_column(String(10), default="letter")
    statement_help_text: Mapped[str] = mapped_column(Text, default="")
    logo_png: Mapped[bytes | None] = mapped_column(LargeBinary, nullable=True)
    books_start: Mapped[Month | None] = mapped_column(MonthText(), nullable=True)  # 0006
    # domain.entities.PayoutSettings as JSON (migration 0009; '{}': the defaults).
    payout_settings: Mapped[str] = mapped_column(Text, default="{}", server_default="{}")


class OpeningBalanceRow(Base):
    """Where a rep stood when the books start (migration 0006): money in cents,
    `bonuses_paid` a JSON list of thresholds as percent strings."""

    __tablename__ = "opening_balances"
    __table_args__ = (
        CheckConstraint("balance_owed >= 0", name="owed"),
        CheckConstraint("counted >= 0", name="counted"),
    )

    rep_id: Mapped[int] = mapped_column(ForeignKey("reps.id", ondelete="CASCADE"), primary_key=True)
    balance_owed: Mapped[Decimal] = mapped_column(Cents())
    ytd_earnings: Mapped[Decimal] = mapped_column(Cents())
    counted: Mapped[Decimal] = mapped_column(Cents())
    bonuses_paid: Mapped[str] = mapped_column(Text, default="[]")


class RepAliasRow(Base):
    """Another name a rep goes by in CRM exports (migration 0008). `key` is the alias as
    names are compared (case and spacing folded): one alias names one rep."""

    __tablename__ = "rep_aliases"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    rep_id: Mapped[int] = mapped_column(ForeignKey("reps.id", ondelete="CASCADE"), index=True)
    alias: Mapped[str] = mapped_column(String(200))
    key: Mapped[str] = mapped_column(String(200), unique=True)


class ImportMappingRow(Base):
    """A deal-import mapping kept for the next file of its layout (migration 0008)."""

    __tablename__ = "import_mappings"

    key: Mapped[str] = mapped_column(String(300), primary_key=True)
    payload: Mapped[str] = mapped_column(Text)


class DealTypeRow(Base):
    """A company-defined deal type beyond new/renewal/upsell."""

    __tablename__ = "deal_types"

    name: Mapped[str] = mapped_column(String(50), primary_key=True)


class RoleRow(Base):
    __tablename__ = "roles"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(100), unique=True)
    default_plan_id: Mapped[int | None] = mapped_column(
        ForeignKey("plans.id", ondelete="SET NULL"), nullable=True
    )


class RepRow(Base):
    __tablename__ = "reps"
    __table_args__ = (
        CheckConstraint(
            "termination_date IS NULL OR termination_date >= hire_date", name="termination"
        ),
        CheckConstraint("manager_id IS NULL OR manager_id <> id", name="not_own_manager"),
        Index(
            "uq_reps_payroll_id", "payroll_id", unique=True, sqlite_where=text("payroll_id <> ''")
        ),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    email: Mapped[str] = mapped_column(String(200), default="")
    payroll_id: Mapped[str] = mapped_column(String(50), default="")
    role_id: Mapped[int | None] = mapped_column(
        ForeignKey("roles.id", ondelete="RESTRICT"), nullable=True
    )
    manager_id: Mapped[int | None] = mapped_column(
        ForeignKey("reps.id", ondelete="RESTRICT"), nullable=True
    )
    hire_date: Mapped[date] = mapped_column(Date)
    termination_date: Mapped[date | None] = mapped_column(Date, nullable=True)

    alias_rows: Mapped[list[RepAliasRow]] = relationship(
        cascade="all, delete-orphan", order_by="RepAliasRow.id"
    )


class PlanRow(Base):
    __tablename__ = "plans"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(100), unique=True)
    versions: Mapped[list[PlanVersionRow]] = relationship(
        back_populates="plan",
        cascade="all, delete-orphan",
        order_by="PlanVersionRow.effective_from",
    )


class PlanVersionRow(Base):
    __tablename__ = "plan_versions"
    __table_args__ = (
        UniqueConstraint("plan_id", "effective_from"),
        CheckConstraint("quota_period IN ('month', 'quarter', 'year')", name="quota_period"),
        CheckConstraint("tier_mode IN ('marginal', 'retroactive')", name="tier_mode"),
        CheckConstraint("quota IS NULL OR quota > 0", name="quota_positive"),
        CheckConstraint("cap IS NULL OR cap > 0", name="cap_positive"),
        CheckConstraint(
            "override_rate IS NULL OR override_rate >= 0", name="override_rate_non_negative"
        ),
        CheckConstraint("override_scope IN ('direct', 'tree')", name="override_scope"),
        CheckConstraint("payout_trigger IN ('booking', 'cash')", name="payout_trigger"),
        CheckConstraint(
            "clawback_window_days IS NULL OR clawback_window_days >= 0", name="clawback_window"
        ),
        CheckConstraint(
            "clawback_method IS NULL OR clawback_method IN ('full', 'prorated')",
            name="clawback_method",
        ),
        CheckConstraint(
            "(clawback_window_days IS NULL) = (clawback_method IS NULL)", name="clawback_policy"
        ),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    plan_id: Mapped[int] = mapped_column(ForeignKey("plans.id", ondelete="CASCADE"))
    effective_from: Mapped[date] = mapped_column(Date)
    quota_period: Mapped[str] = mapped_column(String(10), default="month")
    quota: Mapped[Decimal | None] = mapped_column(Cents(), nullable=True)
    tier_mode: Mapped[str] = mapped_column(String(12), default="marginal")
    cap: Mapped[Decimal | None] = mapped_column(Cents(), nullable=True)
    override_rate: Mapped[Decimal | None] = mapped_column(Percent(), nullable=True)
    override_scope: Mapped[str] = mapped_column(String(10), default="direct")
    payout_trigger: Mapped[str] = mapped_column(String(10), default="booking")
    clawback_window_days: Mapped[int | None] = mapped_column(Integer, nullable=True)
    clawback_method: Mapped[str | None] = mapped_column(String(10), nullable=True)

    plan: Mapped[PlanRow] = relationship(back_populates="versions")
    tiers: Mapped[list[TierRow]] = relationship(
        cascade="all, delete-orphan", order_by="TierRow.position"
    )
    bonuses: Mapped[list[BonusRow]] = relationship(
        cascade="all, delete-orphan", order_by="BonusRow.position"
    )
    spifs: Mapped[list[SpifRow]] = relationship(
        cascade="all, delete-orphan", order_by="SpifRow.position"
    )
    multipliers: Mapped[list[MultiplierRow]] = relationship(
        cascade="all, delete-orphan", order_by="MultiplierRow.position"
    )


class TierRow(Base):
    __tablename__ = "plan_tiers"
    __table_args__ = (
        CheckConstraint("from_pct >= 0", name="from_non_negative"),
        CheckConstraint("rate_pct >= 0", name="rate_non_negative"),
    )

    version_id: Mapped[int] = mapped_column(
        ForeignKey("plan_versions.id", ondelete="CASCADE"), primary_key=True
    )
    position: Mapped[int] = mapped_column(Integer, primary_key=True)
    from_pct: Mapped[Decimal] = mapped_column(Percent())
    rate_pct: Mapped[Decimal] = mapped_column(Percent())


class BonusRow(Base):
    __tablename__ = "plan_bonuses"
    __table_args__ = (
        CheckConstraint("threshold_pct > 0", name="threshold_positive"),
        CheckConstraint("amount > 0", name="amount_positive"),
    )

    version_id: Mapped[int] = mapped_column(
        ForeignKey("plan_versions.id", ondelete="CASCADE"), primary_key=True
    )
    position: Mapped[int] = mapped_column(Integer, primary_key=True)
    threshold_pct: Mapped[Decimal] = mapped_column(Percent())
    amount: Mapped[Decimal] = mapped_column(Cents())


class SpifRow(Base):
    __tablename__ = "plan_spifs"
    __table_args__ = (
        CheckConstraint("amount > 0", name="amount_positive"),
        CheckConstraint("min_deal_amount >= 0", name="min_non_negative"),
        CheckConstraint("end_date >= start_date", name="dates"),
    )

    version_id: Mapped[int] = mapped_column(
        ForeignKey("plan_versions.id", ondelete="CASCADE"), primary_key=True
    )
    position: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(100))
    amount: Mapped[Decimal] = mapped_column(Cents())
    min_deal_amount: Mapped[Decimal] = mapped_column(Cents())
    start_date: Mapped[date] = mapped_column(Date)
    end_date: Mapped[date] = mapped_column(Date)
    deal_types: Mapped[str] = mapped_column(Text, default="")  # JSON list; "" or [] = any


class MultiplierRow(Base):
    __tablename__ = "plan_multipliers"
    __table_args__ = (
        UniqueConstraint("version_id", "deal_type"),
        CheckConstraint("multiplier_pct >= 0", name="multiplier_non_negative"),
    )

    version_id: Mapped[int] = mapped_column(
        ForeignKey("plan_versions.id", ondelete="CASCADE"), primary_key=True
    )
    position: Mapped[int] = mapped_column(Integer, primary_key=True)
    deal_type: Mapped[str] = mapped_column(String(50))
    multiplier_pct: Mapped[Decimal] = mapped_column(Percent())


class AssignmentRow(Base):
    __tablename__ = "assignments"
    __table_args__ = (
        CheckConstraint("effective_to IS NULL OR effective_to >= effective_from", name="dates"),
        CheckConstraint("quota_override IS NULL OR quota_override > 0", name="quota_positive"),
        CheckConstraint("draw_amount IS NULL OR draw_amount > 0", name="draw_positive"),
        CheckConstraint(
            "draw_kind IS NULL OR draw_kind IN ('recoverable', 'non_recoverable')",
            name="draw_kind",
        ),
        CheckConstraint(
            "(draw_amount IS NULL) = (draw_kind IS NULL) "
            "AND (draw_amount IS NULL) = (draw_start_month IS NULL) "
            "AND (draw_amount IS NULL) = (draw_max_recovery_pct IS NULL)",
            name="draw_complete",
        ),
        CheckConstraint(
            "draw_max_recovery_pct IS NULL OR draw_max_recovery_pct BETWEEN 0 AND 1000000",
            name="draw_recovery_range",
        ),
        Index("ix_assignments_rep_id", "rep_id", "effective_from"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    rep_id: Mapped[int] = mapped_column(ForeignKey("reps.id", ondelete="CASCADE"))
    plan_id: Mapped[int] = mapped_column(ForeignKey("plans.id", ondelete="RESTRICT"))
    effective_from: Mapped[date] = mapped_column(Date)
    effective_to: Mapped[date | None] = mapped_column(Date, nullable=True)
    quota_override: Mapped[Decimal | None] = mapped_column(Cents(), nullable=True)
    draw_amount: Mapped[Decimal | None] = mapped_column(Cents(), nullable=True)
    draw_kind: Mapped[str | None] = mapped_column(String(20), nullable=True)
    draw_start_month: Mapped[Month | None] = mapped_column(MonthText(), nullable=True)
    draw_end_month: Mapped[Month | None] = mapped_column(MonthText(), nullable=True)
    draw_max_recovery_pct: Mapped[Decimal | None] = mapped_column(Percent(), nullable=True)


class DealRow(Base):
    __tablename__ = "deals"
    __table_args__ = (
        CheckConstraint("amount > 0", name="amount_positive"),
        CheckConstraint(
            "cancellation_date IS NULL OR cancellation_date >= close_date",
            name="cancellation_after_close",
        ),
        Index("ix_deals_close_date", "close_date", "external_id"),
        Index("ix_deals_amount", "amount"),
        Index("ix_deals_customer", "customer"),
        Index("ix_deals_cancellation_date", "cancellation_date"),  # migration 0002
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    external_id: Mapped[str] = mapped_column(String(100), unique=True)
    customer: Mapped[str] = mapped_column(String(300))
    amount: Mapped[Decimal] = mapped_column(Cents())
    close_date: Mapped[date] = mapped_column(Date)
    deal_type: Mapped[str] = mapped_column(String(50), default="new")
    cancellation_date: Mapped[date | None] = mapped_column(Date, nullable=True)
    cancellation_reason: Mapped[str] = mapped_column(Text, default="")
    # The deal's name in the CRM ('' for none; migration 0008).
    name: Mapped[str] = mapped_column(Text, default="", server_default="")

    credits: Mapped[list[CreditRow]] = relationship(
        cascade="all, delete-orphan", order_by="CreditRow.position"
    )
    payments: Mapped[list[PaymentRow]] = relationship(
        cascade="all, delete-orphan", order_by="(PaymentRow.paid_on, PaymentRow.id)"
    )


class CreditRow(Base):
    __tablename__ = "credits"
    __table_args__ = (
        UniqueConstraint("deal_id", "rep_id"),
        CheckConstraint("split_pct > 0", name="split_positive"),
        Index("ix_credits_rep_id", "rep_id"),
    )

    deal_id: Mapped[int] = mapped_column(
        ForeignKey("deals.id", ondelete="CASCADE"), primary_key=True
    )
    position: Mapped[int] = mapped_column(Integer, primary_key=True)
    rep_id: Mapped[int] = mapped_column(ForeignKey("reps.id", ondelete="RESTRICT"))
    split_pct: Mapped[Decimal] = mapped_column(Percent())


class PaymentRow(Base):
    __tablename__ = "payments"
    __table_args__ = (
        CheckConstraint("amount > 0", name="amount_positive"),
        Index("ix_payments_deal_id", "deal_id"),
        Index("ix_payments_paid_on", "paid_on"),  # migration 0002
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    deal_id: Mapped[int] = mapped_column(ForeignKey("deals.id", ondelete="CASCADE"))
    paid_on: Mapped[date] = mapped_column(Date)
    amount: Mapped[Decimal] = mapped_column(Cents())


class AdjustmentRow(Base):
    __tablename__ = "adjustments"
    __table_args__ = (
        CheckConstraint("amount <> 0", name="amount_non_zero"),
        Index("ix_adjustments_rep_id", "rep_id", "month"),
        # An adjustment from a bulk file is found again by its id there (migration 0008).
        Index(
            "uq_adjustments_external_id",
            "external_id",
            unique=True,
            sqlite_where=text("external_id <> ''"),
        ),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    rep_id: Mapped[int] = mapped_column(ForeignKey("reps.id", ondelete="RESTRICT"))
    month: Mapped[Month] = mapped_column(MonthText())
    amount: Mapped[Decimal] = mapped_column(Cents())
    reason: Mapped[str] = mapped_column(Text)
    external_id: Mapped[str] = mapped_column(String(100), default="", server_default="")


class PeriodRow(Base):
    __tablename__ = "periods"
    __table_args__ = (CheckConstraint("status IN ('open', 'closed')", name="status"),)

    month: Mapped[Month] = mapped_column(MonthText(), primary_key=True)
    status: Mapped[str] = mapped_column(String(10), default="open")
    closed_at: Mapped[datetime | None] = mapped_column(DateTime, nullable=True)


class SnapshotRow(Base):
    """A closed month's statement for one rep. Triggers forbid rewriting it."""

    __tablename__ = "statement_snapshots"

    month: Mapped[Month] = mapped_column(
        MonthText(), ForeignKey("periods.month", ondelete="RESTRICT"), primary_key=True
    )
    rep_id: Mapped[int] = mapped_column(
        ForeignKey("reps.id", ondelete="RESTRICT"), primary_key=True
    )
    earnings: Mapped[Decimal] = mapped_column(Cents())
    draw: Mapped[Decimal] = mapped_column(Cents())
    balance_before: Mapped[Decimal] = mapped_column(Cents())
    recovery: Mapped[Decimal] = mapped_column(Cents())
    payout: Mapped[Decimal] = mapped_column(Cents())
    balance_after: Mapped[Decimal] = mapped_column(Cents())
    ytd_earnings: Mapped[Decimal] = mapped_column(Cents())
    content_hash: Mapped[str] = mapped_column(String(64))
    payload: Mapped[str] = mapped_column(Text)


class ProgressRow(Base):
    """Each rep's standing in its quota periods at the end of a closed month, written with
    the close and deleted with a reopen (migration 0003). `payload` is JSON (see
    mapping.progress_payload). A month without a row (closed before 0003, or imported)
    just has nothing to start from: its quota period's deals are read instead.
    """

    __tablename__ = "quota_progress"

    month: Mapped[Month] = mapped_column(
        MonthText(), ForeignKey("periods.month", ondelete="CASCADE"), primary_key=True
    )
    payload: Mapped[str] = mapped_column(Text)


class DealStandingRow(Base):
    """What a rep credited on a deal had counted in its quota period just before the deal,
    written with the close of the deal's month (migration 0004): a later payment or
    cancellation of the deal is rated from it. Used only for deals of a month with its
    `quota_progress` row, which the same close writes.
    """

    __tablename__ = "deal_standing"

    deal_id: Mapped[int] = mapped_column(
        ForeignKey("deals.id", ondelete="CASCADE"), primary_key=True
    )
    rep_id: Mapped[int] = mapped_column(Integer, primary_key=True)
    counted_before: Mapped[Decimal] = mapped_column(Cents())


class DirtyMonthRow(Base):
    """A month at or before the latest close that an edit touched since (migration 0002).

    Computing the first open month re-verifies exactly the marked closed months (those
    not `cleared_by` a close); re-verifying a month already corrected yields nothing
    more. The close that posts their corrections clears them, and reopening it marks
    them again (migration 0005): its statements are gone, and so are the corrections,
    and the fresh awaiting lines, they carried.
    """

    __tablename__ = "dirty_months"

    month: Mapped[Month] = mapped_column(MonthText(), primary_key=True)
    cause: Mapped[str] = mapped_column(Text, default="")
    cleared_by: Mapped[Month | None] = mapped_column(MonthText(), nullable=True, default=None)


class AuditRow(Base):
    __tablename__ = "audit_log"
    __table_args__ = (Index("ix_audit_log_at", "at"), Index("ix_audit_log_entity", "entity"))

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    at: Mapped[datetime] = mapped_column(DateTime)
    action: Mapped[str] = mapped_column(String(20))
    entity: Mapped[str] = mapped_column(String(30))
    entity_id: Mapped[str] = mapped_column(String(100))
    field: Mapped[str] = mapped_column(String(60), default="")
    old: Mapped[str] = mapped_column(Text, default="")
    new: Mapped[str] = mapped_column(Text, default="")
    # The OS account that made the change; '' before migration 0007 or when unknown.
    user: Mapped[str] = mapped_column(Text, default="", server_default="")
    # The history chain (migration 0010, services.audit): what the entry adds to the
    # chain besides its fields (a close: the content hashes of the statements it stored,
    # as JSON), and its link, SHA-256 of the previous link and the entry's content.
    detail: Mapped[str] = mapped_column(Text, default="", server_default="")
    chain_hash: Mapped[bytes | None] = mapped_column(LargeBinary, nullable=True)


class HistoryChainRow(Base):
    """The head of the history chain (migration 0010): exactly one row, id 1. `head_id`
    and `head_hash` are the latest audit entry's id and link, so removing the last
    entries is seen too; `baseline` the statements of the months closed before their
    close was recorded in the chain (JSON, '' for none), which the first link covers."""

    __tablename__ = "history_chain"
    __table_args__ = (CheckConstraint("id = 1", name="single_row"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    head_id: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    head_hash: Mapped[bytes] = mapped_column(LargeBinary)
    baseline: Mapped[str] = mapped_column(Text, default="", server_default="")
