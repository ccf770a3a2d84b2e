"""SemanticSegmentationTask: a class, a yes/no or labels for every pixel, from smp models, FarSeg or an FCN."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Literal

import torch
from torch import Tensor, nn
from torchmetrics import MetricCollection

from geotorch.core import WeightsSpec
from geotorch.samplers import as_count
from geotorch.trainers.base import ScoredTask, rename_legacy
from geotorch.trainers.losses import check_loss_weights, classification_loss
from geotorch.trainers.metrics import TASK_KINDS, classification_metrics
from geotorch.trainers.networks import build_model, find_model, freeze_parts, model_choices
from geotorch.trainers.probabilities import sigmoid, softmax
from geotorch.trainers.targets import class_map, class_values


def segmentation_network(
    model: str, backbone: str, weights: WeightsSpec, in_channels: int, num_classes: int, num_filters: int = 64
) -> nn.Module:
    """Build a registered segmentation model (``task="segmentation"``) with its weights.

    Args:
        model: a registered segmentation model or one of its aliases, in any case (``unet``, ``deeplabv3+``,
            ``farseg``, ``fcn``, a plugin's).
        backbone: a timm architecture (``resnet18``; smp's ``tu-resnet18`` is the same).
        weights: a registered weight name, a checkpoint file, ImageNet (``True``, ``"imagenet"``), or None.
        in_channels: bands of the input images.
        num_classes: output channels.
        num_filters: hidden channels of the FCN.

    Returns:
        The model.

    Raises:
        ValueError: if ``model`` is unknown, or takes no weights and was given some.
        geotorch.core.WeightsMismatchError: if the weights do not fit.
    """
    name = find_model(model, "segmentation")
    if name is None:
        raise ValueError(
            f"unknown segmentation model {model!r}; choose from {', '.join(model_choices('segmentation'))}"
        )
    return build_model(name, model, weights, backbone=backbone, in_channels=in_channels, num_classes=num_classes,
                       num_filters=num_filters)


def class_counts(
    owner: str, task: str, num_classes: int | None, num_labels: int | None, per: str = "pixel"
) -> tuple[int | None, int | None]:
    """``num_classes`` and ``num_labels`` of a task classifying each ``per`` (``pixel`` or ``image``), completed.

    A ``multiclass`` task without a count has 2 classes; ``multilabel`` takes ``num_labels`` from
    ``num_classes`` when not given.

    Raises:
        TypeError: if a count is not a number.
        ValueError: if ``task`` is unknown, a count is not whole or below 1, ``multilabel`` has no count,
            or ``multiclass`` or ``multilabel`` has a single class or label (that is ``binary``); the message
            names ``owner``.
    """
    if task not in TASK_KINDS:
        raise ValueError(f"{owner}: task={task!r} must be one of {', '.join(TASK_KINDS)}")
    if num_classes is not None:
        num_classes = as_count(num_classes, "num_classes", owner)
    if num_labels is not None:
        num_labels = as_count(num_labels, "num_labels", owner)
    if task == "multiclass" and num_classes is None:
        num_classes = 2
    if task == "multilabel":
        num_labels = num_labels or num_classes
        if num_labels is None:
            raise ValueError(f"{owner}: task='multilabel' needs num_labels, the labels per {per}")
    name, count = ("num_classes", num_classes) if task == "multiclass" else ("num_labels", num_labels)
    if task != "binary" and count == 1:
        raise ValueError(
            f"{owner}: {name}=1 with task={task!r}, which needs 2 or more; one class per {per}, present or not, "
            "is task='binary' (with loss='bce')"
        )
    return num_classes, num_labels


class SemanticSegmentationTask(ScoredTask):
    """Semantic segmentation: a class (``multiclass``), a yes/no (``binary``) or labels (``multilabel``) per pixel.

    Batches hold ``image`` ``(B, C, H, W)`` and ``mask``: class indices ``(B, H, W)`` (``multiclass``), 0/1
    ``(B, H, W)`` or ``(B, 1, H, W)`` (``binary``), or 0/1 ``(B, num_labels, H, W)`` (``multilabel``). The model
    gives ``(B, num_classes, H, W)`` logits, ``(B, 1, H, W)`` for ``binary`` (compared as ``(B, H, W)``), or
    ``(B, num_labels, H, W)``. A mask value outside the task's classes that is not ``ignore_index`` (a 0/255
    building mask of a ``binary`` task, class 7 of a 6-class one) is a ``ValueError`` naming it.

    Logs ``{split}_loss`` per step and, per epoch, TorchGeo 0.10.1's scores
    (:func:`geotorch.trainers.metrics.classification_metrics`): ``{split}_OverallAccuracy``,
    ``_AverageAccuracy``, the same of ``Precision``, ``Recall``, ``F1Score`` and ``JaccardIndex``, and (not for
    ``binary``) ``_ClasswiseJaccardIndex_<label>``, ...; GeoTorch's ``_JaccardIndex`` (mean IoU) and ``_F1Score``
    stay. Splits are ``train``, ``val`` and ``test``. ``predict_step`` returns class probabilities
    ``(B, num_classes, H, W)`` (softmax), or per-pixel probabilities (sigmoid) for ``binary`` and ``multilabel``.

    TorchGeo's older spellings work too: ``segmentation_model``, ``encoder_name``,
    ``encoder_weights``, ``learning_rate`` and ``learning_rate_schedule_patience``.

    Args:
        model: ``unet``, ``unetplusplus`` (``unet++``), ``deeplabv3plus`` (``deeplabv3+``), ``fpn``, ``pspnet``,
            ``farseg``, ``fcn``, or any model a plugin registers with ``task="segmentation"`` (built as
            :mod:`geotorch.trainers.networks` describes).
        backbone: the timm encoder (``resnet18``, ``resnet50``, ...).
        weights: a registered weight name (``geotorch weights``), a checkpoint file (a Lightning ``.ckpt`` of a
            task too: the encoder's parameters are taken from it), ``True`` or ``"imagenet"`` (timm's, from the
            Hugging Face cache or downloaded), or None; loaded strictly by geotorch-models' rules.
        in_channels: bands of the input images.
        task: ``multiclass`` (the default), ``binary`` or ``multilabel``.
        num_classes: classes of a ``multiclass`` task (2 if None); a ``binary`` task has one output channel.
        num_labels: labels of a ``multilabel`` task (``num_classes`` if None).
        labels: names of the classes or labels, in the classwise scores' names (their indices if None).
        num_filters: hidden channels of the ``fcn`` model.
        pos_weight: weight of positive pixels in the ``bce`` loss (a number, or one per label).
        loss: ``ce`` (``multiclass``), ``bce`` (``binary``, ``multilabel``), ``jaccard``, ``focal`` or ``dice``;
            all but ``ce`` are segmentation-models-pytorch's.
        class_weights: per-class weights of the ``ce`` loss.
        ignore_index: a mask value left out of loss and metrics (no data).
        lr: learning rate of AdamW.
        patience: epochs without improvement of ``val_loss`` before the plateau scheduler lowers the rate.
        scheduler: ``plateau``, ``cosine`` or ``none``.
        freeze_backbone: train the decoder only (the model's ``encoder``, or ``backbone``, is frozen).
        freeze_decoder: train the encoder only (the model's ``decoder`` is frozen).
        **legacy: TorchGeo's older argument names (see above).

    Raises:
        ValueError: if ``task`` is unknown, a ``multilabel`` task has no label count, ``loss`` does not serve
            ``task``, or ``freeze_backbone`` or ``freeze_decoder`` asks to freeze a part the model does not have
            (the ``fcn`` has no decoder).
    """

    def __init__(
        self,
        model: str = "unet",
        backbone: str = "resnet50",
        weights: str | bool | None = None,
        in_channels: int = 3,
        task: Literal["binary", "multiclass", "multilabel"] = "multiclass",
        num_classes: int | None = None,
        num_labels: int | None = None,
        labels: list[str] | None = None,
        num_filters: int = 64,
        pos_weight: Tensor | list[float] | float | None = None,
        loss: str = "ce",
        class_weights: Tensor | Sequence[float] | None = None,
        ignore_index: int | None = None,
        lr: float = 1e-3,
        patience: int = 10,
        freeze_backbone: bool = False,
        freeze_decoder: bool = False,
        *,
        scheduler: str = "plateau",
        **legacy: Any,
    ) -> None:
        renamed = rename_legacy(type(self).__name__, legacy)
        legacy.clear()
        model = renamed.get("model", model)
        backbone = renamed.get("backbone", backbone)
        weights = renamed.get("weights", weights)
        lr = renamed.get("lr", lr)
        patience = renamed.get("patience", patience)
        num_classes, num_labels = class_counts(type(self).__name__, task, num_classes, num_labels)
        super().__init__()
        self.save_hyperparameters()
        self.configure_task()

    @property
    def outputs(self) -> int:
        """Channels of the model: ``num_classes``, ``num_labels``, or 1 for ``binary``."""
        task = self.hparams["task"]
        count: int = self.hparams["num_classes"] if task == "multiclass" else self.hparams["num_labels"] or 1
        return 1 if task == "binary" else count

    @property
    def prediction_output(self) -> str:
        """What ``geotorch predict`` writes: the class of blended probabilities, or (binary, multilabel) them."""
        return "classes" if self.hparams["task"] == "multiclass" else "scores"

    def configure_models(self) -> None:
        """Build the network with its weights and freeze what is asked."""
        hparams = self.hparams
        self.model = segmentation_network(
            hparams["model"], hparams["backbone"], hparams["weights"], hparams["in_channels"], self.outputs,
            hparams["num_filters"],
        )
        freeze_parts(self.model, hparams["model"], type(self).__name__, hparams["freeze_backbone"],
                     hparams["freeze_decoder"])

    def configure_losses(self) -> None:
        """The loss ``loss`` names, for the ``task`` kind.

        Raises:
            ValueError: if ``class_weights`` is not one weight per class, or ``pos_weight`` neither one number nor
                one per output channel, or a weight is negative or not finite.
        """
        hparams = self.hparams
        check_loss_weights(hparams["class_weights"], hparams["pos_weight"], hparams["task"], self.outputs,
                           type(self).__name__)
        pos_weight = hparams["pos_weight"]
        if pos_weight is not None and torch.as_tensor(pos_weight).ndim == 1:
            # One weight per label, broadcast over the pixels of its channel.
            pos_weight = torch.as_tensor(pos_weight, dtype=torch.float32)[:, None, None]
        self.criterion = classification_loss(
            hparams["loss"], hparams["class_weights"], hparams["ignore_index"], type(self).__name__,
            task=hparams["task"], pos_weight=pos_weight,
        )

    def configure_metrics(self) -> None:
        """TorchGeo's accuracy, precision, recall, F1 and IoU scores, for each split."""
        hparams = self.hparams
        metrics = classification_metrics(
            hparams["task"], hparams["num_classes"] if hparams["task"] == "multiclass" else None,
            hparams["num_labels"] if hparams["task"] == "multilabel" else None, hparams["ignore_index"],
            hparams["labels"],
        )
        self.configure_split_metrics(metrics)

    def target_of(self, mask: Tensor, image: Tensor | None = None) -> Tensor:
        """The batch's mask as the loss and the scores take it: ``(B, H, W)``, or ``(B, L, H, W)``, long.

        Args:
            mask: the batch's ``mask``, ``(B, H, W)``, ``(B, 1, H, W)`` or (``multilabel``) ``(B, L, H, W)``.
            image: the batch's images (pairs too), whose batch size, height and width the mask must have.

        Raises:
            ValueError: if the mask is not of the images' batch size, height and width with one map per image (one
                per label: ``multilabel``), or holds values that are not whole numbers, or classes outside ``0 ..
                num_classes - 1`` (0 and 1 for ``binary`` and ``multilabel``) that are not ``ignore_index``,
                naming them, the class count and ``ignore_index`` (see :func:`.targets.class_values`).
        """
        task, owner = self.hparams["task"], type(self).__name__
        target = class_map(mask, task)
        if image is not None:
            labels = task == "multilabel"
            wanted = (image.shape[0], *((self.outputs,) if labels else ()), *image.shape[-2:])
            if tuple(target.shape) != wanted:
                one_hot = not labels and target.ndim == 4 and target.shape[1] == self.outputs
                raise ValueError(
                    f"{owner}: batch['mask'] of shape {tuple(mask.shape)} is not {wanted}, "
                    f"{'(B, num_labels, H, W)' if labels else '(B, H, W)'} of the images {tuple(image.shape)}"
                    f"{'; a one-hot mask? give class indices' if one_hot else ''}"
                )
        return class_values(target, task, self.outputs, self.hparams["ignore_index"], owner)

    def image_of(self, batch: dict[str, Any]) -> Tensor:
        """``batch["image"]``, the ``(B, C, H, W)`` images the model reads.

        Raises:
            ValueError: if the image is an image series ``(B, T, C, H, W)``, naming the spatiotemporal task that
                takes it.
        """
        image: Tensor = batch["image"]
        if image.ndim == 5:
            raise ValueError(
                f"{type(self).__name__}: batch['image'] of shape {tuple(image.shape)} is an image series "
                "(B, T, C, H, W), and the task takes (B, C, H, W) images; train SpatioTemporalSegmentationTask on "
                "series, or read the data without time_series"
            )
        return image

    def logits_of(self, image: Tensor) -> Tensor:
        """The model's logits, ``(B, H, W)`` for ``binary`` (its single channel dropped)."""
        logits: Tensor = self(image)
        return logits.squeeze(1) if self.hparams["task"] == "binary" else logits

    def prediction_of(self, logits: Tensor) -> Tensor:
        """Classes ``(B, H, W)``, or 0/1 per pixel (``binary``) or per label and pixel (``multilabel``)."""
        if self.hparams["task"] == "multiclass":
            return logits.argmax(dim=1)
        return (logits.sigmoid() >= 0.5).long()

    def _step(self, batch: dict[str, Any], split: str, metrics: MetricCollection) -> tuple[Tensor, Tensor]:
        image = self.image_of(batch)
        target = self.target_of(batch["mask"], image)
        logits = self.logits_of(image)
        loss: Tensor = self.criterion(logits, target.float() if self.hparams["loss"] == "bce" else target)
        # Probabilities for binary and multilabel scores: torchmetrics applies a sigmoid only when some value
        # falls outside [0, 1], so logits that happen to lie inside would be read as probabilities.
        scored = logits if self.hparams["task"] == "multiclass" else logits.sigmoid()
        self.score_step(split, loss, image.shape[0], metrics, scored, target)
        return loss, logits

    def training_step(self, batch: dict[str, Any], batch_idx: int) -> Tensor:
        """Loss of a training batch; its pixels join the epoch's scores."""
        return self._step(batch, "train", self.train_metrics)[0]

    def validation_step(self, batch: dict[str, Any], batch_idx: int) -> None:
        """Loss, scores and (early batches) a figure of a validation batch."""
        _, logits = self._step(batch, "val", self.val_metrics)
        self.log_figure(batch, batch_idx, self.prediction_of(logits))

    def test_step(self, batch: dict[str, Any], batch_idx: int) -> None:
        """Loss and scores of a test batch."""
        self._step(batch, "test", self.test_metrics)

    def predict_step(self, batch: dict[str, Any], batch_idx: int, dataloader_idx: int = 0) -> Tensor:
        """Probabilities ``(B, num_classes, H, W)`` (softmax), or sigmoid ones for ``binary`` and ``multilabel``."""
        logits: Tensor = self(self.image_of(batch))
        return softmax(logits, dim=1) if self.hparams["task"] == "multiclass" else sigmoid(logits)
