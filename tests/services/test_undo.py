"""Every unit of work says what it changed (records' `Changes`), and Edit ▸ Undo / Redo
replays it backwards and forwards through the same write path (services.history)."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from datetime import date
from decimal import Decimal

import pytest
from sqlalchemy import select

from icmdesk.domain.calendar import Month
from icmdesk.domain.entities import (
    Adjustment,
    Assignment,
    Credit,
    Deal,
    Plan,
    PlanVersion,
    Rep,
    Role,
    Tier,
)
from icmdesk.domain.errors import NotFoundError, ValidationError
from icmdesk.domain.money import D
from icmdesk.domain.statement import LineKind
from icmdesk.models import mapping
from icmdesk.models.database import CompanyFile
from icmdesk.models.tables import AuditRow, DealRow
from icmdesk.services import cancellation, periods, records, rep_form
from icmdesk.services.changes import Change, Changes
from icmdesk.services.history import History
from icmdesk.services.store import load_deals as store_deals

JAN, FEB, MAR = Month(2026, 1), Month(2026, 2), Month(2026, 3)
FLAT = PlanVersion(date(2026, 1, 1), (Tier(D(0), D(10)),))


@pytest.fixture
def team(cf: CompanyFile) -> dict[str, object]:
    plan = records.save_plan(cf, Plan("AE Plan", (FLAT,)))
    role = records.save_role(cf, Role("Account Executive", plan.id))
    ana = records.save_rep(cf, Rep("Ana Lee", date(2025, 12, 1), role_id=role.id))
    records.save_assignment(cf, Assignment(ana.id, plan.id, date(2026, 1, 1)))
    deal = records.save_deal(
        cf, Deal("D-1042", "Globex", D("10000.00"), date(2026, 1, 15), credits=_all_to(ana))
    )
    return {"plan": plan, "role": role, "ana": ana, "deal": deal}


@pytest.fixture
def history(cf: CompanyFile) -> Iterator[History]:
    h = History(cf)
    yield h
    h.close()


def _all_to(rep: Rep) -> tuple[Credit, ...]:
    return (Credit(rep.id, D(100)),)


def _one(seen: list[Changes]) -> Changes:
    assert len(seen) == 1, seen
    return seen[0]


# -- Changes: each service says exactly what it changed ------------------------------------


def test_a_rep_created_edited_and_deleted_reports_its_changes(cf: CompanyFile) -> None:
    with records.collecting(cf) as seen:
        rep = records.save_rep(cf, Rep("Ana Lee", date(2026, 1, 5)))
    assert _one(seen) == Changes((Change("rep", rep.id, "Ana Lee", None, rep),))
    assert seen[0].added == seen[0].items and seen[0].label == "Add rep Ana Lee"

    with records.collecting(cf) as seen:
        renamed = records.save_rep(cf, dataclasses.replace(rep, name="Ana Lee-Park"))
    assert _one(seen) == Changes((Change("rep", rep.id, "Ana Lee-Park", rep, renamed),))
    assert seen[0].label == "Edit rep Ana Lee-Park"

    with records.collecting(cf) as seen:
        records.delete_rep(cf, rep.id)
    assert _one(seen) == Changes((Change("rep", rep.id, "Ana Lee-Park", renamed, None),))
    assert seen[0].removed == seen[0].items and seen[0].label == "Delete rep Ana Lee-Park"


def test_roles_plans_assignments_and_adjustments_report_their_changes(cf: CompanyFile) -> None:
    with records.collecting(cf) as seen:
        plan = records.save_plan(cf, Plan("AE Plan", (FLAT,)))
        role = records.save_role(cf, Role("AE", plan.id))
        rep = records.save_rep(cf, Rep("Ana Lee", date(2026, 1, 5)))
        assignment = records.save_assignment(cf, Assignment(rep.id, plan.id, date(2026, 1, 1)))
        adjustment = records.save_adjustment(cf, Adjustment(rep.id, JAN, D("50.00"), "Phone"))
        records.delete_adjustment(cf, adjustment.id)
    assert seen == [
        Changes((Change("plan", plan.id, "AE Plan", None, plan),)),
        Changes((Change("role", role.id, "AE", None, role),)),
        Changes((Change("rep", rep.id, "Ana Lee", None, rep),)),
        Changes(
            (
                Change(
                    "assignment", assignment.id, f"rep {rep.id} from 2026-01-01", None, assignment
                ),
            )
        ),
        Changes((Change("adjustment", adjustment.id, "2026-01 50.00", None, adjustment),)),
        Changes((Change("adjustment", adjustment.id, "2026-01 50.00", adjustment, None),)),
    ]
    assert [c.label for c in seen[:4]] == [
        "Add plan AE Plan",
        "Add role AE",
        "Add rep Ana Lee",
        f"Add plan assignment rep {rep.id} from 2026-01-01",
    ]


def test_a_deal_edit_and_a_cancellation_report_their_changes(cf: CompanyFile, team: dict) -> None:
    deal = team["deal"]
    with records.collecting(cf) as seen:
        bigger = records.save_deal(cf, dataclasses.replace(deal, amount=D("12000.00")))
        cancelled = cancellation.cancel_deal(
            cf, deal.id, date(2026, 2, 1), "Bankrupt", today=date(2026, 3, 1)
        )
        records.delete_deal(cf, deal.id)
    assert seen == [
        Changes((Change("deal", deal.id, "D-1042", deal, bigger),)),
        Changes((Change("deal", deal.id, "D-1042", bigger, cancelled),)),
        Changes((Change("deal", deal.id, "D-1042", cancelled, None),)),
    ]
    assert [c.label for c in seen] == [
        "Edit deal D-1042",
        "Cancel deal D-1042",
        "Delete deal D-1042",
    ]
    assert seen[0].entities == {"deal"} and seen[0].ids("deal") == (deal.id,)


def test_a_rep_saved_with_assignments_is_one_unit_named_by_the_rep(
    cf: CompanyFile, team: dict
) -> None:
    ana, plan = team["ana"], team["plan"]
    old = records.get_assignment(cf, 1)
    shorter = dataclasses.replace(old, effective_to=date(2026, 3, 31))
    later = Assignment(ana.id, plan.id, date(2026, 4, 1))
    with records.collecting(cf) as seen:
        rep, (a1, a2) = rep_form.save_rep_with_assignments(
            cf, dataclasses.replace(ana, email="ana@acme.test"), [shorter, later]
        )
    assert _one(seen) == Changes(
        (
            Change("rep", ana.id, "Ana Lee", ana, rep),
            Change("assignment", old.id, f"rep {ana.id} from 2026-01-01", old, a1),
            Change("assignment", a2.id, f"rep {ana.id} from 2026-04-01", None, a2),
        )
    )
    assert seen[0].label == "Edit rep Ana Lee"


def test_nothing_is_reported_for_a_refused_save_or_an_unchanged_one(
    cf: CompanyFile, team: dict
) -> None:
    with records.collecting(cf) as seen:
        with pytest.raises(ValidationError):
            records.save_rep(cf, Rep("", date(2026, 1, 5)))
        records.save_rep(cf, team["ana"])  # saved as it was
    assert seen == []


def test_an_edit_under_a_closed_month_reports_the_month_it_marked(
    cf: CompanyFile, team: dict
) -> None:
    periods.close_through(cf, JAN, backup_dir=cf.path.parent / "Backups")
    deal = team["deal"]
    with records.collecting(cf) as seen:
        records.save_deal(cf, dataclasses.replace(deal, amount=D("20000.00")))
        records.save_deal(cf, dataclasses.replace(deal, amount=D("30000.00")))
    assert [c.dirty_months for c in seen] == [(JAN,), ()]  # the second: JAN was dirty already


# -- Undo and redo -------------------------------------------------------------------------


def _audit_count(cf: CompanyFile) -> int:
    with cf.session() as s:
        return len(s.scalars(select(AuditRow.id)).all())


@pytest.mark.parametrize("entity", ["rep", "role", "plan", "deal", "adjustment"])
def test_create_edit_delete_each_undone_and_redone(
    cf: CompanyFile, team: dict, history: History, entity: str
) -> None:
    ana, plan = team["ana"], team["plan"]
    new, edit, get, delete = {
        "rep": (
            Rep("Bo Diaz", date(2026, 1, 5)),
            lambda v: dataclasses.replace(v, email="bo@acme.test"),
            records.get_rep,
            records.delete_rep,
        ),
        "role": (
            Role("SDR", plan.id),
            lambda v: dataclasses.replace(v, name="BDR"),
            records.get_role,
            records.delete_role,
        ),
        "plan": (
            Plan("SDR Plan", (FLAT,)),
            lambda v: dataclasses.replace(
                v, versions=(dataclasses.replace(v.versions[0], tiers=(Tier(D(0), D(12)),)),)
            ),
            records.get_plan,
            records.delete_plan,
        ),
        "deal": (
            Deal("D-7", "Initech", D("5000.00"), date(2026, 2, 3), credits=_all_to(ana)),
            lambda v: dataclasses.replace(v, amount=D("5500.00")),
            records.get_deal,
            records.delete_deal,
        ),
        "adjustment": (
            Adjustment(ana.id, FEB, D("-20.00"), "Headset"),
            lambda v: dataclasses.replace(v, amount=D("-25.00")),
            records.get_adjustment,
            records.delete_adjustment,
        ),
    }[entity]
    save = {
        "rep": records.save_rep,
        "role": records.save_role,
        "plan": records.save_plan,
        "deal": records.save_deal,
        "adjustment": records.save_adjustment,
    }[entity]

    created = save(cf, new)
    edited = save(cf, edit(created))
    delete(cf, created.id)
    assert history.undo_label.startswith("Delete ")

    # Undo the delete: it comes back as it was, under its id, audited.
    audited = _audit_count(cf)
    history.undo()
    assert get(cf, created.id) == edited
    assert _audit_count(cf) > audited
    assert history.undo_label.startswith("Edit ") and history.redo_label.startswith("Delete ")
    history.undo()  # the edit
    assert get(cf, created.id) == created
    history.undo()  # the create
    with pytest.raises(NotFoundError):
        get(cf, created.id)
    assert history.redo_label.startswith("Add ")

    history.redo()
    assert get(cf, created.id) == created
    history.redo()
    assert get(cf, created.id) == edited
    history.redo()
    with pytest.raises(NotFoundError):
        get(cf, created.id)
    assert not history.can_redo()


def test_an_assignment_and_a_cancellation_undone_and_redone(
    cf: CompanyFile, team: dict, history: History
) -> None:
    ana, plan, deal = team["ana"], team["plan"], team["deal"]
    cancelled = cancellation.cancel_deal(
        cf, deal.id, date(2026, 2, 1), "Bankrupt", today=date(2026, 3, 1)
    )
    assert history.undo_label == "Cancel deal D-1042"
    history.undo()
    assert records.get_deal(cf, deal.id) == deal
    history.redo()
    assert records.get_deal(cf, deal.id) == cancelled

    a = records.save_assignment(
        cf, Assignment(ana.id, plan.id, date(2025, 12, 1), date(2025, 12, 31))
    )
    assert history.undo_label == f"Add plan assignment rep {ana.id} from 2025-12-01"
    history.undo()
    with pytest.raises(NotFoundError):
        records.get_assignment(cf, a.id)
    history.redo()
    assert records.get_assignment(cf, a.id) == a


def test_undo_of_a_rep_saved_with_its_assignments_takes_back_all_of_it(
    cf: CompanyFile, team: dict, history: History
) -> None:
    ana, plan = team["ana"], team["plan"]
    old = records.get_assignment(cf, 1)
    rep_form.save_rep_with_assignments(
        cf,
        dataclasses.replace(ana, email="ana@acme.test"),
        [
            dataclasses.replace(old, effective_to=date(2026, 3, 31)),
            Assignment(ana.id, plan.id, date(2026, 4, 1)),
        ],
    )
    history.undo()
    assert records.get_rep(cf, ana.id) == ana
    assert records.get_assignment(cf, old.id) == old
    with pytest.raises(NotFoundError):
        records.get_assignment(cf, old.id + 1)


def test_undo_is_refused_in_words_when_the_record_changed_since(
    cf: CompanyFile, team: dict, history: History
) -> None:
    deal = team["deal"]
    records.save_deal(cf, dataclasses.replace(deal, amount=D("12000.00")))
    # Changed past the write path (as the deal import's bulk update does): not recorded.
    later = dataclasses.replace(deal, amount=D("13000.00"))
    with cf.session() as s:
        row = s.get(DealRow, deal.id)
        assert row is not None
        mapping.apply_deal(row, later)
    with pytest.raises(ValidationError) as refused:
        history.undo()
    assert str(refused.value).startswith(
        "Cannot undo Edit deal D-1042: deal D-1042 was changed since."
    )
    assert "taken off the Undo list" in str(refused.value)
    assert records.get_deal(cf, deal.id) == later  # nothing written
    assert not history.can_undo() and not history.can_redo()


def test_a_new_action_clears_redo(cf: CompanyFile, team: dict, history: History) -> None:
    deal = team["deal"]
    records.save_deal(cf, dataclasses.replace(deal, amount=D("12000.00")))
    history.undo()
    assert history.redo_label == "Edit deal D-1042"
    records.save_rep(cf, dataclasses.replace(team["ana"], email="ana@acme.test"))
    assert not history.can_redo()
    assert history.undo_label == "Edit rep Ana Lee"


def test_an_undo_is_not_itself_an_action_and_closing_forgets(cf: CompanyFile, team: dict) -> None:
    history = History(cf)
    records.save_deal(cf, dataclasses.replace(team["deal"], amount=D("12000.00")))
    history.undo()
    assert not history.can_undo() and history.can_redo()
    history.close()
    assert not history.can_redo()
    records.save_deal(cf, dataclasses.replace(team["deal"], amount=D("14000.00")))
    assert not history.can_undo()  # no longer listening
    with pytest.raises(ValidationError, match="Closing or reopening a month"):
        history.undo()


def _prior_period(cf: CompanyFile, month: Month) -> list[Decimal]:
    return [
        line.amount
        for s in periods.compute(cf, month)
        for line in s.lines
        if line.kind is LineKind.PRIOR_PERIOD
    ]


def test_an_edit_under_a_closed_month_undone_before_any_correction_posts_none(
    cf: CompanyFile, team: dict, history: History
) -> None:
    """Edit then undo, both before the next close: the closed month is re-verified and
    found as it was closed, so the next open month has no prior-period adjustment at all
    (corrections are the difference between the month recomputed and its snapshot)."""
    periods.close_through(cf, JAN, backup_dir=cf.path.parent / "Backups")
    deal = team["deal"]
    records.save_deal(cf, dataclasses.replace(deal, amount=D("20000.00")))
    assert _prior_period(cf, FEB) == [D("1000.00")]
    done = history.undo()
    assert done.dirty_months == ()  # JAN was marked by the edit already
    assert records.get_deal(cf, deal.id) == deal
    assert _prior_period(cf, FEB) == []


def test_an_edit_under_a_closed_month_undone_after_its_correction_closed_reverses_it(
    cf: CompanyFile, team: dict, history: History
) -> None:
    """Edit, close the next month (its statement posts the correction), undo: the undo is
    an edit under closed months like any other, so the month after posts the prior-period
    adjustment reversing the first — the two net to zero."""
    periods.close_through(cf, JAN, backup_dir=cf.path.parent / "Backups")
    deal = team["deal"]
    records.save_deal(cf, dataclasses.replace(deal, amount=D("20000.00")))
    periods.close_through(cf, FEB, backup_dir=cf.path.parent / "Backups")
    assert _prior_period(cf, FEB) == [D("1000.00")]
    done = history.undo()
    assert done.dirty_months == (JAN,)
    assert _prior_period(cf, MAR) == [D("-1000.00")]
    assert sum(_prior_period(cf, FEB) + _prior_period(cf, MAR)) == 0


def test_a_unit_of_work_that_says_it_is_not_undoable_clears_redo(
    cf: CompanyFile, team: dict, history: History
) -> None:
    records.save_deal(cf, dataclasses.replace(team["deal"], amount=D("12000.00")))
    history.undo()
    with cf.session() as session:
        records.not_undoable(session, "Import deals from hubspot.csv")
    assert not history.can_redo() and not history.can_undo()


def test_credits_that_move_between_reps_are_saved_and_undone(demo: CompanyFile) -> None:
    """A rep credited at one position may move to another (or take the whole deal): the old
    credits go before the new ones are written, so the pair (deal, rep) is never twice."""
    history = History(demo)
    with demo.session() as s:
        deal = next(d for d in store_deals(s) if len(d.credits) == 1)
    first, second = deal.credits[0].rep_id, deal.credits[0].rep_id % 8 + 1
    split = records.save_deal(
        demo, dataclasses.replace(deal, credits=(Credit(second, D(60)), Credit(first, D(40))))
    )
    whole = records.save_deal(demo, dataclasses.replace(split, credits=(Credit(first, D(100)),)))
    assert records.get_deal(demo, deal.id) == whole
    history.undo()
    assert records.get_deal(demo, deal.id) == split
    history.undo()
    assert records.get_deal(demo, deal.id) == deal
    history.close()


def test_a_rep_deleted_with_their_assignments_comes_back_with_them(
    cf: CompanyFile, team: dict, history: History
) -> None:
    """A new rep, assigned a plan, deleted: the assignments go through the write path
    (not the database's cascade), so the delete says so and Undo brings all of it back."""
    rep = records.save_rep(cf, Rep("Test Newhire", date(2026, 3, 1)))
    assignment = records.save_assignment(cf, Assignment(rep.id, team["plan"].id, date(2026, 3, 1)))
    with records.collecting(cf) as seen:
        records.delete_rep(cf, rep.id)
    assert _one(seen).items == (
        Change("assignment", assignment.id, records.ASSIGNMENT.label(assignment), assignment, None),
        Change("rep", rep.id, "Test Newhire", rep, None),
    )
    assert history.undo_label == "Delete rep Test Newhire"
    history.undo()
    assert records.get_rep(cf, rep.id) == rep
    assert records.get_assignment(cf, assignment.id) == assignment
    history.undo()  # the assignment's add, then the rep's: nothing refused
    history.undo()
    with pytest.raises(NotFoundError):
        records.get_rep(cf, rep.id)
