"""ObjectDetectionTask refuses object classes its detector cannot have, before the detector sees them."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import rasterio
import torch
from torch import Tensor

from geotorch.trainers import ObjectDetectionTask
from tests.datasets.fakes.geo import reflectance, write_raster


def image_of_a_geotiff(tmp_path: Path) -> Tensor:
    path = write_raster(tmp_path / "scene.tif", np.stack([reflectance((64, 64), seed) for seed in range(3)]),
                        32633, 500000.0, 4600000.0, 1.0)
    with rasterio.open(path) as source:
        return torch.from_numpy(source.read().astype("float32"))[None] / 20000


@pytest.mark.parametrize(
    ("model", "label", "message"),
    [
        ("faster-rcnn", 5, r"batch labels \[5\] are outside 1..2 \(num_classes=3\); set num_classes to 6"),
        ("faster-rcnn", 0, r"batch labels \[0\] are outside 1..2 .*class 0 is the background of model='faster-rcnn'"),
        ("faster-rcnn", -1, r"batch labels \[-1\] are outside 1..2 .*classes are whole numbers from 1"),
        ("retinanet", 3, r"batch labels \[3\] are outside 0..2 \(num_classes=3\); set num_classes to 4"),
        ("retinanet", -1, r"batch labels \[-1\] are outside 0..2 .*classes are whole numbers from 0"),
    ],
)
def test_classes_the_detector_cannot_have_are_refused_naming_them(tmp_path: Path, model: str, label: int,
                                                                  message: str) -> None:
    task = ObjectDetectionTask(model=model, backbone="resnet18", num_classes=3, min_size=64, max_size=64)
    batch = {"image": image_of_a_geotiff(tmp_path), "boxes": [torch.tensor([[4.0, 4.0, 30.0, 30.0]])],
             "labels": [torch.tensor([1, label])[1:]]}
    with pytest.raises(ValueError, match=rf"ObjectDetectionTask: {message}"):
        task.training_step(batch, 0)


def test_classes_in_range_train(tmp_path: Path) -> None:
    task = ObjectDetectionTask(model="faster-rcnn", backbone="resnet18", num_classes=3, min_size=64, max_size=64)
    batch = {"image": image_of_a_geotiff(tmp_path), "boxes": [torch.tensor([[4.0, 4.0, 30.0, 30.0]])],
             "labels": [torch.tensor([2])]}
    assert torch.isfinite(task.training_step(batch, 0))
