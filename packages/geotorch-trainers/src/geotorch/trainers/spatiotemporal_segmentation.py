"""SpatioTemporalSegmentationTask: a class, a yes/no or labels for every pixel, from an image time series."""

from __future__ import annotations

from collections.abc import Sequence
from numbers import Integral
from typing import Any, Literal, Unpack

import torch
from torch import Tensor
from torchmetrics import MetricCollection

from geotorch.samplers import as_count
from geotorch.trainers.base import ScoredTask
from geotorch.trainers.losses import check_loss_weights, classification_loss
from geotorch.trainers.metrics import TASK_KINDS, classification_metrics
from geotorch.trainers.probabilities import sigmoid, softmax
from geotorch.trainers.series_dates import REFERENCE_DATE, reference_seconds
from geotorch.trainers.spatiotemporal import SERIES_SEGMENTATION, SeriesModelArguments, series_inputs, series_network
from geotorch.trainers.spatiotemporal_batch import checked_series, class_target


class SpatioTemporalSegmentationTask(ScoredTask):
    """Semantic segmentation of image time series (TorchGeo 0.10.1's ``SpatioTemporalSegmentation``).

    Batches hold ``image`` ``(B, T, C, H, W)`` float32, ``mask`` as :class:`SemanticSegmentationTask` takes it
    (class indices ``(B, H, W)`` int64 for ``multiclass``), and optionally ``length`` ``(B,)``: the valid steps of
    each sample of a padded series, given to the model as ``lengths`` (steps after them are ignored), and ``time``
    ``(B, T)``, the steps' POSIX seconds, given to a model encoding dates (``utae``) as day numbers ``positions``
    (see :func:`~geotorch.trainers.spatiotemporal.series_inputs`). The model gives ``(B, num_classes, H, W)``
    logits (``(B, 1, H, W)`` for ``binary``, compared as ``(B, H, W)``).

    Logs ``{split}_loss`` per step and, per epoch, TorchGeo 0.10.1's scores (``{split}_OverallAccuracy``,
    ``_AverageJaccardIndex``, ``_ClasswiseJaccardIndex_<label>``, ...; see
    :func:`geotorch.trainers.metrics.classification_metrics`). ``predict_step`` returns class probabilities
    ``(B, num_classes, H, W)`` (softmax), or sigmoid ones for ``binary`` and ``multilabel``.

    Args:
        model: ``convlstm``, ``conv3dlstm``, ``utae``, or any model a plugin registers with
            ``task="spatiotemporal_segmentation"`` (see :mod:`geotorch.trainers.spatiotemporal`).
        in_channels: channels per time step (the C of ``(B, T, C, H, W)``).
        task: ``multiclass`` (the default), ``binary`` or ``multilabel``.
        num_classes: classes of a ``multiclass`` task (2 if None); a ``binary`` task has one output channel.
        num_labels: labels of a ``multilabel`` task (``num_classes`` if None).
        labels: names of the classes or labels, in the classwise scores' names (their indices if None).
        pos_weight: weight of positive pixels in the ``bce`` loss (a number, or one per label).
        loss: ``ce`` (``multiclass``), ``bce`` (``binary``, ``multilabel``), ``jaccard``, ``focal`` or ``dice``;
            all but ``ce`` are segmentation-models-pytorch's.
        class_weights: per-class weights of the ``ce`` loss.
        ignore_index: a mask value left out of loss and scores (no data).
        lr: learning rate of AdamW.
        patience: epochs without improvement of ``val_loss`` before the plateau scheduler lowers the rate.
        reference_date: the ISO date (``YYYY-MM-DD``) from which a date-encoding model's ``positions`` count
            days; the default is PASTIS's, which U-TAE's published weights were trained with (see
            :func:`~geotorch.trainers.series_dates.step_positions`).
        **kwargs: passed to the model (``hidden_dim``, ``num_layers``, ``encoder_widths``, ...; see
            :class:`~geotorch.trainers.spatiotemporal.SeriesModelArguments`).

    Raises:
        TypeError: if a count or ``ignore_index`` is not a whole number (a string, a bool), or ``model`` not a name.
        ValueError: if ``task`` is unknown, ``in_channels`` or ``num_labels`` is below 1 or ``num_classes`` below 2
            (1 for ``binary``), a ``multilabel`` task has no label count, ``loss`` does not serve ``task``, or
            ``model`` is not a registered spatiotemporal segmentation model, or ``reference_date`` no ISO date.
    """

    def __init__(
        self,
        model: str = "convlstm",
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
        *,
        reference_date: str = REFERENCE_DATE,
        **kwargs: Unpack[SeriesModelArguments],
    ) -> None:
        owner = type(self).__name__
        reference_seconds(reference_date, owner)
        if task not in TASK_KINDS:
            raise ValueError(f"{owner}: task={task!r} must be one of {', '.join(TASK_KINDS)}")
        in_channels = as_count(in_channels, "in_channels", owner)
        if num_classes is not None:
            num_classes = as_count(num_classes, "num_classes", owner, minimum=2 if task == "multiclass" else 1)
        if num_labels is not None:
            num_labels = as_count(num_labels, "num_labels", owner)
        if ignore_index is not None and (isinstance(ignore_index, bool) or not isinstance(ignore_index, Integral)):
            raise TypeError(f"{owner}: ignore_index={ignore_index!r} must be a whole number (the mask value of no "
                            "data) or None")
        if task == "multiclass" and num_classes is None:
            num_classes = 2
        if task == "multilabel":
            num_labels = num_labels or num_classes
            if num_labels is None:
                raise ValueError(f"{type(self).__name__}: task='multilabel' needs num_labels, the labels per pixel")
        super().__init__()
        self.model_kwargs = dict(kwargs)
        self.save_hyperparameters()
        self.configure_task()

    @property
    def outputs(self) -> int:
        """Channels of the model: ``num_classes``, ``num_labels``, or 1 for ``binary``."""
        task = self.hparams["task"]
        if task == "binary":
            return 1
        count: int = self.hparams["num_classes"] if task == "multiclass" else self.hparams["num_labels"]
        return count

    @property
    def prediction_output(self) -> str:
        """What ``geotorch predict`` writes: the class of blended probabilities, or (binary, multilabel) them."""
        return "classes" if self.hparams["task"] == "multiclass" else "scores"

    def configure_models(self) -> None:
        """Build the registered time-series model with ``in_channels`` per step and :attr:`outputs` channels."""
        self.model = series_network(
            self.hparams["model"], SERIES_SEGMENTATION, self.hparams["in_channels"], self.outputs,
            type(self).__name__, **self.model_kwargs,
        )  # fmt: skip

    def configure_losses(self) -> None:
        """The loss ``loss`` names, for the ``task`` kind.

        Raises:
            ValueError: if ``class_weights`` is not one weight per class, or ``pos_weight`` neither one number nor
                one per output channel, or a weight is negative or not finite.
        """
        hparams = self.hparams
        owner = type(self).__name__
        check_loss_weights(hparams["class_weights"], hparams["pos_weight"], hparams["task"], self.outputs, owner)
        pos_weight = hparams["pos_weight"]
        if pos_weight is not None and torch.as_tensor(pos_weight).ndim == 1:
            # One weight per label, broadcast over the pixels of its channel.
            pos_weight = torch.as_tensor(pos_weight, dtype=torch.float32)[:, None, None]
        self.criterion = classification_loss(
            hparams["loss"], hparams["class_weights"], hparams["ignore_index"], type(self).__name__,
            task=hparams["task"], pos_weight=pos_weight,
        )  # fmt: skip

    def configure_metrics(self) -> None:
        """TorchGeo's accuracy, precision, recall, F1 and IoU scores, for each split."""
        hparams = self.hparams
        task = hparams["task"]
        metrics = classification_metrics(
            task, hparams["num_classes"] if task == "multiclass" else None,
            hparams["num_labels"] if task == "multilabel" else None, hparams["ignore_index"], hparams["labels"],
        )  # fmt: skip
        self.configure_split_metrics(metrics)

    def raw_logits(self, batch: dict[str, Any]) -> Tensor:
        """The model's ``(B, outputs, H, W)`` logits for the batch's series.

        Raises:
            ValueError: if the series has another band count per step than ``in_channels``.
        """
        series = checked_series(batch, self.hparams["in_channels"], type(self).__name__, self.model)
        inputs = series_inputs(batch, self.model, type(self).__name__, self.hparams["reference_date"])
        logits: Tensor = self(series, **inputs)
        return logits

    def logits_of(self, batch: dict[str, Any]) -> Tensor:
        """The model's logits for the batch's series, ``(B, H, W)`` for ``binary`` (its single channel dropped)."""
        logits = self.raw_logits(batch)
        return logits.squeeze(1) if self.hparams["task"] == "binary" else logits

    def _step(self, batch: dict[str, Any], split: str, metrics: MetricCollection) -> tuple[Tensor, Tensor]:
        hparams = self.hparams
        logits = self.logits_of(batch)
        count = {"multiclass": hparams["num_classes"], "multilabel": hparams["num_labels"]}.get(hparams["task"], 2)
        target = class_target(batch["mask"], batch["image"], hparams["task"], count, hparams["ignore_index"],
                              type(self).__name__)  # fmt: skip
        loss: Tensor = self.criterion(logits, target.float() if self.hparams["loss"] == "bce" else target)
        # Probabilities for binary and multilabel scores: torchmetrics reads values inside [0, 1] as probabilities.
        scored = logits if self.hparams["task"] == "multiclass" else logits.sigmoid()
        self.score_step(split, loss, batch["image"].shape[0], metrics, scored, target)
        return loss, logits

    def training_step(self, batch: dict[str, Any], batch_idx: int) -> Tensor:
        """Loss of a training batch; its pixels join the epoch's scores."""
        return self._step(batch, "train", self.train_metrics)[0]

    def validation_step(self, batch: dict[str, Any], batch_idx: int) -> None:
        """Loss and scores of a validation batch."""
        self._step(batch, "val", self.val_metrics)

    def test_step(self, batch: dict[str, Any], batch_idx: int) -> None:
        """Loss and scores of a test batch."""
        self._step(batch, "test", self.test_metrics)

    def predict_step(self, batch: dict[str, Any], batch_idx: int, dataloader_idx: int = 0) -> Tensor:
        """Probabilities ``(B, num_classes, H, W)`` (softmax), or sigmoid ones for ``binary`` and ``multilabel``."""
        logits = self.raw_logits(batch)
        return softmax(logits, dim=1) if self.hparams["task"] == "multiclass" else sigmoid(logits)

