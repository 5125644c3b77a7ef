"""Engine benchmark: compute months of a large company, loading from the database.

Generates (once, cached in a temp folder) companies of 20 reps / 10,000 deals and
200 reps / 1,000,000 deals over 5 years, then prints, as medians of several runs:
- the time to compute the last month when every earlier month is closed;
- the time to compute all 60 months from scratch with nothing closed (periods.compute_all:
  every rep's figures for every month; a month's lines are built when it is asked for);
both including opening the file and loading from the database, each run in a fresh
process, and the peak memory of those processes (docs/performance.md discusses them).
The closed copy is prepared once (one compute_range, snapshots bulk-inserted); delete it
when the schema changes.

    python bench/engine.py            # both sizes
    python bench/engine.py --small    # 20 reps / 10k deals only
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import random
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path

from sqlalchemy import insert, update

from icmdesk.domain import engine
from icmdesk.domain.calendar import Month, QuotaPeriod, months_between
from icmdesk.domain.entities import (
    Assignment,
    Company,
    CompanyData,
    Credit,
    Deal,
    Payment,
    PayoutTrigger,
    PeriodStatus,
    Plan,
    PlanVersion,
    Rep,
    Role,
    Tier,
)
from icmdesk.domain.money import D
from icmdesk.domain.statement_codec import snapshot_of
from icmdesk.models.database import CompanyFile
from icmdesk.models.tables import PeriodRow, SnapshotRow
from icmdesk.services import periods
from icmdesk.services.store import (
    bulk_objects,
    load_company_data,
    replace_company_data,
    save_progress,
)

FIRST, LAST = Month(2022, 1), Month(2026, 12)
RUNS = 3


def company(reps: int, deals: int, seed: int = 7) -> CompanyData:
    """A deterministic company: tiered quarterly plans, splits, cash deals, cancellations."""
    rng = random.Random(seed)
    start = FIRST.first_day
    tiers = (Tier(D(0), D(6)), Tier(D(100), D(8)), Tier(D(125), D(10)), Tier(D(150), D(12)))
    booking = PlanVersion(start, tiers, QuotaPeriod.QUARTER, D("300000.00"), id=1)
    cash = dataclasses.replace(booking, payout_trigger=PayoutTrigger.CASH, id=2)
    plans = (Plan("AE booking", (booking,), id=1), Plan("AE cash", (cash,), id=2))
    people = tuple(
        Rep(f"Rep {i:03d}", start, payroll_id=f"P{i:04d}", role_id=1, id=i)
        for i in range(1, reps + 1)
    )
    assignments = tuple(Assignment(r.id, 2 if r.id % 5 == 0 else 1, start, id=r.id) for r in people)
    days = (LAST.last_day - start).days + 1
    out = []
    for n in range(1, deals + 1):
        close = start + timedelta(days=rng.randrange(days))
        amount = D(rng.randrange(200_000, 6_000_000)) / 100
        rep = rng.randrange(1, reps + 1)
        if rng.random() < 0.1:
            other = rep % reps + 1
            credits = (Credit(rep, D(60)), Credit(other, D(40)))
        else:
            credits = (Credit(rep, D(100)),)
        payments: tuple[Payment, ...] = ()
        if any(c.rep_id % 5 == 0 for c in credits):
            payments = (Payment(close + timedelta(days=30), (amount / 2).quantize(D("0.01"))),)
        cancelled = close + timedelta(days=rng.randrange(1, 150)) if rng.random() < 0.01 else None
        out.append(
            Deal(
                f"D-{n:07d}",
                f"Customer {rng.randrange(5000)}",
                amount,
                close,
                "new",
                credits,
                payments,
                cancelled,
                "Cancelled" if cancelled else "",
            )
        )
    return CompanyData(
        Company("Bench Co"), (Role("AE", 1, id=1),), people, plans, assignments, tuple(out)
    )


def build(path: Path, reps: int, deals: int) -> None:
    if path.exists():
        return
    print(f"  generating {reps} reps / {deals:,} deals into {path} ...", flush=True)
    t = time.perf_counter()
    cf = CompanyFile.create(path)
    with cf.session() as s:
        replace_company_data(s, company(reps, deals))
    cf.close()
    print(f"  generated in {time.perf_counter() - t:.1f} s ({path.stat().st_size / 2**20:.0f} MiB)")


def close_all_but_last(src: Path, dst: Path) -> None:
    """A copy of the file with every month before the last closed (snapshots and quota
    progress stored, as periods.close stores them).

    One pass computes every month, another the standing every close stores; snapshots go
    in with Core inserts, month by month.
    """
    if dst.exists():
        return
    print(f"  closing every month but the last into {dst.name} ...", flush=True)
    t = time.perf_counter()
    cf = CompanyFile.open(src)
    cf.backup_to(dst)
    cf.close()
    cf = CompanyFile.open(dst)
    months = months_between(FIRST, LAST.plus(-1))
    with cf.session() as s:
        data = load_company_data(s, history=False)
    with bulk_objects():
        statements = engine.compute_range(data, FIRST, LAST.plus(-1))
        standing = engine.quota_progress(data, frozenset(months))
    del data
    with cf.session() as s:
        s.execute(insert(PeriodRow), [{"month": m, "status": "open"} for m in months])
        for m in months:
            snaps = [snapshot_of(st) for st in statements.pop(m)]
            rows = [{f.name: getattr(x, f.name) for f in dataclasses.fields(x)} for x in snaps]
            if rows:
                s.execute(insert(SnapshotRow), rows)
        save_progress(s, months, standing)
        s.execute(update(PeriodRow).values(status=PeriodStatus.CLOSED.value))
    cf.close()
    print(f"  closed in {time.perf_counter() - t:.1f} s", flush=True)


def _child(kind: str, path: Path) -> None:
    """One measured run in a fresh process: prints seconds and peak MiB as JSON."""
    t = time.perf_counter()
    cf = CompanyFile.open(path)
    if kind == "last":
        periods.compute(cf, LAST)
    else:
        periods.compute_all(cf, FIRST, LAST)
    cf.close()
    seconds = time.perf_counter() - t
    print(json.dumps({"seconds": seconds, "peak_mib": _peak_mib()}))


def _peak_mib() -> float:
    """This process's peak resident memory. ru_maxrss would do, but Linux carries it over
    from the parent through fork and exec; VmHWM belongs to this process alone."""
    status = Path("/proc/self/status")
    if status.exists():
        for line in status.read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def measured(kind: str, path: Path, runs: int = RUNS) -> tuple[float, float]:
    """Median seconds and largest peak memory (MiB) over `runs` fresh processes."""
    times, peaks = [], []
    for _ in range(runs):
        out = subprocess.run(
            [sys.executable, __file__, "--child", kind, str(path)],
            check=True,
            capture_output=True,
            text=True,
        ).stdout
        result = json.loads(out.strip().splitlines()[-1])
        times.append(result["seconds"])
        peaks.append(result["peak_mib"])
    return statistics.median(times), max(peaks)


def bench(folder: Path, reps: int, deals: int) -> None:
    print(f"{reps} reps / {deals:,} deals / {len(months_between(FIRST, LAST))} months")
    fresh = folder / f"bench-{reps}-{deals}.icmdesk"
    build(fresh, reps, deals)
    closed = folder / f"bench-{reps}-{deals}-closed.icmdesk"
    close_all_but_last(fresh, closed)
    for path in (fresh, closed):  # a schema migration on first open is not what is measured
        CompanyFile.open(path).close()
    t, peak_last = measured("last", closed)
    print(f"  last month, all earlier closed:  {t:7.2f} s  (target < 1 s, incl. loading)")
    t, peak_all = measured("all", fresh)
    print(f"  all 60 months, nothing closed:   {t:7.2f} s  (target < 10 s, incl. loading; figures)")
    print(
        f"  peak memory: {peak_last:.0f} MiB (last month), {peak_all:.0f} MiB (all months)"
        " (target < 1536 MiB)"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--small", action="store_true", help="only 20 reps / 10k deals")
    parser.add_argument(
        "--folder", type=Path, default=Path(tempfile.gettempdir()) / "icmdesk-bench"
    )
    parser.add_argument("--child", nargs=2, metavar=("KIND", "PATH"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        _child(args.child[0], Path(args.child[1]))
        return
    args.folder.mkdir(parents=True, exist_ok=True)
    bench(args.folder, 20, 10_000)
    if not args.small:
        bench(args.folder, 200, 1_000_000)


if __name__ == "__main__":
    sys.exit(main())
