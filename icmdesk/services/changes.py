"""What one unit of work changed: the records it added, changed and removed, each with
its value before and after, and the closed months it marked for re-verification.

The one write path (`records.write`, `records.remove`) collects a `Changes` for every
unit of work that writes through it and hands it, once the transaction has committed, to
whoever listens to that company file (`records.listen`, `records.collecting`): the undo
history (services.history) and tests. A `Changes` is a plain frozen value: it holds
domain values (`Deal`, `Rep`, ...), never rows, so it can be kept after its session is
gone and replayed backwards (`inverse`) through the same write path.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Generic, TypeVar

from icmdesk.domain.calendar import Month
from icmdesk.domain.entities import Deal

# The entities the write path knows (records' `_Kind.entity`), as people call them.
ENTITY_WORDS = {
    "role": "role",
    "rep": "rep",
    "plan": "plan",
    "assignment": "plan assignment",
    "deal": "deal",
    "adjustment": "adjustment",
}


@dataclass(frozen=True, slots=True)
class Change:
    """One record's change: `before` None when it was added, `after` None when removed."""

    entity: str  # "deal", "rep", ... (records' _Kind.entity)
    id: int
    name: str  # how people call the record: "D-1042", "Ana Lee"
    before: object | None
    after: object | None

    @property
    def verb(self) -> str:
        """What was done, in words: Add, Edit, Delete, or Cancel (a deal's cancellation)."""
        if self.before is None:
            return "Add"
        if self.after is None:
            return "Delete"
        if (
            isinstance(self.before, Deal)
            and isinstance(self.after, Deal)
            and self.before.cancellation_date is None
            and self.after.cancellation_date is not None
        ):
            return "Cancel"
        return "Edit"

    @property
    def words(self) -> str:
        """The record in words: "deal D-1042"."""
        return f"{ENTITY_WORDS.get(self.entity, self.entity)} {self.name}"

    @property
    def label(self) -> str:
        """The change as an action: "Delete rep Ana Lee"."""
        return f"{self.verb} {self.words}"

    def reversed(self) -> Change:
        """The change that takes this one back."""
        return Change(self.entity, self.id, self.name, self.after, self.before)


@dataclass(frozen=True, slots=True)
class Changes:
    """What one unit of work changed, in the order it wrote (a record written twice in it
    appears once, with its first before and its last after).

    `dirty_months`: the closed months it newly marked for re-verification (their
    corrections reach the first open month's statements). `closed`, `reopened`: the months
    it closed or reopened. `settings`: it changed the company's settings or opening
    balances. `bulk`: the entities it wrote rows of without an item each (an import too
    large to keep for Undo). `not_undoable`: why it cannot be undone ("" when it can):
    closing and reopening, the settings and a bulk write say so. `replay`: it was itself
    an undo or a redo. `what`: the action's name when its first record does not name it
    ("Import deals from crm.csv").
    """

    items: tuple[Change, ...] = ()
    dirty_months: tuple[Month, ...] = ()
    not_undoable: str = ""
    replay: bool = False
    closed: tuple[Month, ...] = ()
    reopened: tuple[Month, ...] = ()
    settings: bool = False
    bulk: frozenset[str] = frozenset()
    what: str = ""

    def __bool__(self) -> bool:
        """Whether it changed anything at all."""
        return bool(
            self.items
            or self.dirty_months
            or self.closed
            or self.reopened
            or self.settings
            or self.bulk
        )

    def __iter__(self) -> Iterator[Change]:
        return iter(self.items)

    @property
    def added(self) -> tuple[Change, ...]:
        return tuple(c for c in self.items if c.before is None)

    @property
    def changed(self) -> tuple[Change, ...]:
        return tuple(c for c in self.items if c.before is not None and c.after is not None)

    @property
    def removed(self) -> tuple[Change, ...]:
        return tuple(c for c in self.items if c.after is None)

    @property
    def entities(self) -> frozenset[str]:
        """The kinds of records touched ("deal", "rep", ...), bulk writes included."""
        return frozenset(c.entity for c in self.items) | self.bulk

    def ids(self, entity: str) -> tuple[int, ...]:
        """The ids of the records of one entity touched, in the order written."""
        return tuple(c.id for c in self.items if c.entity == entity)

    @property
    def label(self) -> str:
        """The action in words, named by its first record: "Edit deal D-1042", "Delete rep
        Ana Lee", "Cancel deal D-7" (a rep saved with its plan assignments is "Edit rep
        ...": the rep comes first)."""
        if self.what:
            return self.what
        return self.items[0].label if self.items else ""

    def inverse(self) -> tuple[Change, ...]:
        """The changes that take this unit of work back, in the order to apply them (the
        last written is taken back first)."""
        return tuple(c.reversed() for c in reversed(self.items))


T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class Done(Generic[T]):
    """What an action returned, and what its unit of work changed (`records.perform`)."""

    value: T
    changes: Changes
