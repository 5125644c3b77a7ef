"""The reps table's query: names instead of ids, the plan in force on a day."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from icmdesk.domain.entities import Assignment, Company, Plan, PlanVersion, Rep, Role, Tier
from icmdesk.domain.money import D
from icmdesk.services import records
from icmdesk.services.rep_table import rep_rows


def test_reps_come_by_name_with_role_manager_and_plan_in_force(tmp_path: Path) -> None:
    cf = records.create_company_file(tmp_path / "acme.icmdesk", Company("Acme Ltd"))
    flat = PlanVersion(date(2026, 1, 1), (Tier(D(0), D(5)),))
    a = records.save_plan(cf, Plan("Flat A", (flat,)))
    b = records.save_plan(cf, Plan("Flat B", (flat,)))
    ae = records.save_role(cf, Role("Account Executive"))
    boss = records.save_rep(cf, Rep("Zed Boss", date(2026, 1, 1), role_id=ae.id))
    ana = records.save_rep(
        cf,
        Rep("Ana Lee", date(2026, 1, 5), email="ana@acme.test", payroll_id="P-1",
            role_id=ae.id, manager_id=boss.id, termination_date=date(2026, 9, 30)),
    )  # fmt: skip
    records.save_assignment(cf, Assignment(ana.id, a.id, date(2026, 1, 5), date(2026, 5, 31)))
    records.save_assignment(cf, Assignment(ana.id, b.id, date(2026, 6, 1)))

    rows = rep_rows(cf, on=date(2026, 3, 1))
    assert [r.name for r in rows] == ["Ana Lee", "Zed Boss"]
    first = rows[0]
    assert (first.role, first.manager, first.plan) == ("Account Executive", "Zed Boss", "Flat A")
    assert (first.email, first.payroll_id, first.id) == ("ana@acme.test", "P-1", ana.id)
    assert (first.hire_date, first.termination_date) == (date(2026, 1, 5), date(2026, 9, 30))
    assert (rows[1].manager, rows[1].plan) == ("", "")
    assert rep_rows(cf, on=date(2026, 6, 1))[0].plan == "Flat B"
    assert rep_rows(cf, on=date(2026, 1, 1))[0].plan == ""
    assert first.active_on(date(2026, 9, 30)) and not first.active_on(date(2026, 10, 1))
    cf.close()
