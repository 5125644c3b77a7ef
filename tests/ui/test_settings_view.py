"""Company settings: every field shown and saved; every problem shown beside its field."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QColor, QImage
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDateEdit,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QSpinBox,
    QTableWidget,
)

from icmdesk.domain.calendar import Month, QuotaPeriod
from icmdesk.domain.entities import (
    Assignment,
    AttainmentBonus,
    ClawbackMethod,
    ClawbackPolicy,
    Company,
    OpeningBalance,
    PageSize,
    Plan,
    PlanVersion,
    Rep,
    Tier,
)
from icmdesk.domain.money import D
from icmdesk.models.database import CompanyFile
from icmdesk.services import audit_log, choices, company_io, periods, records
from icmdesk.ui.file_dialogs import FileDialogs
from icmdesk.ui.forms import set_currency, to_qdate
from icmdesk.ui.main_window import MainWindow
from icmdesk.ui.settings_view import SettingsView
from tests.ui.on_screen import button, choose, field, row, row_texts

pytestmark = pytest.mark.gui

LEFT = Qt.MouseButton.LeftButton


@pytest.fixture
def cf(tmp_path: Path) -> Iterator[CompanyFile]:
    company = Company("Acme Ltd", address="1 Main St", currency="USD", fiscal_year_start=1)
    f = records.create_company_file(tmp_path / "acme.icmdesk", company)
    yield f
    f.close()


@pytest.fixture
def view(qtbot, cf: CompanyFile) -> SettingsView:  # type: ignore[no-untyped-def]
    v = SettingsView(cf)
    qtbot.addWidget(v)
    v.show()
    return v


def png(tmp_path: Path) -> Path:
    image = QImage(40, 20, QImage.Format.Format_RGB32)
    image.fill(QColor("#3366cc"))
    path = tmp_path / "logo.png"
    assert image.save(str(path), "PNG")
    return path


def name(view: SettingsView) -> QLineEdit:
    return field(view, "Name", QLineEdit)


def currency(view: SettingsView) -> QComboBox:
    return field(view, "Currency", QComboBox)


def logo_shown(view: SettingsView) -> QLabel:
    """The logo as the Logo row shows it (or the words in its place)."""
    shown = row(view, "Logo").findChild(QLabel, "logo_preview")
    assert shown is not None
    return shown


def click(qtbot, view: SettingsView, text: str) -> None:  # type: ignore[no-untyped-def]
    qtbot.mouseClick(button(view, text), LEFT)


def test_form_shows_the_stored_settings(view: SettingsView) -> None:
    assert view.form_value() == Company("Acme Ltd", address="1 Main St")


def test_save_stores_every_field_and_records_the_change(  # type: ignore[no-untyped-def]
    qtbot, view: SettingsView, cf: CompanyFile, tmp_path: Path, monkeypatch
) -> None:
    logo = png(tmp_path)
    monkeypatch.setattr(FileDialogs, "choose_logo", staticmethod(lambda _parent: logo))
    name(view).setText("Acme Inc")
    field(view, "Address", QPlainTextEdit).setPlainText("2 High St\nSpringfield")
    choose(currency(view), "EUR — Euro")
    choose(field(view, "Fiscal year starts in", QComboBox), "April")
    choose(field(view, "Page size", QComboBox), "A4")
    field(view, "Clawback window", QSpinBox).setValue(120)
    choose(
        field(view, "Clawback method", QComboBox),
        "Prorated: by the share of the window the customer stayed",
    )
    forgive = field(view, "At termination", QCheckBox)
    assert forgive.text() == "Forgive a negative balance when a rep leaves"
    forgive.setChecked(True)
    field(view, "Statement help text", QPlainTextEdit).setPlainText("Questions? Ask Maria.")
    click(qtbot, view, "Choose PNG…")
    assert logo_shown(view).pixmap() is not None and not logo_shown(view).pixmap().isNull()
    with qtbot.waitSignal(view.saved):
        click(qtbot, view, "Save")
    stored = records.get_company(cf)
    assert stored == Company(
        "Acme Inc",
        address="2 High St\nSpringfield",
        currency="EUR",
        fiscal_year_start=4,
        clawback_policy=ClawbackPolicy(120, ClawbackMethod.PRORATED),
        forgive_balance_at_termination=True,
        page_size=PageSize.A4,
        statement_help_text="Questions? Ask Maria.",
        logo_png=logo.read_bytes(),
    )
    changed = {e.field for e in audit_log.audit_page(cf) if e.action == "update"}
    assert {"name", "currency", "fiscal year start", "logo"} <= changed


def test_every_problem_is_shown_beside_its_field_and_nothing_is_saved(  # type: ignore[no-untyped-def]
    qtbot, view: SettingsView, cf: CompanyFile, tmp_path: Path, monkeypatch
) -> None:
    not_png = tmp_path / "logo.png"
    not_png.write_bytes(b"GIF89a not really a png")
    monkeypatch.setattr(FileDialogs, "choose_logo", staticmethod(lambda _parent: not_png))
    before = records.get_company(cf)
    entries = audit_log.count_entries(cf)
    name(view).setText("   ")
    set_currency(currency(view), "ZZZ")  # e.g. from an old file
    click(qtbot, view, "Choose PNG…")
    assert logo_shown(view).text() == "Not a PNG image"
    click(qtbot, view, "Save")
    assert view.problem_text("name") == "The company needs a name."
    assert view.problem_text("currency") == (
        "ZZZ is not the ISO 4217 code of a currency in use (for example USD, EUR, GBP, CHF or CAD)."
    )
    assert view.problem_text("logo") == "The logo must be a PNG image."
    assert view.problem_text("fiscal_year_start") == ""
    assert records.get_company(cf) == before
    assert audit_log.count_entries(cf) == entries
    # Fixing them and saving again clears the messages.
    name(view).setText("Acme Inc")
    choose(currency(view), "USD — US Dollar")
    click(qtbot, view, "Remove")
    assert logo_shown(view).text() == "No logo"
    click(qtbot, view, "Save")
    assert all(view.problem_text(k) == "" for k in ("name", "currency", "logo"))
    assert records.get_company(cf).name == "Acme Inc"


def test_currency_cannot_change_once_a_month_is_closed(qtbot, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    demo = company_io.write_demo(tmp_path / "demo.icmdesk")
    try:
        first = periods.list_periods(demo)[0].month
        periods.close(demo, first, backup_dir=tmp_path / "b")
        view = SettingsView(demo)
        qtbot.addWidget(view)
        view.show()
        choose(currency(view), "EUR — Euro")
        click(qtbot, view, "Save")
        assert view.problem_text("currency") == (
            f"The currency cannot change once a month is closed ({first} is)."
        )
        assert records.get_company(demo).currency == "USD"
    finally:
        demo.close()


def test_revert_puts_back_what_is_stored(qtbot, view: SettingsView) -> None:  # type: ignore[no-untyped-def]
    name(view).setText("Something else")
    click(qtbot, view, "Revert")
    assert name(view).text() == "Acme Ltd"


def test_read_only_offers_no_edits(view: SettingsView) -> None:
    view.set_read_only(True)
    assert not button(view, "Save").isEnabled() and not button(view, "Choose PNG…").isEnabled()
    for w in view.findChildren(QLineEdit) + view.findChildren(QPlainTextEdit):
        assert w.isReadOnly() or not w.isEnabled()
    for w in (
        view.findChildren(QComboBox) + view.findChildren(QSpinBox) + view.findChildren(QCheckBox)
    ):
        assert not w.isEnabled()


def test_saved_name_updates_the_window_title(qtbot, cf: CompanyFile) -> None:  # type: ignore[no-untyped-def]
    window = MainWindow(cf)
    qtbot.addWidget(window)
    window.show()
    view = window.show_view("Settings")
    assert isinstance(view, SettingsView)
    name(view).setText("Acme Inc")
    click(qtbot, view, "Save")
    assert window.windowTitle() == "Acme Inc — acme.icmdesk[*] — ICMDesk"


def test_the_books_start_and_opening_balances_are_set_here_until_the_first_close(  # type: ignore[no-untyped-def]
    qtbot, cf: CompanyFile, tmp_path: Path
) -> None:
    plan = records.save_plan(
        cf,
        Plan(
            "AE",
            (
                PlanVersion(
                    date(2024, 1, 1),
                    (Tier(D(0), D(5)),),
                    quota_period=QuotaPeriod.QUARTER,
                    quota=D(100000),
                    bonuses=(AttainmentBonus(D(100), D(1000)),),
                ),
            ),
        ),
    )
    for name in ("Ana Lee", "Bo Chen"):
        rep = records.save_rep(cf, Rep(name, date(2024, 3, 1)))
        records.save_assignment(cf, Assignment(rep.id, plan.id, date(2024, 3, 1)))
    view = SettingsView(cf)
    qtbot.addWidget(view)
    view.show()
    books = field(view, "Books start", QCheckBox)
    books_month = row(view, "Books start").findChild(QDateEdit)
    table = field(view, "Opening balances", QTableWidget)
    assert books.text() == "Start paying from"
    assert not books.isChecked() and not table.isEnabled()
    assert row_texts(view, "Opening balances") == ["Opening balances need a books start."]
    books.setChecked(True)
    books_month.setDate(to_qdate(date(2026, 3, 1)))
    assert table.isEnabled()
    assert [table.item(r, 0).text() for r in range(table.rowCount())] == ["Ana Lee", "Bo Chen"]
    assert table.item(0, 3).toolTip() == "Counted toward FY2026 Q1 (Jan–Mar 2026) before 2026-03"
    assert view.status == "Unsaved changes"
    table.item(0, 1).setText("500")
    table.item(0, 2).setText("4000")
    table.item(0, 3).setText("80000")
    table.item(0, 4).setText("120")  # not a threshold of the plan
    click(qtbot, view, "Save")
    assert view.problem_text("opening_balances") == (
        "Ana Lee: 120% is not an attainment bonus of Ana Lee's plan on 2026-03-01 (its "
        "thresholds: 100%)."
    )
    assert records.get_company(cf).books_start is None  # nothing saved
    table.item(0, 4).setText("100%")
    with qtbot.waitSignal(view.saved):
        click(qtbot, view, "Save")
    assert view.status == "Saved."
    assert records.get_company(cf).books_start == Month(2026, 3)
    assert records.opening_balances(cf) == (
        OpeningBalance(choices.reps(cf)[0].id, D("500.00"), D("4000.00"), D("80000.00"), (D(100),)),
    )
    # After the first close both are fixed, and said so.
    periods.close(cf, Month(2026, 3), backup_dir=tmp_path / "b")
    view.refresh()
    assert not books.isEnabled() and not books_month.isEnabled()
    assert row_texts(view, "Books start") == [
        "Fixed since 2026-03 was closed: closed statements were paid from it."
    ]
    assert table.editTriggers() == table.EditTrigger.NoEditTriggers


def test_ctrl_s_saves_the_settings(qtbot, view: SettingsView, cf: CompanyFile) -> None:  # type: ignore[no-untyped-def]
    from PySide6.QtGui import QKeySequence, QShortcut

    name(view).setText("Acme Holdings")
    (shortcut,) = [
        s
        for s in view.findChildren(QShortcut)
        if s.key() == QKeySequence(QKeySequence.StandardKey.Save)
    ]
    with qtbot.waitSignal(view.saved):
        shortcut.activated.emit()  # what Ctrl+S does (offscreen, the window is never active)
    assert records.get_company(cf).name == "Acme Holdings"
    assert view.status == "Saved."
