"""Adjustments entered one at a time and imported in bulk: what each row does (added,
updated, unchanged, rejected and why), the same file twice writing nothing, malformed
files refused whole, and closed months left alone."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from sqlalchemy import func, select

from icmdesk.domain.calendar import Month
from icmdesk.domain.entities import Adjustment, Company, Rep
from icmdesk.domain.errors import ValidationError
from icmdesk.models import mapping
from icmdesk.models.database import CompanyFile
from icmdesk.models.tables import AdjustmentRow, AuditRow
from icmdesk.services import adjustment_import as ai
from icmdesk.services import periods, records
from icmdesk.services.adjustment_import import FileRefused, StalePlan
from icmdesk.services.store import load_reps

DATA = Path(__file__).resolve().parents[1] / "data" / "adjustments"
MARCH = Month(2026, 3)


@pytest.fixture
def acme_with_reps(cf: CompanyFile) -> CompanyFile:
    records.save_rep(
        cf, Rep("Ana Lee", date(2026, 1, 5), email="ana@acme.test", payroll_id="P-001")
    )
    records.save_rep(
        cf, Rep("Bo Chen", date(2026, 1, 5), payroll_id="P-002", aliases=("Bobby", "Sam"))
    )
    # Two reps of one name: the name matches neither (their emails do).
    records.save_rep(cf, Rep("Jo Park", date(2026, 1, 5), email="jo.park@acme.test"))
    records.save_rep(cf, Rep("Jo Park", date(2026, 1, 5), email="jo.p@acme.test"))
    return cf


def rep_id(cf: CompanyFile, name: str) -> int:
    with cf.session() as s:
        return next(r.id for r in load_reps(s) if r.name == name)


def csv(tmp_path: Path, text: str, name: str = "adjustments.csv") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def audit_count(cf: CompanyFile) -> int:
    with cf.session() as s:
        return s.scalar(select(func.count()).select_from(AuditRow)) or 0


def stored(cf: CompanyFile) -> list[Adjustment]:
    with cf.session() as s:
        return [mapping.adjustment_value(r) for r in s.scalars(select(AdjustmentRow))]


def reasons(plan: ai.AdjustmentPlan) -> dict[int, str]:
    return {r.row: r.code for r in plan.rejected}


def test_a_bulk_file_is_read_in_the_ways_people_write_it(acme_with_reps: CompanyFile) -> None:
    plan = ai.plan_adjustments(acme_with_reps, DATA / "bulk.csv")
    ana, bo = rep_id(acme_with_reps, "Ana Lee"), rep_id(acme_with_reps, "Bo Chen")
    assert plan.columns == {
        "rep": "Payee", "month": "Pay Period", "amount": "Amount", "reason": "Memo",
        "id": "Adjustment ID",
    }  # fmt: skip
    assert not plan.derived_ids and not plan.rejected and not plan.updated
    assert [(p.external_id, p.rep_id, p.month, p.amount, p.reason) for p in plan.added] == [
        ("ADJ-1", ana, MARCH, Decimal("250.00"), "SPIF correction"),
        ("ADJ-2", ana, MARCH, Decimal("-100.00"), "Laptop deduction"),  # by email, (…) negative
        ("ADJ-3", bo, MARCH, Decimal("-40.50"), "Parking"),  # by payroll id, U+2212 minus
        ("ADJ-4", bo, MARCH, Decimal("1200.00"), "Quarter bonus"),  # by alias, any case
        ("ADJ-5", bo, MARCH, Decimal("75.00"), "Referral"),  # a date in the month
    ]
    assert [(p.row, p.line) for p in plan.added] == [(2, 2), (3, 3), (4, 4), (5, 5), (6, 6)]
    before = audit_count(acme_with_reps)
    result = ai.commit_adjustments(acme_with_reps, plan)
    assert (result.added, result.updated, result.unchanged, result.rejected) == (5, 0, 0, 0)
    assert {(a.external_id, a.amount) for a in stored(acme_with_reps)} == {
        (p.external_id, p.amount) for p in plan.added
    }
    # One audit entry per adjustment, as a single save makes it, and one for the file.
    with acme_with_reps.session() as s:
        entries = s.scalars(select(AuditRow).where(AuditRow.id > before)).all()
    assert [(e.action, e.entity) for e in entries] == [("create", "adjustment")] * 5 + [
        ("import", "adjustments")
    ]
    assert "bulk.csv" in entries[-1].new and "5 added" in entries[-1].new
    # The engine pays them: Ana's March earnings are 250 - 100.
    ana_march = next(s for s in periods.compute(acme_with_reps, MARCH) if s.rep_id == ana)
    assert ana_march.earnings == Decimal("150.00")


def test_the_same_file_twice_writes_nothing_at_all(
    acme_with_reps: CompanyFile, tmp_path: Path
) -> None:
    ai.commit_adjustments(acme_with_reps, ai.plan_adjustments(acme_with_reps, DATA / "bulk.csv"))
    again = ai.plan_adjustments(acme_with_reps, DATA / "bulk.csv")
    assert again.summary == "5 unchanged" and again.changes == 0
    path = acme_with_reps.path
    acme_with_reps.close()
    before = path.read_bytes()
    cf = CompanyFile.open(path)
    try:
        result = ai.commit_adjustments(cf, ai.plan_adjustments(cf, DATA / "bulk.csv"))
    finally:
        cf.close()
    assert not result.changed and result.unchanged == 5
    assert path.read_bytes() == before


def test_a_file_without_an_id_column_gets_stable_ids(acme_with_reps: CompanyFile) -> None:
    plan = ai.plan_adjustments(acme_with_reps, DATA / "no_id.csv")
    assert plan.derived_ids and len(plan.added) == 2
    ids = [p.external_id for p in plan.added]
    assert all(i.startswith(ai.DERIVED_PREFIX) for i in ids) and len(set(ids)) == 2
    ai.commit_adjustments(acme_with_reps, plan)
    again = ai.plan_adjustments(acme_with_reps, DATA / "no_id.csv")
    assert [u.external_id for u in again.unchanged] == ids and not again.added


def test_two_identical_rows_without_ids_are_one_adjustment_entered_twice(
    acme_with_reps: CompanyFile, tmp_path: Path
) -> None:
    path = csv(
        tmp_path, "Rep,Month,Amount,Reason\nAna Lee,2026-03,50,Lunch\nana lee,2026-03,50,lunch\n"
    )
    plan = ai.plan_adjustments(acme_with_reps, path)
    assert len(plan.added) == 1 and reasons(plan) == {3: "duplicate"}
    assert "row 2" in plan.rejected[0].reason


def test_an_id_seen_again_updates_what_changed(acme_with_reps: CompanyFile, tmp_path: Path) -> None:
    first = csv(
        tmp_path,
        "ID,Rep,Month,Amount,Reason\nA-1,Ana Lee,2026-03,100,Bonus\nA-2,Bo Chen,2026-03,5,Coffee\n",
    )
    ai.commit_adjustments(acme_with_reps, ai.plan_adjustments(acme_with_reps, first))
    second = csv(
        tmp_path,
        "ID,Rep,Month,Amount,Reason\n"
        "A-1,Bo Chen,2026-04,150,Bonus (corrected)\n"
        "A-2,Bo Chen,2026-03,5,Coffee\n",
        "second.csv",
    )
    plan = ai.plan_adjustments(acme_with_reps, second)
    assert [u.external_id for u in plan.unchanged] == ["A-2"]
    (update,) = plan.updated
    assert [(c.field, c.old, c.new) for c in update.changes] == [
        ("rep", "Ana Lee", "Bo Chen"),
        ("month", "2026-03", "2026-04"),
        ("amount", "100.00", "150.00"),
        ("reason", "Bonus", "Bonus (corrected)"),
    ]
    before = audit_count(acme_with_reps)
    ai.commit_adjustments(acme_with_reps, plan)
    (a1,) = [a for a in stored(acme_with_reps) if a.external_id == "A-1"]
    assert (a1.rep_id, a1.month, a1.amount) == (
        rep_id(acme_with_reps, "Bo Chen"),
        Month(2026, 4),
        Decimal("150.00"),
    )
    with acme_with_reps.session() as s:
        fields = s.scalars(select(AuditRow.field).where(AuditRow.id > before)).all()
    assert fields == ["rep_id", "month", "amount", "reason", ""]  # per field, then the file


@pytest.mark.parametrize(
    ("row", "code", "said"),
    [
        ("A-9,Nobody,2026-03,10,Who", "rep_unknown", 'no rep goes by "Nobody"'),
        ("A-9,jo park,2026-03,10,Who", "rep_ambiguous", "two reps or more go by"),
        ("A-9,,2026-03,10,Who", "rep_missing", "there is no rep"),
        ("A-9,Ana Lee,2026-03,0,Nothing", "amount_zero", "the amount is zero"),
        ("A-9,Ana Lee,2026-03,$0.00,Nothing", "amount_zero", "the amount is zero"),
        ("A-9,Ana Lee,2026-03,ten,Words", "amount_not_number", "is not a number"),
        ('A-9,Ana Lee,2026-03,"1,000.125",Too fine', "amount_precision", "more than two decimals"),
        ("A-9,Ana Lee,2026-03,€10,Euros", "currency", "the company's amounts are in USD"),
        ("A-9,Ana Lee,13/2026,10,Bad", "month_not_month", "there is no month 13"),
        ("A-9,Ana Lee,someday,10,Bad", "month_not_month", "is not a month"),
        ("A-9,Ana Lee,,10,Bad", "month_missing", "there is no month"),
        ("A-9,Ana Lee,03/04/2026,10,Which", "month_ambiguous", "reads two ways"),
        ("A-9,Ana Lee,2026-03,10,", "reason_missing", "needs a reason"),
        (",Ana Lee,2026-03,10,No id", "id_missing", "there is no id"),
    ],
)
def test_a_row_that_cannot_be_an_adjustment_is_rejected_saying_why(
    acme_with_reps: CompanyFile, tmp_path: Path, row: str, code: str, said: str
) -> None:
    path = csv(tmp_path, f"ID,Rep,Month,Amount,Reason\nA-1,Ana Lee,2026-03,10,Fine\n{row}\n")
    plan = ai.plan_adjustments(acme_with_reps, path)
    assert [p.external_id for p in plan.added] == ["A-1"]
    (rejected,) = plan.rejected
    assert (rejected.row, rejected.line, rejected.code) == (3, 3, code)
    assert said in rejected.reason


def test_a_date_that_reads_two_ways_follows_the_files_other_dates(
    acme_with_reps: CompanyFile, tmp_path: Path
) -> None:
    path = csv(
        tmp_path,
        "ID,Rep,Month,Amount,Reason\nA-1,Ana Lee,25/03/2026,10,a\nA-2,Ana Lee,03/04/2026,10,b\n",
    )
    plan = ai.plan_adjustments(acme_with_reps, path)
    assert [p.month for p in plan.added] == [MARCH, Month(2026, 4)]  # day first, as row 2 proves


def test_a_duplicate_id_in_the_file_is_read_once(
    acme_with_reps: CompanyFile, tmp_path: Path
) -> None:
    path = csv(
        tmp_path, "ID,Rep,Month,Amount,Reason\nA-1,Ana Lee,2026-03,10,a\nA-1,Bo Chen,2026-03,20,b\n"
    )
    plan = ai.plan_adjustments(acme_with_reps, path)
    assert [(p.external_id, p.amount) for p in plan.added] == [("A-1", Decimal("10.00"))]
    assert reasons(plan) == {3: "duplicate_id"}
    assert "row 2 already" in plan.rejected[0].reason


def test_closed_months_are_left_alone(acme_with_reps: CompanyFile, tmp_path: Path) -> None:
    ai.commit_adjustments(
        acme_with_reps,
        ai.plan_adjustments(
            acme_with_reps,
            csv(
                tmp_path, "ID,Rep,Month,Amount,Reason\nA-1,Ana Lee,2026-01,10,January\n", "jan.csv"
            ),
        ),
    )
    periods.close(acme_with_reps, Month(2026, 1), backup_dir=tmp_path / "backups")
    path = csv(
        tmp_path,
        "ID,Rep,Month,Amount,Reason\n"
        "A-1,Ana Lee,2026-01,10,January\n"  # as imported before the close: unchanged
        "A-2,Ana Lee,2026-01,20,Late\n"  # a new one in the closed month
        "A-3,Ana Lee,2026-02,30,Open month\n",
    )
    plan = ai.plan_adjustments(acme_with_reps, path)
    assert [u.external_id for u in plan.unchanged] == ["A-1"]
    assert [p.external_id for p in plan.added] == ["A-3"]
    assert reasons(plan) == {3: "month_closed"}
    assert "January 2026 is closed" in plan.rejected[0].reason
    # Changing the one stored in the closed month is refused too.
    moved = csv(
        tmp_path, "ID,Rep,Month,Amount,Reason\nA-1,Ana Lee,2026-02,10,January\n", "moved.csv"
    )
    plan = ai.plan_adjustments(acme_with_reps, moved)
    assert reasons(plan) == {2: "month_closed"} and "a closed month" in plan.rejected[0].reason


def test_a_month_before_the_books_start_is_rejected(tmp_path: Path) -> None:
    cf = records.create_company_file(
        tmp_path / "books.icmdesk", Company("Books Ltd", books_start=Month(2026, 2))
    )
    try:
        records.save_rep(cf, Rep("Ana Lee", date(2025, 1, 1)))
        path = csv(
            tmp_path, "Rep,Month,Amount,Reason\nAna Lee,2026-01,10,Early\nAna Lee,2026-02,10,Fine\n"
        )
        plan = ai.plan_adjustments(cf, path)
        assert reasons(plan) == {2: "before_books_start"} and len(plan.added) == 1
    finally:
        cf.close()


@pytest.mark.parametrize(
    ("name", "code"),
    [
        ("empty.csv", "empty"),
        ("binary.csv", "binary"),
        ("header_only.csv", "header_only"),
        ("wrong_columns.csv", "columns"),
        ("bad_encoding.csv", "encoding"),
        ("missing.csv", "missing"),
    ],
)
def test_a_malformed_file_is_refused_whole_and_the_company_file_stays_as_it_was(
    acme_with_reps: CompanyFile, name: str, code: str
) -> None:
    path = acme_with_reps.path
    audits = audit_count(acme_with_reps)
    acme_with_reps.close()
    before = path.read_bytes()
    cf = CompanyFile.open(path)
    try:
        with pytest.raises(FileRefused) as refused:
            ai.plan_adjustments(cf, DATA / name)
        assert audit_count(cf) == audits
    finally:
        cf.close()
    assert refused.value.code == code
    assert name in refused.value.message
    assert path.read_bytes() == before


def test_wrong_columns_says_what_is_needed(acme_with_reps: CompanyFile) -> None:
    with pytest.raises(FileRefused) as refused:
        ai.plan_adjustments(acme_with_reps, DATA / "wrong_columns.csv")
    assert "no Rep, Month and Reason column" in refused.value.message
    assert "Rep, Month, Amount and Reason" in refused.value.message


def test_a_plan_made_before_another_edit_is_refused(acme_with_reps: CompanyFile) -> None:
    plan = ai.plan_adjustments(acme_with_reps, DATA / "bulk.csv")
    records.save_rep(acme_with_reps, Rep("Dee Late", date(2026, 1, 5)))
    with pytest.raises(StalePlan):
        ai.commit_adjustments(acme_with_reps, plan)
    assert stored(acme_with_reps) == []


def test_progress_is_reported_on_a_long_file(acme_with_reps: CompanyFile, tmp_path: Path) -> None:
    rows = "".join(f"A-{i},Ana Lee,2026-03,{i},Row {i}\n" for i in range(1, 5001))
    path = csv(tmp_path, "ID,Rep,Month,Amount,Reason\n" + rows)
    seen: list[tuple[int, int, str]] = []
    plan = ai.plan_adjustments(
        acme_with_reps, path, progress=lambda d, t, w: seen.append((d, t, w))
    )
    assert len(plan.added) == 5000 and seen and seen[-1][0] == seen[-1][1]
    with pytest.raises(ai.Cancelled):
        ai.plan_adjustments(acme_with_reps, path, cancelled=lambda: True)
    ai.commit_adjustments(acme_with_reps, plan)
    assert len(stored(acme_with_reps)) == 5000


def test_an_adjustment_is_entered_in_an_open_month_only(
    acme_with_reps: CompanyFile, tmp_path: Path
) -> None:
    ana = rep_id(acme_with_reps, "Ana Lee")
    jan = ai.save_adjustment(
        acme_with_reps, Adjustment(ana, Month(2026, 1), Decimal("10.00"), "January")
    )
    feb = ai.save_adjustment(
        acme_with_reps, Adjustment(ana, Month(2026, 2), Decimal("-5.00"), "February")
    )
    assert ai.adjustments_of(acme_with_reps, ana, Month(2026, 2)) == (feb,)
    periods.close(acme_with_reps, Month(2026, 1), backup_dir=tmp_path / "backups")
    assert "January 2026 is closed" in ai.entry_problem(acme_with_reps, Month(2026, 1))
    assert ai.entry_problem(acme_with_reps, Month(2026, 2)) == ""
    with pytest.raises(ValidationError) as refused:
        ai.save_adjustment(acme_with_reps, Adjustment(ana, Month(2026, 1), Decimal("1.00"), "Late"))
    assert refused.value.problems[0].field == "month"
    with pytest.raises(ValidationError):
        ai.save_adjustment(
            acme_with_reps, Adjustment(ana, Month(2026, 2), jan.amount, jan.reason, id=jan.id)
        )
    with pytest.raises(ValidationError):
        ai.delete_adjustment(acme_with_reps, jan.id)
    # An open month's adjustment: edited, then deleted, each audited.
    edited = ai.save_adjustment(
        acme_with_reps, Adjustment(ana, Month(2026, 2), Decimal("-7.00"), "Fixed", id=feb.id)
    )
    assert edited.amount == Decimal("-7.00")
    with pytest.raises(ValidationError) as zero:
        ai.save_adjustment(
            acme_with_reps, Adjustment(ana, Month(2026, 2), Decimal("0"), "", id=feb.id)
        )
    assert {p.field for p in zero.value.problems} == {"amount", "reason"}
    assert ai.delete_adjustment(acme_with_reps, feb.id) == edited
    assert ai.adjustments_of(acme_with_reps, ana, Month(2026, 2)) == ()
    with acme_with_reps.session() as s:
        actions = s.scalars(
            select(AuditRow.action).where(
                AuditRow.entity == "adjustment", AuditRow.entity_id == str(feb.id)
            )
        ).all()
    assert actions == ["create", "update", "update", "delete"]


def test_records_deletes_an_adjustment(acme_with_reps: CompanyFile) -> None:
    adj = records.save_adjustment(
        acme_with_reps, Adjustment(rep_id(acme_with_reps, "Ana Lee"), MARCH, Decimal("1.00"), "x")
    )
    assert records.delete_adjustment(acme_with_reps, adj.id) == adj
    assert stored(acme_with_reps) == []
