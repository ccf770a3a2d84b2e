"""Datamodules of the change detection benchmarks: LEVIR-CD and OSCD."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from geotorch.core import get_dataset_class
from geotorch.datamodules.nongeo import NonGeoDataModule


class LEVIRCDDataModule(NonGeoDataModule):
    """LEVIR-CD (RGB pairs, 1024 x 1024 at 0.5 m, building changes) with its published train/val/test splits.

    Images are scaled from 8 bits to [0, 1]; augmentations move both dates and the mask together.
    """

    mean = (0.0,)
    std = (255.0,)
    num_channels = 3

    def __init__(self, batch_size: int = 8, num_workers: int = 0, **kwargs: Any) -> None:
        """Keep the settings; ``kwargs`` (``root``, ``download``) go to the dataset."""
        super().__init__("LEVIRCD", batch_size, num_workers, **kwargs)


class OSCDDataModule(NonGeoDataModule):
    """OSCD (13-band Sentinel-2 pairs of 24 cities, urban change).

    The benchmark publishes ``train`` and ``test`` only: ``val_split_pct`` (default 0.2) of the
    training pairs validate. Images are reflectance x 10000, divided by 10000.
    """

    mean = (0.0,)
    std = (10000.0,)
    split_names = ("train", None, "test")

    def __init__(self, batch_size: int = 8, num_workers: int = 0, val_split_pct: float = 0.2,
                 bands: Sequence[str] | None = None, **kwargs: Any) -> None:
        """Keep the settings; ``bands`` and ``kwargs`` (``root``, ``download``) go to the dataset."""
        oscd = get_dataset_class("OSCD")
        self.num_channels = len(oscd.all_bands if bands is None else bands)
        super().__init__(oscd, batch_size, num_workers, val_split_pct=val_split_pct, bands=bands, **kwargs)
