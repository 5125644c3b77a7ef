"""Render the reference pages in docs/images/ from the demo company, through the engine.

    .venv/bin/python tools/render_reference_pages.py     (needs pdftoppm: poppler-utils)

Writes statement-one-page.png, statement-multi-page.png (first page) and notice.png.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import tempfile
from datetime import date
from pathlib import Path

from icmdesk.domain.demo import demo_company
from icmdesk.domain.engine import compute_month, last_data_month
from icmdesk.reports import render_notice, render_statement

OUT = Path(__file__).resolve().parents[1] / "docs" / "images"
GENERATED = date(2026, 11, 2)


def png(pdf: bytes, target: Path, tmp: Path) -> None:
    source = tmp / "page.pdf"
    source.write_bytes(pdf)
    subprocess.run(
        [
            "pdftoppm",
            "-png",
            "-r",
            "80",
            "-f",
            "1",
            "-l",
            "1",
            "-singlefile",
            str(source),
            str(tmp / "page"),
        ],
        check=True,
    )
    shutil.move(tmp / "page.png", target)


def main() -> None:
    if shutil.which("pdftoppm") is None:
        sys.exit("pdftoppm not found: apt-get install poppler-utils")
    data = demo_company()
    month = last_data_month(data)
    assert month is not None
    statements = compute_month(data, month)
    by_lines = sorted(statements, key=lambda s: len(s.lines) + len(s.awaiting))
    short = next(s for s in by_lines if s.lines)
    long = by_lines[-1]
    notice = next(n for s in statements for n in s.notices)
    with tempfile.TemporaryDirectory() as tmp:
        t = Path(tmp)
        png(
            render_statement(data.company, short, generated=GENERATED),
            OUT / "statement-one-page.png",
            t,
        )
        png(
            render_statement(data.company, long, generated=GENERATED),
            OUT / "statement-multi-page.png",
            t,
        )
        png(render_notice(data.company, notice, generated=GENERATED), OUT / "notice.png", t)
    print(f"rendered {short.rep_name}, {long.rep_name} and the notice for deal {notice.deal_id}")


if __name__ == "__main__":
    main()
