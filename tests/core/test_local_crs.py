"""Files in an engineering (local) CRS: read in their own CRS, refused elsewhere naming the file and why.

Such a CRS (a site's or a lab's coordinates, LOCAL_CS in WKT 1) is tied to no place on the
Earth, so PROJ relates it to no other; asking for one raised pyproj's bare ProjError 'Error
creating Transformer from CRS.', naming neither the file nor the reason.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import rasterio

from geotorch.core import RasterDataset
from tests.core.rasters import grid, write_raster

SITE = 'LOCAL_CS["site grid",UNIT["metre",1],AXIS["Easting",EAST],AXIS["Northing",NORTH]]'
UNRELATED = r"no coordinate operation from 'site grid' to EPSG:32633: 'site grid' is an engineering \(local\) CRS"


@pytest.fixture
def site(tmp_path: Path) -> Path:
    """A 10 x 10 px float32 GeoTIFF of 1 m pixels in a site's local coordinates, of pixels 1..100."""
    return write_raster(tmp_path / "site" / "scan.tif", np.arange(100, dtype=np.float32).reshape(1, 10, 10) + 1,
                        SITE, grid(0.0, 10.0, 1.0))


def test_a_local_crs_file_is_read_in_its_own_crs(site: Path) -> None:
    dataset = RasterDataset(site)
    with rasterio.open(site) as source:
        np.testing.assert_array_equal(dataset[dataset.bounds]["image"].numpy(), source.read())


def test_a_local_crs_file_asked_in_another_crs_is_refused_naming_it(site: Path) -> None:
    with pytest.raises(ValueError, match=rf"^RasterDataset: crs=EPSG:32633 cannot be had from .*scan.tif: {UNRELATED}"):
        RasterDataset(site, crs="EPSG:32633")


@pytest.mark.parametrize("res", [None, 1.0])
def test_a_local_crs_dataset_moved_to_another_crs_is_refused(site: Path, res: float | None) -> None:
    dataset = RasterDataset(site)
    with pytest.raises(ValueError, match=rf"(cannot move to crs=EPSG:32633|cannot index .*scan.tif: .*): {UNRELATED}"):
        dataset.to("EPSG:32633", res)


def test_a_local_crs_file_beside_a_georeferenced_one_is_refused_naming_why(tmp_path: Path, site: Path) -> None:
    write_raster(tmp_path / "site" / "utm.tif", np.ones((1, 10, 10), dtype=np.float32), "EPSG:32633",
                 grid(500000.0, 5500000.0, 10.0))
    with pytest.raises(ValueError, match=r"cannot index .*: 'site grid' is an engineering \(local\) CRS"):
        RasterDataset(tmp_path / "site")
