"""The conformance kit, run on a plugin's dataset and on a benchmark-style dataset, and shown to catch faults."""

from __future__ import annotations

from typing import Any, ClassVar

import pytest
import torch

from geotorch.core import NonGeoDataset, RasterDataset, get_dataset
from geotorch.core.plotting import plot_sample
from geotorch.core.testing import GeoDatasetConformance, NonGeoDatasetConformance


class TestExampleScenesFromTheRegistry(GeoDatasetConformance):
    """The example plugin's dataset, built by name as a user would, with each band selection."""

    variants: ClassVar = [{"bands": ("red",)}, {"bands": ("blue", "green")}, {"bands": ("red", "green", "blue")}]

    def build(self, **kwargs: Any) -> Any:
        return get_dataset("ExampleScenes", **kwargs)

    @pytest.fixture
    def dataset_kwargs(self, example_plugin, example_scenes):
        return {"paths": example_scenes}


class TestExampleScenesInAnotherCrs(TestExampleScenesFromTheRegistry):
    """The same files served in a geographic CRS: every file is warped on the fly."""

    chip_size = 8

    @pytest.fixture
    def dataset_kwargs(self, example_plugin, example_scenes):
        return {"paths": example_scenes, "crs": "EPSG:4326", "res": 0.0001}


class Chips(NonGeoDataset):
    """Four 2-band 8 x 8 chips with masks, held in memory."""

    def __init__(self) -> None:
        generator = torch.Generator().manual_seed(0)
        self.images = torch.rand(4, 2, 8, 8, generator=generator)
        self.masks = torch.randint(0, 3, (4, 8, 8), generator=generator)

    def __len__(self) -> int:
        return len(self.images)

    def __getitem__(self, index: int) -> dict[str, Any]:
        if not 0 <= index < len(self):
            raise IndexError(f"Chips: index {index} out of range for {len(self)} chips")
        return {"image": self.images[index], "mask": self.masks[index]}

    def plot(self, sample: dict[str, Any]) -> Any:
        return plot_sample(sample)


class TestChips(NonGeoDatasetConformance):
    @pytest.fixture
    def dataset(self):
        return Chips()


class WrappingChips(Chips):
    """Indexes past the end wrap around: iteration would never stop."""

    def __getitem__(self, index: int) -> dict[str, Any]:
        return super().__getitem__(index % len(self))


class FloatMaskScenes(RasterDataset):
    """Reads the example scenes as a mask, then breaks the contract by making it float."""

    filename_glob = "example_*.tif"
    is_image = False

    def __getitem__(self, query: Any) -> dict[str, Any]:
        sample = super().__getitem__(query)
        sample["mask"] = sample["mask"].float()
        return sample


def test_kit_catches_a_float_mask(example_scenes):
    dataset = FloatMaskScenes(example_scenes)
    with pytest.raises(AssertionError, match="'mask' must be long"):
        GeoDatasetConformance().test_sample_tensors_have_the_documented_types(dataset)


def test_kit_catches_an_index_past_the_end_that_does_not_raise():
    with pytest.raises(pytest.fail.Exception, match="DID NOT RAISE"):
        NonGeoDatasetConformance().test_index_past_the_end_raises_index_error(WrappingChips())


def test_kit_catches_a_dataset_of_the_wrong_kind():
    with pytest.raises(AssertionError, match="must derive from GeoDataset"):
        GeoDatasetConformance().test_is_a_geo_dataset(Chips())
