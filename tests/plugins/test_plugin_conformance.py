"""The conformance kit, run on a plugin's dataset and on a benchmark-style dataset, and shown to catch faults."""

from __future__ import annotations

from pathlib import Path
from typing import Any, ClassVar

import numpy as np
import pytest
import torch

from geotorch.core import DatasetNotFoundError, NonGeoDataset, RasterDataset, get_dataset, plot_sample
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


def write_chips(root: Path, counts: dict[str, int]) -> Path:
    """Write ``<root>/<split>.npz``: ``images`` (N, 2, 8, 8) float32 and ``masks`` (N, 8, 8) int64 of classes 0-2."""
    rng = np.random.default_rng(0)
    root.mkdir(parents=True, exist_ok=True)
    for split, count in counts.items():
        np.savez(root / f"{split}.npz", images=rng.random((count, 2, 8, 8), dtype="float32"),
                 masks=rng.integers(0, 3, (count, 8, 8), dtype="int64"))
    return root


class Chips(NonGeoDataset):
    """2-band 8 x 8 chips with masks, one ``<root>/<split>.npz`` per split (see :func:`write_chips`)."""

    def __init__(self, root: Path, split: str = "train", transforms: Any = None) -> None:
        path = Path(root) / f"{split}.npz"
        if not path.exists():
            raise DatasetNotFoundError(type(self).__name__, root)
        with np.load(path) as arrays:
            self.images = torch.from_numpy(arrays["images"])
            self.masks = torch.from_numpy(arrays["masks"])
        self.transforms = transforms

    def __len__(self) -> int:
        return len(self.images)

    def __getitem__(self, index: int) -> dict[str, Any]:
        if not 0 <= index < len(self):
            raise IndexError(f"Chips: index {index} out of range for {len(self)} chips")
        sample = {"image": self.images[index], "mask": self.masks[index]}
        return self.transforms(sample) if self.transforms is not None else sample

    def plot(self, sample: dict[str, Any]) -> Any:
        return plot_sample(sample)


@pytest.fixture(scope="module")
def chips_root(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_chips(tmp_path_factory.mktemp("chips"), {"train": 4, "test": 2})


class TestChips(NonGeoDatasetConformance):
    dataset_class = Chips
    variants: ClassVar = [{"split": "train"}, {"split": "test"}]

    @pytest.fixture
    def dataset_kwargs(self, chips_root: Path) -> dict[str, Any]:
        return {"root": chips_root}


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


def test_kit_takes_a_float_mask_declared_as_a_continuous_target(example_scenes):
    class ContinuousTarget(GeoDatasetConformance):
        mask_dtype = torch.float32

    ContinuousTarget().test_sample_tensors_have_the_documented_types(FloatMaskScenes(example_scenes))
    masks = type("Masks", (RasterDataset,), {"filename_glob": "example_*.tif", "is_image": False})(example_scenes)
    with pytest.raises(AssertionError, match=r"'mask' must be torch\.float32, got torch\.int64"):
        ContinuousTarget().test_sample_tensors_have_the_documented_types(masks)


def test_kit_catches_an_index_past_the_end_that_does_not_raise(chips_root: Path) -> None:
    with pytest.raises(pytest.fail.Exception, match="DID NOT RAISE"):
        NonGeoDatasetConformance().test_index_past_the_end_raises_index_error(WrappingChips(chips_root))


def test_kit_catches_a_dataset_of_the_wrong_kind(chips_root: Path) -> None:
    with pytest.raises(AssertionError, match="must derive from GeoDataset"):
        GeoDatasetConformance().test_is_a_geo_dataset(Chips(chips_root))
