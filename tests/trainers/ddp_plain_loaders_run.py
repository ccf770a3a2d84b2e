"""Run by test_ddp_plain_loaders.py: two CPU processes (gloo) fit TorchGeo-style plain DataLoaders over geo samplers.

The training sampler is built at import, before DDP starts its process group; the validation sampler in the
datamodule's hook, after it. Each rank records the windows it sees.

Usage: python ddp_plain_loaders_run.py OUTPUT_FOLDER
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
from geotorch.samplers import GridGeoSampler, RandomGeoSampler
from tests.datasets.fakes.geo import write_raster
from tests.trainers.ddp_fit import OneWeight, fit_on_two_ranks

OUTPUT = Path(sys.argv[1])
SCENE = OUTPUT / "data" / "scene.tif"
if not SCENE.exists():  # the launcher runs this script once per rank
    write_raster(SCENE, (np.arange(3 * 64 * 64).reshape(3, 64, 64) % 250 + 1).astype("uint8"), 32633, 500_000.0,
                 4_000_000.0, 10.0)
DATASET = RasterDataset(paths=SCENE.parent)
#: 8 random 16 px patches a pass, built before the process group exists.
TRAIN = DataLoader(DATASET, batch_size=2, sampler=RandomGeoSampler(DATASET, 16, 8), collate_fn=stack_samples)


class Scenes(LightningDataModule):
    """The training loader above, and a grid of 16 windows of 16 px built in the hook (after the process group)."""

    def train_dataloader(self) -> DataLoader[Any]:
        return TRAIN

    def val_dataloader(self) -> DataLoader[Any]:
        return DataLoader(DATASET, batch_size=2, sampler=GridGeoSampler(DATASET, 16), collate_fn=stack_samples)


class Recorder(OneWeight):
    """Remembers the windows of every batch; moves only tensors (bounds are frozen BoundingBoxes)."""

    def __init__(self) -> None:
        super().__init__()
        self.seen: dict[str, list[list[float]]] = {"train": [], "val": []}

    def training_step(self, batch: dict[str, Any], batch_idx: int) -> torch.Tensor:
        self.seen["train"] += [list(box)[:4] for box in batch["bounds"]]
        return (self.weight * batch["image"].float().mean()).sum()

    def validation_step(self, batch: dict[str, Any], batch_idx: int) -> None:
        self.seen["val"] += [list(box)[:4] for box in batch["bounds"]]


def main() -> None:
    task = Recorder()
    fit_on_two_ranks(task, Scenes(), OUTPUT, 1, lambda: task.seen)


if __name__ == "__main__":
    main()
