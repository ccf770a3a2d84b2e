"""ChangeDetectionTask: where something changed between two images of one place."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Literal

from torch import Tensor, nn

from geotorch.trainers.networks import build_model, find_model, freeze_parts, model_choices
from geotorch.trainers.segmentation import SemanticSegmentationTask, class_counts, segmentation_network


class _EarlyFusion(nn.Module):
    """A segmentation model on the two dates stacked along channels: ``(B, 2, C, H, W)`` -> ``(B, 2C, H, W)``."""

    def __init__(self, network: nn.Module) -> None:
        super().__init__()
        self.network = network

    def forward(self, pair: Tensor) -> Tensor:
        """Change logits of a pair of images."""
        result: Tensor = self.network(pair.flatten(1, 2))
        return result


class ChangeDetectionTask(SemanticSegmentationTask):
    """Change detection on pairs of co-registered images: a yes/no (``binary``), a class or labels per pixel.

    Batches hold ``image`` ``(B, 2, C, H, W)`` (before, after) and ``mask``: ``(B, 1, H, W)`` or ``(B, H, W)``,
    1 where something changed (``binary``), or as :class:`SemanticSegmentationTask`'s for ``multiclass`` and
    ``multilabel``. Models: those registered with ``task="change_detection"``, ``fcsiamdiff`` and ``fcsiamconc``
    (a shared encoder per date) or a plugin's (built with ``num_classes`` outputs as
    :mod:`geotorch.trainers.networks` describes), or any model of :class:`SemanticSegmentationTask` on both
    dates stacked along channels (early fusion). Losses, scores and outputs are
    :class:`SemanticSegmentationTask`'s: ``{split}_loss``, ``{split}_OverallAccuracy``, ``_JaccardIndex``,
    ``_F1Score`` and the others; ``predict_step`` returns change probabilities ``(B, 1, H, W)`` (``binary``).

    The arguments are TorchGeo 0.10.1's ``ChangeDetection``'s, in its order, with GeoTorch's defaults for
    ``model`` (``fcsiamdiff``), ``backbone`` (``resnet18``) and ``num_filters`` (64).

    Args:
        model: ``fcsiamdiff``, ``fcsiamconc``, or a segmentation model (``unet``, ...) on both dates.
        backbone: the timm encoder.
        weights: weights for the encoder: a registered weight name, a checkpoint file, ``True`` or
            ``"imagenet"`` (Hugging Face cache, else downloaded), or None.
        in_channels: bands of each image.
        task: ``binary`` (the default), ``multiclass`` or ``multilabel``.
        num_classes: classes of a ``multiclass`` task (2 if None).
        num_labels: labels of a ``multilabel`` task (``num_classes`` if None).
        labels: names of the classes or labels, in the classwise scores' names.
        num_filters: hidden channels of the ``fcn`` model.
        pos_weight: weight of the change class in the ``bce`` loss (changes are rare).
        loss: ``bce`` (the default), ``ce`` (``multiclass``), ``jaccard``, ``focal`` or ``dice``.
        class_weights: per-class weights of the ``ce`` loss.
        ignore_index: a mask value left out of loss and scores.
        lr: learning rate of AdamW.
        patience: epochs without improvement of ``val_loss`` before the plateau scheduler lowers the rate.
        freeze_backbone: train the decoder only (the model's ``encoder``, or ``backbone``, is frozen).
        freeze_decoder: train the encoder only (the model's ``decoder`` is frozen).
        scheduler: ``plateau``, ``cosine`` or ``none`` (keyword-only).

    Raises:
        ValueError: if ``task`` is unknown, a ``multilabel`` task has no label count, or ``loss`` does not serve
            ``task``.
    """

    def __init__(
        self,
        model: str = "fcsiamdiff",
        backbone: str = "resnet18",
        weights: str | bool | None = None,
        in_channels: int = 3,
        task: Literal["binary", "multiclass", "multilabel"] = "binary",
        num_classes: int | None = None,
        num_labels: int | None = None,
        labels: list[str] | None = None,
        num_filters: int = 64,
        pos_weight: Tensor | list[float] | float | None = None,
        loss: str = "bce",
        class_weights: Tensor | Sequence[float] | None = None,
        ignore_index: int | None = None,
        lr: float = 1e-3,
        patience: int = 10,
        freeze_backbone: bool = False,
        freeze_decoder: bool = False,
        *,
        scheduler: str = "plateau",
    ) -> None:
        # Resolved before the hyperparameters are saved: this frame's values are the saved ones.
        num_classes, num_labels = class_counts(type(self).__name__, task, num_classes, num_labels)
        super().__init__(
            model, backbone, weights, in_channels, task, num_classes, num_labels, labels, num_filters, pos_weight,
            loss, class_weights, ignore_index, lr, patience, freeze_backbone, freeze_decoder, scheduler=scheduler,
        )

    def image_of(self, batch: dict[str, Any]) -> Tensor:
        """``batch["image"]``, the ``(B, 2, C, H, W)`` pairs of images the model reads.

        Raises:
            ValueError: if the image is not ``(B, 2, C, H, W)``.
        """
        image: Tensor = batch["image"]
        if image.ndim != 5 or image.shape[1] != 2:
            raise ValueError(
                f"{type(self).__name__}: batch['image'] of shape {tuple(image.shape)} is not pairs of images "
                "(B, 2, C, H, W), before and after"
            )
        return image

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
                                               in_channels=hparams["in_channels"], num_classes=self.outputs)
        elif find_model(model, "segmentation") is not None:
            network = segmentation_network(model, backbone, weights, 2 * hparams["in_channels"], self.outputs,
                                           hparams["num_filters"])
            self.model = _EarlyFusion(network)
        else:
            choices = ", ".join([*model_choices("change_detection"), *model_choices("segmentation")])
            raise ValueError(f"unknown change detection model {model!r}; choose from {choices}")
        freeze_parts(network, hparams["model"], type(self).__name__, hparams["freeze_backbone"],
                     hparams["freeze_decoder"])
