"""Run by test_ddp_uneven_training.py: two CPU processes (gloo) train on a plain grid of an odd number of windows.

TorchGeo-style code: ``DataLoader(dataset, sampler=GridGeoSampler(dataset, 16))`` as the training loader, and a grid
of ``even=False`` for validation. Each rank records the windows it trained and validated on and its weight after.

Usage: python ddp_uneven_training_run.py OUTPUT_FOLDER
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
from geotorch.samplers import GridGeoSampler
from tests.datasets.fakes.geo import write_raster
from tests.trainers.ddp_fit import OneWeight, fit_on_two_ranks

OUTPUT = Path(sys.argv[1])
SCENE = OUTPUT / "data" / "scene.tif"
if not SCENE.exists():  # the launcher runs this script once per rank
    # 48 x 80 px: 3 x 5 = 15 windows of 16 px, an odd number over 2 ranks.
    write_raster(SCENE, (np.arange(3 * 48 * 80).reshape(3, 48, 80) % 250 + 1).astype("uint8"), 32633, 500_000.0,
                 4_000_000.0, 10.0)
DATASET = RasterDataset(paths=SCENE.parent)


class Scene(LightningDataModule):
    """The scene's 15 windows, one a batch: every one to train on, and each once to validate on."""

    def train_dataloader(self) -> DataLoader[Any]:
        return DataLoader(DATASET, batch_size=1, sampler=GridGeoSampler(DATASET, 16), collate_fn=stack_samples)

    def val_dataloader(self) -> DataLoader[Any]:
        return DataLoader(DATASET, batch_size=1, sampler=GridGeoSampler(DATASET, 16, even=False),
                          collate_fn=stack_samples)


class Recorder(OneWeight):
    """Remembers the windows of every batch; moves only tensors (bounds are frozen BoundingBoxes)."""

    def __init__(self) -> None:
        super().__init__()
        self.seen: dict[str, list[list[float]]] = {"train": [], "val": []}

    def training_step(self, batch: dict[str, Any], batch_idx: int) -> torch.Tensor:
        self.seen["train"] += [list(box)[:4] for box in batch["bounds"]]
        return (self.weight * batch["image"].float().mean() / 100).sum()

    def validation_step(self, batch: dict[str, Any], batch_idx: int) -> None:
        self.seen["val"] += [list(box)[:4] for box in batch["bounds"]]


def main() -> None:
    task = Recorder()
    fit_on_two_ranks(task, Scene(), OUTPUT, 2, lambda: {**task.seen, "weight": task.weight.item()})


if __name__ == "__main__":
    main()
