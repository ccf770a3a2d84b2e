"""Detection datamodules augment each image with its boxes and instance masks, as their stage's augmentation says."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import kornia.augmentation as K
import torch
from torch import Tensor

from geotorch.datamodules import VHR10DataModule
from geotorch.trainers import InstanceSegmentationTask
from geotorch.transforms import AugmentationSequential, Normalize
from tests.datasets.fakes.dense import rgb, write_raster
from tests.datasets.fakes.detection import FOLDER, annotation
from tests.trainers.task_fakes import fast_trainer

#: Objects (x, y, width, height) of three 30 x 30 images, one each: a corner, the opposite corner, the centre.
OBJECTS = [[0, 0, 6, 6], [22, 21, 8, 9], [12, 11, 6, 7]]


class BatchKeeper(InstanceSegmentationTask):
    """Mask R-CNN that keeps the training batches it is given."""

    batches: list[dict[str, Any]]

    def training_step(self, batch: dict[str, Any], batch_idx: int) -> Tensor:
        self.batches = [*getattr(self, "batches", []), batch]
        return super().training_step(batch, batch_idx)


def datamodule(root: Path) -> VHR10DataModule:
    """VHR10's layout: three 30 x 30 JPEGs and their COCO annotations, all for training."""
    if not root.exists():
        for number in range(1, len(OBJECTS) + 1):
            write_raster(root / FOLDER / "positive image set" / f"{number:03d}.jpg", rgb((30, 30)))
        coco = {"images": [{"id": number, "file_name": f"{number + 1:03d}.jpg", "height": 30, "width": 30}
                           for number in range(len(OBJECTS))],
                "annotations": [annotation(number + 1, number, number + 1, box) for number, box in enumerate(OBJECTS)],
                "categories": [{"id": number, "name": f"class {number}"} for number in (1, 2, 3)]}
        (root / FOLDER / "annotations.json").write_text(json.dumps(coco))
    return VHR10DataModule(batch_size=3, root=root, val_split_pct=0.0, test_split_pct=0.0)


def test_train_aug_flips_each_image_with_its_boxes_and_masks(tmp_path: Path) -> None:
    # Before: train_aug was ignored (images only normalised), silently.
    plain = datamodule(tmp_path / "vhr10")
    plain.setup("fit")
    (original,) = [plain.on_after_batch_transfer(batch, 0) for batch in plain.train_dataloader()]
    flipping = datamodule(tmp_path / "vhr10")
    flipping.train_aug = AugmentationSequential(Normalize(mean=flipping.mean, std=flipping.std),
                                                K.RandomHorizontalFlip(p=1.0))
    task = BatchKeeper(backbone="resnet18", num_classes=11, min_size=32, max_size=32)
    fast_trainer(tmp_path, limit_val_batches=0).fit(task, datamodule=flipping)
    (flipped,) = task.batches
    for index, image in enumerate(flipped["image"]):
        # The training loader shuffles: find the image this one is the mirror of.
        (match,) = [other for other in range(3) if torch.equal(image, original["image"][other].flip(-1))]
        assert torch.equal(flipped["labels"][index], original["labels"][match])
        assert torch.equal(flipped["masks"][index], original["masks"][match].flip(-1))
        x_min, y_min, x_max, y_max = original["boxes"][match][0].tolist()
        assert flipped["boxes"][index].tolist() == [[30 - x_max, y_min, 30 - x_min, y_max]]
        # The flipped box covers exactly the flipped mask's pixels.
        rows, columns = flipped["masks"][index][0].nonzero().unbind(1)
        assert [int(columns.min()), int(rows.min()), int(columns.max()) + 1, int(rows.max()) + 1] == \
            [round(value) for value in flipped["boxes"][index][0].tolist()]


def test_objects_a_crop_cuts_away_are_dropped_with_their_labels_and_masks(tmp_path: Path) -> None:
    cropping = datamodule(tmp_path / "vhr10")
    cropping.aug = AugmentationSequential(K.CenterCrop((12, 12)))  # pixels 9-20 of each side
    cropping.setup("fit")
    batch = cropping.on_after_batch_transfer(next(iter(cropping.train_dataloader())), 0)
    kept = {int(label) for labels in batch["labels"] for label in labels}
    assert kept == {3}  # the corners' objects are cut away, the centre's kept
    for boxes, labels, masks in zip(batch["boxes"], batch["labels"], batch["masks"], strict=True):
        assert len(boxes) == len(labels) == len(masks) and masks.shape[1:] == (12, 12)
        if len(labels):
            assert boxes.tolist() == [[3.0, 2.0, 9.0, 9.0]] and int(masks.sum()) == 6 * 7
