"""RasterDataset: finding, indexing and reading GeoTIFFs onto the dataset's grid."""

from __future__ import annotations

import pickle
import warnings
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path

import numpy as np
import pytest
import rasterio
import torch
from matplotlib.figure import Figure
from pyproj import Transformer
from rasterio.enums import Resampling
from rasterio.vrt import WarpedVRT
from rasterio.warp import reproject
from rasterio.windows import Window

from geotorch.core import BoundingBox, DatasetNotFoundError, RasterDataset, RasterReadError, set_max_open_files
from geotorch.core.grid import Grid
from geotorch.core.handles import open_files
from geotorch.core.plotting import plot_sample
from geotorch.core.warp import kernel_scale
from tests.core.gdal_warps import assert_like_gdals_bilinear, exact_bilinear
from tests.core.rasters import damage_first_tile, grid, random_bands, write_raster

LEFT, TOP = 600000.0, 4000000.0


class Scenes(RasterDataset):
    filename_glob = "*.tif"
    all_bands = ("B1", "B2", "B3")
    rgb_bands = ("B3", "B2", "B1")


class Labels(RasterDataset):
    filename_glob = "*.tif"
    is_image = False


def file_window(path: Path, query: BoundingBox, indexes: Sequence[int] | None = None) -> np.ndarray:
    """Pixels of ``path`` under ``query``, read by rasterio alone (the query must be on the file's grid)."""
    with rasterio.open(path) as source:
        col0, row0 = ~source.transform @ (query.minx, query.maxy)
        col1, row1 = ~source.transform @ (query.maxx, query.miny)
        window = Window(round(col0), round(row0), round(col1 - col0), round(row1 - row0))
        pixels: np.ndarray = source.read(
            indexes or list(range(1, source.count + 1)), window=window, boundless=True, fill_value=0
        )
    return pixels


def gdal_warp(path: Path, query: BoundingBox, crs: str, res: float, resampling: Resampling) -> np.ndarray:
    """GDAL's warp of ``path`` onto the grid of ``query``, through a WarpedVRT, band by band.

    The kernel scale (XSCALE, YSCALE) is fixed to the ratio of the file's pixel
    size in ``crs`` to ``res``: without it GDAL guesses the ratio from the source
    window of each request, so the VRT's values would depend on how it chunks
    the read (a multi-band read and single-band reads already disagree).
    """
    target = Grid.from_bbox(query, rasterio.crs.CRS.from_user_input(crs), (res, res))
    with rasterio.open(path) as source:
        native, _, _ = rasterio.warp.calculate_default_transform(
            source.crs, target.crs, source.width, source.height, *source.bounds
        )
        source_res = source.res if source.crs == target.crs else (abs(native.a), abs(native.e))
        with WarpedVRT(
            source,
            crs=target.crs,
            transform=target.transform,
            width=target.width,
            height=target.height,
            resampling=resampling,
            XSCALE=source_res[0] / res,
            YSCALE=source_res[1] / res,
        ) as vrt:
            return np.stack([vrt.read(index) for index in range(1, source.count + 1)])


def textbook_bilinear(path: Path, query: BoundingBox, crs: str, res: float) -> np.ndarray:
    """Bilinear interpolation of band 1 at the centre of every pixel of the query's grid, with pyproj and numpy."""
    target = Grid.from_bbox(query, rasterio.crs.CRS.from_user_input(crs), (res, res))
    with rasterio.open(path) as source:
        data = source.read(1).astype("float64")
        to_source = Transformer.from_crs(target.crs.to_wkt(), source.crs.to_wkt(), always_xy=True)
        cols, rows = np.meshgrid(np.arange(target.width) + 0.5, np.arange(target.height) + 0.5)
        x, y = to_source.transform(*(target.transform @ (cols, rows)))
        col, row = ~source.transform @ (x, y)
    col, row = col - 0.5, row - 0.5
    col0, row0 = np.floor(col).astype(int), np.floor(row).astype(int)
    dc, dr = col - col0, row - row0
    interpolated: np.ndarray = (
        data[row0, col0] * (1 - dc) * (1 - dr)
        + data[row0, col0 + 1] * dc * (1 - dr)
        + data[row0 + 1, col0] * (1 - dc) * dr
        + data[row0 + 1, col0 + 1] * dc * dr
    )
    return interpolated


@pytest.fixture
def scene(tmp_path: Path) -> Path:
    """A 3-band uint16 64 x 64 scene at 30 m in EPSG:32616, without nodata."""
    path: Path = write_raster(
        tmp_path / "scenes" / "scene.tif", random_bands((3, 64, 64)), "EPSG:32616", grid(LEFT, TOP)
    )
    return path


# Paths, root and missing data


def test_paths_may_be_a_folder_searched_recursively(tmp_path: Path) -> None:
    for name in ("a.tif", "deep/er/b.tif"):
        write_raster(tmp_path / name, random_bands((3, 8, 8)), "EPSG:32616", grid(LEFT, TOP))
    assert len(Scenes(tmp_path)) == 2


def test_paths_may_be_a_file_or_a_list(tmp_path: Path) -> None:
    a = write_raster(tmp_path / "one" / "a.tif", random_bands((3, 8, 8)), "EPSG:32616", grid(LEFT, TOP))
    write_raster(tmp_path / "one" / "b.tif", random_bands((3, 8, 8)), "EPSG:32616", grid(LEFT + 240, TOP))
    write_raster(tmp_path / "two" / "c.tif", random_bands((3, 8, 8)), "EPSG:32616", grid(LEFT + 480, TOP))
    assert len(Scenes(a)) == 1
    assert len(Scenes(str(a))) == 1
    assert len(Scenes([a, tmp_path / "two"])) == 2
    assert len(Scenes([tmp_path / "one", a])) == 2


def test_root_is_an_alias_of_paths(scene: Path) -> None:
    assert Scenes(root=scene.parent).bounds == Scenes(paths=scene.parent).bounds


def test_paths_and_root_together_are_refused(scene: Path) -> None:
    with pytest.raises(ValueError, match="not both"):
        Scenes(scene.parent, root=scene.parent)


@pytest.mark.parametrize(("kwargs", "message"), [
    ({"paths": 5}, r"Scenes: paths=5 must be a path, a URL or a list of them"),
    ({"root": 5.0}, r"Scenes: root=5.0 must be a path, a URL or a list of them"),
    ({"paths": b"folder"}, r"Scenes: paths=b'folder' must be a path"),
    ({"paths": ["a.tif", 3]}, r"Scenes: paths holds 3 \(int\), not a path or URL"),
    ({"paths": [None]}, r"Scenes: paths holds None \(NoneType\), not a path or URL"),
])
def test_paths_that_are_no_paths_are_refused_naming_the_argument(kwargs: dict[str, object], message: str) -> None:
    with pytest.raises(TypeError, match=message):
        Scenes(**kwargs)  # type: ignore[arg-type]


def test_missing_folder_raises_dataset_not_found_naming_it(tmp_path: Path) -> None:
    missing = tmp_path / "nowhere"
    with pytest.raises(DatasetNotFoundError, match="nowhere") as caught:
        Scenes(missing)
    assert caught.value.where == [str(missing)]
    assert isinstance(caught.value, FileNotFoundError)


def test_empty_folder_raises_dataset_not_found(tmp_path: Path) -> None:
    (tmp_path / "empty").mkdir()
    with pytest.raises(DatasetNotFoundError, match="empty"):
        Scenes(tmp_path / "empty")


def test_files_that_are_not_rasters_are_skipped_with_a_warning(tmp_path: Path, scene: Path) -> None:
    (scene.parent / "notes.tif").write_text("not a GeoTIFF")
    with pytest.warns(UserWarning, match="notes.tif"):
        dataset = Scenes(scene.parent)
    assert len(dataset) == 1


def test_only_files_matching_glob_and_regex_are_indexed(tmp_path: Path) -> None:
    class Band4Only(Scenes):
        filename_glob = "*_B4.tif"
        filename_regex = r"^L8_ (?P<date>\d{8}) _B4\.tif$"  # verbose: spaces are ignored

    for name in ("L8_20200101_B4.tif", "L8_20200101_B5.tif", "X8_20200101_B4.tif", "L8_2020_B4.tif"):
        write_raster(tmp_path / name, random_bands((3, 8, 8)), "EPSG:32616", grid(LEFT, TOP))
    dataset = Band4Only(tmp_path)
    assert len(dataset) == 1


def test_str_summarises_the_dataset(scene: Path) -> None:
    text = str(Scenes(scene))
    assert "Scenes with 1 items" in text
    assert "EPSG:32616" in text


# CRS, resolution, bounds


def test_crs_res_and_bounds_default_to_the_first_file(scene: Path) -> None:
    dataset = Scenes(scene)
    assert dataset.crs == rasterio.crs.CRS.from_epsg(32616)
    assert dataset.res == (30.0, 30.0)
    assert tuple(dataset.bounds)[:4] == (LEFT, LEFT + 64 * 30, TOP - 64 * 30, TOP)


def test_res_may_be_given(scene: Path) -> None:
    dataset = Scenes(scene, res=60)
    assert dataset.res == (60.0, 60.0)
    assert dataset[dataset.bounds]["image"].shape == (3, 32, 32)
    assert Scenes(scene, res=(10, 20)).res == (10.0, 20.0)
    with pytest.raises(ValueError, match="positive"):
        Scenes(scene, res=0)


def test_another_crs_reprojects_the_bounds_and_the_default_res(scene: Path) -> None:
    dataset = Scenes(scene, crs="EPSG:32617")
    assert dataset.crs == rasterio.crs.CRS.from_epsg(32617)
    with rasterio.open(scene) as source:
        left, bottom, right, top = rasterio.warp.transform_bounds(source.crs, dataset.crs, *source.bounds)
    assert tuple(dataset.bounds)[:4] == pytest.approx((left, right, bottom, top), abs=1)
    assert dataset.res == pytest.approx((30, 30), rel=0.05)
    assert dataset.res != (30.0, 30.0)


# Bands, images and masks


def test_image_is_float_channels_first(scene: Path) -> None:
    sample = Scenes(scene)[Scenes(scene).bounds]
    assert sample["image"].dtype == torch.float32
    assert sample["image"].shape == (3, 64, 64)
    assert sample["crs"] == rasterio.crs.CRS.from_epsg(32616)
    assert "mask" not in sample


def test_bands_select_and_order_the_channels(scene: Path) -> None:
    dataset = Scenes(scene, bands=["B3", "B1"])
    assert dataset.channels == {"image": 2}
    with rasterio.open(scene) as source:
        expected = source.read([3, 1])
    np.testing.assert_array_equal(dataset[dataset.bounds]["image"].numpy(), expected)


def test_default_bands_are_used_when_bands_is_not_given(scene: Path) -> None:
    class TwoBands(Scenes):
        default_bands = ("B2", "B3")

    assert TwoBands(scene).bands == ("B2", "B3")
    assert TwoBands(scene).channels == {"image": 2}


def test_unknown_band_is_refused_with_the_known_ones(scene: Path) -> None:
    with pytest.raises(ValueError, match=r"unknown band\(s\) \['B9'\].*'B1', 'B2', 'B3'"):
        Scenes(scene, bands=["B1", "B9"])
    with pytest.raises(ValueError, match="at least one band"):
        Scenes(scene, bands=[])


def test_mask_is_long_without_a_channel_axis(tmp_path: Path) -> None:
    path = write_raster(tmp_path / "labels.tif", random_bands((1, 16, 16), "uint8"), "EPSG:32616", grid(LEFT, TOP))
    dataset = Labels(path)
    sample = dataset[dataset.bounds]
    assert dataset.channels == {"mask": 1}
    assert sample["mask"].dtype == torch.int64
    assert sample["mask"].shape == (16, 16)
    assert "image" not in sample
    with rasterio.open(path) as source:
        np.testing.assert_array_equal(sample["mask"].numpy(), source.read(1))


def test_multiband_mask_keeps_its_channel_axis(tmp_path: Path) -> None:
    path = write_raster(tmp_path / "labels.tif", random_bands((2, 16, 16), "uint8"), "EPSG:32616", grid(LEFT, TOP))
    assert Labels(path)[Labels(path).bounds]["mask"].shape == (2, 16, 16)


def test_transforms_are_applied_to_every_sample(scene: Path) -> None:
    def double(sample: dict[str, torch.Tensor]) -> dict[str, torch.Tensor]:
        return {**sample, "image": sample["image"] * 2}

    plain, doubled = Scenes(scene), Scenes(scene, transforms=double)
    torch.testing.assert_close(doubled[plain.bounds]["image"], plain[plain.bounds]["image"] * 2)


# Reads on the dataset's own grid are exact


@pytest.mark.parametrize(
    ("tiled", "compress"), [(False, None), (True, None), (True, "deflate"), (False, "lzw")], ids=str
)
def test_window_on_the_own_grid_is_the_files_pixels_bit_for_bit(tmp_path: Path, tiled: bool, compress: str) -> None:
    array = np.random.default_rng(1).normal(size=(2, 50, 40)).astype("float32")
    path = write_raster(tmp_path / "f.tif", array, "EPSG:32616", grid(LEFT, TOP), tiled=tiled, compress=compress)
    dataset = RasterDataset(path)
    for col, row, width, height in ((0, 0, 40, 50), (3, 7, 20, 11), (17, 33, 23, 17), (39, 49, 1, 1)):
        query = BoundingBox(LEFT + col * 30, LEFT + (col + width) * 30, TOP - (row + height) * 30, TOP - row * 30)
        image = dataset[query]["image"].numpy()
        np.testing.assert_array_equal(image, file_window(path, query))
        np.testing.assert_array_equal(image, array[:, row : row + height, col : col + width])


@pytest.mark.parametrize("dtype", ["uint8", "int8", "uint16", "int16", "int32", "float64"])
def test_every_pixel_type_reads_as_the_files_values_in_float32(tmp_path: Path, dtype: str) -> None:
    # Types float32 holds exactly are decoded straight into float32; the others are converted after.
    values = np.random.default_rng(2).integers(-100, 100, size=(3, 40, 40)) * (2**20 if dtype == "int32" else 1)
    array = (np.abs(values) if dtype.startswith("u") else values).astype(dtype)
    path = write_raster(tmp_path / "f.tif", array, "EPSG:32616", grid(LEFT, TOP), tiled=True, compress="deflate")
    query = BoundingBox(LEFT + 90, LEFT + 900, TOP - 1050, TOP - 60)
    image = RasterDataset(path)[query]["image"]
    assert image.dtype == torch.float32
    np.testing.assert_array_equal(image.numpy(), array[:, 2:35, 3:30].astype("float32"))


def test_window_reaching_past_the_file_is_filled_with_nodata(tmp_path: Path) -> None:
    path = write_raster(tmp_path / "f.tif", random_bands((1, 10, 10)), "EPSG:32616", grid(LEFT, TOP), nodata=0)
    dataset = RasterDataset(path)
    image = dataset[LEFT + 150 : LEFT + 450, TOP - 450 : TOP - 150]["image"][0].numpy()
    assert image.shape == (10, 10)
    np.testing.assert_array_equal(
        image[:5, :5], file_window(path, BoundingBox(LEFT + 150, LEFT + 300, TOP - 300, TOP - 150))[0]
    )
    assert not image[5:, :].any()
    assert not image[:, 5:].any()


# Reads on another grid agree with GDAL's warp


@pytest.mark.parametrize("query_offset", [(0, 0), (95, 400), (1000.5, 1333.25)], ids=["corner", "inner", "off-grid"])
def test_file_in_another_crs_is_warped_like_gdal(tmp_path: Path, query_offset: tuple[float, float]) -> None:
    path = write_raster(
        tmp_path / "utm17.tif", random_bands((2, 64, 64)), "EPSG:32617", grid(230000, 3900000), nodata=0
    )
    dataset = RasterDataset(path, crs="EPSG:32616", res=30)
    assert dataset.resampling == Resampling.bilinear
    bounds = dataset.bounds
    dx, dy = query_offset
    query = BoundingBox(bounds.minx + dx, bounds.minx + dx + 900, bounds.maxy - dy - 600, bounds.maxy - dy)
    image = dataset[query]["image"].numpy()
    assert image.shape == (2, 20, 30)
    # GeoTorch's own bilinear: GDAL's kernel at exact positions, bar rounding (see tests.core.gdal_warps).
    with rasterio.open(path) as source:
        expected, _, settled = exact_bilinear(source, Grid.from_bbox(query, dataset.crs, dataset.res))
    assert_like_gdals_bilinear(image, expected, 0, settled=settled)


def test_warped_pixels_are_bilinear_interpolations_of_the_file(tmp_path: Path) -> None:
    path = write_raster(tmp_path / "utm17.tif", random_bands((1, 64, 64)), "EPSG:32617", grid(230000, 3900000))
    dataset = RasterDataset(path, crs="EPSG:32616", res=30)
    centre_x, centre_y = (
        (dataset.bounds.minx + dataset.bounds.maxx) / 2,
        (dataset.bounds.miny + dataset.bounds.maxy) / 2,
    )
    query = BoundingBox(centre_x - 450, centre_x + 450, centre_y - 300, centre_y + 300)
    expected = textbook_bilinear(path, query, "EPSG:32616", 30)
    # GDAL rounds to the file's integer dtype (half a unit) and evaluates the CRS transformation with a linear
    # approximation across each chunk (error below 0.125 px); on these values that stays below one unit.
    np.testing.assert_allclose(dataset[query]["image"][0].numpy(), expected, atol=1, rtol=0)


@pytest.mark.parametrize("res", [25, 30, 60])
def test_a_warped_pixel_does_not_depend_on_the_query_around_it(tmp_path: Path, res: float) -> None:
    path = write_raster(tmp_path / "utm17.tif", random_bands((1, 64, 64)), "EPSG:32617", grid(230000, 3900000))
    dataset = RasterDataset(path, crs="EPSG:32616", res=res)
    left, top = dataset.bounds.minx + 300, dataset.bounds.maxy - 300
    whole = dataset[left : left + 20 * res, top - 20 * res : top]["image"][0].numpy()
    for col, row, width, height in ((5, 5, 10, 10), (5, 5, 15, 5), (2, 12, 17, 3), (0, 0, 20, 1)):
        part = dataset[left + col * res : left + (col + width) * res, top - (row + height) * res : top - row * res]
        np.testing.assert_array_equal(part["image"][0].numpy(), whole[row : row + height, col : col + width])


def test_mask_in_another_crs_is_warped_with_nearest_neighbour(tmp_path: Path) -> None:
    labels = np.random.default_rng(2).choice([1, 5, 9], size=(1, 64, 64)).astype("uint8")
    path = write_raster(tmp_path / "labels.tif", labels, "EPSG:32617", grid(230000, 3900000))
    dataset = Labels(path, crs="EPSG:32616", res=30)
    assert dataset.resampling == Resampling.nearest
    bounds = dataset.bounds
    query = BoundingBox(bounds.minx + 300, bounds.minx + 1200, bounds.miny + 300, bounds.miny + 1200)
    mask = dataset[query]["mask"].numpy()
    assert set(np.unique(mask)) <= {1, 5, 9}
    np.testing.assert_array_equal(mask, gdal_warp(path, query, "EPSG:32616", 30, Resampling.nearest)[0])


def test_resampling_class_attribute_is_honoured(tmp_path: Path) -> None:
    class Cubic(RasterDataset):
        resampling = Resampling.cubic

    path = write_raster(tmp_path / "utm17.tif", random_bands((1, 32, 32)), "EPSG:32617", grid(230000, 3900000))
    dataset = Cubic(path, crs="EPSG:32616", res=25)
    bounds = dataset.bounds
    query = BoundingBox(bounds.minx + 100, bounds.minx + 600, bounds.miny + 100, bounds.miny + 600)
    np.testing.assert_array_equal(
        dataset[query]["image"].numpy(), gdal_warp(path, query, "EPSG:32616", 25, Resampling.cubic)
    )


def test_coarser_res_on_the_same_crs_is_resampled_not_copied(scene: Path) -> None:
    dataset = Scenes(scene, res=60)
    query = BoundingBox(LEFT, LEFT + 600, TOP - 600, TOP)
    np.testing.assert_array_equal(
        dataset[query]["image"].numpy(), gdal_warp(scene, query, "EPSG:32616", 60, Resampling.bilinear)
    )


# Nodata and mosaics


def test_mosaic_takes_each_pixel_from_the_first_file_with_data(tmp_path: Path) -> None:
    # a.tif covers columns 0-19, b.tif columns 10-29 of one 30 m grid; both have nodata 0.
    a = np.full((1, 20, 20), 100, dtype="uint16")
    a[0, 5:8, 12:15] = 0  # a hole inside the overlap: b fills it
    a[0, 0:2, 0:2] = 0  # a hole outside the overlap: stays nodata
    b = np.full((1, 20, 20), 200, dtype="uint16")
    write_raster(tmp_path / "a.tif", a, "EPSG:32616", grid(LEFT, TOP), nodata=0)
    write_raster(tmp_path / "b.tif", b, "EPSG:32616", grid(LEFT + 300, TOP), nodata=0)
    dataset = RasterDataset(tmp_path)
    image = dataset[dataset.bounds]["image"][0].numpy()
    assert image.shape == (20, 30)
    expected = np.full((20, 30), 200.0)
    expected[:, :20] = 100
    expected[5:8, 12:15] = 200
    expected[0:2, 0:2] = 0
    np.testing.assert_array_equal(image, expected)


def test_a_later_file_beside_the_holes_left_is_not_read(tmp_path: Path) -> None:
    # a covers the query but for a hole in its first columns; b overlaps a's last columns only.
    a = random_bands((1, 10, 20))
    a[0, :, :3] = 0
    write_raster(tmp_path / "a.tif", a, "EPSG:32616", grid(LEFT, TOP), nodata=0)
    write_raster(tmp_path / "b.tif", random_bands((1, 10, 20), seed=1), "EPSG:32616", grid(LEFT + 450, TOP), nodata=0)
    image = RasterDataset(tmp_path)[LEFT : LEFT + 600, TOP - 300 : TOP]["image"][0].numpy()
    assert not image[:, :3].any(), "the hole lies outside b: it stays nodata"
    np.testing.assert_array_equal(image[:, 3:], a[0, :, 3:].astype("float32"))


def test_mosaic_of_files_in_another_crs_fills_nodata_from_the_next_file(tmp_path: Path) -> None:
    a = np.full((1, 20, 20), 100, dtype="uint16")
    a[0, :, 10:] = 0  # a's east half is nodata: b, at the same place, fills it
    write_raster(tmp_path / "a.tif", a, "EPSG:32617", grid(230000, 3900000), nodata=0)
    write_raster(tmp_path / "b.tif", np.full((1, 20, 20), 200, "uint16"), "EPSG:32617", grid(230000, 3900000), nodata=0)
    dataset = RasterDataset(tmp_path, crs="EPSG:32616", res=30)
    image = dataset[dataset.bounds]["image"].numpy()
    from_a = gdal_warp(tmp_path / "a.tif", dataset.bounds, "EPSG:32616", 30, Resampling.bilinear)
    from_b = gdal_warp(tmp_path / "b.tif", dataset.bounds, "EPSG:32616", 30, Resampling.bilinear)
    np.testing.assert_array_equal(image, np.where(from_a != 0, from_a, from_b))
    assert (image == 100).sum() > 100
    assert (image == 200).sum() > 100


@pytest.mark.parametrize("crs", [None, "EPSG:32616"], ids=["own-grid", "warped"])
def test_mosaic_fills_nan_nodata_from_the_next_file(tmp_path: Path, crs: str | None) -> None:
    a = np.full((1, 20, 20), 1.5, dtype="float32")
    a[0, :, 10:] = np.nan
    write_raster(tmp_path / "a.tif", a, "EPSG:32617", grid(230000, 3900000), nodata=float("nan"))
    b = np.full((1, 20, 20), 2.5, dtype="float32")
    write_raster(tmp_path / "b.tif", b, "EPSG:32617", grid(230000, 3900000), nodata=float("nan"))
    dataset = RasterDataset(tmp_path, crs=crs)
    image = dataset[dataset.bounds]["image"][0].numpy()
    assert (image == 1.5).sum() >= 180
    assert (image == 2.5).sum() >= 180  # b shows through a's NaN half


def test_nodata_defaults_to_the_files_and_fills_missing_pixels(tmp_path: Path) -> None:
    array = np.full((1, 10, 10), 7, dtype="int16")
    array[0, 0, 0] = -9999
    path = write_raster(tmp_path / "f.tif", array, "EPSG:32616", grid(LEFT, TOP), nodata=-9999)
    dataset = RasterDataset(path)
    image = dataset[LEFT : LEFT + 600, TOP - 300 : TOP]["image"][0].numpy()
    assert image[0, 0] == -9999
    assert (image[:, 10:] == -9999).all()
    assert (image[1:, :10] == 7).all()


def test_nodata_class_attribute_overrides_the_fill(tmp_path: Path) -> None:
    class FillMinusOne(RasterDataset):
        nodata = -1

    array = np.full((1, 10, 10), 7, dtype="int16")
    array[0, 0, 0] = -9999
    path = write_raster(tmp_path / "f.tif", array, "EPSG:32616", grid(LEFT, TOP), nodata=-9999)
    image = FillMinusOne(path)[LEFT : LEFT + 600, TOP - 300 : TOP]["image"][0].numpy()
    assert image[0, 0] == -1
    assert (image[:, 10:] == -1).all()


def test_without_nodata_missing_pixels_are_zero(scene: Path) -> None:
    image = Scenes(scene)[LEFT - 300 : LEFT + 300, TOP - 300 : TOP]["image"].numpy()
    assert not image[:, :, :10].any()
    assert image[:, :, 10:].all()


# Time


class Yearly(RasterDataset):
    filename_glob = "cdl_*.tif"
    filename_regex = r"cdl_(?P<date>\d{4})\.tif"
    date_format = "%Y"
    is_image = False


def test_a_year_date_covers_the_whole_year(tmp_path: Path) -> None:
    write_raster(tmp_path / "cdl_2021.tif", random_bands((1, 4, 4), "uint8"), "EPSG:32616", grid(LEFT, TOP))
    bounds = Yearly(tmp_path).bounds
    assert bounds.mint == datetime(2021, 1, 1, tzinfo=UTC).timestamp()
    assert datetime(2021, 12, 31, 23, 59, 59, tzinfo=UTC).timestamp() < bounds.maxt
    assert bounds.maxt < datetime(2022, 1, 1, tzinfo=UTC).timestamp()


def test_a_day_date_covers_that_day(scene: Path, tmp_path: Path) -> None:
    class Daily(RasterDataset):
        filename_regex = r"s_(?P<date>\d{8})\.tif"

    write_raster(tmp_path / "s_20200229.tif", random_bands((1, 4, 4)), "EPSG:32616", grid(LEFT, TOP))
    bounds = Daily(tmp_path / "s_20200229.tif").bounds
    assert bounds.mint == datetime(2020, 2, 29, tzinfo=UTC).timestamp()
    assert bounds.maxt == pytest.approx(datetime(2020, 3, 1, tzinfo=UTC).timestamp(), abs=1e-3)
    assert bounds.maxt < datetime(2020, 3, 1, tzinfo=UTC).timestamp()


def test_start_and_stop_groups_give_the_interval(tmp_path: Path) -> None:
    class Composite(RasterDataset):
        filename_regex = r"c_(?P<start>\d{6})_(?P<stop>\d{6})\.tif"
        date_format = "%Y%m"

    write_raster(tmp_path / "c_202011_202102.tif", random_bands((1, 4, 4)), "EPSG:32616", grid(LEFT, TOP))
    bounds = Composite(tmp_path).bounds
    assert bounds.mint == datetime(2020, 11, 1, tzinfo=UTC).timestamp()
    assert bounds.maxt == pytest.approx(datetime(2021, 3, 1, tzinfo=UTC).timestamp(), abs=1e-3)


def test_a_stop_before_its_start_is_refused_naming_the_file_and_both_dates(tmp_path: Path) -> None:
    class Composite(RasterDataset):
        filename_regex = r"c_(?P<start>\d{6})_(?P<stop>\d{6})\.tif"
        date_format = "%Y%m"

    write_raster(tmp_path / "c_202102_202011.tif", random_bands((1, 4, 4)), "EPSG:32616", grid(LEFT, TOP))
    for time_series in (False, True):
        with pytest.raises(ValueError, match=r"c_202102_202011\.tif: stop '202011' is before start '202102'"):
            Composite(tmp_path, time_series=time_series)


def test_a_date_that_does_not_fit_the_format_names_the_file(tmp_path: Path) -> None:
    write_raster(tmp_path / "cdl_2021.tif", random_bands((1, 4, 4), "uint8"), "EPSG:32616", grid(LEFT, TOP))

    class Monthly(Yearly):
        date_format = "%Y%m"

    with pytest.raises(ValueError, match=r"cdl_2021\.tif.*'2021'.*%Y%m"):
        Monthly(tmp_path)


def test_query_time_selects_the_files_of_that_time(tmp_path: Path) -> None:
    for year, value in ((2019, 1), (2020, 2), (2021, 3)):
        write_raster(tmp_path / f"cdl_{year}.tif", np.full((1, 4, 4), value, "uint8"), "EPSG:32616", grid(LEFT, TOP))
    dataset = Yearly(tmp_path)
    assert len(dataset) == 3
    for year, value in ((2019, 1), (2020, 2), (2021, 3)):
        mid = datetime(year, 7, 1, tzinfo=UTC)
        sample = dataset[:, :, mid:mid]
        assert (sample["mask"] == value).all(), year
    with pytest.raises(IndexError):
        dataset[:, :, datetime(2022, 2, 1, tzinfo=UTC) : datetime(2022, 3, 1, tzinfo=UTC)]
    # A query spanning several years mosaics them: the earliest file (first in the index) wins.
    assert (dataset[:, :]["mask"] == 1).all()


# One file per band


class SeparateBands(RasterDataset):
    filename_glob = "scene*_B*.tif"
    filename_regex = r"(?P<scene>scene\d)_(?P<band>B\d)\.tif"
    separate_files = True
    all_bands = ("B1", "B2", "B3")


@pytest.fixture
def separate(tmp_path: Path) -> Path:
    """Two scenes side by side, each band in its own file whose pixels are 10 * scene + band."""
    for number, left in ((1, LEFT), (2, LEFT + 300)):
        for band in (1, 2, 3):
            array = np.full((1, 10, 10), 10 * number + band, dtype="uint16")
            write_raster(tmp_path / f"scene{number}_B{band}.tif", array, "EPSG:32616", grid(left, TOP))
    return tmp_path


def test_separate_files_index_one_entry_per_scene(separate: Path) -> None:
    dataset = SeparateBands(separate)
    assert len(dataset) == 2
    assert dataset.channels == {"image": 3}


def test_separate_files_stack_the_selected_bands_in_order(separate: Path) -> None:
    dataset = SeparateBands(separate, bands=["B3", "B1"])
    image = dataset[dataset.bounds]["image"].numpy()
    assert image.shape == (2, 10, 20)
    assert (image[0, :, :10] == 13).all() and (image[1, :, :10] == 11).all()
    assert (image[0, :, 10:] == 23).all() and (image[1, :, 10:] == 21).all()


class SecondBandGlob(SeparateBands):
    """A glob naming only the files of band B2, as TorchGeo's products often do."""

    filename_glob = "scene*_B2.tif"


@pytest.mark.parametrize("bands", [["B1", "B2"], ["B2", "B1"], ["B3", "B1"], ["B1"], None])
def test_separate_files_find_scenes_whatever_band_the_glob_names(separate: Path, bands: list[str] | None) -> None:
    dataset = SecondBandGlob(separate, bands=bands)
    assert len(dataset) == 2
    image = dataset[dataset.bounds]["image"].numpy()
    for number, column in ((1, 0), (2, 10)):
        expected = [10 * number + int(band[1]) for band in bands or SeparateBands.all_bands]
        assert image[:, 5, column + 5].tolist() == expected


def test_separate_files_index_each_scene_by_its_first_selected_band(separate: Path) -> None:
    """A scene's footprint and the default res come from the first selected band's file, when found."""
    write_raster(separate / "scene1_B1.tif", np.full((1, 5, 5), 11, dtype="uint16"), "EPSG:32616",
                 grid(LEFT, TOP, res=60.0))
    assert SeparateBands(separate, bands=["B1", "B2"]).res == (60.0, 60.0)
    assert SeparateBands(separate, bands=["B2", "B1"]).res == (30.0, 30.0)


def test_separate_files_skip_a_scene_lacking_a_selected_band_naming_the_file(separate: Path) -> None:
    (separate / "scene2_B3.tif").unlink()
    with pytest.warns(UserWarning, match=r"skipping the scene of .*scene2_B1\.tif: no file .*scene2_B3\.tif"):
        dataset = SeparateBands(separate)
    assert len(dataset) == 1
    assert SeparateBands(separate, bands=["B1", "B2"]).bounds.maxx == LEFT + 600  # scene 2 has these


def test_separate_files_band_file_removed_after_indexing_raises_naming_it(separate: Path) -> None:
    dataset = SeparateBands(separate)
    (separate / "scene2_B3.tif").unlink()
    with pytest.raises(RasterReadError, match=r"scene2_B3\.tif"):
        dataset[dataset.bounds]


def test_separate_files_band_files_differing_in_extension_case_are_one_scene(separate: Path) -> None:
    (separate / "scene2_B2.tif").rename(separate / "scene2_B2.TIF")

    class AnyCase(SeparateBands):
        filename_glob = "scene*"
        filename_regex = r"(?P<scene>scene\d)_(?P<band>B\d)\.(?i:tif)"

    dataset = AnyCase(separate)
    assert len(dataset) == 2
    assert dataset[dataset.bounds]["image"].numpy()[:, 5, 15].tolist() == [21, 22, 23]


@pytest.mark.parametrize("glob", ["scene*_B1.*", "scene*_B2.*", "*.tif"])
def test_separate_files_band_files_differing_in_case_are_found_whatever_the_glob_names(
    separate: Path, glob: str
) -> None:
    (separate / "scene2_B2.tif").rename(separate / "scene2_B2.TIF")

    class AnyCase(SeparateBands):
        filename_glob = glob
        filename_regex = r"(?P<scene>scene\d)_(?P<band>B\d)\.(?i:tif)"

    dataset = AnyCase(separate)
    assert len(dataset) == 2
    assert dataset[dataset.bounds]["image"].numpy()[:, 5, 15].tolist() == [21, 22, 23]


def test_separate_files_skip_a_file_whose_name_holds_no_band(separate: Path) -> None:
    write_raster(separate / "scene3.tif", np.full((3, 10, 10), 7, dtype="uint16"), "EPSG:32616", grid(LEFT, TOP))

    class OptionalBand(SeparateBands):
        filename_glob = "scene*.tif"
        filename_regex = r"(?P<scene>scene\d)(_(?P<band>B\d))?\.tif"

    with pytest.warns(UserWarning, match=r"skipping .*scene3\.tif: its name holds no band"):
        dataset = OptionalBand(separate)
    assert len(dataset) == 2
    assert dataset[dataset.bounds]["image"].numpy()[:, 5, 5].tolist() == [11, 12, 13]


def test_separate_files_need_a_band_group(separate: Path) -> None:
    class NoBandGroup(SeparateBands):
        filename_regex = r"scene\d_B\d\.tif"

    with pytest.raises(ValueError, match=r"separate_files=True needs a \(\?P<band>\.\.\.\) group"):
        NoBandGroup(separate)


# Damaged files, handles, pickling, plotting


def test_damaged_tile_raises_raster_read_error_naming_the_file(tmp_path: Path) -> None:
    path = write_raster(
        tmp_path / "damaged.tif",
        random_bands((1, 32, 32)),
        "EPSG:32616",
        grid(LEFT, TOP),
        tiled=True,
        compress="deflate",
    )
    damage_first_tile(path)
    dataset = RasterDataset(path)
    assert dataset[LEFT + 480 : LEFT + 960, TOP - 960 : TOP - 480]["image"].shape == (1, 16, 16)  # an intact tile
    with pytest.raises(RasterReadError, match=r"damaged\.tif"):
        dataset[dataset.bounds]
    warped = RasterDataset(path, crs="EPSG:32617")
    with pytest.raises(RasterReadError, match=r"damaged\.tif"):
        warped[warped.bounds]


def test_file_removed_after_indexing_raises_raster_read_error_naming_it(tmp_path: Path) -> None:
    path = write_raster(tmp_path / "gone.tif", random_bands((1, 8, 8)), "EPSG:32616", grid(LEFT, TOP))
    dataset = RasterDataset(path)
    path.unlink()
    with pytest.raises(RasterReadError, match=r"gone\.tif"):
        dataset[dataset.bounds]


def test_open_files_are_bounded(tmp_path: Path) -> None:
    for number in range(5):
        array = np.full((1, 4, 4), number + 1, "uint8")
        write_raster(tmp_path / f"{number}.tif", array, "EPSG:32616", grid(LEFT + number * 120, TOP))
    dataset = RasterDataset(tmp_path)
    previous = open_files.max_open
    try:
        set_max_open_files(2)
        open_files.clear()
        image = dataset[dataset.bounds]["image"][0].numpy()
        assert len(open_files) <= 2
        np.testing.assert_array_equal(image[0], np.repeat(np.arange(1, 6), 4))
        image = dataset[dataset.bounds]["image"][0].numpy()
        np.testing.assert_array_equal(image[0], np.repeat(np.arange(1, 6), 4))
    finally:
        set_max_open_files(previous)
    with pytest.raises(ValueError, match="at least 1"):
        set_max_open_files(0)


def test_dataset_survives_pickling_with_its_index(scene: Path) -> None:
    dataset = Scenes(scene, crs="EPSG:32617")
    copy = pickle.loads(pickle.dumps(dataset))
    assert len(copy) == 1
    assert copy.bounds == dataset.bounds
    torch.testing.assert_close(copy[dataset.bounds]["image"], dataset[dataset.bounds]["image"])


def test_to_gives_a_view_and_leaves_the_dataset_unchanged(scene: Path) -> None:
    dataset = Scenes(scene)
    before = (dataset.crs, dataset.res, dataset.bounds, len(dataset))
    view = dataset.to("EPSG:32617", 30)
    assert view.crs == rasterio.crs.CRS.from_epsg(32617)
    assert view.bounds != dataset.bounds
    assert (dataset.crs, dataset.res, dataset.bounds, len(dataset)) == before
    assert view[view.bounds]["crs"] == view.crs


def test_plot_returns_a_figure(scene: Path, tmp_path: Path) -> None:
    dataset = Scenes(scene)
    sample = dataset[dataset.bounds]
    assert isinstance(dataset.plot(sample, suptitle="scene"), Figure)
    labels = Labels(write_raster(tmp_path / "l.tif", random_bands((1, 8, 8), "uint8"), "EPSG:32616", grid(LEFT, TOP)))
    figure = labels.plot({**labels[labels.bounds], "prediction": torch.zeros(8, 8, dtype=torch.long)})
    assert isinstance(figure, Figure)
    assert len(figure.axes) == 2


def test_plot_sample_refuses_what_it_cannot_draw() -> None:
    with pytest.raises(ValueError, match="no image, mask or prediction"):
        plot_sample({"crs": None})
    with pytest.raises(ValueError, match="exceed the image's 2 channels"):
        plot_sample({"image": torch.zeros(2, 4, 4)}, rgb_indices=[0, 1, 2])
    assert len(plot_sample({"image": torch.rand(2, 4, 4)}).axes) == 1


def test_no_warning_is_raised_by_an_ordinary_read(scene: Path) -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        dataset = Scenes(scene)
        dataset[dataset.bounds]


# Real files (../shared/data/real)


def window_query(path: Path, col: int, row: int, width: int, height: int) -> BoundingBox:
    """The BoundingBox of a pixel window of ``path``."""
    with rasterio.open(path) as source:
        left, top = source.transform @ (col, row)
        right, bottom = source.transform @ (col + width, row + height)
    return BoundingBox(left, right, bottom, top)


@pytest.mark.real_data
@pytest.mark.parametrize("window", [(0, 0, 791, 718), (100, 200, 256, 128), (700, 600, 91, 118), (1, 1, 1, 1)])
def test_real_landsat_window_is_read_bit_for_bit(real_data: Path, window: tuple[int, int, int, int]) -> None:
    path = real_data / "RGB.byte.tif"
    dataset = RasterDataset(path)
    assert dataset.crs == rasterio.crs.CRS.from_epsg(32618)
    col, row, width, height = window
    image = dataset[window_query(path, *window)]["image"].numpy()
    with rasterio.open(path) as source:
        expected = source.read(window=Window(col, row, width, height))
    assert image.shape == expected.shape
    np.testing.assert_array_equal(image, expected)


@pytest.mark.real_data
def test_real_landsat_warped_to_the_next_utm_zone_agrees_with_gdal(real_data: Path) -> None:
    path = real_data / "RGB.byte.tif"
    dataset = RasterDataset(path, crs="EPSG:32617", res=300)
    bounds = dataset.bounds
    query = BoundingBox(bounds.minx + 30000, bounds.minx + 90000, bounds.miny + 60000, bounds.miny + 120000)
    image = dataset[query]["image"].numpy()
    assert image.shape == (3, 200, 200)
    # GeoTorch's own bilinear (see tests.core.gdal_warps): GDAL's pixels filled, and GDAL's kernel at exact
    # positions bar rounding (GDAL's own positions are off enough here to move values by up to 5).
    gdals = gdal_warp(path, query, "EPSG:32617", 300, Resampling.bilinear)
    np.testing.assert_array_equal((image == 0).all(axis=0), (gdals == 0).all(axis=0))
    with rasterio.open(path) as source:
        expected, _, settled = exact_bilinear(source, Grid.from_bbox(query, dataset.crs, dataset.res))
    assert_like_gdals_bilinear(image, expected, 0, settled=settled)
    whole = dataset[bounds]["image"].numpy()
    assert (whole == 0).all(axis=0).any()  # the rotated scene leaves nodata corners, filled with 0


@pytest.mark.real_data
def test_real_hillshade_in_web_mercator_warps_like_gdal_and_fills_nodata(real_data: Path) -> None:
    path = real_data / "shade.tif"
    dataset = RasterDataset(path, crs="EPSG:32613", res=10)
    bounds = dataset.bounds
    query = BoundingBox(bounds.minx, bounds.minx + 2000, bounds.maxy - 1500, bounds.maxy)
    image = dataset[query]["image"].numpy()
    np.testing.assert_array_equal(image, gdal_warp(path, query, "EPSG:32613", 10, Resampling.bilinear))
    assert (image == 255).any()  # the rotated corner outside the file holds the file's nodata


@pytest.mark.real_data
def test_real_cog_window_across_tiles_is_read_bit_for_bit(real_data: Path) -> None:
    path = real_data / "cogeo.tif"
    dataset = RasterDataset(path)
    image = dataset[window_query(path, 500, 490, 40, 30)]["image"].numpy()
    with rasterio.open(path) as source:
        np.testing.assert_array_equal(image, source.read(window=Window(500, 490, 40, 30)))


@pytest.mark.real_data
def test_real_corrupt_tile_raises_raster_read_error_naming_the_file(real_data: Path) -> None:
    path = real_data / "corrupt.tif"
    dataset = RasterDataset(path)
    intact = dataset[window_query(path, 0, 0, 64, 64)]["image"].numpy()
    with rasterio.open(real_data / "cogeo.tif") as source:
        np.testing.assert_array_equal(intact, source.read(window=Window(0, 0, 64, 64)))
    with pytest.raises(RasterReadError, match=r"corrupt\.tif"):
        dataset[window_query(path, 600, 600, 64, 64)]  # inside the damaged bottom-right tile
    warped = dataset.to("EPSG:4326", 5e-6)
    with pytest.raises(RasterReadError, match=r"corrupt\.tif"):
        warped[warped.bounds]


@pytest.mark.real_data
def test_real_all_nodata_raster_reads_as_the_fill(real_data: Path) -> None:
    dataset = RasterDataset(real_data / "all-nodata.tif")
    assert dataset.crs == rasterio.crs.CRS.from_epsg(32628)
    image = dataset[dataset.bounds]["image"]
    assert image.shape == (4, 2475, 71)
    assert not image.any()


@pytest.mark.real_data
def test_real_float_raster_in_a_crs_without_epsg_code(real_data: Path) -> None:
    path = real_data / "float_raster_with_nodata.tif"
    dataset = RasterDataset(path)
    assert dataset.crs.to_epsg() is None
    with rasterio.open(path) as source:
        expected = source.read()
        assert tuple(dataset.bounds)[:4] == (
            source.bounds.left,
            source.bounds.right,
            source.bounds.bottom,
            source.bounds.top,
        )
    image = dataset[dataset.bounds]["image"].numpy()
    np.testing.assert_array_equal(image, expected)  # nodata pixels hold the file's nodata, -3.4e38
    assert (image == np.float32(-3.4e38)).sum() == (expected == np.float32(-3.4e38)).sum() > 0
    laea = dataset.to("EPSG:3035")
    assert laea[laea.bounds]["image"].shape[0] == 1


def test_all_bands_longer_than_the_file_is_a_clear_error(tmp_path: Path) -> None:
    write_raster(tmp_path / "two.tif", random_bands((2, 8, 8)), "EPSG:32616", grid(500000.0, 4000000.0))

    class FourBands(RasterDataset):
        filename_glob = "*.tif"
        all_bands = ("B1", "B2", "B3", "B4")

    with pytest.raises(ValueError, match=r"all_bands names 4 bands but .*two\.tif has 2"):
        FourBands(tmp_path)


def test_files_dated_before_1970_are_found_by_default_queries(tmp_path: Path) -> None:
    write_raster(tmp_path / "aerial_19550601.tif", random_bands((1, 8, 8)), "EPSG:32616", grid(500000.0, 4000000.0))

    class Aerial(RasterDataset):
        filename_glob = "aerial_*.tif"
        filename_regex = r"aerial_(?P<date>\d{8})\.tif"

    dataset = Aerial(tmp_path)
    assert dataset.bounds.mint < 0
    sample = dataset[500000.0:500240.0, 3999760.0:4000000.0]
    assert sample["image"].shape == (1, 8, 8)


@pytest.mark.parametrize("bands", [None, ("a",), ("r", "a")])
@pytest.mark.parametrize(("shift", "crs"), [(30.0, None), (45.0, None), (30.0, "EPSG:32617")],
                         ids=["copied", "half-pixel", "reprojected"])
def test_a_file_lacking_a_band_read_is_refused_naming_it(tmp_path: Path, shift: float, crs: str | None,
                                                         bands: tuple[str, ...] | None) -> None:
    # a.tif is RGBA; b.tif, beside it, only RGB: reading band 4 is refused when the dataset is made, naming
    # b.tif and its 3 bands (it failed only when a window met b.tif).
    write_raster(tmp_path / "a.tif", np.full((4, 8, 8), 100, "uint8"), "EPSG:32616", grid(LEFT, TOP))
    write_raster(tmp_path / "b.tif", np.full((3, 8, 8), 50, "uint8"), "EPSG:32616", grid(LEFT + shift, TOP - shift))
    kind = type("Rgba", (RasterDataset,), {"all_bands": ("r", "g", "b", "a")})
    with pytest.raises(ValueError, match=r"b\.tif has 3 band\(s\) but the bands selected need 4"):
        kind(tmp_path, crs=crs, res=30 if crs else None, bands=bands)
    # Reading only bands both files have works.
    dataset = kind(tmp_path, crs=crs, res=30 if crs else None, bands=("r", "b"))
    image = dataset[dataset.bounds]["image"]
    assert image.shape[0] == 2 and set(image.unique().tolist()) <= {0.0, 50.0, 100.0}


@pytest.mark.real_data
def test_files_of_other_band_counts_are_refused_unless_bands_are_chosen(tmp_path: Path, real_data: Path) -> None:
    # The real RGB.byte.tif beside an RGBA copy of it shifted east: without a band selection the RGBA file's
    # alpha band was dropped silently wherever it was read (3 channels from a 4-band file).
    with rasterio.open(real_data / "RGB.byte.tif") as source:
        rgb, profile = source.read(), source.profile
    (tmp_path / "a_rgb.tif").write_bytes((real_data / "RGB.byte.tif").read_bytes())
    alpha = np.where(rgb.any(axis=0), 255, 0).astype("uint8")[None]
    shifted = profile["transform"] * profile["transform"].translation(profile["width"] // 2, 0)
    write_raster(tmp_path / "b_rgba.tif", np.concatenate([rgb, alpha]), profile["crs"], shifted)
    with pytest.raises(ValueError, match=r"b_rgba\.tif has 4 band\(s\) but .*a_rgb\.tif has 3; every file"):
        RasterDataset(tmp_path)
    kind = type("Rgba", (RasterDataset,), {"all_bands": ("red", "green", "blue", "alpha")})
    dataset = kind(tmp_path, bands=("red", "green", "blue"))
    # A 16 x 16 px window in the RGBA file's east half, beyond the RGB file.
    west, north = shifted * (600, 350)
    east, south = shifted * (616, 366)
    image = dataset[west:east, south:north]["image"]
    np.testing.assert_array_equal(image.numpy(), rgb[:, 350:366, 600:616])
    assert image.shape == (3, 16, 16) and image.any()
    with pytest.raises(ValueError, match=r"a_rgb\.tif has 3 band\(s\) but the bands selected need 4"):
        kind(tmp_path)


class Counts(RasterDataset):
    """Population counts, aggregated to coarser pixels by summing."""

    resampling = Resampling.sum


@pytest.mark.parametrize("crs", [None, "EPSG:32617"], ids=["same CRS", "warped"])
def test_summed_integer_counts_are_not_clipped_to_their_type(tmp_path: Path, crs: str | None) -> None:
    # 100 uint16 pixels of 1000 in each 300 m pixel: 100000, beyond uint16's 65535.
    write_raster(tmp_path / "counts.tif", np.full((1, 20, 20), 1000, "uint16"), "EPSG:32616", grid(LEFT, TOP))
    dataset = Counts(tmp_path, crs=crs, res=300)
    image = dataset[dataset.bounds]["image"][0].numpy()
    target = Grid.from_bbox(dataset.bounds, dataset.crs, dataset.res)
    expected = np.zeros((target.height, target.width))
    with rasterio.open(tmp_path / "counts.tif") as source:
        scale_x, scale_y = kernel_scale(source, target)
        reproject(rasterio.band(source, 1), expected, dst_transform=target.transform, dst_crs=target.crs,
                  resampling=Resampling.sum, XSCALE=scale_x, YSCALE=scale_y)
    np.testing.assert_allclose(image, expected.astype("float32"), rtol=1e-6)
    assert image.max() > 65535
    if crs is None:
        assert image.tolist() == [[100000.0, 100000.0], [100000.0, 100000.0]]
