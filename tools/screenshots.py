"""Re-make the README's screenshots: every main-window view on the demo company.

Writes, into docs/images/ (or --out):
- ui-<view>.png and ui-<view>-dark.png for each view of the main window (Overview,
  Dashboard, Reps, Roles, Plans, Deals, Periods, Audit log, Settings), the window at
  1280×800, in a light and a dark palette (Fusion style, so both look the same on every
  system);
- ui-periods-200.png: the Periods view at 200% scaling (QT_SCALE_FACTOR=2, in a child
  process: the factor is read when the application starts);
- ui-<dialog>.png and ui-<dialog>-dark.png for the start screen, the new-company wizard
  (its first page and its books-start page), the deal and rep dialogs and the cancel-deal
  dialog (with its clawback preview), each at its own size;
- import-<n>-<page>.png: each page of File ▸ Import Deals… on a small HubSpot export
  (light only: docs/importing.md shows them);
- export-dialog.png and settings-payouts.png: Periods ▸ Export… on a closed demo month
  and the Settings view's Payouts group (light only: docs/exporting.md).

    .venv/bin/python tools/screenshots.py
    .venv/bin/python tools/screenshots.py --out /tmp/shots --views periods deals

It runs headless (QT_QPA_PLATFORM=offscreen unless set) on a fresh demo company in a
temporary folder, with XDG_CONFIG_HOME / XDG_DATA_HOME there too, so it neither reads nor
changes this user's settings or demo company.
"""

from __future__ import annotations

import argparse
import csv
import gc
import os
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SIZE = (1280, 800)
# File name part -> the view's title in the sidebar.
VIEWS = {
    "overview": "Overview",
    "dashboard": "Dashboard",
    "reps": "Reps",
    "roles": "Roles",
    "plans": "Plans",
    "deals": "Deals",
    "periods": "Periods",
    "audit": "Audit log",
    "settings": "Settings",
}
PERIODS_MONTH = "2026-02"  # a demo month with draws, recoveries and several lines per rep
PERIODS_REP = 1  # the row of the rep whose lines are shown


def dark_palette():  # type: ignore[no-untyped-def]
    """A dark palette for the Fusion style (the colours of Qt's own dark examples)."""
    from PySide6.QtGui import QColor, QPalette

    p = QPalette()
    role, group = QPalette.ColorRole, QPalette.ColorGroup
    colours = {
        role.Window: "#2b2b2b",
        role.WindowText: "#e6e6e6",
        role.Base: "#1e1e1e",
        role.AlternateBase: "#262626",
        role.ToolTipBase: "#3c3c3c",
        role.ToolTipText: "#e6e6e6",
        role.PlaceholderText: "#8c8c8c",
        role.Text: "#e6e6e6",
        role.Button: "#353535",
        role.ButtonText: "#e6e6e6",
        role.BrightText: "#ff5252",
        role.Light: "#4a4a4a",
        role.Midlight: "#3f3f3f",
        role.Mid: "#5a5a5a",
        role.Dark: "#1a1a1a",
        role.Shadow: "#000000",
        role.Highlight: "#2f7bd8",
        role.HighlightedText: "#ffffff",
        role.Link: "#6cb4ff",
        role.LinkVisited: "#b29cff",
    }
    for r, c in colours.items():
        p.setColor(r, QColor(c))
    for r in (role.WindowText, role.Text, role.ButtonText):
        p.setColor(group.Disabled, r, QColor("#7a7a7a"))
    p.setColor(group.Disabled, role.Base, QColor("#2b2b2b"))
    return p


def wait_until(ready: Callable[[], bool], timeout: float = 60.0) -> None:
    """Run the event loop until `ready()` (background work lands through queued signals)."""
    from PySide6.QtCore import QCoreApplication, QThreadPool

    deadline = time.monotonic() + timeout
    while not ready():
        if time.monotonic() > deadline:
            raise TimeoutError("the view did not finish its work in time")
        QCoreApplication.processEvents()
        time.sleep(0.01)
    QThreadPool.globalInstance().waitForDone()
    settle()


def settle() -> None:
    from PySide6.QtCore import QCoreApplication

    for _ in range(5):
        QCoreApplication.processEvents()
        time.sleep(0.01)


def prepare(name: str, view) -> None:  # type: ignore[no-untyped-def]
    """Bring a view to the state worth showing: its background work done, a row chosen."""
    from icmdesk.domain.calendar import Month
    from icmdesk.ui.dashboard_view import DashboardView
    from icmdesk.ui.periods_view import PeriodsView

    if isinstance(view, DashboardView):
        wait_until(lambda: view.board is not None)
    elif isinstance(view, PeriodsView):
        wait_until(lambda: not view.busy and view.month_table.model().rowCount() > 0)
        view.select_month(Month.parse(PERIODS_MONTH))
        view.buttons["compute"].click()
        wait_until(lambda: not view.busy and bool(view.shown_statements()))
        view.statement_table.selectRow(PERIODS_REP)
    elif name in ("reps", "roles", "deals", "audit"):
        table = getattr(view, "table", None)
        if table is not None and table.model() is not None and table.model().rowCount():
            table.selectRow(0)
    settle()


def shoot(out: Path, names: list[str], *, dark: bool, suffix: str = "") -> list[Path]:
    """Grab each named view in a fresh main window on a fresh demo company."""
    from PySide6.QtWidgets import QApplication

    from icmdesk.services import company_io
    from icmdesk.ui.main_window import MainWindow

    app = QApplication.instance() or QApplication(sys.argv[:1])
    assert isinstance(app, QApplication)
    app.setStyle("Fusion")
    app.setPalette(dark_palette() if dark else app.style().standardPalette())
    written = []
    with tempfile.TemporaryDirectory() as folder:
        cf = company_io.write_demo(Path(folder) / "Demo Company.icmdesk")
        window = MainWindow(cf)
        window.resize(*SIZE)
        # The status bar names the open file: not this run's temporary folder.
        window.statusBar().showMessage(cf.path.name)
        window.show()
        settle()
        for name in names:
            view = window.show_view(VIEWS[name])
            prepare(name, view)
            path = out / f"ui-{name}{suffix}{'-dark' if dark else ''}.png"
            window.grab().save(str(path))
            written.append(path)
        window.close()
        settle()
        cf.close()
    return written


DIALOGS = (
    "start",
    "new-company",
    "new-company-books",
    "deal-dialog",
    "rep-dialog",
    "cancel-deal",
)
DIALOG_REP = "Aisha Rahman"  # a demo rep with a draw


def split_deal_with_clawbacks(cf):  # type: ignore[no-untyped-def]
    """The newest demo deal split between reps whose cancellation a month after it closed
    would claw something back (a deal paid on cash with no payment yet claws back nothing)."""
    from datetime import timedelta

    from icmdesk.services import cancellation, deal_table, records

    for row in deal_table.deal_page(cf):
        deal = records.get_deal(cf, row.id)
        on = deal.close_date + timedelta(days=30)
        if len(deal.credits) > 1 and cancellation.preview_by_rep(cf, deal.id, on, "churned"):
            return deal, on
    raise LookupError("no split deal with clawbacks in the demo company")


def shoot_dialogs(out: Path, *, dark: bool) -> list[Path]:
    """Grab the start screen and the dialogs worth showing, on a fresh demo company."""
    from PySide6.QtCore import QSettings
    from PySide6.QtWidgets import QApplication, QWidget

    from icmdesk.domain.calendar import Month
    from icmdesk.services import choices, company_io, records
    from icmdesk.ui.cancel_dialog import CancelDialog
    from icmdesk.ui.deal_dialog import DealDialog
    from icmdesk.ui.new_company_wizard import NewCompanyWizard
    from icmdesk.ui.rep_dialog import RepDialog
    from icmdesk.ui.start_screen import RecentFiles, StartScreen

    app = QApplication.instance() or QApplication(sys.argv[:1])
    assert isinstance(app, QApplication)
    app.setStyle("Fusion")
    app.setPalette(dark_palette() if dark else app.style().standardPalette())
    written = []
    with tempfile.TemporaryDirectory() as folder:
        documents = Path(folder) / "Documents"
        documents.mkdir()
        cf = company_io.write_demo(documents / "Demo Company.icmdesk")
        deal, cancel_on = split_deal_with_clawbacks(cf)
        rep = next(r for r in choices.reps(cf) if r.name == DIALOG_REP)
        recent = RecentFiles(QSettings(str(Path(folder) / "s.ini"), QSettings.Format.IniFormat))
        recent.add(cf.path)

        def wizard(page: int = 0) -> NewCompanyWizard:
            made = NewCompanyWizard(Path(folder))
            made.set_answers(
                "Acme Ltd",
                "USD",
                1,
                Path(folder) / "Acme Ltd.icmdesk",
                books_start=Month.of(date.today()).plus(-1),  # the wizard's own default
            )
            if page:
                made.show()  # a wizard starts over (page one) when first shown
            for _ in range(page):
                made.next()
            return made

        made: dict[str, Callable[[], QWidget]] = {
            "start": lambda: StartScreen(recent),
            "new-company": wizard,
            "new-company-books": lambda: wizard(2),  # where ICMDesk starts
            "deal-dialog": lambda: DealDialog(cf, deal),
            "rep-dialog": lambda: RepDialog(cf, records.get_rep(cf, rep.id)),
            "cancel-deal": lambda: CancelDialog(cf, deal, today=cancel_on),
        }
        for name in DIALOGS:
            widget = made[name]()
            widget.show()
            settle()
            path = out / f"ui-{name}{'-dark' if dark else ''}.png"
            widget.grab().save(str(path))
            widget.close()
            written.append(path)
        settle()
        cf.close()
    return written


# A HubSpot export for the import wizard's pictures: an owner who is no rep yet (by a
# nickname), a lost deal, an amount the CRM left as "TBD".
IMPORT_ROWS = (
    ("Record ID", "Deal Name", "Deal Stage", "Close Date", "Deal owner", "Amount", "Deal Type",
     "Associated Company"),
    ("18734001", "Harbor Labs retrofit", "Closed Won", "2026-11-03 14:22", "Maya Okafor",
     "$12,500.00", "New Business", "Harbor Labs"),
    ("18734002", "Cedar Point sensors", "Closed Won", "2026-11-05 09:10", "Grace Kim",
     "$8,240.00", "New Business", "Cedar Point Utilities"),
    ("18734003", "Alder & Finch renewal", "Closed Won", "2026-11-06 16:45", "Dan Reyes",
     "$4,100.00", "Existing Business", "Alder & Finch Engineering"),
    ("18734004", "Northgate pilot", "Closed Lost", "2026-11-07 11:00", "Maya Okafor",
     "$3,000.00", "New Business", "Northgate Transit"),
    ("18734005", "Bluewater calibration", "Closed Won", "2026-11-10 13:30", "Dan Reyes", "TBD",
     "New Business", "Bluewater Marine"),
    ("18734006", "Emberline add-on", "Closed Won", "2026-11-12 10:05",
     "priya.natarajan@northwind-instruments.com", "$2,950.00", "Existing Business",
     "Emberline Foundry"),
    ("18734007", "Kestrel upgrade", "Closed Won", "2026-11-18 15:20", "Dan Reyes", "$6,780.00",
     "New Business", "Kestrel Aerospace"),
)  # fmt: skip


def shoot_import_wizard(out: Path) -> list[Path]:
    """Grab each page of File ▸ Import Deals… as an office manager goes through it."""
    from PySide6.QtWidgets import QApplication, QComboBox

    from icmdesk.services import company_io
    from icmdesk.ui.import_wizard import ImportDealsWizard

    app = QApplication.instance() or QApplication(sys.argv[:1])
    assert isinstance(app, QApplication)
    written = []
    with tempfile.TemporaryDirectory() as folder:
        cf = company_io.write_demo(Path(folder) / "Demo Company.icmdesk")
        export = Path(folder) / "hubspot-deals-2026-11.csv"
        with export.open("w", encoding="utf-8-sig", newline="") as f:
            csv.writer(f).writerows(IMPORT_ROWS)
        wizard = ImportDealsWizard(cf)
        wizard.resize(900, 640)
        wizard.show()
        wizard.currentPage().path_edit.setText(str(export))

        def grab(name: str) -> None:
            settle()
            path = out / f"import-{name}.png"
            wizard.grab().save(str(path))
            written.append(path)

        def next_page(expect: int) -> None:
            wizard.next()
            wait_until(lambda: wizard.currentId() == expect)

        grab("1-file")
        next_page(ImportDealsWizard.COLUMNS)
        grab("2-columns")
        next_page(ImportDealsWizard.QUESTIONS)
        questions = wizard.page_of(ImportDealsWizard.QUESTIONS)
        combo = questions.owners.cellWidget(0, 2)
        assert isinstance(combo, QComboBox)
        combo.setCurrentIndex(combo.findText("Daniel Reyes"))
        grab("3-owners")
        next_page(ImportDealsWizard.PREVIEW)
        grab("4-preview")
        preview = wizard.page_of(ImportDealsWizard.PREVIEW)
        preview.show_combo.setCurrentIndex(4)  # rejected
        grab("4-preview-rejected")
        preview.show_combo.setCurrentIndex(0)
        next_page(ImportDealsWizard.IMPORT)
        wait_until(lambda: wizard.result is not None)
        grab("5-done")
        wizard.close()
        settle()
        cf.close()
    return written


def shoot_exports(out: Path) -> list[Path]:
    """Periods ▸ Export… (the Gusto layout of a closed month) and Settings ▸ Payouts, as
    docs/exporting.md shows them."""
    from PySide6.QtWidgets import QApplication, QGroupBox

    from icmdesk.domain.calendar import Month
    from icmdesk.services import company_io, periods
    from icmdesk.ui.export_dialog import ExportDialog
    from icmdesk.ui.settings_view import SettingsView

    app = QApplication.instance() or QApplication(sys.argv[:1])
    assert isinstance(app, QApplication)
    written = []
    with tempfile.TemporaryDirectory() as folder:
        cf = company_io.write_demo(Path(folder) / "Demo Company.icmdesk")
        periods.close_through(cf, Month(2026, 10))
        dialog = ExportDialog(cf, Month(2026, 10))
        dialog.layout_combo.setCurrentIndex(dialog.layout_combo.findData("gusto"))
        dialog.resize(900, 600)
        dialog.show()
        ready = []
        dialog.ready.connect(lambda: ready.append(True))
        wait_until(lambda: bool(ready))
        settle()
        path = out / "export-dialog.png"
        dialog.grab().save(str(path))
        written.append(path)
        dialog.close()
        view = SettingsView(cf)
        view.resize(*SIZE)
        view.show()
        settle()
        payouts = next(g for g in view.findChildren(QGroupBox) if g.title() == "Payouts")
        path = out / "settings-payouts.png"
        payouts.grab().save(str(path))
        written.append(path)
        view.close()
        settle()
        cf.close()
    return written


def isolated_env(folder: str) -> dict[str, str]:
    env = dict(os.environ)
    env.setdefault("QT_QPA_PLATFORM", "offscreen")
    env["XDG_CONFIG_HOME"] = str(Path(folder) / "config")
    env["XDG_DATA_HOME"] = str(Path(folder) / "data")
    return env


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "images")
    parser.add_argument("--views", nargs="*", choices=sorted(VIEWS), default=list(VIEWS))
    parser.add_argument("--child", choices=("light", "dark", "periods-200"), help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    args.out.mkdir(parents=True, exist_ok=True)
    if args.child:
        # One palette (or one scale factor) per process: the first QApplication fixes them.
        if args.child == "periods-200":
            paths = shoot(args.out, ["periods"], dark=False, suffix="-200")
        else:
            dark = args.child == "dark"
            paths = shoot(args.out, args.views, dark=dark) + shoot_dialogs(args.out, dark=dark)
            if not dark:
                paths += shoot_import_wizard(args.out) + shoot_exports(args.out)
        for p in paths:
            print(p.relative_to(ROOT) if p.is_relative_to(ROOT) else p)
        # Widgets in reference cycles freed while the application object lives (after it,
        # the interpreter's last collection would crash on them).
        gc.collect()
        return 0
    with tempfile.TemporaryDirectory() as folder:
        env = isolated_env(folder)
        runs: list[tuple[str, dict[str, str]]] = [("light", env), ("dark", env)]
        if "periods" in args.views:
            runs.append(("periods-200", env | {"QT_SCALE_FACTOR": "2"}))
        for child, child_env in runs:
            cmd = [sys.executable, __file__, "--out", str(args.out), "--child", child]
            subprocess.run([*cmd, "--views", *args.views], env=child_env, check=True, cwd=ROOT)
    return 0


if __name__ == "__main__":
    sys.path.insert(0, str(ROOT))
    raise SystemExit(main())
