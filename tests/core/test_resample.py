"""GDAL's bilinear kernel at exact positions, checked against GDAL's warp of the same arrays."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import rasterio
from affine import Affine
from pyproj import Transformer
from rasterio.crs import CRS
from rasterio.enums import Resampling
from rasterio.warp import reproject

from geotorch.core.grid import Grid
from geotorch.core.resample import valid_source, warp_bilinear
from geotorch.core.warp_positions import lattice_step, placement, source_positions

UTM16 = CRS.from_epsg(32616)


def _gdal(pixels: np.ndarray, transform: Affine, crs: CRS, target: Grid, nodata: float | None) -> np.ndarray:
    out = np.full((len(pixels), target.height, target.width), 0, dtype=pixels.dtype)
    reproject(pixels, out, src_transform=transform, src_crs=crs, src_nodata=nodata, dst_transform=target.transform,
              dst_crs=target.crs, dst_nodata=0, resampling=Resampling.bilinear, XSCALE=1, YSCALE=1)
    return out


def _ours(pixels: np.ndarray, transform: Affine, crs: CRS, target: Grid, nodata: float | None) -> np.ndarray:
    where = placement(None, crs, transform, target)
    assert where is not None
    cols, rows = source_positions(where, target, 16)
    # GDAL moves a valid value off the destination nodata only where the source has a nodata value too.
    out, received = warp_bilinear(pixels, valid_source(pixels, nodata, None), cols, rows, pixels.dtype, 0,
                                  avoid_fill=nodata is not None)
    if nodata is not None:
        np.testing.assert_array_equal(received, (out != 0).any(axis=0))
    return out


@pytest.mark.parametrize(("shift_x", "shift_y"), [(0.5, 0.5), (0.25, 0.75), (-0.375, 0.125), (3.5, -2.25)])
def test_a_shifted_grid_gets_gdals_pixels_bit_for_bit(shift_x: float, shift_y: float) -> None:
    # Within one CRS both place pixel centres exactly: GDAL's kernel, edges, nodata and rounding are all that
    # is left. Quarter shifts give values k/16: ties, which GDAL rounds half up.
    rng = np.random.default_rng(7)
    pixels = rng.integers(1, 60000, (3, 40, 36)).astype("uint16")
    pixels[:, 10:14, 20:23] = 0  # nodata in every band: left out of every kernel
    pixels[0, 30, 5] = 0  # one band alone at nodata: a value, as GDAL's unified nodata takes it
    pixels[:, 0, :] = 0  # a nodata edge along the first row
    transform = Affine(30, 0, 500000, 0, -30, 4000000)
    target = Grid(UTM16, transform * Affine.translation(shift_x, shift_y), 40, 36)
    for nodata in (0, None):
        np.testing.assert_array_equal(_ours(pixels, transform, UTM16, target, nodata),
                                      _gdal(pixels, transform, UTM16, target, nodata))


def test_positions_are_exact_and_a_pixel_gets_the_same_whichever_grid_holds_it(real_data: Path) -> None:
    # The real Landsat subset's grid (UTM 18N) under UTM 17N grids of 300 m: one PROJ pipeline between them.
    with rasterio.open(real_data / "RGB.byte.tif") as source:
        file_crs, file_transform = source.crs, source.transform
    utm17 = CRS.from_epsg(32617)
    pipeline = Transformer.from_crs(file_crs, utm17, always_xy=True).to_proj4()
    first = Grid(utm17, Affine(300, 0, 780000, 0, -300, 2760000), 70, 90)
    second = Grid(utm17, first.transform * Affine.translation(13, 29), 70, 90)
    where = placement(pipeline, file_crs, file_transform, first)
    assert where is not None
    step = lattice_step(where, first, lambda: (760000.0, 2600000.0, 1000000.0, 2830000.0))
    assert step == 16
    one, two = source_positions(where, first, step), source_positions(where, second, step)
    for axis in (0, 1):
        np.testing.assert_array_equal(one[axis][29:, 13:], two[axis][:41, :77])
    cols, rows = np.meshgrid(np.arange(90) + 0.5, np.arange(70) + 0.5)
    x, y = Transformer.from_crs(utm17, file_crs, always_xy=True).transform(*(first.transform * (cols, rows)))
    exact_cols, exact_rows = ~file_transform * (x, y)
    assert np.abs(one[0] - exact_cols).max() < 0.01
    assert np.abs(one[1] - exact_rows).max() < 0.01


def test_geographic_crss_are_left_to_gdal() -> None:
    target = Grid(CRS.from_epsg(4326), Affine(0.01, 0, -80, 0, -0.01, 25), 8, 8)
    assert placement(None, UTM16, Affine(30, 0, 500000, 0, -30, 4000000), target) is None
    assert placement(None, CRS.from_epsg(4326), target.transform, Grid(UTM16, target.transform, 8, 8)) is None
