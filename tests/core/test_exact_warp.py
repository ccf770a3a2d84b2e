"""Bilinear warps between projected CRSs: GDAL's kernel at exact positions, query-independent, GDAL's bar rounding."""

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
from geotorch.core.warp import kernel_scale, prepare_warp, warp_geometry, warp_onto_grid, warp_prepared
from tests.core.gdal_warps import assert_like_gdals_bilinear, exact_bilinear
from tests.core.rasters import write_raster

ALBERS = CRS.from_epsg(5070)
UTM17 = CRS.from_epsg(32617)


def _gdals(source: DatasetReader, target: Grid, dtype: str, fill: float) -> np.ndarray:
    """GDAL's own bilinear warp of the whole file (approximate positions; kernel scale as GeoTorch fixes it)."""
    out = np.full((source.count, target.height, target.width), fill, dtype=dtype)
    scale_x, scale_y = kernel_scale(source, target)
    reproject(rasterio.band(source, list(range(1, source.count + 1))), out, src_nodata=source.nodata,
              dst_transform=target.transform, dst_crs=target.crs, dst_nodata=fill, resampling=Resampling.bilinear,
              XSCALE=scale_x, YSCALE=scale_y)
    return out


def _grid_over(source: DatasetReader, crs: CRS, res: float, across: float, down: float, size: int = 64) -> Grid:
    """A ``size`` px grid of ``crs`` at ``res``, its corner at fractions ``across``, ``down`` of the file's extent."""
    left, bottom, right, top = rasterio.warp.transform_bounds(source.crs, crs, *source.bounds)
    x = left + across * (right - left)
    y = top - down * (top - bottom)
    return Grid(crs, Affine(res, 0, round(x / res) * res, 0, -res, round(y / res) * res), size, size)


def _computed_by_geotorch(source: DatasetReader, target: Grid) -> bool:
    """Whether GeoTorch warps ``source`` onto ``target`` bilinearly itself (else GDAL does)."""
    geometry = warp_geometry(source, target, Resampling.bilinear)
    return geometry is not None and geometry.exact is not None


@pytest.fixture(scope="module")
def southern(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A 7-band uint16 scene in UTM 55S (Victoria, Australia) with a nodata collar, tiled as Landsat's are."""
    rows, cols = np.mgrid[0:300, 0:320]
    bands = np.stack([(rows * (3 + band) + cols * (2 + band)) % 2000 + 100 for band in range(7)]).astype("uint16")
    collar = rows + cols < 60
    bands[:, collar] = 0
    return write_raster(tmp_path_factory.mktemp("southern") / "utm55s.tif", bands, "EPSG:32755",
                        Affine(30, 0, 320000.0, 0, -30, 5820000.0), nodata=0, tiled=True)


@pytest.fixture(scope="module")
def rotated(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A 2-band uint16 scene in UTM 16N whose rows run 10 degrees off east, with a nodata corner."""
    rows, cols = np.mgrid[0:200, 0:220]
    bands = np.stack([(rows * 5 + cols * 3) % 1500 + 1, (rows * cols) % 1300 + 1]).astype("uint16")
    bands[:, 150:, 170:] = 0
    turn = Affine.rotation(10)
    transform = Affine.translation(731780.0, 3895700.0) @ turn @ Affine.scale(30, -30)
    return write_raster(tmp_path_factory.mktemp("rotated") / "rotated.tif", bands, "EPSG:32616", transform,
                        nodata=0, tiled=True)


def test_a_pixel_has_the_same_bits_whichever_query_holds_it(real_data: Path) -> None:
    # The real Landsat subset (UTM 18N, nodata collar) onto UTM 17N: two queries 17 and 23 pixels apart.
    with rasterio.open(real_data / "RGB.byte.tif") as source:
        first = _grid_over(source, UTM17, 300.0, 0.55, 0.85)
        second = Grid(UTM17, first.transform * Affine.translation(17, 23), 64, 64)
        for dtype in ("uint8", "float32"):
            one, one_received = warp_onto_grid(source, [1, 2, 3], first, Resampling.bilinear, 0, np.dtype(dtype))
            two, two_received = warp_onto_grid(source, [1, 2, 3], second, Resampling.bilinear, 0, np.dtype(dtype))
            np.testing.assert_array_equal(one[:, 23:, 17:], two[:, :41, :47])
            np.testing.assert_array_equal(one_received[23:, 17:], two_received[:41, :47])
            assert 0 < one_received[23:, 17:].sum() < 41 * 47, "the shared pixels must reach into the collar"


def test_bilinear_weighs_the_pixels_around_each_exact_position(real_data: Path) -> None:
    # GDAL's approximate transformer puts positions up to 0.0023 px off here: values up to 0.53 off (of 0..255).
    with rasterio.open(real_data / "RGB.byte.tif") as source:
        for across, down in ((0.3, 0.3), (0.4, 0.4), (0.6, 0.9)):
            target = _grid_over(source, UTM17, 300.0, across, down)
            ours, received = warp_onto_grid(source, [1, 2, 3], target, Resampling.bilinear, 0, np.dtype("float64"))
            exact, exact_received, settled = exact_bilinear(source, target)
            np.testing.assert_array_equal(received[settled], exact_received[settled])
            assert received.any()
            # Positions interpolated between exact ones every 16 pixels are off by less than 0.0002 px here.
            np.testing.assert_allclose(ours[:, received], exact[:, received], rtol=0, atol=0.05)


@pytest.mark.parametrize(
    ("name", "crs", "res", "dtype"),
    [
        ("RGB.byte.tif", UTM17, 300.0, "uint8"),
        ("RGB.byte.tif", UTM17, 300.0, "float32"),
        ("shade.tif", CRS.from_epsg(32613), 7.5, "uint8"),
    ],
)
def test_bilinear_of_real_files_across_crss_is_gdals_bar_rounding(
    real_data: Path, name: str, crs: CRS, res: float, dtype: str
) -> None:
    seen = 0
    with rasterio.open(real_data / name) as source:
        fill = source.nodata
        for across, down in ((0.3, 0.3), (0.5, 0.5), (0.2, 0.6), (0.6, 0.2)):
            target = _grid_over(source, crs, res, across, down)
            assert _computed_by_geotorch(source, target)
            ours, received = warp_onto_grid(source, list(range(1, source.count + 1)), target, Resampling.bilinear,
                                            fill, np.dtype(dtype))
            assert_like_gdals_bilinear(ours, _gdals(source, target, dtype, fill), fill)
            seen += int(received.sum())
        assert seen > 1000, "the queries must overlap the file"


@pytest.mark.parametrize(("scene", "crs"), [("southern", CRS.from_epsg(32754)), ("rotated", ALBERS)])
def test_bilinear_of_southern_and_rotated_scenes_is_gdals_bar_rounding(
    scene: str, crs: CRS, request: pytest.FixtureRequest
) -> None:
    path: Path = request.getfixturevalue(scene)
    with rasterio.open(path) as source:
        for across, down in ((0.2, 0.2), (0.4, 0.3), (0.5, 0.6)):
            target = _grid_over(source, crs, 30.0, across, down, size=48)
            assert _computed_by_geotorch(source, target)
            ours, received = warp_onto_grid(source, list(range(1, source.count + 1)), target, Resampling.bilinear, 0,
                                             np.dtype("uint16"))
            assert_like_gdals_bilinear(ours, _gdals(source, target, "uint16", 0), 0)
            assert received.any()


def test_a_float_scene_with_a_nan_collar_is_gdals_bar_rounding(tmp_path: Path) -> None:
    rows, cols = np.mgrid[0:120, 0:140]
    band = (np.sin(rows / 7.0) * 300 + cols * 1.5).astype("float32")
    band[rows > 100 - cols // 3] = np.nan
    path = write_raster(tmp_path / "nan.tif", band, "EPSG:32616", Affine(30, 0, 731780.0, 0, -30, 3895700.0),
                        nodata=float("nan"), tiled=True)
    seen = np.zeros(2, dtype=bool)
    with rasterio.open(path) as source:
        for across, down in ((0.1, 0.1), (0.3, 0.6), (0.6, 0.5)):
            target = _grid_over(source, ALBERS, 30.0, across, down, size=48)
            assert _computed_by_geotorch(source, target)
            ours, received = warp_onto_grid(source, [1], target, Resampling.bilinear, float("nan"),
                                            np.dtype("float32"))
            gdals = _gdals(source, target, "float32", float("nan"))
            assert_like_gdals_bilinear(ours, gdals, float("nan"))
            seen |= [received.any(), not received.all()]
    assert seen.all(), "the queries must reach into the collar"


def test_a_valid_integer_equal_to_the_fill_is_moved_off_it_as_gdal_moves_it(tmp_path: Path) -> None:
    # Columns of -9998 and -10000: bilinear between them gives the nodata -9999, which GDAL stores as -10000.
    band = np.tile(np.array([-9998, -10000], dtype="int16"), (40, 20))
    path = write_raster(tmp_path / "int16.tif", band, "EPSG:32616", Affine(30, 0, 731780.0, 0, -30, 3895700.0),
                        nodata=-9999)
    with rasterio.open(path) as source:
        target = _grid_over(source, ALBERS, 30.0, 0.2, 0.2, size=16)
        assert _computed_by_geotorch(source, target)
        ours, received = warp_onto_grid(source, [1], target, Resampling.bilinear, -9999, np.dtype("int16"))
        gdals = _gdals(source, target, "int16", -9999)
    assert received.all() and not (ours == -9999).any()
    assert_like_gdals_bilinear(ours, gdals, -9999)


@pytest.mark.parametrize(("crs", "res"), [(CRS.from_epsg(4326), 0.003), (UTM17, 900.0), (ALBERS, 300.0)])
def test_geographic_grids_widened_kernels_and_datum_choices_are_gdals_bit_for_bit(
    real_data: Path, crs: CRS, res: float
) -> None:
    # GDAL warps: onto a geographic CRS (it wraps longitudes), at a kernel scale of 1/3 (it widens the kernel),
    # and from WGS 84 onto NAD83 in the Bahamas, where PROJ has no one operation for the file's footprint.
    with rasterio.open(real_data / "RGB.byte.tif") as source:
        target = _grid_over(source, crs, res, 0.3, 0.3, size=32)
        assert not _computed_by_geotorch(source, target)
        ours, _ = warp_onto_grid(source, [1, 2, 3], target, Resampling.bilinear, 0, np.dtype("uint8"))
        gdals = _gdals(source, target, "uint8", 0)
    assert (ours != 0).any()
    np.testing.assert_array_equal(ours, gdals)


def test_a_file_without_nodata_is_received_where_gdals_alpha_band_says(real_data: Path) -> None:
    # cogeo.tif (Web Mercator, no nodata: the fill 0 may be a value) onto UTM 52N, across the file's corner.
    with rasterio.open(real_data / "cogeo.tif") as source:
        target = _grid_over(source, CRS.from_epsg(32652), 0.45, 0.0, 0.0)
        assert _computed_by_geotorch(source, target)
        ours, received = warp_onto_grid(source, [1, 2, 3], target, Resampling.bilinear, 0, np.dtype("uint8"))
        gdals = np.zeros((4, target.height, target.width), dtype="uint8")
        scale_x, scale_y = kernel_scale(source, target)
        reproject(rasterio.band(source, [1, 2, 3]), gdals, dst_transform=target.transform, dst_crs=target.crs,
                  resampling=Resampling.bilinear, dst_alpha=4, init_dest_nodata=False, XSCALE=scale_x, YSCALE=scale_y)
    np.testing.assert_array_equal(received, gdals[3] != 0)
    assert 0 < received.sum() < received.size, "the query must reach past the file's corner"
    assert int(np.abs(ours.astype(int) - gdals[:3].astype(int))[:, received].max()) <= 1


def test_pixels_a_mask_band_hides_give_no_value_as_in_gdals_warp(tmp_path: Path) -> None:
    # No nodata value: a per-dataset mask hides a block, which GeoTorch's and GDAL's paths both leave out.
    rows, cols = np.mgrid[0:80, 0:90]
    bands = np.stack([rows * 7 + cols * 5 + 10, rows * 3 + cols * 11 + 20]).astype("uint16")
    path = tmp_path / "masked.tif"
    profile = {"driver": "GTiff", "count": 2, "height": 80, "width": 90, "dtype": "uint16", "crs": "EPSG:32616",
               "transform": Affine(30, 0, 731780.0, 0, -30, 3895700.0)}
    with rasterio.Env(GDAL_TIFF_INTERNAL_MASK=True), rasterio.open(path, "w", **profile) as written:
        written.write(bands)
        mask = np.full((80, 90), 255, dtype="uint8")
        mask[30:50, 40:60] = 0
        written.write_mask(mask)
    with rasterio.open(path) as source:
        target = _grid_over(source, ALBERS, 30.0, 0.3, 0.2, size=48)
        assert _computed_by_geotorch(source, target)
        prepared = prepare_warp(source, [1, 2], target, Resampling.bilinear, 0)
        assert prepared is not None and prepared.hidden is not None and prepared.hidden.any()
        ours, received = warp_prepared(prepared, target, 0, np.dtype("uint16"))
        gdals, gdal_received = warp_prepared(prepared._replace(exact=None), target, 0, np.dtype("uint16"))
    assert received.any() and not received.all(), "the query must reach into the hidden block"
    np.testing.assert_array_equal(received, gdal_received)
    assert int(np.abs(ours.astype(int) - gdals.astype(int))[:, received].max()) <= 1
