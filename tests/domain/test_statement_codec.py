"""Statement dicts, canonical JSON, content hashes and snapshots."""

from __future__ import annotations

import json
from dataclasses import fields, replace

from icmdesk.domain import statement_codec
from icmdesk.domain.engine import compute_month
from icmdesk.domain.entities import ClawbackMethod
from icmdesk.domain.statement import AwaitingLine, Statement
from icmdesk.domain.statement_codec import (
    awaiting_of_payload,
    canonical_json,
    content_hash,
    snapshot_of,
    statement_from_dict,
    statement_of_snapshot,
    statement_to_dict,
)
from tests.domain.builders import CompanyBuilder, draw, month, of, plan, tiers, version


def _rich_statement():
    """A statement with every kind of content: tiers, split, cash awaiting, clawback notice."""
    c = CompanyBuilder()
    v = version(table=tiers((0, 5), (100, 10)), quota=1000, clawback=(120, ClawbackMethod.PRORATED))
    ann = c.rep("Ann Lee", plan("AE", v), the_draw=draw(100), hired="2026-01-01")
    bob = c.rep("Bob", plan("Cash", version(10, cash=True)))
    c.deal("D-1", "1500.50", "2026-01-01", (ann, 100), cancelled="2026-03-19", reason="Churn")
    c.deal("D-2", "100.09", "2026-03-03", (ann, 50), (bob, 50), payments=(("2026-03-04", "50"),))
    c.adjust(ann, "2026-03", "-10", "Fix")
    statements = compute_month(c.build(), month("2026-03"))
    return of(statements, ann), of(statements, bob)


def test_dict_round_trip_is_exact() -> None:
    ann, bob = _rich_statement()
    assert ann.notices and ann.lines and ann.tier_marks and bob.awaiting
    for s in (ann, bob):
        d = statement_to_dict(s)
        assert statement_from_dict(json.loads(json.dumps(d))) == s
        assert canonical_json(statement_from_dict(d)) == canonical_json(s)


def test_money_is_cents_text_dates_iso_months_yyyy_mm() -> None:
    s, _ = _rich_statement()
    d = statement_to_dict(s)
    assert d["month"] == "2026-03"
    assert d["earnings"] == str(s.earnings) and d["earnings"].count(".") == 1
    assert len(d["earnings"].split(".")[1]) == 2
    notice = d["notices"][0]
    assert notice["close_date"] == "2026-01-01" and notice["cancellation_date"] == "2026-03-19"
    # D-1 earned 5% × 1,000 + 10% × 500.50 = 100.05; × (120 − 77) / 120 = 35.85125 → 35.85
    assert notice["clawed_back"] == "35.85"
    line = d["lines"][0]
    assert line["kind"] in {"commission", "clawback", "adjustment"}
    assert d["tier_marks"] == [
        {"from_pct": "0", "rate_pct": "5"},
        {"from_pct": "100", "rate_pct": "10"},
    ]


def test_canonical_json_has_sorted_keys_and_no_whitespace() -> None:
    s, _ = _rich_statement()
    text = canonical_json(s)
    again = json.dumps(json.loads(text), sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    assert text == again
    assert text.startswith('{"attainment_pct":')


def test_content_hash_ignores_closed_and_the_hash_itself_but_nothing_else() -> None:
    s, _ = _rich_statement()
    h = content_hash(s)
    assert len(h) == 64
    assert content_hash(replace(s, closed=True, content_hash=h)) == h
    assert content_hash(replace(s, payout=s.payout + 1)) != h


def test_snapshot_stores_totals_and_decodes_as_closed() -> None:
    s, _ = _rich_statement()
    snap = snapshot_of(s)
    assert snap.payload == canonical_json(s)
    assert (snap.earnings, snap.balance_after, snap.ytd_earnings) == (
        s.earnings,
        s.balance_after,
        s.ytd_earnings,
    )
    back = statement_of_snapshot(snap)
    assert back.closed and back.content_hash == snap.content_hash == content_hash(s)
    assert replace(back, closed=False, content_hash=None) == s


def _awaiting_statement() -> Statement:
    """A cash-plan statement with several awaiting lines: shared and distinct close dates,
    customers whose names need JSON escapes or look like the payload's own keys."""
    c = CompanyBuilder()
    ann = c.rep("Ann", plan("Cash", version(10, cash=True)))
    customers = ['Acme "West"', "Back\\slash", 'x","awaiting":[]', "Zoë & Ørsted", "Tab\tCo"]
    for n, customer in enumerate(customers, start=1):
        paid = (("2026-03-20", "33.33"),) if n % 2 else ()
        closed_on = f"2026-03-{10 + n // 2:02d}"
        c.deal(f"D-{n}", f"{n}00.05", closed_on, (ann, 100), customer=customer, payments=paid)
    return of(compute_month(c.build(), month("2026-03")), ann)


def _plain_awaiting(payload: str) -> tuple[AwaitingLine, ...]:
    return statement_from_dict(json.loads(payload)).awaiting


def test_awaiting_of_payload_equals_decoding_the_whole_statement() -> None:
    s = _awaiting_statement()
    assert len(s.awaiting) == 5 and len({a.close_date for a in s.awaiting}) == 3
    payload = canonical_json(s)
    fast = awaiting_of_payload(payload)
    assert fast == _plain_awaiting(payload) == s.awaiting
    assert repr(fast) == repr(s.awaiting)  # the same Decimal exponents, not just equal numbers
    assert all(type(a) is AwaitingLine for a in fast)


def test_awaiting_of_payload_without_awaiting_lines() -> None:
    s, _ = _rich_statement()  # Ann's plan pays at booking: nothing awaits payment
    payload = canonical_json(s)
    assert s.awaiting == () and s.lines
    assert awaiting_of_payload(payload) == _plain_awaiting(payload) == ()


def test_awaiting_of_a_payload_that_is_not_canonical_json() -> None:
    s = _awaiting_statement()
    indented = json.dumps(statement_to_dict(s), indent=1)  # "awaiting": [ — not found fast
    assert awaiting_of_payload(indented) == s.awaiting


def test_awaiting_line_can_still_be_built_by_setting_its_slots() -> None:
    # awaiting_of_payload sets AwaitingLine's slots directly instead of calling __init__:
    # equal only while it is a slotted dataclass of these fields without __post_init__.
    names = tuple(f.name for f in fields(AwaitingLine))
    assert AwaitingLine.__slots__ == names
    assert names == statement_codec._AWAITING_FIELDS
    assert not hasattr(AwaitingLine, "__post_init__")


def test_fields_added_later_leave_older_statements_json_as_it_was() -> None:
    """A statement without an opening balance, or a notice without an override's report,
    has the canonical JSON it had before those fields existed; a line's own source_rep is
    always written."""
    from icmdesk.domain.statement_codec import canonical_json
    from tests.reports import factories

    s = factories.rich_statement()
    text = canonical_json(s)
    assert '"opening"' not in text
    doc = json.loads(text)
    assert all("source_rep" in line for line in doc["lines"])
    assert all("source_rep" not in n and "source_split_pct" not in n for n in doc["notices"])
    assert statement_from_dict(doc) == replace(s, lines=tuple(s.lines))


def test_the_content_hash_of_a_statement_never_changes_with_the_code() -> None:
    """Closed statements keep the hash they were stored with: the canonical JSON of the
    same statement must stay byte for byte what it was (pinned from before the fields
    added for books starts and override notices)."""
    from tests.reports import factories

    assert statement_codec.content_hash(factories.rich_statement()) == (
        "bdd4ee0983322d6ea0c3e4a57cf82bfb05dbf4aac2ef2dfa59fe1885ab9e0e8a"
    )
