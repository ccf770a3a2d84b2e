"""GeoDataModule takes a patch size in every form its samplers take, for every stage, prediction included."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import torch

from geotorch.core import RasterDataset
from geotorch.datamodules import GeoDataModule
from geotorch.trainers import StreamingGridSampler
from tests.datasets.fakes.geo import write_raster


class Scene(RasterDataset):
    filename_glob = "scene.tif"


@pytest.fixture
def scene_folder(tmp_path: Path) -> Path:
    """A 2-band uint16 GeoTIFF, 171 x 61 px of 0.0001 degrees in EPSG:4326 (odd sizes, geographic)."""
    data = np.arange(2 * 61 * 171, dtype="uint16").reshape(2, 61, 171) + 1
    write_raster(tmp_path / "scene.tif", data, 4326, -105.5, 40.3, 0.0001)
    return tmp_path


def first_images(datamodule: GeoDataModule) -> dict[str, tuple[int, ...]]:
    """The image shape of the first batch of each stage's loader."""
    loaders = {"fit": datamodule.train_dataloader, "validate": datamodule.val_dataloader,
               "test": datamodule.test_dataloader, "predict": datamodule.predict_dataloader}
    return {stage: tuple(next(iter(loader()))["image"].shape) for stage, loader in loaders.items()}


@pytest.mark.parametrize("patch_size", [[16, 12], np.array([16, 12]), torch.tensor([16, 12]), (16.0, 12.0)])
def test_a_patch_size_pair_of_any_form_reaches_every_stage(scene_folder: Path, patch_size: object) -> None:
    # Before: fit, validate and test ran, then predict_dataloader raised TypeError "unsupported operand type(s) for
    # //: 'list' and 'int'" (a list), "The truth value of an array with more than one element is ambiguous" (an
    # array), "'float' object is not iterable" (16.0 as one number), naming no argument.
    datamodule = GeoDataModule(Scene, batch_size=2, patch_size=patch_size, length=4, paths=scene_folder)  # type: ignore[arg-type]
    assert datamodule.patch_size == (16, 12)
    assert first_images(datamodule) == dict.fromkeys(("fit", "validate", "test", "predict"), (2, 2, 16, 12))


@pytest.mark.parametrize("patch_size", [16.0, np.int64(16), np.array(16)])
def test_one_whole_number_of_any_type_is_the_patch_side(scene_folder: Path, patch_size: object) -> None:
    datamodule = GeoDataModule(Scene, batch_size=2, patch_size=patch_size, length=4, paths=scene_folder)  # type: ignore[arg-type]
    assert datamodule.patch_size == 16 and type(datamodule.patch_size) is int
    assert first_images(datamodule) == dict.fromkeys(("fit", "validate", "test", "predict"), (2, 2, 16, 16))


def test_the_default_prediction_grid_overlaps_by_half_a_patch(scene_folder: Path) -> None:
    datamodule = GeoDataModule(Scene, batch_size=2, patch_size=[16, 12], paths=scene_folder)  # type: ignore[arg-type]
    datamodule.setup("predict")
    sampler = datamodule.predict_dataloader().sampler
    assert (sampler.sampler.size, sampler.sampler.stride) == ((16, 12), (8, 6))  # type: ignore[attr-defined]


@pytest.mark.parametrize(
    ("name", "value", "shown"),
    [("patch_size", 16.5, "16.5"), ("patch_size", (16, 12.5), r"\(16, 12.5\)"), ("stride", 7.5, "7.5"),
     ("predict_stride", [4, 2.5], r"\[4, 2.5\]")],
)
def test_a_size_between_whole_pixels_is_refused_naming_it(name: str, value: object, shown: str) -> None:
    # Before: built; validation rounded 16.5 to a 17 px window and prediction then refused it
    # ("StreamingGridSampler: size=16.5 must be a positive whole number (or two)"), the stages disagreeing.
    with pytest.raises(ValueError, match=rf"GeoDataModule: {name}={shown} must be whole pixels"):
        GeoDataModule(**{name: value})


@pytest.mark.parametrize(("size", "error", "message"), [
    (True, TypeError, r"StreamingGridSampler: size=True must be a number or a pair of numbers"),
    (8.5, ValueError, r"StreamingGridSampler: size=8.5 must be whole pixels, not 8.5"),
    ((8, 0), ValueError, r"StreamingGridSampler: size=\(8, 0\): 0 must be positive"),
])
def test_the_prediction_sampler_names_a_size_that_is_no_whole_pixels(
    scene_folder: Path, size: object, error: type[Exception], message: str
) -> None:
    # Before: True was a 1 x 1 px window (bool is an int), 8.5 "'float' object is not iterable".
    with pytest.raises(error, match=message):
        StreamingGridSampler(Scene(scene_folder), size, 1)  # type: ignore[arg-type]


def test_the_prediction_sampler_takes_whole_numbers_of_any_type(scene_folder: Path) -> None:
    sampler = StreamingGridSampler(Scene(scene_folder), np.int64(16), [8.0, np.int32(6)])  # type: ignore[arg-type]
    assert (sampler.size, sampler.stride) == ((16, 16), (8, 6))
    assert all(isinstance(side, int) for side in (*sampler.size, *sampler.stride))
