"""The print file's joiner, and the clear error when bundled fonts are missing."""

from __future__ import annotations

import io
from datetime import date
from pathlib import Path

import pytest
from pypdf import PdfReader

from icmdesk.reports import render_notice, render_statement
from icmdesk.reports import resources as res
from icmdesk.reports.pdfjoin import PdfJoinError, join_pdfs
from tests.reports import factories as f
from tests.reports.pdftext import pages

GENERATED = date(2026, 4, 2)


def test_join_keeps_every_page_in_order_and_reads_strictly() -> None:
    c = f.company()
    docs = [
        render_statement(c, f.statement(60, rep_name="王芳"), generated=GENERATED),
        render_notice(c, f.notice(rep_name="Łukasz Żółć"), generated=GENERATED),
    ]
    joined = join_pdfs(docs, title="All 2026-03", author=c.name)
    expected = sum(len(PdfReader(io.BytesIO(d)).pages) for d in docs)
    reader = PdfReader(io.BytesIO(joined), strict=True)
    assert len(reader.pages) == expected
    texts = pages(joined)
    assert "王芳" in texts[0] and "To: Łukasz Żółć" in texts[-1]
    assert join_pdfs(docs, title="All 2026-03") == join_pdfs(docs, title="All 2026-03")


def test_join_refuses_what_it_does_not_understand() -> None:
    with pytest.raises(PdfJoinError):
        join_pdfs([b"not a pdf"])


def test_missing_resources_fail_with_a_clear_message(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setattr(res, "RESOURCES_DIR", tmp_path / "nowhere")
    with pytest.raises(res.ResourceMissingError, match="resources/ folder"):
        res.resource_path("fonts", "DejaVuSans.ttf")
