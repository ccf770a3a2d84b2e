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
from rasterio.transform import Affine

from geotorch.core import RasterDataset
from geotorch.core.geotiff import read_header
from geotorch.core.profiles import RasterProfile

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
    ungeoreferenced = write(tmp_path / "plain.tif", crs=None, transform=Affine.identity())
    sidecar = write(tmp_path / "sidecar.tif")
    (tmp_path / "sidecar.tif.aux.xml").write_text("<PAMDataset></PAMDataset>")
    point = write(tmp_path / "point.tif")
    with rasterio.open(point, "r+") as target:
        target.update_tags(AREA_OR_POINT="Point")
    jpeg = tmp_path / "photo.jpg"
    with rasterio.open(jpeg, "w", driver="JPEG", width=8, height=8, count=1, dtype="uint8") as target:
        target.write(np.zeros((1, 8, 8), "uint8"))
    for path in (rotated, ungeoreferenced, sidecar, point, jpeg):
        assert read_header(path) is None, path.name


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
