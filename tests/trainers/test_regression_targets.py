"""Image regression tasks check their targets as the series ones do: shape in the model's order, finite values.

Images and targets are read from GeoTIFFs written in the test: a 3-band Sentinel-2-like export and a float32
biomass raster (tonnes per hectare, NaN where unmapped) on the same 10 m grid.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pytest
import torch
from torch.utils.data import DataLoader

from geotorch.core import RasterDataset, stack_samples
from geotorch.trainers import PixelwiseRegressionTask
from tests.datasets.fakes.geo import write_raster
from tests.trainers.task_fakes import fast_trainer

SIZE = 16
WEST, TOP, RES = 735360.0, 4987360.0, 10.0


class Scene(RasterDataset):
    filename_glob = "scene.tif"


class Biomass(RasterDataset):
    """Read as an image: the values are not classes."""

    filename_glob = "biomass.tif"


def chip(root: Path, biomass: np.ndarray) -> dict[str, Any]:
    """The scene's (3, SIZE, SIZE) image and the biomass raster's bands as its ``mask``."""
    scene = np.stack([np.full((SIZE, SIZE), 1000 + 100 * band, "uint16") for band in range(3)])
    write_raster(root / "scene.tif", scene, 32631, WEST, TOP, RES)
    write_raster(root / "biomass.tif", biomass, 32631, WEST, TOP, RES)
    image, values = Scene(root), Biomass(root)
    sample = image[image.bounds]
    mask = values[values.bounds]["image"]
    return {"image": sample["image"], "mask": mask[0] if mask.shape[0] == 1 else mask}


def tensors(samples: list[dict[str, Any]]) -> dict[str, Any]:
    return {key: value for key, value in stack_samples(samples).items() if isinstance(value, torch.Tensor)}


def test_pixel_targets_without_values_are_named_before_they_poison_the_weights(tmp_path: Path) -> None:
    biomass = np.linspace(0, 300, SIZE * SIZE, dtype="float32").reshape(SIZE, SIZE)
    biomass[3, 5:8] = np.nan
    sample = chip(tmp_path, biomass)
    task = PixelwiseRegressionTask(model="fcn", in_channels=3, num_filters=4)
    # Before: train_loss NaN, and after the step every weight of the model was NaN.
    with pytest.raises(ValueError, match=r"PixelwiseRegressionTask: batch\['mask'\] holds 3 NaN or infinite value"):
        fast_trainer(tmp_path).fit(task, DataLoader([sample], collate_fn=tensors))
    assert all(bool(weight.isfinite().all()) for weight in task.parameters())
    sample["mask"] = sample["mask"].nan_to_num(0.0)
    trainer = fast_trainer(tmp_path)
    trainer.fit(task, DataLoader([sample], collate_fn=tensors))
    assert torch.isfinite(trainer.callback_metrics["train_loss"])


def test_channels_last_pixel_targets_are_refused_not_reshaped(tmp_path: Path) -> None:
    # Two outputs (biomass, canopy height) given as (B, H, W, 2): view() read them as (B, 2, H, W), scrambling
    # every pixel's values across the image.
    values = np.stack([np.full((SIZE, SIZE), 120.0, "float32"), np.full((SIZE, SIZE), 18.0, "float32")])
    sample = chip(tmp_path, values)
    assert sample["mask"].shape == (2, SIZE, SIZE)
    sample["mask"] = sample["mask"].permute(1, 2, 0)
    task = PixelwiseRegressionTask(model="fcn", in_channels=3, num_outputs=2, num_filters=4)
    with pytest.raises(ValueError, match=r"batch\['mask'\] of shape \(1, 16, 16, 2\) does not hold the model's "
                                         r"\(1, 2, 16, 16\) values in that order"):
        fast_trainer(tmp_path).fit(task, DataLoader([sample], collate_fn=tensors))
