"""`icmdesk import-adjustments`: the preview and result as JSON, --dry-run, exit codes."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest

from icmdesk.cli import EXIT_OK, EXIT_REFUSED, EXIT_REJECTED, main
from icmdesk.domain.entities import Company, Rep
from icmdesk.services import records

DATA = Path(__file__).resolve().parent / "data" / "adjustments"


@pytest.fixture
def company(tmp_path: Path) -> Path:
    path = tmp_path / "acme.icmdesk"
    cf = records.create_company_file(path, Company("Acme Ltd"))
    records.save_rep(cf, Rep("Ana Lee", date(2026, 1, 5), email="ana@acme.test"))
    records.save_rep(cf, Rep("Bo Chen", date(2026, 1, 5), payroll_id="P-002", aliases=("Bobby",)))
    cf.close()
    return path


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(["import-adjustments", *args])
    out, err = capsys.readouterr()
    return code, out, err


def test_json_lists_what_each_row_did(
    company: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    file = tmp_path / "adj.csv"
    file.write_text(
        "ID,Rep,Month,Amount,Reason\nA-1,Ana Lee,2026-03,250,Bonus\nA-2,Nobody,2026-03,5,Who\n",
        encoding="utf-8",
    )
    code, out, _err = run(capsys, str(company), str(file), "--json")
    assert code == EXIT_REJECTED
    doc = json.loads(out)
    assert doc["counts"] == {"rows": 2, "added": 1, "updated": 0, "unchanged": 0, "rejected": 1}
    assert doc["added"] == ["A-1"] and doc["updated"] == [] and doc["unchanged"] == []
    assert doc["imported"] is True and doc["written"] is True
    assert doc["rejected"] == [
        {
            "row": 3,
            "line": 3,
            "id": "A-2",
            "code": "rep_unknown",
            "reason": doc["rejected"][0]["reason"],
        }
    ]
    assert '"Nobody"' in doc["rejected"][0]["reason"]
    # A correction of A-1 and the same file again: updated, with what changed.
    file.write_text("ID,Rep,Month,Amount,Reason\nA-1,Ana Lee,2026-03,300,Bonus\n", encoding="utf-8")
    code, out, _err = run(capsys, str(company), str(file), "--json")
    doc = json.loads(out)
    assert code == EXIT_OK and doc["updated"] == ["A-1"]
    assert doc["changes"] == {"A-1": [{"field": "amount", "old": "250.00", "new": "300.00"}]}
    code, out, _err = run(capsys, str(company), str(file), "--json")
    doc = json.loads(out)
    assert code == EXIT_OK and doc["unchanged"] == ["A-1"] and doc["written"] is False


def test_dry_run_writes_nothing(company: Path, capsys: pytest.CaptureFixture[str]) -> None:
    before = company.read_bytes()
    code, out, err = run(capsys, str(company), str(DATA / "bulk.csv"), "--dry-run")
    assert code == EXIT_OK
    assert "5 added" in out and "Dry run: nothing was written." in out and err == ""
    assert company.read_bytes() == before
    code, out, _err = run(capsys, str(company), str(DATA / "bulk.csv"), "--dry-run", "--json")
    assert json.loads(out)["imported"] is False
    assert company.read_bytes() == before


def test_importing_twice_changes_nothing_the_second_time(
    company: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert run(capsys, str(company), str(DATA / "bulk.csv"))[0] == EXIT_OK
    before = company.read_bytes()
    code, out, _err = run(capsys, str(company), str(DATA / "bulk.csv"))
    assert code == EXIT_OK and "5 unchanged" in out and "Nothing to change" in out
    assert company.read_bytes() == before


def test_rejected_rows_go_to_stderr_and_exit_4(
    company: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    file = tmp_path / "adj.csv"
    file.write_text("Rep,Month,Amount,Reason\nAna Lee,2026-03,0,Nothing\n", encoding="utf-8")
    code, out, err = run(capsys, str(company), str(file))
    assert code == EXIT_REJECTED
    assert "1 rejected" in out
    assert "rejected row 2 (line 2): the amount is zero" in err


@pytest.mark.parametrize(
    ("name", "code"),
    [
        ("empty.csv", "empty"),
        ("binary.csv", "binary"),
        ("header_only.csv", "header_only"),
        ("wrong_columns.csv", "columns"),
        ("bad_encoding.csv", "encoding"),
    ],
)
def test_a_malformed_file_is_refused_whole(
    company: Path, capsys: pytest.CaptureFixture[str], name: str, code: str
) -> None:
    before = company.read_bytes()
    exit_code, out, err = run(capsys, str(company), str(DATA / name), "--json")
    assert exit_code == EXIT_REFUSED
    assert json.loads(out)["refused"]["code"] == code
    assert err.startswith("icmdesk: ") and "Nothing was imported." in err
    assert company.read_bytes() == before
