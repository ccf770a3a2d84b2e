"""A fast reader of plain GeoTIFF headers, for indexing many files; anything unusual is left to GDAL.

Opening a file through GDAL costs about 0.3 ms; parsing the first image file
directory here costs a few microseconds. Only what GDAL would read the same way
is parsed: a north-up grid given by pixel scale and one tie point, pixel-is-area,
a CRS given by its EPSG code alone, one sample type for all bands, GDAL's nodata
tag, and no ``.aux.xml`` sidecar. Every other file yields None and is opened by
GDAL; the tests check both readers agree.
"""

from __future__ import annotations

import functools
import math
import os
import struct

from pyproj import CRS as PyprojCRS
from rasterio.crs import CRS

from geotorch.core.profiles import RasterProfile

#: Bytes read from the start of a file: a directory (or a value) beyond them is left to GDAL.
_CHUNK = 65536
#: (SampleFormat, BitsPerSample) -> data type. 1 unsigned, 2 signed, 3 floating point.
_DTYPES = {
    (1, 8): "uint8", (2, 8): "int8", (1, 16): "uint16", (2, 16): "int16",
    (1, 32): "uint32", (2, 32): "int32", (3, 32): "float32", (3, 64): "float64",
}
#: TIFF field types: (struct code, size in bytes).
_TYPES = {1: ("B", 1), 2: ("c", 1), 3: ("H", 2), 4: ("I", 4), 7: ("B", 1), 11: ("f", 4), 12: ("d", 8),
          16: ("Q", 8), 6: ("b", 1), 8: ("h", 2), 9: ("i", 4), 17: ("q", 8)}
_WIDTH, _HEIGHT, _BITS, _SAMPLES, _FORMAT = 256, 257, 258, 277, 339
_PIXEL_SCALE, _TIE_POINT, _MODEL_TRANSFORM, _GEO_KEYS, _NODATA = 33550, 33922, 34264, 34735, 42113
#: GeoKeys whose meaning the EPSG code alone carries (model type, raster type, citations, default units).
_MODEL_TYPE, _RASTER_TYPE, _GEOGRAPHIC, _PROJECTED = 1024, 1025, 2048, 3072
_CITATIONS = {1026, 2049, 3073}
_UNIT_KEYS = {2054: 9102, 3076: 9001}  # angular units: degree; linear units: metre
#: Semi-major axis and inverse flattening of a geographic CRS, stored in the GeoDoubleParams tag.
_ELLIPSOID_KEYS = {2057, 2059}
_GEO_DOUBLES = 34736


@functools.cache
def _wkt(epsg: int) -> str:
    return str(CRS.from_epsg(epsg).to_wkt())


def _entries(data: bytes, offset: int, order: str, big: bool) -> dict[int, tuple[int, int, bytes]] | None:
    """The entries ``tag -> (type, count, value bytes or offset bytes)`` of the directory at ``offset``."""
    count_format, entry_format, entry_size, head = ("Q", "HHQ8s", 20, 8) if big else ("H", "HHI4s", 12, 2)
    if offset + head > len(data):
        return None
    (count,) = struct.unpack_from(order + count_format, data, offset)
    if offset + head + count * entry_size > len(data):
        return None
    entries = {}
    for number in range(count):
        tag, kind, length, value = struct.unpack_from(order + entry_format, data, offset + head + number * entry_size)
        entries[tag] = (kind, length, value)
    return entries


def _values(entry: tuple[int, int, bytes], data: bytes, order: str, big: bool) -> tuple[float | int | bytes, ...]:
    """The values of a directory entry, inline or at their offset in ``data``.

    Raises:
        ValueError: if the field type is unknown or the values lie outside ``data``.
    """
    kind, length, value = entry
    if kind not in _TYPES:
        raise ValueError(f"TIFF field type {kind}")
    code, size = _TYPES[kind]
    if size * length <= len(value):
        raw = value
    else:
        (start,) = struct.unpack(order + ("Q" if big else "I"), value)
        if start + size * length > len(data):
            raise ValueError("values beyond the bytes read")
        raw = data[start:start + size * length]
    if code == "c":
        return (raw[:length],)
    return struct.unpack_from(f"{order}{length}{code}", raw)


def read_header(path: str | os.PathLike[str]) -> RasterProfile | None:
    """The header of the plain GeoTIFF ``path``, or None when GDAL must read it.

    Raises:
        OSError: if the file cannot be read.
    """
    if os.path.exists(f"{os.fspath(path)}.aux.xml"):
        return None
    with open(path, "rb") as stream:
        data = stream.read(_CHUNK)
    if data[:4] in (b"II*\x00", b"MM\x00*"):
        order, big = ("<" if data[:2] == b"II" else ">"), False
        (first,) = struct.unpack_from(order + "I", data, 4)
    elif data[:4] in (b"II+\x00", b"MM\x00+"):
        order, big = ("<" if data[:2] == b"II" else ">"), True
        (first,) = struct.unpack_from(order + "Q", data, 8)
    else:
        return None
    try:
        return _parse(data, first, order, big)
    except (ValueError, struct.error):
        return None


def _parse(data: bytes, first: int, order: str, big: bool) -> RasterProfile | None:
    entries = _entries(data, first, order, big)
    if entries is None or not {_WIDTH, _HEIGHT, _PIXEL_SCALE, _TIE_POINT, _GEO_KEYS} <= entries.keys():
        return None
    if _MODEL_TRANSFORM in entries:
        return None

    def values(tag: int, default: tuple[float | int | bytes, ...] = ()) -> tuple[float | int | bytes, ...]:
        return _values(entries[tag], data, order, big) if tag in entries else default

    width, height = int(values(_WIDTH)[0]), int(values(_HEIGHT)[0])
    count = int(values(_SAMPLES, (1,))[0])
    bits, formats = set(values(_BITS, (1,))), set(values(_FORMAT, (1,)))
    if len(bits) != 1 or len(formats) != 1:
        return None
    dtype = _DTYPES.get((int(formats.pop()), int(bits.pop())))
    scale, tie = values(_PIXEL_SCALE), values(_TIE_POINT)
    if dtype is None or len(tie) != 6 or len(scale) < 2:
        return None
    res_x, res_y = float(scale[0]), float(scale[1])
    if not (res_x > 0 and res_y > 0 and math.isfinite(res_x) and math.isfinite(res_y)):
        return None
    epsg = _epsg(values(_GEO_KEYS), values(_GEO_DOUBLES))
    if epsg is None:
        return None
    column, row, _, x, y, _ = (float(value) for value in tie)
    left, top = x - column * res_x, y + row * res_y
    bounds = (left, top - height * res_y, left + width * res_x, top)
    nodata = None
    if _NODATA in entries:
        text = values(_NODATA)[0]
        assert isinstance(text, bytes)
        try:
            nodata = float(text.rstrip(b"\x00").strip().decode("ascii"))
        except (UnicodeDecodeError, ValueError):
            return None
    return RasterProfile(_wkt(epsg), bounds, (res_x, res_y), width, height, count, dtype, nodata)


def _epsg(keys: tuple[float | int | bytes, ...], doubles: tuple[float | int | bytes, ...]) -> int | None:
    """The EPSG code of a GeoKey directory that holds nothing else of consequence, else None.

    The ellipsoid keys GDAL writes beside a geographic code are accepted when they repeat
    the code's own ellipsoid (GDAL would otherwise build the CRS from the keys).
    """
    if len(keys) < 4 or keys[0] != 1:
        return None
    found: dict[int, int] = {}
    ellipsoid: dict[int, float] = {}
    for number in range(int(keys[3])):
        key, location, _, value = (int(item) for item in keys[4 + 4 * number: 8 + 4 * number])
        if key in _CITATIONS:
            continue
        if key in _ELLIPSOID_KEYS and location == _GEO_DOUBLES and value < len(doubles):
            ellipsoid[key] = float(doubles[value])
        elif location != 0:
            return None
        else:
            found[key] = value
    if found.get(_RASTER_TYPE, 1) != 1 or any(found.get(key, unit) != unit for key, unit in _UNIT_KEYS.items()):
        return None
    model = found.get(_MODEL_TYPE)
    code = found.get(_PROJECTED) if model == 1 else found.get(_GEOGRAPHIC) if model == 2 else None
    if code is None or code in (0, 32767) or set(found) - {_MODEL_TYPE, _RASTER_TYPE, _GEOGRAPHIC, _PROJECTED,
                                                             *_UNIT_KEYS}:
        return None
    if model == 1 and (_GEOGRAPHIC in found or ellipsoid):
        return None
    if ellipsoid and _ellipsoid(code) != (ellipsoid.get(2057), ellipsoid.get(2059, _ellipsoid(code)[1])):
        return None
    return code


@functools.cache
def _ellipsoid(epsg: int) -> tuple[float, float]:
    """Semi-major axis (m) and inverse flattening of the ellipsoid of geographic CRS ``epsg``."""
    ellipsoid = PyprojCRS.from_epsg(epsg).ellipsoid
    assert ellipsoid is not None
    return ellipsoid.semi_major_metre, ellipsoid.inverse_flattening
