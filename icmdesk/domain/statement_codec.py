"""Statements as JSON-ready dicts, canonical JSON and content hashes.

The dict format is what `icmdesk compute --json` prints and what a closed period
stores as its snapshot payload (docs/compute-json.md). Money is a string of whole
cents ("1234.50"), percentages a decimal string ("60", "112.50"), dates ISO
("2026-03-31"), months "YYYY-MM"; `statement_from_dict` is the exact inverse of
`statement_to_dict`.
"""

from __future__ import annotations

import hashlib
import json
from collections import deque
from dataclasses import fields
from datetime import date
from decimal import Decimal
from itertools import repeat
from operator import itemgetter
from typing import Any

from icmdesk.domain.calendar import Month
from icmdesk.domain.entities import StatementSnapshot
from icmdesk.domain.money import CENT, D, is_whole_cents
from icmdesk.domain.statement import (
    AwaitingLine,
    ClawbackNotice,
    LineKind,
    PlanTerms,
    Statement,
    StatementLine,
    StatementOpening,
    StatementTotals,
    TermBonus,
    TermMultiplier,
    TermSpif,
    TierMark,
    YearToDate,
)

# Decimal fields that are percentages, not money: written as they are, not to cents.
_PCT_FIELDS = frozenset(
    {
        "split_pct",
        "attainment_pct",
        "from_pct",
        "rate_pct",
        "source_split_pct",
        "multiplier_pct",
        "recovery_pct",
        "threshold_pct",
        "override_rate_pct",
    }
)
# Fields added after statements were first stored, per class: left out when None, so a
# statement without them has the JSON (and content hash) it always had, and a stored one
# without them reads back with None.
_OMITTED_WHEN_NONE: dict[type, frozenset[str]] = {}  # filled below the imports' classes
# Fields left out of the content hash: they say whether and how it was stored.
_UNHASHED = ("closed", "content_hash")

_NESTED: dict[str, type] = {
    "lines": StatementLine,
    "awaiting": AwaitingLine,
    "notices": ClawbackNotice,
    "tier_marks": TierMark,
}
_NESTED_ONE: dict[str, type] = {
    "opening": StatementOpening,
    "terms": PlanTerms,
    "year_to_date": YearToDate,
}
# Lists of records inside a nested record (the plan terms').
_NESTED_IN: dict[tuple[type, str], type] = {
    (PlanTerms, "multipliers"): TermMultiplier,
    (PlanTerms, "bonuses"): TermBonus,
    (PlanTerms, "spifs"): TermSpif,
}
_OMITTED_WHEN_NONE.update(
    {
        Statement: frozenset({"opening", "recovery_pct", "terms", "year_to_date"}),
        PlanTerms: frozenset({"cap", "override_rate_pct"}),
        ClawbackNotice: frozenset({"source_rep", "source_split_pct"}),
        # A deal line's working (issue 15), carried on lines computed since.
        StatementLine: frozenset(
            {
                "deal_amount",
                "deal_type",
                "multiplier_pct",
                "counted_amount",
                "counted_before",
                "rate_pct",
                "commission_before",
                "commission_after",
                "booked",
                "paid_to_date",
                "earned_to_date",
                "earned_before",
                "quota_period",
            }
        ),
    }
)


def _encode_value(name: str, value: Any) -> Any:
    if isinstance(value, LineKind):  # a str subclass: store its value
        return value.value
    if value is None or isinstance(value, (bool, int, str)):
        return value
    if isinstance(value, Decimal):
        if name not in _PCT_FIELDS and is_whole_cents(value):
            return f"{value.quantize(CENT):f}"
        return f"{value:f}"
    if isinstance(value, Month):
        return str(value)
    if isinstance(value, date):
        return value.isoformat()
    raise TypeError(f"cannot encode {name}={value!r}")


def _to_dict(obj: Any, *, top: bool = False) -> dict[str, Any]:
    out: dict[str, Any] = {}
    omitted = _OMITTED_WHEN_NONE.get(type(obj), frozenset())
    for f in fields(obj):
        value = getattr(obj, f.name)
        if value is None and f.name in omitted:
            continue
        if top and f.name in _NESTED:  # only the statement nests ("awaiting" is also a field
            out[f.name] = [_to_dict(item) for item in value]  # of AwaitingLine)
        elif top and f.name in _NESTED_ONE:
            out[f.name] = _to_dict(value)
        elif (type(obj), f.name) in _NESTED_IN:
            out[f.name] = [_to_dict(item) for item in value]
        elif isinstance(value, tuple):  # of strings
            out[f.name] = list(value)
        else:
            out[f.name] = _encode_value(f.name, value)
    return out


def statement_to_dict(s: Statement) -> dict[str, Any]:
    """The statement as a JSON-ready dict (see docs/compute-json.md)."""
    return _to_dict(s, top=True)


def totals_to_dict(t: StatementTotals) -> dict[str, Any]:
    """A month's figures for one rep as a JSON-ready dict, money as statements write it."""
    return _to_dict(t)


def _decode_value(annotation: str, value: Any) -> Any:
    if value is None:
        return None
    base = annotation.replace(" | None", "").strip()
    if base == "Decimal":
        return D(value)
    if base == "date":
        return date.fromisoformat(value)
    if base == "Month":
        return Month.parse(value)
    if base == "LineKind":
        return LineKind(value)
    if base in ("int", "str", "bool"):
        return value
    if base == "tuple[str, ...]":
        return tuple(value)
    raise TypeError(f"cannot decode a {annotation}")


def _from_dict(cls: type, d: dict[str, Any], *, top: bool = False) -> Any:
    kwargs: dict[str, Any] = {}
    omitted = _OMITTED_WHEN_NONE.get(cls, frozenset())
    for f in fields(cls):
        if f.name in omitted and f.name not in d:
            continue  # the field's default, None
        value = d[f.name]
        if top and f.name in _NESTED:
            kwargs[f.name] = tuple(_from_dict(_NESTED[f.name], item) for item in value)
        elif top and f.name in _NESTED_ONE:
            kwargs[f.name] = None if value is None else _from_dict(_NESTED_ONE[f.name], value)
        elif (cls, f.name) in _NESTED_IN:
            kwargs[f.name] = tuple(_from_dict(_NESTED_IN[cls, f.name], item) for item in value)
        else:
            kwargs[f.name] = _decode_value(str(f.type), value)
    return cls(**kwargs)


def statement_from_dict(d: dict[str, Any]) -> Statement:
    """The statement a dict from `statement_to_dict` describes."""
    result: Statement = _from_dict(Statement, d, top=True)
    return result


def canonical_json(s: Statement) -> str:
    """The statement's dict as JSON with sorted keys and no optional whitespace."""
    return _dumps(statement_to_dict(s))


def _dumps(d: dict[str, Any]) -> str:
    return json.dumps(d, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def content_hash(s: Statement) -> str:
    """sha256 (hex) of the canonical JSON without the `closed` and `content_hash` fields."""
    d = statement_to_dict(s)
    for name in _UNHASHED:
        d.pop(name, None)
    return hashlib.sha256(_dumps(d).encode("utf-8")).hexdigest()


def snapshot_of(s: Statement) -> StatementSnapshot:
    """The stored form of a statement when its period closes."""
    return StatementSnapshot(
        month=s.month,
        rep_id=s.rep_id,
        earnings=s.earnings,
        draw=s.draw,
        balance_before=s.balance_before,
        recovery=s.recovery,
        payout=s.payout,
        balance_after=s.balance_after,
        ytd_earnings=s.ytd_earnings,
        content_hash=content_hash(s),
        payload=canonical_json(s),
    )


def statement_of_snapshot(snapshot: StatementSnapshot) -> Statement:
    """A closed statement back from its snapshot: closed, with the stored content hash."""
    d = json.loads(snapshot.payload)
    d["closed"] = True
    d["content_hash"] = snapshot.content_hash
    return statement_from_dict(d)


# Where a stored statement's "Booked, awaiting payment" lines start. In canonical JSON the
# first match is the statement's own key: an unescaped quote cannot be inside a string, and
# only the statement's "awaiting" holds an array (a line's "awaiting" is a money string).
_AWAITING_KEY = '"awaiting":['
# AwaitingLine's fields in constructor order; the decoder's object hook (C code, no Python
# frame per line) turns each line's object into a tuple of them as soon as it is parsed.
_AWAITING_FIELDS = (
    "deal_id",
    "customer",
    "close_date",
    "booked",
    "earned_to_date",
    "awaiting",
    "description",
)
_AWAITING_DECODER = json.JSONDecoder(object_hook=itemgetter(*_AWAITING_FIELDS))
# The slot descriptors' setters: AwaitingLine's generated __init__ calls object.__setattr__,
# which sets the same slots one Python call at a time. tests/domain/test_statement_codec.py
# holds that AwaitingLine stays a slotted dataclass with exactly these fields and no
# __post_init__, which is what makes setting the slots equal to calling the constructor.
_AWAITING_SETTERS = tuple(getattr(AwaitingLine, name).__set__ for name in _AWAITING_FIELDS)


def awaiting_of_payload(payload: str) -> tuple[AwaitingLine, ...]:
    """The "Booked, awaiting payment" lines of a stored statement (a snapshot's payload).

    Equal to `statement_from_dict(json.loads(payload)).awaiting`, but reads only the
    awaiting array and builds the lines column by column: a closed month of a big company
    holds hundreds of thousands of them, and the engine reads them on every computation.
    """
    start = payload.find(_AWAITING_KEY)
    if start < 0:
        return statement_from_dict(json.loads(payload)).awaiting  # not canonical: the long way
    start += len(_AWAITING_KEY) - 1  # at the "["
    if payload.startswith("[]", start):  # most statements have none
        return ()
    rows: list[tuple[str, ...]] = _AWAITING_DECODER.raw_decode(payload, start)[0]
    by_field = zip(*rows, strict=True)
    deal_ids, customers, close_dates, booked, earned, awaiting, descriptions = by_field
    days = {day: date.fromisoformat(day) for day in set(close_dates)}
    # Money in a payload is always a string of whole cents (never a float): Decimal reads
    # it exactly, without money.D's type checks, which dominated reading thousands of lines.
    columns = (
        deal_ids,
        customers,
        map(days.__getitem__, close_dates),
        map(Decimal, booked),
        map(Decimal, earned),
        map(Decimal, awaiting),
        descriptions,
    )
    lines = tuple(map(object.__new__, repeat(AwaitingLine, len(rows))))
    for set_field, column in zip(_AWAITING_SETTERS, columns, strict=True):
        deque(map(set_field, lines, column), maxlen=0)  # runs the setter over the column
    return lines
