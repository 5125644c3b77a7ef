"""The whole company as one documented JSON document (`icmdesk export` / `icmdesk import`).

`company_to_json` writes a deterministic document: keys sorted within objects,
records ordered by id (periods by month, snapshots by month then rep), money as
strings with two decimals ("1234.50"), percentages as strings ("12.5"), dates ISO,
months "YYYY-MM", the logo as base64. The format is described in
docs/company-format.md.

`company_from_json` reads such a document strictly and raises `ValidationError`
with every problem found, each naming its JSON path ("deals[3].amount: '12.345' is
not a whole number of cents"). It checks the document's shape, types, ids and
references between records; the business rules are `validation.validate_company`'s.
"""

from __future__ import annotations

import base64
import binascii
import json
import re
from collections.abc import Callable, Iterable
from datetime import date, datetime
from decimal import Decimal
from enum import StrEnum
from typing import Any

from icmdesk.domain.calendar import Month, QuotaPeriod
from icmdesk.domain.entities import (
    Adjustment,
    Assignment,
    AttainmentBonus,
    AuditEntry,
    ClawbackMethod,
    ClawbackPolicy,
    Company,
    CompanyData,
    Credit,
    Deal,
    DealTypeMultiplier,
    Draw,
    DrawKind,
    OpeningBalance,
    OverrideScope,
    PageSize,
    Payment,
    PayoutSettings,
    PayoutTrigger,
    Period,
    PeriodStatus,
    Plan,
    PlanVersion,
    Rep,
    Role,
    SavedMapping,
    Spif,
    StatementSnapshot,
    Tier,
    TierMode,
)
from icmdesk.domain.errors import Problem, ValidationError
from icmdesk.domain.imports.profiles import Mapping as ImportMapping
from icmdesk.domain.money import CENT, is_whole_cents
from icmdesk.domain.payouts import settings_from_json, settings_to_json

__all__ = ["FORMAT", "VERSION", "canonical_mapping", "company_from_json", "company_to_json"]

FORMAT = "icmdesk-company"
# 2: the books start and opening balances (a version 1 document has neither); 3: deal
# names, rep aliases, adjustment ids and saved import mappings (earlier ones have none).
VERSION = 3
_READS = frozenset({1, 2, 3})

# Limits on what a document may hold, checked before any value reaches Decimal or SQLite
# (docs/company-format.md): a document nested deeper than MAX_DEPTH, a number written with
# more than MAX_NUMBER_CHARS characters, an id above MAX_ID (SQLite's largest integer), an
# amount beyond MAX_AMOUNT either way (its cents fit a 64-bit integer with room for sums of
# millions of them), a percentage beyond MAX_PERCENT, text longer than MAX_TEXT (the
# business limits per field are validation's, tighter), a logo over
# MAX_LOGO_BYTES: each is refused with its path, never a crash. Text holding a lone surrogate
# (which UTF-8 cannot store) is refused here; NUL and other control characters are
# validation's (validate_company), as a business rule on what a field may say.
MAX_DEPTH = 32
MAX_NUMBER_CHARS = 40
MAX_ID = 2**63 - 1
MAX_INTEGER = 2**63 - 1
MAX_AMOUNT = Decimal(10**12)
MAX_PERCENT = Decimal(10**6)
MAX_TEXT = 100_000
MAX_PAYLOAD = 10_000_000  # a closed statement's canonical JSON, kept verbatim
MAX_LOGO_BYTES = 5_000_000
_SURROGATE_RE = re.compile(r"[\ud800-\udfff]")

# --------------------------------------------------------------------------- writing


def company_to_json(data: CompanyData) -> str:
    """The company as a deterministic JSON document (UTF-8 text, ending with a newline)."""
    doc: dict[str, Any] = {
        "format": FORMAT,
        "version": VERSION,
        "company": _company_out(data.company),
        "roles": [
            {"id": r.id, "name": r.name, "default_plan_id": r.default_plan_id}
            for r in sorted(data.roles, key=lambda r: r.id)
        ],
        "reps": [_rep_out(r) for r in sorted(data.reps, key=lambda r: r.id)],
        "plans": [_plan_out(p) for p in sorted(data.plans, key=lambda p: p.id)],
        "assignments": [_assignment_out(a) for a in sorted(data.assignments, key=lambda a: a.id)],
        "deals": [_deal_out(d) for d in sorted(data.deals, key=lambda d: d.id)],
        "adjustments": [
            {
                "id": a.id,
                "rep_id": a.rep_id,
                "month": str(a.month),
                "amount": _money_out(a.amount),
                "reason": a.reason,
                "external_id": a.external_id,
            }
            for a in sorted(data.adjustments, key=lambda a: a.id)
        ],
        "periods": [
            {
                "month": str(p.month),
                "status": p.status.value,
                "closed_at": None if p.closed_at is None else p.closed_at.isoformat(),
            }
            for p in sorted(data.periods, key=lambda p: p.month)
        ],
        "snapshots": [
            _snapshot_out(s) for s in sorted(data.snapshots, key=lambda s: (s.month, s.rep_id))
        ],
        "audit": [
            {
                "id": e.id,
                "at": e.at.isoformat(),
                "action": e.action,
                "entity": e.entity,
                "entity_id": e.entity_id,
                "field": e.field,
                "old": e.old,
                "new": e.new,
                "user": e.user,
            }
            for e in sorted(data.audit, key=lambda e: e.id)
        ],
        "opening_balances": [
            _opening_out(ob) for ob in sorted(data.opening_balances, key=lambda ob: ob.rep_id)
        ],
        "import_mappings": [
            {"key": m.key, "mapping": json.loads(m.payload)}
            for m in sorted(data.import_mappings, key=lambda m: m.key)
        ],
    }
    return json.dumps(doc, sort_keys=True, indent=2, ensure_ascii=False) + "\n"


def _money_out(amount: Decimal) -> str:
    if not isinstance(amount, Decimal) or not amount.is_finite() or not is_whole_cents(amount):
        raise ValueError(f"cannot export {amount!r}: not a whole number of cents")
    if amount == 0:
        return "0.00"  # never "-0.00"
    return format(amount.quantize(CENT), "f")


def _opt_money_out(amount: Decimal | None) -> str | None:
    return None if amount is None else _money_out(amount)


def _pct_out(value: Decimal) -> str:
    if not isinstance(value, Decimal) or not value.is_finite():
        raise ValueError(f"cannot export {value!r}: not a finite percentage")
    return "0" if value == 0 else format(value, "f")


def _opt_date_out(day: date | None) -> str | None:
    return None if day is None else day.isoformat()


def _policy_out(policy: ClawbackPolicy) -> dict[str, Any]:
    return {"window_days": policy.window_days, "method": policy.method.value}


def _company_out(c: Company) -> dict[str, Any]:
    return {
        "name": c.name,
        "address": c.address,
        "currency": c.currency,
        "fiscal_year_start": c.fiscal_year_start,
        "clawback_policy": _policy_out(c.clawback_policy),
        "forgive_balance_at_termination": c.forgive_balance_at_termination,
        "deal_types": list(c.deal_types),
        "page_size": c.page_size.value,
        "statement_help_text": c.statement_help_text,
        "logo_png": None if c.logo_png is None else base64.b64encode(c.logo_png).decode("ascii"),
        "books_start": None if c.books_start is None else str(c.books_start),
        "payouts": settings_to_json(c.payouts),
    }


def _opening_out(ob: OpeningBalance) -> dict[str, Any]:
    return {
        "rep_id": ob.rep_id,
        "balance_owed": _money_out(ob.balance_owed),
        "ytd_earnings": _money_out(ob.ytd_earnings),
        "counted": _money_out(ob.counted),
        "bonuses_paid": [_pct_out(t) for t in sorted(ob.bonuses_paid)],
    }


def _rep_out(r: Rep) -> dict[str, Any]:
    return {
        "id": r.id,
        "name": r.name,
        "hire_date": r.hire_date.isoformat(),
        "email": r.email,
        "payroll_id": r.payroll_id,
        "role_id": r.role_id,
        "manager_id": r.manager_id,
        "termination_date": _opt_date_out(r.termination_date),
        "aliases": list(r.aliases),
    }


def _version_out(v: PlanVersion) -> dict[str, Any]:
    return {
        "id": v.id,
        "effective_from": v.effective_from.isoformat(),
        "tiers": [
            {"from_pct": _pct_out(t.from_pct), "rate_pct": _pct_out(t.rate_pct)} for t in v.tiers
        ],
        "quota_period": v.quota_period.value,
        "quota": _opt_money_out(v.quota),
        "tier_mode": v.tier_mode.value,
        "cap": _opt_money_out(v.cap),
        "multipliers": [
            {"deal_type": m.deal_type, "multiplier_pct": _pct_out(m.multiplier_pct)}
            for m in v.multipliers
        ],
        "bonuses": [
            {"threshold_pct": _pct_out(b.threshold_pct), "amount": _money_out(b.amount)}
            for b in v.bonuses
        ],
        "spifs": [
            {
                "name": s.name,
                "amount": _money_out(s.amount),
                "start": s.start.isoformat(),
                "end": s.end.isoformat(),
                "min_deal_amount": _money_out(s.min_deal_amount),
                "deal_types": list(s.deal_types),
            }
            for s in v.spifs
        ],
        "override_rate_pct": None if v.override_rate_pct is None else _pct_out(v.override_rate_pct),
        "override_scope": v.override_scope.value,
        "payout_trigger": v.payout_trigger.value,
        "clawback_policy": None if v.clawback_policy is None else _policy_out(v.clawback_policy),
    }


def _plan_out(p: Plan) -> dict[str, Any]:
    versions = sorted(p.versions, key=lambda v: (v.effective_from, v.id))
    return {"id": p.id, "name": p.name, "versions": [_version_out(v) for v in versions]}


def _assignment_out(a: Assignment) -> dict[str, Any]:
    draw = None
    if a.draw is not None:
        d = a.draw
        draw = {
            "amount": _money_out(d.amount),
            "kind": d.kind.value,
            "start_month": str(d.start_month),
            "end_month": None if d.end_month is None else str(d.end_month),
            "max_recovery_pct": _pct_out(d.max_recovery_pct),
        }
    return {
        "id": a.id,
        "rep_id": a.rep_id,
        "plan_id": a.plan_id,
        "effective_from": a.effective_from.isoformat(),
        "effective_to": _opt_date_out(a.effective_to),
        "quota_override": _opt_money_out(a.quota_override),
        "draw": draw,
    }


def _deal_out(d: Deal) -> dict[str, Any]:
    return {
        "id": d.id,
        "external_id": d.external_id,
        "customer": d.customer,
        "amount": _money_out(d.amount),
        "close_date": d.close_date.isoformat(),
        "deal_type": d.deal_type,
        # List order matters: largest-remainder ties go to the earlier credit.
        "credits": [{"rep_id": c.rep_id, "split_pct": _pct_out(c.split_pct)} for c in d.credits],
        "payments": [
            {"date": p.date.isoformat(), "amount": _money_out(p.amount)} for p in d.payments
        ],
        "cancellation_date": _opt_date_out(d.cancellation_date),
        "cancellation_reason": d.cancellation_reason,
        "name": d.name,
    }


def _snapshot_out(s: StatementSnapshot) -> dict[str, Any]:
    return {
        "month": str(s.month),
        "rep_id": s.rep_id,
        "earnings": _money_out(s.earnings),
        "draw": _money_out(s.draw),
        "balance_before": _money_out(s.balance_before),
        "recovery": _money_out(s.recovery),
        "payout": _money_out(s.payout),
        "balance_after": _money_out(s.balance_after),
        "ytd_earnings": _money_out(s.ytd_earnings),
        "content_hash": s.content_hash,
        "payload": s.payload,  # kept verbatim: the closed statement's canonical JSON
    }


# --------------------------------------------------------------------------- reading


class _JsonNumberText:
    """A JSON number with a fraction or exponent (or NaN/Infinity), kept as its text."""

    __slots__ = ("text",)

    def __init__(self, text: str) -> None:
        self.text = text


class _JsonBigInteger:
    """A JSON integer written with more than MAX_NUMBER_CHARS characters, kept as its text
    (int() of thousands of digits is slow, and refused by Python above 4,300)."""

    __slots__ = ("text",)

    def __init__(self, text: str) -> None:
        self.text = text


def _parse_int(text: str) -> int | _JsonBigInteger:
    return _JsonBigInteger(text) if len(text) > MAX_NUMBER_CHARS else int(text)


def _clip(text: str, limit: int = 40) -> str:
    """A value shown in a message: at most `limit` characters, control characters and
    surrogates escaped (a message is one line)."""
    shown = text if len(text) <= limit else f"{text[:limit]}…"
    return json.dumps(shown, ensure_ascii=False)[1:-1] if not shown.isprintable() else shown


def nesting_depth(text: str) -> int:
    """How deeply a JSON text nests arrays and objects, found without parsing it (the
    parser itself recurses, and fails with RecursionError around a thousand levels)."""
    depth = deepest = 0
    in_string = escaped = False
    for ch in text:
        if in_string:
            if escaped:
                escaped = False
            elif ch == "\\":
                escaped = True
            elif ch == '"':
                in_string = False
        elif ch == '"':
            in_string = True
        elif ch in "[{":
            depth += 1
            if depth > deepest:
                deepest = depth
        elif ch in "]}":
            depth -= 1
    return deepest


class _JsonObject(dict[str, Any]):
    """A JSON object that remembers keys given more than once (json keeps only the last)."""

    duplicates: tuple[str, ...] = ()


def _object_hook(pairs: list[tuple[str, Any]]) -> _JsonObject:
    obj = _JsonObject(pairs)
    if len(obj) != len(pairs):
        seen: set[str] = set()
        dups = []
        for key, _ in pairs:
            if key in seen and key not in dups:
                dups.append(key)
            seen.add(key)
        obj.duplicates = tuple(dups)
    return obj


class _Bad:
    """Returned by a reader after it has recorded a problem."""


_BAD: Any = _Bad()
_REQUIRED: Any = object()
_DECIMAL_RE = re.compile(r"^-?\d+(\.\d+)?$")
_DATE_RE = re.compile(r"^\d{4}-\d{2}-\d{2}$")

Reader = Callable[["_Reader", Any, str], Any]


class _Reader:
    """Collects problems while converting JSON values to domain values."""

    def __init__(self) -> None:
        self.problems: list[Problem] = []

    def bad(self, path: str, message: str) -> Any:
        self.problems.append(Problem(path, f"{path}: {message}" if path else message))
        return _BAD

    def record(
        self, value: Any, path: str, spec: dict[str, tuple[Reader, Any]]
    ) -> dict[str, Any] | None:
        """Read an object whose keys are `spec`'s: each (reader, default or _REQUIRED).

        Returns the converted values, or None when anything in it had a problem.
        """
        if not isinstance(value, dict):
            self.bad(path, f"expected an object, got {_describe(value)}")
            return None
        before = len(self.problems)
        for key in getattr(value, "duplicates", ()):
            self.bad(_join(path, key), "given more than once")
        for key in value:
            if key not in spec:
                self.bad(_join(path, key), "unknown field")
        out: dict[str, Any] = {}
        for key, (reader, default) in spec.items():
            if key in value:
                out[key] = reader(self, value[key], _join(path, key))
            elif default is _REQUIRED:
                self.bad(_join(path, key), "missing")
            else:
                out[key] = default
        return out if len(self.problems) == before else None


def _join(path: str, key: str) -> str:
    return f"{path}.{key}" if path else key


def _describe(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, _JsonNumberText | _JsonBigInteger):
        return f"the number {_clip(value.text)}"
    if isinstance(value, int):
        return f"the number {value}"
    if isinstance(value, str):
        return f"the text {json.dumps(_clip(value, 60), ensure_ascii=False)}"
    if isinstance(value, list):
        return "a list"
    return "an object"


def _text(r: _Reader, value: Any, path: str, limit: int = MAX_TEXT) -> Any:
    if not isinstance(value, str):
        return r.bad(path, f"expected text, got {_describe(value)}")
    if len(value) > limit:
        return r.bad(path, f"the text is {len(value):,} characters long; at most {limit:,}")
    bad = _SURROGATE_RE.search(value)
    if bad is not None:
        code = f"U+{ord(bad.group()):04X}"
        return r.bad(
            path, f"the text holds a lone surrogate ({code}) at character {bad.start() + 1}"
        )
    return value


def _long_text(r: _Reader, value: Any, path: str) -> Any:
    return _text(r, value, path, MAX_PAYLOAD)


def _integer(r: _Reader, value: Any, path: str) -> Any:
    if isinstance(value, _JsonBigInteger) or (
        isinstance(value, int) and not isinstance(value, bool) and abs(value) > MAX_INTEGER
    ):
        return r.bad(path, f"{_describe(value)} is too large (at most {MAX_INTEGER})")
    if isinstance(value, bool) or not isinstance(value, int):
        return r.bad(path, f"expected a whole number, got {_describe(value)}")
    return value


def _record_id(r: _Reader, value: Any, path: str) -> Any:
    number = _integer(r, value, path)
    if number is not _BAD and number < 1:
        return r.bad(path, f"an id must be 1 or more, got {number}")
    if number is not _BAD and number > MAX_ID:
        return r.bad(path, f"an id must be at most {MAX_ID}, got {number}")
    return number


def _boolean(r: _Reader, value: Any, path: str) -> Any:
    if not isinstance(value, bool):
        return r.bad(path, f"expected true or false, got {_describe(value)}")
    return value


def _decimal_text(r: _Reader, value: Any, path: str, what: str, example: str) -> Any:
    """A decimal written as a string ("12.50") or a JSON integer; JSON fractions refused."""
    if isinstance(value, _JsonNumberText):
        return r.bad(
            path,
            f'{what} must be written as a string such as "{example}", not the JSON number '
            f"{_clip(value.text)} (JSON numbers with a fraction are often binary floats)",
        )
    if isinstance(value, _JsonBigInteger):
        return r.bad(path, f"{_describe(value)} is too long for {what}")
    if isinstance(value, int) and not isinstance(value, bool):
        return Decimal(value)
    if not isinstance(value, str):
        return r.bad(
            path, f'expected {what} as a string such as "{example}", got {_describe(value)}'
        )
    if len(value) > MAX_NUMBER_CHARS:
        return r.bad(path, f"'{_clip(value)}' is too long for {what}")
    if not _DECIMAL_RE.match(value):
        return r.bad(path, f"'{_clip(value)}' is not a number (write it like \"{example}\")")
    return Decimal(value)


def _money(r: _Reader, value: Any, path: str) -> Any:
    amount = _decimal_text(r, value, path, "money", "1234.50")
    if amount is _BAD:
        return amount
    if abs(amount) > MAX_AMOUNT:  # first: whole cents of 27 digits overflow Decimal's context
        return r.bad(path, f"{_clip(str(value))} is beyond the largest amount, ±{MAX_AMOUNT:,}")
    if not is_whole_cents(amount):
        return r.bad(path, f"'{_clip(str(value))}' is not a whole number of cents")
    return amount


def _percent(r: _Reader, value: Any, path: str) -> Any:
    pct = _decimal_text(r, value, path, "a percentage", "12.5")
    if pct is not _BAD and abs(pct) > MAX_PERCENT:
        return r.bad(path, f"{_clip(str(value))} is beyond the largest percentage, {MAX_PERCENT:,}")
    return pct


def _day(r: _Reader, value: Any, path: str) -> Any:
    if not isinstance(value, str):
        return r.bad(path, f'expected a date such as "2026-03-31", got {_describe(value)}')
    if _DATE_RE.match(value):
        try:
            return date.fromisoformat(value)
        except ValueError:
            pass
    return r.bad(path, f"'{_clip(value)}' is not a date (expected YYYY-MM-DD, e.g. 2026-03-31)")


def _moment(r: _Reader, value: Any, path: str) -> Any:
    if not isinstance(value, str):
        return r.bad(path, f"expected a date and time, got {_describe(value)}")
    try:
        if len(value) > MAX_NUMBER_CHARS:
            raise ValueError(value)
        return datetime.fromisoformat(value)
    except ValueError:
        return r.bad(path, f"'{_clip(value)}' is not a date and time (e.g. 2026-03-31T17:05:00)")


def _month(r: _Reader, value: Any, path: str) -> Any:
    if not isinstance(value, str):
        return r.bad(path, f'expected a month such as "2026-03", got {_describe(value)}')
    try:
        if value != value.strip():
            raise ValueError(value)
        return Month.parse(value)
    except ValueError:
        return r.bad(path, f"'{_clip(value)}' is not a month (expected YYYY-MM, e.g. 2026-03)")


def _payout_settings(r: _Reader, value: Any, path: str) -> Any:
    if _plain(r, value, path) is _BAD:  # numbers and text checked as everywhere else
        return _BAD
    try:
        return settings_from_json(value)
    except ValueError as e:
        return r.bad(path, str(e).removeprefix("payouts").lstrip(".: ") or str(e))


def _choice(enum: type[StrEnum]) -> Reader:
    values = [e.value for e in enum]

    def read(r: _Reader, value: Any, path: str) -> Any:
        if not isinstance(value, str) or value not in values:  # _describe clips and escapes
            return r.bad(path, f"expected one of {', '.join(values)}, got {_describe(value)}")
        return enum(value)

    return read


def _optional(reader: Reader) -> Reader:
    def read(r: _Reader, value: Any, path: str) -> Any:
        return None if value is None else reader(r, value, path)

    return read


def _list_of(reader: Reader) -> Reader:
    def read(r: _Reader, value: Any, path: str) -> Any:
        if not isinstance(value, list):
            return r.bad(path, f"expected a list, got {_describe(value)}")
        before = len(r.problems)
        items = tuple(reader(r, item, f"{path}[{i}]") for i, item in enumerate(value))
        if len(r.problems) != before:
            return _BAD
        return items

    return read


def _build(cls: type, spec: dict[str, tuple[Reader, Any]]) -> Reader:
    """A reader for a record whose JSON keys are `cls`'s constructor arguments."""

    def read(r: _Reader, value: Any, path: str) -> Any:
        fields = r.record(value, path, spec)
        return _BAD if fields is None else cls(**fields)

    return read


def _base64(r: _Reader, value: Any, path: str) -> Any:
    if not isinstance(value, str):
        return r.bad(path, f"expected base64 text, got {_describe(value)}")
    if len(value) > MAX_LOGO_BYTES * 4 // 3 + 4:
        return r.bad(path, f"the logo is larger than {MAX_LOGO_BYTES:,} bytes")
    try:
        return base64.b64decode(value, validate=True)
    except (binascii.Error, ValueError):
        return r.bad(path, "is not valid base64")


def _saved_mapping(r: _Reader, value: Any, path: str) -> Any:
    """{"key": ..., "mapping": {...}}: a deal-import mapping, kept as canonical JSON."""
    fields = r.record(value, path, {"key": (_text, _REQUIRED), "mapping": (_plain, _REQUIRED)})
    if fields is None:
        return _BAD
    try:
        mapping = ImportMapping.from_json(fields["mapping"])
    except ValueError as e:
        return r.bad(_join(path, "mapping"), str(e))
    return SavedMapping(fields["key"], canonical_mapping(mapping))


def _plain(r: _Reader, value: Any, path: str) -> Any:
    """A JSON value as plain Python (numbers with a fraction are refused)."""
    if isinstance(value, _JsonNumberText | _JsonBigInteger):
        return r.bad(path, f"{_clip(value.text)} is not allowed here")
    if isinstance(value, int) and not isinstance(value, bool):
        return _integer(r, value, path)
    if isinstance(value, str):
        return _text(r, value, path)
    if isinstance(value, dict):
        items = {k: _plain(r, v, _join(path, k)) for k, v in value.items()}
        if any(_text(r, k, _join(path, "(a key)")) is _BAD for k in value):
            return _BAD
        return _BAD if any(v is _BAD for v in items.values()) else items
    if isinstance(value, list):
        elements = [_plain(r, v, f"{path}[{i}]") for i, v in enumerate(value)]
        return _BAD if any(v is _BAD for v in elements) else elements
    return value


def canonical_mapping(mapping: ImportMapping) -> str:
    """A mapping's stored text: its JSON with sorted keys (equal mappings, equal text)."""
    return json.dumps(mapping.to_json(), sort_keys=True, ensure_ascii=False)


_POLICY = _build(
    ClawbackPolicy,
    {"window_days": (_integer, 90), "method": (_choice(ClawbackMethod), ClawbackMethod.FULL)},
)
_COMPANY = _build(
    Company,
    {
        "name": (_text, _REQUIRED),
        "address": (_text, ""),
        "currency": (_text, "USD"),
        "fiscal_year_start": (_integer, 1),
        "clawback_policy": (_POLICY, ClawbackPolicy()),
        "forgive_balance_at_termination": (_boolean, False),
        "deal_types": (_list_of(_text), ()),
        "page_size": (_choice(PageSize), PageSize.LETTER),
        "statement_help_text": (_text, Company("").statement_help_text),
        "logo_png": (_optional(_base64), None),
        "books_start": (_optional(_month), None),
        "payouts": (_payout_settings, PayoutSettings()),
    },
)
_OPENING = _build(
    OpeningBalance,
    {
        "rep_id": (_record_id, _REQUIRED),
        "balance_owed": (_money, Decimal("0.00")),
        "ytd_earnings": (_money, Decimal("0.00")),
        "counted": (_money, Decimal("0.00")),
        "bonuses_paid": (_list_of(_percent), ()),
    },
)
_ROLE = _build(
    Role,
    {
        "id": (_record_id, _REQUIRED),
        "name": (_text, _REQUIRED),
        "default_plan_id": (_optional(_record_id), None),
    },
)
_REP = _build(
    Rep,
    {
        "id": (_record_id, _REQUIRED),
        "name": (_text, _REQUIRED),
        "hire_date": (_day, _REQUIRED),
        "email": (_text, ""),
        "payroll_id": (_text, ""),
        "role_id": (_optional(_record_id), None),
        "manager_id": (_optional(_record_id), None),
        "termination_date": (_optional(_day), None),
        "aliases": (_list_of(_text), ()),  # version 3
    },
)
_VERSION = _build(
    PlanVersion,
    {
        "id": (_record_id, _REQUIRED),
        "effective_from": (_day, _REQUIRED),
        "tiers": (
            _list_of(
                _build(Tier, {"from_pct": (_percent, _REQUIRED), "rate_pct": (_percent, _REQUIRED)})
            ),
            _REQUIRED,
        ),
        "quota_period": (_choice(QuotaPeriod), QuotaPeriod.MONTH),
        "quota": (_optional(_money), None),
        "tier_mode": (_choice(TierMode), TierMode.MARGINAL),
        "cap": (_optional(_money), None),
        "multipliers": (
            _list_of(
                _build(
                    DealTypeMultiplier,
                    {"deal_type": (_text, _REQUIRED), "multiplier_pct": (_percent, _REQUIRED)},
                )
            ),
            (),
        ),
        "bonuses": (
            _list_of(
                _build(
                    AttainmentBonus,
                    {"threshold_pct": (_percent, _REQUIRED), "amount": (_money, _REQUIRED)},
                )
            ),
            (),
        ),
        "spifs": (
            _list_of(
                _build(
                    Spif,
                    {
                        "name": (_text, _REQUIRED),
                        "amount": (_money, _REQUIRED),
                        "start": (_day, _REQUIRED),
                        "end": (_day, _REQUIRED),
                        "min_deal_amount": (_money, Decimal("0.00")),
                        "deal_types": (_list_of(_text), ()),
                    },
                )
            ),
            (),
        ),
        "override_rate_pct": (_optional(_percent), None),
        "override_scope": (_choice(OverrideScope), OverrideScope.DIRECT),
        "payout_trigger": (_choice(PayoutTrigger), PayoutTrigger.BOOKING),
        "clawback_policy": (_optional(_POLICY), None),
    },
)
_PLAN = _build(
    Plan,
    {
        "id": (_record_id, _REQUIRED),
        "name": (_text, _REQUIRED),
        "versions": (_list_of(_VERSION), ()),
    },
)
_DRAW = _build(
    Draw,
    {
        "amount": (_money, _REQUIRED),
        "kind": (_choice(DrawKind), _REQUIRED),
        "start_month": (_month, _REQUIRED),
        "end_month": (_optional(_month), None),
        "max_recovery_pct": (_percent, Decimal(100)),
    },
)
_ASSIGNMENT = _build(
    Assignment,
    {
        "id": (_record_id, _REQUIRED),
        "rep_id": (_record_id, _REQUIRED),
        "plan_id": (_record_id, _REQUIRED),
        "effective_from": (_day, _REQUIRED),
        "effective_to": (_optional(_day), None),
        "quota_override": (_optional(_money), None),
        "draw": (_optional(_DRAW), None),
    },
)
_DEAL = _build(
    Deal,
    {
        "id": (_record_id, _REQUIRED),
        "external_id": (_text, _REQUIRED),
        "customer": (_text, _REQUIRED),
        "amount": (_money, _REQUIRED),
        "close_date": (_day, _REQUIRED),
        "deal_type": (_text, "new"),
        "credits": (
            _list_of(
                _build(
                    Credit, {"rep_id": (_record_id, _REQUIRED), "split_pct": (_percent, _REQUIRED)}
                )
            ),
            (),
        ),
        "payments": (
            _list_of(_build(Payment, {"date": (_day, _REQUIRED), "amount": (_money, _REQUIRED)})),
            (),
        ),
        "cancellation_date": (_optional(_day), None),
        "cancellation_reason": (_text, ""),
        "name": (_text, ""),  # version 3
    },
)
_ADJUSTMENT = _build(
    Adjustment,
    {
        "id": (_record_id, _REQUIRED),
        "rep_id": (_record_id, _REQUIRED),
        "month": (_month, _REQUIRED),
        "amount": (_money, _REQUIRED),
        "reason": (_text, _REQUIRED),
        "external_id": (_text, ""),  # version 3
    },
)
_PERIOD = _build(
    Period,
    {
        "month": (_month, _REQUIRED),
        "status": (_choice(PeriodStatus), PeriodStatus.OPEN),
        "closed_at": (_optional(_moment), None),
    },
)
_SNAPSHOT = _build(
    StatementSnapshot,
    {
        "month": (_month, _REQUIRED),
        "rep_id": (_record_id, _REQUIRED),
        "earnings": (_money, _REQUIRED),
        "draw": (_money, _REQUIRED),
        "balance_before": (_money, _REQUIRED),
        "recovery": (_money, _REQUIRED),
        "payout": (_money, _REQUIRED),
        "balance_after": (_money, _REQUIRED),
        "ytd_earnings": (_money, _REQUIRED),
        "content_hash": (_text, _REQUIRED),
        "payload": (_long_text, _REQUIRED),
    },
)
_AUDIT = _build(
    AuditEntry,
    {
        "id": (_record_id, _REQUIRED),
        "at": (_moment, _REQUIRED),
        "action": (_text, _REQUIRED),
        "entity": (_text, _REQUIRED),
        "entity_id": (_text, _REQUIRED),
        "field": (_text, ""),
        "old": (_text, ""),
        "new": (_text, ""),
        # Added within version 2 (schema 0007): documents written before it have none.
        "user": (_text, ""),
    },
)
_DOCUMENT: dict[str, tuple[Reader, Any]] = {
    "format": (_text, _REQUIRED),
    "version": (_integer, _REQUIRED),
    "company": (_COMPANY, _REQUIRED),
    "roles": (_list_of(_ROLE), ()),
    "reps": (_list_of(_REP), ()),
    "plans": (_list_of(_PLAN), ()),
    "assignments": (_list_of(_ASSIGNMENT), ()),
    "deals": (_list_of(_DEAL), ()),
    "adjustments": (_list_of(_ADJUSTMENT), ()),
    "periods": (_list_of(_PERIOD), ()),
    "snapshots": (_list_of(_SNAPSHOT), ()),
    "audit": (_list_of(_AUDIT), ()),
    "opening_balances": (_list_of(_OPENING), ()),
    "import_mappings": (_list_of(_saved_mapping), ()),  # version 3
}


def company_from_json(text: str) -> CompanyData:
    """Read a company document; raise `ValidationError` listing every problem with its path."""
    depth = nesting_depth(text)
    if depth > MAX_DEPTH:
        raise ValidationError(
            [
                Problem(
                    "",
                    f"Not an ICMDesk company document: it nests {depth:,} levels deep "
                    f"(at most {MAX_DEPTH}).",
                )
            ]
        )
    try:
        doc = json.loads(
            text,
            object_pairs_hook=_object_hook,
            parse_float=_JsonNumberText,
            parse_int=_parse_int,
            parse_constant=_JsonNumberText,
        )
    except (json.JSONDecodeError, RecursionError) as e:
        if isinstance(e, RecursionError):
            raise ValidationError(
                [Problem("", "Not an ICMDesk company document: it nests too deeply.")]
            ) from None
        raise ValidationError(
            [
                Problem(
                    "", f"Not a valid JSON document: {e.msg} at line {e.lineno}, column {e.colno}."
                )
            ]
        ) from None
    r = _Reader()
    if not isinstance(doc, dict):
        r.bad("", f"Not an ICMDesk company document: expected an object, got {_describe(doc)}.")
        raise ValidationError(r.problems)
    # A document of another kind or version would give a flood of irrelevant problems.
    if doc.get("format") != FORMAT:
        r.bad("format", f'expected "{FORMAT}", got {_describe(doc.get("format"))}')
        raise ValidationError(r.problems)
    version = doc.get("version")
    if version not in _READS or isinstance(version, bool):
        newer = isinstance(version, int) and not isinstance(version, bool) and version > VERSION
        hint = " (made by a newer ICMDesk; update to import it)" if newer else ""
        r.bad("version", f"version {_describe(version)} is not supported{hint}; expected {VERSION}")
        raise ValidationError(r.problems)
    fields = r.record(doc, "", _DOCUMENT)
    if fields is None:
        raise ValidationError(r.problems)
    del fields["format"], fields["version"]
    data = CompanyData(**fields)
    _check_ids_and_references(r, data)
    if r.problems:
        raise ValidationError(r.problems)
    return data


def _check_ids_and_references(r: _Reader, data: CompanyData) -> None:
    """Ids unique per kind of record; every id a record refers to exists."""

    def unique(path: str, ids: Iterable[Any], what: str) -> set[Any]:
        seen: set[Any] = set()
        for i, key in enumerate(ids):
            if key in seen:
                r.bad(f"{path}[{i}]", f"{what} {_key_text(key)} is used more than once")
            seen.add(key)
        return seen

    role_ids = unique("roles", (x.id for x in data.roles), "role id")
    rep_ids = unique("reps", (x.id for x in data.reps), "rep id")
    plan_ids = unique("plans", (x.id for x in data.plans), "plan id")
    unique("assignments", (x.id for x in data.assignments), "assignment id")
    unique("deals", (x.id for x in data.deals), "deal id")
    unique("adjustments", (x.id for x in data.adjustments), "adjustment id")
    unique("periods", (x.month for x in data.periods), "month")
    unique("snapshots", ((x.month, x.rep_id) for x in data.snapshots), "statement")
    unique("audit", (x.id for x in data.audit), "audit entry id")
    seen_versions: set[int] = set()
    for p_i, plan in enumerate(data.plans):
        for v_i, version in enumerate(plan.versions):
            if version.id in seen_versions:
                r.bad(
                    f"plans[{p_i}].versions[{v_i}].id",
                    f"version id {version.id} is used more than once",
                )
            seen_versions.add(version.id)

    def ref(path: str, key: int | None, known: set[Any], what: str) -> None:
        if key is not None and key not in known:
            r.bad(path, f"there is no {what} with id {key}")

    for i, role in enumerate(data.roles):
        ref(f"roles[{i}].default_plan_id", role.default_plan_id, plan_ids, "plan")
    for i, rep in enumerate(data.reps):
        ref(f"reps[{i}].role_id", rep.role_id, role_ids, "role")
        ref(f"reps[{i}].manager_id", rep.manager_id, rep_ids, "rep")
    for i, a in enumerate(data.assignments):
        ref(f"assignments[{i}].rep_id", a.rep_id, rep_ids, "rep")
        ref(f"assignments[{i}].plan_id", a.plan_id, plan_ids, "plan")
    for i, deal in enumerate(data.deals):
        for c_i, credit in enumerate(deal.credits):
            ref(f"deals[{i}].credits[{c_i}].rep_id", credit.rep_id, rep_ids, "rep")
    for i, adj in enumerate(data.adjustments):
        ref(f"adjustments[{i}].rep_id", adj.rep_id, rep_ids, "rep")
    for i, snap in enumerate(data.snapshots):
        ref(f"snapshots[{i}].rep_id", snap.rep_id, rep_ids, "rep")
    unique("opening_balances", (x.rep_id for x in data.opening_balances), "opening balance of rep")
    for i, ob in enumerate(data.opening_balances):
        ref(f"opening_balances[{i}].rep_id", ob.rep_id, rep_ids, "rep")


def _key_text(key: Any) -> str:
    if isinstance(key, tuple):
        return f"for {key[0]} and rep {key[1]}"
    return str(key)
