"""Spatial splitters cut files on their pixel edges: patches sampled from a split read the file's pixels as stored."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import numpy as np
import pytest
import rasterio
import torch
from rasterio.windows import Window

from geotorch.core import BoundingBox, GeoDataset, RasterDataset
from geotorch.samplers import (
    GridGeoSampler,
    RandomGeoSampler,
    random_bbox_assignment,
    random_bbox_splitting,
    random_grid_cell_assignment,
    roi_split,
)
from tests.core.rasters import grid, write_raster

LEFT, TOP, RES = 500000.0, 5000000.0, 30.0

Split = Callable[[RasterDataset], list[RasterDataset]]

SPLITS: dict[str, Split] = {
    # 20 px in 3 cells: cuts at 6.67 and 13.33 px (were kept there).
    "grid cells": lambda dataset: random_grid_cell_assignment(
        dataset, [0.5, 0.5], grid_size=3, generator=torch.Generator().manual_seed(0)
    ),
    # A third of 20 px: a cut at 6.67 px along x or y.
    "bbox splitting": lambda dataset: random_bbox_splitting(
        dataset, [1 / 3, 2 / 3], generator=torch.Generator().manual_seed(0)
    ),
    # An roi edge 100 m (3.33 px) from the file's west edge.
    "rois": lambda dataset: roi_split(
        dataset,
        [BoundingBox(LEFT, LEFT + 100.0, TOP - 600.0, TOP), BoundingBox(LEFT + 100.0, LEFT + 600.0, TOP - 600.0, TOP)],
    ),
}


@pytest.fixture
def scene(tmp_path: Path) -> Path:
    """A 20 x 20 px float32 GeoTIFF of 30 m pixels (UTM 33N) whose pixels count 0..399 row by row."""
    pixels = np.arange(400, dtype=np.float32).reshape(1, 20, 20)
    return write_raster(tmp_path / "scene.tif", pixels, "EPSG:32633", grid(LEFT, TOP, RES))


def entries(view: GeoDataset) -> list[BoundingBox]:
    return [BoundingBox(*hit.bounds) for hit in view.index.intersection(view.index.bounds, objects=True)]


@pytest.mark.parametrize("split", SPLITS.values(), ids=SPLITS.keys())
def test_split_parts_end_on_the_files_pixel_edges_and_tile_it(scene: Path, split: Split) -> None:
    views = split(RasterDataset(scene))
    parts = [part for view in views for part in entries(view)]
    for part in parts:
        for column in ((part.minx - LEFT) / RES, (part.maxx - LEFT) / RES):
            assert column == round(column), f"{part} cuts column {column:g}"
        for row in ((TOP - part.maxy) / RES, (TOP - part.miny) / RES):
            assert row == round(row), f"{part} cuts row {row:g}"
    # No pixel lost, none in two parts.
    assert sum(part.area for part in parts) == pytest.approx(600.0 * 600.0)
    for number, part in enumerate(parts):
        for other in parts[number + 1 :]:
            assert not part.intersects(other) or (part & other).area == pytest.approx(0.0)


@pytest.mark.parametrize("split", SPLITS.values(), ids=SPLITS.keys())
def test_patches_of_a_split_hold_the_files_pixels(scene: Path, split: Split) -> None:
    views = split(RasterDataset(scene))
    with rasterio.open(scene) as source:
        for view in views:
            patches = [*GridGeoSampler(view, size=2), *RandomGeoSampler(view, size=2, length=4)]
            for patch in patches:
                column, row = (patch.minx - LEFT) / RES, (TOP - patch.maxy) / RES
                # Was a third or two thirds of a pixel off, read resampled: 130.33 where 130 is stored.
                assert (column, row) == (round(column), round(row))
                stored = source.read(window=Window(round(column), round(row), 2, 2))
                np.testing.assert_array_equal(view[patch]["image"].numpy(), stored)


def test_an_roi_thinner_than_half_a_pixel_is_refused_naming_res(scene: Path) -> None:
    dataset = RasterDataset(scene)
    # 3.33 to 3.47 px: it holds no pixel centre, so both edges move to the same pixel edge.
    thin = BoundingBox(LEFT + 100.0, LEFT + 104.0, TOP - 600.0, TOP)
    with pytest.raises(ValueError, match=r"roi 1 .* less than half a pixel of it \(res \(30.0, 30.0\)\)"):
        roi_split(dataset, [BoundingBox(LEFT, LEFT + 100.0, TOP - 600.0, TOP), thin])


#: A real Landsat 7 ETM+ subset (UTM 18N, 300 m, 791 x 718 px; see ../shared/data/real/README.md).
REAL_SCENE = Path(__file__).resolve().parents[3] / ".." / "shared" / "data" / "real" / "RGB.byte.tif"


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_a_share_thinner_than_half_a_pixel_of_every_file_is_refused_naming_it(seed: int) -> None:
    if not REAL_SCENE.is_file():
        pytest.skip(f"real geodata not found at {REAL_SCENE.resolve()} (the project root's ../shared/data/real)")
    dataset = RasterDataset(REAL_SCENE)
    # 0.05 % of 791 x 718 px is 0.40 or 0.36 px, whichever way the file is cut. Before: the third view had an empty
    # index, found only by the sampler drawing from it ("RasterDataset has an empty index: it has no bounds").
    with pytest.raises(ValueError, match=r"random_bbox_splitting: fractions\[2\]=0.0005 gives split 2 no pixel: its "
                                         r"part of each of the 1 index entries of RasterDataset is narrower than half "
                                         r"a pixel \(res \(300.0379"):
        random_bbox_splitting(dataset, [0.5, 0.4995, 0.0005], generator=seed)
    # A share of more than a pixel is kept, as before: 0.002 of 718 or 791 px is 1.4 or 1.6 px.
    assert len(random_bbox_splitting(dataset, [0.5, 0.498, 0.002], generator=seed)[2]) == 1


@pytest.mark.parametrize(("split", "message"), [
    (lambda dataset: random_grid_cell_assignment(dataset, [0.5, 0.5], grid_size=1, generator=0),
     r"random_grid_cell_assignment: fractions=\[0.5, 0.5\] would leave split 1 of 1 cells empty \(1 entries cut into "
     r"1 x 1 by grid_size=1, cells of no pixel left out\); give a larger grid_size"),
    (lambda dataset: random_bbox_assignment(dataset, [0.5, 0.5], generator=0),
     r"random_bbox_assignment: lengths=\[0.5, 0.5\] would leave split 1 of 1 entries empty"),
], ids=["grid cells", "entries"])
def test_a_split_left_empty_is_named_with_the_argument_that_leaves_it_so(
    split: Callable[[RasterDataset], list[RasterDataset]], message: str
) -> None:
    if not REAL_SCENE.is_file():
        pytest.skip(f"real geodata not found at {REAL_SCENE.resolve()} (the project root's ../shared/data/real)")
    # Before: "random_grid_cell_assignment: lengths=[0.5, 0.5] would leave a split of 1 items empty", naming an
    # argument it has not (its argument is fractions) and not the grid_size that cut too few cells.
    with pytest.raises(ValueError, match=message):
        split(RasterDataset(REAL_SCENE))
