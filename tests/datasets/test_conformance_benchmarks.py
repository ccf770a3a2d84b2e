"""Classification benchmarks (EuroSAT, So2Sat) through the whole conformance kit, splits and band sets included."""

from __future__ import annotations

from pathlib import Path
from typing import Any, ClassVar

import pytest

from geotorch.core.testing import NonGeoDatasetConformance
from geotorch.datasets import EuroSAT, So2Sat
from tests.datasets.fakes.classification import make_eurosat, write_so2sat


@pytest.fixture(scope="module")
def eurosat_root(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return make_eurosat(tmp_path_factory.mktemp("eurosat"))


class TestEuroSAT(NonGeoDatasetConformance):
    dataset_class = EuroSAT
    variants: ClassVar = [
        {"split": "train"}, {"split": "val"}, {"split": "test"},
        {"bands": EuroSAT.rgb_bands}, {"bands": ("B8A",)}, {"split": "val", "bands": ("B01", "B12")},
    ]

    @pytest.fixture
    def dataset_kwargs(self, eurosat_root: Path) -> dict[str, Any]:
        return {"root": eurosat_root, "download": False}


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
