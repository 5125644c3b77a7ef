"""Verified history: `check` names what was changed outside ICMDesk in the closed
statements and the audit log, and passes on every history ICMDesk itself writes (closes,
reopens, imports of deals and adjustments, a company document, a migrated file)."""

from __future__ import annotations

import dataclasses
import hashlib
import json
import shutil
import sqlite3
from decimal import Decimal
from pathlib import Path

import pytest
from alembic import command

from icmdesk.cli import EXIT_PROBLEMS, main
from icmdesk.domain.calendar import Month
from icmdesk.domain.entities import Adjustment, Company
from icmdesk.models import database
from icmdesk.models.database import CompanyFile
from icmdesk.services import company_io, integrity, periods, records

DANIEL = 2  # Daniel Reyes in the demo company
JAN = "2026-01"


@pytest.fixture(scope="module")
def prepared(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The demo company closed through 2026-03, with a few edits on the way, made once for
    the module."""
    folder = tmp_path_factory.mktemp("history")
    path = folder / "demo.icmdesk"
    cf = company_io.write_demo(path)
    try:
        periods.close_through(cf, Month(2026, 2), backup_dir=folder / "Backups")
        # Edits between the closes: the log holds more than closes.
        for n in range(4):
            records.save_adjustment(
                cf, Adjustment(DANIEL, Month(2026, 3), Decimal(25 + n), f"Spiff {n}")
            )
        rep = records.get_rep(cf, DANIEL)
        records.save_rep(cf, dataclasses.replace(rep, email="dreyes@example.com"))
        periods.close_through(cf, Month(2026, 3), backup_dir=folder / "Backups")
    finally:
        cf.close()
    return path


@pytest.fixture
def demo_with_history(prepared: Path, tmp_path: Path) -> Path:
    target = tmp_path / "demo.icmdesk"
    shutil.copyfile(prepared, target)
    return target


def problems(path: Path) -> list[str]:
    cf = CompanyFile.open(path)
    try:
        return [p.message for p in company_io.check(cf)]
    finally:
        cf.close()


def tamper(path: Path, *statements: str | tuple[str, tuple[object, ...]]) -> None:
    """Edit the file as a database tool would: triggers dropped, the edit made, the
    triggers made again."""
    conn = sqlite3.connect(path)
    try:
        conn.execute("PRAGMA foreign_keys = OFF")
        triggers = conn.execute(
            "SELECT name, sql FROM sqlite_master WHERE type = 'trigger'"
        ).fetchall()
        for name, _sql in triggers:
            conn.execute(f'DROP TRIGGER "{name}"')
        for statement in statements:
            if isinstance(statement, tuple):
                conn.execute(*statement)
            else:
                conn.execute(statement)
        for _name, sql in triggers:
            conn.execute(sql)
        conn.commit()
    finally:
        conn.close()


def one(conn_path: Path, sql: str, *params: object) -> object:
    conn = sqlite3.connect(conn_path)
    try:
        return conn.execute(sql, params).fetchone()[0]
    finally:
        conn.close()


def statement_changed(month: str = JAN, name: str = "Daniel Reyes") -> str:
    return f"the closed statement of {name} for {month} was changed outside ICMDesk"


# -- what ICMDesk writes passes --------------------------------------------------------------


def test_a_new_company_passes(tmp_path: Path) -> None:
    records.create_company_file(tmp_path / "new.icmdesk", Company("Acme Ltd")).close()
    assert problems(tmp_path / "new.icmdesk") == []


def test_the_demo_closed_through_a_few_months_passes(demo_with_history: Path) -> None:
    assert problems(demo_with_history) == []
    assert one(demo_with_history, "SELECT count(*) FROM audit_log WHERE chain_hash IS NULL") == 0
    assert one(demo_with_history, "SELECT head_id FROM history_chain") == one(
        demo_with_history, "SELECT max(id) FROM audit_log"
    )


def test_closes_and_reopens_keep_the_chain_whole(demo_with_history: Path) -> None:
    cf = CompanyFile.open(demo_with_history)
    try:
        periods.reopen(cf, Month(2026, 3))
        assert company_io.check(cf) == []
        periods.reopen(cf, Month(2026, 2))
        assert company_io.check(cf) == []
        periods.close_through(cf, Month(2026, 4), backup_dir=demo_with_history.parent / "Backups")
        assert company_io.check(cf) == []
        assert integrity.verify(cf) == []
    finally:
        cf.close()


def test_deal_and_adjustment_imports_extend_the_chain(
    demo_with_history: Path, tmp_path: Path
) -> None:
    owners = ("Maya Okafor", "Daniel Reyes", "Priya Natarajan")
    lines = [
        "Record ID,Deal Name,Deal Stage,Close Date,Deal owner,Amount,Pipeline,Deal Type,"
        "Associated Company"
    ]
    lines += [
        f"{70000 + i},Deal {i},Closed Won,2026-04-{1 + i % 28:02d},{owners[i % 3]},"
        f'"${1000 + i:,}.00",Sales,New Business,Customer {i}'
        for i in range(3000)
    ]
    deals = tmp_path / "deals.csv"
    deals.write_text("\n".join(lines) + "\n", encoding="utf-8")
    assert main(["import-deals", str(demo_with_history), str(deals)]) == 0
    # Again, with changes: updates go through the chain too.
    deals.write_text("\n".join(lines).replace('.00"', '.50"') + "\n", encoding="utf-8")
    assert main(["import-deals", str(demo_with_history), str(deals)]) == 0
    adjustments = tmp_path / "adjustments.csv"
    adjustments.write_text(
        "ID,Rep,Month,Amount,Reason\nA-1,Daniel Reyes,2026-04,250,Bonus\n"
        "A-2,Maya Okafor,2026-04,-40,Phone\n",
        encoding="utf-8",
    )
    assert main(["import-adjustments", str(demo_with_history), str(adjustments)]) == 0
    adjustments.write_text(
        "ID,Rep,Month,Amount,Reason\nA-1,Daniel Reyes,2026-04,300,Bonus\n", encoding="utf-8"
    )
    assert main(["import-adjustments", str(demo_with_history), str(adjustments)]) == 0
    assert one(demo_with_history, "SELECT count(*) FROM audit_log") > 6000
    assert problems(demo_with_history) == []
    # And a deal's audit entry changed among them is found.
    tamper(demo_with_history, "UPDATE audit_log SET new = new || ' ' WHERE id = 5000")
    assert [m for m in problems(demo_with_history) if "audit entry #5000" in m]


def test_a_company_document_round_trip_rebuilds_the_chain(
    demo_with_history: Path, tmp_path: Path
) -> None:
    cf = CompanyFile.open(demo_with_history)
    try:
        document = company_io.export_json(cf)
    finally:
        cf.close()
    company_io.import_json(tmp_path / "copy.icmdesk", document).close()
    assert problems(tmp_path / "copy.icmdesk") == []
    company_io.import_json(demo_with_history, document).close()  # over an existing file
    assert problems(demo_with_history) == []
    # Statements closed without a close in the document's log are sealed too.
    doc = json.loads(document)
    doc["audit"] = [e for e in doc["audit"] if e["action"] != "close"]
    company_io.import_json(tmp_path / "bare.icmdesk", json.dumps(doc)).close()
    assert problems(tmp_path / "bare.icmdesk") == []
    tamper(
        tmp_path / "bare.icmdesk",
        f"DELETE FROM statement_snapshots WHERE month = '{JAN}' AND rep_id = {DANIEL}",
    )
    assert problems(tmp_path / "bare.icmdesk") == [
        f"the closed statement of Daniel Reyes for {JAN} was deleted outside ICMDesk"
    ]


def test_an_older_file_gets_its_chain_when_migrated(demo_with_history: Path) -> None:
    engine = database.make_engine(demo_with_history)
    try:
        with engine.begin() as conn:
            config = database._alembic_config()
            config.attributes["connection"] = conn
            command.downgrade(config, "0009")
            conn.exec_driver_sql("PRAGMA user_version = 9")
            # A month closed by hand before ICMDesk kept a chain: sealed in the baseline.
            conn.exec_driver_sql("DELETE FROM audit_log WHERE entity_id = '2025-11'")
    finally:
        engine.dispose()
    cf = CompanyFile.open(demo_with_history)
    try:
        assert cf.report.migrated_from == "0009"
        assert company_io.check(cf) == []
    finally:
        cf.close()
    assert "2025-11" in str(one(demo_with_history, "SELECT baseline FROM history_chain"))
    tamper(
        demo_with_history,
        "UPDATE statement_snapshots SET payout = payout + 100 WHERE month = '2025-11'",
    )
    assert any(
        statement_changed("2025-11", "Maya Okafor") in m for m in problems(demo_with_history)
    )


# -- what is changed outside ICMDesk is named ------------------------------------------------


def _in_january(column_edit: str) -> str:
    return (
        f"UPDATE statement_snapshots SET {column_edit} WHERE month = '{JAN}' AND rep_id = {DANIEL}"
    )


def _payload(path: Path) -> dict[str, object]:
    text = one(
        path,
        "SELECT payload FROM statement_snapshots WHERE month = ? AND rep_id = ?",
        JAN,
        DANIEL,
    )
    result: dict[str, object] = json.loads(str(text))
    return result


def test_a_payout_raised_in_a_closed_statement(demo_with_history: Path) -> None:
    tamper(demo_with_history, _in_january("payout = payout + 100"))
    found = problems(demo_with_history)
    assert len(found) == 1
    assert found[0].startswith(statement_changed())
    assert "payout column says" in found[0]


def test_a_changed_content_hash(demo_with_history: Path) -> None:
    tamper(demo_with_history, _in_january(f"content_hash = '{'0' * 64}'"))
    assert problems(demo_with_history) == [
        f"{statement_changed()} (its content does not match its content hash)"
    ]


def test_a_payload_edited_with_its_hash_kept(demo_with_history: Path) -> None:
    payload = _payload(demo_with_history)
    payload["earnings"] = "999999.00"
    edited = json.dumps(payload, sort_keys=True, separators=(",", ":"))
    tamper(demo_with_history, (_in_january("payload = ?"), (edited,)))
    assert problems(demo_with_history) == [
        f"{statement_changed()} (its content does not match its content hash)"
    ]


def test_a_statement_rewritten_whole_with_a_new_hash(demo_with_history: Path) -> None:
    """Payload, hash and columns made consistent again: only the close's record knows."""
    payload = _payload(demo_with_history)
    payload["payout"] = str(payload["payout"]).replace(".", "1.", 1)
    hashed = {k: v for k, v in payload.items() if k not in ("closed", "content_hash")}
    digest = hashlib.sha256(
        json.dumps(hashed, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()
    ).hexdigest()
    cents = int(str(payload["payout"]).replace(".", ""))
    tamper(
        demo_with_history,
        (
            _in_january("payload = ?, content_hash = ?, payout = ?"),
            (json.dumps(payload, sort_keys=True, separators=(",", ":")), digest, cents),
        ),
    )
    assert problems(demo_with_history) == [
        f"{statement_changed()} (it is not the statement its close stored)"
    ]


def test_one_reps_closed_statement_deleted(demo_with_history: Path) -> None:
    tamper(
        demo_with_history,
        f"DELETE FROM statement_snapshots WHERE month = '{JAN}' AND rep_id = {DANIEL}",
    )
    assert problems(demo_with_history) == [
        f"the closed statement of Daniel Reyes for {JAN} was deleted outside ICMDesk"
    ]


def test_a_closed_month_marked_open(demo_with_history: Path) -> None:
    tamper(
        demo_with_history,
        "DELETE FROM statement_snapshots WHERE month = '2026-03'",
        "UPDATE periods SET status = 'open', closed_at = NULL WHERE month = '2026-03'",
    )
    assert problems(demo_with_history) == [
        "the close of 2026-03 was undone outside ICMDesk (it is marked open, but it was never "
        "reopened)"
    ]


def _entry(path: Path) -> int:
    """An audit entry in the middle of the log, not a close."""
    middle = int(str(one(path, "SELECT max(id) FROM audit_log"))) // 2
    return int(
        str(one(path, "SELECT min(id) FROM audit_log WHERE id >= ? AND action <> 'close'", middle))
    )


@pytest.mark.parametrize(
    "edit",
    [
        "new = new || '!'",
        "at = '2025-01-01 09:00:00.000000'",  # re-dated
        "user = 'someone else'",
    ],
)
def test_an_audit_entry_changed(demo_with_history: Path, edit: str) -> None:
    n = _entry(demo_with_history)
    tamper(demo_with_history, f"UPDATE audit_log SET {edit} WHERE id = {n}")
    found = problems(demo_with_history)
    assert len(found) == 1
    assert found[0].startswith(f"audit entry #{n} (")
    assert found[0].endswith("was changed or removed outside ICMDesk")


def test_an_audit_entry_deleted(demo_with_history: Path) -> None:
    n = _entry(demo_with_history)
    tamper(demo_with_history, f"DELETE FROM audit_log WHERE id = {n}")
    assert problems(demo_with_history) == [f"audit entry #{n} was removed outside ICMDesk"]


def test_a_close_removed_from_the_audit_log(demo_with_history: Path) -> None:
    n = int(
        str(one(demo_with_history, "SELECT id FROM audit_log WHERE action = 'close' ORDER BY id"))
    )
    month = one(demo_with_history, "SELECT entity_id FROM audit_log WHERE id = ?", n)
    tamper(demo_with_history, f"DELETE FROM audit_log WHERE id = {n}")
    assert problems(demo_with_history) == [
        f"{month} is marked closed, but the audit log has no record of its close: the record "
        "was removed, or the month closed, outside ICMDesk",
        f"audit entry #{n} was removed outside ICMDesk",
    ]


def test_the_last_audit_entries_deleted(demo_with_history: Path) -> None:
    last = int(str(one(demo_with_history, "SELECT max(id) FROM audit_log")))
    tamper(demo_with_history, f"DELETE FROM audit_log WHERE id > {last - 2}")
    found = problems(demo_with_history)
    assert f"the last audit entries (#{last - 1} to #{last}) were removed outside ICMDesk" in (
        found
    )


def test_an_audit_entry_added(demo_with_history: Path) -> None:
    tamper(
        demo_with_history,
        "INSERT INTO audit_log (at, action, entity, entity_id, field, old, new, user)"
        " VALUES ('2026-01-01 00:00:00.000000', 'create', 'deal', '1', '', '', 'x', '')",
    )
    last = int(str(one(demo_with_history, "SELECT max(id) FROM audit_log")))
    found = problems(demo_with_history)
    added = f"audit entry #{last} (2026-01-01 00:00: create deal 1) was changed or removed"
    assert f"{added} outside ICMDesk" in found
    assert any(m.startswith(f"audit entries after #{last - 1}") for m in found)


def test_a_credit_of_a_missing_deal_is_reported_not_a_crash(demo_with_history: Path) -> None:
    tamper(
        demo_with_history,
        "INSERT INTO credits (deal_id, position, rep_id, split_pct) VALUES (999999, 0, 2, 1000000)",
    )
    found = problems(demo_with_history)
    assert any("credits" in m and "missing deals" in m and "deal_id 999999" in m for m in found)
    assert any("rules were not checked" in m for m in found)


def test_check_exits_with_problems(
    demo_with_history: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    tamper(demo_with_history, _in_january("payout = payout + 100"))
    assert main(["check", str(demo_with_history)]) == EXIT_PROBLEMS
    assert statement_changed() in capsys.readouterr().err


def test_the_tampered_payout_is_what_made_compute_disagree(demo_with_history: Path) -> None:
    """The symptom the check explains: a closed month computed alone (its stored
    statement) and through a range (its stored figures) no longer agree."""
    tamper(demo_with_history, _in_january("payout = payout + 100"))
    cf = CompanyFile.open(demo_with_history)
    try:
        alone = {s.rep_id: s.payout for s in periods.compute(cf, Month(2026, 1))}
        ranged = {
            t.rep_id: t.payout
            for t in periods.compute_all(cf, Month(2026, 1), Month(2026, 1))[Month(2026, 1)]
        }
    finally:
        cf.close()
    assert ranged[DANIEL] - alone[DANIEL] == 1
