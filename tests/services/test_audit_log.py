"""Reading the audit log page by page, filtered, newest first."""

from __future__ import annotations

import dataclasses
from datetime import date

import pytest

from icmdesk.domain.entities import Rep
from icmdesk.models.database import CompanyFile
from icmdesk.services import audit, audit_log, records
from icmdesk.services.audit_log import AuditFilter


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
