"""Conversion between table rows and domain values, both ways.

`*_value(row)` builds the frozen domain value of a row; `apply_*(row, value)`
writes a domain value onto a (new or existing) row. Children (tiers, credits,
payments, ...) are replaced as a whole: they have no identity of their own.
"""

from __future__ import annotations

import json
from decimal import Decimal

from sqlalchemy.orm import object_session

from icmdesk.domain.calendar import Month, QuotaPeriod
from icmdesk.domain.entities import (
    Adjustment,
    Assignment,
    AttainmentBonus,
    AuditEntry,
    ClawbackMethod,
    ClawbackPolicy,
    Company,
    Credit,
    Deal,
    DealTypeMultiplier,
    Draw,
    DrawKind,
    OpeningBalance,
    OverrideScope,
    PageSize,
    Payment,
    PayoutTrigger,
    Period,
    PeriodStatus,
    Plan,
    PlanVersion,
    QuotaProgress,
    Rep,
    Role,
    Spif,
    StatementSnapshot,
    Tier,
    TierMode,
)
from icmdesk.domain.imports.profiles import normal
from icmdesk.domain.payouts import settings_from_json, settings_to_json
from icmdesk.models.tables import (
    AdjustmentRow,
    AssignmentRow,
    AuditRow,
    BonusRow,
    CompanyRow,
    CreditRow,
    DealRow,
    MultiplierRow,
    OpeningBalanceRow,
    PaymentRow,
    PeriodRow,
    PlanRow,
    PlanVersionRow,
    RepAliasRow,
    RepRow,
    RoleRow,
    SnapshotRow,
    SpifRow,
    TierRow,
)


def company_value(row: CompanyRow, deal_types: tuple[str, ...]) -> Company:
    return Company(
        name=row.name,
        address=row.address,
        currency=row.currency,
        fiscal_year_start=row.fiscal_year_start,
        clawback_policy=ClawbackPolicy(
            row.clawback_window_days, ClawbackMethod(row.clawback_method)
        ),
        forgive_balance_at_termination=row.forgive_balance_at_termination,
        deal_types=deal_types,
        page_size=PageSize(row.page_size),
        statement_help_text=row.statement_help_text,
        logo_png=row.logo_png,
        books_start=row.books_start,
        payouts=settings_from_json(row.payout_settings),
    )


def apply_company(row: CompanyRow, value: Company) -> None:
    row.id = 1
    row.name = value.name
    row.address = value.address
    row.currency = value.currency
    row.fiscal_year_start = value.fiscal_year_start
    row.clawback_window_days = value.clawback_policy.window_days
    row.clawback_method = value.clawback_policy.method.value
    row.forgive_balance_at_termination = value.forgive_balance_at_termination
    row.page_size = value.page_size.value
    row.statement_help_text = value.statement_help_text
    row.logo_png = value.logo_png
    row.books_start = value.books_start
    row.payout_settings = json.dumps(settings_to_json(value.payouts), sort_keys=True)


def opening_balance_value(row: OpeningBalanceRow) -> OpeningBalance:
    return OpeningBalance(
        rep_id=row.rep_id,
        balance_owed=row.balance_owed,
        ytd_earnings=row.ytd_earnings,
        counted=row.counted,
        bonuses_paid=tuple(_percent_of(t) for t in json.loads(row.bonuses_paid)),
    )


def apply_opening_balance(row: OpeningBalanceRow, value: OpeningBalance) -> None:
    row.rep_id = value.rep_id
    row.balance_owed = value.balance_owed
    row.ytd_earnings = value.ytd_earnings
    row.counted = value.counted
    row.bonuses_paid = json.dumps([f"{t.normalize():f}" for t in sorted(value.bonuses_paid)])


def _percent_of(text: str) -> Decimal:
    value = Decimal(text)
    return value.quantize(Decimal(1)) if value == value.to_integral_value() else value


def role_value(row: RoleRow) -> Role:
    return Role(row.name, row.default_plan_id, id=row.id)


def apply_role(row: RoleRow, value: Role) -> None:
    row.name = value.name
    row.default_plan_id = value.default_plan_id


def rep_value(row: RepRow) -> Rep:
    return Rep(
        name=row.name,
        hire_date=row.hire_date,
        email=row.email,
        payroll_id=row.payroll_id,
        role_id=row.role_id,
        manager_id=row.manager_id,
        termination_date=row.termination_date,
        aliases=tuple(a.alias for a in row.alias_rows),
        id=row.id,
    )


def apply_rep(row: RepRow, value: Rep) -> None:
    row.name = value.name
    row.hire_date = value.hire_date
    row.email = value.email
    row.payroll_id = value.payroll_id
    row.role_id = value.role_id
    row.manager_id = value.manager_id
    row.termination_date = value.termination_date
    if tuple(a.alias for a in row.alias_rows) != value.aliases:
        kept = {a.key: a for a in row.alias_rows}
        row.alias_rows = [
            kept.get(alias_key(alias)) or RepAliasRow(alias=alias, key=alias_key(alias))
            for alias in value.aliases
        ]
        for a, alias in zip(row.alias_rows, value.aliases, strict=True):
            a.alias = alias


def alias_key(alias: str) -> str:
    """An alias as an import compares names: case and spacing folded."""
    return normal(alias)


def plan_version_value(row: PlanVersionRow) -> PlanVersion:
    policy = None
    if row.clawback_window_days is not None and row.clawback_method is not None:
        policy = ClawbackPolicy(row.clawback_window_days, ClawbackMethod(row.clawback_method))
    return PlanVersion(
        effective_from=row.effective_from,
        tiers=tuple(Tier(t.from_pct, t.rate_pct) for t in row.tiers),
        quota_period=QuotaPeriod(row.quota_period),
        quota=row.quota,
        tier_mode=TierMode(row.tier_mode),
        cap=row.cap,
        multipliers=tuple(
            DealTypeMultiplier(m.deal_type, m.multiplier_pct) for m in row.multipliers
        ),
        bonuses=tuple(AttainmentBonus(b.threshold_pct, b.amount) for b in row.bonuses),
        spifs=tuple(
            Spif(
                name=s.name,
                amount=s.amount,
                start=s.start_date,
                end=s.end_date,
                min_deal_amount=s.min_deal_amount,
                deal_types=tuple(json.loads(s.deal_types or "[]")),
            )
            for s in row.spifs
        ),
        override_rate_pct=row.override_rate,
        override_scope=OverrideScope(row.override_scope),
        payout_trigger=PayoutTrigger(row.payout_trigger),
        clawback_policy=policy,
        id=row.id,
    )


def apply_plan_version(row: PlanVersionRow, value: PlanVersion) -> None:
    row.effective_from = value.effective_from
    row.quota_period = value.quota_period.value
    row.quota = value.quota
    row.tier_mode = value.tier_mode.value
    row.cap = value.cap
    row.override_rate = value.override_rate_pct
    row.override_scope = value.override_scope.value
    row.payout_trigger = value.payout_trigger.value
    policy = value.clawback_policy
    row.clawback_window_days = policy.window_days if policy else None
    row.clawback_method = policy.method.value if policy else None
    row.tiers = [
        TierRow(position=i, from_pct=t.from_pct, rate_pct=t.rate_pct)
        for i, t in enumerate(value.tiers)
    ]
    row.bonuses = [
        BonusRow(position=i, threshold_pct=b.threshold_pct, amount=b.amount)
        for i, b in enumerate(value.bonuses)
    ]
    row.spifs = [
        SpifRow(
            position=i,
            name=s.name,
            amount=s.amount,
            min_deal_amount=s.min_deal_amount,
            start_date=s.start,
            end_date=s.end,
            deal_types=json.dumps(list(s.deal_types)),
        )
        for i, s in enumerate(value.spifs)
    ]
    row.multipliers = [
        MultiplierRow(position=i, deal_type=m.deal_type, multiplier_pct=m.multiplier_pct)
        for i, m in enumerate(value.multipliers)
    ]


def plan_value(row: PlanRow) -> Plan:
    return Plan(row.name, tuple(plan_version_value(v) for v in row.versions), id=row.id)


def apply_plan(row: PlanRow, value: Plan) -> None:
    """Write a plan and its versions; versions are matched by id, new ones added."""
    row.name = value.name
    existing = {v.id: v for v in row.versions}
    versions = []
    for version in sorted(value.versions, key=lambda v: v.effective_from):
        version_row = existing.get(version.id) if version.id else None
        if version_row is None:
            version_row = PlanVersionRow()
            if version.id:
                version_row.id = version.id
        apply_plan_version(version_row, version)
        versions.append(version_row)
    row.versions = versions


def assignment_value(row: AssignmentRow) -> Assignment:
    draw = None
    if row.draw_amount is not None:
        assert row.draw_kind and row.draw_start_month and row.draw_max_recovery_pct is not None
        draw = Draw(
            amount=row.draw_amount,
            kind=DrawKind(row.draw_kind),
            start_month=row.draw_start_month,
            end_month=row.draw_end_month,
            max_recovery_pct=row.draw_max_recovery_pct,
        )
    return Assignment(
        rep_id=row.rep_id,
        plan_id=row.plan_id,
        effective_from=row.effective_from,
        effective_to=row.effective_to,
        quota_override=row.quota_override,
        draw=draw,
        id=row.id,
    )


def apply_assignment(row: AssignmentRow, value: Assignment) -> None:
    row.rep_id = value.rep_id
    row.plan_id = value.plan_id
    row.effective_from = value.effective_from
    row.effective_to = value.effective_to
    row.quota_override = value.quota_override
    draw = value.draw
    row.draw_amount = draw.amount if draw else None
    row.draw_kind = draw.kind.value if draw else None
    row.draw_start_month = draw.start_month if draw else None
    row.draw_end_month = draw.end_month if draw else None
    row.draw_max_recovery_pct = draw.max_recovery_pct if draw else None


def deal_value(row: DealRow) -> Deal:
    return Deal(
        external_id=row.external_id,
        customer=row.customer,
        amount=row.amount,
        close_date=row.close_date,
        deal_type=row.deal_type,
        credits=tuple(Credit(c.rep_id, c.split_pct) for c in row.credits),
        payments=tuple(Payment(p.paid_on, p.amount) for p in row.payments),
        cancellation_date=row.cancellation_date,
        cancellation_reason=row.cancellation_reason,
        name=row.name,
        id=row.id,
    )


def apply_deal(row: DealRow, value: Deal) -> None:
    row.external_id = value.external_id
    row.customer = value.customer
    row.amount = value.amount
    row.close_date = value.close_date
    row.deal_type = value.deal_type
    row.cancellation_date = value.cancellation_date
    row.cancellation_reason = value.cancellation_reason
    row.name = value.name
    credits = [(c.rep_id, c.split_pct) for c in value.credits]
    if [(c.rep_id, c.split_pct) for c in row.credits] != credits:
        session = object_session(row)
        if row.credits and session is not None:
            # The old credits go first: rows under the same (deal, position) would be
            # updated in place, and a rep moving to another position would then be
            # credited twice for a moment (UNIQUE (deal_id, rep_id)).
            row.credits = []
            session.flush()
        row.credits = [
            CreditRow(position=i, rep_id=rep_id, split_pct=split_pct)
            for i, (rep_id, split_pct) in enumerate(credits)
        ]
    row.payments = [PaymentRow(paid_on=p.date, amount=p.amount) for p in value.payments]


def adjustment_value(row: AdjustmentRow) -> Adjustment:
    return Adjustment(
        row.rep_id, row.month, row.amount, row.reason, external_id=row.external_id, id=row.id
    )


def apply_adjustment(row: AdjustmentRow, value: Adjustment) -> None:
    row.rep_id = value.rep_id
    row.month = value.month
    row.amount = value.amount
    row.reason = value.reason
    row.external_id = value.external_id


def period_value(row: PeriodRow) -> Period:
    return Period(row.month, PeriodStatus(row.status), row.closed_at)


def snapshot_value(row: SnapshotRow) -> StatementSnapshot:
    return StatementSnapshot(
        month=row.month,
        rep_id=row.rep_id,
        earnings=row.earnings,
        draw=row.draw,
        balance_before=row.balance_before,
        recovery=row.recovery,
        payout=row.payout,
        balance_after=row.balance_after,
        ytd_earnings=row.ytd_earnings,
        content_hash=row.content_hash,
        payload=row.payload,
    )


def snapshot_row(value: StatementSnapshot) -> SnapshotRow:
    return SnapshotRow(
        month=value.month,
        rep_id=value.rep_id,
        earnings=value.earnings,
        draw=value.draw,
        balance_before=value.balance_before,
        recovery=value.recovery,
        payout=value.payout,
        balance_after=value.balance_after,
        ytd_earnings=value.ytd_earnings,
        content_hash=value.content_hash,
        payload=value.payload,
    )


def progress_payload(items: tuple[QuotaProgress, ...]) -> str:
    """One closed month's quota progress as JSON: a list of [rep id, quota period,
    its first month, amount counted, [bonus thresholds paid]], amounts as strings."""
    return json.dumps(
        [
            [
                p.rep_id,
                p.period.value,
                str(p.period_start),
                str(p.counted),
                [str(t) for t in p.bonuses_paid],
            ]
            for p in items
        ],
        separators=(",", ":"),
    )


def progress_values(month: Month, payload: str) -> tuple[QuotaProgress, ...]:
    return tuple(
        QuotaProgress(
            month=month,
            rep_id=rep_id,
            period=QuotaPeriod(period),
            period_start=Month.parse(start),
            counted=Decimal(counted),
            bonuses_paid=tuple(Decimal(t) for t in paid),
        )
        for rep_id, period, start, counted, paid in json.loads(payload)
    )


def audit_value(row: AuditRow) -> AuditEntry:
    return AuditEntry(
        at=row.at,
        action=row.action,
        entity=row.entity,
        entity_id=row.entity_id,
        field=row.field,
        old=row.old,
        new=row.new,
        user=row.user,
        id=row.id,
    )


def audit_row(value: AuditEntry) -> AuditRow:
    row = AuditRow(
        at=value.at,
        action=value.action,
        entity=value.entity,
        entity_id=value.entity_id,
        field=value.field,
        old=value.old,
        new=value.new,
        user=value.user,
    )
    if value.id:
        row.id = value.id
    return row
