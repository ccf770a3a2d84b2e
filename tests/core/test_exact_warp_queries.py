"""GeoTorch's bilinear warps at exact positions give a pixel the same bits whichever query of a dataset holds it."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import rasterio
import torch

from geotorch.core import RasterDataset


@pytest.fixture
def float_landsat(real_data: Path, tmp_path: Path) -> Path:
    """The real Landsat subset (UTM 18N) as float32, so that values keep the positions' last bits."""
    with rasterio.open(real_data / "RGB.byte.tif") as source:
        profile = {**source.profile, "dtype": "float32"}
        pixels = source.read().astype("float32")
    with rasterio.open(tmp_path / "landsat_f32.tif", "w", **profile) as copy:
        copy.write(pixels)
    return tmp_path / "landsat_f32.tif"


@pytest.mark.parametrize("res", [299.7, 250.3, 300.6])
def test_queries_on_multiples_of_the_res_share_their_pixels_bit_for_bit(float_landsat: Path, res: float) -> None:
    # Corners at k * res: float arithmetic puts some a few ulps below a multiple, some above, which once
    # counted the grid's pixels from another origin and interpolated them on another lattice.
    dataset = RasterDataset(float_landsat, crs="EPSG:32617", res=res)
    bounds = dataset.bounds
    left = round((bounds.minx + bounds.maxx) / 2 / res) * res
    top = round((bounds.miny + bounds.maxy) / 2 / res) * res
    first = dataset[left : left + 64 * res, top - 64 * res : top]["image"].numpy()
    assert (first != 0).mean() > 0.5, "the queries must hold data"
    for k in range(1, 9):
        moved = dataset[left + k * res : left + (64 + k) * res, top - (64 + k) * res : top - k * res]["image"].numpy()
        np.testing.assert_array_equal(first[:, k:, k:], moved[:, : 64 - k, : 64 - k], err_msg=f"{k} px apart")


class Float64Scenes(RasterDataset):
    """Images of float64 samples, as RasterDataset.dtype's docstring says to keep values float32 would round."""

    @property
    def dtype(self) -> torch.dtype:
        """float64."""
        return torch.float64


def test_a_pixel_beside_missing_ones_in_another_query_keeps_its_bits(real_data: Path, tmp_path: Path) -> None:
    # The real Landsat subset as float64 (nodata 0: its rotated collar), read as float64 (the dtype override the
    # docs give for values float32 would round), UTM 18N onto 17N at 300 m: 16 px queries
    # over the collar's edge and the same queries 8 px further in. Before, every pixel of a run (8192) with one
    # pixel beside missing ones was weighed as that one ('corners * weights', summed) instead of interpolated,
    # so the pixels shared with a query of data alone differed in their last bits (131 of 384 values at one place).
    with rasterio.open(real_data / "RGB.byte.tif") as source:
        profile = {**source.profile, "dtype": "float64"}
        pixels = source.read().astype("float64")
    with rasterio.open(tmp_path / "landsat_f64.tif", "w", **profile) as copy:
        copy.write(pixels)
    res = 300.0
    dataset = Float64Scenes(tmp_path / "landsat_f64.tif", crs="EPSG:32617", res=res)
    bounds = dataset.bounds
    left = round((bounds.minx + 0.05 * (bounds.maxx - bounds.minx)) / res) * res
    mixed = 0
    for down in np.linspace(0.0, 0.9, 10):
        top = round((bounds.maxy - down * (bounds.maxy - bounds.miny)) / res) * res
        edge = dataset[left : left + 16 * res, top - 16 * res : top]["image"].numpy()
        inner = dataset[left + 8 * res : left + 24 * res, top - 16 * res : top]["image"].numpy()
        mixed += int(0 < (edge != 0).any(axis=0).sum() < 256 and (inner != 0).any(axis=0).all())
        np.testing.assert_array_equal(edge[:, :, 8:], inner[:, :, :8], err_msg=f"down {down:.1f}")
    assert mixed, "a query over the collar's edge must share pixels with one of data alone"


def test_nan_nodata_receives_the_pixels_zero_nodata_does(real_data: Path, tmp_path: Path) -> None:
    # The real Landsat subset as float32 twice: its collar at nodata 0, and at NaN (nodata NaN), UTM 18N onto 17N
    # at 300 m, 32 px queries along the collar's western edge. Before, a pixel beside the collar weighed its four
    # pixels with the missing ones' indices pointed at the window's first pixel, times 0: NaN * 0 is NaN where that
    # pixel is in the collar, so the NaN file's pixels beside missing ones were NaN and taken for no data.
    with rasterio.open(real_data / "RGB.byte.tif") as source:
        profile = {**source.profile, "dtype": "float32"}
        pixels = source.read().astype("float32")
    with rasterio.open(tmp_path / "zero.tif", "w", **{**profile, "nodata": 0.0}) as copy:
        copy.write(pixels)
    pixels[:, (pixels == 0).all(axis=0)] = np.nan
    with rasterio.open(tmp_path / "nan.tif", "w", **{**profile, "nodata": float("nan")}) as copy:
        copy.write(pixels)
    res = 300.0
    zero = RasterDataset(tmp_path / "zero.tif", crs="EPSG:32617", res=res)
    nan = RasterDataset(tmp_path / "nan.tif", crs="EPSG:32617", res=res)
    bounds = zero.bounds
    left = round((bounds.minx + 0.02 * (bounds.maxx - bounds.minx)) / res) * res
    beside = 0
    for down in np.linspace(0.1, 0.8, 8):
        top = round((bounds.maxy - down * (bounds.maxy - bounds.miny)) / res) * res
        by_zero = zero[left : left + 32 * res, top - 32 * res : top]["image"].numpy()
        by_nan = nan[left : left + 32 * res, top - 32 * res : top]["image"].numpy()
        received = (by_zero != 0).any(axis=0)
        beside += int(0 < received.sum() < received.size)
        np.testing.assert_array_equal(~np.isnan(by_nan).all(axis=0), received, err_msg=f"down {down:.1f}")
        np.testing.assert_array_equal(by_nan[:, received], by_zero[:, received], err_msg=f"down {down:.1f}")
    assert beside, "the queries must cross the collar's edge"
