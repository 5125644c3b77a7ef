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


# Why a company file (or a file written beside it) could not be read or written, one class
# per cause the command line gives its own exit code (cli.EXIT_*) and the app its message.


class FileMissingError(CompanyFileError):
    """The file, or the folder it should be in, does not exist."""


class FileReadOnlyError(CompanyFileError):
    """The file cannot be written (its permissions, an immutable flag, a read-only share)."""


class FolderReadOnlyError(CompanyFileError):
    """The folder cannot be written: no lock, backup, journal or new file can go there."""


class DiskFullError(CompanyFileError):
    """The disk (or the user's quota) is full."""


class FileDamagedError(CompanyFileError):
    """The file is not a SQLite database, not ICMDesk's, or damaged."""


class NewerFileError(CompanyFileError):
    """The file was saved by a newer ICMDesk (a schema this version does not know)."""


def printable(text: str) -> str:
    """`text` safe to show on one line: control characters (a newline included), lone
    surrogates and other characters that cannot be printed escaped as `\\n`, `\\x00`,
    `\\ud800`, so a value read from a file never splits or garbles a message."""
    if text.isprintable():
        return text
    out = []
    for ch in text:
        if ch.isprintable() or ch == " ":
            out.append(ch)
        elif ch in "\n\r\t":
            out.append({"\n": "\\n", "\r": "\\r", "\t": "\\t"}[ch])
        else:
            code = ord(ch)
            out.append(
                f"\\x{code:02x}"
                if code < 0x100
                else f"\\u{code:04x}"
                if code < 0x10000
                else f"\\U{code:08x}"
            )
    return "".join(out)
