"""Datamodules of the segmentation benchmarks: LoveDA, LandCover.ai, Inria Aerial Image Labeling."""

from __future__ import annotations

from typing import Any

import kornia.augmentation as K

from geotorch.datamodules.nongeo import NonGeoDataModule
from geotorch.transforms import AugmentationSequential, Normalize


class _RGBSegmentationDataModule(NonGeoDataModule):
    """An 8-bit RGB segmentation benchmark: scaled to [0, 1], random ``patch_size`` crops for training."""

    dataset_name = ""
    mean = (0.0,)
    std = (255.0,)
    num_channels = 3

    def __init__(self, batch_size: int = 16, patch_size: int | None = 256, num_workers: int = 0,
                 **kwargs: Any) -> None:
        """Keep the settings; ``kwargs`` (``root``, ``download``) go to the dataset.

        Args:
            batch_size: chips per batch.
            patch_size: side of the random crop each training chip is cut to on the device (None: whole chips).
            num_workers: DataLoader worker processes.
            **kwargs: passed to the dataset.
        """
        from geotorch import datasets

        super().__init__(getattr(datasets, self.dataset_name), batch_size, num_workers, **kwargs)
        self.patch_size = patch_size
        crop = [K.RandomCrop((patch_size, patch_size), pad_if_needed=True)] if patch_size else []
        self.train_aug = AugmentationSequential(
            Normalize(mean=self.mean, std=self.std), *crop, K.RandomHorizontalFlip(), K.RandomVerticalFlip()
        )


class LoveDADataModule(_RGBSegmentationDataModule):
    """LoveDA (7 land-cover classes + no data 0, 1024 x 1024 chips) with its published train/val/test splits.

    Its ``test`` split has no labels: test on ``val``, predict on ``test``.
    """

    dataset_name = "LoveDA"
    split_names = ("train", "val", "val")
    predict_split = "test"


class LandCoverAIDataModule(_RGBSegmentationDataModule):
    """LandCover.ai (5 classes, 512 x 512 chips) with its published train/val/test splits."""

    dataset_name = "LandCoverAI"


class InriaAerialImageLabelingDataModule(_RGBSegmentationDataModule):
    """Inria Aerial Image Labeling (buildings, 5000 x 5000 tiles at 0.3 m).

    Splits: tiles 6-36 of every training town train, tiles 1-5 validate (the publisher's
    suggestion); the unlabelled ``test`` towns are for prediction, so testing uses ``val``.
    Training batches are random ``patch_size`` crops of whole tiles.
    """

    dataset_name = "InriaAerialImageLabeling"
    split_names = ("train", "val", "val")
    predict_split = "test"
