"""The dataset's nodata marks missing pixels in copies, warps and mosaics, beside each file's own nodata."""

from __future__ import annotations

import math
import warnings
from pathlib import Path

import numpy as np
import pytest
import rasterio
import torch
from rasterio.crs import CRS
from rasterio.enums import MaskFlags, Resampling
from rasterio.warp import reproject

from geotorch.core import BoundingBox, RasterDataset
from geotorch.core.grid import Grid
from geotorch.core.warp import kernel_scale
from tests.core.rasters import grid, vrt, write_raster

LEFT, TOP = 600000.0, 4000000.0


class ZeroIsMissing(RasterDataset):
    nodata = 0


def overlapping_tiles(folder: Path, dtype: str = "uint16", hole: float = 0, nodata: float | None = None) -> None:
    """a.tif (100s, a ``hole``-valued 6 x 6 corner) over b.tif (200s), same grid, neither declaring nodata."""
    a = np.full((1, 20, 20), 100, dtype=dtype)
    a[0, :6, :6] = hole
    write_raster(folder / "a.tif", a, "EPSG:32616", grid(LEFT, TOP), nodata=nodata)
    write_raster(folder / "b.tif", np.full((1, 20, 20), 200, dtype=dtype), "EPSG:32616", grid(LEFT, TOP))


def gdal_warp(path: Path, query: BoundingBox, crs: str, res: float, src_nodata: float | None) -> np.ndarray:
    """GDAL's bilinear warp of the whole file onto the query's grid, ``src_nodata`` left out, 0 where no data."""
    target = Grid.from_bbox(query, CRS.from_user_input(crs), (res, res))
    with rasterio.open(path) as source:
        out = np.zeros((1, target.height, target.width), dtype=source.dtypes[0])
        scale_x, scale_y = kernel_scale(source, target)
        reproject(rasterio.band(source, [1]), out, src_nodata=src_nodata, dst_transform=target.transform,
                  dst_crs=target.crs, dst_nodata=0, resampling=Resampling.bilinear, XSCALE=scale_x, YSCALE=scale_y)
    return out


def test_the_class_nodata_lets_the_next_tile_fill_a_copied_corner(tmp_path: Path) -> None:
    overlapping_tiles(tmp_path)
    image = ZeroIsMissing(tmp_path)[LEFT : LEFT + 600, TOP - 600 : TOP]["image"][0].numpy()
    np.testing.assert_array_equal(image, np.where(np.arange(20)[:, None] < 6, 1, 0)
                                  * np.where(np.arange(20) < 6, 100, 0) + 100)


def test_the_nodata_argument_does_the_same_and_overrides_the_class_attribute(tmp_path: Path) -> None:
    overlapping_tiles(tmp_path)

    class NineIsMissing(RasterDataset):
        nodata = 9

    dataset = NineIsMissing(tmp_path, nodata=0)
    assert dataset.nodata == 0 and NineIsMissing.nodata == 9
    image = dataset[LEFT : LEFT + 600, TOP - 600 : TOP]["image"][0].numpy()
    assert (image[:6, :6] == 200).all() and (image[6:] == 100).all()
    assert not (RasterDataset(tmp_path)[LEFT : LEFT + 600, TOP - 600 : TOP]["image"][0].numpy()[:6, :6]).any()


def test_without_a_dataset_nodata_a_file_without_nodata_keeps_its_zeros(tmp_path: Path) -> None:
    overlapping_tiles(tmp_path)
    image = RasterDataset(tmp_path)[LEFT : LEFT + 600, TOP - 600 : TOP]["image"][0].numpy()
    assert (image[:6, :6] == 0).all() and (image[6:] == 100).all()


def test_a_warped_mosaic_fills_the_corner_from_the_next_tile_and_blends_no_zeros(tmp_path: Path) -> None:
    overlapping_tiles(tmp_path)
    dataset = ZeroIsMissing(tmp_path, crs="EPSG:32617", res=20)
    assert dataset.resampling == Resampling.bilinear
    query = dataset.bounds
    image = dataset[query]["image"].numpy()
    from_a = gdal_warp(tmp_path / "a.tif", query, "EPSG:32617", 20, src_nodata=0)
    from_b = gdal_warp(tmp_path / "b.tif", query, "EPSG:32617", 20, src_nodata=0)
    np.testing.assert_array_equal(image, np.where(from_a != 0, from_a, from_b).astype("float32"))
    # every pixel is a's 100, b's 200 in a's corner, or 0 outside both: no 0 was blended into a value
    assert set(np.unique(image)) == {0.0, 100.0, 200.0}
    assert (image == 200).sum() >= 50


def test_without_nodata_a_warped_files_zeros_are_data_not_holes(tmp_path: Path) -> None:
    # As in copies: a's 0-valued corner is data, so b (under a everywhere) never shows.
    overlapping_tiles(tmp_path)
    dataset = RasterDataset(tmp_path, crs="EPSG:32617", res=20)
    image = dataset[dataset.bounds]["image"].numpy()
    assert 200 not in image
    np.testing.assert_array_equal(image, gdal_warp(tmp_path / "a.tif", dataset.bounds, "EPSG:32617", 20,
                                                   src_nodata=None).astype("float32"))


@pytest.mark.parametrize("crs", [None, "EPSG:32617"], ids=["copied", "warped"])
def test_the_files_own_nodata_still_marks_missing_pixels_beside_the_datasets(tmp_path: Path, crs: str | None) -> None:
    a = np.full((1, 20, 20), 100, dtype="int16")
    a[0, :6, :6] = 0  # the dataset's nodata
    a[0, 14:, 14:] = -9999  # the file's own
    write_raster(tmp_path / "a.tif", a, "EPSG:32616", grid(LEFT, TOP), nodata=-9999)
    write_raster(tmp_path / "b.tif", np.full((1, 20, 20), 200, dtype="int16"), "EPSG:32616", grid(LEFT, TOP))
    dataset = ZeroIsMissing(tmp_path, crs=crs, res=30)
    image = dataset[dataset.bounds]["image"][0].numpy()
    assert -9999 not in image
    assert set(np.unique(image)) <= {0.0, 100.0, 200.0}
    corners = [image[:3, :3], image[-3:, -3:]] if crs is None else [image[3:6, 3:6], image[-6:-3, -6:-3]]
    for corner in corners:
        assert (corner == 200).all()


@pytest.mark.parametrize("crs", [None, "EPSG:32617"], ids=["copied", "warped"])
def test_a_nan_dataset_nodata_lets_the_next_float_tile_fill(tmp_path: Path, crs: str | None) -> None:
    overlapping_tiles(tmp_path, dtype="float32", hole=np.nan)
    dataset = RasterDataset(tmp_path, crs=crs, res=30, nodata=float("nan"))
    image = dataset[dataset.bounds]["image"][0].numpy()
    assert (image == 200).sum() >= 20
    assert set(np.unique(image[~np.isnan(image)])) == {100.0, 200.0}


def test_a_mask_band_and_the_datasets_nodata_both_mark_missing_pixels_in_warps(tmp_path: Path) -> None:
    # masked.tif hides its corner with an internal mask and has 0s in a stripe; zeros.tif has 0s in both places.
    values = np.full((1, 20, 20), 100, dtype="uint16")
    values[0, 10:12, :] = 0
    mask = np.full((20, 20), 255, dtype="uint8")
    mask[:6, :6] = 0
    with rasterio.Env(GDAL_TIFF_INTERNAL_MASK=True), rasterio.open(
        tmp_path / "masked.tif", "w", driver="GTiff", width=20, height=20, count=1, dtype="uint16",
        crs="EPSG:32616", transform=grid(LEFT, TOP),
    ) as destination:
        destination.write(values)
        destination.write_mask(mask)
    zeros = values.copy()
    zeros[0, :6, :6] = 0
    write_raster(tmp_path / "zeros.tif", zeros, "EPSG:32616", grid(LEFT, TOP))
    masked = ZeroIsMissing(tmp_path / "masked.tif", crs="EPSG:32617", res=20)
    plain = ZeroIsMissing(tmp_path / "zeros.tif", crs="EPSG:32617", res=20)
    image = masked[masked.bounds]["image"].numpy()
    np.testing.assert_array_equal(image, plain[masked.bounds]["image"].numpy())
    assert set(np.unique(image)) == {0.0, 100.0}


@pytest.mark.parametrize("crs", [None, "EPSG:32617"], ids=["copied", "warped"])
def test_a_nodata_the_pixel_type_cannot_hold_only_fills(tmp_path: Path, crs: str | None) -> None:
    # uint16 pixels cannot be -1: a's zeros stay data, and only pixels outside both files read -1.
    overlapping_tiles(tmp_path)
    dataset = RasterDataset(tmp_path, crs=crs, res=30, nodata=-1)
    image = dataset[dataset.bounds]["image"].numpy()
    reference = RasterDataset(tmp_path, crs=crs, res=30)[dataset.bounds]["image"].numpy()
    np.testing.assert_array_equal(np.where(image == -1, 0, image), reference)
    assert (image == 0).sum() >= 9, "a's 0-valued corner is data"
    assert ((image == -1).sum() > 0) == (crs is not None), "a warped square's margins lie outside the files"


@pytest.mark.parametrize("crs", [None, "EPSG:32617"], ids=["copied", "warped"])
def test_pixels_a_mask_band_hides_are_missing_in_copies_as_in_warps(tmp_path: Path, crs: str | None) -> None:
    # a.tif hides its 100-valued corner with an internal mask: b.tif's 200s show through, copied or warped.
    values = np.full((1, 20, 20), 100, dtype="uint16")
    mask = np.full((20, 20), 255, dtype="uint8")
    mask[:6, :6] = 0
    with rasterio.Env(GDAL_TIFF_INTERNAL_MASK=True), rasterio.open(
        tmp_path / "a.tif", "w", driver="GTiff", width=20, height=20, count=1, dtype="uint16",
        crs="EPSG:32616", transform=grid(LEFT, TOP),
    ) as destination:
        destination.write(values)
        destination.write_mask(mask)
    alone = RasterDataset(tmp_path / "a.tif", crs=crs, res=30)
    image = alone[alone.bounds]["image"][0].numpy()
    assert set(np.unique(image)) == {0.0, 100.0} and (image == 0).sum() >= 9
    write_raster(tmp_path / "b.tif", np.full((1, 20, 20), 200, dtype="uint16"), "EPSG:32616", grid(LEFT, TOP))
    both = RasterDataset(tmp_path, crs=crs, res=30)
    image = both[both.bounds]["image"][0].numpy()
    if crs is None:
        np.testing.assert_array_equal(image, np.where(mask == 0, 200, 100))
    else:
        assert (image == 200).sum() >= 9 and set(np.unique(image)) <= {0.0, 100.0, 200.0}


def _hiding_file(path: Path, how: str, dtype: str) -> np.ndarray:
    """Write ``path``: 100s whose top-left 5 x 5 pixels ``how`` hides ("alpha", "internal" mask or ".msk").

    Returns the same pixels with the hidden ones 0 (an alpha band kept as a band, 0 where hidden).
    """
    values = np.full((3 if how == "alpha" else 1, 10, 10), 100, dtype=dtype)
    mask = np.full((10, 10), 255, dtype="uint8")
    mask[:5, :5] = 0
    profile = {"driver": "GTiff", "width": 10, "height": 10, "dtype": dtype, "crs": "EPSG:32618",
               "transform": grid(LEFT, TOP)}
    with rasterio.Env(GDAL_TIFF_INTERNAL_MASK=how == "internal"):
        if how == "alpha":
            values = np.concatenate([values, mask[None].astype(dtype)])
            with rasterio.open(path, "w", count=4, photometric="RGB", alpha="YES", **profile) as destination:
                destination.write(values)
        else:
            with rasterio.open(path, "w", count=1, **profile) as destination:
                destination.write(values)
                destination.write_mask(mask)
    assert (Path(f"{path}.msk").exists()) == (how == ".msk")
    return np.where(mask == 0, 0, values).astype(dtype)


@pytest.mark.parametrize("nodata", [None, 7], ids=["no-nodata", "nodata"])
@pytest.mark.parametrize(("crs", "res"), [(None, 15), ("EPSG:32617", 30), ("EPSG:32617", 15)])
@pytest.mark.parametrize(("how", "dtype"), [("alpha", "uint8"), ("internal", "uint16"), (".msk", "float32"),
                                            ("internal", "int64")])
def test_pixels_a_mask_or_alpha_band_hides_are_missing_in_warps_and_mosaics(
    tmp_path: Path, how: str, dtype: str, crs: str | None, res: float, nodata: float | None
) -> None:
    # hidden/b.tif's corner is hidden by its alpha band or mask; plain/b.tif holds 0 there, declared nodata:
    # warped alone or under a.tif, whose left half is missing, both read the same, as GDAL's warp gives.
    kind = type("Kind", (RasterDataset,), {"is_image": dtype != "int64"})
    for folder in ("hidden", "plain"):
        (tmp_path / folder).mkdir()
    zeroed = _hiding_file(tmp_path / "hidden" / "b.tif", how, dtype)
    write_raster(tmp_path / "plain" / "b.tif", zeroed, "EPSG:32618", grid(LEFT, TOP), nodata=0)
    hidden = kind(tmp_path / "hidden" / "b.tif", crs=crs, res=res, nodata=nodata)
    plain = kind(tmp_path / "plain" / "b.tif", crs=crs, res=res, nodata=nodata)
    key = "image" if dtype != "int64" else "mask"
    sample = hidden[hidden.bounds][key].numpy()
    np.testing.assert_array_equal(sample, plain[hidden.bounds][key].numpy())
    assert (sample == 100).sum() < sample.size * 0.8, "the hidden quarter reads as missing"
    under = np.full((zeroed.shape[0], 10, 10), 50, dtype=dtype)
    under[:, :, :5] = 0
    for folder in ("hidden", "plain"):
        write_raster(tmp_path / folder / "a.tif", under, "EPSG:32618", grid(LEFT, TOP), nodata=0)
    hidden = kind(tmp_path / "hidden", crs=crs, res=res, nodata=nodata)
    plain = kind(tmp_path / "plain", crs=crs, res=res, nodata=nodata)
    mosaic = hidden[hidden.bounds][key].numpy()
    np.testing.assert_array_equal(mosaic, plain[hidden.bounds][key].numpy())
    assert (mosaic == 50).any() and (mosaic == 100).any()


@pytest.mark.parametrize(("dtype", "fill"), [("int16", -9999), ("uint8", 255), ("float32", -3.4e38)])
@pytest.mark.parametrize("resampling", [Resampling.nearest, Resampling.bilinear, Resampling.cubic])
def test_a_warped_value_equal_to_the_fill_keeps_its_value(
    tmp_path: Path, dtype: str, fill: float, resampling: Resampling
) -> None:
    # a.tif declares ``fill`` its nodata (so the fill) and is missing everywhere; b.tif, a third of a pixel
    # off the grid so warped, declares none and holds ``fill`` as data in its top half: GDAL, told the fill
    # is its destination nodata, would move those values by one to tell them from it (-9999 read -10000).
    write_raster(tmp_path / "a.tif", np.full((1, 12, 12), fill, dtype=dtype), "EPSG:32616", grid(LEFT, TOP),
                 nodata=fill)
    b = np.full((1, 12, 12), 100, dtype=dtype)
    b[0, :6] = fill
    write_raster(tmp_path / "b.tif", b, "EPSG:32616", grid(LEFT + 10, TOP))
    dataset = type("Fill", (RasterDataset,), {"resampling": resampling})(tmp_path, res=30)
    image = dataset[LEFT + 100 : LEFT + 300, TOP - 300 : TOP - 10]["image"][0].numpy()
    expected = np.float32(np.asarray(fill, dtype=dtype))
    assert (image[:4] == expected).all() and (image[7:] == 100).all()
    reference = gdal_warp(tmp_path / "b.tif", BoundingBox(LEFT + 100, LEFT + 300, TOP - 300, TOP - 10), "EPSG:32616",
                          30, src_nodata=None)
    assert (reference[0][:4] == b[0, 0, 0]).all(), "GDAL's warp without a destination nodata keeps the value"


@pytest.mark.parametrize("nodata", ["0", b"0", True, [0], None.__class__])
def test_a_nodata_that_is_no_number_is_refused_naming_it(tmp_path: Path, nodata: object) -> None:
    overlapping_tiles(tmp_path)
    with pytest.raises(TypeError, match=r"RasterDataset: nodata must be one real number, got"):
        RasterDataset(tmp_path, nodata=nodata)  # type: ignore[arg-type]


def test_an_image_nodata_beyond_the_samples_float_type_is_refused(tmp_path: Path) -> None:
    # In float32 samples 1e40 would become infinity: every pixel without data would read inf, no error.
    overlapping_tiles(tmp_path, dtype="float64")
    with pytest.raises(ValueError, match=r"nodata=1e\+40 is beyond the range of the samples' float32"):
        RasterDataset(tmp_path, nodata=1e40)

    class Float64Image(RasterDataset):
        @property
        def dtype(self) -> torch.dtype:
            return torch.float64

    dataset = Float64Image(tmp_path, nodata=1e40)
    image = dataset[LEFT - 60 : LEFT + 600, TOP - 600 : TOP]["image"][0].numpy()
    assert (image[:, :2] == 1e40).all() and (image[6:, 2:] == 100).all()


@pytest.mark.parametrize("nodata", [np.uint16(0), np.float32(0), torch.tensor(0), np.array(0.0), 0.0])
def test_numpy_and_torch_numbers_are_nodata_like_python_ones(tmp_path: Path, nodata: object) -> None:
    overlapping_tiles(tmp_path)
    dataset = RasterDataset(tmp_path, nodata=nodata)  # type: ignore[arg-type]
    assert type(dataset.nodata) in (int, float) and dataset.nodata == 0
    assert (dataset[LEFT : LEFT + 600, TOP - 600 : TOP]["image"][0].numpy()[:6, :6] == 200).all()


def test_a_mask_nodata_beyond_2_53_stays_exact(tmp_path: Path) -> None:
    classes = np.full((1, 20, 20), 7, dtype="int64")
    write_raster(tmp_path / "a.tif", classes, "EPSG:32616", grid(LEFT, TOP))
    mask = type("Classes", (RasterDataset,), {"is_image": False})(tmp_path, nodata=np.int64(2**60 + 1))
    assert mask.nodata == 2**60 + 1
    assert mask[LEFT - 60 : LEFT + 600, TOP - 600 : TOP]["mask"][0, 0].item() == 2**60 + 1


class Stack(RasterDataset):
    """A VRT stacking an elevation without nodata (band ``dem``) and a slope of nodata -9999 (band ``slope``)."""

    filename_glob = "*.vrt"
    all_bands = ("dem", "slope")


def stacked_bands(tmp_path: Path) -> tuple[Path, np.ndarray]:
    """stack.vrt: band 1 all 5.0 without nodata, band 2 100.0 with -9999 (its nodata) over its east half."""
    dem = write_raster(tmp_path / "dem.tif", np.full((20, 20), 5.0, "float32"), "EPSG:32616", grid(LEFT, TOP))
    slope = np.full((20, 20), 100.0, "float32")
    slope[:, 10:] = -9999
    write_raster(tmp_path / "slope.tif", slope, "EPSG:32616", grid(LEFT, TOP), nodata=-9999)
    folder = tmp_path / "stack"
    folder.mkdir()
    vrt(folder / "stack.vrt", [(str(dem), "Float32", None), (str(tmp_path / "slope.tif"), "Float32", -9999)], 20, 20,
        "EPSG:32616", (LEFT, 30, 0, TOP, 0, -30))
    with rasterio.open(folder / "stack.vrt") as source:
        assert source.nodatavals == (None, -9999.0), "GDAL keeps a nodata per band; rasterio's nodata is band 1's"
    return folder, slope


@pytest.mark.parametrize("res", [30, 60], ids=["copied", "warped"])
def test_a_band_of_its_own_nodata_in_a_vrt_leaves_it_out(tmp_path: Path, res: int) -> None:
    folder, slope = stacked_bands(tmp_path)
    dataset = Stack(folder, bands=["slope"], res=res)
    image = dataset[dataset.bounds]["image"][0].numpy()
    # GDAL's warp told the band's nodata; pixels without data hold the dataset's fill, 0 (band 1 has no nodata).
    target = Grid.from_bbox(dataset.bounds, dataset.crs, dataset.res)
    expected = np.zeros((target.height, target.width), "float32")
    with rasterio.open(folder / "stack.vrt") as source:
        scale_x, scale_y = kernel_scale(source, target)
    reproject(slope, expected, src_transform=grid(LEFT, TOP), src_crs="EPSG:32616", src_nodata=-9999,
              dst_transform=target.transform, dst_crs=target.crs, dst_nodata=-1, resampling=Resampling.bilinear,
              XSCALE=scale_x, YSCALE=scale_y)
    np.testing.assert_array_equal(image, np.where(expected == -1, 0, expected))
    assert image.min() == 0 and image.max() == 100, "no -9999 read as a slope, none blended into one"


def test_bands_of_different_nodata_in_a_vrt_are_each_read_with_their_own(tmp_path: Path) -> None:
    folder, _ = stacked_bands(tmp_path)
    image = Stack(folder, res=60)[BoundingBox(LEFT, LEFT + 600, TOP - 600, TOP, 0, 2**62)]["image"].numpy()
    np.testing.assert_array_equal(image[0], np.full((10, 10), 5.0))
    assert image[1, 0].tolist() == [100.0] * 5 + [0.0] * 5, "was [100, 100, 100, 100, -1162.375, -8736.625, -9999...]"


def _rgba(path: Path, nodata: float | None) -> None:
    """An RGBA uint8 GeoTIFF of 50s whose alpha band hides its west half, with ``nodata`` declared beside it."""
    alpha = np.zeros((20, 20), dtype="uint8")
    alpha[:, 10:] = 255
    path.parent.mkdir(parents=True, exist_ok=True)
    with rasterio.open(path, "w", driver="GTiff", width=20, height=20, count=4, dtype="uint8", crs="EPSG:32616",
                       transform=grid(LEFT, TOP), photometric="RGB", alpha="YES", nodata=nodata) as destination:
        destination.write(np.concatenate([np.full((3, 20, 20), 50, dtype="uint8"), alpha[None]]))


class RGB(RasterDataset):
    all_bands = ("R", "G", "B", "A")
    default_bands = ("R", "G", "B")


@pytest.mark.parametrize(("crs", "res"), [(None, 30), (None, 60), ("EPSG:32617", 30)],
                         ids=["copied", "coarser", "warped"])
def test_an_alpha_band_beside_a_nodata_value_hides_pixels_too(tmp_path: Path, crs: str | None, res: float) -> None:
    # GDAL's band masks follow the nodata alone there (rasterio: "nodata is shadowing the alpha band"); gdalwarp
    # honours the alpha: the west half is missing, and the 7s of the file under it show through.
    for folder, nodata in (("shadowed", 0), ("alpha", None)):
        _rgba(tmp_path / folder / "a.tif", nodata)
        write_raster(tmp_path / folder / "b.tif", np.full((4, 20, 20), 7, "uint8"), "EPSG:32616", grid(LEFT, TOP))
    with rasterio.open(tmp_path / "shadowed" / "a.tif") as source:
        assert source.mask_flag_enums[0] == [MaskFlags.nodata], "GDAL's band masks follow the nodata alone"
    shadowed = RGB(tmp_path / "shadowed", crs=crs, res=res)
    image = shadowed[shadowed.bounds]["image"].numpy()
    # The same file without its nodata tag (its alpha band alone marks the west half) reads the same.
    alpha = RGB(tmp_path / "alpha", crs=crs, res=res)
    np.testing.assert_array_equal(image, alpha[shadowed.bounds]["image"].numpy())
    if crs is None:
        columns = 20 * 30 // res
        assert image[0, 0].tolist() == [7.0] * (columns // 2) + [50.0] * (columns // 2), "was [50.0] * columns"
    else:
        assert (image == 7).any() and (image == 50).any()


def test_a_files_nodata_beyond_float32_as_the_fill_is_warned_of(tmp_path: Path) -> None:
    # A float64 raster of ArcGIS's nodata (-DBL_MAX) over its east half: float32 images held -inf there, unwarned.
    values = np.full((10, 10), 5.0)
    values[:, 5:] = -np.finfo(np.float64).max
    write_raster(tmp_path / "a.tif", values, "EPSG:32616", grid(LEFT, TOP), nodata=-np.finfo(np.float64).max)
    with pytest.warns(UserWarning, match=r"the nodata -1.79769\d*e\+308 of .*a\.tif, the fill of pixels without "
                                         r"data, is beyond the range of the samples' float32: they would hold -inf"):
        dataset = RasterDataset(tmp_path)
    assert dataset[dataset.bounds]["image"][0, 0].tolist() == [5.0] * 5 + [-math.inf] * 5
    # The remedy it names: a nodata float32 holds fills those pixels, without a warning of the fill.
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        filled = RasterDataset(tmp_path, nodata=float("nan"))
    assert not [warning for warning in caught if "beyond the range" in str(warning.message)]
    row = filled[filled.bounds]["image"][0, 0]
    assert row[:5].tolist() == [5.0] * 5 and row[5:].isnan().all()
