"""Nearest warps between projected CRSs: the file's pixel under each exact centre, whichever query asks."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import rasterio
import rasterio.warp
from affine import Affine
from rasterio.crs import CRS
from rasterio.enums import Resampling
from rasterio.io import DatasetReader
from rasterio.warp import reproject

from geotorch.core.grid import Grid
from geotorch.core.nearest import warp_nearest
from geotorch.core.resample import valid_source
from geotorch.core.warp import prepare_warp, warp_geometry, warp_onto_grid, warp_prepared
from tests.core.gdal_warps import assert_like_gdals_nearest, exact_nearest

ALBERS = CRS.from_epsg(5070)
UTM16 = CRS.from_epsg(32616)


@pytest.fixture
def labels(real_data: Path, tmp_path: Path) -> Path:
    """Classes 1-7 of the real Landsat subset's first band (its collar nodata 0), placed in UTM 16N (Tennessee)."""
    with rasterio.open(real_data / "RGB.byte.tif") as source:
        band = source.read(1)
        res = source.res[0]
    classes = np.where(band == 0, 0, band // 40 + 1).astype("uint8")
    profile = {"driver": "GTiff", "count": 1, "height": band.shape[0], "width": band.shape[1], "dtype": "uint8",
               "crs": UTM16, "transform": Affine(res, 0, 600000.0, 0, -res, 4000000.0), "nodata": 0,
               "tiled": True, "compress": "lzw"}
    path = tmp_path / "labels.tif"
    with rasterio.open(path, "w", **profile) as written:
        written.write(classes, 1)
    return path


def _grid_over(source: DatasetReader, crs: CRS, res: float, across: float, down: float, size: int) -> Grid:
    """A ``size`` px grid of ``crs`` at ``res``, its corner at fractions ``across``, ``down`` of the file's extent."""
    left, bottom, right, top = rasterio.warp.transform_bounds(source.crs, crs, *source.bounds)
    x, y = left + across * (right - left), top - down * (top - bottom)
    return Grid(crs, Affine(res, 0, round(x / res) * res, 0, -res, round(y / res) * res), size, size)


def _gdals(source: DatasetReader, target: Grid, fill: float) -> np.ndarray:
    """GDAL's own nearest warp of the whole file (approximate positions)."""
    out = np.full((source.count, target.height, target.width), fill, dtype=source.dtypes[0])
    reproject(rasterio.band(source, list(range(1, source.count + 1))), out, src_nodata=source.nodata,
              dst_transform=target.transform, dst_crs=target.crs, dst_nodata=fill, resampling=Resampling.nearest)
    return out


def _computed_by_geotorch(source: DatasetReader, target: Grid) -> bool:
    geometry = warp_geometry(source, target, Resampling.nearest)
    return geometry is not None and geometry.exact is not None


@pytest.mark.parametrize(("res", "across", "down", "size"), [(300.0, 0.2, 0.15, 512), (300.0, 0.5, -0.1, 256),
                                                             (1000.0, -0.1, 0.3, 160)])
def test_labels_take_the_class_under_each_exact_centre(
    labels: Path, res: float, across: float, down: float, size: int
) -> None:
    # UTM 16N onto Albers: at 300 m GDAL's approximate positions cross source pixel edges at some pixels; at
    # 1000 m (kernel scale 0.3) GDAL's nearest still takes the pixel under the centre, as GeoTorch does.
    with rasterio.open(labels) as source:
        target = _grid_over(source, ALBERS, res, across, down, size)
        assert _computed_by_geotorch(source, target)
        ours, received = warp_onto_grid(source, [1], target, Resampling.nearest, 0, np.dtype("uint8"))
        differ = assert_like_gdals_nearest(ours, received, _gdals(source, target, 0), source, target, 0)
    assert received.any() and not received.all(), "the query must reach past the collar or the file"
    assert differ <= 0.02 * received.size


def test_where_gdal_differs_its_positions_cross_an_edge_the_exact_ones_do_not(labels: Path) -> None:
    with rasterio.open(labels) as source:
        target = _grid_over(source, ALBERS, 300.0, 0.2, 0.15, 512)
        ours, _ = warp_onto_grid(source, [1], target, Resampling.nearest, 0, np.dtype("uint8"))
        exact, _, edge = exact_nearest(source, target, 0)
        gdals = _gdals(source, target, 0)
    differ = (ours != gdals)[0]
    # 3340 pixels of 262144 (1.3 %), all at centres within 0.125 px (GDAL's error) of an edge; each the exact class.
    assert 0 < differ.sum() < 0.02 * differ.size
    # GDAL's error reaches 0.06 px here; GeoTorch's 0.01 px at most: past it, each differing pixel is the exact class.
    assert (edge[differ] < 0.125).all()
    assert (differ & (edge > 0.01)).sum() > 100
    np.testing.assert_array_equal(ours[:, differ & (edge > 0.01)], exact[:, differ & (edge > 0.01)])


@pytest.mark.parametrize("dtype", ["uint8", "int64"])
def test_overlapping_queries_share_their_pixels_bit_for_bit(labels: Path, tmp_path: Path, dtype: str) -> None:
    with rasterio.open(labels) as source:
        classes, profile = source.read(1).astype(dtype), source.profile
    if dtype == "int64":
        classes[classes > 0] += 2**60  # ids past 2**53, which GDAL's float64 kernels round
    profile.update(dtype=dtype)
    with rasterio.open(tmp_path / "ids.tif", "w", **profile) as written:
        written.write(classes, 1)
    with rasterio.open(tmp_path / "ids.tif") as source:
        first = _grid_over(source, ALBERS, 300.0, 0.3, 0.2, 300)
        second = Grid(ALBERS, first.transform * Affine.translation(37, 53), 300, 300)
        assert _computed_by_geotorch(source, first)
        one, one_received = warp_onto_grid(source, [1], first, Resampling.nearest, 0, np.dtype(dtype))
        two, two_received = warp_onto_grid(source, [1], second, Resampling.nearest, 0, np.dtype(dtype))
        exact, _, edge = exact_nearest(source, first, 0)
    np.testing.assert_array_equal(one[:, 53:, 37:], two[:, :247, :263])
    np.testing.assert_array_equal(one_received[53:, 37:], two_received[:247, :263])
    settled = edge > 0.01
    np.testing.assert_array_equal(one[:, settled], exact[:, settled])


def test_nodata_masked_and_outside_pixels_are_left_as_gdals_nearest_leaves_them(tmp_path: Path) -> None:
    # No nodata value (the fill 0 may be a class): a per-dataset mask hides a block; the query crosses the file's
    # edge. GDAL's warp (told the mask, an alpha band telling fill from class 0) and GeoTorch receive alike.
    rows, cols = np.mgrid[0:180, 0:200]
    classes = ((rows // 7 + cols // 5) % 6).astype("uint8")
    path = tmp_path / "masked.tif"
    profile = {"driver": "GTiff", "count": 1, "height": 180, "width": 200, "dtype": "uint8", "crs": UTM16,
               "transform": Affine(30, 0, 731780.0, 0, -30, 3895700.0)}
    with rasterio.Env(GDAL_TIFF_INTERNAL_MASK=True), rasterio.open(path, "w", **profile) as written:
        written.write(classes, 1)
        mask = np.full((180, 200), 255, dtype="uint8")
        mask[60:110, 80:130] = 0
        written.write_mask(mask)
    with rasterio.open(path) as source:
        for across, down in ((0.3, 0.25), (-0.2, 0.6)):
            target = _grid_over(source, ALBERS, 30.0, across, down, 96)
            assert _computed_by_geotorch(source, target)
            prepared = prepare_warp(source, [1], target, Resampling.nearest, 0)
            assert prepared is not None and prepared.with_alpha
            ours, received = warp_prepared(prepared, target, 0, np.dtype("uint8"))
            gdals, gdal_received = warp_prepared(prepared._replace(exact=None), target, 0, np.dtype("uint8"))
            assert_like_gdals_nearest(ours, received, gdals, source, target, 0)
            _, _, edge = exact_nearest(source, target, 0)
            np.testing.assert_array_equal(received[edge > 0.125], gdal_received[edge > 0.125])
            assert received.any() and not received.all()
            assert (ours[:, received] == 0).any(), "class 0 must be received, told from the fill"


@pytest.mark.parametrize(("nodata", "dtype"), [(float("nan"), "float32"), (-9999.0, "int16")])
def test_two_band_nodata_is_unified_as_in_gdals_nearest(tmp_path: Path, nodata: float, dtype: str) -> None:
    # A band alone at nodata is a value (NaN beside a number too), kept as it is (GDAL's nearest moves no value off
    # the fill, where its bilinear does); both at nodata leave the pixel to the fill.
    rows, cols = np.mgrid[0:120, 0:140]
    bands = np.stack([rows * 3 + cols, rows - cols]).astype(dtype)
    bands[0, (rows + cols) % 9 == 0] = nodata
    bands[1, (rows * cols) % 7 == 0] = nodata
    bands[:, :30, :40] = nodata
    path = tmp_path / "two.tif"
    with rasterio.open(path, "w", driver="GTiff", count=2, height=120, width=140, dtype=dtype, crs=UTM16,
                       transform=Affine(30, 0, 731780.0, 0, -30, 3895700.0), nodata=nodata) as written:
        written.write(bands)
    with rasterio.open(path) as source:
        target = _grid_over(source, ALBERS, 30.0, 0.05, 0.05, 80)
        assert _computed_by_geotorch(source, target)
        ours, received = warp_onto_grid(source, [1, 2], target, Resampling.nearest, nodata, np.dtype(dtype))
        gdals = _gdals(source, target, nodata)
        exact, exact_received, edge = exact_nearest(source, target, nodata)
    assert received.any() and not received.all()
    settled = edge > 0.125
    np.testing.assert_array_equal(ours[:, settled], gdals[:, settled])
    np.testing.assert_array_equal(ours[:, edge > 0.01], exact[:, edge > 0.01])
    np.testing.assert_array_equal(received[edge > 0.01], exact_received[edge > 0.01])


def test_the_kernel_is_gdals_nearest_bit_for_bit_where_both_place_centres_exactly() -> None:
    # Within one CRS GDAL's positions are exact: shifted grids test the edges (a half-pixel shift puts centres on
    # them), nodata, and conversion to another type (float32 into uint8: rounded half up, clamped) alike; a value
    # rounded to the fill 200 stays 200 and reads as no data, as GDAL's warp reports it.
    rng = np.random.default_rng(3)
    pixels = rng.uniform(-20, 300, (2, 40, 36)).astype("float32")
    pixels[:, 5:9, 10:14] = 7.0
    pixels[0, 20, 20] = 2.5
    transform = Affine(30, 0, 500000, 0, -30, 4000000)
    for shift in ((0.5, 0.5), (0.25, -0.75), (-3.5, 2.25)):
        target = Grid(UTM16, transform * Affine.translation(*shift), 40, 36)
        gdals = np.full((2, 40, 36), 200, dtype="uint8")
        reproject(pixels, gdals, src_transform=transform, src_crs=UTM16, src_nodata=7.0, dst_transform=target.transform,
                  dst_crs=UTM16, dst_nodata=200, resampling=Resampling.nearest)
        rows, cols = np.mgrid[0:40, 0:36] + 0.5
        ours, received = warp_nearest(pixels, valid_source(pixels, 7.0, None), cols + shift[0], rows + shift[1],
                                      np.dtype("uint8"), 200, fill_marks=True)
        np.testing.assert_array_equal(ours, gdals)
        np.testing.assert_array_equal(received, (gdals != 200).any(axis=0))

