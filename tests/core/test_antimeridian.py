"""Files whose footprint crosses the antimeridian of the dataset's CRS: indexed and read on both sides."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import rasterio
from affine import Affine
from rasterio.crs import CRS
from rasterio.enums import Resampling
from rasterio.warp import reproject, transform

from geotorch.core import BoundingBox, RasterDataset
from geotorch.core.geo import build_index
from geotorch.core.grid import Grid
from geotorch.samplers import GridGeoSampler
from tests.core.gdal_warps import assert_like_gdals_bilinear, exact_bilinear
from tests.core.rasters import grid, random_bands, write_raster

#: 300 x 100 pixels of 1 km in UTM zone 1N at 62-63 N: longitudes 179.04 E to 175.02 W.
UTM_1N = Affine(1000, 0, 300000, 0, -1000, 7000000)


@pytest.fixture
def scene(tmp_path: Path) -> Path:
    path: Path = write_raster(tmp_path / "scene.tif", random_bands((1, 100, 300)), "EPSG:32601", UTM_1N)
    return path


def entries(dataset: RasterDataset) -> list[tuple[float, ...]]:
    return [tuple(hit.bounds) for hit in dataset.index.intersection(dataset.index.bounds, objects=True)]


def gdal_warp(path: Path, query: BoundingBox, crs: str, res: float) -> np.ndarray:
    """GDAL's bilinear warp of the whole file onto the query's grid (0 where no data).

    The target pixels are smaller than the file's along both axes, so the kernel is
    not widened: the kernel scale is pinned to 1 (GDAL would guess it from its source
    window, which for a file across the antimeridian spans the whole world).
    """
    target = Grid.from_bbox(query, CRS.from_user_input(crs), (res, res))
    out = np.zeros((1, target.height, target.width), dtype="uint16")
    with rasterio.open(path) as source:
        reproject(rasterio.band(source, [1]), out, dst_transform=target.transform, dst_crs=target.crs,
                  dst_nodata=0, resampling=Resampling.bilinear, XSCALE=1, YSCALE=1)
    return out


def test_a_utm_1n_scene_across_180_is_indexed_on_both_sides_in_epsg_4326(scene: Path) -> None:
    dataset = RasterDataset(scene, crs="EPSG:4326", res=0.01)
    boxes = sorted(entries(dataset))
    assert len(boxes) == 2
    assert all(box[0] <= box[1] and box[2] <= box[3] for box in boxes)
    west, east = boxes
    assert west[:2] == pytest.approx((-180, -175.02), abs=0.01)
    assert east[:2] == pytest.approx((179.04, 180), abs=0.01)
    assert dataset.bounds.minx == -180 and dataset.bounds.maxx == 180


@pytest.mark.parametrize(
    "longitudes", [(179.5, 179.9), (-179.9, -179.5), (179.8, 180.0), (-180.0, -179.8)],
    ids=["east", "west", "east-edge", "west-edge"],
)
def test_a_utm_1n_scene_across_180_is_read_on_both_sides(scene: Path, longitudes: tuple[float, float]) -> None:
    # 0.005 degrees: 256 m by 555 m at 62.6 N, smaller than the scene's 1 km pixels
    dataset = RasterDataset(scene, crs="EPSG:4326", res=0.005)
    query = BoundingBox(*longitudes, 62.4, 62.8, dataset.bounds.mint, dataset.bounds.maxt)
    image = dataset[query]["image"].numpy()
    assert image.all(), "the scene covers the whole query"
    np.testing.assert_array_equal(image, gdal_warp(scene, query, "EPSG:4326", 0.005).astype("float32"))


def test_the_default_res_of_a_scene_across_180_is_its_pixel_size_not_the_worlds(scene: Path) -> None:
    dataset = RasterDataset(scene, crs="EPSG:4326")
    # 1 km is 0.009 degrees of latitude, 0.0195 degrees of longitude at 62.6 N
    assert 0.009 < dataset.res[0] < 0.0195
    assert dataset.res[0] == dataset.res[1]


def test_in_web_mercator_a_scene_across_180_gets_two_entries_not_the_whole_world(scene: Path) -> None:
    dataset = RasterDataset(scene, crs="EPSG:3857", res=500)  # 231 m on the ground at 62.6 N
    boxes = sorted(entries(dataset))
    assert len(boxes) == 2
    assert all(box[1] - box[0] < 1e6 for box in boxes)
    for box in boxes:
        query = BoundingBox(box[0], box[1], box[2], box[3], dataset.bounds.mint, dataset.bounds.maxt)
        image = dataset[query]["image"].numpy()
        assert image.any()
        # GeoTorch's own bilinear (see tests.core.gdal_warps): GDAL's positions are up to 0.09 px off here,
        # which on random pixels moves values by tens; GDAL's kernel at exact positions, bar rounding.
        with rasterio.open(scene) as source:
            expected, _, settled = exact_bilinear(source, Grid.from_bbox(query, dataset.crs, dataset.res))
        assert_like_gdals_bilinear(image, expected, 0, settled=settled)


def test_in_a_crs_continuous_across_180_the_scene_keeps_one_entry(scene: Path) -> None:
    dataset = RasterDataset(scene, crs="EPSG:32660")
    assert len(dataset) == 1


def test_a_grid_pass_over_a_scene_across_180_reads_pixels_on_both_sides(scene: Path) -> None:
    dataset = RasterDataset(scene, crs="EPSG:4326", res=0.02)
    patches = list(GridGeoSampler(dataset, size=16))
    assert any(patch.maxx <= -175 for patch in patches) and any(patch.minx >= 179 for patch in patches)
    for patch in patches:
        assert dataset[patch]["image"].any()


def test_a_query_over_both_sides_reads_the_scene_and_its_neighbour(scene: Path, tmp_path: Path) -> None:
    # A query over the whole dataset touches both entries of the scene and the other file's.
    write_raster(tmp_path / "other.tif", random_bands((1, 10, 10), seed=1), "EPSG:32601",
                 grid(400000, 6960000, 1000))
    dataset = RasterDataset(tmp_path, crs="EPSG:4326", res=0.05)
    assert len(dataset) == 3
    image = dataset[dataset.bounds]["image"].numpy()
    assert image.shape[-1] == round(360 / 0.05)
    assert image.any()


def test_a_box_that_is_not_a_box_names_its_item() -> None:
    with pytest.raises(ValueError, match=r"scene\.tif"):
        build_index([((10.0, 5.0, 0.0, 1.0, 0.0, 1.0), "scene.tif")])
    with pytest.raises(ValueError, match=r"other\.tif"):
        build_index([((0.0, 1.0, 0.0, 1.0, 0.0, 1.0), "fine.tif"), ((0.0, float("nan"), 0.0, 1.0, 0.0, 1.0),
                                                                       "other.tif")])


@pytest.mark.parametrize(("polar", "target", "rows"), [
    ("EPSG:3031", "EPSG:3857", (-16e6, -15e6)), ("EPSG:3413", "EPSG:3857", (15e6, 16e6)),
    ("EPSG:3031", "EPSG:4326", (-89.0, -88.0)), ("EPSG:3413", "EPSG:32633", (8.9e6, 9.3e6)),
])
def test_a_footprint_around_a_pole_is_indexed_over_its_whole_extent(tmp_path: Path, polar: str, target: str,
                                                                     rows: tuple[float, float]) -> None:
    # 4000 km square around the pole: its edges only reach 64 degrees of latitude, its middle reaches 90.
    # A query near the pole (81 degrees in Web Mercator) finds the file and reads what GDAL's warp gives.
    path = write_raster(tmp_path / "p.tif", np.full((1, 40, 40), 5, "uint8"), polar,
                        Affine(1e5, 0, -2e6, 0, -1e5, 2e6), nodata=0)
    res = 1.0 if target == "EPSG:4326" else 1e5 if target == "EPSG:3857" else 4e4
    columns = (0.0, 10.0) if target == "EPSG:4326" else (0.0, 1e6) if target == "EPSG:3857" else (4e5, 8e5)
    dataset = type("Polar", (RasterDataset,), {"is_image": False})(path, crs=target, res=res)
    query = BoundingBox(*columns, *rows, dataset.bounds.mint, dataset.bounds.maxt)
    mask = dataset[query]["mask"].numpy()
    target_grid = Grid.from_bbox(query, dataset.crs, dataset.res)
    expected = np.zeros((1, target_grid.height, target_grid.width), "uint8")
    with rasterio.open(path) as source:
        reproject(rasterio.band(source, 1), expected, dst_transform=target_grid.transform, dst_crs=target_grid.crs,
                  dst_nodata=0, resampling=Resampling.nearest)
    np.testing.assert_array_equal(mask, expected[0])
    assert (mask == 5).all()


def test_a_pole_the_datasets_crs_sends_to_infinity_is_refused_naming_the_file(tmp_path: Path) -> None:
    # Antarctica in EPSG:3413 (north polar): GDAL cannot suggest a grid ("Computed dimensions are too big",
    # naming no file) and no box holds the footprint, whose pole lies at infinity.
    path = write_raster(tmp_path / "south.tif", random_bands((1, 40, 40), "uint16"), "EPSG:3031",
                        Affine(1e5, 0, -2e6, 0, -1e5, 2e6), nodata=0)
    kind = type("Polar", (RasterDataset,), {"is_image": False})
    with pytest.raises(ValueError, match=r"south\.tif.*south pole.*EPSG:3413"):
        kind(path, crs="EPSG:3413")


@pytest.mark.parametrize("target", ["EPSG:32633", "EPSG:3995"])
def test_a_polar_cap_outside_the_crss_area_of_use_is_indexed_whole(tmp_path: Path, target: str) -> None:
    # Antarctica in a UTM zone of the north: its interior near the pole lies beyond its edges' box, and is
    # read where GDAL's warp puts it. The Arctic's stereographic EPSG:3995 sends the south pole to infinity.
    path = write_raster(tmp_path / "south.tif", random_bands((1, 40, 40), "uint16"), "EPSG:3031",
                        Affine(1e5, 0, -2e6, 0, -1e5, 2e6), nodata=0)
    kind = type("Polar", (RasterDataset,), {"is_image": False})
    if target == "EPSG:3995":
        with pytest.raises(ValueError, match=r"south\.tif"):
            kind(path, crs=target)
        return
    dataset = kind(path, crs=target, res=1e5)
    x, y = transform("EPSG:3031", target, [1e5], [-1e5])
    query = BoundingBox(x[0] - 5e5, x[0] + 5e5, y[0] - 5e5, y[0] + 5e5, dataset.bounds.mint, dataset.bounds.maxt)
    mask = dataset[query]["mask"].numpy()
    grid_ = Grid.from_bbox(query, dataset.crs, dataset.res)
    expected = np.zeros((1, grid_.height, grid_.width), "uint16")
    with rasterio.open(path) as source:
        reproject(rasterio.band(source, 1), expected, dst_transform=grid_.transform, dst_crs=grid_.crs,
                  dst_nodata=0, resampling=Resampling.nearest)
    np.testing.assert_array_equal(mask, expected[0])
    assert (mask > 0).sum() >= 20
