"""PreChippedGeoSampler's shuffled ranks partition the chips whatever each rank's torch seed."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import torch

from geotorch.core import RasterDataset
from geotorch.samplers import GridGeoSampler, PreChippedGeoSampler
from tests.core.rasters import grid, write_raster


@pytest.fixture
def chips(tmp_path: Path) -> RasterDataset:
    """16 chips of 8 x 8 px, 10 m, in UTM 33N, laid 4 x 4."""
    for number in range(16):
        column, row = divmod(number, 4)
        write_raster(tmp_path / f"chip_{number:02}.tif", np.full((8, 8), number + 1, "uint8"), "EPSG:32633",
                     grid(500_000 + 80 * column, 4_000_000 - 80 * row, 10))
    return RasterDataset(tmp_path)


def test_unseeded_ranks_of_different_torch_seeds_visit_every_chip_once(chips: RasterDataset) -> None:
    # Each DDP process seeds torch differently unless told otherwise (no seed_everything).
    ranks = []
    for rank in range(3):
        torch.manual_seed(100 + rank)
        ranks.append(PreChippedGeoSampler(chips, shuffle=True, rank=rank, world_size=3, even=False))
    for epoch in (0, 1):
        for sampler in ranks:
            sampler.set_epoch(epoch)
        # Before: each rank shuffled with its own seed, so chips were repeated across ranks and others never seen.
        visited = [tuple(box) for sampler in ranks for box in sampler]
        assert len(visited) == len(set(visited)) == 16
    orders = [[tuple(box) for box in ranks[0]] for _ in range(2)]
    assert orders[0] != orders[1]  # a new order each pass


def test_one_unseeded_rank_shuffles_from_torchs_default_generator(chips: RasterDataset) -> None:
    torch.manual_seed(5)
    first = [tuple(box) for box in PreChippedGeoSampler(chips, shuffle=True)]
    torch.manual_seed(5)
    assert [tuple(box) for box in PreChippedGeoSampler(chips, shuffle=True)] == first
    torch.manual_seed(6)
    assert [tuple(box) for box in PreChippedGeoSampler(chips, shuffle=True)] != first


@pytest.mark.parametrize("even", ["no", 0, None])
def test_even_that_is_no_flag_is_refused_naming_it(chips: RasterDataset, even: object) -> None:
    # "no" would be read as True (padding ranks) and 0 as False without a word.
    for make in (lambda: GridGeoSampler(chips, 8, even=even), lambda: PreChippedGeoSampler(chips, even=even)):
        with pytest.raises(TypeError, match=r"even=.* must be True or False"):
            make()
    assert len(PreChippedGeoSampler(chips, rank=1, world_size=3, even=np.bool_(False))) == 5
