"""Form-level and cross-entity validation: every problem at once, in words a person understands.

Services call the `validate_*` function of an entity before writing it, passing the
rest of the company as `data` (the stored version of the record being edited may be
in `data`; records are matched by id, and `NEW` never matches). Each function returns
a list of `Problem`s, empty when the input is fine; it never raises on bad input.
`Problem.field` names the input field ("termination_date", "credits[1].split_pct",
"versions[0].tiers[2].from_pct"), or "" for the record as a whole.

`validate_company` checks a whole company (for `icmdesk check` and imports): every
record, plus the invariants between records, each message prefixed with the record
it concerns ("Rep 'Ana Lee': ...", "Deal D-1042: ...").
"""

from __future__ import annotations

import dataclasses
import re
from collections import defaultdict
from collections.abc import Iterable
from datetime import date, timedelta
from decimal import Decimal

from icmdesk.domain.calendar import Month, quota_period_start
from icmdesk.domain.currencies import CURRENCIES
from icmdesk.domain.engine.context import draw_months
from icmdesk.domain.entities import (
    NEW,
    Adjustment,
    Assignment,
    ClawbackPolicy,
    Company,
    CompanyData,
    Deal,
    Draw,
    OpeningBalance,
    PayoutSettings,
    PeriodStatus,
    Plan,
    PlanVersion,
    Rep,
    Role,
)
from icmdesk.domain.errors import Problem
from icmdesk.domain.imports.profiles import normal
from icmdesk.domain.money import HUNDRED, is_whole_cents

__all__ = [
    "validate_adjustment",
    "validate_assignment",
    "validate_company",
    "validate_company_settings",
    "validate_deal",
    "validate_opening_balance",
    "validate_plan",
    "validate_rep",
    "validate_role",
    "validate_split_total",
]

_CURRENCY_RE = re.compile(r"^[A-Z]{3}$")
# Deliberately loose: one "@", no spaces, a dot in the domain. Mail servers decide the rest.
_EMAIL_RE = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s.]+$")
_SYMBOLS = {"USD": "$", "EUR": "€", "GBP": "£"}
_PNG_MAGIC = b"\x89PNG\r\n\x1a\n"


# --------------------------------------------------------------------------- helpers


def _blank(text: object) -> bool:
    return not isinstance(text, str) or not text.strip()


# The longest text each field takes: a paste of a whole document into a name is refused
# with its length, never cut short without a word.
MAX_LENGTH = {
    "name": 200,
    "address": 2000,
    "email": 200,
    "payroll_id": 50,
    "external_id": 100,
    "customer": 200,
    "reason": 2000,
    "help_text": 5000,
}


def _too_long(text: object, field: str, what: str, limit_key: str | None = None) -> list[Problem]:
    limit = MAX_LENGTH[limit_key or field]
    if isinstance(text, str) and len(text) > limit:
        return [
            Problem(
                field,
                f"{what} is {len(text):,} characters long; at most {limit:,} are kept on "
                "statements and in the file.",
            )
        ]
    return []


# The largest amount anywhere (the deal importer's too): a trillion either way, so that cents
# fit SQLite's 64-bit integers with room for sums of millions of them
# (docs/company-format.md). A percentage is at most a million (a rate, a split, a
# threshold of attainment); an id fits SQLite's integer.
MAX_AMOUNT = Decimal(10) ** 12
MAX_PERCENT = Decimal(10) ** 6
MAX_ID = 2**63 - 1
# Text may hold tabs and line breaks (an address, a reason), never NUL or another control
# character: it would print as nothing, or cut a line in an export or a statement.
_CONTROL_RE = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def _finite(value: object) -> bool:
    return isinstance(value, Decimal) and value.is_finite()


def _money(amount: Decimal, currency: str = "USD") -> str:
    """An amount for people: '$1,234.50' or '1,234.50 CHF' (formatted as Decimal, never float)."""
    text = format(amount, ",.2f") if amount.is_finite() else str(amount)
    symbol = _SYMBOLS.get(currency)
    if symbol is None:
        return f"{text} {currency}"
    return f"-{symbol}{text[1:]}" if text.startswith("-") else f"{symbol}{text}"


def _pct(value: Decimal) -> str:
    """A percentage for people: '60%', '12.5%'."""
    if not value.is_finite():
        return f"{value}%"
    text = format(value, "f")
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return f"{text}%"


def _is_other(other_id: int, own_id: int) -> bool:
    """True when a stored record is a different record from the one being validated."""
    return own_id == NEW or other_id != own_id


def _overlaps(a_from: date, a_to: date | None, b_from: date, b_to: date | None) -> bool:
    """Two inclusive date ranges (None: open-ended) share at least one day."""
    return (a_to is None or b_from <= a_to) and (b_to is None or a_from <= b_to)


def _version_spans(plan: Plan) -> list[tuple[PlanVersion, date, date | None]]:
    """Each version with the days it is in force: from its date to the day before the next."""
    ordered = sorted(plan.versions, key=lambda v: v.effective_from)
    spans: list[tuple[PlanVersion, date, date | None]] = []
    for i, v in enumerate(ordered):
        nxt = ordered[i + 1].effective_from if i + 1 < len(ordered) else None
        end = None if nxt is None else nxt - timedelta(days=1)
        spans.append((v, v.effective_from, end))
    return spans


def _positive(value: Decimal | None) -> bool:
    return value is not None and _finite(value) and value > 0


class _Index:
    """Lookups over a company, built once per validation run (a company may hold many deals)."""

    def __init__(self, data: CompanyData) -> None:
        self.data = data
        self.currency = data.company.currency
        self.roles = {r.id: r for r in data.roles}
        self.reps = {r.id: r for r in data.reps}
        self.plans = {p.id: p for p in data.plans}
        self.assignments_by_rep: dict[int, list[Assignment]] = defaultdict(list)
        for a in data.assignments:
            self.assignments_by_rep[a.rep_id].append(a)
        self.deal_ids_by_external: dict[str, list[int]] = defaultdict(list)
        self.deal_positions_by_external: dict[str, list[int]] = defaultdict(list)
        for i, d in enumerate(data.deals):
            self.deal_ids_by_external[d.external_id.strip()].append(d.id)
            self.deal_positions_by_external[d.external_id.strip()].append(i)
        self._deals_by_rep: dict[int, list[Deal]] | None = None

    def before_books(self, day: date) -> bool:
        """Whether a day falls before the books start: what is dated then earns nothing."""
        start = self.data.company.books_start
        return start is not None and day < start.first_day

    def deals_crediting(self, rep_id: int) -> list[Deal]:
        if self._deals_by_rep is None:
            self._deals_by_rep = defaultdict(list)
            for d in self.data.deals:
                for rid in {c.rep_id for c in d.credits}:
                    self._deals_by_rep[rid].append(d)
        return self._deals_by_rep.get(rep_id, [])

    def rep_name(self, rep_id: int | None) -> str:
        rep = self.reps.get(rep_id) if rep_id is not None else None
        return rep.name if rep is not None else f"rep #{rep_id}"

    def plan_name(self, plan_id: int) -> str:
        plan = self.plans.get(plan_id)
        return plan.name if plan is not None else f"plan #{plan_id}"


def _policy_problems(policy: ClawbackPolicy, field: str) -> list[Problem]:
    if not isinstance(policy.window_days, int) or policy.window_days < 0:
        return [
            Problem(
                f"{field}.window_days",
                f"The clawback window must be 0 days or more (got {policy.window_days}).",
            )
        ]
    return []


def _amount_problems(
    amount: object, field: str, what: str, currency: str, *, allow_zero: bool = False
) -> list[Problem]:
    """A money amount must be a finite, whole number of cents, positive (or zero if allowed)."""
    if not _finite(amount):
        return [Problem(field, f"{what} must be a number (got {amount!r}).")]
    assert isinstance(amount, Decimal)
    if not is_whole_cents(amount):
        return [Problem(field, f"{what} must be a whole number of cents (got {amount}).")]
    if amount < 0 or (amount == 0 and not allow_zero):
        bound = "0 or more" if allow_zero else "more than 0"
        return [Problem(field, f"{what} must be {bound} (got {_money(amount, currency)}).")]
    if amount > MAX_AMOUNT:
        return [Problem(field, f"{what} must be at most {_money(MAX_AMOUNT, currency)}.")]
    return []


def _pct_problems(value: object, field: str, what: str, *, positive: bool = False) -> list[Problem]:
    if not _finite(value):
        return [Problem(field, f"{what} must be a number (got {value!r}).")]
    assert isinstance(value, Decimal)
    if value < 0 or (positive and value == 0):
        bound = "more than 0%" if positive else "0% or more"
        return [Problem(field, f"{what} must be {bound} (got {_pct(value)}).")]
    if value > MAX_PERCENT:
        return [Problem(field, f"{what} must be at most {_pct(MAX_PERCENT)}.")]
    return []


# --------------------------------------------------------------------------- company


def _payout_problems(settings: PayoutSettings) -> list[Problem]:
    """The payout settings: a pay day of the month, a few months after at most, short
    earnings codes (ADP takes one or two characters) and account names."""
    problems: list[Problem] = []
    if not 1 <= settings.pay_day <= 31:
        problems.append(Problem("payouts.pay_day", "The pay day is a day of the month, 1 to 31."))
    if not 0 <= settings.pay_months_after <= 3:
        problems.append(
            Problem("payouts.pay_months_after", "Payouts are paid 0 to 3 months after the month.")
        )
    for name, what, limit in (
        ("adp_company_code", "The ADP company code", 3),
        ("adp_batch_id", "The ADP batch id", 25),
        ("commission_code", "The commission earnings code", 3),
        ("bonus_code", "The bonus earnings code", 3),
        ("draw_code", "The draw earnings code", 3),
        ("expense_account", "The commission expense account", 100),
        ("payable_account", "The commissions payable account", 100),
        ("draw_account", "The draws account", 100),
        ("xero_tax_rate", "The Xero tax rate", 100),
    ):
        value = getattr(settings, name)
        if len(value) > limit:
            problems.append(Problem(f"payouts.{name}", f"{what} is at most {limit} characters."))
        elif name not in ("adp_company_code", "adp_batch_id") and not value.strip():
            problems.append(Problem(f"payouts.{name}", f"{what} cannot be blank."))
    return problems


def validate_company_settings(company: Company) -> list[Problem]:
    """Problems with the company's own settings (name, currency, fiscal year, clawback, ...)."""
    problems: list[Problem] = []
    if _blank(company.name):
        problems.append(Problem("name", "The company needs a name."))
    problems += _too_long(company.name, "name", "The name")
    problems += _too_long(company.address, "address", "The address")
    problems += _too_long(
        company.statement_help_text, "statement_help_text", "The help text", "help_text"
    )
    if not isinstance(company.currency, str) or not _CURRENCY_RE.match(company.currency):
        problems.append(
            Problem(
                "currency",
                f"The currency must be a 3-letter ISO 4217 code such as USD or EUR "
                f"(got {company.currency!r}).",
            )
        )
    elif company.currency not in CURRENCIES:
        problems.append(
            Problem(
                "currency",
                f"{company.currency} is not the ISO 4217 code of a currency in use "
                "(for example USD, EUR, GBP, CHF or CAD).",
            )
        )
    fys = company.fiscal_year_start
    if isinstance(fys, bool) or not isinstance(fys, int) or not 1 <= fys <= 12:
        problems.append(
            Problem(
                "fiscal_year_start",
                f"The fiscal year must start in a month from 1 (January) to 12 (December) "
                f"(got {fys!r}).",
            )
        )
    problems += _policy_problems(company.clawback_policy, "clawback_policy")
    seen: set[str] = set()
    for i, deal_type in enumerate(company.deal_types):
        field = f"deal_types[{i}]"
        if _blank(deal_type):
            problems.append(Problem(field, "A deal type needs a name."))
        elif deal_type != deal_type.strip() or deal_type.lower() != deal_type:
            problems.append(
                Problem(
                    field,
                    f"Deal type {deal_type!r} must be lower case without surrounding spaces.",
                )
            )
        elif deal_type in seen:
            problems.append(Problem(field, f"Deal type {deal_type!r} is listed twice."))
        seen.add(deal_type)
    if company.logo_png is not None and not company.logo_png.startswith(_PNG_MAGIC):
        problems.append(Problem("logo_png", "The logo must be a PNG image."))
    problems += _payout_problems(company.payouts)
    return problems


# --------------------------------------------------------------------------- roles


def validate_role(role: Role, data: CompanyData) -> list[Problem]:
    """Problems with a role: a unique name, and a default plan that exists."""
    return _role_problems(role, _Index(data))


def _role_problems(role: Role, idx: _Index) -> list[Problem]:
    problems: list[Problem] = []
    problems += _too_long(role.name, "name", "The name")
    if _blank(role.name):
        problems.append(Problem("name", "The role needs a name."))
    else:
        key = role.name.strip().casefold()
        if any(
            _is_other(r.id, role.id) and r.name.strip().casefold() == key for r in idx.data.roles
        ):
            problems.append(Problem("name", f"A role named '{role.name.strip()}' already exists."))
    if role.default_plan_id is not None and role.default_plan_id not in idx.plans:
        problems.append(
            Problem("default_plan_id", f"The default plan #{role.default_plan_id} does not exist.")
        )
    return problems


# --------------------------------------------------------------------------- reps


def validate_rep(rep: Rep, data: CompanyData) -> list[Problem]:
    """Problems with a rep: name, email, payroll id, role, manager (no loops) and dates.

    Also reports deals credited to the rep that the new hire/termination dates would
    leave outside the rep's employment.
    """
    return _rep_problems(rep, _Index(data), in_company=False)


def _rep_problems(rep: Rep, idx: _Index, *, in_company: bool) -> list[Problem]:
    """`in_company`: part of a whole-company check, where a problem between several reps
    (a shared payroll id, a manager loop) is said once, not once per rep involved, and
    the deals are checked on their own."""
    problems: list[Problem] = []
    problems += _too_long(rep.name, "name", "The name")
    problems += _too_long(rep.email, "email", "The email address")
    problems += _too_long(rep.payroll_id, "payroll_id", "The payroll id")
    if _blank(rep.name):
        problems.append(Problem("name", "The rep needs a name."))
    if rep.email and not _EMAIL_RE.match(rep.email.strip()):
        problems.append(Problem("email", f"'{rep.email}' does not look like an email address."))
    if rep.payroll_id.strip():
        key = rep.payroll_id.strip()
        others = idx.data.reps
        if in_company:  # said by the later of the two reps only
            others = others[: next(i for i, r in enumerate(others) if r is rep)]
        for other in others:
            if _is_other(other.id, rep.id) and other.payroll_id.strip() == key:
                problems.append(
                    Problem(
                        "payroll_id",
                        f"Payroll id {key} is already used by {other.name}.",
                    )
                )
                break
    if rep.role_id is not None and rep.role_id not in idx.roles:
        problems.append(Problem("role_id", f"The role #{rep.role_id} does not exist."))
    problems += _alias_problems(rep, idx, in_company=in_company)
    problems += _manager_problems(rep, idx, in_company=in_company)
    if rep.termination_date is not None and rep.termination_date < rep.hire_date:
        problems.append(
            Problem(
                "termination_date",
                f"The termination date {rep.termination_date.isoformat()} is before the "
                f"hire date {rep.hire_date.isoformat()}.",
            )
        )
    if not in_company and rep.id != NEW:
        late = [
            d.external_id
            for d in idx.deals_crediting(rep.id)
            if rep.termination_date is not None
            and d.close_date > rep.termination_date
            and not idx.before_books(d.close_date)
        ]
        if late:
            problems.append(
                Problem(
                    "termination_date",
                    f"{_count(late, 'deal')} credited to {rep.name} close after the "
                    f"termination date {rep.termination_date}: {_some(late)}.",
                )
            )
    return problems


def _alias_problems(rep: Rep, idx: _Index, *, in_company: bool) -> list[Problem]:
    """An alias names one rep: not blank, not twice, and no other rep's name, email or
    alias (an import would not know whom to credit)."""
    problems: list[Problem] = []
    seen: set[str] = set()
    others = idx.data.reps
    if in_company:  # a clash between two reps is said by the later one only
        others = others[: next(i for i, r in enumerate(others) if r is rep)]
    taken = {
        normal(name): other.name
        for other in others
        if _is_other(other.id, rep.id)
        for name in (other.name, other.email, *other.aliases)
        if name.strip()
    }
    for alias in rep.aliases:
        problems += _too_long(alias, "aliases", "An alias", "name")
        key = normal(alias)
        if not key:
            problems.append(Problem("aliases", "An alias cannot be blank."))
        elif key in seen:
            problems.append(Problem("aliases", f"The alias '{alias}' is given twice."))
        elif key in taken:
            problems.append(
                Problem("aliases", f"'{alias}' already names {taken[key]}: an alias names one rep.")
            )
        seen.add(key)
    return problems


def _manager_problems(rep: Rep, idx: _Index, *, in_company: bool) -> list[Problem]:
    if rep.manager_id is None:
        return []
    if rep.id != NEW and rep.manager_id == rep.id:
        return [Problem("manager_id", f"{rep.name} cannot be their own manager.")]
    if rep.manager_id not in idx.reps:
        return [Problem("manager_id", f"The manager (rep #{rep.manager_id}) does not exist.")]
    if rep.id == NEW:
        return []  # nobody reports to a rep not stored yet, so no loop can pass through it
    manager_of = {r.id: r.manager_id for r in idx.data.reps}
    manager_of[rep.id] = rep.manager_id  # the edit being validated
    chain = [rep.id]
    current: int | None = rep.manager_id
    while current is not None and current not in chain:
        chain.append(current)
        current = manager_of.get(current)
    if current == rep.id and not (in_company and rep.id != min(chain)):
        # A whole-company check names a loop once, at the rep of the lowest id in it.
        names = " → ".join(rep.name if i == rep.id else idx.rep_name(i) for i in [*chain, rep.id])
        return [
            Problem(
                "manager_id",
                f"{rep.name} cannot report to {idx.rep_name(rep.manager_id)}: "
                f"the managers would form a loop ({names}).",
            )
        ]
    return []


def _count(items: list[str], noun: str) -> str:
    return f"1 {noun}" if len(items) == 1 else f"{len(items)} {noun}s"


def _some(items: list[str], limit: int = 5) -> str:
    shown = ", ".join(items[:limit])
    return shown if len(items) <= limit else f"{shown} and {len(items) - limit} more"


# --------------------------------------------------------------------------- plans


def validate_plan(plan: Plan, data: CompanyData) -> list[Problem]:
    """Problems with a plan and each of its versions (tiers, quota, cap, bonuses, SPIFs, ...)."""
    return _plan_problems(plan, _Index(data))


def _plan_problems(plan: Plan, idx: _Index) -> list[Problem]:
    problems: list[Problem] = []
    problems += _too_long(plan.name, "name", "The name")
    if _blank(plan.name):
        problems.append(Problem("name", "The plan needs a name."))
    else:
        key = plan.name.strip().casefold()
        if any(
            _is_other(p.id, plan.id) and p.name.strip().casefold() == key for p in idx.data.plans
        ):
            problems.append(Problem("name", f"A plan named '{plan.name.strip()}' already exists."))
    if not plan.versions:
        problems.append(Problem("versions", "The plan needs at least one version."))
    seen: dict[date, int] = {}
    for i, v in enumerate(plan.versions):
        if v.effective_from in seen:
            problems.append(
                Problem(
                    f"versions[{i}].effective_from",
                    f"Versions {seen[v.effective_from] + 1} and {i + 1} are both effective from "
                    f"{v.effective_from}; each version needs its own date.",
                )
            )
        else:
            seen[v.effective_from] = i
        if i > 0 and v.effective_from < plan.versions[i - 1].effective_from:
            problems.append(
                Problem(
                    f"versions[{i}].effective_from",
                    "The versions must be listed in order of their effective dates.",
                )
            )
        problems += _version_problems(v, f"versions[{i}]", idx)
    problems += _plan_quota_problems(plan, idx)
    return problems


def _version_problems(v: PlanVersion, prefix: str, idx: _Index) -> list[Problem]:
    problems: list[Problem] = []
    cur = idx.currency
    known_types = idx.data.company.all_deal_types
    if not v.tiers:
        problems.append(Problem(f"{prefix}.tiers", "The rate table needs at least one tier."))
    previous: Decimal | None = None
    for t_i, tier in enumerate(v.tiers):
        field = f"{prefix}.tiers[{t_i}]"
        if not _finite(tier.from_pct):
            problems.append(Problem(f"{field}.from_pct", "A tier's start must be a number."))
        elif t_i == 0 and tier.from_pct != 0:
            problems.append(
                Problem(
                    f"{field}.from_pct",
                    f"The first tier must start at 0% of quota (got {_pct(tier.from_pct)}).",
                )
            )
        elif previous is not None and tier.from_pct <= previous:
            problems.append(
                Problem(
                    f"{field}.from_pct",
                    f"Tier {t_i + 1} starts at {_pct(tier.from_pct)}, which must be above the "
                    f"start of tier {t_i} ({_pct(previous)}).",
                )
            )
        if _finite(tier.from_pct):
            previous = tier.from_pct if previous is None else max(previous, tier.from_pct)
        problems += _pct_problems(tier.rate_pct, f"{field}.rate_pct", f"Tier {t_i + 1}'s rate")
    if v.quota is not None:
        problems += _amount_problems(v.quota, f"{prefix}.quota", "The quota", cur)
    if v.cap is not None:
        problems += _amount_problems(v.cap, f"{prefix}.cap", "The cap", cur)
    seen_types: set[str] = set()
    for m_i, m in enumerate(v.multipliers):
        field = f"{prefix}.multipliers[{m_i}]"
        if m.deal_type not in known_types:
            problems.append(Problem(f"{field}.deal_type", _unknown_type(m.deal_type, known_types)))
        elif m.deal_type in seen_types:
            problems.append(
                Problem(
                    f"{field}.deal_type",
                    f"Deal type '{m.deal_type}' has more than one multiplier.",
                )
            )
        seen_types.add(m.deal_type)
        problems += _pct_problems(
            m.multiplier_pct, f"{field}.multiplier_pct", f"The '{m.deal_type}' multiplier"
        )
    for b_i, b in enumerate(v.bonuses):
        field = f"{prefix}.bonuses[{b_i}]"
        problems += _pct_problems(
            b.threshold_pct, f"{field}.threshold_pct", "A bonus threshold", positive=True
        )
        problems += _amount_problems(b.amount, f"{field}.amount", "A bonus amount", cur)
    for s_i, s in enumerate(v.spifs):
        field = f"{prefix}.spifs[{s_i}]"
        label = f"SPIF '{s.name.strip()}'" if not _blank(s.name) else f"SPIF {s_i + 1}"
        if _blank(s.name):
            problems.append(Problem(f"{field}.name", "A SPIF needs a name."))
        problems += _amount_problems(s.amount, f"{field}.amount", f"{label}'s amount", cur)
        problems += _amount_problems(
            s.min_deal_amount,
            f"{field}.min_deal_amount",
            f"{label}'s minimum deal amount",
            cur,
            allow_zero=True,
        )
        if s.end < s.start:
            problems.append(
                Problem(
                    f"{field}.end",
                    f"{label} ends on {s.end}, before it starts on {s.start}.",
                )
            )
        for t_i, deal_type in enumerate(s.deal_types):
            if deal_type not in known_types:
                problems.append(
                    Problem(f"{field}.deal_types[{t_i}]", _unknown_type(deal_type, known_types))
                )
    if v.override_rate_pct is not None:
        problems += _pct_problems(
            v.override_rate_pct, f"{prefix}.override_rate_pct", "The override rate"
        )
    if v.clawback_policy is not None:
        problems += _policy_problems(v.clawback_policy, f"{prefix}.clawback_policy")
    return problems


def _unknown_type(deal_type: str, known: Iterable[str]) -> str:
    return f"'{deal_type}' is not a known deal type (known: {', '.join(known)})."


def _needs_quota_reason(v: PlanVersion) -> str:
    if len(v.tiers) > 1:
        return f"has {len(v.tiers)} tiers"
    return "has an attainment bonus"


def _plan_quota_problems(plan: Plan, idx: _Index) -> list[Problem]:
    """A tiered or bonus version without a quota of its own needs an override on every user."""
    if plan.id == NEW:
        return []
    problems: list[Problem] = []
    users = [a for a in idx.data.assignments if a.plan_id == plan.id]
    for v, start, end in _version_spans(plan):
        if not v.needs_quota or _positive(v.quota):
            continue
        missing = [
            idx.rep_name(a.rep_id)
            for a in users
            if _overlaps(a.effective_from, a.effective_to, start, end)
            and not _positive(a.quota_override)
        ]
        if missing:
            i = plan.versions.index(v)
            problems.append(
                Problem(
                    f"versions[{i}].quota",
                    f"The version from {v.effective_from} {_needs_quota_reason(v)}, so it needs "
                    f"a quota: set one on the version, or a quota override on every assignment "
                    f"that uses it (missing for {_some(missing)}).",
                )
            )
    return problems


# --------------------------------------------------------------------------- assignments


def validate_assignment(a: Assignment, data: CompanyData) -> list[Problem]:
    """Problems with a plan assignment: dates, overlaps, quota override and draw.

    Also reports deals credited to the rep that the change would leave without an
    assignment on their close date.
    """
    return _assignment_problems(a, _Index(data), in_company=False)


def _assignment_problems(a: Assignment, idx: _Index, *, in_company: bool) -> list[Problem]:
    problems: list[Problem] = []
    cur = idx.currency
    rep = idx.reps.get(a.rep_id)
    plan = idx.plans.get(a.plan_id)
    if rep is None:
        problems.append(Problem("rep_id", f"The rep #{a.rep_id} does not exist."))
    if plan is None:
        problems.append(Problem("plan_id", f"The plan #{a.plan_id} does not exist."))
    dates_ok = a.effective_to is None or a.effective_from <= a.effective_to
    if not dates_ok:
        assert a.effective_to is not None
        problems.append(
            Problem(
                "effective_to",
                f"The assignment ends on {a.effective_to}, before it starts on {a.effective_from}.",
            )
        )
    others = [o for o in idx.assignments_by_rep.get(a.rep_id, []) if _is_other(o.id, a.id)]
    # Problems between two assignments: a whole-company check says each once, at the later.
    pairs = others
    if in_company:
        mine = idx.assignments_by_rep.get(a.rep_id, [])
        pairs = mine[: next(i for i, o in enumerate(mine) if o is a)]
    if dates_ok:
        for o in pairs:
            if _overlaps(a.effective_from, a.effective_to, o.effective_from, o.effective_to):
                problems.append(
                    Problem(
                        "effective_from",
                        f"This overlaps {idx.rep_name(a.rep_id)}'s assignment to "
                        f"{idx.plan_name(o.plan_id)} ({_range(o.effective_from, o.effective_to)}); "
                        f"a rep has one plan at a time.",
                    )
                )
    if a.quota_override is not None:
        problems += _amount_problems(a.quota_override, "quota_override", "The quota override", cur)
    if a.draw is not None:
        problems += _draw_problems(a, a.draw, pairs if dates_ok else [], idx, in_company=in_company)
    if plan is not None and dates_ok and not in_company and not _positive(a.quota_override):
        # In a whole-company check the plan reports this once, for all its assignments.
        for v, start, end in _version_spans(plan):
            if (
                v.needs_quota
                and not _positive(v.quota)
                and _overlaps(a.effective_from, a.effective_to, start, end)
            ):
                problems.append(
                    Problem(
                        "quota_override",
                        f"{plan.name}'s version from {v.effective_from} {_needs_quota_reason(v)} "
                        f"but has no quota: give this assignment a quota override.",
                    )
                )
    if not in_company and rep is not None and dates_ok:
        mine = [*others, a]
        orphaned = [
            d.external_id
            for d in idx.deals_crediting(a.rep_id)
            if not idx.before_books(d.close_date)
            and not any(o.in_force(d.close_date) for o in mine)
        ]
        if orphaned:
            problems.append(
                Problem(
                    "effective_from",
                    f"{_count(orphaned, 'deal')} credited to {rep.name} would have no plan "
                    f"assignment on their close date: {_some(orphaned)}.",
                )
            )
    return problems


def _range(start: date, end: date | None) -> str:
    return f"from {start}" if end is None else f"{start} to {end}"


def _draw_problems(
    a: Assignment, draw: Draw, others: list[Assignment], idx: _Index, *, in_company: bool
) -> list[Problem]:
    problems = _amount_problems(draw.amount, "draw.amount", "The draw amount", idx.currency)
    if not _finite(draw.max_recovery_pct) or not 0 <= draw.max_recovery_pct <= HUNDRED:
        problems.append(
            Problem(
                "draw.max_recovery_pct",
                f"The maximum recovery must be between 0% and 100% "
                f"(got {_pct(draw.max_recovery_pct)}).",
            )
        )
    if draw.end_month is not None and draw.end_month < draw.start_month:
        problems.append(
            Problem(
                "draw.end_month",
                f"The draw ends in {draw.end_month}, before it starts in {draw.start_month}.",
            )
        )
        return problems
    starts = Month.of(a.effective_from)
    # Said when the draw is entered; a file that has one still computes (the draw runs
    # from its assignment's first month) and imports.
    if draw.start_month < starts and not in_company:
        problems.append(
            Problem(
                "draw.start_month",
                f"The draw starts in {draw.start_month}, before this assignment starts "
                f"({a.effective_from}): a draw runs from its assignment's first month "
                f"({starts}) on.",
            )
        )
    months = draw_months(a)
    for o in others:
        if o.draw is None:
            continue
        theirs = draw_months(o)
        if months.overlaps(theirs):
            first = max(months.first, theirs.first)
            problems.append(
                Problem(
                    "draw.start_month",
                    f"{idx.rep_name(a.rep_id)} already has a draw in {first} (on the assignment "
                    f"to {idx.plan_name(o.plan_id)} from {o.effective_from}); two draws "
                    "cannot cover the same month.",
                )
            )
    return problems


# --------------------------------------------------------------------------- deals


def validate_deal(deal: Deal, data: CompanyData, *, currency: str | None = None) -> list[Problem]:
    """Problems with a deal: ids, amount, type, credits (splits), payments and cancellation.

    `currency` is the deal's currency where the source names one (a CSV import); it must
    be the company's currency.
    """
    return _deal_problems(deal, _Index(data), currency=currency)


def _deal_problems(
    deal: Deal, idx: _Index, *, currency: str | None = None, position: int | None = None
) -> list[Problem]:
    """`position`: the deal's place in a whole-company check, where a shared external id
    is said once, at the later deal."""
    problems: list[Problem] = []
    cur = idx.currency
    label = deal.external_id.strip() or "without an id"
    problems += _too_long(deal.external_id, "external_id", "The deal id")
    problems += _too_long(deal.customer, "customer", "The customer")
    problems += _too_long(deal.name, "name", "The deal name")
    problems += _too_long(deal.cancellation_reason, "cancellation_reason", "The reason", "reason")
    if _blank(deal.external_id):
        problems.append(Problem("external_id", "The deal needs an external (CRM) id."))
    elif (
        any(i < position for i in idx.deal_positions_by_external[deal.external_id.strip()])
        if position is not None
        else any(
            _is_other(other_id, deal.id)
            for other_id in idx.deal_ids_by_external.get(deal.external_id.strip(), [])
        )
    ):
        problems.append(
            Problem("external_id", f"Another deal already has the id {deal.external_id.strip()}.")
        )
    if currency is not None and currency.strip().upper() != cur:
        problems.append(
            Problem(
                "currency",
                f"Deal {label} is in {currency.strip().upper()} but the company's currency "
                f"is {cur}.",
            )
        )
    if _blank(deal.customer):
        problems.append(Problem("customer", "The deal needs a customer."))
    amount_problems = _amount_problems(deal.amount, "amount", "The deal amount", cur)
    problems += amount_problems
    if deal.deal_type not in idx.data.company.all_deal_types:
        problems.append(
            Problem("deal_type", _unknown_type(deal.deal_type, idx.data.company.all_deal_types))
        )
    problems += _credit_problems(deal, idx)
    for p_i, payment in enumerate(deal.payments):
        problems += _amount_problems(
            payment.amount, f"payments[{p_i}].amount", f"Payment {p_i + 1}", cur
        )
    if deal.cancellation_date is not None:
        if deal.cancellation_date < deal.close_date:
            problems.append(
                Problem(
                    "cancellation_date",
                    f"The cancellation date {deal.cancellation_date} is before the close date "
                    f"{deal.close_date}.",
                )
            )
        if _blank(deal.cancellation_reason):
            problems.append(
                Problem("cancellation_reason", "A cancelled deal needs a cancellation reason.")
            )
    elif not _blank(deal.cancellation_reason):
        problems.append(
            Problem(
                "cancellation_date",
                "A cancellation reason is given but no cancellation date.",
            )
        )
    return problems


def _credit_problems(deal: Deal, idx: _Index) -> list[Problem]:
    problems: list[Problem] = []
    if not deal.credits:
        return problems  # allowed: the dashboard warns about deals without credits
    seen: set[int] = set()
    for c_i, credit in enumerate(deal.credits):
        field = f"credits[{c_i}]"
        rep = idx.reps.get(credit.rep_id)
        name = idx.rep_name(credit.rep_id)
        if not _finite(credit.split_pct) or credit.split_pct <= 0:
            shown = _pct(credit.split_pct) if _finite(credit.split_pct) else repr(credit.split_pct)
            problems.append(
                Problem(
                    f"{field}.split_pct",
                    f"{name}'s split must be more than 0% (got {shown}).",
                )
            )
        if credit.rep_id in seen:
            problems.append(
                Problem(f"{field}.rep_id", f"{name} is credited more than once on this deal.")
            )
            continue
        seen.add(credit.rep_id)
        if rep is None:
            problems.append(Problem(f"{field}.rep_id", f"The rep #{credit.rep_id} does not exist."))
            continue
        problem = _credit_on_day(idx, rep, deal.close_date)
        if problem:
            problems.append(Problem(f"{field}.rep_id", problem))
    problems += validate_split_total(c.split_pct for c in deal.credits)
    return problems


def validate_split_total(splits: Iterable[Decimal]) -> list[Problem]:
    """The rule on a deal's splits taken together: they add up to at least 100% (a split
    deal exactly 100%, an overlay more). No credits at all is allowed (the dashboard warns).

    `validate_deal` applies it; the deal editor asks it of the splits typed so far, so
    what the form says while typing is what saving would refuse. While a split is not
    more than 0% the total is not judged: that split is the problem (said on its own).
    """
    values = list(splits)
    if not values or not all(_finite(v) and v > 0 for v in values):
        return []
    total = sum(values, Decimal(0))
    if total >= HUNDRED:
        return []
    return [
        Problem(
            "credits",
            f"The splits total {_pct(total)}; they must add up to at least 100% "
            f"(exactly 100% for a split deal, more for an overlay).",
        )
    ]


def _credit_on_day(idx: _Index, rep: Rep, day: date) -> str:
    """Why `rep` cannot be credited with a deal closed on `day` ("" when they can): they
    had left, or had no plan assignment in force, or their plan had no version then. A
    deal before the books start earns nothing and needs none (COMP_RULES "Books start")."""
    if idx.before_books(day):
        return ""
    if rep.termination_date is not None and rep.termination_date < day:
        return f"{rep.name} left on {rep.termination_date}, before the close date {day}."
    in_force = [a for a in idx.assignments_by_rep.get(rep.id, []) if a.in_force(day)]
    if not in_force:
        return f"{rep.name} has no plan assignment in force on the close date {day}."
    if all(
        (plan := idx.plans.get(a.plan_id)) is not None and plan.version_on(day) is None
        for a in in_force
    ):
        return (
            f"{rep.name} is on plan {idx.plan_name(in_force[0].plan_id)}, which has no "
            f"version on the close date {day}."
        )
    return ""


class CreditRules:
    """Whether a rep can be credited with a deal closed on a day, as a deal's validation
    says it (an import asks it for every row: the answers are kept per rep and day)."""

    def __init__(self, data: CompanyData) -> None:
        self._idx = _Index(data)
        self._known: dict[tuple[int, date], str] = {}

    def problem(self, rep_id: int, day: date) -> str:
        key = (rep_id, day)
        found = self._known.get(key)
        if found is None:
            rep = self._idx.reps.get(rep_id)
            found = (
                f"The rep #{rep_id} does not exist."
                if rep is None
                else _credit_on_day(self._idx, rep, day)
            )
            self._known[key] = found
        return found


# --------------------------------------------------------------------------- adjustments


def validate_adjustment(adj: Adjustment, data: CompanyData) -> list[Problem]:
    """Problems with a manual adjustment: the rep, a non-zero whole-cent amount and a reason."""
    return _adjustment_problems(adj, _Index(data))


def _adjustment_problems(adj: Adjustment, idx: _Index) -> list[Problem]:
    problems: list[Problem] = []
    if adj.rep_id not in idx.reps:
        problems.append(Problem("rep_id", f"The rep #{adj.rep_id} does not exist."))
    if not _finite(adj.amount):
        problems.append(Problem("amount", f"The amount must be a number (got {adj.amount!r})."))
    elif not is_whole_cents(adj.amount):
        problems.append(
            Problem("amount", f"The amount must be a whole number of cents (got {adj.amount}).")
        )
    elif adj.amount == 0:
        problems.append(Problem("amount", "The amount of an adjustment cannot be zero."))
    problems += _too_long(adj.reason, "reason", "The reason")
    problems += _too_long(adj.external_id, "external_id", "The adjustment id")
    if _blank(adj.reason):
        problems.append(Problem("reason", "An adjustment needs a reason."))
    key = adj.external_id.strip()
    if key and any(
        _is_other(other.id, adj.id) and other.external_id.strip() == key
        for other in idx.data.adjustments
    ):
        problems.append(Problem("external_id", f"Another adjustment already has the id {key}."))
    return problems


# --------------------------------------------------------------------------- opening balances


def validate_opening_balance(ob: OpeningBalance, data: CompanyData) -> list[Problem]:
    """Problems with a rep's opening balance at the books start (COMP_RULES "Books start
    and opening balances"): a known rep, a books start, amounts in whole cents, no
    fiscal-year-to-date earnings when the books start a fiscal year, and nothing counted
    or paid in a quota period that starts with the books start."""
    return _opening_problems(ob, _Index(data))


def _opening_problems(ob: OpeningBalance, idx: _Index) -> list[Problem]:
    problems: list[Problem] = []
    company = idx.data.company
    start = company.books_start
    cur = idx.currency
    rep = idx.reps.get(ob.rep_id)
    if rep is None:
        problems.append(Problem("rep_id", f"The rep #{ob.rep_id} does not exist."))
    if start is None:
        problems.append(
            Problem("", "Set the books-start month first: opening balances are as of it.")
        )
    for field, what, value, negative in (
        ("balance_owed", "The balance owed", ob.balance_owed, False),
        ("ytd_earnings", "The year-to-date earnings", ob.ytd_earnings, True),
        ("counted", "The amount counted toward quota", ob.counted, False),
    ):
        if not _finite(value):
            problems.append(Problem(field, f"{what} must be a number (got {value!r})."))
        elif not is_whole_cents(value):
            problems.append(
                Problem(field, f"{what} must be a whole number of cents (got {value}).")
            )
        elif value < 0 and not negative:
            problems.append(
                Problem(field, f"{what} cannot be negative (got {_money(value, cur)}).")
            )
    if start is None or rep is None:
        return problems
    if ob.ytd_earnings and start.month == company.fiscal_year_start:
        problems.append(
            Problem(
                "ytd_earnings",
                f"The books start in {start}, the first month of a fiscal year: there are no "
                "earlier earnings in it to carry.",
            )
        )
    if not (ob.counted or ob.bonuses_paid):
        return problems
    version, period_start = _version_at_books_start(idx, rep.id, start)
    if version is None:
        problems.append(
            Problem(
                "counted",
                f"{rep.name} has no plan on {start.first_day}, the first day of the books "
                "start: nothing can be counted toward a quota before it.",
            )
        )
        return problems
    if period_start == start:
        problems.append(
            Problem(
                "counted",
                f"{rep.name}'s quota period starts with the books start ({start}): nothing "
                "was counted or paid in it before.",
            )
        )
        return problems
    thresholds = {b.threshold_pct for b in version.bonuses}
    for t in ob.bonuses_paid:
        if t not in thresholds:
            offered = ", ".join(_pct(x) for x in sorted(thresholds)) or "none"
            problems.append(
                Problem(
                    "bonuses_paid",
                    f"{_pct(t)} is not an attainment bonus of {rep.name}'s plan on "
                    f"{start.first_day} (its thresholds: {offered}).",
                )
            )
    return problems


def _version_at_books_start(
    idx: _Index, rep_id: int, start: Month
) -> tuple[PlanVersion | None, Month | None]:
    """The rep's plan version in force on the books start's first day, and the start of
    its quota period containing that day."""
    day = start.first_day
    for a in idx.assignments_by_rep.get(rep_id, []):
        if a.in_force(day) and (plan := idx.plans.get(a.plan_id)) is not None:
            version = plan.version_on(day)
            if version is not None:
                fy = idx.data.company.fiscal_year_start
                return version, quota_period_start(start, version.quota_period, fy)
    return None, None


def _books_problems(data: CompanyData, idx: _Index) -> list[Problem]:
    """The books start against the closed months, and the opening balances."""
    problems: list[Problem] = []
    start = data.company.books_start
    if start is not None:
        for i, period in enumerate(data.periods):
            if period.status is PeriodStatus.CLOSED and period.month < start:
                problems.append(
                    Problem(
                        f"periods[{i}].month",
                        f"Period {period.month}: closed, but before the books start {start}.",
                    )
                )
    seen: set[int] = set()
    for i, ob in enumerate(data.opening_balances):
        prefix = f"Opening balance of '{idx.rep_name(ob.rep_id)}'"
        if ob.rep_id in seen:
            problems.append(Problem(f"opening_balances[{i}]", f"{prefix}: given more than once."))
        seen.add(ob.rep_id)
        for p in _opening_problems(ob, idx):
            field = f"opening_balances[{i}].{p.field}" if p.field else f"opening_balances[{i}]"
            problems.append(Problem(field, f"{prefix}: {p.message}"))
    return problems


# --------------------------------------------------------------------------- the whole company


def validate_company(data: CompanyData) -> list[Problem]:
    """Every problem in a company: each record, and the invariants between records.

    Each message starts with the record it concerns; each field is a path into the
    company ("deals[3].credits[0].rep_id").
    """
    idx = _Index(data)
    problems: list[Problem] = []

    def add(prefix: str, path: str, found: list[Problem]) -> None:
        for p in found:
            field = f"{path}.{p.field}" if p.field else path
            problems.append(Problem(field, f"{prefix}: {p.message}"))

    add("Company settings", "company", validate_company_settings(data.company))
    problems += _duplicate_id_problems(data)
    for i, role in enumerate(data.roles):
        add(f"Role '{role.name}'", f"roles[{i}]", _role_problems(role, idx))
    for i, rep in enumerate(data.reps):
        add(f"Rep '{rep.name}'", f"reps[{i}]", _rep_problems(rep, idx, in_company=True))
    for i, plan in enumerate(data.plans):
        add(f"Plan '{plan.name}'", f"plans[{i}]", _plan_problems(plan, idx))
    for i, a in enumerate(data.assignments):
        prefix = (
            f"Assignment of '{idx.rep_name(a.rep_id)}' to '{idx.plan_name(a.plan_id)}' "
            f"from {a.effective_from}"
        )
        add(prefix, f"assignments[{i}]", _assignment_problems(a, idx, in_company=True))
    for i, deal in enumerate(data.deals):
        add(
            f"Deal {deal.external_id.strip() or '#' + str(deal.id)}",
            f"deals[{i}]",
            _deal_problems(deal, idx, position=i),
        )
    for i, adj in enumerate(data.adjustments):
        prefix = f"Adjustment for '{idx.rep_name(adj.rep_id)}' in {adj.month}"
        add(prefix, f"adjustments[{i}]", _adjustment_problems(adj, idx))
    problems += _period_problems(data, idx)
    problems += _books_problems(data, idx)
    problems += _value_problems(data)
    return problems


def _value_problems(data: CompanyData) -> list[Problem]:
    """Every value of every record within what the file stores: text without control
    characters, amounts within ±MAX_AMOUNT, whole numbers (ids) within SQLite's integer.
    Records the rules above do not look at (audit entries, statements) included."""
    problems: list[Problem] = []

    def walk(value: object, path: str) -> None:
        if isinstance(value, str):
            found = _CONTROL_RE.search(value)
            if found is not None:
                code = f"U+{ord(found.group()):04X}"
                problems.append(
                    Problem(
                        path,
                        f"{path}: holds a control character ({code}) at character "
                        f"{found.start() + 1}; remove it.",
                    )
                )
        elif isinstance(value, bool):
            return
        elif isinstance(value, int):
            if not -MAX_ID - 1 <= value <= MAX_ID:
                problems.append(Problem(path, f"{path}: {value} is too large a number."))
        elif isinstance(value, Decimal):
            if value.is_finite() and abs(value) > MAX_AMOUNT:
                problems.append(Problem(path, f"{path}: {value} is beyond ±{MAX_AMOUNT:,}."))
        elif isinstance(value, tuple):
            for i, item in enumerate(value):
                walk(item, f"{path}[{i}]")
        elif dataclasses.is_dataclass(value) and not isinstance(value, type):
            for name in _field_names(type(value)):
                walk(getattr(value, name), f"{path}.{name}" if path else name)

    walk(data, "")
    return problems


_FIELD_NAMES: dict[type, tuple[str, ...]] = {}


def _field_names(cls: type) -> tuple[str, ...]:
    names = _FIELD_NAMES.get(cls)
    if names is None:
        names = _FIELD_NAMES[cls] = tuple(f.name for f in dataclasses.fields(cls))
    return names


def _duplicate_id_problems(data: CompanyData) -> list[Problem]:
    problems: list[Problem] = []
    groups: list[tuple[str, str, Iterable[int]]] = [
        ("roles", "role", (r.id for r in data.roles)),
        ("reps", "rep", (r.id for r in data.reps)),
        ("plans", "plan", (p.id for p in data.plans)),
        ("assignments", "assignment", (a.id for a in data.assignments)),
        ("deals", "deal", (d.id for d in data.deals)),
        ("adjustments", "adjustment", (a.id for a in data.adjustments)),
    ]
    for path, noun, ids in groups:
        seen: set[int] = set()
        for i, record_id in enumerate(ids):
            if record_id == NEW:
                continue
            if record_id in seen:
                problems.append(
                    Problem(f"{path}[{i}].id", f"Two records share the {noun} id {record_id}.")
                )
            seen.add(record_id)
    return problems


def _period_problems(data: CompanyData, idx: _Index) -> list[Problem]:
    problems: list[Problem] = []
    months: set[Month] = set()
    for i, period in enumerate(data.periods):
        if period.month in months:
            problems.append(
                Problem(f"periods[{i}].month", f"Period {period.month}: listed more than once.")
            )
        months.add(period.month)
    closed = sorted(p.month for p in data.periods if p.status is PeriodStatus.CLOSED)
    if closed:
        last_closed = closed[-1]
        for i, period in enumerate(data.periods):
            if period.status is PeriodStatus.OPEN and period.month < last_closed:
                problems.append(
                    Problem(
                        f"periods[{i}].status",
                        f"Period {period.month}: open while the later period {last_closed} is "
                        f"closed; periods close in order.",
                    )
                )
    closed_set = set(closed)
    seen: set[tuple[Month, int]] = set()
    for i, snap in enumerate(data.snapshots):
        prefix = f"Statement of '{idx.rep_name(snap.rep_id)}' for {snap.month}"
        if snap.month not in closed_set:
            problems.append(
                Problem(
                    f"snapshots[{i}].month",
                    f"{prefix}: stored, but the period {snap.month} is not closed.",
                )
            )
        if snap.rep_id not in idx.reps:
            problems.append(
                Problem(
                    f"snapshots[{i}].rep_id", f"{prefix}: the rep #{snap.rep_id} does not exist."
                )
            )
        if (snap.month, snap.rep_id) in seen:
            problems.append(Problem(f"snapshots[{i}]", f"{prefix}: stored more than once."))
        seen.add((snap.month, snap.rep_id))
    return problems
