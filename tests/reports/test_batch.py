"""The month batch: predictable names, print file, summary, progress and cancellation."""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from pathlib import Path

import pytest

from icmdesk.domain.calendar import Month
from icmdesk.domain.statement import Statement
from icmdesk.reports import batch, generate_batch
from icmdesk.reports.batch import notice_file_name, slug, statement_file_name
from icmdesk.reports.fmt import money
from tests.reports import factories as f
from tests.reports.pdftext import flat, pages

GENERATED = date(2026, 4, 2)


def team(n: int) -> list[Statement]:
    out = []
    for i in range(n):
        st = f.statement(2, rep_name=f"Rep {i}", rep_id=100 + i)
        if i == 0:
            st = replace(st, notices=(f.notice(rep_name=st.rep_name, rep_id=st.rep_id),))
        out.append(st)
    return out


def test_batch_writes_predictable_names_print_file_and_summary(tmp_path: Path) -> None:
    twins = [
        f.statement(1, rep_name="Ana Silva", rep_id=1),
        f.statement(1, rep_name="Ana Silva", rep_id=2),
        replace(
            f.statement(1, rep_name="王芳", rep_id=3),
            notices=(f.notice(rep_name="王芳", rep_id=3, deal_id="D/09:17"),),
        ),
    ]
    calls: list[tuple[int, int]] = []
    result = generate_batch(
        f.company(),
        twins,
        tmp_path,
        generated=GENERATED,
        progress=lambda done, total: calls.append((done, total)) is None,
    )
    month = tmp_path / "2026-03"
    names = sorted(p.name for p in month.iterdir())
    assert names == [
        "All-2026-03.pdf",
        "Clawback-2026-03-王芳-3-D-09-17.pdf",
        "Statement-2026-03-Ana-Silva-1.pdf",
        "Statement-2026-03-Ana-Silva-2.pdf",
        "Statement-2026-03-王芳-3.pdf",
        "Summary-2026-03.pdf",
    ]
    assert not result.cancelled
    assert sorted(p.name for p in result.files) == names
    assert calls == [(i, 6) for i in range(1, 7)]
    combined = pages(month / "All-2026-03.pdf")
    assert len(combined) == 4  # three one-page statements and one notice
    assert "Page 1 of 1" in combined[0] and "Clawback Notice" in combined[3]
    summary = flat(month / "Summary-2026-03.pdf")
    total_payout = sum((s.payout for s in twins), f.D(0))
    assert "Total (3 reps)" in summary and money(total_payout, "USD") in summary
    for s in twins:
        assert money(s.earnings, "USD") in summary


def test_file_names_are_safe() -> None:
    assert slug("Zoë O'Brien & Co <Intl>") == "Zoë-O-Brien-Co-Intl"
    assert slug("../../etc/passwd") == "etc-passwd"
    assert slug("  ") == "x"
    st = f.statement(0, rep_name="Ана Петровић", rep_id=9)
    assert statement_file_name(st) == "Statement-2026-03-Ана-Петровић-9.pdf"
    assert (
        notice_file_name(f.notice(rep_name="a/b", rep_id=4)) == "Clawback-2026-03-a-b-4-D-0917.pdf"
    )


def test_pool_batch_matches_sequential_output(tmp_path: Path) -> None:
    statements = team(10)  # above the threshold: the process pool runs
    calls: list[int] = []
    pooled = generate_batch(
        f.company(),
        statements,
        tmp_path / "pool",
        generated=GENERATED,
        progress=lambda done, total: calls.append(done) is None,
    )
    seq = generate_batch(f.company(), statements, tmp_path / "seq", generated=GENERATED, workers=1)
    assert len(pooled.files) == len(seq.files) == 10 + 1 + 2
    assert calls == list(range(1, 14))
    for path in seq.files:
        twin = tmp_path / "pool" / path.relative_to(tmp_path / "seq")
        assert twin.read_bytes() == path.read_bytes(), path.name
    assert not list((tmp_path / "pool").rglob("*.part"))


def test_cancel_removes_what_the_batch_wrote(tmp_path: Path) -> None:
    result = generate_batch(
        f.company(), team(4), tmp_path, generated=GENERATED, progress=lambda done, total: done < 2
    )
    assert result.cancelled and result.files == ()
    assert list((tmp_path / "2026-03").iterdir()) == []


def test_cancel_with_the_pool(tmp_path: Path) -> None:
    result = generate_batch(
        f.company(), team(12), tmp_path, generated=GENERATED, progress=lambda done, total: done < 3
    )
    assert result.cancelled and result.files == ()
    assert list((tmp_path / "2026-03").iterdir()) == []


def test_pool_sends_runs_of_statements_and_still_reports_every_file(tmp_path: Path) -> None:
    statements = team(40)  # runs of several statements per worker round trip
    runs = batch._chunks(batch._plan(statements, tmp_path)[0], 2)
    assert max(len(r) for r in runs) > 1 and len(runs[-1]) == 1
    assert [j for r in runs for j in r] == batch._plan(statements, tmp_path)[0]
    calls: list[tuple[int, int]] = []
    result = generate_batch(
        f.company(),
        statements,
        tmp_path,
        generated=GENERATED,
        progress=lambda done, total: calls.append((done, total)) is None,
    )
    total = 40 + 1 + 2
    assert calls == [(i, total) for i in range(1, total + 1)]
    assert len(result.files) == total
    joined = pages(tmp_path / "2026-03" / "All-2026-03.pdf")
    # The print file keeps the batch's order: Rep 0 (and its notice), Rep 1, Rep 10, ...
    firsts = [p for p in joined if "Commission Statement" in p]
    names = sorted((s.rep_name for s in statements), key=str.casefold)
    assert len(firsts) == 40
    for name, page in zip(names, firsts, strict=True):
        assert f"{name} · March 2026" in page


def test_cancel_with_the_pool_stops_inside_a_run(tmp_path: Path) -> None:
    result = generate_batch(
        f.company(), team(40), tmp_path, generated=GENERATED, progress=lambda done, total: done < 3
    )
    assert result.cancelled and result.files == ()
    assert list((tmp_path / "2026-03").iterdir()) == []


def test_pool_batch_over_two_months_gives_each_month_its_print_file(tmp_path: Path) -> None:
    april = Month(2026, 4)
    statements = team(20) + [
        f.statement(1, rep_name=f"Rep {i}", rep_id=100 + i, month=april) for i in range(20)
    ]
    result = generate_batch(f.company(), statements, tmp_path, generated=GENERATED)
    assert len(result.files) == 40 + 1 + 2 * 2
    for folder, month_name in (("2026-03", "March 2026"), ("2026-04", "April 2026")):
        joined = pages(tmp_path / folder / f"All-{folder}.pdf")
        firsts = [p for p in joined if "Commission Statement" in p]
        assert len(firsts) == 20
        assert all(month_name in p for p in firsts)
        assert "Total (20 reps)" in flat(tmp_path / folder / f"Summary-{folder}.pdf")


def test_a_failure_part_way_removes_what_the_batch_wrote(tmp_path: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    real = batch._render_job
    calls = []

    def render(company, job, generated):  # type: ignore[no-untyped-def]
        calls.append(job)
        if len(calls) == 3:
            raise OSError(28, "No space left on device")
        return real(company, job, generated)

    monkeypatch.setattr(batch, "_render_job", render)
    with pytest.raises(OSError, match="No space"):
        generate_batch(f.company(), team(4), tmp_path, generated=GENERATED)
    assert list((tmp_path / "2026-03").iterdir()) == []
