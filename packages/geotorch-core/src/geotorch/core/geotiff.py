"""A fast reader of plain GeoTIFF headers, for indexing many files; anything unusual is left to GDAL.

Opening a file through GDAL costs about 0.3 ms; parsing the first image file
directory here costs a few microseconds. The grid and bands are parsed only
where GDAL reads them the same way: a north-up grid given by pixel scale and
one tie point, pixel-is-area, one sample type for all bands, a codec every
GDAL build has, only tags known not to change what GDAL reports, each with a
value GDAL opens (see :mod:`geotorch.core.tiff_directory`), and no sidecar
file. The CRS and nodata are GDAL's own reading of the file's GeoKeys
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

from rasterio.errors import CRSError, NotGeoreferencedWarning, RasterioError
from rasterio.io import MemoryFile

from geotorch.core.raster_profile import RasterProfile
from geotorch.core.sidecars import sidecars_of
from geotorch.core.tiff_directory import (
    ASCII,
    BITS,
    CODES,
    DOUBLE,
    FORMAT,
    HEIGHT,
    LONG,
    PHOTOMETRIC,
    ROWS_PER_STRIP,
    SHORT,
    STRIP_BYTES,
    STRIPS,
    WIDTH,
    Directory,
    Unsupported,
    image_structure,
)

#: Bytes read from the start of a file: a directory (or a value) beyond them is left to GDAL.
_CHUNK = 65536
_PIXEL_SCALE, _TIE_POINT, _GEO_KEYS, _GEO_DOUBLES, _GEO_ASCII, _NODATA = 33550, 33922, 34735, 34736, 34737, 42113
_GEOTIFF_TAGS = frozenset({_PIXEL_SCALE, _TIE_POINT, _GEO_KEYS, _GEO_DOUBLES, _GEO_ASCII, _NODATA})
#: GeoKey RasterTypeGeoKey and its pixel-is-area value (GDAL shifts pixel-is-point grids by half a pixel).
_RASTER_TYPE, _PIXEL_IS_AREA = 1025, 1
#: Pixel sizes whose squares are normal floats: rasterio's resolution is the length of a geotransform
#: column, whose square would overflow or underflow beyond them.
_SMALLEST_RES, _LARGEST_RES = 1e-150, 1e150


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
    except (Unsupported, struct.error):
        return None


def _parse(data: bytes, size: int) -> RasterProfile:
    """The profile in the header ``data`` (the first bytes of a file of ``size`` bytes).

    Raises:
        Unsupported: if GDAL must read the file.
        struct.error: if the header is cut short.
    """
    if data[:4] in (b"II*\x00", b"MM\x00*"):
        order, big = ("<" if data[:2] == b"II" else ">"), False
        (first,) = struct.unpack_from(order + "I", data, 4)
    elif data[:4] in (b"II+\x00", b"MM\x00+"):
        order, big = ("<" if data[:2] == b"II" else ">"), True
        offset_size, zero, first = struct.unpack_from(order + "HHQ", data, 4)
        if (offset_size, zero) != (8, 0):
            raise Unsupported("BigTIFF offsets are not 8 bytes")
    else:
        raise Unsupported("not a TIFF")
    directory = Directory(data, size, first, order, big)
    image = image_structure(directory, _GEOTIFF_TAGS)
    bounds, res = _grid(directory, image.width, image.height)
    keys = directory.numbers(_GEO_KEYS, (SHORT,))
    if _raster_type(keys) != _PIXEL_IS_AREA:
        raise Unsupported("pixel-is-point or unknown raster type")
    nodata_text = directory.text(_NODATA) if _NODATA in directory.tags else None
    crs, nodata = _as_gdal_reads(keys, directory.numbers(_GEO_DOUBLES, (DOUBLE,), ()),
                                 directory.text(_GEO_ASCII, b""), image.bits, image.sample_format, nodata_text)
    return RasterProfile(crs, bounds, res, image.width, image.height, image.bands, image.dtype, nodata)


def _grid(directory: Directory, width: int, height: int) -> tuple[tuple[float, float, float, float],
                                                                   tuple[float, float]]:
    """Bounds and pixel size of a north-up grid given by pixel scale and one tie point.

    A negative or zero scale (rows running south to north, columns east to west), several tie
    points (ground control points) and a ModelTransformation tag (rotation) are GDAL's to read.
    """
    scale = directory.numbers(_PIXEL_SCALE, (DOUBLE,))
    tie = directory.numbers(_TIE_POINT, (DOUBLE,))
    if len(scale) != 3 or len(tie) != 6:
        raise Unsupported("not one tie point and a pixel scale")
    res_x, res_y = scale[0], scale[1]
    column, row, _, x, y, _ = tie
    if not (res_x > 0 and res_y > 0 and all(map(math.isfinite, (column, row, x, y)))):
        raise Unsupported("not a north-up grid")
    if not (_SMALLEST_RES <= res_x <= _LARGEST_RES and _SMALLEST_RES <= res_y <= _LARGEST_RES):
        raise Unsupported("pixel size beyond what rasterio's resolution holds")
    # The same arithmetic as GDAL's geotransform and rasterio's bounds, so that both give the same floats.
    left, top = x - column * res_x, y + row * res_y
    bounds = (left, top - height * res_y, left + width * res_x, top)
    if not all(map(math.isfinite, bounds)):
        raise Unsupported("grid beyond the floating-point range")
    return bounds, (res_x, res_y)


def _raster_type(keys: tuple[int, ...]) -> int:
    """The value of RasterTypeGeoKey in a GeoKey directory (pixel-is-area when absent)."""
    entries = [keys[number: number + 4] for number in range(4, len(keys) - 3, 4)]
    found = [entry for entry in entries if entry[0] == _RASTER_TYPE]
    if len(found) > 1 or any(location != 0 for _, location, _, _ in found):
        raise Unsupported("RasterTypeGeoKey given twice or elsewhere than in the key")
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
        Unsupported: if GDAL reads no CRS from the keys, or fails to.
    """
    tags: dict[int, tuple[int, tuple[float, ...] | bytes]] = {
        WIDTH: (SHORT, (1,)), HEIGHT: (SHORT, (1,)), BITS: (SHORT, (bits,)), PHOTOMETRIC: (SHORT, (1,)),
        STRIPS: (LONG, (8,)), ROWS_PER_STRIP: (SHORT, (1,)), STRIP_BYTES: (LONG, (bits // 8,)),
        FORMAT: (SHORT, (sample_format,)), _PIXEL_SCALE: (DOUBLE, (1.0, 1.0, 0.0)),
        _TIE_POINT: (DOUBLE, (0.0,) * 6), _GEO_KEYS: (SHORT, keys),
    }
    if doubles:
        tags[_GEO_DOUBLES] = (DOUBLE, doubles)
    if ascii:
        tags[_GEO_ASCII] = (ASCII, ascii + b"\x00")
    if nodata is not None:
        tags[_NODATA] = (ASCII, nodata + b"\x00")
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", NotGeoreferencedWarning)
            with MemoryFile(_one_pixel_tiff(tags)) as memory, memory.open() as source:
                crs, value = source.crs, source.nodata
                if crs is None:
                    raise Unsupported("no CRS")
                wkt = crs.to_wkt()
    # ValueError: GDAL's CRS reader fails so on malformed text, e.g. a citation that is not UTF-8.
    except (RasterioError, CRSError, ValueError) as error:
        raise Unsupported(f"GDAL cannot read the GeoKeys: {error}") from error
    return wkt, value


def _one_pixel_tiff(tags: dict[int, tuple[int, tuple[float, ...] | bytes]]) -> bytes:
    """A little-endian TIFF of one directory with these ``tag -> (type, values)``, its pixel at byte 8."""
    directory_size = 2 + 12 * len(tags) + 4
    entries, values = bytearray(struct.pack("<H", len(tags))), bytearray()
    for tag, (kind, items) in sorted(tags.items()):
        raw = items if isinstance(items, bytes) else struct.pack(f"<{len(items)}{CODES[kind]}", *items)
        if len(raw) <= 4:
            entries += struct.pack("<HHI", tag, kind, len(items)) + raw.ljust(4, b"\x00")
        else:
            entries += struct.pack("<HHII", tag, kind, len(items), 16 + directory_size + len(values))
            values += raw + b"\x00" * (len(raw) % 2)
    # Header, then one pixel of up to 8 bytes (its value is never read), then the directory and its values.
    return b"II*\x00" + struct.pack("<I", 16) + bytes(8) + bytes(entries) + bytes(4) + bytes(values)
