"""The fast GeoTIFF header reader against GDAL on generated files: it agrees on every file it reads, never raises.

Four families of variants, drawn deterministically by hypothesis: files GDAL
itself writes (CRSs in metres, US feet and grads, geographic, compound,
3-D, user-defined; every data type; nodata; strips and tiles; codecs;
pixel-is-point; flipped and rotated grids; PAM sidecars), files crafted byte
by byte (odd GeoKeys, units overriding an EPSG code, citations GDAL parses,
nodata texts GDAL parses its own way, odd sample types, photometric
interpretations, codecs, tags), valid layouts with the value, count or type
of one or two tags changed (every tag the reader accepts) and files cut short
at any byte. For each one the reader either defers (None) or returns exactly
what rasterio reports: CRS, bounds, resolution, shape, band count, data type
and nodata; a file rasterio cannot open is never read.
"""

from __future__ import annotations

import math
import tempfile
import warnings
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pytest
import rasterio
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from rasterio.crs import CRS
from rasterio.errors import NotGeoreferencedWarning, RasterioError
from rasterio.transform import Affine

from geotorch.core import RasterDataset
from geotorch.core.geotiff import read_header
from tests.core.tiff_bytes import (
    ASCII,
    BYTE,
    DOUBLE,
    LONG,
    LONG8,
    RATIONAL,
    SHORT,
    SSHORT,
    UNDEFINED,
    geokey_directory,
    tiff_bytes,
)

#: Derandomized, so every run draws the same variants; no example database, no deadline (GDAL's first
#: use of a CRS can take a while).
_SETTINGS: dict[str, Any] = {"derandomize": True, "database": None, "deadline": None,
                             "suppress_health_check": [HealthCheck.too_slow, HealthCheck.data_too_large]}


def agrees_with_gdal(path: Path) -> str:
    """Check that ``read_header(path)`` is None or exactly what rasterio reports; say which it was.

    Returns:
        ``"read"``, ``"deferred"`` or ``"unreadable"`` (rasterio cannot open it: the reader must defer).
    """
    ours = read_header(path)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", NotGeoreferencedWarning)
            with rasterio.open(path) as source:
                gdal = (source.crs, tuple(source.bounds), source.res, source.width, source.height, source.count,
                        source.dtypes[0], source.nodata)
    except RasterioError:
        assert ours is None, f"{path.name}: GDAL cannot open it, the header reader read {ours}"
        return "unreadable"
    if ours is None:
        return "deferred"
    crs, bounds, res, width, height, count, dtype, nodata = gdal
    assert crs is not None, f"{path.name}: GDAL reads no CRS, the header reader read {ours.crs}"
    assert CRS.from_wkt(ours.crs) == crs, path.name
    assert ours.crs == crs.to_wkt(), f"{path.name}: the same WKT, so that cached CRSs are shared"
    assert (ours.bounds, ours.res) == (bounds, res), path.name
    assert (ours.width, ours.height, ours.count, ours.dtype) == (width, height, count, dtype), path.name
    assert ours.nodata == nodata or (ours.nodata is not None and nodata is not None
                                     and math.isnan(ours.nodata) and math.isnan(nodata)), path.name
    return "read"


def run_variants(strategy: st.SearchStrategy[Callable[[Path], Path]], examples: int) -> Counter[str]:
    """Write ``examples`` files drawn from ``strategy`` (each a writer into a fresh folder), check each one."""
    outcomes: Counter[str] = Counter()

    @settings(max_examples=examples, **_SETTINGS)
    @given(strategy)
    def check(write: Callable[[Path], Path]) -> None:
        with tempfile.TemporaryDirectory() as folder:
            outcomes[agrees_with_gdal(write(Path(folder)))] += 1

    check()
    return outcomes


# Files GDAL writes.

_PROJECTED = ["EPSG:32616", "EPSG:32733", "EPSG:2227", "EPSG:2263", "EPSG:3857", "EPSG:5070", "EPSG:27572",
              "EPSG:27700", "EPSG:3031", "EPSG:29702", "EPSG:7405", "EPSG:32616+5773", "EPSG:3785",
              "+proj=tmerc +lat_0=1 +lon_0=7 +k=0.9 +x_0=3 +y_0=5 +ellps=GRS80 +units=m +no_defs",
              "+proj=lcc +lat_1=33 +lat_2=45 +lat_0=39 +lon_0=-96 +datum=NAD83 +units=us-ft +no_defs",
              "+proj=utm +zone=16 +datum=WGS84 +units=ft +no_defs",
              CRS.from_epsg(26916).to_wkt(version="WKT1_ESRI")]
_GEOGRAPHIC = ["EPSG:4326", "EPSG:4269", "EPSG:4807", "EPSG:4979", "EPSG:4258",
               "+proj=longlat +ellps=clrk66 +no_defs", "+proj=longlat +a=6370000 +b=6370000 +no_defs"]
_DTYPES = ["uint8", "int8", "uint16", "int16", "uint32", "int32", "float32", "float64", "int64", "uint64"]
_NODATA = [None, 0, 1, -1, 255, -9999, 65535, 0.1, -3.4028234663852886e38, 1e30, float("nan"), float("inf")]


def _nodata_for(dtype: str, nodata: float | None) -> float | None:
    """``nodata`` if rasterio writes it for ``dtype``, else None (odd nodata texts are crafted byte by byte below)."""
    if nodata is None or np.dtype(dtype).kind == "f":
        return nodata
    limits = np.iinfo(dtype)
    return nodata if math.isfinite(nodata) and limits.min <= nodata <= limits.max else None


@st.composite
def gdal_written(draw: st.DrawFn) -> Callable[[Path], Path]:
    geographic = draw(st.booleans())
    crs = draw(st.sampled_from(_GEOGRAPHIC if geographic else _PROJECTED))
    size = draw(st.sampled_from([1e-4, 0.001, 1 / 3]) if geographic else st.sampled_from([0.5, 10.0, 30.0, 1000 / 3]))
    left = draw(st.floats(-170, 150) if geographic else st.floats(-1e6, 1e6))
    top = draw(st.floats(-80, 80) if geographic else st.floats(-1e7, 1e7))
    grid = draw(st.sampled_from(["north-up"] * 9 + ["south-up", "east-left", "rotated"]))
    transform = {
        "north-up": Affine(size, 0, left, 0, -size, top),
        "south-up": Affine(size, 0, left, 0, size, top),
        "east-left": Affine(-size, 0, left, 0, -size, top),
        "rotated": Affine(size, size / 4, left, -size / 4, -size, top),
    }[grid]
    dtype = draw(st.sampled_from(_DTYPES[:8] * 2 + _DTYPES[8:]))
    count = draw(st.integers(1, 4))
    width, height = draw(st.integers(1, 70)), draw(st.integers(1, 70))
    options: dict[str, Any] = {"nodata": _nodata_for(dtype, draw(st.sampled_from(_NODATA)))}
    layout = draw(st.sampled_from(["striped", "tiled", "cog", "jpeg", "bigtiff"]))
    codec = draw(st.sampled_from(["none", "deflate", "lzw", "packbits", "zstd"]))
    if layout == "jpeg":
        dtype, count, options["nodata"] = "uint8", 3, None
        options.update(compress="jpeg", photometric=draw(st.sampled_from(["YCBCR", "RGB"])))
    elif layout == "cog":
        options.update(driver="COG", compress=codec, blocksize=128)
    else:
        options.update(compress=codec, interleave=draw(st.sampled_from(["pixel", "band"])),
                       BIGTIFF="YES" if layout == "bigtiff" else "NO")
        if layout == "tiled":
            options.update(tiled=True, blockxsize=16, blockysize=16)
    point = draw(st.sampled_from([False] * 9 + [True]))
    sidecar = draw(st.sampled_from([None] * 10 + ["nodata", "geotransform"]))

    def write(folder: Path) -> Path:
        path = folder / "gdal.tif"
        profile = {"driver": "GTiff", "width": width, "height": height, "count": count, "dtype": dtype,
                   "crs": CRS.from_user_input(crs), "transform": transform, **options}
        with rasterio.open(path, "w", **profile) as target:
            target.write(np.ones((count, height, width), dtype))
            if point:
                target.update_tags(AREA_OR_POINT="Point")
        if sidecar == "nodata":
            (folder / "gdal.tif.aux.xml").write_text(
                '<PAMDataset><PAMRasterBand band="1"><NoDataValue>7</NoDataValue></PAMRasterBand></PAMDataset>')
        elif sidecar == "geotransform":
            (folder / "gdal.tif.aux.xml").write_text(
                "<PAMDataset><GeoTransform>1000, 10, 0, 2000, 0, -10</GeoTransform></PAMDataset>")
        return path

    return write


def test_files_gdal_writes_are_read_as_gdal_reads_them() -> None:
    outcomes = run_variants(gdal_written(), 150)
    assert outcomes["read"] >= 60, outcomes
    assert outcomes["deferred"] >= 15, outcomes


# Files crafted byte by byte.

#: (BitsPerSample, SampleFormat): the eight types read, then 12-bit, half float, 64-bit integers,
#: 8-bit float, 1-bit, void and complex samples.
_SAMPLE_TYPES = [(8, 1), (8, 2), (16, 1), (16, 2), (32, 1), (32, 2), (32, 3), (64, 3),
                 (12, 1), (16, 3), (64, 1), (64, 2), (8, 3), (1, 1), (16, 4), (32, 5)]
#: (code, model type, CRS name, geographic CRS name, linear unit, angular unit, ellipsoid): what GDAL writes
#: for the code, then codes of the wrong kind, deprecated, compound, 3-D, unknown and user-defined.
_CODES = [
    (32616, 1, b"WGS 84 / UTM zone 16N", b"WGS 84", 9001, 9102, None),
    (2227, 1, b"NAD83 / California zone 3 (ftUS)", b"NAD83", 9003, 9102, None),
    (27572, 1, b"NTF (Paris) / Lambert zone II", b"NTF (Paris)", 9001, 9105, None),
    (3857, 1, b"WGS 84 / Pseudo-Mercator", b"WGS 84", 9001, 9102, None),
    (4326, 2, b"WGS 84", b"WGS 84", None, 9102, (6378137.0, 298.257223563)),
    (4807, 2, b"NTF (Paris)", b"NTF (Paris)", None, 9105, (6378249.2, 293.466021293627)),
    (4269, 2, b"NAD83", b"NAD83", None, 9102, (6378137.0, 298.257222101)),
    (3785, 1, b"Popular Visualisation CRS / Mercator", b"Popular Visualisation CRS", 9001, 9102, None),
    (7405, 1, b"OSGB36 / British National Grid + ODN height", b"OSGB36", 9001, 9102, None),
    (4979, 2, b"WGS 84", b"WGS 84", None, 9102, (6378137.0, 298.257223563)),
    (32616, 2, b"WGS 84 / UTM zone 16N", b"WGS 84", None, 9102, None),
    (4326, 1, b"WGS 84", b"WGS 84", 9001, 9102, None),
    (60000, 1, b"unknown", b"unknown", 9001, 9102, None),
    (32767, 1, b"user-defined", b"unknown", 9001, 9102, None),
]
_ESRI = b"ESRI PE String = " + CRS.from_epsg(26916).to_wkt(version="WKT1_ESRI").encode()
_IMAGINE = b"IMAGINE GeoTIFF Support\nProjection Name = UTM\nUnits = us_survey_feet\nGeoTIFF Units = meters"
#: Nodata texts: what GDAL writes, then texts out of a type's range, that GDAL parses differently from
#: Python (hex, comma, trailing text, "-nan", underscores, MSVC infinities), beyond float32, empty.
_NODATA_TEXTS = [b"0", b"-9999", b"255", b"65535", b"nan", b"inf", b"-inf", b"-3.4028234663852886e+38", b"0.1",
                 b"-1", b"256", b"65536", b"-129", b"128", b"2147483648", b"4294967296", b"1.5", b"-0.5", b"255.5",
                 b"254.9999999999", b"1e2", b" 5", b"5 ", b"+5", b"5.", b".5", b"1_0", b"0x10", b"NaN", b"-nan",
                 b"Infinity", b"1,5", b"5abc", b"", b"abc", b"3e38", b"4e38", b"3.4028235e38", b"1e400", b"1e-400",
                 b"1.#INF", b"-1.#QNAN", b"5\x00junk", b"nan(123)", b"-0", b"\t7"]


@st.composite
def geokeys(draw: st.DrawFn) -> tuple[list[int], list[float], bytes]:
    """A GeoKey directory with its doubles and text: what GDAL writes for a code, or that with changes."""
    code, model, name, geographic_name, linear, angular, ellipsoid = draw(st.sampled_from(_CODES[:7] * 3 + _CODES[7:]))
    keys: list[tuple[int, int, int, int]] = []
    doubles: list[float] = []
    text = b""

    def cite(key: int, citation: bytes) -> None:
        nonlocal text
        keys.append((key, 34737, len(citation) + 1, len(text)))
        text += citation + b"|"

    def double(key: int, value: float) -> None:
        keys.append((key, 34736, 1, len(doubles)))
        doubles.append(value)

    model_key = draw(st.sampled_from([model] * 8 + [None, 3, 32767]))
    if model_key is not None:
        keys.append((1024, 0, 1, model_key))
    raster_type = draw(st.sampled_from([1] * 6 + [None, 2, 0]))
    if raster_type is not None:
        keys.append((1025, 0, 1, raster_type))
    citation = draw(st.sampled_from([name] * 10 + [None, _ESRI, _IMAGINE, b"PCS Name = NAD83 / UTM zone 16N", b"x"]))
    if citation is not None:
        cite(1026 if draw(st.booleans()) or model == 2 else 3073, citation)
    if draw(st.booleans()):
        cite(2049, draw(st.sampled_from([geographic_name] * 3 + [b"GCS Name = NAD83|Datum = NAD83|"])))
    keys.append((3072 if model == 1 else 2048, 0, 1, code))
    unit = draw(st.sampled_from([angular] * 10 + [None, 9105, 9101, 9122]))
    if unit is not None:
        keys.append((2054, 0, 1, unit))
    if model == 1:
        unit = draw(st.sampled_from([linear] * 10 + [None, 9001, 9002, 9003, 9036]))
        if unit is not None:
            keys.append((3076, 0, 1, unit))
    elif ellipsoid is not None and draw(st.booleans()):
        major, flattening = draw(st.sampled_from([ellipsoid] * 3 + [(6378000.0, 298.0), (ellipsoid[0], 0.0)]))
        double(2057, major)
        double(2059, flattening)
    extra = draw(st.sampled_from([None] * 20 + ["vertical", "datum", "projection", "false easting", "linear size"]))
    if extra == "vertical":
        keys.append((4096, 0, 1, draw(st.sampled_from([5773, 5701]))))
    elif extra == "datum":
        keys.append((2050, 0, 1, 6269))
    elif extra == "projection":
        keys.append((3074, 0, 1, 16017))
    elif extra == "false easting":
        double(3082, 100000.0)
    elif extra == "linear size":
        double(3077, 0.3048)
    keys.sort()
    oddity = draw(st.sampled_from([None] * 20 + ["repeated", "count", "version", "revision", "unsorted", "ascii"]))
    header, count = (1, 1, 0), None
    if oddity == "repeated":
        keys.append((*keys[-1][:3], keys[-1][3] + 1))
    elif oddity == "count":
        count = len(keys) + draw(st.sampled_from([-1, 1]))
    elif oddity == "version":
        header = (2, 1, 0)
    elif oddity == "revision":
        header = (1, 1, 1)
    elif oddity == "unsorted":
        keys.reverse()
    elif oddity == "ascii":
        keys.append((1026, 34737, 500, 0))
    return geokey_directory(keys, header, count), doubles, text


@st.composite
def crafted(draw: st.DrawFn) -> Callable[[Path], Path]:
    order = draw(st.sampled_from("<>"))
    big = draw(st.booleans())
    bits, sample_format = draw(st.sampled_from(_SAMPLE_TYPES[:8] * 4 + _SAMPLE_TYPES))
    count = draw(st.integers(1, 4))
    photometric = draw(st.sampled_from([1] * 8 + [2] * 4 + [0, 3, 5, 6, 8, 32844]))
    planar = draw(st.sampled_from([1] * 10 + [2, 2, 3]))
    if draw(st.sampled_from([True] * 4 + [False])):  # mostly the samples RGB (3 or more) or a palette (1) has
        count = max(count, 3) if photometric == 2 else 1 if photometric == 3 else count
    width, height = draw(st.integers(1, 40)), draw(st.integers(1, 40))
    keys, doubles, text = draw(geokeys())
    scale = draw(st.sampled_from([[30.0, 30.0, 0.0]] * 16 + [[1 / 3, 0.001, 0.0], [30.0, -30.0, 0.0], [0.0, 30.0, 0.0],
                                                           [30.0, 30.0], [math.nan, 30.0, 0.0], [1e308, 1e308, 0.0]]))
    tie = draw(st.sampled_from([[0.0, 0.0, 0.0, 412345.0, 3901230.0, 0.0]] * 16 + [
        [2.5, 1.0, 0.0, -88.5, 41.2, 0.0], [0.0, 0.0, 5.0, 412345.0, 3901230.0, 7.0], [0.0] * 12,
        [0.0, 0.0, 0.0, math.inf, 3901230.0, 0.0]]))
    tags: dict[int, Any] = {
        256: (draw(st.sampled_from([SHORT, LONG])), [width]), 257: (LONG, [height]), 258: (SHORT, [bits] * count),
        259: (SHORT, [draw(st.sampled_from([1] * 20 + [5, 8, 32773] * 2 + [7, 6, 50000, 34887, 99, 2]))]),
        262: (SHORT, [photometric]), 277: (SHORT, [count]), 278: (LONG, [height]), 284: (SHORT, [planar]),
        339: (SHORT, [sample_format] * count), 33550: (DOUBLE, scale), 33922: (DOUBLE, tie), 34735: (SHORT, keys),
        34736: (DOUBLE, doubles) if doubles else None, 34737: (ASCII, text + b"\x00") if text else None,
    }
    nodata = draw(st.sampled_from([None] * 4 + _NODATA_TEXTS)
                  | st.floats(allow_nan=False).map(lambda value: repr(value).encode()))
    if nodata is not None:
        tags[42113] = (ASCII, nodata + b"\x00")
    if photometric == 3 and bits == 8 and draw(st.sampled_from([True] * 4 + [False])):
        tags[320] = (SHORT, [0] * 768)
    oddity = draw(st.sampled_from([None] * 28 + [
        "no photometric", "ycbcr jpeg", "model transformation", "intergraph", "private tag", "gdal metadata point",
        "bits per band differ", "one bits value", "nodata as bytes", "scale as floats", "no strips", "far directory",
        "huge width", "no geokeys"]))
    gap = 0
    if oddity == "no photometric":
        tags[262] = None
    elif oddity == "ycbcr jpeg":
        tags.update({258: (SHORT, [8] * 3), 277: (SHORT, [3]), 339: (SHORT, [1] * 3), 259: (SHORT, [7]),
                     262: (SHORT, [6])})
        count, bits, sample_format = 3, 8, 1
    elif oddity == "model transformation":
        tags[34264] = (DOUBLE, [30.0, 0.0, 0.0, 412345.0, 0.0, -30.0, 0.0, 3901230.0] + [0.0] * 7 + [1.0])
    elif oddity == "intergraph":
        tags[33920] = (DOUBLE, [1.0, 0.0, 0.0, 5.0, 0.0, -1.0, 0.0, 7.0] + [0.0] * 7 + [1.0])
    elif oddity == "private tag":
        tags[65000] = (LONG, [1])
    elif oddity == "gdal metadata point":
        tags[42112] = (ASCII, b'<GDALMetadata><Item name="AREA_OR_POINT">Point</Item></GDALMetadata>\x00')
    elif oddity == "bits per band differ" and count > 1:
        tags[258] = (SHORT, [bits] + [16 if bits == 8 else 8] * (count - 1))
    elif oddity == "one bits value":
        tags[258] = (SHORT, [bits])
    elif oddity == "nodata as bytes":
        tags[42113] = (1, list(b"5\x00"))
    elif oddity == "scale as floats":
        tags[33550] = (11, [30.0, 30.0, 0.0])
    elif oddity == "no strips":
        tags.update({273: None, 279: None})
    elif oddity == "far directory":
        gap = 70000
    elif oddity == "huge width":
        tags[256] = (LONG, [3_000_000_000])
    elif oddity == "no geokeys":
        tags.update({34735: None, 34736: None, 34737: None})
    pixels = bytes(max(1, width * height * count * bits // 8))
    if planar == 2 and oddity != "no strips":  # one strip per band
        tags.update({273: (LONG, [16 if big else 8] * count), 279: (LONG, [max(1, len(pixels) // count)] * count)})
    sidecar = draw(st.sampled_from([False] * 8 + [True]))

    def write(folder: Path) -> Path:
        path = folder / "crafted.tif"
        path.write_bytes(tiff_bytes(tags, pixels, order, big, gap))
        if sidecar:
            (folder / "crafted.tif.aux.xml").write_text(
                '<PAMDataset><PAMRasterBand band="1"><NoDataValue>7</NoDataValue></PAMRasterBand></PAMDataset>')
        return path

    return write


def test_crafted_headers_are_read_as_gdal_reads_them_or_left_to_it() -> None:
    outcomes = run_variants(crafted(), 300)
    assert outcomes["read"] >= 45, outcomes
    assert outcomes["deferred"] + outcomes["unreadable"] >= 60, outcomes


# Files of a valid layout with one or two tag values changed.

#: Every tag the reader accepts, whose values it checks, and one it does not know.
_MUTATED_TAGS = [254, 255, 256, 257, 258, 259, 262, 263, 266, 269, 270, 273, 274, 277, 278, 279, 280, 281, 282, 283,
                 284, 296, 297, 305, 306, 315, 316, 317, 318, 319, 320, 322, 323, 324, 325, 338, 339, 347, 529, 530,
                 531, 532, 700, 33432, 33550, 33922, 34735, 34736, 34737, 42112, 42113, 65000]
#: Numbers a mutated value takes: small codes and counts, tile sizes, limits of the field types.
_NUMBERS = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 15, 16, 17, 24, 32, 64, 255, 256, 999, 32946, 34892, 65535]
_KINDS = [BYTE, ASCII, SHORT, LONG, RATIONAL, UNDEFINED, SSHORT, DOUBLE, LONG8]
_TEXTS = [b"x\x00", b"x", b"\x00", b"\xff\xfe<<",
          b'<GDALMetadata><Item name="AREA_OR_POINT">Point</Item></GDALMetadata>\x00']


@st.composite
def valid_layout(draw: st.DrawFn) -> tuple[dict[int, Any], bytes, bool]:
    """A header GDAL opens and the reader reads: ``(tags, pixels, BigTIFF)`` of strips or tiles, grey, RGB(A),
    palette or JPEG YCbCr, pixel- or band-interleaved, with a predictor, extra samples or descriptive tags."""
    layout = draw(st.sampled_from(["grey", "grey", "rgb", "rgba", "palette", "ycbcr"]))
    bits, sample_format = draw(st.sampled_from(_SAMPLE_TYPES[:8])) if layout in ("grey", "rgb", "rgba") else (8, 1)
    count = {"grey": draw(st.integers(1, 3)), "rgb": 3, "rgba": 4, "palette": 1, "ycbcr": 3}[layout]
    photometric = {"grey": 1, "rgb": 2, "rgba": 2, "palette": 3, "ycbcr": 6}[layout]
    compression = 7 if layout == "ycbcr" else draw(st.sampled_from([1, 5, 8]))
    planar = 2 if layout != "ycbcr" and draw(st.booleans()) else 1
    width, height = draw(st.integers(1, 40)), draw(st.integers(1, 40))
    planes = count if planar == 2 else 1
    tags: dict[int, Any] = {
        256: (SHORT, [width]), 257: (SHORT, [height]), 258: (SHORT, [bits] * count), 259: (SHORT, [compression]),
        262: (SHORT, [photometric]), 277: (SHORT, [count]), 284: (SHORT, [planar]),
        339: (SHORT, [sample_format] * count), 33550: (DOUBLE, [30.0, 30.0, 0.0]),
        33922: (DOUBLE, [0.0, 0.0, 0.0, 412345.0, 3901230.0, 0.0]),
        34735: (SHORT, geokey_directory([(1024, 0, 1, 1), (1025, 0, 1, 1), (3072, 0, 1, 32616)])),
    }
    pixels = bytes(width * height * count * bits // 8)
    head = 16 if (big := draw(st.booleans())) else 8
    if draw(st.booleans()):
        across, down = -(-width // 16), -(-height // 16)
        tags.update({273: None, 279: None, 322: (SHORT, [16]), 323: (SHORT, [16]),
                     324: (LONG, [head] * across * down * planes), 325: (LONG, [1] * across * down * planes)})
    else:
        rows = draw(st.integers(1, height))
        strips = -(-height // rows) * planes
        tags.update({278: (SHORT, [rows]), 273: (LONG, [head] * strips), 279: (LONG, [1] * strips)})
    if layout == "rgba":
        tags[338] = (SHORT, [draw(st.sampled_from([0, 1, 2]))])
    elif layout == "palette":
        tags[320] = (SHORT, [0] * 768)
    elif layout == "ycbcr":
        tags.update({530: (SHORT, [2, 2]), 347: (UNDEFINED, [255, 216, 255, 217])})
    if compression in (5, 8) and draw(st.booleans()):
        tags[317] = (SHORT, [3 if sample_format == 3 and draw(st.booleans()) else 2])
    if draw(st.booleans()):
        tags.update({270: (ASCII, b"scene\x00"), 282: (RATIONAL, [72, 1]), 283: (RATIONAL, [72, 1]),
                     296: (SHORT, [2]), 305: (ASCII, b"GDAL\x00"), 42113: (ASCII, b"0\x00")})
    return tags, pixels, big


@st.composite
def mutated(draw: st.DrawFn) -> Callable[[Path], Path]:
    """A valid layout with one or two tags removed, added or given another value, count or type."""
    tags, pixels, big = draw(valid_layout())
    for _ in range(draw(st.integers(1, 2))):
        tag = draw(st.sampled_from(_MUTATED_TAGS))
        kind, values = tags.get(tag) or (SHORT, [1])
        change = draw(st.sampled_from(["value", "value", "value", "count", "type", "remove"]))
        if change == "remove":
            tags[tag] = None
            continue
        if change == "type":
            kind = draw(st.sampled_from(_KINDS))
        if kind == ASCII:
            tags[tag] = (ASCII, draw(st.sampled_from(_TEXTS)))
            continue
        numbers = list(values) if not isinstance(values, bytes) else list(values[:4])
        if change == "count":
            length = draw(st.sampled_from([0, 1, 2, len(numbers) - 1, len(numbers) + 1, 2 * len(numbers), 768]))
            numbers = (numbers or [1]) * (length // max(1, len(numbers)) + 1)
            numbers = numbers[:max(0, length)]
        elif numbers:
            number = draw(st.sampled_from(_NUMBERS) | st.sampled_from([-1.0, 0.5, 1e300, math.nan]))
            numbers[draw(st.integers(0, len(numbers) - 1))] = number
            if draw(st.booleans()):
                numbers = [number] * len(numbers)
        tags[tag] = (kind, _fit(numbers, kind))
    order = draw(st.sampled_from("<>"))

    def write(folder: Path) -> Path:
        path = folder / "mutated.tif"
        path.write_bytes(tiff_bytes(tags, pixels, order, big))
        return path

    return write


def _fit(numbers: list[float], kind: int) -> list[float]:
    """``numbers`` as values of field type ``kind``: integers wrapped into its range, pairs for RATIONALs."""
    if kind == DOUBLE:
        return [float(number) for number in numbers]
    limit = {BYTE: 256, UNDEFINED: 256, SHORT: 65536, SSHORT: 65536, LONG: 2**32, RATIONAL: 2**32, LONG8: 2**64}[kind]
    whole = [int(number) % limit if math.isfinite(number) else 0 for number in numbers]
    if kind == SSHORT:
        whole = [number - 65536 if number >= 32768 else number for number in whole]
    return [value for number in whole for value in (number, 1)] if kind == RATIONAL else whole


def test_valid_layouts_are_read_as_gdal_reads_them() -> None:
    outcomes = run_variants(valid_layout().map(lambda layout: lambda folder: _write_layout(folder, *layout)), 40)
    assert outcomes == Counter(read=40), outcomes


def _write_layout(folder: Path, tags: dict[int, Any], pixels: bytes, big: bool) -> Path:
    path = folder / "layout.tif"
    path.write_bytes(tiff_bytes(tags, pixels, "<", big))
    return path


def test_a_tag_value_gdal_refuses_is_never_read() -> None:
    outcomes = run_variants(mutated(), 300)
    assert outcomes["read"] >= 60, outcomes
    assert outcomes["unreadable"] >= 30, outcomes


# Files cut short.


@st.composite
def truncated(draw: st.DrawFn) -> Callable[[Path], Path]:
    whole = draw(gdal_written() | crafted())
    fraction = draw(st.sampled_from([0.0, 0.001, 0.01]) | st.floats(0.0, 1.0))

    def write(folder: Path) -> Path:
        path = whole(folder)
        data = path.read_bytes()
        path.write_bytes(data[: int(len(data) * fraction)])
        return path

    return write


def test_files_cut_anywhere_never_make_the_reader_raise() -> None:
    outcomes = run_variants(truncated(), 120)
    assert outcomes["unreadable"] >= 20, outcomes


def test_a_file_cut_inside_its_header_is_skipped_with_a_warning_naming_it(tmp_path: Path) -> None:
    for number in range(2):
        with rasterio.open(tmp_path / f"tile_{number}.tif", "w", driver="GTiff", width=8, height=8, count=1,
                           dtype="uint8", crs="EPSG:32616",
                           transform=Affine(30.0, 0.0, 412345.0 + number * 240, 0.0, -30.0, 3901230.0)) as target:
            target.write(np.ones((1, 8, 8), "uint8"))
    whole = (tmp_path / "tile_0.tif").read_bytes()
    cuts = {f"cut_{length}.tif": whole[:length] for length in (4, 6, 9, 40)}
    for name, data in cuts.items():
        (tmp_path / name).write_bytes(data)
    with pytest.warns(UserWarning, match="not a readable raster") as caught:
        dataset = RasterDataset(tmp_path)
    assert len(dataset) == 2
    messages = "\n".join(str(warning.message) for warning in caught)
    for name in cuts:
        assert f"skipping {tmp_path / name}: not a readable raster" in messages


# Headers an attack tried one by one: each is read exactly as GDAL reads it, or left to GDAL.

_PROJECTED_KEYS = [(1024, 0, 1, 1), (1025, 0, 1, 1), (3072, 0, 1, 32616)]


def _next_directory_at(data: bytes, offset: int) -> bytes:
    """``data`` (a little-endian classic TIFF) with its first directory pointing to a next one at ``offset``."""
    first = int.from_bytes(data[4:8], "little")
    at = first + 2 + 12 * int.from_bytes(data[first:first + 2], "little")
    return data[:at] + offset.to_bytes(4, "little") + data[at + 4:]


_SINGLE_CASES: dict[str, tuple[dict[int, Any], Callable[[bytes], bytes] | None]] = {
    "linear units in feet over a metre code": (
        {34735: (SHORT, geokey_directory([*_PROJECTED_KEYS, (3076, 0, 1, 9002)]))}, None),
    "user-defined linear unit": ({34735: (SHORT, geokey_directory([*_PROJECTED_KEYS, (3076, 0, 1, 32767),
                                                                   (3077, 34736, 1, 0)])),
                                  34736: (DOUBLE, [0.5])}, None),
    "grads over a degree code": ({34735: (SHORT, geokey_directory([(1024, 0, 1, 2), (1025, 0, 1, 1), (2048, 0, 1, 4326),
                                                                   (2054, 0, 1, 9105)]))}, None),
    "vertical code and units": ({34735: (SHORT, geokey_directory([*_PROJECTED_KEYS, (4096, 0, 1, 5703),
                                                                  (4099, 0, 1, 9002)]))}, None),
    "user-defined projection": ({34735: (SHORT, geokey_directory(
        [(1024, 0, 1, 1), (1025, 0, 1, 1), (2048, 0, 1, 4326), (3072, 0, 1, 32767), (3074, 0, 1, 32767),
         (3075, 0, 1, 1), (3076, 0, 1, 9001), (3080, 34736, 1, 0), (3081, 34736, 1, 1), (3082, 34736, 1, 2),
         (3083, 34736, 1, 3), (3092, 34736, 1, 4)])), 34736: (DOUBLE, [-90.0, 10.0, 500000.0, 0.0, 0.9996])}, None),
    "a key stored in the tie point tag": ({34735: (SHORT, geokey_directory([(1024, 0, 1, 1), (1025, 0, 1, 1),
                                                                             (3072, 33922, 1, 3)]))}, None),
    "a key stored in an unknown tag": ({34735: (SHORT, geokey_directory([(1024, 0, 1, 1), (1025, 0, 1, 1),
                                                                          (3072, 12345, 1, 0)]))}, None),
    "pixel-is-point in GDAL's metadata only": (
        {34735: (SHORT, geokey_directory(_PROJECTED_KEYS)),
         42112: (ASCII, b'<GDALMetadata><Item name="AREA_OR_POINT">Point</Item></GDALMetadata>\x00')}, None),
    "nodata items in GDAL's metadata": (
        {34735: (SHORT, geokey_directory(_PROJECTED_KEYS)),
         42112: (ASCII, b'<GDALMetadata><Item name="NODATA_VALUES">5</Item></GDALMetadata>\x00')}, None),
    "two consistent tie points": ({34735: (SHORT, geokey_directory(_PROJECTED_KEYS)),
                                   33922: (DOUBLE, [0, 0, 0, 412345.0, 3901230.0, 0, 4, 4, 0, 412465.0, 3901110.0, 0])},
                                  None),
    "a model transformation beside the scale": ({34735: (SHORT, geokey_directory(_PROJECTED_KEYS)),
                                                 34264: (DOUBLE, [30, 0, 0, 412345, 0, -30, 0, 3901230, 0, 0, 0, 0,
                                                                  0, 0, 0, 1])}, None),
    "a next directory looping to itself": ({34735: (SHORT, geokey_directory(_PROJECTED_KEYS))},
                                           lambda data: _next_directory_at(data, int.from_bytes(data[4:8], "little"))),
    "a next directory beyond the end": ({34735: (SHORT, geokey_directory(_PROJECTED_KEYS))},
                                        lambda data: _next_directory_at(data, 10**8)),
    "a next directory at an odd offset": ({34735: (SHORT, geokey_directory(_PROJECTED_KEYS))},
                                          lambda data: _next_directory_at(data, 9)),
    "a strip beyond the end": ({34735: (SHORT, geokey_directory(_PROJECTED_KEYS)), 273: (LONG, [10**6])}, None),
    "nodata without its NUL": ({34735: (SHORT, geokey_directory(_PROJECTED_KEYS)), 42113: (ASCII, b"5")}, None),
    "nodata with a NUL inside": ({34735: (SHORT, geokey_directory(_PROJECTED_KEYS)), 42113: (ASCII, b"5\x006\x00")},
                                None),
    "nodata stored as a number": ({34735: (SHORT, geokey_directory(_PROJECTED_KEYS)), 42113: (SHORT, [5])}, None),
}


@pytest.mark.parametrize("case", _SINGLE_CASES)
def test_single_headers_an_attack_tried_are_read_as_gdal_reads_them_or_left_to_it(tmp_path: Path, case: str) -> None:
    tags, change = _SINGLE_CASES[case]
    base = {256: (SHORT, [4]), 257: (SHORT, [4]), 258: (SHORT, [8]), 262: (SHORT, [1]), 277: (SHORT, [1]),
            278: (SHORT, [4]), 33550: (DOUBLE, [30.0, 30.0, 0.0]),
            33922: (DOUBLE, [0.0, 0.0, 0.0, 412345.0, 3901230.0, 0.0])}
    data = tiff_bytes({**base, **tags}, bytes(16))
    path = tmp_path / "single.tif"
    path.write_bytes(change(data) if change is not None else data)
    assert agrees_with_gdal(path) in ("read", "deferred", "unreadable")
