"""Geospatial products through the whole conformance kit: Sentinel-2 and Esri 2020 rasters, EuroCrops vectors."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any, ClassVar

import pytest

from geotorch.core.testing import GeoDatasetConformance
from geotorch.datasets import Esri2020, EuroCrops, Sentinel2
from tests.datasets.fakes.geo import write_sentinel2_safe
from tests.datasets.fakes.products import write_esri2020_tile, write_eurocrops_country


class ClassesVariants(GeoDatasetConformance):
    """A ``classes`` variant gives masks of 0 (background) and one label per class chosen, nothing else."""

    def check_variant(self, dataset: Any, variant: Mapping[str, Any]) -> None:
        super().check_variant(dataset, variant)
        if "classes" in variant:
            mask = dataset[self.chip(dataset)]["mask"]
            assert set(mask.unique().tolist()) <= set(range(len(variant["classes"]) + 1)), (
                f"{type(dataset).__name__}({variant}) labels {sorted(mask.unique().tolist())}"
            )


@pytest.fixture(scope="module")
def sentinel2_root(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("sentinel2")
    write_sentinel2_safe(root, "L2A")
    return root


class TestSentinel2(GeoDatasetConformance):
    """An L2A SAFE product: bands at 10, 20 and 60 m read onto one grid."""

    dataset_class = Sentinel2
    folder_argument = "root"
    variants: ClassVar = {
        "rgb": {"bands": Sentinel2.rgb_bands},
        "every-resolution": {"bands": ("B02", "B05", "B09")},
        "B8A": {"bands": ("B8A",)},
        "20m": {"bands": ("B04", "B03", "B02"), "res": 20.0},
    }

    @pytest.fixture
    def dataset_kwargs(self, sentinel2_root: Path) -> dict[str, Any]:
        return {"root": sentinel2_root, "bands": ("B04", "B03", "B02", "B8A")}


@pytest.fixture(scope="module")
def esri2020_root(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Two tiles (``{tile}_20200101-20210101.tif``, classes 1-10 in stripes) in two UTM zones."""
    root = tmp_path_factory.mktemp("esri2020")
    for tile, epsg in (("52J", 32752), ("53J", 32753)):
        write_esri2020_tile(root, tile, epsg)
    return root


class TestEsri2020(ClassesVariants):
    dataset_class = Esri2020
    folder_argument = "root"
    variants: ClassVar = [{"classes": [1, 7]}, {"classes": [2]}]

    @pytest.fixture
    def dataset_kwargs(self, esri2020_root: Path) -> dict[str, Any]:
        return {"root": esri2020_root, "download": False}


@pytest.fixture(scope="module")
def eurocrops_root(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Austria's shapefile of three 0.001-degree parcels (wheat, maize, an unlisted code) and ``HCAT2.csv``."""
    root = tmp_path_factory.mktemp("eurocrops")
    write_eurocrops_country(root)
    return root


class TestEuroCrops(ClassesVariants):
    dataset_class = EuroCrops
    folder_argument = "root"
    variants: ClassVar = [{"classes": ["3301010100"]}, {"classes": ["3301010600", "3301010101"]}, {"res": 0.0002}]

    @pytest.fixture
    def dataset_kwargs(self, eurocrops_root: Path, monkeypatch: pytest.MonkeyPatch) -> dict[str, Any]:
        monkeypatch.setattr(EuroCrops, "md5s", {"AT_2021.zip": ""})
        return {"root": eurocrops_root, "res": 0.0001}
