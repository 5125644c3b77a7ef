"""`icmdesk import-deals`: exit codes, --json, --dry-run, --mapping and --date-order."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from icmdesk.cli import EXIT_OK, EXIT_QUESTIONS, EXIT_REFUSED, EXIT_REJECTED, main
from icmdesk.models.database import CompanyFile
from icmdesk.services import company_io, records

EXPORT = """\
Record ID,Deal Name,Deal Stage,Close Date,Deal owner,Amount,Pipeline,Deal Type,Associated Company
9001,Harbor retrofit,Closed Won,2026-11-03 14:22,Maya Okafor,"$1,234.50",Sales,New Business,Harbor
9002,Lost one,Closed Lost,2026-11-04,Maya Okafor,500,Sales,,Acme
9003,Pending,Closed Won,2026-11-05,Dan R,TBD,Sales,,Foo
9004,Bar expansion,Closed Won,2026-11-06,Dan R,700,Sales,Existing Business,Bar
"""


@pytest.fixture
def company(tmp_path: Path) -> Path:
    path = tmp_path / "demo.icmdesk"
    company_io.write_demo(path).close()
    return path


@pytest.fixture
def export(tmp_path: Path) -> Path:
    path = tmp_path / "deals.csv"
    path.write_text(EXPORT, encoding="utf-8")
    return path


def found(company: Path, external_id: str) -> bool:
    cf = CompanyFile.open(company)
    try:
        return records.find_deal(cf, external_id) is not None
    finally:
        cf.close()


def test_unmatched_owners_import_nothing_and_are_listed(
    company: Path, export: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    before = company.read_bytes()
    assert main(["import-deals", str(company), str(export), "--json"]) == EXIT_QUESTIONS
    out = json.loads(capsys.readouterr().out)
    assert out["imported"] is False
    assert out["unmatched_owners"] == [{"owner": "Dan R", "deals": 2}]
    assert out["counts"]["added"] == 1
    assert company.read_bytes() == before


def test_a_mapping_file_answers_the_owners_and_the_rest_imports(
    company: Path, export: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    mapping = tmp_path / "mapping.json"
    mapping.write_text(json.dumps({"owners": {"Dan R": "Daniel Reyes"}}), encoding="utf-8")
    args = ["import-deals", str(company), str(export), "--mapping", str(mapping), "--json"]
    assert main(args) == EXIT_REJECTED  # the TBD row
    out = json.loads(capsys.readouterr().out)
    assert out["imported"] is True
    assert out["added"] == ["9001", "9004"]
    assert out["skipped_not_won"] == [{"row": 3, "line": 3, "id": "9002"}]
    assert out["rejected"] == [
        {
            "row": 4,
            "line": 4,
            "id": "9003",
            "code": "amount_not_number",
            "reason": 'the amount "TBD" is not a number',
        }
    ]
    assert out["aliases_added"] == [{"owner": "Dan R", "rep": "Daniel Reyes"}]
    assert found(company, "9004")
    # The alias answers next time: the same file again changes nothing.
    before = company.read_bytes()
    assert main(["import-deals", str(company), str(export), "--json"]) == EXIT_REJECTED
    again = json.loads(capsys.readouterr().out)
    assert again["unchanged"] == ["9001", "9004"] and again["added"] == []
    assert company.read_bytes() == before


def test_dry_run_writes_nothing(
    company: Path, export: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    mapping = tmp_path / "mapping.json"
    mapping.write_text(json.dumps({"owners": {"Dan R": None}}), encoding="utf-8")
    before = company.read_bytes()
    code = main(["import-deals", str(company), str(export), "--mapping", str(mapping), "--dry-run"])
    assert code == EXIT_OK
    text = capsys.readouterr().out
    assert "1 to add" in text and "Dry run: nothing was written." in text
    assert company.read_bytes() == before


def test_a_refused_file_exits_6_with_its_reason(
    company: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    empty = tmp_path / "empty.csv"
    empty.write_bytes(b"")
    before = company.read_bytes()
    assert main(["import-deals", str(company), str(empty), "--json"]) == EXIT_REFUSED
    captured = capsys.readouterr()
    assert json.loads(captured.out)["refused"]["code"] == "empty"
    assert "empty.csv is empty" in captured.err
    assert company.read_bytes() == before


def test_date_order_reads_dates_that_read_both_ways(
    company: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "sheet.csv"
    path.write_text(
        "Deal ID,Customer,Owner,Amount,Closed\n"
        "A-1,Harbor Labs,Maya Okafor,1200,03/11/2026\n"
        "A-2,Cedar Point,Grace Kim,800,04/11/2026\n",
        encoding="utf-8",
    )
    assert main(["import-deals", str(company), str(path), "--json"]) == EXIT_QUESTIONS
    assert json.loads(capsys.readouterr().out)["ambiguous_dates"] == ["03/11/2026", "04/11/2026"]
    assert main(["import-deals", str(company), str(path), "--date-order", "DMY"]) == EXIT_OK
    cf = CompanyFile.open(company)
    try:
        deal = records.find_deal(cf, "A-1")
        assert deal is not None and deal.close_date.isoformat() == "2026-11-03"
    finally:
        cf.close()
