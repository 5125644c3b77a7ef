"""The fast money formatter reads exactly as babel would, for every currency and sign."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from icmdesk.reports import fmt

CURRENCIES = ("USD", "EUR", "GBP", "JPY", "CHF", "INR", "CAD", "XYZ")


@pytest.mark.parametrize("currency", CURRENCIES)
@pytest.mark.parametrize(
    "amount",
    ["0", "0.00", "-0.00", "-0", "12", "1E+3", "-1234567.5", "999.99", "-0.01", "1000000.00"],
)
def test_fast_money_matches_babel_on_edge_cases(currency: str, amount: str) -> None:
    value = Decimal(amount)
    assert fmt.money(value, currency) == fmt._babel_money(value, currency)


@given(
    cents=st.integers(min_value=-(10**13), max_value=10**13),
    places=st.sampled_from([0, 1, 2, 3, 4]),
    currency=st.sampled_from(CURRENCIES),
)
def test_fast_money_matches_babel(cents: int, places: int, currency: str) -> None:
    # places > 2 take babel's own path (rounding is babel's business, never ours).
    value = Decimal(cents).scaleb(-places)
    assert fmt.money(value, currency) == fmt._babel_money(value, currency)


def test_money_refuses_float() -> None:
    with pytest.raises(TypeError):
        fmt.money(1.5, "USD")  # type: ignore[arg-type]
