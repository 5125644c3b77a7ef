"""The roles view: roles with default plan and rep count; add, edit, delete; problems shown."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialogButtonBox

from icmdesk.domain.entities import Company, Plan, PlanVersion, Rep, Role, Tier
from icmdesk.domain.money import D
from icmdesk.models.database import CompanyFile
from icmdesk.services import choices, records
from icmdesk.ui.messages import Messages
from icmdesk.ui.roles_view import RoleDialog, RolesView

pytestmark = pytest.mark.gui


@pytest.fixture
def acme_with_roles(acme: CompanyFile) -> CompanyFile:
    plan = records.save_plan(
        acme, Plan("Flat 5%", (PlanVersion(date(2026, 1, 1), (Tier(D(0), D(5)),)),))
    )
    ae = records.save_role(acme, Role("Account Executive", default_plan_id=plan.id))
    records.save_role(acme, Role("SDR"))
    records.save_rep(acme, Rep("Ana Lee", date(2026, 1, 1), role_id=ae.id))
    return acme


def rows(view: RolesView) -> list[list[str]]:
    m = view.table.model()
    return [[m.index(r, c).data() for c in range(3)] for r in range(m.rowCount())]


def test_roles_with_their_plan_and_reps(qtbot, qtmodeltester, acme_with_roles: CompanyFile) -> None:  # type: ignore[no-untyped-def]
    view = RolesView(acme_with_roles)
    qtbot.addWidget(view)
    qtmodeltester.check(view.model)
    assert rows(view) == [["Account Executive", "Flat 5%", "1"], ["SDR", "", "0"]]


def test_the_dialog_saves_and_shows_problems_beside_the_name(
    qtbot, acme_with_roles: CompanyFile
) -> None:  # type: ignore[no-untyped-def]
    dialog = RoleDialog(acme_with_roles, None)
    qtbot.addWidget(dialog)
    dialog.name.setText("sdr")
    save = dialog.buttons.button(QDialogButtonBox.StandardButton.Save)
    qtbot.mouseClick(save, Qt.MouseButton.LeftButton)
    assert dialog.errors.text("name") == "A role named 'sdr' already exists."
    assert dialog.saved is None
    dialog.name.setText("Sales Manager")
    dialog.default_plan.setCurrentText("Flat 5%")
    qtbot.mouseClick(save, Qt.MouseButton.LeftButton)
    assert dialog.saved is not None and dialog.saved.default_plan_id is not None
    assert [r.name for r in choices.roles(acme_with_roles)] == [
        "Account Executive",
        "SDR",
        "Sales Manager",
    ]


def test_the_view_adds_and_deletes_through_its_entry_points(
    qtbot, acme_with_roles: CompanyFile, monkeypatch
) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setattr(
        RoleDialog, "edit", staticmethod(lambda p, cf, r: records.save_role(cf, Role("Ops")))
    )
    monkeypatch.setattr(Messages, "confirm", staticmethod(lambda *a: True))
    refused: list[str] = []
    monkeypatch.setattr(Messages, "error", staticmethod(lambda p, t, e: refused.append(t)))
    view = RolesView(acme_with_roles)
    qtbot.addWidget(view)
    view.table.setFocus()
    qtbot.keyClick(view.table, Qt.Key.Key_Insert)
    assert [r[0] for r in rows(view)] == ["Account Executive", "Ops", "SDR"]
    view.table.selectRow(0)  # held by Ana Lee: refused, and said why
    qtbot.keyClick(view.table, Qt.Key.Key_Delete)
    assert refused == ["The role Account Executive was not deleted"]
    view.table.selectRow(1)
    view.delete_button.click()
    assert [r[0] for r in rows(view)] == ["Account Executive", "SDR"]


def test_typing_in_the_search_box_filters_roles(qtbot, acme_with_roles: CompanyFile) -> None:  # type: ignore[no-untyped-def]
    view = RolesView(acme_with_roles)
    qtbot.addWidget(view)
    qtbot.keyClicks(view.search_box, "flat")
    assert rows(view) == [["Account Executive", "Flat 5%", "1"]]
    assert view.count_text == "1 of 2 roles"
    view.search_box.clear()
    assert len(rows(view)) == 2


def test_edit_and_delete_wait_for_a_chosen_role(
    qtbot, tmp_path: Path, acme_with_roles: CompanyFile
) -> None:  # type: ignore[no-untyped-def]
    empty = records.create_company_file(tmp_path / "empty.icmdesk", Company("Empty"))
    try:
        bare = RolesView(empty)
        qtbot.addWidget(bare)
        assert bare.add_button.isEnabled()
        assert not bare.edit_button.isEnabled() and not bare.delete_button.isEnabled()
    finally:
        empty.close()
    view = RolesView(acme_with_roles)
    qtbot.addWidget(view)
    assert not view.edit_button.isEnabled()
    view.table.selectRow(1)
    assert view.edit_button.isEnabled() and view.delete_button.isEnabled()
    view.set_read_only(True)
    assert not view.edit_button.isEnabled() and not view.add_button.isEnabled()
    view.set_read_only(False)
    assert view.edit_button.isEnabled()
    view.refresh()  # the rows read again: nothing chosen
    assert not view.edit_button.isEnabled()
