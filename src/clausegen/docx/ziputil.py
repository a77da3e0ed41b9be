"""Byte-stable .docx packaging: same parts, same order, same dates, same compression → same bytes.

``Package`` writes a zip by hand (local headers, central directory) so that the parts of a template that
do not change from one document to the next are compressed once and copied as they are; only the
rendered XML parts are compressed per document. Every entry name written is a clean part name
(``name_problem``): never « ../ », an absolute path, a drive or a backslash, whatever the template held.
"""

from __future__ import annotations

import io
import struct
import zlib
from dataclasses import dataclass

_DOS_TIME = 0
_DOS_DATE = (0 << 9) | (1 << 5) | 1  # 1980-01-01
LEVEL = 3  # deflate level: half the time of level 6 for parts about 10 % larger (a document's XML is some tens of KiB)


@dataclass(frozen=True)
class Entry:
    """One zip member, already deflated."""

    name: bytes
    crc: int
    size: int
    data: bytes  # raw deflate stream


def name_problem(name: str) -> str | None:
    """Why ``name`` is not a clean part name of a .docx (French), or None: relative, « / »-separated segments
    that are neither empty nor « . » nor « .. », no backslash, drive, colon or control character."""
    if not name or len(name) > 1024:
        return "nom vide ou démesuré"
    if name.startswith("/") or "\\" in name or ":" in name:
        return "chemin absolu, lecteur ou barre oblique inverse"
    if any(ord(c) < 32 or ord(c) == 127 for c in name):
        return "caractère de contrôle"
    segments = name.rstrip("/").split("/")
    if any(s in ("", ".", "..") for s in segments):
        return "segment vide, « . » ou « .. »"
    return None


def deflate(name: str, data: bytes) -> Entry:
    problem = name_problem(name)
    if problem:  # read_docx refuses such a template first: reaching this is a bug
        raise ValueError(f"nom d'entrée refusé dans une archive produite : {name!r} ({problem})")
    compressor = zlib.compressobj(LEVEL, zlib.DEFLATED, -15)
    packed = compressor.compress(data) + compressor.flush()
    return Entry(name.encode("utf-8"), zlib.crc32(data) & 0xFFFFFFFF, len(data), packed)


def write_zip(entries) -> bytes:
    """A zip of ``entries`` in the given order, with fixed dates and attributes."""
    out = io.BytesIO()
    central = []
    for entry in entries:
        offset = out.tell()
        out.write(struct.pack("<IHHHHHIIIHH", 0x04034B50, 20, 0x0800, 8, _DOS_TIME, _DOS_DATE, entry.crc, len(entry.data), entry.size, len(entry.name), 0))
        out.write(entry.name)
        out.write(entry.data)
        central.append(
            struct.pack("<IHHHHHHIIIHHHHHII", 0x02014B50, 20, 20, 0x0800, 8, _DOS_TIME, _DOS_DATE, entry.crc, len(entry.data), entry.size, len(entry.name), 0, 0, 0, 0, 0o644 << 16, offset)
            + entry.name
        )
    start = out.tell()
    for record in central:
        out.write(record)
    out.write(struct.pack("<IHHHHIIH", 0x06054B50, 0, 0, len(central), len(central), out.tell() - start, start, 0))
    return out.getvalue()


def normalize_zip(data: bytes) -> bytes:
    """Rewrite a zip (a .docx) with fixed entry dates and attributes, keeping the entry order.

    ``[Content_Types].xml`` first, as Word expects; the other parts keep the order they were written in.
    """
    import zipfile

    source = zipfile.ZipFile(io.BytesIO(data))
    names = source.namelist()
    names.sort(key=lambda n: n != "[Content_Types].xml")
    return write_zip(deflate(name, source.read(name)) for name in names)
