"""Periods ▸ Export…: a month's payouts previewed in the layout chosen, then written
where the user says, with what was written told."""

from __future__ import annotations

import dataclasses
import stat
from pathlib import Path

import pytest
from openpyxl import load_workbook
from PySide6.QtCore import QPoint, QSettings, Qt
from pytestqt.qtbot import QtBot

from icmdesk.domain.calendar import Month
from icmdesk.domain.entities import PayrollProvider
from icmdesk.domain.payouts import cell_text
from icmdesk.models.database import CompanyFile
from icmdesk.models.tables import RepRow
from icmdesk.services import payout_export, periods, records
from icmdesk.ui.export_dialog import ExportDialog, folder_key
from icmdesk.ui.file_dialogs import FileDialogs
from icmdesk.ui.messages import Messages
from icmdesk.ui.periods_view import PeriodsView
from tests.ui.conftest import like_a_modal

pytestmark = pytest.mark.gui

LEFT = Qt.MouseButton.LeftButton
OCTOBER = Month(2026, 10)


@pytest.fixture
def closed(demo: CompanyFile) -> CompanyFile:
    periods.close_through(demo, OCTOBER)
    return demo


@pytest.fixture
def told(monkeypatch: pytest.MonkeyPatch) -> list[tuple[str, str]]:
    """What the dialog said once a file was written (and the user chose Close)."""
    said: list[tuple[str, str]] = []

    def choose(_parent, _title, text, details, _action, _other, **_kw):  # type: ignore[no-untyped-def]
        said.append((text, details))
        return False

    monkeypatch.setattr(Messages, "choose", staticmethod(choose))
    return said


def open_dialog(
    qtbot: QtBot, cf: CompanyFile, month: Month = OCTOBER, settings: QSettings | None = None
) -> ExportDialog:
    dialog = ExportDialog(cf, month, settings=settings)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitUntil(lambda: dialog.prepared is not None, timeout=10_000)
    return dialog


def choose_layout(qtbot: QtBot, dialog: ExportDialog, fmt: str) -> None:
    combo = dialog.layout_combo
    combo.setCurrentIndex(combo.findData(fmt))
    qtbot.waitUntil(
        lambda: dialog.prepared is not None and dialog.prepared.format == fmt, timeout=10_000
    )


def write_to(
    qtbot: QtBot, monkeypatch: pytest.MonkeyPatch, dialog: ExportDialog, target: Path
) -> list[Path]:
    """Click Write…, answer the file dialog with `target`; what it suggested is kept."""
    suggested: list[Path] = []

    def save_export(_parent: object, offered: Path) -> Path:
        suggested.append(offered)
        return like_a_modal(target)()  # type: ignore[operator]

    monkeypatch.setattr(FileDialogs, "save_export", staticmethod(save_export))
    with qtbot.waitSignal(dialog.written, timeout=10_000):
        qtbot.mouseClick(dialog.write_button, LEFT)
    return suggested


def test_gusto_file_of_a_closed_month_is_previewed_then_written(
    qtbot: QtBot,
    closed: CompanyFile,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    told: list[tuple[str, str]],
) -> None:
    dialog = open_dialog(qtbot, closed)
    assert dialog.windowTitle() == "Export October 2026"
    # The company's provider is the generic payroll CSV: offered first.
    assert dialog.layout_combo.currentData() == "generic"
    choose_layout(qtbot, dialog, "gusto")

    expected = payout_export.prepare(closed, OCTOBER, "gusto")
    assert expected.table is not None
    assert dialog.preview_header() == [
        "first_name", "last_name", "gusto_employee_id", "bonus", "commission", "personal_note",
    ]  # fmt: skip
    first = [cell_text(c, expected.table.date_format) for c in expected.table.rows[0]]
    assert dialog.preview_row(0) == first
    assert dialog.preview_row(0)[:3] == ["Aisha", "Rahman", "NW-0108"]
    assert dialog.table.model().rowCount() == len(expected.table.rows)
    texts = dialog.texts()
    assert texts["summary"].startswith(expected.summary)
    assert texts["problems"] == "" and texts["warning"] == ""
    assert dialog.write_button.isEnabled()
    assert dialog.write_button.isDefault()

    target = tmp_path / "out" / "payroll-gusto-2026-10.csv"
    target.parent.mkdir()
    suggested = write_to(qtbot, monkeypatch, dialog, target)
    qtbot.waitUntil(lambda: bool(told))

    # Suggested: the export's own name, beside the company file (no folder remembered).
    assert suggested == [closed.path.parent / "payroll-gusto-2026-10.csv"]
    assert target.exists()
    assert stat.S_IMODE(target.stat().st_mode) == 0o600
    assert told[0][0] == f"Wrote payroll-gusto-2026-10.csv: {expected.summary}"
    assert told[0][0].startswith("Wrote payroll-gusto-2026-10.csv: 7 reps, net payout $")
    lines = target.read_text(encoding="utf-8").splitlines()
    assert lines[0] == "first_name,last_name,gusto_employee_id,bonus,commission,personal_note"
    assert lines[1] == ",".join(first)
    assert [r.path for r in dialog.results] == [target]
    assert "Wrote payroll-gusto-2026-10.csv" in dialog.texts()["status"]


def test_the_settings_provider_chooses_the_first_layout(qtbot: QtBot, closed: CompanyFile) -> None:
    company = records.get_company(closed)
    payouts = dataclasses.replace(company.payouts, provider=PayrollProvider.GUSTO)
    records.update_company(closed, dataclasses.replace(company, payouts=payouts))
    dialog = open_dialog(qtbot, closed)
    assert dialog.layout_combo.currentData() == "gusto"
    assert dialog.prepared is not None and dialog.prepared.format == "gusto"


def test_an_open_month_is_a_draft_written_only_when_ticked(
    qtbot: QtBot,
    demo: CompanyFile,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    told: list[tuple[str, str]],
) -> None:
    periods.close_through(demo, Month(2026, 9))
    dialog = open_dialog(qtbot, demo)
    choose_layout(qtbot, dialog, "gusto")
    assert dialog.texts()["warning"] == (
        "October 2026 is open: this is a DRAFT; its figures can change."
    )
    assert dialog.preview_row(0)[:2] == ["Aisha", "Rahman"]  # the draft figures, previewed
    assert not dialog.write_button.isEnabled()

    box = dialog.draft_check
    qtbot.mouseClick(box, LEFT, pos=QPoint(4, box.height() // 2))  # on its tick box
    assert dialog.draft_check.isChecked()
    assert dialog.write_button.isEnabled()
    suggested = write_to(qtbot, monkeypatch, dialog, tmp_path / "payroll.csv")
    qtbot.waitUntil(lambda: bool(told))
    assert suggested[0].name == "payroll-gusto-2026-10-DRAFT.csv"
    # A draft's name says so, whatever name was typed.
    written = tmp_path / "payroll-DRAFT.csv"
    assert written.exists() and not (tmp_path / "payroll.csv").exists()
    assert told[0][0].startswith("Wrote payroll-DRAFT.csv: 7 reps")
    assert "draft" in told[0][1]


def test_adp_without_company_code_or_payroll_ids_cannot_be_written(
    qtbot: QtBot, closed: CompanyFile
) -> None:
    with closed.session() as session:
        session.query(RepRow).filter(RepRow.name == "Grace Kim").update({"payroll_id": ""})
        session.commit()
    dialog = open_dialog(qtbot, closed)
    choose_layout(qtbot, dialog, "adp")
    problems = dialog.texts()["problems"]
    assert "missing for Grace Kim" in problems
    assert "Set the ADP company code (Co Code) in Settings ▸ Payouts first." in problems
    assert dialog.preview_header()[:3] == ["Co Code", "Batch ID", "File #"]
    assert not dialog.write_button.isEnabled()

    choose_layout(qtbot, dialog, "quickbooks")  # another layout needs neither
    assert dialog.texts()["problems"] == ""
    assert dialog.write_button.isEnabled()
    assert dialog.preview_row(0)[1] == "10/31/2026"  # the layout's date format


def test_workbook_preview_lists_each_rep_paid_and_writes_off_the_gui_thread(
    qtbot: QtBot,
    closed: CompanyFile,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    told: list[tuple[str, str]],
) -> None:
    settings = QSettings(str(tmp_path / "settings.ini"), QSettings.Format.IniFormat)
    dialog = open_dialog(qtbot, closed, settings=settings)
    choose_layout(qtbot, dialog, "xlsx")
    assert dialog.preview_header() == ["Rep", "Net payout"]
    assert dialog.preview_row(0) == ["Aisha Rahman", "$1,293.04"]
    folder = tmp_path / "exports"
    folder.mkdir()
    write_to(qtbot, monkeypatch, dialog, folder / "payouts-2026-10.xlsx")
    qtbot.waitUntil(lambda: bool(told))
    path = folder / "payouts-2026-10.xlsx"
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert "Payouts" in load_workbook(path, read_only=True).sheetnames
    assert told[0][0].startswith("Wrote payouts-2026-10.xlsx: 7 reps")
    # The folder is remembered for the company, and suggested next time.
    assert settings.value(folder_key(closed)) == str(folder)
    again = open_dialog(qtbot, closed, settings=settings)
    suggested = write_to(qtbot, monkeypatch, again, folder / "payroll-generic-2026-10.csv")
    assert suggested == [folder / "payroll-generic-2026-10.csv"]


def test_open_folder_opens_it(
    qtbot: QtBot, closed: CompanyFile, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from PySide6.QtGui import QDesktopServices

    opened: list[str] = []
    monkeypatch.setattr(Messages, "choose", staticmethod(lambda *_a, **_k: True))
    monkeypatch.setattr(
        QDesktopServices, "openUrl", staticmethod(lambda url: opened.append(url.toLocalFile()))
    )
    dialog = open_dialog(qtbot, closed)
    write_to(qtbot, monkeypatch, dialog, tmp_path / "payroll.csv")
    qtbot.waitUntil(lambda: bool(opened))
    assert opened == [str(tmp_path)]


def test_a_failed_write_is_told(
    qtbot: QtBot, closed: CompanyFile, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    errors: list[tuple[str, BaseException]] = []
    monkeypatch.setattr(Messages, "error", lambda _p, title, e: errors.append((title, e)))
    dialog = open_dialog(qtbot, closed)
    monkeypatch.setattr(
        FileDialogs, "save_export", staticmethod(like_a_modal(tmp_path / "gone" / "x.csv"))
    )
    qtbot.mouseClick(dialog.write_button, LEFT)
    qtbot.waitUntil(lambda: bool(errors), timeout=10_000)
    assert errors[0][0] == "The file was not written"
    assert "does not exist" in str(errors[0][1])
    assert dialog.results == []
    assert dialog.write_button.isEnabled()


def test_cancelling_the_file_dialog_writes_nothing(
    qtbot: QtBot, closed: CompanyFile, monkeypatch: pytest.MonkeyPatch
) -> None:
    dialog = open_dialog(qtbot, closed)
    monkeypatch.setattr(FileDialogs, "save_export", staticmethod(like_a_modal(None)))
    qtbot.mouseClick(dialog.write_button, LEFT)
    assert dialog.results == [] and not dialog.busy


def test_escape_closes_and_enter_writes(
    qtbot: QtBot, closed: CompanyFile, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
    told: list[tuple[str, str]],
) -> None:  # fmt: skip
    dialog = open_dialog(qtbot, closed)
    monkeypatch.setattr(
        FileDialogs, "save_export", staticmethod(like_a_modal(tmp_path / "enter.csv"))
    )
    with qtbot.waitSignal(dialog.written, timeout=10_000):
        qtbot.keyClick(dialog.layout_combo, Qt.Key.Key_Return)
    assert (tmp_path / "enter.csv").exists()
    qtbot.waitUntil(lambda: not dialog.busy)
    with qtbot.waitSignal(dialog.rejected):
        qtbot.keyClick(dialog.layout_combo, Qt.Key.Key_Escape)
    assert not dialog.isVisible()


def test_periods_export_button_opens_the_dialog_for_the_month_chosen(
    qtbot: QtBot, closed: CompanyFile, monkeypatch: pytest.MonkeyPatch
) -> None:
    asked: list[Month] = []
    monkeypatch.setattr(
        ExportDialog,
        "export",
        classmethod(lambda _cls, _parent, _cf, month, **_kw: asked.append(month) or ()),
    )
    view = PeriodsView(closed)
    qtbot.addWidget(view)
    view.show()
    qtbot.waitUntil(lambda: view.selected_month() is not None and not view.busy, timeout=10_000)
    button = view.buttons["export"]
    view.select_month(OCTOBER)
    qtbot.waitUntil(lambda: not view.busy, timeout=10_000)
    assert button.isEnabled() and button.text() == "&Export…"
    qtbot.mouseClick(button, LEFT)
    assert asked == [OCTOBER]
    # The adjustment import and the Adjustments tab are still there.
    assert view.buttons["import"].text() == "I&mport adjustments…"
    assert view.tabs.count() == 3
