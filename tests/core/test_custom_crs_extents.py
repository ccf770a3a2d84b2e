"""A dataset in a CRS of no EPSG code (a custom PROJ string) is indexed where it draws places tolerably."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from rasterio.crs import CRS

from geotorch.core import RasterDataset
from geotorch.samplers import GridGeoSampler
from tests.core.rasters import grid, write_raster

#: Projected CRSs no authority defines, each sending a place of the globe to infinity: Lambert's conformal conic's
#: south pole, a GRS80 south polar stereographic's north pole, the gnomonic's equator.
CUSTOM = [
    "+proj=lcc +lat_1=33 +lat_2=45 +lat_0=39 +lon_0=-96 +datum=WGS84 +units=m",
    "+proj=stere +lat_0=-90 +lat_ts=-71 +lon_0=0 +x_0=0 +y_0=0 +ellps=GRS80 +units=m",
    "+proj=gnom +lat_0=90 +lon_0=0 +R=6371000 +units=m",
]


@pytest.fixture
def world(tmp_path: Path) -> Path:
    """A 1-degree EPSG:4326 world of 360 x 180 px, each row its number from the north plus 1 (nodata 0)."""
    rows = np.repeat(np.arange(1, 181, dtype=np.uint8)[:, None], 360, axis=1)
    return write_raster(tmp_path / "world.tif", rows, "EPSG:4326", grid(-180.0, 90.0, 1.0), nodata=0)


@pytest.mark.parametrize("crs", CUSTOM, ids=["lcc", "south-polar-stereographic", "gnomonic"])
def test_a_global_raster_in_a_custom_crs_is_indexed_where_it_draws_tolerably(world: Path, crs: str) -> None:
    # Indexed to +-1,099,999 km before: GridGeoSampler counted 4.1e11 to 4.7e11 windows of 64 px at 50 km.
    assert CRS.from_user_input(crs).to_epsg() is None
    dataset = RasterDataset(world, crs=crs, res=50_000.0)
    bounds = dataset.bounds
    assert max(abs(bounds.minx), abs(bounds.maxx), abs(bounds.miny), abs(bounds.maxy)) < 5e7
    sampler = GridGeoSampler(dataset, 64)
    assert len(sampler) < 1000
    # Its windows read the world: the middle one holds rows of it.
    windows = list(sampler)
    assert (dataset[windows[len(windows) // 2]]["image"] > 0).any()


def test_a_custom_crs_keeps_the_places_its_epsg_twin_keeps(world: Path) -> None:
    # Web Mercator's sphere written as a PROJ string (no EPSG code) was indexed to y +-242,529 km (89.99 degrees);
    # now past 85.05 degrees, where EPSG:3857's tiles end, to 85.9 (+-21,352 km).
    dataset = RasterDataset(world, crs="+proj=merc +lon_0=0 +R=6378137 +units=m", res=50_000.0)
    assert dataset.bounds.maxy > 20_037_508.0
    assert dataset.bounds.maxy < 2.5e7
