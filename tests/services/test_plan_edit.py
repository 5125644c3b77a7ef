"""Saving the Plans view's edit (services.plan_edit): one unit of work that decides how the
edit is saved (a new plan, a rename only, a new version, a correction in place, or an
edit of a version in force in a closed month added as a new version) or refuses it and
writes nothing."""

from __future__ import annotations

import dataclasses
from datetime import date
from pathlib import Path

import pytest

from icmdesk.domain.calendar import Month
from icmdesk.domain.entities import (
    NEW,
    Assignment,
    AttainmentBonus,
    Credit,
    Deal,
    Plan,
    PlanVersion,
    Rep,
    Tier,
)
from icmdesk.domain.errors import NotFoundError, ValidationError
from icmdesk.domain.money import D
from icmdesk.models.database import CompanyFile
from icmdesk.services import audit_log, choices, periods, records
from icmdesk.services.changes import Change, Changes
from icmdesk.services.plan_edit import Outcome, PlanEdit, save_plan_edit


def flat(rate: str, start: date, **kwargs: object) -> PlanVersion:
    return PlanVersion(start, (Tier(D(0), D(rate)),), **kwargs)  # type: ignore[arg-type]


@pytest.fixture
def acme_sdr_plan(acme: CompanyFile) -> CompanyFile:
    """ "SDR plan" (3% from 2026-01-01), Ana Lee's plan since then, and her deal D-1
    ($10,000 closed 2026-01-10); no month closed."""
    plan = records.save_plan(acme, Plan("SDR plan", (flat("3", date(2026, 1, 1)),)))
    ana = records.save_rep(acme, Rep("Ana Lee", date(2026, 1, 1)))
    records.save_assignment(acme, Assignment(ana.id, plan.id, date(2026, 1, 1)))
    records.save_deal(
        acme,
        Deal("D-1", "Globex", D("10000.00"), date(2026, 1, 10), credits=(Credit(ana.id, D(100)),)),
    )
    return acme


@pytest.fixture
def acme_sdr_paid_from(acme_sdr_plan: CompanyFile, tmp_path: Path) -> CompanyFile:
    """The above with January to March 2026 closed: the SDR plan's version was in force."""
    for month in (1, 2, 3):
        periods.close(acme_sdr_plan, Month(2026, month), backup_dir=tmp_path / "backups")
    return acme_sdr_plan


def sdr(cf: CompanyFile) -> Plan:
    """The SDR plan as stored, whatever it is called now."""
    (plan,) = choices.all_plans(cf)
    return plan


def edit_of(plan: Plan, version: PlanVersion, *, name: str | None = None) -> PlanEdit:
    return PlanEdit(plan_id=plan.id, name=plan.name if name is None else name, version=version)


def rates(plan: Plan) -> list[tuple[date, object]]:
    return [(v.effective_from, v.tiers[0].rate_pct) for v in plan.versions]


# (a) A refused edit writes nothing: not the terms, not the name.
def test_a_refused_version_leaves_the_rename_uncommitted(acme_sdr_paid_from: CompanyFile) -> None:
    cf = acme_sdr_paid_from
    before = sdr(cf)
    logged = audit_log.count_entries(cf)
    (v1,) = before.versions
    # The version was in force in January: the edit becomes a new version, here from the
    # same date as the one kept, which two versions cannot share.
    renamed = edit_of(before, dataclasses.replace(v1, tiers=(Tier(D(0), D(4)),)), name="SDR 2026")
    with records.collecting(cf) as seen, pytest.raises(ValidationError) as refused:
        save_plan_edit(cf, renamed)
    assert [p.field for p in refused.value.problems] == ["version.effective_from"]
    assert "both effective from 2026-01-01" in refused.value.problems[0].message
    assert records.get_plan(cf, before.id) == before
    assert audit_log.count_entries(cf) == logged
    assert seen == []


def test_a_rename_keeps_the_versions_as_stored_not_as_the_editor_was_shown_them(
    acme_sdr_plan: CompanyFile,
) -> None:
    """The editor was shown two versions; the second went since (an undo, say). Saving the
    name alone does not bring it back (it did when the view saved its own copy)."""
    cf = acme_sdr_plan
    shown = records.add_plan_version(cf, sdr(cf).id, flat("4", date(2026, 4, 1)))
    records.save_plan(cf, dataclasses.replace(shown, versions=shown.versions[:1]))
    saved = save_plan_edit(cf, edit_of(shown, shown.versions[0], name="SDR 2026"))
    assert saved.outcome is Outcome.NAME_ONLY
    assert sdr(cf).name == "SDR 2026"
    assert rates(sdr(cf)) == [(date(2026, 1, 1), D(3))]


# (b) Each way an edit is saved, and each refusal.
def test_a_new_plan_takes_the_terms_as_its_first_version(acme: CompanyFile) -> None:
    terms = flat("5", date(2026, 1, 1))
    saved = save_plan_edit(acme, PlanEdit(plan_id=NEW, name="  Overlay ", version=terms))
    assert saved.outcome is Outcome.NEW_PLAN
    assert saved.plan.name == "Overlay"
    assert saved.plan.versions == (saved.version,)
    assert saved.version == dataclasses.replace(terms, id=saved.version.id)
    assert records.get_plan(acme, saved.plan.id) == saved.plan


def test_a_new_plan_refused_names_the_name_and_the_terms(acme: CompanyFile) -> None:
    terms = flat("5", date(2026, 1, 1), bonuses=(AttainmentBonus(D(100), D(-500)),))
    with pytest.raises(ValidationError) as refused:
        save_plan_edit(acme, PlanEdit(plan_id=NEW, name=" ", version=terms))
    assert {p.field for p in refused.value.problems} == {"name", "version.bonuses[0].amount"}
    assert choices.all_plans(acme) == ()


def test_the_stored_terms_with_a_new_name_rename_only_even_when_paid_from(
    acme_sdr_paid_from: CompanyFile,
) -> None:
    cf = acme_sdr_paid_from
    before = sdr(cf)
    saved = save_plan_edit(cf, edit_of(before, before.versions[0], name="SDR 2026"))
    assert saved.outcome is Outcome.NAME_ONLY
    assert saved.plan == dataclasses.replace(before, name="SDR 2026")
    assert saved.version == before.versions[0]


def test_a_new_version_is_placed_among_the_others_by_its_date(
    acme_sdr_paid_from: CompanyFile,
) -> None:
    cf = acme_sdr_paid_from
    save_plan_edit(cf, edit_of(sdr(cf), flat("5", date(2026, 7, 1))))
    saved = save_plan_edit(cf, edit_of(sdr(cf), flat("4", date(2026, 4, 1))))
    assert saved.outcome is Outcome.NEW_VERSION
    assert rates(saved.plan) == [
        (date(2026, 1, 1), D(3)),
        (date(2026, 4, 1), D(4)),
        (date(2026, 7, 1), D(5)),
    ]
    assert saved.version == saved.plan.versions[1]


def test_a_version_nothing_was_paid_from_is_corrected_in_place(acme_sdr_plan: CompanyFile) -> None:
    cf = acme_sdr_plan
    before = sdr(cf)
    (v1,) = before.versions
    corrected = dataclasses.replace(v1, tiers=(Tier(D(0), D(4)),))
    saved = save_plan_edit(cf, edit_of(before, corrected, name="SDR 2026"))
    assert saved.outcome is Outcome.CORRECTED
    assert saved.plan == dataclasses.replace(before, name="SDR 2026", versions=(corrected,))
    assert saved.version == corrected


def test_an_edit_of_a_version_in_force_in_a_closed_month_is_added_as_a_new_version(
    acme_sdr_paid_from: CompanyFile,
) -> None:
    cf = acme_sdr_paid_from
    before = sdr(cf)
    (v1,) = before.versions
    edited = dataclasses.replace(v1, effective_from=date(2026, 7, 1), tiers=(Tier(D(0), D(4)),))
    saved = save_plan_edit(cf, edit_of(before, edited))
    assert saved.outcome is Outcome.KEPT_AND_ADDED
    assert saved.plan.versions[0] == v1  # kept as it was
    assert rates(saved.plan) == [(date(2026, 1, 1), D(3)), (date(2026, 7, 1), D(4))]
    assert saved.version == saved.plan.versions[1] and saved.version.id != v1.id


def test_an_edit_of_a_version_in_force_in_a_closed_month_may_not_start_before_it(
    acme_sdr_paid_from: CompanyFile,
) -> None:
    cf = acme_sdr_paid_from
    before = sdr(cf)
    (v1,) = before.versions
    with pytest.raises(ValidationError) as refused:
        save_plan_edit(
            cf, edit_of(before, dataclasses.replace(v1, effective_from=date(2025, 12, 1)))
        )
    (problem,) = refused.value.problems
    assert problem.field == "version.effective_from"
    assert problem.message.startswith(
        "The version from 2026-01-01 was in force in a closed month: your changes become a "
        "new version, which must start after 2026-01-01"
    )
    assert sdr(cf) == before


def test_a_correction_that_leaves_a_deal_without_a_version_is_refused(
    acme_sdr_plan: CompanyFile,
) -> None:
    cf = acme_sdr_plan
    before = sdr(cf)
    (v1,) = before.versions
    later = dataclasses.replace(v1, effective_from=date(2026, 2, 1))
    with pytest.raises(ValidationError) as refused:
        save_plan_edit(cf, edit_of(before, later, name="SDR 2026"))
    assert [(p.field, p.message) for p in refused.value.problems] == [
        (
            "versions",
            "1 deal credited to Ana Lee would have no plan version on its close date: D-1.",
        )
    ]
    assert sdr(cf) == before


def test_a_plan_or_a_version_gone_since_is_not_found(acme_sdr_plan: CompanyFile) -> None:
    cf = acme_sdr_plan
    before = sdr(cf)
    gone = dataclasses.replace(before.versions[0], id=before.versions[0].id + 100)
    with pytest.raises(NotFoundError, match="that version of plan 'SDR plan' no longer exists"):
        save_plan_edit(cf, edit_of(before, gone))
    with pytest.raises(NotFoundError, match="no longer exists"):
        save_plan_edit(cf, PlanEdit(plan_id=before.id + 100, name="X", version=gone))


# (c) What the save changed, exactly.
def test_a_save_is_one_unit_of_work_whose_changes_are_the_plan_and_the_months_it_reaches(
    acme_sdr_paid_from: CompanyFile,
) -> None:
    cf = acme_sdr_paid_from
    before = sdr(cf)
    (v1,) = before.versions
    # Back-dated into February: February and March, closed, are to be corrected.
    edited = dataclasses.replace(v1, effective_from=date(2026, 2, 15), tiers=(Tier(D(0), D(4)),))
    with records.collecting(cf) as seen:
        saved = save_plan_edit(cf, edit_of(before, edited, name="SDR 2026"))
    assert saved.outcome is Outcome.KEPT_AND_ADDED
    assert len(seen) == 1
    assert seen[0] == Changes(
        items=(Change("plan", before.id, "SDR 2026", before, saved.plan),),
        dirty_months=(Month(2026, 2), Month(2026, 3)),
    )
    assert seen[0].label == "Edit plan SDR 2026"


def test_a_new_plan_is_one_added_record_and_no_dirty_month(acme: CompanyFile) -> None:
    with records.collecting(acme) as seen:
        saved = save_plan_edit(
            acme, PlanEdit(plan_id=NEW, name="Overlay", version=flat("5", date(2026, 1, 1)))
        )
    assert seen == [Changes(items=(Change("plan", saved.plan.id, "Overlay", None, saved.plan),))]
