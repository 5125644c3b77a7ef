"""The periods view: compute a month off the GUI thread, review statements, close, reopen."""

from __future__ import annotations

import threading
from datetime import date
from pathlib import Path

import pytest
from PySide6.QtCore import QSortFilterProxyModel, Qt
from PySide6.QtWidgets import QProgressBar

from icmdesk.domain.calendar import Month
from icmdesk.domain.engine.fmt import fmt_money
from icmdesk.domain.entities import Company, PeriodStatus
from icmdesk.domain.errors import PeriodError
from icmdesk.models.database import CompanyFile
from icmdesk.reports import BatchResult
from icmdesk.services import documents, periods, records
from icmdesk.ui import periods_view
from icmdesk.ui.main_window import MainWindow
from icmdesk.ui.messages import Messages, error_text
from icmdesk.ui.periods_view import (
    CloseMonthDialog,
    FinalStatementsDialog,
    PeriodsView,
    ReopenMonthDialog,
    StatementBrowser,
    StatementFolderDialog,
    StatementsWrittenDialog,
)
from icmdesk.ui.tables import VALUE_ROLE, ValueTableModel
from icmdesk.ui.tasks import Report

pytestmark = pytest.mark.gui

STATEMENT_COLUMNS = [
    "Rep", "Plan", "Earnings (E)", "Draw", "Recovery", "Payout", "Owed by rep",
]  # fmt: skip


@pytest.fixture
def errors(monkeypatch: pytest.MonkeyPatch) -> list[tuple[str, BaseException]]:
    shown: list[tuple[str, BaseException]] = []
    monkeypatch.setattr(Messages, "error", lambda _parent, title, e: shown.append((title, e)))
    return shown


def answer(monkeypatch: pytest.MonkeyPatch, dialog: type, yes: bool) -> list[object]:
    """Replace the dialog's question: `yes` is the answer; what it was asked about is kept."""
    asked: list[object] = []

    def confirm(_parent: object, about: object) -> bool:
        asked.append(about)
        return yes

    monkeypatch.setattr(dialog, "confirm", confirm)
    return asked


@pytest.fixture(autouse=True)
def no_final_statements_offer(monkeypatch: pytest.MonkeyPatch) -> list[Month]:
    """After a close the view offers the final PDFs; the tests say no unless they ask."""
    offered: list[list[Month]] = []
    monkeypatch.setattr(
        FinalStatementsDialog, "ask", lambda _p, months: offered.append(list(months)) or False
    )
    return offered


def open_view(qtbot, cf: CompanyFile) -> PeriodsView:  # type: ignore[no-untyped-def]
    view = PeriodsView(cf)
    qtbot.addWidget(view)
    view.resize(1100, 650)
    with qtbot.waitSignal(view.work_finished, timeout=10_000):  # months load in the background
        view.show()
    qtbot.waitExposed(view)
    return view


def busy_bar(view: PeriodsView) -> QProgressBar:
    """The bar shown beside the buttons while the view works."""
    bar = view.findChild(QProgressBar, "busy")
    assert bar is not None
    return bar


def texts(table, column: int) -> list[str]:  # type: ignore[no-untyped-def]
    model = table.model()
    return [model.data(model.index(r, column)) for r in range(model.rowCount())]


def compute(qtbot, view: PeriodsView, month: Month) -> None:  # type: ignore[no-untyped-def]
    view.select_month(month)
    with qtbot.waitSignal(view.work_finished, timeout=10_000):
        qtbot.mouseClick(view.buttons["compute"], Qt.MouseButton.LeftButton)


def close(qtbot, view: PeriodsView, month: Month) -> None:  # type: ignore[no-untyped-def]
    view.select_month(month)
    with qtbot.waitSignal(view.work_finished, timeout=10_000):
        qtbot.mouseClick(view.buttons["close"], Qt.MouseButton.LeftButton)


def test_months_are_listed_with_their_status(qtbot, demo: CompanyFile) -> None:  # type: ignore[no-untyped-def]
    view = open_view(qtbot, demo)
    expected = periods.list_periods(demo)
    assert texts(view.month_table, 0)[0] == "November 2025"
    assert len(texts(view.month_table, 0)) == len(expected) == 12
    assert texts(view.month_table, 1) == ["Open · next to close"] + ["Open"] * 11
    # The month to close next is chosen, and what to do with it is said up front.
    assert view.selected_month() == expected[0].month
    assert view.hint.startswith("1. Compute and review each rep's statement.  2. Close the")
    assert view.buttons["compute"].isEnabled() and view.buttons["close"].isEnabled()
    assert view.buttons["close"].text() == "C&lose month…"
    assert view.buttons["pdf"].text() == "Draft &PDFs…"  # an open month's PDFs are drafts
    assert not view.buttons["reopen"].isEnabled()
    # A later month says which closes first, and offers to close through it.
    view.select_month(Month(2026, 3))
    assert view.hint.startswith("Months close in order: November 2025 closes first.")
    assert view.buttons["close"].text() == "C&lose through March 2026…"


def test_compute_shows_every_reps_statement_and_its_lines(qtbot, demo: CompanyFile) -> None:  # type: ignore[no-untyped-def]
    view = open_view(qtbot, demo)
    month = Month(2026, 2)
    compute(qtbot, view, month)
    expected = {s.rep_name: s for s in periods.compute(demo, month)}
    table = view.statement_table
    model = table.model()
    headers = [model.headerData(c, Qt.Orientation.Horizontal) for c in range(model.columnCount())]
    assert headers == STATEMENT_COLUMNS
    assert texts(table, 0) == sorted(expected)  # sorted by rep name
    for row, name in enumerate(texts(table, 0)):
        s = expected[name]
        shown = [model.data(model.index(row, c)) for c in range(2, 7)]
        money = [s.earnings, s.draw, s.recovery, s.payout, s.balance_after]
        assert shown == [fmt_money(m) for m in money]
        amount = model.index(row, 2)
        assert model.data(amount, Qt.ItemDataRole.TextAlignmentRole) & Qt.AlignmentFlag.AlignRight
    # Sorting by payout sorts on the amount, not on its text.
    table.sortByColumn(STATEMENT_COLUMNS.index("Payout"), Qt.SortOrder.DescendingOrder)
    payouts = [model.data(model.index(r, 0), VALUE_ROLE).payout for r in range(model.rowCount())]
    assert payouts == sorted(payouts, reverse=True)

    rep = next(name for name, s in expected.items() if len(s.lines) >= 2)
    view.select_rep(rep)
    lines = expected[rep].lines
    assert texts(view.line_table, 1) == [line.description for line in lines]
    assert texts(view.line_table, 2) == [fmt_money(line.amount) for line in lines]
    assert texts(view.line_table, 0) == [line.kind.title for line in lines]
    assert rep in view.statement_summary
    assert view.heading == "February 2026 · open"
    # The Statement tab reads as the PDF does: every section, line and figure.
    shown = view.statement_text()
    s = expected[rep]
    for text in ("Draw reconciliation", "Quota and attainment", fmt_money(s.payout)):
        assert text in shown
    for line in s.lines:
        assert (line.deal_id or line.description.split(" · ")[0]) in shown


@pytest.mark.parametrize("width", [1100, 1280, 1600])
def test_the_statement_tab_scrolls_sideways_only_when_it_must(  # type: ignore[no-untyped-def]
    qtbot, demo: CompanyFile, width: int
) -> None:
    view = open_view(qtbot, demo)
    view.resize(width, 650)
    compute(qtbot, view, Month(2026, 2))
    view.select_rep("Daniel Reyes")
    browser = view.findChild(StatementBrowser)
    qtbot.waitUntil(lambda: browser.document().size().width() > 0)
    # The statement wraps to the pane: no scroll bar for the pixel Qt's table rounding adds.
    assert not browser.horizontalScrollBar().isVisible()
    assert browser.document().size().width() <= browser.viewport().width() + 2
    # Something really wider than the pane (Qt wraps text anywhere, but not a table of
    # fixed width) still scrolls.
    narrow = StatementBrowser()
    qtbot.addWidget(narrow)
    narrow.setHtml('<table width="600"><tr><td>wide</td></tr></table>')
    narrow.resize(300, 200)
    narrow.show()
    qtbot.waitUntil(lambda: narrow.horizontalScrollBar().isVisible())
    assert narrow.document().size().width() > narrow.viewport().width() + 2


def test_close_asks_first_then_closes_and_reopen_undoes_it(  # type: ignore[no-untyped-def]
    qtbot, demo: CompanyFile, monkeypatch: pytest.MonkeyPatch, errors
) -> None:
    view = open_view(qtbot, demo)
    first = periods.list_periods(demo)[0].month
    asked = answer(monkeypatch, CloseMonthDialog, False)
    view.select_month(first)
    qtbot.mouseClick(view.buttons["close"], Qt.MouseButton.LeftButton)
    assert asked == [[first]]
    assert periods.list_periods(demo)[0].status is PeriodStatus.OPEN  # said no: nothing happens

    answer(monkeypatch, CloseMonthDialog, True)
    close(qtbot, view, first)
    assert not errors
    assert periods.list_periods(demo)[0].status is PeriodStatus.CLOSED
    assert texts(view.month_table, 1)[0] == "Closed"
    assert list((demo.path.parent / "Backups").iterdir())  # a backup was written first
    shown = [view.statement_table.model().index(r, 0) for r in range(7)]
    assert all(
        view.statement_table.model().data(i, VALUE_ROLE).closed for i in shown if i.isValid()
    )
    assert "closed" in view.heading
    assert not view.buttons["close"].isEnabled()  # it is closed now
    assert view.buttons["reopen"].isEnabled()

    reopen_asked = answer(monkeypatch, ReopenMonthDialog, True)
    view.select_month(Month(2026, 5))  # reopen acts on the latest closed month, whatever is chosen
    with qtbot.waitSignal(view.work_finished, timeout=10_000):
        qtbot.mouseClick(view.buttons["reopen"], Qt.MouseButton.LeftButton)
    assert reopen_asked == [first]
    assert periods.list_periods(demo)[0].status is PeriodStatus.OPEN
    assert texts(view.month_table, 1)[0] == "Open · next to close"
    assert not view.buttons["reopen"].isEnabled()


def test_a_closed_month_shows_its_stored_statements_when_chosen(  # type: ignore[no-untyped-def]
    qtbot, demo: CompanyFile, monkeypatch: pytest.MonkeyPatch, errors
) -> None:
    first = periods.list_periods(demo)[0].month
    periods.close(demo, first)
    view = open_view(qtbot, demo)
    view.select_month(Month(2026, 2))
    with qtbot.waitSignal(view.work_finished, timeout=10_000):
        view.select_month(first)  # no Compute: a closed month's statements are stored
    assert not errors
    shown = view.shown_statements()
    assert shown and all(s.closed for s in shown)
    assert shown == periods.compute(demo, first)
    assert not view.buttons["compute"].isEnabled()
    assert "stored" in view.buttons["compute"].toolTip()
    # The summary line names the statement, not its hash.
    assert shown[0].rep_name in view.statement_summary
    assert "closed ·" not in view.statement_summary


def test_closing_a_month_that_has_not_ended_says_so(monkeypatch: pytest.MonkeyPatch) -> None:
    told: list[str] = []
    monkeypatch.setattr(
        Messages, "confirm", lambda _p, _t, _text, details, _a: told.append(details) or False
    )
    dec = Month(2026, 12)
    CloseMonthDialog.confirm(None, [dec], today=date(2026, 12, 4))
    assert told[-1].startswith("December 2026 has not ended yet: it ends on December 31.")
    CloseMonthDialog.confirm(None, [Month(2026, 11), dec], today=date(2026, 12, 31))
    assert "December 2026 has not ended yet" in told[-1]  # its last day is not over
    CloseMonthDialog.confirm(None, [Month(2026, 11)], today=date(2026, 12, 4))
    assert "not ended" not in told[-1]


def test_closing_through_a_month_closes_every_earlier_open_month_with_one_question(  # type: ignore[no-untyped-def]
    qtbot, demo: CompanyFile, monkeypatch: pytest.MonkeyPatch, errors, no_final_statements_offer
) -> None:
    view = open_view(qtbot, demo)
    asked = answer(monkeypatch, CloseMonthDialog, True)
    close(qtbot, view, Month(2026, 1))
    assert not errors
    assert asked == [[Month(2025, 11), Month(2025, 12), Month(2026, 1)]]
    assert [p.status for p in periods.list_periods(demo)[:4]] == [PeriodStatus.CLOSED] * 3 + [
        PeriodStatus.OPEN
    ]
    assert len(list((demo.path.parent / "Backups").iterdir())) == 1  # one backup
    assert no_final_statements_offer == [[Month(2025, 11), Month(2025, 12), Month(2026, 1)]]
    assert texts(view.month_table, 1)[:4] == ["Closed"] * 3 + ["Open · next to close"]


def test_refusals_are_shown_in_a_message(  # type: ignore[no-untyped-def]
    qtbot, demo: CompanyFile, monkeypatch: pytest.MonkeyPatch, errors
) -> None:
    view = open_view(qtbot, demo)
    answer(monkeypatch, CloseMonthDialog, True)

    def refuse(_cf: CompanyFile, month: Month, **_kw: object) -> None:
        raise PeriodError(f"{month} cannot close: the disk is full")

    monkeypatch.setattr(periods_view.periods, "close_through", refuse)
    close(qtbot, view, Month(2025, 11))
    assert len(errors) == 1
    title, error = errors[0]
    assert title == "November 2025 was not closed"
    assert isinstance(error, PeriodError) and "disk is full" in str(error)
    assert periods.list_periods(demo)[0].status is PeriodStatus.OPEN
    assert not view.busy and view.buttons["compute"].isEnabled()


def test_compute_runs_off_the_gui_thread_with_a_busy_bar(  # type: ignore[no-untyped-def]
    qtbot, demo: CompanyFile, monkeypatch: pytest.MonkeyPatch
) -> None:
    view = open_view(qtbot, demo)
    release = threading.Event()
    threads: list[threading.Thread] = []
    real_compute = periods.compute

    def slow_compute(cf: CompanyFile, month: Month) -> object:
        threads.append(threading.current_thread())
        release.wait(10)
        return real_compute(cf, month)

    monkeypatch.setattr(periods_view.periods, "compute", slow_compute)
    view.select_month(Month(2026, 1))
    qtbot.mouseClick(view.buttons["compute"], Qt.MouseButton.LeftButton)
    # The window keeps handling events while the month computes.
    qtbot.waitUntil(lambda: bool(threads))
    qtbot.wait(50)
    assert view.busy and busy_bar(view).isVisible()
    assert threads[0] is not threading.main_thread()
    assert not view.buttons["compute"].isEnabled() and not view.month_table.isEnabled()
    with qtbot.waitSignal(view.computed, timeout=10_000) as shown:
        release.set()
    assert shown.args == [Month(2026, 1)]
    qtbot.waitUntil(lambda: not view.busy)
    assert not busy_bar(view).isVisible()
    assert view.statement_table.model().rowCount() == len(real_compute(demo, Month(2026, 1)))


def test_an_empty_company_has_no_months(qtbot, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    cf = records.create_company_file(tmp_path / "new.icmdesk", Company("New Co"))
    view = open_view(qtbot, cf)
    assert view.month_table.model().rowCount() == 0
    assert not view.buttons["compute"].isEnabled()
    assert view.heading == "Choose a month"
    cf.close()


def test_value_table_model_passes_the_model_tester(qtbot, qtmodeltester, demo: CompanyFile) -> None:  # type: ignore[no-untyped-def]
    view = open_view(qtbot, demo)
    proxy = view.statement_table.model()
    assert isinstance(proxy, QSortFilterProxyModel)
    shown = proxy.sourceModel()
    assert isinstance(shown, ValueTableModel)
    # A model of the statements table's columns, owned by the test (the view's goes with it).
    statements = periods.compute(demo, Month(2026, 2))
    model = ValueTableModel(shown.columns, statements)
    qtmodeltester.check(model, force_py=True)
    model.set_rows(statements[:2])
    assert model.rowCount() == 2


def test_error_text_lists_every_problem() -> None:
    from icmdesk.domain.errors import Problem, ValidationError

    error = ValidationError([Problem("amount", "must be positive"), Problem("", "no credits")])
    assert error_text(error) == "• amount: must be positive\n• no credits"
    assert error_text(PeriodError("2026-03 is already closed")) == "2026-03 is already closed"


def test_main_window_hosts_the_periods_view(qtbot, demo: CompanyFile) -> None:  # type: ignore[no-untyped-def]
    window = MainWindow(demo)
    qtbot.addWidget(window)
    window.show()
    qtbot.waitExposed(window)
    view = window.show_view("Periods")
    assert isinstance(view, PeriodsView)
    qtbot.waitUntil(lambda: view.month_table.model().rowCount() == 12)


def test_a_refused_compute_or_reopen_is_explained(  # type: ignore[no-untyped-def]
    qtbot, demo: CompanyFile, monkeypatch: pytest.MonkeyPatch, errors
) -> None:
    from icmdesk.domain.errors import Problem, ValidationError

    periods.close(demo, Month(2025, 11))
    view = open_view(qtbot, demo)

    def refuse(_cf: CompanyFile, _month: Month) -> object:
        raise ValidationError([Problem("deals[3].credits", "Ana Lee has no plan on 2026-01-04")])

    monkeypatch.setattr(periods_view.periods, "compute", refuse)
    compute(qtbot, view, Month(2026, 1))
    assert errors[0][0] == "Could not compute the month"
    assert "no plan on 2026-01-04" in error_text(errors[0][1])
    assert view.statement_table.model().rowCount() == 0

    def refuse_reopen(_cf: CompanyFile, month: Month) -> None:
        raise PeriodError(f"{month} is not closed")

    answer(monkeypatch, ReopenMonthDialog, True)
    monkeypatch.setattr(periods_view.periods, "reopen", refuse_reopen)
    with qtbot.waitSignal(view.work_finished, timeout=10_000):
        qtbot.mouseClick(view.buttons["reopen"], Qt.MouseButton.LeftButton)
    assert errors[1][0] == "November 2025 was not reopened"
    assert texts(view.month_table, 1)[0] == "Closed"
    assert not view.busy and view.buttons["reopen"].isEnabled()


def test_statement_pdfs_are_written_with_progress_and_offered_to_open(  # type: ignore[no-untyped-def]
    qtbot, demo: CompanyFile, monkeypatch: pytest.MonkeyPatch, tmp_path: Path, errors
) -> None:
    view = open_view(qtbot, demo)
    out = tmp_path / "out"
    monkeypatch.setattr(StatementFolderDialog, "choose", lambda _p, _m, _s: out)
    written: list[BatchResult] = []
    monkeypatch.setattr(
        StatementsWrittenDialog, "show", lambda _p, r: written.extend(b for _m, b in r)
    )
    view.select_month(Month(2026, 2))
    with qtbot.waitSignal(view.work_finished, timeout=20_000):
        qtbot.mouseClick(view.buttons["pdf"], Qt.MouseButton.LeftButton)
    assert not errors
    (result,) = written
    assert not result.cancelled
    reps = len(periods.compute(demo, Month(2026, 2)))
    pdfs = sorted(p.name for p in (out / "2026-02").iterdir() if p.suffix == ".pdf")
    assert len([p for p in pdfs if p.startswith("Statement-2026-02-")]) == reps
    assert set(result.files) <= set((out / "2026-02").iterdir())


@pytest.mark.parametrize("how", ["cancel button", "window closing"])
def test_writing_pdfs_can_be_cancelled(  # type: ignore[no-untyped-def]
    qtbot, demo: CompanyFile, monkeypatch: pytest.MonkeyPatch, tmp_path: Path, errors, how: str
) -> None:
    view = open_view(qtbot, demo)
    monkeypatch.setattr(StatementFolderDialog, "choose", lambda _p, _m, _s: tmp_path / "out")
    written: list[BatchResult] = []
    monkeypatch.setattr(
        StatementsWrittenDialog, "show", lambda _p, r: written.extend(b for _m, b in r)
    )
    gate = threading.Event()
    real = documents.generate_statements

    def held(cf: CompanyFile, month: Month, out: Path, *, progress: Report) -> BatchResult:
        def report(done: int, total: int) -> bool:
            progress(done, total)
            gate.wait(10)  # the user is looking at the progress bar
            return progress(done, total)

        return real(cf, month, out, progress=report)

    monkeypatch.setattr(periods_view.documents, "generate_statements", held)
    view.select_month(Month(2026, 2))
    assert not view.buttons["cancel"].isVisible()
    qtbot.mouseClick(view.buttons["pdf"], Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: busy_bar(view).value() > 0)
    assert busy_bar(view).maximum() > 1 and view.buttons["cancel"].isVisible()
    with qtbot.waitSignal(view.work_finished, timeout=10_000):
        if how == "cancel button":
            qtbot.mouseClick(view.buttons["cancel"], Qt.MouseButton.LeftButton)
        else:
            view.cancel_work()  # what the main window does before it closes
        gate.set()
    (result,) = written
    # A cancelled batch takes back what it wrote: no folder looks complete when it is not.
    assert result.cancelled and result.files == ()
    assert not [p for p in (tmp_path / "out" / "2026-02").iterdir() if p.suffix == ".pdf"]
    assert not view.buttons["cancel"].isVisible() and not view.busy


def test_the_written_message_offers_the_folder(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    asked: list[tuple[str, str, str, str]] = []
    told: list[tuple[str, str]] = []
    opened: list[str] = []

    def choose(_p: object, _t: str, message: str, details: str, go: str, other: str, **_k):  # type: ignore[no-untyped-def]
        asked.append((message, details, go, other))
        return True

    monkeypatch.setattr(Messages, "choose", choose)
    monkeypatch.setattr(Messages, "info", lambda _p, _t, text, d="": told.append((text, d)))
    monkeypatch.setattr(
        periods_view.QDesktopServices, "openUrl", lambda url: opened.append(url.toLocalFile())
    )
    feb, mar = Month(2026, 2), Month(2026, 3)
    files = (tmp_path / "2026-02" / "a.pdf", tmp_path / "2026-02" / "b.pdf")
    StatementsWrittenDialog.show(None, [(feb, BatchResult(files, False))])
    assert asked == [("2 files written.", str(tmp_path / "2026-02"), "Open folder", "Close")]
    assert opened == [str(tmp_path / "2026-02")]
    # Two months: their folder is the one that holds both.
    march = (tmp_path / "2026-03" / "c.pdf",)
    StatementsWrittenDialog.show(
        None, [(feb, BatchResult(files, False)), (mar, BatchResult(march, False))]
    )
    assert asked[-1][0] == "3 files written." and opened[-1] == str(tmp_path)
    # The second month cancelled: said so.
    StatementsWrittenDialog.show(
        None, [(feb, BatchResult(files, False)), (mar, BatchResult((), True))]
    )
    assert "Cancelled: March 2026" in asked[-1][1]
    StatementsWrittenDialog.show(None, [(feb, BatchResult((), True))])
    assert told[-1][0] == "Cancelled: no statements were written."
    assert len(asked) == 3 and len(opened) == 3  # nothing to open


def test_the_final_statements_are_written_when_accepted_from_a_real_dialog(  # type: ignore[no-untyped-def]
    qtbot, demo: CompanyFile, monkeypatch: pytest.MonkeyPatch, tmp_path: Path, errors
) -> None:
    """The offer after a close is a modal dialog: its own event loop finishes the close's
    task while it is open, and accepting it must still write the statements — of every
    month the close closed."""
    from tests.ui.conftest import like_a_modal

    view = open_view(qtbot, demo)
    answer(monkeypatch, CloseMonthDialog, True)
    monkeypatch.setattr(FinalStatementsDialog, "ask", like_a_modal(True))
    chosen: list[list[Month]] = []
    monkeypatch.setattr(
        StatementFolderDialog, "choose", lambda _p, m, _s: chosen.append(list(m)) or tmp_path
    )
    written: list[list[tuple[Month, BatchResult]]] = []
    monkeypatch.setattr(StatementsWrittenDialog, "show", lambda _p, r: written.append(r))
    view.select_month(Month(2025, 12))
    qtbot.mouseClick(view.buttons["close"], Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: bool(written), timeout=30_000)
    assert not errors
    nov, dec = Month(2025, 11), Month(2025, 12)
    assert chosen == [[nov, dec]]
    assert [m for m, _r in written[0]] == [nov, dec]
    for month in (nov, dec):
        assert list((tmp_path / str(month)).glob(f"Statement-{month}-*.pdf"))


def test_a_read_only_file_computes_but_never_closes_or_reopens(  # type: ignore[no-untyped-def]
    qtbot, demo: CompanyFile, monkeypatch: pytest.MonkeyPatch
) -> None:
    view = open_view(qtbot, demo)
    view.select_month(Month(2025, 11))
    assert view.buttons["close"].isEnabled()
    view.set_read_only(True)
    view.select_month(Month(2025, 11))
    assert not view.buttons["close"].isEnabled()
    assert not view.buttons["reopen"].isEnabled()
    assert view.buttons["compute"].isEnabled() and view.buttons["pdf"].isEnabled()
    asked = answer(monkeypatch, CloseMonthDialog, True)
    view.buttons["close"].clicked.emit()  # even if reached, nothing is asked and nothing runs
    assert asked == [] and not view.busy
    assert periods.list_periods(demo)[0].status is PeriodStatus.OPEN


def test_after_a_close_the_final_statements_are_offered_in_a_folder_made_and_remembered(  # type: ignore[no-untyped-def]
    qtbot, demo: CompanyFile, monkeypatch: pytest.MonkeyPatch, tmp_path: Path, errors
) -> None:
    from PySide6.QtCore import QSettings

    settings = QSettings(str(tmp_path / "settings.ini"), QSettings.Format.IniFormat)
    view = PeriodsView(demo, settings=settings)
    qtbot.addWidget(view)
    with qtbot.waitSignal(view.work_finished, timeout=10_000):
        view.show()
    answer(monkeypatch, CloseMonthDialog, True)
    monkeypatch.setattr(FinalStatementsDialog, "ask", lambda _p, _m: True)
    suggested: list[Path] = []

    def choose(_p: object, _m: Month, folder: Path) -> Path:
        suggested.append(folder)
        assert folder.is_dir()  # made, so accepting it works
        return folder

    monkeypatch.setattr(StatementFolderDialog, "choose", choose)
    written: list[BatchResult] = []
    monkeypatch.setattr(
        StatementsWrittenDialog, "show", lambda _p, r: written.extend(b for _m, b in r)
    )
    first = Month(2025, 11)
    view.select_month(first)
    with qtbot.waitSignal(view.work_finished, timeout=20_000):
        qtbot.mouseClick(view.buttons["close"], Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: bool(written), timeout=20_000)
    assert suggested == [demo.path.parent / "Statements"]
    assert not errors and written[0].files
    assert view.buttons["pdf"].text() == "Statement &PDFs…"  # final now
    # The next time, the folder chosen is suggested again.
    other = tmp_path / "Payroll" / "Commission"
    monkeypatch.setattr(
        StatementFolderDialog, "choose", lambda _p, _m, f: suggested.append(f) or other
    )
    with qtbot.waitSignal(view.work_finished, timeout=20_000):
        qtbot.mouseClick(view.buttons["pdf"], Qt.MouseButton.LeftButton)
    monkeypatch.setattr(
        StatementFolderDialog, "choose", lambda _p, _m, f: suggested.append(f) or None
    )
    qtbot.mouseClick(view.buttons["pdf"], Qt.MouseButton.LeftButton)
    assert suggested[-1] == other


def test_amounts_are_never_cut_whatever_the_currency(qtbot, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    from datetime import date

    from icmdesk.domain.entities import Assignment, Credit, Deal, Plan, PlanVersion, Rep, Tier
    from icmdesk.domain.money import D

    cf = records.create_company_file(tmp_path / "ch.icmdesk", Company("Zürich AG", currency="CHF"))
    plan = records.save_plan(
        cf, Plan("Flat", (PlanVersion(date(2026, 1, 1), (Tier(D(0), D(10)),)),))
    )
    rep = records.save_rep(
        cf, Rep("Maximilian Alexander von Hohenberg-Lichtenstein", date(2026, 1, 1))
    )
    records.save_assignment(cf, Assignment(rep.id, plan.id, date(2026, 1, 1)))
    records.save_deal(
        cf,
        Deal("D-1", "Big", D("98765432.10"), date(2026, 1, 5), credits=(Credit(rep.id, D(100)),)),
    )
    view = open_view(qtbot, cf)
    for width in (700, 1000, 1600):
        view.resize(width, 600)
        compute(qtbot, view, Month(2026, 1))
        table = view.statement_table
        model = table.model()
        metrics = table.fontMetrics()
        for column in range(2, 7):
            text = model.data(model.index(0, column))
            assert metrics.horizontalAdvance(text) <= table.columnWidth(column), (width, text)
    cf.close()
