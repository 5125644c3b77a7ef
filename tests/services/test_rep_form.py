"""A rep and their assignments saved together: all validated first, then written at once."""

from __future__ import annotations

import dataclasses
from datetime import date
from pathlib import Path

import pytest

from icmdesk.domain.calendar import Month
from icmdesk.domain.entities import (
    Assignment,
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
def acme_with_two_plans(acme: CompanyFile) -> CompanyFile:
    for name in ("Flat 5%", "Flat 8%"):
        records.save_plan(
            acme, Plan(name, (PlanVersion(date(2026, 1, 1), (Tier(D(0), D(name[5])),)),))
        )
    return acme


def plan_id(cf: CompanyFile, name: str) -> int:
    return next(p.id for p in choices.plans(cf) if p.name == name)


def test_a_new_rep_with_an_assignment_and_a_draw(acme_with_two_plans: CompanyFile) -> None:
    draw = Draw(D(1000), DrawKind.RECOVERABLE, Month(2026, 1), Month(2026, 3), D(50))
    rep, (a,) = save_rep_with_assignments(
        acme_with_two_plans,
        Rep("Ana Lee", date(2026, 1, 1), email="ana@acme.test"),
        [Assignment(0, plan_id(acme_with_two_plans, "Flat 5%"), date(2026, 1, 1), draw=draw)],
    )
    assert rep.id > 0 and records.get_rep(acme_with_two_plans, rep.id) == rep
    assert a.rep_id == rep.id and a.draw == draw
    assert choices.assignments_of(acme_with_two_plans, rep.id) == (a,)


def test_moving_to_another_plan_is_one_save(acme_with_two_plans: CompanyFile) -> None:
    rep, (first,) = save_rep_with_assignments(
        acme_with_two_plans,
        Rep("Ana Lee", date(2026, 1, 1)),
        [Assignment(0, plan_id(acme_with_two_plans, "Flat 5%"), date(2026, 1, 1))],
    )
    records.save_deal(
        acme_with_two_plans,
        Deal("D-1", "Globex", D(100), date(2026, 5, 5), credits=(Credit(rep.id, D(100)),)),
    )
    # Alone, shortening the assignment would leave D-1 without a plan.
    shortened = dataclasses.replace(first, effective_to=date(2026, 3, 31))
    with pytest.raises(ValidationError):
        records.save_assignment(acme_with_two_plans, shortened)
    _rep, stored = save_rep_with_assignments(
        acme_with_two_plans,
        rep,
        [shortened, Assignment(rep.id, plan_id(acme_with_two_plans, "Flat 8%"), date(2026, 4, 1))],
    )
    assert [(a.plan_id, a.effective_from, a.effective_to) for a in stored] == [
        (plan_id(acme_with_two_plans, "Flat 5%"), date(2026, 1, 1), date(2026, 3, 31)),
        (plan_id(acme_with_two_plans, "Flat 8%"), date(2026, 4, 1), None),
    ]
    # Dropping a row deletes that assignment.
    save_rep_with_assignments(acme_with_two_plans, rep, [stored[1]])
    assert choices.assignments_of(acme_with_two_plans, rep.id) == (stored[1],)


def test_every_problem_comes_back_with_its_row_and_nothing_is_written(
    acme_with_two_plans: CompanyFile,
) -> None:
    p5 = plan_id(acme_with_two_plans, "Flat 5%")
    with pytest.raises(ValidationError) as e:
        save_rep_with_assignments(
            acme_with_two_plans,
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
    assert choices.reps(acme_with_two_plans) == ()


def test_rep_form_edits_under_closed_months_become_prior_period_adjustments(
    tmp_path: Path,
) -> None:
    """The rep dialog's path marks the closed months it changes, like every other edit:
    the month computed from what it loads equals the month computed from everything."""
    from icmdesk.domain import engine
    from icmdesk.domain.statement import LineKind
    from icmdesk.services import company_io, periods
    from icmdesk.services.store import load_company_data

    cf = company_io.write_demo(tmp_path / "demo.icmdesk")
    try:
        for m in ("2025-11", "2025-12", "2026-01", "2026-02", "2026-03"):
            periods.close(cf, Month.parse(m), backup_dir=tmp_path / "bk")
        maya = next(r for r in choices.reps(cf) if r.name == "Maya Okafor")
        rep = records.get_rep(cf, maya.id)
        mine = choices.assignments_of(cf, rep.id)
        edited = [dataclasses.replace(mine[0], quota_override=D("1000.00")), *mine[1:]]
        save_rep_with_assignments(cf, rep, edited)
        april = Month(2026, 4)
        fast = periods.compute(cf, april)
        with cf.session() as s:
            full = engine.compute_month(load_company_data(s, history=False), april)
        assert fast == full
        maya_april = next(st for st in fast if st.rep_id == rep.id)
        assert maya_april.lines_of(LineKind.PRIOR_PERIOD)
    finally:
        cf.close()


def test_removing_every_assignment_of_a_rep_with_deals_is_refused(tmp_path: Path) -> None:
    from icmdesk.services import company_io

    cf = company_io.write_demo(tmp_path / "demo.icmdesk")
    try:
        maya = next(r for r in choices.reps(cf) if r.name == "Maya Okafor")
        rep = records.get_rep(cf, maya.id)
        with pytest.raises(ValidationError) as e:
            save_rep_with_assignments(cf, rep, [])
        assert [p.field for p in e.value.problems] == ["assignments"]
        assert "Maya Okafor is credited on" in e.value.problems[0].message
        assert choices.assignments_of(cf, rep.id)  # nothing was removed
    finally:
        cf.close()
