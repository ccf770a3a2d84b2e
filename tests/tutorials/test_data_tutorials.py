"""Walks of TorchGeo 0.10.1's data tutorials (getting started, custom raster datasets, transforms and spectral
indices) with ``geotorch`` in place of ``torchgeo``, on small files written in the products' real layouts."""

from __future__ import annotations

import shutil
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, ClassVar

import kornia.augmentation as K
import matplotlib.pyplot as plt
import pytest
import torch
from matplotlib.figure import Figure
from torch import Tensor, nn
from torch.utils.data import DataLoader

from geotorch.datasets import (
    CDL,
    NAIP,
    ChesapeakeDE,
    EuroSAT100,
    Landsat7,
    Landsat8,
    RasterDataset,
    stack_samples,
    unbind_samples,
)
from geotorch.samplers import GridGeoSampler, RandomGeoSampler
from geotorch.transforms import indices
from tests.datasets.fakes.classification import make_eurosat
from tests.datasets.fakes.geo import covering_grid, stripes, write_landsat_scene, write_raster
from tests.datasets.fakes.products import write_naip_quad
from tests.tutorials.fakes import write_chesapeake_under, write_s2_band_files

L7_ID = "LE07_L2SP_022032_20230607_20230703_02_T1"
L8_ID = "LC08_L2SP_022032_20230615_20230620_02_T1"


@pytest.fixture
def landsat_and_cdl(tmp_path: Path) -> Path:
    """A Landsat 7 and a Landsat 8 scene of one path/row (UTM 16N) and a CDL 2023 year covering them (Albers)."""
    write_landsat_scene(tmp_path / "landsat", L7_ID, Landsat7.all_bands, 32616, -87.6, 40.1, size=96)
    write_landsat_scene(tmp_path / "landsat", L8_ID, Landsat8.all_bands, 32616, -87.6, 40.1, size=96)
    left, top, height, width = covering_grid((-87.65, 39.95, -87.5, 40.15), 5070, 30.0)
    write_raster(
        tmp_path / "cdl" / "2023_30m_cdls.tif",
        stripes((height, width), (1, 5, 24), width=8),
        5070,
        left,
        top,
        30.0,
        nodata=0,
    )
    return tmp_path


def test_getting_started_landsat_union_intersected_with_cdl(landsat_and_cdl: Path) -> None:
    landsat7 = Landsat7(paths=landsat_and_cdl / "landsat", bands=Landsat7.rgb_bands)
    landsat8 = Landsat8(paths=landsat_and_cdl / "landsat", bands=Landsat8.rgb_bands)
    landsat = landsat7 | landsat8
    cdl = CDL(paths=landsat_and_cdl / "cdl", years=[2023])
    dataset = landsat & cdl

    sampler = RandomGeoSampler(dataset, size=32, length=4)
    dataloader = DataLoader(dataset, batch_size=2, sampler=sampler, collate_fn=stack_samples)
    batches = list(dataloader)
    assert len(batches) == 2
    for batch in batches:
        assert batch["image"].shape == (2, 3, 32, 32) and batch["image"].dtype == torch.float32
        assert batch["mask"].shape == (2, 32, 32) and batch["mask"].dtype == torch.int64
        assert batch["transform"].shape == (2, 9)

    sample = unbind_samples(batches[0])[0]
    figure = landsat8.plot(sample)
    assert isinstance(figure, Figure) and figure.axes
    plt.close("all")


def test_getting_started_grid_sampler_covers_the_intersection(landsat_and_cdl: Path) -> None:
    dataset = Landsat8(paths=landsat_and_cdl / "landsat") & CDL(paths=landsat_and_cdl / "cdl")
    sampler = GridGeoSampler(dataset, size=48, stride=48)
    batch = next(iter(DataLoader(dataset, batch_size=4, sampler=sampler, collate_fn=stack_samples)))
    assert batch["image"].shape == (4, len(Landsat8.default_bands), 48, 48)
    assert batch["mask"].shape == (4, 48, 48)


def test_getting_started_naip_intersected_with_chesapeake_on_naips_grid(tmp_path: Path) -> None:
    quad = write_naip_quad(tmp_path / "naip")
    write_chesapeake_under(tmp_path / "chesapeake", quad, year=2018)

    naip = NAIP(tmp_path / "naip")
    chesapeake = ChesapeakeDE(tmp_path / "chesapeake", crs=naip.crs, res=naip.res)
    dataset = naip & chesapeake
    sampler = RandomGeoSampler(naip, size=16, length=3)
    dataloader = DataLoader(dataset, sampler=sampler, collate_fn=stack_samples)
    count = 0
    for sample in dataloader:
        image, target = sample["image"], sample["mask"]
        assert image.shape == (1, 4, 16, 16) and target.shape == (1, 16, 16)
        count += 1
    assert count == 3


class Sentinel2Bands(RasterDataset):
    """The tutorial's dataset: Sentinel-2 10 m bands, one file per band, the date and band in the file name."""

    filename_glob = "T*_B02_10m.tif"
    filename_regex = r"^.{6}_(?P<date>\d{8}T\d{6})_(?P<band>B0[\d])"
    date_format = "%Y%m%dT%H%M%S"
    is_image = True
    separate_files = True
    all_bands: ClassVar[tuple[str, ...]] = ("B02", "B03", "B04", "B08")
    rgb_bands: ClassVar[tuple[str, ...]] = ("B04", "B03", "B02")

    def plot(self, sample: dict[str, Any]) -> Figure:  # type: ignore[override]
        """The RGB bands of ``sample["image"]``, scaled from reflectance to [0, 1]."""
        rgb = [self.all_bands.index(band) for band in self.rgb_bands]
        image = torch.clamp(sample["image"][rgb].permute(1, 2, 0) / 10000, min=0, max=1).numpy()
        figure, axis = plt.subplots()
        axis.imshow(image)
        return figure


def test_custom_raster_dataset_with_glob_regex_dates_and_separate_band_files(tmp_path: Path) -> None:
    write_s2_band_files(tmp_path, "40XDH", "20220902T090559", 500000.0, 8500000.0)
    write_s2_band_files(tmp_path, "40XEJ", "20220718T084609", 520000.0, 8600000.0)

    dataset = Sentinel2Bands(tmp_path)
    assert len(dataset) == 2
    assert "2022-07-18T08:46:09Z" in str(dataset)
    start = dataset.bounds.slices[2].start
    assert start == datetime(2022, 7, 18, 8, 46, 9, tzinfo=UTC)

    torch.manual_seed(1)
    sampler = RandomGeoSampler(dataset, size=32, length=3)
    dataloader = DataLoader(dataset, sampler=sampler, collate_fn=stack_samples)
    for batch in dataloader:
        assert batch["image"].shape == (1, 4, 32, 32)
        sample = unbind_samples(batch)[0]
        assert sample["image"].shape == (4, 32, 32)
        assert isinstance(dataset.plot(sample), Figure)
    plt.close("all")

    only_nir = Sentinel2Bands(tmp_path, bands=["B08"])
    assert only_nir[only_nir.bounds]["image"].shape[0] == 1


class MinMax(K.IntensityAugmentationBase2D):
    """Scales each band from ``[mins, maxs]`` to ``[0, 1]``, as the transforms tutorial's own normaliser does."""

    def __init__(self, mins: Tensor, maxs: Tensor) -> None:
        super().__init__(p=1)
        self.flags = {"mins": mins.view(1, -1, 1, 1), "maxs": maxs.view(1, -1, 1, 1)}

    def apply_transform(
        self, input: Tensor, params: dict[str, Tensor], flags: dict[str, Any], transform: Tensor | None = None
    ) -> Tensor:
        return (input - flags["mins"]) / (flags["maxs"] - flags["mins"] + 1e-10)


@pytest.fixture
def eurosat100(tmp_path: Path) -> Path:
    make_eurosat(tmp_path)
    for split in ("train", "val", "test"):
        shutil.copy(tmp_path / f"eurosat-{split}.txt", tmp_path / f"eurosat-100-{split}.txt")
    return tmp_path


def test_transforms_append_spectral_indices_to_eurosat100_batches(eurosat100: Path) -> None:
    dataset = EuroSAT100(eurosat100, split="train")
    sample = dataset[0]
    assert sample["image"].shape == (13, 16, 16) and sample["label"].ndim == 0
    batch = next(iter(DataLoader(dataset, batch_size=4, shuffle=True)))
    assert batch["image"].shape == (4, 13, 16, 16) and batch["label"].shape == (4,)

    mins, maxs = torch.zeros(13), torch.full((13,), 20000.0)
    normalized = MinMax(mins, maxs)(batch["image"])
    assert float(normalized.min()) >= 0 and float(normalized.max()) <= 1

    ndvi = indices.AppendNDVI(index_nir=7, index_red=3)
    assert ndvi(batch["image"]).shape == (4, 14, 16, 16)

    several = nn.Sequential(
        indices.AppendNDBI(index_swir=11, index_nir=7),
        indices.AppendNDSI(index_green=3, index_swir=11),
        indices.AppendNDVI(index_nir=7, index_red=3),
        indices.AppendNDWI(index_green=2, index_nir=7),
    )
    assert several(batch["image"]).shape == (4, 17, 16, 16)

    augment = K.AugmentationSequential(
        MinMax(mins, maxs),
        indices.AppendNDBI(index_swir=11, index_nir=7),
        indices.AppendNDVI(index_nir=7, index_red=3),
        K.RandomHorizontalFlip(p=0.5),
        K.RandomVerticalFlip(p=0.5),
        data_keys=None,
        keepdim=True,
    )
    out = augment({"image": batch["image"]})
    assert out["image"].shape == (4, 15, 16, 16)
    on_samples = EuroSAT100(eurosat100, split="val", transforms=augment)
    assert on_samples[0]["image"].shape == (15, 16, 16) and on_samples[0]["label"].ndim == 0
    ndvi_band = out["image"][:, -1]
    assert float(ndvi_band.min()) >= -1 and float(ndvi_band.max()) <= 1
