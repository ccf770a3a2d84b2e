"""The random splitters take a seed as the samplers do: an int, a list of ints, a torch or numpy random source."""

from __future__ import annotations

import warnings
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pytest
import torch
import torch.distributed as dist

from geotorch.core import GeoDataset, RasterDataset
from geotorch.samplers import random_bbox_assignment, random_bbox_splitting, random_grid_cell_assignment
from tests.core.rasters import grid, write_raster

SPLITTERS: list[Callable[..., list[GeoDataset]]] = [
    random_bbox_assignment, random_bbox_splitting, random_grid_cell_assignment
]


@pytest.fixture
def tiles(tmp_path: Path) -> RasterDataset:
    """Six 12 x 12 px tiles of 10 m in UTM 33N, side by side west to east."""
    for number in range(6):
        write_raster(tmp_path / f"tile_{number}.tif", np.full((12, 12), number + 1, "uint8"), "EPSG:32633",
                     grid(500_000 + 120 * number, 4_000_000, 10))
    return RasterDataset(tmp_path)


def boxes(views: list[GeoDataset]) -> list[list[tuple[float, ...]]]:
    """Each view's index entries, as sorted boxes."""
    return [sorted(tuple(hit.bounds) for hit in view.index.intersection(view.index.bounds, objects=True))
            for view in views]


@pytest.mark.parametrize("splitter", SPLITTERS)
def test_a_seed_splits_as_a_torch_generator_seeded_with_it(
    tiles: RasterDataset, splitter: Callable[..., list[GeoDataset]]
) -> None:
    # Before: TypeError "randperm() received an invalid combination of arguments - got (int, generator=int)"
    # (random_bbox_splitting: "randint() ...").
    seeded = boxes(splitter(tiles, [0.5, 0.5], generator=7))
    assert seeded == boxes(splitter(tiles, [0.5, 0.5], generator=torch.Generator().manual_seed(7)))
    assert seeded == boxes(splitter(tiles, [0.5, 0.5], generator=np.int64(7)))
    assert boxes(splitter(tiles, [0.5, 0.5], generator=np.random.default_rng(3))) == boxes(
        splitter(tiles, [0.5, 0.5], generator=np.random.default_rng(3)))
    assert boxes(splitter(tiles, [0.5, 0.5], generator=[1, 2])) == boxes(splitter(tiles, [0.5, 0.5], generator=[1, 2]))


@pytest.mark.parametrize("splitter", SPLITTERS)
@pytest.mark.parametrize(("generator", "error", "message"), [
    (1.5, TypeError, r"generator=1.5; give a seed \(a non-negative int\), a torch.Generator or a numpy random"),
    ("7", TypeError, r"generator='7'; give a seed"),
    (-1, ValueError, r"generator=-1: a seed must be a non-negative integer"),
])
def test_a_generator_that_is_no_seed_is_refused_naming_it(
    tiles: RasterDataset, splitter: Callable[..., list[GeoDataset]], generator: Any, error: type[Exception],
    message: str
) -> None:
    with pytest.raises(error, match=message):
        splitter(tiles, [0.5, 0.5], generator=generator)


@pytest.mark.parametrize("splitter", SPLITTERS)
def test_unseeded_one_process_draws_from_torchs_generator_with_or_without_a_world_of_one(
    tiles: RasterDataset, splitter: Callable[..., list[GeoDataset]], tmp_path: Path
) -> None:
    # As TorchGeo 0.10.1: only a world of several ranks (test_ddp_random_splits.py) draws from a shared seed.
    torch.manual_seed(5)
    alone = boxes(splitter(tiles, [0.5, 0.5]))
    assert alone == boxes(splitter(tiles, [0.5, 0.5], generator=torch.Generator().manual_seed(5)))
    dist.init_process_group("gloo", init_method=f"file://{tmp_path / 'store'}", rank=0, world_size=1)
    try:
        torch.manual_seed(5)
        with warnings.catch_warnings():
            warnings.simplefilter("error")
            assert boxes(splitter(tiles, [0.5, 0.5])) == alone
    finally:
        dist.destroy_process_group()
