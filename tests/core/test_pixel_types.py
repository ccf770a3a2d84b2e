"""Pixel types: every value reaches the sample as itself, or the read fails saying why; no silent cast."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import rasterio
from rasters import grid, write_raster  # type: ignore[import-not-found]

from geotorch.core import RasterDataset

LEFT, TOP = 600000.0, 4000000.0


class Mask(RasterDataset):
    is_image = False


@pytest.mark.parametrize("dtype", ["complex64", "complex128", "complex_int16"])
@pytest.mark.parametrize("is_image", [True, False])
def test_complex_rasters_are_refused_naming_the_file(tmp_path: Path, dtype: str, is_image: bool) -> None:
    write_raster(tmp_path / "a_real.tif", np.ones((1, 4, 4), "float32"), "EPSG:32616", grid(LEFT, TOP))
    numpy_type = "complex64" if dtype == "complex_int16" else dtype
    array = (np.arange(16).reshape(1, 4, 4) + 1j * np.arange(16).reshape(1, 4, 4)).astype(numpy_type)
    path = tmp_path / "b_slc.tif"
    with rasterio.open(path, "w", driver="GTiff", count=1, height=4, width=4, dtype=dtype, crs="EPSG:32616",
                       transform=grid(LEFT + 120, TOP)) as destination:
        destination.write(array)
    kind = RasterDataset if is_image else Mask
    with pytest.raises(ValueError, match=r"b_slc\.tif holds complex pixels .*complex data is not supported"):
        kind(tmp_path)


def test_masks_of_files_with_different_types_keep_every_value(tmp_path: Path) -> None:
    # The first file is uint8; a uint16 class 300 in the second must not wrap to 44.
    write_raster(tmp_path / "a.tif", np.full((1, 4, 4), 7, "uint8"), "EPSG:32616", grid(LEFT, TOP))
    write_raster(tmp_path / "b.tif", np.full((1, 4, 4), 300, "uint16"), "EPSG:32616", grid(LEFT + 120, TOP))
    write_raster(tmp_path / "c.tif", np.full((1, 4, 4), -5, "int16"), "EPSG:32616", grid(LEFT + 240, TOP))
    mask = Mask(tmp_path)[LEFT : LEFT + 360, TOP - 120 : TOP]["mask"].numpy()
    assert (mask[:, :4] == 7).all() and (mask[:, 4:8] == 300).all() and (mask[:, 8:] == -5).all()


def test_images_of_files_with_different_types_keep_every_value(tmp_path: Path) -> None:
    # The first file is int32; the second's 1000.25 must not be truncated to 1000.
    write_raster(tmp_path / "a.tif", np.full((1, 4, 4), 7, "int32"), "EPSG:32616", grid(LEFT, TOP))
    write_raster(tmp_path / "b.tif", np.full((1, 4, 4), 1000.25, "float32"), "EPSG:32616", grid(LEFT + 120, TOP))
    image = RasterDataset(tmp_path)[LEFT : LEFT + 240, TOP - 120 : TOP]["image"].numpy()
    assert (image[0, :, :4] == 7).all() and (image[0, :, 4:] == 1000.25).all()


@pytest.mark.parametrize(
    ("dtype", "value"),
    [("float32", 2.5), ("float64", np.inf), ("float32", 3e19), ("uint64", 2**63 + 5)],
)
def test_mask_values_int64_cannot_hold_are_refused(tmp_path: Path, dtype: str, value: float) -> None:
    array = np.full((1, 4, 4), 3, dtype)
    array[0, 1, 1] = value
    write_raster(tmp_path / "classes.tif", array, "EPSG:32616", grid(LEFT, TOP))
    dataset = Mask(tmp_path)
    with pytest.raises(ValueError, match=r"mask value .* read from .*classes\.tif.* is not an integer class id"):
        dataset[dataset.bounds]


def test_integral_float_masks_are_read_exactly(tmp_path: Path) -> None:
    array = np.full((1, 4, 4), 12.0, "float32")
    array[0, 0, 0] = -3.0
    write_raster(tmp_path / "classes.tif", array, "EPSG:32616", grid(LEFT, TOP))
    mask = Mask(tmp_path)[LEFT : LEFT + 120, TOP - 120 : TOP]["mask"].numpy()
    assert mask[0, 0] == -3 and (mask.ravel()[1:] == 12).all()
