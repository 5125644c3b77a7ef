"""The whole company in and out: demo, JSON round trip, failing imports, checks."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest

from icmdesk.domain.errors import ValidationError
from icmdesk.models.database import CompanyFile
from icmdesk.services import company_io


def test_demo_file_passes_every_check(demo_template: Path) -> None:
    cf = CompanyFile.open(demo_template)
    try:
        assert company_io.check(cf) == []
    finally:
        cf.close()


def test_export_import_export_is_identical(demo_template: Path, tmp_path: Path) -> None:
    cf = CompanyFile.open(demo_template)
    try:
        first = company_io.export_json(cf)
    finally:
        cf.close()
    copy = company_io.import_json(tmp_path / "copy.icmdesk", first)
    try:
        second = company_io.export_json(copy)
    finally:
        copy.close()
    assert second == first
    doc = json.loads(first)
    assert len(doc["deals"]) > 100 and len(doc["reps"]) >= 6


def test_import_replaces_the_content_of_an_existing_file(
    demo_template: Path, tmp_path: Path
) -> None:
    cf = CompanyFile.open(demo_template)
    try:
        document = company_io.export_json(cf)
    finally:
        cf.close()
    target = tmp_path / "other.icmdesk"
    company_io.import_json(target, document).close()
    company_io.import_json(target, document).close()  # again, over itself
    cf = CompanyFile.open(target)
    try:
        assert company_io.export_json(cf) == document
    finally:
        cf.close()


def _snapshot_bytes(path: Path) -> bytes:
    return path.read_bytes()


@pytest.mark.parametrize(
    "spoil",
    [
        lambda doc: "{not json",
        lambda doc: json.dumps({**json.loads(doc), "format": "something-else"}),
        lambda doc: doc.replace('"amount": "', '"amount": "12.345', 1),
        lambda doc: json.dumps(
            {**json.loads(doc), "deals": json.loads(doc)["deals"] + json.loads(doc)["deals"][:1]}
        ),
    ],
    ids=["not-json", "wrong-format", "fraction-of-cent", "duplicate-deal"],
)
def test_failing_import_leaves_the_file_byte_identical(
    demo_template: Path, tmp_path: Path, spoil: object
) -> None:
    target = tmp_path / "target.icmdesk"
    cf = CompanyFile.open(demo_template)
    try:
        document = company_io.export_json(cf)
        cf.backup_to(target)
    finally:
        cf.close()
    CompanyFile.open(target).close()  # settle WAL/header once, as any open would
    before = _snapshot_bytes(target)
    with pytest.raises(ValidationError):
        company_io.import_json(target, spoil(document))  # type: ignore[operator]
    assert _snapshot_bytes(target) == before


def test_import_failing_inside_the_transaction_rolls_back(
    demo_template: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    target = tmp_path / "target.icmdesk"
    cf = CompanyFile.open(demo_template)
    try:
        document = company_io.export_json(cf)
        cf.backup_to(target)
    finally:
        cf.close()
    CompanyFile.open(target).close()
    before = _snapshot_bytes(target)

    from icmdesk.services import store

    def boom(session: object, deals: object) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(store, "insert_deals", boom)
    with pytest.raises(OSError, match="No space"):
        company_io.import_json(target, document)
    assert _snapshot_bytes(target) == before


def test_check_reports_broken_references(demo_template: Path, tmp_path: Path) -> None:
    target = tmp_path / "broken.icmdesk"
    cf = CompanyFile.open(demo_template)
    cf.backup_to(target)
    cf.close()
    conn = sqlite3.connect(target)
    conn.execute("PRAGMA foreign_keys = OFF")
    conn.execute("UPDATE credits SET rep_id = 999 WHERE rowid = (SELECT min(rowid) FROM credits)")
    conn.commit()
    conn.close()
    cf = CompanyFile.open(target)
    try:
        problems = company_io.check(cf)
    finally:
        cf.close()
    assert any("credits" in p.message and "missing reps" in p.message for p in problems)
