"""How long `icmdesk demo` takes and how big the file is.

Plain script: `python bench/demo_size.py` prints the median of several runs.
"""

from __future__ import annotations

import statistics
import sys
import tempfile
import time
from pathlib import Path

from icmdesk.cli import main

RUNS = 5


def one_run(folder: Path, n: int) -> tuple[float, int]:
    path = folder / f"demo-{n}.icmdesk"
    start = time.perf_counter()
    code = main(["demo", str(path)])
    elapsed = time.perf_counter() - start
    if code != 0:
        sys.exit(f"icmdesk demo failed with exit code {code}")
    return elapsed, path.stat().st_size


def run() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        results = [one_run(Path(tmp), n) for n in range(RUNS)]
    times = [t for t, _ in results]
    size = results[-1][1]
    print(
        f"icmdesk demo: median {statistics.median(times) * 1000:.0f} ms over {RUNS} runs "
        f"(min {min(times) * 1000:.0f} ms, max {max(times) * 1000:.0f} ms)"
    )
    print(f"demo company file: {size:,} bytes ({size / 1024:.0f} KiB)")


if __name__ == "__main__":
    run()
