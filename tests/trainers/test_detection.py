"""ObjectDetectionTask, InstanceSegmentationTask and VHR10DataModule on small generated images."""

from __future__ import annotations

import contextlib
import io
from pathlib import Path
from typing import Any

import pytest
import torch
from torch import Tensor
from torch.utils.data import Dataset, Subset

from geotorch.datamodules.detection import NonGeoDetectionDataModule, VHR10DataModule
from geotorch.trainers.detection import InstanceSegmentationTask, MeanAveragePrecision, ObjectDetectionTask
from tests.datasets.fakes.detection import make_vhr10
from tests.trainers.task_fakes import fast_trainer

SMALL: dict[str, Any] = {"backbone": "resnet18", "min_size": 64, "max_size": 64, "num_classes": 3}
#: Shares that split the three fake VHR10 images one each into train, validation and test.
THIRDS: dict[str, Any] = {"val_split_pct": 0.4, "test_split_pct": 0.4}


class SyntheticObjects(Dataset[dict[str, Any]]):
    """``count`` random images of ``bands`` bands, each holding one or two bright squares of class 1 or 2."""

    def __init__(self, split: str = "train", count: int = 2, bands: int = 5, size: int = 64) -> None:
        generator = torch.Generator().manual_seed({"train": 0, "val": 1, "test": 2}[split])
        self.images = torch.rand((count, bands, size, size), generator=generator) * 100
        self.size = size

    def __len__(self) -> int:
        return len(self.images)

    def __getitem__(self, index: int) -> dict[str, Any]:
        image = self.images[index].clone()
        boxes = torch.tensor([[8.0, 8.0, 24.0, 24.0], [30.0, 36.0, 58.0, 60.0]])[: 1 + index % 2]
        masks = torch.zeros((len(boxes), self.size, self.size), dtype=torch.uint8)
        for number, (x_min, y_min, x_max, y_max) in enumerate(boxes.long().tolist()):
            image[:, y_min:y_max, x_min:x_max] += 155
            masks[number, y_min:y_max, x_min:x_max] = 1
        labels = torch.arange(1, len(boxes) + 1)
        return {"image": image, "boxes": boxes, "labels": labels, "masks": masks}


class SyntheticObjectsDataModule(NonGeoDetectionDataModule):
    """The detection datamodule over :class:`SyntheticObjects`."""

    def __init__(self, bands: int = 5, **kwargs: Any) -> None:
        super().__init__(SyntheticObjects, batch_size=2, bands=bands, **kwargs)
        self.num_channels = bands


@pytest.fixture(scope="module")
def vhr10_root(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return make_vhr10(tmp_path_factory.mktemp("vhr10"))


@pytest.mark.parametrize("model", ["faster-rcnn", "fcos", "retinanet"])
def test_every_detector_fits_and_tests_on_five_band_images(tmp_path: Path, model: str) -> None:
    task = ObjectDetectionTask(model=model, in_channels=5, **SMALL)
    datamodule = SyntheticObjectsDataModule(bands=5)
    trainer = fast_trainer(tmp_path)
    trainer.fit(task, datamodule=datamodule)
    assert torch.isfinite(trainer.callback_metrics["train_loss"])
    assert 0 <= float(trainer.callback_metrics["val_map_50"]) <= 1
    trainer.test(task, datamodule=datamodule)
    assert "test_map" in trainer.callback_metrics


@pytest.mark.parametrize("model", ["faster-rcnn", "fcos", "retinanet"])
def test_every_detector_fits_on_vhr10(tmp_path: Path, vhr10_root: Path, model: str) -> None:
    task = ObjectDetectionTask(model=model, in_channels=3, **{**SMALL, "num_classes": 11})
    trainer = fast_trainer(tmp_path)
    datamodule = VHR10DataModule(root=vhr10_root, batch_size=2, **THIRDS)
    trainer.fit(task, datamodule=datamodule)
    assert torch.isfinite(trainer.callback_metrics["train_loss"])
    assert "val_map" in trainer.callback_metrics
    trainer.test(task, datamodule=datamodule)
    assert "test_map_50" in trainer.callback_metrics


@pytest.mark.parametrize("bands", [3, 5])
def test_mask_rcnn_fits_and_scores_boxes_and_masks(tmp_path: Path, bands: int) -> None:
    task = InstanceSegmentationTask(in_channels=bands, **SMALL)
    datamodule = SyntheticObjectsDataModule(bands=bands)
    trainer = fast_trainer(tmp_path)
    trainer.fit(task, datamodule=datamodule)
    assert torch.isfinite(trainer.callback_metrics["train_loss"])
    assert {"val_map", "val_map_50", "val_segm_map", "val_segm_map_50"} <= set(trainer.callback_metrics)


def test_predictions_are_boxes_in_the_images_pixel_coordinates(tmp_path: Path) -> None:
    # min_size 32 makes the model work on half-size images; its boxes must come back at full size.
    task = ObjectDetectionTask(model="faster-rcnn", in_channels=5, **{**SMALL, "min_size": 32, "max_size": 32})
    task.model.roi_heads.score_thresh = 0.0
    predictions = fast_trainer(tmp_path).predict(task, datamodule=SyntheticObjectsDataModule(bands=5))
    assert predictions is not None
    objects = [image for batch in predictions for image in batch]
    assert len(objects) == 2
    boxes = torch.cat([image["boxes"] for image in objects])
    assert len(boxes) > 0 and set(objects[0]) == {"boxes", "labels", "scores"}
    assert boxes.min() >= 0 and boxes.max() <= 64 and boxes[:, 2:].max() > 32


def test_instance_predictions_carry_masks_of_the_image_size() -> None:
    task = InstanceSegmentationTask(in_channels=4, **SMALL).eval()
    task.model.roi_heads.score_thresh = 0.0
    with torch.no_grad():
        (objects,) = task.predict_step({"image": torch.rand(1, 4, 48, 64)}, 0)
    assert objects["masks"].shape[1:] == (1, 48, 64)


def test_vhr10_datamodule_gives_listed_normalised_batches(vhr10_root: Path) -> None:
    datamodule = VHR10DataModule(root=vhr10_root, batch_size=2, **THIRDS)
    datamodule.setup("fit")
    sizes = [len(getattr(datamodule, f"{split}_dataset")) for split in ("train", "val", "test")]
    assert sizes == [1, 1, 1]
    batch = next(iter(datamodule.val_dataloader()))
    assert isinstance(batch["image"], list) and len(batch["image"]) == len(batch["boxes"]) == 1
    batch = datamodule.on_after_batch_transfer(datamodule.transfer_batch_to_device(batch, torch.device("cpu"), 0), 0)
    assert all(image.shape[0] == 3 and image.min() >= 0 and image.max() <= 1 for image in batch["image"])
    assert all(boxes.shape[1] == 4 and boxes.dtype == torch.float32 for boxes in batch["boxes"])


def test_vhr10_shares_that_leave_nothing_to_train_on_are_refused(vhr10_root: Path) -> None:
    with pytest.raises(ValueError, match=r"val_split_pct=0\.5 and test_split_pct=0\.5"):
        VHR10DataModule(root=vhr10_root, val_split_pct=0.5, test_split_pct=0.5)


def test_vhr10_split_is_the_same_every_time(vhr10_root: Path) -> None:
    first, second = VHR10DataModule(root=vhr10_root, **THIRDS), VHR10DataModule(root=vhr10_root, **THIRDS)
    first.setup("fit")
    second.setup("fit")
    assert isinstance(first.train_dataset, Subset) and isinstance(second.train_dataset, Subset)
    assert list(first.train_dataset.indices) == list(second.train_dataset.indices)


def test_images_of_another_band_count_are_refused_by_name() -> None:
    task = ObjectDetectionTask(in_channels=5, **SMALL)
    batch = {"image": [torch.rand(3, 64, 64)], "boxes": [torch.tensor([[1.0, 1.0, 9.0, 9.0]])],
             "labels": [torch.tensor([1])]}
    with pytest.raises(ValueError, match=r"not \(5, H, W\); set the task's in_channels"):
        task.training_step(batch, 0)


def test_a_datamodule_of_another_band_count_is_refused_before_training(tmp_path: Path, vhr10_root: Path) -> None:
    task = ObjectDetectionTask(in_channels=5, **SMALL)
    with pytest.raises(ValueError, match=r"VHR10DataModule gives images of 3 bands .* in_channels=5"):
        fast_trainer(tmp_path).fit(task, datamodule=VHR10DataModule(root=vhr10_root, **THIRDS))


def test_an_unknown_detector_lists_the_known_ones() -> None:
    with pytest.raises(ValueError, match="choose one of faster-rcnn, fcos, retinanet"):
        ObjectDetectionTask(model="yolo")
    with pytest.raises(ValueError, match="choose one of mask-rcnn"):
        InstanceSegmentationTask(model="faster-rcnn")
    with pytest.raises(ValueError, match="choose one of resnet18"):
        ObjectDetectionTask(backbone="vit_small_patch16_224")


def test_freeze_backbone_trains_the_heads_only() -> None:
    task = ObjectDetectionTask(freeze_backbone=True, **SMALL)
    trainable = {name.split(".")[0] for name, parameter in task.model.named_parameters() if parameter.requires_grad}
    assert trainable == {"rpn", "roi_heads"}


def test_mean_average_precision_is_one_for_perfect_detections_and_zero_for_misplaced_ones() -> None:
    truth = {"boxes": torch.tensor([[0.0, 0.0, 10.0, 10.0], [20.0, 20.0, 30.0, 30.0]]),
             "labels": torch.tensor([1, 2])}
    metric = MeanAveragePrecision()
    metric.update([{**truth, "scores": torch.tensor([0.9, 0.8])}], [truth])
    assert metric.compute()["map"] == pytest.approx(1.0)
    metric.reset()
    misplaced = {"boxes": truth["boxes"] + 15, "labels": truth["labels"], "scores": torch.tensor([0.9, 0.8])}
    metric.update([misplaced], [truth])
    assert metric.compute()["map_50"] == pytest.approx(0.0)
    metric.reset()
    # Only the first object found: AP 1 for its class, 0 for the other, 0.5 on average.
    metric.update([{"boxes": truth["boxes"][:1], "labels": truth["labels"][:1], "scores": torch.tensor([0.9])}],
                  [truth])
    assert metric.compute()["map_50"] == pytest.approx(0.5)


def test_backbone_weights_load_from_a_checkpoint_file(tmp_path: Path) -> None:
    trained = ObjectDetectionTask(in_channels=5, **SMALL)
    body = trained.model.backbone.body
    torch.save(body.state_dict(), tmp_path / "backbone.pth")
    task = ObjectDetectionTask(in_channels=5, weights=str(tmp_path / "backbone.pth"), **SMALL)
    assert torch.equal(task.model.backbone.body.conv1.weight, body.conv1.weight)
    assert torch.equal(task.model.backbone.body.layer4[0].conv1.weight, body.layer4[0].conv1.weight)
    with pytest.raises(ValueError, match="take 5 bands but the task has in_channels=3"):
        ObjectDetectionTask(in_channels=3, weights=str(tmp_path / "backbone.pth"), **SMALL)


def random_scene(generator: torch.Generator, objects: int, detections: int) -> tuple[dict[str, Tensor],
                                                                                   dict[str, Tensor]]:
    """Objects of three classes and jittered, partly wrong detections of them with distinct scores."""
    corners = torch.rand(objects, 2, generator=generator) * 200
    sizes = 10 + torch.rand(objects, 2, generator=generator) * 40
    truth = {"boxes": torch.cat([corners, corners + sizes], 1),
             "labels": torch.randint(1, 4, (objects,), generator=generator)}
    chosen = torch.randint(0, max(objects, 1), (detections,), generator=generator)
    jitter = torch.randn(detections, 4, generator=generator) * 6
    anchors = truth["boxes"][chosen] if objects else torch.tensor([[50.0, 50.0, 80.0, 80.0]]).expand(detections, 4)
    boxes = anchors + jitter
    boxes = torch.cat([boxes[:, :2], torch.maximum(boxes[:, 2:], boxes[:, :2] + 1)], 1)
    guessed = torch.randint(1, 4, (detections,), generator=generator)
    labels = torch.where(torch.rand(detections, generator=generator) < 0.8, truth["labels"][chosen], guessed) \
        if objects else guessed
    scores = torch.randperm(detections, generator=generator).float() / detections + 0.001
    return {"boxes": boxes, "labels": labels, "scores": scores}, truth


def coco_map(scenes: list[tuple[dict[str, Tensor], dict[str, Tensor]]]) -> dict[str, float]:
    """pycocotools' own mAP, mAP@0.5 and mAP@0.75 of ``scenes`` (detections, objects) of classes 1 to 3."""
    coco_module = pytest.importorskip("pycocotools.coco", reason="the reference needs pycocotools (`nox -s tests`)")
    cocoeval = pytest.importorskip("pycocotools.cocoeval")

    def xywh(box: list[float]) -> list[float]:
        return [box[0], box[1], box[2] - box[0], box[3] - box[1]]

    truth: dict[str, Any] = {"images": [], "annotations": [], "categories": [{"id": label} for label in (1, 2, 3)]}
    detections = []
    for image, (detected, objects) in enumerate(scenes):
        truth["images"].append({"id": image})
        for box, label in zip(objects["boxes"].tolist(), objects["labels"].tolist(), strict=True):
            truth["annotations"].append({"id": len(truth["annotations"]) + 1, "image_id": image, "bbox": xywh(box),
                                         "category_id": label, "area": xywh(box)[2] * xywh(box)[3], "iscrowd": 0})
        for box, label, score in zip(detected["boxes"].tolist(), detected["labels"].tolist(),
                                     detected["scores"].tolist(), strict=True):
            detections.append({"image_id": image, "bbox": xywh(box), "category_id": label, "score": score})
    with contextlib.redirect_stdout(io.StringIO()):
        ground = coco_module.COCO()
        ground.dataset = truth
        ground.createIndex()
        evaluation = cocoeval.COCOeval(ground, ground.loadRes(detections), "bbox")
        evaluation.evaluate()
        evaluation.accumulate()
        evaluation.summarize()
    return {"map": evaluation.stats[0], "map_50": evaluation.stats[1], "map_75": evaluation.stats[2]}


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_mean_average_precision_equals_pycocotools_on_random_detections(seed: int) -> None:
    generator = torch.Generator().manual_seed(seed)
    # Images with many objects, with more detections than COCO counts (100 a class), and with no object.
    scenes = [random_scene(generator, objects, detections)
              for objects, detections in ((8, 20), (12, 30), (6, 330), (1, 4), (0, 3), (9, 15))]
    # COCO's thresholds in float64: torchmetrics' defaults are float32 (0.55 is 0.550000011920929), which moves a
    # match lying on a threshold and the result by about 1e-5.
    metric = MeanAveragePrecision(iou_thresholds=[0.5 + 0.05 * step for step in range(10)],
                                  rec_thresholds=[0.01 * step for step in range(101)])
    metric.warn_on_many_detections = False
    for detected, objects in scenes:
        metric.update([detected], [objects])
    ours, theirs = metric.compute(), coco_map(scenes)
    for key in ("map", "map_50", "map_75"):
        assert float(ours[key]) == pytest.approx(theirs[key], abs=1e-6), key
    assert 0.02 < theirs["map"] < 0.95, "a test set neither trivially perfect nor empty"


class FixedDetector(torch.nn.Module):
    """Stands in for a detector: the detections of image ``i`` (its first pixel holds ``i``) are ``detections[i]``."""

    def __init__(self, detections: list[dict[str, Tensor]]) -> None:
        super().__init__()
        self.detections = detections
        self.anchor = torch.nn.Parameter(torch.zeros(1))

    def forward(self, images: list[Tensor], targets: Any = None) -> list[dict[str, Tensor]]:
        return [self.detections[int(image[0, 0, 0])] for image in images]


def hand_built_scenes() -> tuple[list[dict[str, Tensor]], list[dict[str, Tensor]]]:
    """Three images: one found exactly, one found twice and badly once, one with a missed object and a false alarm."""
    square = torch.tensor([[0.0, 0.0, 10.0, 10.0]])
    truths = [
        {"boxes": torch.cat([square, square + 20]), "labels": torch.tensor([1, 2])},
        {"boxes": torch.cat([square + 5, square + 30]), "labels": torch.tensor([1, 1])},
        {"boxes": square + 40, "labels": torch.tensor([2])},
    ]
    detections = [
        {**truths[0], "scores": torch.tensor([0.9, 0.8])},
        {"boxes": torch.cat([square + 5, square + 6, square + 33]), "labels": torch.tensor([1, 1, 1]),
         "scores": torch.tensor([0.7, 0.95, 0.6])},
        {"boxes": square + 10, "labels": torch.tensor([2]), "scores": torch.tensor([0.85])},
    ]
    return detections, truths


def test_validation_logs_torchmetrics_mean_average_precision_under_torchgeos_names(tmp_path: Path) -> None:
    from torchmetrics.detection import MeanAveragePrecision as Reference

    detections, truths = hand_built_scenes()
    task = ObjectDetectionTask(in_channels=1, **SMALL)
    task.model = FixedDetector(detections)
    # TorchGeo's batch keys (bbox_xyxy, label), two batches: the scores are of the whole epoch.
    images = [torch.full((1, 50, 50), float(index)) for index in range(3)]
    batches = [{"image": images[:2], "bbox_xyxy": [truth["boxes"] for truth in truths[:2]],
                "label": [truth["labels"] for truth in truths[:2]]},
               {"image": images[2:], "bbox_xyxy": [truths[2]["boxes"]], "label": [truths[2]["labels"]]}]
    (logged,) = fast_trainer(tmp_path, fast_dev_run=False).validate(task, dataloaders=torch.utils.data.DataLoader(
        batches, batch_size=None, collate_fn=lambda batch: batch))
    reference = Reference(average="macro")
    reference.update(detections, truths)
    expected = {f"val_{name}": float(value) for name, value in reference.compute().items() if name != "classes"}
    assert set(logged) == set(expected)
    assert {"val_map", "val_map_50", "val_map_75", "val_mar_100", "val_map_small"} <= set(logged)
    for name, value in expected.items():
        assert logged[name] == pytest.approx(value), name
    assert 0 < logged["val_map"] < logged["val_map_50"] < 1


def test_instance_segmentation_logs_box_and_mask_scores_under_torchgeos_names(tmp_path: Path) -> None:
    task = InstanceSegmentationTask(in_channels=5, **SMALL)
    trainer = fast_trainer(tmp_path)
    trainer.validate(task, datamodule=SyntheticObjectsDataModule(bands=5))
    names = set(trainer.callback_metrics)
    for kind in ("bbox", "segm"):
        assert {f"val_{kind}_{score}" for score in ("map", "map_50", "map_75", "mar_100")} <= names
    assert "val_classes" not in names and "val_bbox_classes" not in names
    assert float(trainer.callback_metrics["val_map"]) == float(trainer.callback_metrics["val_bbox_map"])
    assert InstanceSegmentationTask.monitor == "val_segm_map"
