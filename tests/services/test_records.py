"""Every entity through the services and the database: stored exactly, validated, audited."""

from __future__ import annotations

import dataclasses
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from sqlalchemy import func, select

from icmdesk.domain.calendar import Month, QuotaPeriod
from icmdesk.domain.entities import (
    Adjustment,
    Assignment,
    AttainmentBonus,
    ClawbackMethod,
    ClawbackPolicy,
    Company,
    Credit,
    Deal,
    DealTypeMultiplier,
    Draw,
    DrawKind,
    OverrideScope,
    PageSize,
    Payment,
    PayoutTrigger,
    Plan,
    PlanVersion,
    Rep,
    Role,
    Spif,
    Tier,
    TierMode,
)
from icmdesk.domain.errors import NotFoundError, ValidationError
from icmdesk.domain.money import D
from icmdesk.models.database import CompanyFile
from icmdesk.models.tables import AuditRow, DealRow, RepRow
from icmdesk.services import periods, records
from icmdesk.services.store import load_company_data

TIERED = PlanVersion(
    effective_from=date(2026, 1, 1),
    tiers=(Tier(D(0), D(6)), Tier(D(100), D("8.5")), Tier(D(125), D(10))),
    quota_period=QuotaPeriod.QUARTER,
    quota=D("375000.00"),
    tier_mode=TierMode.RETROACTIVE,
    cap=D("50000.00"),
    multipliers=(DealTypeMultiplier("renewal", D(50)),),
    bonuses=(AttainmentBonus(D(100), D("1000.00")),),
    spifs=(
        Spif("Q1 push", D("250.00"), date(2026, 1, 1), date(2026, 3, 31), D("25000.00"), ("new",)),
    ),
    override_rate_pct=D(3),
    override_scope=OverrideScope.TREE,
    payout_trigger=PayoutTrigger.CASH,
    clawback_policy=ClawbackPolicy(120, ClawbackMethod.PRORATED),
)


@pytest.fixture
def team(cf: CompanyFile) -> dict[str, object]:
    plan = records.save_plan(cf, Plan("AE Plan", (TIERED,)))
    role = records.save_role(cf, Role("Account Executive", plan.id))
    boss = records.save_rep(
        cf,
        Rep(
            "Maya Chen",
            date(2025, 1, 6),
            email="maya@acme.test",
            payroll_id="P-001",
            role_id=role.id,
        ),
    )
    ana = records.save_rep(
        cf,
        Rep(
            "Zoë O'Brien",
            date(2026, 1, 5),
            email="zoe@acme.test",
            payroll_id="P-002",
            role_id=role.id,
            manager_id=boss.id,
        ),
    )
    for rep in (boss, ana):
        records.save_assignment(cf, Assignment(rep.id, plan.id, date(2026, 1, 1)))
    return {"plan": plan, "role": role, "boss": boss, "ana": ana}


def test_every_entity_round_trips_exactly(cf: CompanyFile, team: dict) -> None:
    plan, role, boss, ana = team["plan"], team["role"], team["boss"], team["ana"]
    assert records.get_plan(cf, plan.id) == dataclasses.replace(
        plan, versions=(dataclasses.replace(TIERED, id=plan.versions[0].id),)
    )
    assert records.get_role(cf, role.id) == Role("Account Executive", plan.id, id=role.id)
    assert records.get_rep(cf, ana.id).manager_id == boss.id
    assert records.get_rep(cf, ana.id).name == "Zoë O'Brien"

    a = records.save_assignment(
        cf,
        Assignment(
            ana.id,
            plan.id,
            date(2025, 6, 1),
            date(2025, 12, 31),
            D("90000.00"),
            Draw(D("1500.00"), DrawKind.RECOVERABLE, Month(2025, 6), Month(2025, 12), D("50")),
        ),
    )
    assert records.get_assignment(cf, a.id) == a
    assert a.draw is not None and a.draw.max_recovery_pct == Decimal("50")

    deal = records.save_deal(
        cf,
        Deal(
            "D-1042",
            "Globex <Intl> & Co",
            D("100000.09"),
            date(2026, 2, 14),
            "new",
            (Credit(ana.id, D(60)), Credit(boss.id, D(40))),
            (Payment(date(2026, 3, 1), D("25000.00")),),
            date(2026, 4, 1),
            "Customer went bankrupt",
        ),
    )
    assert records.get_deal(cf, deal.id) == deal
    assert records.find_deal(cf, "D-1042") == deal

    adj = records.save_adjustment(cf, Adjustment(ana.id, Month(2026, 2), D("-125.50"), "Laptop"))
    assert records.get_adjustment(cf, adj.id) == adj

    company = Company(
        "Acme Ltd",
        "1 Main St\nSpringfield",
        "USD",
        4,
        ClawbackPolicy(60, ClawbackMethod.PRORATED),
        True,
        ("services",),
        PageSize.A4,
        "Questions? Ask Pat.",
        b"\x89PNG\r\n\x1a\n" + bytes(32),
    )
    assert records.update_company(cf, company) == company
    assert records.get_company(cf) == company


def test_updates_and_deletes_are_audited(cf: CompanyFile, team: dict) -> None:
    ana = team["ana"]
    records.save_rep(cf, dataclasses.replace(ana, email="zoe.obrien@acme.test"))
    deal = records.save_deal(
        cf,
        Deal("D-7", "Initech", D("500.00"), date(2026, 1, 20), credits=(Credit(ana.id, D(100)),)),
    )
    records.delete_deal(cf, deal.id)
    with cf.session() as s:
        rows = s.scalars(select(AuditRow).order_by(AuditRow.id)).all()
        entries = [(r.action, r.entity, r.field, r.old, r.new) for r in rows]
    assert ("update", "rep", "email", "zoe@acme.test", "zoe.obrien@acme.test") in entries
    assert any(e[:2] == ("create", "deal") and "D-7" in e[4] for e in entries)
    assert any(e[:2] == ("delete", "deal") and "Initech" in e[3] for e in entries)
    assert [e[1] for e in entries].count("rep") == 3  # two creates and one update


@pytest.mark.parametrize(
    ("change", "field", "message"),
    [
        (dict(manager_id="self"), "manager_id", "own manager"),
        (dict(termination_date=date(2025, 1, 1)), "termination_date", "before the hire date"),
        (dict(name=" "), "name", ""),
    ],
)
def test_invalid_rep_is_refused_and_nothing_saved(
    cf: CompanyFile, team: dict, change: dict, field: str, message: str
) -> None:
    ana = team["ana"]
    if change.get("manager_id") == "self":
        change = dict(manager_id=ana.id)
    with pytest.raises(ValidationError) as e:
        records.save_rep(cf, dataclasses.replace(ana, **change))
    assert any(p.field == field and message in p.message for p in e.value.problems)
    assert records.get_rep(cf, ana.id) == ana


def test_manager_cycle_is_refused(cf: CompanyFile, team: dict) -> None:
    boss, ana = team["boss"], team["ana"]
    with pytest.raises(ValidationError, match=r"cycle|manages|loop"):
        records.save_rep(cf, dataclasses.replace(boss, manager_id=ana.id))


def test_overlapping_assignment_is_refused(cf: CompanyFile, team: dict) -> None:
    with pytest.raises(ValidationError, match="overlap"):
        records.save_assignment(cf, Assignment(team["ana"].id, team["plan"].id, date(2026, 6, 1)))


def test_deal_problems_are_reported_together(cf: CompanyFile, team: dict) -> None:
    ana, boss = team["ana"], team["boss"]
    bad = Deal(
        "D-9",
        "Hooli",
        D("100.00"),
        date(2026, 2, 1),
        credits=(Credit(ana.id, D(0)), Credit(boss.id, D(50))),
        payments=(Payment(date(2026, 2, 2), D("-150.00")),),
        cancellation_date=date(2026, 1, 1),
        cancellation_reason="x",
    )
    with pytest.raises(ValidationError) as e:
        records.save_deal(cf, bad, currency="EUR")
    text = " | ".join(p.message for p in e.value.problems)
    assert len(e.value.problems) >= 4
    for fragment in ("EUR", "before", "0%", "Payment 1"):
        assert fragment in text
    with cf.session() as s:
        assert s.scalar(select(func.count()).select_from(DealRow)) == 0


def test_duplicate_external_id_is_refused(cf: CompanyFile, team: dict) -> None:
    deal = Deal(
        "D-1", "Acme", D("10.00"), date(2026, 2, 1), credits=(Credit(team["ana"].id, D(100)),)
    )
    records.save_deal(cf, deal)
    with pytest.raises(ValidationError, match="D-1"):
        records.save_deal(cf, dataclasses.replace(deal, customer="Other"))


def test_deleting_a_rep_with_deals_is_refused_with_a_message(cf: CompanyFile, team: dict) -> None:
    ana = team["ana"]
    records.save_deal(
        cf, Deal("D-1", "Acme", D("10.00"), date(2026, 2, 1), credits=(Credit(ana.id, D(100)),))
    )
    with pytest.raises(ValidationError) as refused:
        records.delete_rep(cf, ana.id)
    assert [p.message for p in refused.value.problems] == [
        "Zoë O'Brien is credited on 1 deal: a rep with a history cannot be deleted. A rep "
        "who left keeps it: set a termination date instead."
    ]
    with cf.session() as s:
        assert s.get(RepRow, ana.id) is not None


def test_missing_records(cf: CompanyFile) -> None:
    with pytest.raises(NotFoundError):
        records.get_rep(cf, 99)
    with pytest.raises(NotFoundError):
        records.delete_plan(cf, 99)


def test_new_plan_version_keeps_the_old_one(cf: CompanyFile, team: dict) -> None:
    plan = team["plan"]
    v2 = dataclasses.replace(TIERED, effective_from=date(2026, 7, 1), quota=D("400000.00"))
    updated = records.add_plan_version(cf, plan.id, v2)
    assert [v.effective_from for v in updated.versions] == [date(2026, 1, 1), date(2026, 7, 1)]
    assert updated.versions[0] == plan.versions[0]


def test_currency_and_books_start_change_only_while_no_month_is_closed(
    cf: CompanyFile, team: dict, tmp_path: Path
) -> None:
    records.save_deal(
        cf,
        Deal(
            "D-1", "Acme", D("10.00"), date(2026, 2, 1), credits=(Credit(team["ana"].id, D(100)),)
        ),
    )
    # A typo in the wizard is mended while nothing is closed, deals or not.
    records.update_company(cf, Company("Acme Ltd", currency="EUR"))
    with pytest.raises(ValidationError, match="not the ISO 4217 code"):
        records.update_company(cf, Company("Acme Ltd", currency="DOL"))
    records.update_company(cf, Company("Acme Ltd", currency="USD", books_start=Month(2026, 1)))
    periods.close(cf, Month(2026, 1), backup_dir=tmp_path / "b")
    with pytest.raises(ValidationError) as e:
        records.update_company(cf, Company("Acme Ltd", currency="EUR", books_start=Month(2026, 2)))
    assert [p.message for p in e.value.problems] == [
        "The currency cannot change once a month is closed (2026-01 is).",
        "The books start cannot change once a month is closed (2026-01 is).",
    ]
    assert records.get_company(cf).currency == "USD"


def test_load_company_data_orders_deals_for_the_engine(cf: CompanyFile, team: dict) -> None:
    ana = team["ana"]
    for ext, day in (("B", 3), ("A", 3), ("C", 1)):
        records.save_deal(
            cf, Deal(ext, "X", D("1.00"), date(2026, 2, day), credits=(Credit(ana.id, D(100)),))
        )
    with cf.session() as s:
        data = load_company_data(s)
    assert [d.external_id for d in data.deals] == ["C", "A", "B"]


def test_find_deal_and_related_deals_are_filtered(cf: CompanyFile, team: dict) -> None:
    ana, boss = team["ana"], team["boss"]
    for ext, rep in (("D-1", boss), ("D-2", ana), ("D-3", boss)):
        records.save_deal(
            cf,
            Deal(
                ext,
                f"Customer {ext}",
                D("10.00"),
                date(2026, 2, 1),
                credits=(Credit(rep.id, D(100)),),
            ),
        )
    found = records.find_deal(cf, "D-2")
    assert found is not None and found.customer == "Customer D-2"
    assert records.find_deal(cf, "D-9") is None
    with cf.session() as s:
        from icmdesk.services.records import _deals_of_rep

        assert [d.external_id for d in _deals_of_rep(s, ana.id)] == ["D-2"]


def test_a_refused_delete_leaves_nothing_for_the_garbage_collector(
    cf: CompanyFile, team: dict
) -> None:
    """SQLAlchemy's IntegrityError sits in reference cycles, and the frames of its traceback
    hold every caller's frame and locals: kept, they left the caller's objects (a view and its
    widgets) to be freed whenever the cyclic collector ran, at any allocation, on any thread,
    mid-paint (the TierChart segfault). A refusal is freed as soon as the caller lets go."""
    import gc
    import types
    import weakref

    class Held:  # what a caller holds while it asks: the plans view, say
        pass

    def caller(held: Held) -> ValidationError:
        try:
            records.delete_plan(cf, team["plan"].id)  # type: ignore[attr-defined]
        except ValidationError as e:
            return e
        raise AssertionError("the plan in use was deleted")

    gc.collect()
    gc.disable()
    try:
        held = Held()
        ref = weakref.ref(held)
        error = caller(held)
        assert "other records still refer to it" in error.problems[0].message
        del held, error
        assert ref() is None, "the refusal kept its caller's frame alive"
        # What the cycles hold, if any: no frame, traceback or exception of the refusal.
        # (Other cycles may be collectable garbage of earlier tests and threads; what
        # crashed painting was frames and their locals, kept by the exception.)
        gc.set_debug(gc.DEBUG_SAVEALL)
        gc.collect()
        kept = [
            o
            for o in gc.garbage
            if isinstance(o, types.FrameType | types.TracebackType | BaseException)
        ]
        assert not kept, f"the refusal left {len(kept)} frames or exceptions in cycles"
    finally:
        gc.set_debug(0)
        gc.garbage.clear()
        gc.enable()
