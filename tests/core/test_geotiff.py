"""The fast GeoTIFF header reader agrees with GDAL on every file it reads, and leaves the rest to GDAL."""

from __future__ import annotations

import math
from dataclasses import replace
from pathlib import Path
from typing import Any

import numpy as np
import pytest
import rasterio
from rasterio.crs import CRS
from rasterio.errors import RasterioError
from rasterio.transform import Affine

from geotorch.core import RasterDataset
from geotorch.core.geotiff import read_header
from geotorch.core.raster_profile import RasterProfile
from tests.core.tiff_bytes import ASCII, DOUBLE, LONG, SHORT, geokey_directory, tiff_bytes

REAL = Path(__file__).resolve().parents[3] / "shared" / "data" / "real"


def write(path: Path, crs: Any = "EPSG:32616", dtype: str = "uint16", count: int = 3, nodata: float | None = None,
          transform: Affine | None = None, **options: Any) -> Path:
    profile = {"driver": "GTiff", "width": 37, "height": 23, "count": count, "dtype": dtype, "crs": crs,
               "transform": transform or Affine(30.0, 0.0, 412345.0, 0.0, -30.0, 3901230.0), "nodata": nodata,
               **options}
    with rasterio.open(path, "w", **profile) as target:
        target.write(np.ones((count, 23, 37), dtype=dtype))
    return path


def gdal_header(path: Path) -> RasterProfile:
    with rasterio.open(path) as source:
        transform = source.transform
        return RasterProfile(source.crs.to_wkt(), tuple(source.bounds), (abs(transform.a), abs(transform.e)),
                             source.width, source.height, source.count, source.dtypes[0], source.nodata)


def assert_same(ours: RasterProfile, gdal: RasterProfile) -> None:
    assert replace(ours, crs="", nodata=None) == replace(gdal, crs="", nodata=None)
    assert ours.crs == gdal.crs, "the same WKT, so that cached CRSs are shared"
    assert ours.nodata == gdal.nodata or (math.isnan(ours.nodata or 0.0) and math.isnan(gdal.nodata or 0.0))


CASES = {
    "utm uint16": {},
    "albers uint8 nodata": {"crs": "EPSG:5070", "dtype": "uint8", "nodata": 0},
    "web mercator float32 nan": {"crs": "EPSG:3857", "dtype": "float32", "nodata": float("nan")},
    "geographic int16 negative nodata": {"crs": "EPSG:4326", "dtype": "int16", "nodata": -9999,
                                         "transform": Affine(0.001, 0.0, -88.5, 0.0, -0.001, 41.2)},
    "float64 one band": {"dtype": "float64", "count": 1, "nodata": -3.5e38},
    "int8": {"dtype": "int8", "count": 2},
    "uint32 and int32": {"dtype": "int32", "count": 1, "nodata": 2147483647},
    "tiled deflate": {"tiled": True, "blockxsize": 16, "blockysize": 16, "compress": "deflate"},
    "pixel interleaved lzw": {"interleave": "pixel", "compress": "lzw", "count": 4},
    "bigtiff": {"BIGTIFF": "YES"},
    "cloud optimized": {"driver": "COG", "dtype": "uint8"},
    "southern utm": {"crs": "EPSG:32733"},
    "user-defined transverse mercator": {
        "crs": CRS.from_proj4("+proj=tmerc +lat_0=1 +lon_0=7 +k=0.9 +x_0=3 +y_0=5 +ellps=GRS80 +units=m")
    },
    "US-feet code": {"crs": "EPSG:2227"},
    "vertical datum beside the code": {"crs": "EPSG:32616+5773"},
}


@pytest.mark.parametrize("case", list(CASES), ids=list(CASES))
def test_plain_geotiffs_are_read_as_gdal_reads_them(tmp_path: Path, case: str) -> None:
    options = dict(CASES[case])
    path = write(tmp_path / "f.tif", **options)
    ours = read_header(path)
    assert ours is not None, "a plain GeoTIFF is read without GDAL"
    assert_same(ours, gdal_header(path))


def test_files_gdal_must_interpret_are_left_to_it(tmp_path: Path) -> None:
    rotated = write(tmp_path / "rotated.tif", transform=Affine(30.0, 5.0, 412345.0, 5.0, -30.0, 3901230.0))
    south_up = write(tmp_path / "south_up.tif", transform=Affine(30.0, 0.0, 412345.0, 0.0, 30.0, 3901230.0))
    east_left = write(tmp_path / "east_left.tif", transform=Affine(-30.0, 0.0, 412345.0, 0.0, -30.0, 3901230.0))
    both = write(tmp_path / "both.tif", transform=Affine(-30.0, 0.0, 412345.0, 0.0, 30.0, 3901230.0))
    negative_scale = tmp_path / "negative_scale.tif"
    negative_scale.write_bytes(_crafted(32616, scale=(30.0, -30.0, 0.0)))
    ungeoreferenced = write(tmp_path / "plain.tif", crs=None, transform=Affine.identity())
    sidecar = write(tmp_path / "sidecar.tif")
    (tmp_path / "sidecar.tif.aux.xml").write_text("<PAMDataset></PAMDataset>")
    point = write(tmp_path / "point.tif")
    with rasterio.open(point, "r+") as target:
        target.update_tags(AREA_OR_POINT="Point")
    jpeg = tmp_path / "photo.jpg"
    with rasterio.open(jpeg, "w", driver="JPEG", width=8, height=8, count=1, dtype="uint8") as target:
        target.write(np.zeros((1, 8, 8), "uint8"))
    for path in (rotated, south_up, east_left, both, negative_scale, ungeoreferenced, sidecar, point, jpeg):
        assert read_header(path) is None, path.name


def _crafted(code: int, keys: tuple[tuple[int, int, int, int], ...] = (), ascii: bytes = b"",
             nodata: bytes | None = None, dtype: str = "uint8", scale: tuple[float, ...] = (30.0, 30.0, 0.0)) -> bytes:
    """A 4 x 3 GeoTIFF whose GeoKeys give projected ``code`` plus ``keys`` (citations in ``ascii``)."""
    bits, sample_format = np.dtype(dtype).itemsize * 8, {"u": 1, "i": 2, "f": 3}[np.dtype(dtype).kind]
    directory = geokey_directory([(1024, 0, 1, 1), (1025, 0, 1, 1), (3072, 0, 1, code), *keys])
    tags = {256: (SHORT, [4]), 257: (SHORT, [3]), 258: (SHORT, [bits]), 277: (SHORT, [1]), 278: (SHORT, [3]),
            339: (SHORT, [sample_format]), 33550: (DOUBLE, scale), 34735: (SHORT, directory),
            33922: (DOUBLE, [0.0, 0.0, 0.0, 412345.0, 3901230.0, 0.0]),
            34737: (ASCII, ascii + b"\x00") if ascii else None, 42113: (ASCII, nodata + b"\x00") if nodata else None}
    return tiff_bytes(tags, bytes(12 * bits // 8))


#: A citation ERDAS IMAGINE writes, whose units GDAL applies to the CRS.
IMAGINE_CITATION = b"IMAGINE GeoTIFF Support\nProjection Name = UTM\nUnits = us_survey_feet\nGeoTIFF Units = meters|"
GEOKEY_CASES = {
    "US-feet code tagged with metres": _crafted(2227, ((3076, 0, 1, 9001),)),
    "metre code tagged with US feet": _crafted(32616, ((3076, 0, 1, 9003),)),
    "compound code as the projected code": _crafted(7405),
    "vertical key beside the code": _crafted(27700, ((4096, 0, 1, 5701),)),
    "datum key beside the code": _crafted(32616, ((2050, 0, 1, 6269),)),
    "citation giving other units": _crafted(32616, ((1026, 34737, len(IMAGINE_CITATION), 0),), IMAGINE_CITATION),
    "deprecated code": _crafted(3785),
}


@pytest.mark.parametrize("case", list(GEOKEY_CASES), ids=list(GEOKEY_CASES))
def test_geokeys_beside_an_epsg_code_mean_what_gdal_reads_in_them(tmp_path: Path, case: str) -> None:
    path = tmp_path / "f.tif"
    path.write_bytes(GEOKEY_CASES[case])
    ours = read_header(path)
    assert ours is not None
    assert_same(ours, gdal_header(path))


def test_a_feet_code_tagged_with_metres_is_a_metre_crs(tmp_path: Path) -> None:
    path = tmp_path / "f.tif"
    path.write_bytes(GEOKEY_CASES["US-feet code tagged with metres"])
    ours = read_header(path)
    assert ours is not None
    assert CRS.from_wkt(ours.crs).linear_units == "metre"
    assert CRS.from_wkt(ours.crs) != CRS.from_epsg(2227)


NODATA_CASES = {
    "out of uint16's range": ("uint16", b"-1", None),
    "out of int8's range": ("int8", b"128", None),
    "nan on an integer type": ("int16", b"nan", None),
    "float32 rounds": ("float32", b"0.1", float(np.float32(0.1))),
    "beyond float32": ("float32", b"1e39", math.inf),
    "hexadecimal": ("float64", b"0x10", 0.0),
    "decimal comma": ("float64", b"1,5", 1.5),
    "trailing text": ("uint8", b"5abc", 5.0),
    "fraction on an integer type": ("uint8", b"1.5", 1.5),
}


@pytest.mark.parametrize("case", list(NODATA_CASES), ids=list(NODATA_CASES))
def test_nodata_is_the_value_gdal_parses_for_the_band_type(tmp_path: Path, case: str) -> None:
    dtype, text, expected = NODATA_CASES[case]
    path = tmp_path / "f.tif"
    path.write_bytes(_crafted(32616, nodata=text, dtype=dtype))
    ours = read_header(path)
    assert ours is not None
    assert ours.nodata == expected
    assert_same(ours, gdal_header(path))


def _layout(samples: int = 1, photometric: int = 1, compression: int = 1, tiled: bool = False,
            **changes: Any) -> bytes:
    """A 20 x 20 8-bit GeoTIFF GDAL opens, of strips or 16 x 16 tiles, with ``changes`` (``tag_<id>=field``)."""
    tags: dict[int, Any] = {
        256: (SHORT, [20]), 257: (SHORT, [20]), 258: (SHORT, [8] * samples), 259: (SHORT, [compression]),
        262: (SHORT, [photometric]), 277: (SHORT, [samples]), 339: (SHORT, [1] * samples),
        33550: (DOUBLE, [30.0, 30.0, 0.0]), 33922: (DOUBLE, [0.0, 0.0, 0.0, 412345.0, 3901230.0, 0.0]),
        34735: (SHORT, geokey_directory([(1024, 0, 1, 1), (1025, 0, 1, 1), (3072, 0, 1, 32616)])),
    }
    if tiled:
        tags.update({273: None, 279: None, 322: (SHORT, [16]), 323: (SHORT, [16]), 324: (LONG, [8] * 4),
                     325: (LONG, [1] * 4)})
    else:
        tags[278] = (SHORT, [20])
    tags.update({int(name.removeprefix("tag_")): field for name, field in changes.items()})
    return tiff_bytes(tags, bytes(400 * samples))


#: One-tag changes of valid headers that make GDAL (libtiff) refuse the file: the reader must leave them to it.
REFUSED_HEADERS = {
    "more ExtraSamples than samples": _layout(tag_338=(SHORT, [0, 0, 0])),
    "ExtraSamples beside three colour samples": _layout(3, 2, tag_338=(SHORT, [0, 0, 0, 0])),
    "ExtraSamples value 3": _layout(2, tag_338=(SHORT, [3])),
    "ExtraSamples value 9": _layout(2, tag_338=(SHORT, [9])),
    "no SamplesPerPixel beside three bits values and two extra samples": _layout(
        3, tag_277=None, tag_338=(SHORT, [0, 0])),
    "two BitsPerSample values for three samples": _layout(3, 2, tag_258=(SHORT, [8, 8])),
    "two SampleFormat values for three samples": _layout(3, 2, tag_339=(SHORT, [1, 1])),
    "no rows per strip": _layout(tag_278=(SHORT, [0])),
    "no rows per strip in a tiled file": _layout(tiled=True, tag_278=(SHORT, [0])),
    "tile width 0": _layout(tiled=True, tag_322=(SHORT, [0])),
    "no tile width": _layout(tiled=True, tag_322=None),
    "YCbCr subsampling 3 x 3": _layout(3, 6, 7, tag_530=(SHORT, [3, 3])),
    "YCbCr subsampling 0 x 1": _layout(3, 6, 7, tag_530=(SHORT, [0, 1])),
    "YCbCr subsampling 8 x 8": _layout(3, 6, 7, tag_530=(SHORT, [8, 8])),
    "a strip of 2**65 bytes": _layout(tag_256=(LONG, [2**31 - 1]), tag_257=(LONG, [2**31 - 1]),
                                      tag_258=(SHORT, [64]), tag_339=(SHORT, [3]), tag_278=(LONG, [2**31 - 1])),
}


@pytest.mark.parametrize("case", list(REFUSED_HEADERS), ids=list(REFUSED_HEADERS))
def test_a_header_gdal_refuses_is_left_to_it(tmp_path: Path, case: str) -> None:
    path = tmp_path / "f.tif"
    path.write_bytes(REFUSED_HEADERS[case])
    with pytest.raises(RasterioError):
        rasterio.open(path)
    assert read_header(path) is None


def test_a_file_gdal_refuses_is_skipped_naming_it_beside_a_good_one(tmp_path: Path) -> None:
    good = write(tmp_path / "good.tif", count=1, dtype="uint8")
    for case in ("more ExtraSamples than samples", "no rows per strip", "YCbCr subsampling 3 x 3"):
        (tmp_path / f"{case}.tif").write_bytes(REFUSED_HEADERS[case])
    with pytest.warns(UserWarning, match="not a readable raster") as caught:
        dataset = RasterDataset(tmp_path)
    messages = "\n".join(str(warning.message) for warning in caught)
    for case in ("more ExtraSamples than samples", "no rows per strip", "YCbCr subsampling 3 x 3"):
        assert f"skipping {tmp_path / case}.tif: not a readable raster" in messages
    assert len(dataset) == 1
    with rasterio.open(good) as source:
        assert (dataset.bounds.minx, dataset.bounds.maxy) == (source.bounds.left, source.bounds.top)
    assert (dataset[dataset.bounds]["image"] == 1).all(), "no sample touches the refused files"


def test_a_dataset_indexed_from_headers_reads_the_same_pixels(tmp_path: Path) -> None:
    for number in range(3):
        write(tmp_path / f"scene_{number}.tif", nodata=0,
              transform=Affine(30.0, 0.0, 412345.0 + number * 37 * 30, 0.0, -30.0, 3901230.0))
    dataset = RasterDataset(tmp_path)
    assert len(dataset) == 3 and dataset.crs == CRS.from_epsg(32616)
    assert dataset.bounds.maxx - dataset.bounds.minx == pytest.approx(3 * 37 * 30)
    assert (dataset[dataset.bounds]["image"] == 1).all()


@pytest.mark.skipif(not REAL.is_dir(), reason="../shared/data/real is not here (a fresh clone has no ../shared)")
def test_real_rasters_are_read_as_gdal_reads_them_or_left_to_it() -> None:
    paths = sorted(path for path in REAL.rglob("*") if path.suffix.lower() in (".tif", ".tiff"))
    assert paths
    for path in paths:
        ours = read_header(path)
        if ours is not None:
            assert_same(ours, gdal_header(path))
