"""Statement and clawback-notice PDFs for a month, from the engine's statements."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from icmdesk.domain.calendar import Month
from icmdesk.models.database import CompanyFile
from icmdesk.reports import BatchResult, generate_batch
from icmdesk.services import periods
from icmdesk.services.records import get_company


def generate_statements(
    cf: CompanyFile,
    month: Month,
    out_dir: Path,
    *,
    rep_id: int | None = None,
    progress: Callable[[int, int], bool] | None = None,
) -> BatchResult:
    """Write the month's statements, notices, print file and summary under out_dir/YYYY-MM/.

    With `rep_id`, that rep's statement and notices only: the month's print file and
    summary list every rep, so a one-rep run neither writes nor replaces them.
    """
    statements = periods.compute(cf, month, rep_id=rep_id)
    return generate_batch(
        get_company(cf), statements, out_dir, progress=progress, month_files=rep_id is None
    )
