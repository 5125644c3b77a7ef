"""Reading our PDFs back as text, the way a rep's viewer would."""

from __future__ import annotations

import io
import re
from pathlib import Path

from pypdf import PdfReader


def pages(data: bytes | Path) -> list[str]:
    raw = data.read_bytes() if isinstance(data, Path) else data
    reader = PdfReader(io.BytesIO(raw))
    return [page.extract_text() or "" for page in reader.pages]


def flat(data: bytes | Path) -> str:
    """All text with runs of whitespace collapsed to one space (wrapping is not content)."""
    return re.sub(r"\s+", " ", " ".join(pages(data)))
