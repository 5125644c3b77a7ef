"""File ▸ Import Deals… walked as a user: the file, its columns, the owners, the preview,
the import."""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QComboBox, QPushButton, QWizard
from pytestqt.qtbot import QtBot

from icmdesk.domain.entities import Credit
from icmdesk.models.database import CompanyFile
from icmdesk.services import company_io, records
from icmdesk.ui.changes import DEALS, REPS, Change, Changes
from icmdesk.ui.file_dialogs import FileDialogs
from icmdesk.ui.import_wizard import ImportDealsWizard

EXPORT = """\
Record ID,Deal Name,Deal Stage,Close Date,Deal owner,Amount,Pipeline,Deal Type,Associated Company
9001,Harbor retrofit,Closed Won,2026-11-03 14:22,Maya Okafor,"$1,234.50",Sales,New Business,Harbor
9002,Lost one,Closed Lost,2026-11-04,Maya Okafor,500,Sales,,Acme
9003,Pending price,Closed Won,2026-11-05,Dan R,TBD,Sales,,Foo Corp
9004,Bar expansion,Closed Won,2026-11-06,Dan R,700,Sales,Existing Business,Bar Inc
"""


@pytest.fixture
def cf(tmp_path: Path) -> Iterator[CompanyFile]:
    company_file = company_io.write_demo(tmp_path / "demo.icmdesk")
    yield company_file
    company_file.close()


@pytest.fixture
def export(tmp_path: Path) -> Path:
    path = tmp_path / "hubspot-deals.csv"
    path.write_text(EXPORT, encoding="utf-8-sig")
    return path


def _next(qtbot: QtBot, wizard: QWizard, expect: int) -> None:
    button = wizard.button(
        QWizard.WizardButton.CommitButton
        if wizard.currentPage().isCommitPage()
        else QWizard.WizardButton.NextButton
    )
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: wizard.currentId() == expect, timeout=10_000)


def test_the_wizard_imports_a_hubspot_export_through_owners_and_preview(
    qtbot: QtBot, cf: CompanyFile, export: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    changes = Changes()
    changes.attach(cf)  # as the main window's hub: every commit to the file reaches it
    announced: list[Change] = []
    changes.changed.connect(announced.append)
    wizard = ImportDealsWizard(cf)
    qtbot.addWidget(wizard)
    wizard.show()
    monkeypatch.setattr(FileDialogs, "open_import", staticmethod(lambda _p, _f: export))
    page = wizard.currentPage()
    browse = next(b for b in page.findChildren(QPushButton) if b.text() == "&Browse…")
    qtbot.mouseClick(browse, Qt.MouseButton.LeftButton)
    _next(qtbot, wizard, ImportDealsWizard.COLUMNS)

    columns = wizard.page_of(ImportDealsWizard.COLUMNS)
    assert "HubSpot deals export" in columns.found.text()
    assert columns.combos[next(iter(columns.combos))].currentText() == "Record ID"
    _next(qtbot, wizard, ImportDealsWizard.QUESTIONS)

    questions = wizard.page_of(ImportDealsWizard.QUESTIONS)
    assert questions.owners.rowCount() == 1
    assert questions.owners.item(0, 0).text() == "Dan R"
    assert questions.owners.item(0, 1).text() == "2"
    next_button = wizard.button(QWizard.WizardButton.NextButton)
    assert not next_button.isEnabled()  # the owner is not answered yet
    combo = questions.owners.cellWidget(0, 2)
    assert isinstance(combo, QComboBox)
    combo.setCurrentIndex(combo.findText("Daniel Reyes"))
    assert next_button.isEnabled()
    _next(qtbot, wizard, ImportDealsWizard.PREVIEW)

    preview = wizard.page_of(ImportDealsWizard.PREVIEW)
    assert "4 rows" in preview.summary.text()
    assert preview.show_combo.currentText() == "To add (2)"
    model = preview.table.model()
    shown = {model.index(r, 1).data() for r in range(model.rowCount())}
    assert shown == {"9001", "9004"}
    preview.show_combo.setCurrentIndex(preview.show_combo.findText("Rejected (1)"))
    model = preview.table.model()
    assert model.rowCount() == 1
    assert model.index(0, 3).data() == 'the amount "TBD" is not a number'
    preview.show_combo.setCurrentIndex(preview.show_combo.findText("Skipped (1)"))
    preview.filter.setText("lost")  # filters by reason
    qtbot.waitUntil(lambda: preview.table.model().rowCount() == 1)
    preview.filter.setText("nothing like this")
    qtbot.waitUntil(lambda: preview.table.model().rowCount() == 0)
    assert records.find_deal(cf, "9001") is None  # nothing written before Import

    _next(qtbot, wizard, ImportDealsWizard.IMPORT)
    done = wizard.page_of(ImportDealsWizard.IMPORT)
    qtbot.waitUntil(lambda: wizard.result is not None, timeout=10_000)
    assert "2 deals added, 0 deals updated." in done.status.text()
    assert "“Dan R” is now one of Daniel Reyes's names." in done.status.text()
    assert wizard.button(QWizard.WizardButton.FinishButton).isEnabled()
    # The other views follow: the hub carries what the import changed.
    (change,) = announced
    assert change.written is not None and change.kinds == {DEALS, REPS}
    assert change.written.label == f"Import deals from {export.name}"
    assert {c.name for c in change.written.items if c.entity == "deal"} == {"9001", "9004"}

    deal = records.find_deal(cf, "9004")
    assert deal is not None
    assert (deal.name, deal.customer, deal.amount, deal.deal_type) == (
        "Bar expansion",
        "Bar Inc",
        Decimal("700.00"),
        "renewal",
    )
    assert deal.credits == (Credit(2, Decimal(100)),)
    assert records.get_rep(cf, 2).aliases == ("Dan R",)


def test_a_refused_file_says_why_on_the_first_page(
    qtbot: QtBot, cf: CompanyFile, tmp_path: Path
) -> None:
    empty = tmp_path / "empty.csv"
    empty.write_bytes(b"")
    wizard = ImportDealsWizard(cf)
    qtbot.addWidget(wizard)
    wizard.show()
    page = wizard.currentPage()
    page.path_edit.setText(str(empty))
    qtbot.mouseClick(wizard.button(QWizard.WizardButton.NextButton), Qt.MouseButton.LeftButton)
    assert wizard.currentId() == ImportDealsWizard.FILE
    assert page.problem.isVisibleTo(wizard)
    assert "empty" in page.problem.text()
