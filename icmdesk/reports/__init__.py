"""PDFs from the engine's statement values: statements, clawback notices, month batches.

Imports the domain and reportlab only (never the ORM, services or Qt).
"""

from icmdesk.reports.batch import BatchResult, generate_batch
from icmdesk.reports.notice import render_notice
from icmdesk.reports.resources import ResourceMissingError
from icmdesk.reports.statement import render_statement

__all__ = [
    "BatchResult",
    "ResourceMissingError",
    "generate_batch",
    "render_notice",
    "render_statement",
]
