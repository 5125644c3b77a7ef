"""The currency list the domain checks against is babel's list of currencies in use."""

from __future__ import annotations

import babel.core

from icmdesk.domain.currencies import CURRENCIES


def in_use_by_babel() -> set[str]:
    """Every currency that is legal tender somewhere today, by babel's CLDR data."""
    territories = babel.core.get_global("territory_currencies")
    return {
        code
        for items in territories.values()
        for code, _start, end, tender in items
        if end is None and tender
    }


def test_the_list_is_babels() -> None:
    # After a babel upgrade changes it: write icmdesk/domain/currencies.py again from
    # sorted(in_use_by_babel()).
    assert set(CURRENCIES) == in_use_by_babel()
    assert {"USD", "EUR", "GBP", "CHF", "JPY"} <= CURRENCIES
    assert not {"ZZZ", "DOL", "XXX", "DEM"} & CURRENCIES
