"""SemanticSegmentationTask: a class for every pixel, from smp models, FarSeg or an FCN."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, ClassVar

from torch import Tensor, nn
from torchmetrics import MetricCollection
from torchmetrics.classification import MulticlassAccuracy, MulticlassF1Score, MulticlassJaccardIndex

from geotorch.core import WeightsSpec
from geotorch.trainers.base import BaseTask, rename_legacy
from geotorch.trainers.losses import classification_loss
from geotorch.trainers.networks import build_model, decoder_of, encoder_of, find_model, freeze, model_choices


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


def segmentation_metrics(num_classes: int, ignore_index: int | None) -> MetricCollection:
    """Overall and average accuracy, mean IoU (``JaccardIndex``) and F1 over the pixels not ignored."""
    shared: dict[str, Any] = {"num_classes": num_classes, "ignore_index": ignore_index}
    return MetricCollection({
        "OverallAccuracy": MulticlassAccuracy(average="micro", **shared),
        "AverageAccuracy": MulticlassAccuracy(average="macro", **shared),
        "JaccardIndex": MulticlassJaccardIndex(average="macro", **shared),
        "F1Score": MulticlassF1Score(average="micro", **shared),
    })


def as_class_map(mask: Tensor) -> Tensor:
    """A ``(B, H, W)`` long class map from a ``(B, H, W)`` or single-channel ``(B, 1, H, W)`` mask."""
    if mask.ndim == 4 and mask.shape[1] == 1:
        mask = mask[:, 0]
    return mask.long()


class SemanticSegmentationTask(BaseTask):
    """Semantic segmentation: one of ``num_classes`` classes for every pixel.

    Batches hold ``image`` ``(B, C, H, W)`` and ``mask`` ``(B, H, W)``. Logs ``{split}_loss`` and
    ``{split}_OverallAccuracy``, ``_AverageAccuracy``, ``_JaccardIndex`` (mean IoU) and ``_F1Score``
    for the splits ``train``, ``val`` and ``test``. ``predict_step`` returns class probabilities
    ``(B, num_classes, H, W)``.

    TorchGeo's older spellings work too: ``segmentation_model``, ``encoder_name``,
    ``encoder_weights``, ``learning_rate`` and ``learning_rate_schedule_patience``.

    Args:
        model: ``unet``, ``unetplusplus`` (``unet++``), ``deeplabv3plus`` (``deeplabv3+``), ``fpn``, ``pspnet``,
            ``farseg``, ``fcn``, or any model a plugin registers with ``task="segmentation"`` (built as
            :mod:`geotorch.trainers.networks` describes).
        backbone: the timm encoder (``resnet18``, ``resnet50``, ...).
        weights: a registered weight name (``geotorch weights``), a checkpoint file (a Lightning ``.ckpt`` of a
            task too: the encoder's parameters are taken from it), ``True`` or ``"imagenet"`` (from the local
            cache only), or None; loaded strictly by geotorch-models' rules.
        in_channels: bands of the input images.
        num_classes: classes to predict.
        num_filters: hidden channels of the ``fcn`` model.
        loss: ``ce``, ``jaccard`` or ``focal``.
        class_weights: per-class weights of the ``ce`` loss.
        ignore_index: a mask value left out of loss and metrics (no data).
        lr: learning rate of AdamW.
        patience: epochs without improvement of ``val_loss`` before the plateau scheduler lowers the rate.
        scheduler: ``plateau``, ``cosine`` or ``none``.
        freeze_backbone: train the decoder only (the model's ``encoder``, or ``backbone``, is frozen).
        freeze_decoder: train the encoder only (the model's ``decoder`` is frozen).
        **legacy: TorchGeo's older argument names (see above).
    """

    #: What ``geotorch predict`` writes: the class of the blended probabilities.
    prediction_output: ClassVar[str] = "classes"

    def __init__(
        self,
        model: str = "unet",
        backbone: str = "resnet50",
        weights: str | bool | None = None,
        in_channels: int = 3,
        num_classes: int = 2,
        num_filters: int = 64,
        loss: str = "ce",
        class_weights: Sequence[float] | None = None,
        ignore_index: int | None = None,
        lr: float = 1e-3,
        patience: int = 10,
        scheduler: str = "plateau",
        freeze_backbone: bool = False,
        freeze_decoder: bool = False,
        **legacy: Any,
    ) -> None:
        renamed = rename_legacy(type(self).__name__, legacy)
        legacy.clear()
        model = renamed.get("model", model)
        backbone = renamed.get("backbone", backbone)
        weights = renamed.get("weights", weights)
        lr = renamed.get("lr", lr)
        patience = renamed.get("patience", patience)
        super().__init__()
        self.save_hyperparameters()
        self.configure_task()

    def configure_models(self) -> None:
        """Build the network with its weights and freeze what is asked."""
        hparams = self.hparams
        self.model = segmentation_network(
            hparams["model"], hparams["backbone"], hparams["weights"], hparams["in_channels"],
            hparams["num_classes"], hparams["num_filters"],
        )
        if hparams["freeze_backbone"]:
            freeze(encoder_of(self.model))
        if hparams["freeze_decoder"]:
            freeze(decoder_of(self.model))

    def configure_losses(self) -> None:
        """The loss ``loss`` names."""
        hparams = self.hparams
        self.criterion = classification_loss(
            hparams["loss"], hparams["class_weights"], hparams["ignore_index"], type(self).__name__
        )

    def configure_metrics(self) -> None:
        """Accuracies, mean IoU and F1 for each split."""
        metrics = segmentation_metrics(self.hparams["num_classes"], self.hparams["ignore_index"])
        self.configure_split_metrics(metrics)

    def _step(self, batch: dict[str, Any], split: str, metrics: MetricCollection) -> tuple[Tensor, Tensor]:
        image, target = batch["image"], as_class_map(batch["mask"])
        logits: Tensor = self(image)
        loss: Tensor = self.criterion(logits, target)
        self.log_step(split, loss, image.shape[0], metrics, logits, target)
        return loss, logits

    def training_step(self, batch: dict[str, Any], batch_idx: int) -> Tensor:
        """Loss and metrics of a training batch."""
        return self._step(batch, "train", self.train_metrics)[0]

    def validation_step(self, batch: dict[str, Any], batch_idx: int) -> None:
        """Loss, metrics and (early batches) a figure of a validation batch."""
        _, logits = self._step(batch, "val", self.val_metrics)
        self.log_figure(batch, batch_idx, logits.argmax(dim=1))

    def test_step(self, batch: dict[str, Any], batch_idx: int) -> None:
        """Loss and metrics of a test batch."""
        self._step(batch, "test", self.test_metrics)

    def predict_step(self, batch: dict[str, Any], batch_idx: int, dataloader_idx: int = 0) -> Tensor:
        """Class probabilities ``(B, num_classes, H, W)``."""
        logits: Tensor = self(batch["image"])
        return logits.softmax(dim=1)
