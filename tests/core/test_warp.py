"""The in-memory warp of a source window equals GDAL's warp of the whole file onto the same grid.

Bilinear at kernel scales of 0.95 and more is computed by GeoTorch at exact positions: within 1
of GDAL's, the same pixels filled; nearest alike: GDAL's bar centres within its error of a source
pixel's edge (see ``tests.core.gdal_warps``); the rest is GDAL's, bit for bit.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import rasterio
import rasterio.warp
from affine import Affine
from rasterio.crs import CRS
from rasterio.enums import Resampling
from rasterio.warp import reproject

import geotorch.core.warp
from geotorch.core.grid import Grid
from geotorch.core.warp import kernel_scale, warp_onto_grid
from tests.core.gdal_warps import assert_like_gdals_bilinear, assert_like_gdals_nearest
from tests.core.rasters import grid, write_raster


@pytest.fixture(scope="module")
def scene(tmp_path_factory: pytest.TempPathFactory) -> Path:
    rows, cols = np.mgrid[0:200, 0:240]
    bands = np.stack([(rows * 3 + cols * 2) % 997 + 1, (rows * cols) % 991 + 1]).astype("uint16")
    bands[:, 150:, 200:] = 0
    return write_raster(tmp_path_factory.mktemp("warp") / "scene.tif", bands, "EPSG:32617",
                        grid(200000.0, 4000000.0), nodata=0, tiled=True)


def _whole_file_warp(source: rasterio.io.DatasetReader, target: Grid, resampling: Resampling) -> np.ndarray:
    out = np.zeros((2, target.height, target.width), dtype="uint16")
    scale_x, scale_y = kernel_scale(source, target)
    reproject(rasterio.band(source, [1, 2]), out, src_nodata=source.nodata, dst_transform=target.transform,
              dst_crs=target.crs, dst_nodata=0, resampling=resampling, XSCALE=scale_x, YSCALE=scale_y)
    return out


@pytest.mark.parametrize("resampling", [Resampling.nearest, Resampling.bilinear, Resampling.cubic])
@pytest.mark.parametrize("res", [30.0, 90.0, 12.5])
def test_window_warp_equals_whole_file_warp(scene: Path, resampling: Resampling, res: float) -> None:
    utm16 = CRS.from_epsg(32616)
    rng = np.random.default_rng(int(res))
    seen = 0
    with rasterio.open(scene) as source:
        for _ in range(6):
            # Queries inside, across the edge of, and across the nodata corner of the scene.
            left = 741000.0 + rng.uniform(-1500, 6000)
            top = 3998000.0 - rng.uniform(-1500, 5000)
            target = Grid(utm16, Affine(res, 0, left, 0, -res, top), 48, 40)
            ours, _ = warp_onto_grid(source, [1, 2], target, resampling, 0, np.dtype("uint16"))
            _assert_gdals(ours, _whole_file_warp(source, target, resampling), source, target, resampling)
            seen += int((ours > 0).sum())
    assert seen > 2 * 48 * 40, "the queries must overlap the scene"


def _assert_gdals(
    ours: np.ndarray, gdals: np.ndarray, source: rasterio.io.DatasetReader, target: Grid, resampling: Resampling
) -> None:
    """GDAL's warp bit for bit, or GeoTorch's own bilinear (kernel scale 0.95 and more) within 1 of it, or its
    own nearest (the pixel under each exact centre: GDAL's bar centres within GDAL's error of an edge)."""
    if resampling == Resampling.bilinear and min(kernel_scale(source, target)) >= 0.95:
        assert_like_gdals_bilinear(ours, gdals, 0)
    elif resampling == Resampling.nearest:
        assert_like_gdals_nearest(ours, (ours != 0).any(axis=0), gdals, source, target, 0)
    else:
        np.testing.assert_array_equal(ours, gdals)


def test_window_outside_the_file_leaves_the_fill(scene: Path) -> None:
    with rasterio.open(scene) as source:
        target = Grid(CRS.from_epsg(32616), Affine(30.0, 0, 100000.0, 0, -30.0, 3000000.0), 8, 8)
        out, received = warp_onto_grid(source, [1, 2], target, Resampling.bilinear, 7, np.dtype("uint16"))
    assert out.shape == (2, 8, 8)
    assert (out == 7).all()
    assert not received.any()


def test_mosaic_reads_later_files_only_where_needed_and_matches_full_reads(scene: Path, tmp_path: Path) -> None:
    from geotorch.core.handles import FileHandleCache
    from geotorch.core.mosaic import ReadPlan, read_mosaic, read_onto_grid

    # A second scene under the first one's nodata corner, in the same zone as the first.
    rows, cols = np.mgrid[0:200, 0:240]
    other = write_raster(tmp_path / "other.tif", np.stack([(rows + cols) % 500 + 1] * 2).astype("uint16"),
                         "EPSG:32617", grid(200000.0 + 3000.0, 4000000.0 - 2000.0), nodata=0, tiled=True)
    target = Grid(CRS.from_epsg(32616), Affine(30.0, 0, 745000.0, 0, -30.0, 3995500.0), 64, 64)
    handles = FileHandleCache(4)
    plan = ReadPlan(Resampling.bilinear, 0, np.dtype("uint16"))
    mosaic = read_mosaic(handles, [str(scene), str(other)], [1, 2], target, plan)
    first, first_valid = read_onto_grid(handles.open(str(scene)), [1, 2], target, plan)
    second, second_valid = read_onto_grid(handles.open(str(other)), [1, 2], target, plan)
    assert not first_valid.all(), "the query must reach into the first scene's nodata corner"
    assert (second_valid & ~first_valid).any(), "the second scene must fill some of it"
    expected = np.where(first_valid, first, np.where(second_valid, second, 0))
    np.testing.assert_array_equal(mosaic, expected)


@pytest.fixture(scope="module")
def albers_scene(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A NAD83 / CONUS Albers scene in Tennessee: warping it to WGS 84 UTM changes the datum."""
    rows, cols = np.mgrid[0:180, 0:200]
    bands = np.stack([(rows * 7 + cols * 3) % 911 + 1, (rows * cols) % 883 + 1]).astype("uint16")
    return write_raster(tmp_path_factory.mktemp("albers") / "albers.tif", bands, "EPSG:5070",
                        grid(1050000.0, 1400000.0), nodata=0, tiled=True)


def test_coordinate_operation_is_chosen_once_per_file_for_its_whole_footprint(albers_scene: Path) -> None:
    from pyproj import Transformer
    from pyproj.aoi import AreaOfInterest

    from geotorch.core import warp

    utm16 = CRS.from_epsg(32616)
    with rasterio.open(albers_scene) as source:
        target = Grid(utm16, Affine(30.0, 0, 750000.0, 0, -30.0, 3900000.0), 8, 8)
        chosen = warp.coordinate_operation(source, target)
        west, south, east, north = rasterio.warp.transform_bounds(source.crs, "EPSG:4326", *source.bounds)
        best = Transformer.from_crs(source.crs, utm16, always_xy=True,
                                    area_of_interest=AreaOfInterest(west, south, east, north))
        assert chosen == best.to_proj4()
        assert "+proj=aea" in chosen and "+zone=16" in chosen
        other = Grid(utm16, Affine(30.0, 0, 760000.0, 0, -30.0, 3910000.0), 8, 8)
        assert warp.coordinate_operation(source, other) is chosen, "asked once per file and CRS, not per window"
        # Same CRS: nothing to transform; geographic grids: GDAL keeps its own longitude handling.
        assert warp.coordinate_operation(source, Grid(source.crs, source.transform, 8, 8)) is None
        assert warp.coordinate_operation(source, Grid(CRS.from_epsg(4326), grid(-84.5, 35.5, 0.001), 8, 8)) is None
        # Northing first (ETRS89 LAEA): GDAL would apply a pipeline in the CRS's axis order.
        assert warp.coordinate_operation(source, Grid(CRS.from_epsg(3035), grid(4e6, 3e6), 8, 8)) is None


@pytest.mark.parametrize("resampling", [Resampling.nearest, Resampling.bilinear])
def test_window_warp_across_datums_equals_whole_file_warp(albers_scene: Path, resampling: Resampling) -> None:
    utm16 = CRS.from_epsg(32616)
    rng = np.random.default_rng(3)
    seen = 0
    with rasterio.open(albers_scene) as source:
        left, bottom, right, top = rasterio.warp.transform_bounds(source.crs, utm16, *source.bounds)
        for _ in range(6):
            x = left + rng.uniform(-0.1, 0.8) * (right - left)
            y = top - rng.uniform(-0.1, 0.8) * (top - bottom)
            target = Grid(utm16, Affine(30.0, 0, round(x), 0, -30.0, round(y)), 40, 48)
            ours, _ = warp_onto_grid(source, [1, 2], target, resampling, 0, np.dtype("uint16"))
            _assert_gdals(ours, _whole_file_warp(source, target, resampling), source, target, resampling)
            seen += int((ours > 0).sum())
    assert seen > 2 * 40 * 48, "the queries must overlap the scene"


def test_pixels_warped_with_an_alpha_band_are_gdals_own_not_a_copy(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # No nodata: the fill 0 may be a valid value, so GDAL's destination alpha band tells them apart.
    # Cubic: GDAL's warp (GeoTorch computes bilinear itself, see test_exact_warp).
    bands = np.stack([(np.arange(64 * 64) % 251).reshape(64, 64)] * 2).astype("uint16")
    path = write_raster(tmp_path / "no_nodata.tif", bands, "EPSG:32617", grid(200000.0, 4000000.0))
    destinations: list[np.ndarray] = []

    def spy(source: np.ndarray, destination: np.ndarray, **options: object) -> object:
        destinations.append(destination)
        return reproject(source, destination, **options)

    monkeypatch.setattr(geotorch.core.warp, "reproject", spy)
    utm16 = CRS.from_epsg(32616)
    with rasterio.open(path) as source:
        left, _, _, top = rasterio.warp.transform_bounds(source.crs, utm16, *source.bounds)
        target = Grid(utm16, Affine(30.0, 0, round(left) + 300, 0, -30.0, round(top) - 300), 20, 24)
        out, received = warp_onto_grid(source, [1, 2], target, Resampling.cubic, 0, np.dtype("uint16"))
        whole = np.zeros((3, 20, 24), dtype="uint16")
        reproject(rasterio.band(source, [1, 2]), whole, dst_transform=target.transform, dst_crs=target.crs,
                  resampling=Resampling.cubic, dst_alpha=3, init_dest_nodata=False,
                  XSCALE=kernel_scale(source, target)[0], YSCALE=kernel_scale(source, target)[1])
    (destination,) = destinations
    assert destination.shape == (3, 20, 24)
    # 12 MB of a 12-date chip are not copied out of the alpha-banded array, nor into it.
    assert np.shares_memory(out, destination)
    np.testing.assert_array_equal(out, whole[:2])
    np.testing.assert_array_equal(received, whole[2] != 0)
    assert received.any()
