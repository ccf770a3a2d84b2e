"""An roi written past the antimeridian (Fiji at 177 to 182 E) samples a geographic dataset on both sides of it."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import pytest
import shapely

from geotorch.core import BoundingBox, RasterDataset
from geotorch.samplers import (
    GridGeoSampler,
    PreChippedGeoSampler,
    RandomBatchGeoSampler,
    RandomGeoSampler,
    index_entries,
    roi_split,
)
from tests.core.rasters import grid, write_raster

if TYPE_CHECKING:
    from pathlib import Path

    from geotorch.samplers.areas import Roi


@pytest.fixture
def both_sides(tmp_path: Path) -> RasterDataset:
    """Two 20 x 40 px tiles of 0.5 degrees in EPSG:4326: 170 to 180 E (1) and 180 to 170 W (2)."""
    write_raster(tmp_path / "east.tif", np.ones((40, 20), "uint8"), "EPSG:4326", grid(170, 10, 0.5))
    write_raster(tmp_path / "west.tif", np.full((40, 20), 2, "uint8"), "EPSG:4326", grid(-180, 10, 0.5))
    return RasterDataset(tmp_path)


ROIS = {
    "box 175..185": BoundingBox(175, 185, -5, 5),
    "polygon 175..185": shapely.box(175, -5, 185, 5),
    "box -185..-175": BoundingBox(-185, -175, -5, 5),
}


@pytest.mark.parametrize("roi", list(ROIS.values()), ids=list(ROIS))
def test_a_grid_over_an_roi_past_180_covers_both_sides(both_sides: RasterDataset, roi: Roi) -> None:
    # Before: 15 windows of 2 degrees at 175 to 180 E only; the roi's 5 degrees past 180 were dropped silently.
    windows = list(GridGeoSampler(both_sides, 4, roi=roi))
    assert len(windows) == len(set(windows)) == 30
    assert sorted({(w.minx, w.maxx) for w in windows}) == [(-180, -178), (-178, -176), (-177, -175),
                                                             (175, 177), (177, 179), (178, 180)]
    values = {int(value) for window in windows for value in both_sides[window]["image"].unique()}
    assert values == {1, 2}


@pytest.mark.parametrize("roi", list(ROIS.values()), ids=list(ROIS))
def test_random_patches_in_an_roi_past_180_are_drawn_on_both_sides_within_it(
    both_sides: RasterDataset, roi: Roi
) -> None:
    patches = list(RandomGeoSampler(both_sides, 4, length=400, roi=roi, generator=0))
    west = [patch for patch in patches if patch.maxx <= -175]
    east = [patch for patch in patches if patch.minx >= 175]
    assert len(west) + len(east) == 400
    assert 150 < len(west) < 250
    batches = list(RandomBatchGeoSampler(both_sides, 4, 10, length=400, roi=roi, generator=0))
    assert {patch.minx < 0 for batch in batches for patch in batch} == {True, False}


def test_chips_inside_an_roi_past_180_are_found_on_both_sides(both_sides: RasterDataset) -> None:
    chips = list(PreChippedGeoSampler(both_sides, roi=BoundingBox(165, 195, -15, 15)))
    assert sorted(chip.minx for chip in chips) == [-180, 170]


def test_an_roi_wholly_past_180_samples_the_tile_it_names(both_sides: RasterDataset) -> None:
    # 181 to 185 E is 179 to 175 W; before: 'does not intersect the data'.
    windows = list(GridGeoSampler(both_sides, 4, roi=BoundingBox(181, 185, -5, 5)))
    assert sorted({(w.minx, w.maxx) for w in windows}) == [(-179, -177), (-177, -175)]


def test_an_roi_of_many_turns_of_longitude_is_refused_naming_them(both_sides: RasterDataset) -> None:
    with pytest.raises(ValueError, match=r"GridGeoSampler: the roi spans -1e\+06 to 1e\+06 in longitude, 5557 turns"):
        GridGeoSampler(both_sides, 4, roi=BoundingBox(-1e6, 1e6, -5, 5))
    assert len(GridGeoSampler(both_sides, 4, roi=BoundingBox(-400, 400, -5, 5))) == 5 * 5 * 2


def test_an_roi_past_180_by_the_last_bits_of_a_float_adds_no_window_west_of_it(both_sides: RasterDataset) -> None:
    roi = BoundingBox(175, 170 + 20 * 0.5 + 1e-12, -5, 5)
    assert {window.minx > 0 for window in GridGeoSampler(both_sides, 4, roi=roi)} == {True}


def test_roi_split_takes_an_roi_past_180_on_both_sides(both_sides: RasterDataset) -> None:
    # Before: the first view held 175 to 180 E only, dropping the roi's 5 degrees past 180 silently.
    fiji, east = roi_split(both_sides, [BoundingBox(175, 185, -5, 5), BoundingBox(171, 174, -5, 5)])
    assert sorted(tuple(box)[:4] for box, _ in index_entries(fiji)) == [(-180, -175, -5, 5), (175, 180, -5, 5)]
    assert [tuple(box)[:4] for box, _ in index_entries(east)] == [(171, 174, -5, 5)]
    with pytest.raises(ValueError, match="overlap"):
        roi_split(both_sides, [BoundingBox(175, 185, -5, 5), BoundingBox(-178, -170, -5, 5)])
