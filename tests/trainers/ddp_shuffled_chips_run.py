"""Run by test_ddp_plain_loaders.py: two CPU processes (gloo) train on shuffled chips over their dates, unseeded.

TorchGeo-style code: ``DataLoader(dataset, sampler=PreChippedGeoSampler(dataset, shuffle=True) @
SequentialTimestampSampler(dataset))`` over five 16 x 16 px chips of 3, 2, 1, 2 and 3 dates (11 pairs), no seed
given and each rank's torch generator seeded unlike the other's (8 + rank), as nobody seeded them alike. Each rank
records the (chip, date) pairs it trained on, epoch by epoch.

Usage: python ddp_shuffled_chips_run.py OUTPUT_FOLDER
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
from geotorch.samplers import PreChippedGeoSampler, SequentialTimestampSampler
from tests.datasets.fakes.geo import write_raster
from tests.trainers.ddp_fit import OneWeight, fit_on_two_ranks

OUTPUT = Path(sys.argv[1])
DATES = ("20230105", "20230212", "20230318")
#: Dates of each chip, west to east.
DATES_A_CHIP = (3, 2, 1, 2, 3)
FOLDER = OUTPUT / "data"
if not FOLDER.exists():  # the launcher runs this script once per rank
    for number, count in enumerate(DATES_A_CHIP):
        for date in DATES[:count]:
            write_raster(FOLDER / f"chip{number}_{date}.tif", np.full((16, 16), number + 1, "uint8"), 32633,
                         500_000.0 + 160 * number, 4_000_000.0, 10.0)


class Chips(RasterDataset):
    """Five 16 x 16 px chips in a row, dated by their file names."""

    filename_glob = "chip*.tif"
    filename_regex = r"chip\d_(?P<date>\d{8})\.tif"
    date_format = "%Y%m%d"


DATASET = Chips(paths=FOLDER)


class ShuffledChips(LightningDataModule):
    """The chips in a new order each epoch, each over every date it has."""

    def train_dataloader(self) -> DataLoader[Any]:
        torch.manual_seed(8 + dist.get_rank())
        sampler = PreChippedGeoSampler(DATASET, shuffle=True) @ SequentialTimestampSampler(DATASET)
        return DataLoader(DATASET, batch_size=1, sampler=sampler, collate_fn=stack_samples)


class Recorder(OneWeight):
    """Remembers the pairs (minx, mint) of every batch, by epoch; moves only tensors."""

    def __init__(self) -> None:
        super().__init__()
        self.seen: list[list[list[float]]] = []

    def training_step(self, batch: dict[str, Any], batch_idx: int) -> torch.Tensor:
        if batch_idx == 0:
            self.seen.append([])
        self.seen[-1] += [[box.minx, box.mint] for box in batch["bounds"]]
        return (self.weight * batch["image"].float().mean() / 10).sum()


def main() -> None:
    task = Recorder()
    fit_on_two_ranks(task, ShuffledChips(), OUTPUT, 2, lambda: task.seen)


if __name__ == "__main__":
    main()
