"""Planning a deal import: what each row of a CRM export would do to the company's deals.

`plan_deals` reads the rows of a file through a `Mapping` and sorts every row into
exactly one list: deals to add, deals to update (same external id, the changed fields
old → new), deals unchanged, rows skipped (not won, an owner whose deals are skipped,
a report's footer) and rows rejected (with the row number, the line in the file and a
reason a person understands). It writes nothing: the service commits the plan in one
unit of work, and a second import of the same file finds every row unchanged.

The existing deals come through `lookup` (external id → ExistingDeal), asked for a chunk
of rows at a time, so a file of a million rows never holds every stored deal at once.
"""

from __future__ import annotations

import hashlib
from collections import Counter
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import date
from decimal import Decimal

from icmdesk.domain.calendar import Month, month_name
from icmdesk.domain.entities import Credit
from icmdesk.domain.imports.cells import (
    Ambiguous,
    CellError,
    DateOrder,
    ReadDate,
    currencies_of,
    parse_amount,
    read_date,
    regroup,
)
from icmdesk.domain.imports.profiles import BY_KEY, GENERIC, Field, footer_row, normal
from icmdesk.domain.imports.profiles import Mapping as ImportMapping
from icmdesk.domain.money import HUNDRED

CHUNK = 20_000  # rows looked up against the stored deals at a time
BLANKS = frozenset({"", "(no value)", "(none)", "n/a", "-", "--", "—"})
LIMITS = {"external_id": 100, "name": 200, "customer": 200}
FULL_CREDIT = HUNDRED
# A deal's amount is stored in whole cents in a 64-bit integer; far below that, an amount
# of a trillion is a typo or a column of something else.
MAX_AMOUNT = Decimal(10) ** 12


@dataclass(frozen=True, slots=True)
class SourceRow:
    """One record of a file: its row number as a spreadsheet shows it (the header is the
    row it sits on), the line of the file it starts on, and its cells (text from a CSV;
    text, numbers or dates from a spreadsheet)."""

    number: int
    line: int
    cells: Sequence[object]


@dataclass(frozen=True, slots=True)
class ExistingDeal:
    """A stored deal as an import compares it."""

    id: int
    external_id: str
    name: str
    customer: str
    amount: Decimal
    close_date: date
    deal_type: str
    credits: tuple[Credit, ...]
    cancellation_date: date | None = None


def _no_problem(_rep_id: int, _day: date) -> str:
    return ""


@dataclass(frozen=True, slots=True)
class Context:
    """What a plan needs to know of the company."""

    currency: str
    deal_types: frozenset[str]
    # normal(name), normal(email) and normal(alias) → rep id
    owners: Mapping[str, int]
    rep_names: Mapping[int, str]
    last_closed: Month | None = None  # the latest closed month (earlier ones count as closed)
    books_start: Month | None = None
    first_open: Month | None = None  # where corrections of closed months are posted
    # Why a rep cannot be credited with a deal closed on a day ("" when they can): the
    # rule a deal's validation applies (validation.CreditRules).
    credit_problem: Callable[[int, date], str] = _no_problem


@dataclass(frozen=True, slots=True)
class Change:
    field: str
    old: str
    new: str


@dataclass(frozen=True, slots=True)
class PlannedDeal:
    """A row that adds a deal (deal_id None) or updates one; `credits` None keeps the
    stored deal's credits. `note` says what falls outside the open months."""

    row: int
    line: int
    deal_id: int | None
    external_id: str
    name: str
    customer: str
    amount: Decimal
    close_date: date
    deal_type: str
    credits: tuple[Credit, ...] | None
    changes: tuple[Change, ...] = ()
    note: str = ""
    old_close_date: date | None = None  # an update's close date before it


@dataclass(frozen=True, slots=True)
class Unchanged:
    row: int
    line: int
    external_id: str
    deal_id: int


@dataclass(frozen=True, slots=True)
class Skipped:
    row: int
    line: int
    external_id: str
    code: str  # not_won, owner_skipped, footer
    reason: str


@dataclass(frozen=True, slots=True)
class Rejected:
    row: int
    line: int
    external_id: str
    code: str
    reason: str

    @property
    def text(self) -> str:
        return f"row {self.row}: {self.reason}"


@dataclass(frozen=True)
class DealImportPlan:
    """Every row of a file in exactly one list, and what must be answered first."""

    mapping: ImportMapping
    added: tuple[PlannedDeal, ...] = ()
    updated: tuple[PlannedDeal, ...] = ()
    unchanged: tuple[Unchanged, ...] = ()
    skipped: tuple[Skipped, ...] = ()
    rejected: tuple[Rejected, ...] = ()
    # Owners that are no rep yet (their rows are rejected until mapped or skipped).
    unmatched_owners: Mapping[str, int] = field(default_factory=dict)
    # The CRM's deal types with no translation (their rows are rejected).
    unknown_types: Mapping[str, int] = field(default_factory=dict)
    # Some dates read two ways and the file proves no order: a few of them, to ask about.
    ambiguous_dates: tuple[str, ...] = ()

    @property
    def rows(self) -> int:
        return (
            len(self.added)
            + len(self.updated)
            + len(self.unchanged)
            + len(self.skipped)
            + len(self.rejected)
        )

    @property
    def questions(self) -> bool:
        """Whether something must be answered before anything is imported."""
        return bool(self.unmatched_owners or self.ambiguous_dates)

    @property
    def changes(self) -> int:
        return len(self.added) + len(self.updated)


class Rejection(Exception):
    """A row refused while it is read: `code` says why for programs, `reason` for people."""

    def __init__(self, code: str, reason: str) -> None:
        super().__init__(reason)
        self.code = code
        self.reason = reason


@dataclass(slots=True)
class _Pending:
    """A row read into deal fields; its date may wait for the file's date order."""

    row: int
    line: int
    external_id: str
    name: str
    customer: str
    rep_id: int
    amount: Decimal
    close_date: date | Ambiguous
    deal_type: str
    has: frozenset[Field]
    amount_text: str = ""  # kept only when the amount read a separator two ways
    grouped: str | None = None
    proves: DateOrder | None = None  # the order its date is written in, if it shows


def text_of(cell: object) -> str:
    """A cell as text: stripped, with the CRMs' ways of writing nothing made blank."""
    if cell is None:
        return ""
    text = cell if isinstance(cell, str) else str(cell)
    text = " ".join(text.split()) if "\n" in text or "  " in text else text.strip()
    # Only short texts can be one of the blanks ("(no value)" is the longest).
    return "" if len(text) <= 10 and text.casefold() in BLANKS else text


def key_of(name: str, customer: str) -> str:
    """A deal id for an export that has none (a Salesforce report without the
    Opportunity ID column): the deal's name and customer, which a re-export repeats.
    Renaming the deal in the CRM makes it a new deal here."""
    text = f"{name} — {customer}" if customer and customer != name else name
    if len(text) <= LIMITS["external_id"]:
        return text
    digest = hashlib.sha1(f"{normal(name)}\x1f{normal(customer)}".encode()).hexdigest()[:8]
    return f"{text[: LIMITS['external_id'] - 10]}… #{digest}"


def plan_deals(
    headers: tuple[str, ...],
    rows: Iterable[SourceRow],
    mapping: ImportMapping,
    context: Context,
    lookup: Callable[[list[str]], Mapping[str, ExistingDeal]],
) -> DealImportPlan:
    """What importing `rows` (read under `headers`) through `mapping` would do."""
    reader = _Reader(headers, mapping, context)
    for row in rows:
        reader.read(row)
    pending = reader.resolve()
    added: list[PlannedDeal] = []
    updated: list[PlannedDeal] = []
    unchanged: list[Unchanged] = []
    notes = _Notes(context)
    for start in range(0, len(pending), CHUNK):
        chunk = pending[start : start + CHUNK]
        stored = lookup([p.external_id for p in chunk])
        for p in chunk:
            try:
                _classify(p, stored.get(p.external_id), context, notes, added, updated, unchanged)
            except Rejection as r:
                reader.rejected.append(Rejected(p.row, p.line, p.external_id, r.code, r.reason))
        for i in range(start, start + len(chunk)):
            pending[i] = None  # type: ignore[call-overload]  # read: let it go (a million rows)
        del chunk
    rejected = sorted(reader.rejected, key=lambda r: r.row)  # stable: a row's own order kept
    return DealImportPlan(
        mapping=reader.mapping,
        added=tuple(added),
        updated=tuple(updated),
        unchanged=tuple(unchanged),
        skipped=tuple(reader.skipped),
        rejected=tuple(rejected),
        unmatched_owners=dict(reader.unmatched),
        unknown_types=dict(reader.unknown_types),
        ambiguous_dates=tuple(reader.ambiguous_samples),
    )


_POSITION = {f: k for k, f in enumerate(Field)}
_ID, _NAME, _CUSTOMER, _STATUS = (
    _POSITION[f] for f in (Field.EXTERNAL_ID, Field.NAME, Field.CUSTOMER, Field.STATUS)
)


class _Reader:
    """Pass one: each row read into deal fields, skipped or rejected."""

    def __init__(self, headers: tuple[str, ...], mapping: ImportMapping, ctx: Context) -> None:
        self.mapping = mapping
        self.ctx = ctx
        position = {h: i for i, h in reversed(list(enumerate(headers)))}
        self.index = {f: position[h] for f, h in mapping.columns.items() if h in position}
        self.profile = BY_KEY.get(mapping.profile, GENERIC)
        self.won = frozenset(normal(w) for w in mapping.won)
        self.types = {normal(k): v for k, v in mapping.deal_types.items()}
        self.company_types = {normal(t): t for t in ctx.deal_types}
        self.owner_map = {normal(k): v for k, v in mapping.owners.items()}
        self.currency = ctx.currency.upper()
        self.pending: list[_Pending] = []
        self.skipped: list[Skipped] = []
        self.rejected: list[Rejected] = []
        self.unmatched: Counter[str] = Counter()
        self.unknown_types: Counter[str] = Counter()
        self.ambiguous_samples: list[str] = []
        self.seen: dict[str, int] = {}  # external id → the row that has it
        self.proven: Counter[DateOrder] = Counter()
        self.marks: Counter[str] = Counter()
        self.dates: dict[str, ReadDate | CellError] = {}
        # Read once per distinct text: a file repeats its owners and stages on every row.
        self.owner_cache: dict[str, int | None] = {}
        self.won_cache: dict[str, bool] = {}
        self.check_status = Field.STATUS in self.index and bool(self.won)
        self.has = frozenset(self.index)
        # The columns read as text, in Field order (amounts and dates are read from the
        # cell itself: a workbook's numbers and dates are not text).
        self.text_columns = [
            None if f in (Field.AMOUNT, Field.CLOSE_DATE) else self.index.get(f) for f in Field
        ]
        self.texts: list[str] = [""] * len(Field)
        self.customers: dict[str, str] = {}
        self.type_cache: dict[str, str | None] = {}
        self.currency_cache: dict[tuple[str, str | None], str] = {}
        self.has_currency = Field.CURRENCY in self.index

    def cell(self, row: SourceRow, f: Field) -> object:
        i = self.index.get(f)
        if i is None or i >= len(row.cells):
            return ""
        return row.cells[i]

    def text(self, _row: SourceRow, f: Field) -> str:
        """The current row's text in a field (read once per row, by `read`)."""
        return self.texts[_POSITION[f]]

    def read(self, row: SourceRow) -> None:
        if self.profile.footer and footer_row(self.profile, [text_of(c) for c in row.cells]):
            self.skipped.append(
                Skipped(row.number, row.line, "", "footer", "the report's footer, not a deal")
            )
            return
        cells = row.cells
        n = len(cells)
        self.texts = texts = [
            "" if i is None or i >= n else text_of(cells[i]) for i in self.text_columns
        ]
        external_id = texts[_ID]
        try:
            self._read(row, external_id)
        except Rejection as r:
            self.rejected.append(Rejected(row.number, row.line, external_id, r.code, r.reason))

    def _read(self, row: SourceRow, external_id: str) -> None:
        texts = self.texts
        name = texts[_NAME]
        customer = texts[_CUSTOMER] or name
        customer = self.customers.setdefault(customer, customer)  # one copy per customer
        if self.check_status:
            status = texts[_STATUS]
            won = self.won_cache.get(status)
            if won is None:
                won = self.won_cache[status] = normal(status) in self.won
            if not won:
                shown = f'"{status}"' if status else "blank"
                self.skipped.append(
                    Skipped(
                        row.number,
                        row.line,
                        external_id,
                        "not_won",
                        f"not won (its stage or status is {shown})",
                    )
                )
                return
        if Field.EXTERNAL_ID not in self.index:
            if not name:
                raise Rejection("id_missing", "no deal name to know the deal by (and no id)")
            external_id = key_of(name, customer)
        elif not external_id:
            raise Rejection("id_missing", "there is no deal id")
        for what, value in (("external_id", external_id), ("name", name), ("customer", customer)):
            limit = LIMITS[what]
            if len(value) > limit:
                label = {"external_id": "deal id", "name": "deal name"}.get(what, what)
                raise Rejection(
                    "too_long", f"the {label} is {len(value):,} characters long (at most {limit})"
                )
        if not customer:
            raise Rejection("customer_missing", "there is no customer (and no deal name)")
        first = self.seen.get(external_id)
        if first is not None:
            raise Rejection(
                "duplicate",
                f"the deal {external_id} is in row {first} already (only the first is read)",
            )
        self.seen[external_id] = row.number
        rep_id = self._owner(row)
        if rep_id is None:
            self.skipped.append(
                Skipped(
                    row.number,
                    row.line,
                    external_id,
                    "owner_skipped",
                    f'the owner "{self.text(row, Field.OWNER)}" is skipped',
                )
            )
            return
        amount, amount_text, grouped = self._amount(row)
        close, proves = self._date(row)
        deal_type = self._type(row)
        self.pending.append(
            _Pending(
                row.number,
                row.line,
                external_id,
                name,
                customer,
                rep_id,
                amount,
                close,
                deal_type,
                self.has,
                amount_text,
                grouped,
                proves,
            )
        )

    def _owner(self, row: SourceRow) -> int | None:
        owner = self.text(row, Field.OWNER)
        if owner in self.owner_cache:  # a file names a handful of owners, row after row
            return self.owner_cache[owner]
        key = normal(owner)
        if key in self.owner_map:
            rep = self.owner_cache[owner] = self.owner_map[key]
            return rep
        rep = self.ctx.owners.get(key)
        if rep is not None:
            self.owner_cache[owner] = rep
            return rep
        self.unmatched[owner] += 1
        who = f'the owner "{owner}"' if owner else "the deal has no owner, and that"
        raise Rejection(
            "owner_unmatched", f"{who} is not a rep yet (map it to a rep, or skip its deals)"
        )

    def _amount(self, row: SourceRow) -> tuple[Decimal, str, str | None]:
        cell = self.cell(row, Field.AMOUNT)
        try:
            amount = parse_amount(cell)
        except CellError as e:
            raise Rejection(e.code, e.message) from None
        if amount.value >= MAX_AMOUNT:
            raise Rejection(
                "amount_too_large",
                f'the amount "{text_of(cell)}" is too large to be a deal (at most '
                f"{MAX_AMOUNT - 1:,.2f})",
            )
        if amount.value <= 0:
            raise Rejection(
                "amount_not_positive",
                f'the amount "{text_of(cell)}" is not above zero (a deal\'s amount is positive; '
                "enter a refund as a cancellation or an adjustment)",
            )
        written = self.text(row, Field.CURRENCY) if self.has_currency else ""
        key = (written, amount.currency)
        wrong = self.currency_cache.get(key)
        if wrong is None:
            wrong = self.currency_cache[key] = next(
                (
                    c
                    for c in filter(None, (written.upper(), amount.currency))
                    if self.currency not in currencies_of(c)
                ),
                "",
            )
        if wrong:
            raise Rejection(
                "currency",
                f"the deal is in {wrong}, but the company's amounts are in {self.currency}",
            )
        if amount.mark:
            self.marks[amount.mark] += 1
        text = text_of(cell) if amount.grouped else ""
        return amount.value, text, amount.grouped

    def _date(self, row: SourceRow) -> tuple[date | Ambiguous, DateOrder | None]:
        cell = self.cell(row, Field.CLOSE_DATE)
        # A month's deals share a few dozen dates: each text is read once.
        known = self.dates.get(cell) if isinstance(cell, str) else None
        if known is None:
            try:
                known = read_date(cell, self.mapping.date_order)
            except CellError as e:
                known = e
            if isinstance(cell, str):
                self.dates[cell] = known
        if isinstance(known, CellError):
            raise Rejection(known.code, known.message)
        if known.proves is not None:
            self.proven[known.proves] += 1
        return known.value, known.proves

    def _type(self, row: SourceRow) -> str:
        if Field.DEAL_TYPE not in self.index:
            return "new"
        crm = self.text(row, Field.DEAL_TYPE)
        if not crm:
            return "new"
        if crm in self.type_cache:
            found = self.type_cache[crm]
        else:
            ours = self.types.get(normal(crm), crm)
            found = self.type_cache[crm] = self.company_types.get(normal(ours))
        if found is None:
            self.unknown_types[crm] += 1
            known = ", ".join(sorted(self.ctx.deal_types))
            raise Rejection(
                "type_unknown",
                f'the deal type "{crm}" is not one of yours ({known}): translate it in the '
                "import's deal types",
            )
        return found

    def resolve(self) -> list[_Pending]:
        """Pass two: dates that waited for the file's order, and amounts whose separator
        the rest of the file decides. Rows that still cannot be read are rejected."""
        order = self.mapping.date_order
        if order is None and self.proven:
            (order, _n), *rest = self.proven.most_common()
            if rest and rest[0][1] == _n:
                order = None  # as many rows prove one order as the other
        if order is not None and self.mapping.date_order is None:
            self.mapping = _with_order(self.mapping, order)
        file_mark = self.marks.most_common(1)[0][0] if self.marks else None
        kept: list[_Pending] = []
        for p in self.pending:
            try:
                if order is not None and p.proves not in (None, order):
                    first = "month" if p.proves is DateOrder.MDY else "day"
                    raise Rejection(
                        "date_order",
                        f"the close date reads only {first} first ({p.close_date}), but this "
                        f"file writes {'day' if first == 'month' else 'month'} first: one of "
                        "the two is wrong",
                    )
                if isinstance(p.close_date, Ambiguous):
                    if order is None:
                        if len(self.ambiguous_samples) < 5:
                            self.ambiguous_samples.append(p.close_date.text)
                        raise Rejection(
                            "date_ambiguous",
                            f'the date "{p.close_date.text}" reads two ways (day or month '
                            "first?): say which this file uses",
                        )
                    p.close_date = p.close_date.resolve(order)
                if p.grouped and file_mark:
                    regroup(parse_amount(p.amount_text), p.amount_text, file_mark)
            except CellError as e:
                self._reject(p, e.code, e.message)
                continue
            except Rejection as r:
                self._reject(p, r.code, r.reason)
                continue
            kept.append(p)
        # What pass two needed is done with: a million rows' worth of memory.
        self.pending = []
        self.seen.clear()
        return kept

    def _reject(self, p: _Pending, code: str, reason: str) -> None:
        self.seen.pop(p.external_id, None)
        self.rejected.append(Rejected(p.row, p.line, p.external_id, code, reason))


def _with_order(mapping: ImportMapping, order: DateOrder) -> ImportMapping:
    return replace(mapping, date_order=order)


class _Notes:
    """What a planned deal should be told about: a close date in a closed month (a
    prior-period adjustment in the first open month) or before the books start."""

    def __init__(self, ctx: Context) -> None:
        self.ctx = ctx
        self.by_month: dict[Month, str] = {}

    def of(self, day: date) -> str:
        month = Month.of(day)
        note = self.by_month.get(month)
        if note is None:
            note = self.by_month[month] = self._text(month)
        return note

    def _text(self, month: Month) -> str:
        ctx = self.ctx
        if ctx.books_start is not None and month < ctx.books_start:
            return f"before the books start ({month_name(ctx.books_start)}): earns nothing here"
        if ctx.last_closed is not None and month <= ctx.last_closed:
            where = month_name(ctx.first_open) if ctx.first_open else "the first open month"
            return (
                f"in {month_name(month)}, which is closed: paid as a prior-period adjustment "
                f"in {where}"
            )
        return ""


def _classify(
    p: _Pending,
    stored: ExistingDeal | None,
    ctx: Context,
    notes: _Notes,
    added: list[PlannedDeal],
    updated: list[PlannedDeal],
    unchanged: list[Unchanged],
) -> None:
    close = p.close_date
    assert isinstance(close, date)
    credit = _full_credit(p.rep_id)
    if stored is None:
        _check_credits(credit, close, ctx)
        added.append(
            PlannedDeal(
                p.row,
                p.line,
                None,
                p.external_id,
                p.name,
                p.customer,
                p.amount,
                close,
                p.deal_type,
                credit,
                note=notes.of(close),
            )
        )
        return
    has = p.has
    name = p.name if Field.NAME in has else stored.name
    customer = p.customer if (Field.CUSTOMER in has or Field.NAME in has) else stored.customer
    deal_type = p.deal_type if Field.DEAL_TYPE in has else stored.deal_type
    # The owner's rep credited already (alone or in a split made here): the credits stay.
    owner_kept = any(c.rep_id == p.rep_id for c in stored.credits)
    credits = None if owner_kept else credit
    changes: list[Change] = []
    for label, old, new in (
        ("name", stored.name, name),
        ("customer", stored.customer, customer),
        ("amount", stored.amount, p.amount),
        ("close date", stored.close_date, close),
        ("type", stored.deal_type, deal_type),
    ):
        if old != new:
            changes.append(Change(label, str(old), str(new)))
    if credits is not None:
        changes.append(
            Change("credited to", _credits_text(stored.credits, ctx), _credits_text(credits, ctx))
        )
    if not changes:
        unchanged.append(Unchanged(p.row, p.line, p.external_id, stored.id))
        return
    if credits is not None or close != stored.close_date:
        _check_credits(credits or stored.credits, close, ctx)
    if stored.cancellation_date is not None and stored.cancellation_date < close:
        raise Rejection(
            "cancelled_before",
            f"the deal was cancelled here on {stored.cancellation_date}, before its new close "
            f"date {close}: take the cancellation back first (Deals), then import again",
        )
    note = notes.of(close) or notes.of(stored.close_date)
    updated.append(
        PlannedDeal(
            p.row,
            p.line,
            stored.id,
            p.external_id,
            name,
            customer,
            p.amount,
            close,
            deal_type,
            credits,
            tuple(changes),
            note,
            stored.close_date,
        )
    )


_FULL_CREDITS: dict[int, tuple[Credit, ...]] = {}


def _full_credit(rep_id: int) -> tuple[Credit, ...]:
    """The owner's whole credit, one shared value per rep (a million deals, a few reps)."""
    found = _FULL_CREDITS.get(rep_id)
    if found is None:
        found = _FULL_CREDITS[rep_id] = (Credit(rep_id, FULL_CREDIT),)
    return found


def _check_credits(credits: tuple[Credit, ...], close: date, ctx: Context) -> None:
    for c in credits:
        problem = ctx.credit_problem(c.rep_id, close)
        if problem:
            raise Rejection("rep_not_paid", problem.rstrip("."))


def _credits_text(credits: tuple[Credit, ...], ctx: Context) -> str:
    if not credits:
        return "nobody"
    return ", ".join(
        ctx.rep_names.get(c.rep_id, f"rep #{c.rep_id}")
        + ("" if c.split_pct == HUNDRED else f" {c.split_pct.normalize():f}%")
        for c in credits
    )
