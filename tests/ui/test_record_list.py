"""What every list view has from `RecordListView`, checked on each of them: the search and
its count, a change announced elsewhere shown, a read-only file's edits gone, a delete only
after asking, and a record gone since it was listed said so and the list read again.

Reps and roles are held in full; deals and the audit log page from the database. The
audit log is read only: it has no edits to check."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QPushButton

from icmdesk.domain.entities import Assignment, Credit, Deal, Plan, PlanVersion, Rep, Role, Tier
from icmdesk.domain.money import D
from icmdesk.models.database import CompanyFile
from icmdesk.services import records
from icmdesk.ui.audit_view import AuditView
from icmdesk.ui.changes import DEALS, REPS, ROLES, Changes
from icmdesk.ui.deal_dialog import DealDialog
from icmdesk.ui.deals_view import DealsView
from icmdesk.ui.messages import Messages
from icmdesk.ui.record_list import RecordListView
from icmdesk.ui.rep_dialog import RepDialog
from icmdesk.ui.reps_view import RepsView
from icmdesk.ui.roles_view import RoleDialog, RolesView
from tests.ui.test_lifetimes import assert_gone_with_last_reference

pytestmark = pytest.mark.gui

AnyList = RecordListView  # type: ignore[type-arg]


@pytest.fixture
def listed(acme: CompanyFile) -> CompanyFile:
    """Two of each: roles Account Executive (held by Ana Lee) and SDR (held by no one);
    reps Ana Lee (credited on both deals) and Bo Chen (on nothing); deals D-1 and D-2."""
    plan = records.save_plan(
        acme, Plan("Flat 5%", (PlanVersion(date(2026, 1, 1), (Tier(D(0), D(5)),)),))
    )
    ae = records.save_role(acme, Role("Account Executive", default_plan_id=plan.id))
    records.save_role(acme, Role("SDR"))
    ana = records.save_rep(acme, Rep("Ana Lee", date(2026, 1, 1), role_id=ae.id))
    records.save_assignment(acme, Assignment(ana.id, plan.id, date(2026, 1, 1)))
    records.save_rep(acme, Rep("Bo Chen", date(2026, 2, 1)))
    credit = (Credit(ana.id, D(100)),)
    records.save_deal(acme, Deal("D-1", "Globex", D(1000), date(2026, 1, 10), credits=credit))
    records.save_deal(acme, Deal("D-2", "Initech", D(500), date(2026, 1, 20), credits=credit))
    return acme


@dataclass(frozen=True)
class Case:
    """One list view, with what the checks need to know of it."""

    view: type[AnyList]
    column: int  # the column that names each record
    spare: str  # a record nothing else refers to: it may be deleted
    search: str  # typed in the search box, it leaves one row
    count: str  # the count then
    write: Callable[[CompanyFile], object]  # a record added elsewhere
    kind: str  # the kind of that change
    dialog: type | None = None  # whose entry the edits open (None: no edits)
    delete: Callable[[CompanyFile, int], object] | None = None  # a delete elsewhere


CASES = {
    "reps": Case(
        RepsView, 0, "Bo Chen", "bo ch", "1 of 2 reps",
        lambda cf: records.save_rep(cf, Rep("Cy Young", date(2026, 3, 1))), REPS,
        RepDialog, records.delete_rep,
    ),
    "roles": Case(
        RolesView, 0, "SDR", "sdr", "1 of 2 roles",
        lambda cf: records.save_role(cf, Role("Ops")), ROLES,
        RoleDialog, records.delete_role,
    ),
    "deals": Case(
        DealsView, 1, "D-2", "initech", "1 matching deal",
        lambda cf: records.save_deal(cf, Deal("D-3", "Umbrella", D(5), date(2026, 2, 1))), DEALS,
        DealDialog, records.delete_deal,
    ),
    "audit": Case(
        AuditView, 3, "Rep Bo Chen", "bo chen", "1 change",
        lambda cf: records.save_rep(cf, Rep("Cy Young", date(2026, 3, 1))), REPS,
    ),
}  # fmt: skip
EDITABLE = [name for name, case in CASES.items() if case.dialog is not None]


def open_view(qtbot, case: Case, cf: CompanyFile, hub: Changes) -> AnyList:  # type: ignore[no-untyped-def]
    view = case.view(cf, changes=hub)
    qtbot.addWidget(view)
    view.resize(1100, 400)
    view.show()
    qtbot.waitExposed(view)
    return view


def names(view: AnyList, case: Case) -> list[str]:
    model = view.table.model()
    return [model.index(r, case.column).data() for r in range(model.rowCount())]


def select(view: AnyList, case: Case, name: str) -> None:
    view.table.setFocus()
    view.table.selectRow(names(view, case).index(name))


@pytest.fixture
def hub(listed: CompanyFile) -> Changes:
    """As the main window's: every unit of work committed to the file reaches it."""
    changes = Changes()
    changes.attach(listed)
    return changes


@pytest.fixture
def said(monkeypatch: pytest.MonkeyPatch) -> dict[str, list[object]]:
    """What the views opened and asked, with every answer to a question "no"."""
    seen: dict[str, list[object]] = {"edited": [], "asked": [], "errors": []}
    for case in CASES.values():
        if case.dialog is not None:
            monkeypatch.setattr(
                case.dialog, "edit", staticmethod(lambda _p, _cf, r: seen["edited"].append(r))
            )
    monkeypatch.setattr(
        Messages, "confirm", staticmethod(lambda _p, _t, text, *_a: seen["asked"].append(text))
    )
    monkeypatch.setattr(
        Messages, "error", staticmethod(lambda _p, title, _e: seen["errors"].append(title))
    )
    return seen


@pytest.mark.parametrize("name", CASES)
def test_typing_searches_and_the_count_says_how_many(qtbot, listed, hub, name: str) -> None:  # type: ignore[no-untyped-def]
    case = CASES[name]
    view = open_view(qtbot, case, listed, hub)
    every = names(view, case)
    assert case.spare in every and len(every) > 1
    qtbot.keyClicks(view.search_box, case.search)
    qtbot.waitUntil(lambda: names(view, case) == [case.spare])  # paged lists: after a pause
    assert view.count_text == case.count
    view.search_box.clear()
    qtbot.keyClick(view.search_box, Qt.Key.Key_Return)  # at once
    assert names(view, case) == every


@pytest.mark.parametrize("name", CASES)
def test_a_change_written_elsewhere_is_shown(qtbot, listed, hub, name: str) -> None:  # type: ignore[no-untyped-def]
    case = CASES[name]
    view = open_view(qtbot, case, listed, hub)
    before = len(names(view, case))
    with qtbot.waitSignal(hub.changed) as told:
        case.write(listed)
    assert case.kind in told.args[0].kinds and told.args[0].source is None
    assert len(names(view, case)) == before + 1


@pytest.mark.parametrize("name", CASES)
def test_read_only_the_table_stays_and_the_edits_go(qtbot, listed, hub, said, name: str) -> None:  # type: ignore[no-untyped-def]
    case = CASES[name]
    view = open_view(qtbot, case, listed, hub)
    buttons = view.findChildren(QPushButton)
    assert bool(buttons) == (case.dialog is not None)  # the audit log has no edits at all
    select(view, case, case.spare)
    assert all(b.isEnabled() for b in buttons)
    view.set_read_only(True)
    assert not any(b.isEnabled() for b in buttons)
    for key in (Qt.Key.Key_Insert, Qt.Key.Key_Return, Qt.Key.Key_Delete):
        qtbot.keyClick(view.table, key)
    rect = view.table.visualRect(view.table.model().index(0, 0))
    qtbot.mouseDClick(view.table.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    assert said == {"edited": [], "asked": [], "errors": []}
    assert names(view, case)  # still listed
    view.set_read_only(False)
    select(view, case, case.spare)
    qtbot.keyClick(view.table, Qt.Key.Key_Return)
    assert len(said["edited"]) == (1 if case.dialog is not None else 0)


@pytest.mark.parametrize("name", EDITABLE)
def test_delete_asks_first_then_tells_the_other_views(  # type: ignore[no-untyped-def]
    qtbot, listed, hub, said, monkeypatch, name: str
) -> None:
    case = CASES[name]
    view = open_view(qtbot, case, listed, hub)
    select(view, case, case.spare)
    qtbot.keyClick(view.table, Qt.Key.Key_Delete)  # answered "no"
    assert len(said["asked"]) == 1 and case.spare in str(said["asked"][0])
    assert case.spare in names(view, case)
    monkeypatch.setattr(Messages, "confirm", staticmethod(lambda *_a: True))
    select(view, case, case.spare)
    with qtbot.waitSignal(hub.changed) as told:
        view.delete_button.click()
    assert case.kind in told.args[0].kinds and told.args[0].source is view
    assert case.spare not in names(view, case)
    assert view.count_text.startswith(f"{len(names(view, case))} ")
    assert said["errors"] == []


@pytest.mark.parametrize("name", EDITABLE)
def test_a_record_gone_since_it_was_listed_is_said_and_the_list_read_again(  # type: ignore[no-untyped-def]
    qtbot, listed, hub, said, name: str
) -> None:
    case = CASES[name]
    assert case.delete is not None
    view = open_view(qtbot, case, listed, Changes())  # a hub that hears of no write
    select(view, case, case.spare)
    row = view.selected_row()
    assert row is not None
    case.delete(listed, row.id)  # elsewhere, unannounced
    assert case.spare in names(view, case)
    qtbot.keyClick(view.table, Qt.Key.Key_Return)
    assert said["errors"] == [f"The {view.noun} is gone"]
    assert said["edited"] == []
    assert case.spare not in names(view, case)


def test_the_audit_log_goes_with_its_last_reference(qtbot, listed) -> None:  # type: ignore[no-untyped-def]
    def use() -> AuditView:
        view = AuditView(listed)
        view.show()
        view.set_filter(text="bo chen")
        return view

    assert_gone_with_last_reference(qtbot, use)
