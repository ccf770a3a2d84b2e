"""Helpers of the trainers tests: a fast CPU trainer and small in-memory datasets for every task."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import torch
from lightning.pytorch import Trainer
from torch.utils.data import Dataset

from geotorch.datamodules import NonGeoDataModule


def fast_trainer(tmp_path: Path, **kwargs: Any) -> Trainer:
    """A CPU trainer for one training and one validation batch, without logger, progress bar or checkpoint."""
    options: dict[str, Any] = {
        "accelerator": "cpu", "devices": 1, "fast_dev_run": True, "logger": False, "enable_progress_bar": False,
        "enable_model_summary": False, "enable_checkpointing": False, "default_root_dir": tmp_path,
    }
    options.update(kwargs)
    return Trainer(**options)


class SyntheticChips(Dataset[dict[str, Any]]):
    """``count`` random chips whose targets follow from the image: the shapes every task expects.

    ``kind`` is ``class`` (a class index from the first band's mean), ``multilabel`` (multi-hot),
    ``value`` (the image mean), ``pixels`` (a per-pixel value) or ``change`` (a pair and a change mask).
    """

    def __init__(self, kind: str, split: str = "train", count: int = 8, bands: int = 3, size: int = 32,
                 classes: int = 4) -> None:
        generator = torch.Generator().manual_seed({"train": 0, "val": 1, "test": 2}[split])
        self.images = torch.rand((count, bands, size, size), generator=generator) * 255
        self.kind, self.classes = kind, classes

    def __len__(self) -> int:
        return len(self.images)

    def __getitem__(self, index: int) -> dict[str, Any]:
        image = self.images[index]
        if self.kind == "class":
            return {"image": image, "label": torch.tensor(index % self.classes)}
        if self.kind == "multilabel":
            return {"image": image, "label": torch.tensor([index % 2, 1, 0, (index // 2) % 2])}
        if self.kind == "value":
            return {"image": image, "label": image.mean() / 255}
        if self.kind == "pixels":
            return {"image": image, "mask": image[0] / 255}
        pair = torch.stack([image, image.flip(-1)])
        return {"image": pair, "mask": (image[:1] > 128).long()}


class SyntheticDataModule(NonGeoDataModule):
    """A NonGeoDataModule over :class:`SyntheticChips`."""

    def __init__(self, kind: str, batch_size: int = 2, **kwargs: Any) -> None:
        super().__init__(SyntheticChips, batch_size=batch_size, kind=kind, **kwargs)
