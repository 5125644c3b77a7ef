"""GUI benchmark: first window paint, and the deals table on a million-deal company.

Prints, each beside its floor (the same work done the simplest way, measured in the same
run, alternating with it, so a machine whose speed drifts moves both) and the ratio:
- the time from process start to the first painted main window on the demo company
  (`run_app(demo=True)`, a fresh Python process each run, median of 5,
  QT_QPA_PLATFORM=offscreen). Target: under 1 s. Floor: a bare QMainWindow holding an
  empty QTableView, in a fresh process;
- the time to show the first page of the Deals view on a 200-rep / 1,000,000-deal
  company (the main window opened read-only on it, then the Deals view painted), the
  time to re-sort it by amount, and the peak memory of that process (median of 3).
  Floor: plain sqlite3 reading the count and a 200-row page (then the page by amount)
  into a QStandardItemModel under a bare QTableView, painted.

    .venv/bin/python bench/gui.py
    .venv/bin/python bench/gui.py --folder /tmp/icmdesk-bench   # where the big file is

The million-deal file is reused from bench/engine.py's folder if present,
otherwise generated there with bench/engine.py's `build` (a few minutes once).
Child processes run with XDG_CONFIG_HOME / XDG_DATA_HOME in a temporary folder,
so they neither read nor change this user's settings or demo company.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
RUNS = 5
DEAL_RUNS = 3
PAGE = 200
T0_ENV = "ICMDESK_BENCH_T0"


# Child processes (run as `python bench/gui.py --child ...`).
def child_first_paint() -> None:
    """Open the demo company as the app does; print seconds from T0 to the first paint."""
    t0 = float(os.environ[T0_ENV])
    from PySide6.QtWidgets import QApplication

    app = QApplication(sys.argv)
    qt_ready = time.time() - t0
    painted, _watcher = _first_paint_of(app, "MainWindow", t0)
    from icmdesk.ui.app import run_app

    imported = time.time() - t0
    run_app(None, demo=True)
    print(
        json.dumps(
            {
                "qt_ready": qt_ready,
                "imported": imported,
                "first_paint": painted[0] if painted else None,
            }
        )
    )


def _first_paint_of(app: object, class_name: str, t0: float) -> tuple[list[float], object]:
    """Quit `app` at the first paint of a widget of `class_name`; the list will hold its
    time after `t0` (keep the watcher returned with it while the app runs)."""
    from PySide6.QtCore import QEvent, QObject, QTimer

    painted: list[float] = []

    class FirstPaint(QObject):
        def eventFilter(self, watched: QObject, event: QEvent) -> bool:
            if (
                not painted
                and event.type() == QEvent.Type.Paint
                and type(watched).__name__ == class_name
            ):
                painted.append(time.time() - t0)
                QTimer.singleShot(0, app.quit)  # type: ignore[attr-defined]
            return False

    watcher = FirstPaint()
    app.installEventFilter(watcher)  # type: ignore[attr-defined]
    return painted, watcher


def child_floor_paint() -> None:
    """The floor of the first paint: a bare main window with an empty table."""
    t0 = float(os.environ[T0_ENV])
    from PySide6.QtWidgets import QApplication, QMainWindow, QTableView

    app = QApplication(sys.argv)
    painted, _watcher = _first_paint_of(app, "QMainWindow", t0)
    window = QMainWindow()
    window.setCentralWidget(QTableView())
    window.resize(1100, 720)
    window.show()
    app.exec()
    print(json.dumps({"first_paint": painted[0] if painted else None}))


def _until_painted(app: object, widget: object) -> None:
    from PySide6.QtCore import QEvent, QObject

    painted: list[bool] = []

    class Painted(QObject):
        def eventFilter(self, _watched: QObject, event: QEvent) -> bool:
            if event.type() == QEvent.Type.Paint:
                painted.append(True)
            return False

    watcher = Painted()
    widget.installEventFilter(watcher)  # type: ignore[attr-defined]
    deadline = time.perf_counter() + 60
    while not painted and time.perf_counter() < deadline:
        app.processEvents()  # type: ignore[attr-defined]
    widget.removeEventFilter(watcher)  # type: ignore[attr-defined]


def child_floor_deals(path: Path) -> None:
    """The floor of the Deals page and re-sort: plain sqlite3 into a bare table."""
    import resource
    import sqlite3

    from PySide6.QtGui import QStandardItem, QStandardItemModel
    from PySide6.QtWidgets import QApplication, QTableView

    app = QApplication(sys.argv)
    db = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    table = QTableView()
    table.resize(1000, 600)
    model = QStandardItemModel()
    table.setModel(model)
    table.show()
    _until_painted(app, table.viewport())

    def show(order: str) -> None:
        rows = db.execute(
            "SELECT external_id, customer, close_date, amount FROM deals"
            f" ORDER BY {order} LIMIT {PAGE}"
        ).fetchall()
        model.clear()
        for row in rows:
            model.appendRow([QStandardItem(str(v)) for v in row])
        _until_painted(app, table.viewport())

    t = time.perf_counter()
    total = db.execute("SELECT count(*) FROM deals").fetchone()[0]
    show("close_date DESC, id DESC")
    deals_s = time.perf_counter() - t
    t = time.perf_counter()
    show("amount DESC, id")
    sort_s = time.perf_counter() - t
    peak_mib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    db.close()
    print(json.dumps({"deals": deals_s, "sort": sort_s, "total": total, "peak_mib": peak_mib}))


def child_deals(path: Path) -> None:
    """Open the big company read-only in the main window; time the Deals view and a re-sort."""
    import resource

    from PySide6.QtCore import Qt
    from PySide6.QtWidgets import QApplication

    from icmdesk.services import file_lock
    from icmdesk.ui.main_window import MainWindow

    app = QApplication(sys.argv)

    def until_painted(widget: object) -> None:
        _until_painted(app, widget)

    t = time.perf_counter()
    cf = file_lock.open_read_only(path)
    window = MainWindow(cf, read_only=True)
    window.show()
    until_painted(window)
    window_s = time.perf_counter() - t

    t = time.perf_counter()
    deals = window.show_view("Deals")
    table = deals.table  # type: ignore[attr-defined]
    until_painted(table.viewport())
    deals_s = time.perf_counter() - t
    rows = table.model().rowCount()
    total = deals.model.total  # type: ignore[attr-defined]

    t = time.perf_counter()
    table.sortByColumn(4, Qt.SortOrder.DescendingOrder)  # Amount, largest first
    until_painted(table.viewport())
    sort_s = time.perf_counter() - t
    first_amount = table.model().index(0, 4).data()

    # The Deals view is built with the window (its first page read then); built on its own,
    # from nothing to its first page on screen:
    from icmdesk.ui.deals_view import DealsView

    t = time.perf_counter()
    alone = DealsView(cf)
    alone.resize(1000, 600)
    alone.show()
    until_painted(alone.table.viewport())
    alone_s = time.perf_counter() - t
    alone.close()

    peak_mib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    window.close()
    cf.close()
    print(
        json.dumps(
            {
                "window": window_s,
                "deals": deals_s,
                "deals_alone": alone_s,
                "sort": sort_s,
                "rows": rows,
                "total": total,
                "first_amount": first_amount,
                "peak_mib": peak_mib,
            }
        )
    )


# The parent: runs the children and prints the figures.
def run_child(args: list[str], home: Path) -> dict[str, object]:
    env = dict(os.environ)
    env.update(
        QT_QPA_PLATFORM="offscreen",
        XDG_CONFIG_HOME=str(home / "config"),
        XDG_DATA_HOME=str(home / "data"),
        PYTHONPATH=str(ROOT),
    )
    env[T0_ENV] = repr(time.time())
    out = subprocess.run(
        [sys.executable, str(Path(__file__).resolve()), "--child", *args],
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    return dict(json.loads(out.stdout.strip().splitlines()[-1]))


def bench_first_paint(home: Path) -> None:
    # The demo company is written once beforehand, as on any launch after the first.
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from icmdesk.services import company_io

    demo = home / "data" / "ICMDesk" / "Demo Company.icmdesk"
    if not demo.exists():
        demo.parent.mkdir(parents=True, exist_ok=True)
        company_io.write_demo(demo).close()
    run_child(["first-paint"], home)  # warm the OS file cache, as a second launch would be
    run_child(["floor-paint"], home)
    runs, floors = [], []
    for _ in range(RUNS):  # alternating: a drift in the machine's speed moves both
        floors.append(run_child(["floor-paint"], home))
        runs.append(run_child(["first-paint"], home))

    def median(key: str, of: list[dict[str, object]] = runs) -> float:
        return statistics.median(float(r[key]) for r in of)  # type: ignore[arg-type]

    times = [float(r["first_paint"]) for r in runs]  # type: ignore[arg-type]
    floor = median("first_paint", floors)
    print(
        f"first painted main window, demo company: {median('first_paint'):6.3f} s median "
        f"of {RUNS} (min {min(times):.3f}, max {max(times):.3f}; target < 1.0 s)"
    )
    print(
        f"  floor, a bare window in a fresh process: {floor:.3f} s;"
        f" ratio {median('first_paint') / floor:.2f}x"
    )
    print(
        f"  of which: Python + Qt application {median('qt_ready'):.3f} s, "
        f"importing the app {median('imported') - median('qt_ready'):.3f} s, "
        "opening the file and building the window "
        f"{median('first_paint') - median('imported'):.3f} s"
    )


def bench_deals(folder: Path, home: Path) -> None:
    path = folder / "bench-200-1000000.icmdesk"
    if not path.exists():
        sys.path.insert(0, str(ROOT / "bench"))
        from engine import build  # type: ignore[import-not-found]

        folder.mkdir(parents=True, exist_ok=True)
        build(path, 200, 1_000_000)
    runs, floors = [], []
    for _ in range(DEAL_RUNS):  # alternating, as above
        floors.append(run_child(["floor-deals", str(path)], home))
        runs.append(run_child(["deals", str(path)], home))

    def median(key: str, of: list[dict[str, object]] = runs) -> float:
        return statistics.median(float(r[key]) for r in of)  # type: ignore[arg-type]

    r = runs[-1]
    print(f"1,000,000-deal company ({path}), median of {DEAL_RUNS}:")
    print(f"  main window painted (read-only):  {median('window'):6.3f} s")
    print(
        f"  switch to Deals, page painted:    {median('deals'):6.3f} s "
        f"({r['rows']:,} of {r['total']:,} rows loaded); floor {median('deals', floors):.3f} s,"
        f" ratio {median('deals') / median('deals', floors):.2f}x"
    )
    print(
        f"  Deals view built and painted:     {median('deals_alone'):6.3f} s (count + first page)"
    )
    print(
        f"  re-sorted by amount and painted:  {median('sort'):6.3f} s (largest: "
        f"{r['first_amount']}); floor {median('sort', floors):.3f} s,"
        f" ratio {median('sort') / median('sort', floors):.2f}x"
    )
    print(
        f"  peak memory of the GUI process:   {median('peak_mib'):6.0f} MiB;"
        f" floor {median('peak_mib', floors):.0f} MiB"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--folder", type=Path, default=Path(tempfile.gettempdir()) / "icmdesk-bench"
    )
    parser.add_argument("--child", nargs="+", help=argparse.SUPPRESS)
    parser.add_argument("--skip-deals", action="store_true", help="only the first-paint figure")
    args = parser.parse_args()
    if args.child:
        kind = args.child[0]
        if kind == "first-paint":
            child_first_paint()
        elif kind == "floor-paint":
            child_floor_paint()
        elif kind == "floor-deals":
            child_floor_deals(Path(args.child[1]))
        else:
            child_deals(Path(args.child[1]))
        return
    with tempfile.TemporaryDirectory(prefix="icmdesk-gui-bench-") as tmp:
        home = Path(tmp)
        bench_first_paint(home)
        if not args.skip_deals:
            bench_deals(args.folder, home)


if __name__ == "__main__":
    main()
