"""Sentinel-1: terrain-corrected GRD (ASF RTC) GeoTIFFs, one per polarization."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import numpy as np
import pytest
import torch

from geotorch.core import DatasetNotFoundError
from geotorch.core.testing import GeoDatasetConformance
from geotorch.datasets import Sentinel1
from tests.datasets.fakes.geo import write_raster

PRODUCT = "S1A_IW_20221204T161230_DVP_RTC30_G_gpuned_1AE1"


def write_rtc(root: Path, product: str = PRODUCT, bands: tuple[str, ...] = ("VV", "VH")) -> Path:
    """Write an RTC product folder with one float32 power GeoTIFF per polarization (30 m, EPSG:32618)."""
    rng = np.random.default_rng(0)
    for band in bands:
        data = rng.uniform(0.01, 0.5, size=(24, 24)).astype("float32")
        write_raster(root / product / f"{product}_{band}.tif", data, 32618, 400000.0, 4500000.0, 30.0, nodata=0)
    (root / product / f"{product}_ls_map.tif").write_bytes(b"")
    return root / product


class TestSentinel1Conformance(GeoDatasetConformance):
    @pytest.fixture
    def dataset(self, tmp_path: Path) -> Sentinel1:
        write_rtc(tmp_path)
        return Sentinel1(root=tmp_path)


def test_vv_and_vh_are_read_as_float_channels(tmp_path: Path) -> None:
    write_rtc(tmp_path)
    dataset = Sentinel1(root=tmp_path)
    sample = dataset[dataset.bounds]
    assert dataset.bands == ("VV", "VH")
    assert sample["image"].shape == (2, 24, 24) and sample["image"].dtype == torch.float32
    assert datetime.fromtimestamp(dataset.bounds.mint, UTC) == datetime(2022, 12, 4, 16, 12, 30, tzinfo=UTC)


def test_hh_hv_products_and_mixing_polarizations(tmp_path: Path) -> None:
    write_rtc(tmp_path, "S1B_EW_20210101T101010_DHP_RTC30_G_gpuned_0A1B", ("HH", "HV"))
    dataset = Sentinel1(root=tmp_path, bands=["HH", "HV"])
    assert dataset[dataset.bounds]["image"].shape == (2, 24, 24)
    with pytest.raises(ValueError, match="mixes"):
        Sentinel1(root=tmp_path, bands=["HH", "VV"])


def test_missing_scenes_say_where_to_get_them(tmp_path: Path) -> None:
    with pytest.raises(DatasetNotFoundError, match=rf"{tmp_path}.*HyP3"):
        Sentinel1(root=tmp_path)
