"""A fast reader of plain GeoTIFF headers, for indexing many files; anything unusual is left to GDAL.

Opening a file through GDAL costs about 0.3 ms; parsing the first image file
directory here costs a few microseconds. The grid and bands are parsed only
where GDAL reads them the same way: a north-up grid given by pixel scale and
one tie point, pixel-is-area, one sample type for all bands, a codec every
GDAL build has, only tags known not to change what GDAL reports, and no
sidecar file. The CRS and nodata are GDAL's own reading of the file's GeoKeys
and nodata text, taken once per distinct GeoKeys and text from a one-pixel
GeoTIFF in memory: GeoKeys that override what an EPSG code says (units,
datum, citations GDAL parses), vertical keys and nodata text GDAL parses its
own way all come out as GDAL reports them. Every other file, and every header
that is cut short or malformed, yields None and is opened by GDAL.
"""

from __future__ import annotations

import functools
import math
import os
import struct
import warnings
from collections.abc import Collection
from typing import Any

from rasterio.errors import CRSError, NotGeoreferencedWarning, RasterioError
from rasterio.io import MemoryFile

from geotorch.core.profiles import RasterProfile
from geotorch.core.sidecars import sidecars_of

#: Bytes read from the start of a file: a directory (or a value) beyond them is left to GDAL.
_CHUNK = 65536
#: (SampleFormat, BitsPerSample) -> data type. 1 unsigned, 2 signed, 3 floating point.
_DTYPES = {
    (1, 8): "uint8", (2, 8): "int8", (1, 16): "uint16", (2, 16): "int16",
    (1, 32): "uint32", (2, 32): "int32", (3, 32): "float32", (3, 64): "float64",
}
#: Size in bytes of one value of each TIFF field type (BYTE, ASCII, SHORT, LONG, RATIONAL, SBYTE,
#: UNDEFINED, SSHORT, SLONG, SRATIONAL, FLOAT, DOUBLE, IFD, LONG8, SLONG8, IFD8).
_SIZES = {1: 1, 2: 1, 3: 2, 4: 4, 5: 8, 6: 1, 7: 1, 8: 2, 9: 4, 10: 8, 11: 4, 12: 8, 13: 4, 16: 8, 17: 8, 18: 8}
_ASCII, _SHORT, _LONG, _DOUBLE = 2, 3, 4, 12
#: struct codes of the field types read here.
_CODES = {_ASCII: "s", _SHORT: "H", _LONG: "I", _DOUBLE: "d"}
_WIDTH, _HEIGHT, _BITS, _COMPRESSION, _PHOTOMETRIC, _SAMPLES, _PLANAR, _FORMAT = 256, 257, 258, 259, 262, 277, 284, 339
_STRIPS, _ROWS_PER_STRIP, _STRIP_BYTES, _TILES, _TILE_BYTES = 273, 278, 279, 324, 325
_PIXEL_SCALE, _TIE_POINT, _GEO_KEYS, _GEO_DOUBLES, _GEO_ASCII, _NODATA = 33550, 33922, 34735, 34736, 34737, 42113
#: Tags that change nothing GDAL reports about the grid, bands or nodata: subfile type, fill order,
#: descriptive text, orientation (ignored by GDAL), rows per strip, min/max values, resolution,
#: predictor, colour map, tile size, extra samples, JPEG and YCbCr parameters, XMP, copyright,
#: GDAL's metadata (statistics, band descriptions, scale and offset).
_INERT_TAGS = frozenset({254, 255, 263, 266, 269, 270, 271, 272, 274, 278, 280, 281, 282, 283, 285, 296, 297, 305,
                         306, 315, 316, 317, 318, 319, 320, 322, 323, 338, 340, 341, 347, 529, 530, 531, 532, 700,
                         33432, 42112})
_PARSED_TAGS = frozenset({_WIDTH, _HEIGHT, _BITS, _COMPRESSION, _PHOTOMETRIC, _SAMPLES, _PLANAR, _FORMAT, _STRIPS,
                          _STRIP_BYTES, _TILES, _TILE_BYTES, _PIXEL_SCALE, _TIE_POINT, _GEO_KEYS, _GEO_DOUBLES,
                          _GEO_ASCII, _NODATA})
#: Codecs built into every GDAL: none, LZW, JPEG, Deflate, PackBits, old Deflate (ZSTD, LERC... are optional).
_COMPRESSIONS = frozenset({1, 5, 7, 8, 32773, 32946})
_JPEG = 7
#: Photometric interpretations GDAL maps to one band per sample: min-is-white, min-is-black, RGB, palette.
_PHOTOMETRICS = frozenset({0, 1, 2, 3})
_YCBCR = 6
#: GeoKey RasterTypeGeoKey and its pixel-is-area value (GDAL shifts pixel-is-point grids by half a pixel).
_RASTER_TYPE, _PIXEL_IS_AREA = 1025, 1
_LARGEST_SIZE = 2**31 - 1


class _Unsupported(ValueError):
    """Something in the header this reader does not fully understand: GDAL must read the file."""


def read_header(path: str | os.PathLike[str], sidecars: Collection[str] | None = None) -> RasterProfile | None:
    """The header of the plain GeoTIFF ``path``, or None when GDAL must read it.

    Args:
        path: the file.
        sidecars: names of the files beside ``path`` that GDAL reads with it (see
            :func:`geotorch.core.sidecars.sidecars_by_file`), when the caller has
            listed the folder; None lists it here.

    Returns:
        The profile GDAL would report, or None for a file that is not a plain
        GeoTIFF, has a header this reader does not fully understand, or one cut
        short or malformed, or has a sidecar: GDAL reads those (and reports
        the unreadable ones).

    Raises:
        OSError: if the file cannot be read.
    """
    if sidecars is None:
        sidecars = sidecars_of(path)
    if sidecars:
        return None
    with open(path, "rb") as stream:
        data = stream.read(_CHUNK)
        size = os.fstat(stream.fileno()).st_size
    try:
        return _parse(data, size)
    except (_Unsupported, struct.error):
        return None


def _parse(data: bytes, size: int) -> RasterProfile:
    """The profile in the header ``data`` (the first bytes of a file of ``size`` bytes).

    Raises:
        _Unsupported: if GDAL must read the file.
        struct.error: if the header is cut short.
    """
    if data[:4] in (b"II*\x00", b"MM\x00*"):
        order, big = ("<" if data[:2] == b"II" else ">"), False
        (first,) = struct.unpack_from(order + "I", data, 4)
    elif data[:4] in (b"II+\x00", b"MM\x00+"):
        order, big = ("<" if data[:2] == b"II" else ">"), True
        offset_size, zero, first = struct.unpack_from(order + "HHQ", data, 4)
        if (offset_size, zero) != (8, 0):
            raise _Unsupported("BigTIFF offsets are not 8 bytes")
    else:
        raise _Unsupported("not a TIFF")
    directory = _Directory(data, size, first, order, big)
    width, height = directory.one(_WIDTH, (_SHORT, _LONG)), directory.one(_HEIGHT, (_SHORT, _LONG))
    count = directory.one(_SAMPLES, (_SHORT,), 1)
    bits, sample_format = _sample_type(directory)
    dtype = _DTYPES.get((sample_format, bits))
    compression = directory.one(_COMPRESSION, (_SHORT,), 1)
    photometric = directory.one(_PHOTOMETRIC, (_SHORT,), 1)
    if dtype is None:
        raise _Unsupported("data type")
    if not (0 < width <= _LARGEST_SIZE and 0 < height <= _LARGEST_SIZE and count > 0):
        raise _Unsupported("empty or oversized grid")
    if compression not in _COMPRESSIONS or (compression == _JPEG and dtype != "uint8"):
        raise _Unsupported("codec")
    if photometric not in _PHOTOMETRICS and not (photometric == _YCBCR and compression == _JPEG and count == 3):
        raise _Unsupported("photometric interpretation GDAL converts")
    if directory.one(_PLANAR, (_SHORT,), 1) not in (1, 2):
        raise _Unsupported("planar configuration")
    if not ({_STRIPS, _STRIP_BYTES} <= directory.tags or {_TILES, _TILE_BYTES} <= directory.tags):
        raise _Unsupported("no strips or tiles")
    bounds, res = _grid(directory, width, height)
    keys = directory.numbers(_GEO_KEYS, (_SHORT,))
    if _raster_type(keys) != _PIXEL_IS_AREA:
        raise _Unsupported("pixel-is-point or unknown raster type")
    nodata_text = directory.text(_NODATA) if _NODATA in directory.tags else None
    crs, nodata = _as_gdal_reads(keys, directory.numbers(_GEO_DOUBLES, (_DOUBLE,), ()),
                                 directory.text(_GEO_ASCII, b""), bits, sample_format, nodata_text)
    return RasterProfile(crs, bounds, res, width, height, count, dtype, nodata)


class _Directory:
    """The first image file directory: the values of the tags read here, the others checked to be inert.

    Raises:
        _Unsupported: if the directory or a value read here lies beyond the bytes read,
            it holds a tag GDAL may interpret and this reader does not, repeats a tag,
            or has a value beyond the end of the file (a file cut inside its header).
        struct.error: if the directory's entry count lies beyond the bytes read.
    """

    def __init__(self, data: bytes, size: int, offset: int, order: str, big: bool) -> None:
        count_format, entry_format, entry_size, head = ("Q", "HHQ8s", 20, 8) if big else ("H", "HHI4s", 12, 2)
        pointer = order + ("Q" if big else "I")
        (count,) = struct.unpack_from(order + count_format, data, offset)
        start, end = offset + head, offset + head + count * entry_size
        if end > len(data):
            raise _Unsupported("directory beyond the bytes read")
        self.values: dict[int, tuple[int, tuple[Any, ...] | bytes]] = {}
        for tag, kind, length, value in struct.iter_unpack(order + entry_format, data[start:end]):
            if tag in self.values or kind not in _SIZES:
                raise _Unsupported(f"tag {tag} repeated or of unknown type")
            length *= _SIZES[kind]
            inline = length <= len(value)
            first = 0 if inline else struct.unpack(pointer, value)[0]
            if first + length > size:
                raise _Unsupported(f"tag {tag} beyond the end of the file")
            if tag in _PARSED_TAGS:
                if first + length > len(data):
                    raise _Unsupported(f"tag {tag} beyond the bytes read")
                raw = value[:length] if inline else data[first:first + length]
                code = _CODES.get(kind)
                self.values[tag] = (kind, raw if code is None or kind == _ASCII else
                                    struct.unpack(f"{order}{length // _SIZES[kind]}{code}", raw))
            elif tag in _INERT_TAGS:
                self.values[tag] = (kind, b"")
            else:
                raise _Unsupported(f"tag {tag}")
        self.tags = self.values.keys()

    def numbers(self, tag: int, kinds: tuple[int, ...], default: tuple[Any, ...] | None = None) -> tuple[Any, ...]:
        """The values of numeric ``tag``, of one of ``kinds`` (``default`` when absent; required when None)."""
        if tag not in self.values:
            if default is None:
                raise _Unsupported(f"no tag {tag}")
            return default
        kind, values = self.values[tag]
        if kind not in kinds or isinstance(values, bytes):
            raise _Unsupported(f"tag {tag} of type {kind}")
        return values

    def one(self, tag: int, kinds: tuple[int, ...], default: int | None = None) -> int:
        """The single integer value of ``tag`` (``default`` when absent; required when None)."""
        values = self.numbers(tag, kinds, None if default is None else (default,))
        if len(values) != 1:
            raise _Unsupported(f"tag {tag} has {len(values)} values")
        return int(values[0])

    def text(self, tag: int, default: bytes | None = None) -> bytes:
        """The ASCII value of ``tag`` without its terminating NULs (``default`` when absent; required when None)."""
        if tag not in self.values:
            if default is None:
                raise _Unsupported(f"no tag {tag}")
            return default
        kind, text = self.values[tag]
        if kind != _ASCII or not isinstance(text, bytes):
            raise _Unsupported(f"tag {tag} of type {kind}")
        return text.rstrip(b"\x00")


def _sample_type(directory: _Directory) -> tuple[int, int]:
    """``(BitsPerSample, SampleFormat)``, the same for all bands."""
    bits = set(directory.numbers(_BITS, (_SHORT,), (1,)))
    formats = set(directory.numbers(_FORMAT, (_SHORT,), (1,)))
    if len(bits) != 1 or len(formats) != 1:
        raise _Unsupported("bands of different types")
    return int(bits.pop()), int(formats.pop())


def _grid(directory: _Directory, width: int, height: int) -> tuple[tuple[float, float, float, float],
                                                                   tuple[float, float]]:
    """Bounds and pixel size of a north-up grid given by pixel scale and one tie point.

    A negative or zero scale (rows running south to north, columns east to west), several tie
    points (ground control points) and a ModelTransformation tag (rotation) are GDAL's to read.
    """
    scale = directory.numbers(_PIXEL_SCALE, (_DOUBLE,))
    tie = directory.numbers(_TIE_POINT, (_DOUBLE,))
    if len(scale) != 3 or len(tie) != 6:
        raise _Unsupported("not one tie point and a pixel scale")
    res_x, res_y = scale[0], scale[1]
    column, row, _, x, y, _ = tie
    if not (res_x > 0 and res_y > 0 and all(map(math.isfinite, (res_x, res_y, column, row, x, y)))):
        raise _Unsupported("not a north-up grid")
    # The same arithmetic as GDAL's geotransform and rasterio's bounds, so that both give the same floats.
    left, top = x - column * res_x, y + row * res_y
    bounds = (left, top - height * res_y, left + width * res_x, top)
    if not all(map(math.isfinite, bounds)):
        raise _Unsupported("grid beyond the floating-point range")
    return bounds, (res_x, res_y)


def _raster_type(keys: tuple[int, ...]) -> int:
    """The value of RasterTypeGeoKey in a GeoKey directory (pixel-is-area when absent)."""
    entries = [keys[number: number + 4] for number in range(4, len(keys) - 3, 4)]
    found = [entry for entry in entries if entry[0] == _RASTER_TYPE]
    if len(found) > 1 or any(location != 0 for _, location, _, _ in found):
        raise _Unsupported("RasterTypeGeoKey given twice or elsewhere than in the key")
    return found[0][3] if found else _PIXEL_IS_AREA


@functools.lru_cache(maxsize=1024)
def _as_gdal_reads(keys: tuple[int, ...], doubles: tuple[float, ...], ascii: bytes, bits: int, sample_format: int,
                   nodata: bytes | None) -> tuple[str, float | None]:
    """The CRS (WKT) and nodata GDAL reads from these GeoKeys and this nodata text, for bands of this type.

    GDAL builds the CRS from every GeoKey and parses nodata text its own way
    (it ignores values outside an integer type's range, rounds float32 ones);
    reading a one-pixel GeoTIFF that carries the same tags gives exactly its
    answer, once per distinct tags instead of once per file.

    Raises:
        _Unsupported: if GDAL reads no CRS from the keys, or fails to.
    """
    tags: dict[int, tuple[int, tuple[float, ...] | bytes]] = {
        _WIDTH: (_SHORT, (1,)), _HEIGHT: (_SHORT, (1,)), _BITS: (_SHORT, (bits,)), _PHOTOMETRIC: (_SHORT, (1,)),
        _STRIPS: (_LONG, (8,)), _ROWS_PER_STRIP: (_SHORT, (1,)), _STRIP_BYTES: (_LONG, (bits // 8,)),
        _FORMAT: (_SHORT, (sample_format,)), _PIXEL_SCALE: (_DOUBLE, (1.0, 1.0, 0.0)),
        _TIE_POINT: (_DOUBLE, (0.0,) * 6), _GEO_KEYS: (_SHORT, keys),
    }
    if doubles:
        tags[_GEO_DOUBLES] = (_DOUBLE, doubles)
    if ascii:
        tags[_GEO_ASCII] = (_ASCII, ascii + b"\x00")
    if nodata is not None:
        tags[_NODATA] = (_ASCII, nodata + b"\x00")
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", NotGeoreferencedWarning)
            with MemoryFile(_one_pixel_tiff(tags)) as memory, memory.open() as source:
                crs, value = source.crs, source.nodata
                if crs is None:
                    raise _Unsupported("no CRS")
                wkt = crs.to_wkt()
    except (RasterioError, CRSError) as error:
        raise _Unsupported(f"GDAL cannot read the GeoKeys: {error}") from error
    return wkt, value


def _one_pixel_tiff(tags: dict[int, tuple[int, tuple[float, ...] | bytes]]) -> bytes:
    """A little-endian TIFF of one directory with these ``tag -> (type, values)``, its pixel at byte 8."""
    directory_size = 2 + 12 * len(tags) + 4
    entries, values = bytearray(struct.pack("<H", len(tags))), bytearray()
    for tag, (kind, items) in sorted(tags.items()):
        raw = items if isinstance(items, bytes) else struct.pack(f"<{len(items)}{_CODES[kind]}", *items)
        if len(raw) <= 4:
            entries += struct.pack("<HHI", tag, kind, len(raw) // _SIZES[kind]) + raw.ljust(4, b"\x00")
        else:
            entries += struct.pack("<HHII", tag, kind, len(raw) // _SIZES[kind], 16 + directory_size + len(values))
            values += raw + b"\x00" * (len(raw) % 2)
    # Header, then one pixel of up to 8 bytes (its value is never read), then the directory and its values.
    return b"II*\x00" + struct.pack("<I", 16) + bytes(8) + bytes(entries) + bytes(4) + bytes(values)
