"""ChangeDetectionTask: where something changed between two images of one place."""

from __future__ import annotations

from typing import Any, ClassVar

from torch import Tensor, nn
from torchmetrics import MetricCollection
from torchmetrics.classification import BinaryAccuracy, BinaryF1Score, BinaryJaccardIndex

from geotorch.trainers.base import BaseTask
from geotorch.trainers.loading import freeze, weights_kind
from geotorch.trainers.segmentation import SEGMENTATION_MODELS, segmentation_network

#: Siamese models, whose shared encoder sees each date on its own.
SIAMESE_MODELS = {"fcsiamdiff": "FCSiamDiff", "fcsiamconc": "FCSiamConc"}


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
    something changed. Models: ``fcsiamdiff`` and ``fcsiamconc`` (a shared encoder per date), or any
    model of :class:`SemanticSegmentationTask` on both dates stacked along channels (early fusion).
    Logs ``{split}_loss``, ``{split}_OverallAccuracy``, ``_JaccardIndex`` and ``_F1Score`` of the
    change class; ``predict_step`` returns change probabilities ``(B, 1, H, W)``.

    Args:
        model: ``fcsiamdiff``, ``fcsiamconc``, or a segmentation model (``unet``, ...).
        backbone: the timm encoder.
        weights: a registered weight name for the encoder, or None (early fusion takes a checkpoint
            file or ``"imagenet"`` too).
        in_channels: bands of each image.
        pos_weight: weight of the change class in the binary cross-entropy (changes are rare).
        lr: learning rate of AdamW.
        patience: epochs without improvement of ``val_loss`` before the plateau scheduler lowers the rate.
        scheduler: ``plateau``, ``cosine`` or ``none``.
        freeze_backbone: train the decoder only.
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
        """A siamese network, or a segmentation network on both dates.

        Raises:
            ValueError: if the model is unknown, or a siamese model is given weights it cannot take.
        """
        from geotorch.core import get_model

        hparams = self.hparams
        name = hparams["model"].lower()
        encoder: nn.Module | None
        if name in SIAMESE_MODELS:
            kind = weights_kind(hparams["weights"])
            if kind not in ("none", "registered"):
                raise ValueError(f"model={hparams['model']!r} takes registered weights or none, not {kind} weights")
            self.model = get_model(SIAMESE_MODELS[name], weights=hparams["weights"],
                                   encoder_name=hparams["backbone"].removeprefix("tu-"),
                                   in_channels=hparams["in_channels"], classes=1)
            encoder = self.model.get_submodule("encoder")
        elif name in SEGMENTATION_MODELS:
            network, encoder, _ = segmentation_network(name, hparams["backbone"], hparams["weights"],
                                                       2 * hparams["in_channels"], 1)
            self.model = _EarlyFusion(network)
        else:
            choices = ", ".join([*SIAMESE_MODELS, *SEGMENTATION_MODELS])
            raise ValueError(f"unknown change detection model {hparams['model']!r}; choose from {choices}")
        if hparams["freeze_backbone"] and encoder is not None:
            freeze(encoder)

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
