"""Datamodules of the change detection benchmarks: LEVIR-CD and OSCD."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import kornia.augmentation as K

from geotorch.core import get_dataset_class
from geotorch.datamodules.nongeo import NonGeoDataModule
from geotorch.transforms import AugmentationSequential, Normalize


class LEVIRCDDataModule(NonGeoDataModule):
    """LEVIR-CD (RGB pairs, 1024 x 1024 at 0.5 m, building changes) with its published train/val/test splits.

    Images are scaled from 8 bits to [0, 1]; augmentations move both dates and the mask together.
    """

    mean = (0.0,)
    std = (255.0,)
    num_channels = 3

    def __init__(self, batch_size: int = 8, patch_size: int | tuple[int, int] | None = None, num_workers: int = 0,
                 **kwargs: Any) -> None:
        """Keep the settings; ``kwargs`` (``root``, ``download``) go to the dataset.

        Args:
            batch_size: pairs per batch.
            patch_size: training pairs are random crops of this size, validation and test pairs central
                ones (None: whole pairs).
            num_workers: DataLoader worker processes.
            **kwargs: passed to the dataset.
        """
        super().__init__("LEVIRCD", batch_size, num_workers, **kwargs)
        self.patch_size = patch_size
        crop_pairs(self, patch_size)


class OSCDDataModule(NonGeoDataModule):
    """OSCD (13-band Sentinel-2 pairs of 24 cities, urban change).

    The benchmark publishes ``train`` and ``test`` only: ``val_split_pct`` (default 0.2) of the
    training pairs validate. Images are reflectance x 10000, divided by 10000.
    """

    mean = (0.0,)
    std = (10000.0,)
    split_names = ("train", None, "test")

    def __init__(self, batch_size: int = 8, patch_size: int | tuple[int, int] | None = None,
                 val_split_pct: float = 0.2, num_workers: int = 0, *, bands: Sequence[str] | None = None,
                 **kwargs: Any) -> None:
        """Keep the settings; ``bands`` and ``kwargs`` (``root``, ``download``) go to the dataset.

        Args:
            batch_size: pairs per batch.
            patch_size: training pairs are random crops of this size, validation and test pairs central
                ones (None: whole pairs).
            val_split_pct: share of the training pairs held out for validation.
            num_workers: DataLoader worker processes.
            bands: the bands to read (keyword-only; default all 13).
            **kwargs: passed to the dataset.
        """
        oscd = get_dataset_class("OSCD")
        self.num_channels = len(oscd.all_bands if bands is None else bands)
        super().__init__(oscd, batch_size, num_workers, val_split_pct=val_split_pct, bands=bands, **kwargs)
        self.patch_size = patch_size
        crop_pairs(self, patch_size)


def crop_pairs(datamodule: NonGeoDataModule, patch_size: int | tuple[int, int] | None) -> None:
    """Make ``datamodule``'s augmentations crop pairs to ``patch_size`` (None: leave them whole).

    Training pairs are normalised, cropped at random and flipped; validation and test pairs cropped centrally.
    """
    if patch_size is None:
        return
    size = (patch_size, patch_size) if isinstance(patch_size, int) else tuple(patch_size)
    normalize = Normalize(mean=datamodule.mean, std=datamodule.std)
    datamodule.train_aug = AugmentationSequential(
        normalize, K.RandomCrop(size, pad_if_needed=True), K.RandomHorizontalFlip(), K.RandomVerticalFlip()
    )
    datamodule.val_aug = datamodule.test_aug = AugmentationSequential(normalize, K.CenterCrop(size))
