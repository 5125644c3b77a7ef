"""What an assignment row's draw means as typed: the rep form only asks and shows, the
defaults are rep_form's (and the maximum recovery's is the Draw's own)."""

from __future__ import annotations

from decimal import Decimal

import pytest

from icmdesk.domain.calendar import Month
from icmdesk.domain.entities import Draw, DrawKind
from icmdesk.domain.money import D
from icmdesk.services import rep_form

JAN = Month(2026, 1)
JUN = Month(2026, 6)


def test_a_blank_amount_is_no_draw_whatever_else_is_typed() -> None:
    assert rep_form.draw_as_typed(None, DrawKind.NON_RECOVERABLE, JAN, JUN, D(50)) is None


def test_a_blank_maximum_recovery_recovers_all_of_the_earnings_above_the_draw() -> None:
    draw = rep_form.draw_as_typed(D(500), DrawKind.RECOVERABLE, JAN, None, None)
    assert draw == Draw(D(500), DrawKind.RECOVERABLE, JAN)  # the Draw's own default
    assert draw is not None and draw.max_recovery_pct == rep_form.DEFAULT_MAX_RECOVERY_PCT
    assert draw.max_recovery_pct == Decimal(100)  # all of them


@pytest.mark.parametrize("typed", [D(0), D(50), D(100)])
def test_a_typed_maximum_recovery_is_kept(typed: Decimal) -> None:
    draw = rep_form.draw_as_typed(D(500), DrawKind.RECOVERABLE, JAN, JUN, typed)
    assert draw == Draw(D(500), DrawKind.RECOVERABLE, JAN, JUN, typed)


def test_a_new_rows_draw_is_recoverable() -> None:
    assert rep_form.DEFAULT_DRAW_KIND is DrawKind.RECOVERABLE
