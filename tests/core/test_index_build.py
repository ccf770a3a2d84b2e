"""The R-tree of a dataset or a split is packed in one pass (44c94f1: 40,000 entries in 0.48 s, 35.6 s inserted
one by one); the packed tree holds every entry, id and object. Timings stay out of tests (bench/ measures)."""

from __future__ import annotations

import pickle
from pathlib import Path

import numpy as np
import torch

from geotorch.core import BoundingBox, RasterDataset
from geotorch.core.geo import build_index
from geotorch.samplers import random_grid_cell_assignment
from tests.core.rasters import grid, write_raster


def test_forty_thousand_entries_keep_their_ids_objects_and_boxes() -> None:
    entries = [((500000.0 + 10.0 * number, 500010.0 + 10.0 * number, 0.0, 10.0, 0.0, 1.0), f"cell{number}")
               for number in range(40_000)]
    index = build_index(entries)
    assert len(index) == 40_000
    hits = sorted(index.intersection((500105.0, 500125.0, 2.0, 3.0, 0.5, 0.5), objects=True), key=lambda hit: hit.id)
    assert [(hit.id, hit.object) for hit in hits] == [(10, "cell10"), (11, "cell11"), (12, "cell12")]
    assert index.bounds == [500000.0, 900000.0, 0.0, 10.0, 0.0, 1.0]


def test_no_entry_gives_an_empty_index() -> None:
    index = build_index([])
    assert len(index) == 0
    assert list(index.intersection((0.0, 1.0, 0.0, 1.0, 0.0, 1.0))) == []


def test_a_fine_grid_split_of_a_real_file_keeps_every_cell_and_survives_pickling(tmp_path: Path) -> None:
    path = write_raster(tmp_path / "scene.tif", np.arange(40_000, dtype=np.float32).reshape(1, 200, 200), "EPSG:32633",
                        grid(500000.0, 5000000.0, 30.0))
    train, test = random_grid_cell_assignment(RasterDataset(path), [0.75, 0.25], grid_size=100,
                                              generator=torch.Generator().manual_seed(0))
    assert (len(train), len(test)) == (7_500, 2_500)
    copy = pickle.loads(pickle.dumps(test))
    hits = sorted(copy.index.intersection(copy.index.bounds, objects=True), key=lambda hit: hit.id)
    original = sorted(test.index.intersection(test.index.bounds, objects=True), key=lambda hit: hit.id)
    assert [(hit.id, hit.bounds, hit.object) for hit in hits] == [(hit.id, hit.bounds, hit.object) for hit in original]
    # A cell of 2 x 2 pixels reads the file's own pixels.
    cell = BoundingBox(*hits[0].bounds)
    column, row = round((cell.minx - 500000.0) / 30.0), round((5000000.0 - cell.maxy) / 30.0)
    expected = np.arange(40_000, dtype=np.float32).reshape(200, 200)[row : row + 2, column : column + 2]
    np.testing.assert_array_equal(copy[cell]["image"][0].numpy(), expected)
