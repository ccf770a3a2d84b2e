"""Datamodules of the change detection benchmarks: LEVIR-CD and OSCD."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from geotorch.core import Sample, get_dataset_class
from geotorch.datamodules.crops import CropThenStack, patch_shape
from geotorch.datamodules.nongeo import NonGeoDataModule


class PairCropDataModule(NonGeoDataModule):
    """A change benchmark whose pairs are cut to ``patch_size``: random crops in training, central ones otherwise.

    Pairs are cut as the loaders batch them (:class:`~geotorch.datamodules.crops.CropThenStack`), so pairs of
    different sizes (OSCD's cities) share a batch; predictions take whole pairs. Subclasses call
    :meth:`crop_pairs` once built.
    """

    patch_size: int | tuple[int, int] | None = None
    crop: tuple[int, int] | None = None
    """The crop's (height, width), from ``patch_size``; None when pairs stay whole."""

    def crop_pairs(self, patch_size: int | tuple[int, int] | None) -> None:
        """Crop pairs to ``patch_size`` (None: leave them whole).

        Raises:
            TypeError, ValueError: if ``patch_size`` is not None, a whole number of at least 1 or a pair of them.
        """
        self.patch_size = patch_size
        self.crop = patch_shape(patch_size, type(self).__name__)

    def collate_for(self, stage: str) -> Callable[[list[Sample]], Sample]:
        """Training batches of random crops, validation and test batches of central ones (whole pairs otherwise).

        The crops refuse pairs smaller than ``patch_size`` with a ValueError: kornia's padding would fill them
        with image 0 and mask 0 (no change), which the task would learn or be scored on.
        """
        described = {"fit": "training pairs", "validate": "validation pairs", "test": "test pairs"}
        if self.crop is None or stage not in described:
            return super().collate_for(stage)
        return CropThenStack(self.crop, stage == "fit", type(self).__name__, self.patch_size, described[stage])


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
