"""Reading the files people bring in: CSV (any of the encodings and separators CRMs and
spreadsheets write) and Excel .xlsx workbooks.

`open_sheet` finds what a file is and refuses, as a whole and with a message a person
understands, what cannot be read: an empty file, a binary one, an old .xls workbook, a
CSV whose text is not in the encoding it declares, a header with no rows. It returns the
header and an iterator over the rows, each with the row number a spreadsheet shows and
the line of the file it starts on; blank rows are left out. Reading is streamed: a file of
a million rows is never held whole in memory.
"""

from __future__ import annotations

import codecs
import csv
import io
import zipfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

from icmdesk.domain.imports.deals import SourceRow
from icmdesk.domain.imports.profiles import PROFILES

SAMPLE = 1 << 16  # bytes read to tell what a file is
HEADER_SEARCH = 12  # rows above the header a report may have (a title, a filter line)
_DELIMITERS = (",", ";", "\t", "|")
csv.field_size_limit(1 << 24)  # a long description is one cell, not an error


# (done, total, what): how far an import has read or written, every few thousand rows.
Progress = Callable[[int, int, str], None]


class Cancelled(Exception):
    """The user stopped an import; nothing was written."""


class StalePlan(Exception):
    """The company changed after an import was planned: plan the file again."""


class FileRefused(Exception):
    """The file cannot be imported at all; `code` for programs, the text for people."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


@dataclass(frozen=True)
class Sheet:
    """A file opened for import: what it is, its header, and its rows (read once)."""

    path: Path
    kind: str  # "CSV" or "Excel workbook"
    description: str  # "CSV, UTF-8, comma-separated" or "Excel workbook, sheet Deals"
    header_row: int  # the row the header is on
    headers: tuple[str, ...]
    rows: Iterator[SourceRow]
    size: int  # bytes
    position: Callable[[], int]  # bytes read so far (rows for a workbook: see `total`)
    total: int  # what `position` counts up to
    # Let go of the file whether or not its rows were read to the end (idempotent).
    close: Callable[[], None] = lambda: None

    def release(self) -> None:
        """Stop reading: the rows (if they were started) and the file itself."""
        stop = getattr(self.rows, "close", None)
        if stop is not None:
            stop()
        self.close()


def open_sheet(path: Path) -> Sheet:
    """Open `path` for import; FileRefused says why it cannot be."""
    try:
        size = path.stat().st_size
        with path.open("rb") as f:
            head = f.read(SAMPLE)
    except FileNotFoundError:
        raise FileRefused("missing", f"There is no file {path}.") from None
    except IsADirectoryError:
        raise FileRefused("missing", f"{path} is a folder, not a file.") from None
    except OSError as e:
        raise FileRefused("unreadable", f"{path.name} cannot be read: {e.strerror or e}.") from None
    if not head.strip(b" \t\r\n\x00\xef\xbb\xbf\xff\xfe"):
        raise FileRefused("empty", f"{path.name} is empty: there is nothing to import.")
    if head.startswith(b"PK\x03\x04"):
        return _open_workbook(path, size)
    if head.startswith(b"\xd0\xcf\x11\xe0"):
        raise FileRefused(
            "old_excel",
            f"{path.name} is an Excel 97-2003 workbook (.xls). Open it in Excel or LibreOffice "
            "and save it as .xlsx or as CSV, then import that.",
        )
    if head.startswith(b"%PDF"):
        raise FileRefused("binary", f"{path.name} is a PDF, not a table of deals.")
    encoding = _encoding(path, head)
    return _open_csv(path, size, encoding)


# -- CSV ----------------------------------------------------------------------------------


def _encoding(path: Path, head: bytes) -> str:
    """The encoding a CSV's text is in: its byte-order mark says; UTF-16 shows in its
    zero bytes; else UTF-8 if the whole file is valid UTF-8, else Windows-1252 (or
    ISO-8859-1 for the bytes Windows-1252 leaves undefined). A file that claims an
    encoding it breaks, or that holds zero bytes in 8-bit text, is refused."""
    if head.startswith(codecs.BOM_UTF8):
        declared = "utf-8-sig"
    elif head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        declared = "utf-16"
    elif _looks_utf16(head):
        declared = "utf-16-le" if head[1::2].count(0) > head[0::2].count(0) else "utf-16-be"
    else:
        declared = ""
    if declared:
        if not _decodes(path, declared):
            raise FileRefused(
                "encoding",
                f"{path.name} starts as {_encoding_name(declared)} text but is not valid "
                f"{_encoding_name(declared)} further on: it may be damaged. Export it again.",
            )
        return declared
    if b"\x00" in head:
        raise FileRefused("binary", f"{path.name} is not a text (CSV) file or an Excel workbook.")
    for candidate in ("utf-8", "cp1252"):
        if _decodes(path, candidate):
            return candidate
    return "latin-1"


def _looks_utf16(head: bytes) -> bool:
    """UTF-16 without a byte-order mark: ASCII text has a zero byte in every other place."""
    sample = head[:4096]
    if len(sample) < 4:
        return False
    zeros = sample.count(0)
    evens, odds = sample[0::2].count(0), sample[1::2].count(0)
    return zeros > len(sample) // 4 and max(evens, odds) > 0.9 * zeros


def _decodes(path: Path, encoding: str) -> bool:
    decoder = codecs.getincrementaldecoder(encoding)("strict")
    try:
        with path.open("rb") as f:
            while chunk := f.read(1 << 20):
                decoder.decode(chunk)
            decoder.decode(b"", final=True)
    except (UnicodeDecodeError, UnicodeError):
        return False
    return True


def _encoding_name(encoding: str) -> str:
    return {
        "utf-8-sig": "UTF-8",
        "utf-8": "UTF-8",
        "utf-16": "UTF-16",
        "utf-16-le": "UTF-16",
        "utf-16-be": "UTF-16",
        "cp1252": "Windows-1252",
        "latin-1": "ISO-8859-1",
    }.get(encoding, encoding)


class _Counting(io.RawIOBase):
    """A binary file that counts the bytes read from it (for progress)."""

    def __init__(self, raw: IO[bytes]) -> None:
        self._raw = raw
        self.count = 0

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        n = self._raw.readinto(buffer)  # type: ignore[attr-defined]
        self.count += n or 0
        return n or 0

    def close(self) -> None:
        self._raw.close()
        super().close()


def _dialect(text: str) -> str:
    """The separator of a CSV: of comma, semicolon, tab and bar, the one that splits the
    first records into the same number of fields, more than one, most of the time."""
    lines = text.splitlines()[:60]
    sample = "\n".join(lines)
    best, best_score = ",", (-1.0, 0)
    for delimiter in _DELIMITERS:
        try:
            records = [r for r in csv.reader(io.StringIO(sample), delimiter=delimiter) if r]
        except csv.Error:
            continue
        if not records:
            continue
        widths = [len(r) for r in records[:-1] or records]  # the last may be cut short
        header = max(widths[:HEADER_SEARCH])
        if header < 2:
            continue
        same = sum(1 for w in widths if w == header) / len(widths)
        score = (same, header)
        if score > best_score:
            best, best_score = delimiter, score
    return best


_DELIMITER_NAMES = {",": "comma", ";": "semicolon", "\t": "tab", "|": "bar"}


def _open_csv(path: Path, size: int, encoding: str) -> Sheet:
    with path.open("rb") as f:
        head_bytes = f.read(SAMPLE * 4)
    head = head_bytes.decode(encoding, errors="ignore")
    if head.startswith("\ufeff"):
        head = head[1:]
    if _control_heavy(head):
        raise FileRefused("binary", f"{path.name} is not a text (CSV) file or an Excel workbook.")
    delimiter = _dialect(head)
    counter = _Counting(path.open("rb"))
    stream = io.TextIOWrapper(io.BufferedReader(counter, 1 << 20), encoding=encoding, newline="")
    reader = csv.reader(stream, delimiter=delimiter)
    records = _numbered(reader)
    try:
        header_row, headers, rest = _find_header(records)
    except (csv.Error, UnicodeDecodeError) as e:
        stream.close()
        raise FileRefused("malformed", f"{path.name} is not a readable CSV file: {e}.") from None
    except FileRefused:
        stream.close()
        raise
    description = f"CSV, {_encoding_name(encoding)}, {_DELIMITER_NAMES[delimiter]}-separated"
    return Sheet(
        path=path,
        kind="CSV",
        description=description,
        header_row=header_row,
        headers=headers,
        rows=_closing(rest, stream, path),
        size=size,
        position=lambda: counter.count,
        total=size,
        close=stream.close,
    )


def _control_heavy(text: str) -> bool:
    """Text with control characters in it (other than tab and line ends) is not a CSV."""
    if not text:
        return False
    bad = sum(1 for ch in text if ch < " " and ch not in "\t\r\n")
    return bad > max(8, len(text) // 200)


def _numbered(reader: Any) -> Iterator[tuple[int, int, list[str]]]:
    """(row number, line it starts on, cells) for every record, blank ones included: a
    spreadsheet numbers blank rows too."""
    line = 0
    for number, record in enumerate(reader, start=1):
        start = line + 1
        line = reader.line_num
        yield number, start, record


def _find_header(
    records: Iterator[tuple[int, int, list[Any]]],
) -> tuple[int, tuple[str, ...], Iterator[SourceRow]]:
    """The header: the first row a CRM layout recognises among the first rows (a report
    may put a title above it), else the first row with two or more cells filled."""
    above: list[tuple[int, int, list[Any]]] = []
    for item in records:
        above.append(item)
        if len(above) >= HEADER_SEARCH:
            break
    chosen = None
    for i, (_n, _l, cells) in enumerate(above):
        names = tuple(_header_text(c) for c in cells)
        if any(p.matches(names) for p in PROFILES):
            chosen = i
            break
    if chosen is None:
        chosen = next(
            (
                i
                for i, (_n, _l, cells) in enumerate(above)
                if sum(1 for c in cells if _filled(c)) >= 2
            ),
            None,
        )
    if chosen is None:
        if any(any(_filled(c) for c in cells) for _n, _l, cells in above):
            raise FileRefused(
                "no_header",
                "The file has no header row: the first row must name the columns (Deal ID, "
                "Amount, Close Date…).",
            )
        raise FileRefused("empty", "The file has no rows to import.")
    number, _line, cells = above[chosen]
    headers = _unique_headers([_header_text(c) for c in cells])
    below = above[chosen + 1 :]

    def rows() -> Iterator[SourceRow]:
        for n, line, cells in _chain(below, records):
            # Most rows start with a filled cell: the generator only for the others.
            first = cells[0] if cells else None
            if (first.__class__ is str and first and not first.isspace()) or any(
                _filled(c) for c in cells
            ):
                yield SourceRow(n, line, cells)

    body = rows()
    first = next(body, None)
    if first is None:
        raise FileRefused("header_only", "The file has a header row but no rows of deals under it.")

    def with_first() -> Iterator[SourceRow]:
        yield first
        yield from body

    return number, headers, with_first()


def _chain(
    first: list[tuple[int, int, list[Any]]], rest: Iterator[tuple[int, int, list[Any]]]
) -> Iterator[tuple[int, int, list[Any]]]:
    yield from first
    yield from rest


def _filled(cell: object) -> bool:
    return cell is not None and (not isinstance(cell, str) or bool(cell.strip()))


def _header_text(cell: object) -> str:
    return "" if cell is None else " ".join(str(cell).replace("\ufeff", "").split())


def _unique_headers(names: list[str]) -> tuple[str, ...]:
    """Header names, each once: a blank one is "Column C", a repeated one gets " (2)"."""
    seen: dict[str, int] = {}
    out = []
    for i, name in enumerate(names):
        name = name or f"Column {_column_letter(i)}"
        if name in seen:
            seen[name] += 1
            name = f"{name} ({seen[name]})"
        else:
            seen[name] = 1
        out.append(name)
    return tuple(out)


def _column_letter(index: int) -> str:
    letters = ""
    index += 1
    while index:
        index, rem = divmod(index - 1, 26)
        letters = chr(65 + rem) + letters
    return letters


def _closing(rows: Iterator[SourceRow], stream: IO[str], path: Path) -> Iterator[SourceRow]:
    """The rows, the file closed once they are read (or abandoned); a text that breaks
    its encoding or the CSV rules further on refuses the file."""
    try:
        yield from rows
    except (csv.Error, UnicodeDecodeError) as e:
        raise FileRefused("malformed", f"{path.name} is not a readable CSV file: {e}.") from None
    finally:
        stream.close()


# -- Excel --------------------------------------------------------------------------------


def _open_workbook(path: Path, size: int) -> Sheet:
    try:
        from openpyxl import load_workbook
    except ImportError:  # pragma: no cover - a dependency of the package
        raise FileRefused("xlsx_unsupported", "Reading .xlsx needs openpyxl.") from None
    # Given an open file, not the path: openpyxl refuses a path by its extension, and a
    # workbook saved as "deals.csv" is known by its content here (its InvalidFileException
    # escaped open_sheet). The read-only book reads the file until it is closed.
    handle = path.open("rb")
    try:
        book = load_workbook(handle, read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, OSError, ValueError) as e:
        handle.close()
        raise FileRefused(
            "malformed", f"{path.name} is not a readable Excel workbook (.xlsx): {e}."
        ) from None

    def close() -> None:
        book.close()
        handle.close()

    try:
        sheet = next((ws for ws in book.worksheets if ws.max_row and ws.max_row > 0), None)
        if sheet is None:
            raise FileRefused("empty", f"{path.name} has no sheet with rows in it.")
        total = sheet.max_row or 0
        seen = [0]

        def records() -> Iterator[tuple[int, int, list[Any]]]:
            for number, values in enumerate(sheet.iter_rows(values_only=True), start=1):
                seen[0] = number
                yield number, number, list(values)

        header_row, headers, rest = _find_header(records())
    except FileRefused:
        close()
        raise
    except Exception as e:  # openpyxl raises what its XML parser raises on a damaged sheet
        close()
        raise FileRefused(
            "malformed", f"{path.name} is not a readable Excel workbook (.xlsx): {e}."
        ) from None

    def rows() -> Iterator[SourceRow]:
        try:
            yield from rest
        finally:
            close()

    return Sheet(
        path=path,
        kind="Excel workbook",
        description=f"Excel workbook, sheet {sheet.title}",
        header_row=header_row,
        headers=headers,
        rows=rows(),
        size=size,
        position=lambda: seen[0],
        total=max(total, 1),
        close=close,
    )
