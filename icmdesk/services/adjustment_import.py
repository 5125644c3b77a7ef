"""Adjustments: entered one at a time for an open month, or imported in bulk from a file.

Entering: `adjustments_of` lists a rep's adjustments of a month, `save_adjustment` and
`delete_adjustment` write one (through `records`, audited) after checking its month is
open: a closed month's statements are final, and an adjustment is paid in the month it
names. `entry_problem` says up front why a month takes no adjustment.

Importing: the bulk adjustment file payroll and commission tools accept, a CSV (or .xlsx)
with one adjustment a row: rep, month, amount, reason, and optionally an id.
`plan_adjustments` reads the whole file against the company as it is and says what each
row would do (added, updated, unchanged or rejected, with the reason); it writes nothing.
`commit_adjustments` writes a plan in one transaction: the adjustments added and updated,
an audit entry for each (as `records.write` makes them) and one for the file. A plan that
changes nothing writes nothing at all (the same file imported twice), and a plan made
before someone else changed the company is refused (`StalePlan`): plan again.

Rules a row is read by:
- The rep is found by name, email, payroll id or alias, compared as `profiles.normal`
  does (case and spaces folded); a name two reps go by matches neither.
- The month is written 2026-11, 11/2026, Nov 2026, November 2026, or as any date in it
  (03/04/2026 is read in the order the file's other dates prove, else refused).
- The amount is signed (a negative one is a deduction), in whole cents, not zero.
- The id is the file's (its ID, Adjustment ID, External ID or Reference column). A file
  without one gets an id made from the row's content (rep, month, amount and reason), so
  importing it again finds the same adjustments; a corrected row is then a new adjustment
  (the old one stays: delete it by hand), and two identical rows are one adjustment
  entered twice by mistake (the second is rejected). Give the file an id column to
  correct adjustments by re-importing.
- A row for a closed month (or one before the books start), or one changing an
  adjustment of a closed month, is rejected: that month's statements are final. The
  same row imported again after its month closed is unchanged, not rejected.
"""

from __future__ import annotations

import dataclasses
import hashlib
import re
from collections import Counter
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from pathlib import Path

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from icmdesk.domain import validation
from icmdesk.domain.calendar import Month, month_name
from icmdesk.domain.entities import NEW, Adjustment, CompanyData, PeriodStatus, Rep
from icmdesk.domain.errors import NotFoundError, Problem, ValidationError
from icmdesk.domain.imports.cells import (
    Ambiguous,
    CellError,
    DateOrder,
    currencies_of,
    parse_amount,
    read_date,
    regroup,
)
from icmdesk.domain.imports.deals import Change, Rejected, Rejection, SourceRow, text_of
from icmdesk.domain.imports.profiles import normal
from icmdesk.models import mapping
from icmdesk.models.database import CompanyFile
from icmdesk.models.tables import AdjustmentRow, AuditRow, PeriodRow
from icmdesk.models.types import cents
from icmdesk.services import audit, backups, records, store
from icmdesk.services.import_files import (
    Cancelled,
    FileRefused,
    Progress,
    Sheet,
    StalePlan,
    open_sheet,
)
from icmdesk.services.store import load_company, load_company_data, load_reps

__all__ = [
    "COLUMNS",
    "AdjustmentPlan",
    "AdjustmentResult",
    "Cancelled",
    "Change",
    "FileRefused",
    "PlannedAdjustment",
    "Rejected",
    "StalePlan",
    "UnchangedAdjustment",
    "adjustments_of",
    "commit_adjustments",
    "delete_adjustment",
    "entry_problem",
    "plan_adjustments",
    "report",
    "save_adjustment",
]

_STEP = 2_000  # rows between progress reports and cancel checks
_WRITE_CHUNK = 20_000  # rows per executemany

# The headers each field is recognised by (compared as `normal` does), in the order tried.
COLUMNS: Mapping[str, tuple[str, ...]] = {
    "rep": ("Rep", "Rep Name", "Payee", "Employee", "Email", "Payroll ID"),
    "month": ("Month", "Period", "Pay Period", "Date"),
    "amount": ("Amount", "Adjustment", "Value"),
    "reason": ("Reason", "Description", "Memo", "Note"),
    "id": ("ID", "Adjustment ID", "External ID", "Reference"),
}
REQUIRED = ("rep", "month", "amount", "reason")
DERIVED_PREFIX = "auto-"  # ids made from a row's content start so


# -- entering one adjustment ---------------------------------------------------------------


def _last_closed(session: Session) -> Month | None:
    return session.scalar(
        select(func.max(PeriodRow.month)).where(PeriodRow.status == PeriodStatus.CLOSED.value)
    )


def _month_problem(month: Month, last_closed: Month | None, books_start: Month | None) -> str:
    """Why an adjustment cannot be dated in `month` ("" when it can)."""
    if books_start is not None and month < books_start:
        return (
            f"{month_name(month)} is before the books start ({month_name(books_start)}): "
            "ICMDesk pays nothing before it."
        )
    if last_closed is not None and month <= last_closed:
        return (
            f"{month_name(month)} is closed: its statements are final. Enter the adjustment "
            f"in an open month ({month_name(last_closed.plus(1))} or later)."
        )
    return ""


def _stored_in_closed(month: Month, what: str) -> str:
    said = f" ({what})" if what else ""
    return (
        f"This adjustment is in {month_name(month)}, a closed month{said}: its statements "
        "are final, so it stays as it is"
    )


def entry_problem(cf: CompanyFile, month: Month) -> str:
    """Why adjustments of `month` cannot be added, changed or deleted ("" when they can)."""
    with cf.session() as session:
        return _month_problem(month, _last_closed(session), load_company(session).books_start)


def adjustments_of(cf: CompanyFile, rep_id: int, month: Month) -> tuple[Adjustment, ...]:
    """A rep's adjustments of a month, in the order they were entered."""
    with cf.session() as session:
        rows = session.scalars(
            select(AdjustmentRow)
            .where(AdjustmentRow.rep_id == rep_id, AdjustmentRow.month == month)
            .order_by(AdjustmentRow.id)
        )
        return tuple(mapping.adjustment_value(r) for r in rows)


def save_adjustment(cf: CompanyFile, adjustment: Adjustment) -> Adjustment:
    """Create (id NEW) or update an adjustment of an open month, in one unit of work:
    validated (all problems at once), written and audited through `records.write`. A
    closed month, before or after the edit, is refused (problem on "month")."""
    with cf.session() as session:
        last_closed, books_start = _last_closed(session), load_company(session).books_start
        problems: list[Problem] = []
        if adjustment.id != NEW:
            row = session.get(AdjustmentRow, adjustment.id)
            if row is None:
                raise NotFoundError(f"adjustment {adjustment.id} no longer exists")
            stored = mapping.adjustment_value(row)
            if stored == adjustment:
                return stored
            if stored.month != adjustment.month and _month_problem(
                stored.month, last_closed, books_start
            ):
                problems.append(Problem("month", _stored_in_closed(stored.month, "") + "."))
        now = _month_problem(adjustment.month, last_closed, books_start)
        if now:
            problems.append(Problem("month", now))
        problems += validation.validate_adjustment(
            adjustment, records.context(session, records.ADJUSTMENT, adjustment)
        )
        if problems:
            raise ValidationError(problems)
        return records.write(session, records.ADJUSTMENT, adjustment)


def delete_adjustment(cf: CompanyFile, adjustment_id: int) -> Adjustment:
    """Delete an adjustment of an open month (audited); returns what was deleted."""
    with cf.session() as session:
        row = session.get(AdjustmentRow, adjustment_id)
        if row is None:
            raise NotFoundError(f"adjustment {adjustment_id} no longer exists")
        books_start = load_company(session).books_start
        problem = _month_problem(row.month, _last_closed(session), books_start)
        if problem:
            raise ValidationError([Problem("month", problem)])
        return records.remove(session, records.ADJUSTMENT, adjustment_id)


# -- the plan -------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class PlannedAdjustment:
    """A row that adds an adjustment (adjustment_id None) or changes one (`changes`:
    each field's old → new, as people read them)."""

    row: int
    line: int
    external_id: str
    rep_id: int
    rep_name: str
    month: Month
    amount: Decimal
    reason: str
    adjustment_id: int | None = None
    changes: tuple[Change, ...] = ()

    def value(self) -> Adjustment:
        return Adjustment(
            self.rep_id,
            self.month,
            self.amount,
            self.reason,
            external_id=self.external_id,
            id=self.adjustment_id if self.adjustment_id is not None else NEW,
        )


@dataclass(frozen=True, slots=True)
class UnchangedAdjustment:
    row: int
    line: int
    external_id: str
    adjustment_id: int


@dataclass(frozen=True)
class AdjustmentPlan:
    """A file read and planned: every row in exactly one list. Commit it with
    `commit_adjustments`."""

    path: Path
    description: str  # "CSV, UTF-8, comma-separated"
    columns: Mapping[str, str]  # field ("rep", "month", ...) → the file's header
    derived_ids: bool  # the file has no id column: ids are made from each row's content
    stamp: int  # the latest audit entry when planned: the company as the plan saw it
    added: tuple[PlannedAdjustment, ...] = ()
    updated: tuple[PlannedAdjustment, ...] = ()
    unchanged: tuple[UnchangedAdjustment, ...] = ()
    rejected: tuple[Rejected, ...] = ()
    rep_names: Mapping[int, str] = field(default_factory=dict)

    @property
    def rows(self) -> int:
        return len(self.added) + len(self.updated) + len(self.unchanged) + len(self.rejected)

    @property
    def changes(self) -> int:
        """How many adjustments committing writes (0: committing writes nothing)."""
        return len(self.added) + len(self.updated)

    @property
    def summary(self) -> str:
        """ "3 added, 1 updated, 2 unchanged, 1 rejected" (the counts that are not zero;
        "nothing" for a plan with no rows)."""
        return _summary(len(self.added), len(self.updated), len(self.unchanged), len(self.rejected))


@dataclass(frozen=True, slots=True)
class AdjustmentResult:
    """What a commit wrote."""

    added: int
    updated: int
    unchanged: int
    rejected: int

    @property
    def changed(self) -> bool:
        return bool(self.added or self.updated)

    @property
    def summary(self) -> str:
        return _summary(self.added, self.updated, self.unchanged, self.rejected)


def _summary(added: int, updated: int, unchanged: int, rejected: int) -> str:
    parts = [
        f"{n:,} {what}"
        for n, what in (
            (added, "added"),
            (updated, "updated"),
            (unchanged, "unchanged"),
            (rejected, "rejected"),
        )
        if n
    ]
    return ", ".join(parts) or "nothing"


def find_columns(headers: Iterable[str]) -> dict[str, str]:
    """The file's header for each field it has (the first recognised, case and spaces
    folded)."""
    by_normal: dict[str, str] = {}
    for h in headers:
        by_normal.setdefault(normal(h), h)
    found: dict[str, str] = {}
    for name, candidates in COLUMNS.items():
        for candidate in candidates:
            header = by_normal.get(normal(candidate))
            if header is not None and header not in found.values():
                found[name] = header
                break
    return found


def plan_adjustments(
    cf: CompanyFile,
    path: Path,
    *,
    progress: Progress | None = None,
    cancelled: Callable[[], bool] | None = None,
) -> AdjustmentPlan:
    """Read the whole file and say what importing it would do; writes nothing. Raises
    FileRefused when the file cannot be read or lacks a needed column (code "columns"),
    Cancelled when `cancelled` says so."""
    path = Path(path)
    sheet = _open(path)
    try:
        columns = find_columns(sheet.headers)
        missing = [f for f in REQUIRED if f not in columns]
        if missing:
            lacking = _and(COLUMNS[f][0] for f in missing)
            raise FileRefused(
                "columns",
                f"{path.name} has no {lacking} column, so it is not a bulk adjustment "
                f"file. It needs columns for {_expected()} (an ID column is optional); "
                f"its columns are {_and(sheet.headers[:12])}.",
            )
        with cf.session() as session:
            stamp = session.scalar(select(func.max(AuditRow.id))) or 0
            reader = _Reader(sheet.headers, columns, _context(session))
            for n, row in enumerate(sheet.rows, 1):
                if n % _STEP == 0:
                    if cancelled is not None and cancelled():
                        raise Cancelled()
                    if progress is not None:
                        progress(sheet.position(), sheet.total, f"Reading row {row.number:,}")
                reader.read(row)
            if progress is not None:
                progress(sheet.total, sheet.total, "Comparing with the adjustments stored")
            planned = reader.finish(_stored_by_external_id(session))
    finally:
        sheet.release()
    return AdjustmentPlan(
        path=path,
        description=sheet.description,
        columns=columns,
        derived_ids="id" not in columns,
        stamp=stamp,
        rep_names=reader.ctx.rep_names,
        **planned,
    )


def _open(path: Path) -> Sheet:
    """The file opened, with messages about adjustments (not deals) where it is refused."""
    try:
        return open_sheet(path)
    except FileRefused as e:
        if e.code == "header_only":
            raise FileRefused(
                e.code, f"{path.name} has a header row but no adjustments under it."
            ) from None
        if e.code == "no_header":
            raise FileRefused(
                e.code,
                f"{path.name} has no header row: the first row must name the columns "
                f"({_expected()}).",
            ) from None
        raise


def _expected() -> str:
    return _and([COLUMNS[f][0] for f in REQUIRED])


def _and(items: Iterable[str]) -> str:
    shown = [str(i) for i in items]
    if len(shown) <= 1:
        return "".join(shown)
    return f"{', '.join(shown[:-1])} and {shown[-1]}"


@dataclass(frozen=True)
class _Context:
    currency: str
    reps: Mapping[str, int]  # a normal()ised name, email, payroll id or alias → the rep
    clashes: frozenset[str]  # names two reps or more go by
    rep_names: Mapping[int, str]
    last_closed: Month | None
    books_start: Month | None
    data: CompanyData  # what validating an adjustment looks at (reps; no adjustments)


def _context(session: Session) -> _Context:
    company = load_company(session)
    reps = load_reps(session)
    owners: dict[str, int] = {}
    clashes: set[str] = set()
    for rep in reps:
        for name in _names(rep):
            key = normal(name)
            if not key:
                continue
            if owners.get(key, rep.id) != rep.id:
                clashes.add(key)
            owners[key] = rep.id
    for key in clashes:
        del owners[key]
    data = load_company_data(session, deals=False, history=False, snapshots=False)
    return _Context(
        currency=company.currency.upper(),
        reps=owners,
        clashes=frozenset(clashes),
        rep_names={r.id: r.name for r in reps},
        last_closed=_last_closed(session),
        books_start=company.books_start,
        # Only the reps: ids are checked against the file and the stored ones here.
        data=dataclasses.replace(data, adjustments=(), assignments=(), plans=(), roles=()),
    )


def _names(rep: Rep) -> tuple[str, ...]:
    return (rep.name, rep.email, rep.payroll_id, *rep.aliases)


def _stored_by_external_id(session: Session) -> dict[str, Adjustment]:
    rows = session.scalars(select(AdjustmentRow).where(AdjustmentRow.external_id != ""))
    return {r.external_id: mapping.adjustment_value(r) for r in rows}


@dataclass(slots=True)
class _Pending:
    row: int
    line: int
    external_id: str  # "" until derived (no id column)
    rep_id: int
    month: Month | Ambiguous
    proves: DateOrder | None
    amount: Decimal
    amount_text: str  # kept when the amount may read otherwise in this file (see regroup)
    reason: str


_YEAR_MONTH = re.compile(r"^(\d{4})\s*[-/.]\s*(\d{1,2})$")  # 2026-11
_MONTH_YEAR = re.compile(r"^(\d{1,2})\s*[-/.]\s*(\d{4})$")  # 11/2026
_NAMED_MONTH = re.compile(r"^([A-Za-z]{3,9})\.?[\s,'-]*(\d{4})$")  # Nov 2026, November 2026
_MONTHS = {
    date(2000, m, 1).strftime(fmt).lower(): m for m in range(1, 13) for fmt in ("%b", "%B")
} | {"sept": 9}


class _Reader:
    """Pass one reads each row (`read`); pass two (`finish`) settles what needs the whole
    file (the date order, the decimal mark, ids made from content, duplicates) and compares
    with the stored adjustments."""

    def __init__(self, headers: tuple[str, ...], columns: Mapping[str, str], ctx: _Context):
        self.ctx = ctx
        position = {h: i for i, h in reversed(list(enumerate(headers)))}
        self.index = {f: position[h] for f, h in columns.items()}
        self.has_id = "id" in columns
        self.pending: list[_Pending] = []
        self.rejected: list[Rejected] = []
        self.seen: dict[str, int] = {}  # the file's ids → the row that has it first
        self.proven: Counter[DateOrder] = Counter()
        self.marks: Counter[str] = Counter()

    def _cell(self, row: SourceRow, name: str) -> object:
        i = self.index.get(name)
        return row.cells[i] if i is not None and i < len(row.cells) else ""

    def read(self, row: SourceRow) -> None:
        external_id = text_of(self._cell(row, "id")) if self.has_id else ""
        try:
            self.pending.append(self._read(row, external_id))
        except Rejection as r:
            self.rejected.append(Rejected(row.number, row.line, external_id, r.code, r.reason))

    def _read(self, row: SourceRow, external_id: str) -> _Pending:
        if self.has_id:
            if not external_id:
                raise Rejection(
                    "id_missing",
                    "there is no id (the file has an id column: each adjustment needs its own)",
                )
            first = self.seen.get(external_id)
            if first is not None:
                raise Rejection(
                    "duplicate_id",
                    f"the id {external_id} is on row {first} already (only the first is read)",
                )
            self.seen[external_id] = row.number
        rep_id = self._rep(row)
        month, proves = self._month(row)
        amount, amount_text = self._amount(row)
        reason = " ".join(text_of(self._cell(row, "reason")).split())
        pending = _Pending(
            row.number, row.line, external_id, rep_id, month, proves, amount, amount_text, reason
        )
        if not isinstance(month, Ambiguous):
            self._check(pending)
        return pending

    def _rep(self, row: SourceRow) -> int:
        text = " ".join(text_of(self._cell(row, "rep")).split())
        if not text:
            raise Rejection("rep_missing", "there is no rep")
        key = normal(text)
        rep_id = self.ctx.reps.get(key)
        if rep_id is not None:
            return rep_id
        if key in self.ctx.clashes:
            raise Rejection(
                "rep_ambiguous",
                f'two reps or more go by "{text}": name the rep by email or payroll id',
            )
        raise Rejection(
            "rep_unknown",
            f'no rep goes by "{text}" (name, email, payroll id or alias): add the rep, or '
            "the name as an alias of theirs, then import again",
        )

    def _month(self, row: SourceRow) -> tuple[Month | Ambiguous, DateOrder | None]:
        cell = self._cell(row, "month")
        text = text_of(cell)
        if not text:
            raise Rejection("month_missing", "there is no month")
        if isinstance(cell, str):
            found = _YEAR_MONTH.match(text) or _MONTH_YEAR.match(text)
            if found:
                a, b = found.groups()
                year, number = (int(a), int(b)) if len(a) == 4 else (int(b), int(a))
                return self._made(year, number, text), None
            found = _NAMED_MONTH.match(text)
            if found:
                number = _MONTHS.get(found[1].lower())
                if number is not None:
                    return self._made(int(found[2]), number, text), None
        try:
            read = read_date(cell)
        except CellError as e:
            if e.code in ("date_missing", "date_not_date"):
                raise Rejection(
                    "month_not_month",
                    f'"{text}" is not a month (write it as 2026-11, 11/2026 or Nov 2026)',
                ) from None
            raise Rejection(e.code, e.message) from None
        if read.proves is not None:
            self.proven[read.proves] += 1
        if isinstance(read.value, Ambiguous):
            return read.value, None
        return Month.of(read.value), read.proves

    @staticmethod
    def _made(year: int, number: int, text: str) -> Month:
        try:
            return Month(year, number)
        except ValueError:
            raise Rejection(
                "month_not_month", f'"{text}" is not a month (there is no month {number})'
            ) from None

    def _amount(self, row: SourceRow) -> tuple[Decimal, str]:
        cell = self._cell(row, "amount")
        try:
            amount = parse_amount(cell)
        except CellError as e:
            raise Rejection(e.code, e.message) from None
        if amount.currency and self.ctx.currency not in currencies_of(amount.currency):
            raise Rejection(
                "currency",
                f"the amount is in {amount.currency}, but the company's amounts are in "
                f"{self.ctx.currency}",
            )
        if amount.value == 0:
            raise Rejection("amount_zero", "the amount is zero (an adjustment changes pay)")
        if amount.mark:
            self.marks[amount.mark] += 1
        return amount.value, text_of(cell) if amount.grouped else ""

    def _check(self, p: _Pending) -> None:
        """The rules an adjustment is validated by (validation.validate_adjustment)."""
        assert isinstance(p.month, Month)
        value = Adjustment(p.rep_id, p.month, p.amount, p.reason, external_id=p.external_id)
        problems = validation.validate_adjustment(value, self.ctx.data)
        if problems:
            first = problems[0]
            code = {
                "reason": "reason_missing" if not p.reason else "too_long",
                "external_id": "too_long",
                "amount": "amount_not_cents",
                "rep_id": "rep_unknown",
            }.get(first.field, "invalid")
            raise Rejection(code, _sentence(first.message))

    def finish(self, stored: Mapping[str, Adjustment]) -> dict[str, tuple[object, ...]]:
        order = None
        if self.proven:
            (order, n), *rest = self.proven.most_common()
            if rest and rest[0][1] == n:
                order = None
        file_mark = self.marks.most_common(1)[0][0] if self.marks else None
        added: list[PlannedAdjustment] = []
        updated: list[PlannedAdjustment] = []
        unchanged: list[UnchangedAdjustment] = []
        derived: dict[str, int] = {}
        for p in self.pending:
            try:
                if isinstance(p.month, Ambiguous):
                    if order is None:
                        raise Rejection(
                            "month_ambiguous",
                            f'the date "{p.month.text}" reads two ways (day or month first?): '
                            "write the month as 2026-11 or Nov 2026",
                        )
                    p.month = Month.of(p.month.resolve(order))
                    self._check(p)
                elif order is not None and p.proves not in (None, order):
                    raise Rejection(
                        "date_order",
                        f"the date reads only {'month' if p.proves is DateOrder.MDY else 'day'} "
                        "first, but this file's other dates are written the other way: one of "
                        "them is wrong",
                    )
                if p.amount_text and file_mark:
                    regroup(parse_amount(p.amount_text), p.amount_text, file_mark)
                if not self.has_id:
                    p.external_id = _derived_id(p)
                    first = derived.get(p.external_id)
                    if first is not None:
                        raise Rejection(
                            "duplicate",
                            f"the same adjustment as row {first} (rep, month, amount and "
                            "reason): entered twice? Give the file an ID column if both are "
                            "meant",
                        )
                    derived[p.external_id] = p.row
                self._compare(p, stored.get(p.external_id), added, updated, unchanged)
            except CellError as e:
                self.rejected.append(Rejected(p.row, p.line, p.external_id, e.code, e.message))
            except Rejection as r:
                self.rejected.append(Rejected(p.row, p.line, p.external_id, r.code, r.reason))
        return {
            "added": tuple(added),
            "updated": tuple(updated),
            "unchanged": tuple(unchanged),
            "rejected": tuple(sorted(self.rejected, key=lambda r: r.row)),
        }

    def _compare(
        self,
        p: _Pending,
        old: Adjustment | None,
        added: list[PlannedAdjustment],
        updated: list[PlannedAdjustment],
        unchanged: list[UnchangedAdjustment],
    ) -> None:
        assert isinstance(p.month, Month)
        names = self.ctx.rep_names
        planned = PlannedAdjustment(
            p.row,
            p.line,
            p.external_id,
            p.rep_id,
            names.get(p.rep_id, f"rep #{p.rep_id}"),
            p.month,
            p.amount,
            p.reason,
        )
        new = planned.value()
        if old is not None and dataclasses.replace(new, id=old.id) == old:
            # As stored: unchanged, even once its month has closed.
            unchanged.append(UnchangedAdjustment(p.row, p.line, p.external_id, old.id))
            return
        problem = _month_problem(p.month, self.ctx.last_closed, self.ctx.books_start)
        if problem:
            code = "month_closed" if "closed" in problem else "before_books_start"
            raise Rejection(code, _sentence(problem))
        if old is None:
            added.append(planned)
            return
        # The stored one must be in an open month too: changing it would rewrite a final
        # statement.
        if _month_problem(old.month, self.ctx.last_closed, self.ctx.books_start):
            raise Rejection(
                "month_closed", _sentence(_stored_in_closed(old.month, "the row changes it"))
            )
        changes = []
        for name, before, after in (
            ("rep", names.get(old.rep_id, f"rep #{old.rep_id}"), planned.rep_name),
            ("month", str(old.month), str(new.month)),
            ("amount", f"{old.amount:f}", f"{new.amount:f}"),
            ("reason", old.reason, new.reason),
        ):
            if before != after:
                changes.append(Change(name, before, after))
        updated.append(dataclasses.replace(planned, adjustment_id=old.id, changes=tuple(changes)))


def _derived_id(p: _Pending) -> str:
    """An id made from what the row says, the same every time the file is read."""
    text = "\x1f".join((str(p.rep_id), str(p.month), f"{p.amount:f}", normal(p.reason)))
    return DERIVED_PREFIX + hashlib.sha256(text.encode()).hexdigest()[:16]


def _sentence(message: str) -> str:
    """A problem's message as a rejected row's reason: no full stop, and "The amount…"
    as "the amount…" (a month's name keeps its capital)."""
    text = message.rstrip(".")
    first = text.split(" ", 1)[0]
    return text[:1].lower() + text[1:] if first in ("The", "An", "A", "This") else text


# -- commit ---------------------------------------------------------------------------------


def commit_adjustments(
    cf: CompanyFile, plan: AdjustmentPlan, *, progress: Progress | None = None
) -> AdjustmentResult:
    """Write a plan in one transaction (see the module's docstring). A plan with nothing to
    add or change opens no transaction at all."""
    result = AdjustmentResult(
        len(plan.added), len(plan.updated), len(plan.unchanged), len(plan.rejected)
    )
    if not plan.changes:
        return result
    backups.before_import(cf.path)  # from the Periods view and the command line alike
    with cf.session() as session:
        if (session.scalar(select(func.max(AuditRow.id))) or 0) != plan.stamp:
            raise StalePlan(
                "The company changed since this file was read (someone saved an edit): "
                "read the file again to see what it would change now."
            )
        done = 0

        def step(n: int) -> None:
            nonlocal done
            done += n
            if progress is not None:
                progress(done, plan.changes, f"Writing adjustment {done:,} of {plan.changes:,}")

        months: set[Month] = set()
        what = f"Import adjustments from {plan.path.name}"
        # Written past `records.write`: noted for its Changes (Undo).
        with records.importing(session, "adjustment", plan.changes, what) as kept:
            kept.added(_insert_added(session, plan.added, months, step))
            _apply_updates(session, plan.updated, months, step, kept)
            store.mark_dirty(session, months, f"adjustments imported from {plan.path.name}")
        audit.record(
            session,
            action="import",
            entity="adjustments",
            entity_id=plan.path.name[:100],
            after=f"{plan.path.name} ({plan.description}): {plan.summary}",
        )
    return result


def _insert_added(
    session: Session,
    added: tuple[PlannedAdjustment, ...],
    months: set[Month],
    step: Callable[[int], None],
) -> range:
    """Many rows through the driver's executemany, with the audit entries `records.write`
    would make for each (a create: the whole value, no field). Returns their ids."""
    if not added:
        return range(0)
    conn = session.connection()
    next_id = (session.scalar(select(func.max(AdjustmentRow.id))) or 0) + 1
    at, user = audit.now_text(), audit.current_user()
    chain = audit.Chain(session)
    for start in range(0, len(added), _WRITE_CHUNK):
        chunk = added[start : start + _WRITE_CHUNK]
        rows, entries = [], []
        for i, p in enumerate(chunk):
            value = dataclasses.replace(p.value(), id=next_id + start + i)
            rows.append(
                (value.id, value.rep_id, str(value.month), cents(value.amount), value.reason,
                 value.external_id)
            )  # fmt: skip
            entries.append((at, "create", str(value.id), "", "", audit.display(value), user))
            months.add(value.month)
        conn.exec_driver_sql(
            "INSERT INTO adjustments (id, rep_id, month, amount, reason, external_id)"
            " VALUES (?, ?, ?, ?, ?, ?)",
            rows,
        )
        conn.exec_driver_sql(audit.INSERT_SQL, chain.extend("adjustment", entries))
        step(len(chunk))
    chain.save(session)
    return range(next_id, next_id + len(added))


def _apply_updates(
    session: Session,
    updated: tuple[PlannedAdjustment, ...],
    months: set[Month],
    step: Callable[[int], None],
    kept: records.ImportKept,
) -> None:
    """Changed rows, with an audit entry per changed field (as `records.write` makes);
    `kept` is told each one's value before."""
    if not updated:
        return
    conn = session.connection()
    at, user = audit.now_text(), audit.current_user()
    chain = audit.Chain(session)
    for start in range(0, len(updated), _WRITE_CHUNK):
        chunk = updated[start : start + _WRITE_CHUNK]
        ids = [p.adjustment_id for p in chunk]
        before_of = {
            r.id: mapping.adjustment_value(r)
            for r in session.scalars(select(AdjustmentRow).where(AdjustmentRow.id.in_(ids)))
        }
        rows, entries = [], []
        for p in chunk:
            assert p.adjustment_id is not None
            before = before_of[p.adjustment_id]
            kept.updated(p.adjustment_id, before)
            after = p.value()
            rows.append(
                (after.rep_id, str(after.month), cents(after.amount), after.reason, after.id)
            )
            entries += [
                (at, "update", str(after.id), field, old, new, user)
                for field, old, new in audit.changed_fields(before, after)
            ]
            months.update({before.month, after.month})
        conn.exec_driver_sql(
            "UPDATE adjustments SET rep_id = ?, month = ?, amount = ?, reason = ? WHERE id = ?",
            rows,
        )
        conn.exec_driver_sql(audit.INSERT_SQL, chain.extend("adjustment", entries))
        step(len(chunk))
    chain.save(session)


def report(plan: AdjustmentPlan, result: AdjustmentResult | None) -> dict[str, object]:
    """A plan (and whether it was committed) as one JSON object (`import-adjustments
    --json`)."""
    return {
        "file": str(plan.path),
        "format": plan.description,
        "columns": dict(plan.columns),
        "derived_ids": plan.derived_ids,
        "imported": result is not None,  # committed (not a dry run)
        "written": result is not None and result.changed,  # the company file changed
        "counts": {
            "rows": plan.rows,
            "added": len(plan.added),
            "updated": len(plan.updated),
            "unchanged": len(plan.unchanged),
            "rejected": len(plan.rejected),
        },
        "added": [p.external_id for p in plan.added],
        "updated": [p.external_id for p in plan.updated],
        "unchanged": [u.external_id for u in plan.unchanged],
        "changes": {
            p.external_id: [{"field": c.field, "old": c.old, "new": c.new} for c in p.changes]
            for p in plan.updated
        },
        "rejected": [
            {"row": r.row, "line": r.line, "id": r.external_id, "code": r.code, "reason": r.reason}
            for r in plan.rejected
        ],
    }
