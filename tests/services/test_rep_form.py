"""A rep and their assignments saved together: all validated first, then written at once."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest

from icmdesk.domain.calendar import Month
from icmdesk.domain.entities import (
    Assignment,
    Company,
    Credit,
    Deal,
    Draw,
    DrawKind,
    Plan,
    PlanVersion,
    Rep,
    Tier,
)
from icmdesk.domain.errors import ValidationError
from icmdesk.domain.money import D
from icmdesk.models.database import CompanyFile
from icmdesk.services import choices, records
from icmdesk.services.rep_form import save_rep_with_assignments


@pytest.fixture
def acme(tmp_path: Path) -> Iterator[CompanyFile]:
    cf = records.create_company_file(tmp_path / "acme.icmdesk", Company("Acme Ltd"))
    for name in ("Flat 5%", "Flat 8%"):
        records.save_plan(
            cf, Plan(name, (PlanVersion(date(2026, 1, 1), (Tier(D(0), D(name[5])),)),))
        )
    yield cf
    cf.close()


def plan_id(cf: CompanyFile, name: str) -> int:
    return next(p.id for p in choices.plans(cf) if p.name == name)


def test_a_new_rep_with_an_assignment_and_a_draw(acme: CompanyFile) -> None:
    draw = Draw(D(1000), DrawKind.RECOVERABLE, Month(2026, 1), Month(2026, 3), D(50))
    rep, (a,) = save_rep_with_assignments(
        acme,
        Rep("Ana Lee", date(2026, 1, 1), email="ana@acme.test"),
        [Assignment(0, plan_id(acme, "Flat 5%"), date(2026, 1, 1), draw=draw)],
    )
    assert rep.id > 0 and records.get_rep(acme, rep.id) == rep
    assert a.rep_id == rep.id and a.draw == draw
    assert choices.assignments_of(acme, rep.id) == (a,)


def test_moving_to_another_plan_is_one_save(acme: CompanyFile) -> None:
    rep, (first,) = save_rep_with_assignments(
        acme,
        Rep("Ana Lee", date(2026, 1, 1)),
        [Assignment(0, plan_id(acme, "Flat 5%"), date(2026, 1, 1))],
    )
    records.save_deal(
        acme, Deal("D-1", "Globex", D(100), date(2026, 5, 5), credits=(Credit(rep.id, D(100)),))
    )
    # Alone, shortening the assignment would leave D-1 without a plan.
    shortened = dataclasses.replace(first, effective_to=date(2026, 3, 31))
    with pytest.raises(ValidationError):
        records.save_assignment(acme, shortened)
    _rep, stored = save_rep_with_assignments(
        acme, rep, [shortened, Assignment(rep.id, plan_id(acme, "Flat 8%"), date(2026, 4, 1))]
    )
    assert [(a.plan_id, a.effective_from, a.effective_to) for a in stored] == [
        (plan_id(acme, "Flat 5%"), date(2026, 1, 1), date(2026, 3, 31)),
        (plan_id(acme, "Flat 8%"), date(2026, 4, 1), None),
    ]
    # Dropping a row deletes that assignment.
    save_rep_with_assignments(acme, rep, [stored[1]])
    assert choices.assignments_of(acme, rep.id) == (stored[1],)


def test_every_problem_comes_back_with_its_row_and_nothing_is_written(acme: CompanyFile) -> None:
    p5 = plan_id(acme, "Flat 5%")
    with pytest.raises(ValidationError) as e:
        save_rep_with_assignments(
            acme,
            Rep("", date(2026, 1, 1), email="not an email"),
            [
                Assignment(0, p5, date(2026, 1, 1)),
                Assignment(0, p5, date(2026, 6, 1), date(2026, 5, 1)),
                Assignment(0, p5, date(2026, 3, 1), quota_override=D("-5")),
            ],
        )
    fields = [p.field for p in e.value.problems]
    assert "name" in fields and "email" in fields
    assert "assignments[1].effective_to" in fields
    assert "assignments[2].quota_override" in fields
    assert "assignments[0].effective_from" in fields  # overlaps row 2
    assert choices.reps(acme) == ()
