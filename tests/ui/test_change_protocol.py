"""Every view the main window hosts follows the change hub through one typed protocol
(`FollowsChanges`): a write to the file (whoever made it) reaches the hub as the
`Changes` it committed; a change of a kind a view shows refreshes it — at once on screen,
else when next shown — and a change of any other kind leaves it alone."""

from __future__ import annotations

import dataclasses
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import pytest
from PySide6.QtCore import QThreadPool
from PySide6.QtWidgets import QTableView, QTableWidget, QWidget

from icmdesk.domain.calendar import Month
from icmdesk.domain.entities import (
    Assignment,
    Company,
    Credit,
    Deal,
    Plan,
    PlanVersion,
    Rep,
    Role,
    Tier,
)
from icmdesk.domain.money import D
from icmdesk.models.database import CompanyFile
from icmdesk.services import choices, periods, records
from icmdesk.services.store import insert_deals
from icmdesk.ui.audit_view import AuditView
from icmdesk.ui.changes import (
    ALL_KINDS,
    COMPANY,
    DEALS,
    PERIODS,
    PLANS,
    REPS,
    ROLES,
    FollowsChanges,
    writing,
)
from icmdesk.ui.dashboard_view import DashboardView
from icmdesk.ui.deals_view import DealsView
from icmdesk.ui.main_window import MainWindow, OverviewView
from icmdesk.ui.periods_view import PeriodsView
from icmdesk.ui.plans_view import PlansView
from icmdesk.ui.reps_view import RepsView
from icmdesk.ui.roles_view import RolesView
from icmdesk.ui.settings_view import SettingsView
from icmdesk.ui.tasks import Task
from tests.ui.on_screen import field

pytestmark = pytest.mark.gui

TITLES = {
    "Overview": OverviewView,
    "Dashboard": DashboardView,
    "Reps": RepsView,
    "Roles": RolesView,
    "Plans": PlansView,
    "Deals": DealsView,
    "Periods": PeriodsView,
    "Audit log": AuditView,
    "Settings": SettingsView,
}


@pytest.fixture
def acme(tmp_path: Path) -> Iterator[CompanyFile]:
    cf = records.create_company_file(
        tmp_path / "acme.icmdesk", Company("Acme Ltd", books_start=Month(2026, 1))
    )
    plan = records.save_plan(
        cf, Plan("Flat 5%", (PlanVersion(date(2026, 1, 1), (Tier(D(0), D(5)),)),))
    )
    ae = records.save_role(cf, Role("Account Executive", default_plan_id=plan.id))
    ana = records.save_rep(cf, Rep("Ana Lee", date(2026, 1, 1), role_id=ae.id))
    records.save_assignment(cf, Assignment(ana.id, plan.id, date(2026, 1, 1)))
    _insert_deal(cf, Deal("D-1", "Initech", D("500.00"), date(2026, 1, 20)))
    yield cf
    QThreadPool.globalInstance().waitForDone()
    cf.close()


@pytest.fixture
def window(qtbot, acme: CompanyFile) -> Iterator[MainWindow]:  # type: ignore[no-untyped-def]
    w = MainWindow(acme)
    qtbot.addWidget(w)
    w.show()
    yield w
    QThreadPool.globalInstance().waitForDone()


# What each view shows, as the user reads it.
def _column(table: QTableView, column: int) -> list[str]:
    m = table.model()
    return [str(m.index(r, column).data()) for r in range(m.rowCount())]


def _cells(table: QTableView) -> list[str]:
    m = table.model()
    return [str(m.index(r, c).data()) for r in range(m.rowCount()) for c in range(m.columnCount())]


def _seen(view: QWidget) -> str:
    if isinstance(view, OverviewView):
        return view.text()
    if isinstance(view, DashboardView):
        return " ".join(view.month.itemText(i) for i in range(view.month.count()))
    if isinstance(view, PlansView):
        return " ".join(view.plan_list.item(i).text() for i in range(view.plan_list.count()))
    if isinstance(view, PeriodsView):
        return " ".join(_column(view.month_table, 0))
    if isinstance(view, SettingsView):
        table = field(view, "Opening balances", QTableWidget)
        return " ".join(_column(table, 0))
    if isinstance(view, RepsView | RolesView | DealsView | AuditView):
        return " ".join(_cells(view.table))
    raise AssertionError(f"no reading for {type(view).__name__}")


def _settled(view: QWidget) -> bool:
    """No work of the view's own still under way (the periods and dashboard read in the
    background)."""
    if isinstance(view, PeriodsView):
        return not view.busy
    if isinstance(view, DashboardView):
        return not view.status.text().startswith("Computing")
    return True


# The writes, one a kind, each with what it makes a view show.
def _insert_deal(cf: CompanyFile, deal: Deal) -> None:
    """A deal credited in full to Ana Lee (as an import stores it)."""
    ana = next(r.id for r in choices.reps(cf) if r.name == "Ana Lee")
    with cf.session() as s:
        insert_deals(s, [dataclasses.replace(deal, credits=(Credit(ana, D(100)),))])


def _write_deal(cf: CompanyFile) -> None:
    ana = next(r.id for r in choices.reps(cf) if r.name == "Ana Lee")
    records.save_deal(
        cf, Deal("D-2", "Globex", D("900.00"), date(2026, 3, 5), credits=(Credit(ana, D(100)),))
    )


def _write_rep(cf: CompanyFile) -> None:
    records.save_rep(cf, Rep("Bo Chen", date(2026, 1, 1)))


def _write_role(cf: CompanyFile) -> None:
    records.save_role(cf, Role("SDR"))


def _write_plan(cf: CompanyFile) -> None:
    records.save_plan(cf, Plan("Flat 7%", (PlanVersion(date(2026, 1, 1), (Tier(D(0), D(7)),)),)))


@dataclass(frozen=True)
class Case:
    title: str
    kind: str
    write: Callable[[CompanyFile], None]
    shows: str  # what the view shows once it followed the write


CASES = [
    Case("Overview", REPS, _write_rep, "Reps: 2"),
    Case("Dashboard", DEALS, _write_deal, str(Month(2026, 3))),
    Case("Reps", REPS, _write_rep, "Bo Chen"),
    Case("Roles", ROLES, _write_role, "SDR"),
    Case("Plans", PLANS, _write_plan, "Flat 7%"),
    Case("Deals", DEALS, _write_deal, "D-2"),
    Case("Periods", DEALS, _write_deal, "March 2026"),
    Case("Audit log", REPS, _write_rep, "Bo Chen"),  # a write through records is audited
    Case("Settings", REPS, _write_rep, "Bo Chen"),
]


def _count_refreshes(view: QWidget, monkeypatch: pytest.MonkeyPatch) -> list[int]:
    count = [0]
    real = view.refresh  # type: ignore[attr-defined]

    def refresh() -> None:
        count[0] += 1
        real()

    monkeypatch.setattr(view, "refresh", refresh)
    return count


def _open(qtbot, window: MainWindow, title: str) -> QWidget:  # type: ignore[no-untyped-def]
    view = window.show_view(title)
    qtbot.waitUntil(lambda: _settled(view), timeout=10_000)
    return view


def test_every_view_of_the_main_window_follows_changes(qtbot, window: MainWindow) -> None:  # type: ignore[no-untyped-def]
    assert window.view_titles() == list(TITLES)
    for title, cls in TITLES.items():
        view = _open(qtbot, window, title)
        assert type(view) is cls
        assert isinstance(view, FollowsChanges), title
        assert view.kinds and view.kinds <= ALL_KINDS


def test_every_case_writes_a_kind_its_view_shows() -> None:
    assert [c.title for c in CASES] == list(TITLES)
    for case in CASES:
        assert case.kind in TITLES[case.title].kinds, case.title


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.title)
def test_a_change_of_a_kind_it_shows_refreshes_it(  # type: ignore[no-untyped-def]
    qtbot, window: MainWindow, acme: CompanyFile, monkeypatch: pytest.MonkeyPatch, case: Case
) -> None:
    view = _open(qtbot, window, case.title)
    assert case.shows not in _seen(view)
    refreshes = _count_refreshes(view, monkeypatch)

    with qtbot.waitSignal(window.changes.changed, timeout=1000) as hub:
        case.write(acme)  # through the write path, as any view or service writes

    change = hub.args[0]
    assert change.written is not None and case.kind in change.kinds
    qtbot.waitUntil(lambda: _settled(view) and case.shows in _seen(view), timeout=10_000)
    assert refreshes[0] == 1


@pytest.mark.parametrize(
    "title", [t for t, cls in TITLES.items() if cls.kinds != ALL_KINDS], ids=str
)
def test_a_change_of_another_kind_leaves_it_alone(  # type: ignore[no-untyped-def]
    qtbot, window: MainWindow, monkeypatch: pytest.MonkeyPatch, title: str
) -> None:
    view = _open(qtbot, window, title)
    before = _seen(view)
    refreshes = _count_refreshes(view, monkeypatch)
    others = sorted(ALL_KINDS - TITLES[title].kinds)
    assert others

    for kind in others:
        with qtbot.waitSignal(window.changes.changed, timeout=1000):
            window.changes.announce(kind)

    assert refreshes[0] == 0
    assert _seen(view) == before


def test_a_hidden_view_refreshes_once_when_next_shown(  # type: ignore[no-untyped-def]
    qtbot, window: MainWindow, acme: CompanyFile, monkeypatch: pytest.MonkeyPatch
) -> None:
    reps = _open(qtbot, window, "Reps")
    refreshes = _count_refreshes(reps, monkeypatch)
    window.show_view("Overview")

    for write in (_write_rep, _write_role):
        with qtbot.waitSignal(window.changes.changed, timeout=1000):
            write(acme)
    assert refreshes[0] == 0  # not on screen: nothing read yet

    window.show_view("Reps")
    assert refreshes[0] == 1  # both changes, one refresh
    assert "Bo Chen" in _seen(reps)


def test_the_view_that_wrote_is_not_refreshed_again(  # type: ignore[no-untyped-def]
    qtbot, window: MainWindow, acme: CompanyFile, monkeypatch: pytest.MonkeyPatch
) -> None:
    roles = _open(qtbot, window, "Roles")
    audit = _open(qtbot, window, "Audit log")
    window.show_view("Roles")
    refreshes = _count_refreshes(roles, monkeypatch)
    with qtbot.waitSignal(window.changes.changed, timeout=1000) as hub, writing(roles):
        _write_role(acme)
    assert hub.args[0].source is roles
    assert refreshes[0] == 0  # it shows its own write itself
    window.show_view("Audit log")
    assert "SDR" in _seen(audit)  # the others follow


def test_a_worker_s_commit_reaches_the_hub_on_the_gui_thread(  # type: ignore[no-untyped-def]
    qtbot, window: MainWindow, acme: CompanyFile
) -> None:
    reps = _open(qtbot, window, "Reps")
    threads: list[object] = []
    window.changes.changed.connect(lambda _c: threads.append(threading.current_thread()))
    task = Task(lambda _report: _write_rep(acme))
    with qtbot.waitSignal(window.changes.changed, timeout=5000):
        task.start()
    assert threads == [threading.main_thread()]
    qtbot.waitUntil(lambda: "Bo Chen" in _seen(reps), timeout=5000)


def test_a_close_and_a_settings_change_reach_the_views_that_show_them(  # type: ignore[no-untyped-def]
    qtbot, window: MainWindow, acme: CompanyFile, tmp_path: Path
) -> None:
    with qtbot.waitSignal(window.changes.changed, timeout=5000) as hub:
        periods.close(acme, Month(2026, 1), backup_dir=tmp_path)
    assert hub.args[0].kinds == {PERIODS} and hub.args[0].written.closed == (Month(2026, 1),)
    company = records.get_company(acme)
    with qtbot.waitSignal(window.changes.changed, timeout=5000) as hub:
        records.update_company(acme, dataclasses.replace(company, address="1 New Street"))
    assert hub.args[0].kinds == {COMPANY, REPS}
