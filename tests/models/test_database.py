"""Company files: creation, markers, migrations, refusals, immutability of closed statements."""

from __future__ import annotations

import shutil
import sqlite3
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import text

from icmdesk.domain.errors import CompanyFileError
from icmdesk.models import database
from icmdesk.models.database import APPLICATION_ID, CompanyFile, head_revision
from icmdesk.models.tables import Base, DealRow


@pytest.fixture
def new_file(tmp_path: Path) -> Path:
    path = tmp_path / "acme.icmdesk"
    CompanyFile.create(path).close()
    return path


def pragma(path: Path, name: str) -> object:
    conn = sqlite3.connect(path)
    try:
        return conn.execute(f"PRAGMA {name}").fetchone()[0]
    finally:
        conn.close()


def test_new_file_is_marked_and_at_head(new_file: Path) -> None:
    assert pragma(new_file, "application_id") == APPLICATION_ID
    assert pragma(new_file, "user_version") == int(head_revision())
    assert pragma(new_file, "journal_mode") == "wal"
    cf = CompanyFile.open(new_file)
    try:
        assert cf.report.migrated_from is None
        with cf.engine.connect() as conn:
            assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar_one() == 1
    finally:
        cf.close()


def test_migrations_match_the_models(new_file: Path) -> None:
    cf = CompanyFile.open(new_file)
    try:
        with cf.engine.connect() as conn:
            diff = compare_metadata(MigrationContext.configure(conn), Base.metadata)
    finally:
        cf.close()
    assert diff == []


def test_audit_entries_from_before_users_were_recorded_have_none(tmp_path: Path) -> None:
    path = tmp_path / "old.icmdesk"
    CompanyFile.create(path).close()
    engine = database.make_engine(path)
    try:
        with engine.begin() as conn:
            config = database._alembic_config()
            config.attributes["connection"] = conn
            command.downgrade(config, "0006")
            conn.exec_driver_sql("PRAGMA user_version = 6")
            conn.exec_driver_sql(
                "INSERT INTO audit_log (at, action, entity, entity_id, field, old, new) "
                "VALUES ('2026-01-02 03:04:05', 'create', 'company', '1', '', '', 'Acme')"
            )
    finally:
        engine.dispose()
    cf = CompanyFile.open(path)
    try:
        assert cf.report.migrated_from == "0006"
        with cf.engine.connect() as conn:
            rows = conn.exec_driver_sql("SELECT new, user FROM audit_log").all()
    finally:
        cf.close()
    assert [tuple(r) for r in rows] == [("Acme", "")]


def test_no_column_stores_floating_point(new_file: Path) -> None:
    conn = sqlite3.connect(new_file)
    try:
        tables = [r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")]
        types = {
            (t, col[1]): col[2].upper()
            for t in tables
            for col in conn.execute(f"PRAGMA table_info({t})")
        }
    finally:
        conn.close()
    assert not [k for k, v in types.items() if v in ("REAL", "FLOAT", "DOUBLE") or "NUMERIC" in v]
    assert types[("deals", "amount")] == "INTEGER"


def test_money_is_stored_as_integer_cents(new_file: Path) -> None:
    cf = CompanyFile.open(new_file)
    try:
        with cf.session() as s:
            s.add(
                DealRow(
                    external_id="D-1",
                    customer="C",
                    amount=Decimal("1234.56"),
                    close_date=date(2026, 3, 1),
                )
            )
        with cf.engine.connect() as conn:
            raw = conn.execute(text("SELECT amount, typeof(amount) FROM deals")).one()
        assert tuple(raw) == (123456, "integer")
    finally:
        cf.close()


def test_fraction_of_a_cent_is_refused_not_rounded(new_file: Path) -> None:
    cf = CompanyFile.open(new_file)
    try:
        with pytest.raises(Exception, match="more than 2 decimal places"), cf.session() as s:
            s.add(
                DealRow(
                    external_id="D-1",
                    customer="C",
                    amount=Decimal("1.005"),
                    close_date=date(2026, 3, 1),
                )
            )
    finally:
        cf.close()


def test_schema_refuses_what_it_can(new_file: Path) -> None:
    conn = sqlite3.connect(new_file)
    conn.execute("PRAGMA foreign_keys = ON")
    try:
        bad = [
            "INSERT INTO deals (external_id, customer, amount, close_date, deal_type,"
            " cancellation_reason) VALUES ('D-1', 'C', -5, '2026-01-01', 'new', '')",
            "INSERT INTO credits (deal_id, position, rep_id, split_pct) VALUES (999, 0, 1, 100)",
            "INSERT INTO company (id, name, address, currency, fiscal_year_start,"
            " clawback_window_days, clawback_method, forgive_balance_at_termination, page_size,"
            " statement_help_text) VALUES (2, 'X', '', 'USD', 1, 90, 'full', 0, 'letter', '')",
        ]
        for sql in bad:
            with pytest.raises(sqlite3.IntegrityError):
                conn.execute(sql)
    finally:
        conn.close()


def test_closed_statements_cannot_be_rewritten(new_file: Path) -> None:
    conn = sqlite3.connect(new_file, isolation_level=None)
    try:
        conn.execute(
            "INSERT INTO reps (id, name, email, payroll_id, hire_date) "
            "VALUES (1, 'Ana', '', '', '2026-01-01')"
        )
        conn.execute("INSERT INTO periods (month, status) VALUES ('2026-01', 'closed')")
        conn.execute(
            "INSERT INTO statement_snapshots VALUES ('2026-01', 1, 100, 0, 0, 0, 100, 0, 100,"
            " 'abc', '{}')"
        )
        with pytest.raises(sqlite3.IntegrityError, match="cannot be changed"):
            conn.execute("UPDATE statement_snapshots SET payout = 1")
        with pytest.raises(sqlite3.IntegrityError, match="cannot be deleted"):
            conn.execute("DELETE FROM statement_snapshots")
        conn.execute("UPDATE periods SET status = 'open'")
        conn.execute("DELETE FROM statement_snapshots")  # a reopened month may be recomputed
    finally:
        conn.close()


def test_empty_marked_file_is_migrated_to_head_after_a_backup(tmp_path: Path) -> None:
    path = tmp_path / "old.icmdesk"
    conn = sqlite3.connect(path)
    conn.execute(f"PRAGMA application_id = {APPLICATION_ID}")
    conn.close()
    cf = CompanyFile.open(path)
    try:
        assert cf.report.migrated_from == "empty"
        assert cf.report.backup_path is not None and cf.report.backup_path.exists()
        assert pragma(cf.report.backup_path, "application_id") == APPLICATION_ID
    finally:
        cf.close()
    assert pragma(path, "user_version") == int(head_revision())


def test_failed_migration_rolls_back_completely(
    new_file: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    migrations = tmp_path / "migrations"
    shutil.copytree(database.MIGRATIONS_DIR, migrations)
    # The broken migration comes after the current head (the file is created at head).
    head = database.head_revision()
    broken = f"{int(head) + 1:04d}"
    (migrations / "versions" / f"{broken}_broken.py").write_text(
        '"""A migration that fails half way."""\n'
        "import sqlalchemy as sa\nfrom alembic import op\n\n"
        f"revision = '{broken}'\ndown_revision = '{head}'\nbranch_labels = None\n"
        "depends_on = None\n\n"
        "def upgrade():\n"
        "    op.create_table('half_done', sa.Column('id', sa.Integer, primary_key=True))\n"
        "    op.add_column('deals', sa.Column('extra', sa.Integer))\n"
        "    raise RuntimeError('disk on fire')\n\n"
        "def downgrade():\n    pass\n"
    )
    monkeypatch.setattr(database, "MIGRATIONS_DIR", migrations)
    with pytest.raises(RuntimeError, match="disk on fire"):
        CompanyFile.open(new_file)
    conn = sqlite3.connect(new_file)
    try:
        tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")}
        columns = {r[1] for r in conn.execute("PRAGMA table_info(deals)")}
        revision = conn.execute("SELECT version_num FROM alembic_version").fetchone()[0]
    finally:
        conn.close()
    assert "half_done" not in tables
    assert "extra" not in columns
    assert revision == head
    assert pragma(new_file, "user_version") == int(head)


def test_file_from_a_newer_version_is_refused(new_file: Path) -> None:
    conn = sqlite3.connect(new_file)
    conn.execute("UPDATE alembic_version SET version_num = '0042'")
    conn.execute("PRAGMA user_version = 42")
    conn.commit()
    conn.close()
    with pytest.raises(CompanyFileError, match="newer version of ICMDesk"):
        CompanyFile.open(new_file)


def test_corrupt_file_is_refused(new_file: Path) -> None:
    data = bytearray(new_file.read_bytes())
    page = 4096
    data[page : page * 3] = b"\xde\xad\xbe\xef" * (page // 2)
    new_file.write_bytes(bytes(data))
    with pytest.raises(CompanyFileError, match="damaged"):
        CompanyFile.open(new_file)


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"", "not an ICMDesk company file"),
        (b"name,amount\nAcme,100\n", "not an ICMDesk company file"),
        (b"%PDF-1.4\n" + bytes(range(256)) * 20, "not an ICMDesk company file"),
    ],
)
def test_non_sqlite_file_is_refused(tmp_path: Path, content: bytes, message: str) -> None:
    path = tmp_path / "deals.icmdesk"
    path.write_bytes(content)
    with pytest.raises(CompanyFileError, match=message):
        CompanyFile.open(path)
    assert path.read_bytes() == content


def test_other_sqlite_database_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "other.db"
    conn = sqlite3.connect(path)
    conn.execute("CREATE TABLE t (x)")
    conn.commit()
    conn.close()
    with pytest.raises(CompanyFileError, match="not an ICMDesk company file"):
        CompanyFile.open(path)


def test_missing_file_and_existing_target(tmp_path: Path, new_file: Path) -> None:
    with pytest.raises(CompanyFileError, match="does not exist"):
        CompanyFile.open(tmp_path / "nope.icmdesk")
    with pytest.raises(CompanyFileError, match="already exists"):
        CompanyFile.create(new_file)


def test_backup_is_a_consistent_company_file(tmp_path: Path) -> None:
    from icmdesk.services import company_io

    source = company_io.write_demo(tmp_path / "demo.icmdesk")
    try:
        original = company_io.export_json(source)
        target = source.backup_to(tmp_path / "copy.icmdesk")  # while the source is open
    finally:
        source.close()
    copy = CompanyFile.open(target)
    try:
        assert company_io.export_json(copy) == original  # every record, as it was
    finally:
        copy.close()


def test_open_check_is_bounded_in_time_but_still_probes_every_table(
    new_file: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(database, "OPEN_CHECK_BUDGET_S", 0.0)
    CompanyFile.open(new_file).close()  # quick_check interrupted at once: still opens
    data = bytearray(new_file.read_bytes())
    data[4096 : 4096 * 3] = b"\xde\xad\xbe\xef" * 2048
    new_file.write_bytes(bytes(data))
    with pytest.raises(CompanyFileError, match="damaged"):
        CompanyFile.open(new_file)  # the table probe alone finds the broken pages


def test_open_check_stops_at_its_budget_even_inside_sqlites_tree_walk(
    new_file: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # ~65 MB in one table, then one page more that nothing uses: SQLite reports it only
    # once it has walked every b-tree, in a single step of its VM, which a progress handler
    # never interrupts. The first-page probe cannot see it.
    conn = sqlite3.connect(new_file)
    conn.execute("CREATE TABLE bulk (b BLOB NOT NULL)")
    conn.execute(
        "WITH RECURSIVE n(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM n WHERE x < 400000) "
        "INSERT INTO bulk SELECT randomblob(150) FROM n"
    )
    conn.commit()
    conn.close()
    data = bytearray(new_file.read_bytes())
    pages = int.from_bytes(data[28:32], "big")  # the header's page count
    data[28:32] = (pages + 1).to_bytes(4, "big")
    new_file.write_bytes(bytes(data) + bytes(len(data) // pages))
    monkeypatch.setattr(database, "OPEN_CHECK_BUDGET_S", 0.0)
    CompanyFile.open(new_file).close()  # stopped before it got there
    monkeypatch.setattr(database, "OPEN_CHECK_BUDGET_S", 60.0)
    with pytest.raises(CompanyFileError, match="damaged"):
        CompanyFile.open(new_file)  # the same check, given the time, finds it


def test_head_revision_from_file_names_is_alembics_head() -> None:
    from alembic.script import ScriptDirectory

    scripts = ScriptDirectory.from_config(database._alembic_config())
    assert head_revision() == scripts.get_current_head()
