"""Verified history: the closed statements and the audit log held against the chain.

services.audit describes the history chain. `verify` (behind `icmdesk check`, and for
the GUI to call) reads the file as it is, with plain SQL (a tampered row must not stop
it), and says in words what was changed, added or removed outside ICMDesk:

- each closed statement: its content hash recomputed from its payload, and the columns
  the app reads (earnings, draw, balances, recovery, payout, YTD) compared with it;
- each closed month: the statements it has against those its close recorded;
- the audit log: every link recomputed from the previous one, and the last against the
  head, so an entry changed, re-dated, removed (the last ones too) or added is named.

`rebuild_chain` makes the chain again from what a file holds: a company document
carries no chain, so importing one rebuilds it from its audit entries and statements.
"""

from __future__ import annotations

import hashlib
import json
from collections import defaultdict
from decimal import Decimal, InvalidOperation
from typing import Any

from sqlalchemy.engine import Connection
from sqlalchemy.orm import Session

from icmdesk.domain.engine.fmt import fmt_money
from icmdesk.domain.errors import Problem
from icmdesk.models.database import CompanyFile
from icmdesk.services import audit

# The statement figures kept as columns (integer cents), as the payload names them.
_FIGURES = (
    ("earnings", "earnings"),
    ("draw", "draw"),
    ("balance_before", "balance before"),
    ("recovery", "recovery"),
    ("payout", "payout"),
    ("balance_after", "balance after"),
    ("ytd_earnings", "YTD earnings"),
)
_MAX_LINKS = 10  # broken audit links named one by one; the rest are counted

Seals = dict[str, dict[int, str]]  # month -> rep id -> content hash


def verify(cf: CompanyFile) -> list[Problem]:
    """What was changed in the file's history outside ICMDesk (empty: nothing)."""
    with cf.engine.connect() as conn:
        return verify_history(conn)


def verify_history(conn: Connection) -> list[Problem]:
    """`verify` on an open connection (read only)."""
    names = {int(i): str(n) for i, n in conn.exec_driver_sql("SELECT id, name FROM reps")}
    currency = conn.exec_driver_sql("SELECT currency FROM company").scalar() or "USD"
    head = conn.exec_driver_sql(
        "SELECT head_id, head_hash, baseline FROM history_chain WHERE id = 1"
    ).first()
    baseline = "" if head is None else str(head[2] or "")
    problems = _check_statements(conn, names, str(currency), baseline)
    problems += _check_audit_chain(conn, head)
    return problems


def rebuild_chain(session: Session) -> None:
    """Make the chain again from the audit entries and closed statements the file holds:
    the latest close of each closed month seals the statements it has, and a closed month
    without a close in the log goes in the baseline (services.audit)."""
    conn = session.connection()
    session.flush()
    closed, stored = _closed_months(conn), _stored_statements(conn)
    latest = _latest_closes(conn)
    details: dict[int, str] = {}
    baseline: dict[str, list[list[object]]] = {}
    for month in sorted(closed):
        seal = audit.statements_seal(stored.get(month, {}).items())
        entry = latest.get(month)
        if entry is not None and entry[1] == "close":
            details[entry[0]] = seal
        else:
            baseline[month] = json.loads(seal)["statements"]
    baseline_text = json.dumps(baseline, sort_keys=True, separators=(",", ":")) if baseline else ""
    h, head_id = audit.genesis(baseline_text), 0
    updates: list[tuple[str, bytes, int]] = []
    for row in conn.exec_driver_sql(
        'SELECT id, at, action, entity, entity_id, field, old, new, "user" FROM audit_log'
        " ORDER BY id"
    ).all():
        head_id = int(row[0])
        detail = details.get(head_id, "")
        h = audit.link(h, audit.entry_content(*row, detail))
        updates.append((detail, h, head_id))
    if updates:
        conn.exec_driver_sql(
            "UPDATE audit_log SET detail = ?, chain_hash = ? WHERE id = ?", updates
        )
    conn.exec_driver_sql("DELETE FROM history_chain")
    conn.exec_driver_sql(
        "INSERT INTO history_chain (id, head_id, head_hash, baseline) VALUES (1, ?, ?, ?)",
        (head_id, h, baseline_text),
    )


# -- closed statements ----------------------------------------------------------------------


def _closed_months(conn: Connection) -> set[str]:
    return {
        str(m) for (m,) in conn.exec_driver_sql("SELECT month FROM periods WHERE status = 'closed'")
    }


def _stored_statements(conn: Connection) -> Seals:
    stored: Seals = defaultdict(dict)
    for month, rep_id, content_hash in conn.exec_driver_sql(
        "SELECT month, rep_id, content_hash FROM statement_snapshots"
    ):
        stored[str(month)][int(rep_id)] = str(content_hash)
    return stored


def _latest_closes(conn: Connection) -> dict[str, tuple[int, str, str]]:
    """Each month's latest close or reopen entry: (id, action, detail)."""
    latest: dict[str, tuple[int, str, str]] = {}
    for entry_id, action, month, detail in conn.exec_driver_sql(
        "SELECT id, action, entity_id, detail FROM audit_log WHERE entity = 'period'"
        " AND action IN ('close', 'reopen') ORDER BY id"
    ):
        latest[str(month)] = (int(entry_id), str(action), str(detail or ""))
    return latest


def _check_statements(
    conn: Connection, names: dict[int, str], currency: str, baseline: str
) -> list[Problem]:
    def who(rep_id: int) -> str:
        return names.get(rep_id, f"rep #{rep_id}")

    def statement(month: str, rep_id: int) -> str:
        return f"the closed statement of {who(rep_id)} for {month}"

    faults: dict[tuple[str, int], str] = {}
    stored: Seals = defaultdict(dict)
    for row in conn.exec_driver_sql(
        "SELECT month, rep_id, earnings, draw, balance_before, recovery, payout,"
        " balance_after, ytd_earnings, content_hash, payload FROM statement_snapshots"
        " ORDER BY month, rep_id"
    ):
        month, rep_id = str(row[0]), int(row[1])
        stored[month][rep_id] = str(row[9])
        fault = _statement_fault(month, rep_id, row[2:9], row[9], row[10], currency)
        if fault:
            faults[(month, rep_id)] = fault

    problems: list[Problem] = []
    closed = _closed_months(conn)
    latest = _latest_closes(conn)
    try:
        sealed_before: dict[str, Any] = json.loads(baseline) if baseline else {}
    except ValueError:
        sealed_before = {}
        problems.append(
            Problem(
                "",
                "the record of the months closed before the history chain began was "
                "changed outside ICMDesk",
            )
        )
    for month in sorted(closed | set(latest) | set(stored)):
        entry = latest.get(month)
        closed_by_close = entry is not None and entry[1] == "close"
        expected_closed = closed_by_close or (entry is None and month in sealed_before)
        if month not in closed:
            if expected_closed:
                problems.append(
                    Problem(
                        "",
                        f"the close of {month} was undone outside ICMDesk "
                        "(it is marked open, but it was never reopened)",
                    )
                )
            for rep_id in sorted(stored.get(month, {})):
                problems.append(
                    Problem(
                        "",
                        f"a statement of {who(rep_id)} for {month} was added outside "
                        f"ICMDesk ({month} is open)",
                    )
                )
            continue
        if closed_by_close:
            assert entry is not None
            seal = _seal_of(entry[2])
            if seal is None:
                problems.append(
                    Problem(
                        "",
                        f"the record of the close of {month} (audit entry #{entry[0]}) "
                        "was changed outside ICMDesk",
                    )
                )
                seal = stored.get(month, {})
        elif month in sealed_before:
            seal = _seal_of(json.dumps({"statements": sealed_before[month]})) or {}
        else:
            problems.append(
                Problem(
                    "",
                    f"{month} is marked closed, but the audit log has no record of its "
                    "close: the record was removed, or the month closed, outside ICMDesk",
                )
            )
            seal = stored.get(month, {})
        have = stored.get(month, {})
        for rep_id in sorted(set(seal) | set(have)):
            key = (month, rep_id)
            if key in faults:
                problems.append(
                    Problem(
                        "",
                        f"{statement(month, rep_id)} was changed outside ICMDesk ({faults[key]})",
                    )
                )
            elif rep_id not in have:
                problems.append(
                    Problem("", f"{statement(month, rep_id)} was deleted outside ICMDesk")
                )
            elif rep_id not in seal:
                problems.append(
                    Problem(
                        "",
                        f"a closed statement of {who(rep_id)} for {month} was added "
                        "outside ICMDesk (its close did not store it)",
                    )
                )
            elif seal[rep_id] != have[rep_id]:
                problems.append(
                    Problem(
                        "",
                        f"{statement(month, rep_id)} was changed outside ICMDesk "
                        "(it is not the statement its close stored)",
                    )
                )
    return problems


def _statement_fault(
    month: str,
    rep_id: int,
    columns: Any,
    content_hash: object,
    payload: object,
    currency: str,
) -> str:
    """What is wrong with a stored statement in itself ('' for nothing): its content hash
    recomputed from its payload as statement_codec.content_hash makes it (the canonical
    JSON without `closed` and `content_hash`), and its columns against its payload."""
    try:
        d = json.loads(str(payload))
        if not isinstance(d, dict):
            raise ValueError("not an object")
    except ValueError:
        return "its statement cannot be read"
    hashed = {k: v for k, v in d.items() if k not in ("closed", "content_hash")}
    text = json.dumps(hashed, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    if hashlib.sha256(text.encode("utf-8")).hexdigest() != content_hash:
        return "its content does not match its content hash"
    if d.get("month") != month or d.get("rep_id") != rep_id:
        return "it is filed under another month or rep than the statement names"
    for (name, label), cents in zip(_FIGURES, columns, strict=True):
        try:
            expected = Decimal(str(d.get(name)))
            differs = not isinstance(cents, int) or Decimal(cents).scaleb(-2) != expected
        except InvalidOperation:
            return f"its {label} cannot be read"
        if differs:
            shown = (
                fmt_money(Decimal(cents).scaleb(-2), currency)
                if isinstance(cents, int)
                else repr(cents)
            )
            return f"its {label} column says {shown}, the statement {fmt_money(expected, currency)}"
    return ""


def _seal_of(detail: str) -> dict[int, str] | None:
    try:
        return _pairs(json.loads(detail)["statements"])
    except (ValueError, KeyError, TypeError):
        return None


def _pairs(items: Any) -> dict[int, str]:
    return {int(rep_id): str(h) for rep_id, h in items}


# -- the audit log --------------------------------------------------------------------------


def _check_audit_chain(conn: Connection, head: Any) -> list[Problem]:
    problems: list[Problem] = []
    if head is None:
        return [Problem("", "the head of the history chain was removed outside ICMDesk")]
    head_id, head_hash, baseline = int(head[0]), head[1], str(head[2] or "")
    previous, previous_id = audit.genesis(baseline), 0
    broken = 0
    for row in conn.exec_driver_sql(
        'SELECT id, at, action, entity, entity_id, field, old, new, "user", detail, chain_hash'
        " FROM audit_log ORDER BY id"
    ):
        entry_id, stored = int(row[0]), row[10]
        stored = bytes(stored) if isinstance(stored, bytes) else None
        if stored is None or audit.link(previous, audit.entry_content(*row[:10])) != stored:
            broken += 1
            if broken <= _MAX_LINKS:
                problems.append(Problem("", _broken_link(previous_id, row)))
        previous, previous_id = stored or b"", entry_id
    if broken > _MAX_LINKS:
        problems.append(
            Problem(
                "",
                f"… and {broken - _MAX_LINKS:,} more audit entries changed or removed "
                "outside ICMDesk",
            )
        )
    if head_id > previous_id:
        first = previous_id + 1
        what = (
            f"the last audit entry (#{first}) was"
            if first == head_id
            else f"the last audit entries (#{first} to #{head_id}) were"
        )
        problems.append(Problem("", f"{what} removed outside ICMDesk"))
    elif head_id < previous_id:
        problems.append(
            Problem(
                "",
                f"audit entries after #{head_id} (up to #{previous_id}) were added outside ICMDesk",
            )
        )
    elif (not isinstance(head_hash, bytes) or bytes(head_hash) != previous) and not broken:
        problems.append(
            Problem(
                "",
                f"audit entry #{previous_id} was changed outside ICMDesk "
                "(it is not the latest entry the history chain recorded)",
            )
        )
    return problems


def _broken_link(previous_id: int, row: Any) -> str:
    entry_id = int(row[0])
    if entry_id != previous_id + 1:
        first, last = previous_id + 1, entry_id - 1
        if first == last:
            return f"audit entry #{first} was removed outside ICMDesk"
        return f"audit entries #{first} to #{last} were removed outside ICMDesk"
    at, action, entity, key = str(row[1])[:16], row[2], row[3], row[4]
    return (
        f"audit entry #{entry_id} ({at}: {action} {entity} {key}) was changed or removed "
        "outside ICMDesk"
    )
