"""Cancel a deal, seeing first what it would claw back.

`preview_cancellation` runs the engine with the deal cancelled (nothing is
saved) and returns the clawback lines that deal would post in the cancellation
month. It reads only the deal's context: the deals of its quota period up to it
that credit its reps, which is all that rating its credits needs (the same
context a month's compute reads for such a cancellation, engine/engine.py), so
it is quick in a company of a million deals. `cancel_deal` stores the cancellation through
the same validated, audited path as every deal edit.

A cancellation keeps its real date, even in a closed month (the clawback window counts
from it): the clawback it causes there reaches the rep as part of the prior-period
adjustment of the first open month (`posting_month`), with its notice.
"""

from __future__ import annotations

import dataclasses
from datetime import date

from icmdesk.domain import engine
from icmdesk.domain.calendar import Month
from icmdesk.domain.entities import CompanyData, Deal
from icmdesk.domain.errors import NotFoundError, Problem, ValidationError
from icmdesk.domain.statement import LineKind, StatementLine
from icmdesk.domain.validation import validate_deal
from icmdesk.models.database import CompanyFile
from icmdesk.models.tables import DealRow
from icmdesk.services import periods, records
from icmdesk.services.store import load_deal_context


def preview_cancellation(
    cf: CompanyFile, deal_id: int, on: date, reason: str, *, today: date | None = None
) -> tuple[StatementLine, ...]:
    """The clawback lines cancelling the deal on `on` would post (in `on`'s month), unsaved."""
    return tuple(line for _rep, line in preview_by_rep(cf, deal_id, on, reason, today=today))


def preview_by_rep(
    cf: CompanyFile, deal_id: int, on: date, reason: str, *, today: date | None = None
) -> tuple[tuple[str, StatementLine], ...]:
    """The same preview with the name of the rep each line is posted to."""
    with cf.session() as session:
        data = load_deal_context(session, deal_id)
    deal = _find(data, deal_id)
    cancelled = _cancelled(deal, on, reason)
    _check(data, cancelled, today or date.today())
    # Computed as if nothing were closed: of the month, only this deal's clawback is
    # read, and the context is all it depends on.
    changed = dataclasses.replace(
        data,
        deals=tuple(cancelled if d.id == deal_id else d for d in data.deals),
        periods=(),
    )
    month = Month.of(on)
    return tuple(
        (statement.rep_name, line)
        for statement in engine.compute_month(changed, month)
        for line in statement.lines
        if line.kind is LineKind.CLAWBACK and line.deal_id == deal.external_id
    )


def cancel_deal(
    cf: CompanyFile, deal_id: int, on: date, reason: str, *, today: date | None = None
) -> Deal:
    """Record the deal's cancellation on `on` (not after `today`) with `reason`; returns the
    stored deal. One unit of work: the deal is read, checked (not cancelled already, the
    date not after today, the deal's own rules) and written in the same transaction, so
    nothing another writer does in between is overwritten."""
    with cf.session() as session:
        row = session.get(DealRow, deal_id)
        if row is None:
            raise NotFoundError(f"deal {deal_id} no longer exists")
        cancelled = _cancelled(records.DEAL.value(row), on, reason)
        problems = _already(records.DEAL.value(row)) + _future(on, today or date.today())
        if not problems:
            problems = validate_deal(cancelled, records.context(session, records.DEAL, cancelled))
        if problems:
            raise ValidationError(problems)
        return records.write(session, records.DEAL, cancelled)


def _already(deal: Deal) -> list[Problem]:
    """A deal is cancelled once: a second cancellation would move its clawback."""
    if deal.cancellation_date is None:
        return []
    return [
        Problem(
            "cancellation_date",
            f"Deal {deal.external_id} was already cancelled on {deal.cancellation_date}: "
            "edit the deal to change its cancellation.",
        )
    ]


def _future(on: date, today: date) -> list[Problem]:
    """A cancellation is recorded once it has happened: a date after today is a mistake
    (its notice would say the deal "was cancelled" on a day still to come)."""
    if on <= today:
        return []
    return [
        Problem(
            "cancellation_date",
            f"The cancellation date {on} is after today ({today}): record a cancellation "
            "once it has happened.",
        )
    ]


def posting_month(cf: CompanyFile, on: date) -> Month:
    """The month whose statements carry a clawback dated `on` (periods.posting_month)."""
    return periods.posting_month(cf, on)


def _cancelled(deal: Deal, on: date, reason: str) -> Deal:
    return dataclasses.replace(deal, cancellation_date=on, cancellation_reason=reason.strip())


def _find(data: CompanyData, deal_id: int) -> Deal:
    for d in data.deals:
        if d.id == deal_id:
            return d
    raise NotFoundError(f"deal {deal_id} no longer exists")


def _check(data: CompanyData, cancelled: Deal, today: date) -> None:
    assert cancelled.cancellation_date is not None
    original = _find(data, cancelled.id)
    problems = (
        _already(original)
        + validate_deal(cancelled, data)
        + _future(cancelled.cancellation_date, today)
    )
    if problems:
        raise ValidationError(problems)
