"""The start screen, the new-company wizard, and run_app's three ways in."""

from __future__ import annotations

import signal
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest
from PySide6.QtCore import QSettings, Qt
from PySide6.QtWidgets import QApplication, QComboBox, QDateEdit, QLineEdit, QWizard

from icmdesk.domain.calendar import Month
from icmdesk.domain.entities import Company, PageSize
from icmdesk.services import file_lock, records
from icmdesk.ui import app as app_module
from icmdesk.ui.app import Shell, run_app
from icmdesk.ui.file_dialogs import FileDialogs
from icmdesk.ui.main_window import MainWindow
from icmdesk.ui.messages import Messages
from icmdesk.ui.new_company_wizard import NewCompany, NewCompanyWizard
from icmdesk.ui.start_screen import MAX_RECENT, RecentFiles, StartScreen
from tests.ui.on_screen import button, choose, field

pytestmark = pytest.mark.gui

LEFT = Qt.MouseButton.LeftButton


@pytest.fixture
def settings(tmp_path: Path) -> QSettings:
    return QSettings(str(tmp_path / "settings.ini"), QSettings.Format.IniFormat)


@pytest.fixture
def errors(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    shown: list[str] = []
    monkeypatch.setattr(Messages, "error", lambda _p, title, e: shown.append(f"{title}: {e}"))
    monkeypatch.setattr(Messages, "info", lambda _p, title, text, details="": None)
    return shown


@pytest.fixture
def shell(settings: QSettings, tmp_path: Path) -> Iterator[Shell]:
    s = Shell(settings, demo=tmp_path / "demo" / "Demo Company.icmdesk")
    yield s
    s.shutdown()


def company_file(tmp_path: Path, name: str = "Acme Ltd") -> Path:
    path = tmp_path / f"{name}.icmdesk"
    records.create_company_file(path, Company(name)).close()
    return path


def test_recent_files_newest_first_without_repeats(settings: QSettings, tmp_path: Path) -> None:
    recent = RecentFiles(settings)
    assert recent.paths() == []
    recent.add(tmp_path / "a.icmdesk")
    assert recent.paths() == [tmp_path / "a.icmdesk"]  # one entry survives the INI round trip
    recent.add(tmp_path / "b.icmdesk")
    recent.add(tmp_path / "a.icmdesk")
    assert recent.paths() == [tmp_path / "a.icmdesk", tmp_path / "b.icmdesk"]
    for i in range(20):
        recent.add(tmp_path / f"{i}.icmdesk")
    assert len(recent.paths()) == MAX_RECENT
    recent.remove(tmp_path / "19.icmdesk")
    assert tmp_path / "19.icmdesk" not in recent.paths()
    # Kept on disk: a fresh QSettings on the same file reads the same list.
    again = QSettings(settings.fileName(), QSettings.Format.IniFormat)
    assert RecentFiles(again).paths() == recent.paths()


def test_start_screen_lists_recent_companies(qtbot, settings: QSettings, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    recent = RecentFiles(settings)
    gone = tmp_path / "Gone.icmdesk"
    here = company_file(tmp_path)
    recent.add(gone)
    recent.add(here)
    screen = StartScreen(recent)
    qtbot.addWidget(screen)
    items = [screen.recent_list.item(i) for i in range(screen.recent_list.count())]
    assert items[0].text().startswith("Acme Ltd")
    assert "(not found)" in items[1].text() and not items[1].flags() & Qt.ItemFlag.ItemIsEnabled
    with qtbot.waitSignal(screen.recent_chosen) as chosen:
        screen.recent_list.itemActivated.emit(items[0])
    assert chosen.args == [here.resolve()]


def test_open_demo_company_from_the_start_screen(qtbot, shell: Shell, errors: list[str]) -> None:  # type: ignore[no-untyped-def]
    screen = shell.show_start()
    qtbot.mouseClick(screen.button("demo"), LEFT)
    window = shell.window
    assert window is not None and not errors
    assert window.windowTitle().endswith("Demo Company.icmdesk[*] — ICMDesk")
    assert file_lock.holder(window.company_file.path) is not None
    assert not screen.isVisible()
    assert shell.recent.paths()[0].name == "Demo Company.icmdesk"


def test_new_company_goes_through_the_wizard_to_a_new_file(  # type: ignore[no-untyped-def]
    qtbot, shell: Shell, errors: list[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "Beta GmbH.icmdesk"
    answers = NewCompany(Company("Beta GmbH", currency="EUR", fiscal_year_start=4), path)
    monkeypatch.setattr(NewCompanyWizard, "ask", classmethod(lambda cls, *_a: answers))
    screen = shell.show_start()
    qtbot.mouseClick(screen.button("new"), LEFT)
    assert not errors
    assert shell.window is not None
    assert shell.window.windowTitle() == "Beta GmbH — Beta GmbH.icmdesk[*] — ICMDesk"
    stored = records.get_company(shell.window.company_file)
    assert (stored.name, stored.currency, stored.fiscal_year_start) == ("Beta GmbH", "EUR", 4)


def test_new_company_with_problems_creates_nothing(  # type: ignore[no-untyped-def]
    qtbot, shell: Shell, errors: list[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "Bad.icmdesk"
    answers = NewCompany(Company("", currency="EU"), path)
    asked: list[NewCompany | None] = []

    def ask(_cls: object, _parent: object, _folder: Path, previous: NewCompany | None = None):  # type: ignore[no-untyped-def]
        asked.append(previous)
        return answers if len(asked) == 1 else None  # then the user cancels

    monkeypatch.setattr(NewCompanyWizard, "ask", classmethod(ask))
    shell.show_start()
    assert not shell.new_company()
    assert len(errors) == 1
    assert "needs a name" in errors[0] and "3-letter ISO 4217" in errors[0]
    # The wizard came back with everything typed, to correct it.
    assert asked == [None, answers]
    assert not path.exists() and shell.window is None


def test_cancelled_wizard_does_nothing(  # type: ignore[no-untyped-def]
    qtbot, shell: Shell, errors: list[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(NewCompanyWizard, "ask", classmethod(lambda cls, *_a: None))
    shell.show_start()
    assert not shell.new_company() and shell.window is None and not errors


def test_wizard_collects_the_answers(qtbot, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    wizard = NewCompanyWizard(tmp_path)
    qtbot.addWidget(wizard)
    wizard.show()
    assert not wizard.button(QWizard.WizardButton.NextButton).isEnabled()  # a name is required
    wizard.set_answers("Gamma / Sons", "gbp", 7, tmp_path / "gamma")
    assert wizard.button(QWizard.WizardButton.NextButton).isEnabled()
    assert wizard.suggested_path() == tmp_path / "Gamma Sons.icmdesk"
    got = wizard.answers()
    assert got.company == Company(
        "Gamma / Sons", currency="GBP", fiscal_year_start=7, page_size=PageSize.A4
    )
    assert got.path == tmp_path / "gamma.icmdesk"
    wizard.set_answers("Gamma / Sons", "gbp", 7, tmp_path / "gamma", books_start=Month(2026, 3))
    assert wizard.answers().company.books_start == Month(2026, 3)


def test_the_file_label_is_a_shortcut_not_a_literal_ampersand(qtbot, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    from PySide6.QtWidgets import QLabel

    wizard = NewCompanyWizard(tmp_path)
    qtbot.addWidget(wizard)
    labels = [w for w in wizard.findChildren(QLabel) if "File" in w.text()]
    assert [w.text() for w in labels] == ["&File:"]
    # Its buddy (what Alt+F goes to) is the field the file is typed in.
    path = labels[0].buddy()
    assert isinstance(path, QLineEdit)
    path.setText(str(tmp_path / "typed.icmdesk"))
    assert wizard.answers().path == tmp_path / "typed.icmdesk"


def test_open_goes_through_the_file_dialog(  # type: ignore[no-untyped-def]
    qtbot, shell: Shell, errors: list[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = company_file(tmp_path)
    monkeypatch.setattr(FileDialogs, "open_company", staticmethod(lambda parent, folder: path))
    screen = shell.show_start()
    qtbot.mouseClick(screen.button("open"), LEFT)
    assert shell.window is not None and shell.window.company_file.path == path


def test_missing_recent_file_is_refused_and_forgotten(  # type: ignore[no-untyped-def]
    qtbot, shell: Shell, errors: list[str], tmp_path: Path
) -> None:
    gone = tmp_path / "Gone.icmdesk"
    shell.recent.add(gone)
    shell.show_start()
    assert not shell.open_path(gone)
    assert "does not exist" in errors[0]
    assert shell.recent.paths() == []


@pytest.fixture
def fake_loop(  # type: ignore[no-untyped-def]
    qtbot, monkeypatch: pytest.MonkeyPatch, settings: QSettings, tmp_path: Path
) -> list[list[str]]:
    """run_app without blocking: the event loop is replaced by a look at the top windows."""
    seen: list[list[str]] = []

    def exec_() -> int:
        seen.append(
            sorted(
                type(w).__name__ + ":" + w.windowTitle()
                for w in QApplication.topLevelWidgets()
                if w.isVisible() and isinstance(w, MainWindow | StartScreen)
            )
        )
        return 0

    monkeypatch.setattr(QApplication.instance(), "exec", exec_)
    monkeypatch.setattr(app_module, "default_settings", lambda: settings)
    monkeypatch.setattr(app_module, "demo_path", lambda: tmp_path / "Demo.icmdesk")
    return seen


def test_run_app_without_a_file_shows_the_start_screen(fake_loop: list[list[str]]) -> None:
    before = signal.getsignal(signal.SIGINT)
    assert run_app(None) == 0
    assert fake_loop == [["StartScreen:ICMDesk"]]
    assert signal.getsignal(signal.SIGINT) is before  # Ctrl+C quits the app only while it runs


def test_run_app_with_a_file_opens_it(fake_loop: list[list[str]], tmp_path: Path) -> None:
    path = company_file(tmp_path)
    assert run_app(path) == 0
    assert fake_loop == [["MainWindow:Acme Ltd — Acme Ltd.icmdesk[*] — ICMDesk"]]
    assert file_lock.holder(path) is None  # released on the way out


def test_run_app_demo_opens_the_demo_company(fake_loop: list[list[str]], tmp_path: Path) -> None:
    assert run_app(None, demo=True) == 0
    assert fake_loop == [["MainWindow:Northwind Instruments, Inc. — Demo.icmdesk[*] — ICMDesk"]]


def test_run_app_with_a_bad_file_says_why_and_shows_the_start_screen(  # type: ignore[no-untyped-def]
    fake_loop: list[list[str]], errors: list[str], tmp_path: Path
) -> None:
    path = tmp_path / "notes.icmdesk"
    path.write_text("shopping list")
    assert run_app(path) == 0
    assert errors == ["Cannot open the company: notes.icmdesk is not an ICMDesk company file"]
    assert fake_loop == [["StartScreen:ICMDesk"]]


def test_wizard_pages_in_order_suggest_a_file_named_after_the_company(
    qtbot, tmp_path: Path
) -> None:  # type: ignore[no-untyped-def]
    wizard = NewCompanyWizard(tmp_path, today=date(2026, 12, 4))
    qtbot.addWidget(wizard)
    wizard.show()
    qtbot.keyClicks(field(wizard, "Name", QLineEdit), "Delta Co")
    wizard.next()
    # Typing the code finds the currency in the list; nothing else can be chosen.
    currency = field(wizard, "Currency", QComboBox)
    currency.setFocus()
    qtbot.keyClicks(currency, "CAD")
    assert currency.currentText() == "CAD — Canadian Dollar"
    choose(field(wizard, "Fiscal year starts in", QComboBox), "October")
    wizard.next()
    assert wizard.currentPage().title() == "Where ICMDesk starts"
    # The month just ended is suggested: the one whose commissions are paid next.
    month = wizard.currentPage().findChild(QDateEdit)
    assert button(wizard, "Start paying from").isChecked() and month.text() == "November 2026"
    wizard.next()
    assert wizard.currentPage().title() == "Where to save it"
    assert field(wizard, "File", QLineEdit).text() == str(tmp_path / "Delta Co.icmdesk")
    assert wizard.button(QWizard.WizardButton.FinishButton).isEnabled()
    got = wizard.answers()
    assert got == NewCompany(
        Company(
            "Delta Co",
            currency="CAD",
            fiscal_year_start=10,
            books_start=Month(2026, 11),
            page_size=PageSize.LETTER,  # Canada prints on Letter
        ),
        tmp_path / "Delta Co.icmdesk",
    )


def test_the_paper_follows_the_currency_until_chosen(qtbot, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    wizard = NewCompanyWizard(tmp_path)
    qtbot.addWidget(wizard)
    paper = field(wizard, "Statement paper", QComboBox)
    currency = field(wizard, "Currency", QComboBox)
    assert paper.currentText() == "Letter (8.5 × 11 in)"  # USD
    choose(currency, "EUR — Euro")
    assert paper.currentText() == "A4 (210 × 297 mm)"
    qtbot.keyClicks(paper, "L")  # the user's choice, typed in the list
    assert paper.currentText() == "Letter (8.5 × 11 in)"
    choose(currency, "CHF — Swiss Franc")
    assert paper.currentText() == "Letter (8.5 × 11 in)"
    assert wizard.answers().company.page_size == PageSize.LETTER


def test_finishing_makes_a_missing_folder_and_never_overwrites(qtbot, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    documents = tmp_path / "Documents"  # not there yet, as on a fresh account
    wizard = NewCompanyWizard(documents)
    qtbot.addWidget(wizard)
    wizard.set_answers("Echo AG", "CHF", 1, documents / "Echo AG.icmdesk")
    wizard.show()
    for _ in range(3):
        wizard.next()
    assert wizard.currentPage().title() == "Where to save it"
    assert wizard.validateCurrentPage() and documents.is_dir()
    # A file that is there already is not overwritten: said on the page, nothing lost.
    (documents / "Echo AG.icmdesk").write_bytes(b"x")
    assert not wizard.validateCurrentPage()
    problem = wizard.currentPage().problem
    assert problem.isVisible() and "already exists" in problem.text()
    assert wizard.answers().company.name == "Echo AG"
    qtbot.keyClicks(field(wizard, "File", QLineEdit), "x")  # typing again clears it
    assert not problem.isVisible()


def test_an_unexpected_error_is_printed_and_told(qtbot, monkeypatch: pytest.MonkeyPatch) -> None:  # type: ignore[no-untyped-def]
    printed: list[BaseException] = []
    told: list[str] = []
    monkeypatch.setattr(
        Messages, "error", staticmethod(lambda _p, title, e: told.append(f"{title}: {e}"))
    )
    hook = app_module.UnexpectedErrors(hook=lambda _k, e, _t: printed.append(e))
    first, second = ValueError("bad cell"), KeyError("x")
    hook(ValueError, first, None)
    hook(KeyError, second, None)
    assert printed == [first, second]  # on stderr, as Python prints it
    assert told == []  # not from inside the event that raised it
    qtbot.waitUntil(lambda: bool(told))
    assert len(told) == 1  # one box for the burst
    assert told[0].startswith("Something went wrong: ValueError: bad cell")
    assert "(1 more error followed.)" in told[0]
