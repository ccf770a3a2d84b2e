"""RasterDataset on files of any valid geotransform: south-up, east-left, both, rotated."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pytest
import rasterio
from affine import Affine
from rasterio.crs import CRS
from rasterio.enums import Resampling
from rasterio.warp import reproject

from geotorch.core import BoundingBox, RasterDataset
from geotorch.core.grid import Grid
from tests.core.gdal_warps import assert_like_gdals_bilinear
from tests.core.rasters import grid, random_bands, write_raster

#: A file's top-left corner and pixel size per CRS: places where each CRS is well defined.
PLACES = {"EPSG:32616": (600000.0, 4000000.0, 30.0), "EPSG:4326": (-87.0, 36.0, 0.0003),
          "EPSG:3857": (-9700000.0, 4300000.0, 30.0)}


def orientation(name: str, left: float, top: float, size: float) -> Affine:
    """A geotransform whose corner (0, 0) lies at ``(left, top)``, pixels ``size`` on the ground."""
    turn = {"south-up": Affine.scale(1, -1), "east-left": Affine.scale(-1, 1), "both": Affine.scale(-1, -1),
            "rotated-30": Affine.rotation(30), "rotated-90": Affine.rotation(90), "rotated-200": Affine.rotation(200)}
    return Affine.translation(left, top) * turn[name] * Affine.scale(size, -size)


ORIENTATIONS = ["south-up", "east-left", "both", "rotated-30", "rotated-90", "rotated-200"]


def corners_box(transform: Affine, width: int, height: int) -> tuple[float, float, float, float]:
    """``(minx, maxx, miny, maxy)`` of the four transformed corners."""
    corners = [transform * corner for corner in ((0, 0), (width, 0), (0, height), (width, height))]
    xs, ys = [x for x, _ in corners], [y for _, y in corners]
    return min(xs), max(xs), min(ys), max(ys)


def gdal_reference(path: Path, query: BoundingBox, crs: CRS, res: tuple[float, float],
                   resampling: Resampling, ground: tuple[float, float] | None = None) -> np.ndarray:
    """GDAL's warp of the whole file onto the query's grid, in the file's type, 0 where no data.

    ``ground`` pins GDAL's kernel scale to the ratio of source to target pixel size
    (by default GDAL guesses it from each request's source window, which grows with rotation).
    """
    target = Grid.from_bbox(query, crs, res)
    with rasterio.open(path) as source:
        out = np.zeros((source.count, target.height, target.width), dtype=source.dtypes[0])
        options = {} if ground is None else {"XSCALE": ground[0] / res[0], "YSCALE": ground[1] / res[1]}
        reproject(rasterio.band(source, list(range(1, source.count + 1))), out, dst_transform=target.transform,
                  dst_crs=crs, dst_nodata=0, resampling=resampling, **options)
    return out


@pytest.mark.parametrize("crs", list(PLACES))
@pytest.mark.parametrize("name", ORIENTATIONS)
def test_any_geotransform_is_indexed_at_its_true_footprint_with_its_ground_pixel_size(
    tmp_path: Path, name: str, crs: str
) -> None:
    left, top, size = PLACES[crs]
    transform = orientation(name, left, top, size)
    path = write_raster(tmp_path / "f.tif", random_bands((1, 4, 6)), crs, transform)
    dataset = RasterDataset(path)
    assert len(dataset) == 1
    assert tuple(dataset.bounds)[:4] == pytest.approx(corners_box(transform, 6, 4), rel=1e-12)
    assert dataset.res == pytest.approx((size, size), rel=1e-9)


@pytest.mark.parametrize("resampling", [Resampling.nearest, Resampling.bilinear])
@pytest.mark.parametrize("crs", list(PLACES))
@pytest.mark.parametrize("name", ORIENTATIONS)
def test_any_geotransform_reads_north_up_like_gdals_warp(
    tmp_path: Path, name: str, crs: str, resampling: Resampling
) -> None:
    left, top, size = PLACES[crs]
    path = write_raster(tmp_path / "f.tif", random_bands((2, 10, 12)), crs, orientation(name, left, top, size))
    dataset = RasterDataset(path)
    dataset.resampling = resampling
    bounds = dataset.bounds
    # the whole footprint, and a query cut off-centre that reaches past the file on two sides (its offsets,
    # not whole nor half pixels, keep bilinear values off the .5 where rounding could go either way)
    width, height = bounds.maxx - bounds.minx, bounds.maxy - bounds.miny
    part = BoundingBox(bounds.minx + 0.31 * width, bounds.maxx + 0.17 * width, bounds.miny - 0.13 * height,
                       bounds.miny + 0.57 * height, bounds.mint, bounds.maxt)
    for query in (bounds, part):
        image = dataset[query]["image"].numpy()
        expected = gdal_reference(path, query, dataset.crs, dataset.res, resampling, (size, size))
        np.testing.assert_array_equal(image, expected.astype("float32"))
        assert image.any()


@pytest.mark.parametrize("name", ["south-up", "east-left", "both", "rotated-30"])
def test_any_geotransform_is_warped_into_another_crs_like_gdal(tmp_path: Path, name: str) -> None:
    path = write_raster(tmp_path / "f.tif", random_bands((1, 12, 10)), "EPSG:32616",
                        orientation(name, 600000, 4000000, 30))
    dataset = RasterDataset(path, crs="EPSG:32617", res=20)
    # the file's pixel size in the target CRS: GDAL's suggestion for the north-up grid of the same footprint
    minx, maxx, miny, maxy = corners_box(orientation(name, 600000, 4000000, 30), 10, 12)
    native, _, _ = rasterio.warp.calculate_default_transform(
        CRS.from_epsg(32616), dataset.crs, round((maxx - minx) / 30), round((maxy - miny) / 30), minx, miny, maxx, maxy
    )
    image = dataset[dataset.bounds]["image"].numpy()
    expected = gdal_reference(path, dataset.bounds, dataset.crs, (20, 20), Resampling.bilinear,
                              (abs(native.a), abs(native.e)))
    # GeoTorch's own bilinear: GDAL's bar rounding (see tests.core.gdal_warps).
    assert_like_gdals_bilinear(image, expected.astype("float32"), 0)
    assert (image > 0).sum() > 100


@pytest.mark.parametrize("name", ["south-up", "east-left", "rotated-30"])
def test_a_flipped_or_rotated_file_beside_a_north_up_one_reads_both(tmp_path: Path, name: str) -> None:
    normal = write_raster(tmp_path / "a.tif", random_bands((1, 8, 8)), "EPSG:32616", grid(600000, 4000000))
    odd_transform = orientation(name, 600600, 3999000, 30)
    odd = write_raster(tmp_path / "b.tif", random_bands((1, 8, 8), seed=1), "EPSG:32616", odd_transform)
    dataset = RasterDataset(tmp_path)
    assert len(dataset) == 2
    assert dataset.res == (30.0, 30.0)
    # the north-up file is still copied exactly
    with rasterio.open(normal) as source:
        expected_normal = source.read().astype("float32")
    np.testing.assert_array_equal(dataset[600000:600240, 3999760:4000000]["image"].numpy(), expected_normal)
    minx, maxx, miny, maxy = corners_box(odd_transform, 8, 8)
    query = BoundingBox(minx, maxx, miny, maxy, dataset.bounds.mint, dataset.bounds.maxt)
    image = dataset[query]["image"].numpy()
    np.testing.assert_array_equal(image, gdal_reference(odd, query, dataset.crs, (30, 30), Resampling.bilinear,
                                                        (30, 30)).astype("float32"))
    assert image.any()


def test_a_south_up_file_read_by_gdal_gets_its_true_footprint(tmp_path: Path) -> None:
    # ERDAS Imagine, not a GeoTIFF: its header is read by GDAL, not by the fast GeoTIFF reader.
    transform = orientation("south-up", 600000, 4000000, 30)
    path = tmp_path / "f.img"
    with rasterio.open(path, "w", driver="HFA", width=5, height=4, count=1, dtype="uint16", crs="EPSG:32616",
                       transform=transform) as destination:
        destination.write(random_bands((1, 4, 5)))
    dataset = RasterDataset(path)
    assert len(dataset) == 1
    assert tuple(dataset.bounds)[:4] == pytest.approx((600000, 600150, 4000000, 4000120))
    assert dataset.res == (30.0, 30.0)
    image = dataset[dataset.bounds]["image"][0].numpy()
    with rasterio.open(path) as source:
        np.testing.assert_array_equal(image, source.read(1)[::-1].astype("float32"))


def test_a_south_up_file_reads_as_its_rows_in_reverse(tmp_path: Path) -> None:
    # A NetCDF-style grid: row 0 is the southernmost. North-up, it is the same pixels upside down.
    pixels = random_bands((1, 4, 4))
    path = write_raster(tmp_path / "f.tif", pixels, "EPSG:32616", Affine(30, 0, 600000, 0, 30, 4000000))
    image = RasterDataset(path)[600000:600120, 4000000:4000120]["image"][0].numpy()
    np.testing.assert_array_equal(image, pixels[0, ::-1].astype("float32"))
    assert math.isclose(image[-1, 0], float(pixels[0, 0, 0]))


@pytest.mark.parametrize("turn", [90, -90, 270, 60, 120])
def test_a_turned_grid_of_oblong_pixels_has_its_north_up_pixel_size(tmp_path: Path, turn: float) -> None:
    # Pixels 10 m wide and 30 m tall, turned by more than 45 degrees: the rows run along x, so the 30 m side
    # lies along y. Along x the file then holds 7 pixels of 10 m, along y 9 of 30 m.
    left, top, _ = PLACES["EPSG:32616"]
    transform = Affine.translation(left, top) * Affine.rotation(turn) * Affine.scale(30, -10)
    path = write_raster(tmp_path / "f.tif", random_bands((1, 7, 9)), "EPSG:32616", transform)
    dataset = RasterDataset(path)
    assert dataset.res == pytest.approx((10.0, 30.0), rel=1e-9)
    if turn % 90 == 0:
        assert (round(dataset.bounds.maxx - dataset.bounds.minx), round(dataset.bounds.maxy - dataset.bounds.miny)) \
            == (70, 270)
        image = dataset[dataset.bounds]["image"].numpy()
        assert image.shape == (1, 9, 7)
        expected = gdal_reference(path, dataset.bounds, dataset.crs, dataset.res, Resampling.nearest, (10, 30))
        dataset.resampling = Resampling.nearest
        np.testing.assert_array_equal(dataset[dataset.bounds]["image"].numpy(), expected.astype("float32"))
