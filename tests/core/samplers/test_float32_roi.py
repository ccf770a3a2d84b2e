"""An roi given in float32 (from a tensor or a float32 array) samples the pixels its float64 value would."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import pytest

from geotorch.core import BoundingBox, RasterDataset
from geotorch.samplers import GridGeoSampler, PreChippedGeoSampler, RandomGeoSampler
from tests.core.rasters import grid, write_raster

if TYPE_CHECKING:
    from pathlib import Path


@pytest.fixture
def chips(tmp_path: Path) -> RasterDataset:
    """Four 64 x 64 px chips of 10 m in UTM 33N, side by side from x 499990.3, y 4123456.7 (off float32's grid)."""
    for number in range(4):
        write_raster(tmp_path / f"chip{number}.tif", np.ones((64, 64), "uint8"), "EPSG:32633",
                     grid(499_990.3 + 640 * number, 4_123_456.7, 10))
    return RasterDataset(tmp_path)


def in_float32(box: BoundingBox) -> BoundingBox:
    """``box`` with its x and y as float32 holds them (499990.3 is 499990.3125, 4122816.7 is 4122816.75)."""
    minx, maxx, miny, maxy = (float(value) for value in np.array(tuple(box)[:4], dtype=np.float32))
    return BoundingBox(minx, maxx, miny, maxy, box.mint, box.maxt)


def test_samplers_take_the_float32_bounds_of_chips_as_their_bounds(chips: RasterDataset) -> None:
    # Before: PreChippedGeoSampler found no chip inside the float32 bounds ('no entry ... lies inside the roi'),
    # and RandomGeoSampler refused 64 px patches as 'larger than every area' (each chip lost its bottom row).
    roi = in_float32(chips.bounds)
    assert len(PreChippedGeoSampler(chips, roi=roi)) == 4
    patches = list(RandomGeoSampler(chips, 64, length=20, roi=roi, generator=0))
    assert {(patch.maxx - patch.minx, patch.maxy - patch.miny) for patch in patches} == {(640.0, 640.0)}
    assert {patch.maxy for patch in patches} == {4_123_456.7}
    assert list(GridGeoSampler(chips, 64, roi=roi)) == list(GridGeoSampler(chips, 64, roi=chips.bounds))


def test_a_float32_roi_of_one_chip_selects_that_chip(chips: RasterDataset) -> None:
    second = BoundingBox(500_630.3, 501_270.3, 4_122_816.7, 4_123_456.7)
    chosen = list(PreChippedGeoSampler(chips, roi=in_float32(second)))
    assert [tuple(chip)[:4] for chip in chosen] == [tuple(second)[:4]]
