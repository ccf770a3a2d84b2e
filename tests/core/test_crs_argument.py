"""The ``crs`` argument of RasterDataset and ``to``: every form rasterio reads, and a clear error naming ``crs``."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pyproj
import pytest
from rasterio.crs import CRS

from geotorch.core import RasterDataset, VectorDataset
from tests.core.rasters import grid, write_raster

#: Values rasterio reads no CRS from; before, its CRSError said e.g. "The WKT could not be parsed. OGR Error
#: code 5" for "32633", naming neither crs nor the dataset (and only after every file had been read).
NOT_CRSS = ["32633", "foo", "EPSG:99999", "", 4326.0, b"EPSG:32633", CRS(), True]
REFUSED = r"^RasterDataset: crs=.* (is not a coordinate reference system|is an empty CRS)"


@pytest.fixture
def scene(tmp_path: Path) -> Path:
    """A 10 x 20 px float32 GeoTIFF of 30 m pixels in UTM 33N whose pixels count 0..199."""
    return write_raster(tmp_path / "scene.tif", np.arange(200, dtype=np.float32).reshape(1, 10, 20), "EPSG:32633",
                        grid(500000.0, 5000000.0, 30.0))


@pytest.mark.parametrize(
    "crs",
    ["EPSG:32633", 32633, np.int64(32633), np.int32(32633),
     "epsg:32633", {"init": "epsg:32633"}, CRS.from_epsg(32633), pyproj.CRS.from_epsg(32633),
     pyproj.CRS.from_epsg(32633).to_wkt(), "+proj=utm +zone=33 +datum=WGS84 +units=m +no_defs"],
    ids=str,
)
def test_every_form_of_the_files_crs_reads_the_files_pixels(scene: Path, crs: object) -> None:
    dataset = RasterDataset(scene, crs=crs)
    assert dataset.res == (30.0, 30.0)
    image = dataset[dataset.bounds]["image"].numpy()
    np.testing.assert_allclose(image, np.arange(200, dtype=np.float32).reshape(1, 10, 20), atol=1e-9)


@pytest.mark.parametrize("crs", NOT_CRSS, ids=repr)
def test_a_crs_rasterio_cannot_read_is_refused_naming_crs(scene: Path, crs: object) -> None:
    with pytest.raises(ValueError, match=REFUSED):
        RasterDataset(scene, crs=crs)


@pytest.mark.parametrize("crs", NOT_CRSS, ids=repr)
def test_a_view_refuses_a_crs_rasterio_cannot_read_naming_crs(scene: Path, crs: object) -> None:
    dataset = RasterDataset(scene)
    with pytest.raises(ValueError, match=REFUSED):
        dataset.to(crs)


def test_a_bad_crs_is_named_before_any_file_is_searched(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match=r"crs='32633' is not a coordinate reference system .*'EPSG:32633' or 32633"):
        RasterDataset(tmp_path / "missing", crs="32633")


@pytest.mark.parametrize("crs", NOT_CRSS, ids=repr)
def test_a_vector_dataset_refuses_a_crs_rasterio_cannot_read_naming_crs(real_data: Path, crs: object) -> None:
    rmnp = real_data / "rmnp.geojson"
    with pytest.raises(ValueError, match=REFUSED.replace("RasterDataset", "VectorDataset")):
        VectorDataset(rmnp, crs=crs)
    dataset = VectorDataset(rmnp, crs="EPSG:32613", res=30.0)
    assert dataset.crs == CRS.from_epsg(32613) and dataset[dataset.bounds]["mask"].sum() > 0
