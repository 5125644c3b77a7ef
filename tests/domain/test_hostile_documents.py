"""Hostile company documents through `icmdesk import` (issue 14): nesting a thousand deep,
lone surrogates, NUL and other control characters, newlines in values, ids and amounts
beyond 64 bits, numbers thousands of digits long. Each is imported in-process through
`icmdesk.cli.main` and must end in words: never a traceback or an `internal error` line,
every message one line, and the company file byte-identical when the document is refused.

A few hundred cases in `make test`; `make fuzz` (HYPOTHESIS_PROFILE=fuzz) runs thousands.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from icmdesk import cli
from icmdesk.domain import company_codec

_FUZZ = os.environ.get("HYPOTHESIS_PROFILE") == "fuzz"
_MARK = "\u0000HOSTILE\u0000"  # replaced by raw JSON text (json.dumps cannot write some)

BASE: dict[str, Any] = {
    "format": "icmdesk-company",
    "version": 3,
    "company": {"name": "Acme Ltd", "currency": "USD"},
    "reps": [{"id": 1, "name": "Ann Lee", "hire_date": "2024-01-02", "email": "ann@acme.test"}],
    "plans": [
        {
            "id": 1,
            "name": "AE plan",
            "versions": [
                {
                    "id": 1,
                    "effective_from": "2024-01-01",
                    "tiers": [{"from_pct": "0", "rate_pct": "10"}],
                    "quota": "10000.00",
                }
            ],
        }
    ],
    "assignments": [
        {"id": 1, "rep_id": 1, "plan_id": 1, "effective_from": "2024-01-01"},
    ],
    "deals": [
        {
            "id": 1,
            "external_id": "D-1",
            "customer": "Globex",
            "amount": "1200.00",
            "close_date": "2026-01-15",
            "credits": [{"rep_id": 1, "split_pct": "100"}],
        }
    ],
    "adjustments": [
        {"id": 1, "rep_id": 1, "month": "2026-01", "amount": "-50.00", "reason": "fix"}
    ],
}

# Where a hostile value goes: a path of keys and indexes into BASE.
PLACES: list[tuple[Any, ...]] = [
    ("company", "name"),
    ("company", "address"),
    ("company", "currency"),
    ("company", "fiscal_year_start"),
    ("company", "deal_types"),
    ("company", "payouts"),
    ("reps", 0, "id"),
    ("reps", 0, "name"),
    ("reps", 0, "email"),
    ("reps", 0, "hire_date"),
    ("plans", 0, "versions", 0, "tiers", 0, "rate_pct"),
    ("plans", 0, "versions", 0, "quota"),
    ("assignments", 0, "rep_id"),
    ("deals", 0, "id"),
    ("deals", 0, "amount"),
    ("deals", 0, "customer"),
    ("deals", 0, "credits", 0, "split_pct"),
    ("adjustments", 0, "amount"),
    ("adjustments", 0, "reason"),
    ("adjustments", 0, "month"),
    ("import_mappings",),
]

_NASTY_CHARS = ["\u0000", "\n", "\r", "\t", "\x1b", "\x7f", "\ud800", "\udfff", "\u2028", "é"]


def _raw_texts() -> st.SearchStrategy[str]:
    """Raw JSON texts of hostile values."""
    digits = st.integers(1, 6000).map(lambda n: "9" * n)
    return st.one_of(
        st.integers(1, 3000).map(lambda n: "[" * n + "]" * n),
        st.integers(1, 3000).map(lambda n: '{"a":' * n + "1" + "}" * n),
        st.sampled_from(
            [
                str(2**63),
                str(2**63 - 1),
                str(-(2**63) - 1),
                str(2**64),
                "1e400",
                "-1e400",
                "NaN",
                "Infinity",
                "0.1",
                '"9223372036854775808.00"',
                '"1000000000000.01"',
                '"-1000000000000.01"',
                '"' + "1" * 40 + '"',
                '"' + "1" * 39 + '.5"',
                '"\\ud800"',
                '"a\\u0000b"',
                '"line\\nbreak"',
                '"\\udc00\\ud800"',
                "null",
                "true",
                "[]",
                "{}",
            ]
        ),
        digits,
        digits.map(lambda d: f'"{d}"'),
        digits.map(lambda d: f'"{d}.00"'),
        digits.map(lambda d: f"-{d}"),
        st.text(st.sampled_from(_NASTY_CHARS) | st.characters(), max_size=40).map(json.dumps),
        st.integers(1, 200_000).map(lambda n: json.dumps("x" * n)),
    )


def _place(doc: dict[str, Any], path: tuple[Any, ...]) -> None:
    node: Any = doc
    for key in path[:-1]:
        node = node[key]
    node[path[-1]] = _MARK


@pytest.fixture(scope="module")
def target(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("hostile")
    doc = folder / "base.json"
    doc.write_text(json.dumps(BASE), encoding="utf-8")
    company = folder / "Acme.icmdesk"
    assert cli.main(["import", str(company), "--json", str(doc)]) == cli.EXIT_OK
    return company


@settings(
    max_examples=2500 if _FUZZ else 300,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(place=st.sampled_from(PLACES), raw=_raw_texts(), whole=st.booleans())
def test_hostile_documents_end_in_words(
    place: tuple[Any, ...],
    raw: str,
    whole: bool,
    target: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    doc = dict(json.loads(json.dumps(BASE)))
    if whole:  # the hostile value is the whole document
        text = raw
    else:
        _place(doc, place)
        text = json.dumps(doc).replace(json.dumps(_MARK), raw)
    source = target.with_name("hostile.json")
    source.write_text(text, encoding="utf-8", errors="surrogatepass")
    before = target.read_bytes()
    capsys.readouterr()
    code = cli.main(["import", str(target), "--json", str(source)])
    _out, err = capsys.readouterr()
    assert "internal error" not in err and "Traceback" not in err, err[:2000]
    for line in err.splitlines():
        assert line.startswith("icmdesk: "), err[:2000]
        assert line.isprintable(), line[:200]
    if code != cli.EXIT_OK:
        assert target.read_bytes() == before
        assert err.strip(), "a refusal says why"
    assert not list(target.parent.glob("*.icmdesk-journal"))


@pytest.mark.parametrize(
    ("raw", "said"),
    [
        ("[" * 1000 + "]" * 1000, "nests 1,000 levels deep"),
        ('{"format": "icmdesk-company", "version": ' + "9" * 5000 + "}", "is not supported"),
    ],
)
def test_named_refusals(raw: str, said: str, target: Path, capsys: pytest.CaptureFixture) -> None:
    source = target.with_name("named.json")
    source.write_text(raw, encoding="utf-8")
    assert cli.main(["import", str(target), "--json", str(source)]) == cli.EXIT_ERROR
    assert said in capsys.readouterr().err


@pytest.mark.parametrize(
    ("place", "raw", "said"),
    [
        (("reps", 0, "name"), '"\\ud800"', "lone surrogate"),
        (("reps", 0, "name"), '"Ann\\u0000Lee"', "control character (U+0000)"),
        (("reps", 0, "id"), str(2**63), "at most"),
        (("deals", 0, "id"), str(2**63 - 1), None),  # the largest id is taken
        (("deals", 0, "amount"), '"1000000000000.01"', "largest amount"),
        (("deals", 0, "amount"), '"' + "1" * 41 + '"', "too long"),
        (("adjustments", 0, "reason"), '"a\\nb\\rc"', None),  # line breaks are allowed
    ],
)
def test_limits(
    place: tuple[Any, ...],
    raw: str,
    said: str | None,
    target: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    doc = json.loads(json.dumps(BASE))
    _place(doc, place)
    source = target.with_name("limit.json")
    source.write_text(json.dumps(doc).replace(json.dumps(_MARK), raw), encoding="utf-8")
    code = cli.main(["import", str(target), "--json", str(source)])
    err = capsys.readouterr().err
    if said is None:
        assert code == cli.EXIT_OK, err
    else:
        assert code == cli.EXIT_ERROR
        assert said in err, err
        assert len(err.strip().splitlines()) == 1, err


def test_nesting_depth_ignores_brackets_in_text() -> None:
    assert company_codec.nesting_depth('{"a": "[[[[{{{{\\"]]"}') == 1
    assert company_codec.nesting_depth("[[[]], {}]") == 3
