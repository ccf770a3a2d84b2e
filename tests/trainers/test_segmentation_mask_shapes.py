"""Segmentation masks are checked against the images' pixels before the loss: one map per image (per label), same grid.

A 3-band 10 m scene and a 30 m land-cover raster over the same 240 m square are GeoTIFFs written in the test and
read with GeoTorch's RasterDataset, as a user pairs them by hand (without ``&``, which would warp the labels).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pytest
import torch
from torch.utils.data import DataLoader

from geotorch.core import RasterDataset
from geotorch.trainers import SemanticSegmentationTask
from tests.datasets.fakes.geo import write_raster
from tests.trainers.task_fakes import fast_trainer

WEST, TOP = 735360.0, 4987360.0


class Scene(RasterDataset):
    filename_glob = "scene.tif"


class LandCover(RasterDataset):
    filename_glob = "cover.tif"
    is_image = False


def chip(root: Path) -> dict[str, Any]:
    """The scene's (3, 24, 24) image and the land cover's (8, 8) classes (0, 1, 2) over the same square."""
    write_raster(root / "scene.tif", np.full((3, 24, 24), 900, "uint16"), 32631, WEST, TOP, 10.0)
    write_raster(root / "cover.tif", np.arange(64, dtype="uint8").reshape(8, 8) % 3, 32631, WEST, TOP, 30.0)
    scene, cover = Scene(root), LandCover(root)
    return {"image": scene[scene.bounds]["image"], "mask": cover[cover.bounds]["mask"]}


def fit(task: SemanticSegmentationTask, samples: list[dict[str, Any]], tmp_path: Path) -> None:
    loader = DataLoader(samples, batch_size=len(samples))
    fast_trainer(tmp_path).fit(task, loader, loader)


@pytest.mark.parametrize("loss", ["ce", "dice", "jaccard"])
def test_a_mask_on_another_grid_than_the_images_is_named(tmp_path: Path, loss: str) -> None:
    sample = chip(tmp_path)
    assert sample["mask"].shape == (8, 8)
    task = SemanticSegmentationTask(model="fcn", num_filters=4, in_channels=3, num_classes=3, loss=loss)
    # Before: torch's RuntimeError 'size mismatch (got input: [1, 3, 24, 24] , target: [1, 8, 8]' (ce), or a bare
    # AssertionError from segmentation-models-pytorch's dice and jaccard losses, naming neither mask nor image.
    with pytest.raises(ValueError, match=r"SemanticSegmentationTask: batch\['mask'\] of shape \(1, 8, 8\) is not "
                                         r"\(1, 24, 24\), \(B, H, W\) of the images \(1, 3, 24, 24\)"):
        fit(task, [sample], tmp_path)
    sample["mask"] = sample["mask"].repeat_interleave(3, 0).repeat_interleave(3, 1)
    fit(task, [sample], tmp_path)
    assert task.trainer.state.finished


def test_one_hot_and_channels_last_masks_are_named(tmp_path: Path) -> None:
    sample = chip(tmp_path)
    classes = sample["mask"].repeat_interleave(3, 0).repeat_interleave(3, 1)
    one_hot = torch.nn.functional.one_hot(classes, 3)
    task = SemanticSegmentationTask(model="fcn", num_filters=4, in_channels=3, num_classes=3)
    # Before: RuntimeError 'Expected floating point type for target with class probabilities, got Long'.
    with pytest.raises(ValueError, match=r"batch\['mask'\] of shape \(1, 3, 24, 24\) is not \(1, 24, 24\), \(B, H, W\) "
                                         r"of the images \(1, 3, 24, 24\); a one-hot mask\? give class indices"):
        fit(task, [{"image": sample["image"], "mask": one_hot.permute(2, 0, 1)}], tmp_path)
    labels = SemanticSegmentationTask(model="fcn", num_filters=4, in_channels=3, task="multilabel", num_labels=3,
                                      loss="dice")
    # Before: RuntimeError 'Predictions and targets are expected to have the same shape, but got
    # torch.Size([1, 3, 24, 24]) and torch.Size([1, 24, 24, 3])' from torchmetrics, after the loss.
    with pytest.raises(ValueError, match=r"batch\['mask'\] of shape \(1, 24, 24, 3\) is not \(1, 3, 24, 24\), "
                                         r"\(B, num_labels, H, W\)"):
        fit(labels, [{"image": sample["image"], "mask": one_hot}], tmp_path)
    fit(labels, [{"image": sample["image"], "mask": one_hot.permute(2, 0, 1)}], tmp_path)
    assert labels.trainer.state.finished
