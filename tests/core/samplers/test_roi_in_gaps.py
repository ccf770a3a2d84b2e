"""An roi meeting the dataset's bounds only between its files is said to, and a polygon roi is named as one."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import shapely

from geotorch.core import BoundingBox, RasterDataset
from geotorch.samplers import GridGeoSampler, RandomBatchGeoSampler, RandomGeoSampler
from tests.core.rasters import grid, write_raster


@pytest.fixture
def two_tiles(tmp_path: Path) -> RasterDataset:
    """Two 20 x 20 px tiles of 10 m in UTM 33N, 1 km apart west to east: their bounds span the gap."""
    write_raster(tmp_path / "west.tif", np.ones((20, 20), "uint8"), "EPSG:32633", grid(500_000, 4_000_000, 10))
    write_raster(tmp_path / "east.tif", np.full((20, 20), 2, "uint8"), "EPSG:32633", grid(501_200, 4_000_000, 10))
    return RasterDataset(tmp_path)


@pytest.mark.parametrize("sampler", [GridGeoSampler, RandomGeoSampler])
def test_a_box_roi_in_the_gap_is_said_to_lie_in_it(two_tiles: RasterDataset, sampler: type) -> None:
    roi = BoundingBox(500_400, 501_000, 3_999_800, 4_000_000)
    with pytest.raises(ValueError, match=r"the roi/toi BoundingBox\(minx=500400.0, .*\) does not intersect the data "
                                         r"of RasterDataset \(bounds .*\); it meets those bounds only in gaps "
                                         r"between the files"):
        sampler(two_tiles, 8, roi=roi)


def test_a_polygon_roi_in_the_gap_is_named_as_a_polygon(two_tiles: RasterDataset) -> None:
    # North of the west tile, and in the gap. Before: "the roi/toi BoundingBox(minx=500000.0, maxx=501000.0,
    # miny=3999800.0, maxy=4000200.0, ...) does not intersect the data of RasterDataset", a box holding the west tile.
    roi = shapely.MultiPolygon([shapely.box(500_000, 4_000_100, 500_100, 4_000_200),
                                shapely.box(500_900, 3_999_800, 501_000, 3_999_900)])
    with pytest.raises(ValueError, match=r"RandomBatchGeoSampler: the roi polygon \(within BoundingBox\(minx=500000.0,"
                                         r" maxx=501000.0, .*\)\) does not intersect the data of RasterDataset .*; it "
                                         r"meets those bounds only in gaps between the files"):
        RandomBatchGeoSampler(two_tiles, 4, 2, roi=roi)


def test_an_roi_outside_the_bounds_is_not_said_to_lie_in_a_gap(two_tiles: RasterDataset) -> None:
    with pytest.raises(ValueError, match=r"does not intersect the data of RasterDataset \(bounds [^;]*\); pass an roi"):
        GridGeoSampler(two_tiles, 8, roi=BoundingBox(400_000, 400_100, 3_999_800, 4_000_000))
