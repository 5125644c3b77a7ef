"""The raw deal readers (store.load_all_deals, store.load_deals_closed_in) give exactly what
the ORM-based store.load_deals gives: same deals, same order, same Decimal exponents, whether
the deal ids are dense or sparse."""

from __future__ import annotations

from datetime import date

import pytest

from icmdesk.domain.entities import Credit, Deal, Payment, Rep
from icmdesk.domain.money import D
from icmdesk.models.database import CompanyFile
from icmdesk.models.tables import DealRow
from icmdesk.services import records, store


def _deals(ana: int, boss: int, ids: list[int]) -> list[Deal]:
    alone = (Credit(ana, D(100)),)
    shapes = [
        {"credits": alone},
        {"credits": (Credit(boss, D("62.5")), Credit(ana, D("37.5")))},  # position order kept
        {"credits": (Credit(ana, D(40)), Credit(boss, D(60)))},
        {"credits": ()},
        {
            "credits": alone,
            "payments": (Payment(date(2026, 3, 9), D("0.01")), Payment(date(2026, 2, 1), D(7))),
        },
        {
            "credits": (Credit(boss, D("33.3333")), Credit(ana, D("66.6667"))),
            "payments": (Payment(date(2026, 2, 1), D("12.34")),) * 2,
            "cancellation_date": date(2026, 4, 30),
            "cancellation_reason": "churned",
            "deal_type": "renewal",
        },
    ]
    return [
        Deal(
            f"D-{(i * 7) % len(ids):03d}",
            f"Customer {i % 3}",
            D(f"{1000 + i}.{i % 100:02d}"),
            date(2026, 1 + i % 4, 1 + i % 2),
            id=deal_id,
            **shapes[i % len(shapes)],  # type: ignore[arg-type]
        )
        for i, deal_id in enumerate(ids)
    ]


@pytest.mark.parametrize(
    "ids",
    [list(range(1, 31)), [3, *range(10**6, 10**6 + 28), 10**9], [*range(-15, 0), *range(1, 16)]],
    ids=["dense ids", "sparse ids", "negative ids"],
)
def test_raw_readers_match_the_orm(cf: CompanyFile, ids: list[int]) -> None:
    ana = records.save_rep(cf, Rep("Ana", date(2025, 1, 6))).id
    boss = records.save_rep(cf, Rep("Boss", date(2025, 1, 6))).id
    with cf.session() as s:
        store.insert_deals(s, _deals(ana, boss, ids))
    spans = [(date(2026, 1, 1), date(2026, 1, 31)), (date(2026, 3, 2), date(2026, 4, 30))]
    in_spans = DealRow.close_date.between(*spans[0]) | DealRow.close_date.between(*spans[1])
    with cf.session() as s:
        everything = store.load_deals(s)
        some = store.load_deals(s, in_spans)
        assert len(everything) == len(ids) and 0 < len(some) < len(ids)
        # repr shows every Decimal's exponent, which == would not compare
        assert list(map(repr, store.load_all_deals(s))) == list(map(repr, everything))
        assert list(map(repr, store.load_deals_closed_in(s, spans))) == list(map(repr, some))
        assert store.load_deals_closed_in(s, []) == ()


def test_raw_readers_of_a_file_without_deals(cf: CompanyFile) -> None:
    with cf.session() as s:
        assert store.load_all_deals(s) == ()
        assert store.load_deals_closed_in(s, [(date(2026, 1, 1), date(2026, 1, 31))]) == ()
