"""GDAL's bilinear kernel at exact positions, checked against GDAL's warp of the same arrays."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import rasterio
import rasterio.warp
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


def test_positions_curving_between_lattice_nodes_get_a_finer_lattice_or_none() -> None:
    # Web Mercator pixels of 500 m at 80-81 N under NSIDC polar stereographic pixels of 500 m: 16 and 8 px
    # lattice cells bend by more than 0.01 px somewhere in the footprint, 4 px ones do not; 200 km pixels at
    # 74-81 S under Antarctic polar stereographic ones: not even 2 px cells hold (GDAL's warp then).
    mercator = CRS.from_epsg(3857)
    for crs, res, top, expected in ((CRS.from_epsg(3413), 500.0, 17000000.0, 4),
                                    (CRS.from_epsg(3031), 200000.0, -12000000.0, None)):
        file_transform = Affine(res, 0, 0, 0, -res, top)
        footprint = rasterio.warp.transform_bounds(mercator, crs, 0, top - 100 * res, 100 * res, top)
        target = Grid(crs, Affine(res, 0, 0, 0, -res, 0), 10, 10)
        pipeline = Transformer.from_crs(mercator, crs, always_xy=True).to_proj4()
        where = placement(pipeline, mercator, file_transform, target)
        assert where is not None
        assert lattice_step(where, target, lambda bounds=footprint: bounds) == expected
    # Asked for 4 px cells under a grid over 20 km Mercator pixels at 83 N, where they bend by 0.4 px (midway
    # along a cell's edge; 0.001 px at its centre), each pixel is transformed exactly instead: within 0.01 px.
    crs, res = CRS.from_epsg(3413), 20000.0
    file_transform = Affine(res, 0, 0, 0, -res, 19000000.0)
    x, y = Transformer.from_crs(mercator, crs, always_xy=True).transform(1000000.0, 18000000.0)
    target = Grid(crs, Affine(res, 0, round(x / res) * res, 0, -res, round(y / res) * res), 30, 30)
    where = placement(Transformer.from_crs(mercator, crs, always_xy=True).to_proj4(), mercator, file_transform, target)
    assert where is not None
    cols, rows = source_positions(where, target, 4)
    grid_cols, grid_rows = np.meshgrid(np.arange(30) + 0.5, np.arange(30) + 0.5)
    x, y = Transformer.from_crs(crs, mercator, always_xy=True).transform(*(target.transform * (grid_cols, grid_rows)))
    exact_cols, exact_rows = ~file_transform * (x, y)
    assert max(np.abs(cols - exact_cols).max(), np.abs(rows - exact_rows).max()) < 0.01
