"""Statement values for the report tests, built by hand the way the engine would build them.

The figures are internally consistent (E is the sum of the lines, the draw table is
applied) so the PDFs read like real statements, but nothing here is the engine.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date, timedelta
from decimal import Decimal

from icmdesk.domain.calendar import Month
from icmdesk.domain.entities import Company, PageSize
from icmdesk.domain.money import D, round_cents
from icmdesk.domain.statement import (
    AwaitingLine,
    ClawbackNotice,
    LineKind,
    Statement,
    StatementLine,
    TierMark,
)

MARCH = Month(2026, 3)
ZERO = D("0.00")
YTD_BEFORE = D("41250.00")
CUSTOMERS = (
    "Acme Logistics",
    "Northwind Traders",
    "Blue Harbor Medical Group of the Greater Tri-County Region, Incorporated",
    "Contoso Ltd",
    "Fabrikam & Sons",
    "Globex Corporation",
    "Initech",
    "Umbrella Health <West>",
)
HOSTILE_NAMES = ("Zoë O'Brien & Co <Intl>", "Łukasz Żółć", "王芳", "Ана Петровић")


def company(**changes: object) -> Company:
    base = Company(
        name="Northbeam Analytics, Inc.",
        address="450 Harbor Street, Suite 1200\nPortland, OR 97204",
        currency="USD",
        page_size=PageSize.LETTER,
    )
    return replace(base, **changes)  # type: ignore[arg-type]


def commission_line(k: int, *, month: Month = MARCH, customer: str | None = None) -> StatementLine:
    """The k-th deal line: credited amounts and rates vary so every figure is distinct."""
    credited = D(f"{5000 + 137 * k}.{k % 100:02d}")
    split = D(100) if k % 3 else D(50)
    rate = D(8) if k % 4 else D(10)
    amount = round_cents(credited * rate / 100)
    close = month.first_day + timedelta(days=k % 28)
    return StatementLine(
        kind=LineKind.COMMISSION,
        amount=amount,
        description=f"Deal D-{1000 + k}",
        deal_id=f"D-{1000 + k}",
        customer=customer or CUSTOMERS[k % len(CUSTOMERS)],
        close_date=close,
        credited_amount=credited,
        split_pct=split,
        rule=f"tier {1 if rate == 8 else 2} at {rate}%",
        earned_on=close,
    )


def apply_draw(
    earnings: Decimal, draw: Decimal, balance_before: Decimal, *, recoverable: bool = True
) -> tuple[Decimal, Decimal, Decimal]:
    """(recovery, payout, balance after) by COMP_RULES's draw table, r = 100%."""
    if earnings >= draw:
        recovery = min(balance_before, earnings - draw)
        return recovery, earnings - recovery, balance_before - recovery
    if recoverable:
        return D(0), draw, balance_before + (draw - earnings)
    return D(0), draw, balance_before + max(D(0), -earnings)


def statement(
    n_deals: int = 3,
    *,
    extra: tuple[StatementLine, ...] = (),
    rep_name: str = "Dana Whitfield",
    rep_id: int = 7,
    month: Month = MARCH,
    draw: Decimal = ZERO,
    balance_before: Decimal = ZERO,
    draw_kind: str = "",
    awaiting: tuple[AwaitingLine, ...] = (),
    notices: tuple[ClawbackNotice, ...] = (),
    closed: bool = False,
    customer: str | None = None,
    ytd_before: Decimal = YTD_BEFORE,
) -> Statement:
    lines = tuple(commission_line(k, month=month, customer=customer) for k in range(n_deals))
    lines += extra
    earnings = sum((line.amount for line in lines), D("0.00"))
    recovery, payout, balance_after = apply_draw(
        earnings, draw, balance_before, recoverable=draw_kind != "non_recoverable"
    )
    credited = sum((line.credited_amount or D(0) for line in lines[:n_deals]), D("0.00"))
    credited += D("61000.00")
    quota = D("150000.00")
    return Statement(
        rep_id=rep_id,
        rep_name=rep_name,
        role_name="Account Executive",
        payroll_id=f"PR-{rep_id:04d}",
        month=month,
        plan_name="AE Standard 2026",
        plan_version="v2 from 2026-01-01",
        quota_period_label="FY2026 Q1 (Jan–Mar 2026)",
        quota=quota,
        credited_to_date=credited,
        attainment_pct=(credited * 100 / quota).quantize(D("0.01")),
        tier_marks=(
            TierMark(D(0), D(8)),
            TierMark(D(100), D(10)),
            TierMark(D(125), D(12)),
        ),
        lines=lines,
        awaiting=awaiting,
        notices=notices,
        earnings=earnings,
        draw=draw,
        draw_kind=draw_kind,
        balance_before=balance_before,
        recovery=recovery,
        payout=payout,
        balance_after=balance_after,
        balance_forgiven=D("0.00"),
        balance_owed_at_termination=D("0.00"),
        ytd_earnings=ytd_before + earnings,
        closed=closed,
        content_hash="9f2c4e1ab37d55e0c0ffee4b1d2a6e7f3c8b9a0d1e2f3a4b5c6d7e8f9a0b1c2d"
        if closed
        else None,
    )


def true_up() -> StatementLine:
    return StatementLine(
        kind=LineKind.TRUE_UP,
        amount=D("2416.67"),
        description="Retroactive tier true-up: earlier deals re-rated from 8% to 10%",
        deal_id="D-1003",
        customer="Contoso Ltd",
        close_date=date(2026, 3, 3),
        rule="$120,833.33 × (10% − 8%)",
        earned_on=date(2026, 3, 3),
    )


def clawback_line() -> StatementLine:
    return StatementLine(
        kind=LineKind.CLAWBACK,
        amount=D("-80.63"),
        description="Clawback of deal D-0917 (cancelled 2026-03-16): $225.00 × 43/120",
        deal_id="D-0917",
        customer="Initech",
        close_date=date(2026, 1, 30),
        rule="prorated, 120-day window, factor (120 − 77) / 120",
        earned_on=date(2026, 3, 16),
    )


def prior_period_line() -> StatementLine:
    return StatementLine(
        kind=LineKind.PRIOR_PERIOD,
        amount=D("-312.40"),
        description="Prior-period adjustment for January 2026: deal D-0902 amount corrected",
        deal_id="D-0902",
        ref_month=Month(2026, 1),
        earned_on=date(2026, 3, 1),
    )


def bonus_line() -> StatementLine:
    return StatementLine(
        kind=LineKind.BONUS,
        amount=D("1500.00"),
        description="Attainment bonus: 100% of quota reached",
        rule="threshold 100% → $1,500.00",
        deal_id="D-1003",
        earned_on=date(2026, 3, 3),
    )


def spif_line() -> StatementLine:
    return StatementLine(
        kind=LineKind.SPIF,
        amount=D("250.00"),
        description="SPIF: Q1 new-logo push",
        deal_id="D-1001",
        customer="Northwind Traders",
        rule="new deals ≥ $5,000.00, Jan 1–Mar 31",
        earned_on=date(2026, 3, 2),
    )


def override_line() -> StatementLine:
    return StatementLine(
        kind=LineKind.OVERRIDE,
        amount=D("123.45"),
        description="Manager override on deal D-2210",
        deal_id="D-2210",
        customer="Globex Corporation",
        credited_amount=D("12345.00"),
        rule="1% of credited amount",
        source_rep="Sam Ortega",
        earned_on=date(2026, 3, 20),
    )


def adjustment_line() -> StatementLine:
    return StatementLine(
        kind=LineKind.ADJUSTMENT,
        amount=D("-45.10"),
        description="Adjustment: conference fee advanced in February",
        earned_on=date(2026, 3, 31),
    )


def awaiting_line(k: int = 0) -> AwaitingLine:
    booked = D(f"{1200 + k * 10}.00")
    earned = D(f"{400 + k}.00")
    return AwaitingLine(
        deal_id=f"D-30{k:02d}",
        customer=CUSTOMERS[k % len(CUSTOMERS)],
        close_date=date(2026, 2, 10 + k),
        booked=booked,
        earned_to_date=earned,
        awaiting=booked - earned,
        description="cash trigger",
    )


def cash_payment_line() -> StatementLine:
    return StatementLine(
        kind=LineKind.COMMISSION,
        amount=D("400.00"),
        description="Payment received on deal D-3000",
        deal_id="D-3000",
        customer="Acme Logistics",
        close_date=date(2026, 2, 10),
        credited_amount=D("15000.00"),
        split_pct=D(100),
        rule="8% · paid $5,000.00 of $15,000.00",
        earned_on=date(2026, 3, 12),
    )


def notice(
    *,
    rep_name: str = "Dana Whitfield",
    rep_id: int = 7,
    deal_id: str = "D-0917",
    st: Statement | None = None,
) -> ClawbackNotice:
    return ClawbackNotice(
        rep_id=rep_id,
        rep_name=rep_name,
        month=MARCH,
        deal_id=deal_id,
        customer="Initech",
        deal_amount=D("2812.50"),
        close_date=date(2026, 1, 30),
        cancellation_date=date(2026, 4, 17),
        reason="Customer went out of business before go-live",
        window_days=120,
        method="prorated",
        days_after_close=77,
        factor_text="(120 − 77) / 120 = 43/120",
        originally_earned=D("225.00"),
        clawed_back=D("80.63"),
        period_earnings=st.earnings if st else D("1919.37"),
        payout=st.payout if st else D("1500.00"),
        balance_before=st.balance_before if st else D("300.00"),
        balance_after=st.balance_after if st else D("0.00"),
    )


def rich_statement(**kw: object) -> Statement:
    """One of everything: true-up, bonus, SPIF, override, clawback, adjustment, prior period."""
    extra = (
        true_up(),
        bonus_line(),
        spif_line(),
        override_line(),
        clawback_line(),
        adjustment_line(),
        prior_period_line(),
    )
    base = statement(
        5,
        extra=extra,
        draw=D("2000.00"),
        draw_kind="recoverable",
        balance_before=D("1250.00"),
        **kw,  # type: ignore[arg-type]
    )
    return replace(base, notices=(notice(st=base),))


def worked_line() -> StatementLine:
    """A commission line carrying its working, as the engine writes it: half of a
    $20,000.00 renewal counted at 50%, at 8%."""
    return StatementLine(
        kind=LineKind.COMMISSION,
        amount=D("400.00"),
        description="Deal D-4100",
        deal_id="D-4100",
        customer="Contoso Ltd",
        close_date=date(2026, 3, 9),
        credited_amount=D("10000.00"),
        split_pct=D(50),
        rule="tier 1 at 8%",
        earned_on=date(2026, 3, 9),
        deal_amount=D("20000.00"),
        deal_type="renewal",
        multiplier_pct=D(50),
        counted_amount=D("5000.00"),
        counted_before=D("61000.00"),
        rate_pct=D(8),
        commission_before=D("4880.00"),
        commission_after=D("5280.00"),
        booked=D("400.00"),
    )
