"""Saving what the Plans view's editor holds: a plan's name and one version's terms, in one
unit of work.

The versioning policy lives here, not in the view (COMP_RULES "Entities"): a version
that was in force in a closed month is never rewritten. `save_plan_edit` decides, from
the plan as stored when it saves, which of these the edit is:

- a new plan, with the terms as its first version;
- a rename only: the terms are those of the stored version, so no version is written,
  even for a plan in use;
- a new version the editor started, placed among the others by its date;
- a correction in place of a version nothing was paid from
  (`records.version_was_paid_from`);
- an edit of a version in force in a closed month, added as a new version from its date
  while the one edited stays as it was;

or refuses it: a `ValidationError` naming every problem, and nothing written (neither the
terms nor the name). The write goes through the one write path (`records.write`:
audited, closed months marked dirty, reported as one `Changes`).
"""

from __future__ import annotations

import dataclasses
import enum
from dataclasses import dataclass

from sqlalchemy.orm import Session

from icmdesk.domain.entities import NEW, Plan, PlanVersion
from icmdesk.domain.errors import NotFoundError, Problem, ValidationError
from icmdesk.models.database import CompanyFile
from icmdesk.models.tables import PlanRow
from icmdesk.services.records import (
    KINDS,
    _about_version,
    _by_date,
    _kept_versions,
    _paid_from,
    _uncovered_deals,
    context,
    write,
)

_PLAN = KINDS["plan"]


@dataclass(frozen=True, slots=True, kw_only=True)
class PlanEdit:
    """What the Plans view's editor holds when Save is pressed.

    `plan_id`: the plan edited (NEW: a new plan). `name`: its name as typed.
    `version`: the terms as typed, from their effective date; its id is the version the
    editor loaded, or NEW when the editor started a new version (always, for a new plan).
    `shown`: the plan as the editor loaded it, when it did: if the plan stored differs
    (an undo, or another window, changed it meanwhile), the edit is refused rather than
    written over what it did not show.
    """

    plan_id: int
    name: str
    version: PlanVersion
    shown: Plan | None = None


class Outcome(enum.Enum):
    """How an edit was saved (see the module's docstring)."""

    NEW_PLAN = "new plan"
    NAME_ONLY = "name only"
    NEW_VERSION = "new version"
    CORRECTED = "version corrected in place"
    KEPT_AND_ADDED = "edit added as a new version; the version in force in a closed month kept"


@dataclass(frozen=True, slots=True)
class SavedPlan:
    """The plan as stored after the save, the version the edit became (what the editor
    shows next), and how it was saved."""

    plan: Plan
    version: PlanVersion
    outcome: Outcome


def save_plan_edit(cf: CompanyFile, edit: PlanEdit) -> SavedPlan:
    """Save a plan's name and one version's terms as one action, deciding how (see the
    module's docstring).

    Refused with nothing written (ValidationError, every problem at once) when the plan
    or the terms break a rule, when the edit of a version in force in a closed month
    would start before it, or when the plan changed since the editor showed it. Problems
    about the terms are named "version.<field>" (never "versions[i]."), the name's
    "name". NotFoundError when the plan, or the version edited, no longer exists.
    """
    with cf.session() as session:
        if edit.plan_id == NEW:
            return _save_new_plan(session, edit)
        row = session.get(PlanRow, edit.plan_id)
        if row is None:
            raise NotFoundError(f"plan {edit.plan_id} no longer exists")
        stored = _PLAN.value(row)
        if edit.shown is not None and edit.shown != stored:
            raise ValidationError([_changed_since(stored)])
        edited, version, outcome = _decide(session, stored, edit)
        at = edited.versions.index(version)
        found = _kept_versions(session, stored, edited)
        found += _PLAN.validate(edited, context(session, _PLAN, edited))
        found += _uncovered_deals(session, edited)
        if found:
            raise ValidationError([_about_version(p, at) for p in found])
        saved = write(session, _PLAN, edited)
        return SavedPlan(saved, saved.versions[at], outcome)


def _save_new_plan(session: Session, edit: PlanEdit) -> SavedPlan:
    plan = Plan(edit.name.strip(), (dataclasses.replace(edit.version, id=NEW),))
    found = _PLAN.validate(plan, context(session, _PLAN, plan))
    if found:
        raise ValidationError([_about_version(p, 0) for p in found])
    saved = write(session, _PLAN, plan)
    return SavedPlan(saved, saved.versions[0], Outcome.NEW_PLAN)


def _decide(session: Session, stored: Plan, edit: PlanEdit) -> tuple[Plan, PlanVersion, Outcome]:
    """The plan as the edit leaves it, the version the edit becomes in it, and how;
    refused (ValidationError) when the edit would rewrite the past."""
    name = edit.name.strip()
    version = edit.version
    if version.id == NEW:
        outcome = Outcome.NEW_VERSION
        kept = stored.versions
    else:
        old = next((v for v in stored.versions if v.id == version.id), None)
        if old is None:
            raise NotFoundError(f"that version of plan {stored.name!r} no longer exists")
        if version == old:
            # The terms as stored: the name alone changes, whatever was paid from them,
            # and the versions stay as stored (not as the editor was shown them).
            return dataclasses.replace(stored, name=name), old, Outcome.NAME_ONLY
        if _paid_from(session, stored.id, old):
            if version.effective_from < old.effective_from:
                raise ValidationError([_starts_before(old)])
            outcome = Outcome.KEPT_AND_ADDED
            version = dataclasses.replace(version, id=NEW)
            kept = stored.versions
        else:
            outcome = Outcome.CORRECTED
            kept = tuple(v for v in stored.versions if v.id != old.id)
    edited = dataclasses.replace(stored, name=name, versions=_by_date(*kept, version))
    return edited, version, outcome


def _changed_since(stored: Plan) -> Problem:
    return Problem(
        "",
        f"The plan “{stored.name}” was changed since you began this edit (by Undo, or in "
        "another window), so your edit is not saved: View ▸ Refresh (F5) shows the plan as "
        "it is now.",
    )


def _starts_before(old: PlanVersion) -> Problem:
    return Problem(
        "version.effective_from",
        f"The version from {old.effective_from} was in force in a closed month: your "
        "changes become a new version, which must start after "
        f"{old.effective_from} (that version applies from its own date on).",
    )
