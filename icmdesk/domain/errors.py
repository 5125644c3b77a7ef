"""Problems found by validation, and the one exception that carries them all."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Problem:
    """One thing wrong with some input, in words a person understands.

    `field` names the input field it concerns ("" for the record as a whole), so a
    form can show the message next to the field.
    """

    field: str
    message: str

    def __str__(self) -> str:
        return self.message


class ValidationError(Exception):
    """Raised by a service when input has problems; carries every problem at once."""

    def __init__(self, problems: list[Problem] | tuple[Problem, ...]) -> None:
        self.problems: tuple[Problem, ...] = tuple(problems)
        super().__init__("; ".join(p.message for p in self.problems) or "invalid input")


class NotFoundError(Exception):
    """A record named by id does not exist (any more)."""


class CompanyFileError(Exception):
    """A company file cannot be opened or written: newer version, corrupt, not ICMDesk, locked."""


class PeriodError(Exception):
    """A period action is not allowed (closing out of order, reopening an old month, ...)."""
