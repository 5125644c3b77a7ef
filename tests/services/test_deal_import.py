"""Importing a CRM export into a company: what is stored, what a re-import changes, what
is refused, and that a refusal or a second import writes nothing."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from sqlalchemy import func, select

from icmdesk.domain.calendar import Month
from icmdesk.domain.entities import Credit, Deal
from icmdesk.domain.imports.cells import DateOrder
from icmdesk.models.database import CompanyFile
from icmdesk.models.tables import AuditRow
from icmdesk.services import audit, company_io, deal_import, periods, records
from icmdesk.services.import_files import FileRefused

HEADER = (
    "Record ID,Deal Name,Deal Stage,Close Date,Deal owner,Amount,Pipeline,Deal Type,"
    "Associated Company\n"
)
ROWS = (
    '9001,Harbor retrofit,Closed Won,2026-11-03 14:22,Maya Okafor,"$1,234.50",Sales,'
    "New Business,Harbor Labs\n"
    "9002,Lost one,Closed Lost,2026-11-04,Maya Okafor,500,Sales,,Acme\n"
    "9003,Cedar sensors,Closed Won,2026-11-05,grace.kim@northwind-instruments.com,8240,Sales,"
    "Existing Business,Cedar Point\n"
)
MAYA, DANIEL, PRIYA, GRACE = 1, 2, 4, 6


@pytest.fixture
def cf(tmp_path: Path) -> Iterator[CompanyFile]:
    company_file = company_io.write_demo(tmp_path / "demo.icmdesk")
    yield company_file
    company_file.close()


def write(tmp_path: Path, text: str, name: str = "deals.csv") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def run(cf: CompanyFile, path: Path, **answers: object) -> deal_import.ImportResult:
    info = deal_import.inspect_file(cf, path)
    mapping = info.mapping
    for owner, rep in answers.items():
        mapping = mapping.with_owner(owner.replace("_", " "), rep)  # type: ignore[arg-type]
    planned = deal_import.plan_import(cf, info, mapping)
    return deal_import.commit_import(cf, planned)


def plan_of(cf: CompanyFile, path: Path) -> deal_import.ImportPlan:
    return deal_import.plan_import(cf, deal_import.inspect_file(cf, path))


def audit_count(cf: CompanyFile) -> int:
    with cf.session() as session:
        return session.scalar(select(func.count()).select_from(AuditRow)) or 0


def test_won_deals_are_stored_field_by_field(cf: CompanyFile, tmp_path: Path) -> None:
    result = run(cf, write(tmp_path, HEADER + ROWS))
    assert (result.added, result.updated, result.skipped, result.rejected) == (2, 0, 1, 0)
    harbor = records.find_deal(cf, "9001")
    assert harbor is not None
    assert harbor == Deal(
        "9001",
        "Harbor Labs",
        Decimal("1234.50"),
        date(2026, 11, 3),  # the date as written: no time-zone shift of 14:22
        "new",
        (Credit(MAYA, Decimal(100)),),
        name="Harbor retrofit",
        id=harbor.id,
    )
    cedar = records.find_deal(cf, "9003")
    assert cedar is not None
    assert (cedar.deal_type, cedar.credits) == ("renewal", (Credit(GRACE, Decimal(100)),))
    assert records.find_deal(cf, "9002") is None  # lost: not imported


def test_a_second_import_of_the_same_file_changes_nothing(cf: CompanyFile, tmp_path: Path) -> None:
    path = write(tmp_path, HEADER + ROWS)
    run(cf, path)
    entries = audit_count(cf)
    cf.close()
    before = cf.path.read_bytes()
    reopened = CompanyFile.open(cf.path)
    try:
        result = run(reopened, path)
    finally:
        reopened.close()
    assert (result.added, result.updated, result.unchanged, result.changed) == (0, 0, 2, False)
    assert cf.path.read_bytes() == before
    again = CompanyFile.open(cf.path)
    assert audit_count(again) == entries
    again.close()


def test_an_updated_re_export_shows_exactly_its_changes(cf: CompanyFile, tmp_path: Path) -> None:
    run(cf, write(tmp_path, HEADER + ROWS))
    changed = ROWS.replace('"$1,234.50"', '"$1,300.00"').replace("2026-11-05", "2026-11-07")
    planned = plan_of(cf, write(tmp_path, HEADER + changed, "again.csv"))
    plan = planned.plan
    assert [p.external_id for p in plan.updated] == ["9001", "9003"]
    assert [(c.field, c.old, c.new) for c in plan.updated[0].changes] == [
        ("amount", "1234.50", "1300.00")
    ]
    assert [(c.field, c.old, c.new) for c in plan.updated[1].changes] == [
        ("close date", "2026-11-05", "2026-11-07")
    ]
    assert (len(plan.added), len(plan.unchanged)) == (0, 0)
    deal_import.commit_import(cf, planned)
    harbor = records.find_deal(cf, "9001")
    assert harbor is not None and harbor.amount == Decimal("1300.00")
    assert harbor.credits == (Credit(MAYA, Decimal(100)),)  # the owner is the same: kept


def test_an_owner_change_moves_the_credit_and_a_split_with_the_owner_stays(
    cf: CompanyFile, tmp_path: Path
) -> None:
    run(cf, write(tmp_path, HEADER + ROWS))
    cedar = records.find_deal(cf, "9003")
    assert cedar is not None
    split = (Credit(GRACE, Decimal(60)), Credit(DANIEL, Decimal(40)))
    records.save_deal(cf, dataclasses.replace(cedar, credits=split))
    planned = plan_of(cf, write(tmp_path, HEADER + ROWS, "same.csv"))
    assert [u.external_id for u in planned.plan.unchanged] == ["9001", "9003"]  # split kept

    # The owner is now one of the split's reps: still nobody to take the credit from.
    daniel = ROWS.replace("grace.kim@northwind-instruments.com", "Daniel Reyes")
    planned = plan_of(cf, write(tmp_path, HEADER + daniel, "daniel.csv"))
    assert [u.external_id for u in planned.plan.unchanged] == ["9001", "9003"]

    moved = ROWS.replace("grace.kim@northwind-instruments.com", "Priya Natarajan")
    planned = plan_of(cf, write(tmp_path, HEADER + moved, "moved.csv"))
    (update,) = planned.plan.updated
    assert [(c.field, c.old, c.new) for c in update.changes] == [
        ("credited to", "Grace Kim 60%, Daniel Reyes 40%", "Priya Natarajan")
    ]
    deal_import.commit_import(cf, planned)
    cedar = records.find_deal(cf, "9003")
    assert cedar is not None and cedar.credits == (Credit(PRIYA, Decimal(100)),)


def test_an_unmatched_owner_is_asked_once_then_remembered_as_an_alias(
    cf: CompanyFile, tmp_path: Path
) -> None:
    text = HEADER + ROWS + "9004,Kestrel,Closed Won,2026-11-06,Dan R,700,Sales,,Kestrel\n"
    text += "9005,Bluewater,Closed Won,2026-11-07,Dan R,900,Sales,,Bluewater\n"
    path = write(tmp_path, text)
    planned = plan_of(cf, path)
    assert planned.plan.unmatched_owners == {"Dan R": 2}
    assert planned.plan.questions
    with pytest.raises(ValueError):
        deal_import.commit_import(cf, planned)  # nothing is imported with questions open
    result = run(cf, path, Dan_R=DANIEL)
    assert result.added == 4
    assert result.aliases == (("Dan R", "Daniel Reyes"),)
    assert records.get_rep(cf, DANIEL).aliases == ("Dan R",)
    # Next month's file: matched by the alias, no question.
    assert not plan_of(cf, path).plan.questions


def test_a_skipped_owner_stays_skipped_in_the_saved_mapping(
    cf: CompanyFile, tmp_path: Path
) -> None:
    text = HEADER + ROWS + "9004,Kestrel,Closed Won,2026-11-06,Partner Desk,700,Sales,,Kestrel\n"
    path = write(tmp_path, text)
    result = run(cf, path, Partner_Desk=None)
    assert (result.added, result.skipped) == (2, 2)
    info = deal_import.inspect_file(cf, path)
    assert info.saved and info.mapping.owners == {"Partner Desk": None}
    plan = deal_import.plan_import(cf, info).plan
    assert [s.code for s in plan.skipped] == ["not_won", "owner_skipped"]


def test_a_deal_in_a_closed_month_is_flagged_and_marks_the_month(
    cf: CompanyFile, tmp_path: Path
) -> None:
    periods.close_through(cf, Month(2026, 11))
    planned = plan_of(cf, write(tmp_path, HEADER + ROWS))
    notes = {p.external_id: p.note for p in planned.plan.added}
    assert notes["9001"] == (
        "in November 2026, which is closed: paid as a prior-period adjustment in December 2026"
    )
    result = deal_import.commit_import(cf, planned)
    assert result.dirty_months == (Month(2026, 11),)


def test_a_plan_made_before_another_edit_is_refused(cf: CompanyFile, tmp_path: Path) -> None:
    planned = plan_of(cf, write(tmp_path, HEADER + ROWS))
    rep = records.get_rep(cf, MAYA)
    records.save_rep(cf, dataclasses.replace(rep, email="maya@example.com"))
    with pytest.raises(deal_import.StalePlan):
        deal_import.commit_import(cf, planned)
    assert records.find_deal(cf, "9001") is None


@pytest.mark.parametrize(
    ("content", "code"),
    [
        (b"", "empty"),
        (HEADER.encode(), "header_only"),
        (b"\x00\x01\x02\xff" * 100, "binary"),
        (b"Product,SKU,Stock\nWidget,W-1,4\n", "columns"),
        (b"\xef\xbb\xbfRecord ID,Deal Name\n\xff\xfe\xfa,x\n", "encoding"),
    ],
)
def test_a_malformed_file_is_refused_and_the_company_stays_byte_identical(
    cf: CompanyFile, tmp_path: Path, content: bytes, code: str
) -> None:
    path = tmp_path / "bad.csv"
    path.write_bytes(content)
    cf.close()
    before = cf.path.read_bytes()
    reopened = CompanyFile.open(cf.path)
    try:
        with pytest.raises(FileRefused) as refused:
            info = deal_import.inspect_file(reopened, path)
            deal_import.plan_import(reopened, info)
    finally:
        reopened.close()
    assert refused.value.code == code, refused.value.message
    assert cf.path.read_bytes() == before


def test_the_audit_text_of_an_added_deal_is_what_the_one_write_path_writes(
    cf: CompanyFile, tmp_path: Path
) -> None:
    run(cf, write(tmp_path, HEADER + ROWS))
    harbor = records.find_deal(cf, "9001")
    assert harbor is not None
    with cf.session() as session:
        entry = session.scalars(
            select(AuditRow).where(AuditRow.entity == "deal", AuditRow.entity_id == str(harbor.id))
        ).one()
    assert entry.action == "create"
    assert entry.new == audit.display(harbor)
    without_name = dataclasses.replace(harbor, name="")
    planned = deal_import.PlannedDeal(
        2,
        2,
        None,
        "9001",
        "",
        "Harbor Labs",
        harbor.amount,
        harbor.close_date,
        "new",
        harbor.credits,
    )
    assert deal_import.created_text(planned) == audit.display(without_name)


# -- the sample exports of tests/data/imports, imported for real ---------------------------

SAMPLES = Path(__file__).resolve().parents[1] / "data" / "imports"
# Each sample with the answers its questions need (its README says what each row becomes).
SAMPLE_ANSWERS: dict[str, dict[str, object]] = {
    "hubspot_deals.csv": {},
    "hubspot_deals.xlsx": {},
    "salesforce_opportunities.csv": {},
    "salesforce_no_id.csv": {},
    "pipedrive_deals.csv": {},
    "generic_deals_utf16.txt": {"date_order": "DMY"},
    "generic_dmy_proven.csv": {},
    "latin1_semicolon.csv": {"owners": {"Jérôme Lefèvre": None}},
}


def import_sample(cf: CompanyFile, name: str) -> deal_import.ImportPlan:
    info = deal_import.inspect_file(cf, SAMPLES / name)
    answers = SAMPLE_ANSWERS[name]
    mapping = info.mapping
    if "date_order" in answers:
        mapping = dataclasses.replace(mapping, date_order=DateOrder(answers["date_order"]))
    for owner, rep in dict(answers.get("owners", {})).items():  # type: ignore[call-overload]
        mapping = mapping.with_owner(owner, rep)
    planned = deal_import.plan_import(cf, info, mapping)
    assert not planned.plan.questions
    deal_import.commit_import(cf, planned)
    return planned


@pytest.mark.parametrize("name", sorted(SAMPLE_ANSWERS))
def test_each_sample_is_stored_field_by_field_and_a_second_import_changes_nothing(
    cf: CompanyFile, name: str
) -> None:
    planned = import_sample(cf, name)
    assert planned.plan.added
    for p in planned.plan.added:
        stored = records.find_deal(cf, p.external_id)
        assert stored is not None, p.external_id
        assert stored == Deal(
            p.external_id,
            p.customer,
            p.amount,
            p.close_date,
            p.deal_type,
            p.credits or (),
            name=p.name,
            id=stored.id,
        )
    cf.close()
    before = cf.path.read_bytes()
    again = CompanyFile.open(cf.path)
    try:
        second = import_sample(again, name)
    finally:
        again.close()
    assert (len(second.plan.added), len(second.plan.updated)) == (0, 0)
    assert len(second.plan.unchanged) == len(planned.plan.added)
    assert cf.path.read_bytes() == before


def test_the_hubspot_sample_stores_what_its_readme_says(cf: CompanyFile) -> None:
    from tests.services.test_import_files import HUBSPOT_ADDED

    import_sample(cf, "hubspot_deals.csv")
    for _row, external_id, name, customer, rep, amount, close, deal_type in HUBSPOT_ADDED:
        stored = records.find_deal(cf, external_id)
        assert stored is not None
        assert (stored.name, stored.customer, stored.amount, stored.close_date) == (
            name,
            customer,
            Decimal(amount),
            close,
        )
        assert (stored.deal_type, stored.credits) == (deal_type, (Credit(rep, Decimal(100)),))


@pytest.mark.parametrize(
    "name",
    [
        "empty.csv",
        "header_only.csv",
        "binary.csv",
        "not_utf8_declared.csv",
        "old_excel.xls",
        "wrong_columns.csv",
    ],
)
def test_each_malformed_sample_leaves_the_company_byte_identical(
    cf: CompanyFile, name: str
) -> None:
    cf.close()
    before = cf.path.read_bytes()
    reopened = CompanyFile.open(cf.path)
    try:
        with pytest.raises(FileRefused):
            info = deal_import.inspect_file(reopened, SAMPLES / name)
            deal_import.plan_import(reopened, info)
    finally:
        reopened.close()
    assert cf.path.read_bytes() == before
