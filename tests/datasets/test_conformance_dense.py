"""Dense benchmarks (LoveDA segmentation, LEVIR-CD change detection) through the whole conformance kit."""

from __future__ import annotations

from pathlib import Path
from typing import Any, ClassVar

import pytest

from geotorch.core.testing import NonGeoDatasetConformance
from geotorch.datasets import LEVIRCD, LoveDA
from tests.datasets.fakes.change import make_levircd
from tests.datasets.fakes.segmentation import make_loveda


@pytest.fixture(scope="module")
def loveda_root(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return make_loveda(tmp_path_factory.mktemp("loveda"))


class TestLoveDA(NonGeoDatasetConformance):
    dataset_class = LoveDA
    variants: ClassVar = [
        *({"split": split} for split in ("train", "val", "test")),
        {"scene": ("urban",)}, {"scene": ("rural",)}, {"split": "test", "scene": ("rural",)},
    ]

    @pytest.fixture
    def dataset_kwargs(self, loveda_root: Path) -> dict[str, Any]:
        return {"root": loveda_root, "download": False}


@pytest.fixture(scope="module")
def levircd_root(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return make_levircd(tmp_path_factory.mktemp("levircd"))


class TestLEVIRCD(NonGeoDatasetConformance):
    """Samples stack both dates: the image is (2, 3, H, W)."""

    dataset_class = LEVIRCD
    image_ndim = 4
    variants: ClassVar = [{"split": split} for split in ("train", "val", "test")]

    @pytest.fixture
    def dataset_kwargs(self, levircd_root: Path) -> dict[str, Any]:
        return {"root": levircd_root}
