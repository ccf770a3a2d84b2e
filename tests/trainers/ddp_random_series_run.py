"""Run by test_ddp_uneven_training.py: two CPU processes (gloo) train on random places over a series of tiles.

TorchGeo-style code: ``DataLoader(dataset, sampler=places @ SequentialTimestampSampler(dataset))``, ``places`` a
``RandomGeoSampler(dataset, 8, 6)``, over a west tile of five dates beside an east tile of two, each rank seeding
its places itself (seed 7 + rank), so that ranks' places fall on different tiles. Each rank records the queries it
trained on and its weight after.

Usage: python ddp_random_series_run.py OUTPUT_FOLDER
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import numpy as np
import torch
import torch.distributed as dist
from lightning.pytorch import LightningDataModule
from torch.utils.data import DataLoader

from geotorch.core import RasterDataset, stack_samples
from geotorch.samplers import RandomGeoSampler, SequentialTimestampSampler
from tests.datasets.fakes.geo import write_raster
from tests.trainers.ddp_fit import OneWeight, fit_on_two_ranks

OUTPUT = Path(sys.argv[1])
#: Five dates of the west tile, two of the east one: a place has 5 or 2 dates.
TILES = {"west": (500_000.0, ("20230105", "20230212", "20230318", "20230427", "20230530")),
         "east": (500_160.0, ("20230212", "20230427"))}
FOLDER = OUTPUT / "data"
if not FOLDER.exists():  # the launcher runs this script once per rank
    for name, (left, dates) in TILES.items():
        for number, date in enumerate(dates):
            write_raster(FOLDER / f"{name}_{date}.tif", np.full((16, 16), 10 * (number + 1), "uint8"), 32633, left,
                         4_000_000.0, 10.0)


class Tiles(RasterDataset):
    """Two 16 x 16 px tiles side by side, dated by their file names."""

    filename_glob = "*.tif"
    filename_regex = r"(?P<name>[a-z]+)_(?P<date>\d{8})\.tif"
    date_format = "%Y%m%d"


DATASET = Tiles(paths=FOLDER)


class Series(LightningDataModule):
    """Six random 8 px places a pass (three a rank), each over every date there, to train on."""

    def train_dataloader(self) -> DataLoader[Any]:
        places = RandomGeoSampler(DATASET, 8, 6, generator=7 + dist.get_rank())
        return DataLoader(DATASET, batch_size=1, sampler=places @ SequentialTimestampSampler(DATASET),
                          collate_fn=stack_samples)


class Recorder(OneWeight):
    """Remembers the queries (minx, miny, mint) of every batch; moves only tensors."""

    def __init__(self) -> None:
        super().__init__()
        self.seen: list[list[float]] = []

    def training_step(self, batch: dict[str, Any], batch_idx: int) -> torch.Tensor:
        self.seen += [[box.minx, box.miny, box.mint] for box in batch["bounds"]]
        return (self.weight * batch["image"].float().mean() / 100).sum()


def main() -> None:
    task = Recorder()
    fit_on_two_ranks(task, Series(), OUTPUT, 2, lambda: {"train": task.seen, "weight": task.weight.item()})


if __name__ == "__main__":
    main()
