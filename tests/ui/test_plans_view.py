"""The plans view: versions, the tier editor with its live chart and what-if, and saving
(an edit to a version in force in a closed month becomes a new version)."""

from __future__ import annotations

import dataclasses
from datetime import date
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import QListWidgetItem, QScrollArea, QTableWidgetItem, QWidget

from icmdesk.domain.calendar import Month
from icmdesk.domain.entities import (
    Assignment,
    Plan,
    PlanVersion,
    Rep,
    Tier,
    TierMode,
)
from icmdesk.domain.money import D
from icmdesk.domain.whatif import payout_curve
from icmdesk.models.database import CompanyFile
from icmdesk.services import choices, periods, records
from icmdesk.ui.dashboard_view import DashboardView
from icmdesk.ui.forms import to_qdate
from icmdesk.ui.main_window import MainWindow
from icmdesk.ui.plans_view import PlansView
from icmdesk.ui.roles_view import RolesView

pytestmark = pytest.mark.gui

TIERS = (Tier(D(0), D(5)), Tier(D(100), D(8)))


@pytest.fixture
def acme_with_plans(acme: CompanyFile) -> CompanyFile:
    records.save_plan(
        acme, Plan("AE plan", (PlanVersion(date(2026, 1, 1), TIERS, quota=D(100000)),))
    )
    used = records.save_plan(
        acme, Plan("SDR plan", (PlanVersion(date(2026, 1, 1), (Tier(D(0), D(3)),)),))
    )
    rep = records.save_rep(acme, Rep("Ana Lee", date(2026, 1, 1)))
    records.save_assignment(acme, Assignment(rep.id, used.id, date(2026, 1, 1)))
    return acme


def open_view(qtbot, cf: CompanyFile) -> PlansView:  # type: ignore[no-untyped-def]
    view = PlansView(cf, today=lambda: date(2026, 7, 1))
    qtbot.addWidget(view)
    view.resize(1300, 800)
    view.show()
    qtbot.waitExposed(view)
    return view


def plan(cf: CompanyFile, name: str) -> Plan:
    return next(p for p in choices.all_plans(cf) if p.name == name)


def plan_item(view: PlansView, name: str) -> QListWidgetItem:
    """The plan `name` in the list of plans, as shown."""
    (item,) = view.plan_list.findItems(name, Qt.MatchFlag.MatchExactly)
    return item


def set_cell(view: PlansView, row: int, column: int, text: str) -> None:
    item = view.tiers.table.item(row, column)
    if item is None:
        view.tiers.table.setItem(row, column, QTableWidgetItem(text))
    else:
        item.setText(text)


def test_the_chart_is_the_domain_curve_and_redraws_as_tiers_change(
    qtbot, acme_with_plans: CompanyFile
) -> None:  # type: ignore[no-untyped-def]
    view = open_view(qtbot, acme_with_plans)
    assert [view.plan_list.item(i).text() for i in range(view.plan_list.count())] == [
        "AE plan",
        "SDR plan",
    ]
    assert view.version_list.item(0).text() == "v1 from 2026-01-01"
    assert view.tiers.text(0, 1) == "100" and view.tiers.text(1, 1) == "and up"
    assert view.chart.points == payout_curve(TIERS, quota=D(100000), mode=TierMode.MARGINAL)
    set_cell(view, 1, 2, "10")
    changed = (Tier(D(0), D(5)), Tier(D(100), D(10)))
    assert view.chart.points == payout_curve(changed, quota=D(100000), mode=TierMode.MARGINAL)
    view.mode.setCurrentIndex(view.mode.findData("retroactive"))
    assert view.chart.points == payout_curve(changed, quota=D(100000), mode=TierMode.RETROACTIVE)
    set_cell(view, 1, 0, "oops")
    assert view.chart.points == () and "numbers" in view.chart.message
    view.grab()  # paints without error


def test_the_what_if_box_gives_commission_attainment_and_effective_rate(
    qtbot, acme_with_plans: CompanyFile
) -> None:  # type: ignore[no-untyped-def]
    view = open_view(qtbot, acme_with_plans)
    qtbot.keyClicks(view.whatif_credited, "120,000")
    assert view.whatif_result.text() == (
        "Commission $6,600.00 · attainment 120% · effective rate 5.5%"
    )
    view.cap.setText("6000")
    assert view.whatif_result.text().startswith("Commission $6,000.00")


def test_saving_a_plan_not_in_use_updates_its_version(qtbot, acme_with_plans: CompanyFile) -> None:  # type: ignore[no-untyped-def]
    view = open_view(qtbot, acme_with_plans)
    set_cell(view, 1, 2, "9")
    view.bonuses.add_row(["100", "500"])
    assert view.save() is not None
    (v,) = plan(acme_with_plans, "AE plan").versions
    assert v.tiers == (Tier(D(0), D(5)), Tier(D(100), D(9)))
    assert [(b.threshold_pct, b.amount) for b in v.bonuses] == [(D(100), D(500))]


def test_a_version_nothing_was_paid_from_is_corrected_in_place(
    qtbot, acme_with_plans: CompanyFile
) -> None:  # type: ignore[no-untyped-def]
    view = open_view(qtbot, acme_with_plans)
    view.plan_list.setCurrentRow(1)  # in use, but no month is closed: nothing paid from it
    assert view.in_use_note.isHidden()
    set_cell(view, 0, 2, "4")
    assert view.save() is not None
    assert [
        (v.effective_from, v.tiers[0].rate_pct) for v in plan(acme_with_plans, "SDR plan").versions
    ] == [(date(2026, 1, 1), D(4))]


def test_a_version_in_force_in_a_closed_month_is_kept_and_the_edit_added(
    qtbot, acme_with_plans: CompanyFile, tmp_path: Path
) -> None:  # type: ignore[no-untyped-def]
    periods.close(acme_with_plans, Month(2026, 1), backup_dir=tmp_path / "b")
    view = open_view(qtbot, acme_with_plans)
    view.plan_list.setCurrentRow(1)
    assert "in force in a closed month" in view.in_use_note.text()
    set_cell(view, 0, 2, "4")
    # Same date as the version in force: refused beside the date, nothing saved.
    assert view.save() is None
    assert "both effective from 2026-01-01" in view.field_errors["effective_from"]
    view.effective_from.setDate(to_qdate(date(2026, 7, 1)))
    assert view.save() is not None
    assert view.version_list.count() == 2
    # A version back-dated between the two takes its place by date.
    view.new_version()
    view.effective_from.setDate(to_qdate(date(2026, 4, 1)))
    set_cell(view, 0, 2, "3.5")
    assert view.save() is not None
    versions = plan(acme_with_plans, "SDR plan").versions
    assert [(v.effective_from, v.tiers[0].rate_pct) for v in versions] == [
        (date(2026, 1, 1), D(3)),
        (date(2026, 4, 1), D("3.5")),
        (date(2026, 7, 1), D(4)),
    ]
    assert [view.version_list.item(i).text() for i in range(3)] == [
        "v1 from 2026-01-01",
        "v2 from 2026-04-01",
        "v3 from 2026-07-01",
    ]
    assert view.version_list.currentRow() == 1


def test_problems_show_beside_their_fields(qtbot, acme_with_plans: CompanyFile) -> None:  # type: ignore[no-untyped-def]
    view = open_view(qtbot, acme_with_plans)
    set_cell(view, 1, 0, "0")  # not above the tier before
    view.override_rate.setText("-5")
    assert view.save() is None
    errors = view.field_errors
    assert "must be above the start of tier 1" in errors["tiers"]
    assert "override rate" in errors["override_rate_pct"].lower()
    view.cap.setText("lots")
    assert view.save() is None
    assert view.field_errors == {"cap": "The cap must be a number (got 'lots')."}
    assert plan(acme_with_plans, "AE plan").versions[0].tiers == TIERS


def test_a_new_plan_and_a_new_version(qtbot, acme_with_plans: CompanyFile) -> None:  # type: ignore[no-untyped-def]
    view = open_view(qtbot, acme_with_plans)
    view.new_plan()
    view.name.setText("Overlay")
    saved = view.save()
    assert saved is not None and saved.versions[0].tiers == (Tier(D(0), D(5)),)
    assert view.plan_list.currentItem().text() == "Overlay"
    view.new_version()
    assert view.effective_from.date() == to_qdate(date(2026, 8, 1))
    assert view.save() is not None
    assert len(plan(acme_with_plans, "Overlay").versions) == 2


def test_renaming_a_plan_in_use_adds_no_version(qtbot, acme_with_plans: CompanyFile) -> None:  # type: ignore[no-untyped-def]
    view = open_view(qtbot, acme_with_plans)
    view.plan_list.setCurrentRow(1)
    view.name.setText("SDR plan 2026")
    assert view.save() is not None
    assert len(plan(acme_with_plans, "SDR plan 2026").versions) == 1


def test_the_main_window_hosts_the_new_views(qtbot, acme_with_plans: CompanyFile) -> None:  # type: ignore[no-untyped-def]
    window = MainWindow(acme_with_plans)
    qtbot.addWidget(window)
    assert isinstance(window.show_view("Plans"), PlansView)
    assert isinstance(window.show_view("Roles"), RolesView)
    dashboard = window.show_view("Dashboard")
    assert isinstance(dashboard, DashboardView)
    qtbot.waitUntil(lambda: dashboard.board is not None)
    assert dashboard.month.currentText() == "2026-01"


def test_adding_and_removing_tiers_redraws(qtbot, acme_with_plans: CompanyFile) -> None:  # type: ignore[no-untyped-def]
    view = open_view(qtbot, acme_with_plans)
    view.tiers.add_button.click()
    set_cell(view, 2, 0, "150")
    set_cell(view, 2, 2, "12")
    assert view.tiers.text(1, 1) == "150" and view.tiers.text(2, 1) == "and up"
    three = (*TIERS, Tier(D(150), D(12)))
    assert view.chart.points == payout_curve(three, quota=D(100000), mode=TierMode.MARGINAL)
    view.tiers.table.setCurrentCell(1, 0)
    view.tiers.remove_button.click()
    assert view.tiers.text(0, 1) == "150"
    two = (Tier(D(0), D(5)), Tier(D(150), D(12)))
    assert view.chart.points == payout_curve(two, quota=D(100000), mode=TierMode.MARGINAL)


def test_delete_a_plan_nobody_uses_and_refuse_one_in_use(
    qtbot, acme_with_plans: CompanyFile, monkeypatch: pytest.MonkeyPatch
) -> None:  # type: ignore[no-untyped-def]
    from icmdesk.ui.messages import Messages

    refused: list[str] = []
    monkeypatch.setattr(Messages, "confirm", staticmethod(lambda *a: True))
    monkeypatch.setattr(Messages, "error", staticmethod(lambda p, title, e: refused.append(title)))
    view = open_view(qtbot, acme_with_plans)
    view.plan_list.setCurrentItem(plan_item(view, "SDR plan"))
    qtbot.mouseClick(view.delete_plan_button, Qt.MouseButton.LeftButton)
    assert refused == ["The plan SDR plan was not deleted"]
    assert {p.name for p in choices.all_plans(acme_with_plans)} == {"AE plan", "SDR plan"}
    view.plan_list.setCurrentItem(plan_item(view, "AE plan"))
    qtbot.mouseClick(view.delete_plan_button, Qt.MouseButton.LeftButton)
    assert {p.name for p in choices.all_plans(acme_with_plans)} == {"SDR plan"}
    assert [view.plan_list.item(i).text() for i in range(view.plan_list.count())] == ["SDR plan"]


def test_a_new_plan_with_a_negative_bonus_says_so_and_an_old_problem_goes(
    qtbot, acme_with_plans: CompanyFile
) -> None:  # type: ignore[no-untyped-def]
    view = open_view(qtbot, acme_with_plans)
    view.new_plan()
    view.name.setText("Bonus plan")
    view.quota.setText("lots")
    assert view.save() is None
    assert view.field_errors == {"quota": "The quota must be a number (got 'lots')."}
    view.quota.setText("50000")
    view.bonuses.add_row(["100", "-500"])
    assert view.save() is None
    assert set(view.field_errors) == {"bonuses"}  # the quota's problem went
    assert view.field_errors["bonuses"] == "A bonus amount must be more than 0 (got -$500.00)."
    assert "Bonus plan" not in [p.name for p in choices.all_plans(acme_with_plans)]


def test_saving_says_saved_and_edits_say_so_until_then(qtbot, acme_with_plans: CompanyFile) -> None:  # type: ignore[no-untyped-def]
    view = open_view(qtbot, acme_with_plans)
    assert view.status.text() == ""
    with qtbot.waitSignal(view.edited_changed) as edited:
        set_cell(view, 0, 2, "6")
    assert edited.args == [True] and view.status.text() == "Unsaved changes"
    assert view.save() is not None
    assert view.status.text() == "Saved." and not view.has_unsaved_edits()


def test_the_tier_ends_read_as_worked_out_not_typed(qtbot, acme_with_plans: CompanyFile) -> None:  # type: ignore[no-untyped-def]
    view = open_view(qtbot, acme_with_plans)
    end = view.tiers.table.item(0, 1)
    assert end.text() == "100"
    assert not end.flags() & Qt.ItemFlag.ItemIsEditable
    assert end.toolTip() == "Where the next tier starts: set by its From %"


def test_the_what_if_tries_another_quota_when_one_is_typed(
    qtbot, acme_with_plans: CompanyFile
) -> None:  # type: ignore[no-untyped-def]
    view = open_view(qtbot, acme_with_plans)  # AE plan: quota $100,000, 5% then 8% from 100%
    assert view.whatif_quota.text() == ""  # the plan's quota
    view.whatif_credited.setText("120000")
    assert view.whatif_result.text().startswith("Commission $6,600.00 · attainment 120%")
    view.whatif_quota.setText("60000")  # a rep's override
    assert view.whatif_result.text().startswith("Commission $7,800.00 · attainment 200%")


def test_a_new_plan_starts_from_the_books_start(qtbot, acme_with_plans: CompanyFile) -> None:  # type: ignore[no-untyped-def]
    company = records.get_company(acme_with_plans)
    records.update_company(
        acme_with_plans, dataclasses.replace(company, books_start=Month(2025, 4))
    )
    view = open_view(qtbot, acme_with_plans)
    view.new_plan()
    assert view.effective_from.date() == to_qdate(date(2025, 4, 1))


def save_shortcut_of(view: QWidget) -> QShortcut:
    (shortcut,) = [
        s
        for s in view.findChildren(QShortcut)
        if s.key() == QKeySequence(QKeySequence.StandardKey.Save)
    ]
    return shortcut


def test_ctrl_s_saves_and_save_stays_in_view(qtbot, acme_with_plans: CompanyFile) -> None:  # type: ignore[no-untyped-def]
    view = open_view(qtbot, acme_with_plans)
    view.resize(1100, 620)
    set_cell(view, 0, 2, "6")
    shortcut = save_shortcut_of(view)
    assert shortcut.context() == Qt.ShortcutContext.WidgetWithChildrenShortcut
    shortcut.activated.emit()  # what Ctrl+S does (offscreen, the window is never active)
    assert view.status.text() == "Saved."
    assert plan(acme_with_plans, "AE plan").versions[0].tiers[0].rate_pct == D(6)
    # Save is below the form, not at the end of its scrolling: always on screen.
    scroll = view.findChild(QScrollArea)
    assert not scroll.isAncestorOf(view.save_button)
    assert view.save_button.isVisible() and "Ctrl+S" in view.save_button.toolTip()
    # The form scrolls up and down only.
    assert not scroll.horizontalScrollBar().isVisible()


def test_a_typed_quota_replaces_the_sample_one_of_the_what_if(
    qtbot, acme_with_plans: CompanyFile
) -> None:  # type: ignore[no-untyped-def]
    view = open_view(qtbot, acme_with_plans)
    view.new_plan()  # no quota yet: charted against a sample quota
    assert view.whatif_quota.text() == "100000"
    qtbot.keyClicks(view.quota, "50000")
    assert view.whatif_quota.text() == ""  # the plan's quota now
    view.whatif_credited.setText("50000")
    assert "attainment 100%" in view.whatif_result.text()
    # A what-if quota the user typed is theirs: kept.
    qtbot.keyClicks(view.whatif_quota, "80000")
    view.quota.clear()
    qtbot.keyClicks(view.quota, "60000")
    assert view.whatif_quota.text() == "80000"
