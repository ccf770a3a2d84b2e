"""PreChippedGeoSampler keeps the chips whose edges lie on the roi's, whatever the last bits of the coordinates."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import shapely
from affine import Affine

from geotorch.core import BoundingBox, RasterDataset
from geotorch.samplers import PreChippedGeoSampler
from tests.core.rasters import write_raster

#: Pixels of a third of a tenth of a degree: chip edges (GDAL's left + 32 * res) are no exact binary fractions.
RES = 0.1 / 3


@pytest.fixture
def chips(tmp_path: Path) -> RasterDataset:
    """4 x 4 chips of 32 x 32 px in EPSG:4326, from (-105, 40), chip (i, j) holding i * 4 + j + 1."""
    for column in range(4):
        for row in range(4):
            transform = Affine(RES, 0.0, -105 + column * 32 * RES, 0.0, -RES, 40 - row * 32 * RES)
            write_raster(tmp_path / f"chip_{column}{row}.tif", np.full((32, 32), column * 4 + row + 1, "uint8"),
                         "EPSG:4326", transform)
    return RasterDataset(tmp_path)


def test_an_roi_of_two_by_two_chips_yields_the_four(chips: RasterDataset) -> None:
    roi = BoundingBox(-105, -105 + 64 * RES, 40 - 64 * RES, 40)
    # Before: 2 chips (1 and 5): chips 2 and 6 end at y = 37.86666666666666 (GDAL's), the roi at 37.86666666666667.
    values = sorted(int(chips[box]["image"][0, 0, 0]) for box in PreChippedGeoSampler(chips, roi=roi))
    assert values == [1, 2, 5, 6]


def test_a_polygon_roi_of_two_by_two_chips_yields_the_four(chips: RasterDataset) -> None:
    roi = shapely.box(-105 + 32 * RES, 40 - 96 * RES, -105 + 96 * RES, 40 - 32 * RES)
    values = sorted(int(chips[box]["image"][0, 0, 0]) for box in PreChippedGeoSampler(chips, roi=roi))
    assert values == [6, 7, 10, 11]


def test_a_chip_reaching_a_pixel_past_the_roi_is_still_left_out(chips: RasterDataset) -> None:
    roi = BoundingBox(-105, -105 + 63 * RES, 40 - 64 * RES, 40)
    values = sorted(int(chips[box]["image"][0, 0, 0]) for box in PreChippedGeoSampler(chips, roi=roi))
    assert values == [1, 2]
