"""How fast a HubSpot-style deal export imports, and how much memory it takes.

Plain script: `python bench/import.py` (100,000 and 1,000,000 rows; `--rows 100000` for
one size, `--runs N` for more runs). For each size it writes a HubSpot deals export
(UTF-8 with a byte-order mark, dates with a time of day, amounts like "$12,500.00", a
few lost deals) and times, in a fresh process each (so peak memory is that run's own):

- cold: `icmdesk import-deals` into a fresh copy of the demo company (every deal added);
- re-import: the same file again into that company (every deal unchanged: nothing written);
- floor: the same rows done the simplest way — csv.reader, the amount and date cut out
  by hand, and plain sqlite3 executemany of the deals, their credits and one audit row
  each into a file with the same tables — the least any importer could take.

Runs alternate (floor, cold, re-import) so a machine whose speed drifts slows all three
alike; the figures are medians, with rows per second, the ratio to the floor, and the
peak resident memory of the process. Target: 1,000,000 rows in under 20 s, under 1 GB.
"""

from __future__ import annotations

import argparse
import csv
import json
import resource
import shutil
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

OWNERS = (
    "Maya Okafor",
    "Daniel Reyes",
    "Zoë O'Brien",
    "Priya Natarajan",
    "Tomás Lindqvist",
    "Grace Kim",
    "Aisha Rahman",
)
HEADER = (
    "Record ID",
    "Deal Name",
    "Deal Stage",
    "Close Date",
    "Deal owner",
    "Amount",
    "Pipeline",
    "Deal Type",
    "Associated Company",
)


def write_export(path: Path, rows: int) -> None:
    first = date(2026, 11, 1)
    with path.open("w", encoding="utf-8-sig", newline="") as f:
        out = csv.writer(f)
        out.writerow(HEADER)
        for n in range(rows):
            cents = 50_000 + (n * 7_919) % 5_000_000
            amount = f"${cents // 100:,}.{cents % 100:02d}"
            day = first + timedelta(days=n % 30)
            stage = "Closed Lost" if n % 20 == 19 else "Closed Won"
            kind = "New Business" if n % 3 else "Existing Business"
            out.writerow(
                (
                    30_000_000 + n,
                    f"Deal {n} for Customer {n % 5_000}",
                    stage,
                    f"{day.isoformat()} {n % 24:02d}:{n % 60:02d}",
                    OWNERS[n % len(OWNERS)],
                    amount,
                    "Sales Pipeline",
                    kind,
                    f"Customer {n % 5_000} Inc.",
                )
            )


# -- one measured run (a child process) ------------------------------------------------------


def child_import(company: str, export: str) -> dict[str, float]:
    from icmdesk.cli import main

    start = time.perf_counter()
    code = main(["import-deals", company, export])
    elapsed = time.perf_counter() - start
    if code not in (0, 4):
        raise SystemExit(f"import-deals exited {code}")
    return {"seconds": elapsed}


def child_floor(export: str, target: str) -> dict[str, float]:
    start = time.perf_counter()
    db = sqlite3.connect(target, isolation_level=None)
    db.executescript(
        "CREATE TABLE deals (id INTEGER PRIMARY KEY, external_id TEXT UNIQUE, customer TEXT,"
        " amount INTEGER, close_date TEXT, deal_type TEXT, name TEXT);"
        "CREATE TABLE credits (deal_id INTEGER, position INTEGER, rep_id INTEGER,"
        " split_pct INTEGER, PRIMARY KEY (deal_id, position));"
        "CREATE TABLE audit_log (id INTEGER PRIMARY KEY, at TEXT, action TEXT, entity TEXT,"
        " entity_id TEXT, field TEXT, old TEXT, new TEXT, user TEXT);"
        "PRAGMA journal_mode = WAL; PRAGMA synchronous = FULL;"
    )
    owners = {name: i + 1 for i, name in enumerate(OWNERS)}
    deals, credits, audit = [], [], []
    with open(export, encoding="utf-8-sig", newline="") as f:
        rows = csv.reader(f)
        next(rows)
        for n, row in enumerate(rows, 1):
            if row[2] != "Closed Won":
                continue
            cents = int(row[5].lstrip("$").replace(",", "").replace(".", ""))
            deals.append((n, row[0], row[8], cents, row[3][:10], "new", row[1]))
            credits.append((n, 0, owners[row[4]], 1_000_000))
            audit.append(("2026-01-01 00:00:00", "create", "deal", str(n), "", "", row[0], ""))
    db.execute("BEGIN")
    db.executemany("INSERT INTO deals VALUES (?, ?, ?, ?, ?, ?, ?)", deals)
    db.executemany("INSERT INTO credits VALUES (?, ?, ?, ?)", credits)
    db.executemany(
        "INSERT INTO audit_log (at, action, entity, entity_id, field, old, new, user)"
        " VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
        audit,
    )
    db.execute("COMMIT")
    db.close()
    return {"seconds": time.perf_counter() - start}


def child(args: list[str]) -> None:
    kind, *rest = args
    result = child_import(*rest) if kind == "import" else child_floor(*rest)
    result["peak_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(json.dumps(result))


def measure(*args: str) -> dict[str, float]:
    done = subprocess.run(
        [sys.executable, __file__, "--child", *args],
        check=True,
        capture_output=True,
        text=True,
    )
    return json.loads(done.stdout.strip().splitlines()[-1])


# -- the benchmark -------------------------------------------------------------------------------


def bench(rows: int, runs: int, folder: Path, demo: Path) -> None:
    export = folder / f"hubspot-{rows}.csv"
    write_export(export, rows)
    size = export.stat().st_size
    results: dict[str, list[dict[str, float]]] = {"floor": [], "cold": [], "re-import": []}
    for run in range(runs):
        floor_db = folder / f"floor-{rows}-{run}.sqlite"
        results["floor"].append(measure("floor", str(export), str(floor_db)))
        company = folder / f"company-{rows}-{run}.icmdesk"
        shutil.copy(demo, company)
        results["cold"].append(measure("import", str(company), str(export)))
        results["re-import"].append(measure("import", str(company), str(export)))
        floor_db.unlink()
        company.unlink()
    floor = statistics.median(r["seconds"] for r in results["floor"])
    print(f"{rows:,} rows ({size / 1e6:.0f} MB), median of {runs} runs:")
    for name, found in results.items():
        seconds = statistics.median(r["seconds"] for r in found)
        peak = max(r["peak_mb"] for r in found)
        print(
            f"  {name:<10} {seconds:7.2f} s  {rows / seconds:>10,.0f} rows/s  "
            f"{seconds / floor:5.2f}x floor  peak {peak:,.0f} MB"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, nargs="*", default=[100_000, 1_000_000])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--child", nargs="+", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(args.child)
        return
    from icmdesk.services import company_io

    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        demo = folder / "demo.icmdesk"
        company_io.write_demo(demo).close()
        for rows in args.rows:
            bench(rows, args.runs, folder, demo)


if __name__ == "__main__":
    main()
