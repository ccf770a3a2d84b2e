"""Pixel types: every value reaches the sample as itself, or the read fails saying why; no silent cast."""

from __future__ import annotations

import warnings
from pathlib import Path

import numpy as np
import pytest
import rasterio
import torch
from rasterio.enums import Resampling
from rasterio.warp import reproject

from geotorch.core import BoundingBox, RasterDataset
from geotorch.core.grid import Grid
from geotorch.core.warp import kernel_scale
from tests.core.gdal_warps import assert_like_gdals_bilinear, exact_bilinear
from tests.core.rasters import grid, vrt, write_raster

LEFT, TOP = 600000.0, 4000000.0


class Mask(RasterDataset):
    is_image = False


@pytest.mark.parametrize("dtype", ["complex64", "complex128", "complex_int16"])
@pytest.mark.parametrize("is_image", [True, False])
def test_complex_rasters_are_refused_naming_the_file(tmp_path: Path, dtype: str, is_image: bool) -> None:
    write_raster(tmp_path / "a_real.tif", np.ones((1, 4, 4), "float32"), "EPSG:32616", grid(LEFT, TOP))
    numpy_type = "complex64" if dtype == "complex_int16" else dtype
    array = (np.arange(16).reshape(1, 4, 4) + 1j * np.arange(16).reshape(1, 4, 4)).astype(numpy_type)
    path = tmp_path / "b_slc.tif"
    with rasterio.open(path, "w", driver="GTiff", count=1, height=4, width=4, dtype=dtype, crs="EPSG:32616",
                       transform=grid(LEFT + 120, TOP)) as destination:
        destination.write(array)
    kind = RasterDataset if is_image else Mask
    with pytest.raises(ValueError, match=r"b_slc\.tif holds complex pixels .*complex data is not supported"):
        kind(tmp_path)


def test_masks_of_files_with_different_types_keep_every_value(tmp_path: Path) -> None:
    # The first file is uint8; a uint16 class 300 in the second must not wrap to 44.
    write_raster(tmp_path / "a.tif", np.full((1, 4, 4), 7, "uint8"), "EPSG:32616", grid(LEFT, TOP))
    write_raster(tmp_path / "b.tif", np.full((1, 4, 4), 300, "uint16"), "EPSG:32616", grid(LEFT + 120, TOP))
    write_raster(tmp_path / "c.tif", np.full((1, 4, 4), -5, "int16"), "EPSG:32616", grid(LEFT + 240, TOP))
    mask = Mask(tmp_path)[LEFT : LEFT + 360, TOP - 120 : TOP]["mask"].numpy()
    assert (mask[:, :4] == 7).all() and (mask[:, 4:8] == 300).all() and (mask[:, 8:] == -5).all()


def test_images_of_files_with_different_types_keep_every_value(tmp_path: Path) -> None:
    # The first file is int32; the second's 1000.25 must not be truncated to 1000.
    write_raster(tmp_path / "a.tif", np.full((1, 4, 4), 7, "int32"), "EPSG:32616", grid(LEFT, TOP))
    write_raster(tmp_path / "b.tif", np.full((1, 4, 4), 1000.25, "float32"), "EPSG:32616", grid(LEFT + 120, TOP))
    image = RasterDataset(tmp_path)[LEFT : LEFT + 240, TOP - 120 : TOP]["image"].numpy()
    assert (image[0, :, :4] == 7).all() and (image[0, :, 4:] == 1000.25).all()


@pytest.mark.parametrize(
    ("dtype", "value"),
    [("float32", 2.5), ("float64", np.inf), ("float32", 3e19), ("uint64", 2**63 + 5)],
)
def test_mask_values_int64_cannot_hold_are_refused(tmp_path: Path, dtype: str, value: float) -> None:
    array = np.full((1, 4, 4), 3, dtype)
    array[0, 1, 1] = value
    write_raster(tmp_path / "classes.tif", array, "EPSG:32616", grid(LEFT, TOP))
    dataset = Mask(tmp_path)
    with pytest.raises(ValueError, match=r"mask value .* read from .*classes\.tif.* is not an integer class id"):
        dataset[dataset.bounds]


def test_integral_float_masks_are_read_exactly(tmp_path: Path) -> None:
    array = np.full((1, 4, 4), 12.0, "float32")
    array[0, 0, 0] = -3.0
    write_raster(tmp_path / "classes.tif", array, "EPSG:32616", grid(LEFT, TOP))
    mask = Mask(tmp_path)[LEFT : LEFT + 120, TOP - 120 : TOP]["mask"].numpy()
    assert mask[0, 0] == -3 and (mask.ravel()[1:] == 12).all()


class FloatMask(RasterDataset):
    """A continuous target (elevation, biomass): a mask of the values as read, as TorchGeo's float dtypes give."""

    is_image = False

    @property
    def dtype(self) -> torch.dtype:
        return torch.float32


@pytest.mark.parametrize("crs", [None, "EPSG:3035"], ids=["copied", "warped"])
def test_a_float_mask_keeps_the_fractional_values_of_a_real_float32_raster(
    real_data: Path, crs: str | None
) -> None:
    # The float dtype asks for values, not class ids: 12.75 must not be refused as "no integer class id".
    real = real_data / "float_raster_with_nodata.tif"
    with rasterio.open(real) as source:
        stored = source.read(1)
    assert (stored != np.round(stored)).any()
    dataset = FloatMask(real, crs=crs)
    mask = dataset[dataset.bounds]["mask"]
    assert mask.dtype == torch.float32
    if crs is None:
        np.testing.assert_array_equal(mask.numpy(), stored)
    else:  # nearest neighbour: every value read is one the file stores
        assert np.isin(mask.numpy(), stored).all() and (mask != mask.round()).any()


def test_a_float_mask_takes_a_fractional_nodata_and_warns_of_float64_rounding(tmp_path: Path) -> None:
    array = np.full((1, 4, 4), 0.1, "float64")
    array[0, 0, 0] = 0.5
    write_raster(tmp_path / "agb.tif", array, "EPSG:32616", grid(LEFT, TOP))
    with pytest.warns(UserWarning, match=r"agb\.tif holds float64 pixels, which float32 masks cannot all hold"):
        dataset = FloatMask(tmp_path, nodata=0.5)
    mask = dataset[dataset.bounds]["mask"].numpy()
    assert mask[0, 0] == 0.5 and (mask.ravel()[1:] == np.float32(0.1)).all()
    with pytest.raises(ValueError, match=r"nodata=0\.5 is no class id"):
        Mask(tmp_path, nodata=0.5)


class Bands(RasterDataset):
    """One file per band: ``<scene>_B1.tif``, ``<scene>_B2.tif``; the B1 file is indexed."""

    filename_glob = "*_B1.tif"
    filename_regex = r"^(?P<scene>.+)_(?P<band>B\d)\.tif$"
    separate_files = True
    all_bands = ("B1", "B2")


class BandMasks(Bands):
    is_image = False


def gdal_warp(path: Path, dataset: RasterDataset, query: BoundingBox) -> np.ndarray:
    """GDAL's bilinear warp of the file's first band onto the query's grid, in the file's type, 0 where no data."""
    target = Grid.from_bbox(query, dataset.crs, dataset.res)
    with rasterio.open(path) as source:
        out = np.zeros((1, target.height, target.width), dtype=source.dtypes[0])
        scale_x, scale_y = kernel_scale(source, target)
        reproject(rasterio.band(source, [1]), out, dst_transform=target.transform, dst_crs=target.crs,
                  dst_nodata=0, resampling=Resampling.bilinear, XSCALE=scale_x, YSCALE=scale_y)
    return out[0]


@pytest.mark.parametrize("crs", [None, "EPSG:32617"], ids=["copied", "warped"])
def test_a_band_file_of_a_wider_type_than_the_indexed_one_keeps_every_value(tmp_path: Path, crs: str | None) -> None:
    # B1 (indexed) is uint16; B2 is float32 with fractions: neither read nor warped as uint16.
    fractions = (np.arange(400, dtype="float32").reshape(1, 20, 20) + 1) / 4
    write_raster(tmp_path / "s1_B1.tif", np.full((1, 20, 20), 7, "uint16"), "EPSG:32616", grid(LEFT, TOP))
    write_raster(tmp_path / "s1_B2.tif", fractions, "EPSG:32616", grid(LEFT, TOP))
    dataset = Bands(tmp_path, crs=crs, res=30)
    image = dataset[dataset.bounds]["image"].numpy()
    if crs is None:
        np.testing.assert_array_equal(image[1], fractions[0])
    else:
        # GeoTorch's own bilinear: GDAL's but for its positions' error (see tests.core.gdal_warps), far below a quarter.
        assert_like_gdals_bilinear(image[1:2], gdal_warp(tmp_path / "s1_B2.tif", dataset, dataset.bounds)[None], 0,
                                   atol=1e-3)
        assert (image[1] != np.round(image[1])).any()


def test_a_later_scenes_band_file_of_a_wider_type_widens_the_mosaic(tmp_path: Path) -> None:
    # Scene s1's B2 is uint8; the B2 of s2, beside it, is uint16: its class 300 does not become 255.
    for scene, left, dtype, value in (("s1", LEFT, "uint8", 3), ("s2", LEFT + 120, "uint16", 300)):
        write_raster(tmp_path / f"{scene}_B1.tif", np.full((1, 4, 4), 1, "uint8"), "EPSG:32616", grid(left, TOP))
        write_raster(tmp_path / f"{scene}_B2.tif", np.full((1, 4, 4), value, dtype), "EPSG:32616", grid(left, TOP))
    mask = BandMasks(tmp_path)[LEFT : LEFT + 240, TOP - 120 : TOP]["mask"].numpy()
    assert (mask[1, :, :4] == 3).all() and (mask[1, :, 4:] == 300).all()


@pytest.mark.parametrize(("dtype", "value"), [("uint16", 300), ("int16", -5), ("int64", 2**40 + 3),
                                              ("uint32", 4_000_000_000)])
def test_mask_band_files_of_a_wider_type_keep_their_class_ids(tmp_path: Path, dtype: str, value: int) -> None:
    write_raster(tmp_path / "s_B1.tif", np.full((1, 4, 4), 7, "uint8"), "EPSG:32616", grid(LEFT, TOP))
    write_raster(tmp_path / "s_B2.tif", np.full((1, 4, 4), value, dtype), "EPSG:32616", grid(LEFT, TOP))
    mask = BandMasks(tmp_path)[LEFT : LEFT + 120, TOP - 120 : TOP]["mask"].numpy()
    assert mask.dtype == np.int64
    assert (mask[0] == 7).all() and (mask[1] == value).all()


@pytest.mark.parametrize("dtype", ["complex64", "complex_int16"])
@pytest.mark.parametrize("kind", [Bands, BandMasks])
def test_a_complex_band_file_is_refused_when_read_naming_it(tmp_path: Path, dtype: str,
                                                            kind: type[RasterDataset]) -> None:
    # Only the B1 file is profiled at construction: the complex B2 is met by the read, which must
    # not take its real part silently.
    write_raster(tmp_path / "s_B1.tif", np.ones((1, 4, 4), "float32"), "EPSG:32616", grid(LEFT, TOP))
    with rasterio.open(tmp_path / "s_B2.tif", "w", driver="GTiff", count=1, height=4, width=4, dtype=dtype,
                       crs="EPSG:32616", transform=grid(LEFT, TOP)) as destination:
        destination.write(np.full((1, 4, 4), 3 + 4j, "complex64"))
    dataset = kind(tmp_path)
    with pytest.raises(ValueError, match=r"s_B2\.tif: .*complex data is not supported"):
        dataset[dataset.bounds]
    assert kind(tmp_path, bands=["B1"])[dataset.bounds] is not None, "the real-valued band alone reads"


def test_a_complex_band_behind_a_real_first_band_is_refused_when_read(tmp_path: Path) -> None:
    real = write_raster(tmp_path / "real.tif", np.ones((1, 4, 4), "float32"), "EPSG:32616", grid(LEFT, TOP))
    with rasterio.open(tmp_path / "slc.tif", "w", driver="GTiff", count=1, height=4, width=4, dtype="complex64",
                       crs="EPSG:32616", transform=grid(LEFT, TOP)) as destination:
        destination.write(np.full((1, 4, 4), 3 + 4j, "complex64"))
    folder = tmp_path / "stack"
    folder.mkdir()
    vrt(folder / "stack.vrt", [(str(real), "Float32", None), (str(tmp_path / "slc.tif"), "CFloat32", None)], 4, 4,
        "EPSG:32616", (LEFT, 30, 0, TOP, 0, -30))
    dataset = RasterDataset(folder)
    with pytest.raises(ValueError, match=r"stack\.vrt: .*complex data is not supported"):
        dataset[dataset.bounds]


@pytest.mark.parametrize("crs", [None, "EPSG:32617"], ids=["copied", "warped"])
def test_a_band_of_a_wider_type_than_the_first_of_its_file_keeps_every_value(tmp_path: Path, crs: str | None) -> None:
    # The profile knows only band 1's type (uint8); band 2 is float32.
    classes = write_raster(tmp_path / "classes.tif", np.full((1, 20, 20), 9, "uint8"), "EPSG:32616", grid(LEFT, TOP))
    fractions = (np.arange(400, dtype="float32").reshape(1, 20, 20) + 1) / 8
    measured = write_raster(tmp_path / "measured.tif", fractions, "EPSG:32616", grid(LEFT, TOP))
    folder = tmp_path / "stack"
    folder.mkdir()
    vrt(folder / "stack.vrt", [(str(classes), "Byte", None), (str(measured), "Float32", None)], 20, 20,
        "EPSG:32616", (LEFT, 30, 0, TOP, 0, -30))
    dataset = RasterDataset(folder, crs=crs, res=30)
    image = dataset[dataset.bounds]["image"].numpy()
    if crs is None:
        np.testing.assert_array_equal(image[1], fractions[0])
    else:
        assert_like_gdals_bilinear(image[1:2], gdal_warp(measured, dataset, dataset.bounds)[None], 0, atol=1e-3)


@pytest.mark.parametrize("crs", [None, "EPSG:32617"], ids=["copied", "warped"])
def test_real_rgb_bands_split_into_files_of_different_types_read_exactly(
    tmp_path: Path, real_data: Path, crs: str | None
) -> None:
    # RGB.byte.tif's red band as uint8 (indexed) and its green band divided by 4 as float32.
    with rasterio.open(real_data / "RGB.byte.tif") as source:
        red, green = source.read(1), source.read(2)
        crs_of_file, transform = source.crs, source.transform
    quarters = green.astype("float32") / 4
    write_raster(tmp_path / "rgb_B1.tif", red, crs_of_file, transform)
    write_raster(tmp_path / "rgb_B2.tif", quarters, crs_of_file, transform)
    dataset = Bands(tmp_path, crs=crs, res=300 if crs else None)
    image = dataset[dataset.bounds]["image"].numpy()
    if crs is None:
        np.testing.assert_array_equal(image[1], quarters)
    else:
        # GeoTorch's own bilinear: GDAL's kernel at exact positions (GDAL's own are up to 0.09 px off here).
        with rasterio.open(tmp_path / "rgb_B2.tif") as source:
            expected, _, settled = exact_bilinear(source, Grid.from_bbox(dataset.bounds, dataset.crs, dataset.res))
        assert_like_gdals_bilinear(image[1:2], expected, 0, atol=0.05, settled=settled)
    assert (image[1] % 1 != 0).any()


@pytest.mark.parametrize("crs", [None, "EPSG:3035"], ids=["copied", "warped"])
def test_a_float64_nodata_of_float32_pixels_marks_them_missing_in_a_float64_read(
    tmp_path: Path, real_data: Path, crs: str | None
) -> None:
    # float_raster_with_nodata.tif behind a VRT whose nodata text is -3.4e38: its float32 pixels hold
    # -3.3999999521e38. Beside a float64 file the read is float64: they must still be missing, so
    # the float64 file under it fills them.
    real = real_data / "float_raster_with_nodata.tif"
    with rasterio.open(real) as source:
        pixels, profile = source.read(1), source.profile
    missing = pixels == np.float32(-3.4e38)
    assert missing.sum() == 58
    vrt(tmp_path / "a_real.vrt", [(str(real), "Float32", "-3.4e38")], profile["width"], profile["height"],
        profile["crs"].to_wkt(), profile["transform"].to_gdal())
    with rasterio.open(tmp_path / "a_real.vrt") as source:
        assert source.nodata == -3.4e38 and source.nodata != float(np.float32(-3.4e38))
    write_raster(tmp_path / "b_under.tif", np.full((1, *pixels.shape), 7.0, "float64"), profile["crs"],
                 profile["transform"])
    dataset = RasterDataset(tmp_path, crs=crs, res=500)
    assert dataset[dataset.bounds]["image"].min() >= 0
    if crs is None:
        image = dataset[dataset.bounds]["image"][0].numpy()
        np.testing.assert_array_equal(image, np.where(missing, 7.0, pixels))


@pytest.mark.parametrize("crs", [None, "EPSG:3035"], ids=["copied", "warped"])
def test_a_float64_dataset_nodata_marks_float32_pixels_missing_after_widening(
    tmp_path: Path, real_data: Path, crs: str | None
) -> None:
    # The dataset's nodata, given as the float64 -3.4e38, on the real file read as float64 beside an int32 file.
    real = real_data / "float_raster_with_nodata.tif"
    with rasterio.open(real) as source:
        pixels, profile = source.read(1), source.profile
    # Rewritten without its own nodata, so only the dataset's marks the missing pixels.
    write_raster(tmp_path / "a_real.tif", pixels[None], profile["crs"], profile["transform"])
    write_raster(tmp_path / "b_under.tif", np.full((1, *pixels.shape), 7, "int32"), profile["crs"],
                 profile["transform"])
    dataset = RasterDataset(tmp_path, crs=crs, res=500, nodata=-3.4e38)
    image = dataset[dataset.bounds]["image"][0].numpy()
    assert image.min() >= -3.4e38 and ((image >= 0) | (image == np.float32(-3.4e38))).all()
    if crs is None:
        np.testing.assert_array_equal(image, np.where(pixels == np.float32(-3.4e38), 7.0, pixels))


def test_an_all_nodata_real_file_yields_every_pixel_to_a_float_file_under_it(tmp_path: Path, real_data: Path) -> None:
    real = real_data / "all-nodata.tif"
    with rasterio.open(real) as source:
        profile = source.profile
    under = np.full((4, profile["height"], profile["width"]), 0.25, "float32")
    write_raster(tmp_path / "under.tif", under, profile["crs"], profile["transform"])
    dataset = RasterDataset([real, tmp_path / "under.tif"])
    image = dataset[dataset.bounds]["image"].numpy()
    assert (image == 0.25).all()


@pytest.mark.parametrize("crs", [None, "EPSG:32613"], ids=["copied", "warped"])
def test_a_mask_nodata_the_real_files_uint8_cannot_hold_fills_without_wrapping(
    real_data: Path, crs: str | None
) -> None:
    # shade.tif: uint8, nodata 255. With the dataset's nodata -1, pixels without data read -1 (not 255).
    dataset = Mask(real_data / "shade.tif", crs=crs, nodata=-1)
    bounds = dataset.bounds
    query = BoundingBox(bounds.minx - 500, bounds.maxx, bounds.miny, bounds.maxy + 500, bounds.mint, bounds.maxt)
    mask = dataset[query]["mask"].numpy()
    assert mask.min() == -1 and 255 not in mask
    assert (mask[:, :10] == -1).all() and (mask[:10] == -1).all()


@pytest.mark.parametrize("crs", [None, "EPSG:32617"], ids=["copied", "warped"])
@pytest.mark.parametrize(
    ("dtype", "values"), [("int64", (2**60 + 1, -(2**62) - 3)), ("uint64", (2**62 + 1, 2**53 + 1))]
)
def test_64_bit_class_ids_are_read_exactly(tmp_path: Path, crs: str | None, dtype: str,
                                           values: tuple[int, int]) -> None:
    # Beyond 2**53 float64 rounds them: GDAL's warp kernels would.
    classes = np.full((1, 20, 20), values[0], dtype)
    classes[0, :, 10:] = values[1]
    write_raster(tmp_path / "a.tif", classes, "EPSG:32616", grid(LEFT, TOP), nodata=9999)
    dataset = Mask(tmp_path, crs=crs, res=30)
    mask = dataset[dataset.bounds]["mask"].numpy()
    assert set(np.unique(mask)) <= {*values, 9999}
    assert (mask == values[0]).sum() >= 50 and (mask == values[1]).sum() >= 50


@pytest.mark.parametrize("crs", [None, "EPSG:32617"], ids=["copied", "warped"])
def test_a_nan_dataset_nodata_on_integer_files_only_fills(tmp_path: Path, crs: str | None) -> None:
    # uint16 pixels are never NaN: their zeros stay data; NaN only where no file has data.
    write_raster(tmp_path / "a.tif", np.zeros((1, 20, 20), "uint16"), "EPSG:32616", grid(LEFT, TOP))
    dataset = RasterDataset(tmp_path, crs=crs, res=30, nodata=float("nan"))
    bounds = dataset.bounds
    query = BoundingBox(bounds.minx - 90, bounds.maxx, bounds.miny, bounds.maxy, bounds.mint, bounds.maxt)
    image = dataset[query]["image"][0].numpy()
    assert np.isnan(image[:, :3]).all()
    assert (image[:, 3:][~np.isnan(image[:, 3:])] == 0).all() and (image[:, 5:-2] == 0).sum() >= 100


class Float64Image(RasterDataset):
    """Images kept in float64, as TorchGeo's ``dtype`` property allows."""

    @property
    def dtype(self) -> torch.dtype:
        return torch.float64


@pytest.mark.parametrize(("dtype", "value"), [("int32", 2**24 + 1), ("uint32", 2**32 - 1), ("float64", 0.1),
                                              ("int64", 2**40 + 1)])
def test_image_values_float32_would_round_are_rounded_loudly_or_kept_in_float64(
    tmp_path: Path, dtype: str, value: float
) -> None:
    write_raster(tmp_path / "f.tif", np.full((1, 4, 4), value, dtype), "EPSG:32616", grid(LEFT, TOP))
    with pytest.warns(UserWarning, match=rf"f\.tif holds {dtype} pixels, which float32 images cannot all hold exactly"):
        rounded = RasterDataset(tmp_path)
    assert rounded[rounded.bounds]["image"].dtype == torch.float32
    kept = Float64Image(tmp_path)[rounded.bounds]["image"]
    assert kept.dtype == torch.float64
    assert (kept.numpy() == np.float64(value)).all()


def test_images_float32_holds_exactly_read_without_a_warning(tmp_path: Path) -> None:
    write_raster(tmp_path / "f.tif", np.full((1, 4, 4), 65535, "uint16"), "EPSG:32616", grid(LEFT, TOP))
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        dataset = RasterDataset(tmp_path)
    assert (dataset[dataset.bounds]["image"] == 65535).all()


@pytest.mark.parametrize("res", [1e-9, 1e-300])
def test_a_res_too_fine_for_any_raster_is_refused_naming_res(tmp_path: Path, res: float) -> None:
    write_raster(tmp_path / "f.tif", np.ones((1, 4, 4), "uint8"), "EPSG:32616", grid(LEFT, TOP))
    with pytest.warns(UserWarning, match=r"res=.* times the files' pixel size \(30, 30\)"):
        dataset = RasterDataset(tmp_path, res=res)
    with pytest.raises(ValueError, match=r"at res .* would be \d+ x \d+ pixels, beyond the 2147483647"):
        dataset[LEFT : LEFT + 120, TOP - 120 : TOP]


@pytest.mark.parametrize("crs", [None, "EPSG:32617"], ids=["copied", "warped"])
@pytest.mark.parametrize("other", ["float32", "float64", "uint64", "uint8", "int8"])
@pytest.mark.parametrize("big", [2**60 + 1, -(2**60) - 1])
def test_class_ids_of_mixed_pixel_types_are_read_exactly(tmp_path: Path, crs: str | None, other: str,
                                                         big: int) -> None:
    # a.tif's int64 ids beside b.tif's other type, half a file apart: no common type (float64) rounds them.
    write_raster(tmp_path / "a.tif", np.full((1, 8, 8), big, "int64"), "EPSG:32616", grid(LEFT, TOP))
    write_raster(tmp_path / "b.tif", np.full((1, 8, 8), 7, other), "EPSG:32616", grid(LEFT + 120, TOP))
    dataset = Mask(tmp_path, crs=crs, res=30)
    mask = dataset[dataset.bounds]["mask"].numpy()
    assert mask.dtype == np.int64
    assert set(np.unique(mask)) <= {big, 7, 0}
    assert (mask == big).sum() >= 30 and (mask == 7).sum() >= 10


@pytest.mark.parametrize(("other", "value"), [("uint64", 2**63 + 5), ("float32", 2.5), ("float64", 2.0**70)])
def test_a_mosaic_refuses_class_ids_int64_cannot_hold_naming_the_file(tmp_path: Path, other: str,
                                                                      value: float) -> None:
    write_raster(tmp_path / "a.tif", np.full((1, 8, 8), 2**60 + 1, "int64"), "EPSG:32616", grid(LEFT, TOP))
    write_raster(tmp_path / "b.tif", np.full((1, 8, 8), value, other), "EPSG:32616", grid(LEFT + 120, TOP))
    dataset = Mask(tmp_path)
    with pytest.raises(ValueError, match=r"mask value .* read from .*b\.tif is not an integer class id"):
        dataset[dataset.bounds]


def test_64_bit_integer_images_warn_even_in_float64(tmp_path: Path) -> None:
    write_raster(tmp_path / "f.tif", np.full((1, 4, 4), 2**60 + 1, "int64"), "EPSG:32616", grid(LEFT, TOP))
    with pytest.warns(UserWarning, match=r"f\.tif holds int64 pixels, which float64 images cannot all hold exactly "
                                         r"\(integers beyond 2\*\*53"):
        Float64Image(tmp_path)


@pytest.mark.parametrize("nodata", [2.5, float("nan"), 1e40])
@pytest.mark.parametrize("crs", [None, "EPSG:32619"], ids=["copied", "warped"])
def test_a_mask_nodata_that_is_no_class_id_is_blamed_not_the_file(
    tmp_path: Path, nodata: float, crs: str | None
) -> None:
    # The file's values are fine class ids; the pixels past it get the fill, which int64 cannot hold exactly.
    # As the dataset's nodata it is refused at construction; as the file's own, when a read needs the fill.
    write_raster(tmp_path / "a.tif", np.full((1, 8, 8), 5, dtype="float64"), "EPSG:32618", grid(500000.0, 4000000.0),
                 nodata=nodata)
    classes = type("Classes", (RasterDataset,), {"is_image": False})
    with pytest.raises(ValueError, match=r"Classes: nodata=.* is no class id a mask holds"):
        classes(tmp_path, crs=crs, res=30, nodata=nodata)
    dataset = classes(tmp_path, crs=crs, res=30)
    bounds = dataset.bounds
    query = BoundingBox(bounds.minx - 60, bounds.maxx, bounds.miny, bounds.maxy + 60)
    with pytest.raises(ValueError, match=r"the fill .* of mask pixels without data .* integer nodata"):
        dataset[query]
