"""Importing deals from the files CRMs export: look at the file, plan, then commit.

`inspect_file` reads a file's header and proposes a mapping (the one saved for that
layout, else the CRM profile's). `plan_import` reads every row through a mapping against
the company as it is and says what each would do (domain.imports.deals); it writes
nothing. `commit_import` writes a plan in one transaction: the deals added and updated,
their credits, an audit entry for each deal and one for the file, the closed months it
touches marked for re-verification, the owners the user mapped kept as rep aliases and
the mapping saved for the next file. A plan that changes nothing writes nothing (the same
file imported twice), and a plan made before someone else changed the company is refused
(`StalePlan`): plan again.

Writes go through Core with the driver's executemany: a million-row file is three
million rows written (deals, credits, audit entries), which the ORM's unit of work
would take minutes over.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import queue
import threading
from collections import defaultdict
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from pathlib import Path

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from icmdesk.domain import validation
from icmdesk.domain.calendar import Month
from icmdesk.domain.company_codec import canonical_mapping
from icmdesk.domain.entities import Credit, PeriodStatus
from icmdesk.domain.errors import ValidationError
from icmdesk.domain.imports.deals import (
    Context,
    DealImportPlan,
    ExistingDeal,
    PlannedDeal,
    plan_deals,
)
from icmdesk.domain.imports.profiles import BY_KEY, GENERIC, Profile, detect, normal
from icmdesk.domain.imports.profiles import Mapping as ImportMapping
from icmdesk.domain.validation import CreditRules
from icmdesk.models.database import CompanyFile
from icmdesk.models.tables import AuditRow, DealRow, ImportMappingRow, PeriodRow
from icmdesk.models.types import cents, percent_units
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

_STEP = 5_000  # rows between progress reports and cancel checks
_WRITE_CHUNK = 20_000  # rows per executemany


@dataclass(frozen=True)
class FileInfo:
    """A file looked at: what it is, its columns, the layout it was recognised as and the
    mapping proposed for it (saved from the last file of that layout, or the profile's)."""

    path: Path
    description: str
    header_row: int
    headers: tuple[str, ...]
    profile: Profile
    key: str  # the saved mapping's key for this layout
    mapping: ImportMapping
    saved: bool  # the mapping is the one saved for this layout


@dataclass(frozen=True)
class ImportPlan:
    """A file read and planned: commit it with `commit_import`."""

    info: FileInfo
    plan: DealImportPlan
    stamp: int  # the latest audit entry when planned: the company as the plan saw it
    currency: str


@dataclass(frozen=True)
class ImportResult:
    added: int
    updated: int
    unchanged: int
    skipped: int
    rejected: int
    aliases: tuple[tuple[str, str], ...] = ()  # (owner, rep name) remembered
    dirty_months: tuple[Month, ...] = ()  # closed months the import re-opens for checking

    @property
    def changed(self) -> bool:
        return bool(self.added or self.updated or self.aliases)


@dataclass(frozen=True)
class Answers:
    """What the questions about a file offer: the reps an owner can be mapped to (id to
    name, by id) and the deal types a CRM's type can be mapped to."""

    rep_names: dict[int, str]
    deal_types: tuple[str, ...]


def answers(cf: CompanyFile) -> Answers:
    """The choices for the questions a planned file leaves open, read in one unit of work."""
    with cf.session() as session:
        names = {r.id: r.name for r in load_reps(session)}
        company = load_company(session)
    return Answers(names, company.all_deal_types)


def rep_names(cf: CompanyFile) -> dict[int, str]:
    """Every rep's name by id (in id order), to show who the rows of a plan credit."""
    with cf.session() as session:
        return {r.id: r.name for r in load_reps(session)}


def mapping_key(profile: Profile, headers: Sequence[str]) -> str:
    """The key a layout's mapping is saved under: the CRM's name, or for any other file
    its columns (the same spreadsheet next month has the same columns)."""
    if profile.key != GENERIC.key:
        return profile.key
    text = "\x1f".join(sorted(normal(h) for h in headers))
    return f"generic:{hashlib.sha1(text.encode()).hexdigest()[:16]}"


def inspect_file(cf: CompanyFile, path: Path, profile: str = "auto") -> FileInfo:
    """Look at a file: FileRefused says why it cannot be imported at all."""
    sheet = open_sheet(Path(path))
    sheet.release()
    chosen = detect(sheet.headers) if profile == "auto" else BY_KEY[profile]
    key = mapping_key(chosen, sheet.headers)
    proposed = chosen.mapping(sheet.headers)
    with cf.session() as session:
        stored = session.get(ImportMappingRow, key)
        saved = ImportMapping.from_json(json.loads(stored.payload)) if stored else None
    mapping = _fit(saved, proposed, sheet.headers) if saved else proposed
    return FileInfo(
        sheet.path,
        sheet.description,
        sheet.header_row,
        sheet.headers,
        chosen,
        key,
        mapping,
        saved is not None,
    )


def _fit(saved: ImportMapping, proposed: ImportMapping, headers: Sequence[str]) -> ImportMapping:
    """A saved mapping for this file: its columns that the file still has, the profile's
    for the rest."""
    present = set(headers)
    columns = {f: h for f, h in proposed.columns.items()}
    columns.update({f: h for f, h in saved.columns.items() if h in present})
    return dataclasses.replace(saved, columns=columns)


def merge_mapping(
    base: ImportMapping, extra: ImportMapping, given: dict[str, object]
) -> ImportMapping:
    """`base` with what a mapping file (`--mapping`) gives: the keys present in it win."""
    merged = base
    if "columns" in given:
        merged = dataclasses.replace(merged, columns={**merged.columns, **extra.columns})
    if "won" in given:
        merged = dataclasses.replace(merged, won=extra.won)
    if "date_order" in given:
        merged = dataclasses.replace(merged, date_order=extra.date_order)
    if "deal_types" in given:
        merged = dataclasses.replace(merged, deal_types={**merged.deal_types, **extra.deal_types})
    if "owners" in given:
        merged = dataclasses.replace(merged, owners={**merged.owners, **extra.owners})
    return merged


def plan_import(
    cf: CompanyFile,
    info: FileInfo,
    mapping: ImportMapping | None = None,
    *,
    progress: Progress | None = None,
    cancelled: Callable[[], bool] | None = None,
) -> ImportPlan:
    """Read the whole file through `mapping` (default: the proposed one) and plan it.
    Raises FileRefused when the file cannot be read or lacks a needed column, Cancelled
    when `cancelled` says so."""
    mapping = mapping or info.mapping
    missing = mapping.missing()
    if missing:
        names = ", ".join(f.title.lower() for f in missing)
        raise FileRefused(
            "columns",
            f"{info.path.name} has no column for the {names} (choose the columns that hold them).",
        )
    absent = [h for h in mapping.columns.values() if h not in info.headers]
    if absent:
        raise FileRefused(
            "columns",
            f"{info.path.name} has no column {', '.join(repr(h) for h in absent)}: "
            "it is not laid out as the mapping says.",
        )
    sheet = open_sheet(info.path)
    if sheet.headers != info.headers:
        sheet.release()
        raise FileRefused(
            "changed", f"{info.path.name} changed since it was opened: open it again."
        )
    rows = _watched(sheet, progress, cancelled)
    with cf.session() as session:
        stamp = session.scalar(select(func.max(AuditRow.id))) or 0
        context = _context(session)
        try:
            with store.bulk_objects():
                plan = plan_deals(
                    sheet.headers,
                    rows,
                    mapping,
                    context,
                    lambda ids: _lookup(session, ids),
                )
        finally:
            sheet.release()
    return ImportPlan(info, plan, stamp, context.currency)


def _watched(
    sheet: Sheet, progress: Progress | None, cancelled: Callable[[], bool] | None
) -> Iterator:  # type: ignore[type-arg]
    if progress is None and cancelled is None:
        yield from sheet.rows
        return
    for n, row in enumerate(sheet.rows, 1):
        if n % _STEP == 0:
            if cancelled is not None and cancelled():
                raise Cancelled()
            if progress is not None:
                progress(sheet.position(), sheet.total, f"Reading row {row.number:,}")
        yield row
    if progress is not None:
        progress(sheet.total, sheet.total, "Comparing with your deals")


def _context(session: Session) -> Context:
    company = load_company(session)
    data = load_company_data(session, deals=False, history=False, snapshots=False)
    owners: dict[str, int] = {}
    clashes: set[str] = set()
    reps = load_reps(session)
    for rep in reps:
        for name in (rep.name, rep.email, *rep.aliases):
            key = normal(name)
            if not key:
                continue
            if owners.get(key, rep.id) != rep.id:
                clashes.add(key)  # two reps go by it: the user says which
            owners[key] = rep.id
    for key in clashes:
        del owners[key]
    last_closed = _last_closed(session)
    rules = CreditRules(data)
    return Context(
        currency=company.currency,
        deal_types=frozenset(company.all_deal_types),
        owners=owners,
        rep_names={r.id: r.name for r in reps},
        last_closed=last_closed,
        books_start=company.books_start,
        first_open=last_closed.plus(1) if last_closed else None,
        credit_problem=rules.problem,
    )


def _last_closed(session: Session) -> Month | None:
    return session.scalar(
        select(func.max(PeriodRow.month)).where(PeriodRow.status == PeriodStatus.CLOSED.value)
    )


_CENT = Decimal("0.01")
_PCT = Decimal("0.0001")


def _lookup(session: Session, external_ids: list[str]) -> dict[str, ExistingDeal]:
    """The stored deals with these external ids (one query for the deals, one for their
    credits)."""
    conn = session.connection()
    found = conn.exec_driver_sql(
        "SELECT d.id, d.external_id, d.name, d.customer, d.amount, d.close_date, d.deal_type,"
        " d.cancellation_date FROM deals d JOIN json_each(?) j ON d.external_id = j.value",
        (json.dumps(external_ids),),
    ).fetchall()
    if not found:
        return {}
    credits: dict[int, list[Credit]] = defaultdict(list)
    for deal_id, rep_id, split in conn.exec_driver_sql(
        "SELECT c.deal_id, c.rep_id, c.split_pct FROM credits c JOIN json_each(?) j"
        " ON c.deal_id = j.value ORDER BY c.deal_id, c.position",
        (json.dumps([row[0] for row in found]),),
    ):
        credits[deal_id].append(Credit(rep_id, store._percent(split)))
    return {
        external_id: ExistingDeal(
            deal_id,
            external_id,
            name,
            customer,
            (Decimal(amount) * _CENT),
            date.fromisoformat(close),
            deal_type,
            tuple(credits[deal_id]),
            date.fromisoformat(cancelled) if cancelled else None,
        )
        for deal_id, external_id, name, customer, amount, close, deal_type, cancelled in found
    }


# -- commit ---------------------------------------------------------------------------------


def commit_import(
    cf: CompanyFile, planned: ImportPlan, *, progress: Progress | None = None
) -> ImportResult:
    """Write a plan in one transaction (see the module's docstring)."""
    plan = planned.plan
    if plan.questions:
        raise ValueError("the plan has unanswered questions (owners or the date order)")
    if plan.changes:
        backups.before_import(cf.path)  # from the wizard and the command line alike
    with cf.session() as session:
        if (session.scalar(select(func.max(AuditRow.id))) or 0) != planned.stamp:
            raise StalePlan(
                "The company changed since this file was read (someone saved an edit): "
                "read the file again to see what it would change now."
            )
        aliases = _remember_owners(session, plan.mapping)
        _save_mapping(session, planned.info.key, plan.mapping)
        total = plan.changes
        done = 0

        def step(n: int) -> None:
            nonlocal done
            done += n
            if progress is not None:
                progress(done, total, f"Writing deal {done:,} of {total:,}")

        months: set[Month] = set()
        name = planned.info.path.name
        # Its rows go in through Core, past `records.write`: noted for its Changes (Undo).
        with records.importing(session, "deal", plan.changes, f"Import deals from {name}") as kept:
            _large_cache(session, plan.changes)
            with store.bulk_objects(), _indexes_built_after(session, len(plan.added)):
                kept.added(_insert_added(session, plan.added, months, step))
                _apply_updates(session, plan.updated, months, step, kept)
            if plan.changes:
                _record_file(session, planned, plan)
            store.mark_dirty(session, months, f"deals imported from {name}")
        last_closed = _last_closed(session)
        dirty = tuple(sorted(m for m in months if last_closed and m <= last_closed))
    return ImportResult(
        len(plan.added),
        len(plan.updated),
        len(plan.unchanged),
        len(plan.skipped),
        len(plan.rejected),
        aliases,
        dirty,
    )


def _large_cache(session: Session, changes: int) -> None:
    """Room in SQLite's page cache for a big import's index pages (the default 2 MB makes
    each insert into the deals' and the audit log's indexes read pages back from disk):
    for this connection, up to 256 MB, as much as the rows need; the pool's reset leaves
    it to the next user, for whom a larger cache is only faster."""
    if changes > 10_000:
        kib = min(262_144, 2_048 + changes // 4)
        session.connection().exec_driver_sql(f"PRAGMA cache_size = -{kib}")
        # Sorting for the indexes made again after the rows (_indexes_built_after) in
        # memory rather than in temporary files.
        session.connection().exec_driver_sql("PRAGMA temp_store = MEMORY")


def _remember_owners(session: Session, mapping: ImportMapping) -> tuple[tuple[str, str], ...]:
    """Owners the user mapped to a rep become that rep's aliases (the next file matches
    them by itself): saved through the one write path, as a rep edit."""
    wanted: dict[int, list[str]] = defaultdict(list)
    for owner, rep_id in mapping.owners.items():
        if rep_id is not None and owner.strip():
            wanted[rep_id].append(" ".join(owner.split()))
    remembered: list[tuple[str, str]] = []
    for rep in load_reps(session):
        known = {normal(n) for n in (rep.name, rep.email, *rep.aliases)}
        new = [o for o in wanted.get(rep.id, ()) if normal(o) not in known]
        if new:
            changed = dataclasses.replace(rep, aliases=(*rep.aliases, *new))
            problems = validation.validate_rep(
                changed, records.context(session, records.REP, changed)
            )
            if problems:
                raise ValidationError(problems)
            records.write(session, records.REP, changed)
            remembered += [(o, rep.name) for o in new]
    return tuple(remembered)


def _save_mapping(session: Session, key: str, mapping: ImportMapping) -> None:
    """Keep the mapping for the next file of this layout: the owners mapped to reps are
    aliases now, the skipped ones stay skipped."""
    kept = dataclasses.replace(
        mapping, owners={o: r for o, r in mapping.owners.items() if r is None}
    )
    payload = canonical_mapping(kept)
    row = session.get(ImportMappingRow, key)
    if row is None:
        session.add(ImportMappingRow(key=key, payload=payload))
    elif row.payload != payload:
        row.payload = payload
    session.flush()


def _insert_added(
    session: Session, added: Sequence[PlannedDeal], months: set[Month], step: Callable[[int], None]
) -> range:
    """Insert the new deals; returns their ids."""
    if not added:
        return range(0)
    next_id = (session.scalar(select(func.max(DealRow.id))) or 0) + 1
    at, user = audit.now_text(), audit.current_user()
    # Per credits value (one shared by every deal of a rep): its audit text and its rows.
    by_credits: dict[int, tuple[str, list[tuple[int, int, int]]]] = {}
    days: set[date] = set()
    chain = audit.Chain(session)
    with _Writer(session) as writer:
        for start in range(0, len(added), _WRITE_CHUNK):
            chunk = added[start : start + _WRITE_CHUNK]
            deals, credits, entries = [], [], []
            for i, p in enumerate(chunk):
                deal_id = next_id + start + i
                assert p.credits is not None
                close = p.close_date.isoformat()
                deals.append(
                    (
                        deal_id,
                        p.external_id,
                        p.customer,
                        cents(p.amount),
                        close,
                        p.deal_type,
                        p.name,
                    )
                )
                shared = by_credits.get(id(p.credits))
                if shared is None:
                    shared = by_credits[id(p.credits)] = (
                        _credits_text(p.credits),
                        [
                            (n, c.rep_id, percent_units(c.split_pct))
                            for n, c in enumerate(p.credits)
                        ],
                    )
                text, parts = shared
                for n, rep_id, pct in parts:
                    credits.append((deal_id, n, rep_id, pct))
                entries.append(
                    (at, "create", str(deal_id), "", "", created_text(p, text, close), user)
                )
                days.add(p.close_date)
            writer.put(
                "INSERT INTO deals (id, external_id, customer, amount, close_date, deal_type,"
                " cancellation_date, cancellation_reason, name)"
                " VALUES (?, ?, ?, ?, ?, ?, NULL, '', ?)",
                deals,
            )
            writer.put(
                "INSERT INTO credits (deal_id, position, rep_id, split_pct) VALUES (?, ?, ?, ?)",
                credits,
            )
            writer.put(audit.INSERT_SQL, chain.extend("deal", entries))
            step(len(chunk))
    chain.save(session)  # the writer is done with the connection
    months.update(Month.of(d) for d in days)
    return range(next_id, next_id + len(added))


_REBUILT_TABLES = ("deals", "credits", "audit_log")
_REBUILD_FROM = 100_000  # rows added: below this, indexes are kept up row by row


@contextmanager
def _indexes_built_after(session: Session, adding: int) -> Iterator[None]:
    """For an import that adds more deals than there are, the secondary indexes of the
    tables it fills are dropped first and made again after (in the same transaction: a
    failure rolls both back). Sorting a million keys once is several times faster than
    inserting them one at a time into a B-tree that no longer fits in memory."""
    conn = session.connection()
    present = conn.exec_driver_sql("SELECT count(*) FROM deals").scalar() or 0
    if adding < max(_REBUILD_FROM, present):
        yield
        return
    marks = ", ".join("?" for _ in _REBUILT_TABLES)
    indexes = conn.exec_driver_sql(
        f"SELECT name, sql FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL"
        f" AND tbl_name IN ({marks})",
        _REBUILT_TABLES,
    ).fetchall()
    for name, _sql in indexes:
        conn.exec_driver_sql(f'DROP INDEX "{name}"')
    yield
    for _name, sql in indexes:
        conn.exec_driver_sql(sql)


class _Writer:
    """The inserts of a big import on a second thread, in the caller's transaction: SQLite
    lets go of the interpreter while it writes, so the next chunk of rows is made ready
    meanwhile (a million deals: a third less time). The caller's thread does not use the
    connection until the writer is done (`with` waits for it, and raises what it raised)."""

    def __init__(self, session: Session) -> None:
        self._connection = session.connection().connection.driver_connection
        self._work: queue.Queue[tuple[str, list[tuple[object, ...]]] | None] = queue.Queue(2)
        self._error: BaseException | None = None
        self._thread = threading.Thread(target=self._run, name="import-writer", daemon=True)

    def __enter__(self) -> _Writer:
        self._thread.start()
        return self

    def put(self, sql: str, rows: list[tuple[object, ...]]) -> None:
        if self._error is not None:
            raise self._error
        if rows:
            self._work.put((sql, rows))

    def _run(self) -> None:
        cursor = self._connection.cursor()
        try:
            while (item := self._work.get()) is not None:
                if self._error is None:
                    try:
                        cursor.executemany(*item)
                    except BaseException as e:  # handed to the caller's thread
                        self._error = e
        finally:
            cursor.close()

    def __exit__(self, *exc: object) -> None:
        self._work.put(None)
        self._thread.join()
        if self._error is not None and exc[0] is None:
            raise self._error


def created_text(p: PlannedDeal, credits: str | None = None, close: str | None = None) -> str:
    """What the audit log says of a deal an import adds: `audit.display` of the Deal, written
    out for speed (a million of them); tests hold the two equal. `credits`, `close`: the
    credits' text and the close date's, if known."""
    assert p.credits is not None
    text = (
        f"(external_id={p.external_id}, customer={p.customer}, amount={p.amount}, "
        f"close_date={close or p.close_date.isoformat()}, deal_type={p.deal_type}"
    )
    if p.credits:
        text += f", credits={_credits_text(p.credits) if credits is None else credits}"
    if p.name:
        text += f", name={p.name}"
    return text + ")"


def _credits_text(credits: tuple[Credit, ...]) -> str:
    return "; ".join(f"(rep_id={c.rep_id}, split_pct={c.split_pct})" for c in credits)


def _apply_updates(
    session: Session,
    updated: Sequence[PlannedDeal],
    months: set[Month],
    step: Callable[[int], None],
    kept: records.ImportKept,
) -> None:
    """Apply the updates; `kept` is told each deal's value before."""
    if not updated:
        return
    conn = session.connection()
    at, user = audit.now_text(), audit.current_user()
    chain = audit.Chain(session)
    for start in range(0, len(updated), _WRITE_CHUNK):
        chunk = updated[start : start + _WRITE_CHUNK]
        ids = [p.deal_id for p in chunk]
        before_of = {d.id: d for d in store.load_deals(session, DealRow.id.in_(ids))}
        rows, credit_ids, credits, entries = [], [], [], []
        for p in chunk:
            assert p.deal_id is not None
            before = before_of[p.deal_id]
            kept.updated(p.deal_id, before)
            after = dataclasses.replace(
                before,
                name=p.name,
                customer=p.customer,
                amount=p.amount,
                close_date=p.close_date,
                deal_type=p.deal_type,
                credits=before.credits if p.credits is None else p.credits,
            )
            rows.append(
                (
                    p.name,
                    p.customer,
                    cents(p.amount),
                    p.close_date.isoformat(),
                    p.deal_type,
                    p.deal_id,
                )
            )
            if p.credits is not None:
                credit_ids.append((p.deal_id,))
                credits += [
                    (p.deal_id, n, c.rep_id, percent_units(c.split_pct))
                    for n, c in enumerate(p.credits)
                ]
            entries += [
                (at, "update", str(p.deal_id), field, old, new, user)
                for field, old, new in audit.changed_fields(before, after)
            ]
            months.update(store.deal_months(before) | store.deal_months(after))
        conn.exec_driver_sql(
            "UPDATE deals SET name = ?, customer = ?, amount = ?, close_date = ?, deal_type = ?"
            " WHERE id = ?",
            rows,
        )
        if credit_ids:
            conn.exec_driver_sql("DELETE FROM credits WHERE deal_id = ?", credit_ids)
            conn.exec_driver_sql(
                "INSERT INTO credits (deal_id, position, rep_id, split_pct) VALUES (?, ?, ?, ?)",
                credits,
            )
        conn.exec_driver_sql(audit.INSERT_SQL, chain.extend("deal", entries))
        step(len(chunk))
    chain.save(session)


def _record_file(session: Session, planned: ImportPlan, plan: DealImportPlan) -> None:
    info = planned.info
    parts = [f"{len(plan.added):,} added", f"{len(plan.updated):,} updated"]
    if plan.unchanged:
        parts.append(f"{len(plan.unchanged):,} unchanged")
    if plan.skipped:
        parts.append(f"{len(plan.skipped):,} skipped")
    if plan.rejected:
        parts.append(f"{len(plan.rejected):,} rejected")
    audit.record(
        session,
        action="import",
        entity="deals",
        entity_id=info.path.name[:100],
        after=f"{info.path.name} ({info.profile.title}): {', '.join(parts)}",
    )


# -- the report (icmdesk import-deals --json; docs/importing.md) ----------------------------


def report(planned: ImportPlan, result: ImportResult | None) -> dict[str, object]:
    """A plan (and what committing it did, if it was committed) as one JSON object."""
    plan, info = planned.plan, planned.info
    not_won = [s for s in plan.skipped if s.code == "not_won"]
    other_skips = [s for s in plan.skipped if s.code != "not_won"]
    return {
        "file": str(info.path),
        "format": info.description,
        "profile": info.profile.key,
        "header_row": info.header_row,
        "imported": result is not None,
        "counts": {
            "rows": plan.rows,
            "added": len(plan.added),
            "updated": len(plan.updated),
            "unchanged": len(plan.unchanged),
            "skipped_not_won": len(not_won),
            "skipped_other": len(other_skips),
            "rejected": len(plan.rejected),
        },
        "added": [p.external_id for p in plan.added],
        "updated": [p.external_id for p in plan.updated],
        "unchanged": [u.external_id for u in plan.unchanged],
        "changes": {
            p.external_id: [{"field": c.field, "old": c.old, "new": c.new} for c in p.changes]
            for p in plan.updated
        },
        "closed_months": {p.external_id: p.note for p in (*plan.added, *plan.updated) if p.note},
        "skipped_not_won": [{"row": s.row, "line": s.line, "id": s.external_id} for s in not_won],
        "skipped_other": [
            {"row": s.row, "line": s.line, "id": s.external_id, "code": s.code, "reason": s.reason}
            for s in other_skips
        ],
        "rejected": [
            {"row": r.row, "line": r.line, "id": r.external_id, "code": r.code, "reason": r.reason}
            for r in plan.rejected
        ],
        "unmatched_owners": [
            {"owner": owner, "deals": n} for owner, n in sorted(plan.unmatched_owners.items())
        ],
        "unknown_deal_types": [
            {"type": t, "deals": n} for t, n in sorted(plan.unknown_types.items())
        ],
        "ambiguous_dates": list(plan.ambiguous_dates),
        "mapping": plan.mapping.to_json(),
        "aliases_added": [
            {"owner": owner, "rep": rep} for owner, rep in (result.aliases if result else ())
        ],
        "closed_months_to_recheck": [str(m) for m in (result.dirty_months if result else ())],
    }
