"""Time-series transforms on RasterDataset(time_series=True) samples read from GeoTIFFs written here."""

from __future__ import annotations

import warnings
from pathlib import Path

import kornia.augmentation as K
import numpy as np
import pytest
import torch

from geotorch.core import BoundingBox, IntersectionDataset, RasterDataset
from geotorch.transforms import AugmentationSequential, Rearrange, TemporalComposite
from tests.core.rasters import grid, random_bands, write_raster

DAYS = ("20210305", "20210410", "20210522", "20210619")
LEFT, TOP = 500000.0, 4600000.0
#: The whole 32 x 32 tile, 10 m pixels, EPSG:32631.
TILE = BoundingBox(LEFT, LEFT + 320, TOP - 320, TOP)
#: Sentinel-2 scene classes: 4 vegetation, 5 bare soil, 8 and 9 cloud.
CLASSES = np.array([4, 5, 8, 9], dtype="uint16")


class Scenes(RasterDataset):
    filename_glob = "scene_*.tif"
    filename_regex = r"^scene_(?P<date>\d{8})\.tif$"


class Crops(RasterDataset):
    filename_glob = "crops_*.tif"
    filename_regex = r"^crops_(?P<date>\d{8})\.tif$"
    is_image = False


def write_scenes(folder: Path) -> np.ndarray:
    """Four dates of 2 reflectance bands and a scene-class band, nodata 0 in places; returns ``T x 3 x 32 x 32``."""
    rng = np.random.default_rng(5)
    steps = []
    for step, day in enumerate(DAYS):
        reflectance = random_bands((2, 32, 32), seed=step)
        reflectance[:, rng.random((32, 32)) < 0.15] = 0
        scene_classes = CLASSES[rng.integers(0, 4, (1, 32, 32))]
        bands = np.concatenate([reflectance, scene_classes])
        write_raster(folder / f"scene_{day}.tif", bands, 32631, grid(LEFT, TOP, 10.0), nodata=0)
        steps.append(bands)
    return np.stack(steps)


def test_cloud_free_median_composite_of_a_dataset_series(tmp_path: Path) -> None:
    written = write_scenes(tmp_path)
    composite = TemporalComposite("median", nodata=0, mask_band=2, mask_values=(8, 9))
    sample = Scenes(tmp_path, res=10.0, time_series=True, transforms=composite)[TILE]
    assert sample["image"].shape == (2, 32, 32) and sample["image"].dtype == torch.float32
    assert sample["time"].shape == (4,), "the composite keeps the dates it was made from"
    reflectance = written[:, :2].astype(np.float64)
    clear = (reflectance != 0) & ~np.isin(written[:, 2:], (8, 9))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        expected = np.nanmedian(np.where(clear, reflectance, np.nan), axis=0)
    expected = np.where(np.isnan(expected), 0, expected)
    assert (clear.sum(axis=0) == 0).any() and (clear.sum(axis=0) == 2).any()
    np.testing.assert_array_equal(sample["image"].numpy(), expected.astype(np.float32))


def test_series_and_its_label_turn_together_as_transforms_of_an_intersection(tmp_path: Path) -> None:
    write_scenes(tmp_path)
    labels = np.arange(32 * 32, dtype="uint16").reshape(32, 32) + 1
    write_raster(tmp_path / "crops_20210101.tif", labels, 32631, grid(LEFT, TOP, 10.0))
    series = Scenes(tmp_path, res=10.0, time_series=True)
    plain = IntersectionDataset(series, Crops(tmp_path, res=10.0))[TILE]
    augment = AugmentationSequential(K.RandomRotation90(times=(1, 3), p=1.0), time_series=True, keepdim=True, seed=0)
    turned = IntersectionDataset(series, Crops(tmp_path, res=10.0), transforms=augment)[TILE]
    assert turned["image"].shape == (4, 3, 32, 32) and turned["mask"].shape == (32, 32)
    turns = [k for k in range(1, 4) if torch.equal(torch.rot90(plain["mask"], k, dims=(-2, -1)), turned["mask"])]
    assert len(turns) == 1
    expected = torch.rot90(plain["image"], turns[0], dims=(-2, -1))
    # kornia turns by resampling: within float32 rounding of the integer values written.
    assert torch.equal(turned["image"].round(), expected)


def test_steps_stacked_as_bands_for_a_model_without_time(tmp_path: Path) -> None:
    write_scenes(tmp_path)
    stack = Rearrange("t c h w -> (t c) h w")
    sample = Scenes(tmp_path, res=10.0, time_series=True)[TILE]
    stacked = Scenes(tmp_path, res=10.0, time_series=True, transforms=stack)[TILE]
    assert stacked["image"].shape == (12, 32, 32)
    assert torch.equal(stacked["image"][3:6], sample["image"][1])


def test_half_precision_series_composites_without_overflow(tmp_path: Path) -> None:
    # Twelve dates of bright Sentinel-2-like values around 8000 read in half precision: their sum overflowed
    # float16 (65504) and the mean was inf; the two middle steps of an even count, 40000 and 40064, gave a
    # median of inf too.
    days = [f"2021{month:02d}15" for month in range(1, 13)]
    values = 8000.0 + 8 * np.arange(12)
    for day, value in zip(days, values, strict=True):
        write_raster(tmp_path / f"scene_{day}.tif", np.full((1, 8, 8), value, "float32"), 32631, grid(LEFT, TOP, 10.0))
    series = Scenes(tmp_path, res=10.0, time_series=True)[BoundingBox(LEFT, LEFT + 80, TOP - 80, TOP)]["image"]
    assert series.shape == (12, 1, 8, 8)
    mean = TemporalComposite("mean")(series.half())
    assert mean.dtype == torch.float16 and (mean == torch.tensor(values.mean(), dtype=torch.float16)).all()
    bright = torch.tensor([40000.0, 40064.0], dtype=torch.float16).view(2, 1, 1, 1)
    assert TemporalComposite("median")(bright).item() == 40032.0


def test_a_nodata_beyond_the_integer_dtype_leaves_out_no_pixel(tmp_path: Path) -> None:
    # uint8 pixels were compared with nodata in uint8: -1 wrapped to 255 and left out every saturated pixel,
    # 300 wrapped to 44; no uint8 pixel can hold either.
    values = np.array([44, 255, 100, 44], "uint8")
    for day, value in zip(DAYS, values, strict=True):
        write_raster(tmp_path / f"scene_{day}.tif", np.full((1, 8, 8), value, "uint8"), 32631, grid(LEFT, TOP, 10.0))
    image = Scenes(tmp_path, res=10.0, time_series=True)[BoundingBox(LEFT, LEFT + 80, TOP - 80, TOP)]["image"]
    # In the files' dtype, as a dataset of integer series (PASTIS's int16) gives them.
    series = image.to(torch.uint8)
    assert torch.equal(series.float(), image) and series.shape == (4, 1, 8, 8)
    for nodata in (-1, 300):
        mean = TemporalComposite("mean", nodata=nodata)(series)
        assert torch.allclose(mean, torch.tensor(values.mean(), dtype=torch.float32))
    assert (TemporalComposite("mean", nodata=44)(series) == (255 + 100) / 2).all()


def test_a_nodata_a_half_precision_series_cannot_hold_is_refused_naming_it(tmp_path: Path) -> None:
    # float16 holds at most 65504: nodata -1e6 was read as -inf, and the pixels without a clear step got -inf.
    for day in DAYS:
        image = np.full((1, 8, 8), 7.0, "float32")
        image[:, :4] = -1e6
        write_raster(tmp_path / f"scene_{day}.tif", image, 32631, grid(LEFT, TOP, 10.0), nodata=-1e6)
    series = Scenes(tmp_path, res=10.0, time_series=True)[BoundingBox(LEFT, LEFT + 80, TOP - 80, TOP)]["image"]
    composite = TemporalComposite("median", nodata=-1e6)
    assert (composite(series)[0, :4] == -1e6).all() and (composite(series)[0, 4:] == 7).all()
    with pytest.raises(ValueError, match=r"nodata=-1000000.0 is beyond the range of the torch.float16 image"):
        composite(series.half())
