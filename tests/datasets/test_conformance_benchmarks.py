"""Classification benchmarks through the whole conformance kit, splits, band sets and label sets included.

EuroSAT, So2Sat, BigEarthNet, UC Merced, RESISC45 and PatternNet (which has no split: no variant).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, ClassVar

import pytest

from geotorch.core.testing import NonGeoDatasetConformance
from geotorch.datasets import RESISC45, BigEarthNet, EuroSAT, PatternNet, So2Sat, UCMerced
from tests.datasets.fakes.classification import (
    make_bigearthnet,
    make_eurosat,
    make_patternnet,
    make_resisc45,
    make_ucmerced,
    write_so2sat,
)


@pytest.fixture(scope="module")
def eurosat_root(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return make_eurosat(tmp_path_factory.mktemp("eurosat"))


class TestEuroSAT(NonGeoDatasetConformance):
    dataset_class = EuroSAT
    variants: ClassVar = [
        {"split": "train"}, {"split": "val"}, {"split": "test"},
        {"bands": EuroSAT.rgb_bands}, {"bands": ("B8A",)}, {"split": "val", "bands": ("B01", "B12")},
        {"split": "test", "bands": EuroSAT.rgb_bands},
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


@pytest.fixture(scope="module")
def bigearthnet_root(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return make_bigearthnet(tmp_path_factory.mktemp("bigearthnet"))


class TestBigEarthNet(NonGeoDatasetConformance):
    """Every check on each band set (S1 alone, S2 alone, both): each reads and plots its own way."""

    dataset_class = BigEarthNet
    variants: ClassVar = [{"split": "val"}, {"split": "test"}, {"num_classes": 19}]

    @pytest.fixture(params=["s1", "s2", "all"])
    def dataset_kwargs(self, bigearthnet_root: Path, request: pytest.FixtureRequest) -> dict[str, Any]:
        return {"root": bigearthnet_root, "bands": request.param, "num_classes": 43}


@pytest.fixture(scope="module")
def ucmerced_root(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return make_ucmerced(tmp_path_factory.mktemp("ucmerced"))


class TestUCMerced(NonGeoDatasetConformance):
    """Chips of odd sizes included (resampled to 256 x 256)."""

    dataset_class = UCMerced
    variants: ClassVar = [{"split": split} for split in ("val", "test")]

    @pytest.fixture
    def dataset_kwargs(self, ucmerced_root: Path) -> dict[str, Any]:
        return {"root": ucmerced_root, "split": "train"}


@pytest.fixture(scope="module")
def resisc45_root(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return make_resisc45(tmp_path_factory.mktemp("resisc45"))


class TestRESISC45(NonGeoDatasetConformance):
    dataset_class = RESISC45
    variants: ClassVar = [{"split": split} for split in ("train", "test")]

    @pytest.fixture
    def dataset_kwargs(self, resisc45_root: Path) -> dict[str, Any]:
        return {"root": resisc45_root, "split": "val"}


@pytest.fixture(scope="module")
def patternnet_root(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return make_patternnet(tmp_path_factory.mktemp("patternnet"))


class TestPatternNet(NonGeoDatasetConformance):
    """PatternNet publishes no split and no band option: it declares no variant."""

    dataset_class = PatternNet

    @pytest.fixture
    def dataset_kwargs(self, patternnet_root: Path) -> dict[str, Any]:
        return {"root": patternnet_root}
