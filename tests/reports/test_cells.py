"""One-line table cells (layout.C): the same box as a Paragraph, and a Paragraph when they wrap."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

import pytest
from reportlab.platypus import Paragraph

from icmdesk.reports import render_statement
from icmdesk.reports.layout import STYLES, C, P, _Line
from tests.reports import factories as f
from tests.reports.pdftext import flat


@pytest.mark.parametrize(
    "text", ["Zoë O'Brien & Co <Intl>", "王芳", "$1,234.56", "Total commission (40 lines)"]
)
@pytest.mark.parametrize("style", [STYLES.cell, STYLES.cell_right, STYLES.head, STYLES.body])
def test_a_line_takes_the_box_a_paragraph_would(text: str, style: object) -> None:
    cell = C(text, style)  # type: ignore[arg-type]
    assert isinstance(cell, _Line)
    para = P(text, style)  # type: ignore[arg-type]
    assert cell.wrap(200, 1000) == para.wrap(200, 1000)


@pytest.mark.parametrize("text", ["", " padded", "two  spaces", "tab\there", "no\xa0break", "a\nb"])
def test_text_a_paragraph_would_treat_specially_stays_a_paragraph(text: str) -> None:
    assert isinstance(C(text, STYLES.cell), Paragraph)


def test_too_wide_text_wraps_like_a_paragraph() -> None:
    text = "Blue Harbor Medical Group of the Greater Tri-County Region, Incorporated"
    cell = C(text, STYLES.cell)
    para = P(text, STYLES.cell)
    assert cell.wrap(60, 1000) == para.wrap(60, 1000)
    assert cell.wrap(60, 1000)[1] > STYLES.cell.leading  # more than one line
    assert cell.wrap(1000, 1000)[1] == STYLES.cell.leading


def test_long_names_in_cells_are_printed_whole() -> None:
    name = "Maximilian Alexander Bartholomew-Featherstonehaugh of Westphalia & <Sons>"
    st = replace(f.statement(1, rep_name=name), plan_name=name)
    text = flat(render_statement(f.company(), st, generated=date(2026, 4, 2)))
    assert text.count(name) >= 3  # identity (rep, plan) and the footer
