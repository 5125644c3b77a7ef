"""Reading the audit log page by page, filtered, newest first."""

from __future__ import annotations

import dataclasses
from datetime import date
from pathlib import Path

import pytest

from icmdesk.domain.calendar import Month
from icmdesk.domain.entities import (
    Adjustment,
    Assignment,
    Credit,
    Deal,
    OpeningBalance,
    Plan,
    PlanVersion,
    Rep,
    Role,
    Tier,
)
from icmdesk.domain.money import D
from icmdesk.models.database import CompanyFile
from icmdesk.services import audit, audit_log, periods, records
from icmdesk.services.audit_log import AuditFilter, AuditLine


def test_every_change_is_listed_newest_first(cf: CompanyFile) -> None:
    rep = records.save_rep(cf, Rep("Ana Lee", date(2026, 1, 5)))
    records.save_rep(cf, dataclasses.replace(rep, email="ana@acme.test"))
    company = records.get_company(cf)
    records.update_company(cf, dataclasses.replace(company, name="Acme Inc"))

    entries = audit_log.audit_page(cf)
    assert [(e.action, e.entity, e.field) for e in entries[:3]] == [
        ("update", "company", "name"),
        ("update", "rep", "email"),
        ("create", "rep", ""),
    ]
    assert (entries[0].old, entries[0].new) == ("Acme Ltd", "Acme Inc")
    assert (entries[1].old, entries[1].new) == ("", "ana@acme.test")
    assert entries[-1].action == "create" and entries[-1].entity == "company"
    assert audit_log.count_entries(cf) == len(entries)


@pytest.mark.parametrize(
    ("f", "expected"),
    [
        (AuditFilter(action="update"), 2),
        (AuditFilter(entity="rep"), 2),
        (AuditFilter(entity="rep", action="update"), 1),
        (AuditFilter(text="ACME.TEST"), 1),  # part of a value, any case
        (AuditFilter(text="100%"), 0),  # % is a character, not a wildcard
        (AuditFilter(text="email"), 1),  # a field name
    ],
)
def test_filters(cf: CompanyFile, f: AuditFilter, expected: int) -> None:
    rep = records.save_rep(cf, Rep("Ana Lee", date(2026, 1, 5)))
    records.save_rep(cf, dataclasses.replace(rep, email="ana@acme.test"))
    records.update_company(cf, dataclasses.replace(records.get_company(cf), name="Acme Inc"))
    assert audit_log.count_entries(cf, f) == expected
    assert len(audit_log.audit_page(cf, f)) == expected


def test_pages_do_not_overlap_or_skip(cf: CompanyFile) -> None:
    for i in range(25):
        records.save_rep(cf, Rep(f"Rep {i:02}", date(2026, 1, 5)))
    total = audit_log.count_entries(cf)
    pages = [audit_log.audit_page(cf, offset=o, limit=7) for o in range(0, total, 7)]
    ids = [e.id for page in pages for e in page]
    assert len(ids) == len(set(ids)) == total
    assert ids == sorted(ids, reverse=True)
    oldest_first = audit_log.audit_page(cf, newest_first=False, limit=total)
    assert [e.id for e in oldest_first] == sorted(ids)


def test_filter_lists(cf: CompanyFile) -> None:
    records.save_rep(cf, Rep("Ana Lee", date(2026, 1, 5)))
    assert audit_log.actions(cf) == ("create",)
    assert audit_log.entities(cf) == ("company", "rep")


def test_negative_paging_is_a_bug(cf: CompanyFile) -> None:
    with pytest.raises(ValueError):
        audit_log.audit_page(cf, offset=-1)


def test_each_change_records_the_os_user_who_made_it(
    cf: CompanyFile, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("getpass.getuser", lambda: "ana")
    rep = records.save_rep(cf, Rep("Ana Lee", date(2026, 1, 5)))
    monkeypatch.setattr("getpass.getuser", lambda: "bo")
    records.save_rep(cf, dataclasses.replace(rep, email="ana@acme.test"))
    entries = audit_log.audit_page(cf)
    assert [(e.entity, e.action, e.user) for e in entries[:2]] == [
        ("rep", "update", "bo"),
        ("rep", "create", "ana"),
    ]


def test_a_user_the_system_cannot_tell_is_recorded_as_unknown(
    cf: CompanyFile, monkeypatch: pytest.MonkeyPatch
) -> None:
    def no_login_name() -> str:
        raise OSError("No username set in the environment")

    monkeypatch.setattr("getpass.getuser", no_login_name)
    assert audit.current_user() == ""
    records.save_rep(cf, Rep("Ana Lee", date(2026, 1, 5)))  # the edit goes through
    assert audit_log.audit_page(cf)[0].user == ""


# --------------------------------------------------------------------------- names, not ids


@dataclasses.dataclass
class Team:
    ana: Rep
    bo: Rep
    role: Role
    plan: Plan
    assignment: Assignment
    deal: Deal


@pytest.fixture
def team(cf: CompanyFile) -> Team:
    plan = records.save_plan(
        cf, Plan("AE plan", (PlanVersion(date(2026, 1, 1), (Tier(D(0), D(10)),)),))
    )
    role = records.save_role(cf, Role("Account Executive"))
    ana = records.save_rep(cf, Rep("Ana Lee", date(2026, 1, 5)))
    bo = records.save_rep(cf, Rep("Bo Chen", date(2026, 1, 5), role_id=role.id))
    assignment = records.save_assignment(cf, Assignment(ana.id, plan.id, date(2026, 1, 1)))
    records.save_assignment(cf, Assignment(bo.id, plan.id, date(2026, 1, 1)))
    deal = records.save_deal(
        cf,
        Deal(
            "D-1042", "Globex", D("1000.00"), date(2026, 3, 20), credits=(Credit(ana.id, D(100)),)
        ),
    )
    return Team(ana, bo, role, plan, assignment, deal)


def latest(cf: CompanyFile, f: AuditFilter | None = None) -> AuditLine:
    return audit_log.audit_page(cf, f or AuditFilter(), limit=1)[0]


def test_each_record_is_named(cf: CompanyFile, team: Team, tmp_path: Path) -> None:
    records.save_rep(cf, dataclasses.replace(team.bo, email="bo@acme.test"))
    assert latest(cf).record == "Rep Bo Chen"
    records.save_role(cf, dataclasses.replace(team.role, default_plan_id=team.plan.id))
    default_plan = latest(cf)
    assert default_plan.record == "Role Account Executive"
    assert (default_plan.field, default_plan.new) == ("default plan", "AE plan")
    records.save_plan(cf, dataclasses.replace(team.plan, name="AE plan 2026"))
    assert latest(cf).record == "Plan AE plan 2026"  # the name it has now
    records.save_assignment(cf, dataclasses.replace(team.assignment, quota_override=D(5000)))
    assert latest(cf).record == "Assignment of Ana Lee to AE plan 2026"
    records.save_deal(cf, dataclasses.replace(team.deal, deal_type="renewal"))
    assert latest(cf).record == "Deal D-1042 (Globex)"
    records.save_adjustment(cf, Adjustment(team.ana.id, Month(2026, 3), D("25.00"), "Fix"))
    assert latest(cf).record == "Adjustment for Ana Lee, 2026-03"
    company = dataclasses.replace(records.get_company(cf), books_start=Month(2026, 3))
    records.update_company(cf, company)
    assert latest(cf).record == "Company settings"
    records.save_opening_balances(cf, [OpeningBalance(team.ana.id, balance_owed=D("100.00"))])
    assert latest(cf).record == "Opening balance of Ana Lee"
    periods.close(cf, Month(2026, 3), backup_dir=tmp_path / "backups")
    assert latest(cf).record == "Period 2026-03"


def test_values_that_hold_ids_are_shown_with_names(cf: CompanyFile, team: Team) -> None:
    records.save_rep(cf, dataclasses.replace(team.bo, manager_id=team.ana.id, role_id=None))
    manager, role = audit_log.audit_page(cf, AuditFilter(entity="rep", action="update"))
    assert (role.field, role.old, role.new) == ("role", "Account Executive", "")
    assert (manager.field, manager.old, manager.new) == ("manager", "", "Ana Lee")
    assert (manager.entry.field, manager.entry.new) == ("manager_id", str(team.ana.id))  # stored

    split = (Credit(team.ana.id, D(50)), Credit(team.bo.id, D(50)))
    records.save_deal(cf, dataclasses.replace(team.deal, credits=split))
    credits = latest(cf)
    assert credits.field == "credits"
    assert credits.old == "(rep: Ana Lee, split %: 100)"
    assert credits.new == "(rep: Ana Lee, split %: 50); (rep: Bo Chen, split %: 50)"

    created = latest(cf, AuditFilter(entity="assignment"))
    assert created.new == "(rep: Bo Chen, plan: AE plan, effective from: 2026-01-01)"
    assert created.entry.new.startswith(f"(rep_id={team.bo.id}, plan_id={team.plan.id},")


def test_a_record_deleted_since_is_shown_by_its_id(cf: CompanyFile, team: Team) -> None:
    records.delete_deal(cf, team.deal.id)
    records.save_assignment(
        cf, dataclasses.replace(team.assignment, effective_to=date(2026, 1, 31))
    )
    records.delete_rep(cf, team.ana.id)  # her assignment goes with her
    deleted = f"#{team.ana.id} (deleted)"
    rep_gone = latest(cf)
    assert (rep_gone.action, rep_gone.record) == ("delete", f"Rep {deleted}")
    assert rep_gone.old.startswith("(name: Ana Lee,")  # its last values stay readable
    assert latest(cf, AuditFilter(entity="assignment")).record == (
        f"Assignment #{team.assignment.id} (deleted)"
    )
    deal_entries = audit_log.audit_page(cf, AuditFilter(entity="deal"))
    assert {e.record for e in deal_entries} == {f"Deal #{team.deal.id} (deleted)"}
    assert deal_entries[-1].new.endswith(f"credits: (rep: {deleted}, split %: 100))")


def test_search_finds_records_by_the_names_shown(cf: CompanyFile, team: Team) -> None:
    records.save_rep(cf, dataclasses.replace(team.bo, manager_id=team.ana.id))
    records.save_deal(cf, dataclasses.replace(team.deal, deal_type="renewal"))

    def found(text: str) -> list[tuple[str, str]]:
        return [(e.record, e.field) for e in audit_log.audit_page(cf, AuditFilter(text=text))]

    assert found("ana lee") == [
        ("Rep Bo Chen", "manager"),  # a field holding her id
        ("Assignment of Ana Lee to AE plan", ""),
        ("Rep Ana Lee", ""),
    ]
    assert found("globex") == [("Deal D-1042 (Globex)", "deal type"), ("Deal D-1042 (Globex)", "")]
    assert found("AE plan") == [
        ("Assignment of Bo Chen to AE plan", ""),
        ("Assignment of Ana Lee to AE plan", ""),
        ("Plan AE plan", ""),
    ]
    assert audit_log.count_entries(cf, AuditFilter(text="ana lee")) == 3
    assert found("account exec") == [("Role Account Executive", "")]
