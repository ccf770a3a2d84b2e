"""A split's ``files`` are the files its own index entries read."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import torch

from geotorch.core import BoundingBox, RasterDataset
from geotorch.samplers import random_bbox_assignment, roi_split
from tests.core.rasters import grid, write_raster


def tiles(folder: Path) -> RasterDataset:
    """Four 10 x 10 px GeoTIFFs side by side, west to east (UTM 33N, 30 m); tile ``k`` holds ``k``."""
    for number in range(4):
        write_raster(folder / f"tile{number}.tif", np.full((1, 10, 10), number, dtype=np.uint8), "EPSG:32633",
                     grid(500000.0 + 300.0 * number, 5000000.0, 30.0))
    return RasterDataset(folder)


def test_random_bbox_assignment_views_list_their_own_files(tmp_path: Path) -> None:
    dataset = tiles(tmp_path)
    first, second = random_bbox_assignment(dataset, [0.5, 0.5], torch.Generator().manual_seed(0))
    # Were [] and []: the views keep their entries in their index only.
    assert len(first.files) == len(second.files) == 2
    assert sorted(first.files + second.files) == dataset.files
    for view in (first, second):
        boxes = [BoundingBox(*hit.bounds) for hit in view.index.intersection(view.index.bounds, objects=True)]
        values = {int(view[box]["image"][0, 0, 0]) for box in boxes}
        assert values == {int(Path(path).stem.removeprefix("tile")) for path in view.files}


def test_roi_split_views_list_the_files_under_their_roi(tmp_path: Path) -> None:
    dataset = tiles(tmp_path)
    west, east = roi_split(dataset, [BoundingBox(500000.0, 500450.0, 4999700.0, 5000000.0),
                                     BoundingBox(500450.0, 501200.0, 4999700.0, 5000000.0)])
    assert [Path(path).name for path in west.files] == ["tile0.tif", "tile1.tif"]
    assert [Path(path).name for path in east.files] == ["tile1.tif", "tile2.tif", "tile3.tif"]
