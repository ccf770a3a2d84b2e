"""MercedLandUseDataModule: MercedLandUse's published splits, batched for Lightning."""

from __future__ import annotations

from pathlib import Path

import torch
from lightning.pytorch import LightningDataModule
from torch.utils.data import DataLoader

from geotorch.core import Sample, stack_samples
from geotorch_stranger_plugin.dataset import MercedLandUse

#: The splits each stage reads.
STAGE_SPLITS = {"fit": ("train", "val"), "validate": ("val",), "test": ("test",), "predict": ("test",)}


class MercedLandUseDataModule(LightningDataModule):
    """UC Merced Land Use's train, val and test splits (:class:`MercedLandUse`), in batches.

    Images are scaled from 0-255 to [0, 1] once on the device; training batches are flipped left to
    right at random, image by image. ``num_channels`` tells a task the band count to expect.
    """

    num_channels = 3

    def __init__(self, root: str | Path = "data", batch_size: int = 64, num_workers: int = 0,
                 download: bool = False) -> None:
        """Keep the settings; the splits are opened in :meth:`setup`.

        Args:
            root: the dataset's folder (see :class:`MercedLandUse`).
            batch_size: chips per batch.
            num_workers: DataLoader worker processes.
            download: fetch the data into ``root`` when missing (in :meth:`prepare_data`, on one process).
        """
        super().__init__()
        self.root, self.batch_size, self.num_workers, self.download = Path(root), batch_size, num_workers, download
        self.datasets: dict[str, MercedLandUse] = {}

    def prepare_data(self) -> None:
        """Download every split's files when asked (Lightning calls this on one process only)."""
        if self.download:
            for split in MercedLandUse.splits:
                MercedLandUse(self.root, split, download=True)

    def setup(self, stage: str) -> None:
        """Open the splits ``stage`` reads."""
        for split in STAGE_SPLITS[stage]:
            if split not in self.datasets:
                self.datasets[split] = MercedLandUse(self.root, split)

    def loader(self, split: str, shuffle: bool = False) -> DataLoader[Sample]:
        """Batches of ``split``, stacked by :func:`geotorch.core.stack_samples`."""
        return DataLoader(self.datasets[split], batch_size=self.batch_size, shuffle=shuffle,
                          num_workers=self.num_workers, collate_fn=stack_samples)

    def train_dataloader(self) -> DataLoader[Sample]:
        """The training split, shuffled."""
        return self.loader("train", shuffle=True)

    def val_dataloader(self) -> DataLoader[Sample]:
        """The validation split."""
        return self.loader("val")

    def test_dataloader(self) -> DataLoader[Sample]:
        """The test split."""
        return self.loader("test")

    def predict_dataloader(self) -> DataLoader[Sample]:
        """The test split, for prediction."""
        return self.loader("test")

    def on_after_batch_transfer(self, batch: Sample, dataloader_idx: int) -> Sample:
        """Scale images to [0, 1]; flip training images left to right, each with probability one half."""
        image = batch["image"] / 255
        if self.trainer is not None and self.trainer.training:
            flip = torch.rand(image.shape[0], device=image.device) < 0.5
            image = torch.where(flip[:, None, None, None], image.flip(-1), image)
        return {**batch, "image": image}
