"""Whole-company use cases: the demo company, JSON export/import, integrity check, backup.

A company document carries no history chain: importing one rebuilds it from the
document's audit entries and closed statements (services.integrity.rebuild_chain).
"""

from __future__ import annotations

import dataclasses
import os
import tempfile
from pathlib import Path

from sqlalchemy import Connection, text

from icmdesk.domain import company_codec, demo, validation
from icmdesk.domain.entities import AuditEntry, CompanyData
from icmdesk.domain.errors import CompanyFileError, Problem, ValidationError
from icmdesk.models.database import CompanyFile
from icmdesk.services import audit, backups, integrity
from icmdesk.services.store import load_company_data, replace_company_data


def write_demo(path: Path, *, seed: int = 2026) -> CompanyFile:
    """Create the demo company at `path` (which must not exist yet)."""
    data = demo.demo_company(seed)
    created = AuditEntry(
        audit.now(), "create", "company", "1", "", "", "demo company", user=audit.current_user()
    )
    return _create_with(path, dataclasses.replace(data, audit=(created,)))


def export_json(cf: CompanyFile) -> str:
    """The whole company as the documented JSON document (docs/company-format.md)."""
    with cf.session() as session:
        return company_codec.company_to_json(load_company_data(session))


def export_to(cf: CompanyFile, out: Path) -> None:
    """Write the export to `out` atomically (a temp file renamed into place)."""
    _atomic_write(out, export_json(cf))


def import_json(path: Path, document: str) -> CompanyFile:
    """Load a company document into `path`, replacing its content, or creating the file.

    The document is checked completely first; the replace runs in one
    transaction, so on any failure the file is exactly as it was.
    """
    data = company_codec.company_from_json(document)
    problems = validation.validate_company(data)
    if problems:
        raise ValidationError(problems)
    if not path.exists():
        return _create_with(path, data)
    cf = CompanyFile.open(path, backup_before_migration=backups.before_migration)
    try:
        with cf.session() as session:
            replace_company_data(session, data)
            integrity.rebuild_chain(session)
    except BaseException:
        cf.close()
        raise
    return cf


def check(cf: CompanyFile) -> list[Problem]:
    """SQLite's integrity and foreign-key checks, the verified history (closed statements
    and the audit log against the history chain: services.integrity) and every domain
    invariant. A row referring to a missing one is reported, never a crash."""
    problems: list[Problem] = []
    with cf.engine.connect() as conn:
        for (result,) in conn.execute(text("PRAGMA integrity_check")):
            if result != "ok":
                problems.append(Problem("", f"Database integrity: {result}"))
        dangling = conn.execute(text("PRAGMA foreign_key_check")).all()
        for table, rowid, parent, fk in dangling:
            problems.append(Problem("", _dangling(conn, table, rowid, parent, fk)))
        problems.extend(integrity.verify_history(conn))
    try:
        with cf.session() as session:
            data = load_company_data(session, history=False)
    except Exception as e:  # rows the loader cannot put together: say so, do not crash
        why = "while rows refer to missing ones" if dangling else f"({type(e).__name__}: {e})"
        problems.append(
            Problem(
                "",
                f"The company's rules were not checked: its records cannot be read {why}; "
                "restore a backup",
            )
        )
        return problems
    problems.extend(validation.validate_company(data))
    return problems


def _dangling(conn: Connection, table: str, rowid: object, parent: str, fk: int) -> str:
    """A foreign-key violation in words, with the missing reference's value."""
    message = f"Database: row {rowid} of {table} refers to a missing {parent} row"
    columns = [
        r[3] for r in conn.execute(text(f'PRAGMA foreign_key_list("{table}")')) if r[0] == fk
    ]
    if rowid is None or not columns:
        return message
    names = ", ".join(f'"{c}"' for c in columns)
    values = conn.execute(
        text(f'SELECT {names} FROM "{table}" WHERE rowid = :r'),
        {"r": rowid},
    ).first()
    if values is None:
        return message
    refs = ", ".join(f"{c} {v}" for c, v in zip(columns, values, strict=True))
    return f"{message} ({refs})"


def backup(cf: CompanyFile, target: Path) -> Path:
    """A consistent, verified copy of the open company file at `target` (File ▸ Back
    Up…): made by hand, never rotated away (services.backups)."""
    return backups.write_backup(cf.path, target)


def _create_with(path: Path, data: CompanyData) -> CompanyFile:
    cf = CompanyFile.create(path)
    try:
        with cf.session() as session:
            replace_company_data(session, data)
            integrity.rebuild_chain(session)
    except BaseException:
        cf.close()
        for p in (path, Path(f"{path}-wal"), Path(f"{path}-shm")):
            p.unlink(missing_ok=True)
        raise
    return cf


def _atomic_write(out: Path, content: str) -> None:
    if not out.parent.is_dir():
        raise CompanyFileError(f"folder {out.parent} does not exist")
    fd, tmp = tempfile.mkstemp(prefix=f".{out.name}.", dir=out.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as f:
            f.write(content)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, out)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
