"""Datamodules of the change detection benchmarks: LEVIR-CD and OSCD."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import kornia.augmentation as K

from geotorch.core import get_dataset_class
from geotorch.datamodules.crops import patch_shape, refuse_padding
from geotorch.datamodules.nongeo import NonGeoDataModule
from geotorch.transforms import AugmentationSequential, Normalize


class PairCropDataModule(NonGeoDataModule):
    """A change benchmark whose pairs are cut to ``patch_size``: random crops in training, central ones otherwise.

    Subclasses call :meth:`crop_pairs` once built.
    """

    patch_size: int | tuple[int, int] | None = None
    crop: tuple[int, int] | None = None
    """The crop's (height, width), from ``patch_size``; None when pairs stay whole."""

    def crop_pairs(self, patch_size: int | tuple[int, int] | None) -> None:
        """Crop pairs to ``patch_size`` (None: leave them whole).

        Training pairs are normalised, cropped at random and flipped; validation and test pairs cropped centrally.

        Raises:
            TypeError, ValueError: if ``patch_size`` is not None, a whole number of at least 1 or a pair of them.
        """
        self.patch_size = patch_size
        self.crop = patch_shape(patch_size, type(self).__name__)
        if self.crop is None:
            return
        normalize = Normalize(mean=self.mean, std=self.std)
        self.train_aug = AugmentationSequential(
            normalize, K.RandomCrop(self.crop, pad_if_needed=True), K.RandomHorizontalFlip(), K.RandomVerticalFlip()
        )
        self.val_aug = self.test_aug = AugmentationSequential(normalize, K.CenterCrop(self.crop))

    def on_after_batch_transfer(self, batch: Any, dataloader_idx: int) -> Any:
        """Augment the batch as :class:`~geotorch.datamodules.BaseDataModule` does, once its pairs fit the crop.

        Raises:
            ValueError: if a training, validation or test batch's pairs are smaller than ``patch_size``: the crop
                would pad them with image 0 and mask 0 (no change), which the task would learn or be scored on.
        """
        trainer = self.trainer
        if self.crop is not None and trainer is not None:
            chips = ("training pairs" if trainer.training
                     else "validation pairs" if trainer.validating or trainer.sanity_checking
                     else "test pairs" if trainer.testing else None)
            if chips is not None:
                refuse_padding(type(self).__name__, self.patch_size, self.crop, batch, chips)
        return super().on_after_batch_transfer(batch, dataloader_idx)


class LEVIRCDDataModule(PairCropDataModule):
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

        Raises:
            TypeError, ValueError: if ``patch_size`` is not None, a whole number of at least 1 or a pair of them.
        """
        super().__init__("LEVIRCD", batch_size, num_workers, **kwargs)
        self.crop_pairs(patch_size)


class OSCDDataModule(PairCropDataModule):
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

        Raises:
            TypeError, ValueError: if ``patch_size`` is not None, a whole number of at least 1 or a pair of them.
        """
        oscd = get_dataset_class("OSCD")
        self.num_channels = len(oscd.all_bands if bands is None else bands)
        super().__init__(oscd, batch_size, num_workers, val_split_pct=val_split_pct, bands=bands, **kwargs)
        self.crop_pairs(patch_size)
