"""Correcting history to the cent (issue 10): data dated before the first close, months
closed in order, back-dated plan versions, cancellations dated in closed months, draws
after their assignment, payments above the deal amount — each worked by hand through the
services, as the office would do it."""

from __future__ import annotations

import dataclasses
from datetime import date
from pathlib import Path

import pytest

from icmdesk.cli import main
from icmdesk.domain.calendar import Month
from icmdesk.domain.entities import (
    Adjustment,
    Assignment,
    ClawbackMethod,
    ClawbackPolicy,
    Credit,
    Deal,
    Draw,
    DrawKind,
    Payment,
    PayoutTrigger,
    PeriodStatus,
    Plan,
    PlanVersion,
    Rep,
    Tier,
)
from icmdesk.domain.errors import PeriodError, ValidationError
from icmdesk.domain.money import D
from icmdesk.domain.statement import Statement
from icmdesk.models.database import CompanyFile
from icmdesk.services import cancellation, choices, periods, records
from tests.fixtures import save_version


def flat(rate: str, start: date, **options: object) -> PlanVersion:
    return PlanVersion(start, (Tier(D(0), D(rate)),), **options)  # type: ignore[arg-type]


def close(cf: CompanyFile, *months: str) -> None:
    for m in months:
        periods.close(cf, Month.parse(m), backup_dir=cf.path.parent / "Backups")


def statement(cf: CompanyFile, month: str, rep: Rep) -> Statement:
    (found,) = [s for s in periods.compute(cf, Month.parse(month)) if s.rep_id == rep.id]
    return found


def lines(s: Statement) -> list[tuple[str, str]]:
    return [(line.kind.value, str(line.amount)) for line in s.lines]


def ana_on(cf: CompanyFile, version: PlanVersion, hired: date) -> tuple[Rep, Plan]:
    plan = records.save_plan(cf, Plan("AE plan", (version,)))
    ana = records.save_rep(cf, Rep("Ana Lee", hired))
    records.save_assignment(cf, Assignment(ana.id, plan.id, hired))
    return ana, plan


def deal(ext: str, amount: str, closed: date, rep: Rep, **options: object) -> Deal:
    return Deal(ext, "Globex", D(amount), closed, credits=(Credit(rep.id, D(100)),), **options)  # type: ignore[arg-type]


# -- data dated before the first close; months close in order ---------------------------


def test_data_dated_before_the_first_close_is_paid_as_a_prior_period_adjustment(
    cf: CompanyFile,
) -> None:
    ana, _ = ana_on(cf, flat("10", date(2023, 1, 1)), date(2024, 1, 1))
    records.save_deal(cf, deal("D-1", "10000.00", date(2024, 1, 15), ana))
    close(cf, "2024-01")  # $1,000.00
    # December comes to light after January closed: a $100.00 signing bonus, and a $5,000
    # deal Ana closed before her plan was recorded (her assignment is moved back for it).
    records.save_adjustment(cf, Adjustment(ana.id, Month(2023, 12), D("100.00"), "Signing"))
    (assignment,) = choices.assignments_of(cf, ana.id)
    records.save_assignment(
        cf, Assignment(ana.id, assignment.plan_id, date(2023, 12, 1), id=assignment.id)
    )
    records.save_deal(cf, deal("D-0", "5000.00", date(2023, 12, 20), ana))

    infos = {str(p.month): p.status_text for p in periods.list_periods(cf)}
    assert infos == {
        "2023-12": "Closed, no statements",
        "2024-01": "Closed",
        "2024-02": "Open · next to close",
    }
    close(cf, "2024-02")
    feb = statement(cf, "2024-02", ana)
    assert lines(feb) == [("prior_period", "600.00")]
    assert feb.lines[0].description.startswith(
        "Prior-period adjustment for 2023-12: recomputed earnings $600.00 vs no statement "
        "was closed for that month"
    )
    assert (feb.earnings, feb.payout) == (D("600.00"), D("600.00"))
    # Posted once: March owes nothing more for December.
    assert lines(statement(cf, "2024-03", ana)) == []


def test_a_month_before_the_latest_close_cannot_be_closed_and_its_correction_is_kept(
    cf: CompanyFile, capsys: pytest.CaptureFixture[str]
) -> None:
    ana, _ = ana_on(cf, flat("10", date(2024, 1, 1)), date(2024, 1, 1))
    records.save_deal(cf, deal("D-1", "10000.00", date(2024, 1, 15), ana))
    close(cf, "2024-01")
    records.save_adjustment(cf, Adjustment(ana.id, Month(2023, 12), D("100.00"), "Signing"))

    with pytest.raises(PeriodError, match="2023-12 is before 2024-01, the latest closed month"):
        close(cf, "2023-12")
    with pytest.raises(PeriodError, match="2024-03 cannot close while 2024-02 is open"):
        close(cf, "2024-03")
    assert main(["close", str(cf.path), "--period", "2023-12"]) == 1
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "counts as closed" in err

    close(cf, "2024-02")
    assert lines(statement(cf, "2024-02", ana)) == [("prior_period", "100.00")]
    # Reopening February makes the correction due again, once.
    periods.reopen(cf, Month(2024, 2))
    assert lines(statement(cf, "2024-02", ana)) == [("prior_period", "100.00")]
    close(cf, "2024-02")
    assert lines(statement(cf, "2024-03", ana)) == []


def test_nothing_to_close_before_the_first_month_with_a_plan_or_a_line(cf: CompanyFile) -> None:
    with pytest.raises(PeriodError, match="nothing to close"):
        close(cf, "2026-01")
    ana_on(cf, flat("10", date(2026, 3, 1)), date(2026, 3, 1))
    with pytest.raises(PeriodError, match="the first month with a plan assignment or a line is"):
        close(cf, "2026-02")
    with pytest.raises(PeriodError, match="2026-04 cannot close while 2026-03 is open"):
        close(cf, "2026-04")
    close(cf, "2026-03")
    assert [(str(p.month), p.status) for p in periods.list_periods(cf)] == [
        ("2026-03", PeriodStatus.CLOSED),
        ("2026-04", PeriodStatus.OPEN),
    ]


# -- back-dated plan versions -----------------------------------------------------------


def test_a_version_back_dated_between_two_is_placed_by_date_and_corrects_closed_months(
    cf: CompanyFile,
) -> None:
    plan = records.save_plan(
        cf,
        Plan("AE plan", (flat("5", date(2026, 1, 1)), flat("9", date(2026, 7, 1)))),
    )
    ana = records.save_rep(cf, Rep("Ana Lee", date(2026, 1, 1)))
    records.save_assignment(cf, Assignment(ana.id, plan.id, date(2026, 1, 1)))
    records.save_deal(cf, deal("D-1", "10000.00", date(2026, 4, 10), ana))
    close(cf, "2026-01", "2026-02", "2026-03", "2026-04", "2026-05")
    assert lines(statement(cf, "2026-04", ana)) == [("commission", "500.00")]

    # April's rate was agreed at 7%, from 2026-04-01: between the two versions.
    stored = records.add_plan_version(cf, plan.id, flat("7", date(2026, 4, 1)))
    assert [(v.effective_from, v.tiers[0].rate_pct) for v in stored.versions] == [
        (date(2026, 1, 1), D(5)),
        (date(2026, 4, 1), D(7)),
        (date(2026, 7, 1), D(9)),
    ]
    june = statement(cf, "2026-06", ana)
    assert lines(june) == [("prior_period", "200.00")]  # $10,000 × (7% − 5%)
    assert june.lines[0].description == (
        "Prior-period adjustment for 2026-04: recomputed earnings $700.00 vs $500.00 on the "
        "closed statement · changed: deal D-1 commission +$200.00"
    )
    assert june.plan_version == "v2 from 2026-04-01"
    assert lines(statement(cf, "2026-04", ana)) == [("commission", "500.00")]  # as closed


def test_a_version_paid_from_is_never_rewritten_one_nothing_was_paid_from_is_corrected(
    cf: CompanyFile,
) -> None:
    plan = records.save_plan(
        cf, Plan("AE plan", (flat("5", date(2026, 1, 1)), flat("9", date(2026, 7, 1))))
    )
    ana = records.save_rep(cf, Rep("Ana Lee", date(2026, 1, 1)))
    records.save_assignment(cf, Assignment(ana.id, plan.id, date(2026, 1, 1)))
    close(cf, "2026-01", "2026-02")
    first, later = plan.versions
    assert records.version_was_paid_from(cf, plan.id, first)
    assert not records.version_was_paid_from(cf, plan.id, later)
    # Rewriting it directly is refused, and so is removing it.
    rewritten = dataclasses.replace(first, tiers=(Tier(D(0), D(6)),))
    for versions in ((rewritten, later), (later,)):
        with pytest.raises(ValidationError, match="in force in a closed month"):
            records.save_plan(cf, dataclasses.replace(plan, versions=versions))
    assert records.get_plan(cf, plan.id) == plan

    # The July version starts after the last close: corrected in place.
    saved, version = save_version(cf, plan.id, flat("8", date(2026, 7, 1), id=later.id))
    assert version.id == later.id
    assert [v.tiers[0].rate_pct for v in saved.versions] == [D(5), D(8)]
    # The January version was in force in closed months: the edit is a new version from
    # its own date, and January's stays as it was.
    saved, version = save_version(
        cf, plan.id, flat("6", date(2026, 3, 1), id=first.id), name="AE plan 2026"
    )
    assert version.id not in (first.id, later.id)
    assert saved.name == "AE plan 2026"
    assert [(v.effective_from, v.tiers[0].rate_pct) for v in saved.versions] == [
        (date(2026, 1, 1), D(5)),
        (date(2026, 3, 1), D(6)),
        (date(2026, 7, 1), D(8)),
    ]


# -- a cancellation dated in a closed month ----------------------------------------------


def test_a_cancellation_dated_in_a_closed_month_claws_back_by_its_real_date(
    cf: CompanyFile,
) -> None:
    prorated = ClawbackPolicy(90, ClawbackMethod.PRORATED)
    ana, _ = ana_on(cf, flat("10", date(2026, 1, 1), clawback_policy=prorated), date(2026, 1, 1))
    d1 = records.save_deal(cf, deal("D-1", "10000.00", date(2026, 1, 10), ana))  # $1,000.00
    close(cf, "2026-01", "2026-02")

    # The customer went bankrupt on 8 February, 29 days after the close; the office hears
    # of it in March. Dated 1 March instead (50 days), only $444.44 would come back.
    assert [
        line.amount
        for line in cancellation.preview_cancellation(cf, d1.id, date(2026, 3, 1), "Bankrupt")
    ] == [D("-444.44")]
    cancellation.cancel_deal(cf, d1.id, date(2026, 2, 8), "Bankrupt")

    march = statement(cf, "2026-03", ana)
    # $1,000.00 × (90 − 29) / 90 = $677.777… → $677.78, through March's correction of February.
    assert lines(march) == [("prior_period", "-677.78")]
    assert march.lines[0].description == (
        "Prior-period adjustment for 2026-02: recomputed earnings -$677.78 vs $0.00 on the "
        "closed statement · changed: deal D-1 clawback -$677.78"
    )
    (notice,) = march.notices
    assert (
        notice.month,
        notice.cancellation_date,
        notice.days_after_close,
        notice.factor_text,
        notice.originally_earned,
        notice.clawed_back,
        notice.period_earnings,
        notice.payout,
        notice.balance_before,
        notice.balance_after,
    ) == (
        Month(2026, 3),
        date(2026, 2, 8),
        29,
        "(90 − 29) / 90 = 61/90",
        D("1000.00"),
        D("677.78"),
        D("-677.78"),
        D("0.00"),
        D("0.00"),
        D("677.78"),
    )
    assert statement(cf, "2026-02", ana).notices == ()  # February stays as it was closed

    close(cf, "2026-03")
    # February is corrected again (a $50.00 adjustment comes in): April posts the $50.00,
    # and the clawback notice, already issued in March, is not issued again.
    records.save_adjustment(cf, Adjustment(ana.id, Month(2026, 2), D("50.00"), "Contest"))
    april = statement(cf, "2026-04", ana)
    assert lines(april) == [("prior_period", "50.00")]
    assert april.notices == ()
    assert (april.balance_before, april.recovery, april.payout, april.balance_after) == (
        D("677.78"),
        D("50.00"),
        D("0.00"),
        D("627.78"),
    )


# -- draws after their assignment ---------------------------------------------------------


def test_a_draw_is_paid_in_its_months_after_the_rep_moves_to_another_plan(
    cf: CompanyFile,
) -> None:
    first = records.save_plan(cf, Plan("Ramp plan", (flat("10", date(2026, 1, 1)),)))
    second = records.save_plan(cf, Plan("AE plan", (flat("10", date(2026, 1, 1)),)))
    ana = records.save_rep(cf, Rep("Ana Lee", date(2026, 1, 1)))
    guarantee = Draw(D("2000.00"), DrawKind.RECOVERABLE, Month(2026, 1), Month(2026, 6))
    records.save_assignment(
        cf, Assignment(ana.id, first.id, date(2026, 1, 1), date(2026, 3, 31), draw=guarantee)
    )
    records.save_assignment(cf, Assignment(ana.id, second.id, date(2026, 4, 1)))
    records.save_deal(cf, deal("D-1", "30000.00", date(2026, 5, 12), ana))  # $3,000.00

    figures = periods.compute_all(cf, Month(2026, 1), Month(2026, 7))
    rows = [
        (str(m), str(t.earnings), str(t.draw), str(t.recovery), str(t.payout), str(t.balance_after))
        for m, (t,) in figures.items()
    ]
    # Paid $2,000.00 a month through June; May's $3,000.00 repays $1,000.00 of the balance.
    assert rows == [
        ("2026-01", "0.00", "2000.00", "0.00", "2000.00", "2000.00"),
        ("2026-02", "0.00", "2000.00", "0.00", "2000.00", "4000.00"),
        ("2026-03", "0.00", "2000.00", "0.00", "2000.00", "6000.00"),
        ("2026-04", "0.00", "2000.00", "0.00", "2000.00", "8000.00"),
        ("2026-05", "3000.00", "2000.00", "1000.00", "2000.00", "7000.00"),
        ("2026-06", "0.00", "2000.00", "0.00", "2000.00", "9000.00"),
        ("2026-07", "0.00", "0.00", "0.00", "0.00", "9000.00"),
    ]


# -- payments above the deal amount --------------------------------------------------------


def test_payments_above_the_deal_amount_earn_up_to_the_deal_amount(cf: CompanyFile) -> None:
    ana, _ = ana_on(
        cf, flat("10", date(2026, 1, 1), payout_trigger=PayoutTrigger.CASH), date(2026, 1, 1)
    )
    payments = (
        Payment(date(2026, 2, 10), D("6000.00")),
        Payment(date(2026, 3, 5), D("5000.00")),  # $1,000.00 more than the deal
    )
    records.save_deal(cf, deal("D-1", "10000.00", date(2026, 1, 15), ana, payments=payments))
    assert lines(statement(cf, "2026-02", ana)) == [("commission", "600.00")]
    march = statement(cf, "2026-03", ana)
    assert lines(march) == [("commission", "400.00")]  # $1,000.00 in all, never more
    assert march.lines[0].description.endswith(
        "payment received 2026-03-05: $11,000.00 paid on a $10,000.00 deal (earned on "
        "$10,000.00 only), $1,000.00 of $1,000.00 earned"
    )
    assert march.awaiting == ()


def test_a_paid_deal_corrected_downwards_takes_back_what_it_no_longer_earns(
    cf: CompanyFile,
) -> None:
    ana, _ = ana_on(
        cf, flat("10", date(2026, 1, 1), payout_trigger=PayoutTrigger.CASH), date(2026, 1, 1)
    )
    paid = (Payment(date(2026, 2, 10), D("10000.00")),)
    d1 = records.save_deal(cf, deal("D-1", "10000.00", date(2026, 1, 15), ana, payments=paid))
    close(cf, "2026-01", "2026-02")  # February paid $1,000.00
    # The invoice was $9,000.00: the customer was refunded later, the payment stays.
    records.save_deal(cf, deal("D-1", "9000.00", date(2026, 1, 15), ana, payments=paid, id=d1.id))
    march = statement(cf, "2026-03", ana)
    assert lines(march) == [("prior_period", "-100.00")]  # $900.00 − $1,000.00


def _cancelled_in_february(cf: CompanyFile) -> tuple[Rep, Deal]:
    """Ana, flat 10%; D-1 ($10,000) closed 10 January; January and February closed; then D-1
    is cancelled on 8 February (full clawback: $1,000.00)."""
    ana, _ = ana_on(cf, flat("10", date(2026, 1, 1)), date(2026, 1, 1))
    d1 = records.save_deal(cf, deal("D-1", "10000.00", date(2026, 1, 10), ana))
    close(cf, "2026-01", "2026-02")
    cancellation.cancel_deal(cf, d1.id, date(2026, 2, 8), "Bankrupt")
    return ana, d1


def test_a_late_notice_is_issued_once_even_when_the_month_that_carried_it_is_corrected(
    cf: CompanyFile,
) -> None:
    ana, _ = _cancelled_in_february(cf)
    assert len(statement(cf, "2026-03", ana).notices) == 1
    close(cf, "2026-03")
    # February and March (the statement that carried the notice) are both corrected later.
    records.save_adjustment(cf, Adjustment(ana.id, Month(2026, 2), D("50.00"), "Contest"))
    records.save_adjustment(cf, Adjustment(ana.id, Month(2026, 3), D("20.00"), "Contest"))
    april = statement(cf, "2026-04", ana)
    assert lines(april) == [("prior_period", "50.00"), ("prior_period", "20.00")]
    assert april.notices == ()


def test_a_late_clawback_netting_to_no_correction_still_gets_its_notice(
    cf: CompanyFile,
) -> None:
    ana, _ = _cancelled_in_february(cf)
    # February also owed Ana $1,000.00: the month's correction nets to nothing.
    records.save_adjustment(cf, Adjustment(ana.id, Month(2026, 2), D("1000.00"), "Owed"))
    march = statement(cf, "2026-03", ana)
    assert lines(march) == []
    assert [(n.deal_id, n.clawed_back, n.period_earnings) for n in march.notices] == [
        ("D-1", D("1000.00"), D("0.00"))
    ]
    close(cf, "2026-03")
    records.save_adjustment(cf, Adjustment(ana.id, Month(2026, 2), D("5.00"), "More"))
    assert statement(cf, "2026-04", ana).notices == ()


def test_a_reopened_month_before_the_latest_close_counts_as_closed(
    cf: CompanyFile, tmp_path: Path
) -> None:
    ana, _ = ana_on(cf, flat("10", date(2026, 1, 1)), date(2026, 1, 1))
    close(cf, "2026-01")
    periods.reopen(cf, Month(2026, 1))
    records.save_assignment(
        cf,
        dataclasses.replace(choices.assignments_of(cf, ana.id)[0], effective_from=date(2026, 3, 1)),
    )
    close(cf, "2026-03")
    # January's open row went with March's close: nothing is dated there any more.
    assert [(str(p.month), p.status_text) for p in periods.list_periods(cf)] == [
        ("2026-03", "Closed"),
        ("2026-04", "Open · next to close"),
    ]
    assert periods.next_to_close(cf) == Month(2026, 4)
    from icmdesk.services import company_io

    assert company_io.check(cf) == []


def test_a_version_cannot_be_moved_off_the_deals_it_rates(cf: CompanyFile) -> None:
    ana, plan = ana_on(cf, flat("10", date(2026, 3, 1)), date(2026, 3, 1))
    records.save_deal(cf, deal("D-1", "10000.00", date(2026, 3, 10), ana))
    (v,) = plan.versions
    with pytest.raises(ValidationError) as e:
        save_version(cf, plan.id, flat("10", date(2026, 4, 1), id=v.id))
    assert [p.message for p in e.value.problems] == [
        "1 deal credited to Ana Lee would have no plan version on its close date: D-1."
    ]
    assert periods.compute(cf, Month(2026, 3))  # still computes


def test_an_edit_of_a_version_paid_from_must_start_after_it(cf: CompanyFile) -> None:
    _ana, plan = ana_on(cf, flat("10", date(2026, 1, 1)), date(2026, 1, 1))
    close(cf, "2026-01")
    (v,) = plan.versions
    with pytest.raises(ValidationError) as e:
        save_version(cf, plan.id, flat("12", date(2025, 12, 1), id=v.id))
    assert [(p.field, p.message) for p in e.value.problems] == [
        (
            "version.effective_from",
            "The version from 2026-01-01 was in force in a closed month: your changes become "
            "a new version, which must start after 2026-01-01 (that version applies from its "
            "own date on).",
        )
    ]


def test_after_termination_the_header_shows_the_last_plan_when_the_assignment_ended_too(
    cf: CompanyFile,
) -> None:
    plan = records.save_plan(
        cf,
        Plan(
            "AE plan",
            (flat("10", date(2026, 1, 1), payout_trigger=PayoutTrigger.CASH),),
        ),
    )
    ana = records.save_rep(cf, Rep("Ana Lee", date(2026, 1, 1), termination_date=date(2026, 4, 15)))
    records.save_assignment(cf, Assignment(ana.id, plan.id, date(2026, 1, 1), date(2026, 4, 15)))
    paid = (Payment(date(2026, 7, 5), D("10000.00")),)
    records.save_deal(cf, deal("D-1", "10000.00", date(2026, 3, 10), ana, payments=paid))
    july = statement(cf, "2026-07", ana)
    assert lines(july) == [("commission", "1000.00")]
    assert (july.plan_name, july.plan_version) == ("AE plan", "v1 from 2026-01-01")


def test_a_refused_version_leaves_the_plan_name_as_it_was(cf: CompanyFile) -> None:
    """The name and the version are saved together or not at all (one unit of work)."""
    ana, plan = ana_on(cf, flat("10", date(2026, 3, 1)), date(2026, 3, 1))
    records.save_deal(cf, deal("D-1", "10000.00", date(2026, 3, 10), ana))
    (v,) = plan.versions
    with pytest.raises(ValidationError):
        save_version(cf, plan.id, flat("10", date(2026, 4, 1), id=v.id), name="Renamed")
    assert records.get_plan(cf, plan.id) == plan
