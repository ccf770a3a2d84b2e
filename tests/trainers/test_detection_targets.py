"""Detection tasks check each image's boxes, labels and masks against the image before the detector sees them."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pytest
import rasterio
import torch
from torch import Tensor

from geotorch.trainers import InstanceSegmentationTask, ObjectDetectionTask
from tests.datasets.fakes.geo import reflectance, write_raster
from tests.trainers.task_fakes import fast_trainer
from tests.trainers.test_detection import FixedDetector

SMALL: dict[str, Any] = {"backbone": "resnet18", "num_classes": 3, "min_size": 64, "max_size": 64}
DETECTORS = ["faster-rcnn", "fcos", "retinanet"]


def read(path: Path) -> Tensor:
    with rasterio.open(path) as source:
        return torch.from_numpy(source.read().astype("float32"))


@pytest.fixture
def scene(tmp_path: Path) -> Tensor:
    """A 64 x 64 three-band scene of 1 m pixels, read from a GeoTIFF."""
    bands = np.stack([reflectance((64, 64), seed) for seed in range(3)])
    return read(write_raster(tmp_path / "scene.tif", bands, 32633, 500000.0, 4600000.0, 1.0)) / 20000


def building_mask(tmp_path: Path, res: float) -> Tensor:
    """One building (x 8-24 m, y 8-24 m into the scene) as a 0/1 GeoTIFF of ``res`` m pixels over the scene."""
    size = round(64 / res)
    mask = np.zeros((1, size, size), np.uint8)
    low, high = round(8 / res), round(24 / res)
    mask[0, low:high, low:high] = 1
    return read(write_raster(tmp_path / f"building_{res}.tif", mask, 32633, 500000.0, 4600000.0, res)).to(torch.uint8)


BOX = torch.tensor([[8.0, 8.0, 24.0, 24.0]])


@pytest.mark.parametrize("model", DETECTORS)
def test_boxes_and_labels_that_are_not_one_per_object_are_refused(scene: Tensor, model: str) -> None:
    task = ObjectDetectionTask(model=model, **SMALL)
    batch = {"image": scene[None], "boxes": [BOX], "labels": [torch.tensor([1, 2])]}
    with pytest.raises(ValueError, match=r"ObjectDetectionTask: image 0 of the batch \(64 x 64 pixels\) has 1 boxes "
                                         r"but 2 labels; give one label per box"):
        task.training_step(batch, 0)


@pytest.mark.parametrize("model", DETECTORS)
@pytest.mark.parametrize(
    ("box", "message"),
    [
        ([500008.0, 4599976.0, 500024.0, 4599992.0], r"boxes wholly outside it: \[\[500008.0, .*not map coordinates"),
        ([70.0, 8.0, 90.0, 24.0], r"boxes wholly outside it: \[\[70.0, 8.0, 90.0, 24.0\]\]"),
        ([8.0, 8.0, 8.0, 24.0], r"boxes without area .*\[\[8.0, 8.0, 8.0, 24.0\]\]"),
        ([30.0, 30.0, 10.0, 10.0], r"boxes without area .* COCO's x, y, width, height boxes need x and y added"),
        ([8.0, 8.0, float("nan"), 24.0], r"boxes that are not finite: \[\[8.0, 8.0, nan, 24.0\]\]"),
    ],
)
def test_boxes_outside_the_image_without_area_or_not_finite_are_refused(scene: Tensor, model: str,
                                                                        box: list[float], message: str) -> None:
    task = ObjectDetectionTask(model=model, **SMALL)
    batch = {"image": scene[None], "boxes": [torch.tensor([box])], "labels": [torch.tensor([1])]}
    with pytest.raises(ValueError, match=rf"ObjectDetectionTask: image 0 of the batch .* has {message}"):
        task.training_step(batch, 0)


@pytest.mark.parametrize("model", DETECTORS)
def test_labels_of_whole_floats_train_and_fractions_are_refused(scene: Tensor, model: str) -> None:
    task = ObjectDetectionTask(model=model, **SMALL)
    batch = {"image": scene[None], "boxes": [BOX], "labels": [torch.tensor([2.0])]}
    assert torch.isfinite(task.training_step(batch, 0))
    batch["labels"] = [torch.tensor([1.5])]
    with pytest.raises(ValueError, match=r"has labels \[1.5\], which are no whole numbers"):
        task.training_step(batch, 0)


def test_a_training_batch_without_boxes_is_named(scene: Tensor) -> None:
    task = ObjectDetectionTask(**SMALL)
    with pytest.raises(ValueError, match=r"the batch has no 'boxes' \(or 'bbox_xyxy'\); its keys are \['image', "):
        task.training_step({"image": scene[None], "labels": [torch.tensor([1])]}, 0)


def test_an_image_without_objects_trains(scene: Tensor) -> None:
    task = ObjectDetectionTask(**SMALL)
    batch = {"image": scene[None], "boxes": [torch.zeros(0)], "labels": [torch.zeros(0, dtype=torch.long)]}
    assert torch.isfinite(task.training_step(batch, 0))


def test_a_box_past_the_edge_is_scored_by_its_part_in_the_image(tmp_path: Path, scene: Tensor) -> None:
    # A building cut by the scene's left edge; the detector finds exactly its visible part, as torchvision's
    # detectors, which clip what they predict to the image, at best can.
    visible = torch.tensor([[0.0, 10.0, 20.0, 50.0]])
    task = ObjectDetectionTask(in_channels=1, **SMALL)
    task.model = FixedDetector([{"boxes": visible, "labels": torch.tensor([1]), "scores": torch.tensor([0.9])}])
    batches = [{"image": [torch.zeros_like(scene[:1])], "boxes": [torch.tensor([[-20.0, 10.0, 20.0, 50.0]])],
                "labels": [torch.tensor([1])]}]
    (logged,) = fast_trainer(tmp_path, fast_dev_run=False).validate(task, dataloaders=torch.utils.data.DataLoader(
        batches, batch_size=None, collate_fn=lambda batch: batch))
    assert logged["val_map_75"] == pytest.approx(1.0)


def test_masks_of_another_size_than_the_image_are_refused(tmp_path: Path, scene: Tensor) -> None:
    # A building mask of 2 m pixels beside the 1 m scene: Mask R-CNN read it as a building at a quarter of the place.
    task = InstanceSegmentationTask(**SMALL)
    batch = {"image": scene[None], "boxes": [BOX], "labels": [torch.tensor([1])],
             "masks": [building_mask(tmp_path, 2.0)]}
    with pytest.raises(ValueError, match=r"InstanceSegmentationTask: image 0 of the batch \(64 x 64 pixels\) has "
                                         r"masks of shape \(1, 32, 32\); give \(N, 64, 64\)"):
        task.training_step(batch, 0)
    batch["masks"] = [building_mask(tmp_path, 1.0)[0]]
    with pytest.raises(ValueError, match=r"has masks of shape \(64, 64\); give \(N, 64, 64\)"):
        task.training_step(batch, 0)


def test_masks_not_one_per_box_or_of_other_values_than_zero_and_one_are_refused(tmp_path: Path,
                                                                                 scene: Tensor) -> None:
    task = InstanceSegmentationTask(**SMALL)
    mask = building_mask(tmp_path, 1.0)
    batch = {"image": scene[None], "boxes": [BOX], "labels": [torch.tensor([1])], "masks": [mask.repeat(2, 1, 1)]}
    with pytest.raises(ValueError, match="has 1 boxes but 2 masks; give one mask per box"):
        task.training_step(batch, 0)
    batch["masks"] = [mask * 255]
    with pytest.raises(ValueError, match=r"has mask values \[255.0\], outside 0 to 1; .*divide it by 255"):
        task.training_step(batch, 0)
    with pytest.raises(ValueError, match=r"has mask values \[255.0\]"):
        task.eval().validation_step(batch, 0)


def test_masks_with_a_channel_axis_train_as_the_same_masks_without(tmp_path: Path, scene: Tensor) -> None:
    mask = building_mask(tmp_path, 1.0)
    losses = []
    for masks in (mask, mask[:, None], mask.bool()):
        torch.manual_seed(0)
        task = InstanceSegmentationTask(**SMALL)
        batch = {"image": scene[None], "boxes": [BOX], "labels": [torch.tensor([1])], "masks": [masks]}
        torch.manual_seed(1)
        losses.append(float(task.training_step(batch, 0)))
    assert losses[1] == pytest.approx(losses[0]) and losses[2] == pytest.approx(losses[0])


@pytest.mark.parametrize("model", DETECTORS)
def test_an_image_holding_nodata_nan_is_refused(tmp_path: Path, model: str) -> None:
    # Before: a NaN loss in training and NaN detections, scored as misses (val_map 0), silently.
    bands = np.stack([reflectance((64, 64), seed) for seed in range(3)]).astype("float32") / 20000
    bands[:, :, :10] = np.nan  # the scene's edge, outside the swath
    image = read(write_raster(tmp_path / "edge.tif", bands, 32633, 500000.0, 4600000.0, 1.0, nodata=float("nan")))
    task = ObjectDetectionTask(model=model, **SMALL)
    batch = {"image": image[None], "boxes": [BOX + 12], "labels": [torch.tensor([1])]}
    message = r"ObjectDetectionTask: image 0 of the batch holds 1920 NaN or infinite values \(nodata pixels\?\)"
    with pytest.raises(ValueError, match=message):
        task.training_step(batch, 0)
    with pytest.raises(ValueError, match=message):
        task.eval().validation_step(batch, 0)
