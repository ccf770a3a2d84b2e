"""BYOLTask: self-supervised pre-training by predicting an EMA target network's projection of the other view."""

from __future__ import annotations

from typing import Any

import torch
import torch.nn.functional as F
from torch import Tensor, nn

from geotorch.trainers.base import rename_legacy
from geotorch.trainers.ssl_arguments import check_ssl_arguments
from geotorch.trainers.ssl_common import SelfSupervisedTask, projection_head


def byol_loss(predictions: Tensor, targets: Tensor) -> Tensor:
    """BYOL's mean squared error of normalised vectors, ``2 - 2 cos(prediction, target)``."""
    cosine = (F.normalize(predictions, dim=1) * F.normalize(targets.detach(), dim=1)).sum(dim=1)
    return (2 - 2 * cosine).mean()


class BYOLTask(SelfSupervisedTask):
    """BYOL (Grill et al. 2020): predict, from one view, a slowly moving target network's projection of the other.

    The target network (``momentum_backbone`` and ``momentum_projection``) is not trained by the
    optimiser: at each training step it moves toward the online one by EMA with ``moco_momentum``.
    No negatives are needed. Batches, logs and predictions as
    :class:`~geotorch.trainers.ssl_simclr.SimCLRTask`.

    Args:
        model: a registered backbone or any timm name.
        weights: a registered weight name, a checkpoint file, ``"imagenet"`` (downloaded if not cached), or None.
        in_channels: bands of the input images.
        layers: linear layers of the projection head (the predictor has two).
        hidden_dim: width of the projection's and predictor's hidden layers.
        output_dim: width of the projections.
        moco_momentum: EMA momentum of the target network.
        lr: learning rate of AdamW.
        weight_decay: weight decay of AdamW.
        patience: epochs without improvement of ``val_loss`` before the plateau scheduler lowers the rate.
        scheduler: ``cosine`` (default), ``plateau`` or ``none``.
        size: height and width of the default augmentations' crops.
        augmentations: a module taking and returning a batch dict, or a kornia augmentation or container
            taking image tensors (TorchGeo's ``K.AugmentationSequential``), applied once per view;
            None uses :func:`~geotorch.trainers.ssl_common.default_augmentations`.
        **legacy: TorchGeo's older names (``learning_rate``, ...).

    Raises:
        ValueError: if ``moco_momentum`` is not from 0 to 1, or a width, ``layers``, ``in_channels`` or ``size``
            is not a whole number of at least 1.
    """

    def __init__(
        self,
        model: str = "resnet18",
        weights: str | bool | None = None,
        in_channels: int = 3,
        lr: float = 1e-3,
        patience: int = 10,
        *,
        layers: int = 2,
        hidden_dim: int = 4096,
        output_dim: int = 256,
        moco_momentum: float = 0.99,
        weight_decay: float = 1e-6,
        size: int = 224,
        augmentations: nn.Module | None = None,
        scheduler: str = "cosine",
        **legacy: Any,
    ) -> None:
        renamed = rename_legacy(type(self).__name__, legacy)
        legacy.clear()
        model = renamed.get("model", model)
        weights = renamed.get("weights", weights)
        lr = renamed.get("lr", lr)
        patience = renamed.get("patience", patience)
        check_ssl_arguments(type(self).__name__, moco_momentum=moco_momentum, counts={
            "in_channels": in_channels, "layers": layers, "hidden_dim": hidden_dim, "output_dim": output_dim,
            "size": size})
        super().__init__()
        self.save_hyperparameters(ignore=["augmentations"])
        self.configure_views(augmentations)
        self.configure_task()

    def configure_models(self) -> None:
        """The online backbone, projection and predictor, and the target copies of backbone and projection."""
        hparams = self.hparams
        width = self.configure_backbone()
        hidden, output = hparams["hidden_dim"], hparams["output_dim"]
        self.projection = projection_head(width, hidden, output, hparams["layers"], batch_norm=True)
        self.predictor = projection_head(output, hidden, output, 2, batch_norm=True)
        self.configure_momentum()

    def pair_loss(self, first: Tensor, second: Tensor, training: bool) -> Tensor:
        """Symmetric BYOL loss of each view's prediction against the target's projection of the other view."""
        if training:
            self.update_momentum()
        images = torch.cat([first, second])
        predictions_first, predictions_second = self.predictor(self.projection(self(images))).chunk(2)
        targets_first, targets_second = self.momentum_projections(images).chunk(2)
        return (byol_loss(predictions_first, targets_second) + byol_loss(predictions_second, targets_first)) / 2
