"""The company files the whole suite shares (registered as a plugin by tests/conftest.py).

`acme` is an empty company; `demo` is the demo company, written once per session and
copied for each test (a copy takes milliseconds, writing it a quarter of a second).
A module that needs more data builds it on `acme` under a name that says what it adds.
"""

from __future__ import annotations

import shutil
import sys
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest

from icmdesk.domain.entities import Assignment, Company, Credit, Deal, Plan, PlanVersion, Rep, Tier
from icmdesk.domain.money import D
from icmdesk.models.database import CompanyFile
from icmdesk.services import company_io, plan_edit, records
from icmdesk.services.store import insert_deals


def _close(cf: CompanyFile) -> None:
    """Close `cf` once no worker of a GUI test still reads it (Qt is only touched when a
    GUI test has loaded it, so the core runs without it)."""
    if "PySide6.QtCore" in sys.modules:
        from PySide6.QtCore import QThreadPool

        QThreadPool.globalInstance().waitForDone()
    cf.close()


@pytest.fixture
def acme(tmp_path: Path) -> Iterator[CompanyFile]:
    """An empty company file, "Acme Ltd"."""
    cf = records.create_company_file(tmp_path / "acme.icmdesk", Company("Acme Ltd"))
    yield cf
    _close(cf)


@pytest.fixture(scope="session")
def demo_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The demo company's file, written once for the session: copy it or read it, never
    write to it."""
    path = tmp_path_factory.mktemp("demo-template") / "demo.icmdesk"
    company_io.write_demo(path).close()
    return path


@pytest.fixture
def demo_path(demo_template: Path, tmp_path: Path) -> Path:
    """A copy of the demo company's file of the test's own, for tests that open it
    themselves or through the command line."""
    path = tmp_path / "demo.icmdesk"
    shutil.copyfile(demo_template, path)
    return path


@pytest.fixture
def demo(demo_path: Path) -> Iterator[CompanyFile]:
    """The demo company, in a file of the test's own."""
    cf = CompanyFile.open(demo_path)
    yield cf
    _close(cf)


@pytest.fixture
def acme_split_deal(acme: CompanyFile) -> CompanyFile:
    """Ana Lee and Bo Chen on a flat 10% plan, and one deal, D-1 (Globex, $10,000 closed
    2026-01-10), credited 60/40 between them."""
    plan = records.save_plan(
        acme, Plan("Flat 10%", (PlanVersion(date(2026, 1, 1), (Tier(D(0), D(10)),)),))
    )
    ana = records.save_rep(acme, Rep("Ana Lee", date(2026, 1, 1)))
    bo = records.save_rep(acme, Rep("Bo Chen", date(2026, 1, 1)))
    for rep in (ana, bo):
        records.save_assignment(acme, Assignment(rep.id, plan.id, date(2026, 1, 1)))
    records.save_deal(
        acme,
        Deal("D-1", "Globex", D("10000.00"), date(2026, 1, 10),
             credits=(Credit(ana.id, D(60)), Credit(bo.id, D(40)))),
    )  # fmt: skip
    return acme


# Four deals whose orders all disagree: by id (the order they were saved in), by external
# id, by close date, by amount and by customer, ascending or descending, no two of these
# ten orders are the same (tests/services/test_deal_table.py checks it). A sort that is
# broken, ignored or keyed on the wrong column cannot give the expected rows by accident.
#
#   saved      D-3            D-1            D-2               X-9
#   close      2026-02-01     2026-03-05     2026-01-10        2026-01-20
#   amount     1,500.50       900.00         1,500.50 (a tie)  12.34
#   customer   Globex         Acme Robotics  Initech 50%_off   acme corp
SHUFFLED_BY_ID = ["D-3", "D-1", "D-2", "X-9"]
SHUFFLED_BY_EXTERNAL_ID = ["D-1", "D-2", "D-3", "X-9"]
SHUFFLED_BY_CLOSE_DATE = ["D-2", "X-9", "D-3", "D-1"]
SHUFFLED_BY_AMOUNT = ["X-9", "D-1", "D-3", "D-2"]  # the tie in the order saved
SHUFFLED_BY_CUSTOMER = ["D-1", "D-3", "D-2", "X-9"]  # SQLite's binary collation


@pytest.fixture
def acme_shuffled_deals(acme: CompanyFile) -> CompanyFile:
    """Ana Lee and Bo Chen and the four deals above, saved in that order."""
    ana = records.save_rep(acme, Rep("Ana Lee", date(2026, 1, 1)))
    bo = records.save_rep(acme, Rep("Bo Chen", date(2026, 1, 1)))
    deals = [
        Deal("D-3", "Globex", D("1500.50"), date(2026, 2, 1), credits=(Credit(ana.id, D(100)),)),
        Deal("D-1", "Acme Robotics", D("900.00"), date(2026, 3, 5),
             credits=(Credit(ana.id, D(60)), Credit(bo.id, D(40)))),
        Deal("D-2", "Initech 50%_off", D("1500.50"), date(2026, 1, 10), deal_type="renewal",
             cancellation_date=date(2026, 3, 1), cancellation_reason="churned"),
        Deal("X-9", "acme corp", D("12.34"), date(2026, 1, 20), credits=(Credit(bo.id, D(100)),)),
    ]  # fmt: skip
    with acme.session() as s:
        insert_deals(s, deals)
    return acme


@pytest.fixture
def acme_ana_from_january(acme: CompanyFile) -> CompanyFile:
    """Ana Lee (hired 2025-11-01) on a flat 10% plan from 2026-01-01, with a deal in
    January and one in February; no month closed."""
    plan = records.save_plan(
        acme, Plan("Flat 10%", (PlanVersion(date(2025, 11, 1), (Tier(D(0), D(10)),)),))
    )
    ana = records.save_rep(acme, Rep("Ana Lee", date(2025, 11, 1)))
    records.save_assignment(acme, Assignment(ana.id, plan.id, date(2026, 1, 1)))
    for external_id, day in (("D-1", date(2026, 1, 20)), ("D-2", date(2026, 2, 10))):
        records.save_deal(
            acme,
            Deal(external_id, "Globex", D("1000.00"), day, credits=(Credit(ana.id, D(100)),)),
        )
    return acme


def save_version(
    cf: CompanyFile, plan_id: int, version: PlanVersion, *, name: str | None = None
) -> tuple[Plan, PlanVersion]:
    """What the Plans view's Save does with one version's terms (services.plan_edit): the
    plan as stored and the version as saved."""
    stored = records.get_plan(cf, plan_id)
    edit = plan_edit.PlanEdit(
        plan_id=plan_id, name=stored.name if name is None else name, version=version
    )
    saved = plan_edit.save_plan_edit(cf, edit)
    return saved.plan, saved.version
