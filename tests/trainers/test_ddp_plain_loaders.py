"""Geo samplers in plain DataLoaders under Lightning's DDP split a pass once, not twice."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from torch.utils.data import DistributedSampler

from geotorch.core import RasterDataset
from geotorch.samplers import GridGeoSampler, PreChippedGeoSampler, RandomBatchGeoSampler, RandomGeoSampler
from tests.datasets.fakes.geo import write_raster
from tests.trainers.ddp_ranks import run_two_ranks

SCRIPT = Path(__file__).with_name("ddp_plain_loaders_run.py")
SHUFFLED_CHIPS_SCRIPT = Path(__file__).with_name("ddp_shuffled_chips_run.py")


@pytest.mark.slow
def test_two_ranks_see_every_grid_window_once_and_length_patches_in_all(tmp_path: Path) -> None:
    first, second = run_two_ranks(SCRIPT, tmp_path)
    # Before: Lightning wrapped each geo sampler, which had already taken its rank's half, in a
    # DistributedSampler taking half of that: 4 + 4 windows (8 distinct of 16) and 2 + 2 patches of 8.
    windows = [tuple(box) for box in first["val"] + second["val"]]
    assert len(windows) == len(set(windows)) == 16
    assert len(first["train"]) == len(second["train"]) == 4
    assert len({tuple(box) for box in first["train"] + second["train"]}) == 8


def test_every_geo_sampler_is_a_distributed_sampler_of_its_rank(tmp_path: Path) -> None:
    # Lightning leaves a DistributedSampler alone and wraps any other sampler of a DDP run in one.
    write_raster(tmp_path / "scene.tif", np.ones((32, 32), "uint8"), 32633, 500_000.0, 4_000_000.0, 10.0)
    dataset = RasterDataset(tmp_path)
    samplers = [GridGeoSampler(dataset, 8, rank=1, world_size=3), RandomGeoSampler(dataset, 8, 6, rank=1, world_size=3),
                PreChippedGeoSampler(dataset, rank=1, world_size=3),
                RandomBatchGeoSampler(dataset, 8, 2, 6, rank=1, world_size=3)]
    for sampler in samplers:
        assert isinstance(sampler, DistributedSampler)
        assert (sampler.rank, sampler.world_size, sampler.num_replicas) == (1, 3, 3)


@pytest.mark.slow
def test_unseeded_ranks_train_on_every_pair_of_shuffled_chips_over_time_each_epoch(tmp_path: Path) -> None:
    first, second = run_two_ranks(SHUFFLED_CHIPS_SCRIPT, tmp_path, timeout=90)
    assert [len(epoch) for epoch in first] == [len(epoch) for epoch in second] == [6, 6]  # 11 pairs, padded to 12
    for mine, theirs in zip(first, second, strict=True):
        # Before: each rank walked the chips in an order of its own torch seed and took every other pair of it:
        # 8 distinct pairs of the 11 in each epoch, some trained on twice and 3 never.
        assert len({tuple(pair) for pair in mine + theirs}) == 11
