"""The company JSON document: deterministic output, exact round trips, strict reading."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import date, datetime
from decimal import Decimal
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from icmdesk.domain.calendar import Month, QuotaPeriod
from icmdesk.domain.company_codec import canonical_mapping, company_from_json, company_to_json
from icmdesk.domain.demo import demo_company
from icmdesk.domain.entities import (
    Adjustment,
    Assignment,
    AttainmentBonus,
    AuditEntry,
    ClawbackMethod,
    ClawbackPolicy,
    Company,
    CompanyData,
    Credit,
    Deal,
    DealTypeMultiplier,
    Draw,
    DrawKind,
    OpeningBalance,
    OverrideScope,
    PageSize,
    Payment,
    PayoutTrigger,
    Period,
    PeriodStatus,
    Plan,
    PlanVersion,
    Rep,
    Role,
    Spif,
    StatementSnapshot,
    Tier,
    TierMode,
)
from icmdesk.domain.errors import Problem, ValidationError
from icmdesk.domain.money import D, from_cents

PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR"


def sample() -> CompanyData:
    """A company using every kind of record and every optional field at least once."""
    v1 = PlanVersion(
        date(2026, 1, 1),
        (Tier(D(0), D(6)), Tier(D(100), D("8.5"))),
        quota_period=QuotaPeriod.QUARTER,
        quota=D("150000.00"),
        cap=D("40000.00"),
        multipliers=(DealTypeMultiplier("renewal", D(50)),),
        bonuses=(AttainmentBonus(D(100), D("2000.00")),),
        spifs=(
            Spif(
                "Blitz",
                D("500.00"),
                date(2026, 4, 1),
                date(2026, 6, 30),
                D("25000.00"),
                ("new", "pilot"),
            ),
        ),
        id=7,
    )
    v2 = replace(
        v1,
        effective_from=date(2026, 7, 1),
        tier_mode=TierMode.RETROACTIVE,
        override_rate_pct=D(3),
        override_scope=OverrideScope.TREE,
        payout_trigger=PayoutTrigger.CASH,
        clawback_policy=ClawbackPolicy(120, ClawbackMethod.PRORATED),
        id=8,
    )
    return CompanyData(
        company=Company(
            "Zoë's Instruments",
            "1 Main St\nPortland",
            "EUR",
            4,
            ClawbackPolicy(60, ClawbackMethod.PRORATED),
            True,
            ("pilot",),
            PageSize.A4,
            "Help!",
            PNG,
        ),
        roles=(Role("AE", 1, id=2), Role("Manager", id=1)),
        reps=(
            Rep("Maya", date(2024, 1, 1), "m@x.com", "P1", 1, id=1),
            Rep("Ana", date(2025, 1, 1), "", "", 2, 1, date(2026, 9, 30), id=2),
        ),
        plans=(Plan("AE", (v1, v2), id=1),),
        assignments=(
            Assignment(
                2,
                1,
                date(2026, 1, 1),
                date(2026, 9, 30),
                D("90000.00"),
                Draw(D("1000.00"), DrawKind.RECOVERABLE, Month(2026, 1), Month(2026, 6), D(50)),
                id=1,
            ),
            Assignment(1, 1, date(2026, 1, 1), id=2),
        ),
        deals=(
            Deal(
                "D-2",
                "Initech",
                D("100.09"),
                date(2026, 3, 2),
                "pilot",
                (Credit(2, D(50)), Credit(1, D(50))),
                (Payment(date(2026, 4, 1), D("50.00")), Payment(date(2026, 3, 1), D("50.09"))),
                date(2026, 5, 1),
                "Churned",
                id=2,
            ),
            Deal("D-1", "Acme", D("12.00"), date(2026, 2, 2), id=1),
        ),
        adjustments=(Adjustment(2, Month(2026, 3), D("-12.34"), "Correction", id=1),),
        periods=(
            Period(Month(2026, 2)),
            Period(Month(2026, 1), PeriodStatus.CLOSED, datetime(2026, 2, 3, 9, 30, 5)),
        ),
        snapshots=(
            StatementSnapshot(
                Month(2026, 1),
                2,
                D("10.00"),
                D("1000.00"),
                D("0.00"),
                D("0.00"),
                D("1000.00"),
                D("990.00"),
                D("10.00"),
                "ab" * 32,
                '{"lines": [], "x": 1.50}',
            ),
        ),
        audit=(
            AuditEntry(datetime(2026, 1, 2, 3, 4, 5), "create", "deal", "D-1", id=1),
            AuditEntry(
                datetime(2026, 1, 2, 3, 4, 6), "update", "rep", "1", "email", user="ana", id=2
            ),
        ),
    )


def test_round_trip_keeps_every_value() -> None:
    data = sample()
    text = company_to_json(data)
    back = company_from_json(text)
    assert back.company == data.company
    assert back.deals == tuple(sorted(data.deals, key=lambda d: d.id))
    assert back.snapshots[0].payload == '{"lines": [], "x": 1.50}'
    assert back.company.logo_png == PNG
    assert company_to_json(back) == text


def test_output_is_deterministic_and_documented_shape() -> None:
    data = sample()
    shuffled = replace(
        data,
        roles=data.roles[::-1],
        deals=data.deals[::-1],
        periods=data.periods[::-1],
        assignments=data.assignments[::-1],
    )
    text = company_to_json(data)
    assert company_to_json(shuffled) == text
    doc = json.loads(text)
    assert doc["format"] == "icmdesk-company"
    assert doc["version"] == 3
    assert [d["id"] for d in doc["deals"]] == [1, 2]
    assert [p["month"] for p in doc["periods"]] == ["2026-01", "2026-02"]
    deal = doc["deals"][1]
    assert deal["amount"] == "100.09"
    assert deal["credits"] == [{"rep_id": 2, "split_pct": "50"}, {"rep_id": 1, "split_pct": "50"}]
    assert deal["payments"][0] == {"amount": "50.00", "date": "2026-04-01"}  # order kept
    assert doc["adjustments"][0]["amount"] == "-12.34"
    assert doc["plans"][0]["versions"][0]["tiers"][1] == {"from_pct": "100", "rate_pct": "8.5"}
    assert doc["company"]["logo_png"] == "iVBORw0KGgoAAAANSUhEUg=="
    assert list(doc["deals"][0]) == sorted(doc["deals"][0])
    assert text.endswith("}\n")
    assert "Zoë" in text  # UTF-8, not \u escapes


def test_money_is_written_with_two_decimals() -> None:
    data = replace(sample(), deals=(Deal("D-1", "Acme", D("12"), date(2026, 2, 2), id=1),))
    assert '"amount": "12.00"' in company_to_json(data)


def test_exporting_a_fraction_of_a_cent_is_a_bug() -> None:
    data = replace(sample(), deals=(Deal("D-1", "Acme", D("12.001"), date(2026, 2, 2), id=1),))
    with pytest.raises(ValueError, match="whole number of cents"):
        company_to_json(data)


# --------------------------------------------------------------------------- strict reading


def doc() -> dict[str, Any]:
    result: dict[str, Any] = json.loads(company_to_json(sample()))
    return result


def problems_of(text: str) -> list[Problem]:
    with pytest.raises(ValidationError) as caught:
        company_from_json(text)
    return list(caught.value.problems)


def edited(change: Any) -> str:
    d = doc()
    change(d)
    return json.dumps(d)


def _set(path: list[Any], value: Any) -> Any:
    def change(d: Any) -> None:
        for key in path[:-1]:
            d = d[key]
        d[path[-1]] = value

    return change


def _delete(path: list[Any]) -> Any:
    def change(d: Any) -> None:
        for key in path[:-1]:
            d = d[key]
        del d[path[-1]]

    return change


BAD_DOCUMENTS = [
    (
        _set(["deals", 1, "amount"], "12.345"),
        "deals[1].amount",
        "deals[1].amount: '12.345' is not a whole number of cents",
    ),
    (
        _set(["deals", 1, "amount"], "12,00"),
        "deals[1].amount",
        "deals[1].amount: '12,00' is not a number (write it like \"1234.50\")",
    ),
    (
        _set(["deals", 1, "amount"], True),
        "deals[1].amount",
        'deals[1].amount: expected money as a string such as "1234.50", got true',
    ),
    (
        _set(["deals", 1, "credits", 0, "split_pct"], None),
        "deals[1].credits[0].split_pct",
        'deals[1].credits[0].split_pct: expected a percentage as a string such as "12.5", got null',
    ),
    (
        _delete(["deals", 0, "customer"]),
        "deals[0].customer",
        "deals[0].customer: missing",
    ),
    (
        _set(["reps", 0, "nickname"], "M"),
        "reps[0].nickname",
        "reps[0].nickname: unknown field",
    ),
    (
        _set(["reps", 0, "hire_date"], "2026-02-30"),
        "reps[0].hire_date",
        "reps[0].hire_date: '2026-02-30' is not a date (expected YYYY-MM-DD, e.g. 2026-03-31)",
    ),
    (
        _set(["reps", 0, "hire_date"], "20260201"),
        "reps[0].hire_date",
        "reps[0].hire_date: '20260201' is not a date (expected YYYY-MM-DD, e.g. 2026-03-31)",
    ),
    (
        _set(["adjustments", 0, "month"], "2026-13"),
        "adjustments[0].month",
        "adjustments[0].month: '2026-13' is not a month (expected YYYY-MM, e.g. 2026-03)",
    ),
    (
        _set(["reps", 0, "id"], "1"),
        "reps[0].id",
        'reps[0].id: expected a whole number, got the text "1"',
    ),
    (
        _set(["reps", 0, "id"], 0),
        "reps[0].id",
        "reps[0].id: an id must be 1 or more, got 0",
    ),
    (
        _set(["plans", 0, "versions", 0, "tier_mode"], "stepped"),
        "plans[0].versions[0].tier_mode",
        "plans[0].versions[0].tier_mode: expected one of marginal, retroactive, "
        'got the text "stepped"',
    ),
    (
        _set(["company", "logo_png"], "not base64!"),
        "company.logo_png",
        "company.logo_png: is not valid base64",
    ),
    (
        _set(["company", "forgive_balance_at_termination"], "no"),
        "company.forgive_balance_at_termination",
        'company.forgive_balance_at_termination: expected true or false, got the text "no"',
    ),
    (_set(["deals"], {}), "deals", "deals: expected a list, got an object"),
    (_set(["roles", 0], []), "roles[0]", "roles[0]: expected an object, got a list"),
    (
        _set(["deals", 0, "credits"], [{"rep_id": 99, "split_pct": "100"}]),
        "deals[0].credits[0].rep_id",
        "deals[0].credits[0].rep_id: there is no rep with id 99",
    ),
    (
        _set(["reps", 1, "manager_id"], 5),
        "reps[1].manager_id",
        "reps[1].manager_id: there is no rep with id 5",
    ),
    (
        _set(["assignments", 1, "plan_id"], 3),
        "assignments[1].plan_id",
        "assignments[1].plan_id: there is no plan with id 3",
    ),
    (
        _set(["deals", 1, "id"], 1),
        "deals[1]",
        "deals[1]: deal id 1 is used more than once",
    ),
    (
        _set(["periods", 1, "month"], "2026-01"),
        "periods[1]",
        "periods[1]: month 2026-01 is used more than once",
    ),
]


@pytest.mark.parametrize(("change", "field", "message"), BAD_DOCUMENTS)
def test_bad_documents(change: Any, field: str, message: str) -> None:
    assert Problem(field, message) in problems_of(edited(change))


def test_money_as_a_json_number_with_a_fraction_is_refused() -> None:
    text = edited(_set(["deals", 1, "amount"], "@@")).replace('"@@"', "12.50")
    assert problems_of(text) == [
        Problem(
            "deals[1].amount",
            'deals[1].amount: money must be written as a string such as "1234.50", not the '
            "JSON number 12.50 (JSON numbers with a fraction are often binary floats)",
        )
    ]


def test_money_as_a_json_integer_is_whole_currency_units() -> None:
    back = company_from_json(edited(_set(["deals", 1, "amount"], 1500)))
    assert back.deals[1].amount == D("1500.00")
    assert '"amount": "1500.00"' in company_to_json(back)


def test_optional_fields_may_be_left_out() -> None:
    minimal = {
        "format": "icmdesk-company",
        "version": 1,
        "company": {"name": "Tiny"},
        "reps": [{"id": 1, "name": "Ana", "hire_date": "2026-01-01"}],
        "deals": [
            {
                "id": 1,
                "external_id": "D-1",
                "customer": "Acme",
                "amount": "10.00",
                "close_date": "2026-01-02",
            }
        ],
    }
    data = company_from_json(json.dumps(minimal))
    assert data.company == Company("Tiny")
    assert data.deals == (Deal("D-1", "Acme", D("10.00"), date(2026, 1, 2), id=1),)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (
            "{",
            "Not a valid JSON document: Expecting property name enclosed in double quotes "
            "at line 1, column 2.",
        ),
        ("[]", "Not an ICMDesk company document: expected an object, got a list."),
        ('{"format": "beancount"}', 'format: expected "icmdesk-company", got the text "beancount"'),
        (
            '{"format": "icmdesk-company", "version": 4}',
            "version: version the number 4 is not supported (made by a newer ICMDesk; update to "
            "import it); expected 3",
        ),
        (
            '{"format": "icmdesk-company", "version": "1"}',
            'version: version the text "1" is not supported; expected 3',
        ),
    ],
)
def test_not_a_company_document(text: str, message: str) -> None:
    assert [p.message for p in problems_of(text)] == [message]


def test_a_key_given_twice_is_refused() -> None:
    text = json.dumps(doc()).replace('"customer": "Acme"', '"customer": "Acme", "customer": "X"')
    assert Problem("deals[0].customer", "deals[0].customer: given more than once") in problems_of(
        text
    )


def test_nan_is_refused() -> None:
    text = edited(_set(["deals", 1, "amount"], "@@")).replace('"@@"', "NaN")
    assert [p.field for p in problems_of(text)] == ["deals[1].amount"]


def test_every_problem_is_reported_at_once() -> None:
    def change(d: Any) -> None:
        d["deals"][0]["amount"] = "1.001"
        d["deals"][1]["close_date"] = "yesterday"
        d["reps"][0]["email"] = 5
        d["company"]["currency"] = None
        del d["audit"][0]["at"]

    assert [p.field for p in problems_of(edited(change))] == [
        "company.currency",
        "reps[0].email",
        "deals[0].amount",
        "deals[1].close_date",
        "audit[0].at",
    ]


# --------------------------------------------------------------------------- round trip property

_TEXT = st.text(st.characters(blacklist_categories=("Cs",)), max_size=12)
_DATES = st.dates(min_value=date(2000, 1, 1), max_value=date(2099, 12, 31))
_MONTHS = st.builds(Month, st.integers(2000, 2099), st.integers(1, 12))
_MONEY = st.integers(-(10**12), 10**12).map(from_cents)
_PCT = st.decimals(min_value=-1000, max_value=1000, places=4, allow_nan=False, allow_infinity=False)
_TIMES = st.datetimes(min_value=datetime(2000, 1, 1), max_value=datetime(2099, 1, 1))


def _opt(strategy: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
    return st.none() | strategy


@st.composite
def companies(draw: st.DrawFn) -> CompanyData:
    n_roles, n_reps, n_plans = (
        draw(st.integers(0, 3)),
        draw(st.integers(1, 4)),
        draw(st.integers(1, 3)),
    )
    role_ids = list(range(1, n_roles + 1))
    rep_ids = list(range(1, n_reps + 1))
    plan_ids = list(range(1, n_plans + 1))
    version_ids = iter(range(1, 100))
    company = Company(
        draw(_TEXT),
        draw(_TEXT),
        draw(st.sampled_from(["USD", "EUR"])),
        draw(st.integers(1, 12)),
        ClawbackPolicy(draw(st.integers(0, 400)), draw(st.sampled_from(ClawbackMethod))),
        draw(st.booleans()),
        tuple(draw(st.lists(_TEXT, max_size=2))),
        draw(st.sampled_from(PageSize)),
        draw(_TEXT),
        draw(_opt(st.binary(max_size=20))),
    )
    roles = [Role(draw(_TEXT), draw(_opt(st.sampled_from(plan_ids))), id=i) for i in role_ids]
    reps = [
        Rep(
            draw(_TEXT),
            draw(_DATES),
            draw(_TEXT),
            draw(_TEXT),
            draw(_opt(st.sampled_from(role_ids))) if role_ids else None,
            draw(_opt(st.sampled_from(rep_ids))),
            draw(_opt(_DATES)),
            id=i,
        )
        for i in rep_ids
    ]
    versions = st.builds(
        lambda *args: PlanVersion(*args, id=next(version_ids)),
        _DATES,
        st.lists(st.builds(Tier, _PCT, _PCT), max_size=3).map(tuple),
        st.sampled_from(QuotaPeriod),
        _opt(_MONEY),
        st.sampled_from(TierMode),
        _opt(_MONEY),
        st.lists(st.builds(DealTypeMultiplier, _TEXT, _PCT), max_size=2).map(tuple),
        st.lists(st.builds(AttainmentBonus, _PCT, _MONEY), max_size=2).map(tuple),
        st.lists(
            st.builds(
                Spif, _TEXT, _MONEY, _DATES, _DATES, _MONEY, st.lists(_TEXT, max_size=2).map(tuple)
            ),
            max_size=2,
        ).map(tuple),
        _opt(_PCT),
        st.sampled_from(OverrideScope),
        st.sampled_from(PayoutTrigger),
        _opt(st.builds(ClawbackPolicy, st.integers(0, 400), st.sampled_from(ClawbackMethod))),
    )
    plans = [
        Plan(
            draw(_TEXT),
            tuple(
                sorted(draw(st.lists(versions, max_size=2)), key=lambda v: (v.effective_from, v.id))
            ),
            id=i,
        )
        for i in plan_ids
    ]
    draws = st.builds(Draw, _MONEY, st.sampled_from(DrawKind), _MONTHS, _opt(_MONTHS), _PCT)
    assignments = [
        Assignment(
            draw(st.sampled_from(rep_ids)),
            draw(st.sampled_from(plan_ids)),
            draw(_DATES),
            draw(_opt(_DATES)),
            draw(_opt(_MONEY)),
            draw(_opt(draws)),
            id=i,
        )
        for i in range(1, draw(st.integers(0, 3)) + 1)
    ]
    credits = st.builds(Credit, st.sampled_from(rep_ids), _PCT)
    payments = st.builds(Payment, _DATES, _MONEY)
    deals = [
        Deal(
            draw(_TEXT),
            draw(_TEXT),
            draw(_MONEY),
            draw(_DATES),
            draw(_TEXT),
            tuple(draw(st.lists(credits, max_size=3))),
            tuple(draw(st.lists(payments, max_size=2))),
            draw(_opt(_DATES)),
            draw(_TEXT),
            id=i,
        )
        for i in draw(st.permutations(range(1, draw(st.integers(0, 4)) + 1)))
    ]
    adjustments = [
        Adjustment(draw(st.sampled_from(rep_ids)), draw(_MONTHS), draw(_MONEY), draw(_TEXT), id=i)
        for i in range(1, draw(st.integers(0, 2)) + 1)
    ]
    months = draw(st.lists(_MONTHS, max_size=3, unique=True))
    periods = [Period(m, draw(st.sampled_from(PeriodStatus)), draw(_opt(_TIMES))) for m in months]
    snapshots = [
        StatementSnapshot(m, rep_id, *(draw(_MONEY) for _ in range(7)), draw(_TEXT), draw(_TEXT))
        for m in months
        for rep_id in draw(st.lists(st.sampled_from(rep_ids), unique=True, max_size=2))
    ]
    audit = [
        AuditEntry(
            draw(_TIMES),
            draw(_TEXT),
            draw(_TEXT),
            draw(_TEXT),
            draw(_TEXT),
            draw(_TEXT),
            draw(_TEXT),
            user=draw(_TEXT),
            id=i,
        )
        for i in range(1, draw(st.integers(0, 2)) + 1)
    ]
    return CompanyData(
        company,
        tuple(roles),
        tuple(reps),
        tuple(plans),
        tuple(assignments),
        tuple(deals),
        tuple(adjustments),
        tuple(periods),
        tuple(snapshots),
        tuple(audit),
    )


@given(companies())
def test_round_trip_property(data: CompanyData) -> None:
    text = company_to_json(data)
    back = company_from_json(text)
    assert company_to_json(back) == text
    assert back.deals == tuple(sorted(data.deals, key=lambda d: d.id))
    assert back.company == data.company


def test_percentages_keep_their_exact_digits() -> None:
    deal = Deal(
        "D-1", "Acme", D("12.00"), date(2026, 2, 2), credits=(Credit(1, Decimal("33.3333")),), id=1
    )
    data = replace(sample(), deals=(deal,))
    back = company_from_json(company_to_json(data))
    assert back.deals[0].credits[0].split_pct == Decimal("33.3333")


def test_round_trip_of_the_demo_company() -> None:
    demo = demo_company()
    text = company_to_json(demo)
    assert company_from_json(text) == demo
    assert company_to_json(company_from_json(text)) == text


def test_the_books_start_and_opening_balances_round_trip() -> None:
    data = sample()
    rep_id = data.reps[0].id
    data = replace(
        data,
        company=replace(data.company, books_start=Month(2026, 3)),
        opening_balances=(
            OpeningBalance(rep_id, D("500.00"), D("-40.00"), D("80000.00"), (D(100), D("12.5"))),
        ),
    )
    text = company_to_json(data)
    doc = json.loads(text)
    assert doc["company"]["books_start"] == "2026-03"
    assert doc["opening_balances"] == [
        {
            "balance_owed": "500.00",
            "bonuses_paid": ["12.5", "100"],
            "counted": "80000.00",
            "rep_id": rep_id,
            "ytd_earnings": "-40.00",
        }
    ]
    back = company_from_json(text)
    assert back.company.books_start == Month(2026, 3)
    assert back.opening_balances == (
        OpeningBalance(rep_id, D("500.00"), D("-40.00"), D("80000.00"), (D("12.5"), D(100))),
    )


def test_a_version_1_document_has_no_books_start() -> None:
    doc = json.loads(company_to_json(sample()))
    doc["version"] = 1
    del doc["company"]["books_start"], doc["opening_balances"]
    data = company_from_json(json.dumps(doc))
    assert data.company.books_start is None and data.opening_balances == ()


def test_audit_entries_keep_who_made_them() -> None:
    doc = json.loads(company_to_json(sample()))
    assert [e["user"] for e in doc["audit"]] == ["", "ana"]
    assert [e.user for e in company_from_json(json.dumps(doc)).audit] == ["", "ana"]


def test_an_audit_entry_written_before_users_were_recorded_has_none() -> None:
    # `user` came within version 2: a version 2 document without it still imports.
    doc = json.loads(company_to_json(sample()))
    doc["version"] = 2
    for e in doc["audit"]:
        del e["user"]
    assert [e.user for e in company_from_json(json.dumps(doc)).audit] == ["", ""]


def test_version_3_keeps_deal_names_aliases_adjustment_ids_and_import_mappings() -> None:
    from icmdesk.domain.entities import SavedMapping
    from icmdesk.domain.imports.profiles import HUBSPOT

    data = sample()
    named = replace(data.deals[0], name="Acme renewal 2026")
    rep = replace(data.reps[0], aliases=("Dan R.", "dreyes@crm.example"))
    adjustment = replace(data.adjustments[0], external_id="ADJ-7")
    mapping = HUBSPOT.mapping(("Record ID", "Deal Name", "Deal Stage", "Close Date", "Amount"))
    saved = SavedMapping("hubspot", canonical_mapping(mapping))
    data = replace(
        data,
        deals=(named, *data.deals[1:]),
        reps=(rep, *data.reps[1:]),
        adjustments=(adjustment, *data.adjustments[1:]),
        import_mappings=(saved,),
    )
    text = company_to_json(data)
    doc = json.loads(text)
    assert doc["import_mappings"][0]["mapping"]["columns"]["amount"] == "Amount"
    back = company_from_json(text)
    assert {d.id: d.name for d in back.deals}[named.id] == "Acme renewal 2026"
    assert {r.id: r.aliases for r in back.reps}[rep.id] == ("Dan R.", "dreyes@crm.example")
    assert {a.id: a.external_id for a in back.adjustments}[adjustment.id] == "ADJ-7"
    assert back.import_mappings == (saved,)
    # A mapping that is not one is refused with its path.
    doc["import_mappings"][0]["mapping"]["columns"]["colour"] = "Red"
    (problem,) = problems_of(json.dumps(doc))
    assert problem.message.startswith("import_mappings[0].mapping: columns: 'colour' is not")


def test_a_version_2_document_has_no_names_aliases_or_mappings() -> None:
    doc = json.loads(company_to_json(sample()))
    doc["version"] = 2
    for d in doc["deals"]:
        del d["name"]
    for r in doc["reps"]:
        del r["aliases"]
    for a in doc["adjustments"]:
        del a["external_id"]
    del doc["import_mappings"]
    data = company_from_json(json.dumps(doc))
    assert all(d.name == "" for d in data.deals) and all(r.aliases == () for r in data.reps)
    assert data.import_mappings == ()
