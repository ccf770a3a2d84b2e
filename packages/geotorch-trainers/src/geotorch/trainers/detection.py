"""ObjectDetectionTask and InstanceSegmentationTask: torchvision's detectors on images of any band count."""

from __future__ import annotations

from typing import Any, ClassVar

import torch
from torch import Tensor
from torch.nn.functional import interpolate
from torchmetrics import MetricCollection
from torchmetrics.detection import MeanAveragePrecision

from geotorch.core import list_models
from geotorch.trainers.base import BaseTask, rename_legacy
from geotorch.trainers.detection_targets import check_image_finite, checked_objects
from geotorch.trainers.networks import build_model, freeze

#: What torchmetrics' ``MeanAveragePrecision`` returns that is not a score (the classes seen); never logged.
NOT_LOGGED = ("classes",)


def masks_of(objects: dict[str, Tensor]) -> dict[str, Tensor]:
    """``objects`` with ``masks`` as torchmetrics wants them: ``(N, H, W)`` booleans (probabilities above 0.5)."""
    masks = objects.get("masks")
    if masks is None:
        return objects
    if masks.ndim == 4:
        masks = masks[:, 0]
    return {**objects, "masks": masks > 0.5 if masks.is_floating_point() else masks.bool()}


#: Detectors whose class 0 is the background, so that objects are of classes 1 .. num_classes - 1.
BACKGROUND_MODELS = ("faster-rcnn", "mask-rcnn")


def in_original_pixels(objects: dict[str, Tensor], shape: tuple[int, int], size: tuple[int, int]) -> dict[str, Tensor]:
    """``objects`` detected on an image of ``shape`` ``(height, width)`` in the pixels of its original ``size``.

    ``boxes`` ``(N, 4)`` (x_min, y_min, x_max, y_max) are scaled by the two sides' ratios; ``masks``
    ``(N, 1, height, width)`` are resized to ``size``: probabilities bilinearly, integer or boolean masks by
    their nearest pixel. Other values are kept.
    """
    out = dict(objects)
    boxes = objects["boxes"]
    scale = torch.tensor([size[1] / shape[1], size[0] / shape[0]] * 2, dtype=boxes.dtype, device=boxes.device)
    out["boxes"] = boxes * scale
    masks = objects.get("masks")
    if masks is not None:
        if masks.shape[0] == 0:
            out["masks"] = masks.new_zeros((*masks.shape[:-2], *size))
        elif masks.is_floating_point():
            out["masks"] = interpolate(masks, size=size, mode="bilinear", align_corners=False)
        else:
            out["masks"] = interpolate(masks.float(), size=size, mode="nearest-exact").to(masks.dtype)
    return out


class ObjectDetectionTask(BaseTask):
    """Object detection: boxes and classes of the objects in each image (VHR10).

    Batches hold ``image`` (a list of ``(C, H, W)`` images, or a ``(B, C, H, W)`` stack),
    ``boxes`` (a list of ``(N, 4)`` x_min, y_min, x_max, y_max in pixels) and ``labels`` (a list
    of ``(N,)``), as :func:`geotorch.core.collate_detection` makes them; each image's objects are checked
    against it (:func:`~geotorch.trainers.detection_targets.checked_objects`: one label per box, boxes of
    some area inside the image, clipped to it). Logs
    ``train_loss`` (the sum of the detector's losses) and, per validation and test epoch, what
    torchmetrics' ``MeanAveragePrecision`` (COCO's evaluation by pycocotools, macro average over
    classes) computes, under TorchGeo's names: ``{val,test}_map``, ``_map_50``, ``_map_75``,
    ``_map_small``, ``_map_medium``, ``_map_large``, ``_mar_1``, ``_mar_10``, ``_mar_100``,
    ``_mar_small``, ``_mar_medium``, ``_mar_large``, ``_map_per_class`` and ``_mar_100_per_class``
    (-1 where nothing is counted); ``val_map`` drives the plateau scheduler. TorchGeo's batch keys
    ``bbox_xyxy`` and ``label`` are read as ``boxes`` and ``labels``. ``predict_step`` returns one
    dict per image of ``boxes`` (in the image's pixel coordinates), ``labels`` and ``scores``.
    Override :meth:`scores_of` to choose or rename what is logged.

    Args:
        model: ``faster-rcnn`` (the default), ``fcos``, ``retinanet``, or any model registered with
            ``task="object_detection"`` (built as :mod:`geotorch.trainers.networks` describes).
        backbone: a torchvision ResNet (``resnet18``, ``resnet50``, ...).
        weights: weights for the backbone: a checkpoint file of it (or of a model holding it), ``True`` or
            ``"imagenet"`` (Hugging Face cache, else downloaded), registered weights of its architecture, or None.
        in_channels: bands of the input images.
        num_classes: classes, the background 0 included (VHR10: 11).
        trainable_layers: ResNet stages trained, counted from the last (0 to 5).
        lr: learning rate of AdamW.
        patience: epochs without improvement of ``val_map`` before the plateau scheduler lowers the rate.
        freeze_backbone: train the detection heads only (backbone and feature pyramid frozen).
        min_size: side the shorter image side is resized to inside the model (keyword-only).
        max_size: longest the longer side may become (keyword-only).
        scheduler: ``plateau``, ``cosine`` or ``none`` (keyword-only).
        **legacy: TorchGeo's older names (``learning_rate``, ...).
    """

    monitor: ClassVar[str] = "val_map"
    mode: ClassVar[str] = "max"
    #: The ``task`` of the registered models the task builds, and the one it builds by default.
    kind: ClassVar[str] = "object_detection"
    default_model: ClassVar[str] = "faster-rcnn"
    #: Batch keys the detector is trained on, each with TorchGeo's name for it.
    target_keys: ClassVar[dict[str, str]] = {"boxes": "bbox_xyxy", "labels": "label"}
    #: IoU kinds of the logged mAPs (torchmetrics' ``iou_type``); with several, names start with the kind.
    iou_types: ClassVar[tuple[str, ...]] = ("bbox",)

    def __init__(
        self,
        model: str | None = None,
        backbone: str = "resnet50",
        weights: str | bool | None = None,
        in_channels: int = 3,
        num_classes: int = 2,
        trainable_layers: int = 3,
        lr: float = 1e-3,
        patience: int = 10,
        freeze_backbone: bool = False,
        *,
        min_size: int = 800,
        max_size: int = 1333,
        scheduler: str = "plateau",
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
        """The mean average precision (torchmetrics') of the kinds in :attr:`iou_types`, for validation and test."""
        iou_type: Any = self.iou_types if len(self.iou_types) > 1 else self.iou_types[0]
        metrics = MetricCollection([MeanAveragePrecision(iou_type=iou_type, average="macro")])
        self.val_metrics = metrics.clone(prefix="val_")
        self.test_metrics = metrics.clone(prefix="test_")

    def _inputs(self, batch: dict[str, Any], targeted: bool = True) -> tuple[list[Tensor], list[dict[str, Tensor]]]:
        """The batch's images, checked against ``in_channels``, and its per-image targets, checked against them.

        Raises:
            ValueError: if an image is not ``(in_channels, H, W)`` or holds NaN or infinite values, a key of
                :attr:`target_keys` is missing (``targeted``: training and scoring), or a target does not fit
                its image (:func:`~geotorch.trainers.detection_targets.checked_objects`).
        """
        images = list(batch["image"])
        wanted = self.hparams["in_channels"]
        for index, image in enumerate(images):
            if image.ndim != 3 or image.shape[0] != wanted:
                raise ValueError(
                    f"{type(self).__name__}: a batch image has shape {tuple(image.shape)}, not ({wanted}, H, W); "
                    f"set the task's in_channels to the images' band count or give images of {wanted} bands"
                )
            check_image_finite(type(self).__name__, index, image)
        keys = {key: key if key in batch else torchgeo for key, torchgeo in self.target_keys.items()}
        missing = [f"{key!r} (or {torchgeo!r})" for key, torchgeo in self.target_keys.items()
                   if key not in batch and torchgeo not in batch]
        if targeted and missing:
            raise ValueError(
                f"{type(self).__name__}: the batch has no {', '.join(missing)}; its keys are {list(batch)}"
            )
        targets = [checked_objects(type(self).__name__, index, image,
                                   {key: batch[found][index] for key, found in keys.items() if found in batch})
                   for index, image in enumerate(images)]
        for target in targets:
            self.check_labels(target.get("labels"))
        return images, targets

    def check_labels(self, labels: Tensor | None) -> None:
        """Refuse object classes the detector cannot have: below 0, ``num_classes`` or more, 0 for an R-CNN.

        torchvision raised IndexError 'Target 5 is out of bounds' for a class of ``num_classes`` or more, trained a
        negative class without a word, and an R-CNN (whose class 0 is the background) learnt objects of class 0 as
        background. Checking the values costs one wait for the device per batch.

        Raises:
            ValueError: naming the classes outside the range and what to change.
        """
        if labels is None or labels.numel() == 0:
            return
        count = self.hparams["num_classes"]
        background = self.hparams["model"] in BACKGROUND_MODELS
        low = 1 if background else 0
        outside = sorted({int(label) for label in labels[(labels < low) | (labels >= count)].tolist()})
        if not outside:
            return
        if max(outside) >= count:
            advice = f"set num_classes to {max(outside) + 1} (classes and background)"
        elif background and 0 in outside:
            advice = f"number the classes from 1: class 0 is the background of model={self.hparams['model']!r}"
        else:
            advice = f"classes are whole numbers from {low}"
        raise ValueError(
            f"{type(self).__name__}: batch labels {outside} are outside {low}..{count - 1} (num_classes={count}); "
            f"{advice}"
        )

    def training_step(self, batch: dict[str, Any], batch_idx: int) -> Tensor:
        """The sum of the detector's losses on a training batch; each loss is logged too."""
        images, targets = self._inputs(batch)
        losses: dict[str, Tensor] = self.model(images, targets)
        loss = torch.stack(list(losses.values())).sum()
        self.log_split("train", loss, len(images))
        self.log_dict({f"train_{name}": value for name, value in losses.items()}, batch_size=len(images))
        return loss

    def _evaluate(self, batch: dict[str, Any], metrics: MetricCollection) -> None:
        images, targets = self._inputs(batch)
        predictions: list[dict[str, Tensor]] = self.model(images)
        metrics.update([masks_of(predicted) for predicted in predictions], [masks_of(truth) for truth in targets])

    def scores_of(self, split: str, computed: dict[str, Tensor]) -> dict[str, Tensor]:
        """The values logged for ``split``: everything ``MeanAveragePrecision`` computed but the classes seen."""
        return {name: value for name, value in computed.items()
                if name.removeprefix(f"{split}_") not in NOT_LOGGED}

    def _log_metrics(self, split: str, metrics: MetricCollection) -> None:
        self.log_dict(self.scores_of(split, metrics.compute()))
        metrics.reset()

    def validation_step(self, batch: dict[str, Any], batch_idx: int) -> None:
        """Detect the objects of a validation batch and score them against its targets."""
        self._evaluate(batch, self.val_metrics)

    def on_validation_epoch_end(self) -> None:
        """Log the validation mAPs."""
        self._log_metrics("val", self.val_metrics)

    def test_step(self, batch: dict[str, Any], batch_idx: int) -> None:
        """Detect the objects of a test batch and score them against its targets."""
        self._evaluate(batch, self.test_metrics)

    def on_test_epoch_end(self) -> None:
        """Log the test mAPs."""
        self._log_metrics("test", self.test_metrics)

    def predict_step(self, batch: dict[str, Any], batch_idx: int, dataloader_idx: int = 0) -> list[dict[str, Tensor]]:
        """One dict per image: ``boxes`` in its pixel coordinates, ``labels`` and ``scores``.

        The pixels are those of the image read: an image a datamodule resized (the batch's ``original_size``, one
        ``(height, width)`` per image, as :class:`~geotorch.datamodules.VHR10DataModule`'s ``patch_size`` records it)
        has its boxes scaled, and its masks resized, back to that size.
        """
        images, _ = self._inputs(batch, targeted=False)
        predictions: list[dict[str, Tensor]] = self.model(images)
        sizes = batch.get("original_size")
        if sizes is None:
            return predictions
        return [in_original_pixels(objects, (image.shape[-2], image.shape[-1]), (int(size[0]), int(size[1])))
                for objects, image, size in zip(predictions, images, sizes, strict=True)]


class InstanceSegmentationTask(ObjectDetectionTask):
    """Instance segmentation: boxes, classes and masks of the objects in each image (Mask R-CNN).

    Batches hold ``image``, ``boxes``, ``labels`` and ``masks`` (a list of ``(N, H, W)``; TorchGeo's
    ``bbox_xyxy``, ``label`` and ``mask`` too), as :class:`ObjectDetectionTask`'s. Logs ``train_loss``
    and, under TorchGeo's names, torchmetrics' scores of the boxes (``{val,test}_bbox_map``,
    ``_bbox_map_50``, ... ``_bbox_mar_100_per_class``) and of the masks (``{val,test}_segm_map``, ...);
    ``{val,test}_map``, ``_map_50`` and ``_map_75`` repeat the boxes' as before. ``val_segm_map``
    drives the plateau scheduler, as in TorchGeo. ``predict_step`` adds ``masks`` ``(N, 1, H, W)``
    probabilities to each image's dict. Arguments as :class:`ObjectDetectionTask`, with ``model``
    ``mask-rcnn`` (the default and only choice), in TorchGeo 0.10.1's order: ``weights_backbone``
    follows ``weights`` and ``trainable_layers`` is keyword-only.

    Args:
        model: ``mask-rcnn`` or a model registered with ``task="instance_segmentation"``.
        backbone: a torchvision ResNet.
        weights: weights for the backbone, as :class:`ObjectDetectionTask`'s (a whole Mask R-CNN's
            torchvision weights are not loaded).
        weights_backbone: TorchGeo's name for the backbone's weights; give it or ``weights``, not both.
        in_channels: bands of the input images.
        num_classes: classes, the background 0 included.
        lr: learning rate of AdamW.
        patience: epochs without improvement of ``val_segm_map`` before the plateau scheduler lowers the rate.
        freeze_backbone: train the heads only.
        trainable_layers: ResNet stages trained, counted from the last (keyword-only).
        min_size: side the shorter image side is resized to inside the model (keyword-only).
        max_size: longest the longer side may become (keyword-only).
        scheduler: ``plateau``, ``cosine`` or ``none`` (keyword-only).
        **legacy: TorchGeo's older names (``learning_rate``, ...).

    Raises:
        ValueError: if both ``weights`` and ``weights_backbone`` are given, or the model is unknown.
    """

    kind: ClassVar[str] = "instance_segmentation"
    default_model: ClassVar[str] = "mask-rcnn"
    monitor: ClassVar[str] = "val_segm_map"
    target_keys: ClassVar[dict[str, str]] = {"boxes": "bbox_xyxy", "labels": "label", "masks": "mask"}
    iou_types: ClassVar[tuple[str, ...]] = ("bbox", "segm")
    #: The boxes' scores also logged under the names they had before torchmetrics (``val_map``, ...).
    box_aliases: ClassVar[tuple[str, ...]] = ("map", "map_50", "map_75")

    def __init__(
        self,
        model: str | None = None,
        backbone: str = "resnet50",
        weights: str | bool | None = None,
        weights_backbone: str | bool | None = None,
        in_channels: int = 3,
        num_classes: int = 2,
        lr: float = 1e-3,
        patience: int = 10,
        freeze_backbone: bool = False,
        *,
        trainable_layers: int = 3,
        min_size: int = 800,
        max_size: int = 1333,
        scheduler: str = "plateau",
        **legacy: Any,
    ) -> None:
        if weights is not None and weights_backbone is not None:
            raise ValueError(f"{type(self).__name__}: give weights or weights_backbone (the backbone's), not both")
        # Resolved here, before the hyperparameters are saved, so that this frame's values are the saved ones.
        renamed = rename_legacy(type(self).__name__, legacy)
        legacy.clear()
        model = renamed.get("model", model) or self.default_model
        backbone = renamed.get("backbone", backbone)
        weights = renamed.get("weights", weights if weights_backbone is None else weights_backbone)
        weights_backbone = None
        lr = renamed.get("lr", lr)
        patience = renamed.get("patience", patience)
        super().__init__(
            model, backbone, weights, in_channels, num_classes, trainable_layers, lr, patience, freeze_backbone,
            min_size=min_size, max_size=max_size, scheduler=scheduler,
        )

    def scores_of(self, split: str, computed: dict[str, Tensor]) -> dict[str, Tensor]:
        """TorchGeo's ``{split}_bbox_*`` and ``{split}_segm_*``, and the boxes' :attr:`box_aliases`."""
        scores = super().scores_of(split, computed)
        return scores | {f"{split}_{name}": scores[f"{split}_bbox_{name}"] for name in self.box_aliases}
