"""The command line: what a clerk types, what they see, and the exit codes."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from icmdesk.cli import main


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_new_then_check(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "acme.icmdesk"
    code, out, _ = run(capsys, "new", str(path), "--name", "Acme Ltd")
    assert code == 0 and "Created" in out
    code, out, _ = run(capsys, "check", str(path))
    assert code == 0 and "no problems" in out


def test_demo_export_import_round_trip(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    demo, copy = tmp_path / "demo.icmdesk", tmp_path / "copy.icmdesk"
    assert run(capsys, "demo", str(demo))[0] == 0
    assert run(capsys, "export", str(demo), "--json", str(tmp_path / "a.json"))[0] == 0
    assert run(capsys, "import", str(copy), "--json", str(tmp_path / "a.json"))[0] == 0
    assert run(capsys, "export", str(copy), "--json", str(tmp_path / "b.json"))[0] == 0
    assert (tmp_path / "a.json").read_bytes() == (tmp_path / "b.json").read_bytes()
    code, out, _ = run(capsys, "export", str(copy), "--json", "-")
    assert code == 0 and json.loads(out)["format"] == "icmdesk-company"


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (("check", "{tmp}/missing.icmdesk"), "does not exist"),
        (("check", "{tmp}/notes.txt"), "not an ICMDesk company file"),
        (("new", "{tmp}/nofolder/x.icmdesk", "--name", "X"), "does not exist"),
        (("new", "{tmp}/bad.icmdesk", "--name", "X", "--currency", "DOLLARS"), "currency"),
        (("new", "{tmp}/blank.icmdesk", "--name", " "), "name"),
        (("import", "{tmp}/x.icmdesk", "--json", "{tmp}/missing.json"), "cannot read"),
        (("import", "{tmp}/x.icmdesk", "--json", "{tmp}/notes.txt"), "JSON"),
        (("export", "{tmp}/notes.txt", "--json", "-"), "not an ICMDesk company file"),
    ],
)
def test_errors_are_one_clear_line_and_non_zero(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], argv: tuple[str, ...], message: str
) -> None:
    (tmp_path / "notes.txt").write_text("hello")
    code, _out, err = run(capsys, *(a.format(tmp=tmp_path) for a in argv))
    assert code != 0
    assert "Traceback" not in err
    lines = err.strip().splitlines()
    assert lines and all(line.startswith("icmdesk: ") for line in lines)
    assert message.lower() in err.lower()
    assert not (tmp_path / "x.icmdesk").exists()  # nothing half-written


def test_check_lists_problems_and_fails(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    import sqlite3

    path = tmp_path / "acme.icmdesk"
    run(capsys, "new", str(path), "--name", "Acme")
    conn = sqlite3.connect(path)
    conn.execute(
        "INSERT INTO reps (id, name, email, payroll_id, hire_date) "
        "VALUES (1, 'Ana', '', '', '2026-01-01'), (2, 'Bo', '', '', '2026-01-01')"
    )
    conn.execute("UPDATE reps SET manager_id = 2 WHERE id = 1")
    conn.execute("UPDATE reps SET manager_id = 1 WHERE id = 2")
    conn.commit()
    conn.close()
    code, _, err = run(capsys, "check", str(path))
    assert code == 3
    # The loop is one problem, said once (not once for each rep in it).
    assert err.splitlines() == [
        "Rep 'Ana': Ana cannot report to Bo: the managers would form a loop (Ana → Bo → Ana).",
        f"1 problem(s) found in {path}",
    ]
    # Importing such a document refuses it in one line too.
    run(capsys, "export", str(path), "--json", str(tmp_path / "loop.json"))
    code, _, err = run(
        capsys, "import", str(tmp_path / "b.icmdesk"), "--json", str(tmp_path / "loop.json")
    )
    assert code == 1
    assert err.splitlines() == [
        "icmdesk: Rep 'Ana': Ana cannot report to Bo: the managers would form a loop "
        "(Ana → Bo → Ana)."
    ]


def test_usage_error_exits_2(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as e:
        main(["export"])
    assert e.value.code == 2


def test_books_start_opening_balance_and_closing_through_a_month(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from datetime import date

    from icmdesk.domain.entities import Assignment, Plan, PlanVersion, Rep, Tier
    from icmdesk.domain.money import D
    from icmdesk.models.database import CompanyFile
    from icmdesk.services import records

    path = tmp_path / "acme.icmdesk"
    code, out, _ = run(capsys, "new", str(path), "--name", "Acme", "--books-start", "2026-02")
    assert code == 0 and "books start 2026-02" in out
    cf = CompanyFile.open(path)
    plan = records.save_plan(
        cf, Plan("Flat", (PlanVersion(date(2024, 1, 1), (Tier(D(0), D(5)),)),))
    )
    ana = records.save_rep(cf, Rep("Ana Lee", date(2024, 1, 1)))
    records.save_assignment(cf, Assignment(ana.id, plan.id, date(2024, 1, 1)))
    cf.close()

    code, _, err = run(
        capsys, "opening-balance", str(path), "--rep", str(ana.id), "--owed", "1,000"
    )
    assert code == 1 and err == "icmdesk: --owed: '1,000' is not a number\n"
    assert (
        run(capsys, "opening-balance", str(path), "--rep", str(ana.id), "--owed", "250.00")[0] == 0
    )
    code, out, _ = run(capsys, "close", str(path), "--through", "2026-04")
    assert (code, out) == (0, "Closed 2026-02 to 2026-04 (3 months)\n")
    code, _, err = run(capsys, "books-start", str(path), "--none")
    assert code == 1 and "cannot change once a month is closed (2026-04 is)" in err
    code, out, _ = run(capsys, "compute", str(path), "--period", "2026-02", "--json")
    (statement,) = json.loads(out)["statements"]
    assert statement["balance_before"] == "250.00"
    assert statement["opening"]["balance_owed"] == "250.00"
