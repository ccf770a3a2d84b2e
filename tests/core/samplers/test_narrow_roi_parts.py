"""A polygon roi with a part too narrow for a patch: random samplers draw from the other parts, never failing a pass."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import pytest
import shapely

from geotorch.core import RasterDataset
from geotorch.samplers import RandomBatchGeoSampler, RandomGeoSampler
from tests.core.rasters import grid, write_raster

if TYPE_CHECKING:
    from pathlib import Path

#: A field of 1 km over the west tile, and a road 200 m wide crossing the east tile diagonally.
FIELD = shapely.box(500_000, 3_999_000, 501_000, 4_000_000)
ROAD = shapely.LineString([(502_000, 3_999_000), (503_000, 4_000_000)]).buffer(100, cap_style="flat")


@pytest.fixture
def two_tiles(tmp_path: Path) -> RasterDataset:
    """Two 100 x 100 px tiles of 10 m in UTM 33N, 1 km apart."""
    for name, left in (("west", 500_000), ("east", 502_000)):
        write_raster(tmp_path / f"{name}.tif", np.ones((100, 100), "uint8"), "EPSG:32633", grid(left, 4_000_000, 10))
    return RasterDataset(tmp_path)


def test_random_patches_come_from_the_parts_that_hold_them(two_tiles: RasterDataset) -> None:
    # A 260 m patch fits nowhere in the road; the east tile's area (the road's part) was chosen a fifth of the
    # time and its 1000 draws all failed: RuntimeError 'no patch ... was found' in every epoch, on the first draw.
    roi = shapely.MultiPolygon([FIELD, ROAD])
    sampler = RandomGeoSampler(two_tiles, 26, length=200, roi=roi, generator=0)
    batches = RandomBatchGeoSampler(two_tiles, 26, 10, length=200, roi=roi, generator=0)
    for epoch in range(3):
        sampler.set_epoch(epoch)
        batches.set_epoch(epoch)
        patches = list(sampler) + [patch for batch in batches for patch in batch]
        assert len(patches) == 400
        assert all(FIELD.covers(shapely.box(p.minx, p.miny, p.maxx, p.maxy)) for p in patches)


def test_an_roi_too_narrow_for_a_patch_everywhere_is_refused_when_made(two_tiles: RasterDataset) -> None:
    # Before: made, then RuntimeError at the first draw of the first pass (inside a DataLoader).
    with pytest.raises(ValueError, match=r"RandomGeoSampler: no patch of size=26 \(260 x 260 CRS units.*too narrow"):
        RandomGeoSampler(two_tiles, 26, length=10, roi=ROAD)
    assert len(list(RandomGeoSampler(two_tiles, 12, length=10, roi=ROAD, generator=0))) == 10
