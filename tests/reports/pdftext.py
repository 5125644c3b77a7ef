"""Reading our PDFs back as text, the way a rep's viewer would."""

from __future__ import annotations

import io
import os
import re
import shutil
from pathlib import Path

from pypdf import PdfReader

# Tests that read PDFs with poppler's pdftotext skip without it, except under CI, which
# must run them all (`make test` installs it first where it can: tools/test_tools.py).
NO_PDFTOTEXT = shutil.which("pdftotext") is None and not os.environ.get("CI")


def pages(data: bytes | Path) -> list[str]:
    raw = data.read_bytes() if isinstance(data, Path) else data
    reader = PdfReader(io.BytesIO(raw))
    return [page.extract_text() or "" for page in reader.pages]


def flat(data: bytes | Path) -> str:
    """All text with runs of whitespace collapsed to one space (wrapping is not content)."""
    return re.sub(r"\s+", " ", " ".join(pages(data)))
