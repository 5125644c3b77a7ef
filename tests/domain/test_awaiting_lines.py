"""AwaitingLines and StatementLines: a statement's lines produced when first read, then a
tuple."""

from __future__ import annotations

import inspect
import operator
import pickle
import sys
import threading
from dataclasses import replace
from datetime import date
from decimal import Decimal
from types import FrameType

from icmdesk.domain.calendar import Month
from icmdesk.domain.engine import compute_month, compute_range
from icmdesk.domain.statement import AwaitingLine, AwaitingLines, LineKind, StatementLines
from icmdesk.domain.statement_codec import canonical_json, snapshot_of
from tests.domain.builders import CompanyBuilder, closed, plan, version

LINES = (
    AwaitingLine(
        "D-1",
        "Acme",
        date(2026, 1, 10),
        Decimal("100.00"),
        Decimal("40.00"),
        Decimal("60.00"),
        "one",
    ),
    AwaitingLine(
        "D-2",
        "Beta",
        date(2026, 2, 10),
        Decimal("200.00"),
        Decimal("0.00"),
        Decimal("200.00"),
        "two",
    ),
)


def test_lines_are_made_once_when_first_read_and_behave_as_their_tuple() -> None:
    calls: list[int] = []

    def make() -> tuple[AwaitingLine, ...]:
        calls.append(1)
        return LINES

    lazy = AwaitingLines(make)
    assert calls == []  # nothing produced until read
    assert len(lazy) == 2 and list(lazy) == list(LINES)
    assert lazy[1] == LINES[1] and lazy[:1] == LINES[:1]
    assert lazy == LINES and lazy == AwaitingLines(lambda: LINES)
    assert LINES.__eq__(lazy) is NotImplemented  # so tuple == lazy asks lazy: equal
    assert operator.eq(LINES, lazy)
    assert lazy != LINES[:1] and hash(lazy) == hash(LINES)
    assert repr(lazy) == repr(LINES)
    assert calls == [1]
    copy = pickle.loads(pickle.dumps(lazy))  # the PDF pool sends statements to workers
    assert copy == LINES and type(copy) is tuple
    assert not AwaitingLines(tuple)  # empty


def test_carried_lines_are_read_from_the_closed_statement_when_asked() -> None:
    c = CompanyBuilder()
    ana = c.rep("Ana", plan("Cash", version(10, cash=True)), hired="2026-01-01")
    c.deal("D-1", "1000.00", "2026-01-10", (ana, 100), payments=(("2026-02-10", "400.00"),))
    c.deal("D-2", "500.00", "2026-04-02", (ana, 100))
    data = c.build()
    ranged = compute_range(data, Month(2026, 1), Month(2026, 3))
    snaps = [snapshot_of(s) for m in ranged for s in ranged[m]]
    stored = closed(data, ["2026-01", "2026-02", "2026-03"], snaps)
    april = Month(2026, 4)
    only_april = replace(stored, deals=tuple(d for d in stored.deals if d.external_id == "D-2"))
    (part,) = compute_month(only_april, april, verify_months=frozenset())
    (full,) = compute_month(stored, april)
    assert isinstance(part.awaiting, AwaitingLines)  # carried: produced when read
    assert [a.deal_id for a in part.awaiting] == ["D-1", "D-2"]
    assert part == full and hash(part) == hash(full)
    assert canonical_json(part) == canonical_json(full)


def test_a_reader_overtaken_by_another_gets_the_lines_they_made() -> None:
    """Two threads reading at once: one pauses after finding no lines yet, the other makes
    them meanwhile; the first then finds them made, not a missing maker."""
    lazy = AwaitingLines(lambda: LINES)
    source, first = inspect.getsourcelines(AwaitingLines.lines)
    pause_at = first + next(i for i, text in enumerate(source) if "make = self._make" in text)
    paused, overtaken = threading.Event(), threading.Event()

    def tracer(frame: FrameType, event: str, arg: object) -> object:
        if frame.f_code is not AwaitingLines.lines.__code__:
            return None

        def line(frame: FrameType, event: str, arg: object) -> object:
            if event == "line" and frame.f_lineno == pause_at:
                paused.set()
                overtaken.wait(5)
            return line

        return line

    got: dict[str, object] = {}

    def slow_reader() -> None:
        sys.settrace(tracer)
        try:
            got["slow"] = lazy.lines()
        except BaseException as e:  # reported by the assertion below
            got["slow"] = e
        finally:
            sys.settrace(None)

    thread = threading.Thread(target=slow_reader)
    thread.start()
    assert paused.wait(5)
    got["fast"] = lazy.lines()
    overtaken.set()
    thread.join(5)
    assert got == {"fast": LINES, "slow": LINES}


def test_a_computed_statements_lines_are_built_when_read() -> None:
    c = CompanyBuilder()
    ana = c.rep("Ana", plan("Flat", version(10)), hired="2026-01-01")
    c.deal("D-1", "1000.00", "2026-01-10", (ana, 100))
    c.adjust(ana, "2026-01", "50.00", "Spiff by hand")
    (statement,) = compute_month(c.build(), Month(2026, 1))
    assert isinstance(statement.lines, StatementLines)
    assert statement.lines._lines is None  # nothing described until read
    assert [(line.kind, line.deal_id, line.amount) for line in statement.lines] == [
        (LineKind.COMMISSION, "D-1", Decimal("100.00")),
        (LineKind.ADJUSTMENT, None, Decimal("50.00")),
    ]
    assert statement.lines[0].description.startswith("Deal D-1 · ")
    copy = pickle.loads(pickle.dumps(statement))
    assert copy == statement and type(copy.lines) is tuple
