"""Classification benchmarks (EuroSAT, So2Sat) through the whole conformance kit, splits and band sets included."""

from __future__ import annotations

from pathlib import Path
from typing import Any, ClassVar

import h5py
import numpy as np
import pytest
from benchmark_fakes import write_class_folders, write_split_file

from geotorch.core.testing import NonGeoDatasetConformance
from geotorch.datasets import EuroSAT, So2Sat


def write_eurosat(root: Path) -> Path:
    """Two 13-band uint16 chips per class, ``<Class>_<n>.tif``; the split files list their ``.jpg`` names."""
    names = [(name, f"{name}_{n}.tif") for name in EuroSAT.classes for n in (1, 2)]
    write_class_folders(root, EuroSAT.images_folder, names, bands=13, size=8, dtype="uint16", georeferenced=True)
    write_split_file(root / "eurosat-train.txt", [f"{name}_1.jpg" for name in EuroSAT.classes])
    write_split_file(root / "eurosat-val.txt", [f"{name}_2.jpg" for name in EuroSAT.classes[:3]])
    write_split_file(root / "eurosat-test.txt", [f"{name}_2.jpg" for name in EuroSAT.classes[3:]])
    return root


@pytest.fixture(scope="module")
def eurosat_root(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_eurosat(tmp_path_factory.mktemp("eurosat"))


class TestEuroSAT(NonGeoDatasetConformance):
    dataset_class = EuroSAT
    variants: ClassVar = [
        {"split": "train"}, {"split": "val"}, {"split": "test"},
        {"bands": EuroSAT.rgb_bands}, {"bands": ("B8A",)}, {"split": "val", "bands": ("B01", "B12")},
    ]

    @pytest.fixture
    def dataset_kwargs(self, eurosat_root: Path) -> dict[str, Any]:
        return {"root": eurosat_root, "download": False}


def write_so2sat(path: Path, chips: int = 3) -> Path:
    """An HDF5 split in So2Sat's layout: sen1 (N, 32, 32, 8), sen2 (N, 32, 32, 10) float64, one-hot label (N, 17)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng(0)
    with h5py.File(path, "w") as file:
        file["sen1"] = rng.normal(0, 0.5, (chips, 32, 32, 8))
        file["sen2"] = rng.uniform(0, 1, (chips, 32, 32, 10))
        file["label"] = np.eye(17)[np.arange(chips)]
    return path


@pytest.fixture(scope="module")
def so2sat_root(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Every file of versions 2 and 3 (random)."""
    root = tmp_path_factory.mktemp("so2sat")
    for version in ("2", "3_random"):
        for name in So2Sat.filenames_by_version[version].values():
            write_so2sat(root / name)
    return root


class TestSo2Sat(NonGeoDatasetConformance):
    dataset_class = So2Sat
    variants: ClassVar = {
        **{f"{version}-{split}": {"version": version, "split": split}
           for version in ("2", "3_random") for split in So2Sat.filenames_by_version[version]},
        **{f"bands={name}": {"bands": bands} for name, bands in So2Sat.BAND_SETS.items()},
        "bands=S2_B04,S1_B5": {"bands": ("S2_B04", "S1_B5")},
    }

    @pytest.fixture
    def dataset_kwargs(self, so2sat_root: Path) -> dict[str, Any]:
        return {"root": so2sat_root}
