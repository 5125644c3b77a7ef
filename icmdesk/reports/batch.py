"""A month's PDFs in one go: every statement, every clawback notice, a print file, a summary.

Layout of what is written (one folder per month):

    <out_dir>/<YYYY-MM>/Statement-YYYY-MM-<rep>-<rep id>.pdf
    <out_dir>/<YYYY-MM>/Clawback-YYYY-MM-<rep>-<rep id>-<deal>.pdf
    <out_dir>/<YYYY-MM>/All-YYYY-MM.pdf        every statement, each followed by its notices
    <out_dir>/<YYYY-MM>/Summary-YYYY-MM.pdf    every rep's E, draw, recovery, payout, balance

The print file and the summary are the whole month's: a batch for some reps only
(`month_files=False`, as `icmdesk statements --rep` runs it) writes their statements and
notices and leaves the month's print file and summary as they are.

Each file is written to a temporary name in the same folder and renamed when complete,
so no half-written PDF ever carries a final name. Cancelling (the progress callback
returns False) stops submitting work, waits for the files being written, then removes
every file this batch wrote, and reports `cancelled=True` with no files: a folder never
looks like a complete month when it is not. (Files from an earlier batch that this one
had already replaced are gone; run the batch again.)

Many statements are rendered on a process pool (reportlab is pure Python and
CPU-bound, so threads would not help), sent in runs of several statements to save
round trips. The print file is not laid out again: it joins the finished files (see
pdfjoin) as they come back, so each document keeps its own "Page X of Y"; the summary
is laid out while the workers start.
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
from typing import Any

from icmdesk.domain.calendar import Month, month_name
from icmdesk.domain.entities import Company
from icmdesk.domain.statement import ClawbackNotice, Statement
from icmdesk.reports.layout import build_pdf, page_size
from icmdesk.reports.notice import notice_part
from icmdesk.reports.pdfjoin import PdfJoiner
from icmdesk.reports.statement import statement_part
from icmdesk.reports.summary import summary_part

POOL_THRESHOLD = 8  # above this many statements, the pool's start-up cost pays for itself
DEFAULT_WORKERS = 2
MAX_CHUNK = 8  # statements sent to a worker at once, at most


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


# Statements say what each rep earned: the files are the owner's alone (0600), the month's
# folder too (0700), whatever the umask.
FILE_MODE = 0o600
FOLDER_MODE = 0o700


def _write_atomic(path: Path, data: bytes) -> None:
    tmp = path.with_name(f".{path.name}.{os.getpid()}.part")
    try:
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, FILE_MODE)
        os.fchmod(fd, FILE_MODE)  # a .part left by a crash keeps its mode: set it again
        with open(fd, "wb") as fh:
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
    """Write one statement PDF and its notices; return the paths written."""
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


def _summary_pdf(
    company: Company, month: Month, statements: Sequence[Statement], generated: date
) -> bytes:
    part = summary_part(company, month, statements, generated=generated)
    title = f"Commission summary {month_name(month)}"
    return build_pdf([part], pagesize=page_size(company), title=title, author=company.name)


class _PrintFiles:
    """Each month's print file, joined job by job in the batch's order as files are written."""

    def __init__(self, months: Sequence[Month]) -> None:
        self._joiners = {month: PdfJoiner() for month in months}

    def add(self, job: _Job) -> None:
        joiner = self._joiners[job.statement.month]
        joiner.add(job.statement_path.read_bytes())
        for path in job.notice_paths:
            joiner.add(path.read_bytes())

    def write(self, company: Company, month: Month, path: Path) -> list[Path]:
        title = f"Commission statements {month_name(month)}"
        _write_atomic(path, self._joiners[month].finish(title=title, author=company.name))
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
    month_files: bool = True,
) -> BatchResult:
    """Write a month's statements, notices, print file and summary under `out_dir/<YYYY-MM>/`.

    `progress(done, total)` is called after each file; returning False cancels (see the
    module docstring for what a cancelled batch leaves). `workers` defaults to 2; a
    process pool is used only for more than POOL_THRESHOLD statements. `month_files`
    False writes the statements and notices only: the print file and the summary are the
    whole month's, and a run for some reps must not replace them with a partial one.
    """
    when = generated or date.today()
    out_dir = Path(out_dir)
    jobs, by_month = _plan(statements, out_dir)
    for month in by_month:
        folder = out_dir / str(month)
        if not folder.is_dir():
            folder.mkdir(mode=FOLDER_MODE, parents=True, exist_ok=True)
            os.chmod(folder, FOLDER_MODE)
    total = sum(1 + len(j.notice_paths) for j in jobs) + (2 * len(by_month) if month_files else 0)
    written: list[Path] = []
    state = {"cancelled": False}

    def record(paths: list[Path]) -> None:
        for path in paths:
            written.append(path)
            stop = progress is not None and progress(len(written), total) is False
            if stop and not state["cancelled"]:
                state["cancelled"] = True

    try:
        print_files = _PrintFiles(list(by_month))
        summaries: dict[Month, bytes] = {}
        use_pool = len(jobs) > POOL_THRESHOLD and (workers is None or workers > 1)
        if use_pool:
            summaries = _run_pool(
                company,
                jobs,
                by_month if month_files else {},
                when,
                workers or DEFAULT_WORKERS,
                record,
                print_files,
                state,
            )
        else:
            for job in jobs:
                if state["cancelled"]:
                    break
                record(_render_job(company, job, when))
                print_files.add(job)
        # The print file and the summary are written last: both need the whole month.
        for month, group in by_month.items() if month_files else ():
            folder = out_dir / str(month)
            if not state["cancelled"]:
                record(print_files.write(company, month, folder / f"All-{month}.pdf"))
            if not state["cancelled"]:
                data = summaries.get(month) or _summary_pdf(company, month, group, when)
                path = folder / f"Summary-{month}.pdf"
                _write_atomic(path, data)
                record([path])
    except BaseException:
        # A failure leaves what a cancel leaves: no half month that looks complete.
        for path in written:
            path.unlink(missing_ok=True)
        raise
    if state["cancelled"]:
        for path in written:
            path.unlink(missing_ok=True)
        return BatchResult(files=(), cancelled=True)
    return BatchResult(files=tuple(written), cancelled=False)


# What each pool worker keeps from its start: the company, the date, the cancel flag.
_worker: dict[str, Any] = {}


def _init_worker(company: Company, generated: date, cancel: Any) -> None:
    """Pool initializer: the company and date travel once per worker, not once per job."""
    _worker.update(company=company, generated=generated, cancel=cancel)


def _render_chunk(jobs: Sequence[_Job]) -> list[list[Path]]:
    """Worker: render a run of jobs in order; stop at the next statement once cancelled.

    Returns the paths of each job done, so the jobs done are always a prefix of `jobs`.
    """
    done = []
    for job in jobs:
        if _worker["cancel"].is_set():
            break
        done.append(_render_job(_worker["company"], job, _worker["generated"]))
    return done


def _chunks(jobs: Sequence[_Job], workers: int) -> list[Sequence[_Job]]:
    """Runs of jobs: long while much is left (fewer round trips), single ones at the end.

    Shrinking runs keep both workers busy to the last statement ("guided" scheduling).
    """
    out: list[Sequence[_Job]] = []
    i = 0
    while i < len(jobs):
        size = max(1, min(MAX_CHUNK, (len(jobs) - i) // (workers * 4)))
        out.append(jobs[i : i + size])
        i += size
    return out


def _run_pool(
    company: Company,
    jobs: list[_Job],
    by_month: dict[Month, list[Statement]],
    when: date,
    workers: int,
    record: Callable[[list[Path]], None],
    print_files: _PrintFiles,
    state: dict[str, bool],
) -> dict[Month, bytes]:
    """Render the jobs on a pool; meanwhile lay out the summaries and join the print files.

    Returns each month's summary PDF (not yet written: the summary is the batch's last file).
    """
    # "spawn", not fork: the GUI calls this from a process with Qt threads running,
    # and forking a threaded process is unsafe.
    ctx = multiprocessing.get_context("spawn")
    cancel = ctx.Event()
    chunks = _chunks(jobs, workers)
    summaries: dict[Month, bytes] = {}
    with ProcessPoolExecutor(
        max_workers=workers,
        mp_context=ctx,
        initializer=_init_worker,
        initargs=(company, when, cancel),
    ) as pool:
        pending: dict[Future[list[list[Path]]], int] = {}
        next_chunk = 0

        def submit() -> None:
            nonlocal next_chunk
            # Keep only a few runs queued ahead, so cancelling stops promptly.
            while next_chunk < len(chunks) and len(pending) < workers * 2:
                pending[pool.submit(_render_chunk, chunks[next_chunk])] = next_chunk
                next_chunk += 1

        try:
            submit()
            # The workers take a moment to start: the summaries are laid out meanwhile.
            for month, group in by_month.items():
                summaries[month] = _summary_pdf(company, month, group, when)
            finished: set[int] = set()
            join_next = 0  # the print files take the jobs in the batch's order
            while pending:
                done, _ = wait(pending, return_when=FIRST_COMPLETED)
                for future in sorted(done, key=pending.__getitem__):
                    finished.add(pending.pop(future))
                    for paths in future.result():
                        record(paths)
                if state["cancelled"]:
                    cancel.set()
                    continue
                submit()
                while join_next in finished:
                    for job in chunks[join_next]:
                        print_files.add(job)
                    join_next += 1
        except BaseException:
            # A failed run (or an interrupt) stops the others at their next statement.
            cancel.set()
            raise
    return summaries
