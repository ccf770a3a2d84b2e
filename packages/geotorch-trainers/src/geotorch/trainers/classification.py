"""ClassificationTask and MultiLabelClassificationTask: one label, or several, per image."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, ClassVar

from torch import Tensor, nn
from torchmetrics import MetricCollection
from torchmetrics.classification import (
    MulticlassAccuracy,
    MulticlassF1Score,
    MulticlassJaccardIndex,
    MultilabelAccuracy,
    MultilabelF1Score,
)

from geotorch.core import WeightsSpec, list_models
from geotorch.trainers.base import BaseTask, rename_legacy
from geotorch.trainers.losses import classification_loss
from geotorch.trainers.networks import build, freeze


def timm_network(model: str, weights: WeightsSpec, in_channels: int, num_outputs: int) -> nn.Module:
    """A timm model (a registered backbone such as ``resnet50``, or any timm name) with its weights.

    Args:
        model: the architecture.
        weights: a registered weight name, a checkpoint file (a task's ``.ckpt`` too), ``True`` or
            ``"imagenet"`` (Hugging Face cache, else downloaded), or None.
        in_channels: bands of the input images.
        num_outputs: outputs of the classifier head.

    Returns:
        The model.

    Raises:
        geotorch.core.WeightsMismatchError: if the weights do not fit.
    """
    if model in list_models(task="backbone") and model != "timm":
        return build(model, weights=weights, in_chans=in_channels, num_classes=num_outputs)
    return build("timm", weights=weights, model_name=model, in_chans=in_channels, num_classes=num_outputs)


def freeze_all_but_head(network: nn.Module) -> None:
    """Freeze every parameter except the classifier head's (timm's ``get_classifier()``)."""
    freeze(network)
    head = getattr(network, "get_classifier", None)
    classifier = head() if callable(head) else None
    if isinstance(classifier, nn.Module):
        for parameter in classifier.parameters():
            parameter.requires_grad = True


class ClassificationTask(BaseTask):
    """Scene classification: one of ``num_classes`` classes per image.

    Batches hold ``image`` ``(B, C, H, W)`` and ``label`` ``(B,)``. Logs ``{split}_loss`` and
    ``{split}_OverallAccuracy``, ``_AverageAccuracy``, ``_JaccardIndex`` and ``_F1Score``.
    ``predict_step`` returns class probabilities ``(B, num_classes)``.

    Args:
        model: a registered backbone (``resnet18``, ``resnet50``, ``vit_small_patch16_224``) or any timm name.
        weights: a registered weight name, a checkpoint file (a task's ``.ckpt`` too), ``True`` or
            ``"imagenet"`` (Hugging Face cache, else downloaded), or None; loaded strictly by geotorch-models' rules.
        in_channels: bands of the input images.
        num_classes: classes to predict.
        loss: ``ce``, ``jaccard`` or ``focal``.
        class_weights: per-class weights of the ``ce`` loss.
        lr: learning rate of AdamW.
        patience: epochs without improvement of ``val_loss`` before the plateau scheduler lowers the rate.
        scheduler: ``plateau``, ``cosine`` or ``none``.
        freeze_backbone: train the classifier head only (linear probing).
        **legacy: TorchGeo's older names (``classification_model``, ``learning_rate``, ...).
    """

    def __init__(
        self,
        model: str = "resnet50",
        weights: str | bool | None = None,
        in_channels: int = 3,
        num_classes: int = 2,
        loss: str = "ce",
        class_weights: Sequence[float] | None = None,
        lr: float = 1e-3,
        patience: int = 10,
        scheduler: str = "plateau",
        freeze_backbone: bool = False,
        **legacy: Any,
    ) -> None:
        renamed = rename_legacy(type(self).__name__, legacy)
        legacy.clear()
        model = renamed.get("model", model)
        weights = renamed.get("weights", weights)
        lr = renamed.get("lr", lr)
        patience = renamed.get("patience", patience)
        super().__init__()
        self.save_hyperparameters()
        self.configure_task()

    def configure_models(self) -> None:
        """The timm model with ``num_classes`` outputs."""
        hparams = self.hparams
        self.model = timm_network(hparams["model"], hparams["weights"], hparams["in_channels"],
                                  hparams["num_classes"])
        if hparams["freeze_backbone"]:
            freeze_all_but_head(self.model)

    def configure_losses(self) -> None:
        """The loss ``loss`` names."""
        self.criterion = classification_loss(self.hparams["loss"], self.hparams["class_weights"], None,
                                             type(self).__name__)

    def configure_metrics(self) -> None:
        """Accuracies, Jaccard index and F1 for each split."""
        classes = self.hparams["num_classes"]
        metrics = MetricCollection({
            "OverallAccuracy": MulticlassAccuracy(classes, average="micro"),
            "AverageAccuracy": MulticlassAccuracy(classes, average="macro"),
            "JaccardIndex": MulticlassJaccardIndex(classes, average="macro"),
            "F1Score": MulticlassF1Score(classes, average="micro"),
        })
        self.configure_split_metrics(metrics)

    def _target(self, batch: dict[str, Any]) -> Tensor:
        label: Tensor = batch["label"]
        return label.long().view(-1)

    def _step(self, batch: dict[str, Any], split: str, metrics: MetricCollection) -> tuple[Tensor, Tensor]:
        image, target = batch["image"], self._target(batch)
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
        self.log_figure(batch, batch_idx, self.prediction_of(logits))

    def test_step(self, batch: dict[str, Any], batch_idx: int) -> None:
        """Loss and metrics of a test batch."""
        self._step(batch, "test", self.test_metrics)

    def prediction_of(self, logits: Tensor) -> Tensor:
        """The predicted class of every image."""
        return logits.argmax(dim=1)

    def predict_step(self, batch: dict[str, Any], batch_idx: int, dataloader_idx: int = 0) -> Tensor:
        """Class probabilities ``(B, num_classes)``."""
        logits: Tensor = self(batch["image"])
        return logits.softmax(dim=1)


class MultiLabelClassificationTask(ClassificationTask):
    """Multi-label classification: any of ``num_classes`` labels per image (BigEarthNet).

    Batches hold ``image`` and a multi-hot ``label`` ``(B, num_classes)``. The loss is binary
    cross-entropy per label; logs ``{split}_OverallAccuracy``, ``_AverageAccuracy`` and ``_F1Score``.
    ``predict_step`` returns per-label probabilities. Arguments as :class:`ClassificationTask`
    (``loss`` is always ``bce``).
    """

    monitor: ClassVar[str] = "val_loss"

    def configure_losses(self) -> None:
        """Binary cross-entropy of each label."""
        if self.hparams["loss"] not in ("ce", "bce"):
            raise ValueError(f"{type(self).__name__}: loss={self.hparams['loss']!r}; only 'bce' is available")
        self.criterion = nn.BCEWithLogitsLoss()

    def configure_metrics(self) -> None:
        """Accuracies and F1 over labels, for each split."""
        labels = self.hparams["num_classes"]
        metrics = MetricCollection({
            "OverallAccuracy": MultilabelAccuracy(labels, average="micro"),
            "AverageAccuracy": MultilabelAccuracy(labels, average="macro"),
            "F1Score": MultilabelF1Score(labels, average="micro"),
        })
        self.configure_split_metrics(metrics)

    def _step(self, batch: dict[str, Any], split: str, metrics: MetricCollection) -> tuple[Tensor, Tensor]:
        image, target = batch["image"], batch["label"]
        logits: Tensor = self(image)
        loss: Tensor = self.criterion(logits, target.float())
        self.log_step(split, loss, image.shape[0], metrics, logits, target.long())
        return loss, logits

    def prediction_of(self, logits: Tensor) -> Tensor:
        """The labels predicted present (probability above one half)."""
        return (logits.sigmoid() > 0.5).long()

    def predict_step(self, batch: dict[str, Any], batch_idx: int, dataloader_idx: int = 0) -> Tensor:
        """Per-label probabilities ``(B, num_classes)``."""
        logits: Tensor = self(batch["image"])
        return logits.sigmoid()
