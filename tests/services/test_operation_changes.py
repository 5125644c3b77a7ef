"""Every mutating service returns what its one unit of work changed (`records.perform` →
`Done(value, Changes)`), closes, reopens, settings and imports included; and an import is
undone and redone like any edit (services.history), unless it is too large to keep."""

from __future__ import annotations

import dataclasses
import sys
from collections.abc import Iterator
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from sqlalchemy import func, select

from icmdesk.domain.calendar import Month
from icmdesk.domain.entities import Adjustment, Deal, Rep
from icmdesk.models.database import CompanyFile
from icmdesk.models.tables import AdjustmentRow, AuditRow, DealRow
from icmdesk.services import (
    adjustment_import,
    cancellation,
    deal_import,
    periods,
    records,
)
from icmdesk.services.changes import Change, Changes
from icmdesk.services.history import History
from icmdesk.services.store import load_deals

NOV_2025 = Month(2025, 11)
HEADER = (
    "Record ID,Deal Name,Deal Stage,Close Date,Deal owner,Amount,Pipeline,Deal Type,"
    "Associated Company\n"
)
FIRST = (
    "9001,Harbor retrofit,Closed Won,2026-11-03,Maya Okafor,1234.50,Sales,New Business,"
    "Harbor Labs\n"
    "9003,Cedar sensors,Closed Won,2026-11-05,Maya Okafor,8240,Sales,New Business,Cedar\n"
)
# 9001's amount changes, 9004 is new, 9003 is left as it is.
SECOND = (
    "9001,Harbor retrofit,Closed Won,2026-11-03,Maya Okafor,1500.00,Sales,New Business,"
    "Harbor Labs\n"
    "9003,Cedar sensors,Closed Won,2026-11-05,Maya Okafor,8240,Sales,New Business,Cedar\n"
    "9004,Dune pumps,Closed Won,2026-11-09,Maya Okafor,300,Sales,New Business,Dune\n"
)


@pytest.fixture
def cf(demo: CompanyFile) -> CompanyFile:
    """The demo company (nothing closed; its months from November 2025)."""
    return demo


@pytest.fixture
def history(cf: CompanyFile) -> Iterator[History]:
    h = History(cf)
    yield h
    h.close()


def _import(cf: CompanyFile, tmp_path: Path, rows: str, name: str) -> deal_import.ImportResult:
    path = tmp_path / name
    path.write_text(HEADER + rows, encoding="utf-8")
    planned = deal_import.plan_import(cf, deal_import.inspect_file(cf, path))
    return deal_import.commit_import(cf, planned)


def _deals(cf: CompanyFile, *external_ids: str) -> dict[str, Deal]:
    with cf.session() as s:
        found = load_deals(s, DealRow.external_id.in_(external_ids))
    return {d.external_id: d for d in found}


def _audit_count(cf: CompanyFile) -> int:
    with cf.session() as s:
        return s.scalar(select(func.count()).select_from(AuditRow)) or 0


# -- each service returns its Changes -------------------------------------------------------


def test_a_save_returns_its_value_and_exactly_what_it_changed(cf: CompanyFile) -> None:
    rep = records.get_rep(cf, 1)
    done = records.perform(
        cf, lambda: records.save_rep(cf, dataclasses.replace(rep, payroll_id="P-9"))
    )
    assert done.value == dataclasses.replace(rep, payroll_id="P-9")
    assert done.changes == Changes(items=(Change("rep", rep.id, rep.name, rep, done.value),))
    assert done.changes.label == f"Edit rep {rep.name}"


def test_an_action_that_writes_nothing_returns_no_changes(cf: CompanyFile) -> None:
    rep = records.get_rep(cf, 1)
    done = records.perform(cf, lambda: records.save_rep(cf, rep))
    assert done.value == rep and not done.changes and done.changes == Changes()


def test_a_cancellation_returns_the_deal_before_and_after(cf: CompanyFile) -> None:
    deal = min(_all_deals(cf), key=lambda d: d.id)
    done = records.perform(
        cf, lambda: cancellation.cancel_deal(cf, deal.id, date(2026, 1, 20), "Lost")
    )
    (change,) = done.changes.items
    assert (change.entity, change.id, change.before) == ("deal", deal.id, deal)
    assert change.after is not None and change.after.cancellation_date == date(2026, 1, 20)
    assert done.changes.label == f"Cancel deal {deal.external_id}"


def test_a_close_and_a_reopen_say_which_month_and_are_not_undoable(
    cf: CompanyFile, history: History, tmp_path: Path
) -> None:
    closed = records.perform(cf, lambda: periods.close(cf, NOV_2025, backup_dir=tmp_path))
    assert closed.changes.closed == (NOV_2025,) and closed.changes.reopened == ()
    assert closed.changes.items == () and closed.changes.not_undoable
    reopened = records.perform(cf, lambda: periods.reopen(cf, NOV_2025))
    assert reopened.changes.reopened == (NOV_2025,) and reopened.changes.closed == ()
    assert reopened.changes.not_undoable
    assert not history.can_undo()


def test_a_settings_change_says_so_and_a_rep_edit_under_a_close_names_the_month(
    cf: CompanyFile, tmp_path: Path
) -> None:
    company = records.get_company(cf)
    done = records.perform(
        cf, lambda: records.update_company(cf, dataclasses.replace(company, address="1 New Street"))
    )
    assert done.changes.settings and done.changes.items == () and done.changes.not_undoable
    periods.close(cf, NOV_2025, backup_dir=tmp_path)
    deal = next(d for d in _all_deals(cf) if Month.of(d.close_date) == NOV_2025)
    edit = records.perform(
        cf, lambda: records.save_deal(cf, dataclasses.replace(deal, amount=deal.amount + 1))
    )
    assert edit.changes.dirty_months == (NOV_2025,)


def _all_deals(cf: CompanyFile) -> tuple[Deal, ...]:
    with cf.session() as s:
        return load_deals(s)


def test_a_deal_import_returns_each_deal_added_and_updated(cf: CompanyFile, tmp_path: Path) -> None:
    _import(cf, tmp_path, FIRST, "first.csv")
    before = _deals(cf, "9001", "9003")
    done = records.perform(cf, lambda: _import(cf, tmp_path, SECOND, "second.csv"))
    after = _deals(cf, "9001", "9003", "9004")
    assert done.value.added == 1 and done.value.updated == 1
    assert done.changes.label == "Import deals from second.csv"
    assert done.changes.items == (
        Change("deal", before["9001"].id, "9001", before["9001"], after["9001"]),
        Change("deal", after["9004"].id, "9004", None, after["9004"]),
    )
    assert done.changes.bulk == frozenset() and not done.changes.not_undoable


def test_an_adjustment_import_returns_each_adjustment(cf: CompanyFile, tmp_path: Path) -> None:
    path = tmp_path / "adj.csv"
    rep = records.get_rep(cf, 1)
    path.write_text(
        f"Adjustment ID,Payee,Pay Period,Amount,Memo\nA-1,{rep.name},2026-03,250.00,SPIF\n",
        encoding="utf-8",
    )
    plan = adjustment_import.plan_adjustments(cf, path)
    done = records.perform(cf, lambda: adjustment_import.commit_adjustments(cf, plan))
    (change,) = done.changes.items
    assert change.entity == "adjustment" and change.before is None
    assert change.after == Adjustment(
        rep.id, Month(2026, 3), Decimal("250.00"), "SPIF", id=change.id, external_id="A-1"
    )
    assert done.changes.label == "Import adjustments from adj.csv"


# -- imports through Undo and Redo ----------------------------------------------------------


def test_a_deal_import_is_undone_and_redone(
    cf: CompanyFile, history: History, tmp_path: Path
) -> None:
    _import(cf, tmp_path, FIRST, "first.csv")
    first = _deals(cf, "9001", "9003")
    _import(cf, tmp_path, SECOND, "second.csv")
    imported = _deals(cf, "9001", "9003", "9004")
    assert history.undo_label == "Import deals from second.csv"
    entries = _audit_count(cf)

    undone = history.undo()
    assert _deals(cf, "9001", "9003", "9004") == first  # 9004 gone, 9001 as it was
    assert undone.replay and _audit_count(cf) > entries  # audited like any edit
    with cf.session() as s:  # and the log says it was an undo, of what
        said = s.execute(select(AuditRow.action, AuditRow.entity_id).where(AuditRow.id > entries))
        assert ("undo", "Import deals from second.csv") in set(said.tuples())
    assert history.undo_label == "Import deals from first.csv"
    assert history.redo_label == "Import deals from second.csv"

    history.redo()
    assert _deals(cf, "9001", "9003", "9004") == imported  # under the same ids

    history.undo()
    history.undo()
    assert _deals(cf, "9001", "9003", "9004") == {}


def test_an_adjustment_import_is_undone(cf: CompanyFile, history: History, tmp_path: Path) -> None:
    path = tmp_path / "adj.csv"
    path.write_text(
        "Adjustment ID,Payee,Pay Period,Amount,Memo\n"
        f"A-1,{records.get_rep(cf, 1).name},2026-03,250.00,SPIF\n",
        encoding="utf-8",
    )
    before = _adjustment_count(cf)
    adjustment_import.commit_adjustments(cf, adjustment_import.plan_adjustments(cf, path))
    assert _adjustment_count(cf) == before + 1
    assert history.undo_label == "Import adjustments from adj.csv"
    history.undo()
    assert _adjustment_count(cf) == before
    history.redo()
    assert _adjustment_count(cf) == before + 1


def _adjustment_count(cf: CompanyFile) -> int:
    with cf.session() as s:
        return s.scalar(select(func.count()).select_from(AdjustmentRow)) or 0


def test_an_import_larger_than_undo_keeps_is_not_undoable_and_clears_redo(
    cf: CompanyFile, history: History, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    rep = records.save_rep(cf, Rep("Temp Rep", date(2025, 1, 1)))
    history.undo()
    assert history.can_redo()
    monkeypatch.setattr(records, "UNDO_LIMIT", 1)
    done = records.perform(cf, lambda: _import(cf, tmp_path, FIRST, "big.csv"))
    assert done.changes.items == () and done.changes.bulk == frozenset({"deal"})
    assert "more than Undo keeps (1)" in done.changes.not_undoable
    assert "File ▸ Restore…" in done.changes.not_undoable
    assert not history.can_redo() and not history.can_undo()
    assert records.find_deal(cf, "9001") is not None and rep.id  # it stays imported


def test_a_listener_that_fails_neither_breaks_the_write_nor_deafens_the_others(
    cf: CompanyFile, history: History, monkeypatch: pytest.MonkeyPatch
) -> None:
    errors: list[BaseException] = []
    monkeypatch.setattr(sys, "excepthook", lambda _t, e, _tb: errors.append(e))
    stop = records.listen(cf, lambda _changes: 1 / 0)  # listens before the next one
    try:
        with records.collecting(cf) as seen:
            rep = records.save_rep(cf, Rep("Noor Haddad", date(2026, 1, 5)))
    finally:
        stop()
    assert records.get_rep(cf, rep.id) == rep  # saved, and the caller was not told otherwise
    assert len(seen) == 1 and history.undo_label == "Add rep Noor Haddad"
    assert [type(e) for e in errors] == [ZeroDivisionError]  # said, as any bug is
