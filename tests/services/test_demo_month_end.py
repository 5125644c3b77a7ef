"""The demo company through a whole year of month ends, as a newcomer would run it."""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path

import pytest

from icmdesk.cli import main
from icmdesk.domain import engine
from icmdesk.domain.statement import LineKind, totals_of
from icmdesk.models.database import CompanyFile
from icmdesk.services import periods
from icmdesk.services.store import load_company_data


def test_every_demo_month_computes_and_adds_up(demo_path: Path) -> None:
    cf = CompanyFile.open(demo_path)
    try:
        with cf.session() as s:
            data = load_company_data(s)
        first, last = engine.first_statement_month(data), engine.last_data_month(data)
        assert first is not None and last is not None
        months = engine.compute_range(data, first, last)
        totals = periods.compute_all(cf, first, last)
    finally:
        cf.close()
    assert len(months) == 12
    # The range's figures without lines are the full statements' figures.
    assert totals == {m: tuple(totals_of(s) for s in items) for m, items in months.items()}
    kinds = set()
    for statements in months.values():
        for st in statements:
            assert st.earnings == sum((line.amount for line in st.lines), Decimal("0.00"))
            assert st.payout >= 0 and st.balance_after >= 0
            kinds.update(line.kind for line in st.lines)
    assert {
        LineKind.COMMISSION,
        LineKind.OVERRIDE,
        LineKind.CLAWBACK,
        LineKind.SPIF,
        LineKind.BONUS,
        LineKind.TRUE_UP,
        LineKind.ADJUSTMENT,
    } <= kinds


def test_compute_json_is_documented_shape_and_stable(
    demo_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["compute", str(demo_path), "--period", "2026-06", "--json"]) == 0
    first = capsys.readouterr().out
    assert main(["compute", str(demo_path), "--period", "2026-06", "--json"]) == 0
    assert capsys.readouterr().out == first
    doc = json.loads(first)
    assert doc["period"] == "2026-06"
    for st in doc["statements"]:
        assert isinstance(st["earnings"], str)  # money as strings, never floats
        total = sum((Decimal(line["amount"]) for line in st["lines"]), Decimal("0.00"))
        assert total == Decimal(st["earnings"])


def test_close_the_first_months_in_order_from_the_cli(
    demo_path: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    copy = tmp_path / "copy.icmdesk"
    cf = CompanyFile.open(demo_path)
    cf.backup_to(copy)
    cf.close()
    assert main(["close", str(copy), "--period", "2025-12"]) == 1
    assert "months close in order" in capsys.readouterr().err
    assert main(["close", str(copy), "--period", "2025-11"]) == 0
    assert main(["close", str(copy), "--period", "2025-12"]) == 0
    assert main(["compute", str(copy), "--period", "2025-12"]) == 0
    assert "2025-12 (closed)" in capsys.readouterr().out
    assert main(["reopen", str(copy), "--period", "2025-11"]) == 1
    assert "only the latest closed month" in capsys.readouterr().err


def test_statements_command_writes_the_month_batch(
    demo_path: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["statements", str(demo_path), "--period", "2026-10", "--out", str(tmp_path)]) == 0
    assert "Wrote" in capsys.readouterr().out
    names = sorted(p.name for p in (tmp_path / "2026-10").iterdir())
    assert "All-2026-10.pdf" in names and "Summary-2026-10.pdf" in names
    assert any(n.startswith("Statement-2026-10-Zoë-O-Brien-") for n in names)
    assert any(n.startswith("Clawback-2026-10-") for n in names)
    assert (
        main(["statements", str(demo_path), "--period", "2026-10", "--out", str(tmp_path / "no")])
        == 1
    )
    assert "does not exist" in capsys.readouterr().err


def test_compute_through_prints_each_month_s_figures(
    demo_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """`--through` gives, per month, each rep's figures: the same as each month's own."""
    assert (
        main(["compute", str(demo_path), "--period", "2026-05", "--through", "2026-07", "--json"])
        == 0
    )
    doc = json.loads(capsys.readouterr().out)
    assert [m["period"] for m in doc["months"]] == ["2026-05", "2026-06", "2026-07"]
    for month in doc["months"]:
        assert main(["compute", str(demo_path), "--period", month["period"], "--json"]) == 0
        full = json.loads(capsys.readouterr().out)["statements"]
        assert [
            (s["rep_name"], s["earnings"], s["payout"], s["balance_after"], s["ytd_earnings"])
            for s in month["statements"]
        ] == [
            (s["rep_name"], s["earnings"], s["payout"], s["balance_after"], s["ytd_earnings"])
            for s in full
        ]
    assert main(["compute", str(demo_path), "--period", "2026-05", "--through", "2026-06"]) == 0
    text = capsys.readouterr().out
    assert "2026-05 (open)" in text and "2026-06 (open)" in text and "Lines" not in text
    assert main(["compute", str(demo_path), "--period", "2026-05", "--through", "2026-04"]) == 1
    assert "--through 2026-04 is before --period 2026-05" in capsys.readouterr().err
