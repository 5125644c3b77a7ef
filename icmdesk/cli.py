"""The `icmdesk` command line: month-end work scripted over the services.

`icmdesk` alone opens the desktop app. Every subcommand prints errors as one
clear line on stderr and exits non-zero; nothing is half-written.
"""

from __future__ import annotations

import argparse
import contextlib
import dataclasses
import json
import os
import sys
from collections.abc import Callable, Iterator, Sequence
from decimal import Decimal, InvalidOperation
from pathlib import Path

from sqlalchemy.orm import Session

from icmdesk import __version__
from icmdesk.domain.calendar import Month
from icmdesk.domain.engine.fmt import fmt_money
from icmdesk.domain.entities import Company, OpeningBalance
from icmdesk.domain.errors import (
    CompanyFileError,
    DiskFullError,
    FileDamagedError,
    FileMissingError,
    FileReadOnlyError,
    FolderReadOnlyError,
    NewerFileError,
    NotFoundError,
    PeriodError,
    ValidationError,
    printable,
)
from icmdesk.domain.imports.cells import DateOrder
from icmdesk.domain.imports.profiles import Mapping as ImportMapping
from icmdesk.domain.imports.profiles import normal
from icmdesk.domain.money import ZERO
from icmdesk.domain.statement import StatementTotals, totals_of
from icmdesk.domain.statement_codec import statement_to_dict, totals_to_dict
from icmdesk.models.database import (
    CompanyFile,
    CompanyFileBusyError,
    check_can_open,
    check_can_write,
    environment_error,
    is_busy,
)
from icmdesk.services import (
    backups,
    company_io,
    deal_import,
    documents,
    file_lock,
    payout_export,
    periods,
    records,
    store,
)
from icmdesk.services.import_files import FileRefused

EXIT_OK, EXIT_ERROR, EXIT_PROBLEMS, EXIT_USAGE = 0, 1, 3, 2
# Imports (import-deals, import-adjustments): some rows rejected (the rest imported);
# questions to answer first (owners to map, the date order: nothing imported); the file
# refused as a whole (nothing imported).
EXIT_REJECTED, EXIT_QUESTIONS, EXIT_REFUSED = 4, 5, 6
# The company file is held by another writer (the app, another command: the lock file
# names who) or another program is writing to it (SQLite's lock): nothing was written.
EXIT_LOCKED = 7
# The environment refused (nothing was written, no backup or temporary file is left): the
# company file is read-only; its folder is read-only (no lock, journal or backup can go
# there: open it read-only or move it); the disk is full; the file or its folder does not
# exist; the file is damaged or not a company file; it was saved by a newer ICMDesk.
EXIT_READ_ONLY, EXIT_FOLDER_READ_ONLY, EXIT_DISK_FULL = 8, 9, 10
EXIT_MISSING, EXIT_DAMAGED, EXIT_NEWER = 11, 12, 13
_EXIT_OF: tuple[tuple[type[CompanyFileError], int], ...] = (
    (FileReadOnlyError, EXIT_READ_ONLY),
    (FolderReadOnlyError, EXIT_FOLDER_READ_ONLY),
    (DiskFullError, EXIT_DISK_FULL),
    (FileMissingError, EXIT_MISSING),
    (FileDamagedError, EXIT_DAMAGED),
    (NewerFileError, EXIT_NEWER),
)


class CliError(Exception):
    """A user-facing failure: one line on stderr."""


def _open(path: str) -> CompanyFile:
    """The company file, for a command that writes to it: locked as the app locks it, for
    as long as the command runs (`cf.close()` releases it), and checked writable before
    anything is written. Commands that only read use `_open_for_reading`.

    A file that cannot be written where it is (read-only, in a read-only folder, on a full
    disk) is refused before the lock or any backup is written."""
    if not Path(path).exists():
        raise FileMissingError(f"{path} does not exist")
    if Path(path).is_file():
        check_can_write(Path(path))
    locked = file_lock.open_locked(Path(path))
    return _CommandFile(locked, locked.lock)


class _CommandFile(file_lock.LockedCompanyFile):
    """The locked file of a command that writes: when the environment fails a write half-way
    (the disk fills up), the backups taken before it are removed as for SQLite's busy lock:
    the change was not made, so no copy of the file before it is left either."""

    @contextlib.contextmanager
    def session(self) -> Iterator[Session]:
        with _OnEnvironmentError(self), super().session() as session:
            yield session


class _OnEnvironmentError:
    """Removes `cf`'s new backups when an environment failure passes through (a class, not
    a generator: an error passing through keeps no frame of it alive)."""

    def __init__(self, cf: _CommandFile) -> None:
        self.cf = cf

    def __enter__(self) -> None:
        return None

    def __exit__(self, _type: object, error: BaseException | None, _tb: object) -> None:
        if error is not None and environment_error(error, self.cf.path) is not None:
            self.cf._remove_new_backups()


def _open_for_reading(path: str) -> CompanyFile:
    """The company file, for a command that only reads it: no lock, so it works while
    the app has the file open."""
    return file_lock.open_for_reading(Path(path))


def _lock_new(path: str) -> file_lock.FileLock:
    """The lock of a company file a command creates or replaces itself (new, demo,
    import), taken before the file is touched."""
    check_can_write(Path(path))
    return file_lock.acquire(Path(path))


def cmd_new(args: argparse.Namespace) -> int:
    company = Company(name=args.name, currency=args.currency.upper(), books_start=args.books_start)
    with _lock_new(args.path):
        cf = records.create_company_file(Path(args.path), company)
        cf.close()
    start = f", books start {args.books_start}" if args.books_start else ""
    print(f"Created {args.path} for {args.name}{start}")
    return EXIT_OK


def cmd_books_start(args: argparse.Namespace) -> int:
    cf = _open(args.path)
    try:
        company = records.get_company(cf)
        month = None if args.none else args.month
        records.update_company(cf, dataclasses.replace(company, books_start=month))
    finally:
        cf.close()
    print(f"Books start of {args.path}: {month or 'none (everything is in the books)'}")
    return EXIT_OK


def cmd_opening_balance(args: argparse.Namespace) -> int:
    cf = _open(args.path)
    try:
        balances = {ob.rep_id: ob for ob in records.opening_balances(cf)}
        current = balances.get(args.rep) or OpeningBalance(args.rep)
        paid = current.bonuses_paid
        if args.bonuses_paid is not None:
            paid = tuple(
                _decimal(t, "--bonuses-paid") for t in args.bonuses_paid.split(",") if t.strip()
            )
        balances[args.rep] = OpeningBalance(
            args.rep,
            balance_owed=_amount(args.owed, current.balance_owed, "--owed"),
            ytd_earnings=_amount(args.ytd, current.ytd_earnings, "--ytd"),
            counted=_amount(args.counted, current.counted, "--counted"),
            bonuses_paid=paid,
        )
        records.save_opening_balances(cf, list(balances.values()))
    finally:
        cf.close()
    print(f"Opening balance of rep {args.rep} saved")
    return EXIT_OK


def _decimal(text: str, option: str) -> Decimal:
    try:
        value = Decimal(text.strip())
    except InvalidOperation:
        raise CliError(f"{option}: {text.strip()!r} is not a number") from None
    if not value.is_finite():
        raise CliError(f"{option}: {text.strip()!r} is not a number")
    return value


def _amount(text: str | None, current: Decimal, option: str) -> Decimal:
    return current if text is None else _decimal(text, option)


def cmd_demo(args: argparse.Namespace) -> int:
    with _lock_new(args.path):
        cf = company_io.write_demo(Path(args.path))
        cf.close()
    print(f"Wrote the demo company to {args.path}")
    return EXIT_OK


def cmd_export(args: argparse.Namespace) -> int:
    cf = _open_for_reading(args.path)
    try:
        if args.json == "-":
            sys.stdout.write(company_io.export_json(cf))
        else:
            company_io.export_to(cf, Path(args.json))
            print(f"Exported {args.path} to {args.json}", file=sys.stderr)
    finally:
        cf.close()
    return EXIT_OK


def cmd_import(args: argparse.Namespace) -> int:
    source = sys.stdin if args.json == "-" else None
    try:
        document = source.read() if source else Path(args.json).read_text(encoding="utf-8")
    except OSError as e:
        raise CliError(f"cannot read {args.json}: {e.strerror}") from None
    except UnicodeDecodeError:
        raise CliError(f"{args.json} is not UTF-8 text") from None
    with _lock_new(args.path):
        if Path(args.path).exists():  # refused before its backup is written
            check_can_open(Path(args.path))
        kept = backups.before_import(Path(args.path)) if Path(args.path).exists() else None
        try:
            cf = company_io.import_json(Path(args.path), document)
        except BaseException:
            if kept is not None:  # refused: nothing changed, so no copy from before a change
                kept.unlink(missing_ok=True)
            raise
        cf.close()
    print(f"Imported {args.json} into {args.path}")
    return EXIT_OK


def cmd_check(args: argparse.Namespace) -> int:
    cf = _open_for_reading(args.path)
    try:
        problems = company_io.check(cf)
    finally:
        cf.close()
    if problems:
        for p in problems:
            print(printable(p.message), file=sys.stderr)
        print(f"{len(problems)} problem(s) found in {args.path}", file=sys.stderr)
        return EXIT_PROBLEMS
    print(f"{args.path}: no problems found")
    return EXIT_OK


def cmd_backup(args: argparse.Namespace) -> int:
    # Only reads the file (SQLite's online backup): no lock, works while the app has it.
    target = backups.back_up_by_hand(Path(args.path), Path(args.to) if args.to else None)
    print(f"Backed up {args.path} to {target}")
    return EXIT_OK


def cmd_restore(args: argparse.Namespace) -> int:
    source = Path(args.source)
    backups.check_restorable(source)  # a file that cannot be restored: refused untouched
    with _lock_new(args.path):
        restored = backups.restore(Path(args.path), source)
    b = restored.backup
    what = f"the backup {b.kind_text}" if b.kind != "file" else "the copy"
    print(
        f"Restored {args.path} from {source}: {what} of {b.taken_text}, "
        f"months closed in it: {b.months_text}"
    )
    if restored.kept is not None:
        print(f"The file it replaced is kept as a backup at {restored.kept}")
    return EXIT_OK


def cmd_backups(args: argparse.Namespace) -> int:
    company = Path(args.path)
    found = backups.list_backups(company)
    folder = backups.backup_folder(company)
    if not found:
        print(f"No backups of {company.name} in {folder}")
        return EXIT_OK
    heads = ("Date", "Kind", "Months closed", "Size", "File")
    rows = [(b.taken_text, b.kind_text, b.months_text, b.size_text, b.path.name) for b in found]
    widths = [max(len(r[i]) for r in (heads, *rows)) for i in range(len(heads))]
    print(f"Backups of {company.name} in {folder}, newest first:")
    for row in (heads, *rows):
        cells = [
            c.rjust(w) if i == 3 else c.ljust(w)
            for i, (c, w) in enumerate(zip(row, widths, strict=True))
        ]
        print("  ".join(cells).rstrip())
    return EXIT_OK


def _month(text: str) -> Month:
    try:
        return Month.parse(text)
    except ValueError as e:
        raise argparse.ArgumentTypeError(str(e)) from None


def cmd_compute(args: argparse.Namespace) -> int:
    if args.through is not None:
        return _compute_range(args)
    cf = _open_for_reading(args.path)
    try:
        currency = records.get_company(cf).currency
        statements = periods.compute(cf, args.period, rep_id=args.rep)
    finally:
        cf.close()
    if args.json:
        doc = {"period": str(args.period), "statements": [statement_to_dict(s) for s in statements]}
        print(json.dumps(doc, indent=2, sort_keys=True, ensure_ascii=False))
        return EXIT_OK
    figures = [totals_of(s) for s in statements]
    print(_table(figures, currency, args.period, [len(s.lines) for s in statements]))
    return EXIT_OK


def _compute_range(args: argparse.Namespace) -> int:
    """`compute --period FIRST --through LAST`: every month's figures, one table a month."""
    if args.through < args.period:
        raise CliError(f"--through {args.through} is before --period {args.period}")
    cf = _open_for_reading(args.path)
    try:
        currency = records.get_company(cf).currency
        months = periods.compute_all(cf, args.period, args.through)
    finally:
        cf.close()
    if args.rep is not None:
        months = {m: tuple(t for t in items if t.rep_id == args.rep) for m, items in months.items()}
    if args.json:
        doc = {
            "from": str(args.period),
            "through": str(args.through),
            "months": [
                {"period": str(m), "statements": [totals_to_dict(t) for t in items]}
                for m, items in months.items()
            ],
        }
        print(json.dumps(doc, indent=2, sort_keys=True, ensure_ascii=False))
        return EXIT_OK
    print("\n\n".join(_table(items, currency, m) for m, items in months.items()))
    return EXIT_OK


def _table(
    statements: Sequence[StatementTotals],
    currency: str,
    month: Month,
    lines: Sequence[int] | None = None,
) -> str:
    """The month as a readable table: one row per rep, then totals, with each statement's
    count of `lines` when given."""
    heads = ("Rep", "Earned (E)", "Draw", "Recovery", "Payout", "Balance owed")

    def money(amount: Decimal) -> str:
        return fmt_money(amount, currency)

    def total(attr: str) -> str:
        return money(sum((getattr(s, attr) for s in statements), ZERO))

    rows: list[tuple[str, ...]] = [
        (
            s.rep_name,
            money(s.earnings),
            money(s.draw),
            money(s.recovery),
            money(s.payout),
            money(s.balance_after),
        )
        for s in statements
    ]
    rows.append(
        (
            "Total",
            total("earnings"),
            total("draw"),
            total("recovery"),
            total("payout"),
            total("balance_after"),
        )
    )
    if lines is not None:
        heads = (*heads, "Lines")
        rows = [(*row, str(n)) for row, n in zip(rows, [*lines, sum(lines)], strict=True)]
    widths = [max(len(r[i]) for r in (heads, *rows)) for i in range(len(heads))]
    closed = statements and all(s.closed for s in statements)
    out = [f"{month} ({'closed' if closed else 'open'}): {len(statements)} statements", ""]
    for n, row in enumerate((heads, *rows)):
        if n == len(rows):
            out.append("  ".join("-" * w for w in widths))
        cells = [row[0].ljust(widths[0])] + [
            c.rjust(w) for c, w in zip(row[1:], widths[1:], strict=True)
        ]
        out.append("  ".join(cells).rstrip())
    return "\n".join(out)


def cmd_close(args: argparse.Namespace) -> int:
    cf = _open(args.path)
    try:
        if args.through is not None:
            months = periods.close_through(cf, args.through)
        else:
            statements = periods.close(cf, args.period)
    finally:
        cf.close()
    if args.through is not None:
        shown = f"{months[0]} to {months[-1]}" if len(months) > 1 else str(months[0])
        print(f"Closed {shown} ({len(months)} month{'s' if len(months) != 1 else ''})")
    else:
        n = len(statements)
        print(f"Closed {args.period}: {n} statement{'s' if n != 1 else ''} stored")
    return EXIT_OK


def cmd_reopen(args: argparse.Namespace) -> int:
    cf = _open(args.path)
    try:
        periods.reopen(cf, args.period)
    finally:
        cf.close()
    print(f"Reopened {args.period}")
    return EXIT_OK


def cmd_statements(args: argparse.Namespace) -> int:
    out = Path(args.out)
    if not out.is_dir():
        raise CliError(f"folder {out} does not exist")
    check_can_write(out / str(args.period))  # before a month folder is made there
    cf = _open_for_reading(args.path)
    try:
        result = documents.generate_statements(cf, args.period, out, rep_id=args.rep)
    finally:
        cf.close()
    print(f"Wrote {len(result.files)} files to {out / str(args.period)}")
    return EXIT_OK


def cmd_import_deals(args: argparse.Namespace) -> int:
    cf = _open_for_reading(args.path) if args.dry_run else _open(args.path)
    try:
        try:
            info = deal_import.inspect_file(cf, Path(args.file), args.profile)
            mapping = _cli_mapping(cf, info, args)
            planned = deal_import.plan_import(
                cf, info, mapping, progress=_progress_printer(Path(args.file))
            )
        except FileRefused as e:
            if args.json:
                print(
                    json.dumps(
                        {"file": args.file, "refused": {"code": e.code, "message": e.message}}
                    )
                )
            print(f"icmdesk: {e.message} Nothing was imported.", file=sys.stderr)
            return EXIT_REFUSED
        plan = planned.plan
        result = None
        if not args.dry_run and not plan.questions:
            result = deal_import.commit_import(cf, planned)  # backs up first
    finally:
        cf.close()
    if args.json:
        print(json.dumps(deal_import.report(planned, result), ensure_ascii=False, indent=2))
    else:
        _print_deal_plan(planned, result, dry_run=args.dry_run)
    if plan.questions:
        return EXIT_QUESTIONS
    return EXIT_REJECTED if plan.rejected else EXIT_OK


def _cli_mapping(
    cf: CompanyFile, info: deal_import.FileInfo, args: argparse.Namespace
) -> ImportMapping:
    """The mapping proposed for the file, with what --mapping and --date-order say."""
    mapping = info.mapping
    if args.mapping:
        try:
            given = json.loads(Path(args.mapping).read_text(encoding="utf-8"))
        except OSError as e:
            raise CliError(f"cannot read {args.mapping}: {e.strerror}") from None
        except ValueError as e:
            raise CliError(f"{args.mapping} is not JSON: {e}") from None
        if isinstance(given, dict) and isinstance(given.get("owners"), dict):
            reps = {}
            with cf.session() as session:
                known = store.load_reps(session)
            for rep in known:
                for name in (rep.name, rep.email, *rep.aliases):
                    reps.setdefault(normal(name), rep.id)
            owners = {}
            for owner, rep in given["owners"].items():
                if isinstance(rep, str):  # a rep by name or email, as a person writes it
                    if normal(rep) not in reps:
                        raise CliError(f"{args.mapping}: owners.{owner}: there is no rep {rep!r}")
                    rep = reps[normal(rep)]
                owners[owner] = rep
            given = {**given, "owners": owners}
        try:
            extra = ImportMapping.from_json(given)
        except ValueError as e:
            raise CliError(f"{args.mapping}: {e}") from None
        mapping = deal_import.merge_mapping(mapping, extra, given)
    if args.date_order:
        mapping = dataclasses.replace(mapping, date_order=DateOrder(args.date_order))
    return mapping


def _progress_printer(path: Path) -> Callable[[int, int, str], None] | None:
    """Percent read, on stderr, for a file big enough to wait for (a few MB)."""
    try:
        if path.stat().st_size < 4 << 20:
            return None
    except OSError:
        return None
    shown = [-1]

    def show(done: int, total: int, what: str) -> None:
        percent = done * 100 // total if total else 100
        if percent // 10 != shown[0] // 10:
            shown[0] = percent
            print(f"{path.name}: {percent}% ({what})", file=sys.stderr, flush=True)

    return show


def _print_deal_plan(
    planned: deal_import.ImportPlan, result: deal_import.ImportResult | None, *, dry_run: bool
) -> None:
    plan, info = planned.plan, planned.info
    not_won = sum(1 for s in plan.skipped if s.code == "not_won")
    print(f"{info.path.name}: {info.profile.title} ({info.description}), {plan.rows:,} rows")
    print(
        f"  {len(plan.added):,} to add, {len(plan.updated):,} to update, "
        f"{len(plan.unchanged):,} unchanged, {not_won:,} not won, "
        f"{len(plan.skipped) - not_won:,} other skipped, {len(plan.rejected):,} rejected"
    )
    for p in plan.updated[:50]:
        changes = "; ".join(f"{c.field} {c.old} → {c.new}" for c in p.changes)
        print(f"  update {p.external_id} (row {p.row}): {changes}")
    notes = [p for p in (*plan.added, *plan.updated) if p.note]
    for p in notes[:20]:
        print(f"  note {p.external_id} (row {p.row}): {p.note}")
    if plan.rejected:
        print("Rejected rows:")
        for r in plan.rejected[:200]:
            print(f"  {r.text}")
        if len(plan.rejected) > 200:
            print(f"  … and {len(plan.rejected) - 200:,} more (--json lists them all)")
    if plan.unmatched_owners:
        print("Owners that are no rep yet (map each to a rep, or to null to skip, in --mapping):")
        for owner, n in sorted(plan.unmatched_owners.items()):
            print(f"  {owner or '(no owner)'}: {n:,} deal{'s' if n != 1 else ''}")
    if plan.ambiguous_dates:
        samples = ", ".join(plan.ambiguous_dates)
        print(f"Dates read two ways ({samples}): say which with --date-order DMY or MDY.")
    if plan.questions:
        print("Nothing was imported.")
    elif dry_run:
        print("Dry run: nothing was written.")
    elif result is not None and not result.changed:
        print("Nothing to change: every deal is already as the file has it.")
    elif result is not None:
        print(f"Imported: {result.added:,} added, {result.updated:,} updated.")
        for owner, rep in result.aliases:
            print(f"  {owner} is now known as {rep}")
        if result.dirty_months:
            months = ", ".join(str(m) for m in result.dirty_months)
            print(f"  Closed months to re-verify at the next close: {months}")


def cmd_import_adjustments(args: argparse.Namespace) -> int:
    from icmdesk.services import adjustment_import

    cf = _open_for_reading(args.path) if args.dry_run else _open(args.path)
    try:
        try:
            plan = adjustment_import.plan_adjustments(
                cf, Path(args.file), progress=_progress_printer(Path(args.file))
            )
        except FileRefused as e:
            if args.json:
                print(
                    json.dumps(
                        {"file": args.file, "refused": {"code": e.code, "message": e.message}},
                        ensure_ascii=False,
                    )
                )
            print(f"icmdesk: {e.message} Nothing was imported.", file=sys.stderr)
            return EXIT_REFUSED
        result = None
        if not args.dry_run:
            try:
                result = adjustment_import.commit_adjustments(cf, plan)  # backs up first
            except adjustment_import.StalePlan as e:
                raise CliError(str(e)) from None
    finally:
        cf.close()
    if args.json:
        print(json.dumps(adjustment_import.report(plan, result), ensure_ascii=False, indent=2))
    else:
        print(f"{plan.path.name} ({plan.description}), {plan.rows:,} rows: {plan.summary}")
        for p in plan.updated[:50]:
            changes = "; ".join(f"{c.field} {c.old} → {c.new}" for c in p.changes)
            print(f"  update {p.external_id} (row {p.row}): {changes}")
        if plan.derived_ids:
            print("  (no ID column: each adjustment's id is made from its rep, month, amount "
                  "and reason)")  # fmt: skip
        if args.dry_run:
            print("Dry run: nothing was written.")
        elif result is not None and not result.changed:
            print("Nothing to change: every adjustment is already as the file has it.")
        else:
            print(f"Imported: {len(plan.added):,} added, {len(plan.updated):,} updated.")
        for r in plan.rejected[:200]:
            _say(f"rejected row {r.row} (line {r.line}): {r.reason}")
        if len(plan.rejected) > 200:
            more = len(plan.rejected) - 200
            print(f"icmdesk: … and {more:,} more rejected (--json lists them all)", file=sys.stderr)
    return EXIT_REJECTED if plan.rejected else EXIT_OK


def cmd_export_payroll(args: argparse.Namespace) -> int:
    cf = _open_for_reading(args.path)
    try:
        try:
            result = payout_export.export_payroll(
                cf, args.period, args.format, Path(args.out), allow_open=args.allow_open
            )
        except payout_export.ExportRefused as e:
            if e.code == "open":
                raise CliError(f"{e.message} (--allow-open writes a draft)") from None
            raise CliError(e.message) from None
    finally:
        cf.close()
    draft = " (DRAFT: the month is open)" if result.draft else ""
    print(f"Wrote {result.path}: {result.summary}{draft}")
    return EXIT_OK


def cmd_gui(args: argparse.Namespace) -> int:
    from icmdesk.ui.app import run_app  # Qt only when the app is asked for

    return run_app(Path(args.path) if args.path else None, demo=args.demo)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="icmdesk",
        description="Offline sales commissions: plans, statements, clawbacks.",
        epilog="With no command, opens the desktop app.",
    )
    parser.add_argument("--version", action="version", version=f"icmdesk {__version__}")
    parser.add_argument("--demo", action="store_true", help="open the app on the demo company")
    parser.add_argument("--open", dest="path", metavar="PATH", help="open the app on PATH")
    parser.set_defaults(handler=cmd_gui)
    sub = parser.add_subparsers(title="commands", metavar="COMMAND")

    def command(
        name: str, handler: Callable[[argparse.Namespace], int], help_: str
    ) -> argparse.ArgumentParser:
        p = sub.add_parser(name, help=help_, description=help_)
        p.set_defaults(handler=handler)
        return p

    p = command("new", cmd_new, "create a new, empty company file")
    p.add_argument("path", metavar="PATH")
    p.add_argument("--name", required=True, help="the company's name")
    p.add_argument("--currency", default="USD", help="ISO 4217 code (default USD)")
    p.add_argument(
        "--books-start",
        type=_month,
        metavar="YYYY-MM",
        help="the first month ICMDesk pays (earlier months were settled outside it)",
    )

    p = command(
        "books-start", cmd_books_start, "set the books-start month (while no month is closed)"
    )
    p.add_argument("path", metavar="PATH")
    which = p.add_mutually_exclusive_group(required=True)
    which.add_argument("--month", type=_month, metavar="YYYY-MM", help="the first month paid")
    which.add_argument("--none", action="store_true", help="no books start: pay everything")

    p = command(
        "opening-balance",
        cmd_opening_balance,
        "set a rep's opening balance at the books start (while no month is closed)",
    )
    p.add_argument("path", metavar="PATH")
    p.add_argument("--rep", type=int, required=True, metavar="ID", help="the rep (by id)")
    p.add_argument("--owed", metavar="AMOUNT", help="balance owed at the books start")
    p.add_argument("--ytd", metavar="AMOUNT", help="fiscal-year-to-date earnings before it")
    p.add_argument(
        "--counted", metavar="AMOUNT", help="amount counted toward the current quota period"
    )
    p.add_argument(
        "--bonuses-paid",
        metavar="PCT,...",
        help="attainment bonus thresholds already paid this quota period, e.g. 100,120",
    )

    p = command("demo", cmd_demo, "write the demo company to a new file")
    p.add_argument("path", metavar="PATH")

    p = command("export", cmd_export, "export the whole company as a JSON document")
    p.add_argument("path", metavar="PATH")
    p.add_argument("--json", required=True, metavar="OUT", help="output file, or - for stdout")

    p = command("import", cmd_import, "replace a company's content with a JSON document")
    p.add_argument("path", metavar="PATH", help="company file (created if missing)")
    p.add_argument("--json", required=True, metavar="IN", help="input file, or - for stdin")

    p = command("check", cmd_check, "check a company file's integrity and rules")
    p.add_argument("path", metavar="PATH")

    p = command(
        "backup",
        cmd_backup,
        "write a verified copy of a company file: into its Backups folder, or --to FILE",
    )
    p.add_argument("path", metavar="PATH")
    p.add_argument(
        "--to",
        "--out",
        dest="to",
        metavar="FILE",
        help="where the copy goes (a new file); without it, the Backups folder beside PATH",
    )

    p = command(
        "restore",
        cmd_restore,
        "replace a company file by a backup (checked first; the replaced file is kept)",
    )
    p.add_argument("path", metavar="PATH", help="company file")
    p.add_argument(
        "--from", dest="source", required=True, metavar="FILE", help="the backup to restore"
    )

    p = command("backups", cmd_backups, "list a company file's backups, newest first")
    p.add_argument("path", metavar="PATH", help="company file")

    p = command("compute", cmd_compute, "compute a month's statements (open months: a draft)")
    p.add_argument("path", metavar="PATH")
    p.add_argument("--period", required=True, type=_month, metavar="YYYY-MM")
    p.add_argument(
        "--through",
        type=_month,
        metavar="YYYY-MM",
        help="every month from --period to this one: each rep's figures, without lines",
    )
    p.add_argument("--rep", type=int, metavar="ID", help="only this rep (by id)")
    p.add_argument("--json", action="store_true", help="print the statements as JSON")

    p = command("close", cmd_close, "close a month: store its statements for good")
    p.add_argument("path", metavar="PATH")
    which = p.add_mutually_exclusive_group(required=True)
    which.add_argument("--period", type=_month, metavar="YYYY-MM", help="the month to close")
    which.add_argument(
        "--through",
        type=_month,
        metavar="YYYY-MM",
        help="close every open month up to this one, in order (one backup, all or nothing)",
    )

    p = command("reopen", cmd_reopen, "reopen the latest closed month")
    p.add_argument("path", metavar="PATH")
    p.add_argument("--period", required=True, type=_month, metavar="YYYY-MM")

    p = command("statements", cmd_statements, "write a month's statement and notice PDFs")
    p.add_argument("path", metavar="PATH")
    p.add_argument("--period", required=True, type=_month, metavar="YYYY-MM")
    p.add_argument("--out", required=True, metavar="DIR", help="folder for the PDFs")
    p.add_argument("--rep", type=int, metavar="ID", help="only this rep (by id)")

    p = command(
        "import-deals",
        cmd_import_deals,
        "import won deals from a CRM export (HubSpot, Salesforce, Pipedrive) or a CSV/XLSX",
    )
    p.add_argument("path", metavar="PATH", help="company file")
    p.add_argument("file", metavar="FILE", help="the export: .csv, .txt or .xlsx")
    p.add_argument(
        "--profile",
        choices=("auto", "hubspot", "salesforce", "pipedrive", "generic"),
        default="auto",
        help="the file's layout (default: recognised by its columns)",
    )
    p.add_argument(
        "--mapping",
        metavar="MAPPING.json",
        help="columns, won values, date order, deal types and owners (docs/importing.md)",
    )
    p.add_argument(
        "--date-order",
        choices=("DMY", "MDY", "YMD"),
        help="how dates like 03/04/2026 read: day first (DMY) or month first (MDY)",
    )
    p.add_argument("--dry-run", action="store_true", help="show what would change; write nothing")
    p.add_argument("--json", action="store_true", help="print the preview/result as JSON")

    p = command(
        "import-adjustments",
        cmd_import_adjustments,
        "import adjustments from a bulk file: rep, month, amount, reason (and an optional ID)",
    )
    p.add_argument("path", metavar="PATH", help="company file")
    p.add_argument("file", metavar="FILE", help="the adjustments: .csv, .txt or .xlsx")
    p.add_argument("--dry-run", action="store_true", help="show what would change; write nothing")
    p.add_argument("--json", action="store_true", help="print the preview/result as JSON")

    p = command(
        "export-payroll",
        cmd_export_payroll,
        "write a month's payouts for payroll or bookkeeping, or the owner's workbook",
    )
    p.add_argument("path", metavar="PATH")
    p.add_argument("--period", required=True, type=_month, metavar="YYYY-MM")
    p.add_argument(
        "--format",
        required=True,
        choices=payout_export.FORMATS,
        help="the layout (docs/exporting.md)",
    )
    p.add_argument("--out", required=True, metavar="FILE")
    p.add_argument(
        "--allow-open",
        action="store_true",
        help="export an open month as a draft (its file name says DRAFT)",
    )

    p = command("gui", cmd_gui, "open the desktop app")
    p.add_argument("path", metavar="PATH", nargs="?")
    p.add_argument("--demo", action="store_true", help="open the demo company")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; return the exit code."""
    args = build_parser().parse_args(argv)
    try:
        return int(args.handler(args))
    except ValidationError as e:
        for problem in e.problems:
            _say(problem.message)
        return EXIT_ERROR
    except (file_lock.FileLockedError, CompanyFileBusyError) as e:
        _say(str(e))
        return EXIT_LOCKED
    except CompanyFileError as e:
        _say(str(e))
        return _exit_of(e)
    except (NotFoundError, PeriodError, CliError) as e:
        _say(str(e))
        return EXIT_ERROR
    except BrokenPipeError:  # `icmdesk compute ... | head`: the reader left; not an error
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return EXIT_OK
    except KeyboardInterrupt:
        _say("interrupted")
        return 130
    except Exception as e:
        path = Path(getattr(args, "path", None) or ".")
        if is_busy(e) and getattr(args, "path", None):  # SQLite's lock, met outside a session
            _say(str(CompanyFileBusyError(path)))
            return EXIT_LOCKED
        found = environment_error(e, Path(e.filename) if _has_filename(e) else path)
        if found is not None:  # the disk, a permission: in words, with its own exit code
            _say(str(found))
            return _exit_of(found)
        if isinstance(e, OSError):
            _say(f"{e.strerror or e}: {e.filename or ''}".rstrip(": "))
            return EXIT_ERROR
        if os.environ.get("ICMDESK_DEBUG"):  # a bug: still one line, with a way to see more
            raise
        _say(f"internal error: {type(e).__name__}: {e} (set ICMDESK_DEBUG=1 for details)")
        return EXIT_ERROR


def _say(message: str) -> None:
    """One line on stderr, whatever the message holds (a newline or a control character
    read from a file is shown escaped)."""
    print(f"icmdesk: {printable(message)}", file=sys.stderr)


def _exit_of(error: CompanyFileError) -> int:
    return next((code for cls, code in _EXIT_OF if isinstance(error, cls)), EXIT_ERROR)


def _has_filename(error: BaseException) -> bool:
    return isinstance(error, OSError) and bool(error.filename)


if __name__ == "__main__":
    sys.exit(main())
