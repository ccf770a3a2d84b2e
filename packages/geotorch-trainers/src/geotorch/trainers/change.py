"""ChangeDetectionTask: where something changed between two images of one place."""

from __future__ import annotations

from typing import Any, ClassVar

from torch import Tensor, nn
from torchmetrics import MetricCollection
from torchmetrics.classification import BinaryAccuracy, BinaryF1Score, BinaryJaccardIndex

from geotorch.trainers.base import BaseTask
from geotorch.trainers.networks import build_model, encoder_of, find_model, freeze, model_choices
from geotorch.trainers.segmentation import segmentation_network


class _EarlyFusion(nn.Module):
    """A segmentation model on the two dates stacked along channels: ``(B, 2, C, H, W)`` -> ``(B, 2C, H, W)``."""

    def __init__(self, network: nn.Module) -> None:
        super().__init__()
        self.network = network

    def forward(self, pair: Tensor) -> Tensor:
        """Change logits of a pair of images."""
        result: Tensor = self.network(pair.flatten(1, 2))
        return result


class ChangeDetectionTask(BaseTask):
    """Binary change detection on pairs of co-registered images.

    Batches hold ``image`` ``(B, 2, C, H, W)`` (before, after) and ``mask`` ``(B, 1, H, W)``, 1 where
    something changed. Models: those registered with ``task="change_detection"``, ``fcsiamdiff`` and
    ``fcsiamconc`` (a shared encoder per date) or a plugin's (built with ``num_classes=1`` as
    :mod:`geotorch.trainers.networks` describes), or any model of :class:`SemanticSegmentationTask` on both
    dates stacked along channels (early fusion).
    Logs ``{split}_loss``, ``{split}_OverallAccuracy``, ``_JaccardIndex`` and ``_F1Score`` of the
    change class; ``predict_step`` returns change probabilities ``(B, 1, H, W)``.

    Args:
        model: ``fcsiamdiff``, ``fcsiamconc``, or a segmentation model (``unet``, ...).
        backbone: the timm encoder.
        weights: weights for the encoder: a registered weight name, a checkpoint file, ``True`` or
            ``"imagenet"`` (Hugging Face cache, else downloaded), or None.
        in_channels: bands of each image.
        pos_weight: weight of the change class in the binary cross-entropy (changes are rare).
        lr: learning rate of AdamW.
        patience: epochs without improvement of ``val_loss`` before the plateau scheduler lowers the rate.
        scheduler: ``plateau``, ``cosine`` or ``none``.
        freeze_backbone: train the decoder only (the model's ``encoder``, or ``backbone``, is frozen).
    """

    prediction_output: ClassVar[str] = "scores"

    def __init__(
        self,
        model: str = "fcsiamdiff",
        backbone: str = "resnet18",
        weights: str | bool | None = None,
        in_channels: int = 3,
        pos_weight: float | None = None,
        lr: float = 1e-3,
        patience: int = 10,
        scheduler: str = "plateau",
        freeze_backbone: bool = False,
    ) -> None:
        super().__init__()
        self.save_hyperparameters()
        self.configure_task()

    def configure_models(self) -> None:
        """A change detection network, or a segmentation network on both dates.

        Raises:
            ValueError: if the model is unknown.
            geotorch.core.WeightsMismatchError: if the weights do not fit.
        """
        hparams = self.hparams
        model, backbone, weights = hparams["model"], hparams["backbone"], hparams["weights"]
        name = find_model(model, "change_detection")
        network: nn.Module
        if name is not None:
            self.model = network = build_model(name, model, weights, backbone=backbone,
                                               in_channels=hparams["in_channels"], num_classes=1)
        elif find_model(model, "segmentation") is not None:
            network = segmentation_network(model, backbone, weights, 2 * hparams["in_channels"], 1)
            self.model = _EarlyFusion(network)
        else:
            choices = ", ".join([*model_choices("change_detection"), *model_choices("segmentation")])
            raise ValueError(f"unknown change detection model {model!r}; choose from {choices}")
        if hparams["freeze_backbone"]:
            freeze(encoder_of(network))

    def configure_losses(self) -> None:
        """Binary cross-entropy, the change class weighted by ``pos_weight``."""
        import torch

        weight = self.hparams["pos_weight"]
        self.criterion = nn.BCEWithLogitsLoss(pos_weight=None if weight is None else torch.tensor(float(weight)))

    def configure_metrics(self) -> None:
        """Accuracy, Jaccard index and F1 of the change class for each split."""
        metrics = MetricCollection({
            "OverallAccuracy": BinaryAccuracy(), "JaccardIndex": BinaryJaccardIndex(), "F1Score": BinaryF1Score(),
        })
        self.configure_split_metrics(metrics)

    def _step(self, batch: dict[str, Any], split: str, metrics: MetricCollection) -> tuple[Tensor, Tensor]:
        image = batch["image"]
        logits: Tensor = self(image)
        target = batch["mask"].view(logits.shape)
        loss: Tensor = self.criterion(logits, target.float())
        self.log_step(split, loss, image.shape[0], metrics, logits, target.long())
        return loss, logits

    def training_step(self, batch: dict[str, Any], batch_idx: int) -> Tensor:
        """Loss and metrics of a training batch."""
        return self._step(batch, "train", self.train_metrics)[0]

    def validation_step(self, batch: dict[str, Any], batch_idx: int) -> None:
        """Loss, metrics and (early batches) a figure of a validation batch."""
        _, logits = self._step(batch, "val", self.val_metrics)
        self.log_figure(batch, batch_idx, (logits > 0).long())

    def test_step(self, batch: dict[str, Any], batch_idx: int) -> None:
        """Loss and metrics of a test batch."""
        self._step(batch, "test", self.test_metrics)

    def predict_step(self, batch: dict[str, Any], batch_idx: int, dataloader_idx: int = 0) -> Tensor:
        """Change probabilities ``(B, 1, H, W)``."""
        logits: Tensor = self(batch["image"])
        return logits.sigmoid()
