"""BigEarthNet v1: 590,326 Sentinel-1 / Sentinel-2 patch pairs over Europe, multi-labelled with CORINE land cover."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any, ClassVar

import numpy as np
import torch

from geotorch.core import (
    DatasetLifecycle,
    DatasetNotFoundError,
    NonGeoDataset,
    Resource,
    Sample,
    Transform,
    check_choice,
    plot_chip,
)
from geotorch.datasets.chip_files import chip_files
from geotorch.datasets.json_files import read_json
from geotorch.datasets.raster_chips import read_array

_SPLITS = "https://git.tu-berlin.de/rsim/BigEarthNet-MM_19-classes_models/-/raw/9a5be07346ab0884b2d9517475c27ef9db9b5104/"


class BigEarthNet(DatasetLifecycle, NonGeoDataset):
    """BigEarthNet v1.0 (Sumbul et al. 2019): 120 x 120 px patches from 125 tiles, Jun 2017 - May 2018.

    Layout: ``BigEarthNet-v1.0/<S2 patch>/<S2 patch>_<band>.tif`` (``S2A_MSIL2A_...``: 12 uint16 L2A bands
    at 10 m (120 px), 20 m (60 px) and 60 m (20 px), each with a ``..._labels_metadata.json``) and
    ``BigEarthNet-S1-v1.0/<S1 patch>/<S1 patch>_VH.tif`` and ``_VV.tif`` (``S1B_IW_GRDH_...``, float32
    backscatter, 120 px). The split files (``bigearthnet-<split>.csv``, one ``<S2 patch>,<S1 patch>`` a
    line) are those of the BigEarthNet-MM models, which leave out cloudy and snowy patches.

    Every band is resampled (bilinear) to 120 x 120. ``bands="all"`` stacks S1 (VH, VV: the order of
    their file names) before S2. Labels are a multi-hot ``int64`` vector over the 43 CORINE classes in
    code order, or over the 19 classes of the BigEarthNet nomenclature (``label_converter``: 43 -> 19; 11
    classes have no 19-class counterpart and are dropped).
    """

    class_sets: ClassVar[dict[int, tuple[str, ...]]] = {
        19: (
            "Urban fabric", "Industrial or commercial units", "Arable land", "Permanent crops", "Pastures",
            "Complex cultivation patterns",
            "Land principally occupied by agriculture, with significant areas of natural vegetation",
            "Agro-forestry areas", "Broad-leaved forest", "Coniferous forest", "Mixed forest",
            "Natural grassland and sparsely vegetated areas", "Moors, heathland and sclerophyllous vegetation",
            "Transitional woodland, shrub", "Beaches, dunes, sands", "Inland wetlands", "Coastal wetlands",
            "Inland waters", "Marine waters",
        ),
        43: (
            "Continuous urban fabric", "Discontinuous urban fabric", "Industrial or commercial units",
            "Road and rail networks and associated land", "Port areas", "Airports", "Mineral extraction sites",
            "Dump sites", "Construction sites", "Green urban areas", "Sport and leisure facilities",
            "Non-irrigated arable land", "Permanently irrigated land", "Rice fields", "Vineyards",
            "Fruit trees and berry plantations", "Olive groves", "Pastures",
            "Annual crops associated with permanent crops", "Complex cultivation patterns",
            "Land principally occupied by agriculture, with significant areas of natural vegetation",
            "Agro-forestry areas", "Broad-leaved forest", "Coniferous forest", "Mixed forest", "Natural grassland",
            "Moors and heathland", "Sclerophyllous vegetation", "Transitional woodland/shrub",
            "Beaches, dunes, sands", "Bare rock", "Sparsely vegetated areas", "Burnt areas", "Inland marshes",
            "Peatbogs", "Salt marshes", "Salines", "Intertidal flats", "Water courses", "Water bodies",
            "Coastal lagoons", "Estuaries", "Sea and ocean",
        ),
    }
    label_converter: ClassVar[dict[int, int]] = {
        0: 0, 1: 0, 2: 1, 11: 2, 12: 2, 13: 2, 14: 3, 15: 3, 16: 3, 18: 3, 17: 4, 19: 5, 20: 6, 21: 7, 22: 8,
        23: 9, 24: 10, 25: 11, 31: 11, 26: 12, 27: 12, 28: 13, 29: 14, 33: 15, 34: 15, 35: 16, 36: 16, 38: 17,
        39: 17, 40: 18, 41: 18, 42: 18,
    }
    sensor_bands: ClassVar[dict[str, tuple[str, ...]]] = {
        "s1": ("VH", "VV"),
        "s2": ("B01", "B02", "B03", "B04", "B05", "B06", "B07", "B08", "B8A", "B09", "B11", "B12"),
    }
    directories: ClassVar[dict[str, str]] = {"s1": "BigEarthNet-S1-v1.0", "s2": "BigEarthNet-v1.0"}
    archives: ClassVar[Mapping[str, Resource]] = {
        "s1": Resource("https://zenodo.org/records/12687186/files/BigEarthNet-S1-v1.0.tar.gz",
                       "BigEarthNet-S1-v1.0.tar.gz", md5="94ced73440dea8c7b9645ee738c5a172"),
        "s2": Resource("https://zenodo.org/records/12687186/files/BigEarthNet-S2-v1.0.tar.gz",
                       "BigEarthNet-S2-v1.0.tar.gz", md5="5a64e9ce38deb036a435a7b59494924c"),
    }
    split_files: ClassVar[Mapping[str, Resource]] = {
        split: Resource(f"{_SPLITS}splits/{split}.csv?inline=false", f"bigearthnet-{split}.csv", md5=md5,
                        extract=False)
        for split, md5 in {
            "train": "623e501b38ab7b12fe44f0083c00986d",
            "val": "22efe8ed9cbd71fa10742ff7df2b7978",
            "test": "697fb90677e30571b9ac7699b7e5b432",
        }.items()
    }
    splits: ClassVar[tuple[str, ...]] = tuple(split_files)
    image_size: ClassVar[tuple[int, int]] = (120, 120)

    def __init__(
        self,
        root: str | Path = "data",
        split: str = "train",
        bands: str = "all",
        num_classes: int = 19,
        transforms: Transform | None = None,
        download: bool = False,
        checksum: bool = False,
    ) -> None:
        """Open the ``split`` patches under ``root``, extracting or downloading the archives first if asked.

        Args:
            root: folder holding the extracted archives and the split files.
            split: "train", "val" or "test".
            bands: "s1" (VH, VV), "s2" (12 bands) or "all" (S1 then S2).
            num_classes: 19 or 43.
            transforms: a function applied to every sample.
            download: fetch the archives of the sensors asked (tens of GB each) and the split file when missing.
            checksum: verify archives and split file against their published MD5.

        Raises:
            ValueError: if ``split``, ``bands`` or ``num_classes`` is unknown, or a line of the split file is not
                ``<S2 patch>,<S1 patch>``, naming the file and line.
            DatasetNotFoundError: if the data is missing and ``download`` is False, or the split file lists no patch.
            ChecksumError: if ``checksum`` and a file fails verification.
        """
        self.split = self.check_split(split)
        check_choice("BigEarthNet", "bands", bands, ("s1", "s2", "all"))
        if num_classes not in self.class_sets:
            raise ValueError(f"BigEarthNet: num_classes {num_classes!r} is neither 19 nor 43")
        self.root = Path(root)
        self.bands = bands
        self.num_classes = num_classes
        self.transforms = transforms
        self.sensors = ("s1", "s2") if bands == "all" else (bands,)
        self.classes = self.class_sets[num_classes]
        self.prepare(download, checksum)
        split_file = self.root / self.split_files[split].filename
        self.patches = self._read_split(split_file)
        if not self.patches:
            raise DatasetNotFoundError("BigEarthNet", split_file, (
                "the split file lists no patch: a download cut short? remove it and pass download=True"
            ))

    @staticmethod
    def _read_split(path: Path) -> list[dict[str, str]]:
        patches = []
        for number, line in enumerate(path.read_text(encoding="utf-8-sig").splitlines(), start=1):
            names = [name.strip() for name in line.split(",")]
            if names == [""]:
                continue
            if len(names) != 2 or not all(names):
                raise ValueError(f"BigEarthNet: line {number} of {path} is {line!r}, not '<S2 patch>,<S1 patch>'")
            patches.append(dict(zip(("s2", "s1"), names, strict=True)))
        return patches

    def resources(self) -> list[Resource]:
        """The archives of the sensors asked whose folder is absent, and the split file when absent."""
        absent = [sensor for sensor in self.sensors if not (self.root / self.directories[sensor]).is_dir()]
        missing = [self.archives[sensor] for sensor in absent]
        if not (self.root / self.split_files[self.split].filename).is_file():
            missing.append(self.split_files[self.split])
        return missing

    def is_present(self) -> bool:
        """Whether the folders of the sensors asked and the split file are in ``root``."""
        return not self.resources()

    def __len__(self) -> int:
        """Number of patches in the split."""
        return len(self.patches)

    def __getitem__(self, index: int) -> Sample:
        """The patch at ``index``: float32 (C, 120, 120) bands and an int64 multi-hot ``label``.

        Raises:
            RasterReadError: if a band file cannot be read, naming it.
            FileNotFoundError: if the patch folder holds no label file, or more than one, naming it.
            ValueError: if the label file is not JSON, or names a class that is not one of the 43, naming it.
        """
        patch = self.patches[index]
        layers = [self._read_band(sensor, patch[sensor], band)
                  for sensor in self.sensors for band in self.sensor_bands[sensor]]
        sample: Sample = {"image": torch.from_numpy(np.stack(layers)), "label": self._read_label(patch)}
        if self.transforms is not None:
            sample = self.transforms(sample)
        return sample

    def _read_band(self, sensor: str, patch: str, band: str) -> np.ndarray:
        path = self.root / self.directories[sensor] / patch / f"{patch}_{band}.tif"
        return np.asarray(read_array(path, [1], self.image_size)[0])

    def _read_label(self, patch: dict[str, str]) -> torch.Tensor:
        # The S1 patches carry the labels of their S2 twins, so S1 alone needs no S2 folder.
        sensor = self.sensors[0]
        folder = self.root / self.directories[sensor] / patch[sensor]
        found = chip_files(folder, "*labels_metadata.json")
        if len(found) != 1:
            raise FileNotFoundError(
                f"BigEarthNet: {folder} holds {len(found)} *labels_metadata.json files ({[p.name for p in found]}), "
                "not one: the patch is extracted in part or mixed with another; extract its archive again"
            )
        names = read_json(found[0], "BigEarthNet", ["labels"])["labels"]
        unknown = [name for name in names if name not in self.class_sets[43]]
        if unknown:
            raise ValueError(f"BigEarthNet: {found[0]} names {unknown}, not classes of the 43 CORINE ones")
        indices = [self.class_sets[43].index(name) for name in names]
        if self.num_classes == 19:
            indices = [self.label_converter[i] for i in indices if i in self.label_converter]
        label = torch.zeros(self.num_classes, dtype=torch.int64)
        label[indices] = 1
        return label

    def plot(self, sample: Sample, show_titles: bool = True, suptitle: str | None = None) -> Any:
        """Draw the Sentinel-2 RGB and/or the Sentinel-1 VV band, titled with the labels and predicted labels.

        Args:
            sample: a sample of this dataset, optionally with a multi-hot ``prediction``.
            show_titles: write the labels (and predictions) under the images.
            suptitle: a title over the figure.

        Returns:
            A matplotlib Figure.
        """
        offset = 0
        panels = []
        for sensor in self.sensors:
            bands = self.sensor_bands[sensor]
            shown = ("VV",) if sensor == "s1" else ("B04", "B03", "B02")
            name = "Sentinel-1 VV" if sensor == "s1" else "Sentinel-2 RGB"
            panels.append((name, [offset + bands.index(band) for band in shown]))
            offset += len(bands)
        return plot_chip(sample, self.classes, panels, show_titles, suptitle)
