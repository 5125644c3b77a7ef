"""Reading and writing a whole company at once.

`load_company_data` reads everything the engine and the exporter need; the
big tables (deals, credits, payments) are read with SQLAlchemy Core in
close-date order rather than through ORM objects. `replace_company_data`
writes a whole `CompanyData` into a file in the caller's transaction (import,
demo), so a failure leaves the file as it was.
"""

from __future__ import annotations

from collections import defaultdict

from sqlalchemy import delete, func, insert, select, update
from sqlalchemy.orm import Session, selectinload
from sqlalchemy.sql import ColumnElement

from icmdesk.domain.entities import (
    CompanyData,
    Credit,
    Deal,
    Payment,
)
from icmdesk.domain.errors import CompanyFileError
from icmdesk.models import mapping
from icmdesk.models.tables import (
    AdjustmentRow,
    AssignmentRow,
    AuditRow,
    CompanyRow,
    CreditRow,
    DealRow,
    DealTypeRow,
    PaymentRow,
    PeriodRow,
    PlanRow,
    PlanVersionRow,
    RepRow,
    RoleRow,
    SnapshotRow,
)


def load_company_data(session: Session, *, deals: bool = True, history: bool = True) -> CompanyData:
    """Everything in the file as one frozen value.

    `deals=False` skips deals (validation context for edits); `history=False`
    skips the audit log.
    """
    company_row = session.get(CompanyRow, 1)
    if company_row is None:
        raise CompanyFileError("the company file has no company settings")
    deal_types = tuple(session.scalars(select(DealTypeRow.name).order_by(DealTypeRow.name)))
    plans = session.scalars(
        select(PlanRow)
        .order_by(PlanRow.id)
        .options(
            selectinload(PlanRow.versions).selectinload(PlanVersionRow.tiers),
            selectinload(PlanRow.versions).selectinload(PlanVersionRow.bonuses),
            selectinload(PlanRow.versions).selectinload(PlanVersionRow.spifs),
            selectinload(PlanRow.versions).selectinload(PlanVersionRow.multipliers),
        )
    )
    return CompanyData(
        company=mapping.company_value(company_row, deal_types),
        roles=tuple(
            mapping.role_value(r) for r in session.scalars(select(RoleRow).order_by(RoleRow.id))
        ),
        reps=tuple(
            mapping.rep_value(r) for r in session.scalars(select(RepRow).order_by(RepRow.id))
        ),
        plans=tuple(mapping.plan_value(p) for p in plans),
        assignments=tuple(
            mapping.assignment_value(a)
            for a in session.scalars(select(AssignmentRow).order_by(AssignmentRow.id))
        ),
        deals=load_deals(session) if deals else (),
        adjustments=tuple(
            mapping.adjustment_value(a)
            for a in session.scalars(select(AdjustmentRow).order_by(AdjustmentRow.id))
        ),
        periods=tuple(
            mapping.period_value(p)
            for p in session.scalars(select(PeriodRow).order_by(PeriodRow.month))
        ),
        snapshots=tuple(
            mapping.snapshot_value(s)
            for s in session.scalars(
                select(SnapshotRow).order_by(SnapshotRow.month, SnapshotRow.rep_id)
            )
        ),
        audit=tuple(
            mapping.audit_value(a) for a in session.scalars(select(AuditRow).order_by(AuditRow.id))
        )
        if history
        else (),
    )


def load_deals(session: Session, where: ColumnElement[bool] | None = None) -> tuple[Deal, ...]:
    """Deals (all, or those matching `where` on DealRow) with credits and payments, via Core.

    In (close date, external id) order, the order the engine takes them in.
    """
    d = DealRow
    chosen = select(d.id) if where is None else select(d.id).where(where)
    credits: dict[int, list[Credit]] = defaultdict(list)
    for deal_id, rep_id, split in session.execute(
        select(CreditRow.deal_id, CreditRow.rep_id, CreditRow.split_pct)
        .where(CreditRow.deal_id.in_(chosen))
        .order_by(CreditRow.deal_id, CreditRow.position)
    ):
        credits[deal_id].append(Credit(rep_id, split))
    payments: dict[int, list[Payment]] = defaultdict(list)
    for deal_id, paid_on, amount in session.execute(
        select(PaymentRow.deal_id, PaymentRow.paid_on, PaymentRow.amount)
        .where(PaymentRow.deal_id.in_(chosen))
        .order_by(PaymentRow.deal_id, PaymentRow.paid_on, PaymentRow.id)
    ):
        payments[deal_id].append(Payment(paid_on, amount))
    d = DealRow
    rows = session.execute(
        select(
            d.id,
            d.external_id,
            d.customer,
            d.amount,
            d.close_date,
            d.deal_type,
            d.cancellation_date,
            d.cancellation_reason,
        ).order_by(d.close_date, d.external_id)
    )
    return tuple(
        Deal(
            external_id=ext,
            customer=customer,
            amount=amount,
            close_date=close,
            deal_type=deal_type,
            credits=tuple(credits.get(deal_id, ())),
            payments=tuple(payments.get(deal_id, ())),
            cancellation_date=cancelled,
            cancellation_reason=reason,
            id=deal_id,
        )
        for deal_id, ext, customer, amount, close, deal_type, cancelled, reason in rows
    )


def replace_company_data(session: Session, data: CompanyData) -> None:
    """Replace the whole content of the file with `data`, ids preserved, in this transaction."""
    # Closed snapshots are protected by triggers; a wholesale replace reopens first.
    session.execute(update(PeriodRow).values(status="open"))
    session.execute(update(RepRow).values(manager_id=None))  # managers RESTRICT row by row
    for table in (
        SnapshotRow,
        PeriodRow,
        AuditRow,
        AdjustmentRow,
        PaymentRow,
        CreditRow,
        DealRow,
        AssignmentRow,
        RepRow,
        RoleRow,
        PlanRow,
        DealTypeRow,
        CompanyRow,
    ):
        session.execute(delete(table))
    session.flush()

    company = CompanyRow()
    mapping.apply_company(company, data.company)
    session.add(company)
    session.add_all(DealTypeRow(name=t) for t in data.company.deal_types)
    for plan in data.plans:
        row = PlanRow(id=plan.id)
        mapping.apply_plan(row, plan)
        session.add(row)
    session.flush()
    for role in data.roles:
        role_row = RoleRow(id=role.id)
        mapping.apply_role(role_row, role)
        session.add(role_row)
    session.flush()
    # Managers refer to reps: insert without managers, then set them.
    for rep in data.reps:
        rep_row = RepRow(id=rep.id)
        mapping.apply_rep(rep_row, rep)
        rep_row.manager_id = None
        session.add(rep_row)
    session.flush()
    for rep in data.reps:
        if rep.manager_id is not None:
            session.execute(
                update(RepRow).where(RepRow.id == rep.id).values(manager_id=rep.manager_id)
            )
    for a in data.assignments:
        a_row = AssignmentRow(id=a.id)
        mapping.apply_assignment(a_row, a)
        session.add(a_row)
    session.flush()
    insert_deals(session, data.deals)
    for adj in data.adjustments:
        adj_row = AdjustmentRow(id=adj.id)
        mapping.apply_adjustment(adj_row, adj)
        session.add(adj_row)
    # Periods go in open, snapshots next, and only then are closed months marked closed.
    session.add_all(
        PeriodRow(month=p.month, status="open", closed_at=p.closed_at) for p in data.periods
    )
    session.flush()
    session.add_all(mapping.snapshot_row(s) for s in data.snapshots)
    session.flush()
    for p in data.periods:
        if p.status.value == "closed":
            session.execute(
                update(PeriodRow).where(PeriodRow.month == p.month).values(status="closed")
            )
    session.add_all(mapping.audit_row(e) for e in data.audit)
    session.flush()


def insert_deals(session: Session, deals: tuple[Deal, ...] | list[Deal]) -> None:
    """Bulk-insert deals with their credits and payments through Core (ids preserved if set)."""
    if not deals:
        return
    next_id = (session.scalar(select(func.max(DealRow.id))) or 0) + 1
    ids: list[int] = []
    deal_rows = []
    for deal in deals:
        deal_id = deal.id
        if not deal_id:
            deal_id, next_id = next_id, next_id + 1
        ids.append(deal_id)
        deal_rows.append(
            {
                "id": deal_id,
                "external_id": deal.external_id,
                "customer": deal.customer,
                "amount": deal.amount,
                "close_date": deal.close_date,
                "deal_type": deal.deal_type,
                "cancellation_date": deal.cancellation_date,
                "cancellation_reason": deal.cancellation_reason,
            }
        )
    session.execute(insert(DealRow), deal_rows)
    credit_rows = [
        {"deal_id": deal_id, "position": i, "rep_id": c.rep_id, "split_pct": c.split_pct}
        for deal_id, d in zip(ids, deals, strict=True)
        for i, c in enumerate(d.credits)
    ]
    payment_rows = [
        {"deal_id": deal_id, "paid_on": p.date, "amount": p.amount}
        for deal_id, d in zip(ids, deals, strict=True)
        for p in d.payments
    ]
    if credit_rows:
        session.execute(insert(CreditRow), credit_rows)
    if payment_rows:
        session.execute(insert(PaymentRow), payment_rows)
