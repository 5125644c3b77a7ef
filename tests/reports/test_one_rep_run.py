"""Issue 15, item 3: a one-rep run (`icmdesk statements --rep ID`) into the month's folder
never replaces the month's print file or summary with a one-rep version."""

from __future__ import annotations

from pathlib import Path

from icmdesk.domain.calendar import Month
from icmdesk.models.database import CompanyFile
from icmdesk.services import company_io, documents
from tests.reports.pdftext import flat

OCTOBER = Month(2026, 10)


def test_a_one_rep_run_leaves_the_month_print_file_and_summary_alone(tmp_path: Path) -> None:
    path = tmp_path / "demo.icm"
    company_io.write_demo(path)
    cf = CompanyFile.open(path)
    out = tmp_path / "pdfs"
    whole = documents.generate_statements(cf, OCTOBER, out)
    folder = out / "2026-10"
    print_file, summary = folder / "All-2026-10.pdf", folder / "Summary-2026-10.pdf"
    assert {print_file, summary} <= set(whole.files)
    before = {p: p.read_bytes() for p in (print_file, summary)}
    reps = [p for p in whole.files if p.name.startswith("Statement-")]
    assert len(reps) > 1
    assert f"{len(reps)} statements" in flat(summary)

    one = documents.generate_statements(cf, OCTOBER, out, rep_id=4)  # Priya Natarajan

    assert [p.name for p in one.files if p.name.startswith("Statement-")] == [
        "Statement-2026-10-Priya-Natarajan-4.pdf"
    ]
    assert not [p for p in one.files if p.name.startswith(("All-", "Summary-"))]
    assert {p: p.read_bytes() for p in (print_file, summary)} == before
    assert "Total (1 reps)" not in flat(summary)


def test_a_one_rep_run_into_an_empty_folder_writes_no_month_files(tmp_path: Path) -> None:
    path = tmp_path / "demo.icm"
    company_io.write_demo(path)
    out = tmp_path / "pdfs"
    result = documents.generate_statements(CompanyFile.open(path), OCTOBER, out, rep_id=4)
    names = sorted(p.name for p in (out / "2026-10").iterdir())
    assert names == sorted(p.name for p in result.files)
    assert not [n for n in names if n.startswith(("All-", "Summary-"))]
