"""A month's PDFs in one go: every statement, every clawback notice, a print file, a summary.

Layout of what is written (one folder per month):

    <out_dir>/<YYYY-MM>/Statement-YYYY-MM-<rep>-<rep id>.pdf
    <out_dir>/<YYYY-MM>/Clawback-YYYY-MM-<rep>-<rep id>-<deal>.pdf
    <out_dir>/<YYYY-MM>/All-YYYY-MM.pdf        every statement, each followed by its notices
    <out_dir>/<YYYY-MM>/Summary-YYYY-MM.pdf    every rep's E, draw, recovery, payout, balance

Each file is written to a temporary name in the same folder and renamed when complete,
so no half-written PDF ever carries a final name. Cancelling (the progress callback
returns False) stops submitting work, waits for the files being written, then removes
every file this batch wrote, and reports `cancelled=True` with no files: a folder never
looks like a complete month when it is not. (Files from an earlier batch that this one
had already replaced are gone; run the batch again.)

Many statements are rendered on a process pool (reportlab is pure Python and
CPU-bound, so threads would not help). The print file is not laid out again: it joins
the finished files (see pdfjoin), so each document keeps its own "Page X of Y".
"""

from __future__ import annotations

import multiprocessing
import os
import re
import unicodedata
from collections.abc import Callable, Sequence
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from icmdesk.domain.calendar import Month, month_name
from icmdesk.domain.entities import Company
from icmdesk.domain.statement import ClawbackNotice, Statement
from icmdesk.reports.layout import build_pdf, page_size
from icmdesk.reports.notice import notice_part
from icmdesk.reports.pdfjoin import join_pdfs
from icmdesk.reports.statement import statement_part
from icmdesk.reports.summary import summary_part

POOL_THRESHOLD = 8  # above this many statements, the pool's start-up cost pays for itself
DEFAULT_WORKERS = 2


@dataclass(frozen=True, slots=True)
class BatchResult:
    """What a batch wrote (in the order written) and whether it was cancelled."""

    files: tuple[Path, ...]
    cancelled: bool


def slug(text: str, *, fallback: str = "x", limit: int = 60) -> str:
    """A file-name-safe form of a name: letters and digits (any script) joined by '-'."""
    normal = unicodedata.normalize("NFKC", text)
    cleaned = re.sub(r"[^\w]+", "-", normal, flags=re.UNICODE).replace("_", "-")
    cleaned = re.sub(r"-{2,}", "-", cleaned).strip("-")[:limit].strip("-")
    return cleaned or fallback


def statement_file_name(statement: Statement) -> str:
    """Statement-YYYY-MM-<rep>-<rep id>.pdf: the id keeps two reps of one name apart."""
    return f"Statement-{statement.month}-{_rep_key(statement.rep_name, statement.rep_id)}.pdf"


def notice_file_name(notice: ClawbackNotice) -> str:
    """Clawback-YYYY-MM-<rep>-<rep id>-<deal>.pdf."""
    rep = _rep_key(notice.rep_name, notice.rep_id)
    return f"Clawback-{notice.month}-{rep}-{slug(notice.deal_id, fallback='deal')}.pdf"


def _rep_key(name: str, rep_id: int) -> str:
    return f"{slug(name, fallback='rep')}-{rep_id}"


def _write_atomic(path: Path, data: bytes) -> None:
    tmp = path.with_name(f".{path.name}.{os.getpid()}.part")
    try:
        with open(tmp, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


@dataclass(frozen=True, slots=True)
class _Job:
    """One statement and its notices, with the final names decided by the parent."""

    statement: Statement
    statement_path: Path
    notice_paths: tuple[Path, ...]


def _render_job(company: Company, job: _Job, generated: date) -> list[Path]:
    """Worker: write one statement PDF and its notices; return the paths written."""
    size = page_size(company)
    s = job.statement
    written = []
    part = statement_part(company, s, generated=generated)
    _write_atomic(
        job.statement_path,
        build_pdf([part], pagesize=size, title=_title(s), author=company.name),
    )
    written.append(job.statement_path)
    for notice, path in zip(s.notices, job.notice_paths, strict=True):
        npart = notice_part(company, notice, generated=generated)
        title = f"Clawback notice {notice.deal_id} — {notice.rep_name}"
        _write_atomic(path, build_pdf([npart], pagesize=size, title=title, author=company.name))
        written.append(path)
    return written


def _title(s: Statement) -> str:
    return f"Commission statement {s.month} — {s.rep_name}"


def _write_combined(company: Company, month: Month, jobs: Sequence[_Job], path: Path) -> list[Path]:
    """The print file: the finished statements and notices joined, in the batch's order."""
    documents = []
    for job in jobs:
        documents.append(job.statement_path.read_bytes())
        documents.extend(p.read_bytes() for p in job.notice_paths)
    title = f"Commission statements {month_name(month)}"
    _write_atomic(path, join_pdfs(documents, title=title, author=company.name))
    return [path]


def _render_summary(
    company: Company, month: Month, statements: Sequence[Statement], path: Path, generated: date
) -> list[Path]:
    part = summary_part(company, month, statements, generated=generated)
    title = f"Commission summary {month_name(month)}"
    _write_atomic(
        path, build_pdf([part], pagesize=page_size(company), title=title, author=company.name)
    )
    return [path]


def _plan(
    statements: Sequence[Statement], out_dir: Path
) -> tuple[list[_Job], dict[Month, list[Statement]]]:
    """Decide every file name up front (so names are predictable and never collide)."""
    jobs: list[_Job] = []
    by_month: dict[Month, list[Statement]] = {}
    taken: set[Path] = set()

    def unique(path: Path) -> Path:
        candidate, n = path, 2
        while candidate in taken:
            candidate = path.with_name(f"{path.stem}-{n}{path.suffix}")
            n += 1
        taken.add(candidate)
        return candidate

    ordered = sorted(statements, key=lambda s: (s.month, s.rep_name.casefold(), s.rep_id))
    for s in ordered:
        folder = out_dir / str(s.month)
        by_month.setdefault(s.month, []).append(s)
        notices = tuple(unique(folder / notice_file_name(n)) for n in s.notices)
        jobs.append(_Job(s, unique(folder / statement_file_name(s)), notices))
    return jobs, by_month


def generate_batch(
    company: Company,
    statements: Sequence[Statement],
    out_dir: Path,
    *,
    progress: Callable[[int, int], bool] | None = None,
    workers: int | None = None,
    generated: date | None = None,
) -> BatchResult:
    """Write a month's statements, notices, print file and summary under `out_dir/<YYYY-MM>/`.

    `progress(done, total)` is called after each file; returning False cancels (see the
    module docstring for what a cancelled batch leaves). `workers` defaults to 2; a
    process pool is used only for more than POOL_THRESHOLD statements.
    """
    when = generated or date.today()
    out_dir = Path(out_dir)
    jobs, by_month = _plan(statements, out_dir)
    for month in by_month:
        (out_dir / str(month)).mkdir(parents=True, exist_ok=True)
    total = sum(1 + len(j.notice_paths) for j in jobs) + 2 * len(by_month)
    written: list[Path] = []
    state = {"cancelled": False}

    def record(paths: list[Path]) -> None:
        for path in paths:
            written.append(path)
            stop = progress is not None and progress(len(written), total) is False
            if stop and not state["cancelled"]:
                state["cancelled"] = True

    use_pool = len(jobs) > POOL_THRESHOLD and (workers is None or workers > 1)
    if use_pool:
        _run_pool(company, jobs, when, workers or DEFAULT_WORKERS, record, state)
    else:
        for job in jobs:
            if state["cancelled"]:
                break
            record(_render_job(company, job, when))
    # The print file and the summary come last: both need the whole month.
    for month, group in by_month.items():
        folder = out_dir / str(month)
        month_jobs = [j for j in jobs if j.statement.month == month]
        if not state["cancelled"]:
            record(_write_combined(company, month, month_jobs, folder / f"All-{month}.pdf"))
        if not state["cancelled"]:
            record(_render_summary(company, month, group, folder / f"Summary-{month}.pdf", when))
    if state["cancelled"]:
        for path in written:
            path.unlink(missing_ok=True)
        return BatchResult(files=(), cancelled=True)
    return BatchResult(files=tuple(written), cancelled=False)


def _run_pool(
    company: Company,
    jobs: list[_Job],
    when: date,
    workers: int,
    record: Callable[[list[Path]], None],
    state: dict[str, bool],
) -> None:
    # "spawn", not fork: the GUI calls this from a process with Qt threads running,
    # and forking a threaded process is unsafe.
    ctx = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(max_workers=workers, mp_context=ctx) as pool:
        queue = list(reversed(jobs))  # pop() from the end keeps the batch's order
        pending: set[Future[list[Path]]] = set()
        # Keep only a few jobs queued ahead, so cancelling stops promptly.
        while queue or pending:
            while queue and len(pending) < workers * 3 and not state["cancelled"]:
                pending.add(pool.submit(_render_job, company, queue.pop(), when))
            if state["cancelled"]:
                queue.clear()
            if not pending:
                break
            done, pending = wait(pending, return_when=FIRST_COMPLETED)
            for future in done:
                record(future.result())
