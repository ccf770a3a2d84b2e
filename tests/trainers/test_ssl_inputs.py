"""SimCLRTask, MoCoTask and BYOLTask on the batches real multispectral rasters give: nodata, odd augmentations."""

from __future__ import annotations

import warnings
from pathlib import Path
from typing import Any

import kornia.augmentation as K
import numpy as np
import pytest
import torch
from lightning.pytorch import Trainer
from torch import Tensor, nn
from torch.utils.data import DataLoader

from geotorch.core import RasterDataset, stack_samples
from geotorch.samplers import GridGeoSampler
from geotorch.trainers.ssl_byol import BYOLTask
from geotorch.trainers.ssl_moco import MoCoTask
from geotorch.trainers.ssl_simclr import SimCLRTask
from geotorch.transforms import AppendNDVI, AugmentationSequential
from tests.datasets.fakes.geo import reflectance, write_raster

SMALL: dict[str, Any] = {"size": 32, "hidden_dim": 64, "output_dim": 16}
TASKS: list[tuple[type[Any], dict[str, Any]]] = [
    (SimCLRTask, {}), (MoCoTask, {"version": 2, "memory_bank_size": 16}), (MoCoTask, {"version": 3}), (BYOLTask, {}),
]
IDS = ["SimCLR", "MoCo-v2", "MoCo-v3", "BYOL"]


def scene_batch(tmp_path: Path, nodata_columns: int) -> Tensor:
    """Four 32 x 32 chips of a 13-band float32 Sentinel-2 scene whose first columns are NaN nodata (an orbit edge)."""
    bands = np.stack([reflectance((64, 64), seed) for seed in range(13)]).astype("float32") / 10000
    bands[:, :, :nodata_columns] = np.nan
    write_raster(tmp_path / "scene" / "T33TUF_20230601.tif", bands, 32633, 500000.0, 4600000.0, 10.0,
                 nodata=float("nan"))
    dataset = RasterDataset(paths=tmp_path / "scene")
    image: Tensor = stack_samples([dataset[query] for query in GridGeoSampler(dataset, 32, 32)])["image"]
    return image


@pytest.mark.parametrize(("task_class", "arguments"), TASKS, ids=IDS)
def test_nodata_pixels_are_refused_before_they_make_the_loss_nan(tmp_path: Path, task_class: type[Any],
                                                                 arguments: dict[str, Any]) -> None:
    task = task_class(in_channels=13, **SMALL, **arguments)
    image = scene_batch(tmp_path, 10)
    with pytest.raises(ValueError, match=rf"{task_class.__name__}: the batch's image holds 8320 NaN or infinite "
                                         r"values, in 2 of its 4 images \(nodata pixels\?\).*torch.nan_to_num"):
        task.training_step({"image": image}, 0)
    with pytest.raises(ValueError, match="NaN or infinite values"):
        task.validation_step({"image": torch.stack([image, image], dim=1)}, 0)


def test_the_moco_memory_bank_keeps_no_nan_key_from_a_nodata_batch(tmp_path: Path) -> None:
    task = MoCoTask(in_channels=13, version=2, memory_bank_size=16, **SMALL)
    image = scene_batch(tmp_path, 10)
    with pytest.raises(ValueError, match="NaN"):
        task.training_step({"image": image}, 0)
    assert task.queue is not None and torch.isfinite(task.queue).all()
    assert torch.isfinite(task.training_step({"image": torch.nan_to_num(image)}, 0))


TENSOR_AUGMENTATIONS = {
    # TorchGeo's MoCo and SimCLR pipelines: a kornia container of input tensors.
    "kornia container": lambda: K.AugmentationSequential(K.RandomResizedCrop((16, 16)), K.RandomHorizontalFlip(),
                                                         data_keys=["input"]),
    "nn.Sequential": lambda: nn.Sequential(K.RandomResizedCrop((16, 16)), K.RandomVerticalFlip()),
    "one augmentation": lambda: K.RandomResizedCrop((16, 16)),
}


@pytest.mark.parametrize("augmentations", TENSOR_AUGMENTATIONS.values(), ids=TENSOR_AUGMENTATIONS.keys())
@pytest.mark.parametrize(("task_class", "arguments"), TASKS, ids=IDS)
def test_torchgeos_kornia_augmentations_of_image_tensors_make_the_views(
        tmp_path: Path, task_class: type[Any], arguments: dict[str, Any], augmentations: Any) -> None:
    task = task_class(in_channels=13, **SMALL, **arguments, augmentations=augmentations())
    image = scene_batch(tmp_path, 0)
    first, second = task.views({"image": image})
    assert first.shape == second.shape == (4, 13, 16, 16) and not torch.equal(first, second)
    assert torch.isfinite(task.training_step({"image": image}, 0))


def test_augmentations_that_change_the_band_count_are_named(tmp_path: Path) -> None:
    task = SimCLRTask(in_channels=13, **SMALL, augmentations=AugmentationSequential(AppendNDVI(index_nir=7,
                                                                                                index_red=3)))
    with pytest.raises(ValueError, match=r"SimCLRTask: its augmentations turned a batch image of shape "
                                         r"\(4, 13, 32, 32\) into \(4, 14, 32, 32\); they must give B x 13 x H x W"):
        task.training_step({"image": scene_batch(tmp_path, 0)}, 0)


@pytest.mark.parametrize(("task_class", "arguments"), TASKS, ids=IDS)
def test_a_checkpoint_loads_into_a_task_of_other_augmentations(tmp_path: Path, task_class: type[Any],
                                                               arguments: dict[str, Any]) -> None:
    # Before: RuntimeError 'Error(s) in loading state_dict ... Missing key(s) in state_dict:
    # "augmentations.augmentations.RandomContrast_3._param_generator.contrast_factor", ...' (kornia's ranges).
    chips = [{"image": image} for image in scene_batch(tmp_path, 0)]
    loader = DataLoader(chips, batch_size=4)
    task = task_class(in_channels=13, **SMALL, **arguments, augmentations=TENSOR_AUGMENTATIONS["kornia container"]())
    trainer = Trainer(accelerator="cpu", max_steps=1, limit_val_batches=1, logger=False, enable_progress_bar=False,
                      enable_model_summary=False, default_root_dir=tmp_path)
    trainer.fit(task, train_dataloaders=loader, val_dataloaders=loader)
    (path,) = tmp_path.rglob("*.ckpt")
    assert not [name for name in torch.load(path, weights_only=False)["state_dict"] if "augmentations" in name]
    for augmentations in (None, nn.Sequential(K.RandomVerticalFlip())):
        loaded = task_class.load_from_checkpoint(path, augmentations=augmentations)
        assert torch.equal(loaded.model.conv1.weight, task.model.conv1.weight)
    # A checkpoint saved before, with the augmentations' buffers, loads too.
    task_class(in_channels=13, **SMALL, **arguments).load_state_dict(task.state_dict())
    resumed = Trainer(accelerator="cpu", max_steps=2, limit_val_batches=1, logger=False, enable_progress_bar=False,
                      enable_model_summary=False, enable_checkpointing=False, default_root_dir=tmp_path)
    resumed.fit(task_class(in_channels=13, **SMALL, **arguments), train_dataloaders=loader, val_dataloaders=loader,
                ckpt_path=path)


@pytest.mark.parametrize(
    ("task_class", "arguments", "message"),
    [
        # Before: a NaN loss; a loss pushing the two views of an image apart.
        (SimCLRTask, {"temperature": 0}, r"SimCLRTask: temperature=0 must be a number above 0"),
        (MoCoTask, {"temperature": -0.2}, r"MoCoTask: temperature=-0.2 must be a number above 0"),
        # Before: the momentum encoder moved away from the online one.
        (MoCoTask, {"moco_momentum": 1.5}, r"MoCoTask: moco_momentum=1.5 must be from 0 to 1"),
        (BYOLTask, {"moco_momentum": -0.5}, r"BYOLTask: moco_momentum=-0.5 must be from 0 to 1"),
        # Before: projections of nothing, a constant loss.
        (SimCLRTask, {"output_dim": 0}, r"SimCLRTask: output_dim=0 must be a whole number of at least 1"),
        # Before: kornia's AssertionError, torch's RuntimeError 'negative dimension', randn()'s TypeError.
        (SimCLRTask, {"size": 0}, r"SimCLRTask: size=0 must be a whole number of at least 1"),
        (BYOLTask, {"hidden_dim": -1}, r"BYOLTask: hidden_dim=-1 must be a whole number of at least 1"),
        (MoCoTask, {"version": 2, "memory_bank_size": 2.5}, r"memory_bank_size=2.5 must be a whole number, 0 or"),
    ],
)
def test_arguments_that_train_wrong_or_fail_later_are_refused_when_built(task_class: type[Any],
                                                                          arguments: dict[str, Any],
                                                                          message: str) -> None:
    with pytest.raises(ValueError, match=message):
        task_class(in_channels=13, **{**SMALL, **arguments})


@pytest.mark.parametrize(("task_class", "arguments"), [
    (SimCLRTask, {"temperature": 0.5}), (MoCoTask, {"version": 2, "memory_bank_size": np.int64(8),
                                                    "moco_momentum": 1}), (BYOLTask, {"moco_momentum": 0})])
def test_arguments_at_their_limits_train(tmp_path: Path, task_class: type[Any], arguments: dict[str, Any]) -> None:
    task = task_class(in_channels=13, **{**SMALL, **arguments})
    assert torch.isfinite(task.training_step({"image": scene_batch(tmp_path, 0)}, 0))


@pytest.mark.parametrize(("task_class", "arguments", "warned"), [
    (SimCLRTask, {}, True), (MoCoTask, {"version": 3}, True), (MoCoTask, {"version": 2, "memory_bank_size": 0}, True),
    (MoCoTask, {"version": 2, "memory_bank_size": 16}, False), (BYOLTask, {}, False)])
def test_a_batch_of_one_image_without_negatives_is_warned_of_once(tmp_path: Path, task_class: type[Any],
                                                                  arguments: dict[str, Any], warned: bool) -> None:
    # Before: SimCLR's and MoCo v3's loss of one image was exactly 0, silently: batch_size=1 trained nothing.
    task = task_class(in_channels=13, **SMALL, **arguments)
    chip = scene_batch(tmp_path, 0)[:1]
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        losses = [float(task.training_step({"image": chip}, step)) for step in range(2)]
    ours = [str(warning.message) for warning in caught if "a training batch of one image" in str(warning.message)]
    if warned:
        assert losses == [0.0, 0.0] and len(ours) == 1
        assert ours[0].startswith(f"{task_class.__name__}: a training batch of one image has no other image")
    else:
        assert not ours and losses[0] > 0
