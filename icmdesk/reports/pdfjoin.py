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


def join_pdfs(documents: Sequence[bytes], *, title: str = "", author: str = "") -> bytes:
    """One PDF with the pages of every document in order; deterministic for the same input."""
    if not documents:
        raise PdfJoinError("nothing to join")
    out_objects: list[bytes] = []  # object number n is out_objects[n - 1]
    kids: list[int] = []
    total_pages = 0
    # The joined file's catalog, page root and info take numbers 1-3.
    catalog_num, pages_num, info_num = 1, 2, 3
    next_num = 4
    for data in documents:
        objects, root, info = _objects(data)
        catalog = objects[root]
        pages_match = re.search(rb"/Pages (\d+) 0 R", catalog)
        if not pages_match:
            raise PdfJoinError("catalog without /Pages")
        pages = int(pages_match.group(1))
        kept = sorted(n for n in objects if n not in (root, info))
        renumber = {old: next_num + i for i, old in enumerate(kept)}
        next_num += len(kept)

        def ref(m: re.Match[bytes], renumber: dict[int, int] = renumber) -> bytes:
            return b"%d 0 R" % renumber[int(m.group(1))]

        for old in kept:
            head, stream = _split_stream(objects[old])
            head = _OBJ_HEAD.sub(b"%d 0 obj" % renumber[old], head, count=1)
            head = _REF.sub(ref, head)
            if old == pages:
                count = re.search(rb"/Count (\d+)", head)
                if not count or b"/Parent" in head:
                    raise PdfJoinError("unexpected page tree root")
                total_pages += int(count.group(1))
                head = head.replace(b"<<", b"<<\n/Parent %d 0 R" % pages_num, 1)
            chunk = head + stream
            if not chunk.endswith(b"\n"):
                chunk += b"\n"
            out_objects.append(chunk)
        kids.append(renumber[pages])
    header = b"%PDF-1.4\n%\x93\x8c\x8b\x9e ICMDesk\n"
    fixed = [
        b"%d 0 obj\n<<\n/Pages %d 0 R /Type /Catalog\n>>\nendobj\n" % (catalog_num, pages_num),
        b"%d 0 obj\n<<\n/Count %d /Kids [ %s ] /Type /Pages\n>>\nendobj\n"
        % (pages_num, total_pages, b" ".join(b"%d 0 R" % k for k in kids)),
        b"%d 0 obj\n<<\n/Author %s /Creator (ICMDesk) /Producer (ICMDesk) /Title %s\n>>\nendobj\n"
        % (info_num, _pdf_string(author), _pdf_string(title)),
    ]
    body = bytearray(header)
    offsets = []
    for chunk in fixed + out_objects:
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
        b"startxref\n%d\n%%%%EOF\n" % (digest, digest, info_num, catalog_num, size, xref_at)
    )
    return bytes(body)
