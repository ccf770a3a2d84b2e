"""RasterDataset's public override points (select_bands, scene_key, band_files, labels_of) and its read plan."""

from __future__ import annotations

import re
import warnings
from collections.abc import Hashable, Sequence
from pathlib import Path
from typing import Any, ClassVar

import numpy as np
import pytest
import torch
from rasterio.enums import Resampling

import geotorch.core.raster as raster_module
from geotorch.core import DatasetNotFoundError, RasterDataset, Sample
from tests.core.rasters import grid, write_raster


def _band_file(path: Path, value: int) -> Path:
    return write_raster(path, np.full((8, 8), value, dtype="uint16"), 32617, grid(500000.0, 4000000.0))


class TwoBands(RasterDataset):
    """A two-band file, its bands also asked for by upper-case names."""

    filename_glob = "stack_*.tif"
    all_bands = ("red", "nir")

    def select_bands(self, bands: Sequence[str] | None) -> tuple[str, ...]:
        return super().select_bands(None if bands is None else [band.lower() for band in bands])


def test_select_bands_chooses_what_is_read(tmp_path: Path) -> None:
    stack = np.stack([np.full((8, 8), 10, dtype="uint16"), np.full((8, 8), 20, dtype="uint16")])
    write_raster(tmp_path / "stack_1.tif", stack, 32617, grid(500000.0, 4000000.0))
    dataset = TwoBands(tmp_path, bands=["NIR"])
    assert dataset.bands == ("nir",)
    assert (dataset[dataset.bounds]["image"] == 20).all()
    with pytest.raises(ValueError, match=r"unknown band\(s\) \['swir'\]"):
        TwoBands(tmp_path, bands=["SWIR"])


class SplitScenes(RasterDataset):
    """One file per band, each band of a scene in a folder of its own."""

    filename_glob = "*_B?.tif"
    filename_regex = r"^(?P<scene>\w+)_(?P<band>B\d)\.tif$"
    separate_files = True
    all_bands = ("B1", "B2")

    def scene_key(self, path: Path, match: re.Match[str]) -> Hashable:
        return match.group("scene")


def test_scene_key_groups_the_band_files_of_a_scene(tmp_path: Path) -> None:
    _band_file(tmp_path / "visible" / "x_B1.tif", 1)
    _band_file(tmp_path / "infrared" / "x_B2.tif", 2)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        dataset = SplitScenes(tmp_path)
    assert len(dataset) == 1, "the scene is indexed once"
    image = dataset[dataset.bounds]["image"]
    assert image[0].eq(1).all() and image[1].eq(2).all()


def test_by_default_band_files_in_different_folders_are_different_scenes(tmp_path: Path) -> None:
    _band_file(tmp_path / "visible" / "x_B1.tif", 1)
    _band_file(tmp_path / "infrared" / "x_B2.tif", 2)

    class SameFolderScenes(RasterDataset):
        filename_glob = "*_B?.tif"
        filename_regex = r"^(?P<scene>\w+)_(?P<band>B\d)\.tif$"
        separate_files = True
        all_bands = ("B1", "B2")

    with pytest.warns(UserWarning, match="skipping the scene"), \
            pytest.raises(DatasetNotFoundError, match="lack a selected band"):
        SameFolderScenes(tmp_path)


class Resampled(RasterDataset):
    """A product whose index holds the coarse band files; every band is read from its file under ``fine/``."""

    filename_glob = "coarse_*.tif"
    filename_regex = r"^coarse_(?P<band>B\d)\.tif$"
    separate_files = True
    all_bands = ("B1", "B2")
    asked: ClassVar[list[str]] = []

    def band_files(self, path: str) -> list[str]:
        self.asked.append(path)
        return [str(Path(path).parent / "fine" / f"fine_{band}.tif") for band in self.bands]


def test_band_files_are_asked_once_per_scene_and_read(tmp_path: Path) -> None:
    _band_file(tmp_path / "coarse_B1.tif", 7)
    _band_file(tmp_path / "coarse_B2.tif", 7)
    _band_file(tmp_path / "fine" / "fine_B1.tif", 1)
    _band_file(tmp_path / "fine" / "fine_B2.tif", 2)
    Resampled.asked = []
    dataset = Resampled(tmp_path, bands=["B2", "B1"])
    for _ in range(2):
        image = dataset[dataset.bounds]["image"]
        assert image[0].eq(2).all() and image[1].eq(1).all()
    assert Resampled.asked == [str(tmp_path / "coarse_B2.tif")], "asked at indexing only, for the scene's file"


class Remapped(RasterDataset):
    """Raw classes 10 and 20 become labels 1 and 2."""

    filename_glob = "classes.tif"
    is_image = False

    def labels_of(self, mask: torch.Tensor) -> torch.Tensor:
        return torch.div(mask, 10, rounding_mode="floor")


def test_labels_of_maps_the_mask_before_transforms(tmp_path: Path) -> None:
    raw = np.array([[10, 20], [20, 10]], dtype="uint8").repeat(4, axis=0).repeat(4, axis=1)
    write_raster(tmp_path / "classes.tif", raw, 32617, grid(500000.0, 4000000.0))
    seen: list[torch.Tensor] = []

    def record(sample: Sample) -> Sample:
        seen.append(sample["mask"].clone())
        return sample

    dataset = Remapped(tmp_path, transforms=record)
    mask = dataset[dataset.bounds]["mask"]
    assert mask.dtype == torch.long and set(mask.unique().tolist()) == {1, 2}
    assert torch.equal(seen[0], mask), "transforms receive the labels"


def test_reads_share_one_plan_until_an_input_changes(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    _band_file(tmp_path / "tile.tif", 5)
    plans: list[Any] = []
    read = raster_module.read_series

    def recording(*args: Any) -> Any:
        plans.append(args[-1])
        return read(*args)

    monkeypatch.setattr(raster_module, "read_series", recording)
    dataset = RasterDataset(tmp_path)
    dataset[dataset.bounds]
    dataset[dataset.bounds]
    assert plans[0] is plans[1]
    assert plans[0].resampling == Resampling.bilinear and plans[0].dtype == np.dtype("float32")
    dataset.resampling = Resampling.cubic
    dataset[dataset.bounds]
    assert plans[2] is not plans[0] and plans[2].resampling == Resampling.cubic
