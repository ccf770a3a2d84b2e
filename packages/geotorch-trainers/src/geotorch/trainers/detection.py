"""ObjectDetectionTask and InstanceSegmentationTask: torchvision's detectors on images of any band count."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, ClassVar

import torch
from torch import Tensor, nn
from torchmetrics import Metric
from torchmetrics.utilities import dim_zero_cat

from geotorch.core import list_models
from geotorch.trainers.base import BaseTask, rename_legacy
from geotorch.trainers.networks import build_model, freeze

#: Detections of each class in each image that COCO's mAP counts (the best scored).
MAX_DETECTIONS = 100
#: IoU thresholds of COCO's mAP: 0.5, 0.55, ..., 0.95.
IOU_THRESHOLDS = tuple(round(0.5 + 0.05 * step, 2) for step in range(10))


class MeanAveragePrecision(Metric):
    """COCO's mean average precision of boxes or masks (101-point interpolation), without pycocotools.

    torchmetrics' own ``MeanAveragePrecision`` needs pycocotools or faster-coco-eval; this one
    matches each image's 100 best scored detections of each class greedily by score to unmatched
    objects of that class, as COCO does, ignoring COCO's area ranges and crowd regions (the tests
    check it equals pycocotools' result). ``compute`` returns ``map`` (mean over IoU 0.5:0.95),
    ``map_50`` and ``map_75``: each the mean over the classes present in the targets of their
    average precision, or -1 when no target holds an object.

    Args:
        iou_type: ``bbox`` (box IoU) or ``segm`` (IoU of masks thresholded at one half).
    """

    full_state_update: bool = False
    scores: list[Tensor]
    labels: list[Tensor]
    hits: list[Tensor]
    truth_labels: list[Tensor]

    def __init__(self, iou_type: str = "bbox", **kwargs: Any) -> None:
        super().__init__(**kwargs)
        if iou_type not in ("bbox", "segm"):
            raise ValueError(f"iou_type={iou_type!r} must be 'bbox' or 'segm'")
        self.iou_type = iou_type
        for name in ("scores", "labels", "hits", "truth_labels"):
            self.add_state(name, default=[], dist_reduce_fx="cat")

    def _iou(self, predicted: dict[str, Tensor], truth: dict[str, Tensor]) -> Tensor:
        from torchvision.ops import box_iou

        if self.iou_type == "bbox":
            # In float64, as COCO: an IoU at a threshold must not round across it.
            boxes: Tensor = box_iou(predicted["boxes"].double(), truth["boxes"].double())
            return boxes
        mine = (predicted["masks"].flatten(1) > 0.5).float()
        theirs = (truth["masks"].flatten(1) > 0.5).float()
        overlap = mine @ theirs.T
        union = mine.sum(1)[:, None] + theirs.sum(1)[None, :] - overlap
        return overlap / union.clamp(min=1)

    def update(self, preds: Sequence[dict[str, Tensor]], target: Sequence[dict[str, Tensor]]) -> None:
        """Match the detections of each image to its objects at every IoU threshold."""
        for predicted, truth in zip(preds, target, strict=True):
            # COCO ranks each image's detections by score, ties in input order, and counts the first
            # 100 of each class.
            order = predicted["scores"].argsort(descending=True, stable=True)
            labels = predicted["labels"][order]
            rank_in_class = (labels[:, None] == labels[None, :]).tril().sum(1)
            order = order[rank_in_class <= MAX_DETECTIONS]
            predicted = {key: value[order] for key, value in predicted.items()}
            iou = self._iou(predicted, truth)
            iou = iou.masked_fill(predicted["labels"][:, None] != truth["labels"][None, :], -1.0)
            hits = torch.zeros(len(order), len(IOU_THRESHOLDS), dtype=torch.bool, device=iou.device)
            for column, threshold in enumerate(IOU_THRESHOLDS):
                taken = torch.zeros(iou.shape[1], dtype=torch.bool, device=iou.device)
                for row in range(iou.shape[0] if iou.shape[1] else 0):
                    best, index = iou[row].masked_fill(taken, -1.0).max(0)
                    if best >= threshold:
                        taken[index] = hits[row, column] = True
            self.scores.append(predicted["scores"])
            self.labels.append(predicted["labels"])
            self.hits.append(hits)
            self.truth_labels.append(truth["labels"])

    def compute(self) -> dict[str, Tensor]:
        """``map``, ``map_50`` and ``map_75`` over everything updated since the last reset."""
        truth_labels = dim_zero_cat(self.truth_labels) if self.truth_labels else torch.zeros(0)
        if truth_labels.numel() == 0:
            missing = torch.tensor(-1.0, device=self.device)
            return {"map": missing, "map_50": missing, "map_75": missing}
        scores, labels, hits = dim_zero_cat(self.scores), dim_zero_cat(self.labels), dim_zero_cat(self.hits)
        # COCO's recall points exactly (0.01 steps in float64): a recall equal to one must count as reaching it.
        recall_points = torch.arange(101, dtype=torch.float64, device=scores.device) * 0.01
        precisions = []
        for label in torch.unique(truth_labels):
            mine = labels == label
            ranked = hits[mine][scores[mine].argsort(descending=True, stable=True)].double()
            if ranked.shape[0] == 0:
                precisions.append(torch.zeros(len(IOU_THRESHOLDS), dtype=torch.float64, device=scores.device))
                continue
            true_positives = ranked.cumsum(0)
            recall = true_positives / (truth_labels == label).sum()
            precision = true_positives / torch.arange(1, len(ranked) + 1, device=ranked.device)[:, None]
            # COCO's envelope: the best precision at this recall or any higher one.
            precision = precision.flip(0).cummax(0).values.flip(0)
            average = []
            for column in range(len(IOU_THRESHOLDS)):
                index = torch.searchsorted(recall[:, column].contiguous(), recall_points)
                reached = index < len(ranked)
                points = torch.where(reached, precision[index.clamp(max=len(ranked) - 1), column], 0.0)
                average.append(points.mean())
            precisions.append(torch.stack(average))
        per_class = torch.stack(precisions).float()
        return {"map": per_class.mean(), "map_50": per_class[:, 0].mean(), "map_75": per_class[:, 5].mean()}


class ObjectDetectionTask(BaseTask):
    """Object detection: boxes and classes of the objects in each image (VHR10).

    Batches hold ``image`` (a list of ``(C, H, W)`` images, or a ``(B, C, H, W)`` stack),
    ``boxes`` (a list of ``(N, 4)`` x_min, y_min, x_max, y_max in pixels) and ``labels`` (a list
    of ``(N,)``), as :func:`geotorch.core.collate_detection` makes them. Logs
    ``train_loss`` (the sum of the detector's losses) and ``{val,test}_map``, ``_map_50`` and
    ``_map_75`` of the boxes; ``val_map`` drives the plateau scheduler. ``predict_step`` returns
    one dict per image of ``boxes`` (in the image's pixel coordinates), ``labels`` and ``scores``.

    Args:
        model: ``faster-rcnn`` (the default), ``fcos``, ``retinanet``, or any model registered with
            ``task="object_detection"`` (built as :mod:`geotorch.trainers.networks` describes).
        backbone: a torchvision ResNet (``resnet18``, ``resnet50``, ...).
        weights: weights for the backbone: a checkpoint file of it (or of a model holding it), ``True`` or
            ``"imagenet"`` (Hugging Face cache, else downloaded), registered weights of its architecture, or None.
        in_channels: bands of the input images.
        num_classes: classes, the background 0 included (VHR10: 11).
        trainable_layers: ResNet stages trained, counted from the last (0 to 5).
        min_size: side the shorter image side is resized to inside the model.
        max_size: longest the longer side may become.
        lr: learning rate of AdamW.
        patience: epochs without improvement of ``val_map`` before the plateau scheduler lowers the rate.
        scheduler: ``plateau``, ``cosine`` or ``none``.
        freeze_backbone: train the detection heads only (backbone and feature pyramid frozen).
        **legacy: TorchGeo's older names (``learning_rate``, ...).
    """

    monitor: ClassVar[str] = "val_map"
    mode: ClassVar[str] = "max"
    #: The ``task`` of the registered models the task builds, and the one it builds by default.
    kind: ClassVar[str] = "object_detection"
    default_model: ClassVar[str] = "faster-rcnn"
    #: Batch keys the detector is trained on.
    target_keys: ClassVar[tuple[str, ...]] = ("boxes", "labels")
    #: IoU kinds of the logged mAPs, and the prefix of their names.
    iou_types: ClassVar[dict[str, str]] = {"bbox": ""}

    def __init__(
        self,
        model: str | None = None,
        backbone: str = "resnet50",
        weights: str | bool | None = None,
        in_channels: int = 3,
        num_classes: int = 2,
        trainable_layers: int = 3,
        min_size: int = 800,
        max_size: int = 1333,
        lr: float = 1e-3,
        patience: int = 10,
        scheduler: str = "plateau",
        freeze_backbone: bool = False,
        **legacy: Any,
    ) -> None:
        renamed = rename_legacy(type(self).__name__, legacy)
        legacy.clear()
        model = renamed.get("model", model) or self.default_model
        backbone = renamed.get("backbone", backbone)
        weights = renamed.get("weights", weights)
        lr = renamed.get("lr", lr)
        patience = renamed.get("patience", patience)
        known = list_models(task=self.kind)
        if model not in known:
            raise ValueError(f"{type(self).__name__}: unknown model={model!r}; choose one of {', '.join(known)}")
        super().__init__()
        self.save_hyperparameters()
        self.configure_task()

    def configure_models(self) -> None:
        """The detector, its backbone frozen if ``freeze_backbone``."""
        hparams = self.hparams
        self.model = build_model(
            hparams["model"], hparams["model"], hparams["weights"], backbone=hparams["backbone"],
            in_channels=hparams["in_channels"], num_classes=hparams["num_classes"],
            trainable_layers=hparams["trainable_layers"], min_size=hparams["min_size"], max_size=hparams["max_size"],
        )
        if hparams["freeze_backbone"]:
            network: Any = self.model
            freeze(network.backbone)

    def configure_metrics(self) -> None:
        """Mean average precision of each kind in :attr:`iou_types`, for validation and test."""
        self.metrics = nn.ModuleDict({
            split: nn.ModuleDict({iou_type: MeanAveragePrecision(iou_type) for iou_type in self.iou_types})
            for split in ("val", "test")
        })

    def _metrics(self, split: str) -> dict[str, MeanAveragePrecision]:
        kinds: Any = self.metrics[split]
        return dict(kinds.items())

    def _inputs(self, batch: dict[str, Any]) -> tuple[list[Tensor], list[dict[str, Tensor]]]:
        """The batch's images, checked against ``in_channels``, and its per-image targets."""
        images = list(batch["image"])
        wanted = self.hparams["in_channels"]
        for image in images:
            if image.ndim != 3 or image.shape[0] != wanted:
                raise ValueError(
                    f"{type(self).__name__}: a batch image has shape {tuple(image.shape)}, not ({wanted}, H, W); "
                    f"set the task's in_channels to the images' band count or give images of {wanted} bands"
                )
        targets = [{key: batch[key][index] for key in self.target_keys if key in batch}
                   for index in range(len(images))]
        return images, targets

    def training_step(self, batch: dict[str, Any], batch_idx: int) -> Tensor:
        """The sum of the detector's losses on a training batch; each loss is logged too."""
        images, targets = self._inputs(batch)
        losses: dict[str, Tensor] = self.model(images, targets)
        loss = torch.stack(list(losses.values())).sum()
        self.log_split("train", loss, len(images))
        self.log_dict({f"train_{name}": value for name, value in losses.items()}, batch_size=len(images))
        return loss

    def _evaluate(self, batch: dict[str, Any], split: str) -> None:
        images, targets = self._inputs(batch)
        predictions: list[dict[str, Tensor]] = self.model(images)
        for metric in self._metrics(split).values():
            metric.update(predictions, targets)

    def _log_metrics(self, split: str) -> None:
        for iou_type, metric in self._metrics(split).items():
            prefix = f"{split}_{self.iou_types[iou_type]}"
            self.log_dict({f"{prefix}{name}": value for name, value in metric.compute().items()})
            metric.reset()

    def validation_step(self, batch: dict[str, Any], batch_idx: int) -> None:
        """Detect the objects of a validation batch and score them against its targets."""
        self._evaluate(batch, "val")

    def on_validation_epoch_end(self) -> None:
        """Log the validation mAPs."""
        self._log_metrics("val")

    def test_step(self, batch: dict[str, Any], batch_idx: int) -> None:
        """Detect the objects of a test batch and score them against its targets."""
        self._evaluate(batch, "test")

    def on_test_epoch_end(self) -> None:
        """Log the test mAPs."""
        self._log_metrics("test")

    def predict_step(self, batch: dict[str, Any], batch_idx: int, dataloader_idx: int = 0) -> list[dict[str, Tensor]]:
        """One dict per image: ``boxes`` in its pixel coordinates, ``labels`` and ``scores``."""
        images, _ = self._inputs(batch)
        predictions: list[dict[str, Tensor]] = self.model(images)
        return predictions


class InstanceSegmentationTask(ObjectDetectionTask):
    """Instance segmentation: boxes, classes and masks of the objects in each image (Mask R-CNN).

    Batches hold ``image``, ``boxes``, ``labels`` and ``masks`` (a list of ``(N, H, W)``), as
    :class:`ObjectDetectionTask`'s. Logs ``train_loss`` and ``{val,test}_map``, ``_map_50`` and
    ``_map_75`` of the boxes and ``{val,test}_segm_map``, ... of the masks. ``predict_step`` adds
    ``masks`` ``(N, 1, H, W)`` probabilities to each image's dict. Arguments as
    :class:`ObjectDetectionTask`, with ``model`` ``mask-rcnn`` (the default and only choice).
    """

    kind: ClassVar[str] = "instance_segmentation"
    default_model: ClassVar[str] = "mask-rcnn"
    target_keys: ClassVar[tuple[str, ...]] = ("boxes", "labels", "masks")
    iou_types: ClassVar[dict[str, str]] = {"bbox": "", "segm": "segm_"}
