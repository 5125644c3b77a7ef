"""Views go when the last reference to them goes, and background work outlives its view.

A view kept alive by a reference cycle is freed by the cyclic garbage collector instead,
which runs at whatever allocation crosses its threshold: in the middle of painting that
very view (the flaky segfault in TierChart.paintEvent: a refused delete left the plans
view hanging off SQLAlchemy's exception cycle, and the collector destroyed it under its
own chart's QPainter), or on a pool thread. Each test uses a view, drops it with the
collector off, and checks it is gone at once.
"""

from __future__ import annotations

import gc
import threading
import weakref
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import date
from pathlib import Path

import pytest
import shiboken6
from PySide6.QtCore import Qt, QThreadPool
from PySide6.QtWidgets import QWidget

from icmdesk.domain.calendar import Month
from icmdesk.domain.entities import (
    Assignment,
    Credit,
    Deal,
    Plan,
    PlanVersion,
    Rep,
    Tier,
)
from icmdesk.domain.money import D
from icmdesk.models.database import CompanyFile
from icmdesk.services import records
from icmdesk.ui.dashboard_view import DashboardView
from icmdesk.ui.deals_view import DealsView
from icmdesk.ui.messages import Messages
from icmdesk.ui.new_company_wizard import NewCompanyWizard
from icmdesk.ui.periods_view import PeriodsView
from icmdesk.ui.plans_view import PlansView
from icmdesk.ui.reps_view import RepsView
from icmdesk.ui.roles_view import RolesView
from icmdesk.ui.tasks import Task

pytestmark = pytest.mark.gui


@pytest.fixture
def acme_with_one_deal(acme: CompanyFile) -> CompanyFile:
    plan = records.save_plan(
        acme,
        Plan("AE plan", (PlanVersion(date(2026, 1, 1), (Tier(D(0), D(10)),), quota=D(10000)),)),
    )
    ana = records.save_rep(acme, Rep("Ana Lee", date(2026, 1, 1)))
    records.save_assignment(acme, Assignment(ana.id, plan.id, date(2026, 1, 1)))
    records.save_deal(
        acme, Deal("D-1", "Globex", D(12000), date(2026, 1, 10), credits=(Credit(ana.id, D(100)),))
    )
    return acme


@contextmanager
def collector_off() -> Iterator[None]:
    gc.collect()
    gc.disable()
    try:
        yield
    finally:
        gc.enable()


def assert_gone_with_last_reference(qtbot, use: Callable[[], QWidget]) -> None:  # type: ignore[no-untyped-def]
    """`use` builds a view, shows it and works it; it must be freed as soon as it is dropped."""
    with collector_off():
        view = use()
        qtbot.addWidget(view)
        name = type(view).__name__
        gone = weakref.ref(view)
        del view
        assert gone() is None, f"{name} is left to the garbage collector (a reference cycle)"


def test_the_plans_view_after_a_refused_delete(
    qtbot, acme_with_one_deal: CompanyFile, monkeypatch
) -> None:  # type: ignore[no-untyped-def]
    refused: list[str] = []
    monkeypatch.setattr(Messages, "confirm", staticmethod(lambda *a: True))
    monkeypatch.setattr(Messages, "error", staticmethod(lambda p, title, e: refused.append(title)))

    def use() -> QWidget:
        view = PlansView(acme_with_one_deal, today=lambda: date(2026, 7, 1))
        view.show()
        (ae_plan,) = view.plan_list.findItems("AE plan", Qt.MatchFlag.MatchExactly)
        view.plan_list.setCurrentItem(ae_plan)
        view.delete_plan()  # in use: refused
        return view

    assert_gone_with_last_reference(qtbot, use)
    assert refused == ["The plan AE plan was not deleted"]


@pytest.mark.parametrize("kind", [DealsView, RepsView, RolesView])
def test_the_listings_with_row_keys(qtbot, acme_with_one_deal: CompanyFile, kind: type) -> None:  # type: ignore[no-untyped-def]
    def use() -> QWidget:
        view = kind(acme_with_one_deal)
        view.show()
        return view

    assert_gone_with_last_reference(qtbot, use)


def test_the_dashboard_after_computing(qtbot, acme_with_one_deal: CompanyFile) -> None:  # type: ignore[no-untyped-def]
    def use() -> QWidget:
        view = DashboardView(acme_with_one_deal, today=lambda: date(2026, 1, 15))
        view.show()
        qtbot.waitUntil(lambda: view.board is not None, timeout=10_000)
        return view

    assert_gone_with_last_reference(qtbot, use)


def test_the_periods_view_after_computing(qtbot, acme_with_one_deal: CompanyFile) -> None:  # type: ignore[no-untyped-def]
    def use() -> QWidget:
        view = PeriodsView(acme_with_one_deal)
        with qtbot.waitSignal(view.work_finished, timeout=10_000):
            view.show()  # the months load in the background
        view.select_month(Month(2026, 1))
        with qtbot.waitSignal(view.work_finished, timeout=10_000):
            view.buttons["compute"].click()
        assert view.shown_statements()
        return view

    assert_gone_with_last_reference(qtbot, use)


def test_the_new_company_wizard(qtbot, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    def use() -> QWidget:
        wizard = NewCompanyWizard(tmp_path)
        wizard.show()
        wizard.next()
        wizard.next()  # the page that suggests where to save
        return wizard

    assert_gone_with_last_reference(qtbot, use)


def test_a_dashboard_destroyed_while_it_computes(
    qtbot, acme_with_one_deal: CompanyFile, monkeypatch
) -> None:  # type: ignore[no-untyped-def]
    """What test_the_main_window_hosts_the_new_views did under load: the window (and its
    dashboard) went while the month was still being computed. The task was the view's
    child, deleted with it, and the pool thread then emitted from a deleted object
    ("RuntimeError: Signal source has been deleted", or worse mid-emit)."""
    from icmdesk.services import dashboard as dashboard_service

    started, go_on = threading.Event(), threading.Event()
    real = dashboard_service.dashboard

    def slow(cf, month):  # type: ignore[no-untyped-def]
        started.set()
        assert go_on.wait(10)
        return real(cf, month)

    monkeypatch.setattr(dashboard_service, "dashboard", slow)
    view = DashboardView(acme_with_one_deal, today=lambda: date(2026, 1, 15))
    assert started.wait(10)
    view.deleteLater()
    qtbot.waitUntil(lambda: not shiboken6.isValid(view))
    go_on.set()
    QThreadPool.globalInstance().waitForDone()
    qtbot.wait(50)  # what the pool thread sent is delivered (to no one): nothing raises


def test_a_task_outlives_the_view_that_started_it(qtbot) -> None:  # type: ignore[no-untyped-def]
    """The view is destroyed while the work runs: the pool thread still emits from a live
    object (nothing like 'Signal source has been deleted'), the outcome is dropped, and the
    task deletes itself once the pool thread is done with it."""
    started, go_on = threading.Event(), threading.Event()
    shown: list[object] = []

    def work(_report: object) -> int:
        started.set()
        assert go_on.wait(10)
        return 42

    class View(QWidget):
        def show_result(self, result: object) -> None:
            shown.append(result)

    view = View()
    task = Task(work)
    task.succeeded.connect(view.show_result)
    task.start()
    assert started.wait(10)
    gone = weakref.ref(view)
    del view  # the view goes while its task runs
    assert gone() is None
    go_on.set()
    QThreadPool.globalInstance().waitForDone()
    qtbot.waitUntil(lambda: not shiboken6.isValid(task))
    assert shown == []
