"""``GeoDataset.to(crs)`` without ``res``: the view's pixel size is the dataset's, in the new CRS's units."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import shapely
import torch
from rasterio.warp import calculate_default_transform

from geotorch.core import RasterDataset, VectorDataset
from tests.core.rasters import grid, write_raster, write_vector

#: The scene's bounds in UTM 33N: left, bottom, right, top.
SCENE = (500000.0, 4999400.0, 500900.0, 5000000.0)


@pytest.fixture
def utm_folder(tmp_path: Path) -> Path:
    """One 20 x 30 px GeoTIFF of 30 m pixels in UTM 33N, at about 45 degrees north; values 1..600."""
    pixels = np.arange(1, 601, dtype=np.uint16).reshape(1, 20, 30)
    write_raster(tmp_path / "scene.tif", pixels, "EPSG:32633", grid(500000.0, 5000000.0, 30.0))
    return tmp_path


def test_a_view_in_degrees_has_the_pixel_size_of_the_dataset_built_in_degrees(utm_folder: Path) -> None:
    built = RasterDataset(utm_folder, crs="EPSG:4326")
    view = RasterDataset(utm_folder).to("EPSG:4326")
    # Was (30.0, 30.0): 30 m read as 30 degrees, the whole scene one pixel.
    assert view.res == pytest.approx(built.res)
    # GDAL's suggestion for warping the scene to degrees, as gdalwarp would choose it.
    suggested, width, height = calculate_default_transform("EPSG:32633", "EPSG:4326", 30, 20, *SCENE)
    assert view.res == pytest.approx((suggested.a, -suggested.e))
    sample = view[view.bounds]["image"]
    assert sample.shape == built[built.bounds]["image"].shape == (1, height, width) == (1, 15, 33)
    torch.testing.assert_close(sample, built[built.bounds]["image"])
    assert sample[sample > 0].min() >= 1 and sample.max() <= 600


def test_a_view_back_in_metres_has_the_files_pixel_size(utm_folder: Path) -> None:
    degrees = RasterDataset(utm_folder, crs="EPSG:4326")
    view = degrees.to("EPSG:32633")
    assert view.res == pytest.approx((30.0, 30.0), rel=0.05)
    assert view[view.bounds]["image"].shape == (1, 20, 30)


def test_a_given_res_and_an_unchanged_crs_are_kept(utm_folder: Path) -> None:
    dataset = RasterDataset(utm_folder)
    assert dataset.to("EPSG:4326", 0.001).res == (0.001, 0.001)
    assert dataset.to().res == dataset.to("EPSG:32633").res == (30.0, 30.0)
    assert dataset.to(res=60).res == (60.0, 60.0)


@pytest.mark.parametrize("operator", ["&", "|"])
def test_a_composition_moved_to_degrees_has_its_pixel_size_in_degrees(utm_folder: Path, operator: str) -> None:
    first, second = RasterDataset(utm_folder), RasterDataset(utm_folder)
    composite = first & second if operator == "&" else first | second
    view = composite.to("EPSG:4326")
    assert view.res == pytest.approx(RasterDataset(utm_folder, crs="EPSG:4326").res)
    # An intersection keeps the whole pixels of the shared box: 32 of the 33 columns.
    assert view[view.bounds]["image"].shape == ((2, 15, 32) if operator == "&" else (1, 15, 33))


def test_a_vector_view_in_degrees_has_its_pixel_size_in_degrees(tmp_path: Path) -> None:
    write_vector(tmp_path / "field.geojson", [shapely.box(500000, 4999400, 500900, 5000000)], "EPSG:32633")
    view = VectorDataset(tmp_path, res=30.0).to("EPSG:4326")
    suggested, _, _ = calculate_default_transform("EPSG:32633", "EPSG:4326", 30, 20, *SCENE)
    assert view.res == pytest.approx((suggested.a, -suggested.e))
    mask = view[view.bounds]["mask"]
    assert mask.shape[0] > 10 and mask.float().mean() > 0.5


def test_a_view_takes_the_pixel_size_of_the_first_file_not_of_the_whole_extent(tmp_path: Path) -> None:
    # Two 0.01-degree tiles, at the equator and at 70 N: their joint extent would give 1582 m.
    for name, top in (("a.tif", 0.05), ("b.tif", 70.05)):
        write_raster(tmp_path / name, np.ones((1, 10, 10), dtype=np.float32), "EPSG:4326", grid(10.0, top, 0.01))
    view = RasterDataset(tmp_path).to("EPSG:3857")
    assert view.res == pytest.approx(RasterDataset(tmp_path, crs="EPSG:3857").res)
    assert view.res == pytest.approx((1113.19, 1113.19), rel=1e-4)


def test_a_view_of_a_file_across_the_antimeridian_keeps_its_pixel_size(tmp_path: Path) -> None:
    # Indexed as two entries, at 179.9..180 and -180..-179.9: the bounds span the globe (0.307 m pixels).
    write_raster(tmp_path / "pacific.tif", np.ones((1, 10, 20), dtype=np.float32), "EPSG:4326", grid(179.9, 0.05, 0.01))
    view = RasterDataset(tmp_path).to("EPSG:3832")
    assert view.res == pytest.approx(RasterDataset(tmp_path, crs="EPSG:3832").res, rel=0.01)
    assert view.res[0] == pytest.approx(1111.0, rel=0.01)
