"""The quick pass over clean deals in find_problems never hides a refusal: every deal gets
exactly the problems the full per-deal check gives, even when it shares its credits with
clean deals checked before it."""

from __future__ import annotations

from datetime import date

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from icmdesk.domain.engine.context import Lookups
from icmdesk.domain.engine.refusals import _deal_problems, find_problems
from icmdesk.domain.entities import (
    Assignment,
    Company,
    CompanyData,
    Credit,
    Deal,
    Payment,
    Plan,
    PlanVersion,
    Rep,
    Tier,
)
from icmdesk.domain.money import D

FLAT = Plan("Flat", (PlanVersion(date(2025, 1, 1), (Tier(D(0), D(10)),)),), id=1)
LATE = Plan("Late", (PlanVersion(date(2026, 2, 1), (Tier(D(0), D(10)),)),), id=2)
ANN, BOB, CAT, DAN = 1, 2, 3, 4
REPS = (
    Rep("Ann", date(2025, 1, 1), id=ANN),
    Rep("Bob", date(2025, 1, 1), termination_date=date(2026, 3, 1), id=BOB),
    Rep("Cat", date(2025, 1, 1), id=CAT),  # no assignment in April 2026
    Rep("Dan", date(2025, 1, 1), id=DAN),  # plan has no version before February 2026
)
ASSIGNMENTS = (
    Assignment(ANN, FLAT.id, date(2025, 1, 1), id=1),
    Assignment(BOB, FLAT.id, date(2025, 1, 1), id=2),
    Assignment(CAT, FLAT.id, date(2025, 1, 1), date(2026, 3, 31), id=3),
    Assignment(CAT, FLAT.id, date(2026, 5, 1), id=4),
    Assignment(DAN, LATE.id, date(2026, 1, 1), id=5),
)
# One tuple per rep, shared by every deal crediting that rep alone (as the loader does).
ALONE = {rep.id: (Credit(rep.id, D(100)),) for rep in REPS}


def _deal(
    amount: str = "100.00",
    close: date = date(2026, 3, 1),
    credits: tuple[Credit, ...] = ALONE[ANN],
    payments: tuple[Payment, ...] = (),
    cancelled: date | None = None,
    ext: str = "BAD",
) -> Deal:
    return Deal(ext, "C", D(amount), close, credits=credits, payments=payments,
                cancellation_date=cancelled)  # fmt: skip


def _check(deals: list[Deal]) -> list[str]:
    """find_problems' messages, after asserting they are the full check's, deal by deal."""
    data = CompanyData(
        Company("Acme"),
        reps=REPS,
        plans=(FLAT, LATE),
        assignments=ASSIGNMENTS,
        deals=tuple(deals),
    )
    found = find_problems(Lookups(data))
    full_lk = Lookups(data)
    assert found == [p for deal in deals for p in _deal_problems(full_lk, deal)]
    return [p.message for p in found]


def _clean() -> list[Deal]:
    """Clean deals crediting each rep, on the first and last days each may close on."""
    spans = {
        ANN: (date(2025, 1, 1), date(2026, 5, 2)),
        BOB: (date(2025, 1, 1), date(2026, 3, 1)),
        CAT: (date(2026, 3, 31), date(2026, 5, 1)),
        DAN: (date(2026, 2, 1), date(2026, 5, 2)),
    }
    return [
        _deal(close=day, credits=ALONE[rep], ext=f"OK-{rep}-{day}")
        for rep, days in spans.items()
        for day in days
    ]


@pytest.mark.parametrize(
    ("case", "bad", "fragment"),
    [
        ("zero amount", _deal("0.00"), "positive whole cents"),
        ("negative amount", _deal("-5.00"), "positive whole cents"),
        ("a fraction of a cent", _deal("10.005"), "positive whole cents"),
        ("cancelled before close", _deal(cancelled=date(2026, 2, 28)), "before its close"),
        ("a zero payment", _deal(payments=(Payment(date(2026, 3, 2), D(0)),)), "positive"),
        ("a split of 0%", _deal(credits=(Credit(ANN, D(0)), Credit(BOB, D(100)))), "above 0%"),
        ("a rep twice", _deal(credits=(Credit(ANN, D(50)),) * 2), "more than once"),
        ("an unknown rep", _deal(credits=(Credit(99, D(100)),)), "does not exist"),
        ("splits under 100%", _deal(credits=(Credit(ANN, D(50)), Credit(BOB, D(40)))), "90%"),
        ("after termination", _deal(close=date(2026, 3, 2), credits=ALONE[BOB]), "termination"),
        ("before any assignment", _deal(close=date(2024, 12, 31)), "no plan assignment"),
        ("between assignments", _deal(close=date(2026, 4, 1), credits=ALONE[CAT]), "no plan"),
        ("before the plan's version", _deal(close=date(2026, 1, 31), credits=ALONE[DAN]), "Late"),
    ],
)
def test_every_refusal_is_still_reported(case: str, bad: Deal, fragment: str) -> None:
    messages = _check([*_clean(), bad, *_clean()])
    assert messages and all("Deal BAD:" in m for m in messages), case
    assert any(fragment in m for m in messages), (case, messages)


@pytest.mark.parametrize(
    "ok",
    [
        _deal("10.000"),  # whole cents written with more digits
        _deal(close=date(2026, 3, 1), credits=ALONE[BOB]),  # on the termination day
        _deal(close=date(2026, 5, 1), credits=ALONE[CAT]),  # back under an assignment
        _deal(payments=(Payment(date(2026, 3, 2), D("100.00")),), cancelled=date(2026, 3, 1)),
        _deal(credits=()),
        _deal(credits=(Credit(ANN, D(60)), Credit(BOB, D(60)))),  # overlay above 100%
    ],
)
def test_clean_deals_at_the_edges_raise_nothing(ok: Deal) -> None:
    assert _check([*_clean(), ok]) == []


CREDITS = [*ALONE.values(), (Credit(ANN, D(60)), Credit(CAT, D(40))), (Credit(DAN, D(0)),)]


@settings(max_examples=60, deadline=None)
@given(
    st.lists(
        st.builds(
            _deal,
            amount=st.sampled_from(["100.00", "0.00", "0.001", "99.99"]),
            close=st.dates(date(2024, 12, 30), date(2026, 5, 2)),
            credits=st.sampled_from(CREDITS),
            payments=st.sampled_from(
                [(), (Payment(date(2026, 1, 1), D("100.00")),), (Payment(date(2026, 1, 1), D(0)),)]
            ),
            cancelled=st.sampled_from([None, date(2026, 1, 1)]),
        ),
        max_size=30,
    )
)
def test_any_mix_of_deals_gets_the_full_checks_problems(deals: list[Deal]) -> None:
    _check(deals)
