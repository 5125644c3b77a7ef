"""Initial schema: every entity of COMP_RULES.md, money as integer cents.

Revision ID: 0001
Revises:
Create Date: 2026-11-23

Frozen: later schema changes are new revisions; this file never changes.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0001"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "audit_log",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("at", sa.DateTime(), nullable=False),
        sa.Column("action", sa.String(length=20), nullable=False),
        sa.Column("entity", sa.String(length=30), nullable=False),
        sa.Column("entity_id", sa.String(length=100), nullable=False),
        sa.Column("field", sa.String(length=60), nullable=False),
        sa.Column("old", sa.Text(), nullable=False),
        sa.Column("new", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_audit_log")),
    )
    with op.batch_alter_table("audit_log", schema=None) as batch_op:
        batch_op.create_index("ix_audit_log_at", ["at"], unique=False)
        batch_op.create_index("ix_audit_log_entity", ["entity"], unique=False)

    op.create_table(
        "company",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("address", sa.Text(), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("fiscal_year_start", sa.Integer(), nullable=False),
        sa.Column("clawback_window_days", sa.Integer(), nullable=False),
        sa.Column("clawback_method", sa.String(length=10), nullable=False),
        sa.Column("forgive_balance_at_termination", sa.Boolean(), nullable=False),
        sa.Column("page_size", sa.String(length=10), nullable=False),
        sa.Column("statement_help_text", sa.Text(), nullable=False),
        sa.Column("logo_png", sa.LargeBinary(), nullable=True),
        sa.CheckConstraint(
            "clawback_method IN ('full', 'prorated')", name=op.f("ck_company_clawback_method")
        ),
        sa.CheckConstraint("page_size IN ('letter', 'a4')", name=op.f("ck_company_page_size")),
        sa.CheckConstraint("clawback_window_days >= 0", name=op.f("ck_company_clawback_window")),
        sa.CheckConstraint(
            "fiscal_year_start BETWEEN 1 AND 12", name=op.f("ck_company_fiscal_year_start")
        ),
        sa.CheckConstraint("id = 1", name=op.f("ck_company_single_row")),
        sa.CheckConstraint("length(currency) = 3", name=op.f("ck_company_currency")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_company")),
    )
    op.create_table(
        "deal_types",
        sa.Column("name", sa.String(length=50), nullable=False),
        sa.PrimaryKeyConstraint("name", name=op.f("pk_deal_types")),
    )
    op.create_table(
        "deals",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("external_id", sa.String(length=100), nullable=False),
        sa.Column("customer", sa.String(length=300), nullable=False),
        sa.Column("amount", sa.Integer(), nullable=False),
        sa.Column("close_date", sa.Date(), nullable=False),
        sa.Column("deal_type", sa.String(length=50), nullable=False),
        sa.Column("cancellation_date", sa.Date(), nullable=True),
        sa.Column("cancellation_reason", sa.Text(), nullable=False),
        sa.CheckConstraint("amount > 0", name=op.f("ck_deals_amount_positive")),
        sa.CheckConstraint(
            "cancellation_date IS NULL OR cancellation_date >= close_date",
            name=op.f("ck_deals_cancellation_after_close"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_deals")),
        sa.UniqueConstraint("external_id", name=op.f("uq_deals_external_id")),
    )
    with op.batch_alter_table("deals", schema=None) as batch_op:
        batch_op.create_index("ix_deals_amount", ["amount"], unique=False)
        batch_op.create_index("ix_deals_close_date", ["close_date", "external_id"], unique=False)
        batch_op.create_index("ix_deals_customer", ["customer"], unique=False)

    op.create_table(
        "periods",
        sa.Column("month", sa.String(length=7), nullable=False),
        sa.Column("status", sa.String(length=10), nullable=False),
        sa.Column("closed_at", sa.DateTime(), nullable=True),
        sa.CheckConstraint("status IN ('open', 'closed')", name=op.f("ck_periods_status")),
        sa.PrimaryKeyConstraint("month", name=op.f("pk_periods")),
    )
    op.create_table(
        "plans",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_plans")),
        sa.UniqueConstraint("name", name=op.f("uq_plans_name")),
    )
    op.create_table(
        "payments",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("deal_id", sa.Integer(), nullable=False),
        sa.Column("paid_on", sa.Date(), nullable=False),
        sa.Column("amount", sa.Integer(), nullable=False),
        sa.CheckConstraint("amount > 0", name=op.f("ck_payments_amount_positive")),
        sa.ForeignKeyConstraint(
            ["deal_id"], ["deals.id"], name=op.f("fk_payments_deal_id_deals"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_payments")),
    )
    with op.batch_alter_table("payments", schema=None) as batch_op:
        batch_op.create_index("ix_payments_deal_id", ["deal_id"], unique=False)

    op.create_table(
        "plan_versions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("plan_id", sa.Integer(), nullable=False),
        sa.Column("effective_from", sa.Date(), nullable=False),
        sa.Column("quota_period", sa.String(length=10), nullable=False),
        sa.Column("quota", sa.Integer(), nullable=True),
        sa.Column("tier_mode", sa.String(length=12), nullable=False),
        sa.Column("cap", sa.Integer(), nullable=True),
        sa.Column("override_rate", sa.Integer(), nullable=True),
        sa.Column("override_scope", sa.String(length=10), nullable=False),
        sa.Column("payout_trigger", sa.String(length=10), nullable=False),
        sa.Column("clawback_window_days", sa.Integer(), nullable=True),
        sa.Column("clawback_method", sa.String(length=10), nullable=True),
        sa.CheckConstraint(
            "clawback_method IS NULL OR clawback_method IN ('full', 'prorated')",
            name=op.f("ck_plan_versions_clawback_method"),
        ),
        sa.CheckConstraint(
            "override_scope IN ('direct', 'tree')", name=op.f("ck_plan_versions_override_scope")
        ),
        sa.CheckConstraint(
            "payout_trigger IN ('booking', 'cash')", name=op.f("ck_plan_versions_payout_trigger")
        ),
        sa.CheckConstraint(
            "quota_period IN ('month', 'quarter', 'year')",
            name=op.f("ck_plan_versions_quota_period"),
        ),
        sa.CheckConstraint(
            "tier_mode IN ('marginal', 'retroactive')", name=op.f("ck_plan_versions_tier_mode")
        ),
        sa.CheckConstraint(
            "(clawback_window_days IS NULL) = (clawback_method IS NULL)",
            name=op.f("ck_plan_versions_clawback_policy"),
        ),
        sa.CheckConstraint("cap IS NULL OR cap > 0", name=op.f("ck_plan_versions_cap_positive")),
        sa.CheckConstraint(
            "clawback_window_days IS NULL OR clawback_window_days >= 0",
            name=op.f("ck_plan_versions_clawback_window"),
        ),
        sa.CheckConstraint(
            "override_rate IS NULL OR override_rate >= 0",
            name=op.f("ck_plan_versions_override_rate_non_negative"),
        ),
        sa.CheckConstraint(
            "quota IS NULL OR quota > 0", name=op.f("ck_plan_versions_quota_positive")
        ),
        sa.ForeignKeyConstraint(
            ["plan_id"],
            ["plans.id"],
            name=op.f("fk_plan_versions_plan_id_plans"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_plan_versions")),
        sa.UniqueConstraint(
            "plan_id", "effective_from", name=op.f("uq_plan_versions_plan_id_effective_from")
        ),
    )
    op.create_table(
        "roles",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("default_plan_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["default_plan_id"],
            ["plans.id"],
            name=op.f("fk_roles_default_plan_id_plans"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_roles")),
        sa.UniqueConstraint("name", name=op.f("uq_roles_name")),
    )
    op.create_table(
        "plan_bonuses",
        sa.Column("version_id", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("threshold_pct", sa.Integer(), nullable=False),
        sa.Column("amount", sa.Integer(), nullable=False),
        sa.CheckConstraint("amount > 0", name=op.f("ck_plan_bonuses_amount_positive")),
        sa.CheckConstraint("threshold_pct > 0", name=op.f("ck_plan_bonuses_threshold_positive")),
        sa.ForeignKeyConstraint(
            ["version_id"],
            ["plan_versions.id"],
            name=op.f("fk_plan_bonuses_version_id_plan_versions"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("version_id", "position", name=op.f("pk_plan_bonuses")),
    )
    op.create_table(
        "plan_multipliers",
        sa.Column("version_id", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("deal_type", sa.String(length=50), nullable=False),
        sa.Column("multiplier_pct", sa.Integer(), nullable=False),
        sa.CheckConstraint(
            "multiplier_pct >= 0", name=op.f("ck_plan_multipliers_multiplier_non_negative")
        ),
        sa.ForeignKeyConstraint(
            ["version_id"],
            ["plan_versions.id"],
            name=op.f("fk_plan_multipliers_version_id_plan_versions"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("version_id", "position", name=op.f("pk_plan_multipliers")),
        sa.UniqueConstraint(
            "version_id", "deal_type", name=op.f("uq_plan_multipliers_version_id_deal_type")
        ),
    )
    op.create_table(
        "plan_spifs",
        sa.Column("version_id", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("amount", sa.Integer(), nullable=False),
        sa.Column("min_deal_amount", sa.Integer(), nullable=False),
        sa.Column("start_date", sa.Date(), nullable=False),
        sa.Column("end_date", sa.Date(), nullable=False),
        sa.Column("deal_types", sa.Text(), nullable=False),
        sa.CheckConstraint("amount > 0", name=op.f("ck_plan_spifs_amount_positive")),
        sa.CheckConstraint("end_date >= start_date", name=op.f("ck_plan_spifs_dates")),
        sa.CheckConstraint("min_deal_amount >= 0", name=op.f("ck_plan_spifs_min_non_negative")),
        sa.ForeignKeyConstraint(
            ["version_id"],
            ["plan_versions.id"],
            name=op.f("fk_plan_spifs_version_id_plan_versions"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("version_id", "position", name=op.f("pk_plan_spifs")),
    )
    op.create_table(
        "plan_tiers",
        sa.Column("version_id", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("from_pct", sa.Integer(), nullable=False),
        sa.Column("rate_pct", sa.Integer(), nullable=False),
        sa.CheckConstraint("from_pct >= 0", name=op.f("ck_plan_tiers_from_non_negative")),
        sa.CheckConstraint("rate_pct >= 0", name=op.f("ck_plan_tiers_rate_non_negative")),
        sa.ForeignKeyConstraint(
            ["version_id"],
            ["plan_versions.id"],
            name=op.f("fk_plan_tiers_version_id_plan_versions"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("version_id", "position", name=op.f("pk_plan_tiers")),
    )
    op.create_table(
        "reps",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("email", sa.String(length=200), nullable=False),
        sa.Column("payroll_id", sa.String(length=50), nullable=False),
        sa.Column("role_id", sa.Integer(), nullable=True),
        sa.Column("manager_id", sa.Integer(), nullable=True),
        sa.Column("hire_date", sa.Date(), nullable=False),
        sa.Column("termination_date", sa.Date(), nullable=True),
        sa.CheckConstraint(
            "manager_id IS NULL OR manager_id <> id", name=op.f("ck_reps_not_own_manager")
        ),
        sa.CheckConstraint(
            "termination_date IS NULL OR termination_date >= hire_date",
            name=op.f("ck_reps_termination"),
        ),
        sa.ForeignKeyConstraint(
            ["manager_id"], ["reps.id"], name=op.f("fk_reps_manager_id_reps"), ondelete="RESTRICT"
        ),
        sa.ForeignKeyConstraint(
            ["role_id"], ["roles.id"], name=op.f("fk_reps_role_id_roles"), ondelete="RESTRICT"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_reps")),
    )
    with op.batch_alter_table("reps", schema=None) as batch_op:
        batch_op.create_index(
            "uq_reps_payroll_id",
            ["payroll_id"],
            unique=True,
            sqlite_where=sa.text("payroll_id <> ''"),
        )

    op.create_table(
        "adjustments",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("rep_id", sa.Integer(), nullable=False),
        sa.Column("month", sa.String(length=7), nullable=False),
        sa.Column("amount", sa.Integer(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.CheckConstraint("amount <> 0", name=op.f("ck_adjustments_amount_non_zero")),
        sa.ForeignKeyConstraint(
            ["rep_id"], ["reps.id"], name=op.f("fk_adjustments_rep_id_reps"), ondelete="RESTRICT"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_adjustments")),
    )
    with op.batch_alter_table("adjustments", schema=None) as batch_op:
        batch_op.create_index("ix_adjustments_rep_id", ["rep_id", "month"], unique=False)

    op.create_table(
        "assignments",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("rep_id", sa.Integer(), nullable=False),
        sa.Column("plan_id", sa.Integer(), nullable=False),
        sa.Column("effective_from", sa.Date(), nullable=False),
        sa.Column("effective_to", sa.Date(), nullable=True),
        sa.Column("quota_override", sa.Integer(), nullable=True),
        sa.Column("draw_amount", sa.Integer(), nullable=True),
        sa.Column("draw_kind", sa.String(length=20), nullable=True),
        sa.Column("draw_start_month", sa.String(length=7), nullable=True),
        sa.Column("draw_end_month", sa.String(length=7), nullable=True),
        sa.Column("draw_max_recovery_pct", sa.Integer(), nullable=True),
        sa.CheckConstraint(
            "draw_kind IS NULL OR draw_kind IN ('recoverable', 'non_recoverable')",
            name=op.f("ck_assignments_draw_kind"),
        ),
        sa.CheckConstraint(
            "(draw_amount IS NULL) = (draw_kind IS NULL) "
            "AND (draw_amount IS NULL) = (draw_start_month IS NULL) "
            "AND (draw_amount IS NULL) = (draw_max_recovery_pct IS NULL)",
            name=op.f("ck_assignments_draw_complete"),
        ),
        sa.CheckConstraint(
            "draw_amount IS NULL OR draw_amount > 0", name=op.f("ck_assignments_draw_positive")
        ),
        sa.CheckConstraint(
            "draw_max_recovery_pct IS NULL OR draw_max_recovery_pct BETWEEN 0 AND 1000000",
            name=op.f("ck_assignments_draw_recovery_range"),
        ),
        sa.CheckConstraint(
            "effective_to IS NULL OR effective_to >= effective_from",
            name=op.f("ck_assignments_dates"),
        ),
        sa.CheckConstraint(
            "quota_override IS NULL OR quota_override > 0",
            name=op.f("ck_assignments_quota_positive"),
        ),
        sa.ForeignKeyConstraint(
            ["plan_id"],
            ["plans.id"],
            name=op.f("fk_assignments_plan_id_plans"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["rep_id"], ["reps.id"], name=op.f("fk_assignments_rep_id_reps"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_assignments")),
    )
    with op.batch_alter_table("assignments", schema=None) as batch_op:
        batch_op.create_index("ix_assignments_rep_id", ["rep_id", "effective_from"], unique=False)

    op.create_table(
        "credits",
        sa.Column("deal_id", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("rep_id", sa.Integer(), nullable=False),
        sa.Column("split_pct", sa.Integer(), nullable=False),
        sa.CheckConstraint("split_pct > 0", name=op.f("ck_credits_split_positive")),
        sa.ForeignKeyConstraint(
            ["deal_id"], ["deals.id"], name=op.f("fk_credits_deal_id_deals"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["rep_id"], ["reps.id"], name=op.f("fk_credits_rep_id_reps"), ondelete="RESTRICT"
        ),
        sa.PrimaryKeyConstraint("deal_id", "position", name=op.f("pk_credits")),
        sa.UniqueConstraint("deal_id", "rep_id", name=op.f("uq_credits_deal_id_rep_id")),
    )
    with op.batch_alter_table("credits", schema=None) as batch_op:
        batch_op.create_index("ix_credits_rep_id", ["rep_id"], unique=False)

    op.create_table(
        "statement_snapshots",
        sa.Column("month", sa.String(length=7), nullable=False),
        sa.Column("rep_id", sa.Integer(), nullable=False),
        sa.Column("earnings", sa.Integer(), nullable=False),
        sa.Column("draw", sa.Integer(), nullable=False),
        sa.Column("balance_before", sa.Integer(), nullable=False),
        sa.Column("recovery", sa.Integer(), nullable=False),
        sa.Column("payout", sa.Integer(), nullable=False),
        sa.Column("balance_after", sa.Integer(), nullable=False),
        sa.Column("ytd_earnings", sa.Integer(), nullable=False),
        sa.Column("content_hash", sa.String(length=64), nullable=False),
        sa.Column("payload", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["month"],
            ["periods.month"],
            name=op.f("fk_statement_snapshots_month_periods"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["rep_id"],
            ["reps.id"],
            name=op.f("fk_statement_snapshots_rep_id_reps"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("month", "rep_id", name=op.f("pk_statement_snapshots")),
    )

    # Closed statements are immutable: the schema itself refuses to rewrite them.
    op.execute(
        "CREATE TRIGGER snapshots_no_update BEFORE UPDATE ON statement_snapshots "
        "BEGIN SELECT RAISE(ABORT, 'closed statements cannot be changed'); END"
    )
    op.execute(
        "CREATE TRIGGER snapshots_no_delete_when_closed BEFORE DELETE ON statement_snapshots "
        "WHEN (SELECT status FROM periods WHERE month = OLD.month) = 'closed' "
        "BEGIN SELECT RAISE(ABORT, "
        "'closed statements cannot be deleted; reopen the month first'); END"
    )


def downgrade() -> None:
    op.execute("DROP TRIGGER IF EXISTS snapshots_no_delete_when_closed")
    op.execute("DROP TRIGGER IF EXISTS snapshots_no_update")
    op.drop_table("statement_snapshots")
    with op.batch_alter_table("credits", schema=None) as batch_op:
        batch_op.drop_index("ix_credits_rep_id")

    op.drop_table("credits")
    with op.batch_alter_table("assignments", schema=None) as batch_op:
        batch_op.drop_index("ix_assignments_rep_id")

    op.drop_table("assignments")
    with op.batch_alter_table("adjustments", schema=None) as batch_op:
        batch_op.drop_index("ix_adjustments_rep_id")

    op.drop_table("adjustments")
    with op.batch_alter_table("reps", schema=None) as batch_op:
        batch_op.drop_index("uq_reps_payroll_id", sqlite_where=sa.text("payroll_id <> ''"))

    op.drop_table("reps")
    op.drop_table("plan_tiers")
    op.drop_table("plan_spifs")
    op.drop_table("plan_multipliers")
    op.drop_table("plan_bonuses")
    op.drop_table("roles")
    op.drop_table("plan_versions")
    with op.batch_alter_table("payments", schema=None) as batch_op:
        batch_op.drop_index("ix_payments_deal_id")

    op.drop_table("payments")
    op.drop_table("plans")
    op.drop_table("periods")
    with op.batch_alter_table("deals", schema=None) as batch_op:
        batch_op.drop_index("ix_deals_customer")
        batch_op.drop_index("ix_deals_close_date")
        batch_op.drop_index("ix_deals_amount")

    op.drop_table("deals")
    op.drop_table("deal_types")
    op.drop_table("company")
    with op.batch_alter_table("audit_log", schema=None) as batch_op:
        batch_op.drop_index("ix_audit_log_entity")
        batch_op.drop_index("ix_audit_log_at")

    op.drop_table("audit_log")
