"""Benchmark: one month's PDF batch for 200 reps with 40 deal lines each.

Prints the time for the batch sequentially and with the process pool (median of 3
runs, each run's time, and the CPU time the pooled runs used in all processes), the peak
memory of this process and of the workers, and the size of one statement. Target: 200
statements in under 4 s with the pool on a 2-core machine.

On a shared 2-core machine anyone else's work shows up one for one in the wall-clock
figures (the CPU seconds barely move): each run waits up to a minute for an idle
machine, and a run that others disturbed anyway is marked '*'.

    .venv/bin/python bench/statements.py

`synthetic_statements()` builds the 200-rep statements; `demo_statements()` computes the
demo company's last month with the engine, timed the same way.
"""

from __future__ import annotations

import os
import resource
import statistics
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from icmdesk.domain.demo import demo_company
from icmdesk.domain.engine import compute_month, last_data_month
from icmdesk.domain.entities import Company
from icmdesk.domain.statement import Statement
from icmdesk.reports import batch
from icmdesk.reports.batch import generate_batch
from tests.reports import factories

REPS = 200
LINES = 40
RUNS = 3


def synthetic_statements(reps: int = REPS, lines: int = LINES) -> list[Statement]:
    """200 reps × 40 commission lines, a clawback notice for every tenth rep."""
    out = []
    for i in range(reps):
        st = factories.statement(lines, rep_name=f"Rep {i:03d} Sample", rep_id=i + 1)
        if i % 10 == 0:
            from dataclasses import replace

            st = replace(st, notices=(factories.notice(rep_name=st.rep_name, rep_id=i + 1),))
        out.append(st)
    return out


def demo_statements() -> tuple[Company, list[Statement]]:
    """The demo company's last month of data, computed by the engine."""
    data = demo_company()
    month = last_data_month(data)
    assert month is not None
    return data.company, list(compute_month(data, month))


def _cpu_seconds() -> float:
    """User + system time of this process and of its finished children (the pool workers)."""
    own = resource.getrusage(resource.RUSAGE_SELF)
    kids = resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + kids.ru_utime + kids.ru_stime


def _machine_busy_seconds() -> float | None:
    """CPU seconds every process on the machine has used since boot (Linux), else None."""
    try:
        with open("/proc/stat") as fh:
            fields = [int(x) for x in fh.readline().split()[1:]]
    except OSError:
        return None
    busy = sum(fields[:8]) - fields[3] - fields[4]  # all but idle and iowait
    return busy / os.sysconf("SC_CLK_TCK")


def _wait_until_idle(limit: float = 60.0) -> None:
    """Wait (at most `limit` s) for a second in which others use under 5% of the machine."""
    deadline = time.monotonic() + limit
    while time.monotonic() < deadline:
        before, own = _machine_busy_seconds(), _cpu_seconds()
        if before is None:
            return
        time.sleep(1.0)
        others = _machine_busy_seconds() - before - (_cpu_seconds() - own)  # type: ignore[operator]
        if others < 0.05 * (os.cpu_count() or 1):
            return


def _time_batch(
    company: Company, statements: list[Statement], *, pool: bool
) -> tuple[float, str, float]:
    """(median seconds, every run's seconds as text, CPU seconds per run) over RUNS runs.

    Each run waits for an idle machine first; a run during which other processes used
    the CPU is marked with '*' in the printed times (its wall time is not this code's).
    """
    times = []
    disturbed = []
    cpu_total = 0.0
    for _ in range(RUNS):
        _wait_until_idle()
        with tempfile.TemporaryDirectory() as tmp:
            saved = batch.POOL_THRESHOLD
            batch.POOL_THRESHOLD = 8 if pool else 10**9
            try:
                busy, cpu = _machine_busy_seconds(), _cpu_seconds()
                start = time.perf_counter()
                generate_batch(
                    company, statements, Path(tmp), workers=2, generated=date(2026, 4, 2)
                )
                times.append(time.perf_counter() - start)
                used = _cpu_seconds() - cpu
                cpu_total += used
                if busy is not None:
                    others = _machine_busy_seconds() - busy - used  # type: ignore[operator]
                    disturbed.append(others > 0.2)
            finally:
                batch.POOL_THRESHOLD = saved
    runs = ", ".join(
        f"{t:.2f}{'*' if i < len(disturbed) and disturbed[i] else ''}" for i, t in enumerate(times)
    )
    return statistics.median(times), runs, cpu_total / RUNS


def main() -> None:
    demo_co, demo = demo_statements()
    demo_time, _, _ = _time_batch(demo_co, demo, pool=len(demo) > batch.POOL_THRESHOLD)
    demo_notices = sum(len(s.notices) for s in demo)
    print(
        f"demo company, {demo[0].month}: {len(demo)} statements + {demo_notices} notices "
        f"in {demo_time:.2f} s (median of {RUNS})"
    )
    company = factories.company()
    statements = synthetic_statements()
    with tempfile.TemporaryDirectory() as tmp:
        result = generate_batch(company, statements[:1], Path(tmp), generated=date(2026, 4, 2))
        size = result.files[0].stat().st_size
    pooled, pooled_runs, pooled_cpu = _time_batch(company, statements, pool=True)
    sequential, sequential_runs, _ = _time_batch(company, statements, pool=False)
    self_kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    children_kb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    notices = sum(len(s.notices) for s in statements)
    print(f"batch: {REPS} statements × {LINES} lines + {notices} notices + print file + summary")
    print(f"sequential:        {sequential:6.2f} s (median of {RUNS}; {sequential_runs})")
    print(f"process pool (2):  {pooled:6.2f} s (median of {RUNS}; {pooled_runs})  target < 4 s")
    print(f"CPU time per pooled batch, all processes: {pooled_cpu:.2f} s")
    print("(* = other processes used the CPU during that run: its time is not this code's)")
    print(
        f"peak memory: this process {self_kb / 1024:.0f} MiB, "
        f"largest worker {children_kb / 1024:.0f} MiB"
    )
    print(f"one statement ({LINES} lines): {size / 1024:.0f} KiB")


if __name__ == "__main__":
    main()
