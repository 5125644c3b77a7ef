"""Read-only queries behind the deals table: one page of rows at a time, sorted and
filtered in SQL, so a file with a million deals scrolls as smoothly as one with ten.

Every sort key is backed by an index (`ix_deals_close_date`, `ix_deals_amount`,
`ix_deals_customer`, the unique external id) and ends with a unique column, so
pages never overlap or skip a row however many share a date or an amount.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from enum import StrEnum

from sqlalchemy import Select, func, or_, select
from sqlalchemy.sql import ColumnElement

from icmdesk.domain.engine.fmt import fmt_pct
from icmdesk.models.database import CompanyFile
from icmdesk.models.tables import CreditRow, DealRow, RepRow

OPEN = "open"
CANCELLED = "cancelled"


class DealSort(StrEnum):
    """The orders the deals table offers (each one an indexed column)."""

    CLOSE_DATE = "close_date"
    EXTERNAL_ID = "external_id"
    CUSTOMER = "customer"
    AMOUNT = "amount"


@dataclass(frozen=True, slots=True)
class DealRowView:
    """One row of the deals table."""

    id: int
    external_id: str
    customer: str
    close_date: date
    deal_type: str
    amount: Decimal
    credits: str  # "Ana Lee 60% · Bo Chen 40%", or the one rep's name at 100%
    status: str  # OPEN or CANCELLED
    cancellation_date: date | None = None


def _order_columns(sort: DealSort) -> tuple[ColumnElement[object], ...]:
    d = DealRow
    # The last column is unique, so the order is total and paging is stable.
    if sort is DealSort.CLOSE_DATE:
        return (d.close_date, d.external_id)
    if sort is DealSort.EXTERNAL_ID:
        return (d.external_id,)
    if sort is DealSort.CUSTOMER:
        return (d.customer, d.id)
    return (d.amount, d.id)


def _like_pattern(search: str) -> str:
    escaped = search.strip().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def _filtered(query: Select[tuple[object, ...]], search: str) -> Select[tuple[object, ...]]:
    if not search.strip():
        return query
    pattern = _like_pattern(search)
    # SQLite's LIKE ignores ASCII case, which is what a search box should do.
    return query.where(
        or_(
            DealRow.external_id.like(pattern, escape="\\"),
            DealRow.customer.like(pattern, escape="\\"),
        )
    )


def count_deals(cf: CompanyFile, search: str = "") -> int:
    """How many deals match `search` (a part of the external id or the customer)."""
    with cf.session() as session:
        query = _filtered(select(func.count()).select_from(DealRow), search)
        return int(session.scalar(query) or 0)


def deal_page(
    cf: CompanyFile,
    *,
    search: str = "",
    sort: DealSort = DealSort.CLOSE_DATE,
    descending: bool = False,
    offset: int = 0,
    limit: int = 200,
) -> tuple[DealRowView, ...]:
    """Rows `offset` to `offset + limit` of the deals matching `search`, in `sort` order."""
    if offset < 0 or limit < 0:
        raise ValueError("offset and limit must not be negative")
    d = DealRow
    order = [c.desc() if descending else c.asc() for c in _order_columns(sort)]
    query = _filtered(
        select(
            d.id,
            d.external_id,
            d.customer,
            d.close_date,
            d.deal_type,
            d.amount,
            d.cancellation_date,
        ),
        search,
    )
    with cf.session() as session:
        rows = session.execute(query.order_by(*order).offset(offset).limit(limit)).all()
        ids = [r[0] for r in rows]
        credits: dict[int, list[tuple[str, Decimal]]] = defaultdict(list)
        if ids:
            for deal_id, name, split in session.execute(
                select(CreditRow.deal_id, RepRow.name, CreditRow.split_pct)
                .join(RepRow, RepRow.id == CreditRow.rep_id)
                .where(CreditRow.deal_id.in_(ids))
                .order_by(CreditRow.deal_id, CreditRow.position)
            ):
                credits[deal_id].append((name, split))
    return tuple(
        DealRowView(
            id=deal_id,
            external_id=ext,
            customer=customer,
            close_date=close,
            deal_type=deal_type,
            amount=amount,
            credits=_credits_text(credits.get(deal_id, [])),
            status=CANCELLED if cancelled is not None else OPEN,
            cancellation_date=cancelled,
        )
        for deal_id, ext, customer, close, deal_type, amount, cancelled in rows
    )


def _credits_text(credits: list[tuple[str, Decimal]]) -> str:
    if len(credits) == 1 and credits[0][1] == Decimal(100):
        return credits[0][0]
    return " · ".join(f"{name} {fmt_pct(split)}" for name, split in credits)
