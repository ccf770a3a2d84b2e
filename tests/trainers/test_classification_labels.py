"""ClassificationTask checks its image labels as the segmentation tasks check their masks: shape and classes.

Chips are 3-band uint16 GeoTIFFs written in the test (a user's scene-classification folder); each is labelled
from a land-cover GeoTIFF of NLCD codes (41 deciduous forest, 82 cultivated crops) read with rasterio, the way
a label meant as a class index can arrive as a product's code, a fraction or a one-hot vector.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pytest
import rasterio
import torch
from torch.utils.data import DataLoader

from geotorch.trainers import ClassificationTask, MultiLabelClassificationTask
from tests.datasets.fakes.geo import write_raster
from tests.trainers.task_fakes import fast_trainer

SIZE = 32
WEST, TOP, RES = 735360.0, 4987360.0, 30.0
NLCD_CODES = (41, 82, 41, 82)


def chips(root: Path) -> list[dict[str, Any]]:
    """Four chips read from their GeoTIFFs, each with the NLCD code of its land-cover GeoTIFF as ``label``."""
    samples = []
    for number, code in enumerate(NLCD_CODES):
        scene = np.stack([np.full((SIZE, SIZE), 900 + 50 * band + code, "uint16") for band in range(3)])
        image_path = write_raster(root / f"chip_{number}.tif", scene, 32617, WEST + number * SIZE * RES, TOP, RES)
        cover_path = write_raster(root / f"nlcd_{number}.tif", np.full((SIZE, SIZE), code, "uint8"), 32617,
                                  WEST + number * SIZE * RES, TOP, RES)
        with rasterio.open(image_path) as image, rasterio.open(cover_path) as cover:
            label = int(np.bincount(cover.read(1).ravel()).argmax())
            samples.append({"image": torch.from_numpy(image.read().astype("float32")), "label": torch.tensor(label)})
    return samples


def fit(task: ClassificationTask, samples: list[dict[str, Any]], tmp_path: Path) -> None:
    loader = DataLoader(samples, batch_size=len(samples))
    fast_trainer(tmp_path).fit(task, loader, loader)


def test_product_codes_as_labels_are_named_not_out_of_bounds(tmp_path: Path) -> None:
    samples = chips(tmp_path)
    task = ClassificationTask(model="resnet18", in_channels=3, num_classes=16)
    # Before: IndexError 'Target 41 is out of bounds.' from torch's cross-entropy, naming no label or class count.
    with pytest.raises(ValueError, match=r"ClassificationTask: batch\['label'\] holds 41, 82, outside 0\.\.15 of "
                                         r"num_classes=16 with ignore_index=None"):
        fit(task, samples, tmp_path)
    for sample in samples:
        sample["label"] = torch.tensor(NLCD_CODES.index(int(sample["label"])))
    fit(task, samples, tmp_path)
    assert task.trainer.state.finished


def test_fractional_labels_are_refused_not_truncated_to_a_class(tmp_path: Path) -> None:
    samples = chips(tmp_path)
    for sample, cover in zip(samples, (0.37, 1.6, 0.9, 2.0), strict=True):
        sample["label"] = torch.tensor(cover)  # a tree-cover fraction, meant for a RegressionTask
    task = ClassificationTask(model="resnet18", in_channels=3, num_classes=3)
    # Before: trained silently on classes 0, 1, 0, 2 (the values truncated).
    with pytest.raises(ValueError, match=r"batch\['label'\] holds values that are not whole class numbers"):
        fit(task, samples, tmp_path)


def test_one_hot_labels_of_a_multiclass_task_are_named(tmp_path: Path) -> None:
    samples = chips(tmp_path)
    for sample in samples:
        sample["label"] = torch.nn.functional.one_hot(torch.tensor(NLCD_CODES.index(int(sample["label"]))), 2)
    task = ClassificationTask(model="resnet18", in_channels=3, num_classes=2)
    # Before: ValueError 'Expected input batch_size (4) to match target batch_size (8).' from torch.
    with pytest.raises(ValueError, match=r"batch\['label'\] of shape \(4, 2\) must be \(4,\): one class per image "
                                         r"for task='multiclass'; a one-hot label\? give class indices"):
        fit(task, samples, tmp_path)


def test_binary_labels_of_255_are_named_before_the_loss(tmp_path: Path) -> None:
    samples = chips(tmp_path)
    for sample in samples:
        sample["label"] = torch.tensor(255 if int(sample["label"]) == 41 else 0, dtype=torch.uint8)
    task = ClassificationTask(model="resnet18", in_channels=3, task="binary", loss="bce")
    # Before: the bce loss was computed on target 255, then torchmetrics raised RuntimeError 'Detected the
    # following values in `target`: tensor([  0, 255]) but expected only the following values [0, 1].'
    with pytest.raises(ValueError, match=r"batch\['label'\] holds 255, outside 0\.\.1 of task='binary'"):
        fit(task, samples, tmp_path)
    task = ClassificationTask(model="resnet18", in_channels=3, task="binary", loss="bce", ignore_index=255)
    fit(task, samples, tmp_path)
    assert task.trainer.state.finished


def test_multilabel_labels_of_another_label_count_are_named(tmp_path: Path) -> None:
    samples = chips(tmp_path)
    for sample in samples:
        sample["label"] = torch.tensor([int(sample["label"]) == 41, int(sample["label"]) == 82])
    task = MultiLabelClassificationTask(model="resnet18", in_channels=3, num_classes=3)
    # Before: ValueError 'Target size (torch.Size([4, 2])) must be the same as input size (torch.Size([4, 3]))'.
    with pytest.raises(ValueError, match=r"batch\['label'\] of shape \(4, 2\) must be \(4, 3\): one 0/1 value per "
                                         r"image and label of num_labels=3"):
        fit(task, samples, tmp_path)
    task = MultiLabelClassificationTask(model="resnet18", in_channels=3, num_classes=2)
    fit(task, samples, tmp_path)
    assert task.trainer.state.finished
