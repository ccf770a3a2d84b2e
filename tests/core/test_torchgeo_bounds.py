"""TorchGeo 0.10 code using bounds, transforms and times runs on GeoTorch (see docs/migration.md)."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import numpy as np
import pytest
import rasterio
import torch
from affine import Affine
from torch.utils.data import DataLoader

from geotorch.core import BoundingBox, RasterDataset, stack_samples, unbind_samples
from geotorch.samplers import GridGeoSampler, RandomGeoSampler
from tests.core.rasters import grid, random_bands, write_raster

LEFT, TOP = 600000.0, 4000300.0


class Scenes(RasterDataset):
    filename_glob = "scene_*.tif"
    filename_regex = r"scene_(?P<date>\d{8})\.tif"
    date_format = "%Y%m%d"


@pytest.fixture
def scenes(tmp_path: Path) -> Scenes:
    for day, seed in (("20200601", 0), ("20210601", 1)):
        bands = random_bands((3, 20, 20), seed=seed)
        write_raster(tmp_path / "data" / f"scene_{day}.tif", bands, "EPSG:32633", grid(LEFT, TOP))
    return Scenes(paths=tmp_path / "data")


def test_predictions_georeferenced_with_sample_transform_land_on_the_sample(tmp_path: Path, scenes: Scenes) -> None:
    """TorchGeo 0.10's way of writing a prediction: the sample's ``transform`` and the dataset's ``crs``."""
    sampler = GridGeoSampler(scenes, size=10, stride=10)
    loader = DataLoader(scenes, sampler=sampler, batch_size=2, collate_fn=stack_samples)
    written = []
    for batch in loader:
        for sample in unbind_samples(batch):
            prediction = sample["image"][0].numpy().astype("uint16")
            path = tmp_path / "out" / f"{len(written)}.tif"
            transform = Affine(*sample["transform"][:6].tolist())
            write_raster(path, prediction, scenes.crs, transform)
            written.append((path, sample))
    assert len(written) == len(sampler)
    for path, sample in written:
        with rasterio.open(path) as source:
            box = sample["bounds"]
            assert source.bounds == pytest.approx((box.minx, box.miny, box.maxx, box.maxy))
            # Read back through the dataset at the written file's place and the sample's time: the same pixels.
            _, _, t = box.slices
            again = scenes[source.bounds.left : source.bounds.right, source.bounds.bottom : source.bounds.top, t]
            np.testing.assert_array_equal(source.read(1), again["image"][0].numpy())


def test_slicing_with_datetimes_as_torchgeo_010_does(tmp_path: Path, scenes: Scenes) -> None:
    """``ds[xmin:xmax, ymin:ymax, tmin:tmax]`` with datetimes (TorchGeo's are pandas Timestamps, datetimes too)."""
    sample = scenes[LEFT : LEFT + 300, TOP - 300 : TOP, datetime(2021, 1, 1) : datetime(2021, 12, 31)]
    assert sample["bounds"].mint == datetime(2021, 1, 1, tzinfo=UTC).timestamp()
    assert torch.equal(sample["transform"], torch.tensor(grid(LEFT, TOP)))
    with rasterio.open(tmp_path / "data" / "scene_20210601.tif") as source:
        np.testing.assert_array_equal(sample["image"].numpy(), source.read(window=((0, 10), (0, 10))))


def test_bounds_slices_are_torchgeo_010s_bounds(scenes: Scenes) -> None:
    """``x, y, t = ds.bounds.slices`` is TorchGeo 0.10's ``x, y, t = ds.bounds`` (less the steps)."""
    x, y, t = scenes.bounds.slices
    assert (x.start, x.stop, y.start, y.stop) == (LEFT, LEFT + 600, TOP - 600, TOP)
    assert t.start == datetime(2020, 6, 1, tzinfo=UTC)
    assert t.stop == datetime(2021, 6, 1, 23, 59, 59, 999999, tzinfo=UTC)
    # What TorchGeo's NAIP datamodule does with them: halves of the area.
    midx = x.start + (x.stop - x.start) / 2
    west = scenes[x.start : midx, y.start : y.stop, t.start : t.stop]
    assert west["bounds"] == BoundingBox(x.start, midx, y.start, y.stop, scenes.bounds.mint, scenes.bounds.maxt)
    assert scenes[x, y, t]["bounds"] == scenes.bounds
    # An undated box gives open ends, which index like the dataset's own.
    assert BoundingBox(0, 1, 0, 1).slices[2] == slice(None, None)


def test_random_sampler_loader_and_unbind_as_in_the_tutorials(scenes: Scenes) -> None:
    sampler = RandomGeoSampler(scenes, size=5, length=4)
    loader = DataLoader(scenes, sampler=sampler, batch_size=4, collate_fn=stack_samples)
    batch = next(iter(loader))
    assert batch["image"].shape == (4, 3, 5, 5)
    assert batch["transform"].shape == (4, 9)
    samples = unbind_samples(batch)
    assert [sample["transform"][2].item() for sample in samples] == pytest.approx([box.minx for box in batch["bounds"]])
