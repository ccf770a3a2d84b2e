"""A byte-level TIFF writer for the header reader's tests: any tag, type, byte order or value, valid or not."""

from __future__ import annotations

import struct
from collections.abc import Sequence

BYTE, ASCII, SHORT, LONG, RATIONAL, UNDEFINED, SSHORT, FLOAT, DOUBLE, LONG8 = 1, 2, 3, 4, 5, 7, 8, 11, 12, 16
#: struct codes; a RATIONAL is two LONGs (numerator, denominator), given one after the other.
_CODES = {BYTE: "B", SHORT: "H", LONG: "I", RATIONAL: "I", UNDEFINED: "B", SSHORT: "h", FLOAT: "f", DOUBLE: "d",
          LONG8: "Q"}
_SIZES = {BYTE: 1, ASCII: 1, SHORT: 2, LONG: 4, RATIONAL: 8, UNDEFINED: 1, SSHORT: 2, FLOAT: 4, DOUBLE: 8, LONG8: 8}
STRIP_OFFSETS, STRIP_BYTE_COUNTS = 273, 279

#: One directory entry: (field type, values); ASCII values are bytes (NULs included).
Field = tuple[int, Sequence[float] | bytes]


def tiff_bytes(tags: dict[int, Field | None], pixels: bytes = b"", order: str = "<", big: bool = False,
               gap: int = 0) -> bytes:
    """A TIFF file: header, ``pixels``, ``gap`` zero bytes, then one directory holding ``tags`` and their values.

    Args:
        tags: ``tag -> (type, values)``; a None value leaves the tag out. StripOffsets and
            StripByteCounts default to the pixels' place and length.
        pixels: the image data, right after the header.
        order: ``"<"`` (little-endian, ``II``) or ``">"`` (big-endian, ``MM``).
        big: BigTIFF (8-byte offsets and counts).
        gap: zero bytes between the pixels and the directory (to push it past a reader's first chunk).
    """
    head = 16 if big else 8
    directory_at = head + len(pixels) + len(pixels) % 2 + gap
    fields = {STRIP_OFFSETS: (LONG, [head]), STRIP_BYTE_COUNTS: (LONG, [len(pixels)]), **tags}
    entries = {tag: field for tag, field in sorted(fields.items()) if field is not None}
    entry_size, inline = (20, 8) if big else (12, 4)
    values_at = directory_at + (8 if big else 2) + entry_size * len(entries) + (8 if big else 4)
    directory = bytearray(struct.pack(order + ("Q" if big else "H"), len(entries)))
    values = bytearray()
    for tag, (kind, items) in entries.items():
        raw = bytes(items) if kind == ASCII else struct.pack(f"{order}{len(items)}{_CODES[kind]}", *items)
        if len(raw) <= inline:
            place = raw.ljust(inline, b"\x00")
        else:
            place = struct.pack(order + ("Q" if big else "I"), values_at + len(values))
            values += raw + b"\x00" * (len(raw) % 2)
        directory += struct.pack(order + ("HHQ" if big else "HHI"), tag, kind, len(raw) // _SIZES[kind]) + place
    directory += bytes(8 if big else 4)
    header = (b"II" if order == "<" else b"MM") + (
        struct.pack(order + "HHHQ", 43, 8, 0, directory_at) if big else struct.pack(order + "HI", 42, directory_at)
    )
    return header + pixels + bytes(len(pixels) % 2 + gap) + bytes(directory) + bytes(values)


def geokey_directory(keys: Sequence[tuple[int, int, int, int]], header: tuple[int, int, int] = (1, 1, 0),
                     count: int | None = None) -> list[int]:
    """The GeoKeyDirectory tag's SHORTs for ``(key, location, count, value or offset)`` entries.

    Args:
        keys: the entries, in the order given.
        header: key directory version, revision and minor revision.
        count: the number of keys the directory announces (default: ``len(keys)``).
    """
    return [*header, len(keys) if count is None else count, *(value for key in keys for value in key)]
