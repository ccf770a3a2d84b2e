"""Sentinel-1: terrain-corrected GRD (ASF RTC) GeoTIFFs, one per polarization."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest
import torch

from geotorch.core import DatasetNotFoundError
from geotorch.datasets import Sentinel1
from tests.datasets.fakes.products import write_sentinel1_rtc


def test_vv_and_vh_are_read_as_float_channels(tmp_path: Path) -> None:
    write_sentinel1_rtc(tmp_path)
    dataset = Sentinel1(root=tmp_path)
    sample = dataset[dataset.bounds]
    assert dataset.bands == ("VV", "VH")
    assert sample["image"].shape == (2, 24, 24) and sample["image"].dtype == torch.float32
    assert datetime.fromtimestamp(dataset.bounds.mint, UTC) == datetime(2022, 12, 4, 16, 12, 30, tzinfo=UTC)


def test_hh_hv_products_and_mixing_polarizations(tmp_path: Path) -> None:
    write_sentinel1_rtc(tmp_path, "S1B_EW_20210101T101010_DHP_RTC30_G_gpuned_0A1B", ("HH", "HV"))
    dataset = Sentinel1(root=tmp_path, bands=["HH", "HV"])
    assert dataset[dataset.bounds]["image"].shape == (2, 24, 24)
    with pytest.raises(ValueError, match="mixes"):
        Sentinel1(root=tmp_path, bands=["HH", "VV"])


def test_missing_scenes_say_where_to_get_them(tmp_path: Path) -> None:
    with pytest.raises(DatasetNotFoundError, match=rf"{tmp_path}.*HyP3"):
        Sentinel1(root=tmp_path)


def test_water_masked_products_are_read(tmp_path: Path) -> None:
    write_sentinel1_rtc(tmp_path)
    write_sentinel1_rtc(tmp_path, "S1A_IW_20221216T161229_DVP_RTC30_G_gpwned_2BF0")
    dataset = Sentinel1(root=tmp_path, time_series=True)
    assert len(dataset) == 2, "the water-masked (gpwned) product is one of the scenes"
    assert dataset[dataset.bounds]["image"].shape == (2, 2, 24, 24)


@pytest.mark.parametrize("options", ["gduned", "spuned", "gaufed"])
def test_products_of_two_radiometries_or_scales_are_refused_naming_both(tmp_path: Path, options: str) -> None:
    write_sentinel1_rtc(tmp_path)
    other = f"S1A_IW_20221216T161229_DVP_RTC30_G_{options}_2BF0"
    write_sentinel1_rtc(tmp_path, other)
    with pytest.raises(ValueError, match="not comparable") as error:
        Sentinel1(root=tmp_path)
    assert other in str(error.value) and "gpuned" in str(error.value)
