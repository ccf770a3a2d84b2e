"""Geospatial products through the whole conformance kit, each with its band, class, year or grid variants.

Imagery (Sentinel-1, Sentinel-2, Landsat 8, NAIP), land cover (Esri 2020, NLCD, CDL, Chesapeake 7-class),
elevation (EU-DEM, ASTER GDEM) and vectors (EuroCrops, Canadian Building Footprints).
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any, ClassVar

import pytest
import torch

from geotorch.core.testing import GeoDatasetConformance
from geotorch.datasets import (
    CDL,
    EUDEM,
    NAIP,
    NLCD,
    AsterGDEM,
    CanadianBuildingFootprints,
    Chesapeake7,
    ChesapeakeVA,
    Esri2020,
    EuroCrops,
    Landsat8,
    Sentinel1,
    Sentinel2,
)
from tests.datasets.fakes.geo import write_landsat_scene, write_sentinel2_safe
from tests.datasets.fakes.products import (
    write_aster_tile,
    write_baywide,
    write_cbf_province,
    write_cdl_year,
    write_chesapeake_lulc,
    write_esri2020_tile,
    write_eudem_tile,
    write_eurocrops_country,
    write_naip_quad,
    write_nlcd_year,
    write_sentinel1_rtc,
)


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


@pytest.fixture(scope="module")
def sentinel1_root(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("sentinel1")
    write_sentinel1_rtc(root)
    return root


class TestSentinel1(GeoDatasetConformance):
    """An RTC product: VV and VH power GeoTIFFs."""

    dataset_class = Sentinel1
    folder_argument = "root"
    variants: ClassVar = [{"bands": ("VV",)}, {"bands": ("VH", "VV")}, {"res": 60.0}]

    @pytest.fixture
    def dataset_kwargs(self, sentinel1_root: Path) -> dict[str, Any]:
        return {"root": sentinel1_root}


@pytest.fixture(scope="module")
def landsat8_root(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("landsat8")
    write_landsat_scene(root, "LC08_L2SP_023032_20230615_20230620_02_T1", (*Landsat8.all_bands, "QA_PIXEL"), 32616,
                        -87.5, 40.0)
    return root


class TestLandsat8(GeoDatasetConformance):
    """A Level-2 scene, one GeoTIFF per band."""

    dataset_class = Landsat8
    folder_argument = "root"
    variants: ClassVar = [{"bands": Landsat8.rgb_bands}, {"bands": ("SR_B5",)}, {"bands": Landsat8.all_bands}]

    @pytest.fixture
    def dataset_kwargs(self, landsat8_root: Path) -> dict[str, Any]:
        return {"root": landsat8_root}


@pytest.fixture(scope="module")
def naip_root(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("naip")
    write_naip_quad(root)
    return root


class TestNAIP(GeoDatasetConformance):
    dataset_class = NAIP
    folder_argument = "root"
    variants: ClassVar = [{"bands": NAIP.rgb_bands}, {"bands": ("NIR", "R", "G")}]

    @pytest.fixture
    def dataset_kwargs(self, naip_root: Path) -> dict[str, Any]:
        return {"root": naip_root}


@pytest.fixture(scope="module")
def nlcd_root(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The same 32 x 32 stripes for 2019 and 2024 (the default year)."""
    root = tmp_path_factory.mktemp("nlcd")
    for year in (2019, 2024):
        write_nlcd_year(root, year)
    return root


class TestNLCD(ClassesVariants):
    dataset_class = NLCD
    folder_argument = "root"
    variants: ClassVar = [{"classes": [82, 11]}, {"classes": [41]}, {"years": [2019]}, {"years": [2019, 2024]}]

    @pytest.fixture
    def dataset_kwargs(self, nlcd_root: Path) -> dict[str, Any]:
        return {"root": nlcd_root, "download": False}


@pytest.fixture(scope="module")
def cdl_root(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The same 32 x 32 stripes for 2022 and 2023 (the default year)."""
    root = tmp_path_factory.mktemp("cdl")
    for year in (2022, 2023):
        write_cdl_year(root, year)
    return root


class TestCDL(ClassesVariants):
    dataset_class = CDL
    folder_argument = "root"
    variants: ClassVar = [{"classes": [0, 24, 1]}, {"classes": [176]}, {"years": [2022]}, {"years": [2022, 2023]}]

    @pytest.fixture
    def dataset_kwargs(self, cdl_root: Path) -> dict[str, Any]:
        return {"root": cdl_root, "download": False}


@pytest.fixture(scope="module")
def chesapeake7_root(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("chesapeake7")
    write_baywide(root)
    return root


class TestChesapeake7(ClassesVariants):
    dataset_class = Chesapeake7
    folder_argument = "root"
    variants: ClassVar = [{"classes": [1, 5]}, {"classes": [7]}]

    @pytest.fixture
    def dataset_kwargs(self, chesapeake7_root: Path) -> dict[str, Any]:
        return {"root": chesapeake7_root, "download": False}


@pytest.fixture(scope="module")
def chesapeake_va_root(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("chesapeake_va")
    write_chesapeake_lulc(root, "va", 2014)
    write_chesapeake_lulc(root, "va", 2018)
    return root


class TestChesapeakeVA(ClassesVariants):
    """A state of the 2022 Edition LULC, read the TorchGeo way: ``paths`` first."""

    dataset_class = ChesapeakeVA
    folder_argument = "paths"
    variants: ClassVar = [{"classes": [41, 11]}, {"classes": [95]}]

    @pytest.fixture
    def dataset_kwargs(self, chesapeake_va_root: Path) -> dict[str, Any]:
        return {"paths": chesapeake_va_root, "download": False}


@pytest.fixture(scope="module")
def eudem_root(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("eudem")
    write_eudem_tile(root)
    return root


class TestEUDEM(GeoDatasetConformance):
    """One float32 tile; elevation has no band, class or split option, and is a float32 mask in metres."""

    dataset_class = EUDEM
    mask_dtype = torch.float32
    folder_argument = "root"

    @pytest.fixture
    def dataset_kwargs(self, eudem_root: Path) -> dict[str, Any]:
        return {"root": eudem_root}


@pytest.fixture(scope="module")
def aster_root(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("aster")
    write_aster_tile(root)
    return root


class TestAsterGDEM(GeoDatasetConformance):
    """One int16 tile and its ``_num.tif`` companion, which is not indexed."""

    dataset_class = AsterGDEM
    folder_argument = "root"

    @pytest.fixture
    def dataset_kwargs(self, aster_root: Path) -> dict[str, Any]:
        return {"root": aster_root}


@pytest.fixture(scope="module")
def cbf_root(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("cbf")
    write_cbf_province(root, "Alberta", -114.0)
    return root


class TestCanadianBuildingFootprints(GeoDatasetConformance):
    """Alberta's buildings alone (the only province expected); building masks have no class or band option."""

    dataset_class = CanadianBuildingFootprints
    folder_argument = "root"

    @pytest.fixture
    def dataset_kwargs(self, cbf_root: Path, monkeypatch: pytest.MonkeyPatch) -> dict[str, Any]:
        monkeypatch.setattr(CanadianBuildingFootprints, "md5s", {"Alberta": ""})
        return {"root": cbf_root}
