"""What a statement says, in plain text: the words the PDF and the on-screen statement
share, so both say the same thing (the PDF adds its own markup, the screen its HTML).

Amounts come in already formatted (`Money`: the company's currency), never as floats.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from datetime import date, timedelta
from decimal import Decimal

from icmdesk.domain.calendar import month_name
from icmdesk.domain.engine.earnings import AWAITING_OVERRIDE
from icmdesk.domain.entities import PayoutSettings
from icmdesk.domain.money import HUNDRED, round_cents
from icmdesk.domain.payouts import pay_date
from icmdesk.domain.statement import (
    AwaitingLine,
    LineKind,
    Statement,
    StatementLine,
    StatementOpening,
)
from icmdesk.reports import fmt

Money = Callable[[Decimal], str]

# Sections after the deal table, in the order a rep reads them, each only when present.
SECTIONS: tuple[tuple[LineKind, str, str], ...] = (
    (LineKind.TRUE_UP, "Retroactive tier true-ups", "Total true-ups"),
    (LineKind.BONUS, "Attainment bonuses", "Total bonuses"),
    (LineKind.SPIF, "SPIFs", "Total SPIFs"),
    (LineKind.OVERRIDE, "Manager overrides", "Total overrides"),
    (LineKind.CLAWBACK, "Clawbacks", "Total clawbacks"),
    (LineKind.ADJUSTMENT, "Adjustments", "Total adjustments"),
    (LineKind.PRIOR_PERIOD, "Prior-period adjustments", "Total prior-period adjustments"),
)

AWAITING_TITLE = "Booked, awaiting payment"
AWAITING_NOTE = (
    "Commission on these deals is earned as the customer pays; it is not part of this "
    "month's earnings or payout."
)


def identity(s: Statement) -> list[tuple[str, str]]:
    """Rep, role, payroll id, period; plan, version, quota period, status."""
    return [
        ("Rep", s.rep_name),
        ("Role", s.role_name or "—"),
        ("Payroll ID", s.payroll_id or "—"),
        ("Period", month_name(s.month)),
        ("Plan", s.plan_name or "No plan this month"),
        ("Plan version", s.plan_version or "—"),
        ("Quota period", s.quota_period_label or "—"),
        ("Status", "Closed" if s.closed else "Draft — period open"),
    ]


def summary(s: Statement) -> list[tuple[str, Decimal]]:
    """The figures of the box a rep reads first, beside the net payout."""
    return [
        ("Earned this month (E)", s.earnings),
        ("Draw (D)", s.draw),
        ("Draw recovery (R)", s.recovery),
        ("Balance owed before", s.balance_before),
        ("Balance carried forward", s.balance_after),
        ("Year-to-date earnings", s.ytd_earnings),
    ]


_TIER = re.compile(r"tier \d+ \([^)]*\)")


def rule_of(line: StatementLine) -> str:
    """A line's rule; on a line paid outside the quota period its deal was rated in, each
    tier named with that period ("tier 2 (100–125%) of FY2026 Q3 at 8%")."""
    rule = line.rule
    if line.quota_period and rule:
        named = _TIER.sub(lambda t: f"{t[0]} of {line.quota_period}", rule)
        rule = named if named != rule else f"{rule} (rated in {line.quota_period})"
    return rule


def deal_rule(line: StatementLine) -> str:
    """A deal line's rate or tier, with the payment date for a cash line."""
    rule = rule_of(line) or line.description
    if line.earned_on and line.close_date and line.earned_on != line.close_date:
        paid = f"paid {fmt.day(line.earned_on)}"
        return f"{rule} ({paid})" if rule else paid
    return rule


def working(line: StatementLine, m: Money) -> str:
    """How a deal line's amount is worked out, step by step, in the line's own figures:
    credit (deal amount × split), type multiplier, rate (or the running commission of the
    quota period, where cumulative rounding, tiers or a cap make it so), then the share of
    the deal paid so far (cash trigger). "" when the line does not carry its working (a
    statement stored before it did)."""
    if line.deal_amount is None or line.booked is None:
        return ""
    steps: list[str] = []
    if line.kind is LineKind.TRUE_UP:
        steps.append(_true_up_step(line, m))
    elif line.kind is LineKind.COMMISSION:
        steps += _commission_steps(line, m)
    else:
        return _cash_step(line, m)
    cash = _cash_step(line, m)
    if cash:
        steps.append(cash)
    return " · ".join(step for step in steps if step)


def _commission_steps(line: StatementLine, m: Money) -> list[str]:
    assert line.deal_amount is not None and line.booked is not None
    steps = []
    credited, split = line.credited_amount, line.split_pct
    if credited is not None and split is not None:
        if split == HUNDRED and credited == line.deal_amount:
            steps.append(f"{m(credited)} credited")
        else:
            text = f"{m(credited)} credited = {fmt.percent(split)} of {m(line.deal_amount)}"
            if round_cents(line.deal_amount * split / HUNDRED) != credited:
                text += " (split cents shared by largest remainder)"
            steps.append(text)
    counted = line.counted_amount if line.counted_amount is not None else credited
    if line.multiplier_pct is not None and line.multiplier_pct != HUNDRED:
        kind = line.deal_type or "deal type"
        steps.append(f"{kind} counted at {fmt.percent(line.multiplier_pct)} = {m(counted or 0)}")
    booked = line.booked
    rate = line.rate_pct
    simple = (
        rate is not None
        and counted is not None
        and round_cents(counted * rate / HUNDRED) == booked
        and "retroactive" not in line.rule
        and "capped" not in line.rule
    )
    if simple:
        assert rate is not None
        steps.append(f"× {fmt.percent(rate)} = {m(booked)}")
    elif line.commission_after is not None and line.commission_before is not None:
        assert line.counted_before is not None and counted is not None
        x_after = line.counted_before + counted
        rated = f"at {fmt.percent(rate)} " if rate is not None else ""
        steps.append(
            f"{rated}on the quota period's running total: {m(line.commission_after)} on "
            f"{m(x_after)} counted − {m(line.commission_before)} on "
            f"{m(line.counted_before)} = {m(booked)}"
        )
    return steps


def _true_up_step(line: StatementLine, m: Money) -> str:
    assert line.booked is not None
    if line.counted_before is None or line.rate_pct is None or line.commission_after is None:
        return ""
    assert line.commission_before is not None
    rerated = round_cents(line.counted_before * line.rate_pct / HUNDRED)
    capped = ""
    if rerated != line.commission_after:
        # COMP_RULES: the true-up re-rates up to the cap; say the cap and what it took off.
        capped = (
            f", capped at {m(line.commission_after)} per quota period (the cap takes off "
            f"{m(rerated - line.commission_after)})"
        )
    return (
        f"{m(line.counted_before)} counted before this deal × {fmt.percent(line.rate_pct)} = "
        f"{m(rerated)}{capped} − {m(line.commission_before)} already earned on it "
        f"= {m(line.booked)}"
    )


def _cash_step(line: StatementLine, m: Money) -> str:
    """Cash trigger: the deal's payments so far earn their share of what is booked."""
    if line.paid_to_date is None or line.earned_to_date is None or line.earned_before is None:
        return ""
    assert line.deal_amount is not None and line.booked is not None
    paid = f"paid {m(line.paid_to_date)} of {m(line.deal_amount)}"
    if line.paid_to_date > line.deal_amount:
        paid += f" (earns on {m(line.deal_amount)} only)"
    if line.earned_before == 0:
        return f"{paid}: {m(line.earned_to_date)} of {m(line.booked)} earned"
    return (
        f"{paid}: {m(line.earned_to_date)} of {m(line.booked)} earned to date − "
        f"{m(line.earned_before)} earned on earlier payments = {m(line.amount)}"
    )


def awaiting_source(a: AwaitingLine) -> str:
    """For a manager's override awaiting payment, "override on <report>'s credit" (two
    reports' credits on one deal are two lines); "" for the rep's own commission."""
    start = a.description.find(" · " + AWAITING_OVERRIDE)
    if start < 0:
        return ""
    end = a.description.find("'s credit", start)
    return a.description[start + 3 : end + len("'s credit")] if end > 0 else ""


_ISO_DAY = re.compile(r"\b(\d{4})-(\d{2})-(\d{2})\b")


def dates_for_people(text: str) -> str:
    """ISO dates in an engine-written description ("cancelled 2026-10-31") as the rest of
    the statement writes them ("Oct 31, 2026"); stored statements read the same way."""

    def one(m: re.Match[str]) -> str:
        try:
            return fmt.day(date(int(m[1]), int(m[2]), int(m[3])))
        except ValueError:
            return m[0]

    return _ISO_DAY.sub(one, text)


def reference(line: StatementLine) -> str:
    """What a line of the other sections is about: its deal, or the month corrected."""
    if line.kind is LineKind.PRIOR_PERIOD and line.ref_month is not None:
        return month_name(line.ref_month)
    return line.deal_id or "—"


def detail(line: StatementLine, m: Money, *, policy_said: bool = False) -> tuple[str, list[str]]:
    """A line's description, and what follows it in small type: the customer, who produced
    an override and on what, the rule (a clawback's not, where `policy_said`: its section
    states the policy once, and the description keeps the line's factor)."""
    extra = []
    if line.customer and line.customer not in (line.description or ""):
        extra.append(line.customer)
    if line.source_rep:
        extra.append("from " + line.source_rep)
    if line.credited_amount is not None and line.kind is LineKind.OVERRIDE:
        extra.append("credited " + m(line.credited_amount))
    if line.rule and not (policy_said and clawback_policy(line)):
        extra.append(dates_for_people(rule_of(line)))
    return dates_for_people(line.description) if line.description else line.kind.title, extra


_CLAWBACK_RULE = re.compile(r"(full|prorated) clawback within (\d+) days, ")


def clawback_policy(line: StatementLine) -> tuple[str, int] | None:
    """A clawback line's policy (method, window in days), as the engine writes its rule;
    None for a rule written otherwise (a statement stored before)."""
    found = _CLAWBACK_RULE.match(line.rule)
    return (found[1], int(found[2])) if found else None


def section_note(kind: LineKind, lines: Sequence[StatementLine]) -> str:
    """What a section says once rather than on every line: the clawback policy, when every
    clawback line of the statement was under the same one (each line keeps its factor)."""
    if kind is not LineKind.CLAWBACK or not lines:
        return ""
    policies = {clawback_policy(line) for line in lines}
    if len(policies) != 1 or None in policies:
        return ""
    ((method, window),) = policies  # type: ignore[misc]
    if method == "prorated":
        how = (
            f"a deal cancelled within {window} days of its close gives back what it earned "
            f"× the share of the {window}-day window left"
        )
    else:
        how = f"a deal cancelled within {window} days of its close gives back all it earned"
    return f"Clawback policy ({method}): {how}."


def reconciliation(s: Statement) -> list[tuple[str, Decimal, bool]]:
    """The draw reconciliation's rows: (label, amount, bold)."""
    kind = {"recoverable": "recoverable", "non_recoverable": "non-recoverable"}.get(
        s.draw_kind, "no draw"
    )
    opening = " (opening balance)" if s.opening is not None else ""
    rows: list[tuple[str, Decimal, bool]] = [
        ("Earned this month (E)", s.earnings, False),
        (f"Draw for the month (D) — {kind}", s.draw, False),
        (f"Balance owed at the start of the month (B){opening}", s.balance_before, False),
        (_recovery_label(s), s.recovery, False),
        ("Net payout", s.payout, True),
        ("Balance owed carried forward", s.balance_after, True),
    ]
    if s.balance_forgiven:
        rows.append(("Balance forgiven at termination", s.balance_forgiven, False))
    if s.balance_owed_at_termination:
        rows.append(("Balance owed at termination", s.balance_owed_at_termination, False))
    return rows


def _recovery_label(s: Statement) -> str:
    if s.recovery_pct is None:
        return "Recovery of the balance (R)"
    return f"Recovery of the balance (R), at most {fmt.percent(s.recovery_pct)} of E − D"


RECONCILIATION_PAYOUT_ROW = 4  # the row of reconciliation() that is the net payout


def reconciliation_note(s: Statement, m: Money) -> str:
    """One sentence saying which case of the draw table applied, in the statement's figures."""
    if s.draw == 0 and s.balance_before == 0 and s.earnings >= 0:
        return "No draw and no balance: the net payout is your earnings for the month."
    if s.earnings >= s.draw:
        if s.recovery_pct is not None and s.balance_before > 0:
            excess = s.earnings - s.draw
            r = fmt.percent(s.recovery_pct)
            cap = round_cents(excess * s.recovery_pct / HUNDRED)
            if s.recovery < s.balance_before:
                repaid = (
                    f"recovery is capped at {r} of the excess E − D: {r} × {m(excess)} = "
                    f"{m(s.recovery)} repays part of the {m(s.balance_before)} you owed"
                )
            else:
                repaid = (
                    f"recovery is capped at {r} of the excess E − D ({r} × {m(excess)} = "
                    f"{m(cap)}), which covers the {m(s.balance_before)} you owed"
                )
            return (
                f"Earnings of {m(s.earnings)} cover the draw of {m(s.draw)}; {repaid}, so "
                f"the payout is E − R = {m(s.payout)}."
            )
        return (
            f"Earnings of {m(s.earnings)} cover the draw of {m(s.draw)}; {m(s.recovery)} of "
            f"the excess repays the balance you owed, so the payout is E − R = {m(s.payout)}."
        )
    if s.draw == 0:
        # No draw to fall back on: say what a negative month means, not "the draw, $0.00".
        text = (
            f"Earnings this month are negative ({m(s.earnings)}: clawbacks and adjustments "
            f"exceed what was earned), and there is no draw, so there is no payout this "
            f"month ({m(s.payout)})."
        )
        growth = s.balance_after - s.balance_before
        if growth > 0:
            text += (
                f" The {m(growth)} is carried as a balance you owe, recovered from future earnings."
            )
        return text
    text = (
        f"Earnings of {m(s.earnings)} are below the draw of {m(s.draw)}, so the payout is "
        f"the draw, {m(s.payout)}."
    )
    growth = s.balance_after - s.balance_before
    if growth > 0:
        text += f" The shortfall adds {m(growth)} to the balance you owe."
    else:
        text += " The shortfall is not owed back (non-recoverable draw)."
    return text


def opening_title(o: StatementOpening) -> str:
    return f"Opening balance at the books start ({month_name(o.books_start)})"


def opening_rows(o: StatementOpening, m: Money) -> list[tuple[str, str]]:
    start = month_name(o.books_start)
    rows = [
        ("Balance you owed from earlier draws", m(o.balance_owed)),
        (f"Your earnings this fiscal year before {start}", m(o.ytd_earnings)),
    ]
    if o.quota_period_label:
        rows.append((f"Already credited toward your {o.quota_period_label} quota", m(o.counted)))
        rows.append(
            (
                f"Attainment bonuses already paid for {o.quota_period_label}",
                o.bonuses_paid or "none",
            )
        )
    return rows


def opening_note(o: StatementOpening) -> str:
    return (
        f"ICMDesk pays your commissions from {month_name(o.books_start)}; earlier months "
        "were paid outside it. These amounts carry over where you stood then: the balance "
        "you owed is recovered as before, the earnings count in your year-to-date, and what "
        "was already credited counts toward your quota, so tiers and bonuses continue where "
        "they were."
    )


def year_to_date(s: Statement, m: Money) -> tuple[list[tuple[str, str]], str]:
    """Fiscal year to date, where the quota period is shorter than the year: its figures as
    (label, value), and the sentence saying what the year's quota is. ([], "") without."""
    y = s.year_to_date
    if y is None:
        return [], ""
    rows = [
        ("YTD quota", m(y.quota)),
        ("YTD credited", m(y.counted)),
        ("YTD attainment", fmt.percent(y.attainment_pct)),
        ("Fiscal year to date", f"{y.fiscal_year} · {y.span}"),
    ]
    kind = s.terms.quota_period if s.terms is not None else ""
    periods = f"{kind}ly quota periods" if kind else "quota periods"
    if y.quota_periods == 1:
        note = (
            f"Year to date (YTD) is this quota period alone, your first of {y.fiscal_year}: "
            f"{m(y.counted)} counted against its quota of {m(y.quota)}."
        )
    else:
        note = (
            f"Year to date (YTD) adds up what was counted in your {y.quota_periods} {periods} "
            f"of {y.fiscal_year} so far ({m(y.counted)}) and measures it against their quotas, "
            f"this one in full ({m(y.quota)}), not against the quota periods still to come."
        )
    return rows, note


def no_quota(s: Statement, m: Money) -> str:
    return (
        f"Credited to date in {s.quota_period_label or 'this period'}: "
        f"{m(s.credited_to_date)}. This plan has no quota (a flat rate applies to every deal)."
    )


def plan_terms_title(s: Statement) -> str:
    version = f", {s.plan_version}" if s.plan_version else ""
    return f"Plan terms applied ({s.plan_name}{version})"


def rate_table(s: Statement) -> str:
    """The tiers as ranges of attainment, each with its rate."""
    marks = sorted(s.tier_marks, key=lambda t: t.from_pct)
    if len(marks) == 1:
        return f"{fmt.percent(marks[0].rate_pct)} on every deal"
    parts = []
    for i, t in enumerate(marks):
        if i + 1 < len(marks):
            span = f"{fmt.percent(t.from_pct)} to {fmt.percent(marks[i + 1].from_pct)}"
        else:
            span = f"{fmt.percent(t.from_pct)} and above"
        parts.append(f"{span} of quota: {fmt.percent(t.rate_pct)}")
    return "; ".join(parts)


_MODES = {
    "marginal": "marginal: each part of the quota period's total earns its own tier's rate",
    "retroactive": (
        "retroactive: on reaching a tier, all of the quota period's total earns its rate "
        "(the deal that crosses carries a true-up)"
    ),
}


def plan_terms(s: Statement, m: Money) -> list[tuple[str, str]]:
    """The plan's rules in force, as (label, words): what a rep checks the lines against.
    [] on a statement stored before it carried them."""
    t = s.terms
    if t is None:
        return []
    rows: list[tuple[str, str]] = []
    if s.tier_marks:
        rows.append(("Rate table", rate_table(s)))
    if len(s.tier_marks) > 1:
        rows.append(("Tier mode", _MODES.get(t.tier_mode, t.tier_mode)))
    rows.append(
        (
            "Cap",
            f"commission at most {m(t.cap)} per {t.quota_period}ly quota period"
            if t.cap is not None
            else "none",
        )
    )
    rows.append(
        (
            "Deal-type multipliers",
            "; ".join(
                f"{x.deal_type} deals count at {fmt.percent(x.multiplier_pct)}"
                for x in t.multipliers
            )
            or "none: every deal type counts at 100%",
        )
    )
    rows.append(
        (
            "Attainment bonuses",
            "; ".join(
                f"{m(b.amount)} on reaching {fmt.percent(b.threshold_pct)} of quota, once per "
                "quota period"
                for b in t.bonuses
            )
            or "none",
        )
    )
    spifs = []
    for p in t.spifs:
        kinds = "/".join(p.deal_types) + " " if p.deal_types else ""
        minimum = f" of at least {m(p.min_deal_amount)}" if p.min_deal_amount > 0 else ""
        spifs.append(
            f"{p.name}: {m(p.amount)} per {kinds}deal{minimum} closed "
            f"{fmt.day(p.start)} to {fmt.day(p.end)}"
        )
    rows.append(("SPIFs this month", "; ".join(spifs) or "none"))
    rows.append(("Draw", draw_terms(s, m)))
    if t.clawback_method == "prorated":
        clawback = (
            f"prorated: a deal cancelled within {t.clawback_window_days} days of its close "
            "gives back what it earned × the share of the window left"
        )
    else:
        clawback = (
            f"full: a deal cancelled within {t.clawback_window_days} days of its close "
            "gives back all it earned"
        )
    rows.append(("Clawback policy", clawback))
    rows.append(
        (
            "Earned",
            "as the customer pays (cash trigger)"
            if t.payout_trigger == "cash"
            else "when the deal closes (booking)",
        )
    )
    if t.override_rate_pct is not None:
        scope = "all reports below you" if t.override_scope == "tree" else "your direct reports"
        rows.append(
            (
                "Manager override",
                f"{fmt.percent(t.override_rate_pct)} of the credited amounts of {scope}",
            )
        )
    return rows


def draw_terms(s: Statement, m: Money) -> str:
    if not s.draw_kind:
        return "none this month"
    kind = "recoverable" if s.draw_kind == "recoverable" else "non-recoverable"
    limit = fmt.percent(s.recovery_pct) if s.recovery_pct is not None else "100%"
    text = f"{m(s.draw)} a month, {kind}"
    if s.draw_kind == "recoverable":
        text += f"; at most {limit} of earnings above the draw repays a balance owed"
    else:
        text += "; a shortfall below it is not owed back"
    return text


TIER_TITLE = "Commission by tier this month"


TierRow = tuple[str, Decimal | None, Decimal | None, Decimal]


def tier_subtotals(s: Statement) -> tuple[list[TierRow], Decimal, Decimal]:
    """The month's deal commission by tier: rows of (tier, counted in it, its rate,
    commission), then the total counted and the total commission of those lines.

    From the deal lines that carry their working and were booked this month (cash
    payments on earlier deals are left out: their tiers were set when booked). Marginal
    mode splits each deal's counted amount at the tier boundaries (quota × from%), and a
    tier's commission is its rate × its part, rounded; the statement's lines round on the
    quota period's running total (and apply any cap), so a last row, "rounding and cap",
    carries the difference. Retroactive mode puts each deal in the tier its running total
    reached, with its line's amount. No rows when no line carries its working."""
    lines = [
        x
        for x in s.lines_of(LineKind.COMMISSION)
        if x.counted_before is not None and x.paid_to_date is None and x.booked is not None
    ]
    marks = sorted(s.tier_marks, key=lambda t: t.from_pct)
    if not lines or len(marks) < 2:  # a flat rate: the deal table says it all
        return [], Decimal(0), Decimal(0)
    quota = s.quota or Decimal(0)
    bounds = [quota * t.from_pct / HUNDRED for t in marks]
    names = []
    for i, t in enumerate(marks):
        if i + 1 < len(marks):
            names.append(
                f"tier {i + 1} ({fmt.percent(t.from_pct)}–{fmt.percent(marks[i + 1].from_pct)})"
            )
        else:
            names.append(f"tier {i + 1} ({fmt.percent(t.from_pct)} and above)")
    counted = [Decimal(0)] * len(marks)
    earned = [Decimal(0)] * len(marks)
    retro = s.terms is not None and s.terms.tier_mode == "retroactive"
    total_counted = Decimal(0)
    total = Decimal(0)
    for x in lines:
        assert x.counted_before is not None
        part = x.counted_amount if x.counted_amount is not None else x.credited_amount or 0
        lo, hi = x.counted_before, x.counted_before + part
        total_counted += part
        total += x.amount
        if retro or quota <= 0:
            i = max(k for k, b in enumerate(bounds) if b <= hi or k == 0)
            counted[i] += part
            earned[i] += x.amount
            continue
        for k, b in enumerate(bounds):
            top = bounds[k + 1] if k + 1 < len(bounds) else None
            inside = (min(hi, top) if top is not None else hi) - max(lo, b)
            if inside > 0:
                counted[k] += inside
    rows: list[TierRow] = []
    for k, t in enumerate(marks):
        if counted[k] == 0 and earned[k] == 0:
            continue
        amount = earned[k]
        if not (retro or quota <= 0):
            amount = round_cents(counted[k] * t.rate_pct / HUNDRED)
        rows.append((names[k], round_cents(counted[k]), t.rate_pct, amount))
    rest = total - sum((r[3] for r in rows), Decimal(0))
    if rest != 0:
        label = "rounding and cap" if s.terms is not None and s.terms.cap else "rounding"
        rows.append((f"{label} on the quota period's running total", None, None, rest))
    return rows, total_counted, total


def effective_rate(s: Statement, total_counted: Decimal, total: Decimal, m: Money) -> str:
    """The month's effective rate on the deals booked in it, and what the table leaves out."""
    text = ""
    if total_counted != 0:
        rate = (total * HUNDRED / total_counted).quantize(Decimal("0.01"))
        text = (
            f"Effective rate this month: {m(total)} commission on {m(total_counted)} "
            f"counted = {fmt.percent(rate)}."
        )
    cash = [x for x in s.lines_of(LineKind.COMMISSION) if x.paid_to_date is not None]
    if cash:
        paid = sum((x.amount for x in cash), Decimal(0))
        text += (
            f" Payments received on cash-trigger deals ({m(paid)}) are not in this table: "
            "their tiers were set when the deals were booked."
        )
    return text.strip()


def questions_deadline(s: Statement, payouts: PayoutSettings) -> date:
    """The last day to raise a question or dispute: days after the pay date."""
    return pay_date(s.month, payouts) + timedelta(days=max(payouts.questions_days, 0))


def questions(s: Statement, payouts: PayoutSettings) -> str:
    """The questions-and-disputes line ("… write to payroll@… by April 25, 2026."); ""
    when the company names no contact."""
    contact = payouts.questions_contact.strip()
    if not contact:
        return ""
    return (
        f"Questions or disputes about this statement: write to {contact} by "
        f"{fmt.long_day(questions_deadline(s, payouts))}."
    )
