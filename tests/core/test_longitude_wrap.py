"""Geographic files whose longitudes run past the antimeridian (0..360 grids): indexed and read where they lie."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import rasterio
import shapely
from affine import Affine
from rasterio.crs import CRS
from rasterio.enums import Resampling
from rasterio.warp import reproject

from geotorch.core import BoundingBox, RasterDataset, VectorDataset
from geotorch.core.crs import transform_bounds, wrap_longitudes
from geotorch.core.geo import GeoDataset
from geotorch.core.grid import Grid
from geotorch.core.warp import kernel_scale
from geotorch.samplers import GridGeoSampler
from tests.core.rasters import random_bands, write_raster, write_vector

LONLAT = CRS.from_epsg(4326)
#: Latitudes of every file: 40 to 60 N, one-degree rows.
TOP, ROWS = 60.0, 20


def lonlat_file(path: Path, left: float, width: int, seed: int = 0) -> Path:
    """A one-degree uint16 grid in EPSG:4326 from longitude ``left``, ``width`` columns, values 1 to 999."""
    written: Path = write_raster(path, random_bands((1, ROWS, width), seed=seed), LONLAT,
                                 Affine(1.0, 0.0, left, 0.0, -1.0, TOP))
    return written


def entries(dataset: GeoDataset) -> list[tuple[float, ...]]:
    return sorted(tuple(hit.bounds[:4]) for hit in dataset.index.intersection(dataset.index.bounds, objects=True))


def query(dataset: GeoDataset, minx: float, maxx: float, miny: float, maxy: float) -> BoundingBox:
    return BoundingBox(minx, maxx, miny, maxy, dataset.bounds.mint, dataset.bounds.maxt)


def columns(path: Path, first: int, last: int) -> np.ndarray:
    """Columns ``first`` to ``last`` (exclusive) of the file, as float32, wrapping around its width."""
    with rasterio.open(path) as source:
        pixels = source.read()
    return pixels[:, :, np.arange(first, last) % pixels.shape[-1]].astype("float32")


def moved_warp(path: Path, box: BoundingBox, crs: str, res: float, resampling: Resampling) -> np.ndarray:
    """GDAL's warp onto the query's grid of the file moved by whole turns, nearest the query first; 0 where none.

    Each warp is of the whole file, moved by -360, 0 or +360 degrees; the copy whose centre
    lies nearest the query's warps first, and the others fill what it leaves (GDAL moves
    a file's longitudes itself only around its centre, and a copy a turn away warps
    partly and wrongly). The kernel scale is the dataset's (see ``kernel_scale``).
    """
    target = Grid.from_bbox(box, CRS.from_user_input(crs), (res, res))
    centre = transform_bounds(target.crs, LONLAT, *([(box.minx + box.maxx) / 2, (box.miny + box.maxy) / 2] * 2))[0]
    result = np.zeros((1, target.height, target.width), dtype="uint16")
    with rasterio.open(path) as source:
        pixels = source.read()
        scale_x, scale_y = kernel_scale(source, target)
        middle = source.transform.c + source.width / 2
        for turns in sorted((-1, 0, 1), key=lambda turns: abs(middle + 360 * turns - centre)):
            out = np.zeros_like(result)
            reproject(pixels, out, src_transform=Affine.translation(360.0 * turns, 0) @ source.transform,
                      src_crs=source.crs, dst_transform=target.transform, dst_crs=target.crs, dst_nodata=0,
                      resampling=resampling, XSCALE=scale_x, YSCALE=scale_y)
            result = np.where(result == 0, out, result)
    return result.astype("float32")


@pytest.mark.parametrize(
    ("left", "right", "parts"),
    [
        (0, 360, [(-180, 180)]),
        (350, 370, [(-10, 10)]),
        (-190, -170, [(170, 180), (-180, -170)]),
        (170, 190, [(170, 180), (-180, -170)]),
        (180, 200, [(-180, -160)]),
        (-540, -520, [(-180, -160)]),
        (-180.5, 179.5, [(-180, 180)]),
        (10, 20, [(10, 20)]),
    ],
)
def test_longitudes_are_wrapped_into_minus_180_to_180(left: float, right: float,
                                                      parts: list[tuple[float, float]]) -> None:
    assert wrap_longitudes(left, right, 180.0) == parts


@pytest.mark.parametrize("crs", ["EPSG:4326", None], ids=["explicit", "the-files-own"])
@pytest.mark.parametrize(
    ("left", "width", "boxes"),
    [(0, 360, [(-180, 180)]), (350, 20, [(-10, 10)]), (-190, 20, [(-180, -170), (170, 180)])],
    ids=["0..360", "350..370", "-190..-170"],
)
def test_a_geographic_dataset_indexes_files_in_minus_180_to_180(
    tmp_path: Path, crs: str | None, left: float, width: int, boxes: list[tuple[float, float]]
) -> None:
    # Whether the dataset's CRS is given or taken from the file, the index holds canonical
    # longitudes: a dataset of 0..360 files then composes with any other EPSG:4326 dataset.
    lonlat_file(tmp_path / "grid.tif", left, width)
    dataset = RasterDataset(tmp_path, crs=crs)
    assert [box[:2] for box in entries(dataset)] == boxes
    assert all(box[2:] == (40.0, 60.0) for box in entries(dataset))
    assert dataset.bounds.minx >= -180 and dataset.bounds.maxx <= 180


@pytest.mark.parametrize("crs", ["EPSG:4326", None], ids=["explicit", "the-files-own"])
def test_the_eastern_half_of_a_0_360_grid_answers_queries_at_minus_180_to_0(tmp_path: Path, crs: str | None) -> None:
    path = lonlat_file(tmp_path / "global.tif", 0, 360)
    dataset = RasterDataset(tmp_path, crs=crs)
    assert dataset.res == (1.0, 1.0)
    image = dataset[query(dataset, -180, -170, 50, 60)]["image"].numpy()
    np.testing.assert_array_equal(image, columns(path, 180, 190)[:, :10])
    # across the file's own edge, the prime meridian: its last five columns, then its first five
    image = dataset[query(dataset, -5, 5, 40, 60)]["image"].numpy()
    np.testing.assert_array_equal(image, columns(path, 355, 365))


@pytest.mark.parametrize(
    ("left", "width", "box"),
    [
        (350, 20, (-10, 10)),  # wholly past 180: read at -10..10
        (-190, 20, (175, 180)),  # west of -180: its first columns lie at 170..180
        (-190, 20, (-180, -172)),
        (170, 20, (-180, -175)),  # crossing 180: its eastern columns lie at -180..-170
    ],
)
def test_a_regional_grid_past_180_reads_its_pixels_where_they_lie(
    tmp_path: Path, left: float, width: int, box: tuple[float, float]
) -> None:
    path = lonlat_file(tmp_path / "region.tif", left, width)
    dataset = RasterDataset(tmp_path, crs="EPSG:4326")
    image = dataset[query(dataset, *box, 40, 60)]["image"].numpy()
    first = round((box[0] - left) % 360)
    np.testing.assert_array_equal(image, columns(path, first, first + round(box[1] - box[0])))


@pytest.mark.parametrize("resampling", [Resampling.nearest, Resampling.bilinear, Resampling.cubic])
@pytest.mark.parametrize(
    ("left", "width", "box"),
    [(0, 360, (-180, -170)), (0, 360, (-6, 6)), (350, 20, (-8, 8)), (-190, 20, (170, 180)), (-190, 20, (-180, -172))],
)
def test_warps_of_a_grid_past_180_equal_gdals_warp_of_the_file_moved_by_360(
    tmp_path: Path, left: float, width: int, box: tuple[float, float], resampling: Resampling
) -> None:
    path = lonlat_file(tmp_path / "grid.tif", left, width)
    dataset = RasterDataset(tmp_path, crs="EPSG:4326", res=0.25)
    dataset.resampling = resampling
    bbox = query(dataset, *box, 45, 55)
    image = dataset[bbox]["image"].numpy()
    assert (image > 0).mean() > 0.95, "the file covers the whole query (cubic overshoots to 0 here and there)"
    np.testing.assert_array_equal(image, moved_warp(path, bbox, "EPSG:4326", 0.25, resampling))


@pytest.mark.parametrize(
    ("crs", "res", "lon", "entry_count"),
    [
        ("EPSG:3857", 50000.0, (-178.0, -171.0), 2),  # Web Mercator's edge is the antimeridian
        ("EPSG:3857", 50000.0, (171.0, 178.0), 2),
        ("EPSG:32660", 50000.0, (176.0, 184.0), 1),  # UTM zone 60 runs on across 180
        ("EPSG:32601", 50000.0, (176.0, 184.0), 1),
    ],
)
@pytest.mark.parametrize("left", [170, -190], ids=["170..190", "-190..-170"])
def test_a_projected_dataset_reads_a_grid_past_180_on_both_sides(
    tmp_path: Path, crs: str, res: float, lon: tuple[float, float], entry_count: int, left: float
) -> None:
    path = lonlat_file(tmp_path / "grid.tif", left, 20)
    dataset = RasterDataset(tmp_path, crs=crs, res=res)
    assert len(dataset) == entry_count
    assert all(box[1] - box[0] < 3e6 for box in entries(dataset)), "no entry spans the world"
    west, south, east, north = transform_bounds(LONLAT, dataset.crs, lon[0], 48, lon[1], 52)
    if west > east:  # pyproj's box across the antimeridian: take the side holding the query's start
        east = transform_bounds(LONLAT, dataset.crs, lon[0], 48, 180, 52)[2]
    bbox = query(dataset, west, east, south, north)
    image = dataset[bbox]["image"].numpy()
    assert image.any()
    np.testing.assert_array_equal(image, moved_warp(path, bbox, crs, res, Resampling.bilinear))


@pytest.mark.parametrize(("crs", "left"), [("EPSG:32660", -180), ("EPSG:32601", 170)])
def test_a_query_across_180_in_utm_reads_a_file_on_its_far_side(tmp_path: Path, crs: str, left: float) -> None:
    # The query spans 176..184 E; the file lies wholly on one side (-180..-170, or 170..180).
    path = lonlat_file(tmp_path / "side.tif", left, 10)
    dataset = RasterDataset(tmp_path, crs=crs, res=50000)
    west, south, east, north = transform_bounds(LONLAT, dataset.crs, 176, 48, 184, 52)
    bbox = query(dataset, west, east, south, north)
    image = dataset[bbox]["image"].numpy()
    assert 0.3 < (image > 0).mean() < 0.7
    np.testing.assert_array_equal(image, moved_warp(path, bbox, crs, 50000, Resampling.bilinear))


def test_a_0_360_grid_in_web_mercator_is_one_entry_read_on_both_sides_of_180(tmp_path: Path) -> None:
    path = lonlat_file(tmp_path / "global.tif", 0, 360)
    dataset = RasterDataset(tmp_path, crs="EPSG:3857", res=100000)
    assert len(dataset) == 1
    assert dataset.bounds.minx == pytest.approx(-20037508.34) and dataset.bounds.maxx == pytest.approx(20037508.34)
    for lon in ((-180.0, -160.0), (-10.0, 10.0), (160.0, 180.0)):
        west, south, east, north = transform_bounds(LONLAT, dataset.crs, lon[0], 45, lon[1], 55)
        bbox = query(dataset, west, east, south, north)
        image = dataset[bbox]["image"].numpy()
        assert image.all()
        np.testing.assert_array_equal(image, moved_warp(path, bbox, "EPSG:3857", 100000, Resampling.bilinear))


def test_a_masked_0_360_grid_is_warped_on_both_sides_with_its_mask(tmp_path: Path) -> None:
    # Files whose validity is a mask band are warped by GDAL from the file itself.
    values = random_bands((1, ROWS, 360))
    mask = np.full((ROWS, 360), 255, dtype="uint8")
    mask[:, 185:188] = 0  # 185..188 E, that is -175..-172
    path = tmp_path / "masked.tif"
    with rasterio.Env(GDAL_TIFF_INTERNAL_MASK=True), rasterio.open(
        path, "w", driver="GTiff", width=360, height=ROWS, count=1, dtype="uint16", crs=LONLAT,
        transform=Affine(1.0, 0.0, 0.0, 0.0, -1.0, TOP),
    ) as destination:
        destination.write(values)
        destination.write_mask(mask)
    dataset = RasterDataset(tmp_path, crs="EPSG:4326", res=0.5)
    bbox = query(dataset, -180, -170, 45, 55)
    image = dataset[bbox]["image"].numpy()
    target = Grid.from_bbox(bbox, LONLAT, (0.5, 0.5))
    expected = np.zeros((1, target.height, target.width), dtype="uint16")
    with rasterio.open(path) as source:
        scale_x, scale_y = kernel_scale(source, target)
        # GDAL moves this file's longitudes itself (around its centre, 180 E)
        reproject(rasterio.band(source, [1]), expected, dst_transform=target.transform, dst_crs=LONLAT,
                  dst_nodata=0, resampling=Resampling.bilinear, XSCALE=scale_x, YSCALE=scale_y)
    assert expected[0, :, :8].all() and not expected[0, :, 11:15].any(), "-175..-172 are masked"
    np.testing.assert_array_equal(image, expected.astype("float32"))


def test_a_grid_pass_over_a_0_360_dataset_reads_every_patch(tmp_path: Path) -> None:
    lonlat_file(tmp_path / "global.tif", 0, 360)
    dataset = RasterDataset(tmp_path, crs="EPSG:4326", res=2.0)
    patches = list(GridGeoSampler(dataset, size=10))
    assert min(patch.minx for patch in patches) == -180 and max(patch.maxx for patch in patches) == 180
    for patch in patches:
        assert dataset[patch]["image"].all()


def test_a_0_360_grid_and_a_minus_180_180_grid_mosaic_and_intersect(tmp_path: Path) -> None:
    # The global file (first) covers the regional one; the regional one (-175..-165) lies at 185..195 in it.
    path = lonlat_file(tmp_path / "a_global.tif", 0, 360)
    lonlat_file(tmp_path / "b_region.tif", -175, 10, seed=1)
    dataset = RasterDataset(tmp_path, crs="EPSG:4326")
    image = dataset[query(dataset, -178, -168, 40, 60)]["image"].numpy()
    np.testing.assert_array_equal(image, columns(path, 182, 192))
    regional = RasterDataset(tmp_path / "b_region.tif")
    both = dataset & regional
    assert both.bounds.minx == -175 and both.bounds.maxx == -165
    assert both[both.bounds]["image"].shape[0] == 2


def test_a_vector_dataset_indexes_and_burns_features_past_180_where_they_lie(tmp_path: Path) -> None:
    # Like rasters, features written at 185..190 E lie at 175..170 W: indexed and burnt there.
    write_vector(tmp_path / "pacific.geojson", [shapely.box(185, 40, 190, 45)], "EPSG:4326")
    dataset = VectorDataset(tmp_path, res=0.5)
    assert dataset.wraps_longitudes and RasterDataset.wraps_longitudes
    assert entries(dataset) == [(-175.0, -170.0, 40.0, 45.0)]
    assert dataset[query(dataset, -175, -170, 40, 45)]["mask"].all()
