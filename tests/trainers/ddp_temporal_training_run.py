"""Run by test_ddp_uneven_training.py: two CPU processes (gloo) train on the dates of a series, an odd number of them.

TorchGeo-style code: ``DataLoader(dataset, sampler=SequentialTimestampSampler(dataset))`` as the training loader over
five acquisitions of one scene. Each rank records the dates it trained on and its weight after.

Usage: python ddp_temporal_training_run.py OUTPUT_FOLDER
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import numpy as np
import torch
from lightning.pytorch import LightningDataModule
from torch.utils.data import DataLoader

from geotorch.core import RasterDataset, stack_samples
from geotorch.samplers import SequentialTimestampSampler
from tests.datasets.fakes.geo import write_raster
from tests.trainers.ddp_fit import OneWeight, fit_on_two_ranks

OUTPUT = Path(sys.argv[1])
DATES = ("20230105", "20230212", "20230318", "20230427", "20230530")  # 5 acquisitions, an odd number over 2 ranks
FOLDER = OUTPUT / "data"
if not FOLDER.exists():  # the launcher runs this script once per rank
    for number, date in enumerate(DATES):
        write_raster(FOLDER / f"scene_{date}.tif", np.full((3, 16, 16), 10 * (number + 1), "uint8"), 32633,
                     500_000.0, 4_000_000.0, 10.0)


class Scenes(RasterDataset):
    """One 16 x 16 px scene, dated by its file name."""

    filename_glob = "scene_*.tif"
    filename_regex = r"scene_(?P<date>\d{8})\.tif"
    date_format = "%Y%m%d"


DATASET = Scenes(paths=FOLDER)


class Series(LightningDataModule):
    """The scene's five dates, one a batch, to train on."""

    def train_dataloader(self) -> DataLoader[Any]:
        return DataLoader(DATASET, batch_size=1, sampler=SequentialTimestampSampler(DATASET),
                          collate_fn=stack_samples)


class Recorder(OneWeight):
    """Remembers the dates (mint, POSIX seconds) of every batch; moves only tensors."""

    def __init__(self) -> None:
        super().__init__()
        self.seen: list[float] = []

    def training_step(self, batch: dict[str, Any], batch_idx: int) -> torch.Tensor:
        self.seen += [box.mint for box in batch["bounds"]]
        return (self.weight * batch["image"].float().mean() / 100).sum()


def main() -> None:
    task = Recorder()
    fit_on_two_ranks(task, Series(), OUTPUT, 2, lambda: {"train": task.seen, "weight": task.weight.item()})


if __name__ == "__main__":
    main()
