"""VHR10DataModule's patch_size resizes each image's masks onto the pixels its resized boxes cover."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import torch

from geotorch.datamodules import VHR10DataModule
from geotorch.trainers import InstanceSegmentationTask, ObjectDetectionTask
from tests.datasets.fakes.dense import rgb, write_raster
from tests.datasets.fakes.detection import FOLDER, annotation
from tests.trainers.task_fakes import fast_trainer

#: Objects (x, y, width, height in pixels) of three 30 x 30 images; their edges fall between the resized pixels.
OBJECTS = [[2, 0, 28, 30], [0, 2, 30, 13], [5, 7, 11, 17]]


def vhr10_of_30_pixel_images(root: Path) -> Path:
    for number in range(1, len(OBJECTS) + 1):
        write_raster(root / FOLDER / "positive image set" / f"{number:03d}.jpg", rgb((30, 30)))
    coco = {"images": [{"id": number, "file_name": f"{number + 1:03d}.jpg", "height": 30, "width": 30}
                       for number in range(len(OBJECTS))],
            "annotations": [annotation(number + 1, number, 1, box) for number, box in enumerate(OBJECTS)],
            "categories": [{"id": 1, "name": "airplane"}]}
    (root / FOLDER / "annotations.json").write_text(json.dumps(coco))
    return root


@pytest.mark.parametrize("size", [20, 45, (20, 45)])
def test_resized_masks_cover_the_pixels_whose_centres_lie_in_the_resized_boxes(tmp_path: Path,
                                                                                size: int | tuple[int, int]) -> None:
    datamodule = VHR10DataModule(batch_size=3, patch_size=size, root=vhr10_of_30_pixel_images(tmp_path),
                                 val_split_pct=0.0, test_split_pct=0.0)
    datamodule.setup("fit")
    batch = datamodule.on_after_batch_transfer(next(iter(datamodule.train_dataloader())), 0)
    height, width = (size, size) if isinstance(size, int) else size
    rows, columns = torch.arange(height) + 0.5, torch.arange(width) + 0.5
    for boxes, masks in zip(batch["boxes"], batch["masks"], strict=True):
        ((x_min, y_min, x_max, y_max),) = boxes.tolist()
        inside = ((rows >= y_min) & (rows < y_max))[:, None] & ((columns >= x_min) & (columns < x_max))[None]
        assert masks.shape == (1, height, width)
        assert torch.equal(masks[0].bool(), inside), f"box {boxes.tolist()}"


class WholeImage(torch.nn.Module):
    """A detector finding one object, the whole image it is given (its mask all ones), in that image's pixels."""

    def forward(self, images: list[torch.Tensor]) -> list[dict[str, torch.Tensor]]:
        found = []
        for image in images:
            height, width = image.shape[-2:]
            found.append({"boxes": torch.tensor([[0.0, 0.0, float(width), float(height)]]),
                          "labels": torch.tensor([1]), "scores": torch.tensor([1.0]),
                          "masks": torch.ones((1, 1, height, width))})
        return found


@pytest.mark.parametrize("task_class", [ObjectDetectionTask, InstanceSegmentationTask])
def test_predictions_of_images_the_datamodule_resized_are_in_the_pixels_of_the_images_read(
        tmp_path: Path, task_class: type[ObjectDetectionTask]) -> None:
    # 30 x 30 images resized to 20 x 45 on the device: the boxes came back in the 45 x 20 frame of the resized image.
    datamodule = VHR10DataModule(batch_size=3, patch_size=(20, 45), root=vhr10_of_30_pixel_images(tmp_path / "data"),
                                 val_split_pct=0.0, test_split_pct=0.4)
    task = task_class(backbone="resnet18", num_classes=2, min_size=32, max_size=64)
    task.model = WholeImage()
    predictions = fast_trainer(tmp_path).predict(task, datamodule=datamodule)
    assert predictions is not None
    (objects,) = [image for batch in predictions for image in batch]
    torch.testing.assert_close(objects["boxes"], torch.tensor([[0.0, 0.0, 30.0, 30.0]]))
    if task_class is InstanceSegmentationTask:
        assert objects["masks"].shape == (1, 1, 30, 30) and bool((objects["masks"] == 1).all())
