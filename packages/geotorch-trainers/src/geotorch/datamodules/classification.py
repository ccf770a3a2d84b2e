"""Datamodules of the scene classification benchmarks: EuroSAT, UC Merced, RESISC45, PatternNet, So2Sat, BigEarthNet."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import torch
from torch.nn.functional import interpolate

from geotorch.core import Sample, get_dataset_class
from geotorch.datamodules.nongeo import NonGeoDataModule
from geotorch.samplers import as_count

#: EuroSAT's per-band mean and standard deviation over its 27,000 chips (raw uint16 reflectance x 10000),
#: in the order the files store the bands.
EUROSAT_STATISTICS = {
    "B01": (1354.4, 245.7), "B02": (1118.2, 333.0), "B03": (1042.9, 395.1), "B04": (947.6, 593.8),
    "B05": (1199.5, 566.4), "B06": (1999.8, 861.2), "B07": (2369.2, 1086.6), "B08": (2296.8, 1118.0),
    "B09": (732.1, 404.9), "B10": (12.1, 4.8), "B11": (1819.0, 1002.6), "B12": (1118.9, 761.3),
    "B8A": (2594.1, 1231.6),
}


class EuroSATDataModule(NonGeoDataModule):
    """EuroSAT (13 Sentinel-2 bands, 10 classes) with its published train/val/test splits.

    Normalised with the per-band statistics of :data:`EUROSAT_STATISTICS` (for the bands read).
    """

    #: The registered name of the dataset.
    dataset_name = "EuroSAT"

    def __init__(self, batch_size: int = 64, num_workers: int = 0, bands: Sequence[str] | None = None,
                 **kwargs: Any) -> None:
        """Keep the settings; ``bands`` and ``kwargs`` (``root``, ``download``) go to the dataset.

        Raises:
            TypeError: if ``bands`` is a single string rather than a sequence of band names.
            ValueError: if ``bands`` names a band EuroSAT does not have (its normalisation statistics are per band).
        """
        dataset_class = get_dataset_class(self.dataset_name)
        owner = type(self).__name__
        if isinstance(bands, str):
            raise TypeError(f"{owner}: bands={bands!r} must be a list of band names, such as "
                            f"{list(dataset_class.rgb_bands)}")
        chosen = tuple(dataset_class.all_bands if bands is None else bands)
        unknown = [band for band in chosen if band not in EUROSAT_STATISTICS]
        if unknown:
            raise ValueError(f"{owner}: bands {unknown} are not EuroSAT bands; choose from "
                             f"{list(dataset_class.all_bands)}")
        self.mean = tuple(EUROSAT_STATISTICS[band][0] for band in chosen)
        self.std = tuple(EUROSAT_STATISTICS[band][1] for band in chosen)
        self.num_channels = len(chosen)
        super().__init__(dataset_class, batch_size, num_workers, bands=bands, **kwargs)


class EuroSATSpatialDataModule(EuroSATDataModule):
    """EuroSAT split by longitude (60 % west trains, 20 % validates, 20 % east tests)."""

    dataset_name = "EuroSATSpatial"


class EuroSAT100DataModule(EuroSATDataModule):
    """EuroSAT100: 100 EuroSAT chips, for tests and tutorials."""

    dataset_name = "EuroSAT100"


class ResizeImage:
    """Resize a sample's image to ``size`` x ``size`` (bilinear), so chips of odd sizes can be batched."""

    def __init__(self, size: int) -> None:
        """Resize to ``size`` pixels a side."""
        self.size = size

    def __call__(self, sample: Sample) -> Sample:
        """The sample with its image resized (unchanged when it has the size already)."""
        image: torch.Tensor = sample["image"]
        if tuple(image.shape[-2:]) != (self.size, self.size):
            resized = interpolate(image[None].float(), size=(self.size, self.size), mode="bilinear",
                                  align_corners=False)
            sample = {**sample, "image": resized[0]}
        return sample


class _RGBDataModule(NonGeoDataModule):
    """An 8-bit RGB benchmark, scaled to [0, 1]; chips are resized to ``image_size`` when they differ."""

    #: The registered name of the dataset, set by subclasses.
    dataset_name = ""
    mean = (0.0,)
    std = (255.0,)
    num_channels = 3

    def __init__(self, batch_size: int = 64, num_workers: int = 0, *, image_size: int = 256, **kwargs: Any) -> None:
        """Keep the settings; ``kwargs`` (``root``, ``download``) go to the dataset.

        Args:
            batch_size: chips per batch.
            num_workers: DataLoader worker processes.
            image_size: side every chip is resized to (UC Merced has a few chips that are not 256 x 256);
                keyword-only.
            **kwargs: passed to the dataset.

        Raises:
            TypeError, ValueError: if ``image_size`` is not a whole number of at least 1.
        """
        size = as_count(image_size, "image_size", type(self).__name__)
        super().__init__(self.dataset_name, batch_size, num_workers, transforms=ResizeImage(size), **kwargs)


class UCMercedDataModule(_RGBDataModule):
    """UC Merced Land Use (21 classes, 256 x 256 RGB) with its published train/val/test splits."""

    dataset_name = "UCMerced"


class RESISC45DataModule(_RGBDataModule):
    """NWPU-RESISC45 (45 classes, 256 x 256 RGB) with its published train/val/test splits."""

    dataset_name = "RESISC45"


class PatternNetDataModule(_RGBDataModule):
    """PatternNet (38 classes, 256 x 256 RGB), published without splits.

    ``val_split_pct`` and ``test_split_pct`` (default 0.2 each) of the 30,400 chips validate and
    test, drawn with a fixed seed, so every run and every rank sees the same three subsets.
    """

    dataset_name = "PatternNet"
    split_names = None

    def __init__(self, batch_size: int = 64, num_workers: int = 0, val_split_pct: float = 0.2,
                 test_split_pct: float = 0.2, *, image_size: int = 256, **kwargs: Any) -> None:
        """Keep the settings in TorchGeo 0.10.1's order; ``kwargs`` (``root``, ``download``) go to the dataset."""
        super().__init__(batch_size, num_workers, image_size=image_size, val_split_pct=val_split_pct,
                         test_split_pct=test_split_pct, **kwargs)


class So2SatDataModule(NonGeoDataModule):
    """So2Sat LCZ42 (17 local climate zones, 32 x 32 chips of Sentinel-1 and Sentinel-2).

    Version 2 publishes ``train``, ``validation`` and ``test``; version 3 has no validation split,
    so ``val_split_pct`` (default 0.2) of its training split validates. The chips hold calibrated
    values (reflectance in [0, 1]-ish, SAR backscatter), so the images pass through unscaled.
    """

    mean = (0.0,)
    std = (1.0,)

    def __init__(self, batch_size: int = 64, num_workers: int = 0, band_set: str = "all",
                 val_split_pct: float = 0.2, *, version: str = "2", bands: Sequence[str] | None = None,
                 **kwargs: Any) -> None:
        """Keep the settings; ``version``, the bands and ``kwargs`` (``root``) go to the dataset.

        Args:
            batch_size: chips per batch.
            num_workers: DataLoader worker processes.
            band_set: TorchGeo's band subsets, ``all``, ``s1``, ``s2`` or ``rgb`` (``So2Sat.BAND_SETS``).
            val_split_pct: share of version 3's training split held out for validation.
            version: the dataset's version (keyword-only).
            bands: the bands by name, instead of ``band_set`` (keyword-only).
            **kwargs: passed to the dataset.

        Raises:
            ValueError: if ``band_set`` is unknown, or both ``band_set`` and ``bands`` are given.
        """
        so2sat = get_dataset_class("So2Sat")
        band_sets: dict[str, tuple[str, ...]] = so2sat.BAND_SETS
        if band_set not in band_sets:
            raise ValueError(f"So2SatDataModule: band_set={band_set!r} must be one of {', '.join(band_sets)}")
        if bands is not None and band_set != "all":
            raise ValueError("So2SatDataModule: give band_set or bands, not both")
        bands = band_sets[band_set] if bands is None and band_set != "all" else bands
        self.split_names = ("train", "validation" if version == "2" else None, "test")
        self.num_channels = len(so2sat.all_band_names if bands is None else bands)
        super().__init__(so2sat, batch_size, num_workers, val_split_pct=val_split_pct, version=version,
                         bands=bands, **kwargs)


class BigEarthNetDataModule(NonGeoDataModule):
    """BigEarthNet (multi-label, 19 or 43 classes, 120 x 120 Sentinel-1 and Sentinel-2 patches).

    Uses the published train/val/test splits. Sentinel-2 bands are reflectance x 10000, divided
    by 10000; Sentinel-1 bands (dB, when ``bands`` is ``s1`` or ``all``) pass through unscaled.
    """

    def __init__(self, batch_size: int = 64, num_workers: int = 0, bands: str = "all", num_classes: int = 19,
                 **kwargs: Any) -> None:
        """Keep the settings; ``bands``, ``num_classes`` and ``kwargs`` (``root``) go to the dataset."""
        counts = {"s1": (2, 0), "s2": (0, 12), "all": (2, 12)}.get(bands, (2, 12))
        self.mean = (0.0,) * sum(counts)
        self.std = (1.0,) * counts[0] + (10000.0,) * counts[1]
        self.num_channels = sum(counts)
        super().__init__("BigEarthNet", batch_size, num_workers, bands=bands, num_classes=num_classes, **kwargs)
