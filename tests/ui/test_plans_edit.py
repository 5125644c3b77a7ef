"""The plans view saves an edit as one action (services.plan_edit): a refused version
leaves the plan as it was, name and all, and a rename changes only the name."""

from __future__ import annotations

import dataclasses
from datetime import date
from pathlib import Path

import pytest
from PySide6.QtWidgets import QTableWidgetItem

from icmdesk.domain.calendar import Month
from icmdesk.domain.entities import Assignment, Plan, PlanVersion, Rep, Tier
from icmdesk.domain.money import D
from icmdesk.models.database import CompanyFile
from icmdesk.services import audit_log, choices, periods, records
from icmdesk.ui.plans_view import PlansView

pytestmark = pytest.mark.gui


@pytest.fixture
def acme_sdr_paid_from(acme: CompanyFile, tmp_path: Path) -> CompanyFile:
    """ "SDR plan" (3% from 2026-01-01), Ana Lee's plan since then, with January closed:
    its version was in force in a closed month."""
    plan = records.save_plan(
        acme, Plan("SDR plan", (PlanVersion(date(2026, 1, 1), (Tier(D(0), D(3)),)),))
    )
    rep = records.save_rep(acme, Rep("Ana Lee", date(2026, 1, 1)))
    records.save_assignment(acme, Assignment(rep.id, plan.id, date(2026, 1, 1)))
    periods.close(acme, Month(2026, 1), backup_dir=tmp_path / "backups")
    return acme


def open_view(qtbot, cf: CompanyFile) -> PlansView:  # type: ignore[no-untyped-def]
    view = PlansView(cf, today=lambda: date(2026, 7, 1))
    qtbot.addWidget(view)
    view.show()
    qtbot.waitExposed(view)
    return view


def listed(view: PlansView) -> list[str]:
    return [view.plan_list.item(i).text() for i in range(view.plan_list.count())]


def test_a_refused_version_leaves_the_old_name_in_the_list_and_the_file(
    qtbot, acme_sdr_paid_from: CompanyFile
) -> None:  # type: ignore[no-untyped-def]
    cf = acme_sdr_paid_from
    stored = choices.all_plans(cf)
    logged = audit_log.count_entries(cf)
    view = open_view(qtbot, cf)
    view.name.setText("SDR plan 2026")
    view.tiers.table.item(0, 2).setText("4")
    # Kept as it was (in force in January), so the edit is a new version from the same
    # date as the one it keeps: refused beside the date.
    assert view.save() is None
    assert "both effective from 2026-01-01" in view.field_errors["effective_from"]
    assert choices.all_plans(cf) == stored
    assert audit_log.count_entries(cf) == logged
    view.refresh()  # what the list shows is what is stored
    assert listed(view) == ["SDR plan"]


def test_an_edit_of_a_plan_changed_since_it_was_shown_is_refused_and_writes_nothing(
    qtbot, acme: CompanyFile
) -> None:  # type: ignore[no-untyped-def]
    first = PlanVersion(date(2026, 1, 1), (Tier(D(0), D(5)),))
    plan = records.save_plan(acme, Plan("AE plan", (first,)))
    plan = records.add_plan_version(
        acme, plan.id, PlanVersion(date(2026, 4, 1), (Tier(D(0), D(6)),))
    )
    view = open_view(qtbot, acme)
    view.version_list.setCurrentRow(0)  # the January version: left as it is
    view.name.setText("AE plan 2026")
    # Meanwhile the April version goes (an undo, say), while the editor holds the new name.
    records.save_plan(acme, dataclasses.replace(plan, versions=plan.versions[:1]))
    assert view.save() is None
    (stored,) = choices.all_plans(acme)
    assert stored.name == "AE plan"  # not renamed over what the editor did not show
    assert [v.effective_from for v in stored.versions] == [date(2026, 1, 1)]  # nor back
    assert any("was changed since you began this edit" in t for t in view.field_errors.values())
    assert view.name.text() == "AE plan 2026"  # the edit is still there to read again


def test_a_new_version_edited_in_the_view_is_added_and_shown(
    qtbot, acme_sdr_paid_from: CompanyFile
) -> None:  # type: ignore[no-untyped-def]
    view = open_view(qtbot, acme_sdr_paid_from)
    view.new_version()  # from 2026-08-01, the month after "today"
    view.tiers.table.setItem(0, 2, QTableWidgetItem("4"))
    assert view.save() is not None
    assert view.status.text() == "Saved."
    (saved,) = choices.all_plans(acme_sdr_paid_from)
    assert [(v.effective_from, v.tiers[0].rate_pct) for v in saved.versions] == [
        (date(2026, 1, 1), D(3)),
        (date(2026, 8, 1), D(4)),
    ]
    assert view.version_list.currentRow() == 1
