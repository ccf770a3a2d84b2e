"""RandomTimestampSampler's ranks partition the acquisitions whatever each rank's torch seed."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import torch

from geotorch.core import RasterDataset
from geotorch.samplers import RandomTimestampSampler
from tests.core.rasters import grid, write_raster


class Scenes(RasterDataset):
    filename_glob = "scene_*.tif"
    filename_regex = r"scene_(?P<date>\d{8})\.tif"
    date_format = "%Y%m%d"


def test_unseeded_ranks_of_different_torch_seeds_visit_every_acquisition_once(tmp_path: Path) -> None:
    for day in range(1, 13):
        write_raster(tmp_path / f"scene_202001{day:02}.tif", np.full((8, 8), day, "uint8"), "EPSG:32633",
                     grid(500_000, 4_000_000, 10))
    dataset = Scenes(tmp_path)
    ranks = []
    for rank in range(3):
        torch.manual_seed(200 + rank)  # each DDP process seeds torch differently unless told otherwise
        ranks.append(RandomTimestampSampler(dataset, rank=rank, world_size=3, even=False))
    for epoch in (0, 1):
        for sampler in ranks:
            sampler.set_epoch(epoch)
        # Before: each rank shuffled with its own seed, repeating some acquisitions and skipping others.
        visited = [(box.mint, box.maxt) for sampler in ranks for box in sampler]
        assert len(visited) == len(set(visited)) == 12
