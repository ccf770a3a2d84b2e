"""StreamingGridSampler takes its rank when used, as every geo sampler: one built before DDP's process group splits."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from geotorch.core import RasterDataset
from geotorch.trainers import StreamingGridSampler
from tests.datasets.fakes.geo import write_raster


def test_a_rank_set_after_building_gives_that_ranks_chunks(tmp_path: Path) -> None:
    write_raster(tmp_path / "scene.tif", np.ones((3, 70, 90), "uint8"), 32633, 500_000.0, 4_000_000.0, 10.0)
    dataset = RasterDataset(tmp_path)
    # Built as in a script DDP runs once per rank: no process group yet, so rank 0 of 1.
    sampler = StreamingGridSampler(dataset, 16, 8)
    assert len(sampler) == len(list(sampler))
    sampler.world_size, sampler.rank = 2, 1  # what torch.distributed says once the group exists
    second = StreamingGridSampler(dataset, 16, 8, rank=1, world_size=2)
    # Before: the chunks were assigned when built, so it still yielded all of rank 0 of 1's windows.
    assert list(sampler) == list(second) and len(sampler) == len(second) < len(StreamingGridSampler(dataset, 16, 8))
    assert sampler.mine == second.mine and sampler.chunks == second.chunks
