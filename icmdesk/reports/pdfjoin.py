"""Join PDFs that ICMDesk itself wrote with reportlab into one file, without re-laying them out.

The print file of a month holds every statement and notice. Laying them all out a
second time would double the batch's work, and reportlab cannot import pages, so
this joins the finished files: each file's objects are renumbered into one file and
its page tree is hung under a new root. It relies on reportlab's regular output
(a classic xref table, dictionaries that never contain the word "stream", no
inheritable attributes on the page tree root) and is not a general PDF merger:
use it only on PDFs from `layout.build_pdf`.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Sequence

_STARTXREF = re.compile(rb"startxref\s+(\d+)\s+%%EOF\s*$")
_REF = re.compile(rb"(?<![\d.\-])(\d+) 0 R\b")
_OBJ_HEAD = re.compile(rb"^(\d+) 0 obj")
_CATALOG_NUM, _PAGES_NUM, _INFO_NUM = 1, 2, 3


class PdfJoinError(ValueError):
    """The input is not a PDF of the shape `build_pdf` writes."""


def _objects(data: bytes) -> tuple[dict[int, bytes], int, int]:
    """Every object's bytes by number, the catalog's number and the info's number."""
    m = _STARTXREF.search(data)
    if not m:
        raise PdfJoinError("no startxref: not a complete PDF")
    xref_at = int(m.group(1))
    lines = data[xref_at:].split(b"\n", 2)
    if lines[0].strip() != b"xref":
        raise PdfJoinError("expected a classic xref table")
    first, count = (int(x) for x in lines[1].split())
    table = lines[2]
    offsets: dict[int, int] = {}
    for i in range(count):
        entry = table[i * 20 : i * 20 + 20]
        if entry[17:18] == b"n":
            offsets[first + i] = int(entry[:10])
    trailer = data[xref_at:]
    root = re.search(rb"/Root (\d+) 0 R", trailer)
    info = re.search(rb"/Info (\d+) 0 R", trailer)
    if not root:
        raise PdfJoinError("no /Root in the trailer")
    ends = sorted([*offsets.values(), xref_at])
    objects: dict[int, bytes] = {}
    for num, start in offsets.items():
        end = ends[ends.index(start) + 1]
        chunk = data[start:end]
        head = _OBJ_HEAD.match(chunk)
        if not head or int(head.group(1)) != num:
            raise PdfJoinError(f"object {num} is not where the xref says")
        objects[num] = chunk
    return objects, int(root.group(1)), int(info.group(1)) if info else -1


def _split_stream(chunk: bytes) -> tuple[bytes, bytes]:
    """(dictionary part, stream part): only the dictionary part is renumbered."""
    for marker in (b"\nstream\r\n", b"\nstream\n"):
        at = chunk.find(marker)
        if at >= 0:
            return chunk[:at], chunk[at:]
    return chunk, b""


def _pdf_string(text: str) -> bytes:
    """A PDF text string in UTF-16BE hex, so any name survives."""
    return b"<FEFF" + text.encode("utf-16-be").hex().upper().encode() + b">"


class PdfJoiner:
    """Joins documents one at a time, so a batch can add each file as soon as it is written.

    `add` renumbers a document's objects straight away (the costly part); `finish` only
    writes the new root, page tree, info and xref. The result equals `join_pdfs` of the
    same documents in the same order.
    """

    def __init__(self) -> None:
        self._objects: list[bytes] = []  # object number n is _objects[n - 4]
        self._kids: list[int] = []
        self._total_pages = 0
        # The joined file's catalog, page root and info take numbers 1-3.
        self._next_num = 4

    @property
    def documents(self) -> int:
        """How many documents were added."""
        return len(self._kids)

    def add(self, data: bytes) -> None:
        """Append one PDF from `layout.build_pdf`; PdfJoinError if it is not of that shape."""
        objects, root, info = _objects(data)
        catalog = objects[root]
        pages_match = re.search(rb"/Pages (\d+) 0 R", catalog)
        if not pages_match:
            raise PdfJoinError("catalog without /Pages")
        pages = int(pages_match.group(1))
        kept = sorted(n for n in objects if n not in (root, info))
        renumber = {old: self._next_num + i for i, old in enumerate(kept)}

        def ref(m: re.Match[bytes]) -> bytes:
            return b"%d 0 R" % renumber[int(m.group(1))]

        chunks: list[bytes] = []
        added_pages = 0
        for old in kept:
            head, stream = _split_stream(objects[old])
            head = _OBJ_HEAD.sub(b"%d 0 obj" % renumber[old], head, count=1)
            head = _REF.sub(ref, head)
            if old == pages:
                count = re.search(rb"/Count (\d+)", head)
                if not count or b"/Parent" in head:
                    raise PdfJoinError("unexpected page tree root")
                added_pages = int(count.group(1))
                head = head.replace(b"<<", b"<<\n/Parent %d 0 R" % _PAGES_NUM, 1)
            chunk = head + stream
            if not chunk.endswith(b"\n"):
                chunk += b"\n"
            chunks.append(chunk)
        # Only a document that joined cleanly changes the state.
        self._objects.extend(chunks)
        self._next_num += len(kept)
        self._total_pages += added_pages
        self._kids.append(renumber[pages])

    def finish(self, *, title: str = "", author: str = "") -> bytes:
        """The joined PDF's bytes; deterministic for the same documents, title and author."""
        if not self._kids:
            raise PdfJoinError("nothing to join")
        header = b"%PDF-1.4\n%\x93\x8c\x8b\x9e ICMDesk\n"
        fixed = [
            b"%d 0 obj\n<<\n/Pages %d 0 R /Type /Catalog\n>>\nendobj\n"
            % (_CATALOG_NUM, _PAGES_NUM),
            b"%d 0 obj\n<<\n/Count %d /Kids [ %s ] /Type /Pages\n>>\nendobj\n"
            % (_PAGES_NUM, self._total_pages, b" ".join(b"%d 0 R" % k for k in self._kids)),
            b"%d 0 obj\n<<\n/Author %s /Creator (ICMDesk) /Producer (ICMDesk) /Title %s\n>>"
            b"\nendobj\n" % (_INFO_NUM, _pdf_string(author), _pdf_string(title)),
        ]
        body = bytearray(header)
        offsets = []
        for chunk in fixed + self._objects:
            offsets.append(len(body))
            body += chunk
        xref_at = len(body)
        size = len(offsets) + 1
        body += b"xref\n0 %d\n0000000000 65535 f \n" % size
        for off in offsets:
            body += b"%010d 00000 n \n" % off
        digest = hashlib.md5(bytes(body), usedforsecurity=False).hexdigest().encode()
        body += (
            b"trailer\n<<\n/ID [<%s><%s>]\n/Info %d 0 R\n/Root %d 0 R\n/Size %d\n>>\n"
            b"startxref\n%d\n%%%%EOF\n" % (digest, digest, _INFO_NUM, _CATALOG_NUM, size, xref_at)
        )
        return bytes(body)


def join_pdfs(documents: Sequence[bytes], *, title: str = "", author: str = "") -> bytes:
    """One PDF with the pages of every document in order; deterministic for the same input."""
    joiner = PdfJoiner()
    for data in documents:
        joiner.add(data)
    return joiner.finish(title=title, author=author)
