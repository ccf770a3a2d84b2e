"""Dense benchmarks (LoveDA segmentation, LEVIR-CD change detection) through the whole conformance kit."""

from __future__ import annotations

from pathlib import Path
from typing import Any, ClassVar

import numpy as np
import pytest
from dense_fakes import labels, rgb, write_raster

from geotorch.core.testing import NonGeoDatasetConformance
from geotorch.datasets import LEVIRCD, LoveDA

SIZE = 16


def write_loveda(root: Path) -> Path:
    """One PNG chip per scene and split (``<Split>/<Scene>/images_png/<n>.png``), masks except for Test."""
    for split in ("Train", "Val", "Test"):
        for scene, number in (("Urban", 10), ("Rural", 20)):
            write_raster(root / split / scene / "images_png" / f"{number}.png", rgb(SIZE))
            if split != "Test":
                write_raster(root / split / scene / "masks_png" / f"{number}.png", labels(SIZE, range(8)))
    return root


@pytest.fixture(scope="module")
def loveda_root(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_loveda(tmp_path_factory.mktemp("loveda"))


class TestLoveDA(NonGeoDatasetConformance):
    dataset_class = LoveDA
    variants: ClassVar = [
        *({"split": split} for split in ("train", "val", "test")),
        {"scene": ("urban",)}, {"scene": ("rural",)}, {"split": "test", "scene": ("rural",)},
    ]

    @pytest.fixture
    def dataset_kwargs(self, loveda_root: Path) -> dict[str, Any]:
        return {"root": loveda_root, "download": False}


def write_levircd(root: Path) -> Path:
    """RGB PNG pairs ``<split>_<n>.png`` in ``A/`` and ``B/``, change labels of 0 and 255 in ``label/``."""
    for split, count in (("train", 2), ("val", 1), ("test", 1)):
        for number in range(1, count + 1):
            name = f"{split}_{number}.png"
            write_raster(root / "A" / name, rgb(SIZE))
            write_raster(root / "B" / name, rgb(SIZE))
            change = np.zeros((1, SIZE, SIZE), "uint8")
            change[:, :number] = 255
            write_raster(root / "label" / name, change)
    return root


@pytest.fixture(scope="module")
def levircd_root(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_levircd(tmp_path_factory.mktemp("levircd"))


class TestLEVIRCD(NonGeoDatasetConformance):
    """Samples stack both dates: the image is (2, 3, H, W)."""

    dataset_class = LEVIRCD
    image_ndim = 4
    variants: ClassVar = [{"split": split} for split in ("train", "val", "test")]

    @pytest.fixture
    def dataset_kwargs(self, levircd_root: Path) -> dict[str, Any]:
        return {"root": levircd_root}
