"""Run by test_ddp_random_splits.py: two CPU processes (gloo) split real tiles at random, unseeded, and train.

TorchGeo-style code: a datamodule whose ``setup`` splits the 16 tiles of a real Landsat scene (written by the
test) with ``random_bbox_assignment``, ``random_bbox_splitting`` and ``random_grid_cell_assignment`` and no
``generator``, each rank's torch generator seeded unlike the other's (100 + rank), as nobody seeded them alike.
Each rank records its splits, the warnings they gave and the windows it trained on.

Usage: python ddp_random_splits_run.py OUTPUT_FOLDER
"""

from __future__ import annotations

import sys
import warnings
from pathlib import Path
from typing import Any

import torch
import torch.distributed as dist
from lightning.pytorch import LightningDataModule
from torch.utils.data import DataLoader

from geotorch.core import GeoDataset, RasterDataset, stack_samples
from geotorch.samplers import (
    RandomGeoSampler,
    random_bbox_assignment,
    random_bbox_splitting,
    random_grid_cell_assignment,
)
from tests.trainers.ddp_fit import OneWeight, fit_on_two_ranks


def view_boxes(views: list[GeoDataset]) -> list[list[list[float]]]:
    """Each view's index entries, as sorted boxes ``[minx, maxx, miny, maxy]``."""
    return [sorted(list(hit.bounds)[:4] for hit in view.index.intersection(view.index.bounds, objects=True))
            for view in views]


class RandomSplits(LightningDataModule):
    """Tiles split at random in ``setup`` (after the process group exists), unseeded, as a user might write it."""

    def __init__(self, folder: Path) -> None:
        super().__init__()
        self.folder = folder

    def setup(self, stage: str) -> None:
        tiles = RasterDataset(paths=self.folder)
        torch.manual_seed(100 + dist.get_rank())
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            self.train, self.val, self.test = random_bbox_assignment(tiles, [0.5, 0.25, 0.25])
            splits = {"random_bbox_assignment": [self.train, self.val, self.test],
                      "random_bbox_splitting": random_bbox_splitting(tiles, [0.5, 0.5]),
                      "random_grid_cell_assignment": random_grid_cell_assignment(tiles, [0.8, 0.2], grid_size=3)}
        self.splits = {name: view_boxes(views) for name, views in splits.items()}
        self.warnings = [str(warning.message) for warning in caught]

    def train_dataloader(self) -> DataLoader[Any]:
        return DataLoader(self.train, batch_size=2, sampler=RandomGeoSampler(self.train, 32, 8),
                          collate_fn=stack_samples)


class Recorder(OneWeight):
    """Remembers the windows ``[minx, maxx, miny, maxy]`` of every training batch; moves only tensors."""

    def __init__(self) -> None:
        super().__init__()
        self.seen: list[list[float]] = []

    def training_step(self, batch: dict[str, Any], batch_idx: int) -> torch.Tensor:
        self.seen += [list(box)[:4] for box in batch["bounds"]]
        return (self.weight * batch["image"].float().mean() / 100).sum()


def main() -> None:
    output = Path(sys.argv[1])
    task, splits = Recorder(), RandomSplits(output / "tiles")
    fit_on_two_ranks(task, splits, output, 1,
                     lambda: {"splits": splits.splits, "warnings": splits.warnings, "train": task.seen})


if __name__ == "__main__":
    main()
