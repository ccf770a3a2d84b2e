"""So2Sat LCZ42: co-registered Sentinel-1 and Sentinel-2 32 x 32 chips of 17 local climate zones, in HDF5 files."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any, ClassVar

import numpy as np
import torch

from geotorch.core import (
    DatasetLifecycle,
    NonGeoDataset,
    Sample,
    Transform,
    check_choice,
    plot_chip,
    rgb_channels,
    verify_checksum,
)

_S1_BANDS = ("S1_B1", "S1_B2", "S1_B3", "S1_B4", "S1_B5", "S1_B6", "S1_B7", "S1_B8")
_S2_BANDS = ("S2_B02", "S2_B03", "S2_B04", "S2_B05", "S2_B06", "S2_B07", "S2_B08", "S2_B8A", "S2_B11", "S2_B12")


class So2Sat(DatasetLifecycle, NonGeoDataset):
    """So2Sat LCZ42 (Zhu et al. 2020): 400,673 chips from 52 cities, labelled with local climate zones.

    Each split is one HDF5 file with ``sen1`` (N, 32, 32, 8) and ``sen2`` (N, 32, 32, 10) float64
    arrays and a one-hot ``label`` (N, 17). Version 2 (https://mediatum.ub.tum.de/1483140) has
    ``training.h5`` (42 cities), ``validation.h5`` and ``testing.h5`` (the western and eastern halves of
    10 other cities); version 3 (https://mediatum.ub.tum.de/1613658) adds three train/test splittings:
    ``random/``, ``block/`` and ``culture_10/`` (whose training file is version 2's).

    Sentinel-1 bands S1_B1-S1_B4 are the real and imaginary parts of the unfiltered VH and VV signals,
    S1_B5-S1_B6 the Lee-filtered VH and VV intensities, S1_B7-S1_B8 the real and imaginary parts of their
    filtered covariance; Sentinel-2 bands are the ten 10 m and 20 m bands. The data cannot be
    downloaded automatically (the publisher serves it through a login).
    Samples are ``{"image": float32 (C, 32, 32), "label": int64 scalar}``.
    """

    versions: ClassVar[tuple[str, ...]] = ("2", "3_random", "3_block", "3_culture_10")
    filenames_by_version: ClassVar[dict[str, dict[str, str]]] = {
        "2": {"train": "training.h5", "validation": "validation.h5", "test": "testing.h5"},
        "3_random": {"train": "random/training.h5", "test": "random/testing.h5"},
        "3_block": {"train": "block/training.h5", "test": "block/testing.h5"},
        "3_culture_10": {"train": "culture_10/training.h5", "test": "culture_10/testing.h5"},
    }
    md5s_by_version: ClassVar[dict[str, dict[str, str]]] = {
        "2": {
            "train": "702bc6a9368ebff4542d791e53469244",
            "validation": "71cfa6795de3e22207229d06d6f8775d",
            "test": "e81426102b488623a723beab52b31a8a",
        },
        "3_random": {"train": "94e2e2e667b406c2adf61e113b42204e", "test": "1e15c425585ce816342d1cd779d453d8"},
        "3_block": {"train": "a91d6150e8b059dac86105853f377a11", "test": "6414af1ec33ace417e879f9c88066d47"},
        "3_culture_10": {"train": "702bc6a9368ebff4542d791e53469244", "test": "58335ce34ca3a18424e19da84f2832fc"},
    }
    classes: ClassVar[tuple[str, ...]] = (
        "Compact high rise", "Compact mid rise", "Compact low rise", "Open high rise", "Open mid rise",
        "Open low rise", "Lightweight low rise", "Large low rise", "Sparsely built", "Heavy industry",
        "Dense trees", "Scattered trees", "Bush, scrub", "Low plants", "Bare rock or paved", "Bare soil or sand",
        "Water",
    )
    all_s1_band_names: ClassVar[tuple[str, ...]] = _S1_BANDS
    all_s2_band_names: ClassVar[tuple[str, ...]] = _S2_BANDS
    all_bands: ClassVar[tuple[str, ...]] = _S1_BANDS + _S2_BANDS
    all_band_names: ClassVar[tuple[str, ...]] = all_bands
    rgb_bands: ClassVar[tuple[str, ...]] = ("S2_B04", "S2_B03", "S2_B02")
    BAND_SETS: ClassVar[dict[str, tuple[str, ...]]] = {
        "all": _S1_BANDS + _S2_BANDS, "s1": _S1_BANDS, "s2": _S2_BANDS, "rgb": ("S2_B04", "S2_B03", "S2_B02"),
    }
    manual: ClassVar[str] = (
        "So2Sat cannot be downloaded automatically: the publisher serves it through a login. Download version 2's "
        "training.h5, validation.h5 and testing.h5 from https://mediatum.ub.tum.de/1483140, or version 3's "
        "random/, block/ and culture_10/ folders from https://mediatum.ub.tum.de/1613658, into that folder"
    )

    def __init__(
        self,
        root: str | Path = "data",
        version: str = "2",
        split: str = "train",
        bands: Sequence[str] | None = None,
        transforms: Transform | None = None,
        checksum: bool = False,
        *,
        download: bool = False,
    ) -> None:
        """Open one split of one version under ``root``.

        Args:
            root: folder holding the HDF5 files (version 3 in its ``random/``, ``block/``, ``culture_10/``).
            version: one of ``versions``.
            split: "train", "validation" or "test" for version 2; "train" or "test" for version 3.
            bands: bands to read (default: all 18; ``So2Sat.BAND_SETS`` has subsets); the image holds the
                Sentinel-1 ones first, each sensor's in the order asked.
            transforms: a function applied to every sample.
            download: accepted for the common signature: a missing file still raises, saying where to get it.
            checksum: verify the split's file against its published MD5 (slow: files are up to 50 GB).

        Raises:
            ValueError: if ``version``, ``split`` or a band is unknown, or the file lacks ``sen1``, ``sen2`` or
                ``label`` or holds them with different chip counts, naming it.
            OSError: if the split's file is not HDF5 (a download cut short), naming it.
            DatasetNotFoundError: if the split's file is not in ``root``.
            ChecksumError: if ``checksum`` and the file fails verification.
        """
        check_choice("So2Sat", "version", version, self.versions)
        if split not in self.filenames_by_version[version]:
            choices = list(self.filenames_by_version[version])
            raise ValueError(f"So2Sat: version {version} has no split {split!r}; choose one of {choices}")
        asked = self.select_bands(bands)
        self.root = Path(root)
        self.version = version
        self.split = split
        self.transforms = transforms
        self.path = self.root / self.filenames_by_version[version][split]
        self.prepare(download, checksum)
        if checksum:
            # A damaged file is reported, not deleted: the user downloaded it by hand, maybe over hours.
            verify_checksum(self.path, md5=self.md5s_by_version[version][split])
        # The image is the S1 selection then the S2 one, each in the order asked.
        self.bands = tuple(b for b in asked if b in _S1_BANDS) + tuple(b for b in asked if b in _S2_BANDS)
        self._s1 = [_S1_BANDS.index(band) for band in self.bands if band in _S1_BANDS]
        self._s2 = [_S2_BANDS.index(band) for band in self.bands if band in _S2_BANDS]
        self.size = self._count_chips()

    def _count_chips(self) -> int:
        import h5py

        needed = ["sen1", "sen2", "label"]
        try:
            with h5py.File(self.path, "r") as file:
                absent = [name for name in needed if name not in file]
                counts = {name: int(file[name].shape[0]) for name in needed if name in file}
        except OSError as error:
            raise OSError(f"So2Sat: {self.path} cannot be read as HDF5 ({error}): download it again") from error
        if absent:
            raise ValueError(f"So2Sat: {self.path} has no dataset {absent}; a So2Sat file holds {needed}")
        if len(set(counts.values())) > 1:
            raise ValueError(f"So2Sat: {self.path} holds datasets of different chip counts {counts}: a damaged file")
        return counts["label"]

    def is_present(self) -> bool:
        """Whether the split's HDF5 file is in ``root``."""
        return self.path.is_file()

    def __len__(self) -> int:
        """Number of chips in the split."""
        return self.size

    def __getitem__(self, index: int) -> Sample:
        """The chip at ``index``: the chosen S1 then S2 bands as float32 (C, 32, 32), and its zone index.

        Raises:
            IndexError: if ``index`` is out of range.
            ValueError: if the chip's label is not one-hot, naming the file and chip.
        """
        import h5py

        if not 0 <= index < self.size:
            raise IndexError(f"So2Sat: index {index} out of range for {self.size} chips")
        with h5py.File(self.path, "r") as file:
            s1 = np.asarray(file["sen1"][index])[..., self._s1]
            s2 = np.asarray(file["sen2"][index])[..., self._s2]
            one_hot = np.asarray(file["label"][index])
        if np.count_nonzero(one_hot) != 1 or one_hot.max() != 1:
            raise ValueError(f"So2Sat: the label of chip {index} in {self.path} is {one_hot.tolist()}, not one-hot")
        label = int(np.argmax(one_hot))
        image = np.concatenate([s1, s2], axis=-1).transpose(2, 0, 1).astype(np.float32)
        sample: Sample = {"image": torch.from_numpy(image), "label": torch.tensor(label)}
        if self.transforms is not None:
            sample = self.transforms(sample)
        return sample

    def plot(self, sample: Sample, show_titles: bool = True, suptitle: str | None = None) -> Any:
        """Draw a chip's Sentinel-2 RGB (its first band when those were not read), titled with label and prediction.

        Args:
            sample: a sample of this dataset, optionally with a ``prediction`` class index.
            show_titles: write the label (and prediction) under the image.
            suptitle: a title over the figure.

        Returns:
            A matplotlib Figure.
        """
        return plot_chip(sample, self.classes, [rgb_channels(self.bands, self.rgb_bands)], show_titles, suptitle)
