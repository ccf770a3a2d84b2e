"""A spatiotemporal sampler built before the process group splits its pairs across the ranks that group gives."""

from __future__ import annotations

import json
import socket
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import torch.distributed as dist
import torch.multiprocessing as mp

from geotorch.core import RasterDataset
from geotorch.samplers import (
    GridGeoSampler,
    RandomGeoSampler,
    SequentialTimedeltaSampler,
    SequentialTimestampSampler,
    SpatioTemporalSampler,
)
from tests.core.rasters import grid, write_raster


class Tiles(RasterDataset):
    """A tile of five dates."""

    filename_glob = "t_*.tif"
    filename_regex = r"t_(?P<date>\d{8})"
    date_format = "%Y%m%d"


def write_dates(folder: Path) -> Path:
    for day in ("20200601", "20200605", "20200610", "20200620", "20200701"):
        write_raster(folder / f"t_{day}.tif", np.full((24, 40), 7, "uint16"), "EPSG:32633", grid(500_000, 4e6, 10))
    return folder


def pairs(dataset: Tiles) -> dict[str, SpatioTemporalSampler]:
    """The samplers under test, by name."""
    week = pd.Timedelta(days=7)
    return {
        "grid @ timestamps": GridGeoSampler(dataset, 8, even=False) @ SequentialTimestampSampler(dataset),
        "grid @ timedelta": GridGeoSampler(dataset, 8, even=False) @ SequentialTimedeltaSampler(dataset, delta=week),
        "random @ timestamps": RandomGeoSampler(dataset, 8, 6, generator=0) @ SequentialTimestampSampler(dataset),
    }


def record_rank(rank: int, world_size: int, folder: str, port: int) -> None:
    """Build the samplers, then join a gloo group of ``world_size`` on 127.0.0.1, and write what this rank yields."""
    samplers = pairs(Tiles(Path(folder) / "data"))
    dist.init_process_group("gloo", init_method=f"tcp://127.0.0.1:{port}", rank=rank, world_size=world_size)
    try:
        seen = {name: {"len": len(sampler), "rank": sampler.rank, "world_size": sampler.world_size,
                       "queries": [list(query) for query in sampler]} for name, sampler in samplers.items()}
    finally:
        dist.destroy_process_group()
    (Path(folder) / f"rank{rank}.json").write_text(json.dumps(seen))


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.mark.slow
def test_a_spatiotemporal_sampler_built_before_the_process_group_splits_its_pairs(tmp_path: Path) -> None:
    # Before: the sampler took the spatial sampler's rank as resolved when it was built (0 of 1), so each of
    # 2 ranks yielded all 75 (window, date) pairs of grid @ timestamps; its GridGeoSampler alone split.
    write_dates(tmp_path / "data")
    mp.spawn(record_rank, args=(2, str(tmp_path), free_port()), nprocs=2)
    first, second = (json.loads((tmp_path / f"rank{rank}.json").read_text()) for rank in (0, 1))
    alone = pairs(Tiles(tmp_path / "data"))
    for name in ("grid @ timestamps", "grid @ timedelta"):
        every = [list(query) for query in alone[name]]
        assert (first[name]["rank"], first[name]["world_size"], second[name]["rank"]) == (0, 2, 1)
        both = first[name]["queries"] + second[name]["queries"]
        assert sorted(both) == sorted(every)
        assert [first[name]["len"], second[name]["len"]] == [len(first[name]["queries"]), len(second[name]["queries"])]
        assert abs(first[name]["len"] - second[name]["len"]) <= 1
    # Random locations: each rank draws its own half of the 6, each location with its 5 dates.
    assert first["random @ timestamps"]["len"] == second["random @ timestamps"]["len"] == 3 * 5
    assert first["random @ timestamps"]["queries"] != second["random @ timestamps"]["queries"]
