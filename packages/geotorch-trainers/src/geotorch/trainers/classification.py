"""ClassificationTask and MultiLabelClassificationTask: one label, or several, per image."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, ClassVar, Literal

import torch
from torch import Tensor, nn
from torchmetrics import MetricCollection

from geotorch.core import WeightsSpec, list_models
from geotorch.trainers.base import ScoredTask, rename_legacy
from geotorch.trainers.losses import check_loss_weights, classification_loss
from geotorch.trainers.metrics import classification_metrics
from geotorch.trainers.networks import build, freeze
from geotorch.trainers.segmentation import class_counts
from geotorch.trainers.targets import image_labels


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


class ClassificationTask(ScoredTask):
    """Scene classification: a class (``multiclass``), a yes/no (``binary``) or labels (``multilabel``) per image.

    Batches hold ``image`` ``(B, C, H, W)`` and ``label``: class indices ``(B,)``, 0/1 ``(B,)``, or multi-hot
    ``(B, num_labels)``. Logs ``{split}_loss`` per step and, per epoch, TorchGeo 0.10.1's scores
    (:func:`geotorch.trainers.metrics.classification_metrics`): ``{split}_OverallAccuracy``,
    ``_AverageAccuracy``, the same of ``Precision``, ``Recall``, ``F1Score`` and ``JaccardIndex``, (not for
    ``binary``) ``_ClasswiseAccuracy_<label>``, ..., and GeoTorch's ``_JaccardIndex`` and ``_F1Score``.
    ``predict_step`` returns class probabilities ``(B, num_classes)`` (softmax), or sigmoid ones ``(B,)`` or
    ``(B, num_labels)`` for ``binary`` and ``multilabel``.

    Args:
        model: a registered backbone (``resnet18``, ``resnet50``, ``vit_small_patch16_224``) or any timm name.
        weights: a registered weight name, a checkpoint file (a task's ``.ckpt`` too), ``True`` or
            ``"imagenet"`` (downloaded if not cached), or None; loaded strictly by geotorch-models' rules.
        in_channels: bands of the input images.
        task: ``multiclass`` (the default), ``binary`` or ``multilabel``.
        num_classes: classes of a ``multiclass`` task (2 if None).
        num_labels: labels of a ``multilabel`` task (``num_classes`` if None).
        labels: names of the classes or labels, in the classwise scores' names (their indices if None).
        pos_weight: weight of positive targets in the ``bce`` loss (a number, or one per label).
        loss: ``ce`` (``multiclass``), ``bce`` (``binary``, ``multilabel``), ``jaccard``, ``focal`` or ``dice``.
        class_weights: per-class weights of the ``ce`` loss.
        ignore_index: a target value left out of loss and scores, or None.
        lr: learning rate of AdamW.
        patience: epochs without improvement of ``val_loss`` before the plateau scheduler lowers the rate.
        scheduler: ``plateau``, ``cosine`` or ``none``.
        freeze_backbone: train the classifier head only (linear probing).
        **legacy: TorchGeo's older names (``classification_model``, ``learning_rate``, ...).

    Raises:
        ValueError: if ``task`` is unknown, a ``multilabel`` task has no label count, or ``loss`` does not serve
            ``task``.
    """

    #: The ``task`` this class always is, whatever the argument says (None: the argument decides).
    fixed_task: ClassVar[str | None] = None

    def __init__(
        self,
        model: str = "resnet50",
        weights: str | bool | None = None,
        in_channels: int = 3,
        task: Literal["binary", "multiclass", "multilabel"] = "multiclass",
        num_classes: int | None = None,
        num_labels: int | None = None,
        labels: list[str] | None = None,
        pos_weight: Tensor | list[float] | float | None = None,
        loss: str = "ce",
        class_weights: Tensor | Sequence[float] | None = None,
        ignore_index: int | None = None,
        lr: float = 1e-3,
        patience: int = 10,
        freeze_backbone: bool = False,
        *,
        scheduler: str = "plateau",
        **legacy: Any,
    ) -> None:
        renamed = rename_legacy(type(self).__name__, legacy)
        legacy.clear()
        model = renamed.get("model", model)
        weights = renamed.get("weights", weights)
        lr = renamed.get("lr", lr)
        patience = renamed.get("patience", patience)
        if self.fixed_task is not None:
            task = self.fixed_task  # type: ignore[assignment]
            # The multi-label task's loss has always been the binary cross-entropy, its default 'ce' included.
            loss = "bce" if loss == "ce" else loss
        num_classes, num_labels = class_counts(type(self).__name__, task, num_classes, num_labels, per="image")
        super().__init__()
        self.save_hyperparameters()
        self.configure_task()

    @property
    def outputs(self) -> int:
        """Outputs of the classifier head: ``num_classes``, ``num_labels``, or 1 for ``binary``."""
        task = self.hparams["task"]
        count: int = self.hparams["num_classes"] if task == "multiclass" else self.hparams["num_labels"] or 1
        return 1 if task == "binary" else count

    def configure_models(self) -> None:
        """The timm model with :attr:`outputs` outputs."""
        hparams = self.hparams
        self.model = timm_network(hparams["model"], hparams["weights"], hparams["in_channels"], self.outputs)
        if hparams["freeze_backbone"]:
            freeze_all_but_head(self.model)

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
        self.criterion = classification_loss(
            hparams["loss"], hparams["class_weights"], hparams["ignore_index"], type(self).__name__,
            task=hparams["task"], pos_weight=None if pos_weight is None else torch.as_tensor(pos_weight).float(),
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

    def target_of(self, batch: dict[str, Any]) -> Tensor:
        """The batch's ``label`` as the loss and the scores take it: ``(B,)`` classes, or ``(B, L)`` 0/1, long.

        Raises:
            ValueError: if the label is not one class per image (``(B, num_labels)`` for ``multilabel``), or holds
                values that are not whole numbers of the task's classes or ``ignore_index``, naming them (see
                :func:`.targets.image_labels`).
        """
        hparams = self.hparams
        count = hparams["num_classes"] if hparams["task"] == "multiclass" else self.outputs
        return image_labels(batch["label"], batch["image"].shape[0], hparams["task"], count, hparams["ignore_index"],
                            type(self).__name__)

    def logits_of(self, image: Tensor) -> Tensor:
        """The model's logits, ``(B,)`` for ``binary`` (its single output dropped)."""
        logits: Tensor = self(image)
        return logits.squeeze(1) if self.hparams["task"] == "binary" else logits

    def _step(self, batch: dict[str, Any], split: str, metrics: MetricCollection) -> tuple[Tensor, Tensor]:
        image, target = batch["image"], self.target_of(batch)
        binary = self.hparams["task"] == "binary"
        # A binary loss sees (B, 1) logits and targets (smp's losses read the class count from dimension 1).
        raw: Tensor = self(image)
        wanted = target[:, None] if binary else target
        loss: Tensor = self.criterion(raw, wanted.float() if self.hparams["loss"] == "bce" else wanted)
        logits = raw.squeeze(1) if binary else raw
        scored = logits if self.hparams["task"] == "multiclass" else logits.sigmoid()
        self.score_step(split, loss, image.shape[0], metrics, scored, target)
        return loss, logits

    def training_step(self, batch: dict[str, Any], batch_idx: int) -> Tensor:
        """Loss of a training batch; its images join the epoch's scores."""
        return self._step(batch, "train", self.train_metrics)[0]

    def validation_step(self, batch: dict[str, Any], batch_idx: int) -> None:
        """Loss, scores and (early batches) a figure of a validation batch."""
        _, logits = self._step(batch, "val", self.val_metrics)
        self.log_figure(batch, batch_idx, self.prediction_of(logits))

    def test_step(self, batch: dict[str, Any], batch_idx: int) -> None:
        """Loss and scores of a test batch."""
        self._step(batch, "test", self.test_metrics)

    def prediction_of(self, logits: Tensor) -> Tensor:
        """The predicted class of every image, or its 0/1 (``binary``) or labels (``multilabel``)."""
        if self.hparams["task"] == "multiclass":
            return logits.argmax(dim=1)
        return (logits.sigmoid() > 0.5).long()

    def predict_step(self, batch: dict[str, Any], batch_idx: int, dataloader_idx: int = 0) -> Tensor:
        """Class probabilities ``(B, num_classes)``, or sigmoid ones for ``binary`` and ``multilabel``."""
        logits = self.logits_of(batch["image"])
        return logits.softmax(dim=1) if self.hparams["task"] == "multiclass" else logits.sigmoid()


class MultiLabelClassificationTask(ClassificationTask):
    """Multi-label classification: any of ``num_classes`` labels per image (BigEarthNet).

    :class:`ClassificationTask` with ``task="multilabel"`` and ``num_labels=num_classes``, as TorchGeo's
    deprecated alias of the same name. Batches hold ``image`` and a multi-hot ``label`` ``(B, num_classes)``.
    The loss is the binary cross-entropy of each label (``loss="ce"``, the default, means it too); logs the
    scores of :class:`ClassificationTask`. ``predict_step`` returns per-label probabilities.
    """

    fixed_task: ClassVar[str | None] = "multilabel"
