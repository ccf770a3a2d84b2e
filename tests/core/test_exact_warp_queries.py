"""GeoTorch's bilinear warps at exact positions give a pixel the same bits whichever query of a dataset holds it."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import rasterio

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
